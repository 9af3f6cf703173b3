/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcpstates builds for. Each switch is set
 * by a header probe in module/Kbuild.probes, never by a version number,
 * because distribution kernels backport freely.
 */
#ifndef _TCPSTATES_COMPAT_H
#define _TCPSTATES_COMPAT_H

#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

/*
 * Until "tcp: Unlink sk from bhash" (v6.8) sockets were on both bind tables
 * and bhash2 owners were linked through sk_bind2_node, with timewait socks
 * apart on the bucket's deathrow; since then bhash2 is the only owner list,
 * timewait socks included, linked through sk_bind_node. A kernel with
 * neither form is one this module has not been taught: refuse to guess
 * the node's offset.
 */
#if defined(TCPSTATES_HAVE_SK_BIND2_NODE)
#define ts_bhash2_owner_node sk_bind2_node
#elif defined(TCPSTATES_HAVE_BHASH2_OWNS_ALL)
#define ts_bhash2_owner_node sk_bind_node
#else
#error "unknown bhash2 owner list: neither sk_bind2_node nor a bhash2-only bind table"
#endif

/* The bhash2 bucket an owner is linked to; NULL once it is unbound. */
static inline const struct inet_bind2_bucket *
ts_bind2_bucket_of(const struct sock *sk)
{
	if (READ_ONCE(sk->sk_state) == TCP_TIME_WAIT)
		return inet_twsk(sk)->tw_tb2;
	return inet_csk(sk)->icsk_bind2_hash;
}

/*
 * The keepalive timer, which also runs the long orphaned-FIN_WAIT2 timeout,
 * moved out of sk_timer (v6.19, backported to 6.1.191 and 6.12.112).
 */
static inline const struct timer_list *ts_keepalive_timer(const struct sock *sk)
{
#ifdef TCPSTATES_HAVE_ICSK_KEEPALIVE_TIMER
	return &inet_csk(sk)->icsk_keepalive_timer;
#else
	return &sk->sk_timer;
#endif
}

/* v6.15 replaced the icsk_timeout field with the retransmit timer's expiry. */
static inline unsigned long ts_icsk_timeout(const struct inet_connection_sock *icsk)
{
#ifdef TCPSTATES_HAVE_ICSK_TIMEOUT_FIELD
	return READ_ONCE(icsk->icsk_timeout);
#else
	return READ_ONCE(icsk->icsk_retransmit_timer.expires);
#endif
}

#endif /* _TCPSTATES_COMPAT_H */
