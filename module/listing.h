/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_LISTING_H
#define _TCPSTATES_LISTING_H

#include <linux/types.h>

struct inet_hashinfo;
struct net;
struct seq_file;
struct sock;

/* Where the listing stands: the socket at @offset in @bucket of @table. */
struct tcpstates_cursor {
	struct net *net;
	struct inet_hashinfo *hashinfo;
	int table;
	unsigned int bucket;
	unsigned int offset;
};

struct sock *tcpstates_cursor_first(struct tcpstates_cursor *c,
				    struct net *net);
struct sock *tcpstates_cursor_next(struct tcpstates_cursor *c);
struct sock *tcpstates_cursor_again(struct tcpstates_cursor *c);
void tcpstates_cursor_put(struct sock *sk);
void tcpstates_show_socket(struct seq_file *m, struct sock *sk,
			   const struct net *net);

#endif /* _TCPSTATES_LISTING_H */
