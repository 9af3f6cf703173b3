# SPDX-License-Identifier: GPL-2.0
# Transitions since load: the deltas of /proc/tcpstates' transition,
# reset and retransmit lines against what the test made happen.

# Does tcp:tcp_send_reset see resets sent with no socket (v6.10+)? It
# then also says why, in a field of its own.
passive_resets_traced() {
	grep -q reason "$(tracing_dir)/events/tcp/tcp_send_reset/format" 2>/dev/null
}

# Three IPv4 and two IPv6 connect()s to a closed port, each refused.
refused_in_child() {
	transition_lines > /tmp/tr.before
	start_sockets /tmp/refused.out 4:refused:3:9 6:refused:2:9
	stop_sockets $SOCKETS_PID
	transition_lines > /tmp/tr.after
	for c in "transition CLOSED SYN_SENT" "transition SYN_SENT CLOSED" \
		 "reset_received SYN_SENT"; do
		expect_eq "refused connects: $c" \
			"$(transition_delta /tmp/tr.before /tmp/tr.after "$c")" 5
	done
	if passive_resets_traced; then
		expect_eq "refused connects: reset_sent CLOSED" \
			"$(transition_delta /tmp/tr.before /tmp/tr.after "reset_sent CLOSED")" 5
	else
		skip "refused connects: reset_sent CLOSED" "this kernel traces active resets only"
	fi
}

# The number of netns a netns=all read covers.
netns_in_scope() {
	sed -n 's/^# tcpstates .* scope all \([0-9]*\).*/\1/p' "$PROC"
}

netns_in_scope_is() {
	[ "$(netns_in_scope)" = "$1" ]
}

# What the lab's tour makes its own netns's sockets do, as the tracepoint
# sees it: each connection's child starts as a copy of the listener
# (LISTEN -> SYN_RECV); where the tour shows -> TIME_WAIT the full socket
# goes -> CLOSED and a timewait sock takes its place, unseen; the
# listener closes at the end.
TOUR_TRANSITIONS="transition CLOSED LISTEN 1
transition CLOSE_WAIT LAST_ACK 1
transition CLOSING CLOSED 1
transition ESTABLISHED CLOSE_WAIT 1
transition ESTABLISHED FIN_WAIT1 2
transition FIN_WAIT1 CLOSING 1
transition FIN_WAIT1 FIN_WAIT2 1
transition FIN_WAIT2 CLOSED 1
transition LAST_ACK CLOSED 1
transition LISTEN CLOSED 1
transition LISTEN SYN_RECV 3
transition SYN_RECV ESTABLISHED 3"

# The tour in a netns of its own, which starts with no transitions.
tour_in_child() { # tour_in_child FAMILY
	label="lab tour --family $1"
	check "$label: exits 0" sh -c "$LAB tour --auto --here --family $1 > /tmp/tour.out 2>&1"
	expect_eq "$label: the transitions the tour passes through, exactly" \
		"$(grep '^transition ' $PROC | sort)" "$TOUR_TRANSITIONS"
	expect_eq "$label: the transitions the tour prints, step by step, add up to them" \
		"$(tour_printed_transitions /tmp/tour.out)" "$TOUR_TRANSITIONS"
	check "$label: says where TIME_WAIT begins unseen" \
		grep -q 'tracepoint does not see TIME_WAIT begin' /tmp/tour.out
	expect_eq "$label: the kernel's counters, as /proc/net/snmp and netstat have them" \
		"$(grep '^counter ' $PROC)" "$(kernel_counters)"
	expect_eq "$label: TcpPassiveOpens counts the three children" \
		"$(grep '^counter TcpPassiveOpens ' $PROC)" "counter TcpPassiveOpens 3"
}

# The sum of the "+N" transition lines the tour printed at its steps.
tour_printed_transitions() { # tour_printed_transitions OUT
	awk '$1 == "/proc/tcpstates:" && $2 == "transition" {
		n[$3 " " $4] += substr($5, 2)
	}
	END { for (k in n) print "transition " k " " n[k] }' "$1" | sort
}

test_transitions() {
	check "the transitions section is there" grep -q '^# transitions since load' $PROC
	check "every tracepoint is attached" sh -c "! grep -q 'not attached' $PROC"
	expect_eq "two tracefs instances hold each probed tracepoint (suite.sh)" \
		"$(for e in $TRANSITION_EVENTS; do
			cat "$(tracing_dir)"/instances/ts_hold[12]/events/"$e"/enable
		   done | tr -d '\n')" 11111111

	# In a child: its counts are its own, and the parent sees none of them.
	transition_lines > /tmp/tr.parent.before
	in_netns refused_in_child
	transition_lines > /tmp/tr.parent.after
	expect_eq "a child's refused connects are not in the parent's view" \
		"$(transition_delta /tmp/tr.parent.before /tmp/tr.parent.after "transition SYN_SENT CLOSED")" 0

	# netns=all adds a live child's counts; once it is gone, kmemleak (on
	# the debug kernels) says whether its counters went with it.
	set_knob netns all
	netns_before=$(netns_in_scope)
	transition_lines > /tmp/tr.all.before
	run_bg /tmp/tr.child.out unshare -n sh -c "ip link set lo up && exec $H/sockets 4:refused:3:9"
	wait_ready /tmp/tr.child.out $BG_PID
	transition_lines > /tmp/tr.all.during
	d=$(transition_delta /tmp/tr.all.before /tmp/tr.all.during "transition SYN_SENT CLOSED")
	expect_eq "netns=all counts a live child's refused connects" "$d" 3
	# The sum takes in every netns: on a mismatch, show all that moved.
	[ "$d" = 3 ] || transition_deltas /tmp/tr.all.before /tmp/tr.all.during | diag
	stop_sockets $BG_PID
	check "the child netns is gone" wait_for 60 netns_in_scope_is "$netns_before"
	set_knob netns self

	if need_tun; then
		in_netns "tour_in_child 4"
		in_netns "tour_in_child 6"
	else
		not_ok "the lab's tour: no tun device"
	fi

	set_knob transitions N
	check "transitions=N: the section says off" grep -q '^# transitions off' $PROC
	check "transitions=N: no transition lines" sh -c "! grep -q '^transition ' $PROC"
	check "transitions=bogus is refused" sh -c "! echo bogus > $PARAMS/transitions"
	expect_eq "transitions=bogus leaves it N" "$(cat $PARAMS/transitions)" N
	set_knob transitions Y
	in_netns refused_in_child
}

# The states whose every entry and exit the tracepoint sees: full sockets.
# CLOSED is left out (a socket not yet bound is closed but not counted),
# TIME_WAIT too (a timewait sock begins and ends unseen).
FULL_STATES="LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT CLOSING LAST_ACK"

# Per full state, entries minus exits in the matrix from BEFORE to AFTER.
# LISTEN -> SYN_RECV is a child born as a copy of its listener, which
# stays: an entry into SYN_RECV, no exit from LISTEN.
matrix_changes() { # matrix_changes BEFORE AFTER
	transition_deltas "$1" "$2" | awk -v states="$FULL_STATES" '
	$1 == "transition" { change[$3] += $4; if ($2 != "LISTEN" || $3 != "SYN_RECV") change[$2] -= $4 }
	END { n = split(states, s, " "); for (i = 1; i <= n; i++) print s[i], change[s[i]] + 0 }'
}

# Per full state, the change in the kernel's count (both families) from
# BEFORE to AFTER, oracle_counts' text.
count_changes() { # count_changes BEFORE AFTER
	printf '%s\n--\n%s\n' "$1" "$2" | awk -v states="$FULL_STATES" '
	$1 == "--" { after = 1; next }
	{ n[$1] += (after ? 1 : -1) * ($2 + $3) }
	END { k = split(states, s, " "); for (i = 1; i <= k; i++) print s[i], n[s[i]] + 0 }'
}

# Connections made and torn down on loopback for SECONDS, with two readers
# of /proc/tcpstates: the matrix must account for every change of count
# between the quiet reads before and after. Called with sockets standing.
churn_keeps_the_matrix() { # churn_keeps_the_matrix LABEL SECONDS
	snapshot
	counts_before=$O1
	transition_lines > /tmp/churn.tr.before
	start_readers 2
	$H/churn "$2" 7999 > /tmp/churn.out
	stop_readers
	made=$(awk '{ print $3 }' /tmp/churn.out)
	check "$1: churn made connections (${made:-none})" [ "${made:-0}" -gt 0 ]
	snapshot
	transition_lines > /tmp/churn.tr.after
	expect_eq "$1: per full state, entries - exits = the kernel's count change" \
		"$(matrix_changes /tmp/churn.tr.before /tmp/churn.tr.after)" \
		"$(count_changes "$counts_before" "$O1")"
	for t in "transition SYN_SENT ESTABLISHED" "transition SYN_RECV ESTABLISHED" \
		 "counter TcpPassiveOpens"; do
		expect_eq "$1: $t grew by the $made connections" \
			"$(transition_delta /tmp/churn.tr.before /tmp/churn.tr.after "$t")" "$made"
	done
}
