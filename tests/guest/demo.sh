# SPDX-License-Identifier: GPL-2.0
# make demo, in the guest: load the module, hold sockets in several states,
# show /proc/tcpstates.

. /suite/lib.sh
ip link set lo up
insmod $KO
if [ -x $H/tcpstates-lab ]; then
	$H/tcpstates-lab all -n 2 --here > /tmp/lab.out 2>&1 &
	i=0
	while ! grep -q '^ready' /tmp/lab.out && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
fi
start_sockets /tmp/demo.out 4:listen:2:8001 6:listen:1:8001 4:bound:1:8100 \
	4:established:3:8010 6:established:2:8011 4:fin_wait2:2:8020 \
	4:orphan:2:8030 6:time_wait:3:8040 4:syn_sent:1:8050 > /dev/null
echo "=== cat /proc/tcpstates"
cat $PROC
echo "=== end"
