// SPDX-License-Identifier: GPL-2.0
/*
 * listing-resume: close sockets under /proc/tcpstates's per-socket listing
 * between two reads of it, and check that the second read goes on exactly
 * with the sockets that are left.
 *
 *   listing-resume STRIDE LISTENERS PAIRS SKIP BEFORE CLOSE
 *
 * Run in a netns of its own, with lo up and list_sockets large enough for
 * everything. LISTENERS listeners on 127.0.0.1, ports 1024 + k * STRIDE:
 * with STRIDE the lhash2 size they share one lhash2 bucket. PAIRS
 * connections to the first of them: with an ehash of one bucket
 * (tcp_child_ehash_entries=1) they share that one. Then:
 *  - one full read gives the listing, in order;
 *  - a second open file is read until SKIP socket lines are in. Reading
 *    the last byte of a record makes seq_file print the next one into its
 *    buffer, so socket SKIP + 1 is printed already and the cursor stands
 *    on the one after it, released between reads;
 *  - the BEFORE sockets up to the cursor and the CLOSE sockets from it on
 *    are closed: a listener, or both ends of a connection, reset so that
 *    nothing is left in TIME_WAIT;
 *  - the rest is read: the buffered line, then the full listing after it
 *    less every socket closed, in the same order.
 * Exits 0 if so; otherwise prints both.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROC		"/proc/tcpstates"
#define MAX_LINES	4096
#define LINE_MAX_LEN	160

struct line {
	char text[LINE_MAX_LEN];	/* "local remote state" */
};

static struct line full[MAX_LINES], after[MAX_LINES];
static int nfull, nafter;

static int *listen_fd, *listen_port;
static int *client_fd, *server_fd, *client_port;
static int nlisteners, npairs;

static void fail(const char *what)
{
	fprintf(stderr, "listing-resume: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *zalloc(size_t n)
{
	void *p = calloc(n, 1);

	if (!p)
		fail("calloc");
	return p;
}

static struct sockaddr_in addr(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return a;
}

static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		fail("SO_REUSEADDR");
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		fail("getsockname");
	return ntohs(a.sin_port);
}

/* Close with a reset: the socket leaves the tables at once. */
static void reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		fail("SO_LINGER");
	close(fd);
}

static void populate(int stride)
{
	struct sockaddr_in a;
	int i;

	listen_fd = zalloc(nlisteners * sizeof(int));
	listen_port = zalloc(nlisteners * sizeof(int));
	client_fd = zalloc(npairs * sizeof(int));
	server_fd = zalloc(npairs * sizeof(int));
	client_port = zalloc(npairs * sizeof(int));
	for (i = 0; i < nlisteners; i++) {
		listen_port[i] = 1024 + i * stride;
		a = addr(listen_port[i]);
		listen_fd[i] = tcp_socket();
		if (bind(listen_fd[i], (struct sockaddr *)&a, sizeof(a)))
			fail("bind");
		if (listen(listen_fd[i], 4096))
			fail("listen");
	}
	for (i = 0; i < npairs; i++) {
		a = addr(listen_port[0]);
		client_fd[i] = tcp_socket();
		if (connect(client_fd[i], (struct sockaddr *)&a, sizeof(a)))
			fail("connect");
		server_fd[i] = accept(listen_fd[0], NULL, NULL);
		if (server_fd[i] < 0)
			fail("accept");
		client_port[i] = local_port(client_fd[i]);
	}
}

/* "socket L R STATE ..." to "L R STATE"; 0 if not a socket line. */
static int parse(const char *text, struct line *out)
{
	char l[64], r[64], st[16];

	if (sscanf(text, "socket %63s %63s %15s", l, r, st) != 3)
		return 0;
	snprintf(out->text, sizeof(out->text), "%s %s %s", l, r, st);
	return 1;
}

/* Socket lines of @text, appended to @lines. */
static void collect(char *text, struct line *lines, int *n)
{
	char *save, *tok;

	for (tok = strtok_r(text, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		if (*n == MAX_LINES) {
			fprintf(stderr, "listing-resume: too many lines\n");
			exit(1);
		}
		*n += parse(tok, &lines[*n]);
	}
}

static char *read_rest(int fd)
{
	size_t len = 0, size = 1 << 16;
	char *text = zalloc(size + 1);
	ssize_t n;

	while ((n = read(fd, text + len, size - len)) > 0) {
		len += n;
		if (len == size) {
			text = realloc(text, 2 * size + 1);
			if (!text)
				fail("realloc");
			size *= 2;
		}
	}
	if (n < 0)
		fail("read " PROC);
	text[len] = '\0';
	return text;
}

/* Read @fd a byte at a time until @skip socket lines are in. */
static void read_lines(int fd, int skip)
{
	char line[LINE_MAX_LEN], c;
	struct line dummy;
	int len = 0, seen = 0;

	while (seen < skip) {
		if (read(fd, &c, 1) != 1) {
			fprintf(stderr, "listing-resume: the listing ended early\n");
			exit(1);
		}
		if (c != '\n') {
			if (len < LINE_MAX_LEN - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		seen += parse(line, &dummy);
	}
}

/* The socket of listing line @l: close it and its peer, mark their lines. */
static void close_socket(const struct line *l, char *closed)
{
	char text[LINE_MAX_LEN];
	int i;

	for (i = 0; i < nlisteners; i++) {
		snprintf(text, sizeof(text), "127.0.0.1:%d 0.0.0.0:0 LISTEN",
			 listen_port[i]);
		if (!strcmp(l->text, text) && listen_fd[i] >= 0) {
			close(listen_fd[i]);
			listen_fd[i] = -1;
		}
	}
	for (i = 0; i < npairs; i++) {
		char c2s[LINE_MAX_LEN], s2c[LINE_MAX_LEN];

		snprintf(c2s, sizeof(c2s), "127.0.0.1:%d 127.0.0.1:%d ESTABLISHED",
			 client_port[i], listen_port[0]);
		snprintf(s2c, sizeof(s2c), "127.0.0.1:%d 127.0.0.1:%d ESTABLISHED",
			 listen_port[0], client_port[i]);
		if (strcmp(l->text, c2s) && strcmp(l->text, s2c))
			continue;
		reset(client_fd[i]);
		reset(server_fd[i]);
		client_fd[i] = server_fd[i] = -1;
		for (int j = 0; j < nfull; j++)
			if (!strcmp(full[j].text, c2s) || !strcmp(full[j].text, s2c))
				closed[j] = 1;
	}
}

int main(int argc, char **argv)
{
	int stride, skip, before, nclose, cursor, fd, i, n;
	static char closed[MAX_LINES];
	struct rlimit rl;

	if (argc != 7) {
		fprintf(stderr, "usage: listing-resume STRIDE LISTENERS PAIRS SKIP BEFORE CLOSE\n");
		return 2;
	}
	stride = atoi(argv[1]);
	nlisteners = atoi(argv[2]);
	npairs = atoi(argv[3]);
	skip = atoi(argv[4]);
	before = atoi(argv[5]);
	nclose = atoi(argv[6]);
	if (nlisteners < 1 || stride < 1 || 1024 + (nlisteners - 1) * stride > 65535 ||
	    before > skip + 1) {
		fprintf(stderr, "listing-resume: bad arguments\n");
		return 2;
	}
	rl.rlim_cur = rl.rlim_max = nlisteners + 2 * npairs + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE");
	populate(stride);

	fd = open(PROC, O_RDONLY);
	if (fd < 0)
		fail("open " PROC);
	collect(read_rest(fd), full, &nfull);
	close(fd);
	if (nfull != nlisteners + 2 * npairs || skip + 1 + nclose > nfull) {
		fprintf(stderr, "listing-resume: the listing has %d sockets, not %d\n",
			nfull, nlisteners + 2 * npairs);
		return 1;
	}

	fd = open(PROC, O_RDONLY);
	if (fd < 0)
		fail("open " PROC);
	read_lines(fd, skip);
	cursor = skip + 1;
	for (i = cursor - before; i < cursor + nclose; i++) {
		closed[i] = 1;
		close_socket(&full[i], closed);
	}
	collect(read_rest(fd), after, &nafter);
	close(fd);

	n = 0;
	for (i = skip; i < nfull; i++) {
		if (closed[i] && i >= cursor)
			continue;
		if (n >= nafter || strcmp(full[i].text, after[n].text))
			break;
		n++;
	}
	if (i == nfull && n == nafter) {
		printf("listing-resume: %d sockets, %d read, %d closed around the cursor, %d read after\n",
		       nfull, skip, before + nclose, nafter);
		return 0;
	}
	fprintf(stderr, "listing-resume: after %d of %d sockets, the rest differs at %d\n",
		skip, nfull, n);
	fprintf(stderr, "expected:\n");
	for (i = skip; i < nfull; i++)
		if (!closed[i] || i < cursor)
			fprintf(stderr, "  %s\n", full[i].text);
	fprintf(stderr, "read:\n");
	for (i = 0; i < nafter; i++)
		fprintf(stderr, "  %s\n", after[i].text);
	return 1;
}
