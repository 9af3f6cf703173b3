// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing, printing and matching of the list knobs: states, port ranges
 * and CIDRs. Parsers are strict: a value is taken whole or refused, and
 * they write their output only on success. Printers give the canonical
 * form, which parses back to the same value.
 */

#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "filter.h"
#include "tcpstates.h"

/* One comma-separated item of @val: [*pos, *pos + *len). */
static bool ts_next_item(const char *val, size_t *pos, size_t *len)
{
	const char *comma;

	if (!val[*pos])
		return false;
	comma = strchrnul(val + *pos, ',');
	*len = comma - (val + *pos);
	return true;
}

static size_t ts_skip_item(const char *val, size_t pos, size_t len)
{
	pos += len;
	return val[pos] == ',' ? pos + 1 : pos;
}

/* The value without one trailing newline, as sysfs hands it over. */
static size_t ts_value_len(const char *val)
{
	size_t len = strlen(val);

	return len && val[len - 1] == '\n' ? len - 1 : len;
}

static bool ts_is_all(const char *val, size_t len)
{
	return len == 3 && !memcmp(val, "all", 3);
}

/* Decimal digits only: no sign, no space, no base prefix. */
static int ts_parse_uint(const char *s, size_t len, u32 max, u32 *out)
{
	u32 v = 0;
	size_t i;

	if (!len || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit(s[i]))
			return -EINVAL;
		if (v > (max - (s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Items are separated by single commas: no empty item, no leading or
 * trailing comma, nothing but printable non-blank characters.
 */
static const char *ts_check_list(const char *val, size_t len)
{
	size_t i;

	if (!len)
		return "empty value";
	if (val[0] == ',' || val[len - 1] == ',')
		return "empty list item";
	for (i = 0; i < len; i++) {
		if (val[i] == ',' && val[i + 1] == ',')
			return "empty list item";
		if (!isgraph(val[i]))
			return "blank or control character";
	}
	return NULL;
}

/* Copy the value, newline stripped, so items can be cut at a NUL. */
static char *ts_dup_value(const char *val, size_t *lenp, const char **why)
{
	size_t len = ts_value_len(val);
	char *copy;

	*why = ts_check_list(val, len);
	if (*why)
		return NULL;
	copy = kmemdup_nul(val, len, GFP_KERNEL);
	if (!copy)
		*why = "out of memory";
	*lenp = len;
	return copy;
}

static const char *ts_parse_range(const char *item, size_t n,
				  struct tcpstates_port_range *r)
{
	const char *dash = memchr(item, '-', n);
	u32 lo, hi;

	if (!dash) {
		if (ts_parse_uint(item, n, U16_MAX, &lo))
			return "not a port (0-65535)";
		r->lo = lo;
		r->hi = lo;
		return NULL;
	}
	if (ts_parse_uint(item, dash - item, U16_MAX, &lo) ||
	    ts_parse_uint(dash + 1, item + n - dash - 1, U16_MAX, &hi))
		return "not a port range (LOW-HIGH, 0-65535)";
	if (lo > hi)
		return "reversed port range";
	r->lo = lo;
	r->hi = hi;
	return NULL;
}

int tcpstates_parse_ports(const char *val, struct tcpstates_ports *ports,
			  const char **why)
{
	struct tcpstates_ports *p;
	size_t len, pos = 0, n;
	char *copy;

	copy = ts_dup_value(val, &len, why);
	if (!copy)
		return -EINVAL;
	if (ts_is_all(copy, len)) {
		ports->n = 0;
		kfree(copy);
		return 0;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	*why = p ? NULL : "out of memory";

	while (!*why && ts_next_item(copy, &pos, &n)) {
		if (p->n == TS_FILTER_MAX)
			*why = "more than 64 entries";
		else
			*why = ts_parse_range(copy + pos, n, &p->range[p->n++]);
		pos = ts_skip_item(copy, pos, n);
	}
	if (!*why)
		*ports = *p;
	kfree(p);
	kfree(copy);
	return *why ? -EINVAL : 0;
}

int tcpstates_print_ports(char *buf, size_t size,
			  const struct tcpstates_ports *ports)
{
	int len = 0;
	unsigned int i;

	if (!ports->n)
		return scnprintf(buf, size, "all");
	for (i = 0; i < ports->n; i++) {
		const struct tcpstates_port_range *r = &ports->range[i];

		len += scnprintf(buf + len, size - len, "%s%u", i ? "," : "",
				 r->lo);
		if (r->hi != r->lo)
			len += scnprintf(buf + len, size - len, "-%u", r->hi);
	}
	return len;
}

bool tcpstates_ports_match(const struct tcpstates_ports *ports, u16 port)
{
	unsigned int i;

	if (!ports->n)
		return true;
	for (i = 0; i < ports->n; i++)
		if (port >= ports->range[i].lo && port <= ports->range[i].hi)
			return true;
	return false;
}

/* Clear the host bits, so the stored and printed form is the network. */
static void ts_cidr_mask(struct tcpstates_cidr *c)
{
	unsigned int bits = c->family == TS_IPV4 ? 32 : 128;
	unsigned int i;

	for (i = c->prefix; i < bits; i++)
		c->addr.s6_addr[i / 8] &= ~(0x80 >> (i % 8));
}

static const char *ts_parse_cidr(const char *item, size_t n,
				 struct tcpstates_cidr *c)
{
	const char *slash = memchr(item, '/', n);
	size_t alen = slash ? slash - item : n;
	const char *end;
	u32 prefix, max;
	int ok;

	memset(c, 0, sizeof(*c));
	if (memchr(item, ':', alen)) {
		c->family = TS_IPV6;
		max = 128;
		ok = in6_pton(item, alen, c->addr.s6_addr, -1, &end);
	} else {
		c->family = TS_IPV4;
		max = 32;
		ok = in4_pton(item, alen, c->addr.s6_addr, -1, &end);
	}
	if (!ok || end != item + alen)
		return "not an IPv4 or IPv6 address";
	prefix = max;
	if (slash && ts_parse_uint(slash + 1, item + n - slash - 1, max, &prefix))
		return max == 32 ? "prefix not in 0-32" : "prefix not in 0-128";
	c->prefix = prefix;
	ts_cidr_mask(c);
	return NULL;
}

int tcpstates_parse_cidrs(const char *val, struct tcpstates_cidrs *cidrs,
			  const char **why)
{
	struct tcpstates_cidrs *c;
	size_t len, pos = 0, n;
	char *copy;

	copy = ts_dup_value(val, &len, why);
	if (!copy)
		return -EINVAL;
	if (ts_is_all(copy, len)) {
		cidrs->n = 0;
		kfree(copy);
		return 0;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	*why = c ? NULL : "out of memory";

	while (!*why && ts_next_item(copy, &pos, &n)) {
		/* in[46]_pton() must not read on into the next item. */
		copy[pos + n] = '\0';
		if (c->n == TS_FILTER_MAX)
			*why = "more than 64 entries";
		else
			*why = ts_parse_cidr(copy + pos, n, &c->cidr[c->n++]);
		pos += n < len - pos ? n + 1 : n;
	}
	if (!*why)
		*cidrs = *c;
	kfree(c);
	kfree(copy);
	return *why ? -EINVAL : 0;
}

int tcpstates_print_cidrs(char *buf, size_t size,
			  const struct tcpstates_cidrs *cidrs)
{
	int len = 0;
	unsigned int i;

	if (!cidrs->n)
		return scnprintf(buf, size, "all");
	for (i = 0; i < cidrs->n; i++) {
		const struct tcpstates_cidr *c = &cidrs->cidr[i];
		const char *sep = i ? "," : "";

		if (c->family == TS_IPV4)
			len += scnprintf(buf + len, size - len, "%s%pI4/%u",
					 sep, c->addr.s6_addr, c->prefix);
		else
			len += scnprintf(buf + len, size - len, "%s%pI6c/%u",
					 sep, &c->addr, c->prefix);
	}
	return len;
}

static bool ts_prefix_match(const u8 *a, const u8 *b, unsigned int prefix)
{
	unsigned int bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !bits || !((a[bytes] ^ b[bytes]) & (0xff00 >> bits));
}

bool tcpstates_cidrs_match(const struct tcpstates_cidrs *cidrs, int family,
			   const struct in6_addr *addr)
{
	unsigned int i;

	if (!cidrs->n)
		return true;
	for (i = 0; i < cidrs->n; i++) {
		const struct tcpstates_cidr *c = &cidrs->cidr[i];

		if (c->family == family &&
		    ts_prefix_match(c->addr.s6_addr, addr->s6_addr, c->prefix))
			return true;
	}
	return false;
}

int tcpstates_parse_states(const char *val, u16 *mask, const char **why)
{
	size_t len, pos = 0, n;
	u16 m = 0;
	char *copy;
	int st;

	copy = ts_dup_value(val, &len, why);
	if (!copy)
		return -EINVAL;
	if (ts_is_all(copy, len)) {
		*mask = TS_ALL_STATES;
		kfree(copy);
		return 0;
	}
	while (!*why && ts_next_item(copy, &pos, &n)) {
		for (st = 0; st < TS_NR_STATES; st++) {
			const char *name = tcpstates_state_name(st);

			if (strlen(name) == n && !strncasecmp(copy + pos, name, n))
				break;
		}
		if (st == TS_NR_STATES)
			*why = "unknown state name";
		else
			m |= BIT(st);
		pos = ts_skip_item(copy, pos, n);
	}
	kfree(copy);
	if (*why)
		return -EINVAL;
	*mask = m;
	return 0;
}

int tcpstates_print_states(char *buf, size_t size, u16 mask)
{
	int len = 0;
	int st;

	if (mask == TS_ALL_STATES)
		return scnprintf(buf, size, "all");
	for (st = 0; st < TS_NR_STATES; st++)
		if (mask & BIT(st))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? "," : "", tcpstates_state_name(st));
	return len;
}
