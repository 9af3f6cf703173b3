#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernels for the test harness: Debian 12's kernel lines, resolved from
# their meta packages (point releases move), with their headers installed
# and their images unpacked into a cache outside the work tree.
#
# Sourced by scripts/check and scripts/demo. Run directly, it prints one
# line per kernel: LINE ABI VMLINUZ MODULES_DIR.

TCPSTATES_CACHE=${TCPSTATES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcpstates}
# Shared with subshells, so apt-get update runs at most once per run.
TS_APT_STAMP=${TS_APT_STAMP:-$(mktemp)}
export TCPSTATES_CACHE TS_APT_STAMP

# Debian 12's kernel lines, by the meta package that follows each.
ts_meta() {
	case $1 in
	6.1) echo amd64 ;;
	6.12) echo 6.12-amd64 ;;
	*) echo "unknown kernel line: $1 (known: 6.1 6.12)" >&2; return 1 ;;
	esac
}

ts_apt_update() {
	[ -s "$TS_APT_STAMP" ] && return 0
	echo "== apt-get update" >&2
	apt-get update -qq >&2
	echo done > "$TS_APT_STAMP"
}

ts_installed() {
	dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -c '^install ok installed$' |
		grep -qx "$#"
}

# Install Debian packages unless all of them are there already.
ts_apt_install() {
	ts_installed "$@" && return 0
	ts_apt_update
	echo "== apt-get install $*" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# ABI version of a kernel line, e.g. 6.12 -> 6.12.117+deb12-amd64.
ts_abi() {
	local meta abi
	meta=linux-image-$(ts_meta "$1") || return 1
	abi=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { sub("linux-image-", "", $2); print $2; exit }')
	if [ -z "$abi" ]; then
		ts_apt_update
		abi=$(apt-cache depends "$meta" | awk '/Depends: linux-image-/ { sub("linux-image-", "", $2); print $2; exit }')
	fi
	[ -n "$abi" ] || { echo "cannot resolve $meta" >&2; return 1; }
	echo "$abi"
}

# The unpacked image of ABI in the cache; downloaded once.
ts_image() {
	local abi=$1 dir=$TCPSTATES_CACHE/$1
	if [ ! -f "$dir/boot/vmlinuz-$abi" ]; then
		mkdir -p "$TCPSTATES_CACHE/debs"
		if ! ls "$TCPSTATES_CACHE"/debs/linux-image-"${abi}"_*.deb > /dev/null 2>&1; then
			ts_apt_update
			echo "== fetching linux-image-$abi" >&2
			(cd "$TCPSTATES_CACHE/debs" && apt-get download -qq "linux-image-$abi" >&2)
		fi
		rm -rf "$dir.tmp"
		dpkg-deb -x "$TCPSTATES_CACHE"/debs/linux-image-"${abi}"_*.deb "$dir.tmp"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# Everything a kernel line needs on the host: headers and its image.
ts_prepare_kernel() {
	local abi
	abi=$(ts_abi "$1") || return 1
	ts_apt_install "linux-headers-$abi" || return 1
	ts_image "$abi" > /dev/null || return 1
	echo "$abi"
}

ts_host_deps() {
	ts_apt_install qemu-system-x86 busybox-static cpio xz-utils gzip libc6-dev \
		kmod sparse
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	ts_host_deps
	for line in ${KERNELS:-6.1 6.12}; do
		abi=$(ts_prepare_kernel "$line")
		dir=$TCPSTATES_CACHE/$abi
		echo "$line $abi $dir/boot/vmlinuz-$abi $dir/lib/modules/$abi"
	done
fi
