# SPDX-License-Identifier: GPL-2.0
# Loading, the file's shape, and exact counts against the kernel's view.

test_load() {
	check "insmod tcpstates.ko" insmod $KO
	check "/proc/tcpstates exists" [ -r $PROC ]
	expect_eq "/proc/tcpstates mode is 0444" \
		"$(stat -c %A $PROC)" "-r--r--r--"
	expect_eq "exactly the 11 state lines, in order" \
		"$(awk -v s="$STATES" 'BEGIN { n = split(s, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 } ($1 in w) { printf "%s ", $1 }' $PROC)" \
		"$STATES "
	self=$(readlink /proc/self/ns/net | tr -dc 0-9)
	expect_eq "header names the version and the reader's netns" \
		"$(awk '/^# tcpstates / { print $3, $4, $5 }' $PROC)" \
		"$(cat /suite/VERSION) netns $self"
	check "every other line is a comment or a known kind" \
		awk -v s="$STATES" 'BEGIN { n = split(s, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1; bad = 0 }
			/^#/ || ($1 in w) { next }
			$1 ~ /^(hint|netns|port|socket)$/ { next }
			NF == 3 && $1 ~ /^[a-z_0-9]+$/ { next }
			{ print "# unexpected: " $0; bad = 1 } END { exit bad }' $PROC
}

# A mixed population: distinct counts per kind and family, so a swapped
# column or state shows.
POPULATION="4:listen:3:7001 4:bound:2:7100 4:established:4:7010 4:fin_wait2:5:7020
4:orphan:6:7030 4:time_wait:7:7040 6:listen:2:7001 6:bound:3:7100
6:established:5:7010 6:fin_wait2:3:7020 6:orphan:4:7030 6:time_wait:2:7040"

test_population() {
	# shellcheck disable=SC2086
	start_sockets /tmp/pop.out $POPULATION || { not_ok "population ready"; return; }
	compare_states "init netns" 2 3
	at_least "init netns" LISTEN 4 6
	at_least "init netns" ESTABLISHED 4 8
	at_least "init netns" CLOSE_WAIT 4 11
	at_least "init netns" FIN_WAIT2 4 11
	at_least "init netns" TIME_WAIT 4 7
	at_least "init netns" LISTEN 6 5
	at_least "init netns" ESTABLISHED 6 10
	at_least "init netns" FIN_WAIT2 6 7
	at_least "init netns" TIME_WAIT 6 2
	# FIN_WAIT2 comes both as a full socket and as a timewait sock.
	fw2_timewait=$(column FIN_WAIT2 timewait)
	expect_eq "FIN_WAIT2: the 10 orphaned ones are timewait socks" "$fw2_timewait" 10
	stop_sockets $SOCKETS_PID
	snapshot
	expect_eq "after the holder exits: CLOSED back to 0" "$(field CLOSED 2 "$M") $(field CLOSED 3 "$M")" "0 0"
	expect_eq "after the holder exits: ESTABLISHED back to the oracle's" \
		"$(field ESTABLISHED 2 "$M") $(field ESTABLISHED 3 "$M")" \
		"$(field ESTABLISHED 2 "$O1") $(field ESTABLISHED 3 "$O1")"
}

# Sockets of a child netns are counted inside it and invisible outside.
netns_case() { # netns_case LABEL EHASH_ENTRIES
	label=$1
	echo "$2" > /proc/sys/net/ipv4/tcp_child_ehash_entries
	# The child holds its sockets until /tmp/child.hold goes (10 min at
	# most), once it has said "ready".
	rm -f /tmp/child.entries /tmp/child.tap /tmp/child.table
	touch /tmp/child.hold
	run_bg /tmp/child.log unshare -n sh -c '
		. /suite/lib.sh
		ip link set lo up
		entries=$(cat /proc/sys/net/ipv4/tcp_ehash_entries)
		echo "entries $entries" > /tmp/child.entries
		start_sockets /tmp/child.out 4:listen:5:9001 6:established:6:9010 4:time_wait:3:9020 4:bound:4:9100 || exit 1
		compare_states "'"$label"' (inside)" 4 0 > /tmp/child.tap
		awk "/^# tables/ { print \$6 }" /proc/tcpstates > /tmp/child.table
		echo ready
		wait_for 600 [ ! -e /tmp/child.hold ]
		stop_sockets $SOCKETS_PID
	'
	child=$BG_PID
	if ! wait_ready /tmp/child.log $child; then
		not_ok "$label: the child netns holds its sockets"
		rm -f /tmp/child.hold
		echo 0 > /proc/sys/net/ipv4/tcp_child_ehash_entries
		return
	fi
	replay_tap /tmp/child.tap
	entries=$(awk '{ print $2 }' /tmp/child.entries)
	if [ "$2" -gt 0 ]; then
		check "$label: the child has its own ehash ($entries buckets)" [ "$entries" -gt 0 ]
		expect_eq "$label: /proc/tcpstates walks the child's own table" "$(cat /tmp/child.table)" own
	else
		check "$label: the child shares the global ehash" [ "$entries" -lt 0 ]
		expect_eq "$label: /proc/tcpstates walks the shared table" "$(cat /tmp/child.table)" shared
	fi
	# From the parent, nothing of the child's shows: its listeners and
	# connections, still held, would make the counts differ from the
	# parent's /proc/net/tcp{,6}. (Not against a count taken before:
	# earlier tests' TIME_WAIT sockets expire meanwhile.)
	compare_states "$label (parent)" 0 0
	rm -f /tmp/child.hold
	wait $child
	echo 0 > /proc/sys/net/ipv4/tcp_child_ehash_entries
}

test_netns() {
	netns_case "child netns with its own ehash" 256
	netns_case "child netns on the shared ehash" 0
}

# unload_readers_running: each of the 5 readers has read once.
unload_readers_running() {
	[ "$(ls /tmp/unload.reader.* 2>/dev/null | wc -l)" = 5 ]
}

test_unload() {
	rm -f /tmp/unload.reader.*
	i=0
	while [ $i -lt 4 ]; do
		( cat $PROC > /dev/null; : > /tmp/unload.reader.$i
		  while :; do cat $PROC > /dev/null 2>&1; done ) &
		eval "reader$i=$!"
		i=$((i + 1))
	done
	# One reader keeps the file open across the unload; its pause only
	# leaves the CPU to the others.
	( exec 3< $PROC; cat <&3 > /dev/null; : > /tmp/unload.reader.held
	  while :; do cat <&3 > /dev/null 2>&1; sleep 0.01; done ) &
	held=$!
	check "5 readers are reading before the first unload" wait_for 30 unload_readers_running
	n=0 fails=0
	while [ $n -lt 10 ]; do
		rmmod tcpstates || fails=$((fails + 1))
		insmod $KO || fails=$((fails + 1))
		n=$((n + 1))
	done
	expect_eq "10 unload/reload cycles under 5 concurrent readers" "$fails" 0
	kill $reader0 $reader1 $reader2 $reader3 $held 2>/dev/null
	wait 2>/dev/null
	compare_states "after the reloads" 0 0
}
