// SPDX-License-Identifier: GPL-2.0
/*
 * The timers section: the settings that decide how long a socket may stay
 * in a state, read live from the reader's netns on every read.
 */

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "timers.h"

/*
 * sysctl_tcp_max_orphans is not exported. Its sysctl file is the one
 * interface to it; it exists only in the initial netns's /proc/sys, and the
 * path is resolved in the reader's root, so only privileged readers (who
 * could set the value anyway) get it read.
 */
#define TS_MAX_ORPHANS_PATH "/proc/sys/net/ipv4/tcp_max_orphans"

static int ts_read_max_orphans(void)
{
	char buf[24];
	struct file *f;
	loff_t pos = 0;
	ssize_t len;
	int val;

	f = filp_open(TS_MAX_ORPHANS_PATH, O_RDONLY, 0);
	if (IS_ERR(f))
		return -1;
	len = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	if (kstrtoint(strim(buf), 10, &val))
		return -1;
	return val;
}

/* tcp_orphan_count_sum() is not exported; the per-CPU counters are. */
static int ts_orphans(void)
{
	int cpu, sum = 0;

	for_each_possible_cpu(cpu)
		sum += per_cpu(tcp_orphan_count, cpu);
	return max(sum, 0);
}

void tcpstates_read_limits(struct net *net, bool privileged,
			   struct tcpstates_limits *lim)
{
	struct inet_timewait_death_row *dr = &net->ipv4.tcp_death_row;

	/* tw_refcount starts at 1 for the netns itself. */
	lim->timewait = refcount_read(&dr->tw_refcount) - 1;
	lim->max_tw_buckets = READ_ONCE(dr->sysctl_max_tw_buckets);
	lim->orphans = ts_orphans();
	lim->max_orphans = privileged ? ts_read_max_orphans() : -1;
	lim->syncookies = READ_ONCE(net->ipv4.sysctl_tcp_syncookies);
}

static void ts_show(struct seq_file *m, const char *name, long long value,
		    const char *unit)
{
	seq_printf(m, "%-22s %12lld %s\n", name, value, unit);
}

static void ts_show_secs(struct seq_file *m, const char *name, int ticks)
{
	ts_show(m, name, ticks / HZ, "s");
}

void tcpstates_show_timers(struct seq_file *m, const struct net *net,
			   const struct tcpstates_limits *lim)
{
	const struct netns_ipv4 *v4 = &net->ipv4;

	seq_puts(m, "# timers and limits: name value unit\n");
	ts_show_secs(m, "tcp_fin_timeout", READ_ONCE(v4->sysctl_tcp_fin_timeout));
	/* TIME_WAIT lasts a fixed 2MSL; no sysctl changes it. */
	ts_show_secs(m, "time_wait_length", TCP_TIMEWAIT_LEN);
	ts_show_secs(m, "msl", TCP_TIMEWAIT_LEN / 2);
	ts_show(m, "timewait", lim->timewait, "sockets");
	ts_show(m, "tcp_max_tw_buckets", lim->max_tw_buckets, "sockets");
	ts_show(m, "tcp_tw_reuse", READ_ONCE(v4->sysctl_tcp_tw_reuse), "mode");
	ts_show(m, "orphans", lim->orphans, "sockets");
	if (lim->max_orphans >= 0)
		ts_show(m, "tcp_max_orphans", lim->max_orphans, "sockets");
	ts_show(m, "tcp_syn_retries", READ_ONCE(v4->sysctl_tcp_syn_retries),
		"retries");
	ts_show(m, "tcp_synack_retries",
		READ_ONCE(v4->sysctl_tcp_synack_retries), "retries");
	ts_show(m, "tcp_orphan_retries",
		READ_ONCE(v4->sysctl_tcp_orphan_retries), "retries");
	ts_show_secs(m, "tcp_keepalive_time",
		     READ_ONCE(v4->sysctl_tcp_keepalive_time));
	ts_show_secs(m, "tcp_keepalive_intvl",
		     READ_ONCE(v4->sysctl_tcp_keepalive_intvl));
	ts_show(m, "tcp_keepalive_probes",
		READ_ONCE(v4->sysctl_tcp_keepalive_probes), "probes");
	ts_show(m, "tcp_max_syn_backlog", READ_ONCE(v4->sysctl_max_syn_backlog),
		"sockets");
	ts_show(m, "somaxconn", READ_ONCE(net->core.sysctl_somaxconn),
		"connections");
	ts_show(m, "tcp_syncookies", lim->syncookies, "mode");
}
