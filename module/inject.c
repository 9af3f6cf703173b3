// SPDX-License-Identifier: GPL-2.0
/*
 * A chain walk that seems to have strayed, on demand: debugfs's
 * fail_tcpstates_stray/ holds the usual fault_attr files
 * (Documentation/fault-injection/fault-injection.rst). A real stray needs
 * a socket freed and reused under the walk, which no test can time; this
 * lets one check, on a table that stands still, that taking back what a
 * chain counted and walking it again leaves the counts exact.
 */

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>

#include "inject.h"

static DECLARE_FAULT_ATTR(ts_stray);
static struct dentry *ts_stray_dir;

/* Whether the chain just walked is to be taken as having ended elsewhere. */
bool tcpstates_inject_stray(void)
{
	/*
	 * Only once set up: should_fail() would otherwise use up a task's
	 * fail-nth, which the tests aim at the allocators.
	 */
	return READ_ONCE(ts_stray.probability) && should_fail(&ts_stray, 1);
}

/* For the tests alone: without the directory the module works the same. */
void tcpstates_inject_init(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_tcpstates_stray", NULL, &ts_stray);
	ts_stray_dir = IS_ERR(dir) ? NULL : dir;
}

void tcpstates_inject_exit(void)
{
	debugfs_remove_recursive(ts_stray_dir);
}
