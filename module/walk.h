/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_WALK_H
#define _TCPSTATES_WALK_H

#include "scope.h"
#include "tcpstates.h"

struct inet_hashinfo;
struct sock;
struct tcpstates_config;

/*
 * Buckets per RCU read-side section (and per cond_resched()). Small enough
 * that a section stays short even with full chains, large enough that
 * empty buckets cost next to nothing.
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

/* Samples of one hash chain, held until the chain proves to be ours. */
#define TS_CHAIN_JOURNAL 256

struct tcpstates_chain {
	unsigned int n;
	bool spilled;		/* journal overflowed into @spill */
	struct tcpstates_sample journal[TS_CHAIN_JOURNAL];
	struct tcpstates_counts spill;
};

/* One reader's walk: what it counts, its result and its scratch space. */
struct tcpstates_walk {
	const struct tcpstates_config *cfg;
	struct tcpstates_scope scope;
	bool filtering;			/* cfg narrows beyond the netns */
	unsigned int batch_entries;	/* visited in the current batch */
	u32 *ports[TS_NR_STATES];	/* per local port, or NULL */
	struct inet_hashinfo *hashinfo;	/* the table being walked */
	const struct net *table_owner;	/* its netns if its own, or NULL */
	struct tcpstates_result result;
	struct tcpstates_chain chain;
};

int tcpstates_walk(struct tcpstates_walk *w);
bool tcpstates_sample(const struct tcpstates_walk *w, struct sock *sk,
		      bool listeners, bool timers, unsigned long now,
		      struct tcpstates_sample *s);

#endif /* _TCPSTATES_WALK_H */
