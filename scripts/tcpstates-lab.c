// SPDX-License-Identifier: GPL-2.0
/*
 * tcpstates-lab: put TCP sockets into any of the 11 states and hold them
 * there, for teaching labs and for the tcpstates test suite.
 *
 * The lab plays the remote end itself, packetdrill style: it owns a tun
 * device whose far side is the "peer", reads the kernel's segments from it
 * and writes back exactly the segments a state needs, and no others. A peer
 * that never answers a SYN holds SYN_SENT; one that never ACKs our FIN holds
 * FIN_WAIT1; and so on. Every state is then deterministic and lasts as long
 * as asked. By default all of it happens in a network namespace of its own.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tun-segment.h"
#include "lab-text.h"

#define TUN_NAME	"tslab0"
#define LOCAL4		"192.0.2.1"
#define PEER4		"192.0.2.2"
#define LOCAL6		"2001:db8::1"
#define PEER6		"2001:db8::2"
#define PREFIX6		64
#define PEER_WINDOW	65535
#define MAX_CONNS	4096
#define SETUP_MS	10000
/* Re-send the peer's FIN this often to restart TIME_WAIT's 2MSL. */
#define TIME_WAIT_REFRESH_MS	20000

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { CLOSED, LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1,
	FIN_WAIT2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, NR_STATES };

static const char *const state_names[NR_STATES] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
	"FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

/* The kernel's numbers for them, as TCP_INFO and /proc/net/tcp give them. */
static const int kernel_state[NR_STATES] = {
	[CLOSED] = TCP_CLOSE,		[LISTEN] = TCP_LISTEN,
	[SYN_SENT] = TCP_SYN_SENT,	[SYN_RECV] = TCP_SYN_RECV,
	[ESTABLISHED] = TCP_ESTABLISHED, [FIN_WAIT1] = TCP_FIN_WAIT1,
	[FIN_WAIT2] = TCP_FIN_WAIT2,	[CLOSE_WAIT] = TCP_CLOSE_WAIT,
	[CLOSING] = TCP_CLOSING,	[LAST_ACK] = TCP_LAST_ACK,
	[TIME_WAIT] = TCP_TIME_WAIT,
};

/* --help says how each state is held, from M_HOW_CLOSED on, in this order. */
_Static_assert(M_HOW_TIME_WAIT - M_HOW_CLOSED == NR_STATES - 1,
	       "one M_HOW_ text per state");

/* A request sock's state (include/net/tcp_states.h); not in <netinet/tcp.h>. */
#define TCP_NEW_SYN_RECV	12

struct conn {
	int family;		/* AF_INET or AF_INET6 */
	int target;		/* the state to hold */
	int fd;			/* our socket, or -1 */
	uint16_t lport;		/* our port */
	uint16_t pport;		/* the peer's port */
	uint32_t peer_isn;
	uint32_t peer_nxt;	/* the peer's next sequence number */
	uint32_t our_nxt;	/* what the peer ACKs: our next sequence */
	bool syn_seen;		/* the peer has our ISN */
	bool fin_seen;		/* our FIN reached the peer */
	uint32_t our_fin;	/* its sequence number */
	bool peer_fin_sent;
	uint32_t peer_fin;
	bool acted;		/* the lab's own step (shutdown) is done */
	bool passive;		/* the peer opened (SYN_RECV) */
	bool confirmed;
	long long last_refresh;
};

static struct conn conns[MAX_CONNS];
static int nconns;
static int tun_fd = -1;
static volatile sig_atomic_t stop_requested;

/* ---- language: English, or Simplified Chinese --------------------------- */

static bool lang_zh;

static const char *msg(enum text_id id)
{
	return lang_zh ? lab_texts[id].zh : lab_texts[id].en;
}

/* "en" 0, "zh" 1, anything else -1. */
static int parse_lang(const char *name)
{
	if (!strcmp(name, "en"))
		return 0;
	return strcmp(name, "zh") ? -1 : 1;
}

/*
 * Chinese where the locale's messages are (LC_ALL, else LC_MESSAGES, else
 * LANG, as POSIX orders them), unless --lang says otherwise anywhere on
 * the command line: the first error message may come before getopt has
 * seen it.
 */
static void select_language(int argc, char **argv)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;
	int a;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		v = getenv(vars[i]);
		if (v && *v) {
			lang_zh = !strncmp(v, "zh", 2);
			break;
		}
	}
	for (a = 1; a < argc && strcmp(argv[a], "--"); a++) {
		v = NULL;
		if (!strcmp(argv[a], "--lang") && a + 1 < argc)
			v = argv[++a];
		else if (!strncmp(argv[a], "--lang=", 7))
			v = argv[a] + 7;
		if (v && parse_lang(v) >= 0)
			lang_zh = parse_lang(v);
	}
}

/* What printf reads for @fmt, a letter per argument: "%-12s %ld" "sld". */
static void conversions(const char *fmt, char *out, size_t size)
{
	static const char skip[] = "-+ #0123456789.*hlLqjzt";
	size_t n = 0;

	while ((fmt = strchr(fmt, '%'))) {
		/* Flags and width are no argument; '*' and the sizes are. */
		for (fmt++; *fmt && strchr(skip, *fmt); fmt++)
			if (strchr("*hlLqjzt", *fmt) && n + 1 < size)
				out[n++] = *fmt;
		if (!*fmt)
			break;
		if (*fmt != '%' && n + 1 < size)
			out[n++] = *fmt;
		fmt++;
	}
	out[n] = '\0';
}

/*
 * A translation that takes other printf arguments than its English would
 * read the wrong ones: refuse to run with such a table at all, so that a
 * test in either language catches it.
 */
static void check_texts(void)
{
	char en[32], zh[32];
	int id;

	for (id = 0; id < NR_TEXTS; id++) {
		if (!lab_texts[id].en || !lab_texts[id].zh) {
			fprintf(stderr, "tcpstates-lab: text %d lacks a language\n",
				id);
			exit(1);
		}
		conversions(lab_texts[id].en, en, sizeof(en));
		conversions(lab_texts[id].zh, zh, sizeof(zh));
		if (strcmp(en, zh)) {
			fprintf(stderr, "tcpstates-lab: text %d: printf reads \"%s\" for the English, \"%s\" for the Chinese\n",
				id, en, zh);
			exit(1);
		}
	}
}

/* @text, each line after the first indented by @indent columns. */
static void print_indented(FILE *out, const char *text, int indent)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) && nl[1]) {
		fprintf(out, "%.*s%*s", (int)(nl - text + 1), text, indent, "");
		text = nl + 1;
	}
	fputs(text, out);
}

/* "tcpstates-lab: " and the text @id says, on stderr. */
static void vcomplain(enum text_id id, va_list ap)
{
	fputs("tcpstates-lab: ", stderr);
	vfprintf(stderr, msg(id), ap);
	fputc('\n', stderr);
}

static void complain(enum text_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	vcomplain(id, ap);
	va_end(ap);
}

static void die(int code, enum text_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	vcomplain(id, ap);
	va_end(ap);
	exit(code);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- the network: a netns, lo, and the tun device ---------------------- */

static void if_up(int sock, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		die(1, M_FLAGS_READ, name, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		die(1, M_FLAGS_SET, name, strerror(errno));
}

static void add_addr4(int sock, const char *name)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, LOCAL4, &sin->sin_addr);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		die(1, M_ADDR_ADD, LOCAL4, name, strerror(errno));
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		die(1, M_NETMASK, name, strerror(errno));
}

/* struct in6_ifreq, as the kernel's SIOCSIFADDR for AF_INET6 wants it. */
struct lab_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static void add_addr6(const char *name)
{
	struct lab_in6_ifreq req = { .prefixlen = PREFIX6 };
	int sock = socket(AF_INET6, SOCK_DGRAM, 0);

	if (sock < 0)
		die(1, M_NO_IPV6, strerror(errno));
	req.ifindex = if_nametoindex(name);
	inet_pton(AF_INET6, LOCAL6, &req.addr);
	/* tun devices are IFF_NOARP, so the address skips DAD. */
	if (ioctl(sock, SIOCSIFADDR, &req) < 0)
		die(1, M_ADDR_ADD, LOCAL6, name, strerror(errno));
	close(sock);
}

/*
 * A new IPv6 address is tentative until addrconf's work item has run, even
 * where DAD is skipped: wait until we can bind to it.
 */
static void wait_addr6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int i, fd, err = 0;

	inet_pton(AF_INET6, LOCAL6, &a.sin6_addr);
	for (i = 0; i < 300; i++) {
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		err = bind(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
		close(fd);
		if (!err)
			return;
		usleep(10000);
	}
	die(1, M_ADDR_UNUSABLE, LOCAL6, strerror(err));
}

static void setup_network(bool own_netns)
{
	struct ifreq ifr = { 0 };
	int sock;

	if (own_netns && unshare(CLONE_NEWNET) < 0)
		die(1, M_NO_NETNS, strerror(errno));
	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tun_fd < 0) {
		const char *hint = msg(M_TUN_HINT_MODULE);
		int err = errno;

		/* tun registered, but no node: /dev is not devtmpfs, nor udev's. */
		if (err == ENOENT && !access("/sys/class/misc/tun", F_OK))
			hint = msg(M_TUN_HINT_NODE);
		die(1, M_TUN_OPEN, strerror(err), hint);
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", TUN_NAME);
	if (ioctl(tun_fd, TUNSETIFF, &ifr) < 0)
		die(1, M_TUN_CREATE, TUN_NAME, strerror(errno),
		    errno == EBUSY ? msg(M_TUN_BUSY) : "");
	fcntl(tun_fd, F_SETFL, O_NONBLOCK);

	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0)
		die(1, M_SOCKET, strerror(errno));
	if (own_netns)
		if_up(sock, "lo");
	add_addr4(sock, TUN_NAME);
	if_up(sock, TUN_NAME);
	add_addr6(TUN_NAME);
	close(sock);
	wait_addr6();
}

/* ---- segments ---------------------------------------------------------- */

struct segment {
	int family;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t len;		/* payload bytes */
};

/* Write one segment from the peer to us. */
static void send_segment(int family, uint16_t sport, uint16_t dport,
			 uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t pkt[TUN_SEGMENT_MAX], src[16], dst[16];
	size_t len;

	inet_pton(family, family == AF_INET ? PEER4 : PEER6, src);
	inet_pton(family, family == AF_INET ? LOCAL4 : LOCAL6, dst);
	len = tun_segment(pkt, family, src, dst, sport, dport, seq, ack, flags,
			  PEER_WINDOW);
	if (write(tun_fd, pkt, len) < 0)
		die(1, M_TUN_WRITE, TUN_NAME, strerror(errno));
}

/* Parse one packet from the tun device; false if it is not TCP for us. */
static bool parse_segment(const uint8_t *pkt, ssize_t n, struct segment *s)
{
	const struct tcphdr *th;
	size_t iplen, total;

	if (n < 1)
		return false;
	if (pkt[0] >> 4 == 4) {
		const struct ip *ip = (const struct ip *)pkt;

		if (n < (ssize_t)sizeof(*ip) || ip->ip_p != IPPROTO_TCP)
			return false;
		iplen = ip->ip_hl * 4;
		total = ntohs(ip->ip_len);
		s->family = AF_INET;
	} else if (pkt[0] >> 4 == 6) {
		const struct ip6_hdr *ip6 = (const struct ip6_hdr *)pkt;

		if (n < (ssize_t)sizeof(*ip6) || ip6->ip6_nxt != IPPROTO_TCP)
			return false;
		iplen = sizeof(*ip6);
		total = iplen + ntohs(ip6->ip6_plen);
		s->family = AF_INET6;
	} else {
		return false;
	}
	if ((ssize_t)total > n || total < iplen + sizeof(*th))
		return false;
	th = (const struct tcphdr *)(pkt + iplen);
	s->sport = ntohs(th->th_sport);
	s->dport = ntohs(th->th_dport);
	s->seq = ntohl(th->th_seq);
	s->ack = ntohl(th->th_ack);
	s->flags = th->th_flags;
	s->len = total - iplen - th->th_off * 4;
	return true;
}

static void describe(char *buf, size_t size, uint8_t flags, uint32_t seq,
		     uint32_t ack, const char *seq_name, uint32_t seq_base,
		     const char *ack_name, uint32_t ack_base)
{
	int n = 0;

	if (flags & TH_SYN)
		n += snprintf(buf + n, size - n, "SYN=1 ");
	if (flags & TH_FIN)
		n += snprintf(buf + n, size - n, "FIN=1 ");
	if (flags & TH_RST)
		n += snprintf(buf + n, size - n, "RST=1 ");
	if (flags & TH_ACK)
		n += snprintf(buf + n, size - n, "ACK=1 ");
	n += snprintf(buf + n, size - n, "seq=%s", seq_name);
	if (seq != seq_base)
		n += snprintf(buf + n, size - n, "+%u", seq - seq_base);
	if (flags & TH_ACK) {
		n += snprintf(buf + n, size - n, " ack=%s", ack_name);
		if (ack != ack_base)
			snprintf(buf + n, size - n, "+%u", ack - ack_base);
	}
}

/* ---- the scripted peer ------------------------------------------------- */

static struct conn *find_conn(int family, uint16_t lport, uint16_t pport)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i].family == family && conns[i].lport == lport &&
		    conns[i].pport == pport)
			return &conns[i];
	return NULL;
}

static void peer_send(struct conn *c, uint32_t seq, uint8_t flags)
{
	send_segment(c->family, c->pport, c->lport, seq, c->our_nxt, flags);
}

static void peer_fin(struct conn *c, uint32_t ack)
{
	if (!c->peer_fin_sent) {
		c->peer_fin = c->peer_nxt++;
		c->peer_fin_sent = true;
	}
	send_segment(c->family, c->pport, c->lport, c->peer_fin, ack,
		     TH_FIN | TH_ACK);
	c->last_refresh = now_ms();
}

/* One of our segments reached the peer: answer as the target state says. */
static void peer_receive(const struct segment *s)
{
	struct conn *c = find_conn(s->family, s->sport, s->dport);

	if (!c)
		return;
	/* Our reset ends the connection: the peer has nothing to answer. */
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_SYN) {
		c->our_nxt = s->seq + 1;
		c->syn_seen = true;
		/* Our SYN-ACK to the peer's SYN: SYN_RECV waits here for good. */
		if (c->passive || c->target == SYN_SENT)
			return;
		send_segment(c->family, c->pport, c->lport, c->peer_isn,
			     c->our_nxt, TH_SYN | TH_ACK);
		c->peer_nxt = c->peer_isn + 1;
		return;
	}
	if (!(s->flags & TH_FIN))
		return;
	c->our_fin = s->seq + s->len;
	c->fin_seen = true;
	switch (c->target) {
	case FIN_WAIT2:
		c->our_nxt = c->our_fin + 1;
		peer_send(c, c->peer_nxt, TH_ACK);
		break;
	case TIME_WAIT:
		c->our_nxt = c->our_fin + 1;
		peer_fin(c, c->our_nxt);
		break;
	case CLOSING:
		/* Our FIN is not acknowledged: the FINs cross. */
		c->our_nxt = c->our_fin;
		peer_fin(c, c->our_nxt);
		break;
	default:
		/* FIN_WAIT1, LAST_ACK: the peer stays silent. */
		break;
	}
}

static void pump(int timeout_ms)
{
	struct pollfd pfd = { .fd = tun_fd, .events = POLLIN };
	uint8_t pkt[65536];
	struct segment s;
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	while ((n = read(tun_fd, pkt, sizeof(pkt))) > 0)
		if (parse_segment(pkt, n, &s))
			peer_receive(&s);
}

/* ---- our sockets ------------------------------------------------------- */

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_state;
}

static socklen_t make_addr(int family, const char *which, uint16_t port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, which, &a->sin_addr);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	inet_pton(AF_INET6, which, &a->sin6_addr);
	return sizeof(*a);
}

static const char *local_addr(int family)
{
	return family == AF_INET ? LOCAL4 : LOCAL6;
}

static const char *peer_addr(int family)
{
	return family == AF_INET ? PEER4 : PEER6;
}

static int new_socket(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		die(1, M_SOCKET, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static void set_int(int fd, int level, int name, int value)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
		die(1, M_SETSOCKOPT, strerror(errno));
}

static struct conn *new_conn(int family, int target)
{
	struct conn *c;

	if (nconns == MAX_CONNS)
		die(1, M_TOO_MANY, MAX_CONNS);
	c = &conns[nconns++];
	memset(c, 0, sizeof(*c));
	c->family = family;
	c->target = target;
	c->fd = -1;
	c->peer_isn = (uint32_t)random();
	return c;
}

static uint16_t next_port = 40000;

/* One listener per family takes every SYN_RECV request. */
static int syn_listener[2] = { -1, -1 };
static int syn_backlog = 1024;
static uint16_t syn_listener_port[2];

static uint16_t syn_recv_listener(int family)
{
	int i = family == AF_INET6;
	struct sockaddr_storage ss;
	socklen_t len;

	if (syn_listener[i] >= 0)
		return syn_listener_port[i];
	syn_listener_port[i] = next_port++;
	syn_listener[i] = new_socket(family);
	/* SYN-ACK retries follow the listener's TCP_SYNCNT: hold for hours. */
	set_int(syn_listener[i], IPPROTO_TCP, TCP_SYNCNT, 127);
	len = make_addr(family, local_addr(family), syn_listener_port[i], &ss);
	if (bind(syn_listener[i], (struct sockaddr *)&ss, len) < 0 ||
	    listen(syn_listener[i], syn_backlog) < 0)
		die(1, M_LISTENER, strerror(errno));
	return syn_listener_port[i];
}

/* Start one socket on its way to @target. */
static struct conn *start(int family, int target)
{
	struct conn *c = new_conn(family, target);
	struct sockaddr_storage ss;
	socklen_t len;

	c->pport = 5000 + target;
	switch (target) {
	case CLOSED:
	case LISTEN:
		c->lport = next_port++;
		c->fd = new_socket(family);
		len = make_addr(family, local_addr(family), c->lport, &ss);
		if (bind(c->fd, (struct sockaddr *)&ss, len) < 0)
			die(1, M_BIND, strerror(errno));
		if (target == LISTEN && listen(c->fd, 128) < 0)
			die(1, M_LISTEN, strerror(errno));
		break;
	case SYN_RECV:
		/* The peer opens, from a port of its own, and stops there. */
		c->passive = true;
		c->lport = syn_recv_listener(family);
		c->pport = next_port++;
		send_segment(family, c->pport, c->lport, c->peer_isn, 0, TH_SYN);
		c->peer_nxt = c->peer_isn + 1;
		break;
	default:
		c->fd = new_socket(family);
		set_int(c->fd, IPPROTO_TCP, TCP_SYNCNT, 127);
		/* Hold FIN_WAIT1, CLOSING and LAST_ACK for days, not minutes. */
		set_int(c->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 0x7fffffff);
		len = make_addr(family, peer_addr(family), c->pport, &ss);
		if (connect(c->fd, (struct sockaddr *)&ss, len) < 0 &&
		    errno != EINPROGRESS)
			die(1, M_CONNECT, strerror(errno));
		len = sizeof(ss);
		getsockname(c->fd, (struct sockaddr *)&ss, &len);
		c->lport = ntohs(family == AF_INET ?
				 ((struct sockaddr_in *)&ss)->sin_port :
				 ((struct sockaddr_in6 *)&ss)->sin6_port);
		break;
	}
	return c;
}

/* The lab's own step once the connection is up. */
static void act(struct conn *c)
{
	int st = tcp_state(c->fd);

	if (c->acted || c->fd < 0)
		return;
	switch (c->target) {
	case FIN_WAIT1:
	case FIN_WAIT2:
	case CLOSING:
	case TIME_WAIT:
		if (st == kernel_state[ESTABLISHED]) {
			shutdown(c->fd, SHUT_WR);
			c->acted = true;
		}
		break;
	case CLOSE_WAIT:
	case LAST_ACK:
		if (st == kernel_state[ESTABLISHED] && !c->peer_fin_sent)
			peer_fin(c, c->our_nxt);
		if (c->target == LAST_ACK && st == kernel_state[CLOSE_WAIT]) {
			shutdown(c->fd, SHUT_WR);
			c->acted = true;
		}
		break;
	default:
		break;
	}
}

/* The kernel's states of the /proc/net/tcp{,6} entries with @c's ports. */
static unsigned int proc_net_states(const struct conn *c)
{
	const char *path = c->family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6";
	char line[512], laddr[64];
	unsigned int port, rport, st, found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x %x",
			   laddr, &port, &rport, &st) == 4 &&
		    port == c->lport && rport == c->pport && st < 32)
			found |= 1u << st;
	fclose(f);
	return found;
}

/* Is the socket in /proc/net/tcp{,6} with our port and the kernel state? */
static bool in_proc_net(const struct conn *c, int kstate)
{
	return proc_net_states(c) & (1u << kstate);
}

static bool reached(struct conn *c)
{
	int k = kernel_state[c->target];

	switch (c->target) {
	case SYN_RECV:
	case TIME_WAIT:
		/* Request and timewait socks have no fd: ask /proc/net/tcp. */
		return in_proc_net(c, k);
	default:
		return tcp_state(c->fd) == k;
	}
}

/* Drive every socket to its state; false if any did not get there. */
static bool settle(void)
{
	long long deadline = now_ms() + SETUP_MS;
	bool all;
	int i;

	do {
		pump(10);
		all = true;
		for (i = 0; i < nconns; i++) {
			act(&conns[i]);
			if (!conns[i].confirmed)
				conns[i].confirmed = reached(&conns[i]);
			all &= conns[i].confirmed;
		}
	} while (!all && now_ms() < deadline && !stop_requested);
	return all;
}

/* A TIME_WAIT sock is a timewait sock: our fd now holds a dead socket. */
static void tidy_time_wait(void)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i].target == TIME_WAIT && conns[i].fd >= 0) {
			close(conns[i].fd);
			conns[i].fd = -1;
		}
}

/* Reset every connection the peer has, so nothing lingers after us. */
static void release_all(void)
{
	int i;

	for (i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->syn_seen || c->passive)
			send_segment(c->family, c->pport, c->lport,
				     c->passive ? c->peer_isn + 1 : c->peer_nxt,
				     0, TH_RST);
	}
	pump(100);
	for (i = 0; i < nconns; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	for (i = 0; i < 2; i++)
		if (syn_listener[i] >= 0)
			close(syn_listener[i]);
}

/* ---- output ------------------------------------------------------------ */

static void print_conn(const struct conn *c)
{
	const char *fmt = c->family == AF_INET ? "  %s:%u %s:%u %s\n" :
						 "  [%s]:%u [%s]:%u %s\n";

	if (c->target <= LISTEN)
		printf(c->family == AF_INET ? "  %s:%u *:* %s\n" : "  [%s]:%u *:* %s\n",
		       local_addr(c->family), c->lport, state_names[c->target]);
	else
		printf(fmt, local_addr(c->family), c->lport, peer_addr(c->family),
		       c->pport, state_names[c->target]);
}

static int parse_state(const char *name)
{
	int st;

	for (st = 0; st < NR_STATES; st++)
		if (!strcasecmp(name, state_names[st]))
			return st;
	return -1;
}

/* What the lab shows of /proc/tcpstates: its states table and transitions. */
struct tcpstates_view {
	char header[512];		/* "# state ...", or "" */
	char rows[NR_STATES][512];	/* "" where the file has none */
	unsigned long long moved[NR_STATES][NR_STATES];	/* [from][to] */
};

/*
 * One read of /proc/tcpstates; false without the module. Only the states
 * table's lines start with a bare state name.
 */
static bool read_tcpstates(struct tcpstates_view *v)
{
	FILE *f = fopen("/proc/tcpstates", "r");
	char line[512], from[32], to[32];
	bool line_start = true;
	unsigned long long n;
	int a, b;

	memset(v, 0, sizeof(*v));
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		bool whole_start = line_start;

		/* The rest of a line longer than the buffer comes next. */
		line_start = strchr(line, '\n') != NULL;
		if (!whole_start)
			continue;
		if (sscanf(line, "transition %31s %31s %llu", from, to, &n) == 3) {
			a = parse_state(from);
			b = parse_state(to);
			if (a >= 0 && b >= 0)
				v->moved[a][b] = n;
		} else if (sscanf(line, "%31s", from) == 1 &&
			   (a = parse_state(from)) >= 0) {
			snprintf(v->rows[a], sizeof(v->rows[a]), "%s", line);
		} else if (!strncmp(line, "# state ", 8)) {
			snprintf(v->header, sizeof(v->header), "%s", line);
		}
	}
	fclose(f);
	return true;
}

static void print_rows(const bool *states)
{
	struct tcpstates_view v;
	int st;

	if (!read_tcpstates(&v)) {
		fputs(msg(M_ROWS_NO_MODULE), stdout);
		return;
	}
	fputs(msg(M_ROWS_HEADER), stdout);
	for (st = 0; st < NR_STATES; st++)
		if (states[st] && v.rows[st][0])
			printf("#   %s", v.rows[st]);
}

/* ---- the state diagram ------------------------------------------------ */

/*
 * RFC 793's state diagram, less LISTEN -> SYN_SENT (data sent on a
 * listener), which Linux has no call for; like the RFC's, it draws CLOSED
 * twice. Braces hold what can be highlighted, a state or a transition's
 * label: they are the columns a plain-text marker takes, and blank ones on
 * a terminal, so the drawing is 76 columns wide either way.
 */
static const char *const diagram[] = {
	"    +---{appl: passive open}------ {CLOSED} -{appl: active open / snd SYN}+",
	"    |                                ^  ^                                 |",
	"    |                                |  |                                 |",
	"    v             {appl: close}      |  |         {appl: close}           v",
	" {LISTEN} ---------------------------+  +------------------------ {SYN_SENT}",
	"    |                                                               |   |",
	"    | {rcv SYN / snd SYN,ACK}                                       |   |",
	"    v                                                               |   |",
	" {SYN_RECV} <-------------------------{rcv SYN / snd SYN,ACK}-------+   |",
	"    |   |                                                               |",
	"    |   +--{rcv ACK of SYN}----------+     +---{rcv SYN,ACK / snd ACK}--+",
	"    |                                v     v",
	"    |                             {ESTABLISHED} --{rcv FIN / snd ACK}-----+",
	"    |                                   |                                 |",
	"    |                                   | {appl: close / snd FIN}         v",
	"    |                                   |                       {CLOSE_WAIT}",
	"    |                                   v                              |",
	"    +--{appl: close / snd FIN}----> {FIN_WAIT1}                        |",
	"                                      |   |                            |",
	"      +-----{rcv ACK of FIN}----------+   |    {appl: close / snd FIN} |",
	"      |                                   |                            v",
	"      |               {rcv FIN / snd ACK} |                     {LAST_ACK}",
	"      v                                   v                            |",
	" {FIN_WAIT2}                         {CLOSING}                         |",
	"      |                                  |            {rcv ACK of FIN} |",
	"      |                 {rcv ACK of FIN} |                             |",
	"      |                                  v                             v",
	"      +--{rcv FIN / snd ACK}------> {TIME_WAIT} --{timeout=2MSL}--> {CLOSED}",
};

/* The transitions the diagram draws. */
enum { MV_PASSIVE_OPEN, MV_ACTIVE_OPEN, MV_LISTEN_CLOSE, MV_SYN_SENT_CLOSE,
	MV_LISTEN_SYN, MV_SIMULTANEOUS_OPEN, MV_SYN_RECV_ACK,
	MV_SYN_SENT_SYN_ACK, MV_RCV_FIN, MV_CLOSE, MV_SYN_RECV_CLOSE,
	MV_CLOSE_WAIT_CLOSE, MV_FIN_WAIT1_ACK, MV_FIN_WAIT1_FIN,
	MV_FIN_WAIT2_FIN, MV_CLOSING_ACK, MV_2MSL, MV_LAST_ACK_ACK, NR_MOVES };

/* A transition: its ends, and where the diagram writes its label. */
struct move {
	int from, to;
	int row, col;		/* of the label's opening brace */
	const char *label;
};

static const struct move moves[NR_MOVES] = {
	[MV_PASSIVE_OPEN] = { CLOSED, LISTEN, 0, 8, "appl: passive open" },
	[MV_ACTIVE_OPEN] = { CLOSED, SYN_SENT, 0, 45,
			     "appl: active open / snd SYN" },
	[MV_LISTEN_CLOSE] = { LISTEN, CLOSED, 3, 18, "appl: close" },
	[MV_SYN_SENT_CLOSE] = { SYN_SENT, CLOSED, 3, 50, "appl: close" },
	[MV_LISTEN_SYN] = { LISTEN, SYN_RECV, 6, 6, "rcv SYN / snd SYN,ACK" },
	[MV_SIMULTANEOUS_OPEN] = { SYN_SENT, SYN_RECV, 8, 38,
				   "rcv SYN / snd SYN,ACK" },
	[MV_SYN_RECV_ACK] = { SYN_RECV, ESTABLISHED, 10, 11, "rcv ACK of SYN" },
	[MV_SYN_SENT_SYN_ACK] = { SYN_SENT, ESTABLISHED, 10, 47,
				  "rcv SYN,ACK / snd ACK" },
	[MV_RCV_FIN] = { ESTABLISHED, CLOSE_WAIT, 12, 50, "rcv FIN / snd ACK" },
	[MV_CLOSE] = { ESTABLISHED, FIN_WAIT1, 14, 42, "appl: close / snd FIN" },
	[MV_SYN_RECV_CLOSE] = { SYN_RECV, FIN_WAIT1, 17, 7,
				"appl: close / snd FIN" },
	[MV_CLOSE_WAIT_CLOSE] = { CLOSE_WAIT, LAST_ACK, 19, 47,
				  "appl: close / snd FIN" },
	[MV_FIN_WAIT1_ACK] = { FIN_WAIT1, FIN_WAIT2, 19, 12, "rcv ACK of FIN" },
	[MV_FIN_WAIT1_FIN] = { FIN_WAIT1, CLOSING, 21, 22, "rcv FIN / snd ACK" },
	[MV_FIN_WAIT2_FIN] = { FIN_WAIT2, TIME_WAIT, 27, 9,
			       "rcv FIN / snd ACK" },
	[MV_CLOSING_ACK] = { CLOSING, TIME_WAIT, 25, 24, "rcv ACK of FIN" },
	[MV_2MSL] = { TIME_WAIT, CLOSED, 27, 50, "timeout=2MSL" },
	[MV_LAST_ACK_ACK] = { LAST_ACK, CLOSED, 24, 54, "rcv ACK of FIN" },
};

/* Whose an item is: a bit for our end, one for the peer. */
enum { MARK_NONE, MARK_OURS, MARK_PEER, MARK_BOTH };

/* What the diagram highlights: both ends' states, the moves just made. */
struct highlight {
	int ours, peer;		/* states, or -1 */
	unsigned int our_moves, peer_moves;	/* bits by MV_ */
};

/* stdout is a terminal: highlight in colour rather than with markers. */
static bool colour;

/* Markers, [a transition?][whose]: >X< ours, [X] the peer's, {X} both. */
static const char marks[2][4][3] = {
	{ "  ", "><", "[]", "{}" },
	{ "  ", "**", "**", "**" },
};

/* Reverse video for states, bold for labels; green, yellow, cyan. */
static const char *const colours[2][4] = {
	{ "", "\033[1;7;32m", "\033[1;7;33m", "\033[1;7;36m" },
	{ "", "\033[1;32m", "\033[1;33m", "\033[1;36m" },
};

/* One item, @len bytes of @text in its two marker columns, at @out. */
static int render_item(char *out, const char *text, int len, bool move,
		       int whose)
{
	const char *m = marks[move][whose];

	if (colour && whose)
		return sprintf(out, " %s%.*s\033[0m ", colours[move][whose], len,
			       text);
	return sprintf(out, "%c%.*s%c", m[0], len, text, m[1]);
}

static void __attribute__((noreturn)) internal_error(const char *what)
{
	fprintf(stderr, "tcpstates-lab: internal error: %s\n", what);
	exit(1);
}

/* Whose the item at @row, @col is: a state by its name, a label by place. */
static int item_whose(const struct highlight *h, int row, int col,
		      const char *text, int len, bool *move)
{
	char name[32];
	int i;

	snprintf(name, sizeof(name), "%.*s", len, text);
	*move = false;
	i = parse_state(name);
	if (i >= 0)
		return h ? (i == h->ours) | (i == h->peer) << 1 : MARK_NONE;
	for (i = 0; i < NR_MOVES; i++)
		if (moves[i].row == row && moves[i].col == col &&
		    !strcmp(moves[i].label, name))
			break;
	if (i == NR_MOVES)
		internal_error("a label of the diagram is not in moves[]");
	*move = true;
	if (!h)
		return MARK_NONE;
	return (h->our_moves >> i & 1) | (h->peer_moves >> i & 1) << 1;
}

static void draw_row(int row, const struct highlight *h)
{
	const char *s = diagram[row], *end;
	char line[512];
	int n = 0, whose;
	bool move;

	while (*s) {
		if (*s != '{') {
			line[n++] = *s++;
			continue;
		}
		end = strchr(s, '}');
		whose = item_whose(h, row, s - diagram[row], s + 1, end - s - 1,
				   &move);
		n += render_item(line + n, s + 1, end - s - 1, move, whose);
		s = end + 1;
	}
	while (n && line[n - 1] == ' ')
		n--;
	printf("%.*s\n", n, line);
}

/*
 * The diagram, @h highlighted (or nothing, for NULL), and the legend: the
 * markers, and with @notation what the labels say.
 */
static void draw_diagram(const struct highlight *h, bool notation)
{
	char ours[32], peer[32], both[32], our_move[32], peer_move[32];
	size_t row;

	for (row = 0; row < ARRAY_SIZE(diagram); row++)
		draw_row(row, h);
	render_item(ours, "X", 1, false, MARK_OURS);
	render_item(peer, "X", 1, false, MARK_PEER);
	render_item(both, "X", 1, false, MARK_BOTH);
	render_item(our_move, "label", 5, true, MARK_OURS);
	render_item(peer_move, "label", 5, true, MARK_PEER);
	putchar('\n');
	printf(msg(M_LEGEND_MARKS), ours, peer, both, our_move, peer_move);
	if (notation)
		fputs(msg(M_LEGEND_NOTATION), stdout);
}

/* The diagram's transition from @from to @to. */
static int move_of(int from, int to)
{
	int i;

	for (i = 0; i < NR_MOVES; i++)
		if (moves[i].from == from && moves[i].to == to)
			return i;
	internal_error("the tour takes a transition the diagram lacks");
	return -1;
}

/* ---- tour -------------------------------------------------------------- */

static bool tour_auto;

static void wait_step(void)
{
	char buf[64];

	fflush(stdout);
	if (tour_auto) {
		long long until = now_ms() + 700;

		while (now_ms() < until)
			pump(50);
		return;
	}
	fputs(msg(M_TOUR_ENTER), stdout);
	fflush(stdout);
	if (!fgets(buf, sizeof(buf), stdin))
		tour_auto = true;
}

static const char *kstate_name(int k)
{
	int st;

	for (st = 0; st < NR_STATES; st++)
		if (kernel_state[st] == k)
			return state_names[st];
	return k == TCP_NEW_SYN_RECV ? "SYN_RECV" : "?";
}

/* The states one end passes through in a step; it ends in the last. */
struct path {
	int n;			/* 0: there is no such end (the peer, at last) */
	int st[4];
};

#define PATH(...) { ARRAY_SIZE(((int[]){ __VA_ARGS__ })), { __VA_ARGS__ } }

/*
 * The tour's script: what each step shows, and where both ends are. Ours
 * is what the kernel must say at that step, and is checked against it; a
 * step that shows the segment a transition sends names it again.
 */
struct tour_step {
	enum text_id what;
	struct path ours;
	struct path peer;
};

static const struct tour_step tour_steps[] = {
	{ M_STEP_BIND, PATH(CLOSED), PATH(CLOSED) },
	{ M_STEP_LISTEN, PATH(CLOSED, LISTEN), PATH(CLOSED) },
	{ M_STEP_SYN, PATH(LISTEN, SYN_RECV), PATH(CLOSED, SYN_SENT) },
	{ M_STEP_SYN_ACK, PATH(LISTEN, SYN_RECV), PATH(SYN_SENT) },
	{ M_STEP_ACK, PATH(SYN_RECV, ESTABLISHED),
	  PATH(SYN_SENT, ESTABLISHED) },
	{ M_STEP_FIN, PATH(ESTABLISHED, FIN_WAIT1), PATH(ESTABLISHED) },
	{ M_STEP_FIN_ACKED, PATH(FIN_WAIT1, FIN_WAIT2),
	  PATH(ESTABLISHED, CLOSE_WAIT) },
	{ M_STEP_PEER_FIN, PATH(FIN_WAIT2, TIME_WAIT),
	  PATH(CLOSE_WAIT, LAST_ACK) },
	{ M_STEP_TIME_WAIT, PATH(FIN_WAIT2, TIME_WAIT), PATH(LAST_ACK, CLOSED) },
	{ M_STEP_SECOND, PATH(LISTEN, SYN_RECV, ESTABLISHED),
	  PATH(CLOSED, SYN_SENT, ESTABLISHED) },
	{ M_STEP_PEER_CLOSES, PATH(ESTABLISHED, CLOSE_WAIT),
	  PATH(ESTABLISHED, FIN_WAIT1, FIN_WAIT2) },
	{ M_STEP_OUR_FIN, PATH(CLOSE_WAIT, LAST_ACK),
	  PATH(FIN_WAIT2, TIME_WAIT) },
	{ M_STEP_LAST_ACK, PATH(LAST_ACK, CLOSED), PATH(FIN_WAIT2, TIME_WAIT) },
	{ M_STEP_THIRD, PATH(LISTEN, SYN_RECV, ESTABLISHED, FIN_WAIT1),
	  PATH(CLOSED, SYN_SENT, ESTABLISHED) },
	{ M_STEP_FINS_CROSS, PATH(FIN_WAIT1, CLOSING),
	  PATH(ESTABLISHED, FIN_WAIT1, CLOSING) },
	{ M_STEP_BOTH_TIME_WAIT, PATH(CLOSING, TIME_WAIT),
	  PATH(CLOSING, TIME_WAIT) },
	{ M_STEP_LISTENER, PATH(LISTEN, CLOSED), { 0 } },
};

static const char *path_end(const struct path *p)
{
	return p->n ? state_names[p->st[p->n - 1]] : "-";
}

/* One tour: the connection the peer plays, and what was last shown. */
struct tour {
	int family;
	struct conn *c;
	int lfd;		/* our listener */
	int step;
	int own_fd;		/* the socket the step is about, or -1 */
	bool own_tuple;		/* else it is c's ports' in /proc/net/tcp */
	bool failed;		/* the kernel and the script disagreed */
	bool diagram;		/* draw the state diagram at each step */
	const char *kernel;	/* our end's state, as the kernel said */
	const char *source;	/* from TCP_INFO "info", /proc/net/tcp "proc" */
	struct tcpstates_view view;
	char seg[128];		/* the segment being shown */
};

/* The socket the next steps are about: @fd, and if @tuple c's ports. */
static void tour_own(struct tour *t, int fd, bool tuple)
{
	t->own_fd = fd;
	t->own_tuple = tuple;
}

/*
 * Our end's state as the kernel has it: TCP_INFO's tcpi_state or, where
 * our fd holds no live socket (a request sock has no fd; a timewait sock
 * has taken a closed socket's place), its ports' entry in /proc/net/tcp,
 * as the lab confirms SYN_RECV and TIME_WAIT. -1: there is none.
 */
static int own_state(const struct tour *t, const char **source)
{
	int k = tcp_state(t->own_fd);
	unsigned int found;

	*source = k < 0 ? "none" : "info";
	if (!t->own_tuple || (k >= 0 && k != TCP_CLOSE))
		return k;
	found = proc_net_states(t->c);
	if (!found)
		return k;
	*source = "proc";
	return __builtin_ctz(found);
}

/* The script says where our end is; the kernel must agree. */
static void tour_check(struct tour *t, const struct tour_step *s)
{
	int k = own_state(t, &t->source);

	t->kernel = k < 0 ? "none" : kstate_name(k);
	if (strcmp(t->kernel, path_end(&s->ours))) {
		complain(M_CHECK_FAILED, t->step, path_end(&s->ours), t->kernel,
			 t->source);
		t->failed = true;
	}
}

/* Where @p ends, for the diagram, and the transitions it took on the way. */
static void path_highlight(const struct path *p, int *st, unsigned int *mv)
{
	int i;

	*st = p->n ? p->st[p->n - 1] : -1;
	for (i = 1; i < p->n; i++)
		*mv |= 1u << move_of(p->st[i - 1], p->st[i]);
}

/* "FROM -> ... -> TO" after text @id, if the end moved at all. */
static void print_path(enum text_id id, const struct path *p)
{
	char buf[128];
	int i, n = 0;

	if (p->n < 2)
		return;
	for (i = 0; i < p->n; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " -> " : "",
			      state_names[p->st[i]]);
	printf(msg(id), buf);
}

/*
 * The step on the diagram: both ends' states and their transitions, the
 * legend (the first time with what the labels say), and for scripts the
 * state highlighted for us beside the kernel's, checked above.
 */
static void tour_diagram(const struct tour *t, const struct tour_step *s)
{
	struct highlight h = { 0 };

	path_highlight(&s->ours, &h.ours, &h.our_moves);
	path_highlight(&s->peer, &h.peer, &h.peer_moves);
	putchar('\n');
	draw_diagram(&h, t->step == 1);
	print_path(M_DIAGRAM_OUR_MOVES, &s->ours);
	print_path(M_DIAGRAM_PEER_MOVES, &s->peer);
	printf("diagram-check step=%d highlighted=%s tcpi_state=%s via=%s\n",
	       t->step, state_names[h.ours], t->kernel, t->source);
}

/* What changed in /proc/tcpstates since the last step. */
static void tour_changes(struct tour *t, const struct tour_step *s)
{
	struct tcpstates_view after;
	bool unseen_time_wait = false;
	unsigned long long n;
	int st, from, to;

	read_tcpstates(&after);
	for (st = 0; st < NR_STATES; st++)
		if (after.rows[st][0] && strcmp(after.rows[st], t->view.rows[st]))
			printf("    /proc/tcpstates: %s", after.rows[st]);
	for (from = 0; from < NR_STATES; from++)
		for (to = 0; to < NR_STATES; to++) {
			n = after.moved[from][to] - t->view.moved[from][to];
			if (!n)
				continue;
			printf("    /proc/tcpstates: transition %s %s +%llu\n",
			       state_names[from], state_names[to], n);
			unseen_time_wait |= to == CLOSED &&
				!strcmp(path_end(&s->ours), "TIME_WAIT");
		}
	if (unseen_time_wait)
		fputs(msg(M_TOUR_UNSEEN_TIME_WAIT), stdout);
	t->view = after;
}

/* Show the next step of the script, checked against the kernel. */
static void tour_show(struct tour *t, bool with_segment)
{
	const struct tour_step *s;

	if (t->step > (int)ARRAY_SIZE(tour_steps)) {
		fputs("tcpstates-lab: the tour has more steps than its script\n",
		      stderr);
		exit(1);
	}
	s = &tour_steps[t->step - 1];
	pump(200);
	tour_check(t, s);
	printf("\n%2d. %s\n", t->step, msg(s->what));
	if (with_segment)
		printf(msg(M_TOUR_SEGMENT), t->seg);
	printf(msg(M_TOUR_ENDS), path_end(&s->ours), path_end(&s->peer));
	tour_changes(t, s);
	if (t->diagram)
		tour_diagram(t, s);
	t->step++;
	wait_step();
}
/*
 * Wait for the kernel's next segment on @c carrying @want and none of
 * @avoid: a retransmitted FIN must not pass for the ACK that followed it.
 */
static bool next_segment(struct conn *c, struct segment *out, uint8_t want,
			 uint8_t avoid)
{
	long long deadline = now_ms() + 3000;
	struct pollfd pfd = { .fd = tun_fd, .events = POLLIN };
	uint8_t pkt[65536];
	ssize_t n;

	while (now_ms() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		while ((n = read(tun_fd, pkt, sizeof(pkt))) > 0) {
			if (parse_segment(pkt, n, out) && out->sport == c->lport &&
			    out->dport == c->pport && out->family == c->family &&
			    (out->flags & want) == want && !(out->flags & avoid))
				return true;
		}
	}
	return false;
}

/* A new connection from the peer's next port: SYN, SYN-ACK, ACK, accept(). */
static int tour_handshake(struct tour *t, uint32_t *x, uint32_t *y)
{
	struct conn *c = t->c;
	struct segment s;

	c->pport++;
	*x = c->peer_isn += 1000;
	send_segment(c->family, c->pport, c->lport, *x, 0, TH_SYN);
	next_segment(c, &s, TH_SYN | TH_ACK, 0);
	*y = s.seq;
	send_segment(c->family, c->pport, c->lport, *x + 1, *y + 1, TH_ACK);
	pump(100);
	return accept(t->lfd, NULL, NULL);
}

/* The three-way handshake, we the passive side: SYN, SYN-ACK, ACK. */
static int tour_open(struct tour *t)
{
	struct conn *c = t->c;
	struct sockaddr_storage ss;
	struct segment s;
	uint32_t x, y;
	socklen_t len;
	int fd;

	t->lfd = new_socket(t->family);
	len = make_addr(t->family, local_addr(t->family), c->lport, &ss);
	if (bind(t->lfd, (struct sockaddr *)&ss, len) < 0)
		die(1, M_BIND, strerror(errno));
	tour_own(t, t->lfd, false);
	tour_show(t, false);
	listen(t->lfd, 8);
	tour_show(t, false);

	x = c->peer_isn;
	send_segment(t->family, c->pport, c->lport, x, 0, TH_SYN);
	describe(t->seg, sizeof(t->seg), TH_SYN, x, 0, "x", x, "", 0);
	if (!next_segment(c, &s, TH_SYN | TH_ACK, 0))
		die(1, M_NO_SYNACK);
	y = s.seq;
	c->our_nxt = y + 1;
	/* A request sock: no fd, but c's ports in /proc/net/tcp. */
	tour_own(t, -1, true);
	tour_show(t, true);
	describe(t->seg, sizeof(t->seg), s.flags, s.seq, s.ack, "y", y, "x", x);
	tour_show(t, true);

	send_segment(t->family, c->pport, c->lport, x + 1, y + 1, TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_ACK, x + 1, y + 1, "x", x, "y", y);
	pump(100);
	fd = accept(t->lfd, NULL, NULL);
	c->fd = fd;
	tour_own(t, fd, true);
	tour_show(t, true);
	return fd;
}

/* The four-way close, we closing first (the active close). */
static void tour_active_close(struct tour *t, int fd)
{
	struct conn *c = t->c;
	struct segment s;
	uint32_t u, v;

	shutdown(fd, SHUT_WR);
	if (!next_segment(c, &s, TH_FIN, 0))
		die(1, M_NO_FIN);
	u = s.seq;
	v = s.ack;
	describe(t->seg, sizeof(t->seg), s.flags, s.seq, s.ack, "u", u, "v", v);
	tour_show(t, true);

	send_segment(t->family, c->pport, c->lport, v, u + 1, TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_ACK, v, u + 1, "v", v, "u", u);
	tour_show(t, true);
	send_segment(t->family, c->pport, c->lport, v, u + 1, TH_FIN | TH_ACK);
	/* Catch our ACK now: showing the step drains the tun. */
	if (!next_segment(c, &s, TH_ACK, TH_FIN)) {
		s.flags = TH_ACK;
		s.seq = u + 1;
		s.ack = v + 1;
	}
	describe(t->seg, sizeof(t->seg), TH_FIN | TH_ACK, v, u + 1, "v", v, "u", u);
	tour_show(t, true);
	describe(t->seg, sizeof(t->seg), s.flags, s.seq, s.ack, "u", u, "v", v);
	tour_show(t, true);
	/* Reset the peer's side, so the next connection starts clean. */
	send_segment(t->family, c->pport, c->lport, s.ack, 0, TH_RST);
	close(fd);
}

/* The four-way close again, the peer closing first: our passive close. */
static void tour_passive_close(struct tour *t)
{
	struct conn *c = t->c;
	struct segment s;
	uint32_t x, y;
	int fd;

	fd = tour_handshake(t, &x, &y);
	tour_own(t, fd, true);
	tour_show(t, false);
	send_segment(t->family, c->pport, c->lport, x + 1, y + 1, TH_FIN | TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_FIN | TH_ACK, x + 1, y + 1, "v", x + 1,
		 "u", y + 1);
	next_segment(c, &s, TH_ACK, TH_FIN);
	tour_show(t, true);
	shutdown(fd, SHUT_WR);
	next_segment(c, &s, TH_FIN, 0);
	describe(t->seg, sizeof(t->seg), s.flags, s.seq, s.ack, "u", y + 1, "v", x + 1);
	tour_show(t, true);
	send_segment(t->family, c->pport, c->lport, x + 2, s.seq + 1, TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_ACK, x + 2, s.seq + 1, "v", x + 1, "u", y + 1);
	tour_show(t, true);
	close(fd);
}

/* Both sides close at once: the FINs cross, through CLOSING. */
static void tour_simultaneous_close(struct tour *t)
{
	struct conn *c = t->c;
	struct segment s;
	uint32_t x, y;
	int fd;

	fd = tour_handshake(t, &x, &y);
	tour_own(t, fd, true);
	shutdown(fd, SHUT_WR);
	next_segment(c, &s, TH_FIN, 0);
	describe(t->seg, sizeof(t->seg), s.flags, s.seq, s.ack, "u", s.seq, "v", s.ack);
	tour_show(t, true);
	send_segment(t->family, c->pport, c->lport, x + 1, y + 1, TH_FIN | TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_FIN | TH_ACK, x + 1, y + 1, "v", x + 1,
		 "u", y + 1);
	tour_show(t, true);
	send_segment(t->family, c->pport, c->lport, x + 2, y + 2, TH_ACK);
	describe(t->seg, sizeof(t->seg), TH_ACK, x + 2, y + 2, "v", x + 1, "u", y + 1);
	tour_show(t, true);
	close(fd);
}

/*
 * One connection's whole life, one step at a time, as the peer sees it
 * too; 1 if the kernel ever disagreed with the script.
 */
static int tour(int family, bool diagram)
{
	struct tour t = { .family = family, .step = 1, .diagram = diagram };

	read_tcpstates(&t.view);
	printf(msg(M_TOUR_INTRO), local_addr(family), peer_addr(family), TUN_NAME);
	if (!t.view.rows[0][0])
		fputs(msg(M_TOUR_NO_MODULE), stdout);
	wait_step();

	/* We open passively, the peer actively. */
	t.c = new_conn(family, ESTABLISHED);
	t.c->passive = true;
	t.c->lport = 8080;
	t.c->pport = 50000;
	tour_active_close(&t, tour_open(&t));
	tour_passive_close(&t);
	tour_simultaneous_close(&t);
	/* shutdown() closes a listener as close() does, and keeps its fd. */
	shutdown(t.lfd, SHUT_RDWR);
	tour_own(&t, t.lfd, false);
	tour_show(&t, false);
	close(t.lfd);
	fputs(msg(M_TOUR_OVER), stdout);
	return t.failed;
}

/* ---- watch ------------------------------------------------------------- */

#define MAX_CELLS	32

/* A line of the states table in cells, and the column each ends at. */
struct cells {
	int n;
	char text[MAX_CELLS][32];
	int end[MAX_CELLS];
};

/* The header's first cell, "# state", is two words. */
static void split_cells(const char *line, struct cells *c)
{
	const char *p = line;
	int len;

	for (c->n = 0; c->n < MAX_CELLS; c->n++) {
		p += strspn(p, " \n");
		if (!*p)
			break;
		len = strcspn(p, " \n");
		if (!c->n && !strncmp(p, "# state", 7))
			len = 7;
		snprintf(c->text[c->n], sizeof(c->text[0]), "%.*s", len, p);
		p += len;
		c->end[c->n] = p - line;
	}
}

/*
 * One line of the table, each cell ending where the header's does, those
 * that differ from @before's highlighted: in reverse video, or followed
 * by a '*' in a column each cell gets for it. At most @width columns on a
 * terminal (0: no limit), whole cells only.
 */
static void watch_line(const struct cells *hdr, const struct cells *now,
		       const struct cells *before, int width)
{
	char line[2048];
	int i, n = 0, col = 0, end, len, pad;
	bool changed;

	for (i = 0; i < now->n && i < hdr->n; i++) {
		changed = before && i && i < before->n &&
			  strcmp(now->text[i], before->text[i]);
		len = strlen(now->text[i]);
		end = hdr->end[i] + (colour || !i ? 0 : i - 1);
		pad = i ? end - len - col : 0;
		if (i && pad < 1)
			pad = 1;
		if (width && col + pad + len > width)
			break;
		n += sprintf(line + n, "%*s%s%s%s", pad, "",
			     colour && changed ? "\033[1;7m" : "", now->text[i],
			     colour && changed ? "\033[0m" : "");
		col += pad + len;
		if (!colour && i) {
			line[n++] = changed ? '*' : ' ';
			col++;
		}
	}
	while (n && line[n - 1] == ' ')
		n--;
	printf("%.*s\n", n, line);
}

static int terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return 0;
	return ws.ws_col;
}

/* What one refresh read, and when: the wall clock, and /proc/uptime's. */
struct refresh {
	struct tcpstates_view view;
	long n;
	char clock[16];
	double uptime;
};

static void watch_show(const struct refresh *now, const struct refresh *before,
		       long interval)
{
	struct cells hdr, row, old;
	int st, width = 0;

	if (colour) {
		/* Home and clear: the table stays where it is. */
		fputs("\033[H\033[2J", stdout);
		printf(msg(M_WATCH_TITLE), now->clock, now->n, interval);
		width = terminal_width();
	} else {
		printf(msg(M_WATCH_SEPARATOR), now->clock, now->n, now->uptime);
	}
	if (!now->view.header[0]) {
		fputs(msg(M_WATCH_NO_MODULE), stdout);
		return;
	}
	split_cells(now->view.header, &hdr);
	watch_line(&hdr, &hdr, NULL, width);
	for (st = 0; st < NR_STATES; st++) {
		const char *was = before ? before->view.rows[st] : "";

		if (!now->view.rows[st][0])
			continue;
		split_cells(now->view.rows[st], &row);
		split_cells(was, &old);
		watch_line(&hdr, &row, was[0] ? &old : NULL, width);
	}
}

/* Read /proc/tcpstates once, and say when. */
static void watch_read(struct refresh *r, long n)
{
	struct timespec ts;
	struct tm tm;
	time_t now;

	read_tcpstates(&r->view);
	r->n = n;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	r->uptime = ts.tv_sec + ts.tv_nsec / 1e9;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(r->clock, sizeof(r->clock), "%H:%M:%S", &tm);
}

/*
 * /proc/tcpstates's states table every @interval seconds, the cells that
 * changed since the last refresh highlighted, @count times (0: until a
 * signal); a student watches a row move while acting in another terminal.
 */
static int watch(long interval, long count)
{
	static struct refresh r[2];
	long long next = now_ms(), left;
	long n;

	if (!colour)
		printf(msg(M_WATCH_INTRO), interval);
	for (n = 1; !stop_requested; n++) {
		watch_read(&r[n % 2], n);
		watch_show(&r[n % 2], n > 1 ? &r[(n - 1) % 2] : NULL, interval);
		/* A reader gone (| head) ends it too. */
		if (fflush(stdout) || ferror(stdout) || n == count)
			break;
		next += interval * 1000;
		if (next < now_ms())
			next = now_ms();
		/* One clock read per check: a negative timeout waits forever. */
		for (left = next - now_ms(); !stop_requested && left > 0;
		     left = next - now_ms())
			poll(NULL, 0, left);
	}
	if (colour)
		fputs("\033[0m\n", stdout);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *out)
{
	int st;

	fprintf(out, msg(M_USAGE), MAX_CONNS / NR_STATES, LOCAL6, PEER6, LOCAL4,
		PEER4, TUN_NAME);
	for (st = 0; st < NR_STATES; st++) {
		fprintf(out, "  %-12s ", state_names[st]);
		print_indented(out, msg(M_HOW_CLOSED + st), 15);
		fputc('\n', out);
	}
	fputs(msg(M_USAGE_END), out);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static long parse_number(const char *arg, enum text_id what, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 1 || v > max) {
		complain(M_BAD_NUMBER, msg(what), arg, max);
		usage(stderr);
		exit(2);
	}
	return v;
}

/* What the command line asks for. */
struct lab_args {
	const char *what;	/* a state name, all, tour, diagram or watch */
	const char *count_arg;	/* -n: sockets per state, or watch's refreshes */
	long count;
	long interval;		/* watch's, in seconds */
	long hold;		/* seconds; 0: until a signal */
	int family;
	bool here;
	bool diagram;		/* tour --diagram */
};

/* The text @id, then the usage, on stderr; exit 2. */
static void usage_error(enum text_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	vcomplain(id, ap);
	va_end(ap);
	usage(stderr);
	exit(2);
}

static void parse_option(int opt, struct lab_args *args)
{
	switch (opt) {
	case 'n':
		/* Its range depends on the command, which may come later. */
		args->count_arg = optarg;
		break;
	case 'I':
		args->interval = parse_number(optarg, M_WHAT_INTERVAL, 3600);
		break;
	case 'H':
		args->hold = parse_number(optarg, M_WHAT_HOLD,
					  100L * 24 * 3600);
		break;
	case '6':
		args->family = AF_INET6;
		break;
	case 'f':
		if (strcmp(optarg, "4") && strcmp(optarg, "6"))
			usage_error(M_BAD_FAMILY);
		args->family = optarg[0] == '6' ? AF_INET6 : AF_INET;
		break;
	case 'h':
		args->here = true;
		break;
	case 'a':
		tour_auto = true;
		break;
	case 'D':
		args->diagram = true;
		break;
	case 'b':
		syn_backlog = parse_number(optarg, M_WHAT_BACKLOG, 65535);
		break;
	case 'L':
		/* select_language() took it already. */
		if (parse_lang(optarg) < 0)
			usage_error(M_BAD_LANG);
		break;
	case '?' + 256:
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		exit(2);
	}
}

static void parse_args(int argc, char **argv, struct lab_args *args)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "hold", required_argument, NULL, 'H' },
		{ "family", required_argument, NULL, 'f' },
		{ "here", no_argument, NULL, 'h' },
		{ "auto", no_argument, NULL, 'a' },
		{ "diagram", no_argument, NULL, 'D' },
		{ "interval", required_argument, NULL, 'I' },
		{ "backlog", required_argument, NULL, 'b' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, '?' + 256 },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*args = (struct lab_args){ .count = 1, .interval = 1,
				   .family = AF_INET };
	while ((opt = getopt_long(argc, argv, "n:6", opts, NULL)) != -1)
		parse_option(opt, args);
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	args->what = argv[optind];
	if (strcasecmp(args->what, "all") && strcasecmp(args->what, "tour") &&
	    strcasecmp(args->what, "diagram") &&
	    strcasecmp(args->what, "watch") && parse_state(args->what) < 0)
		usage_error(M_UNKNOWN_STATE, args->what);
	if (!args->count_arg)
		args->count = strcasecmp(args->what, "watch") ? 1 : 0;
	else if (!strcasecmp(args->what, "watch"))
		args->count = parse_number(args->count_arg, M_WHAT_COUNT,
					   1000000);
	else
		args->count = parse_number(args->count_arg, M_WHAT_COUNT,
					   MAX_CONNS / NR_STATES);
}

/* Until the hold ends: answer the kernel, and keep TIME_WAIT from expiring. */
static void hold_states(long hold)
{
	long long until = hold ? now_ms() + hold * 1000 : 0;
	int i;

	while (!stop_requested && (!hold || now_ms() < until)) {
		pump(500);
		for (i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];

			if (c->target == TIME_WAIT && c->peer_fin_sent &&
			    now_ms() - c->last_refresh > TIME_WAIT_REFRESH_MS)
				peer_fin(c, c->our_nxt);
		}
	}
}

/* Put args->count sockets into each asked-for state, report, hold them. */
static int run_states(const struct lab_args *args)
{
	bool held[NR_STATES] = { false };
	int st, i;

	for (st = 0; st < NR_STATES; st++) {
		if (strcasecmp(args->what, "all") && st != parse_state(args->what))
			continue;
		held[st] = true;
		for (i = 0; i < args->count; i++)
			start(args->family, st);
	}
	if (!settle()) {
		for (i = 0; i < nconns; i++)
			if (!conns[i].confirmed)
				complain(M_NOT_REACHED, state_names[conns[i].target],
					 conns[i].lport);
		return 1;
	}
	tidy_time_wait();
	for (i = 0; i < nconns; i++)
		print_conn(&conns[i]);
	print_rows(held);
	for (st = 0; st < NR_STATES; st++)
		if (held[st])
			printf("held %s %ld %s\n", state_names[st], args->count,
			       args->family == AF_INET ? "ipv4" : "ipv6");
	printf("ready\n");
	fflush(stdout);
	hold_states(args->hold);
	return 0;
}

/* Colour, not markers: a terminal that takes it and a user who wants it. */
static bool use_colour(void)
{
	const char *term = getenv("TERM");
	const char *no_colour = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && !(no_colour && *no_colour) &&
	       !(term && !strcmp(term, "dumb"));
}

int main(int argc, char **argv)
{
	struct lab_args args;
	int ret = 0;

	check_texts();
	select_language(argc, argv);
	parse_args(argc, argv, &args);
	colour = use_colour();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Neither draws on the network: no namespace, no tun, no root. */
	if (!strcasecmp(args.what, "diagram")) {
		draw_diagram(NULL, true);
		return 0;
	}
	if (!strcasecmp(args.what, "watch"))
		return watch(args.interval, args.count);
	srandom(time(NULL) ^ getpid());
	setup_network(!args.here);

	if (!strcasecmp(args.what, "tour"))
		ret = tour(args.family, args.diagram);
	else
		ret = run_states(&args);
	release_all();
	return ret;
}
