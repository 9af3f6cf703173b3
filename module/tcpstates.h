/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_H
#define _TCPSTATES_H

#include <linux/in6.h>
#include <linux/types.h>

struct net;

/*
 * Buckets per RCU read-side section (and per cond_resched()), for every
 * walk of the tables. Small enough that a section stays short even with
 * full chains, large enough that empty buckets cost next to nothing.
 */
#define TS_BUCKETS_PER_BATCH 256

/*
 * Entries visited before a batch ends early: chains run long when ehash is
 * small for its load (15 sockets a bucket at 1M in the benchmark), and a
 * bind bucket holds every connection accepted on its port.
 */
#define TS_ENTRIES_PER_BATCH 1024

/*
 * Walks of one chain before we take what the last one saw and call the
 * result inexact: bounded, since every retry stays in the RCU section.
 */
#define TS_MAX_RESTARTS 8

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

/* The names /proc/tcpstates prints, and the states knob parses. */
static inline const char *tcpstates_state_name(enum tcpstates_state state)
{
	static const char *const names[TS_NR_STATES] = {
		[TS_CLOSED]		= "CLOSED",
		[TS_LISTEN]		= "LISTEN",
		[TS_SYN_SENT]		= "SYN_SENT",
		[TS_SYN_RECV]		= "SYN_RECV",
		[TS_ESTABLISHED]	= "ESTABLISHED",
		[TS_FIN_WAIT1]		= "FIN_WAIT1",
		[TS_FIN_WAIT2]		= "FIN_WAIT2",
		[TS_CLOSE_WAIT]		= "CLOSE_WAIT",
		[TS_CLOSING]		= "CLOSING",
		[TS_LAST_ACK]		= "LAST_ACK",
		[TS_TIME_WAIT]		= "TIME_WAIT",
	};

	return names[state];
}

enum tcpstates_family {
	TS_IPV4,
	TS_IPV6,
	TS_NR_FAMILIES
};

/* The timers /proc/net/tcp reports, told apart the same way. */
enum tcpstates_timer {
	TS_TIMER_RETRANS,	/* retransmit, loss probe, reordering */
	TS_TIMER_PROBE0,	/* zero-window probe */
	TS_TIMER_KEEPALIVE,	/* also a long orphaned FIN_WAIT2 */
	TS_TIMER_TIMEWAIT,	/* timewait socks: TIME_WAIT, FIN_WAIT2 */
	TS_TIMER_SYNACK,	/* request socks */
	TS_NR_TIMERS,
	TS_TIMER_NONE = TS_NR_TIMERS
};

static inline const char *tcpstates_timer_name(enum tcpstates_timer timer)
{
	static const char *const names[TS_NR_TIMERS] = {
		[TS_TIMER_RETRANS]	= "retrans",
		[TS_TIMER_PROBE0]	= "probe0",
		[TS_TIMER_KEEPALIVE]	= "keepalive",
		[TS_TIMER_TIMEWAIT]	= "timewait",
		[TS_TIMER_SYNACK]	= "synack",
	};

	return names[timer];
}

struct tcpstates_state_stats {
	u64 sockets[TS_NR_FAMILIES];
	u64 inbound;		/* the rest are outbound */
	u64 timers[TS_NR_TIMERS];
	u64 timed;		/* sockets with any timer */
	u32 soonest_ms;		/* valid when @timed */
	u32 latest_ms;
	u32 max_retries;
};

struct tcpstates_counts {
	struct tcpstates_state_stats state[TS_NR_STATES];
};

/* Whose sockets they are (owners=): nobody asks, a uid, or a cgroup (v2). */
enum tcpstates_owners_by {
	TS_OWNERS_OFF,
	TS_OWNERS_UID,
	TS_OWNERS_CGROUP,
	TS_NR_OWNERS_BY
};

/* The owners knob's values, and the word an owner line names its kind by. */
static inline const char *tcpstates_owners_by_name(enum tcpstates_owners_by by)
{
	static const char *const names[TS_NR_OWNERS_BY] = {
		[TS_OWNERS_OFF]		= "off",
		[TS_OWNERS_UID]		= "uid",
		[TS_OWNERS_CGROUP]	= "cgroup",
	};

	return names[by];
}

/* Owners shown per state by top_owners, at most. */
#define TS_TOP_OWNERS_MAX 64

/* Ages (ages=Y): sockets under 1 s, 10 s, 1 min, 10 min, 1 h, 1 day, older. */
#define TS_NR_AGE_BUCKETS 7

static inline unsigned int tcpstates_age_bucket(u32 age_ms)
{
	static const u32 under_ms[TS_NR_AGE_BUCKETS - 1] = {
		1000, 10000, 60000, 600000, 3600000, 86400000,
	};
	unsigned int i;

	for (i = 0; i < TS_NR_AGE_BUCKETS - 1 && age_ms >= under_ms[i]; i++)
		;
	return i;
}

/* Per state, the sockets whose age the kernel keeps; the rest are unknown. */
struct tcpstates_ages {
	u64 sockets[TS_NR_AGE_BUCKETS];
	u64 known;
	u32 oldest_ms;			/* valid when @known */
};

/* A listener and its queues, as the walk read them. */
struct tcpstates_listener {
	struct in6_addr addr;	/* an IPv4 address in the first word */
	unsigned int netns;	/* inode number */
	u8 family;		/* enum tcpstates_family */
	u16 port;
	u32 accept_queue;	/* sk_ack_backlog: connections not accepted */
	u32 backlog;		/* sk_max_ack_backlog, from listen() */
	u32 syn_queue;		/* request socks */
	u32 drops;		/* sk_drops: SYNs and ACKs dropped */
};

/* Listeners shown by top_listeners, at most. */
#define TS_TOP_LISTENERS_MAX 64

/*
 * A destination that outbound sockets hold local ports for (the remote
 * address and port), against the ephemeral range of its netns.
 */
struct tcpstates_destination {
	struct in6_addr addr;	/* an IPv4 address in the first word */
	unsigned int netns;	/* inode number */
	u8 family;		/* enum tcpstates_family */
	u16 port;
	u32 sockets;		/* outbound sockets, TIME_WAIT included */
	u16 range_lo;		/* ip_local_port_range */
	u16 range_hi;
};

/* Destinations shown by top_destinations, at most. */
#define TS_TOP_DESTINATIONS_MAX 64

/* Where the walk looked, for the report's header. */
struct tcpstates_tables {
	unsigned int ehash_tables;
	unsigned int ehash_buckets;	/* over all of them */
	bool ehash_pernet;		/* the first is a netns's own */
	unsigned int lhash2_buckets;
	unsigned int bhash_buckets;
	unsigned int restarts;		/* nulls mismatches seen */
	bool inexact;			/* a restart after a spill */
};

#define TS_NR_PORTS 65536

struct tcpstates_result {
	struct tcpstates_counts counts;
	struct tcpstates_ages ages[TS_NR_STATES];
	struct tcpstates_tables tables;
	/* The SYN queue fullest against its backlog. */
	struct tcpstates_listener busiest_listener;
	/* Accept queues fullest against their backlog first; at least one. */
	struct tcpstates_listener fullest[TS_TOP_LISTENERS_MAX];
	unsigned int nr_fullest;
	/* Fullest port ranges first (top_destinations). */
	struct tcpstates_destination destinations[TS_TOP_DESTINATIONS_MAX];
	unsigned int nr_destinations;
	u16 close_wait_port;		/* the port with most CLOSE_WAIT */
	u32 close_wait_on_port;
};

#endif /* _TCPSTATES_H */
