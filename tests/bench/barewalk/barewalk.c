// SPDX-License-Identifier: GPL-2.0
/*
 * barewalk: the physical floor of tcpstates' approach, for the benchmark.
 *
 * /proc/tcpstates_bare walks the reader's netns's TCP tables the way
 * tcpstates does (lhash2 and ehash under RCU in batches of buckets, with
 * cond_resched() between batches and the nulls check with a re-walk of a
 * chain that ended elsewhere; the bind table under its bucket locks for
 * bound-only sockets) and only counts sockets per state. No filters, no
 * timers, no ports, no per-netns detail, no journal.
 *
 * Parameters: batch (buckets per RCU read-side section, default 256),
 * entries (a section also ends once it visited this many entries, as in
 * tcpstates; default 1024, 0 for no limit) and bind (walk the bind table
 * for CLOSED, default Y). Each read also prints how long its longest RCU
 * read-side section took, and how many bind-bucket lock holds it made, the
 * most owners it walked in one and the longest one (ktime). Each bucket is
 * held whole, as tcpstates did before it bounded its holds: the "before"
 * figure of make bench's hold phase, which traces bare_bind() (noinline
 * for that) and its lock calls.
 */

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#ifdef BARE_HAVE_SK_BIND2_NODE
#define bare_for_each_owner(sk, list) sk_for_each_bound_bhash2(sk, list)
#else
#define bare_for_each_owner(sk, list) sk_for_each_bound(sk, list)
#endif

static unsigned int batch = 256;
module_param(batch, uint, 0644);
MODULE_PARM_DESC(batch, "buckets per RCU read-side section");
static unsigned int entries = 1024;
module_param(entries, uint, 0644);
MODULE_PARM_DESC(entries, "entries after which a section ends early (0: no limit)");
static bool bind = true;
module_param(bind, bool, 0644);
MODULE_PARM_DESC(bind, "walk the bind table for bound-only (CLOSED) sockets");

#define NSTATES (TCP_NEW_SYN_RECV + 1)

struct bare {
	struct net *net;
	unsigned int batch, entries;
	u64 seen;		/* entries visited in the current section */
	u64 counts[NSTATES];
	u64 restarts, batches, max_batch_ns;
	u64 bind_holds, bind_max_owners, bind_max_hold_ns;
	u64 hist[32];		/* sections by log2 of their microseconds */
};

static void bare_chain(struct bare *b, struct hlist_nulls_head *head,
		       unsigned long nulls)
{
	const struct hlist_nulls_node *node;
	u64 c[NSTATES];
	struct sock *sk;
	int tries = 0, st;

again:
	memset(c, 0, sizeof(c));
	sk_nulls_for_each_rcu(sk, node, head) {
		b->seen++;
		st = READ_ONCE(sk->sk_state);
		if (!net_eq(sock_net(sk), b->net))
			continue;
		if (st == TCP_TIME_WAIT)
			st = READ_ONCE(inet_twsk(sk)->tw_substate);
		if (st >= 0 && st < NSTATES)
			c[st]++;
	}
	if (get_nulls_value(node) != nulls && ++tries < 8) {
		b->restarts++;
		goto again;
	}
	for (st = 0; st < NSTATES; st++)
		b->counts[st] += c[st];
}

static unsigned int bare_rcu_batch(struct bare *b, struct inet_hashinfo *h,
				   bool listen, unsigned int first,
				   unsigned int end)
{
	u64 t0 = ktime_get_ns(), dt;
	unsigned int i;

	b->seen = 0;
	rcu_read_lock();
	for (i = first; i < end && (!b->entries || b->seen < b->entries); i++) {
		struct hlist_nulls_head *head = listen ? &h->lhash2[i].nulls_head
						       : &h->ehash[i].chain;

		if (!hlist_nulls_empty(head))
			bare_chain(b, head, listen ? i + LISTENING_NULLS_BASE : i);
	}
	rcu_read_unlock();
	dt = ktime_get_ns() - t0;
	b->batches++;
	b->hist[min_t(unsigned int, ilog2(dt / 1000 + 1), 31)]++;
	if (dt > b->max_batch_ns)
		b->max_batch_ns = dt;
	return i;
}

static void bare_rcu_table(struct bare *b, struct inet_hashinfo *h, bool listen,
			   unsigned int size)
{
	unsigned int first, end;

	for (first = 0; first < size; first = end) {
		end = first + min(size - first, b->batch);
		end = bare_rcu_batch(b, h, listen, first, end);
		cond_resched();
	}
}

static noinline void bare_bind(struct bare *b, struct inet_hashinfo *h)
{
	struct inet_bind2_bucket *tb2;
	struct sock *sk;
	unsigned int i;
	u64 t0, dt, owners;

	for (i = 0; i < h->bhash_size; i++) {
		struct inet_bind_hashbucket *head = &h->bhash2[i];

		if (hlist_empty(&head->chain))
			continue;
		owners = 0;
		spin_lock_bh(&head->lock);
		t0 = ktime_get_ns();
		inet_bind_bucket_for_each(tb2, &head->chain) {
			if (!net_eq(ib2_net(tb2), b->net))
				continue;
			bare_for_each_owner(sk, &tb2->owners) {
				owners++;
				if (READ_ONCE(sk->sk_state) == TCP_CLOSE &&
				    inet_sk(sk)->inet_num)
					b->counts[TCP_CLOSE]++;
			}
		}
		dt = ktime_get_ns() - t0;
		spin_unlock_bh(&head->lock);
		b->bind_holds++;
		b->bind_max_owners = max(b->bind_max_owners, owners);
		b->bind_max_hold_ns = max(b->bind_max_hold_ns, dt);
		if (!(i % 256))
			cond_resched();
	}
}

static const char *const names[NSTATES] = {
	[TCP_ESTABLISHED] = "ESTABLISHED", [TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV", [TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2", [TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSED", [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK", [TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING", [TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static int bare_show(struct seq_file *m, void *v)
{
	struct net *net = current->nsproxy->net_ns;
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct bare *b;
	u64 t0 = ktime_get_ns(), seen = 0;
	int st, p99;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->net = net;
	b->batch = clamp(READ_ONCE(batch), 1U, 1U << 24);
	b->entries = READ_ONCE(entries);
	bare_rcu_table(b, h, true, h->lhash2_mask + 1);
	bare_rcu_table(b, h, false, h->ehash_mask + 1);
	if (READ_ONCE(bind))
		bare_bind(b, h);
	/* As /proc/net/tcp: request socks are SYN_RECV. */
	b->counts[TCP_SYN_RECV] += b->counts[TCP_NEW_SYN_RECV];
	for (st = 1; st < TCP_NEW_SYN_RECV; st++)
		seq_printf(m, "%-12s %llu\n", names[st], b->counts[st]);
	/* The smallest power of two (us) that 99% of the sections stay under. */
	for (p99 = 0; p99 < 31; p99++) {
		seen += b->hist[p99];
		if (seen * 100 >= b->batches * 99)
			break;
	}
	seq_printf(m, "# ehash %u batch %u batches %llu max_batch_ns %llu restarts %llu walk_ns %llu p99_us %llu entries %u bind_holds %llu bind_max_owners %llu bind_max_hold_ns %llu\n",
		   h->ehash_mask + 1, b->batch, b->batches, b->max_batch_ns,
		   b->restarts, ktime_get_ns() - t0, 1ULL << (p99 + 1),
		   b->entries, b->bind_holds, b->bind_max_owners,
		   b->bind_max_hold_ns);
	kfree(b);
	return 0;
}

static int __init bare_init(void)
{
	if (!proc_create_single("tcpstates_bare", 0444, NULL, bare_show))
		return -ENOMEM;
	return 0;
}

static void __exit bare_exit(void)
{
	remove_proc_entry("tcpstates_bare", NULL);
}

module_init(bare_init);
module_exit(bare_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tcpstates benchmark: the bare counting walk");
