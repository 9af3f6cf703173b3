#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, as a newcomer runs it: it prints /proc/tcpstates with the
# lab's two sockets in every state, and the transitions that made them.
# Prints TAP; exits non-zero if any test failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TAP_OUT=$work/out
out=$work/demo.out

rc=0
"$root/scripts/demo" > "$out" 2>&1 || rc=$?
check "make demo exits 0" [ "$rc" = 0 ]
check_quiet "it starts with what the lab holds" \
	grep -q '^=== tcpstates-lab all -n 2 --here holds 2 sockets in every state' "$out"
for state in CLOSED LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 \
	     CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT; do
	check_quiet "$state: at least the lab's 2 sockets" \
		awk -v s="$state" '$1 == s && $2 >= 2 { found = 1 } END { exit !found }' "$out"
done
check_quiet "the transitions that made them" grep -q '^transition SYN_SENT ESTABLISHED ' "$out"
diag < "$out"

tap_end demo
