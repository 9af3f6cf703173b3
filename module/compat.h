/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcpstates builds for. Each switch is set
 * by a header probe in module/Kbuild.probes, never by a version number,
 * because distribution kernels backport freely.
 */
#ifndef _TCPSTATES_COMPAT_H
#define _TCPSTATES_COMPAT_H

#include <net/sock.h>

/*
 * Until "tcp: Unlink sk from bhash" (v6.8) sockets were on both bind tables
 * and bhash2 owners were linked through sk_bind2_node; since then bhash2 is
 * the only owner list and uses sk_bind_node.
 */
#ifdef TCPSTATES_HAVE_SK_BIND2_NODE
#define ts_sk_for_each_bhash2_owner(sk, list) sk_for_each_bound_bhash2(sk, list)
#else
#define ts_sk_for_each_bhash2_owner(sk, list) sk_for_each_bound(sk, list)
#endif

#endif /* _TCPSTATES_COMPAT_H */
