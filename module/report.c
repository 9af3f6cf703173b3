// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcpstates. The first record is the summary: one walk of the
 * tables, then the states table, per-netns and per-port breakdowns when
 * asked for, the timers section and any hints. When the list_sockets knob
 * is set, one record per socket follows. Like /proc/net/tcp, the view is
 * the network namespace of the task that opened the file, unless a
 * privileged reader widens it with the netns knob.
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include "counters.h"
#include "destinations.h"
#include "hints.h"
#include "knobs.h"
#include "listing.h"
#include "owners.h"
#include "scope.h"
#include "report.h"
#include "settings.h"
#include "spare.h"
#include "transitions.h"
#include "version.h"
#include "walk.h"

#define TS_PROC_NAME "tcpstates"

/*
 * Room for any record as usually printed. Only record 0 walks the tables,
 * and it is small; a later record that outgrows the buffer is printed
 * again into a larger one, from the same walk.
 */
#define TS_REPORT_BUFSIZE	(64 * 1024)

/*
 * The records of /proc/tcpstates: 0 is the head of the summary, and the
 * one walk of the tables; 1 to nr_netns are the per-netns lines of
 * netns=all, one record each, so that a thousand netns never outgrow the
 * buffer (seq_file would then walk again into a larger one); then the rest
 * of the summary; then one record per socket, up to list_sockets. Every
 * record after the first prints from the first's walk, and only while
 * @walked: the netns and tables it counted are let go once the file has
 * nothing more to list.
 */
struct ts_reader {
	struct net *net;		/* the opener's */
	bool privileged;		/* may widen the netns scope */
	struct tcpstates_config cfg;	/* taken at the summary */
	struct tcpstates_walk *walk;
	struct tcpstates_limits lim;	/* read at the summary */
	bool walked;			/* @walk and its scope are the summary's */
	unsigned int nr_netns;		/* per-netns records */
	loff_t pos;			/* the record last started or nexted */
	struct tcpstates_cursor cursor;
	loff_t cursor_pos;		/* record number under the cursor */
	char *text;			/* the filters line */
	struct tcpstates_transitions moved;	/* since load, in the scope */
	struct tcpstates_counters counters;	/* the kernel's, in the scope */
};

/* The record with the rest of the summary; sockets follow it. */
static loff_t ts_tail_pos(const struct ts_reader *r)
{
	return (loff_t)r->nr_netns + 1;
}

static void ts_show_scope(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_scope *sc = tcpstates_walk_scope(r->walk);

	seq_printf(m, "# tcpstates %s netns %u ", TCPSTATES_VERSION,
		   r->net->ns.inum);
	if (sc->all)
		seq_printf(m, "scope all %u\n", sc->nr_targets);
	else if (sc->missing_inum)
		seq_printf(m, "scope %u not-found\n", sc->missing_inum);
	else if (!net_eq(sc->targets[0].net, r->net))
		seq_printf(m, "scope %u\n", sc->targets[0].net->ns.inum);
	else
		seq_puts(m, "scope self\n");
	if (r->cfg.netns != TS_NETNS_SELF && !r->privileged)
		seq_puts(m, "# netns knob ignored: it applies to readers in the initial netns with CAP_NET_ADMIN\n");
}

static void ts_show_header(struct seq_file *m, struct ts_reader *r)
{
	const struct tcpstates_tables *t = &tcpstates_walk_result(r->walk)->tables;
	int i;

	ts_show_scope(m, r);
	tcpstates_config_print(r->text, TS_CONFIG_TEXT_MAX, &r->cfg);
	seq_printf(m, "# filters %s\n", r->text);
	seq_printf(m, "# tables ehash %u %u %s lhash2 %u bhash %u restarts %u%s\n",
		   t->ehash_tables, t->ehash_buckets,
		   t->ehash_tables > 1 ? "mixed" : t->ehash_pernet ? "own" : "shared",
		   t->lhash2_buckets,
		   t->bhash_buckets, t->restarts,
		   t->inexact ? " inexact" : "");
	seq_printf(m, "%-12s%10s%10s%10s%10s%10s", "# state", "total", "ipv4",
		   "ipv6", "inbound", "outbound");
	for (i = 0; i < TS_NR_TIMERS; i++)
		seq_printf(m, "%10s", tcpstates_timer_name(i));
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
	const struct tcpstates_counts *c = &tcpstates_walk_result(r->walk)->counts;
	bool timers = r->cfg.timers;
	int st, i;

	for (st = 0; st < TS_NR_STATES; st++) {
		const struct tcpstates_state_stats *s = &c->state[st];
		u64 v4 = s->sockets[TS_IPV4];
		u64 v6 = s->sockets[TS_IPV6];

		seq_printf(m, "%-12s%10llu%10llu%10llu%10llu%10llu",
			   tcpstates_state_name(st), v4 + v6, v4, v6,
			   s->inbound, v4 + v6 - s->inbound);
		for (i = 0; i < TS_NR_TIMERS; i++)
			ts_show_u64(m, 10, timers, s->timers[i]);
		ts_show_u64(m, 11, s->timed, s->soonest_ms);
		ts_show_u64(m, 11, s->timed, s->latest_ms);
		ts_show_u64(m, 8, timers, s->max_retries);
		seq_putc(m, '\n');
	}
}

/* With netns=all: one line per netns, in the states' order. */
static void ts_show_netns_header(struct seq_file *m)
{
	int st;

	seq_puts(m, "# netns inode total");
	for (st = 0; st < TS_NR_STATES; st++)
		seq_printf(m, " %s", tcpstates_state_name(st));
	seq_putc(m, '\n');
}

static void ts_show_netns(struct seq_file *m, const struct tcpstates_target *t)
{
	u64 total = 0;
	int st;

	for (st = 0; st < TS_NR_STATES; st++)
		total += t->sockets[st];
	seq_printf(m, "netns %u %llu", t->net->ns.inum, total);
	for (st = 0; st < TS_NR_STATES; st++)
		seq_printf(m, " %llu", t->sockets[st]);
	seq_putc(m, '\n');
}

struct ts_port_count {
	u16 port;
	u32 sockets;
};

/* The @n busiest ports of @ports, busiest first, ties to the lower port. */
static unsigned int ts_top_ports(const u32 *ports, unsigned int n,
				 struct ts_port_count *top)
{
	unsigned int found = 0, port, i;

	for (port = 0; port < TS_NR_PORTS; port++) {
		u32 c = ports[port];

		if (!c || (found == n && c <= top[n - 1].sockets))
			continue;
		i = found < n ? found++ : n - 1;
		for (; i && top[i - 1].sockets < c; i--)
			top[i] = top[i - 1];
		top[i].port = port;
		top[i].sockets = c;
	}
	return found;
}

static void ts_show_top_ports(struct seq_file *m, const struct ts_reader *r)
{
	struct ts_port_count top[TS_TOP_PORTS_MAX];
	unsigned int n = r->cfg.top_ports, found, i;
	int st;

	if (!n || !tcpstates_walk_ports(r->walk, 0))
		return;
	seq_printf(m, "# top %u local ports per state: port state port sockets\n", n);
	for (st = 0; st < TS_NR_STATES; st++) {
		found = ts_top_ports(tcpstates_walk_ports(r->walk, st), n, top);
		for (i = 0; i < found; i++)
			seq_printf(m, "port %s %u %u\n", tcpstates_state_name(st),
				   top[i].port, top[i].sockets);
	}
}

static void ts_show_listener(struct seq_file *m,
			     const struct tcpstates_listener *l)
{
	if (l->family == TS_IPV6)
		seq_printf(m, "listener [%pI6c]:%u", &l->addr, l->port);
	else
		seq_printf(m, "listener %pI4:%u", &l->addr.s6_addr32[0], l->port);
	seq_printf(m, " %u %u %u %u %u\n", l->accept_queue, l->backlog,
		   l->syn_queue, l->drops, l->netns);
}

/* Every listener in the netns counted may rank, whatever the filters. */
static void ts_show_top_listeners(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_result *res = tcpstates_walk_result(r->walk);
	unsigned int i;

	if (!r->cfg.top_listeners)
		return;
	seq_printf(m, "# top %u listeners, fullest accept queue first: listener address:port accept_queue backlog syn_queue drops netns\n",
		   r->cfg.top_listeners);
	for (i = 0; i < res->nr_fullest; i++)
		ts_show_listener(m, &res->fullest[i]);
}

static void ts_show_top_destinations(struct seq_file *m,
				     const struct ts_reader *r)
{
	const struct tcpstates_result *res = tcpstates_walk_result(r->walk);
	unsigned int i;

	if (!r->cfg.top_destinations)
		return;
	seq_printf(m, "# top %u destinations, fullest local port range first: destination address:port sockets port_range netns\n",
		   r->cfg.top_destinations);
	for (i = 0; i < res->nr_destinations; i++) {
		seq_puts(m, "destination ");
		tcpstates_show_destination(m, &res->destinations[i]);
		seq_putc(m, '\n');
	}
}

/* What each state's age counts from, where the kernel keeps it. */
static const char *const ts_age_since[TS_NR_STATES] = {
	[TS_SYN_RECV]		= "first_synack",
	[TS_ESTABLISHED]	= "last_ack",
	[TS_FIN_WAIT1]		= "last_ack",
	[TS_FIN_WAIT2]		= "last_ack",
	[TS_CLOSE_WAIT]		= "last_ack",
	[TS_CLOSING]		= "last_ack",
	[TS_LAST_ACK]		= "last_ack",
	[TS_TIME_WAIT]		= "entry",
};

static void ts_show_ages(struct seq_file *m, const struct ts_reader *r)
{
	const struct tcpstates_result *res = tcpstates_walk_result(r->walk);
	int st, i;

	if (!r->cfg.ages)
		return;
	seq_puts(m, "# ages: age state since oldest_ms, then sockets under 1s 10s 1m 10m 1h 1d, older, unknown\n");
	for (st = 0; st < TS_NR_STATES; st++) {
		const struct tcpstates_state_stats *s = &res->counts.state[st];
		const struct tcpstates_ages *a = &res->ages[st];
		u64 total = s->sockets[TS_IPV4] + s->sockets[TS_IPV6];

		seq_printf(m, "age %s %s ", tcpstates_state_name(st),
			   ts_age_since[st] ?: "-");
		ts_show_u64(m, 0, a->known, a->oldest_ms);
		for (i = 0; i < TS_NR_AGE_BUCKETS; i++)
			seq_printf(m, " %llu", a->sockets[i]);
		/* Counted with its age or without: never more known than all. */
		seq_printf(m, " %llu\n", total - a->known);
	}
}

static void ts_show_owners(struct seq_file *m, struct ts_reader *r)
{
	struct tcpstates_owners *owners = tcpstates_walk_owners(r->walk);

	if (owners && r->cfg.top_owners)
		tcpstates_owners_show(m, owners, r->cfg.top_owners);
}

/*
 * Transitions since load in the netns counted, from the tracepoints; the
 * cells that are not zero. Filters other than netns do not apply.
 */
static void ts_show_transitions(struct seq_file *m, struct ts_reader *r)
{
	const struct tcpstates_scope *sc = tcpstates_walk_scope(r->walk);
	struct tcpstates_transitions *t = &r->moved;
	unsigned int i, uncounted = 0;
	int from, to, row, st, e;

	if (!tcpstates_transitions_enabled()) {
		seq_puts(m, "# transitions off\n");
		return;
	}
	memset(t, 0, sizeof(*t));
	for (i = 0; i < sc->nr_targets; i++)
		if (!tcpstates_transitions_add(t, sc->targets[i].net))
			uncounted++;
	seq_puts(m, "# transitions since load: transition from to count; counter name count\n");
	for (e = 0; e < TS_NR_EVENTS; e++)
		if (!tcpstates_transitions_attached(e))
			seq_printf(m, "# transitions: tracepoint %s not attached\n",
				   tcpstates_event_name(e));
	if (uncounted)
		seq_printf(m, "# transitions: %u netns not counted (no memory when created)\n",
			   uncounted);
	for (from = 0; from < TS_NR_STATES; from++)
		for (to = 0; to < TS_NR_STATES; to++)
			if (t->count[from][to])
				seq_printf(m, "transition %s %s %llu\n",
					   tcpstates_state_name(from),
					   tcpstates_state_name(to),
					   t->count[from][to]);
	for (row = TS_NR_STATES; row < TS_NR_ROWS; row++)
		for (st = 0; st < TS_NR_STATES; st++)
			if (t->count[row][st])
				seq_printf(m, "%s %s %llu\n", tcpstates_row_name(row),
					   tcpstates_state_name(st),
					   t->count[row][st]);
	for (e = 0; e < TS_NR_KERNEL_COUNTERS; e++)
		seq_printf(m, "counter %s %llu\n",
			   tcpstates_kernel_counter_name(e), t->kernel[e]);
}

/* The kernel's own counters, summed over the netns counted. */
static void ts_show_counters(struct seq_file *m, struct ts_reader *r)
{
	const struct tcpstates_scope *sc = tcpstates_walk_scope(r->walk);
	unsigned int i;

	memset(&r->counters, 0, sizeof(r->counters));
	for (i = 0; i < sc->nr_targets; i++)
		tcpstates_counters_add(&r->counters, sc->targets[i].net);
	seq_puts(m, "# kernel counters since each netns counted was made, as nstat names them: mib name value\n");
	for (i = 0; i < TS_NR_COUNTERS; i++)
		seq_printf(m, "mib %s %llu\n", tcpstates_counter_name(i),
			   r->counters.value[i]);
}

/* The sysctls shown are those of the one netns counted, else the reader's. */
static struct net *ts_settings_net(const struct ts_reader *r)
{
	const struct tcpstates_scope *sc = tcpstates_walk_scope(r->walk);

	return !sc->all && sc->nr_targets == 1 ? sc->targets[0].net : r->net;
}

/*
 * The file has nothing more to list, or a new summary starts: let go of
 * the netns and their tables, and of the cursor that pointed into them.
 */
static void ts_listing_end(struct ts_reader *r)
{
	tcpstates_cursor_release(&r->cursor);
	tcpstates_walk_end(r->walk);
	tcpstates_cursor_init(&r->cursor, tcpstates_walk_scope(r->walk),
			      &r->cfg);
	r->walked = false;
}

/* Record 0: the walk, the header and the states table. */
static int ts_show_summary(struct seq_file *m, struct ts_reader *r)
{
	const struct tcpstates_scope *sc = tcpstates_walk_scope(r->walk);
	int err;

	ts_listing_end(r);
	err = tcpstates_walk(r->walk, &r->cfg, r->net, r->privileged);
	if (err)
		return err;
	tcpstates_read_limits(ts_settings_net(r), &r->lim);
	r->walked = true;
	r->nr_netns = sc->all ? sc->nr_targets : 0;
	r->cursor_pos = ts_tail_pos(r) + 1;

	ts_show_header(m, r);
	ts_show_states(m, r);
	if (sc->all)
		ts_show_netns_header(m);
	return 0;
}

/* The record after the per-netns ones: the rest of the summary. */
static void ts_show_summary_tail(struct seq_file *m, struct ts_reader *r)
{
	ts_show_top_ports(m, r);
	ts_show_top_listeners(m, r);
	ts_show_top_destinations(m, r);
	ts_show_ages(m, r);
	ts_show_owners(m, r);
	ts_show_transitions(m, r);
	ts_show_counters(m, r);
	tcpstates_show_settings(m, ts_settings_net(r), &r->lim);
	tcpstates_show_hints(m, tcpstates_walk_result(r->walk), &r->lim,
			     &r->counters, tcpstates_walk_owners(r->walk));
	if (r->cfg.list_sockets)
		seq_printf(m, "# sockets, at most %u: local remote state timer ms_left retries\n",
			   r->cfg.list_sockets);
}

/*
 * Record @pos > 0, or NULL past the last. A socket is held by the cursor
 * from ->start or ->next until ->next or ->stop; between reads the cursor
 * holds none and finds its place again, so a read at the record under it
 * goes on from there, one further ahead steps forward, and one behind
 * lists again from the first socket.
 */
static void *ts_record(struct ts_reader *r, loff_t pos)
{
	loff_t tail = ts_tail_pos(r);
	struct sock *sk;

	r->pos = pos;
	if (!r->walked)
		return NULL;
	if (pos < tail)
		return &tcpstates_walk_scope(r->walk)->targets[pos - 1];
	if (pos == tail)
		return r;
	if (pos - tail > r->cfg.list_sockets)
		return NULL;
	if (pos < r->cursor_pos) {
		tcpstates_cursor_init(&r->cursor, tcpstates_walk_scope(r->walk),
				      &r->cfg);
		r->cursor_pos = tail + 1;
	}
	while (r->cursor_pos < pos) {
		sk = tcpstates_cursor_get(&r->cursor);
		if (IS_ERR_OR_NULL(sk))
			return sk;
		tcpstates_cursor_advance(&r->cursor);
		r->cursor_pos++;
	}
	return tcpstates_cursor_get(&r->cursor);
}

static void *ts_start(struct seq_file *m, loff_t *pos)
{
	struct ts_reader *r = m->private;

	if (!*pos) {
		tcpstates_config_get(&r->cfg);
		r->pos = 0;
		return SEQ_START_TOKEN;
	}
	return ts_record(r, *pos);
}

static void *ts_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct ts_reader *r = m->private;

	/* Done with a socket: the cursor moves on to the next one. */
	if (v != SEQ_START_TOKEN && r->pos > ts_tail_pos(r)) {
		tcpstates_cursor_advance(&r->cursor);
		r->cursor_pos++;
	}
	return ts_record(r, ++*pos);
}

/*
 * A fatal signal in ->start or ->next ends the read with -EINTR and keeps
 * the cursor, for whoever shares the file to read on.
 */
static void ts_stop(struct seq_file *m, void *v)
{
	struct ts_reader *r = m->private;

	tcpstates_cursor_release(&r->cursor);
	/*
	 * Nothing more to list: let go of the netns now rather than at the
	 * next read, which may be a long way off for a monitoring daemon.
	 */
	if (!v)
		ts_listing_end(r);
}

static int ts_show(struct seq_file *m, void *v)
{
	struct ts_reader *r = m->private;

	if (v == SEQ_START_TOKEN)
		return ts_show_summary(m, r);
	if (r->pos < ts_tail_pos(r))
		ts_show_netns(m, v);
	else if (r->pos == ts_tail_pos(r))
		ts_show_summary_tail(m, r);
	else
		tcpstates_show_socket(m, v, tcpstates_walk_scope(r->walk), &r->cfg);
	return 0;
}

static const struct seq_operations ts_seq_ops = {
	.start	= ts_start,
	.next	= ts_next,
	.stop	= ts_stop,
	.show	= ts_show,
};

/*
 * The filters line's and the report's buffers of the last reader closed,
 * kept for the next (spare.h), as the walk keeps its own: 80 KB not to
 * clear. Neither is read before it is written.
 */
static void *ts_spare_text;
static void *ts_spare_buf;

/* Each slot holds buffers of one size, the @size asked for. */
static void *ts_buf_get(void **spare, size_t size)
{
	return ts_spare_take(spare) ?: kvmalloc(size, GFP_KERNEL_ACCOUNT);
}

static void ts_reader_free(struct ts_reader *r)
{
	tcpstates_walk_free(r->walk);
	put_net(r->net);
	ts_spare_keep(&ts_spare_text, r->text);
	kvfree(r);
}

static int ts_open(struct inode *inode, struct file *file)
{
	struct seq_file *m;
	struct ts_reader *r;
	void *buf;
	int err;

	r = kvzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->net = get_net(current->nsproxy->net_ns);
	/*
	 * The opener's credentials, as file_ns_capable() would check them,
	 * but without an audit record: most readers are not asking for more.
	 */
	r->privileged = net_eq(r->net, &init_net) &&
			ns_capable_noaudit(&init_user_ns, CAP_NET_ADMIN);
	r->walk = tcpstates_walk_alloc();
	r->text = ts_buf_get(&ts_spare_text, TS_CONFIG_TEXT_MAX);
	buf = ts_buf_get(&ts_spare_buf, TS_REPORT_BUFSIZE);
	err = r->walk && r->text && buf ? seq_open(file, &ts_seq_ops) : -ENOMEM;
	if (err) {
		ts_spare_keep(&ts_spare_buf, buf);
		ts_reader_free(r);
		return err;
	}
	/* As single_open_size() does: start with room for the summary. */
	m = file->private_data;
	m->private = r;
	m->buf = buf;
	m->size = TS_REPORT_BUFSIZE;
	return 0;
}

static int ts_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	ts_reader_free(m->private);
	/* Kept only at 64 KiB: one a record grew is freed. */
	if (m->size == TS_REPORT_BUFSIZE) {
		ts_spare_keep(&ts_spare_buf, m->buf);
		m->buf = NULL;
	}
	return seq_release(inode, file);
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

/*
 * Waits for readers inside ->read, then releases every open file: once the
 * file is gone, no reader is left to give a buffer back.
 */
void tcpstates_proc_exit(void)
{
	remove_proc_entry(TS_PROC_NAME, NULL);
	ts_spare_free(&ts_spare_text);
	ts_spare_free(&ts_spare_buf);
}
