# SPDX-License-Identifier: GPL-2.0
# Scale: 20k sockets (5k on the debug kernels) built by the benchmark's
# population builder (a peer played on a tun device), counted exactly.
# Sanity only: no timing.

SCALE_N=$(sized 20000 5000)

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
	# The builder's shares (tests/helpers/population.c), with a margin.
	at_least "scale $SCALE_N" ESTABLISHED 4 $((SCALE_N * 35 / 100))
	at_least "scale $SCALE_N" ESTABLISHED 6 $((SCALE_N * 10 / 100))
	at_least "scale $SCALE_N" TIME_WAIT 4 $((SCALE_N * 20 / 100))
	at_least "scale $SCALE_N" TIME_WAIT 6 $((SCALE_N * 5 / 100))
	at_least "scale $SCALE_N" SYN_RECV 4 $((SCALE_N * 125 / 1000))
	at_least "scale $SCALE_N" SYN_RECV 6 $((SCALE_N * 4 / 100))
	total=$(echo "$M" | awk '{ t += $2 + $3 } END { print t }')
	check "scale $SCALE_N: /proc/tcpstates counts at least $SCALE_N sockets ($total)" \
		[ "$total" -ge $SCALE_N ]
	check "scale $SCALE_N: the walk was exact (no restart left it inexact)" \
		sh -c "! grep -q '^# tables.*inexact' $PROC"
	churn_keeps_the_matrix "scale $SCALE_N: churn with 2 readers" 3
	kill $pid
	wait $pid 2>/dev/null
	return 0
}
