// SPDX-License-Identifier: GPL-2.0
/*
 * nocap: run a command without CAP_NET_ADMIN, to play a reader who may
 * not widen the tcpstates netns scope.   nocap COMMAND [ARG...]
 */

#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (argc < 2) {
		fprintf(stderr, "usage: nocap COMMAND [ARG...]\n");
		return 2;
	}
	if (syscall(SYS_capget, &hdr, data))
		goto fail;
	data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].permitted &= ~(1U << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].inheritable &= ~(1U << (CAP_NET_ADMIN % 32));
	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) ||
	    syscall(SYS_capset, &hdr, data))
		goto fail;
	execvp(argv[1], argv + 1);
fail:
	perror("nocap");
	return 1;
}
