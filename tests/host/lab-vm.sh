#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lab-vm as a student runs it: root builds the image once, then a plain
# user (tslab, made here if missing) boots it in tmux with no root and no
# KVM, drives the console with send-keys as a student would type, holds a
# socket with the lab and sees it in /proc/tcpstates, and exits the shell,
# which powers the guest off and leaves nothing running. Without an image,
# the plain user gets the one-time setup instead. Prints TAP; exits
# non-zero if any test failed.
#
# Commands typed into the guest print markers they compute ("LAB-$((1+1))"
# prints LAB-2), so the echo of a typed line never passes for its output.
# shellcheck disable=SC2016
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib-debian.sh
. "$root/scripts/lib-debian.sh"
# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"

user=tslab
work=$(mktemp -d)
chmod 755 "$work"
TAP_OUT=$work/out
img=$work/image
sock=tslab-$$
cleanup() {
	runuser -u "$user" -- tmux -L "$sock" kill-server 2> /dev/null || true
	pkill -u "$user" -f qemu-system 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

deb_ensure tmux passwd
id "$user" > /dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh "$user"

# as_user COMMAND...: COMMAND as the plain user, in the checkout.
as_user() {
	runuser -u "$user" -- env -C "$root" "$@"
}

# pane: what the user's tmux pane shows, the scrollback included.
pane() {
	as_user tmux -L "$sock" capture-pane -p -J -S -1000 -t lab
}

# wait_pane PATTERN SECONDS: until the pane shows an extended regex.
wait_pane() {
	local end=$((SECONDS + $2))
	until pane | grep -Eq "$1"; do
		((SECONDS < end)) || return 1
		sleep 0.5
	done
}

# prompts: how many of the guest shell's prompts the pane shows.
prompts() {
	pane | grep -c '^lab#' || true
}

# type_line TEXT: TEXT typed into the guest's console, then Enter, and
# back at the prompt. One line at a time: the tty echoes what is typed
# ahead into the output of the command still running.
type_line() {
	local n end=$((SECONDS + 120))
	n=$(prompts)
	as_user tmux -L "$sock" send-keys -t lab -l "$1"
	as_user tmux -L "$sock" send-keys -t lab Enter
	until (($(prompts) > n)); do
		((SECONDS < end)) || return 1
		sleep 0.5
	done
}

rc=0
LAB_VM_DIR=$img "$root/scripts/lab-vm" --build > "$work/build.log" 2>&1 || rc=$?
check "root builds the lab VM's image (make lab-vm-image)" [ "$rc" = 0 ] || tail -n 20 "$work/build.log" | diag
check_quiet "the image is readable by every user" \
	as_user test -r "$img/vmlinuz" -a -r "$img/initramfs.gz"

if ! as_user test -r Makefile -a -x scripts/lab-vm; then
	skip "make lab-vm as $user" "the checkout $root is not readable by $user"
	# The welcome's Chinese, as the guest prints it: at most 80 columns.
sed -n '/^if \[ "$lang" = zh \]/,/^else/p' "$root/tests/guest/lab-vm.sh" |
	sed 's/^\t//' > "$work/welcome.zh"
check_quiet "the Chinese welcome is valid UTF-8, at most 80 columns" \
	sh -c 'grep -q 实验虚拟机 "$1" && "$2" "$1"' - "$work/welcome.zh" "$root/build/helpers/textwidth"

tap_end lab-vm
	exit
fi
check_quiet "$user is not root" as_user sh -c '[ "$(id -u)" -ne 0 ]'

rc=0
as_user env LAB_VM_DIR="$work/none" make -s lab-vm > "$work/setup.out" 2>&1 || rc=$?
check "without an image, make lab-vm as $user fails" [ "$rc" != 0 ]
check_quiet "and prints the one-time setup" grep -q 'sudo make lab-vm-image' "$work/setup.out"

as_user tmux -L "$sock" -f /dev/null new-session -d -s lab -x 100 -y 50 \
	"env LAB_VM_DIR=$img make -s lab-vm; echo LABVM-EXIT=\$?; sleep 600"
check "as $user, make lab-vm boots to the lab's shell" wait_pane '^lab#' 180 ||
	pane | tail -n 30 | diag
pane > "$work/welcome"
check_quiet "the welcome names the lab's commands" grep -q 'tcpstates-lab tour' "$work/welcome"

type_line 'stty size | sed "s/^/S""IZE=/"'
pane > "$work/size"
check_quiet "the guest's terminal is the host's size (100 columns, 50 rows)" \
	grep -qx 'SIZE=50 100' "$work/size"
type_line 'tcpstates-lab established -n 2 --here --hold 600 > /tmp/lab.out 2>&1 &'
type_line 'until grep -q ^ready /tmp/lab.out; do sleep 0.2; done; echo LAB-$((1+1))'
check "tcpstates-lab holds 2 sockets in ESTABLISHED" wait_pane '^LAB-2$' 1 ||
	pane | tail -n 20 | diag
type_line 'awk '\''$1 == "ESTABLISHED" { print "E" "ST=" $2 }'\'' /proc/tcpstates'
type_line 'awk '\''FNR > 1 && $4 == "01" { n++ } END { print "N" "ET=" n + 0 }'\'' /proc/net/tcp /proc/net/tcp6'
est=$(pane | sed -n 's/^EST=\([0-9]*\)$/\1/p' | tail -n 1)
net=$(pane | sed -n 's/^NET=\([0-9]*\)$/\1/p' | tail -n 1)
check "/proc/tcpstates counts them as /proc/net/tcp{,6} does (${est:-none} and ${net:-none}, at least 2)" \
	sh -c "[ '${est:-x}' = '${net:-y}' ] && [ '${est:-0}' -ge 2 ]" ||
	pane | tail -n 20 | diag

as_user tmux -L "$sock" send-keys -t lab exit Enter
check "exiting the shell powers the guest off" wait_pane '^LABVM-EXIT=0$' 120 ||
	pane | tail -n 20 | diag
check "nothing of the lab VM is left running" \
	sh -c "! pgrep -u $user -f qemu-system > /dev/null"

# The welcome's Chinese, as the guest prints it: at most 80 columns.
sed -n '/^if \[ "$lang" = zh \]/,/^else/p' "$root/tests/guest/lab-vm.sh" |
	sed 's/^\t//' > "$work/welcome.zh"
check_quiet "the Chinese welcome is valid UTF-8, at most 80 columns" \
	sh -c 'grep -q 实验虚拟机 "$1" && "$2" "$1"' - "$work/welcome.zh" "$root/build/helpers/textwidth"

tap_end lab-vm
