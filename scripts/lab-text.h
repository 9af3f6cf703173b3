/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The texts tcpstates-lab prints for people, in one table, so that a
 * translation is one column of it. What scripts and tests read stays out
 * of it and never changes: state names, "held STATE COUNT FAMILY", "ready",
 * the rows of /proc/tcpstates. Included by tcpstates-lab.c alone.
 */
#ifndef LAB_TEXT_H
#define LAB_TEXT_H

/* One text; every translation takes the same printf arguments. */
struct lab_text {
	const char *en;
};

enum text_id {
	/* errors, after "tcpstates-lab: " */
	M_FLAGS_READ,
	M_FLAGS_SET,
	M_ADDR_ADD,
	M_NETMASK,
	M_NO_IPV6,
	M_ADDR_UNUSABLE,
	M_NO_NETNS,
	M_TUN_HINT_MODULE,
	M_TUN_HINT_NODE,
	M_TUN_OPEN,
	M_TUN_CREATE,
	M_TUN_BUSY,
	M_SOCKET,
	M_TUN_WRITE,
	M_SETSOCKOPT,
	M_TOO_MANY,
	M_LISTENER,
	M_BIND,
	M_LISTEN,
	M_CONNECT,
	M_NO_SYNACK,
	M_NO_FIN,
	M_NOT_REACHED,
	M_BAD_NUMBER,
	M_WHAT_COUNT,
	M_WHAT_HOLD,
	M_WHAT_BACKLOG,
	M_BAD_FAMILY,
	M_UNKNOWN_STATE,
	/* holding states */
	M_ROWS_NO_MODULE,
	M_ROWS_HEADER,
	/* the tour */
	M_TOUR_INTRO,
	M_TOUR_NO_MODULE,
	M_TOUR_ENTER,
	M_TOUR_SEGMENT,
	M_TOUR_ENDS,
	M_TOUR_UNSEEN_TIME_WAIT,
	M_TOUR_OVER,
	M_STEP_BIND,
	M_STEP_LISTEN,
	M_STEP_SYN,
	M_STEP_SYN_ACK,
	M_STEP_ACK,
	M_STEP_FIN,
	M_STEP_FIN_ACKED,
	M_STEP_PEER_FIN,
	M_STEP_TIME_WAIT,
	M_STEP_SECOND,
	M_STEP_PEER_CLOSES,
	M_STEP_OUR_FIN,
	M_STEP_LAST_ACK,
	M_STEP_THIRD,
	M_STEP_FINS_CROSS,
	M_STEP_BOTH_TIME_WAIT,
	M_STEP_LISTENER,
	/* --help: how each state is held, in the order of the states */
	M_HOW_CLOSED,
	M_HOW_LISTEN,
	M_HOW_SYN_SENT,
	M_HOW_SYN_RECV,
	M_HOW_ESTABLISHED,
	M_HOW_FIN_WAIT1,
	M_HOW_FIN_WAIT2,
	M_HOW_CLOSE_WAIT,
	M_HOW_CLOSING,
	M_HOW_LAST_ACK,
	M_HOW_TIME_WAIT,
	M_USAGE,
	M_USAGE_END,
	NR_TEXTS
};

static const struct lab_text lab_texts[NR_TEXTS] = {
	[M_FLAGS_READ] = {
		"cannot read %s's flags: %s",
	},
	[M_FLAGS_SET] = {
		"cannot bring %s up: %s",
	},
	[M_ADDR_ADD] = {
		"cannot add %s to %s: %s",
	},
	[M_NETMASK] = {
		"cannot set the netmask on %s: %s",
	},
	[M_NO_IPV6] = {
		"IPv6 is not available: %s",
	},
	[M_ADDR_UNUSABLE] = {
		"%s did not become usable: %s",
	},
	[M_NO_NETNS] = {
		"cannot create a network namespace: %s (needs root or CAP_SYS_ADMIN)",
	},
	[M_TUN_HINT_MODULE] = {
		"is the tun module loaded? try: modprobe tun",
	},
	[M_TUN_HINT_NODE] = {
		"tun is loaded; try: mknod /dev/net/tun c 10 200",
	},
	[M_TUN_OPEN] = {
		"cannot open /dev/net/tun: %s (%s)",
	},
	[M_TUN_CREATE] = {
		"cannot create the tun device %s: %s%s",
	},
	[M_TUN_BUSY] = {
		" (another lab runs in this netns)",
	},
	[M_SOCKET] = {
		"socket: %s",
	},
	[M_TUN_WRITE] = {
		"writing to %s: %s",
	},
	[M_SETSOCKOPT] = {
		"setsockopt: %s",
	},
	[M_TOO_MANY] = {
		"too many sockets (at most %d)",
	},
	[M_LISTENER] = {
		"listener: %s",
	},
	[M_BIND] = {
		"bind: %s",
	},
	[M_LISTEN] = {
		"listen: %s",
	},
	[M_CONNECT] = {
		"connect: %s",
	},
	[M_NO_SYNACK] = {
		"no SYN-ACK from the kernel",
	},
	[M_NO_FIN] = {
		"no FIN from the kernel",
	},
	[M_NOT_REACHED] = {
		"%s socket on port %u did not reach its state",
	},
	[M_BAD_NUMBER] = {
		"bad %s '%s' (1..%ld)",
	},
	[M_WHAT_COUNT] = {
		"count",
	},
	[M_WHAT_HOLD] = {
		"hold time",
	},
	[M_WHAT_BACKLOG] = {
		"backlog",
	},
	[M_BAD_FAMILY] = {
		"--family takes 4 or 6",
	},
	[M_UNKNOWN_STATE] = {
		"unknown state '%s'",
	},

	[M_ROWS_NO_MODULE] = {
		"# /proc/tcpstates: the tcpstates module is not loaded\n",
	},
	[M_ROWS_HEADER] = {
		"# /proc/tcpstates in this netns:\n",
	},

	[M_TOUR_INTRO] = {
		"A tour of one TCP connection's life. We are %s, the kernel's socket;\n"
		"the peer %s is this program, writing segments on %s.\n",
	},
	[M_TOUR_NO_MODULE] = {
		"(the tcpstates module is not loaded: no /proc/tcpstates lines)\n",
	},
	[M_TOUR_ENTER] = {
		"  [Enter] ",
	},
	[M_TOUR_SEGMENT] = {
		"    segment: %s\n",
	},
	[M_TOUR_ENDS] = {
		"    us (kernel): %-12s  peer (lab): %s\n",
	},
	[M_TOUR_UNSEEN_TIME_WAIT] = {
		"    (the socket closes and a timewait sock takes its place:\n"
		"     the kernel's tracepoint does not see TIME_WAIT begin)\n",
	},
	[M_TOUR_OVER] = {
		"\nThe tour is over.\n",
	},
	[M_STEP_BIND] = {
		"socket() and bind(): a bound socket is CLOSED",
	},
	[M_STEP_LISTEN] = {
		"listen(): we wait for a connection",
	},
	[M_STEP_SYN] = {
		"the peer sends a SYN (it is in SYN_SENT); a request socket is made",
	},
	[M_STEP_SYN_ACK] = {
		"we answered with a SYN-ACK",
	},
	[M_STEP_ACK] = {
		"the peer's ACK completes the handshake; accept() returns",
	},
	[M_STEP_FIN] = {
		"close (shutdown(SHUT_WR)): we send a FIN",
	},
	[M_STEP_FIN_ACKED] = {
		"the peer ACKs our FIN; it will close later",
	},
	[M_STEP_PEER_FIN] = {
		"the peer closes too: its FIN",
	},
	[M_STEP_TIME_WAIT] = {
		"we ACK it and wait 2MSL (60 s) in TIME_WAIT",
	},
	[M_STEP_SECOND] = {
		"a second connection, handshake as before",
	},
	[M_STEP_PEER_CLOSES] = {
		"the peer closes first: its FIN; we ACK it",
	},
	[M_STEP_OUR_FIN] = {
		"our application closes: our FIN",
	},
	[M_STEP_LAST_ACK] = {
		"the peer's last ACK: we are done",
	},
	[M_STEP_THIRD] = {
		"a third connection: we close, our FIN",
	},
	[M_STEP_FINS_CROSS] = {
		"the peer closed at the same time: its FIN crosses ours",
	},
	[M_STEP_BOTH_TIME_WAIT] = {
		"the peer ACKs our FIN: 2MSL in TIME_WAIT",
	},
	[M_STEP_LISTENER] = {
		"we close the listener",
	},

	[M_HOW_CLOSED] = {
		"bind() and nothing else: bound, neither listening nor connecting",
	},
	[M_HOW_LISTEN] = {
		"listen()",
	},
	[M_HOW_SYN_SENT] = {
		"connect() to a peer that never answers the SYN (TCP_SYNCNT 127)",
	},
	[M_HOW_SYN_RECV] = {
		"the peer sends a SYN to our listener and never ACKs the SYN-ACK (listener's TCP_SYNCNT 127)",
	},
	[M_HOW_ESTABLISHED] = {
		"connect(); the peer completes the handshake and then stays silent",
	},
	[M_HOW_FIN_WAIT1] = {
		"shutdown(SHUT_WR); the peer never ACKs our FIN (TCP_USER_TIMEOUT keeps retrying)",
	},
	[M_HOW_FIN_WAIT2] = {
		"shutdown(SHUT_WR); the peer ACKs our FIN but never sends its own",
	},
	[M_HOW_CLOSE_WAIT] = {
		"the peer sends its FIN; we never close",
	},
	[M_HOW_CLOSING] = {
		"shutdown(SHUT_WR); the peer's FIN crosses ours and it never ACKs ours",
	},
	[M_HOW_LAST_ACK] = {
		"the peer sends its FIN, we shutdown(SHUT_WR), the peer never ACKs our FIN",
	},
	[M_HOW_TIME_WAIT] = {
		"shutdown(SHUT_WR); the peer ACKs and sends its FIN; its FIN, re-sent every 20 s, restarts 2MSL",
	},
	[M_USAGE] = {
		"usage: tcpstates-lab STATE [-n COUNT] [--hold SECONDS] [-6] [--here] [--backlog N]\n"
		"       tcpstates-lab all [-n COUNT] [--hold SECONDS] [-6] [--here] [--backlog N]\n"
		"       tcpstates-lab tour [--auto] [--family 4|6] [--here]\n"
		"\n"
		"Puts COUNT sockets (default 1) into STATE, confirms each is there, prints\n"
		"them, then holds them until SECONDS pass or Ctrl-C. STATE is one of the 11\n"
		"names /proc/tcpstates prints, in any case; `all' holds every state at once.\n"
		"`tour' walks one connection through its whole life, a step per Enter.\n"
		"\n"
		"  -n, --count N     sockets per state (1..%d)\n"
		"  --hold SECONDS    how long to hold them (default: until Ctrl-C)\n"
		"  -6                IPv6 (%s and peer %s) instead of IPv4 (%s, peer %s)\n"
		"  --family 4|6      the same, for the tour\n"
		"  --here            work in the current network namespace, so a plain\n"
		"                    `cat /proc/tcpstates' shows the sockets; by default a\n"
		"                    namespace of its own keeps real interfaces untouched\n"
		"  --auto            run the tour without waiting for Enter\n"
		"  --backlog N       listen() backlog of the SYN_RECV listener (default 1024);\n"
		"                    `SYN_RECV -n 8 --backlog 8' looks like a SYN flood\n"
		"\n"
		"The lab plays the remote end itself on the tun device %s, writing\n"
		"exactly the segments each state needs. How each state is held:\n",
	},
	[M_USAGE_END] = {
		"\nOutput: one line per socket, then `held STATE COUNT FAMILY' per state and\n"
		"`ready'. Exit status: 0 done, 1 a state could not be reached or set up, 2 usage.\n",
	},
};

#endif /* LAB_TEXT_H */
