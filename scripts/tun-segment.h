/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One TCP segment as a scripted peer writes it to a tun device (IFF_NO_PI):
 * an IPv4 or IPv6 header, a TCP header without options, both checksums.
 * Shared by the state lab and the guest's population builder
 * (tests/helpers/population.c).
 */
#ifndef TUN_SEGMENT_H
#define TUN_SEGMENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define TUN_SEGMENT_MAX	(sizeof(struct ip6_hdr) + sizeof(struct tcphdr))

/* The Internet checksum (RFC 1071): add 16-bit words, fold at the end. */
static inline uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/*
 * Fill @pkt (TUN_SEGMENT_MAX bytes) with a segment from @src:@sport to
 * @dst:@dport; @src and @dst are in network order, 4 or 16 bytes as
 * @family says. Returns the segment's length.
 */
static inline size_t tun_segment(uint8_t *pkt, int family, const void *src,
				 const void *dst, uint16_t sport, uint16_t dport,
				 uint32_t seq, uint32_t ack, uint8_t flags,
				 uint16_t window)
{
	struct tcphdr *th;
	uint32_t sum = 0;
	size_t iplen;

	memset(pkt, 0, TUN_SEGMENT_MAX);
	if (family == AF_INET) {
		struct ip *ip = (struct ip *)pkt;

		iplen = sizeof(*ip);
		ip->ip_v = 4;
		ip->ip_hl = 5;
		ip->ip_len = htons(iplen + sizeof(*th));
		ip->ip_ttl = 64;
		ip->ip_p = IPPROTO_TCP;
		memcpy(&ip->ip_src, src, 4);
		memcpy(&ip->ip_dst, dst, 4);
		ip->ip_sum = csum_fold(csum_add(0, ip, iplen));
		sum = csum_add(sum, &ip->ip_src, 8);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)pkt;

		iplen = sizeof(*ip6);
		ip6->ip6_flow = htonl(6U << 28);
		ip6->ip6_plen = htons(sizeof(*th));
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, src, 16);
		memcpy(&ip6->ip6_dst, dst, 16);
		sum = csum_add(sum, &ip6->ip6_src, 32);
	}
	th = (struct tcphdr *)(pkt + iplen);
	th->th_sport = htons(sport);
	th->th_dport = htons(dport);
	th->th_seq = htonl(seq);
	th->th_ack = htonl(ack);
	th->th_off = 5;
	th->th_flags = flags;
	th->th_win = htons(window);
	/* The pseudo-header: addresses (above), protocol, TCP length. */
	sum += IPPROTO_TCP + sizeof(*th);
	th->th_sum = csum_fold(csum_add(sum, th, sizeof(*th)));
	return iplen + sizeof(*th);
}

#endif /* TUN_SEGMENT_H */
