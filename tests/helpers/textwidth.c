// SPDX-License-Identifier: GPL-2.0
/*
 * textwidth [--max COLUMNS] [FILE...]: every line valid UTF-8 and at most
 * COLUMNS (default 80) wide on a terminal, East Asian wide and fullwidth
 * characters counting 2. Reads standard input without FILE. Prints each
 * line that fails as "FILE:LINE: reason" and exits 1 if any did.
 * ANSI colour sequences (ESC [ ... m) take no columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unicode's East Asian Width W and F ranges that text here can contain. */
static const unsigned int wide[][2] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
};

static int columns(unsigned int cp)
{
	size_t i;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp >= 0x300 && cp < 0x370)	/* combining marks */
		return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* line_width: columns of one line, or -1 if it is not valid UTF-8. */
static int line_width(const unsigned char *s, size_t len)
{
	size_t i = 0;
	int width = 0;

	while (i < len) {
		unsigned int cp, min;
		int more, k;

		if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '[') {
			i += 2;
			while (i < len && !(s[i] >= 0x40 && s[i] <= 0x7e))
				i++;
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			cp = s[i]; more = 0; min = 0;
		} else if ((s[i] & 0xe0) == 0xc0) {
			cp = s[i] & 0x1f; more = 1; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			cp = s[i] & 0x0f; more = 2; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			cp = s[i] & 0x07; more = 3; min = 0x10000;
		} else {
			return -1;
		}
		if (i + more >= len)
			return -1;
		for (k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		width += columns(cp);
		i += more + 1;
	}
	return width;
}

static int check(FILE *f, const char *name, int max)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long nr = 0;
	int bad = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		int w;

		nr++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		w = memchr(line, 0, n) ? -1 :
			line_width((unsigned char *)line, n);
		if (w < 0) {
			printf("%s:%ld: not valid UTF-8\n", name, nr);
			bad = 1;
		} else if (w > max) {
			printf("%s:%ld: %d columns, more than %d\n", name, nr, w, max);
			bad = 1;
		}
	}
	free(line);
	return bad;
}

int main(int argc, char **argv)
{
	int max = 80, bad = 0, i = 1;

	if (argc > 2 && !strcmp(argv[1], "--max")) {
		max = atoi(argv[2]);
		i = 3;
	}
	if (i == argc)
		return check(stdin, "-", max);
	for (; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (!f) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		bad |= check(f, argv[i], max);
		fclose(f);
	}
	return bad;
}
