// SPDX-License-Identifier: GPL-2.0
/*
 * diag: the kernel's own count of bound-only TCP sockets, per family, from
 * inet_diag's bound-inactive dump (Linux 6.8+). /proc/net/tcp never lists
 * them, so this is the CLOSED oracle where the kernel has one.
 *
 * Prints "ipv4 N ipv6 M", or "unsupported" when the kernel ignores the
 * request (it then reports nothing even for a socket we bind ourselves).
 */

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_BOUND_INACTIVE 13

static long dump(int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.req = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1U << TCP_BOUND_INACTIVE,
		},
	};
	static char buf[65536];
	long count = 0;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	if (fd < 0 || send(fd, &msg, sizeof(msg), 0) < 0)
		return -1;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (len <= 0)
			break;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return count;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				close(fd);
				return -1;
			}
			count++;
		}
	}
	close(fd);
	return -1;
}

/* Does this kernel dump bound-inactive sockets? Bind one and look. */
static int supported(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return 0;
	n = dump(AF_INET);
	close(fd);
	return n > 0;
}

int main(void)
{
	long v4, v6;

	if (!supported()) {
		printf("unsupported\n");
		return 0;
	}
	v4 = dump(AF_INET);
	v6 = dump(AF_INET6);
	if (v4 < 0 || v6 < 0) {
		perror("diag");
		return 1;
	}
	printf("ipv4 %ld ipv6 %ld\n", v4, v6);
	return 0;
}
