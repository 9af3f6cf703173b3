/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_PARSE_H
#define _TCPSTATES_PARSE_H

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
 * it with -EINVAL (-ENOMEM) and say why in *why; a refused value may have
 * written part of the output, so parse into a copy.
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

int tcpstates_parse_word(const char *val, char *buf, size_t size);
int tcpstates_parse_bool(const char *val, bool *on, const char **why);
int tcpstates_parse_number(const char *val, u32 max, u32 *out,
			   const char **why);

int tcpstates_parse_ports(const char *val, struct tcpstates_ports *ports,
			  const char **why);
int tcpstates_print_ports(char *buf, size_t size,
			  const struct tcpstates_ports *ports);

int tcpstates_parse_cidrs(const char *val, struct tcpstates_cidrs *cidrs,
			  const char **why);
int tcpstates_print_cidrs(char *buf, size_t size,
			  const struct tcpstates_cidrs *cidrs);

int tcpstates_parse_states(const char *val, u16 *mask, const char **why);
int tcpstates_print_states(char *buf, size_t size, u16 mask);

/* Every state: the "all" value of the states knob. */
#define TS_ALL_STATES ((u16)((1U << TS_NR_STATES) - 1))

#endif /* _TCPSTATES_PARSE_H */
