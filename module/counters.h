/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_COUNTERS_H
#define _TCPSTATES_COUNTERS_H

#include <linux/types.h>

struct net;

/*
 * The kernel's own TCP counters that explain the states: opens and the
 * ways they fail, the listeners' drops, syncookies, TIME_WAIT made and
 * skipped, and connections aborted.
 */
enum tcpstates_counter {
	TS_CTR_ACTIVE_OPENS,
	TS_CTR_PASSIVE_OPENS,
	TS_CTR_ATTEMPT_FAILS,
	TS_CTR_ESTAB_RESETS,
	TS_CTR_LISTEN_OVERFLOWS,
	TS_CTR_LISTEN_DROPS,
	TS_CTR_REQ_Q_FULL_DROP,
	TS_CTR_SYNCOOKIES_SENT,
	TS_CTR_SYNCOOKIES_RECV,
	TS_CTR_SYNCOOKIES_FAILED,
	TS_CTR_TIME_WAIT_OVERFLOW,
	TS_CTR_TW,
	TS_CTR_TW_KILLED,
	TS_CTR_TW_RECYCLED,
	TS_CTR_ABORT_ON_TIMEOUT,
	TS_CTR_ABORT_ON_CLOSE,
	TS_NR_COUNTERS
};

/* Summed over the netns counted. */
struct tcpstates_counters {
	u64 value[TS_NR_COUNTERS];
};

const char *tcpstates_counter_name(enum tcpstates_counter counter);
unsigned long tcpstates_counter_read(const struct net *net,
				     enum tcpstates_counter counter);
void tcpstates_counters_add(struct tcpstates_counters *sum,
			    const struct net *net);

#endif /* _TCPSTATES_COUNTERS_H */
