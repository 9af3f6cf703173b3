# SPDX-License-Identifier: GPL-2.0
# On kernels with kmemleak (the debug kernels), nothing the module
# allocated may leak.

LEAKS=/sys/kernel/debug/kmemleak

# leaks_clear: kmemleak never reports what is allocated now. Called once
# at suite start, before the module is loaded: nothing from boot counts.
leaks_clear() {
	[ -w $LEAKS ] || return 0
	echo clear > $LEAKS
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
