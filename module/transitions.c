// SPDX-License-Identifier: GPL-2.0
/*
 * State transitions since load, per netns: the film beside the walk's
 * photograph. sock:inet_sock_set_state sees every change of state of a
 * full socket; tcp:tcp_send_reset, tcp:tcp_receive_reset and
 * tcp:tcp_retransmit_skb count resets and retransmits by the socket's
 * state. None is exported to modules, so each is found by name, and one
 * the running kernel lacks is reported, never a load failure.
 *
 * What the tracepoint does not see: a timewait sock changes state (and
 * dies) without it, and a request sock never passes through it; its child
 * starts as a copy of the listener, LISTEN -> SYN_RECV. The kernel's own
 * counters for those (Tcp PassiveOpens, TcpExt TW, TWKilled, TWRecycled)
 * are shown beside the matrix, since load too.
 */

#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/tracepoint.h>
#include <net/dst.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "counters.h"
#include "parse.h"
#include "sample.h"
#include "transitions.h"

/* Per netns and CPU: 1,232 bytes, about the kernel's own TcpExt MIB. */
struct ts_transition_counts {
	unsigned long count[TS_NR_ROWS][TS_NR_STATES];
};

struct ts_transitions_net {
	/* NULL when allocation failed, and from this netns's exit on. */
	struct ts_transition_counts __percpu *counts;
	struct ts_transition_counts __percpu *dying;	/* freed after a grace period */
	unsigned long kernel_at_load[TS_NR_KERNEL_COUNTERS];
};

static const enum tcpstates_counter ts_kernel_counters[TS_NR_KERNEL_COUNTERS] = {
	[TS_KERNEL_PASSIVE_OPENS] = TS_CTR_PASSIVE_OPENS,
	[TS_KERNEL_TW]		  = TS_CTR_TW,
	[TS_KERNEL_TW_KILLED]	  = TS_CTR_TW_KILLED,
	[TS_KERNEL_TW_RECYCLED]	  = TS_CTR_TW_RECYCLED,
};

static unsigned long ts_kernel_counter(const struct net *net, int i)
{
	return tcpstates_counter_read(net, ts_kernel_counters[i]);
}

static unsigned int ts_transitions_net_id;

/*
 * Count one event in @net's cell [@row][@state], under rcu_read_lock().
 * The probes fire too in a netns whose setup has not reached our init yet
 * (an earlier subsystem's kernel socket listening, say): its storage for
 * us is not there yet.
 */
static void ts_count(const struct net *net, int row, int state)
{
	struct ts_transitions_net *tn;
	struct ts_transition_counts __percpu *counts;

	if (row < 0 || state < 0)
		return;
	rcu_read_lock();
	tn = net_generic(net, ts_transitions_net_id);
	counts = tn ? READ_ONCE(tn->counts) : NULL;
	if (counts)
		this_cpu_inc(counts->count[row][state]);
	rcu_read_unlock();
}

/* The state of any TCP entry: full, timewait or request sock. */
static int ts_state_of_entry(const struct sock *sk)
{
	int kstate = READ_ONCE(sk->sk_state);

	if (kstate == TCP_TIME_WAIT)
		kstate = READ_ONCE(inet_twsk(sk)->tw_substate);
	return ts_state_of(kstate);
}

static void ts_probe_set_state(void *data, const struct sock *sk,
			       const int oldstate, const int newstate)
{
	/* MPTCP and SCTP sockets pass through here too. */
	if (sk->sk_protocol == IPPROTO_TCP)
		ts_count(sock_net(sk), ts_state_of(oldstate),
			 ts_state_of(newstate));
}

/* A reset with no socket answers a segment for a port nobody holds: CLOSED. */
static void ts_count_reset_sent(const struct sock *sk,
				const struct sk_buff *skb)
{
	if (sk)
		ts_count(sock_net(sk), TS_ROW_RESET_SENT, ts_state_of_entry(sk));
	else if (skb && skb_dst(skb))
		ts_count(dev_net(skb_dst(skb)->dev), TS_ROW_RESET_SENT,
			 TS_CLOSED);
}

#ifdef TCPSTATES_HAVE_RST_REASON
static void ts_probe_send_reset(void *data, const struct sock *sk,
				const struct sk_buff *skb,
				const enum sk_rst_reason reason)
{
	ts_count_reset_sent(sk, skb);
}
#else
static void ts_probe_send_reset(void *data, const struct sock *sk,
				const struct sk_buff *skb)
{
	ts_count_reset_sent(sk, skb);
}
#endif

static void ts_probe_receive_reset(void *data, struct sock *sk)
{
	ts_count(sock_net(sk), TS_ROW_RESET_RECEIVED, ts_state_of_entry(sk));
}

static void ts_probe_retransmit(void *data, const struct sock *sk,
				const struct sk_buff *skb)
{
	ts_count(sock_net(sk), TS_ROW_RETRANSMIT, ts_state_of_entry(sk));
}

struct ts_event {
	const char *name;
	void *probe;
	struct tracepoint *tp;		/* NULL: the kernel has none */
	bool attached;
};

static struct ts_event ts_events[TS_NR_EVENTS] = {
	[TS_EVENT_SET_STATE]	  = { "inet_sock_set_state", ts_probe_set_state },
	[TS_EVENT_SEND_RESET]	  = { "tcp_send_reset", ts_probe_send_reset },
	[TS_EVENT_RECEIVE_RESET]  = { "tcp_receive_reset", ts_probe_receive_reset },
	[TS_EVENT_RETRANSMIT]	  = { "tcp_retransmit_skb", ts_probe_retransmit },
};

/* Serializes attaching and detaching the probes, and the knob. */
static DEFINE_MUTEX(ts_events_lock);
static bool ts_enabled = true;		/* the knob */
static bool ts_ready;			/* counters and tracepoints found */

static void ts_find_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < TS_NR_EVENTS; i++)
		if (!strcmp(tp->name, ts_events[i].name))
			ts_events[i].tp = tp;
}

/*
 * Attach every probe whose tracepoint the kernel has, or detach them all.
 * Once detached, no probe runs when this returns. A probe that cannot be
 * attached stays off and is reported; the others count.
 */
int tcpstates_transitions_enable(bool on)
{
	bool detached = false;
	int i, err;

	mutex_lock(&ts_events_lock);
	WRITE_ONCE(ts_enabled, on);
	for (i = 0; ts_ready && i < TS_NR_EVENTS; i++) {
		struct ts_event *e = &ts_events[i];

		if (!e->tp || e->attached == on)
			continue;
		if (on) {
			err = tracepoint_probe_register(e->tp, e->probe, NULL);
			if (err)
				pr_warn("cannot attach to %s: %d\n", e->name, err);
			WRITE_ONCE(e->attached, !err);
		} else {
			tracepoint_probe_unregister(e->tp, e->probe, NULL);
			WRITE_ONCE(e->attached, false);
			detached = true;
		}
	}
	if (detached)
		tracepoint_synchronize_unregister();
	mutex_unlock(&ts_events_lock);
	return 0;
}

bool tcpstates_transitions_enabled(void)
{
	return READ_ONCE(ts_enabled);
}

bool tcpstates_transitions_attached(enum tcpstates_event event)
{
	return READ_ONCE(ts_events[event].attached);
}

const char *tcpstates_event_name(enum tcpstates_event event)
{
	return ts_events[event].name;
}

/* The first word of an event row's lines in /proc/tcpstates. */
const char *tcpstates_row_name(enum tcpstates_row row)
{
	static const char *const names[TS_NR_ROWS - TS_NR_STATES] = {
		[TS_ROW_RESET_SENT - TS_NR_STATES]	= "reset_sent",
		[TS_ROW_RESET_RECEIVED - TS_NR_STATES]	= "reset_received",
		[TS_ROW_RETRANSMIT - TS_NR_STATES]	= "retransmit",
	};

	return names[row - TS_NR_STATES];
}

const char *tcpstates_kernel_counter_name(enum tcpstates_kernel_counter counter)
{
	return tcpstates_counter_name(ts_kernel_counters[counter]);
}

/*
 * Add @net's counts since load to @sum; the caller holds a reference on
 * @net. False if @net has none: it was created when no memory was left
 * for them.
 */
bool tcpstates_transitions_add(struct tcpstates_transitions *sum,
			       const struct net *net)
{
	const struct ts_transitions_net *tn = net_generic(net, ts_transitions_net_id);
	const struct ts_transition_counts __percpu *counts;
	const struct ts_transition_counts *c;
	int cpu, row, state, i;

	rcu_read_lock();
	counts = READ_ONCE(tn->counts);
	if (!counts) {
		rcu_read_unlock();
		return false;
	}
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(counts, cpu);
		for (row = 0; row < TS_NR_ROWS; row++)
			for (state = 0; state < TS_NR_STATES; state++)
				sum->count[row][state] += READ_ONCE(c->count[row][state]);
	}
	rcu_read_unlock();
	for (i = 0; i < TS_NR_KERNEL_COUNTERS; i++)
		sum->kernel[i] += ts_kernel_counter(net, i) - tn->kernel_at_load[i];
	return true;
}

/*
 * A netns's counters live as long as it does. Failing to allocate them
 * must not fail the netns: it is then shown as not counted.
 */
static int __net_init ts_transitions_net_init(struct net *net)
{
	struct ts_transitions_net *tn = net_generic(net, ts_transitions_net_id);
	int i;

	for (i = 0; i < TS_NR_KERNEL_COUNTERS; i++)
		tn->kernel_at_load[i] = ts_kernel_counter(net, i);
	WRITE_ONCE(tn->counts, alloc_percpu_gfp(struct ts_transition_counts,
						GFP_KERNEL_ACCOUNT));
	return 0;
}

/*
 * Exits registered before ours run after it and may still close sockets
 * of this netns: from here on the probes find nothing to count into.
 */
static void __net_exit ts_transitions_net_exit(struct net *net)
{
	struct ts_transitions_net *tn = net_generic(net, ts_transitions_net_id);

	tn->dying = tn->counts;
	WRITE_ONCE(tn->counts, NULL);
}

/* Free once no probe can be counting into them (they hold rcu_read_lock()). */
static void __net_exit ts_transitions_net_exit_batch(struct list_head *net_exit_list)
{
	struct ts_transitions_net *tn;
	struct net *net;

	synchronize_rcu();
	list_for_each_entry(net, net_exit_list, exit_list) {
		tn = net_generic(net, ts_transitions_net_id);
		free_percpu(tn->dying);
		tn->dying = NULL;
	}
}

static struct pernet_operations ts_transitions_net_ops = {
	.init		= ts_transitions_net_init,
	.exit		= ts_transitions_net_exit,
	.exit_batch	= ts_transitions_net_exit_batch,
	.id		= &ts_transitions_net_id,
	.size		= sizeof(struct ts_transitions_net),
};

/* The knob, "transitions": Y counts, N detaches the probes. */
static int ts_transitions_knob_set(const char *val, const struct kernel_param *kp)
{
	const char *why = NULL;
	bool on;

	if (tcpstates_parse_bool(val, &on, &why)) {
		pr_warn_ratelimited("transitions: value rejected (%s); transitions unchanged\n",
				    why);
		return -EINVAL;
	}
	return tcpstates_transitions_enable(on);
}

static int ts_transitions_knob_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", tcpstates_transitions_enabled() ? 'Y' : 'N');
}

static const struct kernel_param_ops ts_transitions_knob_ops = {
	.set	= ts_transitions_knob_set,
	.get	= ts_transitions_knob_get,
};

module_param_cb(transitions, &ts_transitions_knob_ops, NULL, 0644);
MODULE_PARM_DESC(transitions, "count state transitions, resets and retransmits (Y/N)");

/* Counters for every netns, then the probes, if the knob says so. */
int tcpstates_transitions_init(void)
{
	int err;

	err = register_pernet_subsys(&ts_transitions_net_ops);
	if (err)
		return err;
	for_each_kernel_tracepoint(ts_find_tracepoint, NULL);
	mutex_lock(&ts_events_lock);
	ts_ready = true;
	mutex_unlock(&ts_events_lock);
	return tcpstates_transitions_enable(tcpstates_transitions_enabled());
}

/* Detached first: no probe runs once the counters go. */
void tcpstates_transitions_exit(void)
{
	tcpstates_transitions_enable(false);
	mutex_lock(&ts_events_lock);
	ts_ready = false;
	mutex_unlock(&ts_events_lock);
	unregister_pernet_subsys(&ts_transitions_net_ops);
}
