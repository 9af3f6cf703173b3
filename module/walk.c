// SPDX-License-Identifier: GPL-2.0
/*
 * Counting walk over the TCP hash tables.
 *
 * ehash and the listeners' table (lhash2; listening_hash before v5.19)
 * are read under RCU alone, the way __inet_lookup_established() reads
 * them. Sockets are
 * SLAB_TYPESAFE_BY_RCU, so an entry can be freed and reused on another
 * chain while we stand on it. What a chain adds is therefore noted as it
 * is counted, and taken back when the chain did not end on its own nulls
 * value; then the chain is walked again (Documentation/RCU/rculist_nulls.rst).
 *
 * Bound-only (CLOSED) sockets live only in the bind tables, which are not
 * RCU safe; those are walked under their bucket locks, as inet_diag does.
 */

#include <linux/bitmap.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "destinations.h"
#include "filter.h"
#include "inject.h"
#include "knobs.h"
#include "owners.h"
#include "sample.h"
#include "scope.h"
#include "spare.h"
#include "walk.h"

/*
 * What the entries counted since a chain began added, enough to take it
 * back: its length bounds a chain that can be walked again exactly. A
 * batch of bind-bucket owners fits whole.
 */
#define TS_CHAIN_UNDO TS_ENTRIES_PER_BATCH

/*
 * Sockets per kind: state, family, inbound bit and timer (the last of
 * which is none). One counter per socket; the per-state columns are sums
 * of these, made at the end.
 */
#define TS_NR_KINDS (TS_NR_STATES * TS_NR_FAMILIES * 2 * (TS_NR_TIMERS + 1))

/* Per state, what does not add up: extremes over the sockets with a timer. */
struct ts_extremes {
	long soonest;			/* jiffies from the walk's start */
	long latest;
	u32 max_retries;
};

/* One reader's walk: what it counts, its result and its scratch space. */
struct tcpstates_walk {
	const struct tcpstates_config *cfg;
	struct tcpstates_scope scope;
	unsigned int flags;		/* TS_SAMPLE_TIMERS, _AGES, for the sampler */
	bool filtering;			/* cfg narrows beyond the netns */
	bool per_target;		/* more than one netns to count apart */
	u16 port_states;		/* BIT(state) for each @ports kept */
	unsigned long now;		/* jiffies at the walk's start */
	unsigned int batch_entries;	/* visited in the current batch */
	u32 *ports[TS_NR_STATES];	/* per local port, if this read wants them */
	u32 *port_arrays[TS_NR_STATES];	/* kept between reads */
	u16 ports_clear;		/* BIT(state) for arrays all zero */
	u16 detail_states;		/* BIT(state) counted per netns, port, owner */
	struct tcpstates_owners *owners;	/* kept between reads */
	bool by_owner;			/* this read counts owners */
	struct tcpstates_destinations *dests;	/* kept between reads */
	bool by_destination;		/* this read counts destinations */
	struct inet_hashinfo *hashinfo;	/* the table being walked */
	const struct net *table_net;	/* its netns if its own, or NULL */
	const struct net *only_net;	/* the one netns counted, or NULL */
	bool only_net_here;		/* its sockets are in this table */
	/* From here on cleared at each walk by ts_walk_reset(), or scratch. */
	u64 kinds[TS_NR_KINDS];
	struct ts_extremes extremes[TS_NR_STATES];
	struct tcpstates_result result;
	unsigned int nr_fullest_max;	/* listeners ranked: top_listeners, or 1 */
	const struct sock *fullest_sk[TS_TOP_LISTENERS_MAX];	/* never read through */
	unsigned int undo_n;		/* entries counted in this chain */
	u32 undo[TS_CHAIN_UNDO];	/* local port << 16 | age | kind */
	u32 undo_target[TS_CHAIN_UNDO];	/* netns index, if per_target */
	u16 undo_owner[TS_CHAIN_UNDO];	/* owners' slot, if by_owner */
	u16 undo_dest[TS_CHAIN_UNDO];	/* destinations' slot, if by_destination */
};

/* In an undo entry: the kind, then the age bucket + 1 (0: none counted). */
#define TS_UNDO_KIND_BITS	9
#define TS_UNDO_KIND_MASK	(BIT(TS_UNDO_KIND_BITS) - 1)
static_assert(BIT(TS_UNDO_KIND_BITS) >= TS_NR_KINDS);
static_assert(BIT(16) >= (TS_NR_AGE_BUCKETS + 1) << TS_UNDO_KIND_BITS);

static unsigned int ts_kind(const struct tcpstates_sample *s)
{
	return ((s->state * TS_NR_FAMILIES + s->family) * 2 + s->inbound) *
	       (TS_NR_TIMERS + 1) + s->timer;
}

/* States whose sockets hold a local port towards their destination. */
#define TS_CONNECTED_STATES (TS_ALL_STATES & ~(BIT(TS_CLOSED) | BIT(TS_LISTEN) | \
					       BIT(TS_SYN_RECV)))

/* The rarer counts: per netns, per port, per owner and per destination. */
static void ts_tally_detail(struct tcpstates_walk *w, int target,
			    struct sock *sk, const struct tcpstates_sample s,
			    unsigned int counted)
{
	unsigned int state = s.state, slot;

	if (w->by_destination) {
		slot = TS_DESTINATION_NONE;
		if (!s.inbound && (TS_CONNECTED_STATES & BIT(state)))
			slot = tcpstates_destinations_count(w->dests,
							    w->scope.targets[target].net,
							    sk, s.family);
		if (counted < TS_CHAIN_UNDO)
			w->undo_dest[counted] = slot;
	}
	if (w->by_owner) {
		slot = tcpstates_owners_count(w->owners, sk, state);
		if (counted < TS_CHAIN_UNDO)
			w->undo_owner[counted] = slot;
	}
	if (w->per_target) {
		w->scope.targets[target].sockets[state]++;
		if (counted < TS_CHAIN_UNDO)
			w->undo_target[counted] = target;
	}
	if (w->port_states & BIT(state))
		w->ports[state][s.lport]++;
}

/*
 * Count one entry, and note what it added in the chain's undo list at
 * *@counted. Inline, as every entry counted comes through here; the
 * caller keeps @detail_states in a register.
 */
static __always_inline void ts_tally(struct tcpstates_walk *w,
				     u16 detail_states, int target,
				     struct sock *sk,
				     const struct tcpstates_sample *s,
				     bool ages, unsigned int *counted)
{
	unsigned int kind = ts_kind(s);
	struct tcpstates_ages *a;
	struct ts_extremes *e;
	unsigned int bucket;

	w->kinds[kind]++;
	if (ages && s->age_ms != TS_AGE_UNKNOWN) {
		a = &w->result.ages[s->state];
		bucket = tcpstates_age_bucket(s->age_ms);
		a->sockets[bucket]++;
		if (s->age_ms > a->oldest_ms)
			a->oldest_ms = s->age_ms;
		kind |= (bucket + 1) << TS_UNDO_KIND_BITS;
	}
	if (s->retries || s->timer != TS_TIMER_NONE) {
		e = &w->extremes[s->state];
		if (s->retries > e->max_retries)
			e->max_retries = s->retries;
		if (s->timer != TS_TIMER_NONE && s->expires < e->soonest)
			e->soonest = s->expires;
		if (s->timer != TS_TIMER_NONE && s->expires > e->latest)
			e->latest = s->expires;
	}
	if (unlikely(detail_states & BIT(s->state)))
		ts_tally_detail(w, target, sk, *s, *counted);
	if (likely(*counted < TS_CHAIN_UNDO))
		w->undo[*counted] = (u32)s->lport << 16 | kind;
	(*counted)++;
}

/*
 * Take back what this chain's entries added. Extremes and the busiest
 * listener stay: a socket seen twice moves neither.
 */
static void ts_untally(struct tcpstates_walk *w)
{
	unsigned int i, kind, state, age;

	for (i = 0; i < w->undo_n; i++) {
		kind = w->undo[i] & TS_UNDO_KIND_MASK;
		age = (w->undo[i] & 0xffff) >> TS_UNDO_KIND_BITS;
		state = kind / (TS_NR_FAMILIES * 2 * (TS_NR_TIMERS + 1));
		w->kinds[kind]--;
		if (age)
			w->result.ages[state].sockets[age - 1]--;
		if (w->per_target)
			w->scope.targets[w->undo_target[i]].sockets[state]--;
		if (w->by_owner)
			tcpstates_owners_uncount(w->owners, w->undo_owner[i],
						 state);
		if (w->by_destination)
			tcpstates_destinations_uncount(w->dests, w->undo_dest[i]);
		if (w->port_states & BIT(state))
			w->ports[state][w->undo[i] >> 16]--;
	}
	w->undo_n = 0;
}

/* Whether the filters count an entry the sampler read. */
static bool ts_filter(const struct tcpstates_config *cfg, const struct sock *sk,
		      const struct tcpstates_sample *s)
{
	return tcpstates_filter_match(cfg, sk, s->state, s->family, s->lport);
}

/* a / (a_backlog + 1) > b / (b_backlog + 1): a backlog of N holds N + 1. */
static bool ts_fuller(u32 a, u32 a_backlog, u32 b, u32 b_backlog)
{
	return (u64)a * ((u64)b_backlog + 1) > (u64)b * ((u64)a_backlog + 1);
}

/* Accept queue first, then the SYN queue, then drops. */
static bool ts_listener_fuller(const struct tcpstates_listener *a,
			       const struct tcpstates_listener *b)
{
	if (a->accept_queue * ((u64)b->backlog + 1) !=
	    b->accept_queue * ((u64)a->backlog + 1))
		return ts_fuller(a->accept_queue, a->backlog,
				 b->accept_queue, b->backlog);
	if (a->syn_queue != b->syn_queue)
		return a->syn_queue > b->syn_queue;
	return a->drops > b->drops;
}

/*
 * Keep @l among the fullest listeners, in order. A listener seen again,
 * when its chain is walked again, takes its own place, found by address:
 * we never read through @sk.
 */
static void ts_rank_listener(struct tcpstates_walk *w, const struct sock *sk,
			     const struct tcpstates_listener *l)
{
	struct tcpstates_listener *top = w->result.fullest;
	unsigned int n = w->result.nr_fullest, i;

	for (i = 0; i < n && w->fullest_sk[i] != sk; i++)
		;
	if (i == n && n < w->nr_fullest_max)
		w->result.nr_fullest = ++n;
	else if (i == n && ts_listener_fuller(l, &top[n - 1]))
		i = n - 1;
	else if (i == n)
		return;
	for (; i && ts_listener_fuller(l, &top[i - 1]); i--) {
		top[i] = top[i - 1];
		w->fullest_sk[i] = w->fullest_sk[i - 1];
	}
	for (; i + 1 < n && ts_listener_fuller(&top[i + 1], l); i++) {
		top[i] = top[i + 1];
		w->fullest_sk[i] = w->fullest_sk[i + 1];
	}
	top[i] = *l;
	w->fullest_sk[i] = sk;
}

/*
 * Note a listener's queues: the fullest SYN queue, for the hint, and the
 * fullest accept queues. Only a listener that may rank is read whole.
 */
static void ts_note_listener(struct tcpstates_walk *w, const struct sock *sk,
			     int target)
{
	struct tcpstates_result *res = &w->result;
	struct tcpstates_listener *busiest = &res->busiest_listener;
	const struct tcpstates_listener *last = &res->fullest[w->nr_fullest_max - 1];
	u32 accept_queue = READ_ONCE(sk->sk_ack_backlog);
	u32 syn_queue = inet_csk_reqsk_queue_len(sk);
	u32 backlog = READ_ONCE(sk->sk_max_ack_backlog);
	struct tcpstates_listener l;

	/* Most listeners rank nowhere: three scalars tell, before a full read. */
	if (res->nr_fullest == w->nr_fullest_max &&
	    ts_fuller(last->accept_queue, last->backlog, accept_queue, backlog) &&
	    !ts_fuller(syn_queue, backlog, busiest->syn_queue, busiest->backlog))
		return;
	if (!tcpstates_sample_listener(sk, w->scope.targets[target].net->ns.inum,
				       &l))
		return;
	if (ts_fuller(l.syn_queue, l.backlog, busiest->syn_queue, busiest->backlog))
		*busiest = l;
	ts_rank_listener(w, sk, &l);
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
	ts_note_listener(w, sk, target);
}

/*
 * Count one chain under rcu_read_lock(). Returns false when the walk ended
 * up on another chain: an entry we followed was reused elsewhere, and what
 * we counted of this chain cannot be trusted. Inline, so that each caller
 * gets a copy for its constant @flags.
 */
static __always_inline bool ts_count_entries(struct tcpstates_walk *w,
					     struct hlist_nulls_head *head,
					     unsigned long nulls,
					     unsigned int flags)
{
	const struct inet_hashinfo *h = w->hashinfo;
	const struct tcpstates_scope *sc = &w->scope;
	const struct tcpstates_target *targets = sc->targets;
	const struct net *table_net = w->table_net;
	const struct net *only_net = w->only_net;
	bool listeners = flags & TS_SAMPLE_LISTENER;
	bool only_net_here = w->only_net_here;
	bool filtering = w->filtering;
	u16 detail_states = w->detail_states;
	const struct hlist_nulls_node *node;
	unsigned int entries = 0, counted = 0;
	unsigned long now = w->now;
	struct tcpstates_sample s;
	const struct net *net;
	struct sock *sk;
	int target;

	sk_nulls_for_each_rcu(sk, node, head) {
		entries++;
		net = tcpstates_entry_net(sk);
		if (likely(net == only_net)) {
			/* The one netns counted: one comparison decides. */
			if (!listeners && !only_net_here)
				break;
			target = 0;
		} else {
			target = tcpstates_scope_find(sc, net);
			if (!listeners &&
			    tcpstates_scope_diverted(sc, h, table_net, net, target))
				break;
			if (target < 0)
				continue;
		}
		if (listeners)
			ts_note_listening(w, sk, target);
		if (tcpstates_sample(&targets[target], sk, flags, now, &s) &&
		    (!filtering || ts_filter(w->cfg, sk, &s)))
			ts_tally(w, detail_states, target, sk, &s,
				 flags & TS_SAMPLE_AGES, &counted);
	}
	w->batch_entries += entries;
	w->undo_n = counted;
	/* Left early (diverted), @node is not a nulls marker. */
	return is_a_nulls(node) && get_nulls_value(node) == nulls &&
	       !tcpstates_inject_stray();
}

/*
 * A walk gone astray is taken back and walked again, unless the chain
 * counted more than it can take back, or this was its last try: then what
 * was counted stays, and the header says the result is inexact.
 */
static bool ts_retry(struct tcpstates_walk *w, unsigned int tries)
{
	w->result.tables.restarts++;
	if (w->undo_n > TS_CHAIN_UNDO || tries == TS_MAX_RESTARTS) {
		w->result.tables.inexact = true;
		return false;
	}
	ts_untally(w);
	return true;
}

/*
 * The first of ehash's buckets [i, end) with a chain, or @end. A table
 * sized for the host's memory is mostly empty buckets on a host with few
 * sockets; in a loop of its own, with nothing else live, skipping one is
 * a load and a test.
 */
static unsigned int ts_next_chain(const struct inet_ehash_bucket *ehash,
				  unsigned int i, unsigned int end)
{
	while (i < end && hlist_nulls_empty(&ehash[i].chain))
		i++;
	return i;
}

/*
 * Count the non-empty chains of buckets [first, end) of one table under
 * rcu_read_lock(), until the batch has visited enough entries. Inline,
 * so that each caller gets a copy for its constant @flags, and the chains
 * of a batch are walked in one function.
 */
static __always_inline unsigned int ts_count_chains(struct tcpstates_walk *w,
						    unsigned int first,
						    unsigned int end,
						    unsigned int flags)
{
	bool listeners = flags & TS_SAMPLE_LISTENER;
	struct inet_hashinfo *h = w->hashinfo;
	struct hlist_nulls_head *head;
	unsigned int i, tries;
	unsigned long nulls;

	rcu_read_lock();
	for (i = first; i < end && w->batch_entries < TS_ENTRIES_PER_BATCH; i++) {
		if (listeners) {
			head = ts_listen_chain(h, i);
			if (hlist_nulls_empty(head))
				continue;
		} else {
			i = ts_next_chain(h->ehash, i, end);
			if (i == end)
				break;
			head = &h->ehash[i].chain;
		}
		nulls = listeners ? ts_listen_nulls(i) : i;
		tries = 0;
		while (!ts_count_entries(w, head, nulls, flags) &&
		       ts_retry(w, ++tries))
			;
	}
	rcu_read_unlock();
	return i;
}

/* A listener has no timer we report: no copy without. */
static noinline unsigned int ts_count_listeners(struct tcpstates_walk *w,
						unsigned int first,
						unsigned int end)
{
	return ts_count_chains(w, first, end,
			       TS_SAMPLE_LISTENER | TS_SAMPLE_TIMERS);
}

static noinline unsigned int ts_count_timed(struct tcpstates_walk *w,
					    unsigned int first,
					    unsigned int end)
{
	return ts_count_chains(w, first, end, TS_SAMPLE_TIMERS);
}

static noinline unsigned int ts_count_untimed(struct tcpstates_walk *w,
					      unsigned int first,
					      unsigned int end)
{
	return ts_count_chains(w, first, end, 0);
}

static noinline unsigned int ts_count_aged_timed(struct tcpstates_walk *w,
						 unsigned int first,
						 unsigned int end)
{
	return ts_count_chains(w, first, end,
			       TS_SAMPLE_TIMERS | TS_SAMPLE_AGES);
}

static noinline unsigned int ts_count_aged(struct tcpstates_walk *w,
					   unsigned int first,
					   unsigned int end)
{
	return ts_count_chains(w, first, end, TS_SAMPLE_AGES);
}

static unsigned int ts_count_established(struct tcpstates_walk *w,
					 unsigned int first, unsigned int end)
{
	switch (w->flags) {
	case TS_SAMPLE_TIMERS | TS_SAMPLE_AGES:
		return ts_count_aged_timed(w, first, end);
	case TS_SAMPLE_AGES:
		return ts_count_aged(w, first, end);
	case TS_SAMPLE_TIMERS:
		return ts_count_timed(w, first, end);
	default:
		return ts_count_untimed(w, first, end);
	}
}

static struct ts_bind_bucket *ts_bind_first(struct inet_bind_hashbucket *head)
{
	return hlist_entry_safe(head->chain.first, struct ts_bind_bucket, node);
}

static struct ts_bind_bucket *ts_bind_next(struct ts_bind_bucket *tb)
{
	return hlist_entry_safe(tb->node.next, struct ts_bind_bucket, node);
}

static struct sock *ts_bound_first(struct ts_bind_bucket *tb)
{
	return tb ? hlist_entry_safe(tb->owners.first, struct sock,
				     ts_bind_owner_node) : NULL;
}

static struct sock *ts_bound_next(struct sock *sk)
{
	return hlist_entry_safe(sk->ts_bind_owner_node.next, struct sock,
				ts_bind_owner_node);
}

/*
 * Count a bind bucket's owners (the kernel's name for the sockets bound
 * to it; nothing to do with the owners= knob) from @*sk of @*tb onwards,
 * as far as one hold of the lock goes. Returns true at the end of the
 * bucket; otherwise @*tb and @*sk are the owner to go on from, not yet
 * counted.
 */
static bool ts_count_bound_socks(struct tcpstates_walk *w,
				 struct ts_bind_bucket **pos, struct sock **next)
{
	unsigned int held = 0, counted = w->undo_n;
	struct ts_bind_bucket *tb = *pos;
	struct sock *sk = *next;
	struct tcpstates_sample s;
	int target;

	for (; tb; tb = ts_bind_next(tb), sk = ts_bound_first(tb)) {
		/* A bucket's owners are all of its netns. */
		target = tcpstates_scope_find(&w->scope, ts_bind_bucket_net(tb));
		if (target < 0)
			continue;
		for (; sk; sk = ts_bound_next(sk)) {
			if (held == TS_ENTRIES_PER_BATCH) {
				w->batch_entries += held;
				w->undo_n = counted;
				*pos = tb;
				*next = sk;
				return false;
			}
			held++;
			if (tcpstates_sample_bound(&w->scope.targets[target], sk, &s) &&
			    (!w->filtering || ts_filter(w->cfg, sk, &s)))
				ts_tally(w, w->detail_states, target, sk, &s,
					 false, &counted);
		}
	}
	w->batch_entries += held;
	w->undo_n = counted;
	return true;
}

/*
 * Still an owner in this bucket after the lock was dropped? Unbinding
 * clears the socket's bucket pointer under this lock, and the bucket is
 * alive while it is on this chain.
 */
static bool ts_bound_linked(struct inet_bind_hashbucket *head,
			    const struct sock *sk,
			    struct ts_bind_bucket **tb)
{
	const struct ts_bind_bucket *want = ts_bind_bucket_of(sk);
	struct ts_bind_bucket *pos;

	inet_bind_bucket_for_each(pos, &head->chain) {
		if (pos == want) {
			*tb = pos;
			return true;
		}
	}
	return false;
}

/*
 * One bind bucket's owners, as inet_diag's bound-inactive dump and
 * inet_csk_bind_conflict() walk them, but never more than
 * TS_ENTRIES_PER_BATCH in one hold of its lock: a port's bucket holds
 * every connection accepted on it (and its timewait socks, before v6.1
 * and since v6.8),
 * and softirqs on other CPUs spin on that lock. Between holds we keep a
 * reference on the owner we stopped at and go on from it if it is still
 * there; otherwise the bucket is counted again.
 */
static void ts_count_bound_bucket(struct tcpstates_walk *w,
				  struct inet_bind_hashbucket *head)
{
	struct ts_bind_bucket *tb;
	struct sock *sk, *held = NULL;
	unsigned int tries = 0;

	w->undo_n = 0;
	spin_lock_bh(&head->lock);
	tb = ts_bind_first(head);
	sk = ts_bound_first(tb);
	while (!ts_count_bound_socks(w, &tb, &sk)) {
		/* Linked owners have a reference; if not, go on holding. */
		if (!refcount_inc_not_zero(&sk->sk_refcnt))
			continue;
		spin_unlock_bh(&head->lock);
		if (held)
			sock_gen_put(held);
		held = sk;
		cond_resched();
		spin_lock_bh(&head->lock);
		if (ts_bound_linked(head, held, &tb))
			continue;
		if (!ts_retry(w, ++tries))
			break;
		tb = ts_bind_first(head);
		sk = ts_bound_first(tb);
	}
	spin_unlock_bh(&head->lock);
	if (held)
		sock_gen_put(held);
}

/*
 * The first of the bind buckets [i, end) with a chain, or @end, as
 * ts_next_chain() finds ehash's: a racy peek, as inet_diag's, that skips
 * the lock of an empty bucket.
 */
static unsigned int ts_next_bound(const struct inet_bind_hashbucket *table,
				  unsigned int i, unsigned int end)
{
	while (i < end && hlist_empty(&table[i].chain))
		i++;
	return i;
}

static unsigned int ts_count_bound(struct tcpstates_walk *w,
				   unsigned int first, unsigned int end)
{
	struct inet_bind_hashbucket *table = ts_bind_table(w->hashinfo);
	unsigned int i;

	for (i = first; i < end && w->batch_entries < TS_ENTRIES_PER_BATCH; i++) {
		i = ts_next_bound(table, i, end);
		if (i == end)
			break;
		ts_count_bound_bucket(w, &table[i]);
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
			 const struct net *table_net, unsigned int size,
			 ts_batch_fn count_batch)
{
	unsigned int first, end;

	w->hashinfo = h;
	w->table_net = table_net;
	w->only_net = w->scope.nr_targets == 1 ? w->scope.targets[0].net : NULL;
	w->only_net_here = w->only_net && w->scope.targets[0].ehash == h;
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

/*
 * The port with most CLOSE_WAIT, for the hint. Unless top_ports prints
 * them, the counters are cleared on the way, or were never touched: the
 * next walk then need not clear 256 KiB.
 */
static void ts_find_close_wait_port(struct tcpstates_walk *w)
{
	u32 *ports = w->ports[TS_CLOSE_WAIT];
	struct tcpstates_result *res = &w->result;
	const u64 *close_wait = res->counts.state[TS_CLOSE_WAIT].sockets;
	bool keep = w->cfg->top_ports;
	unsigned int port;

	if (!ports)
		return;
	if (!keep)
		w->ports_clear |= BIT(TS_CLOSE_WAIT);
	if (!(close_wait[TS_IPV4] + close_wait[TS_IPV6]))
		return;
	for (port = 0; port < TS_NR_PORTS; port++) {
		if (ports[port] > res->close_wait_on_port) {
			res->close_wait_on_port = ports[port];
			res->close_wait_port = port;
		}
		if (!keep)
			ports[port] = 0;
	}
}

/*
 * One cleared per-port array, kept from a walk freed for the next walk
 * allocated (spare.h): to allocate and clear 256 KiB costs more than
 * walking a small host's tables.
 */
static void *ts_spare_ports;

static u32 *ts_ports_alloc(void)
{
	return ts_spare_take(&ts_spare_ports) ?:
	       kvcalloc(TS_NR_PORTS, sizeof(u32), GFP_KERNEL_ACCOUNT);
}

static void ts_ports_free(u32 *ports, bool cleared)
{
	if (cleared)
		ts_spare_keep(&ts_spare_ports, ports);
	else
		kvfree(ports);
}

/* Per-port counters: CLOSE_WAIT always, for its hint; all for top_ports. */
static int ts_ports_get(struct tcpstates_walk *w)
{
	int st;

	w->port_states = 0;
	for (st = 0; st < TS_NR_STATES; st++) {
		w->ports[st] = NULL;
		if (!w->cfg->top_ports && st != TS_CLOSE_WAIT)
			continue;
		if (!w->port_arrays[st]) {
			w->port_arrays[st] = ts_ports_alloc();
			if (!w->port_arrays[st])
				return -ENOMEM;
			w->ports_clear |= BIT(st);
		}
		w->ports[st] = w->port_arrays[st];
		w->port_states |= BIT(st);
		if (!(w->ports_clear & BIT(st)))
			memset(w->ports[st], 0, TS_NR_PORTS * sizeof(u32));
		/* Counted into from now on, until found clear again. */
		w->ports_clear &= ~BIT(st);
	}
	return 0;
}

/* The owners' table, if this read counts owners: cleared, or made. */
static int ts_owners_get(struct tcpstates_walk *w)
{
	w->by_owner = w->cfg->owners != TS_OWNERS_OFF;
	if (!w->by_owner) {
		if (w->owners)
			tcpstates_owners_reset(w->owners, TS_OWNERS_OFF);
		return 0;
	}
	if (!w->owners)
		w->owners = tcpstates_owners_alloc();
	if (!w->owners) {
		w->by_owner = false;
		return -ENOMEM;
	}
	tcpstates_owners_reset(w->owners, w->cfg->owners);
	return 0;
}

/* The destinations' table, if this read counts them: cleared, or made. */
static int ts_destinations_get(struct tcpstates_walk *w)
{
	w->by_destination = w->cfg->top_destinations;
	if (!w->by_destination)
		return 0;
	if (!w->dests)
		w->dests = tcpstates_destinations_alloc();
	if (!w->dests) {
		w->by_destination = false;
		return -ENOMEM;
	}
	tcpstates_destinations_reset(w->dests);
	return 0;
}

static void ts_walk_reset(struct tcpstates_walk *w)
{
	struct tcpstates_scope *sc = &w->scope;
	unsigned int i;
	int st;

	memset(&w->result, 0, sizeof(w->result));
	memset(w->kinds, 0, sizeof(w->kinds));
	for (st = 0; st < TS_NR_STATES; st++) {
		w->extremes[st].soonest = LONG_MAX;
		w->extremes[st].latest = LONG_MIN;
		w->extremes[st].max_retries = 0;
	}
	w->undo_n = 0;
	w->nr_fullest_max = max(w->cfg->top_listeners, 1U);
	w->filtering = tcpstates_filtering(w->cfg);
	w->flags = (w->cfg->timers ? TS_SAMPLE_TIMERS : 0) |
		   (w->cfg->ages ? TS_SAMPLE_AGES : 0);
	w->per_target = sc->nr_targets > 1;
	w->detail_states = w->per_target || w->by_owner || w->by_destination ?
			   TS_ALL_STATES : w->port_states;
	w->now = jiffies;
	for (i = 0; i < sc->nr_targets; i++)
		memset(sc->targets[i].sockets, 0, sizeof(sc->targets[i].sockets));
}

/* The counts as the report reads them, times in milliseconds. */
static void ts_walk_finish(struct tcpstates_walk *w)
{
	struct tcpstates_counts *c = &w->result.counts;
	struct tcpstates_scope *sc = &w->scope;
	unsigned int kind = 0, i;
	int st, family, inbound, timer;
	u64 n;

	for (st = 0; st < TS_NR_STATES; st++) {
		struct tcpstates_state_stats *out = &c->state[st];
		const struct ts_extremes *e = &w->extremes[st];

		for (family = 0; family < TS_NR_FAMILIES; family++) {
			for (inbound = 0; inbound < 2; inbound++) {
				for (timer = 0; timer <= TS_NR_TIMERS; timer++) {
					n = w->kinds[kind++];
					out->sockets[family] += n;
					if (inbound)
						out->inbound += n;
					if (timer == TS_TIMER_NONE)
						continue;
					out->timers[timer] += n;
					out->timed += n;
				}
			}
		}
		out->max_retries = e->max_retries;
		for (i = 0; i < TS_NR_AGE_BUCKETS; i++)
			w->result.ages[st].known += w->result.ages[st].sockets[i];
		if (out->timed) {
			out->soonest_ms = tcpstates_ms_left(e->soonest);
			out->latest_ms = tcpstates_ms_left(e->latest);
		}
		if (sc->nr_targets == 1)
			sc->targets[0].sockets[st] = out->sockets[TS_IPV4] +
						     out->sockets[TS_IPV6];
	}
	ts_find_close_wait_port(w);
	if (w->by_destination)
		w->result.nr_destinations =
			tcpstates_destinations_top(w->dests,
						   w->cfg->top_destinations,
						   w->result.destinations);
}

/* Count every socket of the scope's netns, as the config filters them. */
static int ts_walk_tables(struct tcpstates_walk *w)
{
	struct tcpstates_scope *sc = &w->scope;
	struct tcpstates_tables *t = &w->result.tables;
	struct inet_hashinfo *shared;
	unsigned int i;
	int err;

	ts_walk_reset(w);
	if (!sc->nr_targets)
		return 0;

	/* The listener and bind tables are shared by every netns. */
	shared = sc->targets[0].net->ipv4.tcp_death_row.hashinfo;
	t->lhash2_buckets = ts_listen_buckets(shared);
	t->bhash_buckets = shared->bhash_size;
	t->ehash_tables = sc->nr_ehash;
	t->ehash_pernet = sc->nr_ehash == 1 && ts_ehash_is_pernet(sc->ehash[0]);

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
		ts_walk_finish(w);
	return err;
}

/*
 * One walk kept from the last reader closed for the next (spare.h), as a
 * per-port array is: 22 KB not to clear. What comes before the counts is
 * cleared here; ts_walk_reset() clears the counts.
 */
static void *ts_spare_walk;

struct tcpstates_walk *tcpstates_walk_alloc(void)
{
	struct tcpstates_walk *w = ts_spare_take(&ts_spare_walk);

	if (!w)
		w = kvmalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (w)
		memset(w, 0, offsetof(struct tcpstates_walk, kinds));
	return w;
}

void tcpstates_walk_free(struct tcpstates_walk *w)
{
	int st;

	if (!w)
		return;
	tcpstates_scope_put(&w->scope);
	for (st = 0; st < TS_NR_STATES; st++)
		ts_ports_free(w->port_arrays[st], w->ports_clear & BIT(st));
	tcpstates_owners_free(w->owners);
	tcpstates_destinations_free(w->dests);
	ts_spare_keep(&ts_spare_walk, w);
}

/* Once no walk is left, on unload. */
void tcpstates_walk_exit(void)
{
	ts_spare_free(&ts_spare_ports);
	ts_spare_free(&ts_spare_walk);
}

/*
 * Count the sockets @cfg selects, in the netns a reader in @reader may see
 * (wider when @privileged). The walk keeps those netns until
 * tcpstates_walk_end() or the next walk.
 */
int tcpstates_walk(struct tcpstates_walk *w,
		   const struct tcpstates_config *cfg, struct net *reader,
		   bool privileged)
{
	int err;

	tcpstates_walk_end(w);
	w->cfg = cfg;
	err = tcpstates_scope_get(&w->scope, reader, privileged, cfg);
	if (!err)
		err = ts_ports_get(w);
	if (!err)
		err = ts_owners_get(w);
	if (!err)
		err = ts_destinations_get(w);
	if (!err)
		err = ts_walk_tables(w);
	/* Nothing is printed from a failed walk: let its cgroups go now. */
	if (err)
		tcpstates_walk_end(w);
	return err;
}

/* Let go of the netns and tables the last walk counted, and its cgroups. */
void tcpstates_walk_end(struct tcpstates_walk *w)
{
	tcpstates_scope_put(&w->scope);
	if (w->owners)
		tcpstates_owners_reset(w->owners, TS_OWNERS_OFF);
	w->by_owner = false;
}

const struct tcpstates_scope *tcpstates_walk_scope(const struct tcpstates_walk *w)
{
	return &w->scope;
}

const struct tcpstates_result *tcpstates_walk_result(const struct tcpstates_walk *w)
{
	return &w->result;
}

/* The last walk's sockets per local port in @state, if it kept them. */
const u32 *tcpstates_walk_ports(const struct tcpstates_walk *w,
				enum tcpstates_state state)
{
	return w->ports[state];
}

/* The last walk's owners, if it counted them; printing fills in names. */
struct tcpstates_owners *tcpstates_walk_owners(struct tcpstates_walk *w)
{
	return w->by_owner ? w->owners : NULL;
}
