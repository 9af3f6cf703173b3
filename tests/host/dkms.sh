#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the DKMS packaging with Debian's own dkms (3.0.10 on 12):
# `make dkms-install` for both kernel lines (add, build, install), `dkms
# status` says installed, `make dkms-remove` takes it all away, and a last
# `make dkms-install` leaves the DKMS-built modules in place for the QEMU
# harness to load in a guest. Idempotent: a re-run replaces the previous
# install. Needs root (dkms writes /usr/src, /var/lib/dkms, /lib/modules);
# loads nothing into the host kernel. Prints TAP.
#
#   tests/host/dkms.sh               6.1 and 6.12 generic
#   KERNELS="debian flavours" tests/host/dkms.sh   also -rt and -cloud
#   (KERNELS as in scripts/kernels.sh; debug lines are left out)
#
# Where the modules are: build/dkms/modules.txt, one "<release> <path>" line
# per kernel, e.g. "6.12.117+deb12-amd64 /lib/modules/6.12.117+deb12-amd64/
# updates/dkms/tcpstates.ko.xz". dkms compresses like the kernel's own
# modules (it reads /lib/modules/<release>/modules.dep): .ko.xz once that
# kernel's linux-image is installed, .ko with only its headers.
#
# bash -c snippets below get their values as "$1"...: single quotes on purpose.
# shellcheck disable=SC2016
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$root/scripts/kernels.sh"

out=$root/build/dkms
# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"
TAP_OUT=$out/check.out

mkdir -p "$out"
rm -f "$out/modules.txt"
echo "TAP version 13"

if [[ $(id -u) -ne 0 ]]; then
	echo "1..0 # SKIP dkms needs root"
	exit 0
fi

# No recommends: we pick the headers ourselves. openssl is what dkms signs
# with (for Secure Boot); it is on nearly every server, not in dkms's Depends.
deb_ensure dkms openssl make gcc kmod >/dev/null
releases=$(ts_debian_releases "${KERNELS:-debian}")
version=$(make -s -C "$root" version)
kernels=$(paste -sd " " <<<"$releases")
src=/usr/src/tcpstates-$version
echo "# dkms $(dpkg-query -W -f='${Version}' dkms), kernels: $kernels"

status_is() { # status_is RELEASE WORD: dkms status has "tcpstates/V, R, ARCH: WORD"
	# Compared as strings: releases hold regex characters ("6.12.117+deb12").
	dkms status -m tcpstates -v "$version" -k "$1" | tee /dev/stderr |
		awk -v want="tcpstates/$version, $1, " -v word="$2" '
			index($0, want) == 1 && (rest = substr($0, length(want) + 1)) ~ /^[^:]+: / {
				sub(/^[^:]+: /, "", rest); split(rest, w, " ")
				if (w[1] == word) found = 1
			}
			END { exit !found }'
}

dkms_ko() { # the module dkms installed for RELEASE
	find "/lib/modules/$1/updates/dkms" -name 'tcpstates.ko*' 2>/dev/null | head -n1
}

check_installed() { # check_installed ROUND
	local ver ko
	for ver in $releases; do
		check_quiet "$1: dkms status: $ver installed" status_is "$ver" installed
		ko=$(dkms_ko "$ver")
		check_quiet "$1: $ver: module in /lib/modules/$ver/updates/dkms/" test -n "$ko"
		[[ -n $ko ]] || continue
		check_quiet "$1: $ver: vermagic $ver, version $version" bash -c '
			[[ $(modinfo -F vermagic "$1") == "$2 "* ]] || exit 1
			[[ $(modinfo -F version "$1") == "$3" ]]' _ "$ko" "$ver" "$version"
		check_quiet "$1: $ver: signed with the DKMS MOK key (/var/lib/dkms/mok.pub)" bash -c '
			[[ -n $(modinfo -F signer "$1") && -f /var/lib/dkms/mok.pub ]]' _ "$ko"
		check_quiet "$1: $ver: modinfo -k $ver finds the DKMS module (depmod ran)" bash -c '
			[[ $(modinfo -k "$2" -n tcpstates) == "$1" ]]' _ "$ko" "$ver"
	done
}

# 1. Install: sources to /usr/src, dkms add/build/install for each kernel.
check_quiet "make dkms-install DKMS_KERNELS=\"$kernels\"" \
	make -C "$root" dkms-install DKMS_KERNELS="$kernels"
check_quiet "$src holds exactly the files DKMS builds from" bash -c '
	cd "$1" && find . -type f | sed "s|^\./||" | sort >/tmp/tcpstates-dkms-have.$$
	cd "$2" && { printf "%s\n" Kbuild Makefile dkms.conf module/Kbuild.probes; ls module/*.c module/*.h; } |
		sort >/tmp/tcpstates-dkms-want.$$
	diff /tmp/tcpstates-dkms-want.$$ /tmp/tcpstates-dkms-have.$$; rc=$?
	rm -f /tmp/tcpstates-dkms-have.$$ /tmp/tcpstates-dkms-want.$$; exit $rc' _ "$src" "$root"
check_installed install

# 2. Remove: every kernel, the dkms tree and the sources.
check_quiet "make dkms-remove" make -C "$root" dkms-remove
for ver in $releases; do
	check_quiet "removed: no module left for $ver" bash -c '[[ -z $(find "/lib/modules/$1/updates/dkms" -name "tcpstates.ko*" 2>/dev/null) ]]' _ "$ver"
done
check_quiet "removed: dkms status is empty, $src gone" bash -c '
	[[ -z $(dkms status -m tcpstates) && ! -e "$1" && ! -e /var/lib/dkms/tcpstates ]]' _ "$src"

# 3. Install again and leave it there for the QEMU harness.
check_quiet "make dkms-install again" make -C "$root" dkms-install DKMS_KERNELS="$kernels"
check_installed reinstall
for ver in $releases; do
	ko=$(dkms_ko "$ver")
	[[ -n $ko ]] && echo "$ver $ko" >>"$out/modules.txt"
	echo "# dkms module $ver: ${ko:-none}"
done

tap_end dkms
