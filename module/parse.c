// SPDX-License-Identifier: GPL-2.0
/*
 * The knobs' values: parsing and printing. Parsers are strict: a value is
 * taken whole or refused with the reason. A refused list may leave its
 * output partly written: knobs.c parses into a copy of the set, which it
 * publishes only when every part was taken. Printers give the canonical form, which parses back to
 * the same value.
 */

#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "parse.h"

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

/*
 * One list item, a NUL-terminated string of @n characters, as the @i-th
 * of @out: NULL, or why it is refused.
 */
typedef const char *(*ts_parse_item_fn)(void *out, unsigned int i,
					 const char *item, size_t n);

/*
 * A list knob's value: "all", which is no item, or up to @max items, each
 * parsed into @out. Returns how many, or an error with the reason in *@why.
 * The value is copied, newline stripped, so that items can be cut at a NUL.
 */
static int ts_parse_list(const char *val, unsigned int max,
			 ts_parse_item_fn parse, void *out, const char **why)
{
	size_t len = ts_value_len(val), pos = 0, n;
	unsigned int count = 0;
	char *copy;

	*why = ts_check_list(val, len);
	if (*why)
		return -EINVAL;
	copy = kmemdup_nul(val, len, GFP_KERNEL);
	if (!copy) {
		*why = "out of memory";
		return -ENOMEM;
	}
	if (ts_is_all(copy, len)) {
		kfree(copy);
		return 0;
	}
	while (!*why && ts_next_item(copy, &pos, &n)) {
		/* Parsers such as in[46]_pton() must not read on into the next item. */
		copy[pos + n] = '\0';
		if (count == max)
			*why = max == TS_FILTER_MAX ? "more than 64 entries" :
						      "too many entries";
		else
			*why = parse(out, count++, copy + pos, n);
		pos += n < len - pos ? n + 1 : n;
	}
	kfree(copy);
	return *why ? -EINVAL : count;
}

/* The whole value as one word, without its newline, into @buf. */
int tcpstates_parse_word(const char *val, char *buf, size_t size)
{
	size_t len = ts_value_len(val);

	if (!len || len >= size)
		return -EINVAL;
	memcpy(buf, val, len);
	buf[len] = '\0';
	return 0;
}

/* Y, N, 1 or 0: stricter than kstrtobool(), which reads only the first letters. */
int tcpstates_parse_bool(const char *val, bool *on, const char **why)
{
	char buf[4];

	if (tcpstates_parse_word(val, buf, sizeof(buf)) || strlen(buf) != 1 ||
	    !strchr("YyNn10", buf[0])) {
		*why = "not Y, N, 1 or 0";
		return -EINVAL;
	}
	*on = buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
	return 0;
}

/*
 * A decimal number up to @max: at most 15 digits, leading zeros included,
 * and nothing else: no sign, space, base prefix or second newline.
 */
int tcpstates_parse_number(const char *val, u32 max, u32 *out,
			   const char **why)
{
	size_t len = ts_value_len(val), zeros = 0;
	u32 v = 0;

	while (zeros + 1 < len && val[zeros] == '0')
		zeros++;
	if (len > 15 ||
	    ts_parse_uint(val + zeros, len - zeros, U32_MAX, &v)) {
		*why = "not a decimal number";
		return -EINVAL;
	}
	if (v > max) {
		*why = "too large";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static const char *ts_parse_range(void *ports, unsigned int i,
				  const char *item, size_t n)
{
	struct tcpstates_port_range *r = &((struct tcpstates_ports *)ports)->range[i];
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
	int n = ts_parse_list(val, TS_FILTER_MAX, ts_parse_range, ports, why);

	if (n < 0)
		return n;
	ports->n = n;
	return 0;
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

/* Clear the host bits, so the stored and printed form is the network. */
static void ts_cidr_mask(struct tcpstates_cidr *c)
{
	unsigned int bits = c->family == TS_IPV4 ? 32 : 128;
	unsigned int i;

	for (i = c->prefix; i < bits; i++)
		c->addr.s6_addr[i / 8] &= ~(0x80 >> (i % 8));
}

static const char *ts_parse_cidr(void *cidrs, unsigned int i,
				 const char *item, size_t n)
{
	struct tcpstates_cidr *c = &((struct tcpstates_cidrs *)cidrs)->cidr[i];
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
	int n = ts_parse_list(val, TS_FILTER_MAX, ts_parse_cidr, cidrs, why);

	if (n < 0)
		return n;
	cidrs->n = n;
	return 0;
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

static const char *ts_parse_state(void *mask, unsigned int i,
				  const char *item, size_t n)
{
	int st;

	for (st = 0; st < TS_NR_STATES; st++) {
		const char *name = tcpstates_state_name(st);

		if (strlen(name) == n && !strncasecmp(item, name, n)) {
			*(u16 *)mask |= BIT(st);
			return NULL;
		}
	}
	return "unknown state name";
}

int tcpstates_parse_states(const char *val, u16 *mask, const char **why)
{
	u16 m = 0;
	int n = ts_parse_list(val, UINT_MAX, ts_parse_state, &m, why);

	if (n < 0)
		return n;
	*mask = n ? m : TS_ALL_STATES;
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
