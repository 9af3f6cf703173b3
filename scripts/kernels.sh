#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Kernels for the QEMU harness: Debian 12's kernel lines, resolved from
# their meta packages (point releases move), with their headers installed
# and their linux-image packages unpacked into a cache outside the work
# tree, so a second run downloads nothing.
#
# Sourced by every script that boots or builds for a kernel. Run directly,
# it prints "LINE RELEASE VMLINUZ" per kernel line of KERNELS (default:
# debian).
#
# KERNELS is a list of kernel lines and groups of them, here and in every
# script; each script documents its own default:
#   6.1 6.12               Debian 12's generic kernel lines
#   6.1-rt 6.1-cloud 6.12-rt 6.12-cloud   their PREEMPT_RT and cloud flavours
#   debug-kasan debug-kcsan    built from linux-source-6.12
#                              (scripts/debug-kernel.sh)
#   5.15                       an upstream 5.15.135 built elsewhere
#                              (scripts/kernel-515.sh)
#   groups: debian (6.1 6.12), flavours (the four above), debug (both debug
#   kernels), all (every line); e.g. KERNELS="debian 6.12-rt"

# shellcheck source=scripts/lib-debian.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-debian.sh"
# shellcheck source=scripts/debug-kernel.sh
. "$(dirname "${BASH_SOURCE[0]}")/debug-kernel.sh"
# shellcheck source=scripts/kernel-515.sh
. "$(dirname "${BASH_SOURCE[0]}")/kernel-515.sh"

# The one list of kernel lines.
TS_DEBIAN_LINES="6.1 6.12"
TS_FLAVOUR_LINES="6.1-rt 6.1-cloud 6.12-rt 6.12-cloud"
TS_DEBUG_LINES="debug-kasan debug-kcsan"
TS_OLDER_LINES="5.15"

# ts_lines SPEC: the kernel lines SPEC names, groups expanded, each once,
# in SPEC's order; an unknown word is an error.
ts_lines() {
	local word line out=" "
	for word in $1; do
		case $word in
		debian) word=$TS_DEBIAN_LINES ;;
		flavours) word=$TS_FLAVOUR_LINES ;;
		debug) word=$TS_DEBUG_LINES ;;
		all) word="$TS_DEBIAN_LINES $TS_FLAVOUR_LINES $TS_DEBUG_LINES $TS_OLDER_LINES" ;;
		*)
			case " $TS_DEBIAN_LINES $TS_FLAVOUR_LINES $TS_DEBUG_LINES $TS_OLDER_LINES " in
			*" $word "*) ;;
			*)
				echo "unknown kernel line: $word (known: debian flavours debug all" \
					"$TS_DEBIAN_LINES $TS_FLAVOUR_LINES $TS_DEBUG_LINES $TS_OLDER_LINES)" >&2
				return 1
				;;
			esac
			;;
		esac
		for line in $word; do
			[[ $out == *" $line "* ]] || out="$out$line "
		done
	done
	out=${out# }
	echo "${out% }"
}

# The headers meta package that follows a kernel line.
ts_meta() {
	local arch
	arch=$(dpkg --print-architecture)
	case $1 in
	6.1) echo "linux-headers-$arch" ;;
	6.1-rt | 6.1-cloud) echo "linux-headers-${1#6.1-}-$arch" ;;
	6.12 | 6.12-rt | 6.12-cloud) echo "linux-headers-$1-$arch" ;;
	*) echo "not a Debian kernel line: $1 (known: $TS_DEBIAN_LINES $TS_FLAVOUR_LINES)" >&2; return 1 ;;
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

# ts_headers LINE: a Debian line's headers installed; prints its release.
ts_headers() {
	local meta
	meta=$(ts_meta "$1") || return 1
	deb_meta_release "$meta"
}

# ts_debian_releases SPEC: the releases of SPEC's Debian lines, headers
# installed, one a line; debug lines are left out.
ts_debian_releases() {
	local lines line
	lines=$(ts_lines "$1") || return 1
	for line in $lines; do
		case $line in
		debug-* | 5.15) ;;
		*) ts_headers "$line" || return 1 ;;
		esac
	done
}

# Headers installed and image unpacked for a kernel line; prints its release.
ts_prepare_kernel() {
	local rel
	case $1 in
	debug-*) ts_debug_kernel "$1"; return ;;
	5.15) ts_515_kernel; return ;;
	esac
	rel=$(ts_headers "$1") || return 1
	ts_image "$rel" > /dev/null || return 1
	echo "$rel"
}

# The build tree a module for RELEASE is built against.
ts_kdir() {
	if ts_debug_release_p "$1"; then
		echo "$TCPSTATES_CACHE/$1/build"
	elif ts_515_release_p "$1"; then
		ts_515_kdir
	else
		echo "/lib/modules/$1/build"
	fi
}

# What the harness runs on the host.
ts_host_deps() {
	deb_ensure qemu-system-x86 busybox-static cpio xz-utils gzip libc6-dev \
		kmod sparse make gcc iproute2
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	ts_host_deps
	lines=$(ts_lines "${KERNELS:-debian}")
	for line in $lines; do
		rel=$(ts_prepare_kernel "$line")
		echo "$line $rel $TCPSTATES_CACHE/$rel/boot/vmlinuz-$rel"
	done
fi
