// SPDX-License-Identifier: GPL-2.0
/*
 * Hints: one line for each condition an operator should look into, each
 * naming its evidence and what to check. Nothing when all is well. The
 * thresholds are documented in README.md ("Hints").
 */

#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/time.h>

#include "counters.h"
#include "destinations.h"
#include "hints.h"
#include "owners.h"
#include "tcpstates.h"
#include "settings.h"

/* CLOSE_WAIT sockets on one local port before we blame its application. */
#define TS_HINT_CLOSE_WAIT_PER_PORT	16
/* Request socks on one listener, and their share of its backlog (%). */
#define TS_HINT_SYN_QUEUE_MIN		4
#define TS_HINT_SYN_QUEUE_PCT		50
/* Share of a kernel limit (%) that counts as near it. */
#define TS_HINT_NEAR_LIMIT_PCT		80
/* Share of the local port range (%) in use towards one destination. */
#define TS_HINT_PORT_RANGE_PCT		80
/* FIN_WAIT2 sockets, and their ratio to ESTABLISHED (1:N). */
#define TS_HINT_FIN_WAIT2_MIN		100
#define TS_HINT_FIN_WAIT2_PER_ESTAB	4

static u64 ts_sockets(const struct tcpstates_result *res, int state)
{
	const struct tcpstates_state_stats *st = &res->counts.state[state];

	return st->sockets[TS_IPV4] + st->sockets[TS_IPV6];
}

static bool ts_near(long long value, long long limit)
{
	return limit > 0 && value * 100 >= limit * TS_HINT_NEAR_LIMIT_PCT;
}

static void ts_hint_header(struct seq_file *m, bool *first)
{
	if (*first)
		seq_puts(m, "# hints: one line per condition worth a look\n");
	*first = false;
}

/* The kernel drops SYNs for a listener once its accept queue is over backlog. */
static void ts_hint_accept_queue(struct seq_file *m,
				 const struct tcpstates_listener *l,
				 const struct tcpstates_counters *ctr)
{
	seq_puts(m, "hint accept_queue: listener on ");
	if (l->family == TS_IPV6)
		seq_printf(m, "[%pI6c]:%u", &l->addr, l->port);
	else
		seq_printf(m, "%pI4:%u", &l->addr.s6_addr32[0], l->port);
	seq_printf(m, " has %u connections waiting for accept() against a backlog of %u (TcpExtListenOverflows %llu); the application is not accepting fast enough: more workers or a larger backlog cure it, syncookies do not\n",
		   l->accept_queue, l->backlog,
		   ctr->value[TS_CTR_LISTEN_OVERFLOWS]);
}

/* connect() there fails once no local port is left (top_destinations). */
static void ts_hint_ports(struct seq_file *m,
			  const struct tcpstates_destination *dst)
{
	u32 range = tcpstates_destination_range(dst);

	seq_printf(m, "hint ports: %u outbound sockets to ", dst->sockets);
	tcpstates_show_destination_address(m, dst);
	seq_printf(m, " hold %u%% of the %u local ports of ip_local_port_range %u-%u (TIME_WAIT holds its port too); connect() there will soon fail with EADDRNOTAVAIL: more destination addresses or ports, a wider range, or reused connections cure it\n",
		   (u32)div_u64((u64)dst->sockets * 100, range), range,
		   dst->range_lo, dst->range_hi);
}

void tcpstates_show_hints(struct seq_file *m,
			  const struct tcpstates_result *res,
			  const struct tcpstates_limits *lim,
			  const struct tcpstates_counters *ctr,
			  struct tcpstates_owners *owners)
{
	const struct tcpstates_listener *l = &res->busiest_listener;
	const struct tcpstates_listener *fullest = &res->fullest[0];
	u64 fin_wait2 = ts_sockets(res, TS_FIN_WAIT2);
	bool first = true;

	if (res->close_wait_on_port >= TS_HINT_CLOSE_WAIT_PER_PORT) {
		ts_hint_header(m, &first);
		seq_printf(m, "hint close_wait: %u CLOSE_WAIT sockets on local port %u; the application there is not calling close()",
			   res->close_wait_on_port, res->close_wait_port);
		/* With owners set: whose, of all CLOSE_WAIT sockets. */
		if (owners)
			tcpstates_owners_show_most(m, owners, TS_CLOSE_WAIT);
		/* With ages=Y: how long, at the least, since the peer closed. */
		if (res->ages[TS_CLOSE_WAIT].known)
			seq_printf(m, "; the oldest CLOSE_WAIT has waited %u s",
				   res->ages[TS_CLOSE_WAIT].oldest_ms / (u32)MSEC_PER_SEC);
		seq_putc(m, '\n');
	}
	if (l->syn_queue >= TS_HINT_SYN_QUEUE_MIN &&
	    (u64)l->syn_queue * 100 >= (u64)l->backlog * TS_HINT_SYN_QUEUE_PCT) {
		ts_hint_header(m, &first);
		seq_printf(m, "hint syn_recv: listener on port %u has %u requests in SYN_RECV against a backlog of %u; a possible SYN flood, check tcp_syncookies (now %d; TcpExtSyncookiesSent %llu)\n",
			   l->port, l->syn_queue, l->backlog, lim->syncookies,
			   ctr->value[TS_CTR_SYNCOOKIES_SENT]);
	}
	if (res->nr_fullest && fullest->accept_queue > fullest->backlog) {
		ts_hint_header(m, &first);
		ts_hint_accept_queue(m, fullest, ctr);
	}
	if (res->nr_destinations &&
	    (u64)res->destinations[0].sockets * 100 >=
	    (u64)tcpstates_destination_range(&res->destinations[0]) *
	    TS_HINT_PORT_RANGE_PCT) {
		ts_hint_header(m, &first);
		ts_hint_ports(m, &res->destinations[0]);
	}
	if (ts_near(lim->timewait, lim->max_tw_buckets)) {
		ts_hint_header(m, &first);
		seq_printf(m, "hint time_wait: %d timewait sockets against tcp_max_tw_buckets %d; beyond it the kernel skips TIME_WAIT (TcpExtTCPTimeWaitOverflow %llu)\n",
			   lim->timewait, lim->max_tw_buckets,
			   ctr->value[TS_CTR_TIME_WAIT_OVERFLOW]);
	}
	if (lim->aborted_on_memory) {
		ts_hint_header(m, &first);
		seq_printf(m, "hint orphans: %lu connections in this netns were reset on close for too many orphans or TCP memory pressure (TCPAbortOnMemory); %d orphans now; check tcp_max_orphans and tcp_mem\n",
			   lim->aborted_on_memory, lim->orphans);
	}
	if (fin_wait2 >= TS_HINT_FIN_WAIT2_MIN &&
	    fin_wait2 * TS_HINT_FIN_WAIT2_PER_ESTAB >= ts_sockets(res, TS_ESTABLISHED)) {
		ts_hint_header(m, &first);
		seq_printf(m, "hint fin_wait2: %llu FIN_WAIT2 sockets wait for peers that do not close; check the peers, and tcp_fin_timeout for orphans\n",
			   fin_wait2);
	}
}
