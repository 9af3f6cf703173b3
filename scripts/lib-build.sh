# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by scripts/check, demo, bench, guest and gates: the one way to
# build tcpstates.ko out of tree and the guest's static helpers.

# ts_build_module KDIR OUTDIR [MAKE ARGS...]: a fresh copy of the sources in
# OUTDIR, built against KDIR; the log is OUTDIR/build.log.
ts_build_module() {
	local kdir=$1 out=$2 top
	shift 2
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	rm -rf "$out"
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	cp -a "$top/Kbuild" "$top/module" "$out/"
	make -C "$kdir" M="$out" "$@" modules > "$out/build.log" 2>&1
}

# ts_build_helpers [CFLAGS...]: the guest's PID 1, test helpers and the lab,
# static, in build/helpers.
ts_build_helpers() {
	local top src
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	mkdir -p "$top/build/helpers"
	for src in "$top"/tests/qemu/init.c "$top"/tests/helpers/*.c "$top"/scripts/tcpstates-lab.c; do
		[[ -f $src ]] || continue
		gcc -static -O2 -Wall -Wextra "$@" -o "$top/build/helpers/$(basename "$src" .c)" "$src" || return 1
	done
}

# ts_copy_with_libs ROOT BINARY: a binary and every shared library it needs,
# at the same paths under ROOT.
ts_copy_with_libs() {
	local root=$1 bin=$2 lib
	install -D -m 0755 "$bin" "$root$bin"
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}
