// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcpstates: every read walks the tables once and prints a few
 * dozen lines. Like /proc/net/tcp, the view is the network namespace of the task
 * that opened the file.
 */

#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

#include "hints.h"
#include "report.h"
#include "timers.h"
#include "version.h"
#include "walk.h"

#define TS_PROC_NAME "tcpstates"

static const char *const ts_state_names[TS_NR_STATES] = {
	[TS_CLOSED]		= "CLOSED",
	[TS_LISTEN]		= "LISTEN",
	[TS_SYN_SENT]		= "SYN_SENT",
	[TS_SYN_RECV]		= "SYN_RECV",
	[TS_ESTABLISHED]	= "ESTABLISHED",
	[TS_FIN_WAIT1]		= "FIN_WAIT1",
	[TS_FIN_WAIT2]		= "FIN_WAIT2",
	[TS_CLOSE_WAIT]		= "CLOSE_WAIT",
	[TS_CLOSING]		= "CLOSING",
	[TS_LAST_ACK]		= "LAST_ACK",
	[TS_TIME_WAIT]		= "TIME_WAIT",
};

const char *tcpstates_state_name(enum tcpstates_state state)
{
	return ts_state_names[state];
}

struct ts_reader {
	struct net *net;
	struct tcpstates_walk walk;
};

/* Enough for every section in one go, so seq_file never walks twice. */
#define TS_REPORT_BUFSIZE	(16 * 1024)

static const char *const ts_timer_names[TS_NR_TIMERS] = {
	[TS_TIMER_RETRANS]	= "retrans",
	[TS_TIMER_PROBE0]	= "probe0",
	[TS_TIMER_KEEPALIVE]	= "keepalive",
	[TS_TIMER_TIMEWAIT]	= "timewait",
	[TS_TIMER_SYNACK]	= "synack",
};

static void ts_show_header(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_tables *t = &r->walk.result.tables;
	int i;

	seq_printf(m, "# tcpstates %s netns %u scope self\n",
		   TCPSTATES_VERSION, r->net->ns.inum);
	seq_printf(m, "# tables ehash %u %s lhash2 %u bhash %u restarts %u\n",
		   t->ehash_buckets, t->ehash_pernet ? "own" : "shared",
		   t->lhash2_buckets, t->bhash_buckets, t->restarts);
	seq_printf(m, "%-12s%10s%10s%10s", "# state", "total", "ipv4", "ipv6");
	for (i = 0; i < TS_NR_TIMERS; i++)
		seq_printf(m, "%10s", ts_timer_names[i]);
	seq_printf(m, "%11s%11s%8s\n", "soonest_ms", "latest_ms", "retries");
}

static void ts_show_ms(struct seq_file *m, u64 timed, u32 ms)
{
	if (timed)
		seq_printf(m, "%11u", ms);
	else
		seq_printf(m, "%11s", "-");
}

static void ts_show_states(struct seq_file *m, const struct tcpstates_counts *c)
{
	int st, i;

	for (st = 0; st < TS_NR_STATES; st++) {
		const struct tcpstates_state_stats *s = &c->state[st];
		u64 v4 = s->sockets[TS_IPV4];
		u64 v6 = s->sockets[TS_IPV6];

		seq_printf(m, "%-12s%10llu%10llu%10llu",
			   tcpstates_state_name(st), v4 + v6, v4, v6);
		for (i = 0; i < TS_NR_TIMERS; i++)
			seq_printf(m, "%10llu", s->timers[i]);
		ts_show_ms(m, s->timed, s->soonest_ms);
		ts_show_ms(m, s->timed, s->latest_ms);
		seq_printf(m, "%8u\n", s->max_retries);
	}
}

static int ts_show(struct seq_file *m, void *v)
{
	struct ts_reader *r = m->private;
	struct tcpstates_limits lim;
	int err;

	err = tcpstates_walk(&r->walk, r->net);
	if (err)
		return err;
	tcpstates_read_limits(r->net, &lim);

	ts_show_header(m, r);
	ts_show_states(m, &r->walk.result.counts);
	tcpstates_show_timers(m, r->net, &lim);
	tcpstates_show_hints(m, &r->walk.result, &lim);
	return 0;
}

static void ts_reader_free(struct ts_reader *r)
{
	put_net(r->net);
	kvfree(r->walk.close_wait);
	kfree(r);
}

static int ts_open(struct inode *inode, struct file *file)
{
	struct ts_reader *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->net = get_net(current->nsproxy->net_ns);
	r->walk.timers = true;
	r->walk.close_wait = kvcalloc(TS_NR_PORTS, sizeof(*r->walk.close_wait),
				      GFP_KERNEL_ACCOUNT);
	if (!r->walk.close_wait) {
		ts_reader_free(r);
		return -ENOMEM;
	}

	err = single_open_size(file, ts_show, r, TS_REPORT_BUFSIZE);
	if (err)
		ts_reader_free(r);
	return err;
}

static int ts_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	ts_reader_free(m->private);
	return single_release(inode, file);
}

static const struct proc_ops ts_proc_ops = {
	.proc_open	= ts_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= ts_release,
};

int tcpstates_proc_init(void)
{
	if (!proc_create(TS_PROC_NAME, 0444, NULL, &ts_proc_ops))
		return -ENOMEM;
	return 0;
}

/* Waits for readers inside ->read, then releases every open file. */
void tcpstates_proc_exit(void)
{
	remove_proc_entry(TS_PROC_NAME, NULL);
}
