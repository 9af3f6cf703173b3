# SPDX-License-Identifier: GPL-2.0
# Defects found in review, each with the test that failed before its fix.

# A bind bucket with more owners than one hold of its lock counts: the walk
# pauses, holding the owner it stopped at, and goes on from it. Every
# owner is counted once, also while owners come and go during the read.
review_bind_bucket_in_child() {
	ulimit -n 16384
	start_sockets /tmp/bb.out 4:bound_shared:2500:7800 6:bound_shared:1500:7801 \
		4:bound:3:7900 || { not_ok "review: 4,000 owners of two bind buckets ready"; return; }
	held=$SOCKETS_PID
	compare_states "review: 2,500 and 1,500 owners of one port" 2503 1500
	check "review: the read over the big buckets was exact" \
		sh -c "! grep -q '^# tables.*inexact' $PROC"
	# Owners come and go on the same port while a reader loops.
	( while :; do cat $PROC > /dev/null; done ) &
	reader=$!
	rounds=$(sized 10 3)
	n=0
	while [ $n -lt $rounds ]; do
		start_sockets /tmp/bb2.out 4:bound_shared:300:7800 && stop_sockets $SOCKETS_PID
		n=$((n + 1))
	done
	kill $reader
	wait $reader 2> /dev/null
	compare_states "review: after $rounds rounds of churn on the port" 2503 1500
	stop_sockets $held
}

# /proc/tcpstates used to open /proc/sys/net/ipv4/tcp_max_orphans from its
# ->show, resolved in the reader's mount namespace: a bind mount of the
# file onto that path recursed until the stack overflowed, and a FIFO there
# blocked the reader (and rmmod) and let its writer choose the value.
review_no_file_read() {
	sysctl=/proc/sys/net/ipv4/tcp_max_orphans
	mount -o bind $PROC $sysctl
	timeout 60 cat $PROC > /tmp/rv.out 2>&1
	rc=$?
	umount $sysctl
	check "review: /proc/tcpstates bound over tcp_max_orphans reads (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q '^ESTABLISHED ' /tmp/rv.out"
	rm -f /tmp/rv.fifo
	mkfifo /tmp/rv.fifo
	mount -o bind /tmp/rv.fifo $sysctl
	timeout 60 cat $PROC > /tmp/rv.out 2>&1
	rc=$?
	umount $sysctl
	check "review: a FIFO over tcp_max_orphans does not block the reader (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q '^ESTABLISHED ' /tmp/rv.out"
	check "review: no tcp_max_orphans value that a file could spoof" \
		sh -c "! grep -q '^tcp_max_orphans ' /tmp/rv.out"
}

test_review() {
	in_netns review_bind_bucket_in_child
	review_no_file_read
}
