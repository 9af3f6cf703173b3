/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_KNOBS_H
#define _TCPSTATES_KNOBS_H

#include <linux/types.h>

#include "parse.h"

enum tcpstates_netns_mode {
	TS_NETNS_SELF,		/* the reader's own netns */
	TS_NETNS_ALL,		/* every netns, summed and one by one */
	TS_NETNS_INODE,		/* the netns with inode @netns_inum */
};

/*
 * Every knob, as one immutable set. Writers publish a whole new set through
 * RCU; a reader copies the set once per read, so it sees all of a change or
 * none of it.
 */
struct tcpstates_config {
	enum tcpstates_netns_mode netns;
	unsigned int netns_inum;
	u8 families;			/* BIT(enum tcpstates_family) */
	u16 states;			/* BIT(enum tcpstates_state) */
	struct tcpstates_ports lports;
	struct tcpstates_ports rports;
	struct tcpstates_cidrs laddrs;
	struct tcpstates_cidrs raddrs;
	unsigned int top_ports;		/* busiest local ports per state */
	unsigned int top_listeners;	/* fullest listeners */
	unsigned int top_destinations;	/* fullest port ranges */
	bool timers;			/* read each socket's timer */
	bool ages;			/* and how long it has been there */
	u8 owners;			/* enum tcpstates_owners_by */
	unsigned int top_owners;	/* owners shown per state */
	unsigned int list_sockets;	/* per-socket lines, at most; 0: off */
};

/* Ports shown per state by top_ports, at most. */
#define TS_TOP_PORTS_MAX 64

#define TS_ALL_FAMILIES ((u8)(BIT(TS_IPV4) | BIT(TS_IPV6)))

/* Room for every knob in canonical form, on one line. */
#define TS_CONFIG_TEXT_MAX (16 * 1024)

void tcpstates_config_get(struct tcpstates_config *snapshot);
int tcpstates_config_print(char *buf, size_t size,
			   const struct tcpstates_config *cfg);

#endif /* _TCPSTATES_KNOBS_H */
