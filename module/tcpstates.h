/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_H
#define _TCPSTATES_H

#include <linux/types.h>

struct net;

/* The 11 RFC 793 states, in the order /proc/tcpstates prints them. */
enum tcpstates_state {
	TS_CLOSED,
	TS_LISTEN,
	TS_SYN_SENT,
	TS_SYN_RECV,
	TS_ESTABLISHED,
	TS_FIN_WAIT1,
	TS_FIN_WAIT2,
	TS_CLOSE_WAIT,
	TS_CLOSING,
	TS_LAST_ACK,
	TS_TIME_WAIT,
	TS_NR_STATES
};

enum tcpstates_family {
	TS_IPV4,
	TS_IPV6,
	TS_NR_FAMILIES
};

/* What the walk learns from one socket, read without a reference. */
struct tcpstates_sample {
	u8 state;		/* enum tcpstates_state */
	u8 family;		/* enum tcpstates_family */
};

struct tcpstates_counts {
	u64 sockets[TS_NR_STATES][TS_NR_FAMILIES];
};

/* Where the walk looked, for the report's header. */
struct tcpstates_tables {
	unsigned int ehash_buckets;
	bool ehash_pernet;
	unsigned int lhash2_buckets;
	unsigned int bhash_buckets;
	unsigned int restarts;		/* nulls mismatches seen */
};

struct tcpstates_result {
	struct tcpstates_counts counts;
	struct tcpstates_tables tables;
};

const char *tcpstates_state_name(enum tcpstates_state state);

#endif /* _TCPSTATES_H */
