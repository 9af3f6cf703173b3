# SPDX-License-Identifier: GPL-2.0
# The kernel's own bug detectors. dmesg must show no splat: WARN, BUG, Oops,
# lockdep, debugobjects, KASAN, KCSAN, kmemleak's own errors, RCU stalls,
# lockups, hung tasks.

KCSAN_ALLOW=/suite/kcsan-allow.txt

# The first line of every report the detectors print. Lockdep's start with
# WARNING: (circular or recursive locking, inconsistent lock state,
# suspicious RCU usage), KASAN's and KCSAN's with BUG:, hung tasks with
# INFO: task.
SPLAT='WARNING:|BUG:|Oops|general protection fault|kernel BUG at|Call Trace:|'\
'Unable to handle kernel|detected stall|self-detected stall|kthread starved|'\
'rcu.*stall|soft lockup|hard LOCKUP|blocked for more than|'\
'scheduling while atomic|sleeping function called|'\
'possible circular locking|inconsistent lock state|suspicious RCU usage|'\
'possible recursive locking|lockdep is turned off|non-static key|'\
'turning off the locking correctness validator|DEBUG_LOCKS_WARN_ON|'\
'ODEBUG|UBSAN|KASAN:|KCSAN:|kmemleak:|list_add corruption|list_del corruption|'\
'refcount_t:|workqueue lockup'
# Lines that match SPLAT and are not reports: boot banners, and kmemleak's
# count of suspected leaks, which test_kmemleak judges.
SPLAT_BENIGN='kmemleak: Kernel memory leak detector initialized|'\
'kmemleak: [0-9]+ new suspected memory leaks|'\
'kmemleak: Automatic memory scanning thread|'\
'RCU CPU stall warnings timeout set to'

# kcsan_allow_patterns FILE: the allow-list's patterns, one extended regex
# a line. Only a pattern right below a comment line counts; any other
# non-blank line is printed as "bad LINENO: LINE".
kcsan_allow_patterns() {
	[ -f "$1" ] || return 0
	awk '
	/^[ \t]*#/ { commented = 1; next }
	/^[ \t]*$/ { commented = 0; next }
	commented { print "pattern " $0; commented = 0; next }
	{ print "bad " NR ": " $0 }' "$1"
}

# dmesg_reports PATTERNS < DMESG: every report in DMESG, each as a block of
# lines opened by "report fail|allowed|kcsan-fail HEADLINE", its text
# and "end".
# A KCSAN data race whose headline a pattern of PATTERNS matches is
# allowed, unless the headline names the module itself.
dmesg_reports() {
	awk -v splat="$SPLAT" -v benign="$SPLAT_BENIGN" -v allowfile="$1" '
	BEGIN {
		while ((getline l < allowfile) > 0)
			if (l ~ /^pattern /)
				allow[++nallow] = substr(l, 9)
	}
	function close_report() {
		if (inrep)
			print "end"
		inrep = 0
	}
	{
		line = $0
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
	}
	# A report runs to the end of its trace, its closing ===== rule,
	# 160 lines, or the next report: a SPLAT line other than the trace.
	inrep && (line !~ splat || line ~ benign || line ~ /Call Trace:/) {
		print line
		n++
		if (line ~ /^---\[ end trace/ || line ~ /^ *<\/TASK>/ ||
		    line ~ /^=====/ || n >= 160)
			close_report()
		next
	}
	line ~ splat && line !~ benign {
		close_report()
		verdict = "fail"
		if (line ~ /BUG: KCSAN: /) {
			verdict = "kcsan-fail"
			if (line !~ /\[tcpstates\]/)
				for (i = 1; i <= nallow; i++)
					if (line ~ allow[i]) {
						verdict = "allowed"
						break
					}
		}
		print "report " verdict " " line
		inrep = 1
		n = 0
	}
	END { close_report() }'
}

# dmesg_headlines VERDICT: each report with VERDICT in one line, its
# headline and the two lines under it, printed right under the failure
# they make so that a summary of failures shows them.
dmesg_headlines() {
	awk -v v="$1" '
	function flush() { if (line != "") print substr(line, 1, 300); line = "" }
	$1 == "report" {
		flush()
		if ($2 == v) { sub(/^report [a-z-]+ /, ""); line = $0; more = 2 }
		next
	}
	$0 == "end" { flush(); next }
	line != "" { sub(/^[ \t]+/, ""); line = line " | " $0; if (--more == 0) flush() }
	END { flush() }' /tmp/dmesg.reports | head -n 5 | sed 's/^/# headline: /'
}

test_dmesg() {
	dmesg > /tmp/dmesg.log
	kcsan_allow_patterns $KCSAN_ALLOW > /tmp/kcsan-allow.pat
	if grep -q '^bad ' /tmp/kcsan-allow.pat; then
		not_ok "kcsan-allow.txt: every pattern has a comment above it"
		diag "$(sed -n 's/^bad //p' /tmp/kcsan-allow.pat)"
	fi
	dmesg_reports /tmp/kcsan-allow.pat < /tmp/dmesg.log > /tmp/dmesg.reports
	allowed=$(grep -c '^report allowed ' /tmp/dmesg.reports)
	races=$(grep -c '^report kcsan-fail ' /tmp/dmesg.reports)
	others=$(grep -c '^report fail ' /tmp/dmesg.reports)
	expect_eq "dmesg: no KCSAN data race outside kcsan-allow.txt" \
		"$races" 0
	[ "$races" -eq 0 ] || dmesg_headlines kcsan-fail
	expect_eq "dmesg is clean: no WARN, BUG, Oops, lockdep, ODEBUG, KASAN, RCU stall, lockup or hung task" \
		"$others" 0
	[ "$others" -eq 0 ] || dmesg_headlines fail
	[ "$allowed" -eq 0 ] ||
		diag "$allowed KCSAN report(s) allowed by kcsan-allow.txt"
	# Every report is shown, allowed or not (capped, for a flood).
	awk '
	/^report / {
		v = $2
		sub(/^report [a-z-]+ /, "")
		print "report (" (v == "allowed" ? "allowed by kcsan-allow.txt" : "fails the run") "):"
	}
	/^end$/ { print ""; next }
	{ print "  " $0 }' /tmp/dmesg.reports | head -n 2000 | sed 's/^/# /'
	# Detectors that can switch themselves off, or never switch on.
	if [ -r /proc/lockdep_stats ]; then
		expect_eq "lockdep is still on at the end of the run (debug_locks)" \
			"$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)" 1
	fi
	if [ -r /sys/kernel/debug/kcsan ]; then
		diag "$(grep -E 'enabled|setup_watchpoints|data_races|races_unknown_origin|no_capacity' /sys/kernel/debug/kcsan)"
		check "KCSAN is on and has set watchpoints" awk '
			$1 == "enabled:" { on = $2 }
			$1 == "setup_watchpoints:" { n = $2 }
			END { exit !(on == 1 && n > 0) }' /sys/kernel/debug/kcsan
	fi
}
