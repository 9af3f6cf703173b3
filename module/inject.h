/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_INJECT_H
#define _TCPSTATES_INJECT_H

#include <linux/types.h>

/*
 * Faults injected by the tests, on kernels with fault injection in
 * debugfs; elsewhere these cost nothing.
 */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
bool tcpstates_inject_stray(void);
void tcpstates_inject_init(void);
void tcpstates_inject_exit(void);
#else
static inline bool tcpstates_inject_stray(void)
{
	return false;
}

static inline void tcpstates_inject_init(void)
{
}

static inline void tcpstates_inject_exit(void)
{
}
#endif

#endif /* _TCPSTATES_INJECT_H */
