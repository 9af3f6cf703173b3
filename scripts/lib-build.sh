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

# ts_not_allowed: the findings on stdin, one a line, less those a line of
# scripts/gates.allow matches (an extended regex a line; comments and blank
# lines dropped, as a blank pattern would match everything).
ts_not_allowed() {
	local top patterns
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	patterns=$(grep -v -E '^[[:space:]]*(#|$)' "$top/scripts/gates.allow" 2>/dev/null || true)
	if [[ -n $patterns ]]; then
		grep -v -E -f <(printf '%s\n' "$patterns") || true
	else
		cat
	fi
}

# ts_build_findings OUTDIR: the warnings and errors in the log of
# ts_build_module OUTDIR, paths relative to the copy, less those allowed.
# gcc and sparse print "warning:"/"error:", modpost "WARNING:"/"ERROR:".
ts_build_findings() {
	local out
	out=$(cd "$1" && pwd)
	grep -iE '(^|[^[:alnum:]_])(warning|error):' "$out/build.log" |
		sed "s|$out/||g" | ts_not_allowed
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

# ts_initramfs ABI KO GZ: the guest's initramfs, in GZ (its tree beside
# it, in GZ without .gz): busybox, the PID-1 init, the guest suite and its
# helpers, the module KO, ss, and the modules the guest may load from
# Debian's image of ABI; then EXTRA_INITRAMFS (a directory) over it.
ts_initramfs() {
	local abi=$1 ko=$2 gz=$3 top root image applet h m f
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	root=${gz%.gz}
	image=${TCPSTATES_CACHE:?}/$abi
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,suite/bin,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
	done
	cp "$top/build/helpers/init" "$root/init"
	for h in "$top"/build/helpers/*; do
		[ "$(basename "$h")" = init ] || cp "$h" "$root/suite/bin/"
	done
	cp "$top"/tests/guest/*.sh "$top"/tests/tap.sh "$root/suite/"
	cp -r "$top/tests/guest/bad" "$root/suite/bad"
	# KCSAN reports t_dmesg.sh lets through, each with its reason.
	cp "$top/tests/debug/kcsan-allow.txt" "$root/suite/kcsan-allow.txt"
	cp "$ko" "$root/suite/tcpstates.ko"
	# ss: the listeners' oracle (inet_diag's Recv-Q and Send-Q).
	ts_copy_with_libs "$root" /usr/bin/ss
	sed -n 's/^#define TCPSTATES_VERSION "\(.*\)"/\1/p' "$top/module/version.h" > "$root/suite/VERSION"
	# Modules the guest may need from Debian's image, uncompressed for
	# busybox. The debug kernels (scripts/debug-kernel.sh) build them in
	# and have no lib/modules: the guest's load_module knows built-ins.
	for m in tun veth inet_diag tcp_diag; do
		[ -d "$image/lib/modules/$abi" ] || break
		f=$(find "$image/lib/modules/$abi" -name "$m.ko*" | head -n 1)
		case $f in
		*.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
		*.ko) cp "$f" "$root/lib/modules/$m.ko" ;;
		esac
	done
	if [ -n "${EXTRA_INITRAMFS:-}" ]; then
		cp -a "$EXTRA_INITRAMFS/." "$root/"
	fi
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$gz"
}
