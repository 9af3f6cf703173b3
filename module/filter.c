// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a socket is counted: the family, states, port and address
 * filters of the knobs, applied to what the sampler read.
 */

#include <linux/bitops.h>
#include <linux/string.h>
#include <net/sock.h>

#include "filter.h"
#include "knobs.h"
#include "sample.h"

static bool ts_ports_match(const struct tcpstates_ports *ports, u16 port)
{
	unsigned int i;

	if (!ports->n)
		return true;
	for (i = 0; i < ports->n; i++)
		if (port >= ports->range[i].lo && port <= ports->range[i].hi)
			return true;
	return false;
}

static bool ts_prefix_match(const u8 *a, const u8 *b, unsigned int prefix)
{
	unsigned int bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !bits || !((a[bytes] ^ b[bytes]) & (0xff00 >> bits));
}

static bool ts_cidrs_match(const struct tcpstates_cidrs *cidrs, int family,
			   const struct in6_addr *addr)
{
	unsigned int i;

	if (!cidrs->n)
		return true;
	for (i = 0; i < cidrs->n; i++) {
		const struct tcpstates_cidr *c = &cidrs->cidr[i];

		if (c->family == family &&
		    ts_prefix_match(c->addr.s6_addr, addr->s6_addr, c->prefix))
			return true;
	}
	return false;
}

/* Does @cfg narrow what is counted, beyond the netns? */
bool tcpstates_filtering(const struct tcpstates_config *cfg)
{
	return cfg->families != TS_ALL_FAMILIES ||
	       cfg->states != TS_ALL_STATES ||
	       cfg->lports.n || cfg->rports.n || cfg->laddrs.n || cfg->raddrs.n;
}

/*
 * Whether @cfg counts @sk, whose @state, @family and @lport the sampler
 * read. Scalars, not the sample: the walk keeps its own in registers.
 */
bool tcpstates_filter_match(const struct tcpstates_config *cfg,
			    const struct sock *sk, unsigned int state,
			    unsigned int family, u16 lport)
{
	struct in6_addr laddr, raddr;

	if (!(cfg->families & BIT(family)) || !(cfg->states & BIT(state)))
		return false;
	if (!ts_ports_match(&cfg->lports, lport) ||
	    !ts_ports_match(&cfg->rports, ntohs(READ_ONCE(sk->sk_dport))))
		return false;
	if (!cfg->laddrs.n && !cfg->raddrs.n)
		return true;
	tcpstates_sample_addrs(sk, family, &laddr, &raddr);
	return ts_cidrs_match(&cfg->laddrs, family, &laddr) &&
	       ts_cidrs_match(&cfg->raddrs, family, &raddr);
}
