// SPDX-License-Identifier: GPL-2.0
/*
 * Port pressure (top_destinations=N): outbound sockets per destination,
 * the remote address and port of each, against the ephemeral port range
 * of its netns. connect() to one destination needs a local port not in
 * use towards it, so the sockets there, TIME_WAIT included, count against
 * ip_local_port_range. One table per walk, cleared for the next.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "destinations.h"
#include "sample.h"

#define TS_DEST_SLOTS_BITS	12
#define TS_DEST_SLOTS		BIT(TS_DEST_SLOTS_BITS)
/* Destinations told apart in one read; sockets to the rest are not shown. */
#define TS_DESTS_MAX		(TS_DEST_SLOTS * 3 / 4)

struct ts_dest_slot {
	const struct net *net;		/* held by the walk's scope */
	struct tcpstates_destination dst;
	bool used;
};

struct tcpstates_destinations {
	unsigned int used;
	struct ts_dest_slot slot[TS_DEST_SLOTS];
};

struct tcpstates_destinations *tcpstates_destinations_alloc(void)
{
	return kvzalloc(sizeof(struct tcpstates_destinations),
			GFP_KERNEL_ACCOUNT);
}

void tcpstates_destinations_free(struct tcpstates_destinations *d)
{
	kvfree(d);
}

void tcpstates_destinations_reset(struct tcpstates_destinations *d)
{
	if (d->used)
		memset(d->slot, 0, sizeof(d->slot));
	d->used = 0;
}

static bool ts_dest_is(const struct ts_dest_slot *s, const struct net *net,
		       int family, const struct in6_addr *addr, u16 port)
{
	return s->net == net && s->dst.family == family &&
	       s->dst.port == port && ipv6_addr_equal(&s->dst.addr, addr);
}

/*
 * Count @sk, an outbound socket of @net, for its destination. Returns the
 * slot it was counted in, for tcpstates_destinations_uncount(), or
 * TS_DESTINATION_NONE when the table is full.
 */
unsigned int tcpstates_destinations_count(struct tcpstates_destinations *d,
					  struct net *net,
					  const struct sock *sk, int family)
{
	struct ts_dest_slot *s;
	struct in6_addr addr;
	unsigned int i;
	int lo, hi;
	u16 port;

	tcpstates_sample_peer(sk, family, &addr, &port);
	i = jhash(&addr, sizeof(addr), port ^ (family << 16) ^
		  hash_ptr(net, 32)) & (TS_DEST_SLOTS - 1);
	/* Never full: at most three quarters of the slots are used. */
	for (;; i = (i + 1) & (TS_DEST_SLOTS - 1)) {
		s = &d->slot[i];
		if (!s->used)
			break;
		if (ts_dest_is(s, net, family, &addr, port)) {
			s->dst.sockets++;
			return i;
		}
	}
	if (d->used == TS_DESTS_MAX)
		return TS_DESTINATION_NONE;
	d->used++;
	s->used = true;
	s->net = net;
	s->dst.addr = addr;
	s->dst.family = family;
	s->dst.port = port;
	s->dst.netns = net->ns.inum;
	inet_get_local_port_range(net, &lo, &hi);
	s->dst.range_lo = lo;
	s->dst.range_hi = hi;
	s->dst.sockets = 1;
	return i;
}

void tcpstates_destinations_uncount(struct tcpstates_destinations *d,
				    unsigned int slot)
{
	if (slot != TS_DESTINATION_NONE)
		d->slot[slot].dst.sockets--;
}

/* Ports in ip_local_port_range; the sysctl keeps low <= high. */
u32 tcpstates_destination_range(const struct tcpstates_destination *dst)
{
	return dst->range_hi >= dst->range_lo ?
	       dst->range_hi - dst->range_lo + 1 : 1;
}

/* The larger share of its port range first, then more sockets. */
static bool ts_dest_fuller(const struct tcpstates_destination *a,
			   const struct tcpstates_destination *b)
{
	u64 fa = (u64)a->sockets * tcpstates_destination_range(b);
	u64 fb = (u64)b->sockets * tcpstates_destination_range(a);

	if (fa != fb)
		return fa > fb;
	return a->sockets > b->sockets;
}

/*
 * The @top destinations whose sockets fill most of their port range, the
 * fullest first, into @out; returns how many.
 */
unsigned int tcpstates_destinations_top(const struct tcpstates_destinations *d,
					unsigned int top,
					struct tcpstates_destination *out)
{
	const struct tcpstates_destination *dst;
	unsigned int n = 0, i, j;

	if (!top)
		return 0;
	for (i = 0; i < TS_DEST_SLOTS; i++) {
		dst = &d->slot[i].dst;
		if (!d->slot[i].used || !dst->sockets)
			continue;
		if (n == top && !ts_dest_fuller(dst, &out[n - 1]))
			continue;
		if (n < top)
			n++;
		for (j = n - 1; j && ts_dest_fuller(dst, &out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = *dst;
	}
	return n;
}

/* "ADDRESS:PORT", IPv6 addresses in brackets. */
void tcpstates_show_destination_address(struct seq_file *m,
					const struct tcpstates_destination *dst)
{
	if (dst->family == TS_IPV6)
		seq_printf(m, "[%pI6c]:%u", &dst->addr, dst->port);
	else
		seq_printf(m, "%pI4:%u", &dst->addr.s6_addr32[0], dst->port);
}

/* "ADDRESS:PORT SOCKETS LO-HI NETNS", as a destination line prints it. */
void tcpstates_show_destination(struct seq_file *m,
				const struct tcpstates_destination *dst)
{
	tcpstates_show_destination_address(m, dst);
	seq_printf(m, " %u %u-%u %u", dst->sockets, dst->range_lo,
		   dst->range_hi, dst->netns);
}
