# SPDX-License-Identifier: GPL-2.0
# Network namespaces: a child's sockets are counted in it, unseen outside.

# Sockets of a child netns are counted inside it and invisible outside.
netns_case() { # netns_case LABEL EHASH_ENTRIES
	label=$1
	set_child_ehash "$2"
	# The child holds its sockets until /tmp/child.hold goes (10 min at
	# most), once it has said "ready".
	rm -f /tmp/child.entries /tmp/child.tap /tmp/child.table
	touch /tmp/child.hold
	run_bg /tmp/child.log unshare -n sh -c '
		. /suite/lib.sh
		ip link set lo up
		entries=$(cat /proc/sys/net/ipv4/tcp_ehash_entries 2>/dev/null || echo -1)
		echo "entries $entries" > /tmp/child.entries
		start_sockets /tmp/child.out 4:listen:5:9001 6:established:6:9010 4:time_wait:3:9020 4:bound:4:9100 || exit 1
		compare_states "'"$label"' (inside)" 4 0 > /tmp/child.tap
		awk "/^# tables/ { print \$6 }" /proc/tcpstates > /tmp/child.table
		echo ready
		wait_for 600 [ ! -e /tmp/child.hold ]
		stop_sockets $SOCKETS_PID
	'
	child=$BG_PID
	if ! wait_ready /tmp/child.log $child; then
		not_ok "$label: the child netns holds its sockets"
		rm -f /tmp/child.hold
		set_child_ehash 0
		return
	fi
	replay_tap /tmp/child.tap
	entries=$(awk '{ print $2 }' /tmp/child.entries)
	if [ "$2" -gt 0 ]; then
		check "$label: the child has its own ehash ($entries buckets)" [ "$entries" -gt 0 ]
		expect_eq "$label: /proc/tcpstates walks the child's own table" "$(cat /tmp/child.table)" own
	else
		# Without per-netns ehash (before v6.1) every netns shares it.
		! has_child_ehash ||
			check "$label: the child shares the global ehash" [ "$entries" -lt 0 ]
		expect_eq "$label: /proc/tcpstates walks the shared table" "$(cat /tmp/child.table)" shared
	fi
	# From the parent, nothing of the child's shows: its listeners and
	# connections, still held, would make the counts differ from the
	# parent's /proc/net/tcp{,6}. (Not against a count taken before:
	# earlier tests' TIME_WAIT sockets expire meanwhile.)
	compare_states "$label (parent)" 0 0
	rm -f /tmp/child.hold
	wait $child
	set_child_ehash 0
}

test_netns() {
	if has_child_ehash; then
		netns_case "child netns with its own ehash" 256
	else
		skip "child netns with its own ehash" "kernel without tcp_child_ehash_entries"
	fi
	netns_case "child netns on the shared ehash" 0
}
