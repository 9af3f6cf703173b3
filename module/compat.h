/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcpstates builds for. Each switch is set
 * by a header probe in module/Kbuild.probes, never by a version number,
 * because distribution kernels backport freely.
 */
#ifndef _TCPSTATES_COMPAT_H
#define _TCPSTATES_COMPAT_H

#include <linux/cgroup.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

/*
 * The bind table whose buckets list a port's owners, and the node that
 * links them:
 * - before bhash2 (v6.1): bhash, every socket and timewait sock on
 *   sk_bind_node (tw_bind_node is the same field);
 * - until "tcp: Unlink sk from bhash" (v6.8): bhash2, owners on
 *   sk_bind2_node, timewait socks apart on the bucket's deathrow;
 * - since: bhash2, every socket and timewait sock on sk_bind_node.
 * A kernel with bhash2 in neither form is one this module has not been
 * taught: refuse to guess the node's offset.
 */
#if !defined(TCPSTATES_HAVE_BHASH2)
#define ts_bind_bucket inet_bind_bucket
#define ts_bind_owner_node sk_bind_node
#elif defined(TCPSTATES_HAVE_SK_BIND2_NODE)
#define ts_bind_bucket inet_bind2_bucket
#define ts_bind_owner_node sk_bind2_node
#elif defined(TCPSTATES_HAVE_BHASH2_OWNS_ALL)
#define ts_bind_bucket inet_bind2_bucket
#define ts_bind_owner_node sk_bind_node
#else
#error "unknown bhash2 owner list: neither sk_bind2_node nor a bhash2-only bind table"
#endif

static inline struct inet_bind_hashbucket *
ts_bind_table(const struct inet_hashinfo *h)
{
#ifdef TCPSTATES_HAVE_BHASH2
	return h->bhash2;
#else
	return h->bhash;
#endif
}

static inline struct net *ts_bind_bucket_net(struct ts_bind_bucket *tb)
{
#ifdef TCPSTATES_HAVE_BHASH2
	return ib2_net(tb);
#else
	return ib_net(tb);
#endif
}

/* The bind bucket an owner is linked to; NULL once it is unbound. */
static inline const struct ts_bind_bucket *
ts_bind_bucket_of(const struct sock *sk)
{
	bool timewait = READ_ONCE(sk->sk_state) == TCP_TIME_WAIT;

#ifdef TCPSTATES_HAVE_BHASH2
	return timewait ? inet_twsk(sk)->tw_tb2 : inet_csk(sk)->icsk_bind2_hash;
#else
	return timewait ? inet_twsk(sk)->tw_tb : inet_csk(sk)->icsk_bind_hash;
#endif
}

/*
 * The table of listeners, a nulls list on sk_nulls_node each: lhash2, by
 * address and port, since "inet: Remove the listening_hash" (v5.19);
 * before, listening_hash's 32 buckets by port. Either way a bucket's nulls
 * value is its index plus LISTENING_NULLS_BASE.
 */
#if defined(TCPSTATES_HAVE_LHASH2_PORTADDR_NODE) && \
	!defined(TCPSTATES_HAVE_LISTENING_HASH)
#error "lhash2 is a plain list and there is no listening_hash: no nulls list to walk"
#endif

static inline unsigned int ts_listen_buckets(const struct inet_hashinfo *h)
{
#ifdef TCPSTATES_HAVE_LISTENING_HASH
	return INET_LHTABLE_SIZE;
#else
	return h->lhash2_mask + 1;
#endif
}

static inline struct hlist_nulls_head *
ts_listen_chain(struct inet_hashinfo *h, unsigned int bucket)
{
#ifdef TCPSTATES_HAVE_LISTENING_HASH
	return &h->listening_hash[bucket].nulls_head;
#else
	return &h->lhash2[bucket].nulls_head;
#endif
}

/* The nulls value that ends a listeners' bucket. */
static inline unsigned long ts_listen_nulls(unsigned int bucket)
{
	return bucket + LISTENING_NULLS_BASE;
}

#ifdef TCPSTATES_HAVE_LISTENING_HASH
/* The bucket a listener is hashed to, as inet_hash() chooses it. */
static inline unsigned int ts_listen_bucket_of(const struct inet_hashinfo *h,
					       const struct sock *sk)
{
	return inet_lhashfn(sock_net(sk), READ_ONCE(sk->sk_num));
}
#else
/* A listener's lhash2 hash, as inet_lhash2_bucket_sk() computes it. */
static inline u32 ts_listener_hash(const struct sock *sk)
{
	const struct net *net = sock_net(sk);
	u16 port = READ_ONCE(sk->sk_num);
#if IS_ENABLED(CONFIG_IPV6)
	struct in6_addr addr;
	int i;

	if (READ_ONCE(sk->sk_family) == AF_INET6) {
		for (i = 0; i < 4; i++)
			addr.s6_addr32[i] = READ_ONCE(sk->sk_v6_rcv_saddr.s6_addr32[i]);
		return ipv6_portaddr_hash(net, &addr, port);
	}
#endif
	return ipv4_portaddr_hash(net, READ_ONCE(sk->sk_rcv_saddr), port);
}

/* The bucket a listener is hashed to, as inet_hash() chooses it. */
static inline unsigned int ts_listen_bucket_of(const struct inet_hashinfo *h,
					       const struct sock *sk)
{
	return ts_listener_hash(sk) & h->lhash2_mask;
}
#endif

/* Whether a netns has an ehash of its own (v6.1), not the global one. */
static inline bool ts_ehash_is_pernet(const struct inet_hashinfo *h)
{
#ifdef TCPSTATES_HAVE_PERNET_EHASH
	return h->pernet;
#else
	return false;
#endif
}

/* A netns's timewait socks: tw_refcount (v5.17) also counts the netns. */
static inline int ts_timewait_count(const struct inet_timewait_death_row *dr)
{
#ifdef TCPSTATES_HAVE_TW_REFCOUNT
	return refcount_read(&dr->tw_refcount) - 1;
#else
	return atomic_read(&dr->tw_count);
#endif
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

/*
 * The cgroup (v2) a socket was made in, with a reference of our own, and
 * its path as a reader in @ns sees it; none where the kernel keeps no
 * socket's cgroup (no CONFIG_SOCK_CGROUP_DATA). The socket holds its
 * cgroup, and the caller holds the socket.
 */
struct cgroup;
struct cgroup_namespace;

#ifdef CONFIG_SOCK_CGROUP_DATA
#define TS_HAVE_SOCK_CGROUP true
static inline struct cgroup *ts_sock_cgroup_get(struct sock *sk)
{
	struct cgroup *cgroup = sock_cgroup_ptr(&sk->sk_cgrp_data);

	if (cgroup)
		cgroup_get(cgroup);
	return cgroup;
}

static inline void ts_cgroup_put(struct cgroup *cgroup)
{
	cgroup_put(cgroup);
}

static inline int ts_cgroup_path(struct cgroup *cgroup, char *buf, size_t size,
				 struct cgroup_namespace *ns)
{
	return cgroup_path_ns(cgroup, buf, size, ns);
}
#else
#define TS_HAVE_SOCK_CGROUP false
static inline struct cgroup *ts_sock_cgroup_get(struct sock *sk)
{
	return NULL;
}

static inline void ts_cgroup_put(struct cgroup *cgroup)
{
}

static inline int ts_cgroup_path(struct cgroup *cgroup, char *buf, size_t size,
				 struct cgroup_namespace *ns)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _TCPSTATES_COMPAT_H */
