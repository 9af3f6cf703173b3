// SPDX-License-Identifier: GPL-2.0
/*
 * The "timers and limits" section: the kernel's settings that decide how
 * long a socket may stay in a state and how many may pile up in one, read
 * on every read from the netns whose sockets are counted. That is the
 * netns knob's target, which need not be the reader's own netns.
 */

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "compat.h"
#include "settings.h"

/*
 * tcp_orphan_count_sum() is not exported; the per-CPU counters are. Like
 * that function, the sum races with every CPU's updates and is approximate.
 */
static int ts_orphans(void)
{
	int cpu, sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(tcp_orphan_count, cpu));
	return max(sum, 0);
}

/*
 * tcp_max_orphans itself is not exported, and reading its sysctl file from
 * here would resolve a path in the reader's mount namespace, which the
 * reader controls. What the limit does is counted, though: every socket
 * reset on close for too many orphans (or TCP memory pressure).
 */
void tcpstates_read_limits(struct net *net, struct tcpstates_limits *lim)
{
	struct inet_timewait_death_row *dr = &net->ipv4.tcp_death_row;

	lim->timewait = ts_timewait_count(dr);
	lim->max_tw_buckets = READ_ONCE(dr->sysctl_max_tw_buckets);
	lim->orphans = ts_orphans();
	lim->aborted_on_memory = snmp_fold_field(net->mib.net_statistics,
						 LINUX_MIB_TCPABORTONMEMORY);
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

void tcpstates_show_settings(struct seq_file *m, const struct net *net,
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
	ts_show(m, "tcp_abort_on_memory", lim->aborted_on_memory, "sockets");
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
