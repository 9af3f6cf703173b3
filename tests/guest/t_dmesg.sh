# SPDX-License-Identifier: GPL-2.0
# The kernel's own bug detectors. dmesg must show no splat: WARN, BUG, Oops,
# lockdep, debugobjects, KASAN, KCSAN, kmemleak's own errors, RCU stalls,
# lockups, hung tasks. On kernels with kmemleak (the debug kernels), nothing
# the module allocated may leak.

LEAKS=/sys/kernel/debug/kmemleak
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

# leaks_clear: kmemleak never reports what is allocated now. Called once
# at suite start, before the module is loaded: nothing from boot counts.
leaks_clear() {
	[ -w $LEAKS ] || return 0
	echo clear > $LEAKS
}

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

test_dmesg() {
	dmesg > /tmp/dmesg.log
	kcsan_allow_patterns $KCSAN_ALLOW > /tmp/kcsan-allow.pat
	if grep -q '^bad ' /tmp/kcsan-allow.pat; then
		not_ok "kcsan-allow.txt: every pattern has a comment above it"
		diag "$(sed -n 's/^bad //p' /tmp/kcsan-allow.pat)"
	fi
	dmesg_reports /tmp/kcsan-allow.pat < /tmp/dmesg.log > /tmp/dmesg.reports
	# Every report is shown, allowed or not (capped, for a flood).
	awk '
	/^report / {
		v = $2
		sub(/^report [a-z-]+ /, "")
		print "report (" (v == "allowed" ? "allowed by kcsan-allow.txt" : "fails the run") "):"
	}
	/^end$/ { print ""; next }
	{ print "  " $0 }' /tmp/dmesg.reports | head -n 2000 | sed 's/^/# /'
	allowed=$(grep -c '^report allowed ' /tmp/dmesg.reports)
	races=$(grep -c '^report kcsan-fail ' /tmp/dmesg.reports)
	others=$(grep -c '^report fail ' /tmp/dmesg.reports)
	[ "$allowed" -eq 0 ] ||
		diag "$allowed KCSAN report(s) allowed by kcsan-allow.txt"
	expect_eq "dmesg: no KCSAN data race outside kcsan-allow.txt" \
		"$races" 0
	expect_eq "dmesg is clean: no WARN, BUG, Oops, lockdep, ODEBUG, KASAN, RCU stall, lockup or hung task" \
		"$others" 0
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

# leaks_scan FILE: scan twice (an object is reported once it was
# unreferenced in two scans in a row) and save kmemleak's report in FILE.
# Objects younger than 5 s at the scan are not reported.
leaks_scan() {
	echo scan > $LEAKS && echo scan > $LEAKS && cat $LEAKS > "$1"
}

# leaks_of_module RANGES [others] < REPORT: the records of kmemleak's
# REPORT (each object once) whose backtrace passes through the module, or
# with "others" those whose backtrace does not: a frame named [tcpstates], or a bare
# address (a symbol no longer there: unloaded module text) in module space
# ffffffffa0000000..ffffffffff000000. RANGES ("START END" hex lines, from
# /proc/modules) are where the module's last load sat: those frames are
# marked in the output. On the debug kernels the module is the only one
# ever loaded (tun, veth and the diag modules are built in), so every bare
# module-space address was its text.
leaks_of_module() {
	awk -v rangefile="$1" -v want="${2:-ours}" '
	BEGIN {
		while ((getline l < rangefile) > 0) {
			split(l, r, " ")
			lo[++nr] = r[1]
			hi[nr] = r[2]
		}
	}
	function flush() {
		if (rec != "" && !dup && ours == (want == "ours"))
			printf "%s", rec
		rec = ""
		ours = 0
	}
	/^unreferenced object / {
		flush()
		dup = ($3 in seen)
		seen[$3] = 1
	}
	{
		line = $0
		if ($0 ~ /\[tcpstates\]/)
			ours = 1
		if ($1 ~ /^0xffffffff[a-f][0-9a-f]{7}$/ && NF == 1) {
			a = substr($1, 3)
			if (a >= "ffffffffa0000000" && a < "ffffffffff000000") {
				ours = 1
				for (i = 1; i <= nr; i++)
					if (a >= lo[i] && a < hi[i])
						line = line "  (tcpstates text, last load)"
			}
		}
		rec = rec line "\n"
	}
	END { flush() }'
}

# At the end of the run: scan while the module is loaded, unload it, scan
# again. Any unreferenced object whose allocation passed through the module
# fails; other leaks are shown.
test_kmemleak() {
	if [ ! -e $LEAKS ]; then
		skip "kmemleak: nothing the module allocated leaks" \
			"kernel without CONFIG_DEBUG_KMEMLEAK"
		return
	fi
	: > /tmp/kmemleak.ranges
	: > /tmp/kmemleak.loaded
	if [ -d /sys/module/tcpstates ]; then
		# START END from "tcpstates SIZE ... 0xSTART". awk has only
		# doubles (and busybox's %x only ints): the low 32 bits of
		# START are added to digit by digit.
		awk -v hex=0123456789abcdef '$1 == "tcpstates" {
			a = $6
			sub(/^0x/, "", a)
			lo = 0
			for (i = 9; i <= 16; i++)
				lo = lo * 16 + index(hex, substr(a, i, 1)) - 1
			lo += $2
			end = ""
			for (i = 0; i < 8; i++) {
				end = substr(hex, lo % 16 + 1, 1) end
				lo = int(lo / 16)
			}
			print a, substr(a, 1, 8) end
		}' /proc/modules > /tmp/kmemleak.ranges
		check "kmemleak: scan with the module loaded" \
			leaks_scan /tmp/kmemleak.loaded
		check "kmemleak: unload the module" rmmod tcpstates
	fi
	# The module's last objects must be 5 s old for the scan to see them.
	t=$(($(date +%s) + 6))
	while [ "$(date +%s)" -lt $t ]; do sleep 1; done
	check "kmemleak: scan after the module is gone" \
		leaks_scan /tmp/kmemleak.unloaded
	[ -s /tmp/kmemleak.ranges ] &&
		diag "the module sat at: $(cat /tmp/kmemleak.ranges)"
	# The loaded scan's records first: they name the module's functions.
	cat /tmp/kmemleak.loaded /tmp/kmemleak.unloaded |
		leaks_of_module /tmp/kmemleak.ranges > /tmp/kmemleak.ours
	leaks_of_module /tmp/kmemleak.ranges others < /tmp/kmemleak.unloaded \
		> /tmp/kmemleak.others
	ours=$(grep -c '^unreferenced object' /tmp/kmemleak.ours)
	others=$(grep -c '^unreferenced object' /tmp/kmemleak.others)
	if [ "$ours" -eq 0 ]; then
		ok "kmemleak: nothing the module allocated leaks"
	else
		not_ok "kmemleak: nothing the module allocated leaks ($ours objects)"
		head -n 400 /tmp/kmemleak.ours | sed 's/^/# /'
	fi
	if [ "$others" -gt 0 ]; then
		diag "kmemleak: $others unreferenced objects that are not the module's:"
		head -n 400 /tmp/kmemleak.others | sed 's/^/# /'
	fi
}
