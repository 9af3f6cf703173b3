# SPDX-License-Identifier: GPL-2.0
# The benchmark's guest side, run by the harness's PID 1 under busybox sh.
# scripts/bench reads the lines that start with "BENCH" from the console.
# Settings come from /suite/bench/params: NS (socket counts, ascending),
# ROUNDS, ROUNDS_BIG (at 1M and more), BATCHES, CHURN_SECS.

. /suite/lib.sh
. /suite/bench/params
B=/suite/bench
SS=/usr/bin/ss
NETSTAT=/usr/bin/netstat
COUNT_SS="$SS -tan | awk 'NR > 1 { c[\$1]++ } END { for (s in c) print s, c[s] }'"
COUNT_NETSTAT="$NETSTAT -tan | awk 'NR > 2 { c[\$6]++ } END { for (s in c) print s, c[s] }'"

say() { echo "BENCH $*"; }

ip link set lo up
insmod /lib/modules/tun.ko
for m in inet_diag tcp_diag; do insmod /lib/modules/$m.ko; done
insmod $KO
insmod $B/barewalk.ko
say kernel "$(uname -r)" cpus "$(nproc)" mem_kib "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
grep -q '^tcp_diag' /proc/modules && say ss_netlink yes || say ss_netlink no
for t in "$SS -tan" "$NETSTAT -tan"; do
	$t > /tmp/t.out 2>&1 || { cat /tmp/t.out; say error "$t does not run"; exit 1; }
done

mkfifo /tmp/pop.in
$H/population 0 < /tmp/pop.in > /tmp/pop.out 2> /tmp/pop.err &
POP=$!
exec 3> /tmp/pop.in
while ! grep -q '^ready' /tmp/pop.out; do
	kill -0 $POP 2> /dev/null || { cat /tmp/pop.err; say error population died; exit 1; }
	sleep 0.2
done

# Send a command to the population builder and wait for its answer.
pop() { # pop COMMAND WORD: wait for the next line starting with WORD
	before=$(grep -c "^$2" /tmp/pop.out)
	echo "$1" >&3
	while [ "$(grep -c "^$2" /tmp/pop.out)" -le "$before" ]; do
		kill -0 $POP 2> /dev/null || { cat /tmp/pop.err; say error population died; exit 1; }
		sleep 0.2
	done
	grep "^$2" /tmp/pop.out | tail -n 1
}

timeit() { # timeit N ROUNDS LABEL=CMD...: medians as BENCH lines
	n=$1
	r=$2
	shift 2
	$B/timeit -r "$r" "$@" > /tmp/timeit.out
	awk -v n="$n" '
	$1 == "median" { print "BENCH time", n, $2, $3, $4, $5 }
	$1 == "mem" { print "BENCH mem", n, $2, $3 }' /tmp/timeit.out
}

readers() { # readers COMMAND CPU: two reader loops until /tmp/stop exists
	rm -f /tmp/stop
	RPIDS=
	for i in 1 2; do
		if [ -n "$2" ]; then
			taskset -c "$2" sh -c "while [ ! -e /tmp/stop ]; do $1 > /dev/null; done" &
		else
			sh -c "while [ ! -e /tmp/stop ]; do $1 > /dev/null; done" &
		fi
		RPIDS="$RPIDS $!"
	done
	sleep 1
}

stop_readers() {
	touch /tmp/stop
	for p in $RPIDS; do wait "$p"; done
}

churn() { # churn LABEL READERS_CMD PIN
	[ -n "$2" ] && readers "$2" "$([ -n "$3" ] && echo 1)"
	if [ -n "$3" ]; then
		rate=$(taskset -c 0 $B/churn "$CHURN_SECS" | awk '{ print $2 }')
	else
		rate=$($B/churn "$CHURN_SECS" | awk '{ print $2 }')
	fi
	[ -n "$2" ] && stop_readers
	say churn "$1" "${3:-unpinned}" "$rate"
}

for n in $NS; do
	line=$(pop "grow $n" built)
	say build "$n" "$line"
	pop refresh refreshed > /dev/null
	snapshot
	total=$(echo "$M" | awk '{ t += $2 + $3 } END { print t }')
	if [ "$M" = "$O1" ]; then
		say exact "$n" "$total" yes
	else
		say exact "$n" "$total" no
		echo "$M" | sed 's/^/# tcpstates: /'
		echo "$O1" | sed 's/^/# proc:      /'
	fi
	echo "$M" | awk -v n="$n" '{ printf "BENCH state %s %s %s %s\n", n, $1, $2, $3 }'
	cat /proc/tcpstates_bare | sed "s/^/# bare: /"
	if [ "$n" -le 100000 ]; then
		eval "$COUNT_SS" | sed "s/^/# ss: /"
	fi

	r=$ROUNDS
	[ "$n" -ge 1000000 ] && r=$ROUNDS_BIG
	pop refresh refreshed > /dev/null
	set_knob reset 1
	# All tools, alternated A B C ... A B C.
	timeit "$n" "$r" \
		tcpstates="echo 1 > $PARAMS/reset :: cat $PROC" \
		tcpstates_full="echo 1 > $PARAMS/reset; echo 10 > $PARAMS/top_ports; echo Y > $PARAMS/timers :: cat $PROC" \
		bare="echo 1 > $PARAMS/reset :: cat /proc/tcpstates_bare" \
		proc_net_tcp="cat /proc/net/tcp /proc/net/tcp6" \
		ss="$COUNT_SS" \
		netstat="$COUNT_NETSTAT"
	# The kernel's part alone: read in process, no fork or exec.
	pop refresh refreshed > /dev/null
	timeit "$n" "$ROUNDS" \
		tcpstates_read="echo 1 > $PARAMS/reset :: @read $PROC" \
		tcpstates_full_read="echo 10 > $PARAMS/top_ports :: @read $PROC" \
		tcpstates_notimers_read="echo 1 > $PARAMS/reset; echo N > $PARAMS/timers :: @read $PROC" \
		bare_read="echo 1 > $PARAMS/reset :: @read /proc/tcpstates_bare"
	# Memory while reading: the largest drop of MemFree below idle.
	timeit "$n" 3 -m \
		tcpstates_m="echo 1 > $PARAMS/reset :: cat $PROC" \
		tcpstates_full_m="echo 10 > $PARAMS/top_ports :: cat $PROC" \
		bare_m="echo 1 > $PARAMS/reset :: cat /proc/tcpstates_bare"
	set_knob reset 1
	say slab "$n" "$(awk '/^Slab:/ { print $2 }' /proc/meminfo)"
done

# The longest RCU read-side section of the bare walk, per batch size in
# buckets with no limit on entries, then tcpstates' setting (256 buckets,
# at most 1024 entries) and its neighbours.
pop refresh refreshed > /dev/null
for be in $BATCHES 256/256 256/1024 256/4096; do
	b=${be%/*}
	e=0
	[ "$b" != "$be" ] && e=${be#*/}
	echo "$b" > /sys/module/barewalk/parameters/batch
	echo "$e" > /sys/module/barewalk/parameters/entries
	for i in 1 2 3; do
		say batch "$be" "$(awk '/^# ehash/ { print $3, $9, $13, $15, $7 }' /proc/tcpstates_bare)"
	done
done
echo 256 > /sys/module/barewalk/parameters/batch
echo 1024 > /sys/module/barewalk/parameters/entries

# Connection churn with no reader, with tcpstates readers, with ss readers:
# all on both CPUs, then churn on CPU 0 and the readers on CPU 1.
for pin in "" 1; do
	pop refresh refreshed > /dev/null
	churn none "" "$pin"
	churn tcpstates "cat $PROC" "$pin"
	churn ss "$SS -tan" "$pin"
done

bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|rcu.*stall|soft lockup|hard LOCKUP|blocked for more than|scheduling while atomic|sleeping function called')
if [ -z "$bad" ]; then
	say dmesg clean
else
	say dmesg dirty
	echo "$bad" | sed 's/^/# dmesg: /'
fi
echo quit >&3
say done
