/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_DESTINATIONS_H
#define _TCPSTATES_DESTINATIONS_H

#include <linux/types.h>

#include "tcpstates.h"

struct net;
struct seq_file;
struct sock;
struct tcpstates_destinations;

/* What tcpstates_destinations_count() returns for a socket not counted. */
#define TS_DESTINATION_NONE U16_MAX

struct tcpstates_destinations *tcpstates_destinations_alloc(void);
void tcpstates_destinations_free(struct tcpstates_destinations *d);
void tcpstates_destinations_reset(struct tcpstates_destinations *d);
unsigned int tcpstates_destinations_count(struct tcpstates_destinations *d,
					  struct net *net,
					  const struct sock *sk, int family);
void tcpstates_destinations_uncount(struct tcpstates_destinations *d,
				    unsigned int slot);

unsigned int tcpstates_destinations_top(const struct tcpstates_destinations *d,
					unsigned int top,
					struct tcpstates_destination *out);
u32 tcpstates_destination_range(const struct tcpstates_destination *dst);
void tcpstates_show_destination_address(struct seq_file *m,
					const struct tcpstates_destination *dst);
void tcpstates_show_destination(struct seq_file *m,
				const struct tcpstates_destination *dst);

#endif /* _TCPSTATES_DESTINATIONS_H */
