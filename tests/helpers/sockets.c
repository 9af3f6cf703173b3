// SPDX-License-Identifier: GPL-2.0
/*
 * sockets: put real TCP sockets on loopback into known states and hold
 * them until SIGTERM, for the guest test suite.
 *
 *   sockets SPEC...    SPEC is FAMILY:KIND:COUNT:PORT, e.g. 4:listen:3:7001
 *
 * FAMILY picks the address: 4 is 127.0.0.1, 5 is 127.0.0.2, 6 is ::1 and
 * 7 is 2001:db8::1 (which the caller adds to lo). KIND and what COUNT of it
 * leaves:
 *   listen       COUNT listeners on PORT, PORT+1, ...
 *   bound        COUNT bound-only sockets (CLOSED) on PORT, PORT+1, ...
 *   bound_shared COUNT bound-only sockets all on PORT (SO_REUSEADDR, none
 *                listening): one bind bucket with COUNT owners
 *   established  one listener on PORT, COUNT connections: 2*COUNT ESTABLISHED
 *   fin_wait2    one listener, COUNT connections whose client did
 *                shutdown(SHUT_WR): COUNT FIN_WAIT2 and COUNT CLOSE_WAIT
 *   orphan       as fin_wait2, then the client close()d: COUNT FIN_WAIT2
 *                timewait socks and COUNT CLOSE_WAIT
 *   time_wait    COUNT connections shut down client first, then the server,
 *                all closed, then the listener: COUNT TIME_WAIT
 *   keepalive    one listener, COUNT connections whose client has
 *                SO_KEEPALIVE with TCP_KEEPIDLE=KEEPIDLE
 *   syn_sent     a listener with a full accept queue (backlog 0, one
 *                connection never accepted) that drops COUNT more SYNs:
 *                COUNT SYN_SENT retransmitting, 2 ESTABLISHED
 *   fin_wait1    one listener, COUNT connections whose server never reads
 *                and whose client filled the window, then close()d:
 *                COUNT orphaned FIN_WAIT1 probing a zero window
 *   refused      COUNT connect()s to PORT, where nothing listens, each
 *                refused by a reset: leaves nothing
 *
 * Prints "ready" when every socket is in place, then waits: each kind is
 * built by waiting for the states it passes through, never for a time.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS		65536
#define STATE_WAIT_MS	5000
/* Idle time of the keepalive kind, in seconds. */
#define KEEPIDLE	30

static int fds[MAX_FDS];
static int nfds;

static void fail(const char *what)
{
	fprintf(stderr, "sockets: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int keep(int fd)
{
	if (nfds == MAX_FDS) {
		fprintf(stderr, "sockets: too many sockets\n");
		exit(1);
	}
	fds[nfds++] = fd;
	return fd;
}

static int is_ipv6(int family)
{
	return family == 6 || family == 7;
}

static socklen_t make_addr(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (is_ipv6(family)) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (family == 6)
			a->sin6_addr = in6addr_loopback;
		else
			inet_pton(AF_INET6, "2001:db8::1", &a->sin6_addr);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(family == 4 ? 0x7f000001 : 0x7f000002);
	return sizeof(*a);
}

static int new_socket(int family)
{
	int fd = socket(is_ipv6(family) ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		fail("SO_REUSEADDR");
	return fd;
}

static int bound_socket(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, port, &ss);
	int fd = new_socket(family);

	if (bind(fd, (struct sockaddr *)&ss, len))
		fail("bind");
	return fd;
}

static int listener(int family, int port)
{
	int fd = bound_socket(family, port);

	if (listen(fd, 4096))
		fail("listen");
	return fd;
}

static void set_nonblocking(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		fail("O_NONBLOCK");
}

static int connect_to(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, port, &ss);
	int fd = new_socket(family);

	if (connect(fd, (struct sockaddr *)&ss, len))
		fail("connect");
	return fd;
}

static struct tcp_info tcp_info_of(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		fail("TCP_INFO");
	return ti;
}

static int tcp_state(int fd)
{
	return tcp_info_of(fd).tcpi_state;
}

/* Wait until @fd reaches @state: loopback is quick, but not instant. */
static void await_state(int fd, int state)
{
	int waited;

	for (waited = 0; waited < STATE_WAIT_MS; waited++) {
		if (tcp_state(fd) == state)
			return;
		poll(NULL, 0, 1);
	}
	fprintf(stderr, "sockets: state %d not reached (at %d)\n", state,
		tcp_state(fd));
	exit(1);
}

/* Wait until @lfd's accept queue holds @n connections. */
static void await_accept_queue(int lfd, unsigned int n)
{
	int waited;

	/* A listener's tcpi_unacked is its accept queue (tcp_get_info()). */
	for (waited = 0; waited < STATE_WAIT_MS; waited++) {
		if (tcp_info_of(lfd).tcpi_unacked >= n)
			return;
		poll(NULL, 0, 1);
	}
	fprintf(stderr, "sockets: accept queue did not reach %u\n", n);
	exit(1);
}

/* One connection to @lfd's port: returns the client, sets *server. */
static int pair(int family, int lfd, int port, int *server)
{
	int cfd = connect_to(family, port);

	*server = accept(lfd, NULL, NULL);
	if (*server < 0)
		fail("accept");
	return cfd;
}

/*
 * The server never reads: write until its window is closed, then close, so
 * that the FIN waits behind data only a zero-window probe can move. The
 * window is closed once nothing is in flight and the send buffer is still
 * full.
 */
static void fill_and_close(int cfd)
{
	static char junk[65536];
	int waited;

	set_nonblocking(cfd);
	for (waited = 0; waited < STATE_WAIT_MS; waited++) {
		while (write(cfd, junk, sizeof(junk)) > 0)
			;
		if (errno != EAGAIN)
			fail("write");
		if (!tcp_info_of(cfd).tcpi_unacked && write(cfd, junk, 1) < 0 &&
		    errno == EAGAIN) {
			close(cfd);
			return;
		}
		poll(NULL, 0, 1);
	}
	fprintf(stderr, "sockets: the peer's window did not close\n");
	exit(1);
}

/*
 * A listener whose accept queue is full drops new SYNs (LISTENOVERFLOWS),
 * so non-blocking connects to it stay in SYN_SENT and retransmit.
 */
static void make_syn_sent(int family, int count, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, port, &ss);
	int lfd = keep(bound_socket(family, port));
	int i, fd;

	if (listen(lfd, 0))
		fail("listen");
	fd = keep(connect_to(family, port));
	await_accept_queue(lfd, 1);
	for (i = 0; i < count; i++) {
		fd = keep(new_socket(family));
		set_nonblocking(fd);
		if (!connect(fd, (struct sockaddr *)&ss, len) || errno != EINPROGRESS)
			fail("connect to a full listener");
	}
}

/* On loopback the reset is processed before connect() returns. */
static void make_refused(int family, int count, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, port, &ss);
	int i, fd;

	for (i = 0; i < count; i++) {
		fd = new_socket(family);
		if (!connect(fd, (struct sockaddr *)&ss, len) ||
		    errno != ECONNREFUSED)
			fail("connect to a closed port");
		close(fd);
	}
}

static void make(int family, const char *kind, int count, int port)
{
	int i, lfd, cfd, sfd;
	char buf[1];

	if (!strcmp(kind, "listen")) {
		for (i = 0; i < count; i++)
			keep(listener(family, port + i));
		return;
	}
	if (!strcmp(kind, "bound")) {
		for (i = 0; i < count; i++)
			keep(bound_socket(family, port + i));
		return;
	}
	if (!strcmp(kind, "bound_shared")) {
		for (i = 0; i < count; i++)
			keep(bound_socket(family, port));
		return;
	}

	if (!strcmp(kind, "syn_sent")) {
		make_syn_sent(family, count, port);
		return;
	}
	if (!strcmp(kind, "refused")) {
		make_refused(family, count, port);
		return;
	}
	lfd = listener(family, port);
	for (i = 0; i < count; i++) {
		cfd = pair(family, lfd, port, &sfd);
		if (!strcmp(kind, "established")) {
			keep(cfd);
			keep(sfd);
		} else if (!strcmp(kind, "fin_wait2")) {
			shutdown(cfd, SHUT_WR);
			await_state(sfd, TCP_CLOSE_WAIT);
			await_state(cfd, TCP_FIN_WAIT2);
			keep(cfd);
			keep(sfd);
		} else if (!strcmp(kind, "orphan")) {
			/*
			 * Closed in FIN_WAIT2, tcp_close() makes the
			 * timewait sock before it returns.
			 */
			shutdown(cfd, SHUT_WR);
			await_state(sfd, TCP_CLOSE_WAIT);
			await_state(cfd, TCP_FIN_WAIT2);
			close(cfd);
			keep(sfd);
		} else if (!strcmp(kind, "time_wait")) {
			/*
			 * The client's FIN_WAIT2 gets the server's FIN: it
			 * leaves a timewait sock and is CLOSE; the server's
			 * LAST_ACK gets the ACK and is CLOSE.
			 */
			shutdown(cfd, SHUT_WR);
			await_state(sfd, TCP_CLOSE_WAIT);
			await_state(cfd, TCP_FIN_WAIT2);
			if (read(sfd, buf, sizeof(buf)) != 0)
				fail("read EOF");
			shutdown(sfd, SHUT_WR);
			await_state(cfd, TCP_CLOSE);
			await_state(sfd, TCP_CLOSE);
			close(cfd);
			close(sfd);
		} else if (!strcmp(kind, "keepalive")) {
			int one = 1, idle = KEEPIDLE;

			if (setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) ||
			    setsockopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)))
				fail("keepalive");
			keep(cfd);
			keep(sfd);
		} else if (!strcmp(kind, "fin_wait1")) {
			fill_and_close(cfd);
			keep(sfd);
		} else {
			fprintf(stderr, "sockets: unknown kind %s\n", kind);
			exit(2);
		}
	}
	if (!strcmp(kind, "time_wait"))
		close(lfd);
	else
		keep(lfd);
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	int i;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++) {
		char kind[32];
		int family, count, port;

		if (sscanf(argv[i], "%d:%31[a-z_0-9]:%d:%d", &family, kind,
			   &count, &port) != 4 || family < 4 || family > 7) {
			fprintf(stderr, "usage: sockets FAMILY:KIND:COUNT:PORT...\n");
			return 2;
		}
		make(family, kind, count, port);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
