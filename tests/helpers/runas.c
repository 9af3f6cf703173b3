// SPDX-License-Identifier: GPL-2.0
/*
 * runas: run a command as another uid and gid, without groups, so that the
 * sockets it makes are that uid's (sk_uid).   runas UID COMMAND [ARG...]
 * The guest has no /etc/passwd for su to read.
 */

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long id;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID COMMAND [ARG...]\n");
		return 2;
	}
	id = strtoul(argv[1], &end, 10);
	if (*end || end == argv[1]) {
		fprintf(stderr, "runas: not a uid: %s\n", argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("runas");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("runas");
	return 1;
}
