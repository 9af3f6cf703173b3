// SPDX-License-Identifier: GPL-2.0
/*
 * The per-socket listing, /proc/tcpstates' answer to `ss -o`: listeners,
 * then the established table, in table order, as /proc/net/tcp{,6} lists
 * them. A cursor (table, bucket, offset) carries the listing from one
 * read() to the next, so a long listing is never walked again from the
 * start, and no buffer grows with it. A socket is printed only while we
 * hold a reference on it.
 */

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "listing.h"
#include "walk.h"

/*
 * The table under the cursor, or NULL past the last one. The scope goes
 * away when a listing ends, and with it every table: never index one that
 * is not there.
 */
static struct inet_hashinfo *ts_cursor_table(const struct tcpstates_cursor *c)
{
	const struct tcpstates_scope *sc = &c->walk->scope;

	if (!sc->nr_ehash || c->table > sc->nr_ehash)
		return NULL;
	/* lhash2 is shared: any table's pointer to it will do. */
	return sc->ehash[c->table ? c->table - 1 : 0];
}

static unsigned int ts_table_size(const struct tcpstates_cursor *c,
				  const struct inet_hashinfo *h)
{
	return c->table ? h->ehash_mask + 1 : h->lhash2_mask + 1;
}

static struct hlist_nulls_head *ts_cursor_chain(const struct tcpstates_cursor *c,
						struct inet_hashinfo *h)
{
	if (!c->table)
		return &h->lhash2[c->bucket].nulls_head;
	return &h->ehash[c->bucket].chain;
}

/*
 * With the reference held, make sure the entry was not reused between our
 * look and our grab: still hashed, still in a netns we count, and (for
 * ehash, where the bucket follows from sk_hash) still in this bucket.
 */
static bool ts_still_ours(const struct tcpstates_cursor *c,
			  const struct inet_hashinfo *h, struct sock *sk)
{
	const struct tcpstates_scope *sc = &c->walk->scope;
	int target;

	if (hlist_nulls_unhashed_lockless(&sk->sk_nulls_node))
		return false;
	target = tcpstates_scope_find(sc, sock_net(sk));
	if (target < 0)
		return false;
	if (!c->table)
		return READ_ONCE(sk->sk_state) == TCP_LISTEN;
	return sc->targets[target].ehash == h &&
	       (READ_ONCE(sk->sk_hash) & h->ehash_mask) == c->bucket;
}

/*
 * Grab the first socket of ours at index @from or later in this bucket.
 * A walk that ended on another chain's nulls value was diverted by a
 * reused entry; if it found nothing, the bucket is walked again.
 */
static struct sock *ts_bucket_get(struct tcpstates_cursor *c,
				  struct inet_hashinfo *h, unsigned int from)
{
	unsigned long nulls = c->table ? c->bucket :
					 c->bucket + LISTENING_NULLS_BASE;
	bool listeners = !c->table;
	const struct hlist_nulls_node *node;
	struct tcpstates_sample s;
	unsigned int index, tries;
	struct sock *sk;

	for (tries = 0; tries < TS_MAX_RESTARTS; tries++) {
		index = 0;
		rcu_read_lock();
		sk_nulls_for_each_rcu(sk, node, ts_cursor_chain(c, h)) {
			if (!tcpstates_sample(c->walk, sk, listeners, false, 0, &s))
				continue;
			if (index++ < from)
				continue;
			if (!refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			/* Request socks: see ts_sample_request_timer(). */
			smp_rmb();
			if (ts_still_ours(c, h, sk)) {
				rcu_read_unlock();
				c->offset = index - 1;
				return sk;
			}
			sock_gen_put(sk);
		}
		rcu_read_unlock();
		if (get_nulls_value(node) == nulls)
			break;
	}
	return NULL;
}

/* From index @from of the current bucket onwards, across both tables. */
static struct sock *ts_cursor_find(struct tcpstates_cursor *c,
				   unsigned int from)
{
	unsigned int scanned = 0;
	struct inet_hashinfo *h;
	struct sock *sk;

	for (; (h = ts_cursor_table(c)); c->table++, c->bucket = 0) {
		for (; c->bucket < ts_table_size(c, h); c->bucket++, from = 0) {
			if (!hlist_nulls_empty(ts_cursor_chain(c, h))) {
				sk = ts_bucket_get(c, h, from);
				if (sk)
					return sk;
			}
			if (++scanned % TS_BUCKETS_PER_BATCH)
				continue;
			cond_resched();
			if (fatal_signal_pending(current))
				return NULL;
		}
	}
	return NULL;
}

struct sock *tcpstates_cursor_first(struct tcpstates_cursor *c,
				    const struct tcpstates_walk *walk)
{
	c->walk = walk;
	if (!walk->scope.nr_ehash)
		return NULL;
	c->table = 0;
	c->bucket = 0;
	c->offset = 0;
	return ts_cursor_find(c, 0);
}

struct sock *tcpstates_cursor_next(struct tcpstates_cursor *c)
{
	return ts_cursor_find(c, c->offset + 1);
}

/* The socket under the cursor again, for the next read(). */
struct sock *tcpstates_cursor_again(struct tcpstates_cursor *c)
{
	return ts_cursor_find(c, c->offset);
}

void tcpstates_cursor_put(struct sock *sk)
{
	sock_gen_put(sk);
}

static void ts_show_addrs(struct seq_file *m, const struct sock *sk,
			  const struct tcpstates_sample *s)
{
	u16 rport = ntohs(READ_ONCE(sk->sk_dport));

#if IS_ENABLED(CONFIG_IPV6)
	if (s->family == TS_IPV6) {
		seq_printf(m, " [%pI6c]:%u [%pI6c]:%u", &sk->sk_v6_rcv_saddr,
			   s->lport, &sk->sk_v6_daddr, rport);
		return;
	}
#endif
	seq_printf(m, " %pI4:%u %pI4:%u", &sk->sk_rcv_saddr, s->lport,
		   &sk->sk_daddr, rport);
}

/* One line: local, remote, state, timer, ms left, retries. */
void tcpstates_show_socket(struct seq_file *m, struct sock *sk,
			   const struct tcpstates_walk *walk)
{
	bool listener = READ_ONCE(sk->sk_state) == TCP_LISTEN;
	struct tcpstates_sample s;

	if (!tcpstates_sample(walk, sk, listener, true, jiffies, &s))
		return;

	seq_puts(m, "socket");
	ts_show_addrs(m, sk, &s);
	seq_printf(m, " %s", tcpstates_state_name(s.state));
	if (s.timer == TS_TIMER_NONE)
		seq_printf(m, " - - %u\n", s.retries);
	else
		seq_printf(m, " %s %u %u\n", tcpstates_timer_name(s.timer),
			   s.expires_ms, s.retries);
}
