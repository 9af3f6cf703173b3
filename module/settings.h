/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_SETTINGS_H
#define _TCPSTATES_SETTINGS_H

#include <linux/types.h>

struct net;
struct seq_file;

/* The populations the kernel bounds, next to their bounds. */
struct tcpstates_limits {
	int timewait;		/* both substates, as sockstat counts them */
	int max_tw_buckets;
	int orphans;		/* host-wide */
	unsigned long aborted_on_memory; /* TCPAbortOnMemory, this netns */
	int syncookies;
};

void tcpstates_read_limits(struct net *net, struct tcpstates_limits *lim);
void tcpstates_show_settings(struct seq_file *m, const struct net *net,
			     const struct tcpstates_limits *lim);

#endif /* _TCPSTATES_SETTINGS_H */
