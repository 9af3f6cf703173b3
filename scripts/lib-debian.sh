# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by scripts/gates and tests/host/*.sh (sourced, not run): install
# Debian packages on demand and turn Debian's kernel meta packages into
# kernel releases, so no ABI name (6.1.0-56, 6.12.117+deb12) is hard-coded.

TCPSTATES_CACHE=${TCPSTATES_CACHE:-$HOME/.cache/tcpstates}

deb_as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	else
		sudo "$@"
	fi
}

deb_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# apt-get update at most once per run, and only when something is missing:
# a fresh CI machine may have no package lists at all.
deb_updated=
deb_update() {
	[[ -n $deb_updated ]] && return 0
	deb_as_root apt-get update -qq >&2
	deb_updated=1
}

# deb_ensure PKG...: install whichever are missing, no recommends.
deb_ensure() {
	local p missing=()
	for p in "$@"; do
		deb_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	echo "# apt-get install ${missing[*]}" >&2
	deb_as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 && return 0
	# Stale or missing lists: refresh once and retry.
	deb_update
	deb_as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# deb_meta_headers META: the concrete linux-headers-<release> package that
# the meta package (linux-headers-amd64, linux-headers-6.12-rt-amd64...)
# points at in the apt lists.
deb_meta_headers() {
	local meta=$1 dep
	dep=$(apt-cache depends "$meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-[0-9]/ { print $2; exit }')
	if [[ -z $dep ]]; then
		deb_update
		dep=$(apt-cache depends "$meta" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-[0-9]/ { print $2; exit }')
	fi
	[[ -n $dep ]] || { echo "no linux-headers-<release> behind $meta" >&2; return 1; }
	echo "$dep"
}

# deb_meta_release META: install the headers META points at if missing and
# print the kernel release (the /lib/modules/<release>/build name).
deb_meta_release() {
	local pkg
	pkg=$(deb_meta_headers "$1") || return 1
	deb_ensure "$pkg" || return 1
	echo "${pkg#linux-headers-}"
}

# deb_unpack PKG: fetch PKG's candidate .deb with apt-get download and
# unpack it once under the cache; print the unpacked root. For tools we
# only run (promtool): no maintainer scripts, no service enabled, no root.
deb_unpack() {
	local pkg=$1 ver dir tmp
	ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	if [[ -z $ver || $ver == "(none)" ]]; then
		deb_update
		ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	fi
	[[ -n $ver && $ver != "(none)" ]] || { echo "no candidate for $pkg" >&2; return 1; }
	dir=$TCPSTATES_CACHE/deb/$pkg-${ver//:/_}
	if [[ ! -e $dir/.unpacked ]]; then
		tmp=$dir.tmp.$$
		rm -rf "$tmp" "$dir"
		mkdir -p "$tmp"
		(cd "$tmp" && apt-get download -qq "$pkg=$ver") >&2 || { rm -rf "$tmp"; return 1; }
		dpkg-deb -x "$tmp"/*.deb "$tmp/root" || { rm -rf "$tmp"; return 1; }
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}
