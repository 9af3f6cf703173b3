// SPDX-License-Identifier: GPL-2.0
/*
 * knobfuzz: write thousands of generated values to every tcpstates knob
 * and judge each outcome against a user-space model of the knobs' grammar.
 *
 *   knobfuzz [-s SEED] [-n PER_KNOB] [-f FILTERS_EVERY] [KNOB...]
 *
 * Each value is written with one write(2) of an explicit length, so it may
 * hold NULs and run past a page. It must be either refused with EINVAL,
 * leaving the knob as it was, or accepted and read back in a canonical
 * form: writing the read-back value again is accepted and reads back the
 * same, and the model parses the input and the read-back to the same set
 * (ports, states, CIDRs, numbers). The model must also agree with the
 * kernel on which inputs are valid. Every FILTERS_EVERY inputs, and after
 * each knob, the "# filters" line of /proc/tcpstates must show exactly
 * what the knob files hold.
 *
 * Output: TAP lines ("ok N - ...", "not ok N - ...") and "# " diagnostics,
 * for the guest suite to renumber. Exit status 1 if any check failed.
 * The same seed gives the same inputs.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PARAMS		"/sys/module/tcpstates/parameters"
#define PROC		"/proc/tcpstates"
#define FILTER_MAX	64	/* entries in one list knob */
#define INPUT_MAX	9000	/* longest generated input, past two pages */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define EXAMPLES	5	/* failing inputs shown per check */

static size_t page;

/* splitmix64: small, and the same sequence on every libc. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 <= r < n */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* true with probability pct% */
static int chance(unsigned int pct)
{
	return below(100) < pct;
}

enum kind {
	K_NETNS, K_FAMILY, K_STATES, K_PORTS, K_CIDRS, K_UINT, K_BOOL, K_OWNERS,
	K_RESET
};

struct knob {
	const char *name;
	enum kind kind;
	unsigned long max;	/* K_UINT */
	const char *dflt;	/* as read back */
};

/* In the order the "# filters" line prints them; reset last. */
static const struct knob knobs[] = {
	{ "netns",	  K_NETNS,  0,	      "self" },
	{ "family",	  K_FAMILY, 0,	      "all" },
	{ "states",	  K_STATES, 0,	      "all" },
	{ "lports",	  K_PORTS,  0,	      "all" },
	{ "rports",	  K_PORTS,  0,	      "all" },
	{ "laddrs",	  K_CIDRS,  0,	      "all" },
	{ "raddrs",	  K_CIDRS,  0,	      "all" },
	{ "top_ports",	  K_UINT,   64,	      "0" },
	{ "top_listeners", K_UINT,  64,	      "0" },
	{ "top_destinations", K_UINT, 64,     "0" },
	{ "timers",	  K_BOOL,   0,	      "Y" },
	{ "ages",	  K_BOOL,   0,	      "N" },
	{ "owners",	  K_OWNERS, 0,	      "off" },
	{ "top_owners",	  K_UINT,   64,	      "5" },
	{ "list_sockets", K_UINT,   10000000, "0" },
	{ "reset",	  K_RESET,  0,	      NULL },
};

#define NR_KNOBS ARRAY_SIZE(knobs)
#define NR_READABLE (NR_KNOBS - 1)

static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
	"FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

#define NR_STATES 11
#define ALL_STATES ((1U << NR_STATES) - 1)

/* ---- the model: what a value means, or that it is invalid ---- */

struct cidr {
	uint8_t v6;
	uint8_t prefix;
	uint8_t addr[16];
};

struct mset {
	uint64_t num;			/* numbers, family, Y/N, netns */
	unsigned int mode;		/* netns: 0 self, 1 all, 2 inode */
	int all;			/* a list knob's "all" */
	unsigned int n;			/* CIDRs, sorted and unique */
	struct cidr c[FILTER_MAX];
	uint64_t ports[65536 / 64];	/* a port bitmap */
};

enum verdict { INVALID, VALID, EITHER };

/* owners=cgroup is valid where the kernel keeps sockets' cgroups: probed. */
static int cgroup_owners;

/*
 * The kernel's ctype, ISO 8859-1: isgraph() also holds for 0xa1-0xff. No
 * such byte is valid anywhere, so the model need not tell them apart; the
 * lists only refuse for another reason.
 */
static int k_isgraph(unsigned char c)
{
	return (c > 0x20 && c < 0x7f) || c >= 0xa1;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Decimal digits only, at most 10 of them, value <= max. */
static int model_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 10 || !all_digits(s, n))
		return 0;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * A number knob (netns, top_ports, list_sockets): digits only, at most 15
 * of them, leading zeros included; no sign, and no second newline.
 */
static enum verdict model_number(const char *v, size_t n, uint64_t max,
				 uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 15 || !all_digits(v, n))
		return INVALID;
	for (i = 0; i < n; i++)
		x = x * 10 + (v[i] - '0');
	if (x > 0xffffffffULL || x > max)
		return INVALID;
	*out = x;
	return VALID;
}

/* Items separated by single commas; nothing blank or control. */
static int model_list_ok(const char *v, size_t n)
{
	size_t i;

	if (!n || v[0] == ',' || v[n - 1] == ',')
		return 0;
	for (i = 0; i < n; i++) {
		if (!k_isgraph(v[i]))
			return 0;
		if (v[i] == ',' && i + 1 < n && v[i + 1] == ',')
			return 0;
	}
	return 1;
}

static int is_all(const char *v, size_t n)
{
	return n == 3 && !memcmp(v, "all", 3);
}

static void port_set(struct mset *m, unsigned int lo, unsigned int hi)
{
	unsigned int p;

	for (p = lo; p <= hi; p++)
		m->ports[p / 64] |= 1ULL << (p % 64);
}

static enum verdict model_ports(const char *v, size_t n, struct mset *m)
{
	size_t pos = 0, len;
	unsigned int items = 0;

	if (!model_list_ok(v, n))
		return INVALID;
	if (is_all(v, n)) {
		port_set(m, 0, 65535);
		return VALID;
	}
	while (pos < n) {
		const char *it = v + pos, *dash;
		uint64_t lo, hi;

		len = strcspn(it, ",");
		if (pos + len > n)
			len = n - pos;
		if (++items > FILTER_MAX)
			return INVALID;
		dash = memchr(it, '-', len);
		if (!dash) {
			if (!model_uint(it, len, 65535, &lo))
				return INVALID;
			hi = lo;
		} else if (!model_uint(it, dash - it, 65535, &lo) ||
			   !model_uint(dash + 1, it + len - dash - 1, 65535, &hi) ||
			   lo > hi) {
			return INVALID;
		}
		port_set(m, lo, hi);
		pos += len + 1;
	}
	return VALID;
}

static enum verdict model_states(const char *v, size_t n, struct mset *m)
{
	size_t pos = 0, len;
	unsigned int st;

	if (!model_list_ok(v, n))
		return INVALID;
	if (is_all(v, n)) {
		m->num = ALL_STATES;
		return VALID;
	}
	while (pos < n) {
		len = strcspn(v + pos, ",");
		if (pos + len > n)
			len = n - pos;
		for (st = 0; st < NR_STATES; st++)
			if (strlen(state_names[st]) == len &&
			    !strncasecmp(v + pos, state_names[st], len))
				break;
		if (st == NR_STATES)
			return INVALID;
		m->num |= 1U << st;
		pos += len + 1;
	}
	return VALID;
}

/*
 * An IPv4 address as the kernel's in4_pton() takes it: four decimal
 * octets of at most 255, leading zeros allowed (and decimal, not octal).
 */
static int model_v4(const char *s, size_t n, uint8_t *out)
{
	unsigned int i = 0, v = 0, digits = 0;
	size_t k;

	for (k = 0; k <= n; k++) {
		if (k == n || s[k] == '.') {
			if (!digits || i == 4)
				return 0;
			out[i++] = v;
			v = 0;
			digits = 0;
			continue;
		}
		if (!isdigit((unsigned char)s[k]))
			return 0;
		v = v * 10 + (s[k] - '0');
		digits++;
		if (v > 255)
			return 0;
	}
	return i == 4;
}

/*
 * An IPv6 address, by glibc's inet_pton() after one allowance that the
 * kernel's in6_pton() makes: a hex group (or an embedded IPv4 octet) may
 * have any number of leading zeros.
 */
static int model_v6(const char *s, size_t n, uint8_t *out)
{
	char norm[INPUT_MAX + 1];
	size_t i = 0, o = 0, start;

	while (i < n) {
		start = i;
		while (i < n && isxdigit((unsigned char)s[i]))
			i++;
		/* A run of zeros, then at least one more character of the run. */
		while (start + 1 < i && s[start] == '0')
			start++;
		memcpy(norm + o, s + start, i - start);
		o += i - start;
		if (i < n)
			norm[o++] = s[i++];
	}
	norm[o] = '\0';
	return inet_pton(AF_INET6, norm, out) == 1;
}

static int cidr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct cidr));
}

static enum verdict model_cidrs(const char *v, size_t n, struct mset *m)
{
	size_t pos = 0, len, alen, i, j;
	struct cidr c;

	if (!model_list_ok(v, n))
		return INVALID;
	if (is_all(v, n)) {
		m->all = 1;
		return VALID;
	}
	while (pos < n) {
		const char *it = v + pos, *slash;
		uint64_t prefix;
		unsigned int bits;

		len = strcspn(it, ",");
		if (pos + len > n)
			len = n - pos;
		if (m->n == FILTER_MAX)
			return INVALID;
		slash = memchr(it, '/', len);
		alen = slash ? (size_t)(slash - it) : len;
		memset(&c, 0, sizeof(c));
		c.v6 = !!memchr(it, ':', alen);
		bits = c.v6 ? 128 : 32;
		if (!(c.v6 ? model_v6(it, alen, c.addr) : model_v4(it, alen, c.addr)))
			return INVALID;
		prefix = bits;
		if (slash && !model_uint(slash + 1, len - alen - 1, bits, &prefix))
			return INVALID;
		c.prefix = prefix;
		for (i = prefix; i < bits; i++)
			c.addr[i / 8] &= ~(0x80 >> (i % 8));
		m->c[m->n++] = c;
		pos += len + 1;
	}
	qsort(m->c, m->n, sizeof(m->c[0]), cidr_cmp);
	for (i = j = 0; i < m->n; i++)
		if (!j || cidr_cmp(&m->c[j - 1], &m->c[i]))
			m->c[j++] = m->c[i];
	m->n = j;
	return VALID;
}

/*
 * What the kernel's parser is handed for @len bytes written at @buf: one
 * page at most (kernfs), up to the first NUL (a C string), less one
 * trailing newline (the knob's own rule).
 */
static size_t effective(const char *buf, size_t len)
{
	size_t n = len < page ? len : page;
	const char *nul = memchr(buf, '\0', n);

	if (nul)
		n = nul - buf;
	if (n && buf[n - 1] == '\n')
		n--;
	return n;
}

static enum verdict model(const struct knob *k, const char *buf, size_t len,
			  struct mset *m)
{
	size_t n = effective(buf, len);

	memset(m, 0, sizeof(*m));
	switch (k->kind) {
	case K_NETNS:
		if (n == 4 && !memcmp(buf, "self", 4))
			return VALID;
		if (n == 3 && !memcmp(buf, "all", 3)) {
			m->mode = 1;
			return VALID;
		}
		m->mode = 2;
		if (model_number(buf, n, 0xffffffffULL, &m->num) == INVALID)
			return INVALID;
		return m->num ? VALID : INVALID;
	case K_FAMILY:
		if (n == 3 && !memcmp(buf, "all", 3))
			m->num = 3;
		else if (n == 4 && !memcmp(buf, "ipv4", 4))
			m->num = 1;
		else if (n == 4 && !memcmp(buf, "ipv6", 4))
			m->num = 2;
		else
			return INVALID;
		return VALID;
	case K_STATES:
		return model_states(buf, n, m);
	case K_PORTS:
		return model_ports(buf, n, m);
	case K_CIDRS:
		return model_cidrs(buf, n, m);
	case K_UINT:
		return model_number(buf, n, k->max, &m->num);
	case K_BOOL:
		if (n != 1 || !strchr("YyNn10", buf[0]))
			return INVALID;
		m->num = !!strchr("Yy1", buf[0]);
		return VALID;
	case K_OWNERS:
		if (n == 3 && !memcmp(buf, "off", 3))
			m->num = 0;
		else if (n == 3 && !memcmp(buf, "uid", 3))
			m->num = 1;
		else if (n == 6 && !memcmp(buf, "cgroup", 6) && cgroup_owners)
			m->num = 2;
		else
			return INVALID;
		return VALID;
	case K_RESET:
		return n == 1 && buf[0] == '1' ? VALID : INVALID;
	}
	return INVALID;
}

static int mset_eq(const struct knob *k, const struct mset *a,
		   const struct mset *b)
{
	switch (k->kind) {
	case K_PORTS:
		return !memcmp(a->ports, b->ports, sizeof(a->ports));
	case K_CIDRS:
		return a->all == b->all && a->n == b->n &&
		       !memcmp(a->c, b->c, a->n * sizeof(a->c[0]));
	case K_NETNS:
		return a->mode == b->mode && a->num == b->num;
	default:
		return a->num == b->num;
	}
}

/* ---- generators ---- */

struct gen {
	char buf[INPUT_MAX + 64];
	size_t len;
	int clean;	/* only valid items: the list's length decides */
};

static void put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (g->len >= INPUT_MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->buf + g->len, INPUT_MAX + 1 - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t)n < INPUT_MAX - g->len ? (size_t)n : INPUT_MAX - g->len;
}

static void putc_(struct gen *g, char c)
{
	if (g->len < INPUT_MAX)
		g->buf[g->len++] = c;
}

/* A number near the edges that matter, sometimes zero-padded. */
static void gen_number(struct gen *g, uint64_t max)
{
	static const uint64_t edges[] = {
		0, 1, 2, 9, 10, 63, 64, 65, 1023, 1024, 32767, 32768, 65534,
		65535, 65536, 65537, 99999, 100000, 9999999, 10000000,
		10000001, 2147483647, 2147483648ULL, 4294967295ULL,
		4294967296ULL, 9999999999ULL, 10000000000ULL,
		18446744073709551615ULL,
	};
	uint64_t v;

	if (chance(25))
		v = edges[below(ARRAY_SIZE(edges))];
	else if (chance(85))
		v = below(max + 1);
	else
		v = below(max + max / 4 + 2);
	if (g->clean && v > max)
		v = below(max + 1);
	if (chance(8))
		put(g, "%0*llu", (int)below(g->clean ? 11 : 16), (unsigned long long)v);
	else
		put(g, "%llu", (unsigned long long)v);
}

static const char junk_chars[] = " \t\n\r\v,,--//::..+_xX0az\x7f\x80\xa0\xe9\xff";

static void junk(struct gen *g)
{
	if (!g->clean)
		putc_(g, junk_chars[below(sizeof(junk_chars) - 1)]);
}

/* The items of a list: a few, or close to and over the 64-entry limit. */
static unsigned int list_items(void)
{
	if (chance(50))
		return 1 + below(5);
	if (chance(60))
		return FILTER_MAX - 2 + below(5);
	return 1 + below(100);
}

static void gen_ports(struct gen *g)
{
	unsigned int n = list_items(), i, lo = 0, hi;

	for (i = 0; i < n; i++) {
		if (i)
			putc_(g, chance(1) && !g->clean ? ';' : ',');
		if (chance(30)) {
			/* A range, often overlapping the one before. */
			if (chance(40) && i)
				lo = lo + below(50);
			else
				lo = below(65536);
			hi = chance(10) ? lo - below(10) :
			     chance(10) ? lo : lo + below(3000);
			if (g->clean) {
				lo = lo > 65535 ? 65535 : lo;
				hi = hi < lo ? lo : hi > 65535 ? 65535 : hi;
			}
			if (chance(5) && !g->clean) {
				gen_number(g, 65535);
				putc_(g, '-');
				gen_number(g, 65535);
			} else {
				put(g, chance(5) ? "%05u-%u" : "%u-%u", lo, hi);
			}
		} else {
			gen_number(g, 65535);
		}
		if (chance(1))
			junk(g);
	}
}

/* An IPv6 address in one of the spellings people use. */
static void gen_v6(struct gen *g, uint8_t a[16])
{
	char txt[INET6_ADDRSTRLEN];
	unsigned int i;

	switch (below(6)) {
	case 0:
	case 1:
		inet_ntop(AF_INET6, a, txt, sizeof(txt));
		put(g, "%s", txt);
		break;
	case 2:		/* uppercase */
		inet_ntop(AF_INET6, a, txt, sizeof(txt));
		for (i = 0; txt[i]; i++)
			txt[i] = toupper((unsigned char)txt[i]);
		put(g, "%s", txt);
		break;
	case 3:		/* all eight groups, zero-padded */
		for (i = 0; i < 8; i++)
			put(g, "%s%04x", i ? ":" : "", a[2 * i] << 8 | a[2 * i + 1]);
		break;
	case 4:		/* the last 32 bits as an IPv4 address */
		for (i = 0; i < 6; i++)
			put(g, "%s%x", i ? ":" : "", a[2 * i] << 8 | a[2 * i + 1]);
		put(g, ":%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		break;
	default:	/* over-long groups: leading zeros */
		for (i = 0; i < 8; i++)
			put(g, "%s%0*x", i ? ":" : "", (int)(1 + below(7)),
			    a[2 * i] << 8 | a[2 * i + 1]);
		break;
	}
}

static void gen_addr(uint8_t *a, unsigned int bytes)
{
	unsigned int i;

	switch (below(4)) {
	case 0:		/* random */
		for (i = 0; i < bytes; i++)
			a[i] = rnd();
		break;
	case 1:		/* mostly zeros: room for "::" */
		memset(a, 0, bytes);
		for (i = 0; i < 3; i++)
			a[below(bytes)] = rnd();
		break;
	case 2:		/* documentation prefixes, mapped IPv4 */
		memset(a, 0, bytes);
		if (bytes == 4) {
			a[0] = 192;
			a[2] = 2;
			a[3] = rnd();
		} else if (chance(50)) {
			a[0] = 0x20;
			a[1] = 0x01;
			a[2] = 0x0d;
			a[3] = 0xb8;
			a[15] = rnd();
		} else {
			a[10] = 0xff;
			a[11] = 0xff;
			for (i = 12; i < 16; i++)
				a[i] = rnd();
		}
		break;
	default:	/* all ones, or one bit */
		memset(a, chance(50) ? 0xff : 0, bytes);
		a[below(bytes)] ^= 1 << below(8);
		break;
	}
}

static void gen_cidr(struct gen *g, int v6, int prefix)
{
	unsigned int bits = v6 ? 128 : 32;
	uint8_t a[16];

	gen_addr(a, v6 ? 16 : 4);
	if (v6)
		gen_v6(g, a);
	else if (chance(5))
		put(g, "%03u.%u.%03u.%u", a[0], a[1], a[2], a[3]);
	else
		put(g, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	if (prefix >= 0) {
		put(g, "/%d", prefix);
		return;
	}
	if (chance(10))
		return;
	putc_(g, '/');
	if (chance(90) || g->clean)
		put(g, chance(5) ? "%04u" : "%u", (unsigned int)below(bits + 1));
	else
		gen_number(g, bits);
}

/* Every prefix length of both families once, then random lists. */
static void gen_cidrs(struct gen *g, unsigned long i)
{
	unsigned int n, k;

	if (i <= 32) {
		gen_cidr(g, 0, i);
		return;
	}
	if (i <= 32 + 129) {
		gen_cidr(g, 1, i - 33);
		return;
	}
	n = list_items();
	for (k = 0; k < n; k++) {
		if (k)
			putc_(g, ',');
		gen_cidr(g, chance(50), -1);
		if (chance(1))
			junk(g);
	}
}

static void gen_state_name(struct gen *g)
{
	const char *s = state_names[below(NR_STATES)];
	size_t i, n = strlen(s);

	if (chance(5) && !g->clean)
		n -= below(n);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (chance(30))
			c = tolower((unsigned char)c);
		if (c == '_' && chance(3) && !g->clean)
			c = '-';
		putc_(g, c);
	}
	if (chance(3))
		junk(g);
}

static void gen_states(struct gen *g)
{
	unsigned int n, i;

	if (chance(5)) {
		put(g, "%s", chance(50) ? "all" : chance(50) ? "ALL" : "All");
		return;
	}
	/* Sometimes a list long enough to reach a page. */
	n = chance(10) ? 250 + below(200) : 1 + below(14);
	for (i = 0; i < n; i++) {
		if (i)
			putc_(g, ',');
		gen_state_name(g);
	}
}

static const char *pick(const char *const *list, size_t n)
{
	return list[below(n)];
}

#define PICK(list) pick(list, ARRAY_SIZE(list))

static char init_netns[32];

static void gen_netns(struct gen *g)
{
	static const char *const words[] = {
		"self", "all", "SELF", "All", "sel", "selff", "al", "0", "-1",
		"+5", " 5", "5 ", "0x10", "1e3", "", "self,all", "4026531840",
	};

	if (chance(30))
		put(g, "%s", PICK(words));
	else if (chance(20))
		put(g, "%s", init_netns);
	else
		gen_number(g, 0xffffffffULL);
}

static void gen_family(struct gen *g)
{
	static const char *const words[] = {
		"all", "ipv4", "ipv6", "ALL", "IPv4", "IPV6", "ipv", "ipv46",
		"ipv4,ipv6", "inet", "inet6", "4", "6", "ipv4xyz", "ipv6abcd",
		"all ", " all",
	};

	put(g, "%s", PICK(words));
}

static void gen_owners(struct gen *g)
{
	static const char *const words[] = {
		"off", "uid", "cgroup", "OFF", "UID", "Cgroup", "cgroups",
		"cgroup2", "uid,cgroup", "none", "user", "gid", "0", "1", "on",
		"uid ", " uid", "cg",
	};

	put(g, "%s", PICK(words));
}

static void gen_bool(struct gen *g)
{
	static const char *const words[] = {
		"Y", "N", "y", "n", "1", "0", "YES", "yes", "no", "true",
		"false", "on", "off", "2", "YY", "Yn", " Y", "Y ", "-1",
	};

	put(g, "%s", PICK(words));
}

static void gen_reset(struct gen *g)
{
	static const char *const words[] = {
		"1", "1", "1", "0", "2", "01", "11", "1 ", " 1", "Y", "yes",
		"true", "-1", "+1", "1,1", "reset",
	};

	put(g, "%s", PICK(words));
}

/* Random bytes: any value, NULs and newlines included. */
static void gen_bytes(struct gen *g, size_t n)
{
	while (n-- && g->len < INPUT_MAX)
		g->buf[g->len++] = chance(70) ? (char)(0x20 + below(0x5f)) : (char)rnd();
}

/* Grow a value past a page by repeating it, cut at a length near a page. */
static void lengthen(struct gen *g)
{
	static const long around[] = { -2, -1, 0, 1, 2 };
	size_t want, unit = g->len;

	if (!unit)
		return;
	want = chance(70) ? page + around[below(5)] : page + below(INPUT_MAX - page);
	while (g->len < want && g->len < INPUT_MAX) {
		size_t n;

		putc_(g, ',');
		n = unit < INPUT_MAX - g->len ? unit : INPUT_MAX - g->len;
		memmove(g->buf + g->len, g->buf, n);
		g->len += n;
	}
	if (g->len > want)
		g->len = want;
}

static void mutate(struct gen *g)
{
	size_t at = below(g->len + 1);

	switch (below(5)) {
	case 0:		/* flip a byte */
		if (g->len)
			g->buf[below(g->len)] ^= 1 << below(8);
		break;
	case 1:		/* insert a byte */
		if (g->len < INPUT_MAX) {
			memmove(g->buf + at + 1, g->buf + at, g->len - at);
			g->buf[at] = chance(50) ? junk_chars[below(sizeof(junk_chars) - 1)] :
						  (char)rnd();
			g->len++;
		}
		break;
	case 2:		/* delete a byte */
		if (g->len) {
			at = below(g->len);
			memmove(g->buf + at, g->buf + at + 1, g->len - at - 1);
			g->len--;
		}
		break;
	case 3:		/* an embedded NUL, then junk */
		g->len = at;
		putc_(g, '\0');
		gen_bytes(g, below(20));
		break;
	default:	/* truncate */
		g->len = at;
		break;
	}
}

static void generate(const struct knob *k, unsigned long i, struct gen *g)
{
	g->len = 0;
	g->clean = chance(35);
	if (chance(4)) {
		gen_bytes(g, chance(90) ? below(64) : below(INPUT_MAX));
		goto out;
	}
	switch (k->kind) {
	case K_NETNS:
		gen_netns(g);
		break;
	case K_FAMILY:
		gen_family(g);
		break;
	case K_STATES:
		gen_states(g);
		break;
	case K_PORTS:
		if (chance(3))
			put(g, "all");
		else
			gen_ports(g);
		break;
	case K_CIDRS:
		if (chance(3) && i > 161)
			put(g, "all");
		else
			gen_cidrs(g, i);
		break;
	case K_UINT:
		gen_number(g, k->max);
		break;
	case K_BOOL:
		gen_bool(g);
		break;
	case K_OWNERS:
		gen_owners(g);
		break;
	case K_RESET:
		gen_reset(g);
		break;
	}
	if (chance(3))
		lengthen(g);
	if (chance(12) && !g->clean)
		mutate(g);
	if (chance(55))
		putc_(g, '\n');
	if (chance(2))
		put(g, "\n");
out:
	/* The model reads items with the str*() functions. */
	g->buf[g->len] = '\0';
}

/* ---- the kernel side ---- */

static int knob_fd[NR_KNOBS];
static int proc_fd = -1;

static int open_knobs(void)
{
	char path[256];
	size_t i;

	for (i = 0; i < NR_KNOBS; i++) {
		snprintf(path, sizeof(path), PARAMS "/%s", knobs[i].name);
		knob_fd[i] = open(path, knobs[i].kind == K_RESET ? O_WRONLY : O_RDWR);
		if (knob_fd[i] < 0) {
			printf("# knobfuzz: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	proc_fd = open(PROC, O_RDONLY);
	if (proc_fd < 0) {
		printf("# knobfuzz: " PROC ": %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* A knob's value as read back, newline included; "" on error. */
static void read_knob(size_t i, char *out, size_t size)
{
	ssize_t n = pread(knob_fd[i], out, size - 1, 0);

	out[n > 0 ? n : 0] = '\0';
}

static ssize_t write_knob(size_t i, const char *buf, size_t len, int *err)
{
	ssize_t rc;

	errno = 0;
	rc = pwrite(knob_fd[i], buf, len, 0);
	*err = errno;
	return rc;
}

#define VALUE_MAX (2 * 4096 + 2)

/* Every readable knob, one per line. */
static void read_all(char *out, size_t size)
{
	char v[VALUE_MAX];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < NR_READABLE; i++) {
		read_knob(i, v, sizeof(v));
		len += snprintf(out + len, size - len, "%s=%s", knobs[i].name, v);
		if (len >= size)
			break;
	}
}

/* ---- reporting ---- */

static unsigned int tap_n, tap_failed;

static void tap(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
	fflush(stdout);
}

/* @s escaped as C, at most 120 bytes of it. */
static const char *esc(const char *s, size_t len)
{
	static char out[4][600];
	static unsigned int turn;
	char *o = out[turn++ % 4];
	size_t i, n = 0;

	for (i = 0; i < len && i < 120; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '"')
			n += sprintf(o + n, "\\%c", c);
		else if (c == '\n')
			n += sprintf(o + n, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			n += sprintf(o + n, "\\x%02x", c);
		else
			o[n++] = c;
	}
	o[n] = '\0';
	if (len > 120)
		snprintf(o + n, 40, "...(%zu bytes)", len);
	return o;
}

enum check { C_REFUSED, C_CANONICAL, C_SAME_SET, C_MODEL, C_ERRNO, NR_CHECKS };

struct stats {
	unsigned long inputs, accepted, refused, empty, long_, nul, either;
	unsigned long bad[NR_CHECKS];
};

static void fail(struct stats *s, enum check c, const struct knob *k,
		 const char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (s->bad[c]++ >= EXAMPLES)
		return;
	printf("# %s: input \"%s\" (%zu bytes): ", k->name, esc(buf, len), len);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static unsigned long filters_checks, filters_bad;

/* The "# filters" line shows what every knob file holds. */
static void check_filters(void)
{
	static char text[65536];
	char want[VALUE_MAX * 2], v[VALUE_MAX], *line, *end;
	ssize_t n;
	size_t i, len = 0;

	n = pread(proc_fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	len = snprintf(want, sizeof(want), "# filters");
	for (i = 0; i < NR_READABLE; i++) {
		read_knob(i, v, sizeof(v));
		v[strcspn(v, "\n")] = '\0';
		len += snprintf(want + len, sizeof(want) - len, " %s=%s", knobs[i].name, v);
		if (len >= sizeof(want))
			break;
	}
	filters_checks++;
	line = strstr(text, "\n# filters ");
	if (line) {
		line++;
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
	}
	if (!line || strcmp(line, want)) {
		if (filters_bad++ < EXAMPLES)
			printf("# filters line: \"%s\"\n#   knob files: \"%s\"\n",
			       line ? esc(line, strlen(line)) : "(none)",
			       esc(want, strlen(want)));
	}
}

static unsigned long others_bad;

/* A write to one knob left every other knob at its default. */
static void check_others(size_t ki)
{
	char v[VALUE_MAX], want[VALUE_MAX];
	size_t i;

	if (knobs[ki].kind == K_RESET)
		return;
	for (i = 0; i < NR_READABLE; i++) {
		if (i == ki)
			continue;
		read_knob(i, v, sizeof(v));
		snprintf(want, sizeof(want), "%s\n", knobs[i].dflt);
		if (strcmp(v, want) && others_bad++ < EXAMPLES)
			printf("# writes to %s changed %s to \"%s\"\n",
			       knobs[ki].name, knobs[i].name, esc(v, strlen(v)));
	}
}

static void set_knob(size_t i, const char *v)
{
	int err;

	write_knob(i, v, strlen(v), &err);
}

/* A valid value for some knob other than reset, so a reset has work to do. */
static void perturb(void)
{
	static const char *const vals[][2] = {
		{ "lports", "22,8000-8100" }, { "states", "LISTEN" },
		{ "laddrs", "192.0.2.0/24" }, { "family", "ipv6" },
		{ "top_ports", "3" }, { "timers", "N" },
		{ "top_listeners", "2" }, { "ages", "Y" },
		{ "owners", "uid" }, { "top_owners", "9" },
		{ "top_destinations", "4" },
		{ "list_sockets", "7" }, { "raddrs", "2001:db8::/32" },
		{ "rports", "443" }, { "netns", "all" },
	};
	size_t i, which = below(ARRAY_SIZE(vals));

	for (i = 0; i < NR_READABLE; i++)
		if (!strcmp(knobs[i].name, vals[which][0]))
			set_knob(i, vals[which][1]);
}

static void reset_all(void)
{
	set_knob(NR_KNOBS - 1, "1");
}

static struct mset m_in, m_back;

static void fuzz_one(size_t ki, unsigned long i, struct stats *s,
		     const char *defaults)
{
	static char before[VALUE_MAX * NR_KNOBS], after[VALUE_MAX * NR_KNOBS];
	static char again[VALUE_MAX];
	static struct gen g;
	const struct knob *k = &knobs[ki];
	size_t want_rc, eff;
	enum verdict v;
	ssize_t rc;
	int err;

	generate(k, i, &g);
	s->inputs++;
	if (g.len > page)
		s->long_++;
	if (memchr(g.buf, '\0', g.len))
		s->nul++;
	if (k->kind == K_RESET) {
		perturb();
		read_all(before, sizeof(before));
	} else {
		read_knob(ki, before, VALUE_MAX);
	}

	rc = write_knob(ki, g.buf, g.len, &err);
	v = model(k, g.buf, g.len, &m_in);
	eff = effective(g.buf, g.len);
	if (k->kind == K_RESET)
		read_all(after, sizeof(after));
	else
		read_knob(ki, after, VALUE_MAX);
	want_rc = g.len < page ? g.len : page;

	if (!g.len) {
		/* sysfs calls no store for an empty write. */
		s->empty++;
		if (rc != 0 || strcmp(before, after))
			fail(s, C_REFUSED, k, g.buf, g.len,
			     "an empty write returned %zd and left \"%s\"", rc,
			     esc(after, strlen(after)));
		return;
	}
	if (rc < 0) {
		s->refused++;
		if (err != EINVAL)
			fail(s, C_ERRNO, k, g.buf, g.len, "refused with %s, not EINVAL",
			     strerror(err));
		if (strcmp(before, after))
			fail(s, C_REFUSED, k, g.buf, g.len,
			     "refused, but the value went from \"%s\" to \"%s\"",
			     esc(before, strlen(before)), esc(after, strlen(after)));
		if (v == VALID)
			fail(s, C_MODEL, k, g.buf, g.len,
			     "refused (%s); the model takes \"%s\"", strerror(err),
			     esc(g.buf, eff));
		else if (v == EITHER)
			s->either++;
		return;
	}

	s->accepted++;
	if ((size_t)rc != want_rc)
		fail(s, C_ERRNO, k, g.buf, g.len, "write returned %zd, not %zu", rc, want_rc);
	if (v == INVALID)
		fail(s, C_MODEL, k, g.buf, g.len,
		     "accepted as \"%s\"; the model refuses \"%s\"",
		     esc(after, strlen(after)), esc(g.buf, eff));
	else if (v == EITHER)
		s->either++;

	if (k->kind == K_RESET) {
		if (strcmp(after, defaults))
			fail(s, C_SAME_SET, k, g.buf, g.len,
			     "accepted, but the knobs are not the defaults: %s",
			     esc(after, strlen(after)));
		return;
	}

	/* Canonical: the read-back is taken again as it is. */
	rc = write_knob(ki, after, strlen(after), &err);
	read_knob(ki, again, sizeof(again));
	if (rc < 0 || strcmp(again, after))
		fail(s, C_CANONICAL, k, g.buf, g.len,
		     "read back \"%s\"; writing that back gave %s and read \"%s\"",
		     esc(after, strlen(after)), rc < 0 ? strerror(err) : "success",
		     esc(again, strlen(again)));

	/* The same set: the model reads the input and the read-back alike. */
	if (model(k, after, strlen(after), &m_back) != VALID)
		fail(s, C_CANONICAL, k, g.buf, g.len,
		     "read back \"%s\", which the model refuses",
		     esc(after, strlen(after)));
	else if (v != INVALID && !mset_eq(k, &m_in, &m_back))
		fail(s, C_SAME_SET, k, g.buf, g.len,
		     "read back \"%s\", a different set",
		     esc(after, strlen(after)));
}

static void report(const struct knob *k, const struct stats *s)
{
	printf("# knobfuzz %s: %lu inputs: %lu accepted, %lu refused, %lu empty; "
	       "%lu longer than a page, %lu with a NUL, %lu left to the kernel\n",
	       k->name, s->inputs, s->accepted, s->refused, s->empty, s->long_,
	       s->nul, s->either);
	tap(!s->bad[C_REFUSED] && !s->bad[C_ERRNO],
	    "knobfuzz %s: %lu refusals, each EINVAL with the value unchanged; "
	    "each acceptance returned the length written",
	    k->name, s->refused);
	if (k->kind != K_RESET)
		tap(!s->bad[C_CANONICAL],
		    "knobfuzz %s: %lu accepted values read back canonical: written back, each is accepted and reads back the same",
		    k->name, s->accepted);
	tap(!s->bad[C_SAME_SET],
	    k->kind == K_RESET ? "knobfuzz %s: %lu accepted resets restored every default" :
	    "knobfuzz %s: %lu accepted values read back as the set the input denotes",
	    k->name, s->accepted);
	tap(!s->bad[C_MODEL],
	    "knobfuzz %s: the kernel and the model agree on which of the %lu inputs are valid",
	    k->name, s->inputs);
	tap(s->accepted >= s->inputs / 20 && s->refused >= s->inputs / 20,
	    "knobfuzz %s: both outcomes were exercised (at least 5%% each)", k->name);
}


int main(int argc, char **argv)
{
	unsigned long per_knob = 2000, every = 25, i;
	static char defaults[VALUE_MAX * NR_KNOBS];
	uint64_t seed;
	struct stats s;
	size_t ki;
	ssize_t n;
	int opt, a;

	page = sysconf(_SC_PAGESIZE);
	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "s:n:f:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			per_knob = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			every = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: knobfuzz [-s SEED] [-n PER_KNOB] [-f FILTERS_EVERY] [KNOB...]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = readlink("/proc/self/ns/net", defaults, 64);
	defaults[n > 0 ? n : 0] = '\0';
	snprintf(init_netns, sizeof(init_netns), "%lu",
		 strtoul(defaults + strcspn(defaults, "0123456789"), NULL, 10));
	printf("# knobfuzz: seed %llu, %lu inputs per knob (knobfuzz -s %llu to repeat)\n",
	       (unsigned long long)seed, per_knob, (unsigned long long)seed);
	if (open_knobs())
		return 1;

	for (ki = 0; ki < NR_READABLE; ki++) {
		if (knobs[ki].kind == K_OWNERS)
			cgroup_owners = write_knob(ki, "cgroup", 6, &a) == 6;
	}
	printf("# knobfuzz: owners=cgroup %s on this kernel\n",
	       cgroup_owners ? "valid" : "refused");
	reset_all();
	read_all(defaults, sizeof(defaults));
	for (ki = 0; ki < NR_READABLE; ki++) {
		char want[64];

		snprintf(want, sizeof(want), "%s=%s\n", knobs[ki].name, knobs[ki].dflt);
		if (!strstr(defaults, want)) {
			tap(0, "knobfuzz: the knobs start at their defaults");
			printf("# %s\n", esc(defaults, strlen(defaults)));
			return 1;
		}
	}

	for (ki = 0; ki < NR_KNOBS; ki++) {
		if (optind < argc) {
			for (a = optind; a < argc; a++)
				if (!strcmp(argv[a], knobs[ki].name))
					break;
			if (a == argc)
				continue;
		}
		/* Each knob's run from its own seed, so one can be rerun alone. */
		rng_state = seed ^ (0x100000001b3ULL * (ki + 1));
		memset(&s, 0, sizeof(s));
		for (i = 0; i < per_knob; i++) {
			fuzz_one(ki, i, &s, defaults);
			if (every && i % every == every - 1) {
				check_filters();
				check_others(ki);
			}
		}
		check_filters();
		check_others(ki);
		report(&knobs[ki], &s);
		reset_all();
	}
	tap(!others_bad, "knobfuzz: no write to one knob changed another");
	tap(!filters_bad,
	    "knobfuzz: the # filters line of " PROC " showed the knob files at all %lu checks",
	    filters_checks);
	printf("# knobfuzz: %u checks, %u failed\n", tap_n, tap_failed);
	return tap_failed ? 1 : 0;
}
