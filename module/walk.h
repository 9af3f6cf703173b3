/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_WALK_H
#define _TCPSTATES_WALK_H

#include "tcpstates.h"

struct inet_hashinfo;
struct sock;

/*
 * Buckets per RCU read-side section (and per cond_resched()). Small enough
 * that a section stays in the microseconds even with full chains, large
 * enough that empty buckets cost next to nothing.
 */
#define TS_BUCKETS_PER_BATCH 256

/* Samples of one hash chain, held until the chain proves to be ours. */
#define TS_CHAIN_JOURNAL 32

struct tcpstates_chain {
	unsigned int n;
	bool spilled;		/* journal overflowed into @spill */
	struct tcpstates_sample journal[TS_CHAIN_JOURNAL];
	struct tcpstates_counts spill;
};

/* One reader's walk: its target, its result and its scratch space. */
struct tcpstates_walk {
	struct net *net;
	struct inet_hashinfo *hashinfo;
	bool timers;			/* read each socket's timer */
	u32 *close_wait;		/* TS_NR_PORTS counters, or NULL */
	struct tcpstates_result result;
	struct tcpstates_chain chain;
};

int tcpstates_walk(struct tcpstates_walk *w, struct net *net);
bool tcpstates_sample(struct sock *sk, const struct net *net, bool listeners,
		      bool timers, unsigned long now,
		      struct tcpstates_sample *s);

#endif /* _TCPSTATES_WALK_H */
