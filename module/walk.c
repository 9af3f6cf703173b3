// SPDX-License-Identifier: GPL-2.0
/*
 * Counting walk over the TCP hash tables.
 *
 * ehash and lhash2 are read under RCU alone, the way
 * __inet_lookup_established() reads them. Sockets are
 * SLAB_TYPESAFE_BY_RCU, so an entry can be freed and reused on another
 * chain while we stand on it. The samples of a chain are therefore kept
 * aside and counted only once the chain ends on its own nulls value;
 * otherwise the chain is walked again (Documentation/RCU/rculist_nulls.rst).
 *
 * Bound-only (CLOSED) sockets live only in the bind tables, which are not
 * RCU safe; those are walked under their bucket locks, as inet_diag does.
 */

#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/request_sock.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "knobs.h"
#include "walk.h"

static int ts_state_of(int kstate)
{
	switch (kstate) {
	case TCP_ESTABLISHED:	return TS_ESTABLISHED;
	case TCP_SYN_SENT:	return TS_SYN_SENT;
	case TCP_SYN_RECV:	return TS_SYN_RECV;
	case TCP_FIN_WAIT1:	return TS_FIN_WAIT1;
	case TCP_FIN_WAIT2:	return TS_FIN_WAIT2;
	case TCP_TIME_WAIT:	return TS_TIME_WAIT;
	case TCP_CLOSE:		return TS_CLOSED;
	case TCP_CLOSE_WAIT:	return TS_CLOSE_WAIT;
	case TCP_LAST_ACK:	return TS_LAST_ACK;
	case TCP_LISTEN:	return TS_LISTEN;
	case TCP_CLOSING:	return TS_CLOSING;
	/* Request socks: /proc/net/tcp and inet_diag call them SYN_RECV. */
	case TCP_NEW_SYN_RECV:	return TS_SYN_RECV;
	default:		return -1;
	}
}

static int ts_family_of(const struct sock *sk)
{
	switch (READ_ONCE(sk->sk_family)) {
	case AF_INET:	return TS_IPV4;
	case AF_INET6:	return TS_IPV6;
	default:	return -1;
	}
}

static u32 ts_ms_left(unsigned long expires, unsigned long now)
{
	long left = (long)(expires - now);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

/*
 * The timer of a full socket, chosen as /proc/net/tcp chooses it. Trust
 * icsk_pending, not timer_pending(): inet_csk_clear_xmit_timer() clears the
 * former and leaves the timer armed.
 */
static void ts_sample_full_timer(const struct sock *sk, unsigned long now,
				 struct tcpstates_sample *s)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct timer_list *keepalive = ts_keepalive_timer(sk);
	unsigned long expires;

	switch (READ_ONCE(icsk->icsk_pending)) {
	case ICSK_TIME_RETRANS:
	case ICSK_TIME_REO_TIMEOUT:
	case ICSK_TIME_LOSS_PROBE:
		s->timer = TS_TIMER_RETRANS;
		s->retries = READ_ONCE(icsk->icsk_retransmits);
		expires = ts_icsk_timeout(icsk);
		break;
	case ICSK_TIME_PROBE0:
		s->timer = TS_TIMER_PROBE0;
		s->retries = READ_ONCE(icsk->icsk_probes_out);
		expires = ts_icsk_timeout(icsk);
		break;
	default:
		if (!timer_pending(keepalive)) {
			s->retries = READ_ONCE(icsk->icsk_retransmits);
			return;
		}
		s->timer = TS_TIMER_KEEPALIVE;
		s->retries = READ_ONCE(icsk->icsk_probes_out);
		expires = READ_ONCE(keepalive->expires);
		break;
	}
	s->expires_ms = ts_ms_left(expires, now);
}

/*
 * A request sock is hashed with a zero refcount and its timer armed only
 * afterwards (reqsk_queue_hash_req()), so the timer is read only once the
 * refcount is set. Taking a reference would dirty the sock's cache line on
 * every read under a SYN flood; like every unreferenced read here these are
 * scalars read once, and a sock reused meanwhile makes the chain restart.
 */
static void ts_sample_request_timer(const struct sock *sk, unsigned long now,
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
	s->expires_ms = ts_ms_left(READ_ONCE(req->rsk_timer.expires), now);
}

/* Both ends' addresses, one 32-bit word at a time: we hold no reference. */
static void ts_read_addrs(const struct sock *sk, int family,
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

static bool ts_filter_match(const struct tcpstates_config *cfg,
			    const struct sock *sk,
			    const struct tcpstates_sample *s)
{
	struct in6_addr laddr, raddr;

	if (!(cfg->families & BIT(s->family)) || !(cfg->states & BIT(s->state)))
		return false;
	if (!tcpstates_ports_match(&cfg->lports, s->lport) ||
	    !tcpstates_ports_match(&cfg->rports,
				   ntohs(READ_ONCE(sk->sk_dport))))
		return false;
	if (!cfg->laddrs.n && !cfg->raddrs.n)
		return true;
	ts_read_addrs(sk, s->family, &laddr, &raddr);
	return tcpstates_cidrs_match(&cfg->laddrs, s->family, &laddr) &&
	       tcpstates_cidrs_match(&cfg->raddrs, s->family, &raddr);
}

/*
 * The netns of an entry, read once and marked: the walk holds no reference
 * (under RCU), the listing one (outside RCU), so no lockdep condition fits.
 */
static const struct net *ts_entry_net(const struct sock *sk)
{
#ifdef CONFIG_NET_NS
	return rcu_dereference_raw(sk->sk_net.net);
#else
	return &init_net;
#endif
}

/*
 * Read one hashed entry of netns @target: a full socket, a timewait sock
 * or a request sock. We hold no reference, so only scalars are read, each
 * once; whatever needs more takes a reference first. lhash2 contributes
 * LISTEN and nothing else; ehash everything but LISTEN and CLOSE, which a
 * socket only passes through there on its way out.
 */
static bool ts_sample(const struct tcpstates_walk *w, struct sock *sk,
		      int target, bool listeners, bool timers,
		      unsigned long now, struct tcpstates_sample *s)
{
	const struct tcpstates_target *t = &w->scope.targets[target];
	int kstate = READ_ONCE(sk->sk_state);
	bool listener = kstate == TCP_LISTEN;
	const struct inet_timewait_sock *tw;
	int state, family;

	if (listener != listeners || kstate == TCP_CLOSE)
		return false;

	s->target = target;
	s->timer = TS_TIMER_NONE;
	s->retries = 0;
	s->lport = READ_ONCE(sk->sk_num);

	switch (kstate) {
	case TCP_LISTEN:
		break;
	case TCP_TIME_WAIT:
		/* A timewait sock keeps its real state, FIN_WAIT2 or TIME_WAIT. */
		tw = inet_twsk(sk);
		kstate = READ_ONCE(tw->tw_substate);
		/* Hashed before inet_twsk_schedule() arms the timer (v6.12). */
		if (timers && timer_pending(&tw->tw_timer)) {
			s->timer = TS_TIMER_TIMEWAIT;
			s->expires_ms = ts_ms_left(READ_ONCE(tw->tw_timer.expires),
						   now);
		}
		break;
	case TCP_NEW_SYN_RECV:
		if (timers)
			ts_sample_request_timer(sk, now, s);
		break;
	default:
		if (timers)
			ts_sample_full_timer(sk, now, s);
		break;
	}

	state = ts_state_of(kstate);
	family = ts_family_of(sk);
	if (state < 0 || family < 0)
		return false;
	s->state = state;
	s->family = family;
	s->inbound = listener || test_bit(s->lport, t->listening);
	return !w->filtering || ts_filter_match(w->cfg, sk, s);
}

/* As the walk samples an entry, for the listing; false if not counted. */
bool tcpstates_sample(const struct tcpstates_walk *w, struct sock *sk,
		      bool listeners, bool timers, unsigned long now,
		      struct tcpstates_sample *s)
{
	int target = tcpstates_scope_find(&w->scope, ts_entry_net(sk));

	return target >= 0 &&
	       ts_sample(w, sk, target, listeners, timers, now, s);
}

/* Remember the listener whose SYN queue is fullest against its backlog. */
static void ts_note_listener(struct tcpstates_walk *w, const struct sock *sk)
{
	struct tcpstates_listener *busiest = &w->result.busiest_listener;
	u32 queue = inet_csk_reqsk_queue_len(sk);
	u32 backlog = READ_ONCE(sk->sk_max_ack_backlog);

	/* queue / backlog > busiest->syn_queue / busiest->backlog */
	if ((u64)queue * max(busiest->backlog, 1U) >
	    (u64)busiest->syn_queue * max(backlog, 1U)) {
		busiest->port = READ_ONCE(sk->sk_num);
		busiest->syn_queue = queue;
		busiest->backlog = backlog;
	}
}

static void ts_count(struct tcpstates_counts *c, const struct tcpstates_sample *s)
{
	struct tcpstates_state_stats *st = &c->state[s->state];

	st->sockets[s->family]++;
	st->inbound += s->inbound;
	st->max_retries = max_t(u32, st->max_retries, s->retries);
	if (s->timer == TS_TIMER_NONE)
		return;
	st->timers[s->timer]++;
	if (!st->timed++) {
		st->soonest_ms = s->expires_ms;
		st->latest_ms = s->expires_ms;
		return;
	}
	st->soonest_ms = min(st->soonest_ms, s->expires_ms);
	st->latest_ms = max(st->latest_ms, s->expires_ms);
}

static void ts_stats_add(struct tcpstates_state_stats *dst,
			 const struct tcpstates_state_stats *src)
{
	int i;

	for (i = 0; i < TS_NR_FAMILIES; i++)
		dst->sockets[i] += src->sockets[i];
	dst->inbound += src->inbound;
	for (i = 0; i < TS_NR_TIMERS; i++)
		dst->timers[i] += src->timers[i];
	dst->max_retries = max(dst->max_retries, src->max_retries);
	if (!src->timed)
		return;
	if (!dst->timed) {
		dst->soonest_ms = src->soonest_ms;
		dst->latest_ms = src->latest_ms;
	} else {
		dst->soonest_ms = min(dst->soonest_ms, src->soonest_ms);
		dst->latest_ms = max(dst->latest_ms, src->latest_ms);
	}
	dst->timed += src->timed;
}

static void ts_counts_add(struct tcpstates_counts *dst,
			  const struct tcpstates_counts *src)
{
	int st;

	for (st = 0; st < TS_NR_STATES; st++)
		ts_stats_add(&dst->state[st], &src->state[st]);
}

/* What is kept per netns and per port, beside the totals. */
static void ts_count_detail(struct tcpstates_walk *w,
			    const struct tcpstates_sample *s)
{
	w->scope.targets[s->target].sockets[s->state]++;
	if (w->ports[s->state])
		w->ports[s->state][s->lport]++;
}

static void ts_chain_reset(struct tcpstates_chain *ch)
{
	ch->n = 0;
	if (ch->spilled) {
		memset(&ch->spill, 0, sizeof(ch->spill));
		ch->spilled = false;
	}
}

/*
 * A chain longer than the journal: its totals move to the spill, which can
 * still be dropped; its per-netns and per-port counts are made at once, so
 * a restart after a spill leaves those inexact (and the header says so).
 */
static void ts_chain_spill(struct tcpstates_walk *w)
{
	struct tcpstates_chain *ch = &w->chain;
	unsigned int i;

	for (i = 0; i < ch->n; i++) {
		ts_count(&ch->spill, &ch->journal[i]);
		ts_count_detail(w, &ch->journal[i]);
	}
	ch->n = 0;
	ch->spilled = true;
}

static void ts_chain_add(struct tcpstates_walk *w,
			 const struct tcpstates_sample *s)
{
	struct tcpstates_chain *ch = &w->chain;

	if (ch->n == TS_CHAIN_JOURNAL)
		ts_chain_spill(w);
	ch->journal[ch->n++] = *s;
}

static void ts_chain_commit(struct tcpstates_walk *w)
{
	struct tcpstates_chain *ch = &w->chain;
	unsigned int i;

	for (i = 0; i < ch->n; i++) {
		ts_count(&w->result.counts, &ch->journal[i]);
		ts_count_detail(w, &ch->journal[i]);
	}
	if (ch->spilled)
		ts_counts_add(&w->result.counts, &ch->spill);
	ts_chain_reset(ch);
}

/*
 * Listeners are noted whether or not the filters count them: a socket is
 * inbound when its local port has a listener in its netns, whatever the
 * filters say about that listener.
 */
static void ts_note_listening(struct tcpstates_walk *w, struct sock *sk,
			      int target)
{
	if (READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return;
	set_bit(READ_ONCE(sk->sk_num), w->scope.targets[target].listening);
	ts_note_listener(w, sk);
}

/*
 * Has a reused entry carried the walk of an ehash chain into another table?
 * Every table numbers its chains' nulls from 0, so the nulls value at the
 * end cannot tell, but the entry's netns can, read before any filter: a
 * netns's own table holds its sockets only, and the shared table none of a
 * netns that has its own.
 */
static bool ts_diverted(const struct tcpstates_walk *w, const struct net *net,
			int target)
{
	if (w->table_owner)
		return net != w->table_owner;
	if (target >= 0)
		return w->scope.targets[target].ehash != w->hashinfo;
	return tcpstates_scope_owns_ehash(&w->scope, net);
}

/*
 * Sample one chain under rcu_read_lock(). Returns false when the walk ended
 * up on another chain: an entry we followed was reused elsewhere, and what
 * we saw of this chain cannot be trusted.
 */
static bool ts_sample_chain(struct tcpstates_walk *w,
			    struct hlist_nulls_head *head,
			    unsigned long nulls, bool listeners)
{
	bool timers = w->cfg->timers;
	unsigned long now = jiffies;
	const struct hlist_nulls_node *node;
	struct tcpstates_sample s;
	const struct net *net;
	struct sock *sk;
	int target;

	ts_chain_reset(&w->chain);
	sk_nulls_for_each_rcu(sk, node, head) {
		w->batch_entries++;
		net = ts_entry_net(sk);
		target = tcpstates_scope_find(&w->scope, net);
		if (!listeners && ts_diverted(w, net, target))
			return false;
		if (target < 0)
			continue;
		if (listeners)
			ts_note_listening(w, sk, target);
		if (ts_sample(w, sk, target, listeners, timers, now, &s))
			ts_chain_add(w, &s);
	}
	return get_nulls_value(node) == nulls;
}

static void ts_count_chain(struct tcpstates_walk *w,
			   struct hlist_nulls_head *head,
			   unsigned long nulls, bool listeners)
{
	int tries = 0;

	while (!ts_sample_chain(w, head, nulls, listeners)) {
		w->result.tables.restarts++;
		/* A spill counted per netns and per port already. */
		if (w->chain.spilled)
			w->result.tables.inexact = true;
		if (++tries == TS_MAX_RESTARTS) {
			w->result.tables.inexact = true;
			break;
		}
	}
	ts_chain_commit(w);
}

static unsigned int ts_count_listeners(struct tcpstates_walk *w,
				       unsigned int first, unsigned int end)
{
	struct inet_hashinfo *h = w->hashinfo;
	unsigned int i;

	rcu_read_lock();
	for (i = first; i < end && w->batch_entries < TS_ENTRIES_PER_BATCH; i++) {
		struct hlist_nulls_head *head = &h->lhash2[i].nulls_head;

		if (!hlist_nulls_empty(head))
			ts_count_chain(w, head, i + LISTENING_NULLS_BASE, true);
	}
	rcu_read_unlock();
	return i;
}

static unsigned int ts_count_established(struct tcpstates_walk *w,
					 unsigned int first, unsigned int end)
{
	struct inet_hashinfo *h = w->hashinfo;
	unsigned int i;

	rcu_read_lock();
	for (i = first; i < end && w->batch_entries < TS_ENTRIES_PER_BATCH; i++) {
		struct hlist_nulls_head *head = &h->ehash[i].chain;

		if (!hlist_nulls_empty(head))
			ts_count_chain(w, head, i, false);
	}
	rcu_read_unlock();
	return i;
}

/*
 * A bound-only socket: bound, but neither listening nor connecting, which
 * inet_diag (v6.8+) reports as bound-inactive. Held stable by the lock.
 * Since v6.8 timewait socks share the owner list; their sk_state is
 * TCP_TIME_WAIT, so the state test, first, leaves them out while reading
 * nothing beyond sock_common.
 */
static bool ts_sample_bound(const struct tcpstates_walk *w, struct sock *sk,
			    struct tcpstates_sample *s)
{
	const struct tcpstates_target *t;
	int target, family;
	u16 port;

	if (READ_ONCE(sk->sk_state) != TCP_CLOSE)
		return false;
	/* Written under the bhash lock, not the bhash2 one we hold. */
	port = READ_ONCE(inet_sk(sk)->inet_num);
	if (!port)
		return false;
	target = tcpstates_scope_find(&w->scope, sock_net(sk));
	family = ts_family_of(sk);
	if (target < 0 || family < 0)
		return false;
	t = &w->scope.targets[target];

	s->state = TS_CLOSED;
	s->family = family;
	s->timer = TS_TIMER_NONE;
	s->retries = 0;
	s->target = target;
	s->lport = port;
	s->inbound = test_bit(s->lport, t->listening);
	return !w->filtering || ts_filter_match(w->cfg, sk, s);
}

static struct inet_bind2_bucket *ts_bind2_first(struct inet_bind_hashbucket *head)
{
	return hlist_entry_safe(head->chain.first, struct inet_bind2_bucket, node);
}

static struct inet_bind2_bucket *ts_bind2_next(struct inet_bind2_bucket *tb2)
{
	return hlist_entry_safe(tb2->node.next, struct inet_bind2_bucket, node);
}

static struct sock *ts_owner_first(struct inet_bind2_bucket *tb2)
{
	return tb2 ? hlist_entry_safe(tb2->owners.first, struct sock,
				      ts_bhash2_owner_node) : NULL;
}

static struct sock *ts_owner_next(struct sock *sk)
{
	return hlist_entry_safe(sk->ts_bhash2_owner_node.next, struct sock,
				ts_bhash2_owner_node);
}

/*
 * Journal owners from @*sk of @*tb2 onwards, as far as one hold of the
 * lock goes. Returns true at the end of the bucket; otherwise @*tb2 and
 * @*sk are the owner to go on from, not yet counted.
 */
static bool ts_journal_owners(struct tcpstates_walk *w,
			      struct inet_bind2_bucket **tb2, struct sock **sk)
{
	unsigned int held = 0;
	struct tcpstates_sample s;

	for (; *tb2; *tb2 = ts_bind2_next(*tb2), *sk = ts_owner_first(*tb2)) {
		if (tcpstates_scope_find(&w->scope, ib2_net(*tb2)) < 0)
			continue;
		for (; *sk; *sk = ts_owner_next(*sk)) {
			if (held++ == TS_ENTRIES_PER_BATCH)
				return false;
			w->batch_entries++;
			if (ts_sample_bound(w, *sk, &s))
				ts_chain_add(w, &s);
		}
	}
	return true;
}

/*
 * Still an owner in this bucket after the lock was dropped? Unbinding
 * clears the socket's bucket pointer under this lock, and the bucket is
 * alive while it is on this chain.
 */
static bool ts_owner_linked(struct inet_bind_hashbucket *head,
			    const struct sock *sk,
			    struct inet_bind2_bucket **tb2)
{
	const struct inet_bind2_bucket *want = ts_bind2_bucket_of(sk);
	struct inet_bind2_bucket *pos;

	inet_bind_bucket_for_each(pos, &head->chain) {
		if (pos == want) {
			*tb2 = pos;
			return true;
		}
	}
	return false;
}

/*
 * One bind bucket's owners, as inet_diag's bound-inactive dump and
 * inet_csk_bind_conflict() walk them, but never more than
 * TS_ENTRIES_PER_BATCH in one hold of its lock: a port's bucket holds
 * every connection accepted on it (and since v6.8 its timewait socks),
 * and softirqs on other CPUs spin on that lock. Between holds we keep a
 * reference on the owner we stopped at and go on from it if it is still
 * there; otherwise the bucket is counted again, and the read is inexact
 * if part of it was counted already.
 */
static void ts_count_bound_bucket(struct tcpstates_walk *w,
				  struct inet_bind_hashbucket *head)
{
	struct inet_bind2_bucket *tb2;
	struct sock *sk, *held = NULL;
	unsigned int restarts = 0;

	ts_chain_reset(&w->chain);
	spin_lock_bh(&head->lock);
	tb2 = ts_bind2_first(head);
	sk = ts_owner_first(tb2);
	while (!ts_journal_owners(w, &tb2, &sk)) {
		/* Linked owners have a reference; if not, go on holding. */
		if (!refcount_inc_not_zero(&sk->sk_refcnt))
			continue;
		spin_unlock_bh(&head->lock);
		if (held)
			sock_gen_put(held);
		held = sk;
		cond_resched();
		spin_lock_bh(&head->lock);
		if (ts_owner_linked(head, held, &tb2))
			continue;
		w->result.tables.restarts++;
		/* A spill counted per netns and per port already. */
		if (w->chain.spilled)
			w->result.tables.inexact = true;
		if (++restarts == TS_MAX_RESTARTS) {
			w->result.tables.inexact = true;
			break;
		}
		ts_chain_reset(&w->chain);
		tb2 = ts_bind2_first(head);
		sk = ts_owner_first(tb2);
	}
	spin_unlock_bh(&head->lock);
	if (held)
		sock_gen_put(held);
	ts_chain_commit(w);
}

static unsigned int ts_count_bound(struct tcpstates_walk *w,
				   unsigned int first, unsigned int end)
{
	struct inet_hashinfo *h = w->hashinfo;
	unsigned int i;

	for (i = first; i < end && w->batch_entries < TS_ENTRIES_PER_BATCH; i++) {
		struct inet_bind_hashbucket *head = &h->bhash2[i];

		/* Racy peek, as inet_diag does: skip the lock when empty. */
		if (!hlist_empty(&head->chain))
			ts_count_bound_bucket(w, head);
	}
	return i;
}

/* Count buckets [first, end); returns the first bucket left uncounted. */
typedef unsigned int (*ts_batch_fn)(struct tcpstates_walk *w,
				    unsigned int first, unsigned int end);

/*
 * Walk @size buckets in bounded batches: up to TS_BUCKETS_PER_BATCH
 * buckets, ended early once TS_ENTRIES_PER_BATCH entries were visited.
 * Each batch takes and drops its own locks; between batches we may sleep,
 * and a fatal signal ends the read.
 */
static int ts_walk_table(struct tcpstates_walk *w, struct inet_hashinfo *h,
			 const struct net *owner, unsigned int size,
			 ts_batch_fn count_batch)
{
	unsigned int first, end;

	w->hashinfo = h;
	w->table_owner = owner;
	for (first = 0; first < size; first = end) {
		end = first + min_t(unsigned int, size - first,
				    TS_BUCKETS_PER_BATCH);
		w->batch_entries = 0;
		end = count_batch(w, first, end);
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static void ts_find_close_wait_port(struct tcpstates_walk *w)
{
	const u32 *ports = w->ports[TS_CLOSE_WAIT];
	struct tcpstates_result *res = &w->result;
	const u64 *close_wait = res->counts.state[TS_CLOSE_WAIT].sockets;
	unsigned int port;

	if (!ports || !(close_wait[TS_IPV4] + close_wait[TS_IPV6]))
		return;
	for (port = 0; port < TS_NR_PORTS; port++) {
		if (ports[port] > res->close_wait_on_port) {
			res->close_wait_on_port = ports[port];
			res->close_wait_port = port;
		}
	}
}

static void ts_walk_reset(struct tcpstates_walk *w)
{
	struct tcpstates_scope *sc = &w->scope;
	unsigned int i;
	int st;

	memset(&w->result, 0, sizeof(w->result));
	ts_chain_reset(&w->chain);
	w->filtering = tcpstates_config_filters(w->cfg);
	for (st = 0; st < TS_NR_STATES; st++)
		if (w->ports[st])
			memset(w->ports[st], 0, TS_NR_PORTS * sizeof(u32));
	for (i = 0; i < sc->nr_targets; i++) {
		memset(sc->targets[i].sockets, 0, sizeof(sc->targets[i].sockets));
		bitmap_zero(sc->targets[i].listening, TS_NR_PORTS);
	}
}

/* Count every socket of the scope's netns, as the config filters them. */
int tcpstates_walk(struct tcpstates_walk *w)
{
	struct tcpstates_scope *sc = &w->scope;
	struct tcpstates_tables *t = &w->result.tables;
	struct inet_hashinfo *shared;
	unsigned int i;
	int err;

	ts_walk_reset(w);
	if (!sc->nr_targets)
		return 0;

	/* lhash2 and the bind tables are shared by every netns. */
	shared = sc->targets[0].net->ipv4.tcp_death_row.hashinfo;
	t->lhash2_buckets = shared->lhash2_mask + 1;
	t->bhash_buckets = shared->bhash_size;
	t->ehash_tables = sc->nr_ehash;
	t->ehash_pernet = sc->nr_ehash == 1 && sc->ehash[0]->pernet;

	/* Listeners first: they decide which sockets are inbound. */
	err = ts_walk_table(w, shared, NULL, t->lhash2_buckets,
			    ts_count_listeners);
	for (i = 0; !err && i < sc->nr_ehash; i++) {
		t->ehash_buckets += sc->ehash[i]->ehash_mask + 1;
		err = ts_walk_table(w, sc->ehash[i], sc->ehash_owner[i],
				    sc->ehash[i]->ehash_mask + 1,
				    ts_count_established);
	}
	/* Bound-only sockets cost bucket locks: skip them when not counted. */
	if (!err && (w->cfg->states & BIT(TS_CLOSED)))
		err = ts_walk_table(w, shared, NULL, t->bhash_buckets,
				    ts_count_bound);
	if (!err)
		ts_find_close_wait_port(w);
	return err;
}
