# SPDX-License-Identifier: GPL-2.0
# Injected faults (tests/helpers/failnth.c), with failslab and
# fail_page_alloc confined to the test task and, by their stack filters,
# to the module's code:
# - each allocation point of an open, a first read, a knob write and a load
#   fails in turn (fail-nth; a round's points can differ from the last
#   round's, as kmemleak's and KASAN's own allocations come and go);
# - every call the module makes to an allocator fails outright, its first
#   1, 2 and 3 allocations at once (a kvmalloc() fails only when its
#   vmalloc() fallback fails too);
# - random failures in a make-it-fail task that reads and writes knobs.
# Each failure must reach the reader or writer as a clear error and change
# nothing; nothing may leak (kmemleak); a failed load leaves nothing
# behind, and failed loads with a bad knob do not leak the knob set. That
# last part runs on every kernel, the rest where the kernel has fault
# injection (the debug kernels). Uses the kmemleak and dmesg helpers of
# t_dmesg.sh.

FI=/sys/kernel/debug
FAULTS="failslab fail_page_alloc"
# The module area ends here on x86-64 (MODULES_END).
MODULES_END=0xffffffffff000000

# fault_set ATTR VALUE: set ATTR of each of $FAULTS, keeping the first old
# value for fault_restore.
fault_set() {
	for f in $FAULTS; do
		p=$FI/$f/$1
		grep -q "^$p " /tmp/faults.saved 2>/dev/null ||
			echo "$p $(cat "$p")" >> /tmp/faults.saved
		echo "$2" > "$p"
	done
}

fault_restore() {
	while read -r p v; do
		echo "$v" > "$p"
	done < /tmp/faults.saved
	rm -f /tmp/faults.saved
}

# fault_confine START END [REJECT_START REJECT_END]: count only allocations
# with a return address in [START, END) on the stack, and none in the
# rejected range.
fault_confine() {
	fault_set require-start "$1"
	fault_set require-end "$2"
	fault_set reject-start "${3:-0}"
	fault_set reject-end "${4:-0}"
}

# ksym_range FUNC: "START END" of a function of the module, from its
# address to the module's next symbol in /proc/kallsyms.
ksym_range() {
	awk -v f="$1" '
	$4 == "[tcpstates]" { a[n++] = $1; if ($3 == f) s = $1 }
	END {
		if (s == "")
			exit 1
		for (i = 0; i < n; i++)
			if (a[i] > s && (e == "" || a[i] < e))
				e = a[i]
		if (e == "")
			exit 1
		print "0x" s, "0x" e
	}' /proc/kallsyms
}

# confine_to FUNC [REJECTED_FUNC]: fault_confine to a module function.
confine_to() {
	r=$(ksym_range "$1") || { not_ok "$1 is in /proc/kallsyms"; return 1; }
	x=
	if [ -n "${2:-}" ]; then
		x=$(ksym_range "$2") || { not_ok "$2 is in /proc/kallsyms"; return 1; }
	fi
	# shellcheck disable=SC2086
	fault_confine $r $x
}

# Any module's code: everything between the kernel image and MODULES_END.
confine_to_modules() {
	fault_confine "0x$(awk '$3 == "_end" { print $1 }' /proc/kallsyms)" $MODULES_END
}

# with_reader_held CMD...: CMD while a reader of $PROC is open. That
# reader holds the buffers the last one closed left for the next, so an
# open under CMD allocates its own.
with_reader_held() {
	# A failed exec redirection would end the suite.
	[ -r "$PROC" ] || return 1
	exec 3< "$PROC"
	"$@"
	_wrh_rc=$?
	exec 3<&-
	return $_wrh_rc
}

# failnth ARGS...: run the helper; its summary line in $FN_SUM, its exit
# status in $FN_RC, its output in /tmp/failnth.out.
failnth() {
	FN_RC=0
	$H/failnth "$@" > /tmp/failnth.out 2>&1 || FN_RC=$?
	FN_SUM=$(tail -n 1 /tmp/failnth.out)
}

# inject DESC MIN_FAILED FAILNTH-ARGS...: fail-nth N = 1, 2, ... on one
# call; at least one point must be met, and MIN_FAILED of them must fail
# the call (the others are absorbed by a fallback).
inject() {
	desc=$1
	min=$2
	shift 2
	failnth "$@"
	grep '^# ' /tmp/failnth.out
	# shellcheck disable=SC2086
	set -- $FN_SUM
	if [ "$1" != points ]; then
		not_ok "$desc: failnth ran ($FN_SUM)"
		return
	fi
	failed=$(($4 + $6 + $8))
	fired=no
	[ "$2" -ge 1 ] && [ "$failed" -ge "$min" ] && fired=yes
	check "$desc: each of $2 points failed in turn, each call clean: $failed failed ($4 ENOMEM, $6 EINVAL), ${10} absorbed by a fallback" \
		[ "$FN_RC" -eq 0 ]
	check "$desc: the injected failures fired ($2 points, $failed failed calls; at least 1 and $min)" \
		[ $fired = yes ]
}

# The calls that make the module allocate, for failnth: "[KNOB=VALUE]@OP@ARG...",
# KNOB set first.
SETUPS="@open@$PROC
@read@$PROC
top_ports=3@read@$PROC
top_destinations=3@read@$PROC
owners=uid@read@$PROC
netns=all@read@$PROC
@write@$PARAMS/lports@22,80,8000-8100
@write@$PARAMS/laddrs@192.0.2.0/24,2001:db8::/32
@write@$PARAMS/states@LISTEN,TIME_WAIT
@load"

# site_try SETUP: run failnth -f under SETUP; true if the call site was
# reached at T=1.
site_try() {
	knob=${1%%@*}
	op=${1#*@}
	[ -z "$knob" ] || echo "${knob#*=}" > "$PARAMS/${knob%%=*}"
	case $op in
	load)
		rmmod tcpstates
		failnth -f load $KO "lports=443"
		[ -d /sys/module/tcpstates ] || insmod $KO
		;;
	*)
		# shellcheck disable=SC2046
		with_reader_held failnth -f $(echo "$op" | tr '@' ' ')
		;;
	esac
	echo 1 > $PARAMS/reset
	! grep -q 'T=1: the call met no allocation' /tmp/failnth.out
}

# Every call from the module's code to an allocator fails: the first T =
# 1, 2, 3 allocations under it at once, through the first setup that
# reaches it. Each failure must be clean, and at least one must fail the
# call.
faults_sites() {
	$H/failnth sites $KO > /tmp/sites 2>&1
	n=$(grep -vc '^#' /tmp/sites)
	check "the module's calls to allocators, from its relocations: $n found" [ "$n" -ge 8 ]
	grep '^#' /tmp/sites
	# A netns with its own ehash, which a read of our own netns must also
	# look at (a socket could move there).
	set_child_ehash 256
	unshare -n sleep 1000 &
	own=$!
	i=0
	while [ "$(readlink /proc/$own/ns/net)" = "$(readlink /proc/self/ns/net)" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	set_child_ehash 0
	fault_set probability 100
	fault_set interval 1
	fault_set times 0
	grep -v '^#' /tmp/sites > /tmp/sites.list
	while read -r site callee start end; do
		fault_confine "$start" "$end"
		reached=
		for s in $SETUPS; do
			if site_try "$s"; then
				reached=$s
				break
			fi
		done
		if [ -z "$reached" ]; then
			not_ok "$site ($callee): a setup reaches it"
			continue
		fi
		grep '^# ' /tmp/failnth.out
		# shellcheck disable=SC2086
		set -- $FN_SUM
		check "$site ($callee), by $(echo "$reached" | tr '@' ' ' | sed 's/^ //'): its first 1, 2, 3 allocations failing, each call clean" \
			[ "$FN_RC" -eq 0 ]
		case $site in
		ts_transitions_net_init+*)
			# alloc_percpu() retries what it could not populate;
			# a netns it leaves without counters is shown as not
			# counted, and the load goes on.
			check "$site ($callee): absorbed, as it must be (${10} absorbed)" \
				[ "${10}" -ge 1 ]
			;;
		*)
			check "$site ($callee): the call failed ($4 ENOMEM, $6 EINVAL, ${10} absorbed)" \
				[ $(($4 + $6)) -ge 1 ]
			;;
		esac
	done < /tmp/sites.list
	fault_set probability 0
	kill $own
	wait $own 2>/dev/null
}

# The kmalloc-4k objects in use, per-CPU slabs flushed first.
slab_4k() {
	for c in /sys/kernel/slab/kmalloc-4k /sys/kernel/slab/kmalloc-rnd-*-4k; do
		[ -w "$c/shrink" ] && echo 1 > "$c/shrink"
	done
	awk '$1 ~ /^kmalloc-(rnd-[0-9]+-)?4k$/ { n += $2 } END { print n + 0 }' /proc/slabinfo
}

# A failed load with several knobs, one of them bad, used to leak the set
# the good ones had published: 300 such loads leaked ~600 kmalloc-4k.
# (finit_module(), as insmod does; busybox insmod would try init_module()
# too after each failure, doubling the loads and their log.)
faults_failed_loads() {
	loads=$(sized 300 40)
	rmmod tcpstates
	before=$(slab_4k)
	sum=$($H/failnth refused $loads $KO "lports=443 family=bogus")
	# A freed set goes through kfree_rcu(): wait (30 s at most) for
	# those to be gone. A leak keeps about two a load.
	i=0
	while after=$(slab_4k) && [ $((after - before)) -ge 30 ] && [ $i -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	expect_eq "$loads loads with lports=443 family=bogus: all refused, none left $PROC or /sys/module/tcpstates" \
		"$sum" "loads $loads refused $loads left 0"
	check "$loads failed loads: kmalloc-4k did not grow with them ($before before, $after after)" \
		[ $((after - before)) -lt 30 ]
	insmod $KO
}

# faults_leaks REPORT: the objects of a kmemleak report that are the
# module's (leaks_of_module), or that a module load allocated, one address
# a line.
faults_leaks() {
	{
		leaks_of_module /dev/null < "$1"
		awk '
		/^unreferenced object / { if (ours) print rec; rec = $0; ours = 0; next }
		/load_module|do_init_module|parse_args/ { ours = 1 }
		END { if (ours) print rec }' "$1"
	} | awk '/^unreferenced object / { print $3 }' | sort -u
}

# Not "echo clear": that would hide earlier tests' leaks from the suite's
# final check. The leaks already reported are the baseline instead.
faults_leaks_begin() {
	: > /tmp/faults.base
	[ -w "${LEAKS:-}" ] || return 0
	leaks_scan /tmp/faults.leaks0
	faults_leaks /tmp/faults.leaks0 > /tmp/faults.base
}

faults_leaks_end() {
	if [ ! -w "${LEAKS:-}" ]; then
		skip "kmemleak: nothing leaked under the faults" "kernel without CONFIG_DEBUG_KMEMLEAK"
		return
	fi
	# kmemleak reports nothing younger than 5 s.
	t=$(($(date +%s) + 6))
	while [ "$(date +%s)" -lt $t ]; do sleep 1; done
	check "kmemleak: still scanning after the faults" leaks_scan /tmp/faults.leaks1
	faults_leaks /tmp/faults.leaks1 | grep -vxF -f /tmp/faults.base > /tmp/faults.new
	expect_eq "kmemleak: no new leak from the module, its loads or its failed loads" \
		"$(grep -c . /tmp/faults.new)" 0
	while read -r a; do
		awk -v a="$a" '/^unreferenced object / { p = ($3 == a) } p' /tmp/faults.leaks1
	done < /tmp/faults.new | head -n 200 | sed 's/^/# /'
}

# Each allocation point in turn: an open() (reader, its text, the read
# buffer), a first read (per-port arrays, the netns scope), knob writes (the
# new set, the parse), loads.
faults_points() {
	# Every allocation an open makes is a kvmalloc() of more than a page
	# (the reader, the walk, the filters line, the buffer): its vmalloc()
	# fallback absorbs a failed kmalloc(), and whether a failure inside
	# vmalloc() shows depends on the kernel's config. So no call need fail;
	# each must still be clean, and the points must fire. A reader held
	# open meanwhile lets the open allocate all four.
	confine_to ts_open &&
		with_reader_held inject "open() of $PROC, another reader holding the kept buffers" 0 open $PROC
	echo 3 > $PARAMS/top_ports
	# kvmalloc()s > PAGE_SIZE: their vmalloc() fallback absorbs one failure.
	confine_to ts_show tcpstates_scope_get &&
		inject "first read with top_ports=3, but for the scope: per-port arrays" 0 read $PROC
	echo 1 > $PARAMS/reset
	# Some namespaces besides ours, for netns=all to collect.
	pids=
	for i in 1 2 3; do
		unshare -n sleep 1000 &
		pids="$pids $!"
	done
	echo all > $PARAMS/netns
	i=0
	until awk '/^# tcpstates / { for (i = 1; i < NF; i++) if ($i == "all") n = $(i + 1) }
		   END { exit !(n >= 4) }' $PROC || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "netns=all: the header counts 4 or more netns" [ $i -lt 100 ]
	confine_to ts_collect &&
		inject "first read with netns=all: the netns targets" 1 read $PROC
	confine_to tcpstates_scope_get &&
		inject "first read with netns=all: the scope (targets, tables, listener maps)" 1 read $PROC
	# shellcheck disable=SC2086
	kill $pids
	wait 2>/dev/null
	echo 1 > $PARAMS/reset

	confine_to ts_knob_set || return
	inject "lports write: the new set and the parse" 1 write $PARAMS/lports 22,80,8000-8100
	inject "laddrs write: the new set and the parse" 1 write $PARAMS/laddrs 192.0.2.0/24,2001:db8::/32
	inject "states write: the new set and the parse" 1 write $PARAMS/states LISTEN,TIME_WAIT
	inject "family write: the new set" 1 write $PARAMS/family ipv6
	inject "reset write: the new set" 1 write $PARAMS/reset 1
	echo 1 > $PARAMS/reset

	rmmod tcpstates
	confine_to_modules
	inject "insmod with 4 knobs, the module's own allocations" 1 \
		load $KO "lports=443 laddrs=192.0.2.0/24 states=LISTEN top_ports=2"
	expect_eq "insmod with 4 knobs: once through, the knobs are set" \
		"$(cat $PARAMS/lports $PARAMS/laddrs $PARAMS/states $PARAMS/top_ports 2>&1 | tr '\n' ' ')" \
		"443 192.0.2.0/24 LISTEN 2 "
	rmmod tcpstates
	# Unconfined: the kernel's own allocations after the knobs' parse
	# too, such as sysfs's, whose failure must free the parsed knobs.
	# Those before it test only the loader, and are skipped.
	fault_confine 0 18446744073709551615
	inject "insmod with 2 knobs, every allocation of the load from the knobs' parse on" 1 \
		load $KO "lports=443 family=ipv6" family=bogus
	rmmod tcpstates
	insmod $KO
}

# Random failures in a task marked make-it-fail (task-filter), any of the
# module's allocations, while it reads and writes: each call whole or a
# clear error.
faults_random() {
	confine_to_modules
	echo 3 > $PARAMS/top_ports
	fault_set times 100000
	fault_set interval 1
	fault_set probability 20
	calls=$(sized 50 20)
	(
		echo 1 > /proc/self/make-it-fail
		i=0
		while [ $i -lt $calls ]; do
			if cat $PROC > /tmp/mif.out 2> /tmp/mif.err; then
				grep -q '^TIME_WAIT ' /tmp/mif.out || echo "read $i: not whole"
			else
				grep -q 'memory' /tmp/mif.err || echo "read $i: $(cat /tmp/mif.err)"
			fi
			old=$(cat $PARAMS/lports)
			v=$((7000 + i)),22
			if echo $v > $PARAMS/lports 2> /dev/null; then
				[ "$(cat $PARAMS/lports)" = "$v" ] ||
					echo "write $i: $v accepted, lports reads $(cat $PARAMS/lports)"
			else
				[ "$(cat $PARAMS/lports)" = "$old" ] ||
					echo "write $i: refused, but lports went from $old to $(cat $PARAMS/lports)"
			fi
			i=$((i + 1))
		done
	) > /tmp/mif.bad 2>&1
	fault_set probability 0
	fired=$((200000 - $(cat $FI/failslab/times) - $(cat $FI/fail_page_alloc/times)))
	expect_eq "make-it-fail, 20% of the module's allocations failing: $calls reads and $calls knob writes, each whole or a clear error" \
		"$(head -5 /tmp/mif.bad)" ""
	check "make-it-fail: $fired injected failures fired" [ "$fired" -gt 0 ]
	echo 1 > $PARAMS/reset
}

# header_word WORD: the value after WORD in the "# tables" line, or
# WORD itself where it stands alone (inexact).
header_word() { # header_word WORD [FILE]
	awk -v w="$1" '/^# tables/ { for (i = 1; i <= NF; i++) if ($i == w) print (i < NF && w != "inexact") ? $(i + 1) : w }' "${2:-$PROC}"
}

# One read (FILE) walked some chain again, and its owner lines still add up.
owners_add_up_walked_again() { # owners_add_up_walked_again FILE
	[ "$(header_word restarts "$1")" -gt 0 ] && owners_add_up "$1"
}

# Chains taken as having strayed (fail_tcpstates_stray): what each chain
# counted is taken back and it is walked again. On a table that stands
# still the counts stay exact, per port too; a chain that strays 8 times
# in a row (at 50%, likely somewhere among a hundred chains) keeps what
# its last walk counted, and the header says inexact. Only this shell and
# its children (make-it-fail) stray. Not $d: compare_states sets it.
stray_in_child() {
	stray=$FI/fail_tcpstates_stray
	[ -d $stray ] || { not_ok "the module made $stray"; return; }
	start_sockets /tmp/stray.out 4:listen:3:7300 4:established:30:7310 \
		6:established:20:7311 4:time_wait:10:7320 6:orphan:5:7330 ||
		{ not_ok "stray population ready"; return; }
	echo 0 > $stray/verbose
	echo -1 > $stray/times
	echo Y > $stray/task-filter
	echo 1 > /proc/$$/make-it-fail
	echo 50 > $stray/probability
	compare_states "half the chains stray" 0 0
	check "half the chains stray: the header counts the chains walked again ($(header_word restarts))" \
		[ "$(header_word restarts)" -gt 0 ]
	echo 3 > $PARAMS/top_ports
	read_settled "oracle_top_ports 3" module_top_ports
	expect_eq "half the chains stray: top_ports=3 equals /proc/net/tcp{,6}" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	# A chain walked again takes back the ages it counted, too.
	echo Y > $PARAMS/ages
	cp $PROC /tmp/stray.read
	check "half the chains stray, ages=Y: per state, the age buckets and unknown add up to the total ($(header_word restarts /tmp/stray.read) restarts)" \
		ages_add_up /tmp/stray.read
	expect_eq "half the chains stray, ages=Y: the 10 TIME_WAIT ages known, none unknown" \
		"$(ages_known_unknown TIME_WAIT /tmp/stray.read)" "10 0"
	# And its owners.
	echo uid > $PARAMS/owners
	echo 64 > $PARAMS/top_owners
	cp $PROC /tmp/stray.read
	check "half the chains stray, owners=uid: per state, the owners' sockets add up to the total ($(header_word restarts /tmp/stray.read) restarts)" \
		owners_add_up_walked_again /tmp/stray.read
	echo 1 > $PARAMS/reset
	echo 100 > $stray/probability
	compare_states "every chain strays" 0 0
	check "every chain strays: the header says inexact" [ -n "$(header_word inexact)" ]
	echo 0 > $stray/probability
	echo 0 > /proc/$$/make-it-fail
	check "no chain strays: no chain walked again, exact" \
		sh -c "[ '$(header_word restarts)' = 0 ] && [ -z '$(header_word inexact)' ]"
	stop_sockets $SOCKETS_PID
}

# Refused connects with inet_sock_set_state not attached: the resets are
# counted, no transition is.
resets_without_set_state() {
	transition_lines > /tmp/tr.before
	start_sockets /tmp/refused.out 4:refused:3:9
	stop_sockets $SOCKETS_PID
	transition_lines > /tmp/tr.after
	expect_eq "without inet_sock_set_state: the resets are counted" \
		"$(transition_delta /tmp/tr.before /tmp/tr.after "reset_received SYN_SENT")" 3
	expect_eq "without inet_sock_set_state: no transition is" \
		"$(transition_delta /tmp/tr.before /tmp/tr.after "transition SYN_SENT CLOSED")" 0
}

# A tracepoint the module cannot attach to, its first probe's allocation
# failing at load: the load succeeds, the file names it, the other probes
# count, and transitions=N then Y attaches it.
faults_unattached_tracepoint() {
	r=$(ksym_range tcpstates_transitions_enable) ||
		{ not_ok "tcpstates_transitions_enable is in /proc/kallsyms"; return; }
	rmmod tcpstates
	# shellcheck disable=SC2086
	fault_confine $r
	fault_set probability 100
	fault_set interval 1
	fault_set times 1
	check "a load whose first tracepoint attach fails succeeds" \
		sh -c "echo 1 > /proc/self/make-it-fail && exec insmod $KO"
	fault_set probability 0
	[ -d /sys/module/tcpstates ] || insmod $KO
	expect_eq "the file names the one tracepoint not attached" \
		"$(grep '^# transitions: tracepoint' $PROC)" \
		"# transitions: tracepoint inet_sock_set_state not attached"
	in_netns resets_without_set_state
	set_knob transitions N
	set_knob transitions Y
	check "transitions=N then Y attaches it" sh -c "! grep -q 'not attached' $PROC"
}

test_faults() {
	faults_leaks_begin
	faults_failed_loads
	echo "tcpstates-test: injected faults begin" > /dev/kmsg
	if [ ! -d $FI/failslab ] || [ ! -d $FI/fail_page_alloc ] ||
	   [ ! -e $FI/failslab/require-start ] || [ ! -e /proc/thread-self/fail-nth ]; then
		skip "injected faults" "kernel without failslab, fail_page_alloc, their stack filter or fail-nth"
		faults_leaks_end
		return
	fi
	# Fail only what is asked for: nothing at random, no stack dumps, and
	# sleeping and order-0 allocations may fail too.
	fault_set probability 0
	fault_set task-filter Y
	fault_set verbose 0
	fault_set ignore-gfp-wait N
	fault_set stacktrace-depth 32
	FAULTS=fail_page_alloc fault_set min-order 0
	FAULTS=fail_page_alloc fault_set ignore-gfp-highmem N

	t0=$(date +%s)
	faults_points
	t1=$(date +%s)
	faults_sites
	t2=$(date +%s)
	faults_random
	faults_unattached_tracepoint
	fault_restore
	in_netns stray_in_child
	diag "faults: points $((t1 - t0)) s, call sites $((t2 - t1)) s, random $(($(date +%s) - t2)) s"
	faults_leaks_end

	# A failed allocation may be logged with a stack (warn_alloc), and
	# kmemleak may say it scans a whole object for want of a scan area:
	# that is expected here, and nothing else is.
	dmesg > /tmp/faults.dmesg
	check "dmesg still holds everything since the faults began" \
		grep -q 'tcpstates-test: injected faults begin' /tmp/faults.dmesg
	sed -n '/tcpstates-test: injected faults begin/,$p' /tmp/faults.dmesg > /tmp/faults.window
	splats_before=$(sed '/tcpstates-test: injected faults begin/,$d' /tmp/faults.dmesg |
		grep -E "$SPLAT" | grep -vE "$SPLAT_BENIGN")
	others=$(grep -E "$SPLAT" /tmp/faults.window | grep -vE "$SPLAT_BENIGN" |
		grep -vE 'Call Trace:|kmemleak: Cannot allocate a scan area')
	traces=$(grep -c 'Call Trace:' /tmp/faults.window)
	reports=$(grep -cE 'page allocation failure|vmalloc error' /tmp/faults.window)
	expect_eq "dmesg under injected faults: no splat but the allocation failures' own reports" \
		"$others" ""
	check "dmesg under injected faults: each stack belongs to an allocation failure ($traces stacks, $reports reports)" \
		[ "$traces" -le "$reports" ]
	# Those reports would fail the suite's final dmesg check: clear them,
	# when nothing before this test needs that check.
	grep -q 'tcpstates-test: injected faults begin' /tmp/faults.dmesg &&
		[ -z "$others" ] && [ -z "$splats_before" ] && dmesg -c > /dev/null
	return 0
}
