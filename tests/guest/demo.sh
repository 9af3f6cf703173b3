# SPDX-License-Identifier: GPL-2.0
# make demo, in the guest: load the module, have the state lab hold two
# sockets in every state (plus a few loopback ones), show /proc/tcpstates.

. /suite/lib.sh
ip link set lo up
warm_once_keys
hold_transition_tracepoints
insmod $KO || exit 1
need_tun || exit 1
run_bg /tmp/lab.out $H/tcpstates-lab all -n 2 --here
wait_ready /tmp/lab.out $BG_PID || exit 1
start_sockets /tmp/demo.out 4:listen:2:8001 6:listen:1:8001 \
	4:established:3:8010 6:established:2:8011 6:time_wait:3:8040 || exit 1
echo "=== tcpstates-lab all -n 2 --here holds 2 sockets in every state; loopback adds a few"
echo "=== cat /proc/tcpstates"
cat $PROC
echo "=== end"
