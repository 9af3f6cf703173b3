// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: fail the allocations of one system call, and check what the
 * caller sees.
 *
 *   failnth [-f] open FILE          open(2) of FILE
 *   failnth [-f] read FILE          the first read(2) of FILE, opened beforehand
 *   failnth [-f] write FILE VALUE   write(2) of VALUE to a knob file
 *   failnth [-f] load KO [PARAMS [REFUSED]]
 *                                   finit_module(2) of KO with PARAMS
 *   failnth sites KO                the loaded module's allocation call sites
 *   failnth refused N KO PARAMS     N loads that PARAMS make fail, no fault injected
 *
 * Without -f, each injection point of the call fails in turn, through
 * /proc/thread-self/fail-nth: N = 1, 2, ... until a call gets through
 * without reaching an Nth point. With -f, the first T = 1, 2, 3 points of
 * failslab and of fail_page_alloc fail at once (their "times", in a task
 * marked make-it-fail; the caller sets probability 100 and task-filter):
 * a kvmalloc() fails only when its kmalloc() and its vmalloc() fallback
 * both do. Which allocations are points is up to the caller: the stack
 * filters in debugfs can confine them to one function, or to one call.
 *
 * An injected failure must give the caller a clear error, ENOMEM (or
 * EINVAL, a knob's parse refusing), and change nothing: the knobs stay as
 * they were, the file reads whole at the next try, a module whose load
 * failed leaves no trace. A call may also absorb a failure (kvmalloc()
 * falls back to vmalloc()) and succeed; it must then have done its job.
 * With -f, every T must reach a point.
 *
 * Prints "# " diagnostics, then one line:
 *   points P enomem E einval V other O absorbed A bad B
 * P calls met an injected failure; the exit status is 1 if B > 0.
 *
 * With REFUSED, parameters the module refuses (a bad value of its first
 * knob), a load skips the loader's own points: those a load of REFUSED
 * meets before the module refuses it, less a margin for the allocations
 * kmemleak and KASAN add. Before them the module's code has not run, so
 * they test only the kernel's loader; what follows (the module's knobs
 * parsed, its sysfs files, its init, the loader's work after) is swept.
 *
 * "sites" prints, for each call from the module's code to an allocator,
 * "FUNCTION+OFFSET CALLEE START END": [START, END) holds just the call's
 * return address, for the stack filters. From the relocations of KO and
 * the section addresses in /sys/module/NAME/sections.
 *
 * "refused" prints "loads N refused R left L": L loads left the module's
 * files behind.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROC		"/proc/tcpstates"
#define FI		"/sys/kernel/debug"
#define MAX_POINTS	20000
#define FIRST_MAX	3
#define SNAP_MAX	65536
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int first_mode;
static int nth_fd = -1;
static unsigned long points, enomem, einval, other, absorbed, bad;

static void say_bad(const char *fmt, ...)
{
	va_list ap;

	if (bad++ < 10) {
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
}

static void die(const char *what)
{
	printf("# failnth: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void put_num(const char *path, long v)
{
	char b[24];
	int fd = open(path, O_WRONLY), len = snprintf(b, sizeof(b), "%ld", v);

	if (fd < 0 || write(fd, b, len) != len)
		die(path);
	close(fd);
}

static long get_num(const char *path)
{
	char b[24] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b) - 1);

	if (n <= 0)
		die(path);
	close(fd);
	b[n] = '\0';
	return strtol(b, NULL, 10);
}

/* Arm the Nth point (fail-nth), or the first N of each kind (-f). */
static void arm(unsigned long n)
{
	char b[24];
	int len;

	if (first_mode) {
		put_num(FI "/failslab/times", n);
		put_num(FI "/fail_page_alloc/times", n);
		put_num("/proc/thread-self/make-it-fail", 1);
		return;
	}
	len = snprintf(b, sizeof(b), "%lu", n);
	if (pwrite(nth_fd, b, len, 0) != len)
		die("/proc/thread-self/fail-nth");
}

/* Did an armed point fail? Disarms in any case. */
static int fired(unsigned long n)
{
	char b[24] = "";
	long left;
	ssize_t len;

	if (first_mode) {
		put_num("/proc/thread-self/make-it-fail", 0);
		left = get_num(FI "/failslab/times") + get_num(FI "/fail_page_alloc/times");
		put_num(FI "/failslab/times", 0);
		put_num(FI "/fail_page_alloc/times", 0);
		return left < 2 * (long)n;
	}
	len = pread(nth_fd, b, sizeof(b) - 1, 0);
	if (len <= 0)
		die("/proc/thread-self/fail-nth");
	b[len] = '\0';
	arm(0);
	return strtoul(b, NULL, 10) == 0;
}

/*
 * Whether the loop is over after round @n. Without -f: once a call got
 * through untouched. With -f: after T = FIRST_MAX, and every round must
 * have met a failure.
 */
static int done(unsigned long n, int inj)
{
	if (!first_mode)
		return !inj;
	if (!inj)
		say_bad("T=%lu: the call met no allocation to fail", n);
	return n >= FIRST_MAX;
}

/* Count an injected failure by its error. */
static void count_errno(int err, int einval_ok, unsigned long n)
{
	points++;
	if (err == ENOMEM) {
		enomem++;
	} else if (err == EINVAL && einval_ok) {
		einval++;
	} else {
		other++;
		say_bad("round %lu: failed with %s, not ENOMEM", n, strerror(err));
	}
}

/* A whole report: the header and the last state's line. */
static int whole(const char *text)
{
	return !strncmp(text, "# tcpstates ", 12) && strstr(text, "\nTIME_WAIT ");
}

static ssize_t read_all(int fd, char *buf, size_t size)
{
	ssize_t n, len = 0;

	while ((size_t)len < size - 1) {
		n = pread(fd, buf + len, size - 1 - len, len);
		if (n < 0)
			return -1;
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

static int read_whole(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read_all(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && whole(buf);
}

static int op_open(const char *path)
{
	unsigned long n;
	int fd, inj, err;

	for (n = 1; n < MAX_POINTS; n++) {
		arm(n);
		fd = open(path, O_RDONLY);
		err = errno;
		inj = fired(n);
		if (fd < 0 && !inj) {
			say_bad("open failed with no injected failure: %s", strerror(err));
			return 0;
		}
		if (fd < 0) {
			count_errno(err, 0, n);
		} else {
			close(fd);
			if (!read_whole(path))
				say_bad("round %lu: after the open, the file reads short", n);
			if (inj) {
				points++;
				absorbed++;
			}
		}
		if (done(n, inj))
			return 0;
	}
	return -1;
}

static int op_read(const char *path)
{
	static char buf[1 << 20];
	unsigned long n;
	int fd, inj, err;
	ssize_t rc;

	for (n = 1; n < MAX_POINTS; n++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die(path);
		arm(n);
		rc = read(fd, buf, sizeof(buf) - 1);
		err = errno;
		inj = fired(n);
		if (rc < 0 && !inj) {
			say_bad("read failed with no injected failure: %s", strerror(err));
			close(fd);
			return 0;
		}
		if (rc < 0) {
			count_errno(err, 0, n);
		} else if (inj) {
			points++;
			absorbed++;
		}
		/* The same open file reads whole once memory is back. */
		if (read_all(fd, buf, sizeof(buf)) <= 0 || !whole(buf))
			say_bad("round %lu: the next read of the same file is not whole", n);
		close(fd);
		if (done(n, inj))
			return 0;
	}
	return -1;
}

/* Every readable file of @dir, "name=value" each. */
static void snapshot(const char *dir, char *out, size_t size)
{
	char path[1024], v[8192];
	struct dirent **names;
	size_t len = 0;
	int i, nr, fd;
	ssize_t n;

	out[0] = '\0';
	nr = scandir(dir, &names, NULL, alphasort);
	if (nr < 0)
		die(dir);
	for (i = 0; i < nr; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			fd = open(path, O_RDONLY);
			n = fd < 0 ? -1 : read(fd, v, sizeof(v) - 1);
			if (fd >= 0)
				close(fd);
			if (n >= 0) {
				v[n] = '\0';
				len += snprintf(out + len, size - len, "%s=%s",
						names[i]->d_name, v);
				if (len >= size)
					len = size - 1;
			}
		}
		free(names[i]);
	}
	free(names);
}

static int write_value(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t rc;

	if (fd < 0)
		return -1;
	rc = write(fd, value, strlen(value));
	close(fd);
	return rc < 0 ? -1 : 0;
}

static int op_write(const char *path, const char *value)
{
	static char dir[512], before[SNAP_MAX], now[SNAP_MAX], old[8192];
	unsigned long n;
	int fd, inj, err;
	ssize_t rc;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	fd = open(path, O_RDONLY);
	rc = fd < 0 ? -1 : read(fd, old, sizeof(old) - 1);
	old[rc > 0 ? rc : 0] = '\0';
	if (fd >= 0)
		close(fd);
	snapshot(dir, before, sizeof(before));

	for (n = 1; n < MAX_POINTS; n++) {
		fd = open(path, O_WRONLY);
		if (fd < 0)
			die(path);
		arm(n);
		rc = write(fd, value, strlen(value));
		err = errno;
		inj = fired(n);
		close(fd);
		if (rc < 0 && !inj) {
			say_bad("the write failed with no injected failure: %s", strerror(err));
			return 0;
		}
		if (rc < 0) {
			count_errno(err, 1, n);
			/* Refused: every knob exactly as it was. */
			snapshot(dir, now, sizeof(now));
			if (strcmp(before, now))
				say_bad("round %lu: a refused write changed the knobs: %s, then %s",
					n, before, now);
		} else if (inj) {
			points++;
			absorbed++;
		}
		if (done(n, inj))
			return 0;
		/* Accepted: the old value back for the next round. */
		if (rc >= 0 && *old && write_value(path, old))
			die(path);
	}
	return -1;
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void module_name(const char *ko, char *name, size_t size)
{
	const char *base = strrchr(ko, '/');

	snprintf(name, size, "%s", base ? base + 1 : ko);
	name[strcspn(name, ".")] = '\0';
}

/* Points a load of KO with REFUSED meets; it must fail with EINVAL. */
static unsigned long loader_points(int fd, const char *refused)
{
	const unsigned long many = 1000000;
	char b[24] = "";
	ssize_t len;
	long rc;
	int err;

	arm(many);
	rc = syscall(SYS_finit_module, fd, refused, 0);
	err = errno;
	len = pread(nth_fd, b, sizeof(b) - 1, 0);
	if (len <= 0)
		die("/proc/thread-self/fail-nth");
	arm(0);
	b[len] = '\0';
	if (rc >= 0 || err != EINVAL) {
		say_bad("a load with %s: %s, not EINVAL", refused,
			rc >= 0 ? "loaded" : strerror(err));
		return 0;
	}
	return many - strtoul(b, NULL, 10);
}

#define LOADER_MARGIN	16

static int op_load(const char *ko, const char *params, const char *refused)
{
	char name[256], sysdir[300];
	unsigned long n, first = 1;
	int fd, inj, err;
	long rc;

	module_name(ko, name, sizeof(name));
	snprintf(sysdir, sizeof(sysdir), "/sys/module/%s", name);
	if (exists(sysdir)) {
		printf("# failnth: %s is loaded already\n", name);
		return -1;
	}
	fd = open(ko, O_RDONLY);
	if (fd < 0)
		die(ko);
	if (refused && !first_mode) {
		n = loader_points(fd, refused);
		if (n > LOADER_MARGIN)
			first = n - LOADER_MARGIN;
		printf("# the loader's own points: a load with %s met %lu; from %lu on\n",
		       refused, n, first);
	}

	for (n = first; n < MAX_POINTS; n++) {
		arm(n);
		rc = syscall(SYS_finit_module, fd, params, 0);
		err = errno;
		inj = fired(n);
		if (rc < 0 && !inj) {
			say_bad("the load failed with no injected failure: %s", strerror(err));
			return 0;
		}
		if (rc < 0) {
			/* A knob's parse refuses with EINVAL when it runs short. */
			count_errno(err, 1, n);
			if (exists(sysdir) || exists(PROC))
				say_bad("round %lu: the failed load left %s behind", n,
					exists(sysdir) ? sysdir : PROC);
		} else {
			if (!read_whole(PROC))
				say_bad("round %lu: loaded, but " PROC " does not read whole", n);
			if (inj) {
				points++;
				absorbed++;
			}
		}
		if (done(n, inj))
			return 0;
		if (rc >= 0 && syscall(SYS_delete_module, name, O_NONBLOCK))
			die("delete_module");
	}
	return -1;
}

/* A callee that allocates, by its name. */
static int allocator(const char *name)
{
	static const char *const words[] = {
		"alloc", "kmemdup", "kstrdup", "kstrndup", "seq_open",
		"single_open", "proc_create", "proc_mkdir",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(name, words[i]))
			return 1;
	return 0;
}

/* Where the loaded module put section @sec, from sysfs. */
static unsigned long long section_base(const char *mod, const char *sec)
{
	char path[512], b[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/sections/%s", mod, sec);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n > 0 ? n : 0] = '\0';
	return strtoull(b, NULL, 16);
}

static int op_sites(const char *ko)
{
	const Elf64_Shdr *sh, *rel, *target, *symtab;
	const Elf64_Ehdr *eh;
	const Elf64_Sym *syms;
	const char *shstr, *str;
	unsigned long long base;
	char name[256];
	size_t i, j, k, nsyms;
	struct stat st;
	const unsigned char *img;
	int fd, found = 0;

	module_name(ko, name, sizeof(name));
	fd = open(ko, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(ko);
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED)
		die(ko);
	eh = (const Elf64_Ehdr *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64) {
		printf("# failnth: %s is not an x86-64 ELF object\n", ko);
		return -1;
	}
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	shstr = (const char *)img + sh[eh->e_shstrndx].sh_offset;

	for (i = 0; i < eh->e_shnum; i++) {
		rel = &sh[i];
		if (rel->sh_type != SHT_RELA)
			continue;
		target = &sh[rel->sh_info];
		if (!(target->sh_flags & SHF_EXECINSTR))
			continue;
		symtab = &sh[rel->sh_link];
		syms = (const Elf64_Sym *)(img + symtab->sh_offset);
		nsyms = symtab->sh_size / sizeof(*syms);
		str = (const char *)img + sh[symtab->sh_link].sh_offset;
		base = section_base(name, shstr + target->sh_name);
		for (j = 0; j < rel->sh_size / sizeof(Elf64_Rela); j++) {
			const Elf64_Rela *r = (const Elf64_Rela *)(img + rel->sh_offset) + j;
			const Elf64_Sym *callee = &syms[ELF64_R_SYM(r->r_info)];
			const char *func = "?";
			unsigned long long off = r->r_offset, foff = 0;

			/* Calls to functions; data (kmalloc_caches) is PC32. */
			if (ELF64_R_TYPE(r->r_info) != R_X86_64_PLT32 ||
			    !allocator(str + callee->st_name))
				continue;
			/* A call (e8 rel32); a tail call leaves no return address. */
			if (!off || img[target->sh_offset + off - 1] != 0xe8) {
				printf("# failnth: %s+0x%llx: a jump to %s, not a call\n",
				       shstr + target->sh_name, off, str + callee->st_name);
				continue;
			}
			for (k = 0; k < nsyms; k++) {
				if (ELF64_ST_TYPE(syms[k].st_info) == STT_FUNC &&
				    syms[k].st_shndx == rel->sh_info &&
				    off >= syms[k].st_value &&
				    off < syms[k].st_value + syms[k].st_size) {
					func = str + syms[k].st_name;
					foff = off - syms[k].st_value;
				}
			}
			if (!base) {
				printf("# failnth: no address for %s of %s (not loaded?)\n",
				       shstr + target->sh_name, name);
				return -1;
			}
			printf("%s+0x%llx %s 0x%llx 0x%llx\n", func, foff + 4,
			       str + callee->st_name, base + off + 4, base + off + 5);
			found++;
		}
	}
	return found ? 0 : -1;
}

/* Loads that fail on their own (a bad knob): none may leave a trace. */
static int op_refused(unsigned long count, const char *ko, const char *params)
{
	char name[256], sysdir[300];
	unsigned long n, refused = 0, left = 0;
	int fd;

	module_name(ko, name, sizeof(name));
	snprintf(sysdir, sizeof(sysdir), "/sys/module/%s", name);
	fd = open(ko, O_RDONLY);
	if (fd < 0)
		die(ko);
	for (n = 0; n < count; n++) {
		if (syscall(SYS_finit_module, fd, params, 0))
			refused++;
		else if (syscall(SYS_delete_module, name, O_NONBLOCK))
			die("delete_module");
		if (exists(sysdir) || exists(PROC))
			left++;
	}
	printf("loads %lu refused %lu left %lu\n", count, refused, left);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 1, a = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "sites"))
		return op_sites(argv[2]) ? 2 : 0;
	if (argc == 5 && !strcmp(argv[1], "refused"))
		return op_refused(strtoul(argv[2], NULL, 10), argv[3], argv[4]);
	if (argc > 1 && !strcmp(argv[1], "-f")) {
		first_mode = 1;
		a++;
	} else {
		nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
		if (nth_fd < 0)
			die("/proc/thread-self/fail-nth");
	}
	if (argc - a == 2 && !strcmp(argv[a], "open"))
		rc = op_open(argv[a + 1]);
	else if (argc - a == 2 && !strcmp(argv[a], "read"))
		rc = op_read(argv[a + 1]);
	else if (argc - a == 3 && !strcmp(argv[a], "write"))
		rc = op_write(argv[a + 1], argv[a + 2]);
	else if (argc - a >= 2 && argc - a <= 4 && !strcmp(argv[a], "load"))
		rc = op_load(argv[a + 1], argc - a >= 3 ? argv[a + 2] : "",
			     argc - a == 4 ? argv[a + 3] : NULL);
	if (rc) {
		if (rc > 0)
			printf("# usage: failnth [-f] open|read FILE | write FILE VALUE | load KO [PARAMS [REFUSED]] | sites KO | refused N KO PARAMS\n");
		else
			printf("# failnth: %d rounds and the call never got through\n", MAX_POINTS);
		return 2;
	}
	printf("points %lu enomem %lu einval %lu other %lu absorbed %lu bad %lu\n",
	       points, enomem, einval, other, absorbed, bad);
	return bad ? 1 : 0;
}
