/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_WALK_H
#define _TCPSTATES_WALK_H

#include <linux/types.h>

#include "tcpstates.h"

struct net;
struct tcpstates_config;
struct tcpstates_owners;
struct tcpstates_scope;
struct tcpstates_walk;

struct tcpstates_walk *tcpstates_walk_alloc(void);
void tcpstates_walk_free(struct tcpstates_walk *w);
void tcpstates_walk_exit(void);
int tcpstates_walk(struct tcpstates_walk *w,
		   const struct tcpstates_config *cfg, struct net *reader,
		   bool privileged);
void tcpstates_walk_end(struct tcpstates_walk *w);

const struct tcpstates_scope *tcpstates_walk_scope(const struct tcpstates_walk *w);
const struct tcpstates_result *tcpstates_walk_result(const struct tcpstates_walk *w);
const u32 *tcpstates_walk_ports(const struct tcpstates_walk *w,
				enum tcpstates_state state);

struct tcpstates_owners *tcpstates_walk_owners(struct tcpstates_walk *w);

#endif /* _TCPSTATES_WALK_H */
