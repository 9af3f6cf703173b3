/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_HINTS_H
#define _TCPSTATES_HINTS_H

struct seq_file;
struct tcpstates_counters;
struct tcpstates_limits;
struct tcpstates_owners;
struct tcpstates_result;

void tcpstates_show_hints(struct seq_file *m,
			  const struct tcpstates_result *res,
			  const struct tcpstates_limits *lim,
			  const struct tcpstates_counters *ctr,
			  struct tcpstates_owners *owners);

#endif /* _TCPSTATES_HINTS_H */
