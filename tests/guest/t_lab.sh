# SPDX-License-Identifier: GPL-2.0
# The state lab (scripts/tcpstates-lab): every state on demand, in both
# families, counted exactly against the kernel's own view.

LAB_N=3
LAB=$H/tcpstates-lab
# The kinds a lab leaves orphaned on exit: they may only decline, on timers.
LAB_ORPHANS=" FIN_WAIT1 FIN_WAIT2 CLOSING LAST_ACK TIME_WAIT "
TOUR_STATES="CLOSED LISTEN SYN_RECV SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT TIME_WAIT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED FIN_WAIT1 CLOSING TIME_WAIT CLOSED"
TOUR_PEERS="CLOSED CLOSED SYN_SENT SYN_SENT ESTABLISHED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED ESTABLISHED FIN_WAIT2 TIME_WAIT TIME_WAIT ESTABLISHED CLOSING TIME_WAIT -"

# lab_start OUT ARGS...: run the lab in the background (pid in LAB_PID)
# until it is ready.
lab_start() {
	_ls_out=$1
	shift
	run_bg "$_ls_out" $LAB "$@"
	LAB_PID=$BG_PID
	wait_ready "$_ls_out" $LAB_PID && return 0
	grep -q /dev/net/tun "$_ls_out" && tun_diag
	return 1
}

# lab_stop: Ctrl-C, as a student would; the lab must exit 0.
lab_stop() {
	kill -INT $LAB_PID
	wait $LAB_PID
}

# Timers by kind in $LAB_STATE's row only, as t_timers.sh reads them.
lab_oracle_timers() {
	oracle_timers | awk -v s="$LAB_STATE" '$1 == s'
}

lab_module_timers() {
	module_timers | awk -v s="$LAB_STATE" '$1 == s'
}

count_of() { # count_of STATE FAMILY TEXT
	field "$1" $(($2 == 4 ? 2 : 3)) "$3"
}

# The kernel's count of a state: /proc/net/tcp{,6}, or for CLOSED inet_diag's
# bound-inactive dump where the kernel has one, else what the lab holds.
kernel_count() { # kernel_count STATE FAMILY HELD
	if [ "$1" != CLOSED ]; then
		count_of "$1" "$2" "$O1"
	elif [ "$(closed_oracle)" = unsupported ]; then
		echo "$3"
	else
		closed_oracle | awk -v f=ipv$2 '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'
	fi
}

# The transitions that put $LAB_N sockets in STATE, as the lab makes
# them: a connect() for all but CLOSED, LISTEN and SYN_RECV, whose
# request socks the tracepoint never sees (only their listener opening).
# TIME_WAIT is reached as FIN_WAIT2 -> CLOSED: the timewait sock that
# takes the socket's place is unseen (TcpExt TW counts it, since v5.18 as
# it is made, before as it ends).
lab_transitions() { # lab_transitions STATE
	n=$LAB_N
	opened="transition CLOSED SYN_SENT $n
transition SYN_SENT ESTABLISHED $n"
	case $1 in
	CLOSED) ;;
	LISTEN) echo "transition CLOSED LISTEN $n" ;;
	SYN_SENT) echo "transition CLOSED SYN_SENT $n" ;;
	SYN_RECV) echo "transition CLOSED LISTEN 1" ;;
	ESTABLISHED) echo "$opened" ;;
	FIN_WAIT1) printf '%s\n' "$opened" "transition ESTABLISHED FIN_WAIT1 $n" ;;
	FIN_WAIT2) printf '%s\n' "$opened" "transition ESTABLISHED FIN_WAIT1 $n" \
		"transition FIN_WAIT1 FIN_WAIT2 $n" ;;
	CLOSE_WAIT) printf '%s\n' "$opened" "transition ESTABLISHED CLOSE_WAIT $n" ;;
	CLOSING) printf '%s\n' "$opened" "transition ESTABLISHED FIN_WAIT1 $n" \
		"transition FIN_WAIT1 CLOSING $n" ;;
	LAST_ACK) printf '%s\n' "$opened" "transition ESTABLISHED CLOSE_WAIT $n" \
		"transition CLOSE_WAIT LAST_ACK $n" ;;
	TIME_WAIT) printf '%s\n' "$opened" "transition ESTABLISHED FIN_WAIT1 $n" \
		"transition FIN_WAIT1 FIN_WAIT2 $n" "transition FIN_WAIT2 CLOSED $n" ;;
	esac | sort
}

# One state, one family, in a fresh netns.
lab_state_in_child() { # lab_state_in_child STATE FAMILY
	st=$1
	fam=$2
	label="lab $st ipv$fam"
	flag=
	name=$st
	# IPv6 runs spell the state in lower case: the lab takes any case.
	[ "$fam" = 6 ] && flag=-6 && name=$(echo "$st" | tr 'A-Z' 'a-z')
	snapshot
	before=$(count_of "$st" "$fam" "$M")
	transition_lines > /tmp/lab.tr.before
	# shellcheck disable=SC2086
	lab_start /tmp/lab.out "$name" -n $LAB_N --hold 600 --here $flag ||
		{ not_ok "$label: the lab holds $LAB_N"; return; }
	transition_lines > /tmp/lab.tr.held
	expect_eq "$label: the transitions that led there, exactly" \
		"$(transition_deltas /tmp/lab.tr.before /tmp/lab.tr.held | grep '^transition ')" \
		"$(lab_transitions "$st")"
	expect_eq "$label: the kernel's counters, as /proc/net/snmp and netstat have them" \
		"$(grep '^counter ' /tmp/lab.tr.held)" "$(kernel_counters)"
	expect_eq "$label: the lab says what it holds" \
		"$(grep '^held' /tmp/lab.out)" "held $st $LAB_N ipv$fam"
	snapshot
	held=$(count_of "$st" "$fam" "$M")
	expect_eq "$label: /proc/tcpstates rose by exactly $LAB_N" $((held - before)) $LAB_N
	expect_eq "$label: the count equals the kernel's" "$held" \
		"$(kernel_count "$st" "$fam" $((held - before)))"
	expect_eq "$label: every other row equals /proc/net/tcp{,6}" \
		"$(echo "$M" | grep -v '^CLOSED ')" "$(echo "$O1" | grep -v '^CLOSED ')"
	LAB_STATE=$st
	read_agreeing lab_oracle_timers lab_module_timers
	expect_eq "$label: timers by kind equal /proc/net/tcp{,6} tr" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	check "$label: Ctrl-C ends the hold with status 0" lab_stop
	snapshot
	after=$(count_of "$st" "$fam" "$M")
	case $LAB_ORPHANS in
	*" $st "*)
		check "$label: after the lab exits the count only declines ($after <= $held)" \
			[ "$after" -le "$held" ]
		expect_eq "$label: after the lab exits the count equals the kernel's" \
			"$after" "$(kernel_count "$st" "$fam" "$after")"
		;;
	*)
		expect_eq "$label: after the lab exits the count is back to $before" "$after" "$before"
		;;
	esac
}

# Every state at once: each row holds exactly N, LISTEN one more (the
# SYN_RECV sockets' listener), and the whole table equals the kernel's.
lab_all_in_child() { # lab_all_in_child FAMILY
	fam=$1
	label="lab all ipv$fam"
	flag=
	[ "$fam" = 6 ] && flag=-6
	# shellcheck disable=SC2086
	lab_start /tmp/lab.out all -n 2 --hold 600 --here $flag ||
		{ not_ok "$label: the lab holds every state"; return; }
	snapshot
	rows=$(for s in $STATES; do printf '%s ' "$(count_of "$s" "$fam" "$M")"; done)
	expect_eq "$label: 2 in every state, 3 LISTEN" "$rows" "2 3 2 2 2 2 2 2 2 2 2 "
	if [ "$fam" = 4 ]; then compare_states "$label" 2 0; else compare_states "$label" 0 2; fi
	compare_timers "$label"
	expect_eq "$label: SYN_RECV shows 2 SYN-ACK timers" "$(column SYN_RECV synack)" 2
	expect_eq "$label: CLOSE_WAIT shows no timer of any kind" \
		"$(module_timers | awk '$1 == "CLOSE_WAIT"')" "CLOSE_WAIT 0 0 0 0"
	check "$label: Ctrl-C ends the hold with status 0" lab_stop
}

# By default the lab works in a netns of its own: nothing shows here.
lab_private_in_child() {
	snapshot
	before=$M
	lab_start /tmp/lab.out ESTABLISHED -n 2 --hold 600 ||
		{ not_ok "lab without --here holds 2 ESTABLISHED"; return; }
	snapshot
	expect_eq "lab without --here: this netns's counts do not change" "$M" "$before"
	check "lab without --here: no tslab0 in this netns" sh -c '! ip link show tslab0 2> /dev/null'
	check "lab without --here: Ctrl-C ends the hold with status 0" lab_stop
}

# The one timed case: --hold's duration is the thing checked.
lab_hold_in_child() {
	start=$(date +%s)
	check "lab --hold 2 ends by itself with status 0" \
		sh -c "$LAB LISTEN --hold 2 --here > /tmp/hold.out 2>&1"
	check "lab --hold 2 held for 2 s or more" [ $(($(date +%s) - start)) -ge 2 ]
}

# A listener whose backlog is half full of SYN_RECV looks like a SYN flood.
lab_syn_flood_in_child() {
	lab_start /tmp/lab.out SYN_RECV -n 4 --backlog 16 --hold 600 --here ||
		{ not_ok "lab SYN_RECV with backlog 16"; return; }
	check "4 requests against a backlog of 16: no syn_recv hint" \
		sh -c "! grep -q '^hint syn_recv' $PROC"
	lab_stop
	lab_start /tmp/lab.out SYN_RECV -n 8 --backlog 8 --hold 600 --here ||
		{ not_ok "lab SYN_RECV with backlog 8"; return; }
	check "8 requests against a backlog of 8: the syn_recv hint" \
		grep -q '^hint syn_recv: listener on port [0-9]* has 8 requests in SYN_RECV against a backlog of 8;' $PROC
	lab_stop
}

lab_tour_in_child() { # lab_tour_in_child FAMILY
	label="lab tour --auto --family $1"
	check "$label: exits 0" sh -c "$LAB tour --auto --here --family $1 > /tmp/tour.out 2>&1"
	expect_eq "$label: our end passes through every state in order" \
		"$(awk '/us \(kernel\):/ { printf "%s ", $3 }' /tmp/tour.out)" "$TOUR_STATES "
	expect_eq "$label: the handshake in textbook notation" \
		"$(grep 'segment:' /tmp/tour.out | head -n 3 | sed 's/.*segment: //' | tr '\n' '|')" \
		"SYN=1 seq=x|SYN=1 ACK=1 seq=y ack=x+1|ACK=1 seq=x+1 ack=y+1|"
	# The rows that changed come from /proc/tcpstates itself.
	for s in LISTEN SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE_WAIT LAST_ACK CLOSING; do
		check "$label: shows the /proc/tcpstates $s row change" \
			grep -q "/proc/tcpstates: $s " /tmp/tour.out
	done
	snapshot
	expect_eq "$label: nothing but TIME_WAIT is left after the tour" \
		"$(echo "$M" | awk '$1 != "TIME_WAIT" && $2 + $3 > 0')" ""
}

# "OURS PEER" for each step of a tour's output FILE, in either language.
tour_ends() { # tour_ends FILE
	sed -n -e 's/^    us (kernel): \([A-Z_0-9]*\) *peer (lab): \([A-Z_0-9-]*\)$/\1 \2/p' \
		-e 's/^    我方（内核）：\([A-Z_0-9]*\) *对端（lab）：\([A-Z_0-9-]*\)$/\1 \2/p' "$1"
}

has_word() { # has_word TEXT WORD
	echo "$1" | grep -qw "$2"
}

# tour_checks LABEL FILE: both ends' states step by step, each of the 11
# states named where the tour passes through it, and, the rows of
# /proc/tcpstates aside, every line valid UTF-8 and at most 80 columns.
tour_checks() {
	expect_eq "$1: our end passes through every state in order" \
		"$(tour_ends "$2" | awk '{ printf "%s ", $1 }')" "$TOUR_STATES "
	expect_eq "$1: the peer passes through its states in order" \
		"$(tour_ends "$2" | awk '{ printf "%s ", $2 }')" "$TOUR_PEERS "
	ends=$(tour_ends "$2")
	for s in $STATES; do
		check "$1: names $s" has_word "$ends" "$s"
	done
	check "$1: valid UTF-8, no line wider than 80 columns" \
		sh -c "grep -v '^    /proc/tcpstates: ' $2 | $H/textwidth"
}

# diagram_checks LABEL FILE: a tour --diagram's output FILE has one
# diagram-check line per step, each with the highlighted state equal to the
# kernel's; each step's drawing marks our state as that line names it, the
# peer's as the tour goes, and from the second step on a transition.
diagram_checks() {
	steps=$(echo $TOUR_STATES | wc -w)
	expect_eq "$1: one diagram-check line per step" \
		"$(grep -c '^diagram-check ' "$2")/$(grep -c '^ *[0-9][0-9]*\. ' "$2")" "$steps/$steps"
	expect_eq "$1: the state highlighted for us is the kernel's at every step" \
		"$(awk '/^diagram-check / { split($3, h, "="); split($4, k, "=")
			if (h[2] != k[2]) print }' "$2")" ""
	expect_eq "$1: the states highlighted for us are the tour's" \
		"$(awk '/^diagram-check / { split($3, h, "="); printf "%s ", h[2] }' "$2")" \
		"$TOUR_STATES "
	# Marked in the drawing: >X< ours, [X] the peer's, {X} both, *label*.
	expect_eq "$1: each step's diagram marks both ends' states, and a transition" \
		"$(awk -v peers="$TOUR_PEERS" '
		function marks(re, s,   out) {
			while (match(s, re)) {
				out = substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
			return out
		}
		BEGIN { split(peers, peer, " ") }
		/^ *[0-9]+\. / { n++; ours = theirs = ""; moved = 0 }
		{
			m = marks(">[A-Z][A-Z_0-9]+<", $0); if (m != "") ours = m
			m = marks("[[][A-Z][A-Z_0-9]+[]]", $0); if (m != "") theirs = m
			m = marks("[{][A-Z][A-Z_0-9]+[}]", $0); if (m != "") ours = theirs = m
			if ($0 ~ /[*][a-z][^*]*[*]/) moved = 1
		}
		/^diagram-check / {
			split($3, h, "=")
			want = peer[n] == "-" ? "" : peer[n]
			if (ours != h[2] || theirs != want || (n > 1 && !moved))
				printf "step %d: ours %s, the peer %s, moved %d; ", n, ours, theirs, moved
		}' "$2")" ""
}

# The tour with OPTS: --lang zh, --diagram, or both.
lab_tour_opts_in_child() { # lab_tour_opts_in_child FAMILY OPTS...
	fam=$1
	shift
	label="lab tour --auto $* --family $fam"
	check "$label: exits 0" \
		sh -c "$LAB tour --auto --here --family $fam $* > /tmp/tour.opts 2>&1"
	case " $* " in
	*" zh "*) check "$label: in Chinese" grep -q '三次握手' /tmp/tour.opts ;;
	esac
	tour_checks "$label" /tmp/tour.opts
	case " $* " in
	*" --diagram "*) diagram_checks "$label" /tmp/tour.opts ;;
	esac
}

# The diagram alone: no network, no root; the same drawing in both
# languages, within 80 columns.
lab_diagram() {
	check "lab diagram: exit 0" sh -c "$LAB diagram > /tmp/diagram.en 2>&1"
	check "lab diagram --lang zh: exit 0" sh -c "$LAB diagram --lang zh > /tmp/diagram.zh 2>&1"
	for s in $STATES; do
		check "lab diagram: draws $s" grep -qw "$s" /tmp/diagram.en
	done
	check "lab diagram: valid UTF-8, no line wider than 80 columns" \
		$H/textwidth /tmp/diagram.en /tmp/diagram.zh
	expect_eq "lab diagram: the same drawing in both languages" \
		"$(head -n 28 /tmp/diagram.zh)" "$(head -n 28 /tmp/diagram.en)"
	check "lab diagram --lang zh: the legend in Chinese" grep -q '每个标注读作' /tmp/diagram.zh
	check "lab diagram: nothing highlighted" \
		sh -c "! head -n 28 /tmp/diagram.en | grep -qE '>[A-Z]|[[{][A-Z]|[*][a-z]'"
}

# The language: --lang anywhere, else LC_ALL, LC_MESSAGES, LANG in that
# order; what scripts read stays as it is.
lab_lang() {
	LANG=zh_CN.UTF-8 $LAB --help > /tmp/help.zh 2>&1
	check "LANG=zh_CN.UTF-8 lab --help: in Chinese" grep -q '^用法：tcpstates-lab' /tmp/help.zh
	$LAB --help --lang en > /tmp/help.en 2>&1
	check "lab --help, in English and Chinese: valid UTF-8, no line wider than 80 columns" \
		$H/textwidth /tmp/help.en /tmp/help.zh
	check "lab --help --lang en: English, whatever LANG says" \
		sh -c "LANG=zh_CN.UTF-8 $LAB --help --lang en | grep -q '^usage: tcpstates-lab'"
	check "LC_ALL=C wins over LANG=zh_CN.UTF-8" \
		sh -c "LC_ALL=C LANG=zh_CN.UTF-8 $LAB --help | grep -q '^usage: tcpstates-lab'"
	check "LC_MESSAGES=zh_CN.UTF-8: Chinese" \
		sh -c "LC_MESSAGES=zh_CN.UTF-8 $LAB --help | grep -q '^用法：tcpstates-lab'"
	check "lab --lang zh --help: Chinese" \
		sh -c "$LAB --lang zh --help | grep -q '^用法：tcpstates-lab'"
	for args in "bogus" "established -n 0" "tour --family 5" "--lang fr"; do
		# shellcheck disable=SC2086
		LANG=zh_CN.UTF-8 $LAB $args > /tmp/bad.out 2>&1
		rc=$?
		check "LANG=zh_CN.UTF-8 lab '$args': exit 2, the error and the usage in Chinese (got $rc)" \
			sh -c "[ $rc = 2 ] && grep -q '^tcpstates-lab: .*[^ -~]' /tmp/bad.out &&
				grep -q '^用法：tcpstates-lab' /tmp/bad.out && $H/textwidth /tmp/bad.out"
	done
}

# The uptime of the refresh of watch's output FILE that first marks the
# ESTABLISHED row's total changed ("1*"), or nothing.
watch_marked() { # watch_marked FILE
	awk '/^--- / { t = $(NF - 1) }
	$1 == "ESTABLISHED" && $2 ~ /^[0-9]+[*]$/ { print t; exit }' "$1"
}

# Watch's FILE has marked the change, or refreshed after uptime T.
watch_past() { # watch_past FILE T
	[ -n "$(watch_marked "$1")" ] ||
		awk -v t="$2" '/^--- / { last = $(NF - 1) } END { exit !(last > t) }' "$1"
}

no_escapes() { # no_escapes FILE
	! grep -q "$(printf '\033')" "$1"
}

# A student runs watch and makes a state with the lab in another terminal:
# the row moves, marked, within 2 s of the lab saying it is ready.
lab_watch_in_child() {
	label="lab watch --interval 1"
	run_bg /tmp/watch.out $LAB watch --interval 1 --count 600
	watch_pid=$BG_PID
	check "$label: shows the states table" \
		wait_for 60 grep -q '^ESTABLISHED ' /tmp/watch.out || { stop_sockets $watch_pid; return; }
	read -r t_start _ < /proc/uptime
	lab_start /tmp/lab.out ESTABLISHED --here --hold 600 ||
		{ not_ok "$label: the lab holds an ESTABLISHED socket"; stop_sockets $watch_pid; return; }
	read -r t_ready _ < /proc/uptime
	wait_for 60 watch_past /tmp/watch.out "$(awk -v t="$t_ready" 'BEGIN { print t + 2 }')"
	kill -INT $watch_pid
	wait $watch_pid
	rc=$?
	lab_stop
	# Marked before ready is no fault: the state came before the line.
	t_marked=$(watch_marked /tmp/watch.out)
	check "$label: marks the ESTABLISHED row changed within 2 s of ready (lab started at $t_start, ready at $t_ready, marked at ${t_marked:-never})" \
		awk -v m="$t_marked" -v s="$t_start" -v r="$t_ready" \
			'BEGIN { exit !(m != "" && m >= s && m <= r + 2) }'
	check "$label: Ctrl-C ends it with status 0 (got $rc)" [ "$rc" = 0 ]
	check "$label: no terminal escapes when stdout is a file" \
		no_escapes /tmp/watch.out
	$LAB watch --interval 1 --count 2 > /tmp/watch.out 2>&1
	rc=$?
	expect_eq "$label --count 2: exits 0 by itself after 2 refreshes, each the header and 11 rows" \
		"$rc $(grep -c '^--- .* refresh [0-9]* ' /tmp/watch.out) $(grep -c '^# state ' /tmp/watch.out) $(grep -cE '^[A-Z_0-9]+ +[0-9]' /tmp/watch.out)" \
		"0 2 2 22"
	check "$label --lang zh: says so in Chinese" \
		sh -c "$LAB watch --count 1 --lang zh | grep -q '^--- .* 第 1 次刷新 '"
}

lab_bad_args() {
	for args in "" "bogus" "established -n 0" "established -n 373" "established -n 3x" \
		"established --hold -1" "established --hold x" "tour --family 5" \
		"listen --backlog 0" "listen close_wait" "listen --bogus" \
		"watch --interval 0" "watch --interval x" "watch --count 0" \
		"diagram tour" "--lang fr"; do
		# shellcheck disable=SC2086
		$LAB $args > /tmp/bad.out 2>&1
		rc=$?
		check "lab '$args': exit 2 with a usage message (got $rc)" \
			sh -c "[ $rc = 2 ] && grep -q '^usage: tcpstates-lab' /tmp/bad.out"
	done
}

test_lab() {
	set_knob reset 1
	lab_bad_args
	lab_lang
	lab_diagram
	if [ -e /dev/net/tun ]; then
		skip "lab without tun says so plainly" "/dev/net/tun is already there"
	else
		$LAB LISTEN --here > /tmp/notun.out 2>&1
		rc=$?
		check "lab without tun: exit 1 and one plain line (got $rc)" \
			sh -c "[ $rc = 1 ] && [ \$(wc -l < /tmp/notun.out) = 1 ] && grep -q 'modprobe tun' /tmp/notun.out"
		# make check shows every diagnostic line: say that this message
		# is the one the case asks for, not a failure.
		diag "lab without tun, as expected: '$(cat /tmp/notun.out)'"
	fi
	check "tun loaded and /dev/net/tun there" need_tun || return
	# Each state and the tour in both families. The debug kernels run the
	# tour in IPv4 and no state alone: those test the lab, whose code is
	# the same on every kernel, and "all" below still makes every state
	# in both families there, for KASAN and KCSAN to watch the walk.
	for fam in $(sized "4 6" ""); do
		for st in $STATES; do
			in_netns "lab_state_in_child $st $fam"
		done
	done
	for fam in $(sized "4 6" 4); do
		in_netns "lab_tour_in_child $fam"
		# In Chinese, and with the diagram; on the debug kernels one
		# tour does both.
		for opts in $(sized "--lang:zh --diagram" "--diagram:--lang:zh"); do
			in_netns "lab_tour_opts_in_child $fam $(echo "$opts" | tr : ' ')"
		done
	done
	in_netns "lab_all_in_child 4"
	in_netns "lab_all_in_child 6"
	in_netns lab_private_in_child
	in_netns lab_hold_in_child
	in_netns lab_syn_flood_in_child
	in_netns lab_watch_in_child
}
