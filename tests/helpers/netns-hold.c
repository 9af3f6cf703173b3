// SPDX-License-Identifier: GPL-2.0
/*
 * netns-hold: create network namespaces and hold them until SIGTERM.
 *
 *   netns-hold N
 *
 * Each netns is held by an open file of its /proc/self/ns/net; its inode
 * is printed, one a line, then "ready".
 *
 * On SIGTERM the netns go BATCH at a time, each batch once the kernel has
 * torn down the one before, and then the process exits. Let go at once,
 * 1700 netns are torn down in one pass that holds RTNL throughout: over a
 * minute under KASAN and TCG, long enough for the hung-task detector to
 * report whoever waits for RTNL meanwhile.
 *
 * The kernel counts a user namespace's netns until their teardown ends
 * (dec_net_namespaces(), last in cleanup_net()), and refuses a new one
 * beyond the namespace's max_net_namespaces. So the netns are made in a
 * user namespace of their own, and a batch is gone once, with the limit
 * set to what is still held plus one, a child can make one more. Without
 * user namespaces (CONFIG_USER_NS=n) they go at once, unwaited for.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NETNS 100000
#define BATCH 100
/* For a batch's teardown: a bound for a kernel that never ends one. */
#define TEARDOWN_LIMIT_S 600

static volatile sig_atomic_t terminated;

static void fail(const char *what)
{
	fprintf(stderr, "netns-hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_sigterm(int sig)
{
	(void)sig;
	terminated = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_max_net_namespaces(int max)
{
	FILE *f = fopen("/proc/sys/user/max_net_namespaces", "w");

	if (!f || fprintf(f, "%d\n", max) < 0 || fclose(f))
		fail("/proc/sys/user/max_net_namespaces");
}

/* Can a child make a netns? Only while fewer than the limit are counted. */
static int one_more_netns(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fail("fork");
	if (!pid)
		_exit(unshare(CLONE_NEWNET) ? 1 : 0);
	if (waitpid(pid, &status, 0) < 0)
		fail("waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Wait until at most @alive netns of ours are counted. A child that made
 * one lets it go as it exits: the next wait waits for that one too.
 */
static int wait_torn_down(int alive)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	double end = now_s() + TEARDOWN_LIMIT_S;

	set_max_net_namespaces(alive + 1);
	while (!one_more_netns()) {
		if (now_s() > end)
			return -1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigterm };
	int n, made, i, *fds, own_userns;
	struct rlimit rl;
	struct stat st;
	double start;

	if (argc != 2 || (n = atoi(argv[1])) < 1 || n > MAX_NETNS) {
		fprintf(stderr, "usage: netns-hold N (1..%d)\n", MAX_NETNS);
		return 2;
	}
	/* A line per netns as it is made: the caller waits on progress. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sigaction(SIGTERM, &sa, NULL))
		fail("sigaction");
	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE");
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		fail("calloc");
	own_userns = !unshare(CLONE_NEWUSER);
	if (!own_userns && errno != EINVAL)
		fail("unshare(CLONE_NEWUSER)");
	/* SIGTERM before "ready" (a caller that gave up): stop making more. */
	for (made = 0; made < n && !terminated; made++) {
		if (unshare(CLONE_NEWNET))
			fail("unshare(CLONE_NEWNET)");
		fds[made] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fds[made] < 0 || fstat(fds[made], &st))
			fail("/proc/self/ns/net");
		printf("%lu\n", (unsigned long)st.st_ino);
	}
	if (made == n)
		printf("ready\n");
	while (!terminated)
		pause();

	/* The last netns is ours to the end: it is counted until we exit. */
	start = now_s();
	for (i = 0; i < made; i++) {
		close(fds[i]);
		if (!own_userns || ((i + 1) % BATCH && i + 1 < made))
			continue;
		if (wait_torn_down(made - i - 1 > 0 ? made - i - 1 : 1)) {
			printf("teardown: the batch up to netns %d of %d not over after %d s\n",
			       i + 1, made, TEARDOWN_LIMIT_S);
			return 1;
		}
	}
	if (own_userns)
		printf("torn down: %d netns, %d at a time, in %.1f s\n", made,
		       BATCH, now_s() - start);
	else
		printf("let go: %d netns, at once (no user namespaces)\n", made);
	return 0;
}
