# SPDX-License-Identifier: GPL-2.0
# Loading, the file's shape, and unloading under active readers.

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
			$1 ~ /^(hint|netns|port|listener|age|socket|transition)$/ { next }
			NF == 3 && $1 ~ /^[a-z_0-9]+$/ { next }
			{ print "# unexpected: " $0; bad = 1 } END { exit bad }' $PROC
}


# unload_readers_running: each of the 5 readers has read once.
unload_readers_running() {
	readers_reading 4 && [ -e /tmp/unload.reader.held ]
}

test_unload() {
	rm -f /tmp/unload.reader.held
	start_readers 4
	# One reader keeps the file open across the unload; its pause only
	# leaves the CPU to the others.
	( exec 3< $PROC; cat <&3 > /dev/null; : > /tmp/unload.reader.held
	  while :; do cat <&3 > /dev/null 2>&1; sleep 0.01; done ) &
	held=$!
	check "5 readers are reading before the first unload" wait_for 30 unload_readers_running
	# Connections opened and closed all along fire the transition probes
	# while they are detached and freed.
	run_bg /tmp/unload.churn $H/churn 3600 7998
	churn=$BG_PID
	check "the churn's transitions are counted before the first unload" \
		wait_for 30 churn_counted
	n=0 fails=0
	while [ $n -lt 10 ]; do
		rmmod tcpstates || fails=$((fails + 1))
		insmod $KO || fails=$((fails + 1))
		n=$((n + 1))
	done
	expect_eq "10 unload/reload cycles under 5 concurrent readers and a churn" "$fails" 0
	check "the churn ran through them" kill -0 $churn
	check "after the reloads the churn's transitions are counted again" \
		wait_for 30 churn_counted
	stop_readers
	kill $churn $held 2>/dev/null
	wait 2>/dev/null
	compare_states "after the reloads" 0 0
}

# churn_counted: connections have completed since the module loaded.
churn_counted() {
	grep -q '^transition SYN_SENT ESTABLISHED [1-9]' $PROC
}
