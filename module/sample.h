/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_SAMPLE_H
#define _TCPSTATES_SAMPLE_H

#include <linux/bitops.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <net/inet_connection_sock.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "scope.h"
#include "tcpstates.h"

/* What the walk learns from one socket. */
struct tcpstates_sample {
	u8 state;		/* enum tcpstates_state */
	u8 family;		/* enum tcpstates_family */
	u8 timer;		/* enum tcpstates_timer */
	u8 retries;		/* retransmits, or probes for probe timers */
	u16 lport;		/* host order */
	bool inbound;		/* a listener holds the local port */
	long expires;		/* jiffies from @now to @timer, maybe past */
	u32 age_ms;		/* TS_AGE_UNKNOWN where the kernel keeps none */
};

#define TS_AGE_UNKNOWN U32_MAX

/* What tcpstates_sample() is told about an entry, and asked to read. */
#define TS_SAMPLE_LISTENER	BIT(0)	/* from the listeners' table, else ehash */
#define TS_SAMPLE_TIMERS	BIT(1)	/* read the pending timer too */
#define TS_SAMPLE_AGES		BIT(2)	/* and how long it has been there */

/* The kernel's states we know, 0 to TCP_NEW_SYN_RECV, and ours for each. */
#define TS_KERNEL_STATES (TCP_NEW_SYN_RECV + 1)
extern const s8 tcpstates_kernel_states[TS_KERNEL_STATES];

/*
 * Whose an entry is (owners=): its uid, or its cgroup with a reference the
 * caller puts (ts_cgroup_put()). TS_OWNER_NONE for a timewait sock, which keeps
 * no owner, and for a socket freed before it could be read.
 */
struct tcpstates_owner {
	u64 id;			/* the uid, or the cgroup's address */
	struct cgroup *cgroup;	/* referenced, or NULL */
};

#define TS_OWNER_NONE U64_MAX

void tcpstates_sample_owner(struct sock *sk, enum tcpstates_owners_by by,
			    struct tcpstates_owner *o);
void tcpstates_sample_peer(const struct sock *sk, int family,
			   struct in6_addr *raddr, u16 *rport);
void tcpstates_sample_addrs(const struct sock *sk, int family,
			    struct in6_addr *laddr, struct in6_addr *raddr);
bool tcpstates_sample_listener(const struct sock *sk, unsigned int netns,
			       struct tcpstates_listener *l);

/*
 * The netns of an entry, read once and marked: the walk holds no reference
 * (under RCU), the listing one (outside RCU), so no lockdep condition fits.
 */
static inline const struct net *tcpstates_entry_net(const struct sock *sk)
{
#ifdef CONFIG_NET_NS
	return rcu_dereference_raw(sk->sk_net.net);
#else
	return &init_net;
#endif
}

/* Milliseconds left of a sample's @expires, none once it is past. */
static inline u32 tcpstates_ms_left(long expires)
{
	return expires > 0 ? jiffies_to_msecs(expires) : 0;
}

/*
 * Reading one socket. The walk holds no reference on the entries it reads
 * (they are SLAB_TYPESAFE_BY_RCU and may be reused under us), so only
 * scalars are read, each once; whatever needs more takes a reference
 * first.
 */

static inline int ts_state_of(unsigned int kstate)
{
	return kstate < TS_KERNEL_STATES ? tcpstates_kernel_states[kstate] : -1;
}

static inline int ts_family_of(const struct sock *sk)
{
	unsigned short family = READ_ONCE(sk->sk_family);

	if (family == AF_INET)
		return TS_IPV4;
	return family == AF_INET6 ? TS_IPV6 : -1;
}

/*
 * Whether a full socket's keepalive timer may be armed. Only SO_KEEPALIVE
 * and an orphan's FIN_WAIT2 wait arm it, and sk_flags shares a cache line
 * with the chain's next pointer, which the walk has read already; the
 * timer is two lines further. Not seen: the timer re-armed for HZ/20
 * because it fired while SO_KEEPALIVE was being turned off, and MPTCP
 * subflows given the timer without the flag by kernels before
 * "mptcp: sockopt: make sync_socket_options propagate SOCK_KEEPOPEN".
 */
static inline bool ts_keepalive_armable(const struct sock *sk, int kstate)
{
	return kstate == TCP_FIN_WAIT2 || sock_flag(sk, SOCK_KEEPOPEN);
}

/*
 * The retransmit or zero-window probe timer, if @pending names one; false
 * for what /proc/net/tcp does not count as either.
 */
static inline bool ts_sample_icsk_timer(const struct inet_connection_sock *icsk,
					u8 pending, unsigned long now,
					struct tcpstates_sample *s)
{
	switch (pending) {
	case ICSK_TIME_RETRANS:
	case ICSK_TIME_REO_TIMEOUT:
	case ICSK_TIME_LOSS_PROBE:
		s->timer = TS_TIMER_RETRANS;
		s->retries = READ_ONCE(icsk->icsk_retransmits);
		break;
	case ICSK_TIME_PROBE0:
		s->timer = TS_TIMER_PROBE0;
		s->retries = READ_ONCE(icsk->icsk_probes_out);
		break;
	default:
		return false;
	}
	s->expires = (long)(ts_icsk_timeout(icsk) - now);
	return true;
}

/*
 * The timer of a full socket, chosen as /proc/net/tcp chooses it. Trust
 * icsk_pending, not timer_pending(): inet_csk_clear_xmit_timer() clears the
 * former and leaves the timer armed. Most sockets have none pending: one
 * test for them.
 */
static inline void ts_sample_full_timer(const struct sock *sk, int kstate,
					unsigned long now,
					struct tcpstates_sample *s)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct timer_list *keepalive = ts_keepalive_timer(sk);
	u8 pending = READ_ONCE(icsk->icsk_pending);

	if (pending && ts_sample_icsk_timer(icsk, pending, now, s))
		return;
	if (!ts_keepalive_armable(sk, kstate) || !timer_pending(keepalive)) {
		s->retries = READ_ONCE(icsk->icsk_retransmits);
		return;
	}
	s->timer = TS_TIMER_KEEPALIVE;
	s->retries = READ_ONCE(icsk->icsk_probes_out);
	s->expires = (long)(READ_ONCE(keepalive->expires) - now);
}

/*
 * A request sock is hashed with a zero refcount and its timer armed only
 * afterwards (reqsk_queue_hash_req()), so the timer is read only once the
 * refcount is set. Taking a reference would dirty the sock's cache line on
 * every read under a SYN flood; like every unreferenced read here these are
 * scalars read once, and a sock reused meanwhile makes the chain restart.
 */
static inline void ts_sample_request_timer(const struct sock *sk,
					   unsigned long now,
					   struct tcpstates_sample *s)
{
	const struct request_sock *req = inet_reqsk(sk);

	if (!refcount_read(&sk->sk_refcnt))
		return;
	/* Pairs with the smp_wmb() before refcount_set() in reqsk_queue_hash_req(). */
	smp_rmb();
	s->timer = TS_TIMER_SYNACK;
	/*
	 * A bit-field, which READ_ONCE() cannot take. Only the timer writes
	 * it; a stale value is one retry off, as in /proc/net/tcp.
	 */
	s->retries = data_race((u8)req->num_timeout);
	s->expires = (long)(READ_ONCE(req->rsk_timer.expires) - now);
}

/* A timewait sock is hashed before inet_twsk_schedule() arms its timer (v6.12). */
static inline void
ts_sample_timewait_timer(const struct inet_timewait_sock *tw,
			 unsigned long now, struct tcpstates_sample *s)
{
	if (!timer_pending(&tw->tw_timer))
		return;
	s->timer = TS_TIMER_TIMEWAIT;
	s->expires = (long)(READ_ONCE(tw->tw_timer.expires) - now);
}

/*
 * Ages, where the kernel keeps a time that says something. A connection's
 * idle time: since the last ACK it received, which every segment after
 * the handshake carries (tcp_ack() stamps all but old ones).
 */
static inline void ts_sample_idle(const struct sock *sk, unsigned long now,
				  struct tcpstates_sample *s)
{
	s->age_ms = jiffies_to_msecs((u32)now - READ_ONCE(tcp_sk(sk)->rcv_tstamp));
}

/* A request sock's: since its first SYN-ACK was sent, 0 until then. */
static inline void ts_sample_request_age(const struct sock *sk,
					 struct tcpstates_sample *s)
{
	u64 sent = READ_ONCE(tcp_rsk(inet_reqsk(sk))->snt_synack);
	u64 now = tcp_clock_us();

	if (sent && now >= sent)
		s->age_ms = min_t(u64, div_u64(now - sent, USEC_PER_MSEC),
				  TS_AGE_UNKNOWN - 1);
}

/*
 * TIME_WAIT's: its 2MSL timer was armed for TCP_TIMEWAIT_LEN on entry, and
 * again by a FIN the peer sent again; what is left of it says how long ago.
 */
static inline void ts_sample_timewait_age(const struct inet_timewait_sock *tw,
					  unsigned long now,
					  struct tcpstates_sample *s)
{
	long left;

	if (!timer_pending(&tw->tw_timer))
		return;
	left = (long)(READ_ONCE(tw->tw_timer.expires) - now);
	s->age_ms = jiffies_to_msecs(clamp_t(long, TCP_TIMEWAIT_LEN - left, 0,
					     TCP_TIMEWAIT_LEN));
}

/*
 * Read one hashed entry of the netns @t: a full socket, a timewait sock
 * or a request sock. The listeners' table contributes LISTEN and nothing
 * else; ehash everything but LISTEN and CLOSE, which a socket only passes
 * through there on its way out. Returns false for an entry not counted
 * in the table it came from. Inline: the walk calls it for every entry.
 */
static __always_inline bool
tcpstates_sample(const struct tcpstates_target *t, struct sock *sk,
		 unsigned int flags, unsigned long now,
		 struct tcpstates_sample *s)
{
	bool listeners = flags & TS_SAMPLE_LISTENER;
	bool timers = flags & TS_SAMPLE_TIMERS;
	bool ages = flags & TS_SAMPLE_AGES;
	int kstate = READ_ONCE(sk->sk_state);
	bool listener = kstate == TCP_LISTEN;
	int state, family;

	if (listener != listeners || kstate == TCP_CLOSE)
		return false;

	s->timer = TS_TIMER_NONE;
	s->retries = 0;
	s->lport = READ_ONCE(sk->sk_num);
	if (ages)
		s->age_ms = TS_AGE_UNKNOWN;

	switch (kstate) {
	case TCP_LISTEN:
		break;
	case TCP_TIME_WAIT:
		/* A timewait sock keeps its real state, FIN_WAIT2 or TIME_WAIT. */
		kstate = READ_ONCE(inet_twsk(sk)->tw_substate);
		if (timers)
			ts_sample_timewait_timer(inet_twsk(sk), now, s);
		/* An orphan's FIN_WAIT2 wait was armed for a time not kept. */
		if (ages && kstate == TCP_TIME_WAIT)
			ts_sample_timewait_age(inet_twsk(sk), now, s);
		break;
	case TCP_NEW_SYN_RECV:
		if (timers)
			ts_sample_request_timer(sk, now, s);
		if (ages && refcount_read(&sk->sk_refcnt))
			ts_sample_request_age(sk, s);
		break;
	default:
		if (timers)
			ts_sample_full_timer(sk, kstate, now, s);
		/* Before the handshake ends no ACK has come. */
		if (ages && kstate != TCP_SYN_SENT && kstate != TCP_SYN_RECV)
			ts_sample_idle(sk, now, s);
		break;
	}

	state = ts_state_of(kstate);
	family = ts_family_of(sk);
	if (state < 0 || family < 0)
		return false;
	s->state = state;
	s->family = family;
	s->inbound = listener || test_bit(s->lport, t->listening);
	return true;
}

/*
 * A bound-only socket of the netns @t: bound, but neither listening nor
 * connecting, which inet_diag (v6.8+) reports as bound-inactive; the
 * caller holds its bind bucket's lock. Timewait socks may share the owner
 * list (bhash before v6.1, bhash2 since v6.8); their sk_state is
 * TCP_TIME_WAIT, so the state test, first, leaves them out while reading
 * nothing beyond sock_common.
 */
static __always_inline bool
tcpstates_sample_bound(const struct tcpstates_target *t, struct sock *sk,
		       struct tcpstates_sample *s)
{
	int family;
	u16 port;

	if (READ_ONCE(sk->sk_state) != TCP_CLOSE)
		return false;
	/* Written under the bhash lock, which with bhash2 is not the one we hold. */
	port = READ_ONCE(inet_sk(sk)->inet_num);
	if (!port)
		return false;
	family = ts_family_of(sk);
	if (family < 0)
		return false;

	s->state = TS_CLOSED;
	s->family = family;
	s->timer = TS_TIMER_NONE;
	s->retries = 0;
	s->lport = port;
	s->inbound = test_bit(port, t->listening);
	return true;
}

#endif /* _TCPSTATES_SAMPLE_H */
