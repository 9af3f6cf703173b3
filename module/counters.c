// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own TCP counters, per netns, read the way /proc/net/snmp
 * and /proc/net/netstat read them: each CPU's share, summed. Like theirs,
 * the sum races with the CPUs' updates; every value is one the counter
 * held, or will.
 */

#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/snmp.h>

#include "counters.h"

static const struct {
	const char *name;	/* as nstat spells it */
	bool tcp_ext;		/* in TcpExt (netstat), else in Tcp (snmp) */
	int field;
} ts_counters[TS_NR_COUNTERS] = {
#define TS_TCP(name, field)	{ "Tcp" name, false, TCP_MIB_##field }
#define TS_TCP_EXT(name, field)	{ "TcpExt" name, true, LINUX_MIB_##field }
	[TS_CTR_ACTIVE_OPENS] = TS_TCP("ActiveOpens", ACTIVEOPENS),
	[TS_CTR_PASSIVE_OPENS] = TS_TCP("PassiveOpens", PASSIVEOPENS),
	[TS_CTR_ATTEMPT_FAILS] = TS_TCP("AttemptFails", ATTEMPTFAILS),
	[TS_CTR_ESTAB_RESETS] = TS_TCP("EstabResets", ESTABRESETS),
	[TS_CTR_LISTEN_OVERFLOWS] = TS_TCP_EXT("ListenOverflows", LISTENOVERFLOWS),
	[TS_CTR_LISTEN_DROPS] = TS_TCP_EXT("ListenDrops", LISTENDROPS),
	[TS_CTR_REQ_Q_FULL_DROP] = TS_TCP_EXT("TCPReqQFullDrop", TCPREQQFULLDROP),
	[TS_CTR_SYNCOOKIES_SENT] = TS_TCP_EXT("SyncookiesSent", SYNCOOKIESSENT),
	[TS_CTR_SYNCOOKIES_RECV] = TS_TCP_EXT("SyncookiesRecv", SYNCOOKIESRECV),
	[TS_CTR_SYNCOOKIES_FAILED] = TS_TCP_EXT("SyncookiesFailed", SYNCOOKIESFAILED),
	[TS_CTR_TIME_WAIT_OVERFLOW] = TS_TCP_EXT("TCPTimeWaitOverflow", TCPTIMEWAITOVERFLOW),
	[TS_CTR_TW] = TS_TCP_EXT("TW", TIMEWAITED),
	[TS_CTR_TW_KILLED] = TS_TCP_EXT("TWKilled", TIMEWAITKILLED),
	[TS_CTR_TW_RECYCLED] = TS_TCP_EXT("TWRecycled", TIMEWAITRECYCLED),
	[TS_CTR_ABORT_ON_TIMEOUT] = TS_TCP_EXT("TCPAbortOnTimeout", TCPABORTONTIMEOUT),
	[TS_CTR_ABORT_ON_CLOSE] = TS_TCP_EXT("TCPAbortOnClose", TCPABORTONCLOSE),
#undef TS_TCP
#undef TS_TCP_EXT
};

const char *tcpstates_counter_name(enum tcpstates_counter counter)
{
	return ts_counters[counter].name;
}

/* One counter of @net, since @net was made. */
unsigned long tcpstates_counter_read(const struct net *net,
				     enum tcpstates_counter counter)
{
	if (ts_counters[counter].tcp_ext)
		return snmp_fold_field(net->mib.net_statistics,
				       ts_counters[counter].field);
	return snmp_fold_field(net->mib.tcp_statistics,
			       ts_counters[counter].field);
}

void tcpstates_counters_add(struct tcpstates_counters *sum,
			    const struct net *net)
{
	int i;

	for (i = 0; i < TS_NR_COUNTERS; i++)
		sum->value[i] += tcpstates_counter_read(net, i);
}
