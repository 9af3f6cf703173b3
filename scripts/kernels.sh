#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Kernels for the QEMU harness: Debian 12's kernel lines, resolved from
# their meta packages (point releases move), with their headers installed
# and their linux-image packages unpacked into a cache outside the work
# tree, so a second run downloads nothing.
#
# Sourced by scripts/check, scripts/demo and scripts/bench. Run directly,
# it prints "LINE RELEASE VMLINUZ" per kernel of KERNELS.
#
#   KERNELS=default      6.1 6.12 (the two generic lines)
#   KERNELS=all          also 6.1-rt 6.1-cloud 6.12-rt 6.12-cloud
#   KERNELS=debug        debug-kasan debug-kcsan, built from linux-source-6.12
#                        (scripts/debug-kernel.sh)
#   KERNELS="6.12 6.12-rt"   any list of those names

# shellcheck source=scripts/lib-debian.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-debian.sh"
# shellcheck source=scripts/debug-kernel.sh
. "$(dirname "${BASH_SOURCE[0]}")/debug-kernel.sh"

# The kernel lines a KERNELS value names.
ts_lines() {
	case ${1:-default} in
	default) echo "6.1 6.12" ;;
	all) echo "6.1 6.12 6.12-rt 6.1-rt 6.1-cloud 6.12-cloud" ;;
	debug) echo "debug-kasan debug-kcsan" ;;
	*) echo "$1" ;;
	esac
}

# The headers meta package that follows a kernel line.
ts_meta() {
	local arch
	arch=$(dpkg --print-architecture)
	case $1 in
	6.1) echo "linux-headers-$arch" ;;
	6.1-rt | 6.1-cloud) echo "linux-headers-${1#6.1-}-$arch" ;;
	6.12 | 6.12-rt | 6.12-cloud) echo "linux-headers-$1-$arch" ;;
	*) echo "unknown kernel line: $1 (known: $(ts_lines all) $(ts_lines debug))" >&2; return 1 ;;
	esac
}

# The unpacked linux-image of RELEASE in the cache; downloaded once.
ts_image() {
	local rel=$1 dir=$TCPSTATES_CACHE/$1 deb
	if [[ ! -f $dir/boot/vmlinuz-$rel ]]; then
		mkdir -p "$TCPSTATES_CACHE/debs"
		deb=$(ls "$TCPSTATES_CACHE"/debs/linux-image-"${rel}"_*.deb 2>/dev/null | head -n 1)
		if [[ -z $deb ]]; then
			echo "# fetching linux-image-$rel" >&2
			(cd "$TCPSTATES_CACHE/debs" && apt-get download -qq "linux-image-$rel") >&2 ||
				{ deb_update; (cd "$TCPSTATES_CACHE/debs" && apt-get download -qq "linux-image-$rel") >&2; }
			deb=$(ls "$TCPSTATES_CACHE"/debs/linux-image-"${rel}"_*.deb | head -n 1)
		fi
		rm -rf "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# Headers installed and image unpacked for a kernel line; prints its release.
ts_prepare_kernel() {
	local rel meta
	case $1 in
	debug-*) ts_debug_kernel "$1"; return ;;
	esac
	meta=$(ts_meta "$1") || return 1
	rel=$(deb_meta_release "$meta") || return 1
	ts_image "$rel" > /dev/null || return 1
	echo "$rel"
}

# The build tree a module for RELEASE is built against.
ts_kdir() {
	if ts_debug_release_p "$1"; then
		echo "$TCPSTATES_CACHE/$1/build"
	else
		echo "/lib/modules/$1/build"
	fi
}

# What the harness runs on the host.
ts_host_deps() {
	deb_ensure qemu-system-x86 busybox-static cpio xz-utils gzip libc6-dev \
		kmod sparse make gcc
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	ts_host_deps
	for line in $(ts_lines "${KERNELS:-default}"); do
		rel=$(ts_prepare_kernel "$line")
		echo "$line $rel $TCPSTATES_CACHE/$rel/boot/vmlinuz-$rel"
	done
fi
