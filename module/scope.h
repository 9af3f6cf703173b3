/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_SCOPE_H
#define _TCPSTATES_SCOPE_H

#include <linux/types.h>

#include "tcpstates.h"

struct inet_hashinfo;
struct net;
struct tcpstates_config;

/* One network namespace being counted. */
struct tcpstates_target {
	struct net *net;
	struct inet_hashinfo *ehash;	/* the table holding its sockets */
	/* TS_NR_PORTS bits, zeroed by tcpstates_scope_get(): ports listened on */
	unsigned long *listening;
	u64 sockets[TS_NR_STATES];
};

/* The netns a read covers, and the tables that hold their sockets. */
struct tcpstates_scope {
	struct tcpstates_target *targets;	/* sorted by address */
	unsigned int nr_targets;
	struct inet_hashinfo **ehash;		/* each ehash table once */
	const struct net **ehash_owner;		/* a netns's own, or NULL */
	unsigned int nr_ehash;
	/*
	 * Netns outside the scope that have an ehash of their own: an entry of
	 * theirs met in the shared table shows the walk was diverted.
	 */
	const struct net **own_ehash;		/* sorted by address */
	unsigned int nr_own_ehash;
	unsigned long *listening;		/* the targets' bitmaps */
	bool all;				/* netns=all in effect */
	unsigned int missing_inum;		/* netns=<inode> not found */
};

int tcpstates_scope_get(struct tcpstates_scope *sc, struct net *reader,
			bool privileged, const struct tcpstates_config *cfg);
void tcpstates_scope_put(struct tcpstates_scope *sc);
int tcpstates_scope_search(const struct tcpstates_scope *sc,
			   const struct net *net);
bool tcpstates_scope_owns_ehash(const struct tcpstates_scope *sc,
				const struct net *net);

/* The target index of @net, or -1 when @net is not counted. */
static inline int tcpstates_scope_find(const struct tcpstates_scope *sc,
				       const struct net *net)
{
	/* The usual case, one netns, costs one comparison per socket. */
	if (sc->nr_targets == 1)
		return sc->targets[0].net == net ? 0 : -1;
	return tcpstates_scope_search(sc, net);
}

/*
 * Has a reused entry carried the walk of an ehash chain into another table?
 * Every table numbers its chains' nulls from 0, so the nulls value at the
 * end cannot tell, but the entry's netns can, read before any filter: a
 * netns's own table (@owner's) holds its sockets only, and the shared
 * table none of a netns that has its own. @target is @net's index.
 */
static inline bool tcpstates_scope_diverted(const struct tcpstates_scope *sc,
					    const struct inet_hashinfo *h,
					    const struct net *owner,
					    const struct net *net, int target)
{
	if (owner)
		return net != owner;
	if (target >= 0)
		return sc->targets[target].ehash != h;
	return tcpstates_scope_owns_ehash(sc, net);
}

#endif /* _TCPSTATES_SCOPE_H */
