/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_FILTER_H
#define _TCPSTATES_FILTER_H

#include <linux/in6.h>
#include <linux/types.h>

#include "tcpstates.h"

/* Entries in one list knob (lports, rports, laddrs, raddrs). */
#define TS_FILTER_MAX 64

struct tcpstates_port_range {
	u16 lo;
	u16 hi;
};

/*
 * An empty list (n == 0) is "all". Parsers take the value whole or refuse
 * it with -EINVAL and say why in *why; they write their output only on
 * success.
 */
struct tcpstates_ports {
	unsigned int n;
	struct tcpstates_port_range range[TS_FILTER_MAX];
};

struct tcpstates_cidr {
	u8 family;		/* enum tcpstates_family */
	u8 prefix;
	struct in6_addr addr;	/* IPv4 in s6_addr32[0] */
};

struct tcpstates_cidrs {
	unsigned int n;
	struct tcpstates_cidr cidr[TS_FILTER_MAX];
};

int tcpstates_parse_ports(const char *val, struct tcpstates_ports *ports,
			  const char **why);
int tcpstates_print_ports(char *buf, size_t size,
			  const struct tcpstates_ports *ports);
bool tcpstates_ports_match(const struct tcpstates_ports *ports, u16 port);

int tcpstates_parse_cidrs(const char *val, struct tcpstates_cidrs *cidrs,
			  const char **why);
int tcpstates_print_cidrs(char *buf, size_t size,
			  const struct tcpstates_cidrs *cidrs);
bool tcpstates_cidrs_match(const struct tcpstates_cidrs *cidrs, int family,
			   const struct in6_addr *addr);

int tcpstates_parse_states(const char *val, u16 *mask, const char **why);
int tcpstates_print_states(char *buf, size_t size, u16 mask);

/* Every state: the "all" value of the states knob. */
#define TS_ALL_STATES ((u16)((1U << TS_NR_STATES) - 1))

#endif /* _TCPSTATES_FILTER_H */
