# SPDX-License-Identifier: GPL-2.0
# Knob fuzzing: thousands of generated values for every knob, each refused
# with the value unchanged or accepted and read back in a canonical form
# that denotes the same set (tests/helpers/knobfuzz.c). On the kernel
# command line, tcpstates.seed=N repeats a run and tcpstates.fuzz=N sets
# the inputs per knob (default 2000, 1000 on the debug kernels, where
# that takes about a minute).

test_fuzz() {
	seed=$(cmdline_arg tcpstates.seed)
	[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -dc 0-9)
	per_knob=$(cmdline_arg tcpstates.fuzz)
	rc=0
	t=$(date +%s)
	$H/knobfuzz -s "$seed" -n "${per_knob:-$(sized 2000 1000)}" > /tmp/fuzz.tap 2>&1 || rc=$?
	replay_tap /tmp/fuzz.tap
	diag "knobfuzz took $(($(date +%s) - t)) s"
	check "knobfuzz ran to its end (seed $seed; tcpstates.seed=$seed repeats it)" \
		sh -c "[ $rc -le 1 ] && grep -q '^# knobfuzz: [0-9]* checks, ' /tmp/fuzz.tap"
	echo 1 > $PARAMS/reset
}
