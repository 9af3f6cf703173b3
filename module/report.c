// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcpstates. The first record is the summary: one walk of the
 * tables, then the states table, the timers section and any hints. When
 * the list_sockets knob is set, one record per socket follows. Like
 * /proc/net/tcp, the view is the network namespace of the task that
 * opened the file.
 */

#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

#include "hints.h"
#include "knobs.h"
#include "listing.h"
#include "report.h"
#include "timers.h"
#include "version.h"
#include "walk.h"

#define TS_PROC_NAME "tcpstates"

/* Room for the whole summary, so seq_file never has to walk twice. */
#define TS_REPORT_BUFSIZE	(16 * 1024)

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

static const char *const ts_timer_names[TS_NR_TIMERS] = {
	[TS_TIMER_RETRANS]	= "retrans",
	[TS_TIMER_PROBE0]	= "probe0",
	[TS_TIMER_KEEPALIVE]	= "keepalive",
	[TS_TIMER_TIMEWAIT]	= "timewait",
	[TS_TIMER_SYNACK]	= "synack",
};

const char *tcpstates_state_name(enum tcpstates_state state)
{
	return ts_state_names[state];
}

const char *tcpstates_timer_name(enum tcpstates_timer timer)
{
	return ts_timer_names[timer];
}

struct ts_reader {
	struct net *net;
	struct tcpstates_config cfg;	/* taken at the summary */
	struct tcpstates_walk walk;
	struct tcpstates_cursor cursor;
	loff_t cursor_pos;		/* record number under the cursor */
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

/* Timer columns without timers read are unknown, not zero. */
static void ts_show_u64(struct seq_file *m, int width, bool known, u64 val)
{
	if (known)
		seq_printf(m, "%*llu", width, val);
	else
		seq_printf(m, "%*s", width, "-");
}

static void ts_show_states(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_counts *c = &r->walk.result.counts;
	bool timers = r->cfg.timers;
	int st, i;

	for (st = 0; st < TS_NR_STATES; st++) {
		const struct tcpstates_state_stats *s = &c->state[st];
		u64 v4 = s->sockets[TS_IPV4];
		u64 v6 = s->sockets[TS_IPV6];

		seq_printf(m, "%-12s%10llu%10llu%10llu",
			   tcpstates_state_name(st), v4 + v6, v4, v6);
		for (i = 0; i < TS_NR_TIMERS; i++)
			ts_show_u64(m, 10, timers, s->timers[i]);
		ts_show_u64(m, 11, s->timed, s->soonest_ms);
		ts_show_u64(m, 11, s->timed, s->latest_ms);
		ts_show_u64(m, 8, timers, s->max_retries);
		seq_putc(m, '\n');
	}
}

static int ts_show_summary(struct seq_file *m, struct ts_reader *r)
{
	struct tcpstates_limits lim;
	int err;

	r->walk.timers = r->cfg.timers;
	err = tcpstates_walk(&r->walk, r->net);
	if (err)
		return err;
	tcpstates_read_limits(r->net, &lim);

	ts_show_header(m, r);
	ts_show_states(m, r);
	tcpstates_show_timers(m, r->net, &lim);
	tcpstates_show_hints(m, &r->walk.result, &lim);
	if (r->cfg.list_sockets)
		seq_printf(m, "# sockets, at most %u: local remote state timer ms_left retries\n",
			   r->cfg.list_sockets);
	return 0;
}

/*
 * Record 0 is the summary; record n > 0 is the n-th socket, held with a
 * reference from ->start or ->next until ->next or ->stop.
 */
static void *ts_start(struct seq_file *m, loff_t *pos)
{
	struct ts_reader *r = m->private;
	struct sock *sk;
	loff_t n;

	if (!*pos) {
		tcpstates_config_get(&r->cfg);
		return SEQ_START_TOKEN;
	}
	if (*pos > r->cfg.list_sockets)
		return NULL;
	if (*pos == r->cursor_pos)
		return tcpstates_cursor_again(&r->cursor);

	/* A seek: count our way there from the first socket. */
	sk = tcpstates_cursor_first(&r->cursor, r->net);
	for (n = 1; sk && n < *pos; n++) {
		tcpstates_cursor_put(sk);
		sk = tcpstates_cursor_next(&r->cursor);
	}
	r->cursor_pos = sk ? *pos : 0;
	return sk;
}

static void *ts_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct ts_reader *r = m->private;
	struct sock *sk;

	++*pos;
	if (*pos > r->cfg.list_sockets) {
		if (v != SEQ_START_TOKEN)
			tcpstates_cursor_put(v);
		return NULL;
	}
	if (v == SEQ_START_TOKEN) {
		sk = tcpstates_cursor_first(&r->cursor, r->net);
	} else {
		tcpstates_cursor_put(v);
		sk = tcpstates_cursor_next(&r->cursor);
	}
	r->cursor_pos = sk ? *pos : 0;
	return sk;
}

static void ts_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		tcpstates_cursor_put(v);
}

static int ts_show(struct seq_file *m, void *v)
{
	struct ts_reader *r = m->private;

	if (v == SEQ_START_TOKEN)
		return ts_show_summary(m, r);
	tcpstates_show_socket(m, v, r->net);
	return 0;
}

static const struct seq_operations ts_seq_ops = {
	.start	= ts_start,
	.next	= ts_next,
	.stop	= ts_stop,
	.show	= ts_show,
};

static void ts_reader_free(struct ts_reader *r)
{
	put_net(r->net);
	kvfree(r->walk.close_wait);
}

static int ts_open(struct inode *inode, struct file *file)
{
	struct seq_file *m;
	struct ts_reader *r;
	void *buf;

	buf = kvmalloc(TS_REPORT_BUFSIZE, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	r = __seq_open_private(file, &ts_seq_ops, sizeof(*r));
	if (!r) {
		kvfree(buf);
		return -ENOMEM;
	}
	/* As single_open_size() does: start with room for the summary. */
	m = file->private_data;
	m->buf = buf;
	m->size = TS_REPORT_BUFSIZE;

	r->net = get_net(current->nsproxy->net_ns);
	r->walk.close_wait = kvcalloc(TS_NR_PORTS, sizeof(*r->walk.close_wait),
				      GFP_KERNEL_ACCOUNT);
	if (!r->walk.close_wait) {
		ts_reader_free(r);
		seq_release_private(inode, file);
		return -ENOMEM;
	}
	return 0;
}

static int ts_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	ts_reader_free(m->private);
	return seq_release_private(inode, file);
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
