/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_OWNERS_H
#define _TCPSTATES_OWNERS_H

#include <linux/types.h>

#include "tcpstates.h"

struct seq_file;
struct sock;
struct tcpstates_owners;

struct tcpstates_owners *tcpstates_owners_alloc(void);
void tcpstates_owners_free(struct tcpstates_owners *o);
void tcpstates_owners_reset(struct tcpstates_owners *o,
			    enum tcpstates_owners_by by);
unsigned int tcpstates_owners_count(struct tcpstates_owners *o,
				    struct sock *sk, unsigned int state);
void tcpstates_owners_uncount(struct tcpstates_owners *o, unsigned int slot,
			      unsigned int state);

void tcpstates_owners_show(struct seq_file *m, struct tcpstates_owners *o,
			   unsigned int top);
void tcpstates_owners_show_most(struct seq_file *m,
				struct tcpstates_owners *o, unsigned int state);

#endif /* _TCPSTATES_OWNERS_H */
