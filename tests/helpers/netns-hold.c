// SPDX-License-Identifier: GPL-2.0
/*
 * netns-hold: create network namespaces and hold them until SIGTERM.
 *
 *   netns-hold N
 *
 * Each netns is held by an open file of its /proc/self/ns/net; its inode
 * is printed, one a line, then "ready". The netns go when the process
 * does.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NETNS 100000

static void fail(const char *what)
{
	fprintf(stderr, "netns-hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct stat st;
	int n, i, fd;

	if (argc != 2 || (n = atoi(argv[1])) < 1 || n > MAX_NETNS) {
		fprintf(stderr, "usage: netns-hold N (1..%d)\n", MAX_NETNS);
		return 2;
	}
	/* A line per netns as it is made: the caller waits on progress. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE");
	for (i = 0; i < n; i++) {
		if (unshare(CLONE_NEWNET))
			fail("unshare");
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st))
			fail("/proc/self/ns/net");
		printf("%lu\n", (unsigned long)st.st_ino);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
