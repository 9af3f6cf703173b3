# SPDX-License-Identifier: GPL-2.0
# The benchmark's guest side, run by the harness's PID 1 under busybox sh.
# scripts/bench reads the lines that start with "BENCH" from the console.
# Settings come from /suite/bench/params: PHASES (scale, hold, knobs, profile, ab),
# NS (socket counts, ascending), ROUNDS, ROUNDS_BIG (at 1M and more, while
# the per-socket tools run), READ_ROUNDS (the in-process reads, and the
# `cat` rounds past INFO_MAX_N, where only the modules' files are read),
# INFO_MAX_N (the per-socket tools run up to this N), PAIRS (loopback
# connections, after the scale, in a netns of their own), BATCHES, CHURN_SECS, PROBE_ROUNDS,
# PROBE_SECS (the transition probes' cost under churn), and for the hold
# phase HOLD_NS (connections on one port, ascending) and HOLD_ROUNDS, for
# the knobs phase KNOBS_N (sockets).

. /suite/lib.sh
. /suite/bench/params
B=/suite/bench
SS=/usr/bin/ss
NETSTAT=/usr/bin/netstat
COUNT_SS="$SS -tan | awk 'NR > 1 { c[\$1]++ } END { for (s in c) print s, c[s] }'"
COUNT_NETSTAT="$NETSTAT -tan | awk 'NR > 2 { c[\$6]++ } END { for (s in c) print s, c[s] }'"

say() { echo "BENCH $*"; }

setup_guest() {
	ip link set lo up
	insmod /lib/modules/tun.ko
	for m in inet_diag tcp_diag; do insmod /lib/modules/$m.ko; done
	insmod $KO
	case " $PHASES " in *" ab "*) insmod $B/tcpstates_b.ko ;; esac
	insmod $B/barewalk.ko
	say kernel "$(uname -r)" cpus "$(nproc)" mem_kib "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
	grep -q '^tcp_diag' /proc/modules && say ss_netlink yes || say ss_netlink no
	for t in "$SS -tan" "$NETSTAT -tan"; do
		$t > /tmp/t.out 2>&1 || { cat /tmp/t.out; say error "$t does not run"; exit 1; }
	done
}

# pop_start [ARGS]: a population builder fed by fd 3, ready for commands.
pop_start() {
	rm -f /tmp/pop.in
	mkfifo /tmp/pop.in
	run_bg /tmp/pop.out sh -c 'exec "$0" "$@" < /tmp/pop.in' $H/population "$@"
	POP=$BG_PID
	exec 3> /tmp/pop.in
	wait_ready /tmp/pop.out $POP || { say error population died; exit 1; }
}

# pop_quit: the builder gone, its sockets closed and its tun device removed.
pop_quit() {
	echo quit >&3
	exec 3>&-
	wait $POP
	wait_for 120 no_tsb0 || say error "tsb0 still there after the population quit"
}

no_tsb0() {
	! ip link show tsb0 > /dev/null 2>&1
}

# Send a command to the population builder and wait for its answer.
pop() { # pop COMMAND WORD: wait for the next line starting with WORD
	before=$(grep -c "^$2" /tmp/pop.out)
	echo "$1" >&3
	while [ "$(grep -c "^$2" /tmp/pop.out)" -le "$before" ]; do
		kill -0 $POP 2> /dev/null || { cat /tmp/pop.out; say error population died; exit 1; }
		sleep 0.2
	done
	grep "^$2" /tmp/pop.out | tail -n 1
}

# timeit N ROUNDS LABEL=CMD...: medians, and each run for the paired
# ratios, as BENCH lines
timeit() {
	n=$1
	r=$2
	shift 2
	$B/timeit -r "$r" "$@" > /tmp/timeit.out
	awk -v n="$n" '
	$1 == "run" { print "BENCH run", n, $2, $3, $4 }
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

# The transition probes' cost: the churn's rate on CPU 0 with them
# detached and attached, N Y Y N in each round so that a drift of the
# host's speed weighs on both alike; the ratio is each round's.
probe_cost() {
	r=1
	while [ $r -le "$PROBE_ROUNDS" ]; do
		for t in N Y Y N; do
			echo $t > $PARAMS/transitions
			rate=$(taskset -c 0 $B/churn "$PROBE_SECS" | awk '{ print $2 }')
			say probes "$t" "$r" "$rate"
		done
		r=$((r + 1))
	done
	echo Y > $PARAMS/transitions
}

phase_scale() {
	pop_start 0
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
		# All tools, alternated A B C ... A B C. The per-socket tools are
		# information, and slow: they run up to INFO_MAX_N. Past it a
		# round is three reads of the modules' files, as cheap as an
		# in-process round, and gets as many.
		set -- proc_net_tcp="cat /proc/net/tcp /proc/net/tcp6" \
			ss="$COUNT_SS" netstat="$COUNT_NETSTAT"
		if [ "$n" -gt "$INFO_MAX_N" ]; then
			set --
			r=$READ_ROUNDS
		fi
		timeit "$n" "$r" \
			tcpstates="echo 1 > $PARAMS/reset :: cat $PROC" \
			tcpstates_full="echo 1 > $PARAMS/reset; echo 10 > $PARAMS/top_ports; echo Y > $PARAMS/timers :: cat $PROC" \
			bare="echo 1 > $PARAMS/reset :: cat /proc/tcpstates_bare" \
			"$@"
		# The kernel's part alone: read in process, no fork or exec.
		pop refresh refreshed > /dev/null
		read_ratios "$n" "$READ_ROUNDS"
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
	probe_cost
	pop_quit
	measure_pairs
}

# The longest hold of a bind-bucket lock in one read, with every
# connection accepted on one port (192.0.2.1:20000; the children wait in
# the accept queue and own that port's bhash2 bucket from creation), for
# tcpstates and for the bare walk, which holds a bucket whole. The
# function_graph tracer patches only the walks' bind functions (the graph
# functions: tcpstates' per-bucket function, or its caller where it is
# inlined; bare_bind) and _raw_spin_lock_bh/_raw_spin_unlock_bh, so no
# probe runs inside a hold. A hold is the time from a lock call to the
# next unlock call on that CPU, lock acquisition included.
hold_tracefs() {
	T=/sys/kernel/tracing
	[ -e $T/trace ] || mount -t tracefs nodev $T 2> /dev/null
	[ -e $T/trace ] || T=/sys/kernel/debug/tracing
	[ -e $T/available_filter_functions ]
}

hold_traceable() { # hold_traceable FUNCTION
	grep -q "^$1\( \|$\)" $T/available_filter_functions
}

hold_trace() { # hold_trace FUNCTION...: graph FUNCTIONs and their lock calls
	echo 0 > $T/tracing_on
	echo nop > $T/current_tracer
	echo "$* _raw_spin_lock_bh _raw_spin_unlock_bh" > $T/set_ftrace_filter &&
		echo "$*" > $T/set_graph_function &&
		echo 2 > $T/max_graph_depth &&
		echo 1 > $T/options/funcgraph-abstime &&
		echo 0 > $T/options/funcgraph-irqs &&
		echo 16384 > $T/buffer_size_kb &&
		echo function_graph > $T/current_tracer
}

hold_untrace() {
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
	echo > $T/set_graph_function
}

# hold_read LABEL FILE N ROUND: read FILE once under the tracer; one BENCH
# line with its holds, the longest and the mean (us).
hold_read() {
	echo 1 > $PARAMS/reset
	echo > $T/trace
	echo 1 > $T/tracing_on
	cat "$2" > /tmp/hold.out
	echo 0 > $T/tracing_on
	grep -q 'LOST' $T/trace && say hold_error "the trace lost events"
	awk -v label="$1" -v n="$3" -v round="$4" -F '|' '
	NF < 3 || /^#/ { next }
	{
		t = $1 + 0
		cpu = $2
		sub(/\).*/, "", cpu)
		gsub(/ /, "", cpu)
	}
	$3 ~ /_raw_spin_lock_bh\(\)/ { start[cpu] = t; next }
	$3 ~ /_raw_spin_unlock_bh\(\)/ && (cpu in start) {
		d = (t - start[cpu]) * 1e6
		delete start[cpu]
		holds++
		sum += d
		if (d > max)
			max = d
	}
	END {
		printf "BENCH hold_read %s %s %s holds %d max_us %.0f mean_us %.1f\n",
		       n, label, round, holds, max, holds ? sum / holds : 0
	}' $T/trace
}

phase_hold() {
	if ! hold_tracefs; then
		say hold_error "no tracefs"
		return
	fi
	ts_fn=
	for f in ts_count_bound_bucket ts_count_bound; do
		hold_traceable $f && { ts_fn=$f; break; }
	done
	for f in "$ts_fn" bare_bind _raw_spin_lock_bh _raw_spin_unlock_bh; do
		if [ -z "$f" ] || ! hold_traceable "$f"; then
			say hold_error "cannot trace ${f:-the bind walk of tcpstates}"
			return
		fi
	done
	say hold_trace "$ts_fn" bare_bind
	pop_start -1 0
	have=0
	for n in $HOLD_NS; do
		line=$(pop "add est $((n - have))" built)
		have=$n
		say hold_build "$n" "$line"
		# The kernel's view: 192.0.2.1:20000 by state, every ESTABLISHED.
		awk -v n="$n" 'FNR > 1 {
			if ($4 == "01")
				est++
			if ($2 == "010200C0:4E20")
				c[$4]++
		}
		END {
			printf "BENCH hold_port %s est %d listen %d time_wait %d syn_recv %d all_est %d\n",
			       n, c["01"], c["0A"], c["06"], c["03"], est
		}' /proc/net/tcp /proc/net/tcp6 > /tmp/hold.port
		cat /tmp/hold.port
		echo 1 > $PARAMS/reset
		m=$(awk '$1 == "ESTABLISHED" { print $2 }' $PROC)
		o=$(awk '{ print $NF }' /tmp/hold.port)
		say hold_exact "$n" "$m" "$o" "$([ "$m" = "$o" ] && echo yes || echo no)"

		hold_trace "$ts_fn" bare_bind || { say hold_error "cannot set up the tracer"; break; }
		for r in $(seq "$HOLD_ROUNDS"); do
			hold_read tcpstates $PROC "$n" "$r"
			hold_read bare /proc/tcpstates_bare "$n" "$r"
			say hold_bare "$n" "$r" $(awk '/^# ehash/ {
				for (i = 2; i < NF; i++)
					if ($i ~ /^bind_/)
						printf "%s %s ", $i, $(i + 1)
			}' /tmp/hold.out)
		done
		hold_untrace
	done
	pop_quit
}

# read_ratios N ROUNDS: the kernel's part of each view and of the bare walk.
read_ratios() {
	timeit "$1" "$2" \
		tcpstates_read="echo 1 > $PARAMS/reset :: @read $PROC" \
		tcpstates_full_read="echo 10 > $PARAMS/top_ports :: @read $PROC" \
		tcpstates_notimers_read="echo 1 > $PARAMS/reset; echo N > $PARAMS/timers :: @read $PROC" \
		bare_read="echo 1 > $PARAMS/reset :: @read /proc/tcpstates_bare"
	set_knob reset 1
}

# The opt-in knobs' cost: each knob alone on the default view, then all
# at once, against the bare walk and the default view, read in process,
# alternated round by round. owners=cgroup only where the kernel takes it.
phase_knobs() {
	pop_start 0
	say build "$KNOBS_N" "$(pop "grow $KNOBS_N" built)"
	pop refresh refreshed > /dev/null
	snapshot
	total=$(echo "$M" | awk '{ t += $2 + $3 } END { print t }')
	say exact "$KNOBS_N" "$total" "$([ "$M" = "$O1" ] && echo yes || echo no)"
	cgroup=
	if echo cgroup > $PARAMS/owners 2> /dev/null; then
		cgroup="knob_owners_cgroup_read=echo 1 > $PARAMS/reset; echo cgroup > $PARAMS/owners :: @read $PROC"
	fi
	set_knob reset 1
	all="echo 10 > $PARAMS/top_ports; echo 10 > $PARAMS/top_listeners"
	all="$all; echo 10 > $PARAMS/top_destinations; echo Y > $PARAMS/ages; echo uid > $PARAMS/owners"
	pop refresh refreshed > /dev/null
	timeit "$KNOBS_N" "$READ_ROUNDS" \
		tcpstates_read="echo 1 > $PARAMS/reset :: @read $PROC" \
		knob_top_ports_read="echo 1 > $PARAMS/reset; echo 10 > $PARAMS/top_ports :: @read $PROC" \
		knob_top_listeners_read="echo 1 > $PARAMS/reset; echo 10 > $PARAMS/top_listeners :: @read $PROC" \
		knob_top_destinations_read="echo 1 > $PARAMS/reset; echo 10 > $PARAMS/top_destinations :: @read $PROC" \
		knob_ages_read="echo 1 > $PARAMS/reset; echo Y > $PARAMS/ages :: @read $PROC" \
		knob_owners_uid_read="echo 1 > $PARAMS/reset; echo uid > $PARAMS/owners :: @read $PROC" \
		${cgroup:+"$cgroup"} \
		knob_all_read="echo 1 > $PARAMS/reset; $all :: @read $PROC" \
		bare_read="echo 1 > $PARAMS/reset :: @read /proc/tcpstates_bare"
	set_knob reset 1
	pop_quit
}

# 20,000 connections over loopback: 40,000 ESTABLISHED sockets, both ends
# of each pair here, as a user would first try it.
# In a netns of its own, with an ehash of its own (65,536 buckets, as a
# user's thash_entries=65536 gave), so that what the scale left behind,
# such as the churn's TIME_WAIT, is neither counted nor walked.
measure_pairs() {
	echo 65536 > /proc/sys/net/ipv4/tcp_child_ehash_entries
	unshare -n sh $B/bench.sh pairs
	echo 0 > /proc/sys/net/ipv4/tcp_child_ehash_entries
}

# The pairs, in the netns this runs in.
count_pairs() {
	ip link set lo up
	ulimit -n 100000
	start_sockets /tmp/pairs.out 4:established:$PAIRS:9000 ||
		{ say error "the loopback pairs did not come up"; return; }
	snapshot
	total=$(echo "$M" | awk '{ t += $2 + $3 } END { print t }')
	say pairs_exact "$PAIRS" "$total" "$([ "$M" = "$O1" ] && echo yes || echo no)"
	read_ratios "pairs$PAIRS" "$READ_ROUNDS" |
		sed 's/^BENCH time /BENCH pairs_time /; s/^BENCH run /BENCH pairs_run /'
	stop_sockets $SOCKETS_PID
}

# A profile, not a benchmark: under -icount the guest's clock counts
# instructions, so these times are instruction counts (1 ns each), stable
# from run to run; then where a read spends them, by perf.
phase_profile() {
	pop_start 0
	for n in $NS; do
		say build "$n" "$(pop "grow $n" built)"
		pop refresh refreshed > /dev/null
		snapshot
		say exact "$n" "$([ "$M" = "$O1" ] && echo yes || echo no)"
		read_ratios "$n" 5
		for f in $PROC /proc/tcpstates_bare; do
			/usr/bin/perf record -e cpu-clock -F 4000 -o /tmp/perf.data -- \
				$B/timeit -r 60 t="@read $f" > /dev/null 2> /tmp/perf.err ||
				{ cat /tmp/perf.err; continue; }
			/usr/bin/perf report -i /tmp/perf.data --stdio --sort sym 2> /dev/null |
				awk -v f="$f" '/^ *[0-9.]+%/ && $1 + 0 >= 0.3 { print "BENCH profile", f, $1, $NF }'
		done
	done
	pop_quit
}

# Two builds of the module side by side (BENCH_AB): this checkout's, and
# tcpstates_b, each with and without timers, against the bare walk, read in
# process and alternated round by round in one guest, so that what one boot
# or one moment of the host does to the times falls on both alike.
phase_ab() {
	PB=/sys/module/tcpstates_b/parameters
	pop_start 0
	for n in $NS; do
		say build "$n" "$(pop "grow $n" built)"
		pop refresh refreshed > /dev/null
		snapshot
		read_settled oracle_counts "module_counts /proc/tcpstates_b"
		say exact "$n" "$([ "$M" = "$O1" ] && echo yes || echo no)" \
			"$([ "$SETTLED_SUBJECT" = "$SETTLED_ORACLE" ] && echo yes || echo no)"
		timeit "$n" "$READ_ROUNDS" \
			a_read="echo 1 > $PARAMS/reset :: @read $PROC" \
			b_read="echo 1 > $PB/reset :: @read /proc/tcpstates_b" \
			a_notimers_read="echo 1 > $PARAMS/reset; echo N > $PARAMS/timers :: @read $PROC" \
			b_notimers_read="echo 1 > $PB/reset; echo N > $PB/timers :: @read /proc/tcpstates_b" \
			bare_read="echo 1 > $PARAMS/reset :: @read /proc/tcpstates_bare"
		set_knob reset 1
		echo 1 > $PB/reset
	done
	pop_quit
}

if [ "${1:-}" = pairs ]; then
	count_pairs
	exit 0
fi

setup_guest
for phase in $PHASES; do
	phase_$phase
done

bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|rcu.*stall|soft lockup|hard LOCKUP|blocked for more than|scheduling while atomic|sleeping function called')
if [ -z "$bad" ]; then
	say dmesg clean
else
	say dmesg dirty
	echo "$bad" | sed 's/^/# dmesg: /'
fi
say done
