/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One buffer kept from the last reader for the next: `cat` opens the file
 * for every read, and kernels built with init_on_alloc (Debian's) clear
 * every allocation. A slot holds buffers of one size; what a kept buffer
 * holds is its caller's business.
 */
#ifndef _TCPSTATES_SPARE_H
#define _TCPSTATES_SPARE_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/slab.h>

/* The buffer kept in @slot, now the caller's alone, or NULL. */
static inline void *ts_spare_take(void **slot)
{
	return xchg(slot, NULL);
}

/* Keep @buf in @slot if it is empty; free it otherwise. */
static inline void ts_spare_keep(void **slot, void *buf)
{
	if (buf && cmpxchg(slot, NULL, buf))
		kvfree(buf);
}

/* On unload, once no reader is left. */
static inline void ts_spare_free(void **slot)
{
	kvfree(xchg(slot, NULL));
}

#endif /* _TCPSTATES_SPARE_H */
