/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_FILTER_H
#define _TCPSTATES_FILTER_H

#include <linux/types.h>

struct sock;
struct tcpstates_config;

bool tcpstates_filtering(const struct tcpstates_config *cfg);
bool tcpstates_filter_match(const struct tcpstates_config *cfg,
			    const struct sock *sk, unsigned int state,
			    unsigned int family, u16 lport);

#endif /* _TCPSTATES_FILTER_H */
