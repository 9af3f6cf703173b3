// SPDX-License-Identifier: GPL-2.0
/*
 * timeit: wall time of commands, alternated A B C A B C ..., medians.
 *
 *   timeit [-r ROUNDS] [-m] LABEL=COMMAND ...
 *
 * COMMAND runs with stdout on /dev/null: through /bin/sh -c when it holds a
 * shell metacharacter (a pipeline, as an operator would type it), else
 * exec'd directly. "@read FILE..." reads the files in this process with a
 * 64 KiB buffer instead: the kernel's cost alone, no fork or exec.
 *
 * "SETUP :: COMMAND" runs SETUP through /bin/sh -c, untimed, before each
 * timed run of COMMAND (e.g. a knob to set).
 *
 * Prints "run LABEL ROUND MS" per run, then "median LABEL MS MIN MAX".
 * With -m, a thread samples MemFree every millisecond: "mem LABEL KIB" is
 * the largest drop below the idle baseline while LABEL ran (the reader
 * process included).
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXT 16
#define MAXR 64

static volatile long cur_min = -1;	/* lowest MemFree since reset */
static volatile int sampling;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long memfree_kib(void)
{
	char buf[256];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n;
	char *p;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "MemFree:");
	return p ? atol(p + 8) : -1;
}

static void *sampler(void *arg)
{
	(void)arg;
	for (;;) {
		long v = memfree_kib();

		if (sampling && v > 0 && (cur_min < 0 || v < cur_min))
			cur_min = v;
		usleep(1000);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void read_files(char *files)
{
	static char buf[65536];
	char *save, *f;

	for (f = strtok_r(files, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		int fd = open(f, O_RDONLY);

		if (fd < 0) {
			perror(f);
			exit(1);
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

static void run(const char *cmd)
{
	pid_t pid;
	int status;

	if (!strncmp(cmd, "@read ", 6)) {
		char *copy = strdup(cmd + 6);

		read_files(copy);
		free(copy);
		return;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (strpbrk(cmd, "|;&<>$'\"")) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		} else {
			char *argv[32], *copy = strdup(cmd), *save;
			int n = 0;

			for (argv[n] = strtok_r(copy, " ", &save); argv[n] && n < 31;
			     argv[++n] = strtok_r(NULL, " ", &save))
				;
			argv[n] = NULL;
			execvp(argv[0], argv);
		}
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "timeit: %s: status %#x\n", cmd, status);
}

int main(int argc, char **argv)
{
	static double t[MAXT][MAXR];
	long memdrop[MAXT] = { 0 }, base = 0;
	char *label[MAXT], *cmd[MAXT], *pre[MAXT];
	int rounds = 5, mem = 0, nt = 0, opt, i, r;
	pthread_t th;

	while ((opt = getopt(argc, argv, "r:m")) != -1) {
		if (opt == 'r')
			rounds = atoi(argv[optind - 1]);
		else if (opt == 'm')
			mem = 1;
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAXR)
		return 2;
	for (i = optind; i < argc && nt < MAXT; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			return 2;
		*eq = 0;
		label[nt] = argv[i];
		cmd[nt] = eq + 1;
		pre[nt] = NULL;
		eq = strstr(cmd[nt], " :: ");
		if (eq) {
			*eq = 0;
			pre[nt] = cmd[nt];
			cmd[nt] = eq + 4;
		}
		nt++;
	}
	if (mem) {
		long v[200];

		for (i = 0; i < 200; i++) {
			v[i] = memfree_kib();
			usleep(2000);
		}
		for (i = 0; i < 200; i++)
			base += v[i];
		base /= 200;	/* the idle mean */
		pthread_create(&th, NULL, sampler, NULL);
	}
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nt; i++) {
			double t0;

			if (pre[i] && system(pre[i]))
				fprintf(stderr, "timeit: %s failed\n", pre[i]);
			cur_min = -1;
			sampling = mem;
			t0 = now_ms();
			run(cmd[i]);
			t[i][r] = now_ms() - t0;
			sampling = 0;
			if (mem && cur_min > 0 && base - cur_min > memdrop[i])
				memdrop[i] = base - cur_min;
			printf("run %s %d %.3f\n", label[i], r, t[i][r]);
			fflush(stdout);
		}
	for (i = 0; i < nt; i++) {
		qsort(t[i], rounds, sizeof(double), cmp);
		printf("median %s %.3f %.3f %.3f\n", label[i],
		       rounds % 2 ? t[i][rounds / 2]
				  : (t[i][rounds / 2 - 1] + t[i][rounds / 2]) / 2,
		       t[i][0], t[i][rounds - 1]);
		if (mem)
			printf("mem %s %ld\n", label[i], memdrop[i]);
	}
	return 0;
}
