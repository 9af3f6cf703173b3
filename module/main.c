// SPDX-License-Identifier: GPL-2.0
/*
 * tcpstates: how many TCP sockets sit in each state, counted in the kernel
 * without taking the hash-table locks, and published in /proc/tcpstates.
 */

#include <linux/module.h>

#include "inject.h"
#include "report.h"
#include "transitions.h"
#include "version.h"
#include "walk.h"

/* The knobs' set is freed by their param ops, on unload or a failed load. */
static int __init tcpstates_init(void)
{
	int err;

	tcpstates_inject_init();
	err = tcpstates_transitions_init();
	if (err)
		goto out_inject;
	err = tcpstates_proc_init();
	if (err)
		goto out_transitions;
	return 0;

out_transitions:
	tcpstates_transitions_exit();
out_inject:
	tcpstates_inject_exit();
	return err;
}

/* No reader is left in a walk once the proc file is gone. */
static void __exit tcpstates_exit(void)
{
	tcpstates_proc_exit();
	tcpstates_transitions_exit();
	tcpstates_walk_exit();
	tcpstates_inject_exit();
}

module_init(tcpstates_init);
module_exit(tcpstates_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tcpstates developers");
MODULE_DESCRIPTION("Per-state TCP socket counts in /proc/tcpstates");
MODULE_VERSION(TCPSTATES_VERSION);
