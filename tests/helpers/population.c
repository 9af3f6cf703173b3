// SPDX-License-Identifier: GPL-2.0
/*
 * population: build many TCP sockets cheaply, for the benchmark and the
 * scale test, by playing every remote peer on a tun device.
 *
 *   population [N]     build N sockets, then read commands on stdin
 *   population -1 [N]  the same, but every connection of a class goes to
 *                      that class's first IPv4 listener (ports 20000, 21000,
 *                      22000): one port's bind bucket holds them all. The
 *                      listeners' backlog (and somaxconn) is then 2^24.
 *
 * The local side is 192.0.2.1 and 2001:db8::1 on tun "tsb0"; the peers are
 * 198.51.100.0/24 and 2001:db8:1::/64, every fourth socket IPv6. The mix:
 *   LISTEN       288 listeners (48 per class and family, below)
 *   ESTABLISHED  half the rest: SYN, SYN-ACK, ACK to an "est" listener;
 *                the child waits in the accept queue, holding no fd
 *   TIME_WAIT    30%: the same to a "tw" listener, then accept() and
 *                close(): the local side's FIN is answered by FIN+ACK
 *   SYN_RECV     20%: a SYN to a "syn" listener, never acknowledged
 * TIME_WAIT lasts 60 s; a bare in-window ACK re-arms it without a reply,
 * so the peer refreshes every TIME_WAIT socket every 45 s ("refresh" does
 * it at once). Request socks live long with tcp_synack_retries=30.
 *
 * Commands, one per line on stdin; each answers one line on stdout:
 *   grow N      build up to N sockets in all -> "built ..."
 *   add CLASS N build N more of one class (est, tw or syn) -> "built ..."
 *   refresh     re-arm every TIME_WAIT now  -> "refreshed ..."
 *   quit
 * At EOF on stdin it keeps its sockets until killed. The totals it prints
 * are what it asked for; the kernel's tables are the truth.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../scripts/tun-segment.h"

#define TUN_NAME	"tsb0"
#define NLISTEN		48	/* per class and family */
#define PORT_EST	20000
#define PORT_TW		21000
#define PORT_SYN	22000
#define BATCH		2000
#define OUR_ISN		0x10000000u
#define REFRESH_S	45
#define PEER_PORTS	64000
#define ONE_PORT_BACKLOG (1 << 24)	/* beyond the 254 * 64000 IPv4 peers */

enum { C_EST, C_TW, C_SYN, NCLASS };

struct tw_rec {
	uint8_t v6;
	uint16_t lport, rport;	/* host order */
	uint32_t ack;		/* the local side's FIN seq + 1 */
	uint8_t raddr[16];
};

static int tun;
static int lfds[NCLASS][2][NLISTEN];
static uint32_t next_peer;	/* peer tuple counter */
static long built[NCLASS];
static struct tw_rec *tws;
static size_t ntw, captw;
static double last_refresh;
static int one_port;		/* -1: one listener per class, IPv4 only */

static void fail(const char *what)
{
	fprintf(stderr, "population: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		fprintf(stderr, "population: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void run(const char *cmd)
{
	if (system(cmd))
		fprintf(stderr, "population: failed: %s\n", cmd);
}

/*
 * A new IPv6 address is tentative until addrconf's work item has run, even
 * where DAD is skipped, and bind() to it fails until then: wait until it
 * binds, for up to 3 s.
 */
static void wait_addr6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int i, fd, err = 0;

	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	for (i = 0; i < 300; i++) {
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		if (fd < 0)
			fail("socket6");
		err = bind(fd, (void *)&a, sizeof(a)) ? errno : 0;
		close(fd);
		if (err != EADDRNOTAVAIL)
			return;
		usleep(10000);
	}
	errno = err;
	fail("2001:db8::1 stays tentative");
}

static void setup_tun(void)
{
	struct ifreq ifr;
	int s;

	put_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	if (tun < 0)
		fail("/dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strcpy(ifr.ifr_name, TUN_NAME);
	if (ioctl(tun, TUNSETIFF, &ifr))
		fail("TUNSETIFF");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ifr.ifr_qlen = 4 * BATCH + 4096;
	if (ioctl(s, SIOCSIFTXQLEN, &ifr))
		fail("SIOCSIFTXQLEN");
	close(s);
	run("ip link set " TUN_NAME " up && "
	    "ip addr add 192.0.2.1/24 dev " TUN_NAME " && "
	    "ip route add 198.51.100.0/24 dev " TUN_NAME " && "
	    "ip -6 addr add 2001:db8::1/64 dev " TUN_NAME " && "
	    "ip -6 route add 2001:db8:1::/64 dev " TUN_NAME);
	wait_addr6();
}

static void setup_sysctls(void)
{
	put_sysctl("/proc/sys/net/ipv4/tcp_syncookies", "0");
	put_sysctl("/proc/sys/net/ipv4/tcp_max_syn_backlog", "4194304");
	put_sysctl("/proc/sys/net/core/somaxconn",
		   one_port ? "16777216" : "65535");
	put_sysctl("/proc/sys/net/ipv4/tcp_max_tw_buckets", "4194304");
	put_sysctl("/proc/sys/net/ipv4/tcp_max_orphans", "4194304");
	put_sysctl("/proc/sys/net/ipv4/tcp_synack_retries", "30");
}

static void setup_listeners(void)
{
	static const int base[NCLASS] = { PORT_EST, PORT_TW, PORT_SYN };
	int c, f, i, one = 1;

	for (c = 0; c < NCLASS; c++)
		for (f = 0; f < 2; f++)
			for (i = 0; i < NLISTEN; i++) {
				struct sockaddr_in a4 = { .sin_family = AF_INET };
				struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
				int fd = socket(f ? AF_INET6 : AF_INET,
						SOCK_STREAM | SOCK_NONBLOCK, 0);

				if (fd < 0)
					fail("socket");
				setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
				if (f) {
					setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
					inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
					a6.sin6_port = htons(base[c] + i);
					if (bind(fd, (void *)&a6, sizeof(a6)))
						fail("bind6");
				} else {
					a4.sin_addr.s_addr = htonl(0xc0000201);
					a4.sin_port = htons(base[c] + i);
					if (bind(fd, (void *)&a4, sizeof(a4)))
						fail("bind");
				}
				if (listen(fd, one_port ? ONE_PORT_BACKLOG : 65535))
					fail("listen");
				lfds[c][f][i] = fd;
			}
}

/* --- packets ------------------------------------------------------------ */

struct tuple {
	int v6;
	uint8_t laddr[16], raddr[16];	/* network order */
	uint16_t lport, rport;		/* host order */
};

/* A segment from the peer (raddr:rport) to us (laddr:lport), no options. */
static void send_seg(const struct tuple *t, uint32_t seq, uint32_t ack,
		     uint8_t flags)
{
	uint8_t pkt[TUN_SEGMENT_MAX];
	size_t len;

	len = tun_segment(pkt, t->v6 ? AF_INET6 : AF_INET, t->raddr, t->laddr,
			  t->rport, t->lport, seq, ack, flags, 65535);
	while (write(tun, pkt, len) < 0) {
		if (errno == EINTR)
			continue;
		fail("write tun");
	}
}

static void remember_tw(const struct tuple *t, uint32_t ack)
{
	struct tw_rec *r;

	if (ntw == captw) {
		captw = captw ? 2 * captw : 65536;
		tws = realloc(tws, captw * sizeof(*tws));
		if (!tws)
			fail("realloc");
	}
	r = &tws[ntw++];
	r->v6 = t->v6;
	r->lport = t->lport;
	r->rport = t->rport;
	r->ack = ack;
	memcpy(r->raddr, t->raddr, 16);
}

static int port_class(uint16_t port)
{
	if (port >= PORT_EST && port < PORT_EST + NLISTEN)
		return C_EST;
	if (port >= PORT_TW && port < PORT_TW + NLISTEN)
		return C_TW;
	if (port >= PORT_SYN && port < PORT_SYN + NLISTEN)
		return C_SYN;
	return -1;
}

/* Answer what the local side sent; returns the packets read. */
static long drain(void)
{
	uint8_t pkt[2048], *tcp;
	struct tuple t;
	long n = 0;
	ssize_t len;

	while ((len = read(tun, pkt, sizeof(pkt))) > 0) {
		uint32_t seq, ack;
		uint8_t flags;
		int c;

		n++;
		memset(&t, 0, sizeof(t));
		if ((pkt[0] >> 4) == 6) {
			if (len < 60 || pkt[6] != IPPROTO_TCP)
				continue;
			t.v6 = 1;
			memcpy(t.laddr, pkt + 8, 16);
			memcpy(t.raddr, pkt + 24, 16);
			tcp = pkt + 40;
		} else {
			if (len < 40 || pkt[9] != IPPROTO_TCP)
				continue;
			memcpy(t.laddr, pkt + 12, 4);
			memcpy(t.raddr, pkt + 16, 4);
			tcp = pkt + (pkt[0] & 15) * 4;
		}
		t.lport = ntohs(*(uint16_t *)(tcp + 0));
		t.rport = ntohs(*(uint16_t *)(tcp + 2));
		seq = ntohl(*(uint32_t *)(tcp + 4));
		ack = ntohl(*(uint32_t *)(tcp + 8));
		flags = tcp[13];
		c = port_class(t.lport);
		if (c < 0 || (flags & TH_RST))
			continue;
		if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
			if (c != C_SYN)
				send_seg(&t, OUR_ISN + 1, seq + 1, TH_ACK);
		} else if ((flags & TH_FIN) && c == C_TW) {
			send_seg(&t, ack, seq + 1, TH_FIN | TH_ACK);
			remember_tw(&t, seq + 1);
		}
	}
	if (len < 0 && errno != EAGAIN)
		fail("read tun");
	return n;
}

/* Until the local side has been quiet for @ms. */
static void settle(int ms)
{
	struct pollfd p = { .fd = tun, .events = POLLIN };

	for (;;) {
		drain();
		if (poll(&p, 1, ms) <= 0)
			return;
	}
}

static void next_tuple(int class, struct tuple *t)
{
	static const int base[NCLASS] = { PORT_EST, PORT_TW, PORT_SYN };
	uint32_t g = next_peer++;
	uint32_t host = g / PEER_PORTS;

	memset(t, 0, sizeof(*t));
	t->v6 = !one_port && g % 4 == 3;
	t->rport = 1024 + g % PEER_PORTS;
	t->lport = base[class] + (one_port ? 0 : (g / 7) % NLISTEN);
	if (t->v6) {
		inet_pton(AF_INET6, "2001:db8::1", t->laddr);
		inet_pton(AF_INET6, "2001:db8:1::", t->raddr);
		t->raddr[12] = host >> 24;
		t->raddr[13] = host >> 16;
		t->raddr[14] = host >> 8;
		t->raddr[15] = host + 1;
	} else {
		*(uint32_t *)t->laddr = htonl(0xc0000201);
		/* 198.51.100.1-254; past 254 * 64000 tuples, wrap the ports */
		*(uint32_t *)t->raddr = htonl(0xc6336400 + 1 + host % 254);
		t->rport = 1024 + (g + host / 254) % PEER_PORTS;
	}
}

/* Close every child waiting on the "tw" listeners: each sends its FIN. */
static long close_tw_children(void)
{
	long n = 0;
	int f, i, fd;

	for (f = 0; f < 2; f++)
		for (i = 0; i < NLISTEN; i++)
			while ((fd = accept(lfds[C_TW][f][i], NULL, NULL)) >= 0) {
				close(fd);
				n++;
			}
	return n;
}

static void refresh(int verbose);

static void build(int class, long count)
{
	struct tuple t;
	long done, i;

	for (done = 0; done < count; done += BATCH) {
		long b = count - done < BATCH ? count - done : BATCH;

		for (i = 0; i < b; i++) {
			next_tuple(class, &t);
			send_seg(&t, OUR_ISN, 0, TH_SYN);
		}
		drain();
		if (class == C_TW) {
			close_tw_children();
			drain();
		}
		built[class] += b;
		/* A long build must not let earlier TIME_WAIT sockets expire. */
		if (now_s() - last_refresh >= REFRESH_S)
			refresh(0);
	}
}

/* Up to @target sockets in the usual mix, plus @extra more of each class. */
static void grow(long target, const long *extra)
{
	long want, add[NCLASS];
	double t0 = now_s();
	int c;

	want = target - NCLASS * 2 * NLISTEN;
	if (want < 0)
		want = 0;
	add[C_EST] = want / 2 - built[C_EST];
	add[C_TW] = want * 3 / 10 - built[C_TW];
	add[C_SYN] = want - want / 2 - want * 3 / 10 - built[C_SYN];
	for (c = 0; c < NCLASS; c++)
		add[c] = (add[c] > 0 ? add[c] : 0) + extra[c];
	/* TIME_WAIT last: the shortest-lived are the newest. */
	if (add[C_SYN] > 0)
		build(C_SYN, add[C_SYN]);
	if (add[C_EST] > 0)
		build(C_EST, add[C_EST]);
	if (add[C_TW] > 0)
		build(C_TW, add[C_TW]);
	/*
	 * Until the tun has been quiet for 300 ms and no child of a "tw"
	 * listener is left to close: a few arrive after their batch's
	 * accept, and each close sends a FIN the peer answers.
	 */
	do {
		settle(300);
	} while (close_tw_children());
	printf("built total=%ld listen=%d established=%ld time_wait=%ld syn_recv=%ld tw_acked=%zu secs=%.1f\n",
	       NCLASS * 2L * NLISTEN + built[C_EST] + built[C_TW] + built[C_SYN],
	       NCLASS * 2 * NLISTEN, built[C_EST], built[C_TW], built[C_SYN],
	       ntw, now_s() - t0);
	fflush(stdout);
}

/* A bare in-window ACK re-arms TIME_WAIT's 60 s timer and gets no reply. */
static void refresh(int verbose)
{
	double t0 = now_s();
	struct tuple t;
	size_t i;

	for (i = 0; i < ntw; i++) {
		const struct tw_rec *r = &tws[i];

		memset(&t, 0, sizeof(t));
		t.v6 = r->v6;
		t.lport = r->lport;
		t.rport = r->rport;
		memcpy(t.raddr, r->raddr, 16);
		if (t.v6)
			inet_pton(AF_INET6, "2001:db8::1", t.laddr);
		else
			*(uint32_t *)t.laddr = htonl(0xc0000201);
		send_seg(&t, OUR_ISN + 2, r->ack, TH_ACK);
		if (!(i % 4096))
			drain();
	}
	drain();
	last_refresh = now_s();
	if (verbose) {
		printf("refreshed tw=%zu secs=%.1f\n", ntw, last_refresh - t0);
		fflush(stdout);
	}
}

/* "add est N", "add tw N" or "add syn N"; 0 when it is none of them. */
static int parse_add(const char *arg, long *extra)
{
	static const char *const names[NCLASS] = { "est ", "tw ", "syn " };
	int c;

	for (c = 0; c < NCLASS; c++)
		if (!strncmp(arg, names[c], strlen(names[c]))) {
			memset(extra, 0, NCLASS * sizeof(*extra));
			extra[c] = atol(arg + strlen(names[c]));
			return extra[c] > 0;
		}
	return 0;
}

int main(int argc, char **argv)
{
	static const long none[NCLASS];
	long extra[NCLASS];
	struct pollfd p[2] = {
		{ .fd = 0, .events = POLLIN },
		{ .fd = -1, .events = POLLIN },
	};
	char line[256];
	size_t used = 0;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-1")) {
		one_port = 1;
		argv++;
		argc--;
	}
	setup_sysctls();
	setup_tun();
	setup_listeners();
	p[1].fd = tun;
	last_refresh = now_s();
	grow(argc > 1 ? atol(argv[1]) : 0, none);
	printf("ready\n");

	for (;;) {
		double age = now_s() - last_refresh;
		int timeout = age >= REFRESH_S ? 0 : (int)((REFRESH_S - age) * 1000) + 1;
		char *nl;
		ssize_t n;

		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			fail("poll");
		if (now_s() - last_refresh >= REFRESH_S)
			refresh(0);
		if (p[1].revents)
			drain();	/* keep the ring from filling */
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(0, line + used, sizeof(line) - 1 - used);
		if (n <= 0) {
			p[0].fd = -1;	/* EOF: hold the sockets until killed */
			continue;
		}
		used += n;
		line[used] = 0;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			if (!strncmp(line, "grow ", 5))
				grow(atol(line + 5), none);
			else if (!strncmp(line, "add ", 4) &&
				 parse_add(line + 4, extra))
				grow(0, extra);
			else if (!strcmp(line, "refresh"))
				refresh(1);
			else if (!strcmp(line, "quit"))
				return 0;
			else if (line[0])
				printf("unknown command: %s\n", line);
			used -= nl + 1 - line;
			memmove(line, nl + 1, used + 1);
		}
		if (used == sizeof(line) - 1)
			used = 0;
	}
}
