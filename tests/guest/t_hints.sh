# SPDX-License-Identifier: GPL-2.0
# The hints /proc/tcpstates prints, each raised by sockets that call for it.

hints() {
	grep '^hint' $PROC | awk '{ print $2 }' | tr '\n' ' '
}

hints_in_child() {
	expect_eq "no hints on a quiet netns" "$(hints)" ""

	start_sockets /tmp/cw.out 4:fin_wait2:15:7100 || return
	expect_eq "15 CLOSE_WAIT on one port: no hint yet" "$(hints)" ""
	stop_sockets $SOCKETS_PID
	start_sockets /tmp/cw.out 4:fin_wait2:16:7100 || return
	check "16 CLOSE_WAIT on port 7100: the close_wait hint names the port" \
		grep -q '^hint close_wait: 16 CLOSE_WAIT sockets on local port 7100;' $PROC
	check "ages=N: the hint says nothing of how long" \
		sh -c "! grep -q '^hint close_wait: .*has waited' $PROC"
	echo Y > $PARAMS/ages
	cp $PROC /tmp/cw.read
	echo N > $PARAMS/ages
	oldest=$(awk '$1 == "age" && $2 == "CLOSE_WAIT" { print int($4 / 1000) }' /tmp/cw.read)
	check "ages=Y: the hint says how long the oldest has waited (${oldest:-?} s, as the ages section)" \
		grep -q "^hint close_wait: 16 CLOSE_WAIT sockets on local port 7100; .*; the oldest CLOSE_WAIT has waited ${oldest:-?} s\$" /tmp/cw.read
	stop_sockets $SOCKETS_PID
}

hints_fin_wait2_in_child() {
	start_sockets /tmp/fw.out 4:orphan:99:7200 || return
	check "99 FIN_WAIT2: no fin_wait2 hint" sh -c "! grep -q '^hint fin_wait2' $PROC"
	first=$SOCKETS_PID
	start_sockets /tmp/fw2.out 6:orphan:1:7201 || return
	check "100 FIN_WAIT2: the fin_wait2 hint" grep -q '^hint fin_wait2: 100 FIN_WAIT2' $PROC
	stop_sockets $SOCKETS_PID
	stop_sockets $first
}

hints_time_wait_in_child() {
	echo 10 > /proc/sys/net/ipv4/tcp_max_tw_buckets
	start_sockets /tmp/tw.out 4:time_wait:7:7300 || return
	check "7 of 10 timewait buckets: no time_wait hint" sh -c "! grep -q '^hint time_wait' $PROC"
	stop_sockets $SOCKETS_PID
	start_sockets /tmp/tw.out 6:time_wait:1:7301 || return
	check "8 of 10 timewait buckets: the time_wait hint" \
		grep -q '^hint time_wait: 8 timewait sockets against tcp_max_tw_buckets 10' $PROC
	stop_sockets $SOCKETS_PID
}

test_hints() {
	in_netns hints_in_child
	in_netns hints_fin_wait2_in_child
	in_netns hints_time_wait_in_child

	in_netns hints_orphans_in_child
}

# tcp_max_orphans is host-wide and set from the initial netns: at 0, the
# kernel resets a closing socket, or an orphan at its next retransmit,
# once it sees any orphan (tcp_check_oom), and counts it in this netns's
# TCPAbortOnMemory. It sees the orphans as a count it refreshes every
# 100 ms, so one must outlive that: the lab's FIN_WAIT1 socket, orphaned
# by a SIGKILL (no reset on exit), whose peer went with the lab's tun
# device, retransmits its FIN for minutes.
orphan_in_fin_wait1() {
	awk 'FNR > 1 && $4 == "04" && $10 == 0 { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6
}

hints_orphans_in_child() {
	check "no orphan resets yet: no orphans hint" sh -c "! grep -q '^hint orphans' $PROC"
	expect_eq "tcp_abort_on_memory equals TcpExt TCPAbortOnMemory" \
		"$(setting tcp_abort_on_memory)" "$(nstat_value TcpExtTCPAbortOnMemory)"
	need_tun || { not_ok "tun for the lab's orphan"; return; }
	lab_start /tmp/or.lab FIN_WAIT1 --hold 600 --here ||
		{ not_ok "the lab holds FIN_WAIT1"; return; }
	kill -KILL $LAB_PID
	wait $LAB_PID 2> /dev/null
	check "a SIGKILLed lab leaves an orphan in FIN_WAIT1" wait_for 30 orphan_in_fin_wait1
	old=$(nsenter -t 1 -n cat /proc/sys/net/ipv4/tcp_max_orphans)
	nsenter -t 1 -n sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_max_orphans'
	# Close orphans until one is reset, at the latest the first after
	# the refresh (or the lab's, when it next retransmits).
	n=0
	while [ "$(nstat_value TcpExtTCPAbortOnMemory)" = 0 ] && [ $n -lt 50 ]; do
		start_sockets /tmp/or.out 4:fin_wait1:1:$((7400 + n)) && stop_sockets $SOCKETS_PID
		n=$((n + 1))
	done
	nsenter -t 1 -n sh -c "echo $old > /proc/sys/net/ipv4/tcp_max_orphans"
	resets=$(nstat_value TcpExtTCPAbortOnMemory)
	check "tcp_max_orphans=0: the kernel reset an orphan ($resets after $n closes)" [ "$resets" -gt 0 ]
	check "the orphans hint counts the kernel's resets" \
		grep -q "^hint orphans: $resets connections in this netns were reset on close" $PROC
	expect_eq "tcp_abort_on_memory equals TcpExt TCPAbortOnMemory after resets" \
		"$(setting tcp_abort_on_memory)" "$resets"
}
