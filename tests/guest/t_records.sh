# SPDX-License-Identifier: GPL-2.0
# The records /proc/tcpstates is read in: netns=all, reads of any size.

# "bad" if a netns line's total is not the sum of its states, or the
# lines do not add up to the states table's total column, state by state.
netns_sums() { # netns_sums FILE
	awk -v states="$STATES" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) row[o[i]] = i }
	($1 in row) { table[row[$1]] = $2 }
	$1 == "netns" {
		t = 0
		for (i = 1; i <= n; i++) { sum[i] += $(i + 3); t += $(i + 3) }
		if (t != $3) print "bad total", $2
	}
	END { for (i = 1; i <= n; i++) if (sum[i] != table[i]) print "bad", o[i], sum[i], table[i] }' "$1"
}

# Netns enough for their lines to outgrow the 64 KiB buffer (1,530 do).
# On the debug kernels 100: 1,700 take ten minutes to make and tear down
# under KASAN, and what that size shows, one walk for a summary larger
# than the buffer, is no question for KASAN; the Debian kernels answer it.
RECORDS_NETNS=$(sized 1700 100)

# With netns=all each netns's line is a record of its own, so that 1700
# netns no longer outgrow the 64 KiB buffer, which made seq_file walk
# every table again into a larger one: a read walks once, every netns has
# one line, the lines add up to the states table, reads of any size give
# the same bytes, and the listing after them still numbers its sockets.
test_records() {
	run_bg /tmp/netns-hold.out $H/netns-hold $RECORDS_NETNS
	hold=$BG_PID
	# A line per netns: minutes under KASAN beside other guests.
	wait_ready_growing /tmp/netns-hold.out $hold 60 ||
		{ not_ok "$RECORDS_NETNS netns held"; return; }
	start_sockets /tmp/records.out 4:established:5:7510 6:established:3:7511 ||
		{ not_ok "records population ready"; release_netns $hold; return; }
	set_knob timers N
	set_knob netns all

	walks=$(traced_walks /tmp/all.txt cat $PROC)
	n=$(awk '$2 == "tcpstates" && $6 == "scope" { print $8 }' /tmp/all.txt)
	check "scope all covers the $RECORDS_NETNS held netns ($n)" [ "${n:-0}" -gt $RECORDS_NETNS ]
	size=$(wc -c < /tmp/all.txt)
	if [ "$RECORDS_NETNS" -ge 1700 ]; then
		check "the summary outgrows the 64 KiB buffer ($size bytes)" [ "$size" -gt 65536 ]
	else
		skip "the summary outgrows the 64 KiB buffer ($size bytes)" \
			"$RECORDS_NETNS netns on a debug kernel; the Debian kernels hold 1700"
	fi
	expect_eq "one netns line per netns of the scope" "$(grep -c '^netns ' /tmp/all.txt)" "$n"
	expect_eq "every held netns has exactly one line" "$(awk '
		NR == FNR { if ($1 != "ready") want[$1] = 1; next }
		$1 == "netns" { seen[$2]++ }
		END {
			for (w in want) if (seen[w] != 1) bad++
			for (s in seen) if (seen[s] != 1) bad++
			print bad + 0
		}' /tmp/netns-hold.out /tmp/all.txt)" 0
	expect_eq "the netns lines add up to the states table" "$(netns_sums /tmp/all.txt)" ""
	if [ "$walks" = unsupported ]; then
		skip "a whole read walks the tables once" "no function tracer"
	else
		expect_eq "a whole read walks the tables once" "$walks" 1
		walks=$(traced_walks /tmp/small.txt dd if=$PROC bs=100 status=none)
		expect_eq "a read in 100-byte pieces walks the tables once" "$walks" 1
	fi

	# Sockets left in TIME_WAIT by earlier tests list their timers,
	# which count down between two reads: compare states without one.
	set_knob states LISTEN,ESTABLISHED
	set_knob list_sockets 7
	for bs in 100 4096; do
		tries=0
		while [ $tries -lt 10 ]; do
			cat $PROC > /tmp/r1
			dd if=$PROC bs=$bs status=none > /tmp/r2
			cat $PROC > /tmp/r3
			cmp -s /tmp/r1 /tmp/r3 && break
			tries=$((tries + 1))
		done
		check "netns=all: $bs-byte reads give the bytes of one read" cmp -s /tmp/r1 /tmp/r2 ||
			diag "$(diff /tmp/r1 /tmp/r2 | head -n 12)"
	done
	expect_eq "netns=all, list_sockets=7: 7 sockets after the netns lines" \
		"$(awk '$1 == "netns" { n = NR } $1 == "socket" && NR > n { s++ } END { print s + 0 }' /tmp/r1)" 7
	set_knob states all
	set_knob list_sockets 100000
	mine='($3 == 7510 || $3 == 7511 || $4 == 7510 || $4 == 7511)'
	expect_eq "netns=all: the listing has the sockets of /proc/net/tcp{,6}" \
		"$(module_sockets "cat $PROC" | awk "$mine")" \
		"$(oracle_sockets | awk "$mine"' { print $1, $2, $3, $4 }' | sort)"

	set_knob list_sockets 0
	set_knob netns self
	set_knob timers Y
	stop_sockets $SOCKETS_PID
	release_netns $hold
}

# release_netns PID: let netns-hold PID go, and wait while the kernel
# tears its netns down a batch at a time: torn down at once, they would
# hold RTNL for minutes against the tests that follow.
release_netns() {
	kill "$1" 2>/dev/null
	wait "$1"
	_rn_rc=$?
	check "the held netns are torn down ($(tail -n 1 /tmp/netns-hold.out))" [ $_rn_rc -eq 0 ]
}
