# SPDX-License-Identifier: GPL-2.0
# The guest test suite, run by the harness's PID 1 under busybox sh.
# Prints TAP; exits non-zero if any test failed.

. /suite/lib.sh
for t in /suite/t_*.sh; do
	. "$t"
done

echo "TAP version 13"
ip link set lo up
# inet_diag: the CLOSED oracle (bound-inactive dump) where the kernel has one.
for m in inet_diag tcp_diag; do insmod /lib/modules/$m.ko; done

test_load
test_population
test_netns
test_timers
test_listing
test_hints
test_knobs
test_unload
test_lab
test_scale
test_dmesg

echo "1..$TAP_N"
echo "# $TAP_N tests, $TAP_FAILED failed"
[ "$TAP_FAILED" -eq 0 ]
