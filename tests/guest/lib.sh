# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest suite (busybox sh): TAP output, the kernel's own
# view of TCP sockets, and /proc/tcpstates parsed the same way.

TAP_N=0
TAP_FAILED=0
STATES="CLOSED LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT"
PROC=/proc/tcpstates
PARAMS=/sys/module/tcpstates/parameters
KO=/suite/tcpstates.ko
H=/suite/bin

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# check DESC COMMAND...: one TAP line for the command's exit status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

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
# built in or already there (debug kernels build tun, veth and the diag
# modules in).
load_module() {
	[ -d /sys/module/$1 ] && return 0
	insmod /lib/modules/$1.ko
}

diag() {
	echo "$*" | sed 's/^/# /'
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

# "STATE ipv4 ipv6" for the 11 states, from /proc/tcpstates.
module_counts() {
	awk -v states="$STATES" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) want[o[i]] = 1 }
	($1 in want) { print $1, $3, $4 }' "$PROC"
}

# Read the oracle, the module, and the oracle again, until the two oracle
# reads agree: then nothing changed while the module was read.
snapshot() {
	tries=0
	while [ $tries -lt 30 ]; do
		O1=$(oracle_counts)
		M=$(module_counts)
		O2=$(oracle_counts)
		[ "$O1" = "$O2" ] && return 0
		sleep 0.2
		tries=$((tries + 1))
	done
	diag "no quiet moment for a snapshot"
	return 0
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

# start_sockets OUTFILE SPEC...: hold sockets in the background until ready.
start_sockets() {
	out=$1
	shift
	$H/sockets "$@" > "$out" 2>&1 &
	SOCKETS_PID=$!
	i=0
	while [ $i -lt 200 ]; do
		grep -q '^ready' "$out" 2>/dev/null && return 0
		kill -0 $SOCKETS_PID 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	diag "sockets did not get ready: $(cat "$out")"
	return 1
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

set_knob() {
	echo "$2" > "$PARAMS/$1"
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

# traced_walks OUT COMMAND...: COMMAND's output into OUT; prints how many
# times the module walked the tables meanwhile (the function tracer on
# tcpstates_walk), or "unsupported" on a kernel that cannot trace it.
traced_walks() {
	tw_out=$1
	shift
	tw_dir=/sys/kernel/tracing
	[ -e $tw_dir/trace ] || mount -t tracefs nodev $tw_dir 2>/dev/null
	if ! echo tcpstates_walk > $tw_dir/set_ftrace_filter 2>/dev/null ||
	   ! echo function > $tw_dir/current_tracer 2>/dev/null; then
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
