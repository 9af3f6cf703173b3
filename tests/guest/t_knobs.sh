# SPDX-License-Identifier: GPL-2.0
# Knobs: refusing bad input, filters against a filtered oracle, the netns
# rules, no torn filter sets, and knobs given at load time.

BAD=/suite/bad

# reject_all KNOB LIST: every value is refused and leaves the knob as it was.
reject_all() {
	knob=$1
	list=$2
	probe=${3:-$knob}
	before=$(cat $PARAMS/$probe)
	total=0 accepted=0 changed=0
	{
		cat "$BAD/$list"
		# 4 KiB values: digits, and a list too long to hold.
		awk 'BEGIN { for (i = 0; i < 4096; i++) printf "7"; print "" }'
		awk 'BEGIN { for (i = 0; i < 2048; i++) printf "1,"; print "" }'
	} > /tmp/bad.values
	while IFS= read -r v; do
		total=$((total + 1))
		if echo "$v" > $PARAMS/$knob 2>/dev/null; then
			accepted=$((accepted + 1))
			diag "$knob accepted '$v'"
		fi
		# read, not $(cat): no fork, which costs ~0.1 s on KASAN.
		read -r now < $PARAMS/$probe
		if [ "$now" != "$before" ]; then
			changed=$((changed + 1))
			diag "$knob changed by '$v'"
		fi
	done < /tmp/bad.values
	check "$knob: $total bad values refused with an error" \
		sh -c "[ $accepted -eq 0 ] && [ $total -ge 40 ]"
	expect_eq "$knob: $total bad values left $probe at '$before'" $changed 0
}

test_bad_input() {
	# Start from values that are not the defaults, so a reset would show.
	echo 7000-7100,22 > $PARAMS/lports
	echo 443 > $PARAMS/rports
	echo 192.0.2.0/24,2001:db8::/32 > $PARAMS/laddrs
	echo 198.51.100.0/24 > $PARAMS/raddrs
	echo LISTEN,TIME_WAIT > $PARAMS/states
	echo ipv6 > $PARAMS/family
	echo 3 > $PARAMS/top_ports
	echo 2 > $PARAMS/top_listeners
	echo N > $PARAMS/timers
	echo Y > $PARAMS/ages
	echo 5 > $PARAMS/list_sockets
	echo 4 > $PARAMS/top_destinations
	echo uid > $PARAMS/owners
	echo 7 > $PARAMS/top_owners
	for k in lports rports; do reject_all $k ports; done
	for k in laddrs raddrs; do reject_all $k addrs; done
	reject_all states states
	reject_all family family
	reject_all netns netns
	reject_all top_ports top_ports
	reject_all top_listeners top_ports
	reject_all top_destinations top_ports
	reject_all timers timers
	reject_all ages timers
	reject_all owners owners
	reject_all top_owners top_ports
	reject_all list_sockets list_sockets
	reject_all reset reset lports
	expect_eq "canonical forms read back" \
		"$(cat $PARAMS/lports $PARAMS/laddrs $PARAMS/states $PARAMS/timers | tr '\n' ' ')" \
		"7000-7100,22 192.0.2.0/24,2001:db8::/32 LISTEN,TIME_WAIT N "
	echo 192.0.2.77/24,2001:DB8:0:0::1/48 > $PARAMS/laddrs
	expect_eq "CIDRs are stored as networks, canonically" "$(cat $PARAMS/laddrs)" \
		"192.0.2.0/24,2001:db8::/48"
	echo time_wait,listen,LISTEN > $PARAMS/states
	expect_eq "state names are taken in any case and print in table order" \
		"$(cat $PARAMS/states)" "LISTEN,TIME_WAIT"
	# The values above used up the log's rate limit (pr_warn_ratelimited:
	# 10 lines per 5 s), so repeat the write until the limit lets a
	# line through, for 15 s at most.
	logged=$(logged_rejections)
	check "a bad value is logged with the knob and the reason" \
		wait_for 15 rejection_logged_after "$logged"
	echo 1 > $PARAMS/reset
	expect_eq "reset restores every default" \
		"$(awk '/^# filters/ { $1 = $2 = ""; print substr($0, 3) }' $PROC)" \
		"netns=self family=all states=all lports=all rports=all laddrs=all raddrs=all top_ports=0 top_listeners=0 top_destinations=0 timers=Y ages=N owners=off top_owners=5 list_sockets=0"
}

logged_rejections() {
	dmesg | grep -c 'tcpstates: laddrs: value rejected (prefix not in 0-32); laddrs unchanged'
}

# rejection_logged_after N: write a bad laddrs; true once the log holds
# more than N lines for it.
rejection_logged_after() {
	echo 10.1.2.0/33 > $PARAMS/laddrs 2>/dev/null
	[ "$(logged_rejections)" -gt "$1" ]
}

# Counts of /proc/net/tcp{,6} sockets matching an awk condition on
# "FAMILY STATE LPORT RPORT LADDRHEX RADDRHEX TR".
oracle_where() {
	oracle_sockets | awk -v states="$STATES" "($1) { if (\$1 == 4) v4[\$2]++; else v6[\$2]++ }"'
	END { n = split(states, o, " "); for (i = 1; i <= n; i++) print o[i], v4[o[i]] + 0, v6[o[i]] + 0 }'
}

# The oracle of the filter_case running.
filter_oracle() {
	oracle_where "$cond"
}

# filter_case DESC CONDITION KNOB=VALUE...
filter_case() {
	desc=$1
	cond=$2
	shift 2
	echo 1 > $PARAMS/reset
	for kv in "$@"; do
		echo "${kv#*=}" > "$PARAMS/${kv%%=*}" || not_ok "$desc: set $kv"
	done
	read_settled filter_oracle module_counts
	o1=$SETTLED_ORACLE
	expect_eq "filter $desc: every state and family equals /proc/net/tcp{,6} filtered alike" \
		"$SETTLED_SUBJECT" "$o1"
	check "filter $desc: the filtered oracle is not empty" \
		[ "$(echo "$o1" | awk '{ n += $2 + $3 } END { print n + 0 }')" -gt 0 ]
}

# inbound: a listener in the netns holds the local port.
oracle_inbound() {
	oracle_sockets | awk -v states="$STATES" '
	{ fam[NR] = $1; st[NR] = $2; lp[NR] = $3; if ($2 == "LISTEN") l[$3] = 1 }
	END {
		for (i = 1; i <= NR; i++) if (lp[i] in l) in_[st[i]]++
		n = split(states, o, " ")
		for (i = 1; i <= n; i++) print o[i], in_[o[i]] + 0
	}'
}

filters_in_child() {
	ip -6 addr add 2001:db8::1/128 dev lo
	start_sockets /tmp/filt.out 4:established:3:7010 5:established:4:7011 \
		6:established:2:7012 7:established:5:7013 4:time_wait:3:7040 \
		7:time_wait:2:7041 4:listen:2:7050 7:fin_wait2:3:7060 6:orphan:2:7070 ||
		{ not_ok "filter population ready"; return; }
	filter_case "family=ipv6" '$1 == 6' family=ipv6
	filter_case "family=ipv4" '$1 == 4' family=ipv4
	filter_case "states=ESTABLISHED,TIME_WAIT" '$2 == "ESTABLISHED" || $2 == "TIME_WAIT"' \
		states=ESTABLISHED,TIME_WAIT
	filter_case "lports=7010,7040-7041" '$3 == 7010 || ($3 >= 7040 && $3 <= 7041)' \
		lports=7010,7040-7041
	filter_case "rports=7011,7060" '$4 == 7011 || $4 == 7060' rports=7011,7060
	filter_case "laddrs=127.0.0.2/32" '$1 == 4 && $5 == "0200007F"' laddrs=127.0.0.2/32
	filter_case "raddrs=2001:db8::/32" '$1 == 6 && substr($6, 1, 8) == "B80D0120"' \
		raddrs=2001:db8::/32
	filter_case "laddrs=127.0.0.0/8,::1/128" \
		'($1 == 4 && substr($5, 7, 2) == "7F") || ($1 == 6 && $5 == "00000000000000000000000001000000")' \
		laddrs=127.0.0.0/8,::1/128
	filter_case "family=ipv4 states=ESTABLISHED lports=7011" \
		'$1 == 4 && $2 == "ESTABLISHED" && $3 == 7011' family=ipv4 states=ESTABLISHED lports=7011
	echo 1 > $PARAMS/reset

	expect_eq "inbound column: sockets whose local port has a listener" \
		"$(awk -v s="$STATES" 'BEGIN { n = split(s, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 } /^# state/ { for (i = 3; i <= NF; i++) if ($i == "inbound") c = i - 1 } ($1 in w) { print $1, $c }' $PROC)" \
		"$(oracle_inbound)"
	echo 3 > $PARAMS/top_ports
	expect_eq "top_ports=3: the 3 busiest local ports per state" \
		"$(module_top_ports)" "$(oracle_top_ports 3)"
	echo 1 > $PARAMS/reset
	stop_sockets $SOCKETS_PID
}

# This netns's counts, CLOSED aside, as /proc/net/tcp{,6} has them and as
# a reader without CAP_NET_ADMIN sees them.
own_counts() {
	oracle_counts | awk '$1 != "CLOSED"'
}

nocap_counts() {
	$H/nocap cat $PROC | module_counts - | awk '$1 != "CLOSED"'
}

# The netns knob widens the view only for a privileged reader in the
# initial netns.
test_netns_knob() {
	# unshare and sh exec: $child is the sockets helper, in its own netns.
	run_bg /tmp/nsk.out unshare -n sh -c \
		"ip link set lo up && exec $H/sockets 4:listen:7:9500 6:established:3:9510"
	child=$BG_PID
	wait_ready /tmp/nsk.out $child || { not_ok "netns knob: a child netns with sockets"; return; }
	inode=$(readlink /proc/$child/ns/net | tr -dc 0-9)
	child_counts=$(nsenter -t $child -n sh -c '. /suite/lib.sh; oracle_counts')

	echo all > $PARAMS/netns
	check "netns=all: the header says scope all" grep -q '^# tcpstates .* scope all ' $PROC
	expect_eq "netns=all: the child's line equals its /proc/net/tcp{,6}" \
		"$(awk -v n=$inode '$1 == "netns" && $2 == n { $1 = $2 = $3 = ""; print substr($0, 4) }' $PROC)" \
		"$(echo "$child_counts" | awk '{ printf "%s%d", (NR > 1 ? " " : ""), $2 + $3 }')"
	# One read for both sums: this netns need not stand still.
	cat $PROC > /tmp/nsk.all
	expect_eq "netns=all: the netns lines add up to the totals" \
		"$(awk '$1 == "netns" { t += $3 } END { print t }' /tmp/nsk.all)" \
		"$(awk -v s="$STATES" 'BEGIN { n = split(s, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 } ($1 in w) { t += $2 } END { print t }' /tmp/nsk.all)"
	expect_eq "netns=all: a reader in a child netns still sees only its own" \
		"$(nsenter -t $child -n sh -c '. /suite/lib.sh; module_counts')" "$child_counts"
	check "netns=all: the child reader's header says scope self" \
		nsenter -t $child -n grep -q 'scope self$' $PROC
	read_settled own_counts nocap_counts
	expect_eq "netns=all: a reader without CAP_NET_ADMIN sees only its own" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	check "netns=all: the unprivileged reader is told the knob was ignored" \
		sh -c "$H/nocap cat $PROC | grep -q '^# netns knob ignored'"

	echo "$inode" > $PARAMS/netns
	expect_eq "netns=<child inode>: counts equal the child's /proc/net/tcp{,6}" \
		"$(module_counts)" "$child_counts"
	echo 1 > $PARAMS/netns
	check "netns=<unknown inode>: the header says not-found" grep -q 'scope 1 not-found' $PROC
	echo 1 > $PARAMS/reset
	stop_sockets $child
}

# Two knobs flip between long values while readers loop: every filters
# line a reader sees must be one of the four sets the writers produce.
# Bounded by a count of reads, not by time, so that a slow (debug) kernel
# runs the same race: the writers write until the readers are done.
TORN_READS=$(sized 400 150)

torn_writer() { # torn_writer KNOB VALUE1 VALUE2: count in /tmp/torn.writes.KNOB
	n=0
	while [ ! -e /tmp/torn.stop ]; do
		echo "$2" > $PARAMS/$1
		echo "$3" > $PARAMS/$1
		n=$((n + 2))
	done
	echo $n > /tmp/torn.writes.$1
}

torn_reader() { # torn_reader N: "reads lports-seen states-seen" in /tmp/torn.reads.N
	n=0
	: > /tmp/torn.lines.$1
	while [ $n -lt $TORN_READS ]; do
		grep '^# filters' $PROC >> /tmp/torn.lines.$1
		n=$((n + 1))
	done
	# One fork a read above; the lines are looked at once they are all in.
	awk -v a="$a" -v b="$b" '
	function word(k,   i) { for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2) }
	{
		lp = word("lports"); st = word("states")
		if (lp == a) seen_a = 1
		else if (lp == b) seen_b = 1
		else if (lp != "all") print "lports: " lp > "/tmp/torn.bad.'$1'"
		if (st == "LISTEN,CLOSING") seen_l = 1
		else if (st == "SYN_SENT,ESTABLISHED,TIME_WAIT") seen_e = 1
		else if (st != "all") print "states: " st > "/tmp/torn.bad.'$1'"
	}
	END { print NR, seen_a + seen_b, seen_l + seen_e }' /tmp/torn.lines.$1 > /tmp/torn.reads.$1
}

test_torn() {
	a=$(seq -s, 1000 1031)
	b=$(seq 0 31 | awk '{ printf "%s%d-%d", (NR > 1 ? "," : ""), 2000 + $1 * 10, 2005 + $1 * 10 }')
	echo 1 > $PARAMS/reset
	rm -f /tmp/torn.stop /tmp/torn.writes.* /tmp/torn.reads.* /tmp/torn.bad.*
	torn_writer lports "$a" "$b" &
	w1=$!
	torn_writer states LISTEN,CLOSING ESTABLISHED,TIME_WAIT,SYN_SENT &
	w2=$!
	torn_reader 1 &
	r1=$!
	torn_reader 2 &
	r2=$!
	wait $r1 $r2
	touch /tmp/torn.stop
	wait $w1 $w2
	reads=$(($(awk '{ print $1 }' /tmp/torn.reads.1) + $(awk '{ print $1 }' /tmp/torn.reads.2)))
	writes=$(($(cat /tmp/torn.writes.lports) + $(cat /tmp/torn.writes.states)))
	expect_eq "knob writes under $reads reads: each reader saw both values of both knobs" \
		"$(cat /tmp/torn.reads.1 /tmp/torn.reads.2 | tr '\n' ' ')" \
		"$TORN_READS 2 2 $TORN_READS 2 2 "
	check "$writes knob writes under $reads reads: the writers kept up" [ "$writes" -ge "$reads" ]
	expect_eq "$writes knob writes under $reads reads: no read saw a torn filter set" \
		"$(cat /tmp/torn.bad.* 2> /dev/null | head -5)" ""
	echo 1 > $PARAMS/reset
	rm -f /tmp/torn.stop
}

test_load_time_knobs() {
	rmmod tcpstates
	check "insmod with knobs" insmod $KO lports=7010,22 family=ipv6 top_ports=2 timers=N states=listen
	expect_eq "knobs given at load time take effect" \
		"$(cat $PARAMS/lports $PARAMS/family $PARAMS/top_ports $PARAMS/timers $PARAMS/states | tr '\n' ' ')" \
		"7010,22 ipv6 2 N LISTEN "
	check "the header shows the load-time filters" \
		grep -q '^# filters netns=self family=ipv6 states=LISTEN lports=7010,22 ' $PROC
	rmmod tcpstates
	check "insmod with a bad knob fails" sh -c "! insmod $KO lports=99999 2>/dev/null"
	check "insmod with defaults again" insmod $KO
}

test_knobs() {
	test_bad_input
	in_netns filters_in_child
	test_netns_knob
	test_torn
	test_load_time_knobs
}
