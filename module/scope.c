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

#include "compat.h"
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

static int ts_ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x == y ? 0 : x < y ? -1 : 1;
}

static bool ts_has_own_ehash(const struct net *net)
{
	return ts_ehash_is_pernet(net->ipv4.tcp_death_row.hashinfo);
}

/*
 * Every netns outside the scope with an ehash of its own, by address only:
 * no reference is taken, since an entry's netns is only compared with them.
 * Netns created meanwhile are not seen; a freed one's address can only
 * cause a needless restart.
 */
static int ts_collect_own_ehash(struct tcpstates_scope *sc)
{
	unsigned int n = 0, found = 0;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		if (ts_has_own_ehash(net) && tcpstates_scope_find(sc, net) < 0)
			n++;
	up_read(&net_rwsem);
	if (!n)
		return 0;

	sc->own_ehash = kvcalloc(n, sizeof(*sc->own_ehash), GFP_KERNEL_ACCOUNT);
	if (!sc->own_ehash)
		return -ENOMEM;
	down_read(&net_rwsem);
	for_each_net(net)
		if (found < n && ts_has_own_ehash(net) &&
		    tcpstates_scope_find(sc, net) < 0)
			sc->own_ehash[found++] = net;
	up_read(&net_rwsem);
	sort(sc->own_ehash, found, sizeof(*sc->own_ehash), ts_ptr_cmp, NULL);
	sc->nr_own_ehash = found;
	return 0;
}

static int ts_tables(struct tcpstates_scope *sc)
{
	bool shared = false;
	unsigned int i;

	sc->ehash = kvcalloc(sc->nr_targets, sizeof(*sc->ehash),
			     GFP_KERNEL_ACCOUNT);
	sc->ehash_owner = kvcalloc(sc->nr_targets, sizeof(*sc->ehash_owner),
				   GFP_KERNEL_ACCOUNT);
	sc->listening = kvcalloc(sc->nr_targets, BITS_TO_LONGS(TS_NR_PORTS) *
				 sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!sc->ehash || !sc->ehash_owner || !sc->listening)
		return -ENOMEM;

	for (i = 0; i < sc->nr_targets; i++) {
		struct tcpstates_target *t = &sc->targets[i];
		struct inet_hashinfo *h = t->net->ipv4.tcp_death_row.hashinfo;

		t->listening = sc->listening + i * BITS_TO_LONGS(TS_NR_PORTS);
		t->ehash = h;
		/* Netns without their own ehash share the global one. */
		if (!ts_ehash_is_pernet(h)) {
			if (shared)
				continue;
			shared = true;
		}
		sc->ehash_owner[sc->nr_ehash] = ts_ehash_is_pernet(h) ? t->net : NULL;
		sc->ehash[sc->nr_ehash++] = h;
	}
	return shared ? ts_collect_own_ehash(sc) : 0;
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
	kvfree(sc->ehash_owner);
	kvfree(sc->own_ehash);
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

/* Is @net, outside the scope, one of the netns with an ehash of its own? */
bool tcpstates_scope_owns_ehash(const struct tcpstates_scope *sc,
				const struct net *net)
{
	unsigned int lo = 0, hi = sc->nr_own_ehash;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct net *m = sc->own_ehash[mid];

		if (m == net)
			return true;
		if ((unsigned long)m < (unsigned long)net)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
