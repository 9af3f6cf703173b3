# SPDX-License-Identifier: GPL-2.0
# The listeners section (top_listeners) and the accept_queue hint, against
# ss -ltn, /proc/net/tcp and the kernel's ListenDrops in the same netns.

# The "listener ADDR:PORT accept_queue backlog syn_queue drops netns" line
# of the listener on PORT.
listener_line() { # listener_line PORT [FILE]
	grep "^listener [^ ]*:$1 " "${2:-$PROC}"
}

# "accept_queue backlog" of the listener on PORT: ss's Recv-Q and Send-Q.
ss_queues() { # ss_queues PORT
	ss -Hltn "sport = :$1" | awk '{ print $2, $3 }'
}

module_queues() { # module_queues PORT
	listener_line "$1" | awk '{ print $3, $4 }'
}

# Every listener line's queues equal ss's for its port.
listeners_agree_with_ss() {
	grep '^listener ' $PROC | while read -r _ addr _; do
		port=${addr##*:}
		[ "$(module_queues "$port")" = "$(ss_queues "$port")" ] ||
			{ diag "port $port: $(module_queues "$port") against ss $(ss_queues "$port")"; exit 1; }
	done
}

this_netns() {
	readlink /proc/self/ns/net | tr -dc 0-9
}

no_accept_queue_hint() {
	! grep -q '^hint accept_queue' $PROC
}

listeners_in_child() {
	echo 3 > $PARAMS/top_listeners
	start_sockets /tmp/li.out 4:listen:2:7600 6:listen:1:7610 ||
		{ not_ok "listeners in place"; return; }
	listen_pid=$SOCKETS_PID
	check "idle listeners: no accept_queue hint" no_accept_queue_hint
	expect_eq "top_listeners=3, three listening: three lines" \
		"$(grep -c '^listener ' $PROC)" 3
	check "an IPv6 listener is shown as [::1]:7610" \
		grep -q '^listener \[::1\]:7610 0 ' $PROC
	expect_eq "the listener's netns is this one" \
		"$(listener_line 7610 | awk '{ print $7 }')" "$(this_netns)"

	# Backlog 0, one connection never accepted: the kernel drops every
	# further SYN (ListenOverflows, ListenDrops).
	start_sockets /tmp/li.full.out 4:syn_sent:2:7620 ||
		{ not_ok "a full accept queue"; stop_sockets $listen_pid; return; }
	syn_sent_pid=$SOCKETS_PID
	expect_eq "the full listener ranks first" \
		"$(grep -m1 '^listener ' $PROC | awk '{ print $2 }')" 127.0.0.1:7620
	expect_eq "its accept queue and backlog equal ss -ltn's Recv-Q and Send-Q" \
		"$(module_queues 7620)" "$(ss_queues 7620)"
	expect_eq "... which are 1 and 0" "$(ss_queues 7620)" "1 0"
	before=$(nstat_value TcpExtListenDrops)
	drops=$(listener_line 7620 | awk '{ print $6 }')
	after=$(nstat_value TcpExtListenDrops)
	check "its drops ($drops) are this netns's ListenDrops ($before..$after), the only listener dropping" \
		sh -c "[ $before -le ${drops:-0} ] && [ ${drops:-0} -le $after ] && [ ${drops:-0} -ge 2 ]"
	check "the accept_queue hint names the listener and says who is slow" \
		grep -q '^hint accept_queue: listener on 127.0.0.1:7620 has 1 connections waiting for accept() against a backlog of 0 (TcpExtListenOverflows [1-9][0-9]*); the application is not accepting' $PROC

	echo 64 > $PARAMS/top_listeners
	expect_eq "top_listeners=64: every listener, and no more" \
		"$(grep -c '^listener ' $PROC)" \
		"$(oracle_sockets | awk '$2 == "LISTEN"' | wc -l)"
	check "every listener's queues equal ss's" listeners_agree_with_ss
	echo 0 > $PARAMS/top_listeners
	check "top_listeners=0: no listener lines" \
		sh -c "! grep -Eq '^(listener|# top .* listeners)' $PROC"
	check "... and still the hint" grep -q '^hint accept_queue' $PROC

	stop_sockets $syn_sent_pid
	check "the full listener gone: no accept_queue hint" no_accept_queue_hint
	stop_sockets $listen_pid
}

# The SYN queue: request socks the lab's peer left half open.
listeners_syn_queue_in_child() {
	echo 1 > $PARAMS/top_listeners
	lab_start /tmp/lq.out SYN_RECV -n 3 --backlog 16 --hold 600 --here ||
		{ not_ok "lab SYN_RECV"; return; }
	port=$(oracle_sockets | awk '$2 == "LISTEN" { print $3; exit }')
	requests=$(oracle_sockets | awk -v p="$port" '$2 == "SYN_RECV" && $3 == p' | wc -l)
	expect_eq "syn_queue equals the SYN_RECV rows of /proc/net/tcp on port $port" \
		"$(listener_line "$port" | awk '{ print $5 }')" "$requests"
	expect_eq "... which are the lab's 3" "$requests" 3
	expect_eq "backlog 16 and an empty accept queue, as ss says" \
		"$(module_queues "$port")" "$(ss_queues "$port")"
	lab_stop
	echo 0 > $PARAMS/top_listeners
}

test_listeners() {
	in_netns listeners_in_child
	check "tun loaded and /dev/net/tun there, for the lab" need_tun &&
		in_netns listeners_syn_queue_in_child
	echo 0 > $PARAMS/top_listeners
}
