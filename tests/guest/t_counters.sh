# SPDX-License-Identifier: GPL-2.0
# The kernel's own counters ("mib" lines) against /proc/net/snmp and
# /proc/net/netstat in the same netns, after the test made most of them
# count.

# "NAME VALUE" lines: the value of NAME.
mib_value() { # mib_value NAME TEXT
	echo "$2" | awk -v n="$1" '$2 == n { print $3 }'
}

counters_in_child() {
	expect_eq "a new netns: the mib lines equal the kernel's" \
		"$(module_mibs)" "$(kernel_mibs)"
	# Opens; refused attempts; a listener whose full accept queue drops
	# SYNs (ListenOverflows, ListenDrops); then connections answered
	# with syncookies, as tcp_syncookies=2 answers every SYN.
	start_sockets /tmp/ctr.out 4:established:2:7500 4:refused:3:7510 \
		4:syn_sent:2:7520 ||
		{ not_ok "counters: sockets in place"; return; }
	ctr_pid=$SOCKETS_PID
	echo 2 > /proc/sys/net/ipv4/tcp_syncookies
	start_sockets /tmp/ctr.cookies.out 6:established:2:7530 ||
		not_ok "counters: connections with syncookies"
	echo 1 > /proc/sys/net/ipv4/tcp_syncookies
	read_agreeing kernel_mibs module_mibs
	expect_eq "every mib line equals /proc/net/snmp and /proc/net/netstat" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	for c in TcpActiveOpens TcpPassiveOpens TcpAttemptFails \
		 TcpExtListenOverflows TcpExtListenDrops TcpExtSyncookiesSent \
		 TcpExtSyncookiesRecv; do
		v=$(mib_value $c "$SETTLED_SUBJECT")
		check "$c counted what the test did ($v)" [ "${v:-0}" -gt 0 ]
	done
	stop_sockets $SOCKETS_PID
	stop_sockets $ctr_pid
}

test_counters() {
	in_netns counters_in_child
}
