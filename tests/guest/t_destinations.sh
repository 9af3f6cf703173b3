# SPDX-License-Identifier: GPL-2.0
# Port pressure (top_destinations=N): outbound sockets per destination
# against a narrowed ip_local_port_range, TIME_WAIT included, and the
# ports hint at 80% of the range and not below.

DEST_LO=40000
DEST_HI=40009

# The destination lines, from /proc/tcpstates and from /proc/net/tcp{,6}:
# the sockets whose local port is in the range, by remote port (every
# destination here is the loopback address of its family).
module_destinations() {
	grep '^destination ' $PROC | sort
}

oracle_destinations() {
	oracle_sockets | awk -v lo=$DEST_LO -v hi=$DEST_HI -v ns="$(netns_inode)" '
	$3 >= lo && $3 <= hi { n[($1 == 6 ? "[::1]" : "127.0.0.1") ":" $4]++ }
	END { for (d in n) print "destination", d, n[d], lo "-" hi, ns }' | sort
}

netns_inode() {
	readlink /proc/self/ns/net | tr -dc 0-9
}

# In a netns whose ephemeral range is DEST_LO-DEST_HI (10 ports).
dest_range_in_child() {
	echo "$DEST_LO $DEST_HI" > /proc/sys/net/ipv4/ip_local_port_range
}

dest_below_in_child() {
	dest_range_in_child
	start_sockets /tmp/dest1.out 4:established:6:7610 4:time_wait:3:7620 \
		6:established:1:7640 || { not_ok "destinations: population ready"; return; }
	check "top_destinations=0: no destination lines" \
		sh -c "grep -q '^ESTABLISHED ' $PROC && ! grep -q '^destination ' $PROC"
	set_knob top_destinations 3
	read_settled oracle_destinations module_destinations
	expect_eq "top_destinations=3: outbound sockets per destination equal /proc/net/tcp{,6}'s, TIME_WAIT included" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	check "top_destinations=3: 127.0.0.1:7620 holds 3 ports in TIME_WAIT" \
		sh -c "echo '$SETTLED_SUBJECT' | grep -q '^destination 127.0.0.1:7620 3 '"
	expect_eq "top_destinations=1: the destination with most of the range" \
		"$(set_knob top_destinations 1; grep '^destination ' $PROC | cut -d' ' -f2,3)" \
		"127.0.0.1:7610 6"
	check "60% of the range: no ports hint" \
		sh -c "grep -q '^ESTABLISHED ' $PROC && ! grep -q '^hint ports' $PROC"
	set_knob reset 1
	stop_sockets $SOCKETS_PID
}

dest_hint_in_child() {
	dest_range_in_child
	start_sockets /tmp/dest2.out 4:established:8:7630 ||
		{ not_ok "destinations: 8 connections to one destination ready"; return; }
	set_knob top_destinations 2
	expect_eq "80% of the range: the ports hint names the destination" \
		"$(grep -o '^hint ports: .* of ip_local_port_range [0-9-]*' $PROC)" \
		"hint ports: 8 outbound sockets to 127.0.0.1:7630 hold 80% of the 10 local ports of ip_local_port_range 40000-40009"
	set_knob top_destinations 0
	check "top_destinations=0: no ports hint" \
		sh -c "grep -q '^ESTABLISHED ' $PROC && ! grep -q '^hint ports' $PROC"
	set_knob reset 1
	stop_sockets $SOCKETS_PID
}

test_destinations() {
	set_knob reset 1
	in_netns dest_below_in_child
	in_netns dest_hint_in_child
}
