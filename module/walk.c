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
	s->retries = req->num_timeout;	/* a bit-field */
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
 * Read one hashed entry: a full socket, a timewait sock or a request sock.
 * We hold no reference, so only scalars are read, each once; whatever
 * needs more takes a reference first. lhash2 contributes LISTEN and
 * nothing else; ehash everything but LISTEN and CLOSE, which a socket only
 * passes through there on its way out.
 */
bool tcpstates_sample(const struct tcpstates_walk *w, struct sock *sk,
		      bool listeners, bool timers, unsigned long now,
		      struct tcpstates_sample *s)
{
	const struct tcpstates_target *t;
	int kstate = READ_ONCE(sk->sk_state);
	bool listener = kstate == TCP_LISTEN;
	int target, state, family;

	if (listener != listeners || kstate == TCP_CLOSE)
		return false;
	target = tcpstates_scope_find(&w->scope, sock_net(sk));
	if (target < 0)
		return false;
	t = &w->scope.targets[target];

	s->target = target;
	s->timer = TS_TIMER_NONE;
	s->retries = 0;
	s->lport = READ_ONCE(sk->sk_num);

	switch (kstate) {
	case TCP_LISTEN:
		break;
	case TCP_TIME_WAIT:
		/* A timewait sock keeps its real state, FIN_WAIT2 or TIME_WAIT. */
		kstate = READ_ONCE(inet_twsk(sk)->tw_substate);
		if (timers) {
			s->timer = TS_TIMER_TIMEWAIT;
			s->expires_ms = ts_ms_left(READ_ONCE(inet_twsk(sk)->tw_timer.expires),
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
static void ts_note_listening(struct tcpstates_walk *w, struct sock *sk)
{
	int target = tcpstates_scope_find(&w->scope, sock_net(sk));

	if (target < 0 || READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return;
	set_bit(READ_ONCE(sk->sk_num), w->scope.targets[target].listening);
	ts_note_listener(w, sk);
}

/*
 * Sample one chain under rcu_read_lock(). Returns false when the walk ended
 * up on another chain: an entry we followed was reused elsewhere, and what
 * we saw of this chain cannot be trusted. Every ehash table numbers its
 * chains' nulls from 0, so a move into another netns's table of the same
 * chain number shows only in the socket's netns using another table.
 */
static bool ts_sample_chain(struct tcpstates_walk *w,
			    struct hlist_nulls_head *head,
			    unsigned long nulls, bool listeners)
{
	bool timers = w->cfg->timers;
	unsigned long now = jiffies;
	const struct hlist_nulls_node *node;
	struct tcpstates_sample s;
	struct sock *sk;

	ts_chain_reset(&w->chain);
	sk_nulls_for_each_rcu(sk, node, head) {
		w->batch_entries++;
		if (listeners)
			ts_note_listening(w, sk);
		if (!tcpstates_sample(w, sk, listeners, timers, now, &s))
			continue;
		if (!listeners && w->scope.targets[s.target].ehash != w->hashinfo)
			return false;
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

	if (READ_ONCE(sk->sk_state) != TCP_CLOSE || !inet_sk(sk)->inet_num)
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
	s->lport = inet_sk(sk)->inet_num;
	s->inbound = test_bit(s->lport, t->listening);
	return !w->filtering || ts_filter_match(w->cfg, sk, s);
}

/*
 * One bind bucket's owners, in one hold of its lock, as inet_diag's
 * bound-inactive dump and inet_csk_bind_conflict() walk them. A port's
 * bucket holds every connection accepted on it (and since 6.8 its
 * timewait socks): resuming by position after a pause would cost O(n^2).
 */
static void ts_count_bound_bucket(struct tcpstates_walk *w,
				  struct inet_bind_hashbucket *head)
{
	struct inet_bind2_bucket *tb2;
	struct tcpstates_sample s;
	struct sock *sk;

	spin_lock_bh(&head->lock);
	inet_bind_bucket_for_each(tb2, &head->chain) {
		if (tcpstates_scope_find(&w->scope, ib2_net(tb2)) < 0)
			continue;
		ts_sk_for_each_bhash2_owner(sk, &tb2->owners) {
			w->batch_entries++;
			if (!ts_sample_bound(w, sk, &s))
				continue;
			ts_count(&w->result.counts, &s);
			ts_count_detail(w, &s);
		}
	}
	spin_unlock_bh(&head->lock);
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
			 unsigned int size, ts_batch_fn count_batch)
{
	unsigned int first, end;

	w->hashinfo = h;
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
	err = ts_walk_table(w, shared, t->lhash2_buckets, ts_count_listeners);
	for (i = 0; !err && i < sc->nr_ehash; i++) {
		t->ehash_buckets += sc->ehash[i]->ehash_mask + 1;
		err = ts_walk_table(w, sc->ehash[i], sc->ehash[i]->ehash_mask + 1,
				    ts_count_established);
	}
	/* Bound-only sockets cost bucket locks: skip them when not counted. */
	if (!err && (w->cfg->states & BIT(TS_CLOSED)))
		err = ts_walk_table(w, shared, t->bhash_buckets, ts_count_bound);
	if (!err)
		ts_find_close_wait_port(w);
	return err;
}
