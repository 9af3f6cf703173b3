# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest suite (busybox sh): the kernel's own view of TCP
# sockets, and /proc/tcpstates parsed the same way. TAP output is
# tests/tap.sh's, shipped as /suite/tap.sh.

. /suite/tap.sh
STATES="CLOSED LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT"
PROC=/proc/tcpstates
PARAMS=/sys/module/tcpstates/parameters
KO=/suite/tcpstates.ko
H=/suite/bin

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got:  $2"
		echo "#   want: $3"
	fi
}

# load_module NAME: NAME loaded, from /lib/modules/NAME.ko unless it is
# built in or already there. The harness ships NAME.ko for each of these
# that the kernel has as a module; the debug kernels build tun, veth and
# the diag modules in, and a built-in module without parameters (tun) has
# no /sys/module/NAME.
load_module() {
	[ -d /sys/module/$1 ] && return 0
	[ -e /lib/modules/$1.ko ] || return 0
	insmod /lib/modules/$1.ko
}

# need_tun: tun loaded and /dev/net/tun there, or 1 with what is there
# instead. tun_init() registers the misc device, and device_add() makes the
# node through devtmpfs before insmod returns, so the wait is only a bound.
need_tun() {
	load_module tun && wait_for 10 [ -c /dev/net/tun ] && return 0
	tun_diag
	return 1
}

# tun_diag: what a lab or population that cannot open /dev/net/tun needs
# to know: the node, the module and the kernel's last words.
tun_diag() {
	diag "/dev/net: $(ls -l /dev/net 2>&1 | tr '\n' ' ')"
	diag "tun in /proc/modules: $(grep '^tun ' /proc/modules || echo none)"
	diag "dmesg tail: $(dmesg | tail -n 5)"
}

# sized N_NORMAL N_DEBUG: a test's size, smaller on the debug kernels
# (lockdep's /proc/lockdep_stats), where KASAN or KCSAN make each syscall
# several times slower. Only for sizes that buy volume, not coverage: the
# smaller one must still cross every boundary the test is about.
sized() {
	if [ -e /proc/lockdep_stats ]; then echo "$2"; else echo "$1"; fi
}

# now_s: whole seconds since boot, without a fork.
now_s() {
	read -r _now_s _ < /proc/uptime
	echo "${_now_s%.*}"
}

# uptime_ms: milliseconds since boot, to 10 ms.
uptime_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# wait_for TIMEOUT COMMAND...: run COMMAND until it succeeds, every 0.1 s
# and after 2 s every 0.5 s; 1 if it still fails after TIMEOUT seconds.
# Wait for a condition with this, never with a fixed sleep.
wait_for() {
	_wf_end=$(($(now_s) + $1))
	_wf_n=0
	shift
	until "$@"; do
		[ "$(now_s)" -lt $_wf_end ] || return 1
		_wf_n=$((_wf_n + 1))
		if [ $_wf_n -le 20 ]; then sleep 0.1; else sleep 0.5; fi
	done
}

# run_bg OUT COMMAND...: COMMAND in the background, its output in OUT and
# its pid in BG_PID. OUT is emptied here, before the fork: the child's own
# "> OUT" runs only once the child is scheduled, and until then a reader
# would find what an earlier run left in OUT, its "ready" line included.
run_bg() {
	_rb_out=$1
	shift
	: > "$_rb_out"
	"$@" > "$_rb_out" 2>&1 &
	BG_PID=$!
}

_ready_or_gone() { # _ready_or_gone FILE PID
	grep -q '^ready' "$1" || ! kill -0 "$2" 2>/dev/null
}

# wait_ready FILE PID [TIMEOUT]: wait until PID, started by run_bg with its
# output in FILE, prints a line "ready"; 1, with PID killed and FILE shown,
# if PID exits or TIMEOUT seconds (default 300) pass first. The bound is
# for a hang: a debug kernel sharing the machine with a build is slow.
wait_ready() {
	wait_for "${3:-300}" _ready_or_gone "$1" "$2"
	grep -q '^ready' "$1" && return 0
	if kill -0 "$2" 2>/dev/null; then
		diag "not ready after ${3:-300} s: $(cat "$1")"
		kill "$2" 2>/dev/null
	else
		diag "exited before it was ready: $(cat "$1")"
	fi
	wait "$2" 2>/dev/null
	return 1
}

# wait_ready_growing OUT PID IDLE: wait_ready for a helper that prints a
# line per step of a long setup (netns-hold): it takes as long as it
# needs while OUT grows, which depends on the kernel and the load, and
# fails once IDLE seconds pass with no new line.
wait_ready_growing() {
	_wrg_lines=-1
	until grep -q '^ready' "$1" || ! kill -0 "$2" 2>/dev/null; do
		_wrg_now=$(wc -l < "$1")
		[ "$_wrg_now" -gt "$_wrg_lines" ] || break
		_wrg_lines=$_wrg_now
		wait_for "$3" _grown_ready_or_gone "$1" "$2" "$_wrg_lines"
	done
	wait_ready "$1" "$2" 1
}

_grown_ready_or_gone() {
	grep -q '^ready' "$1" || ! kill -0 "$2" 2>/dev/null ||
		[ "$(wc -l < "$1")" -gt "$3" ]
}

# warm_once_keys: the boot's first TCP connections, IPv4 and IPv6, with and
# without syncookies, from CPU 0 alone and before any test. The first use of
# each net_get_random_once() secret (ehash, sequence, port, cookie) turns a
# static key off by patching live code; under QEMU's multi-threaded TCG a
# vCPU running that code meanwhile has trapped on the patch's int3 after it
# was gone ("Oops: int3" in inet_ehashfn, 6.12). Here no other vCPU runs TCP.
warm_once_keys() {
	unshare -n taskset 1 sh -c '
		. /suite/lib.sh
		ip link set lo up
		for cookies in 0 2; do
			echo $cookies > /proc/sys/net/ipv4/tcp_syncookies
			start_sockets /tmp/warm.out 4:established:1:7000 \
				6:established:1:7000 || exit 1
			stop_sockets $SOCKETS_PID
		done
	' || diag "warm_once_keys: no first connections: $(cat /tmp/warm.out)"
}

# cmdline_arg NAME: the value of NAME=VALUE on the kernel command line.
cmdline_arg() {
	tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"
}

# "STATE ipv4 ipv6" for the 11 states, from /proc/net/tcp{,6} of this netns.
# CLOSED there is only a socket caught on its way out of ehash.
oracle_counts() {
	{
		awk 'NR > 1 { print 4, $4 }' /proc/net/tcp
		awk 'NR > 1 { print 6, $4 }' /proc/net/tcp6
	} | awk -v states="$STATES" '
	BEGIN {
		split("ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSED CLOSE_WAIT LAST_ACK LISTEN CLOSING", n, " ")
		for (i = 1; i <= 11; i++)
			name[sprintf("%02X", i)] = n[i]
	}
	{ if ($1 == 4) v4[name[$2]]++; else v6[name[$2]]++ }
	END {
		n = split(states, o, " ")
		for (i = 1; i <= n; i++)
			print o[i], v4[o[i]] + 0, v6[o[i]] + 0
	}'
}

# "STATE ipv4 ipv6" for the 11 states, from /proc/tcpstates (or FILE,
# - for standard input).
module_counts() { # module_counts [FILE]
	awk -v states="$STATES" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) want[o[i]] = 1 }
	($1 in want) { print $1, $3, $4 }' "${1:-$PROC}"
}

# The "port" lines, per state by count, the busiest first, then by port:
# from /proc/tcpstates, and the N busiest per state from /proc/net/tcp{,6}.
module_top_ports() {
	grep '^port ' "$PROC" | sort -k2,2 -k4,4nr -k3,3n
}

oracle_top_ports() { # oracle_top_ports N
	oracle_sockets | awk '{ print $2, $3 }' | sort | uniq -c |
		awk '{ print "port", $2, $3, $1 }' | sort -k2,2 -k4,4nr -k3,3n |
		awk -v n="$1" '{ if (++seen[$2] <= n) print }'
}

# read_settled ORACLE SUBJECT: evaluate the commands ORACLE, SUBJECT and
# ORACLE again until the two ORACLE outputs agree, so that nothing changed
# while SUBJECT was read; the outputs in SETTLED_ORACLE and SETTLED_SUBJECT.
# 30 tries, 0.2 s apart; 1 (and the last reads kept) if nothing settled.
read_settled() {
	_rs_tries=0
	while [ $_rs_tries -lt 30 ]; do
		SETTLED_ORACLE=$(eval "$1")
		SETTLED_SUBJECT=$(eval "$2")
		[ "$SETTLED_ORACLE" = "$(eval "$1")" ] && return 0
		sleep 0.2
		_rs_tries=$((_rs_tries + 1))
	done
	diag "no quiet moment to read $2 against $1"
	return 1
}

# read_agreeing ORACLE SUBJECT: read_settled until the two outputs are the
# same, at most 5 times; 1 (the last reads kept) if they never were. For a
# view that can change and change back unseen by the oracle: a timer whose
# handler is running is pending in neither view, and it is the same kind
# of timer before and after.
read_agreeing() {
	_ra_tries=0
	while [ $_ra_tries -lt 5 ]; do
		read_settled "$1" "$2" &&
			[ "$SETTLED_ORACLE" = "$SETTLED_SUBJECT" ] && return 0
		_ra_tries=$((_ra_tries + 1))
	done
	return 1
}

# snapshot: the oracle's counts in O1 and the module's in M, read settled.
snapshot() {
	read_settled oracle_counts module_counts
	O1=$SETTLED_ORACLE
	M=$SETTLED_SUBJECT
}

# The count lines of the transitions section: "WHAT ... COUNT".
transition_lines() { # transition_lines [FILE]
	grep -E '^(transition|reset_sent|reset_received|retransmit|counter) ' "${1:-$PROC}"
}

# The lines of BEFORE and AFTER (transition_lines' files) whose count
# changed, as "WHAT ... GROWTH", sorted.
transition_deltas() { # transition_deltas BEFORE AFTER
	awk -v first="$1" '
	{
		n = $NF; k = $0; sub(/ [0-9]+$/, "", k)
		if (FILENAME == first) a[k] = n; else b[k] = n
	}
	END { for (k in b) if (b[k] != a[k]) print k " " b[k] - a[k] }' "$1" "$2" | sort
}

# How much the line "WHAT ..." grew from BEFORE to AFTER: 0 if it did not.
transition_delta() { # transition_delta BEFORE AFTER "WHAT ..."
	transition_deltas "$1" "$2" | awk -v key="$3" '
	{ n = $NF; sub(/ -?[0-9]+$/, "") }
	$0 == key { d = n }
	END { print d + 0 }'
}

# start_readers N: N loops reading /proc/tcpstates in the background, their
# pids in READER_PIDS; each touches /tmp/reader.I once it has read.
start_readers() {
	rm -f /tmp/reader.*
	READER_PIDS=
	_sr_i=0
	while [ $_sr_i -lt "$1" ]; do
		( cat $PROC > /dev/null; : > /tmp/reader.$_sr_i
		  while :; do cat $PROC > /dev/null 2>&1; done ) &
		READER_PIDS="$READER_PIDS $!"
		_sr_i=$((_sr_i + 1))
	done
}

# readers_reading N: N of start_readers' readers have read once.
readers_reading() {
	[ "$(ls /tmp/reader.* 2>/dev/null | wc -l)" = "$1" ]
}

stop_readers() {
	# shellcheck disable=SC2086
	kill $READER_PIDS 2>/dev/null
	# shellcheck disable=SC2086
	wait $READER_PIDS 2>/dev/null
	READER_PIDS=
}

# nstat_values NAME...: "NAME VALUE" for each of this netns's Tcp and TcpExt
# counters named, as nstat names them (TcpPassiveOpens, TcpExtTW), read
# from /proc/net/snmp and /proc/net/netstat.
nstat_values() {
	cat /proc/net/snmp /proc/net/netstat | awk -v want="$*" '
	$1 == "Tcp:" || $1 == "TcpExt:" {
		if (!(($1) in names)) { names[$1] = $0; next }
		n = split(names[$1], k, " "); split($0, v, " ")
		p = substr($1, 1, length($1) - 1)
		for (i = 2; i <= n; i++) val[p k[i]] = v[i]
	}
	END {
		n = split(want, c, " ")
		for (i = 1; i <= n; i++) print c[i] " " val[c[i]]
	}'
}

# nstat_value NAME: one counter's value.
nstat_value() {
	nstat_values "$1" | awk '{ print $2 }'
}

# The kernel's side of the transitions section's "counter" lines: in a
# netns made after the module loaded, the two must agree.
kernel_counters() {
	nstat_values TcpPassiveOpens TcpExtTW TcpExtTWKilled TcpExtTWRecycled |
		sed 's/^/counter /'
}

# The kernel's side of the "mib" lines, in their order.
MIB_NAMES="TcpActiveOpens TcpPassiveOpens TcpAttemptFails TcpEstabResets
TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop
TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed
TcpExtTCPTimeWaitOverflow TcpExtTW TcpExtTWKilled TcpExtTWRecycled
TcpExtTCPAbortOnTimeout TcpExtTCPAbortOnClose"
kernel_mibs() {
	# shellcheck disable=SC2086
	nstat_values $MIB_NAMES | sed 's/^/mib /'
}

# The module's "mib" lines.
module_mibs() {
	grep '^mib ' "${1:-$PROC}"
}

field() { # field STATE COLUMN(2=ipv4,3=ipv6) TEXT
	echo "$3" | awk -v s="$1" -v c="$2" '$1 == s { print $c }'
}

# CLOSED per family from inet_diag's bound-inactive dump, or "unsupported".
closed_oracle() {
	$H/diag
}

# compare_states LABEL CLOSED4 CLOSED6: every state and family of
# /proc/tcpstates equals /proc/net/tcp{,6}; CLOSED equals inet_diag where
# the kernel has it, else the bound sockets the test itself made.
compare_states() {
	label=$1
	snapshot
	d=$(closed_oracle)
	for s in $STATES; do
		for fam in 4 6; do
			col=$((fam == 4 ? 2 : 3))
			got=$(field "$s" $col "$M")
			if [ "$s" = CLOSED ]; then
				if [ "$d" = unsupported ]; then
					want=$([ $fam = 4 ] && echo "$2" || echo "$3")
					src="bound by the test"
				else
					want=$(echo "$d" | awk -v f=ipv$fam '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }')
					src="inet_diag bound-inactive"
				fi
			else
				want=$(field "$s" $col "$O1")
				src=$([ $fam = 4 ] && echo /proc/net/tcp || echo /proc/net/tcp6)
			fi
			expect_eq "$label: $s ipv$fam equals $src ($want)" "$got" "$want"
		done
	done
}

# at_least LABEL STATE FAMILY N: the oracle itself shows the population,
# so a broken helper cannot make 0 == 0 pass.
at_least() {
	col=$(($3 == 4 ? 2 : 3))
	n=$(field "$2" $col "$O1")
	if [ "${n:-0}" -ge "$4" ]; then
		ok "$1: /proc/net/tcp$([ $3 = 6 ] && echo 6) shows at least $4 $2 ($n)"
	else
		not_ok "$1: /proc/net/tcp$([ $3 = 6 ] && echo 6) shows at least $4 $2 (got ${n:-0})"
	fi
}

# start_sockets OUTFILE SPEC...: hold sockets in the background (pid in
# SOCKETS_PID) and wait until they are in place.
start_sockets() {
	_ss_out=$1
	shift
	run_bg "$_ss_out" $H/sockets "$@"
	SOCKETS_PID=$BG_PID
	wait_ready "$_ss_out" $SOCKETS_PID
}

stop_sockets() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# A column of a state's row, by the header's name for it.
column() { # column STATE NAME [FILE]
	awk -v s="$1" -v c="$2" '
	/^# state/ { for (i = 3; i <= NF; i++) if ($i == c) col = i - 1 }
	$1 == s { print $col }' "${3:-$PROC}"
}

setting() { # setting NAME: a "name value unit" line's value
	awk -v n="$1" '$1 == n && NF == 3 { print $2 }' "$PROC"
}

# Per-netns ehash (v6.1+): has_child_ehash, child_ehash (the sysctl's
# value, 0 without it) and set_child_ehash N (nothing without it).
has_child_ehash() {
	[ -e /proc/sys/net/ipv4/tcp_child_ehash_entries ]
}

child_ehash() {
	cat /proc/sys/net/ipv4/tcp_child_ehash_entries 2>/dev/null || echo 0
}

set_child_ehash() {
	! has_child_ehash || echo "$1" > /proc/sys/net/ipv4/tcp_child_ehash_entries
}

set_knob() {
	echo "$2" > "$PARAMS/$1"
}

# helpers_running: "PID COMMAND" for each suite helper ($H/...) running.
helpers_running() {
	for _hr_p in /proc/[0-9]*; do
		# One that exits meanwhile is gone: no message about it.
		_hr_c=$({ tr '\0' ' ' < "$_hr_p/cmdline"; } 2> /dev/null) || continue
		case $_hr_c in
		"$H/"*) echo "${_hr_p#/proc/} $_hr_c" ;;
		esac
	done
}

_no_helpers_running() {
	[ -z "$(helpers_running)" ]
}

# no_helper_left TEST: TEST stopped every helper it started. One left
# running acts in the tests after it: a SYN_SENT socket in a forgotten
# child netns times out minutes later, in another test's netns=all
# window. What is left is named, then stopped: SIGTERM, and SIGKILL for
# one still tearing down 30 s later (netns-hold takes minutes).
no_helper_left() {
	_nhl=$(helpers_running)
	if [ -z "$_nhl" ]; then
		ok "$1 leaves no helper running"
		return
	fi
	not_ok "$1 leaves no helper running"
	echo "$_nhl" | diag
	for _nhl_sig in TERM KILL; do
		echo "$_nhl" | while read -r _nhl_pid _; do
			kill -$_nhl_sig "$_nhl_pid" 2> /dev/null
		done
		wait_for 30 _no_helpers_running && return
	done
	diag "still running after SIGKILL: $(helpers_running)"
}

# in_netns FUNC: run the suite function FUNC in a new netns and fold its
# TAP lines into ours.
in_netns() {
	unshare -n sh -c '
		. /suite/lib.sh
		for t in /suite/t_*.sh; do . "$t"; done
		ip link set lo up
		'"$1"'
	' > /tmp/"$1".tap 2>&1
	replay_tap /tmp/"$1".tap
}

replay_tap() {
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) not_ok "${line#not ok * - }" ;;
		*) echo "$line" ;;
		esac
	done < "$1"
}

# Hex from /proc/net/tcp to decimal, in busybox awk.
AWK_HEX='function hex(s,  i, n) { n = 0; s = toupper(s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return n }'

# One line per socket of /proc/net/tcp{,6}:
# "FAMILY STATE LPORT RPORT LADDRHEX RADDRHEX TR"
oracle_sockets() {
	{
		awk 'NR > 1 { print 4, $0 }' /proc/net/tcp
		awk 'NR > 1 { print 6, $0 }' /proc/net/tcp6
	} | awk "$AWK_HEX"'
	BEGIN {
		split("ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSED CLOSE_WAIT LAST_ACK LISTEN CLOSING", n, " ")
		for (i = 1; i <= 11; i++)
			name[sprintf("%02X", i)] = n[i]
	}
	{
		split($3, l, ":"); split($4, r, ":"); split($7, t, ":")
		print $1, name[$5], hex(l[2]), hex(r[2]), l[1], r[1], t[1] + 0
	}'
}

# tracefs, mounted if it is not yet: its path.
tracing_dir() {
	[ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	echo /sys/kernel/tracing
}

# The tracepoints the module probes, each kept enabled by two idle tracefs
# instances, so that attaching or detaching the module's probes patches no
# live code: a tracepoint's first probe flips its static key, the second
# its static call. That is warm_once_keys' race again ("Oops: int3" in
# inet_sk_state_store() under churn, 6.12, QEMU 7.2; fixed in QEMU 8.1 by
# commit deba78709ae8), not the module's; the module's attach, detach and
# free under firing probes stay tested.
TRANSITION_EVENTS="sock/inet_sock_set_state tcp/tcp_send_reset tcp/tcp_receive_reset tcp/tcp_retransmit_skb"
hold_transition_tracepoints() {
	htt_dir=$(tracing_dir)
	for htt_i in ts_hold1 ts_hold2; do
		mkdir -p "$htt_dir/instances/$htt_i" 2>/dev/null || return 0
		echo 0 > "$htt_dir/instances/$htt_i/tracing_on"
		for htt_e in $TRANSITION_EVENTS; do
			[ -e "$htt_dir/instances/$htt_i/events/$htt_e/enable" ] &&
				echo 1 > "$htt_dir/instances/$htt_i/events/$htt_e/enable"
		done
	done
	return 0
}

# traced_walks OUT COMMAND...: COMMAND's output into OUT; prints how many
# times the module walked the tables meanwhile (the function tracer on
# tcpstates_walk), or "unsupported" on a kernel that cannot trace it.
traced_walks() {
	tw_out=$1
	shift
	tw_dir=$(tracing_dir)
	# The braces: the shell reports a failed "> FILE" on its own stderr.
	if ! { echo tcpstates_walk > $tw_dir/set_ftrace_filter; } 2>/dev/null ||
	   ! { echo function > $tw_dir/current_tracer; } 2>/dev/null; then
		"$@" > "$tw_out"
		echo unsupported
		return
	fi
	echo > $tw_dir/trace
	"$@" > "$tw_out"
	tw_n=$(grep -c 'tcpstates_walk <-' $tw_dir/trace)
	echo nop > $tw_dir/current_tracer
	echo > $tw_dir/set_ftrace_filter
	echo "$tw_n"
}
