# SPDX-License-Identifier: GPL-2.0
# Scale: 20k sockets built by the benchmark's population builder (a peer
# played on a tun device), counted exactly. Sanity only: no timing.

SCALE_N=20000

# In a netns of its own: the builder's sysctls (tcp_syncookies=0, longer
# SYN-ACK retries, bigger queues) and its sockets go away with it.
test_scale() {
	grep -q '^tun ' /proc/modules || insmod /lib/modules/tun.ko
	in_netns test_scale_body
}

test_scale_body() {
	out=/tmp/scale.out
	$H/population $SCALE_N < /dev/null > $out 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^ready' $out 2>/dev/null; do
		if ! kill -0 $pid 2>/dev/null || [ $i -ge 600 ]; then
			not_ok "scale: population of $SCALE_N ready"
			diag "$(cat $out)"
			kill $pid 2>/dev/null
			return
		fi
		sleep 0.5
		i=$((i + 1))
	done
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
