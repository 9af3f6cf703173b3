// SPDX-License-Identifier: GPL-2.0
/*
 * listing-race: kill a reader of /proc/tcpstates's per-socket listing in
 * the middle of a read, then read on from the same open file in another
 * process, many times over.
 *
 *   listing-race ITERATIONS BALLAST
 *
 * Run with list_sockets set. BALLAST listeners are made in the netns the
 * helper starts in; it then moves to a new netns of its own and, in each
 * iteration, there:
 *  - listens on 3 ports and opens /proc/tcpstates;
 *  - reads it a byte at a time until the first socket line begins, so the
 *    listing's cursor stands on a listener, released between reads;
 *  - forks a child that reads on through the same open file, closes the
 *    listeners under the cursor and SIGKILLs the child 0-3 ms later: the
 *    child's read resumes from the cursor and scans the tables, and the
 *    ballast listeners of the other netns make that scan long;
 *  - reads the rest itself, through the same file.
 * Every line read must look like one of the file's lines. Prints how many
 * children were killed inside their read, and exits 0 if nothing failed.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC		"/proc/tcpstates"
#define LISTENERS	3
#define MAX_DELAY_US	3000
#define BALLAST_PORT	20000
#define TEXT_MAX	(1 << 20)

static char text[TEXT_MAX];
static size_t text_len;

static void fail(const char *what)
{
	fprintf(stderr, "listing-race: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		fail("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		fail("bind");
	if (listen(fd, 16))
		fail("listen");
	return fd;
}

static void keep(const char *buf, ssize_t n)
{
	if (n < 0)
		fail("read " PROC);
	if (text_len + n > TEXT_MAX) {
		fprintf(stderr, "listing-race: more text than expected\n");
		exit(1);
	}
	memcpy(text + text_len, buf, n);
	text_len += n;
}

/* Has the text read so far begun a socket line? */
static int in_listing(void)
{
	return text_len > 7 && memmem(text, text_len, "\nsocket ", 8);
}

static const char *const words[] = {
	"#", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED",
	"FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT", "netns", "port", "hint", "socket", NULL,
};

/*
 * Every line is a comment, a state's row, a breakdown, a hint, a socket,
 * or a "name value unit" setting; the first is skipped unless @whole.
 * Returns the number of socket lines.
 */
static int check_text(int iteration, int whole)
{
	char *line = text, *end = text + text_len, *nl;
	int sockets = 0, i;

	if (!text_len || end[-1] != '\n') {
		fprintf(stderr, "listing-race: iteration %d: text does not end a line\n",
			iteration);
		exit(1);
	}
	for (; line < end; line = nl + 1, whole = 1) {
		char word[32];
		int fields;

		nl = memchr(line, '\n', end - line);
		*nl = '\0';
		if (!whole)
			continue;
		if (sscanf(line, "%31s", word) != 1)
			goto bad;
		if (!strcmp(word, "socket")) {
			char l[64], r[64], st[16], tm[16], ms[16];
			unsigned int retries;

			if (sscanf(line, "socket %63s %63s %15s %15s %15s %u",
				   l, r, st, tm, ms, &retries) != 6)
				goto bad;
			sockets++;
			continue;
		}
		for (i = 0; words[i]; i++)
			if (!strcmp(word, words[i]))
				break;
		if (words[i])
			continue;
		/* A setting: name value unit. */
		fields = 0;
		for (char *p = line; *p; ) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			fields++;
			while (*p && *p != ' ')
				p++;
		}
		if (fields == 3)
			continue;
bad:
		fprintf(stderr, "listing-race: iteration %d: bad line '%s'\n",
			iteration, line);
		exit(1);
	}
	return sockets;
}

static void raise_nofile(unsigned int n)
{
	struct rlimit rl = { .rlim_cur = n, .rlim_max = n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE");
}

static void delay_us(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The child: read on through @fd when told to, say so when done. Its
 * copies of the listeners go first, or closing them would close nothing.
 */
static void child(int fd, const int *lfd, int go, int done)
{
	static char buf[65536];
	char c;
	int j;

	for (j = 0; j < LISTENERS; j++)
		close(lfd[j]);
	if (read(go, &c, 1) != 1)
		_exit(2);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (write(done, "d", 1) != 1)
		_exit(2);
	_exit(0);
}

int main(int argc, char **argv)
{
	int iterations, ballast, i, j, killed = 0, finished = 0;
	static char buf[65536];

	if (argc != 3) {
		fprintf(stderr, "usage: listing-race ITERATIONS BALLAST\n");
		return 2;
	}
	iterations = atoi(argv[1]);
	ballast = atoi(argv[2]);
	raise_nofile(ballast + 64);
	for (i = 0; i < ballast; i++)
		listener(BALLAST_PORT + i);
	if (unshare(CLONE_NEWNET))
		fail("unshare");
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < iterations; i++) {
		int lfd[LISTENERS], go[2], done[2], fd, status;
		long us = (long)i * 7919 % (MAX_DELAY_US + 1);
		pid_t pid;
		char c;
		ssize_t n;

		for (j = 0; j < LISTENERS; j++)
			lfd[j] = listener(7000 + (i * LISTENERS + j) % 2000);
		fd = open(PROC, O_RDONLY);
		if (fd < 0)
			fail("open " PROC);
		text_len = 0;
		while (!in_listing()) {
			n = read(fd, buf, 1);
			if (!n) {
				fprintf(stderr, "listing-race: no socket line: is list_sockets set?\n");
				return 1;
			}
			keep(buf, n);
		}

		if (pipe(go) || pipe2(done, O_NONBLOCK))
			fail("pipe");
		pid = fork();
		if (pid < 0)
			fail("fork");
		if (!pid)
			child(fd, lfd, go[0], done[1]);
		close(go[0]);
		close(done[1]);
		for (j = 0; j < LISTENERS; j++)
			close(lfd[j]);
		if (write(go[1], "g", 1) != 1)
			fail("write");
		delay_us(us);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			fail("waitpid");
		if (read(done[0], &c, 1) == 1)
			finished++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		close(go[1]);
		close(done[0]);

		/* The child's bytes are lost to us: keep only what we read. */
		text_len = 0;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			keep(buf, n);
		if (n < 0)
			fail("read " PROC " after the child");
		/*
		 * Unless the child took them, the text starts with the rest of
		 * the socket line we began.
		 */
		if (text_len)
			check_text(i, !strncmp(text, "socket ", 7) ||
				   !strncmp(text, "# ", 2));
		close(fd);
	}
	printf("iterations %d killed %d finished %d\n", iterations, killed,
	       finished);
	return 0;
}
