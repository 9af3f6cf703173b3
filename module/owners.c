// SPDX-License-Identifier: GPL-2.0
/*
 * Owners (owners=uid or owners=cgroup): how many sockets each uid or
 * cgroup owns in each state, for the owner lines and the CLOSE_WAIT hint.
 * One table per reader, cleared before each walk and once the file has
 * nothing more to list. A cgroup in the table is held until then, so that
 * its address names it alone meanwhile.
 */

#include <linux/hash.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "owners.h"
#include "sample.h"

#define TS_OWNER_SLOTS_BITS	10
#define TS_OWNER_SLOTS		BIT(TS_OWNER_SLOTS_BITS)
/* Owners told apart in one read; the rest are counted as one, "other". */
#define TS_OWNERS_MAX		(TS_OWNER_SLOTS * 3 / 4)
/* Its slot, after the hash table's. */
#define TS_OWNER_OTHER		TS_OWNER_SLOTS

struct ts_owner_slot {
	u64 id;				/* as tcpstates_sample_owner() gives it */
	struct cgroup *cgroup;		/* held until the table is cleared */
	u32 sockets[TS_NR_STATES];
	bool used;
};

struct tcpstates_owners {
	enum tcpstates_owners_by by;
	unsigned int used;		/* slots of the hash table */
	bool counted;			/* any slot, "other" too, since cleared */
	char path[PATH_MAX];		/* a cgroup's, as it is printed */
	struct ts_owner_slot slot[TS_OWNER_SLOTS + 1];
};

struct tcpstates_owners *tcpstates_owners_alloc(void)
{
	return kvzalloc(sizeof(struct tcpstates_owners), GFP_KERNEL_ACCOUNT);
}

/* Clear the counts and let go of the cgroups, for a walk by @by. */
void tcpstates_owners_reset(struct tcpstates_owners *o,
			    enum tcpstates_owners_by by)
{
	unsigned int i;

	if (o->counted) {
		for (i = 0; i < TS_OWNER_SLOTS; i++) {
			if (o->slot[i].cgroup)
				ts_cgroup_put(o->slot[i].cgroup);
		}
		memset(o->slot, 0, sizeof(o->slot));
		o->used = 0;
		o->counted = false;
	}
	o->by = by;
}

void tcpstates_owners_free(struct tcpstates_owners *o)
{
	if (!o)
		return;
	tcpstates_owners_reset(o, TS_OWNERS_OFF);
	kvfree(o);
}

/* The slot of @owner, made if it is new; its cgroup reference is taken over. */
static unsigned int ts_owner_slot(struct tcpstates_owners *o,
				  const struct tcpstates_owner *owner)
{
	unsigned int i = hash_64(owner->id, TS_OWNER_SLOTS_BITS);
	struct ts_owner_slot *s;

	/* Never full: at most three quarters of the slots are used. */
	for (;; i = (i + 1) & (TS_OWNER_SLOTS - 1)) {
		s = &o->slot[i];
		if (!s->used)
			break;
		if (s->id == owner->id) {
			/* The slot holds this cgroup already. */
			if (owner->cgroup)
				ts_cgroup_put(owner->cgroup);
			return i;
		}
	}
	if (o->used == TS_OWNERS_MAX) {
		if (owner->cgroup)
			ts_cgroup_put(owner->cgroup);
		return TS_OWNER_OTHER;
	}
	o->used++;
	s->used = true;
	s->id = owner->id;
	s->cgroup = owner->cgroup;
	return i;
}

/*
 * Count @sk, in @state, for its owner. Returns the slot it was counted in,
 * for tcpstates_owners_uncount() when its chain is walked again.
 */
unsigned int tcpstates_owners_count(struct tcpstates_owners *o,
				    struct sock *sk, unsigned int state)
{
	struct tcpstates_owner owner;
	unsigned int i;

	tcpstates_sample_owner(sk, o->by, &owner);
	i = ts_owner_slot(o, &owner);
	o->slot[i].sockets[state]++;
	o->counted = true;
	return i;
}

void tcpstates_owners_uncount(struct tcpstates_owners *o, unsigned int slot,
			      unsigned int state)
{
	o->slot[slot].sockets[state]--;
}

/* More sockets in @state first, then the smaller id: uid 0 before 1000. */
static bool ts_owner_before(const struct ts_owner_slot *a,
			    const struct ts_owner_slot *b, unsigned int state)
{
	if (a->sockets[state] != b->sockets[state])
		return a->sockets[state] > b->sockets[state];
	return a->id < b->id;
}

/* The slots of the @top owners with most sockets in @state, most first. */
static unsigned int ts_top_owners(const struct tcpstates_owners *o,
				  unsigned int state, unsigned int top,
				  unsigned int *best)
{
	const struct ts_owner_slot *s;
	unsigned int n = 0, i, j;

	if (!top)
		return 0;
	for (i = 0; i <= TS_OWNER_SLOTS; i++) {
		s = &o->slot[i];
		if (!s->sockets[state])
			continue;
		if (n == top && !ts_owner_before(s, &o->slot[best[n - 1]], state))
			continue;
		if (n < top)
			n++;
		for (j = n - 1; j && ts_owner_before(s, &o->slot[best[j - 1]], state); j--)
			best[j] = best[j - 1];
		best[j] = i;
	}
	return n;
}

/* "uid 1000", "cgroup /system.slice/x.service", "none -" or "other -". */
static void ts_show_owner(struct seq_file *m, struct tcpstates_owners *o,
			  unsigned int i)
{
	const struct ts_owner_slot *s = &o->slot[i];
	int len;

	if (i == TS_OWNER_OTHER) {
		seq_puts(m, "other -");
	} else if (s->id == TS_OWNER_NONE) {
		seq_puts(m, "none -");
	} else if (o->by == TS_OWNERS_UID) {
		seq_printf(m, "uid %u",
			   from_kuid_munged(seq_user_ns(m), KUIDT_INIT(s->id)));
	} else {
		/* Relative to the reader's cgroup namespace, as /proc/PID/cgroup. */
		len = ts_cgroup_path(s->cgroup, o->path, sizeof(o->path),
				     current->nsproxy->cgroup_ns);
		seq_puts(m, "cgroup ");
		/* Since v6.8 a truncated path comes back shorter than the buffer. */
		if (len > 0 && len < sizeof(o->path) - 1)
			seq_escape(m, o->path, " \t\n\\");
		else
			seq_putc(m, '?');
	}
}

/* Per state, the @top owners with most sockets there. */
void tcpstates_owners_show(struct seq_file *m, struct tcpstates_owners *o,
			   unsigned int top)
{
	unsigned int best[TS_TOP_OWNERS_MAX];
	unsigned int st, n, i;

	top = min_t(unsigned int, top, TS_TOP_OWNERS_MAX);
	seq_printf(m, "# top %u owners per state by %s: owner state sockets kind name\n",
		   top, tcpstates_owners_by_name(o->by));
	for (st = 0; st < TS_NR_STATES; st++) {
		n = ts_top_owners(o, st, top, best);
		for (i = 0; i < n; i++) {
			seq_printf(m, "owner %s %u ", tcpstates_state_name(st),
				   o->slot[best[i]].sockets[st]);
			ts_show_owner(m, o, best[i]);
			seq_putc(m, '\n');
		}
	}
}

/* For a hint: "; the owner with most is uid 1000 (40)", if any is counted. */
void tcpstates_owners_show_most(struct seq_file *m,
				struct tcpstates_owners *o, unsigned int state)
{
	unsigned int best;

	if (!ts_top_owners(o, state, 1, &best))
		return;
	seq_puts(m, "; the owner with most is ");
	ts_show_owner(m, o, best);
	seq_printf(m, " (%u)", o->slot[best].sockets[state]);
}
