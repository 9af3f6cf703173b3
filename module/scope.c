// SPDX-License-Identifier: GPL-2.0
/*
 * Which network namespaces a read counts. By default the reader's own, as
 * /proc/net does. The netns knob can widen that to every netns or name
 * one by inode, but only for a reader in the initial netns with
 * CAP_NET_ADMIN in the initial user namespace: a container never sees
 * other containers' sockets.
 */

#include <linux/bitmap.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>

#include "knobs.h"
#include "scope.h"

static int ts_target_cmp(const void *a, const void *b)
{
	const struct tcpstates_target *x = a, *y = b;

	if (x->net == y->net)
		return 0;
	return (unsigned long)x->net < (unsigned long)y->net ? -1 : 1;
}

/* Take a reference on every netns, or on the one with inode @inum. */
static int ts_collect(struct tcpstates_scope *sc, unsigned int inum)
{
	unsigned int n = 0;
	struct net *net;

	/* The netns list is protected by net_rwsem, not by RTNL. */
	down_read(&net_rwsem);
	for_each_net(net)
		if (!inum || net->ns.inum == inum)
			n++;
	up_read(&net_rwsem);

	/* Not under net_rwsem: reclaim would hold up netns setup and teardown. */
	sc->targets = kvcalloc(max(n, 1U), sizeof(*sc->targets),
			       GFP_KERNEL_ACCOUNT);
	if (!sc->targets)
		return -ENOMEM;

	/* Netns created meanwhile are left for the next read. */
	down_read(&net_rwsem);
	for_each_net(net) {
		if (inum && net->ns.inum != inum)
			continue;
		if (sc->nr_targets < n && maybe_get_net(net))
			sc->targets[sc->nr_targets++].net = net;
	}
	up_read(&net_rwsem);
	return 0;
}

static int ts_tables(struct tcpstates_scope *sc)
{
	bool shared = false;
	unsigned int i;

	sc->ehash = kvcalloc(sc->nr_targets, sizeof(*sc->ehash),
			     GFP_KERNEL_ACCOUNT);
	sc->listening = kvcalloc(sc->nr_targets, BITS_TO_LONGS(TS_NR_PORTS) *
				 sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!sc->ehash || !sc->listening)
		return -ENOMEM;

	for (i = 0; i < sc->nr_targets; i++) {
		struct tcpstates_target *t = &sc->targets[i];
		struct inet_hashinfo *h = t->net->ipv4.tcp_death_row.hashinfo;

		t->listening = sc->listening + i * BITS_TO_LONGS(TS_NR_PORTS);
		t->ehash = h;
		/* Netns without their own ehash share the global one. */
		if (!h->pernet) {
			if (shared)
				continue;
			shared = true;
		}
		sc->ehash[sc->nr_ehash++] = h;
	}
	return 0;
}

int tcpstates_scope_get(struct tcpstates_scope *sc, struct net *reader,
			bool privileged, const struct tcpstates_config *cfg)
{
	enum tcpstates_netns_mode mode = privileged ? cfg->netns : TS_NETNS_SELF;
	int err = 0;

	memset(sc, 0, sizeof(*sc));
	switch (mode) {
	case TS_NETNS_ALL:
		sc->all = true;
		err = ts_collect(sc, 0);
		break;
	case TS_NETNS_INODE:
		err = ts_collect(sc, cfg->netns_inum);
		if (!err && !sc->nr_targets)
			sc->missing_inum = cfg->netns_inum;
		break;
	default:
		sc->targets = kvcalloc(1, sizeof(*sc->targets), GFP_KERNEL_ACCOUNT);
		if (!sc->targets)
			return -ENOMEM;
		sc->targets[0].net = get_net(reader);
		sc->nr_targets = 1;
		break;
	}
	if (!err && sc->nr_targets) {
		sort(sc->targets, sc->nr_targets, sizeof(*sc->targets),
		     ts_target_cmp, NULL);
		err = ts_tables(sc);
	}
	if (err)
		tcpstates_scope_put(sc);
	return err;
}

void tcpstates_scope_put(struct tcpstates_scope *sc)
{
	unsigned int i;

	for (i = 0; i < sc->nr_targets; i++)
		put_net(sc->targets[i].net);
	kvfree(sc->targets);
	kvfree(sc->ehash);
	kvfree(sc->listening);
	memset(sc, 0, sizeof(*sc));
}

/* Binary search of the targets, which are sorted by address. */
int tcpstates_scope_search(const struct tcpstates_scope *sc,
			   const struct net *net)
{
	unsigned int lo = 0, hi = sc->nr_targets;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct net *m = sc->targets[mid].net;

		if (m == net)
			return mid;
		if ((unsigned long)m < (unsigned long)net)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
