# SPDX-License-Identifier: GPL-2.0
# Timer columns and the timers section, against the kernel's own view.

# "STATE tr1 tr2 tr3 tr4": sockets per /proc/net/tcp timer code.
oracle_timers() {
	oracle_sockets | awk -v states="$STATES" '
	{ c[$2, $7]++ }
	END {
		n = split(states, o, " ")
		for (i = 1; i <= n; i++)
			print o[i], c[o[i], 1] + 0, c[o[i], 2] + 0, c[o[i], 3] + 0, c[o[i], 4] + 0
	}'
}

module_timers() {
	awk -v states="$STATES" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) want[o[i]] = 1 }
	/^# state/ { for (i = 3; i <= NF; i++) col[$i] = i - 1 }
	($1 in want) {
		print $1, $col["retrans"] + $col["synack"], $col["keepalive"], $col["timewait"], $col["probe0"]
	}' $PROC
}

# compare_timers LABEL: per state, the sockets with each kind of timer
# equal /proc/net/tcp's tr column (1 retransmit or SYN-ACK, 2 keepalive,
# 3 timewait, 4 zero-window probe).
compare_timers() {
	read_agreeing oracle_timers module_timers
	for s in $STATES; do
		expect_eq "$1: $s timers by kind equal /proc/net/tcp{,6} tr" \
			"$(echo "$SETTLED_SUBJECT" | awk -v s=$s '$1 == s')" \
			"$(echo "$SETTLED_ORACLE" | awk -v s=$s '$1 == s')"
	done
}

# tw_latest_below MS: TIME_WAIT's latest expiry, in $late2, is below MS.
tw_latest_below() {
	late2=$(column TIME_WAIT latest_ms)
	[ "$late2" -lt "$1" ]
}

# syn_sent_retries_above N: SYN_SENT's retries, in $r2, are above N.
syn_sent_retries_above() {
	r2=$(column SYN_SENT retries)
	[ "$r2" -gt "$1" ]
}

timers_in_child() {
	echo 17 > /proc/sys/net/ipv4/tcp_fin_timeout
	expect_eq "tcp_fin_timeout set to 17 reads 17" "$(setting tcp_fin_timeout)" 17
	expect_eq "time_wait_length is the fixed 2MSL" "$(setting time_wait_length) $(setting msl)" "60 30"
	echo 11 > /proc/sys/net/ipv4/tcp_keepalive_probes
	expect_eq "tcp_keepalive_probes is read live" "$(setting tcp_keepalive_probes)" 11
	t0=$(uptime_ms)
	start_sockets /tmp/timers.out 4:orphan:3:7030 6:orphan:2:7031 4:time_wait:4:7040 \
		6:time_wait:2:7041 4:syn_sent:2:7050 4:keepalive:2:7060 6:fin_wait1:2:7070 ||
		{ not_ok "timer population ready"; return; }
	snapshot
	at_least "timers" FIN_WAIT2 4 3
	at_least "timers" SYN_SENT 4 2
	at_least "timers" FIN_WAIT1 6 2
	at_least "timers" TIME_WAIT 4 4

	cat $PROC > /tmp/timers.now
	# The orphans went to FIN_WAIT2 after t0, each with a timer of
	# tcp_fin_timeout: at the read, at least 17 s less the time since
	# t0 was left (less a few jiffies and /proc/uptime's 10 ms).
	least=$((17000 - ($(uptime_ms) - t0) - 50))
	soon=$(column FIN_WAIT2 soonest_ms /tmp/timers.now)
	late=$(column FIN_WAIT2 latest_ms /tmp/timers.now)
	check "orphaned FIN_WAIT2 expire within tcp_fin_timeout=17 s, and not before $least ms ($soon..$late ms)" \
		sh -c "[ '$soon' -gt 0 ] && [ '$soon' -ge $least ] && [ '$late' -le 17000 ]"

	soon=$(column TIME_WAIT soonest_ms /tmp/timers.now)
	late1=$(column TIME_WAIT latest_ms /tmp/timers.now)
	check "TIME_WAIT expiries lie in (0, 60 s] ($soon..$late1 ms)" \
		sh -c "[ '$soon' -gt 0 ] && [ '$late1' -le 60000 ]"
	# TIME_WAIT's 2MSL is fixed: nothing re-arms these timers, so the
	# latest expiry must shrink within a few seconds.
	wait_for 10 tw_latest_below "$late1"
	check "TIME_WAIT expiries shrink between reads ($late1 -> $late2 ms)" [ "$late2" -lt "$late1" ]

	n=$(column SYN_SENT total)
	expect_eq "every SYN_SENT socket has a retransmit timer" "$(column SYN_SENT retrans)" "$n"
	r1=$(column SYN_SENT retries)
	# The next SYN retransmission is due in soonest_ms: wait that long,
	# and 10 s more, for the count to grow.
	due=$(column SYN_SENT soonest_ms)
	case $due in '' | *[!0-9]*) due=60000 ;; esac
	wait_for $((due / 1000 + 10)) syn_sent_retries_above "$r1"
	check "SYN_SENT retransmit count grows by the next retransmission ($r1 -> $r2, due in $due ms)" \
		[ "$r2" -gt "$r1" ]

	k=$(column ESTABLISHED keepalive)
	late=$(column ESTABLISHED latest_ms)
	check "SO_KEEPALIVE with TCP_KEEPIDLE=30 shows keepalive timers of at most 30 s ($k, $late ms)" \
		sh -c "[ '$k' -ge 2 ] && [ '$late' -le 30000 ] && [ '$late' -gt 0 ]"
	expect_eq "orphaned FIN_WAIT1 against a zero window probe it" "$(column FIN_WAIT1 probe0)" \
		"$(column FIN_WAIT1 total)"

	cw=$(column CLOSE_WAIT total)
	check "CLOSE_WAIT is populated ($cw)" [ "$cw" -ge 5 ]
	expect_eq "CLOSE_WAIT sockets show no timer" \
		"$(awk '$1 == "CLOSE_WAIT" { print $7, $8, $9, $10, $11, $12, $13 }' $PROC)" "0 0 0 0 0 - -"
	compare_timers "timers"
	compare_states "timer population" 0 0
	stop_sockets $SOCKETS_PID
}

# With tcp_fin_timeout over 2MSL, an orphan waits in FIN_WAIT2 as a full
# socket, on the keepalive timer, without SO_KEEPALIVE.
long_fin_wait2_in_child() {
	echo 90 > /proc/sys/net/ipv4/tcp_fin_timeout
	start_sockets /tmp/long_fin_wait2.out 4:orphan:3:7080 6:orphan:2:7081 ||
		{ not_ok "long FIN_WAIT2 population ready"; return; }
	snapshot
	at_least "long FIN_WAIT2" FIN_WAIT2 4 3
	at_least "long FIN_WAIT2" FIN_WAIT2 6 2
	late=$(column FIN_WAIT2 latest_ms)
	check "orphaned FIN_WAIT2 past 2MSL: keepalive timers of at most 90 - 60 s ($late ms)" \
		sh -c "[ '$(column FIN_WAIT2 keepalive)' -ge 5 ] && [ '$late' -le 30000 ] && [ '$late' -gt 0 ]"
	compare_timers "long FIN_WAIT2"
	stop_sockets $SOCKETS_PID
}

test_timers() {
	in_netns timers_in_child
	in_netns long_fin_wait2_in_child
}
