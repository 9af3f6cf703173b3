/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_TRANSITIONS_H
#define _TCPSTATES_TRANSITIONS_H

#include <linux/types.h>

#include "tcpstates.h"

struct net;

/* The tracepoints counted, each attached by name where the kernel has it. */
enum tcpstates_event {
	TS_EVENT_SET_STATE,		/* sock:inet_sock_set_state */
	TS_EVENT_SEND_RESET,		/* tcp:tcp_send_reset */
	TS_EVENT_RECEIVE_RESET,		/* tcp:tcp_receive_reset */
	TS_EVENT_RETRANSMIT,		/* tcp:tcp_retransmit_skb */
	TS_NR_EVENTS
};

/*
 * The kernel's own counters for what the tracepoint cannot see: children
 * made from request socks, timewait socks made and taken over.
 */
enum tcpstates_kernel_counter {
	TS_KERNEL_PASSIVE_OPENS,	/* Tcp PassiveOpens: children made */
	TS_KERNEL_TW,			/* TcpExt TW: timewait made, wait > 4 s */
	TS_KERNEL_TW_KILLED,		/* TcpExt TWKilled: the same, <= 4 s */
	TS_KERNEL_TW_RECYCLED,		/* TcpExt TWRecycled: taken by connect() */
	TS_NR_KERNEL_COUNTERS
};

/*
 * The rows of the counts: one per state a transition leaves, then one per
 * kind of event counted by the state of its socket.
 */
enum tcpstates_row {
	TS_ROW_RESET_SENT = TS_NR_STATES,
	TS_ROW_RESET_RECEIVED,
	TS_ROW_RETRANSMIT,
	TS_NR_ROWS
};

/* Counts since load, summed over CPUs and over the netns asked for. */
struct tcpstates_transitions {
	u64 count[TS_NR_ROWS][TS_NR_STATES];	/* [from or event][state] */
	u64 kernel[TS_NR_KERNEL_COUNTERS];
};

int tcpstates_transitions_init(void);
void tcpstates_transitions_exit(void);
int tcpstates_transitions_enable(bool on);
bool tcpstates_transitions_enabled(void);
bool tcpstates_transitions_attached(enum tcpstates_event event);
const char *tcpstates_event_name(enum tcpstates_event event);
const char *tcpstates_row_name(enum tcpstates_row row);
const char *tcpstates_kernel_counter_name(enum tcpstates_kernel_counter counter);
bool tcpstates_transitions_add(struct tcpstates_transitions *sum,
			       const struct net *net);

#endif /* _TCPSTATES_TRANSITIONS_H */
