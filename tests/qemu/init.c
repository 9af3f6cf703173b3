// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guest: mount the pseudo filesystems, run the suite
 * given as tcpstates.run= on the kernel command line, write "success" to the
 * second serial port if it passed, and power off. PID 1 must never exit.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MARKER_DEV "/dev/ttyS1"

static void die(const char *what)
{
	fprintf(stderr, "init: %s: %s\n", what, strerror(errno));
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void mount_one(const char *src, const char *dst, const char *type,
		      unsigned long flags)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, NULL) && errno != EBUSY)
		die(dst);
}

/* The value of NAME= on the kernel command line, or @fallback. */
static const char *cmdline_value(const char *name, const char *fallback)
{
	static char line[4096];
	size_t len = strlen(name);
	char *tok, *save;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f || !fgets(line, sizeof(line), f))
		return fallback;
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, name, len) && tok[len] == '=')
			return tok + len + 1;
	return fallback;
}

static void mark_success(void)
{
	int fd = open(MARKER_DEV, O_WRONLY | O_NOCTTY);

	/* tcdrain(): power-off must not beat the UART to the marker. */
	if (fd < 0 || write(fd, "success\n", 8) != 8 || tcdrain(fd))
		fprintf(stderr, "init: cannot write the success marker\n");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	const char *suite;
	int status = -1;
	pid_t pid;

	mount_one("proc", "/proc", "proc", 0);
	mount_one("sysfs", "/sys", "sysfs", 0);
	mount_one("devtmpfs", "/dev", "devtmpfs", 0);
	mount_one("tmpfs", "/tmp", "tmpfs", 0);
	mount_one("tmpfs", "/run", "tmpfs", 0);
	mount_one("debugfs", "/sys/kernel/debug", "debugfs", 0);
	setenv("PATH", "/bin:/sbin:/usr/bin", 1);

	suite = cmdline_value("tcpstates.run", "/suite/suite.sh");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		execl("/bin/sh", "sh", suite, (char *)NULL);
		die("exec");
	}
	/* Reap everything; we only care how the suite itself ended. */
	for (;;) {
		pid_t done = wait(&status);

		if (done == pid)
			break;
		if (done < 0 && errno == ECHILD)
			break;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		mark_success();
	else
		fprintf(stderr, "init: suite failed (status %#x)\n", status);
	/* Let the console finish too: the host reads results from it. */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
