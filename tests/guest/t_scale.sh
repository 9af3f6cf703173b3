# SPDX-License-Identifier: GPL-2.0
# Scale: 20k sockets built by the benchmark's population builder (a peer
# played on a tun device), counted exactly. Sanity only: no timing.

SCALE_N=20000

# In a netns of its own: the builder's sysctls (tcp_syncookies=0, longer
# SYN-ACK retries, bigger queues) and its sockets go away with it.
test_scale() {
	check "scale: tun loaded and /dev/net/tun there" need_tun || return
	in_netns test_scale_body
}

test_scale_body() {
	out=/tmp/scale.out
	run_bg $out $H/population $SCALE_N
	pid=$BG_PID
	if ! wait_ready $out $pid 300; then
		not_ok "scale: population of $SCALE_N ready"
		grep -q /dev/net/tun $out && tun_diag
		return
	fi
	ok "scale: population of $SCALE_N ready"
	diag "$(grep '^built' $out)"
	compare_states "scale $SCALE_N" 0 0
	at_least "scale $SCALE_N" LISTEN 4 144
	at_least "scale $SCALE_N" LISTEN 6 144
	at_least "scale $SCALE_N" ESTABLISHED 4 7000
	at_least "scale $SCALE_N" ESTABLISHED 6 2000
	at_least "scale $SCALE_N" TIME_WAIT 4 4000
	at_least "scale $SCALE_N" TIME_WAIT 6 1000
	at_least "scale $SCALE_N" SYN_RECV 4 2500
	at_least "scale $SCALE_N" SYN_RECV 6 800
	total=$(echo "$M" | awk '{ t += $2 + $3 } END { print t }')
	check "scale $SCALE_N: /proc/tcpstates counts at least $SCALE_N sockets ($total)" \
		[ "$total" -ge $SCALE_N ]
	check "scale $SCALE_N: the walk was exact (no restart left it inexact)" \
		sh -c "! grep -q '^# tables.*inexact' $PROC"
	kill $pid
	wait $pid 2>/dev/null
	return 0
}
