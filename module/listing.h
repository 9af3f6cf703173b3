/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_LISTING_H
#define _TCPSTATES_LISTING_H

#include <linux/types.h>

struct seq_file;
struct sock;
struct tcpstates_config;
struct tcpstates_scope;

/*
 * Sockets taken from a bucket in one pass. A bucket with more matches is
 * taken in several batches, each going on after the last one served.
 */
#define TS_LIST_BATCH 64

/*
 * Where the listing stands: in @bucket of @table (0 is lhash2, n the
 * scope's n-th ehash), at entry @cur of a batch of @end sockets taken from
 * it. While a read runs, the batch's unserved sockets are held with a
 * reference; between reads only their cookies are kept, to find the place
 * again.
 */
struct tcpstates_cursor {
	const struct tcpstates_scope *scope;
	const struct tcpstates_config *cfg;
	unsigned int table;
	unsigned int bucket;
	unsigned int cur;		/* the next entry to serve */
	unsigned int end;		/* entries taken, 0 before a bucket */
	bool held;			/* sk[cur..end) hold references */
	bool more;			/* the bucket had matches past the batch */
	struct sock *sk[TS_LIST_BATCH];
	u64 cookie[TS_LIST_BATCH];
};

void tcpstates_cursor_init(struct tcpstates_cursor *c,
			   const struct tcpstates_scope *sc,
			   const struct tcpstates_config *cfg);
struct sock *tcpstates_cursor_get(struct tcpstates_cursor *c);
void tcpstates_cursor_advance(struct tcpstates_cursor *c);
void tcpstates_cursor_release(struct tcpstates_cursor *c);
void tcpstates_show_socket(struct seq_file *m, struct sock *sk,
			   const struct tcpstates_scope *sc,
			   const struct tcpstates_config *cfg);

#endif /* _TCPSTATES_LISTING_H */
