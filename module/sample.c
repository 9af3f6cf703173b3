// SPDX-License-Identifier: GPL-2.0
/*
 * Reading one socket: the parts the walk does not run for every entry.
 * The rest is inline, in sample.h.
 */

#include <linux/string.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "sample.h"

/*
 * The kernel's states, numbered from 1, in ours. Request socks are
 * SYN_RECV, as /proc/net/tcp and inet_diag call them.
 */
const s8 tcpstates_kernel_states[TS_KERNEL_STATES] = {
	[0]			= -1,
	[TCP_ESTABLISHED]	= TS_ESTABLISHED,
	[TCP_SYN_SENT]		= TS_SYN_SENT,
	[TCP_SYN_RECV]		= TS_SYN_RECV,
	[TCP_FIN_WAIT1]		= TS_FIN_WAIT1,
	[TCP_FIN_WAIT2]		= TS_FIN_WAIT2,
	[TCP_TIME_WAIT]		= TS_TIME_WAIT,
	[TCP_CLOSE]		= TS_CLOSED,
	[TCP_CLOSE_WAIT]	= TS_CLOSE_WAIT,
	[TCP_LAST_ACK]		= TS_LAST_ACK,
	[TCP_LISTEN]		= TS_LISTEN,
	[TCP_CLOSING]		= TS_CLOSING,
	[TCP_NEW_SYN_RECV]	= TS_SYN_RECV,
};

/* Both ends' addresses, one 32-bit word at a time: we hold no reference. */
void tcpstates_sample_addrs(const struct sock *sk, int family,
			    struct in6_addr *laddr, struct in6_addr *raddr)
{
	int i;

	memset(laddr, 0, sizeof(*laddr));
	memset(raddr, 0, sizeof(*raddr));
#if IS_ENABLED(CONFIG_IPV6)
	if (family == TS_IPV6) {
		for (i = 0; i < 4; i++) {
			laddr->s6_addr32[i] = READ_ONCE(sk->sk_v6_rcv_saddr.s6_addr32[i]);
			raddr->s6_addr32[i] = READ_ONCE(sk->sk_v6_daddr.s6_addr32[i]);
		}
		return;
	}
#endif
	laddr->s6_addr32[0] = READ_ONCE(sk->sk_rcv_saddr);
	raddr->s6_addr32[0] = READ_ONCE(sk->sk_daddr);
}

/*
 * A listener's address and queues, each read once; the caller knows its
 * netns. False for a family we do not count.
 */
bool tcpstates_sample_listener(const struct sock *sk, unsigned int netns,
			       struct tcpstates_listener *l)
{
	struct in6_addr raddr;
	int family = ts_family_of(sk);

	if (family < 0)
		return false;
	tcpstates_sample_addrs(sk, family, &l->addr, &raddr);
	l->netns = netns;
	l->family = family;
	l->port = READ_ONCE(sk->sk_num);
	l->accept_queue = READ_ONCE(sk->sk_ack_backlog);
	l->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	l->syn_queue = inet_csk_reqsk_queue_len(sk);
	l->drops = atomic_read(&sk->sk_drops);
	return true;
}
