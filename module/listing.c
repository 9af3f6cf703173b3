// SPDX-License-Identifier: GPL-2.0
/*
 * The per-socket listing, /proc/tcpstates' answer to `ss -o`: listeners,
 * then the established tables, in table order, as /proc/net/tcp{,6} lists
 * them. As bpf_iter_tcp does, a bucket's matching sockets are taken in one
 * pass, each with a reference, into a bounded batch that the records are
 * served from; a longer bucket is taken in several batches, each going on
 * after the last socket served. Between reads the batch keeps only its
 * sockets' cookies, and the next read finds its place by them, not by
 * position. No buffer grows with the listing, and a socket is printed
 * only while we hold a reference on it.
 */

#include <linux/err.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/sock_diag.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "filter.h"
#include "listing.h"
#include "sample.h"
#include "scope.h"

/*
 * The table under the cursor, or NULL past the last one. The scope goes
 * away when a listing ends, and with it every table: never index one that
 * is not there.
 */
static struct inet_hashinfo *ts_cursor_table(const struct tcpstates_cursor *c)
{
	const struct tcpstates_scope *sc = c->scope;

	if (!sc->nr_ehash || c->table > sc->nr_ehash)
		return NULL;
	/* The listeners' table is shared: any table's pointer to it will do. */
	return sc->ehash[c->table ? c->table - 1 : 0];
}

static unsigned int ts_table_size(const struct tcpstates_cursor *c,
				  const struct inet_hashinfo *h)
{
	return c->table ? h->ehash_mask + 1 : ts_listen_buckets(h);
}

static struct hlist_nulls_head *ts_cursor_chain(const struct tcpstates_cursor *c,
						struct inet_hashinfo *h)
{
	if (!c->table)
		return ts_listen_chain(h, c->bucket);
	return &h->ehash[c->bucket].chain;
}

static unsigned long ts_cursor_nulls(const struct tcpstates_cursor *c)
{
	return c->table ? c->bucket : ts_listen_nulls(c->bucket);
}

/*
 * With the reference held, make sure the entry was not reused between our
 * look and our grab: still hashed, still in a netns we count, and still
 * in this bucket, which for ehash follows from sk_hash and for the
 * listeners' table from the listener's port (and address, in lhash2).
 */
static bool ts_still_ours(const struct tcpstates_cursor *c,
			  struct inet_hashinfo *h, struct sock *sk)
{
	const struct tcpstates_scope *sc = c->scope;
	int target;

	if (hlist_nulls_unhashed_lockless(&sk->sk_nulls_node))
		return false;
	target = tcpstates_scope_find(sc, sock_net(sk));
	if (target < 0)
		return false;
	if (!c->table)
		return READ_ONCE(sk->sk_state) == TCP_LISTEN &&
		       ts_listen_bucket_of(h, sk) == c->bucket;
	return sc->targets[target].ehash == h &&
	       (READ_ONCE(sk->sk_hash) & h->ehash_mask) == c->bucket;
}

/* Has a reused entry carried the walk of an ehash chain into another table? */
static bool ts_diverted(const struct tcpstates_cursor *c,
			const struct inet_hashinfo *h, const struct sock *sk)
{
	const struct tcpstates_scope *sc = c->scope;
	const struct net *net;

	if (!c->table)
		return false;
	net = tcpstates_entry_net(sk);
	return tcpstates_scope_diverted(sc, h, sc->ehash_owner[c->table - 1],
					net, tcpstates_scope_find(sc, net));
}

/* An entry the walk counts: in a netns of the scope, and let through. */
static bool ts_listed(const struct tcpstates_scope *sc,
		      const struct tcpstates_config *cfg, struct sock *sk,
		      unsigned int flags, unsigned long now,
		      struct tcpstates_sample *s)
{
	int target = tcpstates_scope_find(sc, tcpstates_entry_net(sk));

	return target >= 0 &&
	       tcpstates_sample(&sc->targets[target], sk, flags, now, s) &&
	       tcpstates_filter_match(cfg, sk, s->state, s->family, s->lport);
}

/* Where the previous batch of this bucket had the socket of @cookie, or -1. */
static int ts_cookie_index(const struct tcpstates_cursor *c, u64 cookie)
{
	unsigned int i;

	if (!cookie)
		return -1;
	for (i = 0; i < c->end; i++)
		if (c->cookie[i] == cookie)
			return i;
	return -1;
}

static void ts_put(struct sock **sk, unsigned int n)
{
	while (n)
		sock_gen_put(sk[--n]);
}

/*
 * Take this bucket's matching sockets into the batch, in one pass under
 * RCU, each with a reference; *@more says whether some did not fit. With
 * @resume, go on from the previous batch of this bucket: after the last of
 * its served sockets still in the chain, else from the first of its
 * unserved ones still there. A connection keeps its cookie from request
 * sock to full socket to timewait sock, so it is not served twice on its
 * way through the chain. Only scalars of an unreferenced entry are read,
 * each once.
 *
 * Returns how many were taken: none when the bucket has nothing (more) for
 * us, or when every socket of the previous batch is gone and we cannot
 * tell where we were; the listing then moves on to the next bucket.
 */
static unsigned int ts_bucket_take(struct tcpstates_cursor *c,
				   struct inet_hashinfo *h, bool resume,
				   bool *more)
{
	unsigned int flags = c->table ? 0 : TS_SAMPLE_LISTENER;
	bool taking, diverted;
	const struct hlist_nulls_node *node;
	struct tcpstates_sample s;
	unsigned int n, tries;
	struct sock *sk;
	int k;

	for (tries = 1; ; tries++) {
		n = 0;
		*more = false;
		taking = !resume;
		diverted = false;
		rcu_read_lock();
		sk_nulls_for_each_rcu(sk, node, ts_cursor_chain(c, h)) {
			if (ts_diverted(c, h, sk)) {
				diverted = true;
				break;
			}
			if (resume) {
				k = ts_cookie_index(c, atomic64_read(&sk->sk_cookie));
				if (k >= 0 && (unsigned int)k < c->cur) {
					/* Served: only what follows is left. */
					ts_put(c->sk, n);
					n = 0;
					*more = false;
					taking = true;
					continue;
				}
				if (k >= 0)
					taking = true;
			}
			if (!taking || !ts_listed(c->scope, c->cfg, sk, flags, 0, &s))
				continue;
			if (n == TS_LIST_BATCH) {
				*more = true;
				continue;
			}
			if (!refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			/* Request socks: see ts_sample_request_timer() in sample.c. */
			smp_rmb();
			if (ts_still_ours(c, h, sk))
				c->sk[n++] = sk;
			else
				sock_gen_put(sk);
		}
		rcu_read_unlock();
		/* After the last try, keep what we hold: each one is ours. */
		if ((!diverted && get_nulls_value(node) == ts_cursor_nulls(c)) ||
		    tries == TS_MAX_RESTARTS)
			return n;
		ts_put(c->sk, n);
	}
}

/*
 * Serve the @n sockets just taken. Their cookies are what a later read
 * finds its place by; sock_diag and SO_COOKIE give a socket the same
 * cookie, made once.
 */
static void ts_batch_start(struct tcpstates_cursor *c, unsigned int n,
			   bool more)
{
	__u32 cookie[2];
	unsigned int i;

	for (i = 0; i < n; i++) {
		sock_diag_save_cookie(c->sk[i], cookie);
		c->cookie[i] = (u64)cookie[1] << 32 | cookie[0];
	}
	c->cur = 0;
	c->end = n;
	c->held = true;
	c->more = more;
}

static void ts_next_bucket(struct tcpstates_cursor *c)
{
	c->bucket++;
	c->cur = 0;
	c->end = 0;
	c->held = false;
	c->more = false;
}

/* A listing from the start, over the tables of @sc, as @cfg filters them. */
void tcpstates_cursor_init(struct tcpstates_cursor *c,
			   const struct tcpstates_scope *sc,
			   const struct tcpstates_config *cfg)
{
	tcpstates_cursor_release(c);
	c->scope = sc;
	c->cfg = cfg;
	c->table = 0;
	c->bucket = 0;
	c->cur = 0;
	c->end = 0;
	c->more = false;
}

/*
 * The socket under the cursor, held by the batch; NULL at the end of the
 * listing, ERR_PTR(-EINTR) on a fatal signal, with the cursor kept where
 * it was so that another reader of the file may go on from there.
 */
struct sock *tcpstates_cursor_get(struct tcpstates_cursor *c)
{
	unsigned int scanned = 0, n;
	struct inet_hashinfo *h;
	bool more;

	if (c->held && c->cur < c->end)
		return c->sk[c->cur];
	/* A batch served to its bucket's end: on to the next bucket. */
	if (c->end && c->cur == c->end && !c->more)
		ts_next_bucket(c);

	for (; (h = ts_cursor_table(c)); c->table++, c->bucket = 0) {
		while (c->bucket < ts_table_size(c, h)) {
			if (!hlist_nulls_empty(ts_cursor_chain(c, h))) {
				n = ts_bucket_take(c, h, c->end, &more);
				if (n) {
					ts_batch_start(c, n, more);
					return c->sk[0];
				}
			}
			ts_next_bucket(c);
			if (++scanned % TS_BUCKETS_PER_BATCH)
				continue;
			cond_resched();
			if (fatal_signal_pending(current))
				return ERR_PTR(-EINTR);
		}
	}
	return NULL;
}

/* Done with the socket under the cursor: the next one is under it now. */
void tcpstates_cursor_advance(struct tcpstates_cursor *c)
{
	if (c->held && c->cur < c->end)
		sock_gen_put(c->sk[c->cur++]);
}

/*
 * Between reads: drop the references, keep the cookies. The next
 * tcpstates_cursor_get() finds the place again.
 */
void tcpstates_cursor_release(struct tcpstates_cursor *c)
{
	if (!c->held)
		return;
	ts_put(c->sk + c->cur, c->end - c->cur);
	c->held = false;
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
			   const struct tcpstates_scope *sc,
			   const struct tcpstates_config *cfg)
{
	unsigned int flags = TS_SAMPLE_TIMERS;
	struct tcpstates_sample s;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		flags |= TS_SAMPLE_LISTENER;
	if (!ts_listed(sc, cfg, sk, flags, jiffies, &s))
		return;

	seq_puts(m, "socket");
	ts_show_addrs(m, sk, &s);
	seq_printf(m, " %s", tcpstates_state_name(s.state));
	if (s.timer == TS_TIMER_NONE)
		seq_printf(m, " - - %u\n", s.retries);
	else
		seq_printf(m, " %s %u %u\n", tcpstates_timer_name(s.timer),
			   tcpstates_ms_left(s.expires), s.retries);
}
