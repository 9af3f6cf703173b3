// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs: module parameters, settable at load time and, by root, through
 * /sys/module/tcpstates/parameters/. A write is parsed completely into a
 * copy of the current set and published only if all of it is valid;
 * otherwise it fails with -EINVAL and the old set stays.
 */

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "knobs.h"

struct ts_config_rcu {
	struct rcu_head rcu;
	struct tcpstates_config cfg;
};

static struct ts_config_rcu ts_default_config = {
	.cfg = {
		.timers = true,
		.list_sockets = 0,
	},
};

/*
 * Parameters given at load time are set before module_init() runs, so the
 * defaults must be in place statically.
 */
static struct ts_config_rcu __rcu *ts_config = RCU_INITIALIZER(&ts_default_config);
static DEFINE_MUTEX(ts_config_mutex);
/* Set at unload: the parameter files outlive module_exit() briefly. */
static bool ts_config_frozen;

void tcpstates_config_get(struct tcpstates_config *snapshot)
{
	rcu_read_lock();
	*snapshot = rcu_dereference(ts_config)->cfg;
	rcu_read_unlock();
}

static void ts_config_release(struct ts_config_rcu *old)
{
	if (old != &ts_default_config)
		kfree_rcu(old, rcu);
}

/* One knob: how to parse it into a set and print it from one. */
struct ts_knob {
	int (*parse)(const char *val, struct tcpstates_config *cfg);
	int (*print)(char *buf, const struct tcpstates_config *cfg);
};

static int ts_knob_set(const char *val, const struct kernel_param *kp)
{
	const struct ts_knob *knob = kp->arg;
	struct ts_config_rcu *old, *new;
	int err;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&ts_config_mutex);
	old = rcu_dereference_protected(ts_config,
					lockdep_is_held(&ts_config_mutex));
	new->cfg = old->cfg;
	err = ts_config_frozen ? -ENODEV : knob->parse(val, &new->cfg);
	if (!err) {
		rcu_assign_pointer(ts_config, new);
		ts_config_release(old);
	}
	mutex_unlock(&ts_config_mutex);

	if (err) {
		kfree(new);
		pr_warn_ratelimited("%s: invalid value rejected (%d)\n",
				    kp->name, err);
	}
	return err;
}

static int ts_knob_get(char *buf, const struct kernel_param *kp)
{
	const struct ts_knob *knob = kp->arg;
	struct tcpstates_config cfg;

	tcpstates_config_get(&cfg);
	return knob->print(buf, &cfg);
}

static const struct kernel_param_ops ts_knob_ops = {
	.set = ts_knob_set,
	.get = ts_knob_get,
};

/* Accept what a person types into sysfs, one trailing newline included. */
static int ts_strip(const char *val, char *buf, size_t size)
{
	size_t len = strlen(val);

	if (len && val[len - 1] == '\n')
		len--;
	if (!len || len >= size)
		return -EINVAL;
	memcpy(buf, val, len);
	buf[len] = '\0';
	return 0;
}

static int ts_parse_timers(const char *val, struct tcpstates_config *cfg)
{
	char buf[8];
	bool on;

	if (ts_strip(val, buf, sizeof(buf)) || kstrtobool(buf, &on))
		return -EINVAL;
	cfg->timers = on;
	return 0;
}

static int ts_print_timers(char *buf, const struct tcpstates_config *cfg)
{
	return sysfs_emit(buf, "%c\n", cfg->timers ? 'Y' : 'N');
}

static const struct ts_knob ts_knob_timers = {
	.parse = ts_parse_timers,
	.print = ts_print_timers,
};
module_param_cb(timers, &ts_knob_ops, (void *)&ts_knob_timers, 0644);
MODULE_PARM_DESC(timers, "Read each socket's timer for the timer columns (Y/N, default Y)");

/* Upper bound for list_sockets, so a typo cannot ask for 4 billion lines. */
#define TS_LIST_SOCKETS_MAX 10000000U

static int ts_parse_list_sockets(const char *val, struct tcpstates_config *cfg)
{
	unsigned int n;
	char buf[16];

	if (ts_strip(val, buf, sizeof(buf)) || kstrtouint(buf, 10, &n) ||
	    n > TS_LIST_SOCKETS_MAX)
		return -EINVAL;
	cfg->list_sockets = n;
	return 0;
}

static int ts_print_list_sockets(char *buf, const struct tcpstates_config *cfg)
{
	return sysfs_emit(buf, "%u\n", cfg->list_sockets);
}

static const struct ts_knob ts_knob_list_sockets = {
	.parse = ts_parse_list_sockets,
	.print = ts_print_list_sockets,
};
module_param_cb(list_sockets, &ts_knob_ops, (void *)&ts_knob_list_sockets, 0644);
MODULE_PARM_DESC(list_sockets, "List up to this many sockets, one per line (0: off, the default)");

void tcpstates_knobs_exit(void)
{
	struct ts_config_rcu *old;

	mutex_lock(&ts_config_mutex);
	ts_config_frozen = true;
	old = rcu_dereference_protected(ts_config,
					lockdep_is_held(&ts_config_mutex));
	/* kfree_rcu() runs no module code, so it may outlive the module. */
	ts_config_release(old);
	RCU_INIT_POINTER(ts_config, &ts_default_config);
	mutex_unlock(&ts_config_mutex);
}
