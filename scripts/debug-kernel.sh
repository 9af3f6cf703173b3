# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debug kernels for the QEMU harness: Debian's linux-source-6.12 (the source
# of the 6.12 kernel the suite boots) built out of tree with allnoconfig
# plus tests/debug/guest.config (what the guest needs and the lockdep,
# debugobjects, kmemleak, lockup and fault-injection detectors) and one of
#
#   debug-kasan   tests/debug/kasan.config   generic KASAN
#   debug-kcsan   tests/debug/kcsan.config   KCSAN
#
# Sourced by scripts/kernels.sh, so these two names work wherever a kernel
# line does (scripts/guest debug-kasan knobs, KERNELS=debug-kcsan ...).
#
# Cache, under ${TCPSTATES_CACHE:-~/.cache/tcpstates}:
#   src/linux-source-<pkg version>/   the source, unpacked once
#   <release>/build/                  the O= build tree modules build against
#   <release>/boot/vmlinuz-<release>  what tests/qemu/run-guest boots
#   <release>/built                   written last: the build is complete
# The release, e.g. 6.12.117-tsdebug-kasan-0123abcd, names a hash of the
# source package version, both config fragments, the compiler and the
# linker, so a change to any of them builds a new kernel and a second run
# with none builds nothing. A build that was interrupted has no "built" and
# is resumed (make redoes only what is missing) rather than used. One
# build at a time, with every core: a lock in the cache serialises them.

ts_debug_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ts_debug_pkg=linux-source-6.12

# What the build needs besides gcc and make.
ts_debug_deps() {
	deb_ensure "$ts_debug_pkg" make gcc libc6-dev bc bison flex libelf-dev \
		libssl-dev xz-utils util-linux
}

# ts_debug_flavour LINE: kasan or kcsan, or an error for any other line.
ts_debug_flavour() {
	case $1 in
	debug-kasan | debug-kcsan) echo "${1#debug-}" ;;
	*) echo "unknown debug kernel: $1 (known: $(ts_lines debug))" >&2; return 1 ;;
	esac
}

# Is RELEASE one of ours (rather than a Debian kernel)?
ts_debug_release_p() {
	[[ $1 == *-tsdebug-* ]]
}

# ts_debug_release LINE: the release LINE builds to with today's source,
# fragments and toolchain.
ts_debug_release() {
	local flavour ver key
	flavour=$(ts_debug_flavour "$1") || return 1
	ver=$(dpkg-query -W -f='${Version}' "$ts_debug_pkg") || return 1
	key=$({
		echo "recipe 1"
		echo "$ts_debug_pkg $ver"
		cat "$ts_debug_top/tests/debug/guest.config" \
			"$ts_debug_top/tests/debug/$flavour.config"
		gcc --version | head -n 1
		ld --version | head -n 1
	} | sha256sum | cut -c 1-8)
	# The upstream version is the package's, less the Debian revision.
	echo "${ver%%-*}-tsdebug-$flavour-$key"
}

# The unpacked source tree, unpacked once per package version; prints it.
ts_debug_source() {
	local ver dir tarball
	ver=$(dpkg-query -W -f='${Version}' "$ts_debug_pkg") || return 1
	dir=$TCPSTATES_CACHE/src/$ts_debug_pkg-${ver//:/_}
	if [[ ! -e $dir/.unpacked ]]; then
		tarball=$(dpkg -L "$ts_debug_pkg" | grep -m1 '/linux-source-.*\.tar\.xz$')
		echo "# unpacking $tarball" >&2
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1 || return 1
		mv "$dir.tmp" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# ts_debug_build LINE RELEASE: build RELEASE into the cache. Called with the
# lock held.
ts_debug_build() {
	local line=$1 rel=$2 flavour dir src frags log start
	flavour=$(ts_debug_flavour "$line") || return 1
	dir=$TCPSTATES_CACHE/$rel
	src=$(ts_debug_source) || return 1
	mkdir -p "$dir/build" "$dir/boot"
	frags=$dir/config.fragments
	cat "$ts_debug_top/tests/debug/guest.config" \
		"$ts_debug_top/tests/debug/$flavour.config" > "$frags"
	log=$dir/build.log
	echo "# building $rel ($line) with $(nproc) jobs; log: $log" >&2
	start=$SECONDS
	{
		make -C "$src" O="$dir/build" LOCALVERSION="-${rel#*-}" \
			KCONFIG_ALLCONFIG="$frags" allnoconfig &&
			ts_debug_config_check "$frags" "$dir/build/.config" &&
			make -C "$src" O="$dir/build" LOCALVERSION="-${rel#*-}" \
				-j"$(nproc)" bzImage modules
	} > "$log" 2>&1 || {
		echo "# building $rel failed; the end of $log:" >&2
		tail -n 30 "$log" >&2
		return 1
	}
	if [[ $(cat "$dir/build/include/config/kernel.release") != "$rel" ]]; then
		echo "# $rel: the build says it is $(cat "$dir/build/include/config/kernel.release")" >&2
		return 1
	fi
	cp "$dir/build/arch/x86/boot/bzImage" "$dir/boot/vmlinuz-$rel"
	echo "$((SECONDS - start)) s on $(nproc) cores, $(date -u +%FT%TZ)" > "$dir/built"
	echo "# built $rel in $((SECONDS - start)) s" >&2
}

# ts_debug_config_check FRAGMENTS CONFIG: every CONFIG_ line of the
# fragments made it into .config as asked (allnoconfig silently drops a
# symbol whose dependencies are not met).
ts_debug_config_check() {
	local k v got bad=0
	while IFS='=' read -r k v; do
		got=$(grep -E "^$k=|^# $k is not set" "$2" || true)
		if [[ $got != "$k=$v" && ! ($v == n && $got == "# $k is not set") ]]; then
			echo "config fragment asks $k=$v, .config has '${got:-nothing}'"
			bad=1
		fi
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$1")
	return $bad
}

# ts_debug_kernel LINE: the debug kernel LINE built (once) into the cache;
# prints its release.
ts_debug_kernel() {
	local rel
	ts_debug_deps || return 1
	rel=$(ts_debug_release "$1") || return 1
	if [[ ! -e $TCPSTATES_CACHE/$rel/built ]]; then
		mkdir -p "$TCPSTATES_CACHE"
		(
			flock 9 || exit 1
			# Another run may have built it while we waited.
			[[ -e $TCPSTATES_CACHE/$rel/built ]] || ts_debug_build "$1" "$rel"
		) 9> "$TCPSTATES_CACHE/debug-kernel.lock" || return 1
	fi
	echo "$rel"
}
