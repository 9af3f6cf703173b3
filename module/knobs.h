/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_KNOBS_H
#define _TCPSTATES_KNOBS_H

#include <linux/types.h>

/*
 * Every knob, as one immutable set. Writers publish a whole new set through
 * RCU; a reader copies the set once per read, so it sees all of a change or
 * none of it.
 */
struct tcpstates_config {
	bool timers;			/* read each socket's timer */
	unsigned int list_sockets;	/* per-socket lines, at most; 0: off */
};

void tcpstates_config_get(struct tcpstates_config *snapshot);
void tcpstates_knobs_exit(void);

#endif /* _TCPSTATES_KNOBS_H */
