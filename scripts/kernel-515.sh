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
# SHA256SUMS, then copied once into the cache, under a lock (make check
# prepares it in the background while the gates may too):
#   <release>/boot/vmlinuz-<release>   what tests/qemu/run-guest boots
#   <release>/build/linux-<release>/   the tree modules build against
#   <release>/built                    written last

ts_515_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ts_515_release=5.15.135

# The directory the 5.15 kernel comes from, or an error naming where it
# was looked for.
ts_515_dir() {
	local d dirs
	if [[ -n ${TCPSTATES_KERNEL_515:-} ]]; then
		dirs=("$TCPSTATES_KERNEL_515")
	else
		dirs=("$ts_515_top/../shared/kernels/5.15" /work/shared/kernels/5.15)
	fi
	for d in "${dirs[@]}"; do
		if [[ -f $d/bzImage-$ts_515_release && -f $d/build-$ts_515_release.tar.xz ]]; then
			(cd "$d" && pwd)
			return 0
		fi
	done
	echo "no 5.15 kernel in ${dirs[*]}" >&2
	return 1
}

# Is RELEASE the 5.15 kernel?
ts_515_release_p() {
	[[ $1 == "$ts_515_release" ]]
}

# ts_515_unpack SRC DIR: SRC's kernel and tree, checked, into DIR, which
# appears whole or not at all.
ts_515_unpack() {
	local src=$1 dir=$2 tmp
	(cd "$src" && sha256sum --quiet -c SHA256SUMS) >&2 || return 1
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp/boot" "$tmp/build" &&
		cp "$src/bzImage-$ts_515_release" "$tmp/boot/vmlinuz-$ts_515_release" &&
		tar -xJf "$src/build-$ts_515_release.tar.xz" -C "$tmp/build" &&
		touch "$tmp/built" &&
		mv "$tmp" "$dir"
}

# The 5.15 kernel and its build tree in the cache; prints its release.
ts_515_kernel() {
	local src dir=$TCPSTATES_CACHE/$ts_515_release
	src=$(ts_515_dir) || return 1
	if [[ ! -e $dir/built ]]; then
		mkdir -p "$TCPSTATES_CACHE"
		(
			flock 9 || exit 1
			# Another caller may have unpacked it while we waited.
			[[ -e $dir/built ]] || ts_515_unpack "$src" "$dir"
		) 9> "$TCPSTATES_CACHE/kernel-515.lock" || return 1
	fi
	echo "$ts_515_release"
}

# The tree a module for the 5.15 kernel builds against.
ts_515_kdir() {
	echo "$TCPSTATES_CACHE/$ts_515_release/build/linux-$ts_515_release"
}
