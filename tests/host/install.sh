#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of `make install` / `make uninstall` into a scratch root
# (INSTALL_MOD_PATH for the module, DESTDIR for /etc), for each kernel line:
# the files appear, depmod's modules.dep in the scratch root lists the
# module, and uninstall takes away exactly what install put there. Touches
# nothing outside build/install-test/. Prints TAP.
#
#   tests/host/install.sh             6.1 and 6.12 generic
#   KERNELS="debian flavours" tests/host/install.sh   also -rt and -cloud
#   (KERNELS as in scripts/kernels.sh; debug lines are left out)
#
# bash -c snippets below get their values as "$1"...: single quotes on purpose.
# shellcheck disable=SC2016
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernels.sh
. "$root/scripts/kernels.sh"

base=$root/build/install-test
# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"
TAP_OUT=$base/check.out

rm -rf "$base"
mkdir -p "$base"
echo "TAP version 13"

deb_ensure make gcc kmod >/dev/null
releases=$(ts_debian_releases "${KERNELS:-debian}")
version=$(make -s -C "$root" version)

for ver in $releases; do
	# A copy of the tree, so building for one kernel after another never
	# mixes objects, and the work tree gets no build output.
	src=$base/src-$ver
	dest=$base/root-$ver
	mkdir -p "$src/scripts" "$dest"
	cp -a "$root/Kbuild" "$root/Makefile" "$root/dkms.conf" "$root/module" \
		"$root/packaging" "$src/"
	cp -a "$root/scripts/check-version" "$src/scripts/"
	mk=(make -C "$src" KERNELRELEASE="$ver" INSTALL_MOD_PATH="$dest" DESTDIR="$dest")
	moddir=$dest/lib/modules/$ver

	check_quiet "$ver: make install" "${mk[@]}" install
	# 6.12 compresses modules at install time (CONFIG_MODULE_COMPRESS_XZ).
	ko=$(find "$moddir/updates" -name 'tcpstates.ko*' 2>/dev/null | head -n1)
	check_quiet "$ver: module in \$INSTALL_MOD_PATH/lib/modules/$ver/updates/" test -n "$ko"
	echo "# $ver: ${ko#"$dest"}"
	check_quiet "$ver: modules.dep lists tcpstates" \
		grep -Eq '^updates/tcpstates\.ko(\.[a-z]+)?:' "$moddir/modules.dep"
	check_quiet "$ver: modinfo through the scratch root's depmod says $version" \
		bash -c '[[ $(modinfo -b "$1" -k "$2" -F version tcpstates) == "$3" ]]' \
		_ "$dest" "$ver" "$version"
	check_quiet "$ver: vermagic is $ver" \
		bash -c '[[ $(modinfo -F vermagic "$1") == "$2 "* ]]' _ "$ko" "$ver"
	for f in modprobe.d/tcpstates.conf modules-load.d/tcpstates.conf; do
		check_quiet "$ver: \$DESTDIR/etc/$f installed" cmp "$root/packaging/$f" "$dest/etc/$f"
	done

	check_quiet "$ver: make uninstall" "${mk[@]}" uninstall
	check_quiet "$ver: module removed" \
		bash -c '[[ -z $(find "$1" -name "tcpstates.ko*") ]]' _ "$moddir"
	check_quiet "$ver: modules.dep no longer lists tcpstates" \
		bash -c '! grep -q tcpstates "$1"' _ "$moddir/modules.dep"
	# Left: depmod's own index files, nothing of ours.
	check_quiet "$ver: only depmod's index files remain" bash -c '
		left=$(find "$1" -type f ! -path "$1/lib/modules/$2/modules.*")
		[[ -z $left ]] || { echo "$left"; exit 1; }' _ "$dest" "$ver"
done

# The exporter: script and systemd units under DESTDIR, and back out.
dest=$base/root-exporter
mk=(make -C "$root" DESTDIR="$dest")
check_quiet "make install-exporter" "${mk[@]}" install-exporter
check_quiet "exporter: script, service and timer installed" bash -c '
	[[ -x $1/usr/local/bin/tcpstates-exporter ]] &&
	cmp "$2/packaging/systemd/tcpstates-exporter.service" "$1/etc/systemd/system/tcpstates-exporter.service" &&
	cmp "$2/packaging/systemd/tcpstates-exporter.timer" "$1/etc/systemd/system/tcpstates-exporter.timer"' _ "$dest" "$root"
check_quiet "make uninstall-exporter" "${mk[@]}" uninstall-exporter
check_quiet "exporter: nothing left" bash -c '[[ -z $(find "$1" -type f) ]]' _ "$dest"

tap_end install
