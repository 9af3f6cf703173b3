// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs: module parameters, settable at load time and, by root, through
 * /sys/module/tcpstates/parameters/. A write is parsed completely into a
 * copy of the current set and published only if all of it is valid;
 * otherwise it fails with -EINVAL and the old set stays.
 */

#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "knobs.h"

struct ts_config_rcu {
	struct rcu_head rcu;
	struct tcpstates_config cfg;
};

#define TS_DEFAULTS {			\
	.netns = TS_NETNS_SELF,		\
	.families = TS_ALL_FAMILIES,	\
	.states = TS_ALL_STATES,	\
	.timers = true,			\
	.top_owners = 5,		\
}

static const struct tcpstates_config ts_defaults = TS_DEFAULTS;

static struct ts_config_rcu ts_default_config = {
	.cfg = TS_DEFAULTS,
};

/*
 * Parameters given at load time are set before module_init() runs, so the
 * defaults must be in place statically.
 */
static struct ts_config_rcu __rcu *ts_config = RCU_INITIALIZER(&ts_default_config);
static DEFINE_MUTEX(ts_config_mutex);

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
	const char *name;
	size_t field;		/* offset of its field in the set */
	u32 max;		/* a number's largest value */
	int (*parse)(const struct ts_knob *knob, const char *val,
		     struct tcpstates_config *cfg, const char **why);
	int (*print)(const struct ts_knob *knob, char *buf, size_t size,
		     const struct tcpstates_config *cfg);
};

static int ts_parse_netns(const struct ts_knob *knob, const char *val,
			  struct tcpstates_config *cfg, const char **why)
{
	unsigned int inum;
	char buf[16];

	*why = "not self, all or a netns inode number";
	if (tcpstates_parse_word(val, buf, sizeof(buf)))
		return -EINVAL;
	if (!strcmp(buf, "self")) {
		cfg->netns = TS_NETNS_SELF;
		cfg->netns_inum = 0;
	} else if (!strcmp(buf, "all")) {
		cfg->netns = TS_NETNS_ALL;
		cfg->netns_inum = 0;
	} else {
		if (tcpstates_parse_number(val, UINT_MAX, &inum, why) || !inum) {
			*why = "not self, all or a netns inode number";
			return -EINVAL;
		}
		cfg->netns = TS_NETNS_INODE;
		cfg->netns_inum = inum;
	}
	return 0;
}

static int ts_print_netns(const struct ts_knob *knob, char *buf, size_t size,
			  const struct tcpstates_config *cfg)
{
	switch (cfg->netns) {
	case TS_NETNS_ALL:
		return scnprintf(buf, size, "all");
	case TS_NETNS_INODE:
		return scnprintf(buf, size, "%u", cfg->netns_inum);
	default:
		return scnprintf(buf, size, "self");
	}
}

static int ts_parse_family(const struct ts_knob *knob, const char *val,
			   struct tcpstates_config *cfg, const char **why)
{
	char buf[8];

	*why = "not all, ipv4 or ipv6";
	if (tcpstates_parse_word(val, buf, sizeof(buf)))
		return -EINVAL;
	if (!strcmp(buf, "all"))
		cfg->families = TS_ALL_FAMILIES;
	else if (!strcmp(buf, "ipv4"))
		cfg->families = BIT(TS_IPV4);
	else if (!strcmp(buf, "ipv6"))
		cfg->families = BIT(TS_IPV6);
	else
		return -EINVAL;
	return 0;
}

static int ts_print_family(const struct ts_knob *knob, char *buf, size_t size,
			   const struct tcpstates_config *cfg)
{
	if (cfg->families == TS_ALL_FAMILIES)
		return scnprintf(buf, size, "all");
	return scnprintf(buf, size, "%s",
			 cfg->families & BIT(TS_IPV4) ? "ipv4" : "ipv6");
}

static int ts_parse_states(const struct ts_knob *knob, const char *val,
			   struct tcpstates_config *cfg, const char **why)
{
	return tcpstates_parse_states(val, &cfg->states, why);
}

static int ts_print_states(const struct ts_knob *knob, char *buf, size_t size,
			   const struct tcpstates_config *cfg)
{
	return tcpstates_print_states(buf, size, cfg->states);
}

static void *ts_field(const struct ts_knob *knob, struct tcpstates_config *cfg)
{
	return (char *)cfg + knob->field;
}

static const void *ts_cfield(const struct ts_knob *knob,
			     const struct tcpstates_config *cfg)
{
	return (const char *)cfg + knob->field;
}

static int ts_parse_ports(const struct ts_knob *knob, const char *val,
			  struct tcpstates_config *cfg, const char **why)
{
	return tcpstates_parse_ports(val, ts_field(knob, cfg), why);
}

static int ts_print_ports(const struct ts_knob *knob, char *buf, size_t size,
			  const struct tcpstates_config *cfg)
{
	return tcpstates_print_ports(buf, size, ts_cfield(knob, cfg));
}

static int ts_parse_cidrs(const struct ts_knob *knob, const char *val,
			  struct tcpstates_config *cfg, const char **why)
{
	return tcpstates_parse_cidrs(val, ts_field(knob, cfg), why);
}

static int ts_print_cidrs(const struct ts_knob *knob, char *buf, size_t size,
			  const struct tcpstates_config *cfg)
{
	return tcpstates_print_cidrs(buf, size, ts_cfield(knob, cfg));
}

/* A count: top_ports, top_listeners, top_destinations, ... */
static int ts_parse_number(const struct ts_knob *knob, const char *val,
			   struct tcpstates_config *cfg, const char **why)
{
	return tcpstates_parse_number(val, knob->max, ts_field(knob, cfg), why);
}

static int ts_print_number(const struct ts_knob *knob, char *buf, size_t size,
			   const struct tcpstates_config *cfg)
{
	return scnprintf(buf, size, "%u", *(const u32 *)ts_cfield(knob, cfg));
}

/* A switch: timers, ages. */
static int ts_parse_bool(const struct ts_knob *knob, const char *val,
			 struct tcpstates_config *cfg, const char **why)
{
	return tcpstates_parse_bool(val, ts_field(knob, cfg), why);
}

static int ts_print_bool(const struct ts_knob *knob, char *buf, size_t size,
			 const struct tcpstates_config *cfg)
{
	return scnprintf(buf, size, "%c",
			 *(const bool *)ts_cfield(knob, cfg) ? 'Y' : 'N');
}

static int ts_parse_owners(const struct ts_knob *knob, const char *val,
			   struct tcpstates_config *cfg, const char **why)
{
	char buf[8];
	int by;

	*why = "not off, uid or cgroup";
	if (tcpstates_parse_word(val, buf, sizeof(buf)))
		return -EINVAL;
	for (by = 0; by < TS_NR_OWNERS_BY; by++) {
		if (!strcmp(buf, tcpstates_owners_by_name(by)))
			break;
	}
	if (by == TS_NR_OWNERS_BY)
		return -EINVAL;
	if (by == TS_OWNERS_CGROUP && !TS_HAVE_SOCK_CGROUP) {
		*why = "this kernel keeps no socket's cgroup (CONFIG_SOCK_CGROUP_DATA)";
		return -EINVAL;
	}
	cfg->owners = by;
	return 0;
}

static int ts_print_owners(const struct ts_knob *knob, char *buf, size_t size,
			   const struct tcpstates_config *cfg)
{
	return scnprintf(buf, size, "%s", tcpstates_owners_by_name(cfg->owners));
}

/* So a typo cannot ask for four billion lines. */
#define TS_LIST_SOCKETS_MAX 10000000U

static int ts_parse_reset(const struct ts_knob *knob, const char *val,
			  struct tcpstates_config *cfg, const char **why)
{
	char buf[4];

	if (tcpstates_parse_word(val, buf, sizeof(buf)) || strcmp(buf, "1")) {
		*why = "only 1 resets";
		return -EINVAL;
	}
	*cfg = ts_defaults;
	return 0;
}

enum {
	TS_KNOB_NETNS, TS_KNOB_FAMILY, TS_KNOB_STATES, TS_KNOB_LPORTS,
	TS_KNOB_RPORTS, TS_KNOB_LADDRS, TS_KNOB_RADDRS, TS_KNOB_TOP_PORTS,
	TS_KNOB_TOP_LISTENERS, TS_KNOB_TOP_DESTINATIONS, TS_KNOB_TIMERS,
	TS_KNOB_AGES, TS_KNOB_OWNERS, TS_KNOB_TOP_OWNERS, TS_KNOB_LIST_SOCKETS,
	TS_KNOB_RESET, TS_NR_KNOBS
};

#define TS_KNOB(n, kind) {						\
	.name = #n,							\
	.field = offsetof(struct tcpstates_config, n),			\
	.parse = ts_parse_##kind,					\
	.print = ts_print_##kind,					\
}

#define TS_NUMBER_KNOB(n, most) {					\
	.name = #n,							\
	.field = offsetof(struct tcpstates_config, n),			\
	.max = most,							\
	.parse = ts_parse_number,					\
	.print = ts_print_number,					\
}

/* In the order the report's "# filters" line prints them. */
static const struct ts_knob ts_knobs[TS_NR_KNOBS] = {
	[TS_KNOB_NETNS]		= TS_KNOB(netns, netns),
	[TS_KNOB_FAMILY]	= {
		.name = "family",
		.parse = ts_parse_family,
		.print = ts_print_family,
	},
	[TS_KNOB_STATES]	= TS_KNOB(states, states),
	[TS_KNOB_LPORTS]	= TS_KNOB(lports, ports),
	[TS_KNOB_RPORTS]	= TS_KNOB(rports, ports),
	[TS_KNOB_LADDRS]	= TS_KNOB(laddrs, cidrs),
	[TS_KNOB_RADDRS]	= TS_KNOB(raddrs, cidrs),
	[TS_KNOB_TOP_PORTS]	= TS_NUMBER_KNOB(top_ports, TS_TOP_PORTS_MAX),
	[TS_KNOB_TOP_LISTENERS]	= TS_NUMBER_KNOB(top_listeners,
						 TS_TOP_LISTENERS_MAX),
	[TS_KNOB_TOP_DESTINATIONS] = TS_NUMBER_KNOB(top_destinations,
						    TS_TOP_DESTINATIONS_MAX),
	[TS_KNOB_TIMERS]	= TS_KNOB(timers, bool),
	[TS_KNOB_AGES]		= TS_KNOB(ages, bool),
	[TS_KNOB_OWNERS]	= TS_KNOB(owners, owners),
	[TS_KNOB_TOP_OWNERS]	= TS_NUMBER_KNOB(top_owners, TS_TOP_OWNERS_MAX),
	[TS_KNOB_LIST_SOCKETS]	= TS_NUMBER_KNOB(list_sockets,
						 TS_LIST_SOCKETS_MAX),
	[TS_KNOB_RESET]		= { .name = "reset", .parse = ts_parse_reset },
};

int tcpstates_config_print(char *buf, size_t size,
			   const struct tcpstates_config *cfg)
{
	int len = 0;
	size_t i;

	for (i = 0; i < TS_NR_KNOBS; i++) {
		const struct ts_knob *knob = &ts_knobs[i];

		if (!knob->print)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s=",
				 i ? " " : "", knob->name);
		len += knob->print(knob, buf + len, size - len, cfg);
	}
	return len;
}

static int ts_knob_set(const char *val, const struct kernel_param *kp)
{
	const struct ts_knob *knob = kp->arg;
	struct ts_config_rcu *old, *new;
	const char *why = NULL;
	int err;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&ts_config_mutex);
	old = rcu_dereference_protected(ts_config,
					lockdep_is_held(&ts_config_mutex));
	new->cfg = old->cfg;
	err = knob->parse(knob, val, &new->cfg, &why);
	if (!err) {
		rcu_assign_pointer(ts_config, new);
		ts_config_release(old);
	}
	mutex_unlock(&ts_config_mutex);

	if (err) {
		kfree(new);
		pr_warn_ratelimited("%s: value rejected (%s); %s unchanged\n",
				    knob->name, why ?: "invalid", knob->name);
	}
	return err;
}

/* @buf is a page. */
static int ts_knob_get(char *buf, const struct kernel_param *kp)
{
	const struct ts_knob *knob = kp->arg;
	int len;

	rcu_read_lock();
	len = knob->print(knob, buf, PAGE_SIZE - 1,
			  &rcu_dereference(ts_config)->cfg);
	rcu_read_unlock();
	buf[len++] = '\n';
	return len;
}

/*
 * Called for every knob once the module's parameter files are gone,
 * whether it unloads or its load fails after parse_args() applied some
 * knobs (module_exit() never runs then). The first call frees the set;
 * kfree_rcu() runs no module code, so it may outlive the module. No writer
 * is left, so no lock is taken: the module is already unformed, and
 * lockdep would take its static mutex for an unregistered key.
 */
static void ts_knob_free(void *arg)
{
	struct ts_config_rcu *old = rcu_dereference_protected(ts_config, 1);

	RCU_INIT_POINTER(ts_config, &ts_default_config);
	ts_config_release(old);
}

static const struct kernel_param_ops ts_knob_ops = {
	.set = ts_knob_set,
	.get = ts_knob_get,
	.free = ts_knob_free,
};

static const struct kernel_param_ops ts_knob_write_only_ops = {
	.set = ts_knob_set,
	.free = ts_knob_free,
};

module_param_cb(netns, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_NETNS], 0644);
MODULE_PARM_DESC(netns, "Which netns to count: self (the reader's; default), all, or an inode number");
module_param_cb(family, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_FAMILY], 0644);
MODULE_PARM_DESC(family, "all (default), ipv4 or ipv6");
module_param_cb(states, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_STATES], 0644);
MODULE_PARM_DESC(states, "all (default) or a list of state names, e.g. ESTABLISHED,TIME_WAIT");
module_param_cb(lports, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_LPORTS], 0644);
MODULE_PARM_DESC(lports, "all (default) or up to 64 local ports and ranges, e.g. 22,80,8000-8100");
module_param_cb(rports, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_RPORTS], 0644);
MODULE_PARM_DESC(rports, "all (default) or up to 64 remote ports and ranges");
module_param_cb(laddrs, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_LADDRS], 0644);
MODULE_PARM_DESC(laddrs, "all (default) or up to 64 local IPv4/IPv6 CIDRs");
module_param_cb(raddrs, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_RADDRS], 0644);
MODULE_PARM_DESC(raddrs, "all (default) or up to 64 remote IPv4/IPv6 CIDRs");
module_param_cb(top_ports, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_TOP_PORTS], 0644);
MODULE_PARM_DESC(top_ports, "Show the N busiest local ports per state (0: off, the default; at most 64)");
module_param_cb(top_listeners, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_TOP_LISTENERS], 0644);
MODULE_PARM_DESC(top_listeners, "Show the N listeners with the fullest accept queues (0: off, the default; at most 64)");
module_param_cb(top_destinations, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_TOP_DESTINATIONS], 0644);
MODULE_PARM_DESC(top_destinations, "Show the N destinations whose outbound sockets fill most of the local port range (0: off, the default; at most 64)");
module_param_cb(timers, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_TIMERS], 0644);
MODULE_PARM_DESC(timers, "Read each socket's timer for the timer columns (Y/N, default Y)");
module_param_cb(ages, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_AGES], 0644);
MODULE_PARM_DESC(ages, "Read how long each socket has been in its state, for the ages section (Y/N, default N)");
module_param_cb(owners, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_OWNERS], 0644);
MODULE_PARM_DESC(owners, "Count each state's sockets by owner: off (default), uid or cgroup (v2)");
module_param_cb(top_owners, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_TOP_OWNERS], 0644);
MODULE_PARM_DESC(top_owners, "Show the N owners with most sockets per state, with owners set (default 5; at most 64)");
module_param_cb(list_sockets, &ts_knob_ops, (void *)&ts_knobs[TS_KNOB_LIST_SOCKETS], 0644);
MODULE_PARM_DESC(list_sockets, "List up to this many sockets, one per line (0: off, the default)");
module_param_cb(reset, &ts_knob_write_only_ops, (void *)&ts_knobs[TS_KNOB_RESET], 0200);
MODULE_PARM_DESC(reset, "Write 1 to restore every knob's default");
