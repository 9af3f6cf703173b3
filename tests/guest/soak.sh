# SPDX-License-Identifier: GPL-2.0
# The soak (make soak, scripts/soak): run by the harness's PID 1 under
# busybox sh instead of the suite, for tcpstates.soak_seconds= seconds of
# activity (default 600). All of it at once, each in a worker of its own:
#
#   lab      tcpstates-lab through every state and `all`, both families,
#            -n 3 --hold 2, alternately here (init netns) and in its own netns
#   pop      the population builder (tcpstates.soak_sockets= sockets, default
#            2000, alternately all and half of them) in a fresh netns per
#            cycle; each stands 20 s and until the next one is ready,
#            then goes with its netns
#   netns    create a netns with its own ehash (tcp_child_ehash_entries
#            256, 1024, 4096) or the shared one (0), sockets in five states,
#            read /proc/tcpstates inside, destroy it
#   writer   every knob through good values (read back in canonical form)
#            and bad ones (refused, value unchanged)
#   reload   rmmod and insmod every 30 s, every other time with load-time
#            knobs
#   readers  default: whole reads; list: whole reads of the listing, inside
#            the population's netns; all: whole reads; byte: 1-byte reads
#            (dd bs=1) of one file held open across reads and reloads
#
# The knobs are global, so the readers' views and the knob writer share
# them in time: only the writer writes them, in rounds. A round is a view
# phase, where the writer sets the next of three views (default: every knob
# at its default; list: list_sockets=100000; all: netns=all) and holds it
# until that view's reader has finished two reads in it (at most 120 s),
# then a burst through every knob's good and bad values, under which every
# reader keeps reading whatever view is current. A reload puts every
# knob back to its defaults or to the load-time knobs, whichever the
# reloader gave. Every read, whatever its view, must be well-formed: the
# header, all 11 states in order with total = ipv4 + ipv6 = inbound +
# outbound (one walk, so exact even under churn), netns lines adding up to
# the states under netns=all, at most list_sockets socket lines. The
# figures say how many reads each reader made in its own view.
#
# Reads and writes race the reloader on purpose. A seqcount ($S/gen, odd
# while the module is being reloaded) tells a failure the reload explains
# (a read or write that saw the count change) from one it does not (a
# failure).
#
# Checkpoints, several per run: every worker stops at its next safe point
# (the lab then holds `all -n 2` here, the population stays up), the knobs
# are reset, and then:
#   - counts: compare_states (lib.sh) in the init netns and in the
#     population's netns, and the population's netns=all line against its
#     /proc/net/tcp{,6};
#   - slab: every tcpstates file is closed, so the module holds only its
#     knob set. The figure is the live kmalloc objects whose allocation
#     stack passes through tcpstates code, this load's or an unloaded one's
#     (whose text module_slab knows from /proc/modules), read from SLUB's
#     own per-cache allocation traces (/sys/kernel/debug/slab/kmalloc-*/
#     alloc_traces, which scripts/soak turns on with slub_debug=U,kmalloc-*).
#     That counts the module's own objects exactly, where /proc/slabinfo
#     totals move with every socket and netns of the churn (they are shown,
#     not judged). The baseline is the module loaded and reset; each
#     checkpoint must come back to it: no growth, whatever the reloads,
#     reads and writes since (kfree_rcu() frees lag a grace period and a
#     batch: waited for, 60 s at most). Allocations above 8 KiB (a reader's
#     buffers, the per-port arrays) bypass the slab caches;
#     /proc/vmallocinfo covers their vmalloc fallback, kmemleak the rest.
# At the end: the last checkpoint, every worker stopped, the module
# unloaded with no object of it left in the kmalloc caches, kmemleak
# scanned where the kernel has it, and the guest suite's dmesg check.

. /suite/lib.sh
for t in /suite/t_*.sh; do
	# shellcheck disable=SC1090
	. "$t"
done

S=/tmp/soak
LAB=$H/tcpstates-lab
RELOAD_PERIOD=30
POP_HOLD=20
VIEW_WAIT=120
PAUSE_WAIT=600
DEFAULT_FILTERS="netns=self family=all states=all lports=all rports=all laddrs=all raddrs=all top_ports=0 top_listeners=0 top_destinations=0 timers=Y ages=N owners=off top_owners=5 list_sockets=0"
WORKERS="lab pop netns writer reload r_default r_list r_all r_byte"
# The writer's plans separate fields with ^A: a bad value may hold tabs.
SEP=$(printf '\001')

SOAK_SECONDS=$(cmdline_arg tcpstates.soak_seconds)
SOAK_SECONDS=${SOAK_SECONDS:-600}
POP_N=$(cmdline_arg tcpstates.soak_sockets)
POP_N=${POP_N:-2000}

# now: NOW, whole seconds since boot, as now_s prints them, set without a
# subshell for the workers' loops.
now() {
	read -r NOW_U _ < /proc/uptime
	NOW=${NOW_U%.*}
}

# now_cs: NOW_CS, hundredths of a second since boot.
now_cs() {
	read -r NOW_U _ < /proc/uptime
	NOW_CS=$((${NOW_U%.*} * 100 + 1${NOW_U#*.} - 100))
}

# A worker runs until the coordinator says stop, and never past HARD_END.
alive() {
	now
	[ ! -e $S/stop ] && [ "$NOW" -lt "$HARD_END" ]
}

# pause_point NAME: at a checkpoint (the number in $S/pause), say so in
# $S/paused.NAME and wait until it is over.
pause_point() {
	[ -e $S/pause ] || return 0
	said=
	while alive; do
		read -r pk 2>/dev/null < $S/pause || break
		if [ -n "$pk" ] && [ "$pk" != "$said" ]; then
			echo "$pk" > $S/paused.$1
			said=$pk
		fi
		sleep 0.1
	done
	rm -f $S/paused.$1
}

# A problem a worker saw, shown under the TAP line that fails for it.
problem() { # problem NAME TEXT
	echo "$2" >> $S/problems.$1
}

# The reload seqcount: even and unchanged across an operation means no
# reload touched it.
gen() {
	read -r GEN 2>/dev/null < $S/gen || GEN=x
}

stable() { # stable GEN_BEFORE GEN_AFTER
	[ "$1" = "$2" ] && [ "$1" != x ] && [ $(($1 % 2)) -eq 0 ]
}

# check_read FILE: one complete read of /proc/tcpstates; prints its view
# (default, list, all or other) and its socket lines, or "bad: WHY".
check_read() {
	awk -v states="$STATES" -v def="$DEFAULT_FILTERS" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) idx[o[i]] = i; want = 1 }
	NR == 1 && !($1 == "#" && $2 == "tcpstates") { bad = "the first line is not the header" }
	$1 == "#" && $2 == "tcpstates" { scope = $7 }
	$1 == "#" && $2 == "filters" { f = $0; sub(/^# filters /, "", f) }
	$1 == "#" && $2 == "sockets," { hdr = 1 }
	$1 in idx {
		if (idx[$1] != want && !bad) bad = $1 " out of order"
		want++
		if ($2 != $3 + $4 && !bad) bad = $0 ": total is not ipv4 + ipv6"
		if ($2 != $5 + $6 && !bad) bad = $0 ": total is not inbound + outbound"
		total += $2
	}
	$1 == "netns" { nstotal += $3 }
	$1 == "socket" { socks++ }
	END {
		if (!bad && f == "") bad = "no filters line"
		if (!bad && want != 12) bad = (want - 1) " state lines"
		if (!bad && scope == "all" && nstotal != total)
			bad = "netns lines add up to " nstotal ", the states to " total
		k = f
		sub(/.*list_sockets=/, "", k)
		if (!bad && k + 0 > 0 && !hdr) bad = "list_sockets=" k " but no sockets header"
		if (!bad && socks > k + 0) bad = socks " socket lines for list_sockets=" k
		if (bad) { print "bad: " bad; exit }
		v = f == def ? "default" : scope == "all" ? "all" : k == 100000 ? "list" : "other"
		print v, socks + 0
	}' "$1"
}

# --- readers -----------------------------------------------------------

# reader NAME VIEW: whole reads in a loop; r_list reads inside the
# population's netns when there is one.
reader() {
	name=$1 view=$2
	reads=0 own=0 refused=0 bad=0 gone=0 most=0
	while alive; do
		pause_point $name
		gen
		g1=$GEN
		pid=
		[ $name = r_list ] && read -r pid 2>/dev/null < $S/pop.pid
		if [ -n "$pid" ]; then
			nsenter -t "$pid" -n cat $PROC > $S/$name.out 2> $S/$name.err
		else
			cat $PROC > $S/$name.out 2> $S/$name.err
		fi
		rc=$?
		gen
		if [ $rc -ne 0 ]; then
			# nsenter's own failure: the population (now a zombie,
			# or gone) ended under us.
			if [ -n "$pid" ] && grep -q '^nsenter:' $S/$name.err; then
				gone=$((gone + 1))
			elif stable "$g1" "$GEN" && [ -d $PARAMS ]; then
				bad=$((bad + 1))
				problem $name "a read failed with the module loaded: $(cat $S/$name.err)"
			else
				refused=$((refused + 1))
			fi
		else
			reads=$((reads + 1))
			res=$(check_read $S/$name.out)
			case $res in
			bad:*)
				bad=$((bad + 1))
				problem $name "$res"
				cp $S/$name.out $S/$name.bad.$bad 2>/dev/null
				;;
			"$view "*)
				own=$((own + 1))
				n=${res#* }
				[ "$n" -gt "$most" ] && most=$n
				;;
			esac
		fi
		echo "reads $reads own $own refused $refused bad $bad gone $gone most $most" > $S/stat.$name
	done
}

# r_byte: one open file read one byte per read(), 512 bytes per dd, so the
# file stays open across many reads, knob writes and reloads; reopened at
# its end, when a reload cut it, and at checkpoints (which need every
# file closed).
byte_reader() {
	files=0 cut=0 bytes=0 bad=0 open=0 refused=0
	while alive; do
		if [ -e $S/pause ]; then
			[ $open = 1 ] && exec 3<&-
			open=0
			pause_point r_byte
		fi
		if [ $open = 0 ]; then
			gen
			bg1=$GEN
			# command: a failed redirection must not end the shell
			# (nor, while the module is out, say so on the console).
			exec 4>&2 2> /dev/null
			command exec 3< $PROC
			orc=$?
			exec 2>&4 4>&-
			if [ $orc = 0 ]; then
				open=1
				: > $S/r_byte.out
			else
				refused=$((refused + 1))
				continue
			fi
		fi
		dd bs=1 count=512 <&3 >> $S/r_byte.out 2> $S/r_byte.err
		rc=$?
		n=$(sed -n 's/^\([0-9]*\)+0 records in$/\1/p' $S/r_byte.err)
		bytes=$((bytes + ${n:-0}))
		gen
		if [ $rc -ne 0 ]; then
			exec 3<&-
			open=0
			if stable "$bg1" "$GEN" && [ -d $PARAMS ]; then
				bad=$((bad + 1))
				problem r_byte "a 1-byte read failed with the module loaded: $(cat $S/r_byte.err)"
			else
				cut=$((cut + 1))
			fi
		elif [ "${n:-0}" -eq 0 ]; then
			exec 3<&-
			open=0
			files=$((files + 1))
			res=$(check_read $S/r_byte.out)
			case $res in
			bad:*)
				bad=$((bad + 1))
				problem r_byte "$res"
				;;
			esac
		fi
		echo "files $files bytes $bytes cut $cut refused $refused bad $bad" > $S/stat.r_byte
	done
	[ $open = 1 ] && exec 3<&-
}

# --- churn ------------------------------------------------------------

# lab_worker: every state and `all`, both families, here and in a netns of
# the lab's own. At a checkpoint it holds `all -n 2` here.
lab_worker() {
	li=0 runs=0 fails=0 socks=0
	while alive; do
		if [ -e $S/pause ]; then
			if lab_start $S/lab.hold all -n 2 --hold 600 --here; then
				pause_point lab
				lab_stop
			else
				problem lab "the checkpoint's lab did not get ready"
				pause_point lab
			fi
			continue
		fi
		set -- $STATES all
		shift $((li % 12))
		st=$1
		fam=
		[ $((li / 12 % 2)) = 1 ] && fam=-6
		# Every other run here, the other half shifting every two
		# passes: each state and family both ways in four passes.
		here=
		[ $(((li + li / 24) % 2)) = 0 ] && here=--here
		# shellcheck disable=SC2086
		if $LAB "$st" -n 3 --hold 2 $fam $here > $S/lab.out 2>&1; then
			runs=$((runs + 1))
			n=$(awk '$1 == "held" { n += $3 } END { print n + 0 }' $S/lab.out)
			socks=$((socks + n))
		else
			fails=$((fails + 1))
			problem lab "lab $st $fam $here: $(tail -n 2 $S/lab.out | tr '\n' ' ')"
		fi
		li=$((li + 1))
		echo "runs $runs fails $fails sockets $socks" > $S/stat.lab
	done
}

# pop_worker: a population in a fresh netns per cycle, built while the
# last one still stands, which then goes with its netns: one is up nearly
# all the time, for r_list and for the checkpoints, which compare it. A
# checkpoint that comes while the next one is being built cuts it short.
pop_worker() {
	cycles=0 socks=0 fails=0 cut=0 cur='' tries=0
	while alive; do
		if [ -e $S/pause ] && [ -n "$cur" ]; then
			pause_point pop
			continue
		fi
		n=$POP_N
		[ $((cycles % 2)) = 1 ] && n=$((POP_N / 2))
		# Each its own output: the one standing still holds its file.
		out=$S/pop.$((tries % 2)).out
		tries=$((tries + 1))
		run_bg $out unshare -n sh -c "ip link set lo up; exec $H/population $n"
		next=$BG_PID
		ready=0
		now
		until_t=$((NOW + 600))
		while alive && [ "$NOW" -lt $until_t ] && kill -0 $next 2>/dev/null; do
			grep -q '^ready' $out && ready=1 && break
			[ -e $S/pause ] && [ -n "$cur" ] && ready="cut" && break
			sleep 0.2
			now
		done
		if [ $ready = 1 ]; then
			echo $next > $S/pop.pid
			if [ -n "$cur" ]; then
				kill $cur
				wait $cur 2>/dev/null
			fi
			cur=$next
			b=$(sed -n 's/^built total=\([0-9]*\).*/\1/p' $out | tail -n 1)
			socks=$((socks + ${b:-0}))
			cycles=$((cycles + 1))
			now
			until_t=$((NOW + POP_HOLD))
			while alive && [ "$NOW" -lt $until_t ]; do
				pause_point pop
				sleep 0.5
				now
			done
		else
			kill $next 2>/dev/null
			wait $next 2>/dev/null
			if [ $ready = cut ]; then
				cut=$((cut + 1))
			elif alive; then
				fails=$((fails + 1))
				problem pop "population $n did not get ready: $(tail -n 3 $out | tr '\n' ' ')"
			fi
		fi
		echo "cycles $cycles sockets $socks fails $fails cut $cut" > $S/stat.pop
	done
	rm -f $S/pop.pid
	if [ -n "$cur" ]; then
		kill $cur
		wait $cur 2>/dev/null
	fi
}

# netns_worker: a netns with its own ehash (or the shared one), sockets in
# it, one read there, then gone.
netns_worker() {
	made=0 own=0 shared=0 wrong=0 unread=0
	while alive; do
		pause_point netns
		set -- 256 1024 0 4096
		shift $((made % 4))
		entries=$1
		echo "$entries" > /proc/sys/net/ipv4/tcp_child_ehash_entries
		# shellcheck disable=SC2016
		unshare -n sh -c '
			. /suite/lib.sh
			ip link set lo up
			start_sockets /tmp/soak/ns.sockets 4:listen:2:9001 6:established:2:9010 \
				4:time_wait:2:9020 4:bound:1:9100 4:orphan:1:9030 || exit 1
			awk "/^# tables/ { print \$6 }" $PROC
			stop_sockets $SOCKETS_PID
		' > $S/ns.out 2>&1
		kind=$(tail -n 1 $S/ns.out)
		made=$((made + 1))
		case $entries:$kind in
		0:shared) shared=$((shared + 1)) ;;
		0:*) ;;
		*:own) own=$((own + 1)) ;;
		esac
		case $kind in
		own | shared)
			if { [ "$entries" = 0 ] && [ $kind = own ]; } ||
				{ [ "$entries" != 0 ] && [ $kind = shared ]; }; then
				wrong=$((wrong + 1))
				problem netns "tcp_child_ehash_entries=$entries, but the module walked a $kind table"
			fi
			;;
		*) unread=$((unread + 1)) ;;
		esac
		echo "made $made own $own shared $shared wrong $wrong unread $unread" > $S/stat.netns
	done
}

# --- the knob writer -----------------------------------------------------

# The good values: "KNOB^ACANONICAL^AVALUE".
good_values() {
	init=$(readlink /proc/1/ns/net | tr -dc 0-9)
	pns=
	read -r pp 2>/dev/null < $S/pop.pid && pns=$(readlink /proc/"$pp"/ns/net 2>/dev/null | tr -dc 0-9)
	{
		echo "netns self self"
		echo "netns all all"
		echo "netns $init $init"
		[ -n "$pns" ] && echo "netns $pns $pns"
		echo "netns 1 1"
		echo "family ipv6 ipv6"
		echo "family ipv4 ipv4"
		echo "family all all"
		echo "states ESTABLISHED,TIME_WAIT ESTABLISHED,TIME_WAIT"
		echo "states LISTEN,TIME_WAIT time_wait,listen,LISTEN"
		echo "states CLOSED closed"
		echo "states all all"
		echo "lports 7000-7100,22 7000-7100,22"
		echo "lports 1-65535 1-65535"
		echo "lports all all"
		echo "rports 80,22,22,1000-2000,1500 80,22,22,1000-2000,1500"
		echo "rports all all"
		echo "laddrs 192.0.2.0/24,2001:db8::/48 192.0.2.77/24,2001:DB8:0:0::1/48"
		echo "laddrs 127.0.0.0/8,::1/128 127.0.0.0/8,::1/128"
		echo "laddrs all all"
		echo "raddrs 198.51.100.0/24 198.51.100.0/24"
		echo "raddrs 0.0.0.0/0 0.0.0.0/0"
		echo "raddrs all all"
		echo "top_ports 3 3"
		echo "top_ports 64 64"
		echo "top_ports 0 0"
		echo "top_listeners 5 5"
		echo "top_listeners 64 64"
		echo "top_listeners 0 0"
		echo "timers N N"
		echo "timers Y y"
		echo "ages Y Y"
		echo "ages N n"
		echo "list_sockets 5 5"
		echo "list_sockets 100000 100000"
		echo "list_sockets 10000000 10000000"
		echo "list_sockets 0 0"
		echo "reset defaults 1"
	} | sed "s/ /$SEP/; s/ /$SEP/"
}

# Round R's bad values: "KNOB^A-^AVALUE", four from each knob's list
# in /suite/bad (rotating), and every third round a 4 KiB value.
bad_values() { # bad_values ROUND
	for kv in lports:ports rports:ports laddrs:addrs raddrs:addrs states:states \
		family:family netns:netns top_ports:top_ports \
		top_listeners:top_ports timers:timers ages:timers \
		list_sockets:list_sockets reset:reset; do
		awk -v k="${kv%%:*}" -v r="$1" -v sep="$SEP" '{ v[NR] = $0 }
			END { for (j = 0; j < 4; j++) print k sep "-" sep v[(r * 4 + j) % NR + 1] }' \
			"/suite/bad/${kv#*:}"
	done
	if [ $(($1 % 3)) = 0 ]; then
		awk -v sep="$SEP" 'BEGIN { printf "lports%s-%s", sep, sep; for (i = 0; i < 4096; i++) printf "7"; print "" }'
		awk -v sep="$SEP" 'BEGIN { printf "states%s-%s", sep, sep; for (i = 0; i < 2048; i++) printf "LISTEN,"; print "" }'
	fi
}

params() {
	for p in netns family states lports rports laddrs raddrs top_ports top_listeners timers ages list_sockets; do
		read -r v 2>/dev/null < $PARAMS/$p || v='?'
		printf '%s ' "$p=$v"
	done
}

# try_knob KNOB WANT VALUE: WANT is the canonical read-back of a good
# value, or - for a bad one; reset is checked through every other knob,
# its WANT "defaults".
try_knob() {
	[ "$2" = defaults ] && set -- "$1" "$DEFAULT_FILTERS " "$3"
	gen
	g1=$GEN
	# (The module may be out: a reload races us on purpose.)
	if [ $1 = reset ]; then before=$(params); else read -r before 2>/dev/null < $PARAMS/$1; fi
	if printf '%s\n' "$3" 2>/dev/null > $PARAMS/$1; then wrc=0; else wrc=1; fi
	if [ $1 = reset ]; then after=$(params); else read -r after 2>/dev/null < $PARAMS/$1; fi
	gen
	if ! stable "$g1" "$GEN"; then
		raced=$((raced + 1))
	elif [ "$2" = - ]; then
		if [ $wrc = 1 ] && [ "$after" = "$before" ]; then
			refused=$((refused + 1))
		else
			wrong=$((wrong + 1))
			problem writer "$1: bad value '$(printf %.60s "$3")' gave status $wrc, value '$before' -> '$after'"
		fi
	elif [ $wrc = 0 ] && [ "$after" = "$2" ]; then
		accepted=$((accepted + 1))
	else
		wrong=$((wrong + 1))
		problem writer "$1: good value '$3' gave status $wrc, read back '$after', want '$2'"
	fi
}

# set_view VIEW: the knobs of a reader's view; retried if a reload raced.
set_view() {
	tries=0
	while [ $tries -lt 10 ]; do
		gen
		g1=$GEN
		{
			echo 1 > $PARAMS/reset
			case $1 in
			list) echo 100000 > $PARAMS/list_sockets ;;
			all) echo all > $PARAMS/netns ;;
			esac
		} 2>/dev/null
		gen
		stable "$g1" "$GEN" && return 0
		tries=$((tries + 1))
	done
	return 1
}

own_reads() { # own_reads READER
	awk '{ print $4 }' $S/stat.$1 2>/dev/null
}

writer() {
	round=0 accepted=0 refused=0 wrong=0 raced=0 views=0 missed=0
	while alive; do
		pause_point writer
		# One reader's view, held until that reader has read in it twice.
		set -- default list all
		shift $((round % 3))
		view=$1
		if set_view $view; then
			base=$(own_reads r_$view)
			now
			until_t=$((NOW + VIEW_WAIT))
			got=0
			gen
			vg=$GEN
			while alive && [ ! -e $S/pause ] && [ "$NOW" -lt $until_t ]; do
				[ $(($(own_reads r_$view) + 0)) -ge $((${base:-0} + 2)) ] && got=1 && break
				sleep 0.2
				gen
				# A reload reset the knobs: put the view back.
				if [ "$vg" != "$GEN" ]; then
					set_view $view
					gen
					vg=$GEN
				fi
			done
			if [ $got = 1 ]; then
				views=$((views + 1))
			elif [ ! -e $S/pause ] && alive; then
				missed=$((missed + 1))
			fi
		fi
		# Then every knob's values, good and bad in turn, so that a bad
		# value meets a value other than the default.
		{
			good_values
			bad_values $round
		} | awk -F "$SEP" '
			!($1 in seen) { seen[$1] = 1; order[++no] = $1 }
			$2 == "-" { bad[$1, ++nb[$1]] = $0; next }
			{ good[$1, ++ng[$1]] = $0 }
			END {
				for (i = 1; i <= no; i++) {
					k = order[i]
					for (j = 1; j <= ng[k] || j <= nb[k]; j++) {
						if (j <= ng[k]) print good[k, j]
						if (j <= nb[k]) print bad[k, j]
					}
				}
			}' > $S/writer.plan
		while IFS="$SEP" read -r knob want value; do
			[ -e $S/pause ] && break
			alive || break
			try_knob "$knob" "$want" "$value"
		done < $S/writer.plan
		round=$((round + 1))
		echo "rounds $round accepted $accepted refused $refused wrong $wrong raced $raced views $views missed $missed" > $S/stat.writer
	done
}

# --- the reloader -------------------------------------------------------

reloader() {
	reloads=0 fails=0 longest=0
	now
	next=$((NOW + RELOAD_PERIOD))
	while alive; do
		pause_point reload
		if [ "$NOW" -lt $next ]; then
			sleep 1
			continue
		fi
		gen
		echo $((GEN + 1)) > $S/gen
		now_cs
		t0=$NOW_CS
		rmmod tcpstates 2> $S/reload.err || { fails=$((fails + 1)); problem reload "rmmod: $(cat $S/reload.err)"; }
		now_cs
		[ $((NOW_CS - t0)) -gt $longest ] && longest=$((NOW_CS - t0))
		if [ $((reloads % 2)) = 1 ]; then
			load_tcpstates lports=7000-7100,9001 family=ipv6 top_ports=2 timers=N 2> $S/reload.err
		else
			load_tcpstates 2> $S/reload.err
		fi || {
			fails=$((fails + 1))
			problem reload "insmod: $(cat $S/reload.err)"
			load_tcpstates
		}
		echo $((GEN + 2)) > $S/gen
		reloads=$((reloads + 1))
		now
		next=$((NOW + RELOAD_PERIOD))
		echo "reloads $reloads fails $fails longest_cs $longest" > $S/stat.reload
	done
}

# --- checkpoints ----------------------------------------------------------

# load_tcpstates [KNOB=VALUE...]: insmod, and note_range.
load_tcpstates() {
	insmod $KO "$@" && note_range
}

# note_range: where the loaded module's text sits ("START END", 16 hex
# digits each), for module_slab once it is gone, and when it was first
# loaded. awk has only doubles: the low 32 bits of START are added to
# digit by digit (module space has ffffffff above them).
note_range() {
	if [ ! -e $S/first_load ]; then
		now_cs
		echo $((NOW_CS * 10)) > $S/first_load
	fi
	awk -v hex=0123456789abcdef '$1 == "tcpstates" {
		a = $6
		sub(/^0x/, "", a)
		lo = 0
		for (i = 9; i <= 16; i++)
			lo = lo * 16 + index(hex, substr(a, i, 1)) - 1
		lo += $2
		end = ""
		for (i = 0; i < 8; i++) {
			end = substr(hex, lo % 16 + 1, 1) end
			lo = int(lo / 16)
		}
		print a, substr(a, 1, 8) end
	}' /proc/modules >> $S/ranges
}

# awk: ours(FRAME) is true for tcpstates code, loaded ([tcpstates]) or
# unloaded (a bare address in one of the loads' text, from $S/ranges). Other
# bare addresses are other modules' init code, freed after their load. That
# freed text may be where tcpstates is loaded next, so a frame there reads
# as tcpstates code: module_slab leaves out objects older than the first
# load.
AWK_OURS='
function ours(f, m,  a, i) {
	if (m == "[tcpstates]")
		return 1
	if (f !~ /^0xffffffff[0-9a-f]+$/ || length(f) != 18)
		return 0
	a = substr(f, 3)
	for (i = 1; i <= nr; i++)
		if (a >= lo[i] && a < hi[i])
			return 1
	return 0
}
BEGIN {
	while ((getline l < "/tmp/soak/ranges") > 0) {
		split(l, r, " ")
		lo[++nr] = r[1]
		hi[nr] = r[2]
	}
}'

# The module's live objects in the kmalloc caches: "OBJECTS BYTES SITES",
# SITES naming each allocation site (the module's frame nearest to the
# allocation, then its caller) and its count. A trace is the module's when
# any frame of its stack is: kvmalloc(), not the module, is the direct
# caller of the module's slab objects.
module_slab() {
	read -r first < $S/first_load
	now_cs
	for t in /sys/kernel/debug/slab/kmalloc-*/alloc_traces; do
		c=${t%/alloc_traces}
		c=${c##*/}
		# KASAN holds freed objects in its quarantine, still allocated
		# for SLUB: shrinking the cache frees its share.
		echo 1 2>/dev/null > /sys/kernel/slab/$c/shrink
		read -r size 2>/dev/null < /sys/kernel/slab/$c/object_size || size=0
		awk -v c="$c" -v size="$size" -v since=$((NOW_CS * 10 - first + 1000)) "$AWK_OURS"'
			function flush() {
				if (site != "")
					print cnt, cnt * size, c ":" site "<" caller "=" cnt
				site = ""
			}
			$1 ~ /^[0-9]+$/ {
				flush()
				cnt = $1
				caller = "?"
				# "age=MIN/AVG/MAX" or "age=AGE", in ms.
				age = $0
				sub(/.* age=/, "", age)
				sub(/[^0-9].*/, "", age)
				if (ours($2, $3) && age + 0 <= since) site = $2
				next
			}
			site != "" && caller == "?" && !ours($1, $2) { caller = $1 }
			site == "" && ours($1, $2) && age + 0 <= since { site = $1 }
			END { flush() }' "$t"
	done | awk '{ gsub(/\+[^<=]*/, "", $3); n += $1; b += $2; s = s " " $3 }
		END { print n + 0, b + 0, s }'
}

# vmalloc areas allocated by tcpstates code, loaded or not.
module_vmalloc() {
	awk "$AWK_OURS"' ours($3, $4)' /proc/vmallocinfo
}

# slab_settle MAX: wait (60 s at most) until the module holds at most MAX
# objects; SLAB holds the last "OBJECTS BYTES SITES", SLAB_MIN the fewest
# objects seen.
slab_settle() {
	SLAB_MIN=
	SLAB_NUDGE=0
	wait_for 60 slab_at_most "$1"
}

slab_at_most() { # slab_at_most MAX
	SLAB=$(module_slab)
	[ -z "$SLAB_MIN" ] || [ "${SLAB%% *}" -lt "$SLAB_MIN" ] && SLAB_MIN=${SLAB%% *}
	[ "${SLAB%% *}" -le "$1" ] && return 0
	# kfree_rcu() batches: its shrinker hands them to RCU at once.
	[ $((SLAB_NUDGE % 5)) = 0 ] && echo 2 > /proc/sys/vm/drop_caches
	SLAB_NUDGE=$((SLAB_NUDGE + 1))
	return 1
}

# The kmalloc caches as a whole, for the figures only: "OBJECTS KIB".
kmalloc_total() {
	awk '$1 ~ /^kmalloc-/ { n += $2; b += $2 * $4 } END { printf "%d %d\n", n, b / 1024 }' /proc/slabinfo
}

# compare_in LABEL NETNS_PID CLOSED4 MIN: compare_states in a netns (the
# init netns when NETNS_PID is empty) as one TAP line; MIN is the fewest
# sockets the oracle must show, so an empty view cannot pass.
compare_in() {
	# shellcheck disable=SC2016
	body='. /suite/lib.sh; compare_states "$0" "$1" 0
		echo "$O1" | awk "{ n += \$2 + \$3 } END { print \"total\", n + 0 }"
		grep -q "^# tables.*inexact" $PROC && echo inexact'
	now
	c0=$NOW
	if [ -n "$2" ]; then
		nsenter -t "$2" -n sh -c "$body" "$1" "$3" > $S/cmp.tap 2>&1
	else
		sh -c "$body" "$1" "$3" > $S/cmp.tap 2>&1
	fi
	now
	# A checkpoint should be quiet: say so when it was not, and how long.
	grep '^# no quiet moment' $S/cmp.tap | sed "s/^# /# $1 ($((NOW - c0)) s): /"
	lines=$(grep -c '^ok ' $S/cmp.tap)
	fails=$(grep -c '^not ok ' $S/cmp.tap)
	total=$(awk '$1 == "total" { print $2 }' $S/cmp.tap)
	if [ "$lines" -eq 22 ] && [ "$fails" -eq 0 ] && [ "${total:-0}" -ge "$4" ] &&
		! grep -q '^inexact' $S/cmp.tap; then
		ok "$1: all 22 state and family counts equal /proc/net/tcp{,6} and inet_diag ($total sockets)"
	else
		not_ok "$1: all 22 state and family counts equal /proc/net/tcp{,6} and inet_diag ($total sockets, at least $4)"
		grep -A 2 '^not ok\|^inexact' $S/cmp.tap | head -n 30 | sed 's/^/# /'
	fi
}

# all_paused K: every worker is paused for checkpoint K; MISSING names
# those that are not, LAST the last ones to pause.
all_paused() {
	missing=
	for w in $WORKERS; do
		pk=
		read -r pk 2>/dev/null < $S/paused.$w
		[ "$pk" = "$1" ] || missing="$missing $w"
	done
	[ -n "$missing" ] && LAST=$missing
	[ -z "$missing" ]
}

checkpoint() { # checkpoint K
	k=$1
	now
	t0=$NOW
	echo "$k" > $S/pause.new
	mv $S/pause.new $S/pause
	LAST=
	if ! wait_for $PAUSE_WAIT all_paused "$k"; then
		not_ok "checkpoint $k: every worker paused within $PAUSE_WAIT s (still running:$missing)"
		CP_FAILED=$((CP_FAILED + 1))
		rm -f $S/pause
		return
	fi
	fails0=$TAP_FAILED
	now
	t1=$NOW
	[ -d $PARAMS ] || load_tcpstates
	echo 1 > $PARAMS/reset
	compare_in "checkpoint $k: init netns" "" 2 20
	read -r pp 2>/dev/null < $S/pop.pid || pp=
	if [ -n "$pp" ]; then
		compare_in "checkpoint $k: the population's netns" "$pp" 0 $((POP_N / 2))
		pns=$(readlink /proc/"$pp"/ns/net | tr -dc 0-9)
		want=$(nsenter -t "$pp" -n sh -c '. /suite/lib.sh; oracle_counts' |
			awk -v d="$(nsenter -t "$pp" -n $H/diag)" '
				BEGIN { m = split(d, a, " "); for (i = 1; i < m; i++) if (a[i] ~ /^ipv[46]$/) c += a[i + 1] }
				{ n = $1 == "CLOSED" ? c : $2 + $3; t += n; s = s " " n } END { print t s }')
		echo all > $PARAMS/netns
		got=$(awk -v n="$pns" '$1 == "netns" && $2 == n { $1 = $2 = ""; print substr($0, 3) }' $PROC)
		echo 1 > $PARAMS/reset
		expect_eq "checkpoint $k: netns=all shows the population's netns as its /proc/net/tcp{,6}" "$got" "$want"
	else
		not_ok "checkpoint $k: a population is up to compare"
	fi
	now
	t2=$NOW
	vm=$(module_vmalloc)
	expect_eq "checkpoint $k: no vmalloc area of tcpstates with every file closed" "$vm" ""
	if slab_settle "$SLAB_BASE"; then
		ok "checkpoint $k: the module's kmalloc objects back to the baseline (${SLAB%% *} <= $SLAB_BASE)"
	else
		not_ok "checkpoint $k: the module's kmalloc objects back to the baseline (${SLAB%% *} <= $SLAB_BASE)"
	fi
	now
	diag "checkpoint $k: paused in $((t1 - t0)) s (last:${LAST:- none}), counts in $((t2 - t1)) s, slab in $((NOW - t2)) s; tcpstates kmalloc objects by site (cache:site<caller=count):${SLAB#* * }"
	set -- $SLAB
	CP_SLAB="$CP_SLAB $1/$2"
	# shellcheck disable=SC2046
	set -- $(kmalloc_total)
	CP_KMALLOC="$CP_KMALLOC ${2}K"
	[ $TAP_FAILED = "$fails0" ] && CP_PASSED=$((CP_PASSED + 1)) || CP_FAILED=$((CP_FAILED + 1))
	now
	PAUSED=$((PAUSED + NOW - t0))
	rm -f $S/pause
}

# --- figures ------------------------------------------------------------

stat_of() { # stat_of WORKER KEY
	awk -v k="$2" '{ for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1) }' $S/stat.$1 2>/dev/null
}

st() { # st WORKER KEY: the stat, 0 if none
	v=$(stat_of "$1" "$2")
	echo "${v:-0}"
}

show_problems() { # show_problems WORKER
	[ -s $S/problems.$1 ] && head -n 10 $S/problems.$1 | sed 's/^/# /'
	return 0
}

# --- the soak -------------------------------------------------------------

echo "TAP version 13"
ip link set lo up
warm_once_keys
hold_transition_tracepoints
need_tun || not_ok "tun and /dev/net/tun, for the lab and the population"
for m in veth inet_diag tcp_diag; do load_module $m; done
rm -rf $S
mkdir -p $S
echo 0 > $S/gen
CP_PASSED=0 CP_FAILED=0 PAUSED=0 CP_SLAB='' CP_KMALLOC=''

type leaks_clear > /dev/null 2>&1 && leaks_clear
: > $S/ranges
test_load
note_range
# The slab baseline: the module loaded, its knobs reset, nothing open, and
# the set the reset replaced gone (kfree_rcu()): at most one object more
# than freshly loaded, 60 s at most, the lowest count seen.
if [ -r /sys/kernel/debug/slab/kmalloc-64/alloc_traces ]; then
	# shellcheck disable=SC2046
	set -- $(module_slab)
	fresh=$1
	echo 1 > $PARAMS/reset
	slab_settle $((fresh + 1))
	SLAB_BASE=$SLAB_MIN
	diag "slab baseline: $fresh objects freshly loaded, $SLAB_BASE after a reset:${SLAB#* * }"
	ok "the module's kmalloc objects are counted (alloc_traces, slub_debug=U)"
else
	SLAB_BASE=0
	not_ok "the module's kmalloc objects are counted (alloc_traces: boot with slub_debug=U,kmalloc-*)"
fi
echo 1024 > /proc/sys/net/ipv4/tcp_child_ehash_entries

now
START=$NOW
# Checkpoints every ~100 s of activity, at least 3; the time spent at
# them is not activity.
NCP=$((SOAK_SECONDS / 100))
[ $NCP -lt 3 ] && NCP=3
[ $NCP -gt 8 ] && NCP=8
HARD_END=$((START + SOAK_SECONDS * 3 + NCP * PAUSE_WAIT + 600))
diag "soak: $SOAK_SECONDS s, $NCP checkpoints, populations of $POP_N sockets, $(uname -r)"

# The pids are read through eval, below.
# shellcheck disable=SC2034
{
	lab_worker & pid_lab=$!
	pop_worker & pid_pop=$!
	netns_worker & pid_netns=$!
	writer & pid_writer=$!
	reloader & pid_reload=$!
	reader r_default default & pid_r_default=$!
	reader r_list list & pid_r_list=$!
	reader r_all all & pid_r_all=$!
	byte_reader & pid_r_byte=$!
}

k=1
while [ $k -le $NCP ]; do
	# Activity until the k-th share of SOAK_SECONDS, not counting pauses.
	while now && [ $((NOW - START - PAUSED)) -lt $((SOAK_SECONDS * k / NCP)) ]; do
		sleep 1
	done
	checkpoint $k
	k=$((k + 1))
done

# all_stopped: true when every worker has ended; STUCK names the others.
all_stopped() {
	stuck=
	for w in $WORKERS; do
		eval "p=\$pid_$w"
		kill -0 "$p" 2>/dev/null && stuck="$stuck $w"
	done
	[ -z "$stuck" ]
}

touch $S/stop
if ! wait_for 120 all_stopped; then
	for w in $stuck; do
		eval "p=\$pid_$w"
		kill -9 "$p" 2>/dev/null
	done
fi
expect_eq "every worker stopped within 120 s of the end" "$stuck" ""
read -r pp 2>/dev/null < $S/pop.pid && kill "$pp" 2>/dev/null
wait 2>/dev/null
now
END=$NOW

# Readers.
for r in r_default r_list r_all; do
	v=${r#r_}
	expect_eq "reader $v: every read well-formed ($(st $r reads) reads)" "$(st $r bad)" 0
	show_problems $r
	check "reader $v: read in its own view ($(st $r own) reads)" [ "$(st $r own)" -gt 0 ]
done
expect_eq "reader 1-byte: every file well-formed, no read failed but for a reload ($(st r_byte files) files)" \
	"$(st r_byte bad)" 0
show_problems r_byte
check "reader 1-byte: read whole files ($(st r_byte files)) and files cut by a reload ($(st r_byte cut))" \
	[ "$(st r_byte files)" -gt 0 ]
# The writer.
expect_eq "knob writer: good values read back canonical, bad ones refused and the value kept ($(st writer accepted) accepted, $(st writer refused) refused)" \
	"$(st writer wrong)" 0
show_problems writer
check "knob writer: wrote in both kinds" test "$(st writer accepted)" -gt 0 -a "$(st writer refused)" -gt 0
# The reloader.
expect_eq "reloads: every rmmod and insmod succeeded ($(st reload reloads) reloads)" "$(st reload fails)" 0
show_problems reload
if [ "$SOAK_SECONDS" -ge $((2 * RELOAD_PERIOD)) ]; then
	check "reloads: at least one per $RELOAD_PERIOD s of activity, less one ($(st reload reloads))" \
		[ "$(st reload reloads)" -ge $((SOAK_SECONDS / RELOAD_PERIOD - 1)) ]
fi
# Churn.
expect_eq "netns: each walked its own table or the shared one as set ($(st netns made) made)" "$(st netns wrong)" 0
show_problems netns
check "netns: some with their own ehash ($(st netns own)) and some shared ($(st netns shared))" \
	test "$(st netns own)" -gt 0 -a "$(st netns shared)" -gt 0
check "population: cycles built and torn down ($(st pop cycles), $(st pop fails) failed)" \
	test "$(st pop cycles)" -gt 0 -a "$(st pop fails)" = 0
show_problems pop
check "lab: runs ($(st lab runs), $(st lab fails) failed)" [ "$(st lab runs)" -gt 0 ]
show_problems lab
expect_eq "checkpoints: all $NCP passed" "$CP_PASSED" "$NCP"

# The end: unload, nothing of the module left, the detectors.
# t_kmemleak.sh: scan with the module loaded, unload, scan again.
if type test_kmemleak > /dev/null 2>&1; then
	test_kmemleak
else
	skip "kmemleak: nothing the module allocated leaks" "no test_kmemleak (t_kmemleak.sh)"
fi
[ -d /sys/module/tcpstates ] && check "rmmod at the end" rmmod tcpstates
if slab_settle 0; then
	ok "after the last unload: no kmalloc object of any of the $(wc -l < $S/ranges) loads left"
else
	not_ok "after the last unload: no kmalloc object of any of the $(wc -l < $S/ranges) loads left (${SLAB%% *})"
	diag "sites: ${SLAB#* * }"
fi
test_dmesg

# The figures an operator wants.
echo "# soak: figures for $(uname -r)"
echo "# soak:   duration: $((END - START)) s ($SOAK_SECONDS s of activity, $PAUSED s at checkpoints)"
echo "# soak:   reads: default $(st r_default reads) ($(st r_default own) in its view), list $(st r_list reads) ($(st r_list own) in its view, longest listing $(st r_list most) sockets), netns=all $(st r_all reads) ($(st r_all own) in its view), 1-byte $(st r_byte bytes) bytes in $(st r_byte files) whole files ($(st r_byte cut) cut by a reload)"
echo "# soak:   reads refused while the module was out: default $(st r_default refused), list $(st r_list refused), all $(st r_all refused), 1-byte $(st r_byte refused)"
echo "# soak:   knob writes: $(st writer accepted) accepted, $(st writer refused) refused, $(st writer wrong) wrong, $(st writer raced) raced a reload; $(st writer rounds) rounds, $(st writer views) views held, $(st writer missed) missed"
echo "# soak:   reloads: $(st reload reloads) (longest rmmod $(($(st reload longest_cs) * 10)) ms)"
echo "# soak:   netns: $(st netns made) created and destroyed ($(st netns own) own ehash, $(st netns shared) shared, $(st netns unread) not read: module out or sockets not ready), plus $(st pop cycles) population netns and the lab's"
echo "# soak:   sockets churned: $(st pop sockets) by the population in $(st pop cycles) cycles ($(st pop cut) cut short by a checkpoint), $(st lab sockets) by the lab in $(st lab runs) runs ($(st lab fails) failed)"
echo "# soak:   checkpoints: $CP_PASSED of $NCP passed"
echo "# soak:   slab: tcpstates kmalloc objects/bytes at each checkpoint:$CP_SLAB (baseline $SLAB_BASE); all kmalloc caches:$CP_KMALLOC"

echo "1..$TAP_N"
echo "# $TAP_N tests, $TAP_FAILED failed"
[ "$TAP_FAILED" -eq 0 ]
