# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# TAP output, the one set for every test: the guest suite and the soak
# (busybox sh, from /suite/tap.sh), the host tests and the gates (bash,
# set -eu). Sourced, not run. Counts in TAP_N and TAP_FAILED.

TAP_N=0
TAP_FAILED=0

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# skip DESC REASON
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# diag [TEXT...]: TEXT, or without it stdin, as TAP comment lines.
diag() {
	if [ $# -gt 0 ]; then echo "$*"; else cat; fi | sed 's/^/# /'
}

# check DESC COMMAND...: one TAP line for the command's exit status, which
# check returns too. The command's output goes through.
check() {
	tap_desc=$1
	shift
	if "$@"; then ok "$tap_desc"; else not_ok "$tap_desc"; return 1; fi
}

# check_quiet DESC COMMAND...: one TAP line for the command's exit status;
# its output is kept in TAP_OUT (default /tmp/tap-out.PID), and its last 40
# lines shown only if it failed. Returns 0 either way, so that a set -e
# script goes on to its next test.
check_quiet() {
	tap_desc=$1
	shift
	: "${TAP_OUT:=/tmp/tap-out.$$}"
	if "$@" > "$TAP_OUT" 2>&1; then
		ok "$tap_desc"
	else
		not_ok "$tap_desc"
		tail -n 40 "$TAP_OUT" | diag
	fi
}

# tap_end NAME: the plan, "NAME: N passed, N failed", and a non-zero status
# if any test failed.
tap_end() {
	echo "1..$TAP_N"
	echo "$1: $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ]
}
