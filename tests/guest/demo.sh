# SPDX-License-Identifier: GPL-2.0
# make demo, in the guest: load the module, have the state lab hold two
# sockets in every state (plus a few loopback ones), show /proc/tcpstates.

. /suite/lib.sh
ip link set lo up
insmod $KO
insmod /lib/modules/tun.ko
$H/tcpstates-lab all -n 2 --here > /tmp/lab.out 2>&1 &
i=0
while ! grep -q '^ready' /tmp/lab.out; do
	if ! kill -0 $! 2> /dev/null || [ $i -ge 600 ]; then
		cat /tmp/lab.out
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
start_sockets /tmp/demo.out 4:listen:2:8001 6:listen:1:8001 \
	4:established:3:8010 6:established:2:8011 6:time_wait:3:8040 > /dev/null
echo "=== tcpstates-lab all -n 2 --here holds 2 sockets in every state; loopback adds a few"
echo "=== cat /proc/tcpstates"
cat $PROC
echo "=== end"
