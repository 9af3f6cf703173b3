/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_LISTING_H
#define _TCPSTATES_LISTING_H

#include <linux/types.h>

struct seq_file;
struct sock;
struct tcpstates_walk;

/*
 * Where the listing stands: the socket at @offset in @bucket of @table,
 * where table 0 is lhash2 and table n the scope's n-th ehash.
 */
struct tcpstates_cursor {
	const struct tcpstates_walk *walk;
	unsigned int table;
	unsigned int bucket;
	unsigned int offset;
};

struct sock *tcpstates_cursor_first(struct tcpstates_cursor *c,
				    const struct tcpstates_walk *walk);
struct sock *tcpstates_cursor_next(struct tcpstates_cursor *c);
struct sock *tcpstates_cursor_again(struct tcpstates_cursor *c);
void tcpstates_cursor_put(struct sock *sk);
void tcpstates_show_socket(struct seq_file *m, struct sock *sk,
			   const struct tcpstates_walk *walk);

#endif /* _TCPSTATES_LISTING_H */
