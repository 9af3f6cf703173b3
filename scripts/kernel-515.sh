# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The 5.15 line (Ubuntu 22.04's): an upstream 5.15.135 kernel built
# elsewhere, with tun and inet_diag built in, and its build tree (see the
# README beside them). Sourced by scripts/kernels.sh, so "5.15" works
# wherever a kernel line does (scripts/guest 5.15 knobs, KERNELS=5.15 ...).
#
# Where it is: $TCPSTATES_KERNEL_515 if set, else ../shared/kernels/5.15
# beside the work tree, else /work/shared/kernels/5.15. Checked against its
# SHA256SUMS, then copied once into the cache:
#   <release>/boot/vmlinuz-<release>   what tests/qemu/run-guest boots
#   <release>/build/linux-<release>/   the tree modules build against
#   <release>/built                    written last

ts_515_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ts_515_release=5.15.135

# The directory the 5.15 kernel comes from, or an error naming where it
# was looked for.
ts_515_dir() {
	local d
	for d in ${TCPSTATES_KERNEL_515:-"$ts_515_top/../shared/kernels/5.15" /work/shared/kernels/5.15}; do
		if [[ -f $d/bzImage-$ts_515_release && -f $d/build-$ts_515_release.tar.xz ]]; then
			(cd "$d" && pwd)
			return 0
		fi
	done
	echo "no 5.15 kernel in ${TCPSTATES_KERNEL_515:-../shared/kernels/5.15 or /work/shared/kernels/5.15}" >&2
	return 1
}

# Is RELEASE the 5.15 kernel?
ts_515_release_p() {
	[[ $1 == "$ts_515_release" ]]
}

# The 5.15 kernel and its build tree in the cache; prints its release.
ts_515_kernel() {
	local src dir=$TCPSTATES_CACHE/$ts_515_release
	src=$(ts_515_dir) || return 1
	if [[ ! -e $dir/built ]]; then
		(cd "$src" && sha256sum --quiet -c SHA256SUMS) >&2 || return 1
		rm -rf "$dir"
		mkdir -p "$dir/boot" "$dir/build"
		cp "$src/bzImage-$ts_515_release" "$dir/boot/vmlinuz-$ts_515_release"
		tar -xJf "$src/build-$ts_515_release.tar.xz" -C "$dir/build" || return 1
		touch "$dir/built"
	fi
	echo "$ts_515_release"
}

# The tree a module for the 5.15 kernel builds against.
ts_515_kdir() {
	echo "$TCPSTATES_CACHE/$ts_515_release/build/linux-$ts_515_release"
}
