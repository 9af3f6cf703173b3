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
	const char *zh;		/* Simplified Chinese */
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
	M_WHAT_INTERVAL,
	M_BAD_FAMILY,
	M_BAD_LANG,
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
	M_CHECK_FAILED,
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
	/* the state diagram */
	M_LEGEND_MARKS,
	M_LEGEND_NOTATION,
	M_DIAGRAM_OUR_MOVES,
	M_DIAGRAM_PEER_MOVES,
	/* watch */
	M_WATCH_INTRO,
	M_WATCH_SEPARATOR,
	M_WATCH_TITLE,
	M_WATCH_NO_MODULE,
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
		"无法读取 %s 的接口标志：%s",
	},
	[M_FLAGS_SET] = {
		"cannot bring %s up: %s",
		"无法启用 %s：%s",
	},
	[M_ADDR_ADD] = {
		"cannot add %s to %s: %s",
		"无法把地址 %s 加到 %s 上：%s",
	},
	[M_NETMASK] = {
		"cannot set the netmask on %s: %s",
		"无法设置 %s 的子网掩码：%s",
	},
	[M_NO_IPV6] = {
		"IPv6 is not available: %s",
		"IPv6 不可用：%s",
	},
	[M_ADDR_UNUSABLE] = {
		"%s did not become usable: %s",
		"地址 %s 一直不可用：%s",
	},
	[M_NO_NETNS] = {
		"cannot create a network namespace: %s (needs root or CAP_SYS_ADMIN)",
		"无法创建网络命名空间：%s（需要 root 或 CAP_SYS_ADMIN）",
	},
	[M_TUN_HINT_MODULE] = {
		"is the tun module loaded? try: modprobe tun",
		"tun 模块加载了吗？试试：modprobe tun",
	},
	[M_TUN_HINT_NODE] = {
		"tun is loaded; try: mknod /dev/net/tun c 10 200",
		"tun 已经加载；试试：mknod /dev/net/tun c 10 200",
	},
	[M_TUN_OPEN] = {
		"cannot open /dev/net/tun: %s (%s)",
		"无法打开 /dev/net/tun：%s（%s）",
	},
	[M_TUN_CREATE] = {
		"cannot create the tun device %s: %s%s",
		"无法创建 tun 设备 %s：%s%s",
	},
	[M_TUN_BUSY] = {
		" (another lab runs in this netns)",
		"（这个网络命名空间里已经有一个 lab 在运行）",
	},
	[M_SOCKET] = {
		"socket: %s",
		"socket() 失败：%s",
	},
	[M_TUN_WRITE] = {
		"writing to %s: %s",
		"写 %s 失败：%s",
	},
	[M_SETSOCKOPT] = {
		"setsockopt: %s",
		"setsockopt() 失败：%s",
	},
	[M_TOO_MANY] = {
		"too many sockets (at most %d)",
		"套接字太多（最多 %d 个）",
	},
	[M_LISTENER] = {
		"listener: %s",
		"监听套接字出错：%s",
	},
	[M_BIND] = {
		"bind: %s",
		"bind() 失败：%s",
	},
	[M_LISTEN] = {
		"listen: %s",
		"listen() 失败：%s",
	},
	[M_CONNECT] = {
		"connect: %s",
		"connect() 失败：%s",
	},
	[M_NO_SYNACK] = {
		"no SYN-ACK from the kernel",
		"内核没有回复 SYN+ACK",
	},
	[M_NO_FIN] = {
		"no FIN from the kernel",
		"内核没有发出 FIN",
	},
	[M_NOT_REACHED] = {
		"%s socket on port %u did not reach its state",
		"%s 套接字（端口 %u）没能进入它的状态",
	},
	[M_BAD_NUMBER] = {
		"bad %s '%s' (1..%ld)",
		"%s 的值 '%s' 不对（应为 1..%ld）",
	},
	[M_WHAT_COUNT] = {
		"count",
		"-n/--count",
	},
	[M_WHAT_HOLD] = {
		"hold time",
		"--hold",
	},
	[M_WHAT_BACKLOG] = {
		"backlog",
		"--backlog",
	},
	[M_WHAT_INTERVAL] = {
		"interval",
		"--interval",
	},
	[M_BAD_FAMILY] = {
		"--family takes 4 or 6",
		"--family 只能是 4 或 6",
	},
	[M_BAD_LANG] = {
		"--lang takes en or zh",
		"--lang 只能是 en 或 zh",
	},
	[M_UNKNOWN_STATE] = {
		"unknown state '%s'",
		"不认识的状态 '%s'",
	},

	[M_ROWS_NO_MODULE] = {
		"# /proc/tcpstates: the tcpstates module is not loaded\n",
		"# /proc/tcpstates：tcpstates 模块没有加载\n",
	},
	[M_ROWS_HEADER] = {
		"# /proc/tcpstates in this netns:\n",
		"# 本网络命名空间里的 /proc/tcpstates：\n",
	},

	[M_TOUR_INTRO] = {
		"A tour of one TCP connection's life. We are %s, the kernel's socket;\n"
		"the peer %s is this program, writing segments on %s.\n",
		"一个 TCP 连接的一生，一步一步地走一遍。我方是 %s 上内核的套接字；\n"
		"对端 %s 由本程序扮演，它在 %s 上收发报文段。\n",
	},
	[M_TOUR_NO_MODULE] = {
		"(the tcpstates module is not loaded: no /proc/tcpstates lines)\n",
		"（tcpstates 模块没有加载：看不到 /proc/tcpstates 的内容）\n",
	},
	[M_TOUR_ENTER] = {
		"  [Enter] ",
		"  [回车] ",
	},
	[M_TOUR_SEGMENT] = {
		"    segment: %s\n",
		"    报文段：%s\n",
	},
	[M_TOUR_ENDS] = {
		"    us (kernel): %-12s  peer (lab): %s\n",
		"    我方（内核）：%-12s  对端（lab）：%s\n",
	},
	[M_TOUR_UNSEEN_TIME_WAIT] = {
		"    (the socket closes and a timewait sock takes its place:\n"
		"     the kernel's tracepoint does not see TIME_WAIT begin)\n",
		"    （套接字关闭，由一个 timewait sock 接替它：\n"
		"     内核的跟踪点看不到 TIME_WAIT 的开始）\n",
	},
	[M_TOUR_OVER] = {
		"\nThe tour is over.\n",
		"\n演示结束。\n",
	},
	[M_CHECK_FAILED] = {
		"step %d: the script has us in %s, the kernel in %s (%s)",
		"第 %d 步：脚本说我方处于 %s，内核却说是 %s（%s）",
	},
	[M_STEP_BIND] = {
		"socket() and bind(): a bound socket is CLOSED",
		"socket() 和 bind()：绑定了端口、既不监听也不连接的套接字处于 CLOSED",
	},
	[M_STEP_LISTEN] = {
		"listen(): we wait for a connection",
		"listen()：我方被动打开，等待对端来连接",
	},
	[M_STEP_SYN] = {
		"the peer sends a SYN (it is in SYN_SENT); a request socket is made",
		"对端发来 SYN，序号 seq=x（三次握手的第一次，对端处于 SYN_SENT）；\n"
		"    内核为这个连接请求建了一个请求套接字",
	},
	[M_STEP_SYN_ACK] = {
		"we answered with a SYN-ACK",
		"我方回复 SYN+ACK（第二次握手），确认号 ack=x+1 确认了对端的 SYN",
	},
	[M_STEP_ACK] = {
		"the peer's ACK completes the handshake; accept() returns",
		"对端的确认到达（第三次握手），三次握手完成，accept() 返回",
	},
	[M_STEP_FIN] = {
		"close (shutdown(SHUT_WR)): we send a FIN",
		"我方主动关闭：shutdown(SHUT_WR) 发出 FIN（四次挥手的第一次）",
	},
	[M_STEP_FIN_ACKED] = {
		"the peer ACKs our FIN; it will close later",
		"对端确认了我方的 FIN（第二次挥手），它稍后才关闭。现在连接半关闭：\n"
		"    我方不再发送数据，但仍能接收对端的数据",
	},
	[M_STEP_PEER_FIN] = {
		"the peer closes too: its FIN",
		"对端也关闭了，发来它的 FIN（第三次挥手）",
	},
	[M_STEP_TIME_WAIT] = {
		"we ACK it and wait 2MSL (60 s) in TIME_WAIT",
		"我方确认对端的 FIN（第四次挥手），在 TIME_WAIT 等待 2MSL（60 秒）",
	},
	[M_STEP_SECOND] = {
		"a second connection, handshake as before",
		"第二个连接，三次握手同上",
	},
	[M_STEP_PEER_CLOSES] = {
		"the peer closes first: its FIN; we ACK it",
		"这次对端主动关闭，发来 FIN；我方确认它，是被动关闭的一方",
	},
	[M_STEP_OUR_FIN] = {
		"our application closes: our FIN",
		"我方的应用程序也关闭了：发出我方的 FIN",
	},
	[M_STEP_LAST_ACK] = {
		"the peer's last ACK: we are done",
		"对端的最后一个确认到达：我方的连接结束，等待 2MSL 的是对端",
	},
	[M_STEP_THIRD] = {
		"a third connection: we close, our FIN",
		"第三个连接：我方关闭，发出 FIN",
	},
	[M_STEP_FINS_CROSS] = {
		"the peer closed at the same time: its FIN crosses ours",
		"对端也在同一时刻关闭：它的 FIN 与我方的 FIN 在途中交错（同时关闭）",
	},
	[M_STEP_BOTH_TIME_WAIT] = {
		"the peer ACKs our FIN: 2MSL in TIME_WAIT",
		"对端确认了我方的 FIN：双方各自在 TIME_WAIT 等待 2MSL",
	},
	[M_STEP_LISTENER] = {
		"we close the listener",
		"我方关闭监听套接字",
	},

	[M_LEGEND_MARKS] = {
		"%s our socket is in X   %s the peer (the lab) is in X   %s both are in X\n"
		"%s a transition we just took   %s one the peer took\n",
		"%s 我方套接字处于 X   %s 对端（本程序）处于 X   %s 双方都处于 X\n"
		"%s 我方刚走过的转移   %s 对端刚走过的转移\n",
	},
	[M_LEGEND_NOTATION] = {
		"Each label reads \"event / action\":\n"
		"  rcv X          a segment with X arrives      snd X   we send one with X\n"
		"  appl: ...      what the application does: passive open is listen(),\n"
		"                 active open connect(), close close() or shutdown()\n"
		"  ACK of SYN     the ACK of our SYN (ACK of FIN: of our FIN)\n"
		"  timeout=2MSL   twice the maximum segment lifetime: 60 s on Linux\n"
		"CLOSED is drawn twice, as in RFC 793. The RFC's LISTEN -> SYN_SENT (data sent\n"
		"on a listening socket) is left out: Linux has no such call.\n",
		"每个标注读作：事件 / 动作\n"
		"  rcv X          收到带 X 的报文段              snd X   发出带 X 的报文段\n"
		"  appl: ...      应用程序的调用：passive open 是 listen()（被动打开），\n"
		"                 active open 是 connect()（主动打开），close 是 close()\n"
		"                 或 shutdown()\n"
		"  ACK of SYN     对我方 SYN 的确认（ACK of FIN：对我方 FIN 的确认）\n"
		"  timeout=2MSL   2MSL，即报文段最大生存时间（MSL）的两倍：Linux 中为 60 秒\n"
		"CLOSED 照 RFC 793 的画法出现两次。RFC 中的 LISTEN -> SYN_SENT（在监听套接字\n"
		"上发送数据）没有画出：Linux 没有这样的调用。\n",
	},
	[M_DIAGRAM_OUR_MOVES] = {
		"    we went:       %s\n",
		"    我方走过：%s\n",
	},
	[M_DIAGRAM_PEER_MOVES] = {
		"    the peer went: %s\n",
		"    对端走过：%s\n",
	},

	[M_WATCH_INTRO] = {
		"/proc/tcpstates every %ld s; * marks a value changed since the refresh before\n",
		"每 %ld 秒读一次 /proc/tcpstates；数值后的 * 表示它比上一次刷新时变了\n",
	},
	[M_WATCH_SEPARATOR] = {
		"--- %s  refresh %ld  uptime %.2f ---\n",
		"--- %s  第 %ld 次刷新  uptime %.2f ---\n",
	},
	[M_WATCH_TITLE] = {
		"%s  refresh %ld, every %ld s: changed values in reverse video; Ctrl-C quits\n\n",
		"%s  第 %ld 次刷新，每 %ld 秒一次：变了的数值反色显示；Ctrl-C 退出\n\n",
	},
	[M_WATCH_NO_MODULE] = {
		"(the tcpstates module is not loaded: no /proc/tcpstates)\n",
		"（tcpstates 模块没有加载：没有 /proc/tcpstates）\n",
	},

	[M_HOW_CLOSED] = {
		"bind() and nothing else: bound, neither listening nor connecting",
		"只调用 bind()：绑定了端口，既不监听也不连接",
	},
	[M_HOW_LISTEN] = {
		"listen()",
		"listen()",
	},
	[M_HOW_SYN_SENT] = {
		"connect() to a peer that never answers the SYN (TCP_SYNCNT 127)",
		"connect() 到一个从不回应 SYN 的对端（TCP_SYNCNT 127）",
	},
	[M_HOW_SYN_RECV] = {
		"the peer sends a SYN to our listener and never ACKs the SYN-ACK\n"
		"(listener's TCP_SYNCNT 127)",
		"对端向我方的监听套接字发 SYN，之后从不确认 SYN+ACK\n"
		"（监听套接字的 TCP_SYNCNT 127 让 SYN+ACK 重传几个小时）",
	},
	[M_HOW_ESTABLISHED] = {
		"connect(); the peer completes the handshake and then stays silent",
		"connect()；对端完成三次握手后一直沉默",
	},
	[M_HOW_FIN_WAIT1] = {
		"shutdown(SHUT_WR); the peer never ACKs our FIN\n"
		"(TCP_USER_TIMEOUT keeps retrying)",
		"shutdown(SHUT_WR)；对端从不确认我方的 FIN\n"
		"（TCP_USER_TIMEOUT 让内核一直重传下去）",
	},
	[M_HOW_FIN_WAIT2] = {
		"shutdown(SHUT_WR); the peer ACKs our FIN but never sends its own",
		"shutdown(SHUT_WR)；对端确认了我方的 FIN，但从不发它自己的 FIN",
	},
	[M_HOW_CLOSE_WAIT] = {
		"the peer sends its FIN; we never close",
		"对端发来 FIN；我方一直不关闭",
	},
	[M_HOW_CLOSING] = {
		"shutdown(SHUT_WR); the peer's FIN crosses ours, and it never\n"
		"ACKs ours",
		"shutdown(SHUT_WR)；对端的 FIN 与我方的交错（同时关闭），\n"
		"且对端从不确认我方的 FIN",
	},
	[M_HOW_LAST_ACK] = {
		"the peer sends its FIN, we shutdown(SHUT_WR), the peer never\n"
		"ACKs our FIN",
		"对端发来 FIN，我方 shutdown(SHUT_WR)，对端从不确认我方的 FIN",
	},
	[M_HOW_TIME_WAIT] = {
		"shutdown(SHUT_WR); the peer ACKs and sends its FIN; its FIN,\n"
		"re-sent every 20 s, restarts 2MSL",
		"shutdown(SHUT_WR)；对端确认并发来它的 FIN，\n"
		"并每 20 秒重发一次，让 2MSL 重新计时",
	},
	[M_USAGE] = {
		"usage: tcpstates-lab STATE [-n COUNT] [--hold SECONDS] [-6] [--here]\n"
		"                           [--backlog N]\n"
		"       tcpstates-lab all [-n COUNT] [--hold SECONDS] [-6] [--here] [--backlog N]\n"
		"       tcpstates-lab tour [--auto] [--diagram] [--family 4|6] [--here]\n"
		"       tcpstates-lab diagram\n"
		"       tcpstates-lab watch [--interval SECONDS] [--count N]\n"
		"\n"
		"Puts COUNT sockets (default 1) into STATE, confirms each is there, prints\n"
		"them, then holds them until SECONDS pass or Ctrl-C. STATE is one of the 11\n"
		"names /proc/tcpstates prints, in any case; `all' holds every state at once.\n"
		"`tour' walks one connection through its whole life, a step per Enter.\n"
		"`diagram' draws RFC 793's state diagram; `tour --diagram' draws it at each\n"
		"step, both ends' states and the transitions just taken highlighted.\n"
		"`watch' shows /proc/tcpstates's states table every SECONDS (default 1),\n"
		"the values that changed since the last refresh highlighted.\n"
		"\n"
		"  -n, --count N     sockets per state (1..%d); for watch, the refreshes\n"
		"                    before it exits (default: until Ctrl-C)\n"
		"  --hold SECONDS    how long to hold them (default: until Ctrl-C)\n"
		"  -6                IPv6 (%s, peer %s) instead of\n"
		"                    IPv4 (%s, peer %s)\n"
		"  --family 4|6      the same, for the tour\n"
		"  --here            work in the current network namespace, so a plain\n"
		"                    `cat /proc/tcpstates' shows the sockets; by default a\n"
		"                    namespace of its own keeps real interfaces untouched\n"
		"  --auto            run the tour without waiting for Enter\n"
		"  --diagram         draw the state diagram at each step of the tour\n"
		"  --interval SECONDS\n"
		"                    seconds between watch's refreshes (default 1)\n"
		"  --backlog N       listen() backlog of the SYN_RECV listener (default 1024);\n"
		"                    `SYN_RECV -n 8 --backlog 8' looks like a SYN flood\n"
		"  --lang en|zh      English or Simplified Chinese; by default Chinese where\n"
		"                    LC_ALL, else LC_MESSAGES, else LANG starts with zh\n"
		"\n"
		"The lab plays the remote end itself on the tun device %s, writing\n"
		"exactly the segments each state needs. How each state is held:\n",
		"用法：tcpstates-lab 状态 [-n 数量] [--hold 秒数] [-6] [--here] [--backlog N]\n"
		"      tcpstates-lab all [-n 数量] [--hold 秒数] [-6] [--here] [--backlog N]\n"
		"      tcpstates-lab tour [--auto] [--diagram] [--family 4|6] [--here]\n"
		"      tcpstates-lab diagram\n"
		"      tcpstates-lab watch [--interval 秒数] [--count N]\n"
		"\n"
		"把若干个（数量，默认 1 个）套接字放进指定的状态，逐个确认它们确实到了，\n"
		"打印出来，然后一直保持，直到过了指定的秒数或按下 Ctrl-C。状态就是\n"
		"/proc/tcpstates 打印的 11 个状态名之一，大小写均可；all 同时保持所有状态。\n"
		"tour 带你走完一个连接的一生，每按一次回车走一步。\n"
		"diagram 画出 RFC 793 的 TCP 状态图；tour --diagram 在每一步都画出它，\n"
		"并标出双方当前的状态和刚走过的转移。\n"
		"watch 每隔几秒（默认 1 秒）显示一次 /proc/tcpstates 的状态表，并标出比\n"
		"上一次刷新时变了的数值。\n"
		"\n"
		"  -n, --count 数量  每个状态的套接字数（1..%d）；对 watch 是刷新几次后\n"
		"                    退出（默认一直刷新到 Ctrl-C）\n"
		"  --hold 秒数       保持多久（默认：直到 Ctrl-C）\n"
		"  -6                用 IPv6（我方 %s，对端 %s），而不是\n"
		"                    IPv4（我方 %s，对端 %s）\n"
		"  --family 4|6      同上，用于 tour\n"
		"  --here            在当前的网络命名空间里运行，这样在另一个终端里直接\n"
		"                    cat /proc/tcpstates 就能看到这些套接字；默认在自己的\n"
		"                    命名空间里运行，不碰真实的网络接口\n"
		"  --auto            tour 自动往下走，不等回车\n"
		"  --diagram         tour 的每一步都画出状态图\n"
		"  --interval 秒数   watch 两次刷新之间的秒数（默认 1）\n"
		"  --backlog N       SYN_RECV 所用监听套接字的 listen() backlog（默认\n"
		"                    1024）；SYN_RECV -n 8 --backlog 8 看起来就像 SYN 洪泛\n"
		"  --lang en|zh      英文或简体中文；默认看 LC_ALL，其次 LC_MESSAGES，再次\n"
		"                    LANG，以 zh 开头时用中文\n"
		"\n"
		"本程序在 tun 设备 %s 上自己扮演连接的另一端（对端），只写出每个状态\n"
		"所需的报文段。各状态的保持方法：\n",
	},
	[M_USAGE_END] = {
		"\nOutput: one line per socket, then `held STATE COUNT FAMILY' per state and\n"
		"`ready'. Exit status: 0 done, 1 a state could not be reached or set up, 2 usage.\n",
		"\n输出：每个套接字一行，然后每个状态一行 held STATE COUNT FAMILY，最后是\n"
		"ready。退出码：0 完成，1 有状态没能达到或准备失败，2 用法错误。\n",
	},
};

#endif /* LAB_TEXT_H */

