// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcpstates: every read walks the tables once and prints a dozen
 * lines. Like /proc/net/tcp, the view is the network namespace of the task
 * that opened the file.
 */

#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "report.h"
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

static void ts_show_header(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_tables *t = &r->walk.result.tables;

	seq_printf(m, "# tcpstates %s netns %u scope self\n",
		   TCPSTATES_VERSION, r->net->ns.inum);
	seq_printf(m, "# tables ehash %u %s lhash2 %u bhash %u restarts %u\n",
		   t->ehash_buckets, t->ehash_pernet ? "own" : "shared",
		   t->lhash2_buckets, t->bhash_buckets, t->restarts);
	seq_printf(m, "%-12s%11s%11s%11s\n", "# state", "total", "ipv4", "ipv6");
}

static void ts_show_states(struct seq_file *m, const struct tcpstates_counts *c)
{
	int st;

	for (st = 0; st < TS_NR_STATES; st++) {
		u64 v4 = c->sockets[st][TS_IPV4];
		u64 v6 = c->sockets[st][TS_IPV6];

		seq_printf(m, "%-12s%11llu%11llu%11llu\n",
			   tcpstates_state_name(st), v4 + v6, v4, v6);
	}
}

static int ts_show(struct seq_file *m, void *v)
{
	struct ts_reader *r = m->private;
	int err;

	err = tcpstates_walk(&r->walk, r->net);
	if (err)
		return err;

	ts_show_header(m, r);
	ts_show_states(m, &r->walk.result.counts);
	return 0;
}

static int ts_open(struct inode *inode, struct file *file)
{
	struct ts_reader *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->net = get_net(current->nsproxy->net_ns);

	err = single_open(file, ts_show, r);
	if (err) {
		put_net(r->net);
		kfree(r);
	}
	return err;
}

static int ts_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct ts_reader *r = m->private;

	put_net(r->net);
	kfree(r);
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
