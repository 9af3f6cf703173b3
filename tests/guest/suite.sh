# SPDX-License-Identifier: GPL-2.0
# The guest test suite, run by the harness's PID 1 under busybox sh.
# Prints TAP; exits non-zero if any test failed. Each file t_NAME.sh holds
# test_NAME. To run some tests only, name them as arguments or on the kernel
# command line (tcpstates.tests=a,b, which scripts/guest sets), as NAME,
# t_NAME or t_NAME.sh: /suite/suite.sh t_knobs. load always comes first,
# kmemleak and dmesg last.

. /suite/lib.sh
for t in /suite/t_*.sh; do
	. "$t"
done

ALL_TESTS="population netns timers listing cursor records hints listeners counters ages owners destinations review knobs transitions fuzz faults unload lab scale"

echo "TAP version 13"
ip link set lo up
warm_once_keys
hold_transition_tracepoints
# inet_diag: the CLOSED oracle (bound-inactive dump) where the kernel has one.
for m in inet_diag tcp_diag; do load_module $m; done

# KCSAN runs the tests where the module reads while sockets, knobs or the
# module itself change under it. The rest add error paths (faults), user
# space (lab), or volume (records' netns, fuzz, scale), not races:
# KASAN, which runs every test, covers them. Named tests run anyway.
KCSAN_SKIPS="records fuzz faults lab scale"

# kcsan_skips T: true if the default run leaves test T out on this kernel.
kcsan_skips() {
	# A file in debugfs, there only under KCSAN.
	[ -e /sys/kernel/debug/kcsan ] || return 1
	case " $KCSAN_SKIPS " in *" $1 "*) return 0 ;; esac
	return 1
}

tests="$* $(tr ' ' '\n' < /proc/cmdline | sed -n 's/^tcpstates\.tests=//p' | tr ',' ' ')"
tests=$(for t in $tests; do t=${t##*/}; t=${t#t_}; echo "${t%.sh}"; done)
for t in $tests; do
	type "test_$t" > /dev/null 2>&1 || { echo "Bail out! no test $t (known: $ALL_TESTS)"; exit 1; }
done
leaks_clear
test_load
no_helper_left test_load
for t in ${tests:-$ALL_TESTS}; do
	case " load kmemleak dmesg " in
	*" $t "*) continue ;;
	esac
	if [ -z "$tests" ] && kcsan_skips "$t"; then
		skip "test_$t" "under KCSAN: error paths, user space and volume run under KASAN"
		continue
	fi
	# Tests use short names of their own: keep these apart.
	suite_test=$t
	suite_t0=$(now_s)
	"test_$t"
	no_helper_left "test_$suite_test"
	echo "# test_$suite_test took $(($(now_s) - suite_t0)) s"
done
test_kmemleak
test_dmesg

echo "1..$TAP_N"
echo "# $TAP_N tests, $TAP_FAILED failed"
[ "$TAP_FAILED" -eq 0 ]
