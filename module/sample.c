// SPDX-License-Identifier: GPL-2.0
/*
 * Reading one socket: the parts the walk does not run for every entry.
 * The rest is inline, in sample.h.
 */

#include <linux/string.h>
#include <linux/uidgid.h>
#include <net/request_sock.h>
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

/* The remote address and port, the latter in host order. */
void tcpstates_sample_peer(const struct sock *sk, int family,
			   struct in6_addr *raddr, u16 *rport)
{
	struct in6_addr laddr;

	tcpstates_sample_addrs(sk, family, &laddr, raddr);
	*rport = ntohs(READ_ONCE(sk->sk_dport));
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

/*
 * The owner of an entry, under RCU or its bind bucket's lock. A request
 * sock is its listener's, which it holds a reference on. Beyond a full
 * socket's uid, a scalar, we read through a reference of our own: taken
 * after the entry was freed and reused, it finds some other socket's
 * owner, as a walk that reads a reused entry counts some other socket.
 * The cgroup comes with a reference the caller puts (ts_cgroup_put()).
 */
void tcpstates_sample_owner(struct sock *sk, enum tcpstates_owners_by by,
			    struct tcpstates_owner *o)
{
	int kstate = READ_ONCE(sk->sk_state);
	struct sock *owner = sk;

	o->id = TS_OWNER_NONE;
	o->cgroup = NULL;
	if (kstate == TCP_TIME_WAIT)
		return;
	if (by == TS_OWNERS_UID && kstate != TCP_NEW_SYN_RECV) {
		o->id = READ_ONCE(sk->sk_uid.val);
		return;
	}
	if (!refcount_inc_not_zero(&sk->sk_refcnt))
		return;
	if (kstate == TCP_NEW_SYN_RECV)
		owner = READ_ONCE(inet_reqsk(sk)->rsk_listener);
	if (owner && by == TS_OWNERS_UID) {
		o->id = READ_ONCE(owner->sk_uid.val);
	} else if (owner) {
		o->cgroup = ts_sock_cgroup_get(owner);
		if (o->cgroup)
			o->id = (unsigned long)o->cgroup;
	}
	sock_gen_put(sk);
}
