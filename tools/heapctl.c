// SPDX-License-Identifier: GPL-2.0
/*
 * heapctl - list, inspect, create, delete, watch and map rtheap heaps.
 *
 * Exit status: 0 success, 1 failure, 2 usage error.  Errors are one line on
 * stderr: "heapctl: <what> "<name>": <why>".
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#ifndef HEAPCTL_NO_NSS
#include <grp.h>
#include <pwd.h>
#endif

#include <rtheap/heap.h>

#ifndef RTHEAP_VERSION
#define RTHEAP_VERSION "unknown"
#endif

#define EXIT_USAGE	2

enum {
	OPT_JSON	= 1 << 0,
	OPT_BYTES	= 1 << 1,
	OPT_PRIO	= 1 << 2,
	OPT_SHARED	= 1 << 3,
	OPT_PERM	= 1 << 4,
	OPT_GROUP	= 1 << 5,
	OPT_INTERVAL	= 1 << 6,
	OPT_COUNT	= 1 << 7,
	OPT_SVG		= 1 << 8,
};

struct opts {
	unsigned int given;	/* OPT_* seen on the command line */
	unsigned int perm;
	int gid;
	double interval;	/* seconds */
	unsigned long count;	/* watch samples, 0 = until interrupted */
	const char *svg;	/* map: the picture's file */
};

static const char usage_text[] =
"usage: heapctl [options] <command> [args]\n"
"\n"
"Commands:\n"
"  list                  list the heaps you may read\n"
"  info NAME             show every detail of heap NAME\n"
"  create NAME SIZE      create persistent heap NAME of SIZE bytes (K, M, G suffixes)\n"
"  delete NAME           delete heap NAME\n"
"  watch NAME            show heap NAME's usage, refreshed\n"
"  map NAME              show what heap NAME's pages hold, a row per run of pages\n"
"\n"
"Options:\n"
"  -J, --json            JSON output (list, info, watch, map)\n"
"  -b, --bytes           sizes in bytes (list, info, watch, map)\n"
"      --svg FILE        map: also draw the map into FILE, an SVG picture\n"
"      --prio            create: serve waiters by priority (default FIFO)\n"
"      --shared          create: one shared segment (H_SHARED)\n"
"      --perm MODE       create: octal permission bits (default 0600)\n"
"      --group GROUP     create: owning group, name or number\n"
"  -i, --interval SEC    watch: seconds between samples (default 1)\n"
"  -n, --count N         watch: stop after N samples\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n";

static void __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("heapctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'heapctl --help' for more information.\n", stderr);
}

/* A lower-case reason for err, worded for heap operations. */
static const char *reason(int err)
{
	static char buf[128];
	const char *s;

	switch (err) {
	case EACCES:		return "permission denied";
	case EPERM:		return "operation not permitted (not the owner?)";
	case EEXIST:		return "a heap of that name exists";
	case ENAMETOOLONG:	return "name too long (at most 31 characters)";
	case EINVAL:		return "invalid argument";
	case ENOMEM:		return "out of memory, or over the module's limits";
	case EIDRM:		return "heap deleted";
	case EINTR:		return "interrupted";
	case ENOENT:
	case EWOULDBLOCK:
	case ETIMEDOUT:		return "no such heap";
	case EOPNOTSUPP:	return "not supported by this rtheap module";
	}
	s = strerror(err);
	snprintf(buf, sizeof(buf), "%s", s);
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* Report a failed library call; -ENODEV and -EPROTO get their own line. */
static int fail(const char *what, const char *name, int ret)
{
	int err = -ret;

	if (err == ENODEV)
		fprintf(stderr, "heapctl: %s not found: is the rtheap module loaded? (modprobe rtheap)\n",
			RTHEAP_DEVICE);
	else if (err == EACCES && access(RTHEAP_DEVICE, R_OK | W_OK) && errno == EACCES)
		fprintf(stderr, "heapctl: %s: permission denied (is your user in the rtheap group?)\n",
			RTHEAP_DEVICE);
	else if (err == EPROTO)
		fprintf(stderr, "heapctl: %s: incompatible rtheap module (heapctl speaks ABI version %d)\n",
			RTHEAP_DEVICE, RTHEAP_ABI_VERSION);
	else if (name)
		fprintf(stderr, "heapctl: %s \"%s\": %s\n", what, name, reason(err));
	else
		fprintf(stderr, "heapctl: %s: %s\n", what, reason(err));
	return EXIT_FAILURE;
}

/* ---- numbers and names ------------------------------------------------ */

static int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	}
	if (mult > 1 && strcmp(end, "iB") == 0)
		end += 2;
	else if (mult > 1 && strcmp(end, "B") == 0)
		end += 1;
	if (*end || v > ULLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

/* "64K", "1.5M": at most one decimal, exact values without one. */
static const char *human(unsigned long long v, bool bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;
	unsigned long long div = 1;

	if (bytes) {
		snprintf(buf, len, "%llu", v);
		return buf;
	}
	while (v / div >= 1024 && units[u + 1]) {
		div <<= 10;
		u++;
	}
	if (v % div == 0)
		snprintf(buf, len, "%llu%c", v / div, units[u]);
	else
		snprintf(buf, len, "%.1f%c", (double)v / (double)div, units[u]);
	return buf;
}

static void perm_string(unsigned int perm, char *buf)
{
	static const char rwx[] = "rwx";
	int i;

	for (i = 0; i < 9; i++)
		buf[i] = perm & (0400 >> i) ? rwx[i % 3] : '-';
	buf[9] = '\0';
}

static void mode_string(const struct rtheap_info *hi, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 hi->mode & H_PRIO ? "prio" : "fifo",
		 hi->mode & H_SHARED ? ",shared" : "",
		 hi->mode & H_PERSIST ? ",persist" : "",
		 hi->flags & RTHEAP_INFO_DELETED ? ",deleted" : "");
}

#ifdef HEAPCTL_NO_NSS
/*
 * Static build (busybox guests): no NSS modules to load, so read the files.
 * Field 0 of a line is the name, field 2 the numeric id.
 */
static const char *file_lookup(const char *path, unsigned int id, char *buf,
			       size_t len)
{
	char line[512], *p, *idf;
	const char *ret = NULL;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	while (!ret && fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p)
			continue;
		*p++ = '\0';
		idf = strchr(p, ':');
		if (!idf)
			continue;
		if (isdigit((unsigned char)idf[1]) &&
		    strtoul(idf + 1, NULL, 10) == id) {
			size_t n = strnlen(line, len - 1);

			memcpy(buf, line, n);
			buf[n] = '\0';
			ret = buf;
		}
	}
	fclose(f);
	return ret;
}

static long file_lookup_id(const char *path, const char *name)
{
	char line[512], *p, *idf;
	long ret = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (ret < 0 && fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p)
			continue;
		*p++ = '\0';
		idf = strchr(p, ':');
		if (idf && strcmp(line, name) == 0)
			ret = strtol(idf + 1, NULL, 10);
	}
	fclose(f);
	return ret;
}
#endif

static const char *user_name(unsigned int uid, char *buf, size_t len)
{
#ifdef HEAPCTL_NO_NSS
	if (file_lookup("/etc/passwd", uid, buf, len))
		return buf;
#else
	struct passwd *pw = getpwuid(uid);

	if (pw) {
		snprintf(buf, len, "%s", pw->pw_name);
		return buf;
	}
#endif
	snprintf(buf, len, "%u", uid);
	return buf;
}

static const char *group_name(unsigned int gid, char *buf, size_t len)
{
#ifdef HEAPCTL_NO_NSS
	if (file_lookup("/etc/group", gid, buf, len))
		return buf;
#else
	struct group *gr = getgrgid(gid);

	if (gr) {
		snprintf(buf, len, "%s", gr->gr_name);
		return buf;
	}
#endif
	snprintf(buf, len, "%u", gid);
	return buf;
}

static int parse_group(const char *s)
{
	unsigned long v;
	char *end;

	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v >= INT_MAX)
			return -1;
		return (int)v;
	}
#ifdef HEAPCTL_NO_NSS
	{
		long id = file_lookup_id("/etc/group", s);

		return id >= 0 && id < INT_MAX ? (int)id : -1;
	}
#else
	{
		struct group *gr = getgrnam(s);

		return gr && gr->gr_gid < INT_MAX ? (int)gr->gr_gid : -1;
	}
#endif
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_info(const struct rtheap_info *hi)
{
	char mode[64], user[64], group[64];
	int i;

	mode_string(hi, mode, sizeof(mode));
	printf("{\"id\":%u,\"name\":", hi->id);
	json_string(hi->name);
	printf(",\"uid\":%u,\"owner\":", hi->uid);
	json_string(user_name(hi->uid, user, sizeof(user)));
	printf(",\"gid\":%u,\"group\":", hi->gid);
	json_string(group_name(hi->gid, group, sizeof(group)));
	printf(",\"perm\":\"%04o\",\"cpid\":%u,\"mode\":\"%s\",\"mode_bits\":%u,"
	       "\"deleted\":%s,\"heap_size\":%llu,\"usable_mem\":%llu,"
	       "\"used_mem\":%llu,\"largest_free\":%llu,\"nwaiters\":%u,"
	       "\"nmaps\":%u,\"nbound\":%u,\"run_pages\":%llu,\"class_blocks\":{",
	       hi->perm, hi->cpid, mode, hi->mode,
	       hi->flags & RTHEAP_INFO_DELETED ? "true" : "false",
	       (unsigned long long)hi->heap_size,
	       (unsigned long long)hi->usable_mem,
	       (unsigned long long)hi->used_mem,
	       (unsigned long long)hi->largest_free,
	       hi->nwaiters, hi->nmaps, hi->nbound,
	       (unsigned long long)hi->run_pages);
	for (i = 0; i < (int)hi->nr_classes && i < RTHEAP_MAX_CLASSES; i++)
		printf("%s\"%u\":%llu", i ? "," : "", RTHEAP_MIN_BLOCK << i,
		       (unsigned long long)hi->class_blocks[i]);
	printf("}}");
}

/* ---- commands ------------------------------------------------------------ */

/* Every visible heap, in a malloc'ed array; returns count or -errno. */
static int get_heaps(struct rtheap_info **out)
{
	struct rtheap_info *buf = NULL, *nbuf;
	unsigned int cap = 0, count;
	int ret;

	for (;;) {
		ret = rt_heap_list(buf, cap, &count);
		if (ret || count <= cap)
			break;
		if (count > INT_MAX - 16) {
			ret = -ENOMEM;
			break;
		}
		cap = count + 16;	/* room for heaps created meanwhile */
		nbuf = realloc(buf, (size_t)cap * sizeof(*buf));
		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	return (int)count;
}

static int cmd_list(const struct opts *o)
{
	struct rtheap_info *heaps = NULL;
	char user[64], mode[64], perm[10], size[32], used[32];
	int n, i, wname = 4, wuser = 5, len;
	bool bytes = o->given & OPT_BYTES;

	n = get_heaps(&heaps);
	if (n < 0)
		return fail("list", NULL, n);

	if (o->given & OPT_JSON) {
		printf("{\"heaps\":[");
		for (i = 0; i < n; i++) {
			printf(i ? ",\n" : "\n");
			json_info(&heaps[i]);
		}
		printf("\n]}\n");
		free(heaps);
		return EXIT_SUCCESS;
	}

	for (i = 0; i < n; i++) {
		len = (int)strlen(heaps[i].name);
		if (len > wname)
			wname = len;
		len = (int)strlen(user_name(heaps[i].uid, user, sizeof(user)));
		if (len > wuser)
			wuser = len;
	}
	printf("%5s %-*s %-*s %-9s %-20s %8s %8s %7s %4s\n", "ID", wname, "NAME",
	       wuser, "OWNER", "PERMS", "MODE", "SIZE", "USED", "WAITERS", "MAPS");
	for (i = 0; i < n; i++) {
		const struct rtheap_info *hi = &heaps[i];

		perm_string(hi->perm, perm);
		mode_string(hi, mode, sizeof(mode));
		printf("%5u %-*s %-*s %-9s %-20s %8s %8s %7u %4u\n", hi->id,
		       wname, hi->name[0] ? hi->name : "-",
		       wuser, user_name(hi->uid, user, sizeof(user)), perm, mode,
		       human(hi->heap_size, bytes, size, sizeof(size)),
		       human(hi->used_mem, bytes, used, sizeof(used)),
		       hi->nwaiters, hi->nmaps);
	}
	free(heaps);
	return EXIT_SUCCESS;
}

/*
 * Find heap name by listing (which leaves the heap untouched).  A heap we
 * may not read is not listed, so ask bind why it is missing.
 */
static int find_heap(const char *name, struct rtheap_info *hi)
{
	RT_HEAP heap;
	int ret;

	ret = rt_heap_info_by_name(name, hi);
	if (ret != -ENOENT)
		return ret;
	ret = rt_heap_bind_timed(&heap, name, TM_NONBLOCK);
	if (ret == 0) {		/* created meanwhile */
		rt_heap_unbind(&heap);
		return rt_heap_info_by_name(name, hi);
	}
	if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT)
		ret = -ENOENT;
	return ret;
}

static void print_info(const struct rtheap_info *hi, bool bytes)
{
	char buf[64], b1[32];
	int i;

	printf("name:          %s\n", hi->name[0] ? hi->name : "(anonymous)");
	printf("id:            %u\n", hi->id);
	printf("owner:         %s (uid %u)\n", user_name(hi->uid, buf, sizeof(buf)), hi->uid);
	printf("group:         %s (gid %u)\n", group_name(hi->gid, buf, sizeof(buf)), hi->gid);
	perm_string(hi->perm, buf);
	printf("perms:         %s (%04o)\n", buf, hi->perm);
	printf("creator pid:   %u%s\n", hi->cpid, hi->cpid ? "" : " (kernel)");
	mode_string(hi, buf, sizeof(buf));
	printf("mode:          %s\n", buf);
	printf("status:        %s\n", hi->flags & RTHEAP_INFO_DELETED ?
	       "deleted, memory held by its mappings" : "live");
	printf("heap size:     %s\n", human(hi->heap_size, bytes, b1, sizeof(b1)));
	printf("usable:        %s\n", human(hi->usable_mem, bytes, b1, sizeof(b1)));
	printf("used:          %s (%.1f%%)\n", human(hi->used_mem, bytes, b1, sizeof(b1)),
	       hi->usable_mem ? 100.0 * (double)hi->used_mem / (double)hi->usable_mem : 0.0);
	printf("largest free:  %s\n", human(hi->largest_free, bytes, b1, sizeof(b1)));
	printf("waiters:       %u\n", hi->nwaiters);
	printf("mappings:      %u\n", hi->nmaps);
	printf("bound files:   %u\n", hi->nbound);
	printf("run pages:     %llu\n", (unsigned long long)hi->run_pages);
	printf("live blocks per class:\n");
	for (i = 0; i < (int)hi->nr_classes && i < RTHEAP_MAX_CLASSES; i++)
		printf("  %6u: %llu\n", RTHEAP_MIN_BLOCK << i,
		       (unsigned long long)hi->class_blocks[i]);
}

static int cmd_info(const struct opts *o, const char *name)
{
	struct rtheap_info hi;
	int ret;

	ret = find_heap(name, &hi);
	if (ret)
		return fail("info", name, ret);
	if (o->given & OPT_JSON) {
		json_info(&hi);
		putchar('\n');
	} else {
		print_info(&hi, o->given & OPT_BYTES);
	}
	return EXIT_SUCCESS;
}

static int cmd_create(const struct opts *o, const char *name, const char *size)
{
	unsigned long long bytes;
	int mode = H_PERSIST, ret;
	RT_HEAP heap;

	if (!*name) {
		usage_error("create: an anonymous heap cannot outlive heapctl; give a name");
		return EXIT_USAGE;
	}
	if (parse_size(size, &bytes) || bytes == 0 || bytes > SIZE_MAX) {
		usage_error("create: bad size \"%s\" (a positive number with an optional K, M or G suffix)", size);
		return EXIT_USAGE;
	}
	if (o->given & OPT_PRIO)
		mode |= H_PRIO;
	if (o->given & OPT_SHARED)
		mode |= H_SHARED;

	if (o->given & (OPT_PERM | OPT_GROUP))
		ret = rt_heap_create_ext(&heap, name, (size_t)bytes, mode,
					 o->given & OPT_PERM ? o->perm : 0600,
					 o->given & OPT_GROUP ? o->gid : -1);
	else
		ret = rt_heap_create(&heap, name, (size_t)bytes, mode);
	if (ret)
		return fail("create", name, ret);
	/* H_PERSIST: the heap outlives our file. */
	rt_heap_unbind(&heap);
	return EXIT_SUCCESS;
}

static int cmd_delete(const char *name)
{
	int ret = rt_heap_delete_name(name);

	return ret ? fail("delete", name, ret) : EXIT_SUCCESS;
}

static void watch_line(const struct rtheap_info *hi, bool bytes)
{
	char t[16], b[4][32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(t, sizeof(t), "%H:%M:%S", localtime_r(&now, &tm));
	printf("%-8s %10s %10s %10s %7u %4u %6u\n", t,
	       human(hi->used_mem, bytes, b[0], sizeof(b[0])),
	       human(hi->usable_mem, bytes, b[1], sizeof(b[1])),
	       human(hi->largest_free, bytes, b[2], sizeof(b[2])),
	       hi->nwaiters, hi->nmaps, hi->nbound);
}

static int cmd_watch(const struct opts *o, const char *name)
{
	double iv = o->given & OPT_INTERVAL ? o->interval : 1.0;
	bool tty = isatty(STDOUT_FILENO), bytes = o->given & OPT_BYTES;
	struct timespec ts;
	struct rtheap_info hi;
	unsigned long n;
	int ret;

	ts.tv_sec = (time_t)iv;
	ts.tv_nsec = (long)((iv - (double)ts.tv_sec) * 1e9);

	for (n = 0; !o->count || n < o->count; n++) {
		if (n) {
			fflush(stdout);
			if (nanosleep(&ts, NULL))
				return fail("watch", name, -errno);
		}
		ret = find_heap(name, &hi);
		if (ret == -ENOENT && n)
			return fail("watch", name, -EIDRM);
		if (ret)
			return fail("watch", name, ret);

		if (o->given & OPT_JSON) {
			json_info(&hi);
			putchar('\n');
		} else if (tty) {
			printf("\033[H\033[2J");
			printf("heapctl watch \"%s\", every %gs\n\n", name, iv);
			print_info(&hi, bytes);
		} else {
			if (n == 0)
				printf("%-8s %10s %10s %10s %7s %4s %6s\n", "TIME",
				       "USED", "USABLE", "LARGEST", "WAITERS",
				       "MAPS", "BOUND");
			watch_line(&hi, bytes);
		}
	}
	return EXIT_SUCCESS;
}

/* ---- map: the heap's pages ---------------------------------------------- */

/* Rows heapctl draws at most; more ranges merge into "mixed" rows. */
#define MAP_TEXT_ROWS	128
#define MAP_JSON_ROWS	4096
#define MAP_SVG_CELLS	1024	/* pages, or groups of pages, in the picture */
#define MAP_SVG_COLS	32
#define MAP_RETRIES	8	/* restarts when the heap changes mid-walk */

#define ROW_MIXED	0	/* a kind of its own: several ranges merged */

/* A heap's page map, whole, with what heapctl needs to draw it. */
struct page_map {
	struct rtheap_range *r;
	unsigned int n;
	unsigned int npages;
	unsigned long long page_size;
};

/* One drawn row: a range, or several merged. */
struct map_row {
	unsigned long long first, count;
	int kind;			/* RTHEAP_RANGE_* or ROW_MIXED */
	unsigned int cls, used;		/* as the range's, unmerged rows */
	unsigned long long free_pages, bucket_pages, run_pages;
	unsigned long long used_bytes;
};

struct map_totals {
	unsigned long long free_pages, kept_pages, bucket_pages, run_pages;
	unsigned long long run_blocks, shared_pages, used_bytes;
	unsigned long long cls_pages[RTHEAP_MAX_CLASSES];
	unsigned long long cls_used[RTHEAP_MAX_CLASSES];
};

static unsigned long long class_size(unsigned int cls)
{
	return cls < RTHEAP_MAX_CLASSES ? (unsigned long long)RTHEAP_MIN_BLOCK << cls : 0;
}

/* Blocks of class cls in a page. */
static unsigned long long class_per_page(const struct page_map *pm,
					 unsigned int cls)
{
	unsigned long long sz = class_size(cls);

	return sz ? pm->page_size / sz : 0;
}

/*
 * The whole map, in calls of RTHEAP_PAGEMAP_MAX ranges on the bound file.
 * The page map is a tool's view, not part of the rt_heap_* API: heapctl
 * asks the module directly.  A heap that changes between two calls can
 * leave the cursor inside a run (-EINVAL): start again, a few times.
 */
static int get_page_map(RT_HEAP *heap, struct page_map *pm)
{
	struct rtheap_range *buf = NULL, *nbuf;
	struct rtheap_pagemap arg;
	unsigned int cap = 0, n, tries;
	uint32_t cursor;

	for (tries = 0; tries < MAP_RETRIES; tries++) {
		n = 0;
		cursor = 0;
		for (;;) {
			if (cap - n < RTHEAP_PAGEMAP_MAX) {
				if (cap > UINT_MAX / 2 - RTHEAP_PAGEMAP_MAX) {
					free(buf);
					return -ENOMEM;
				}
				cap = cap * 2 + RTHEAP_PAGEMAP_MAX;
				nbuf = realloc(buf, (size_t)cap * sizeof(*buf));
				if (!nbuf) {
					free(buf);
					return -ENOMEM;
				}
				buf = nbuf;
			}
			memset(&arg, 0, sizeof(arg));
			arg.first = cursor;
			arg.capacity = RTHEAP_PAGEMAP_MAX;
			arg.ranges = (uintptr_t)(buf + n);
			if (ioctl(heap->fd, RTHEAP_IOC_PAGEMAP, &arg) < 0)
				break;
			n += arg.count;
			if (arg.next < arg.npages && arg.next <= cursor) {
				free(buf);
				return -EIO;	/* no progress: a module bug */
			}
			if (arg.next >= arg.npages) {
				pm->r = buf;
				pm->n = n;
				pm->npages = arg.npages;
				pm->page_size = arg.npages ?
					heap->mapsize / arg.npages : 0;
				return 0;
			}
			cursor = arg.next;
		}
		if (errno != EINVAL || !cursor)
			break;
	}
	free(buf);
	if (tries == MAP_RETRIES)
		return -EAGAIN;
	return errno == ENOTTY ? -EOPNOTSUPP : -errno;
}

static unsigned long long range_used_bytes(const struct page_map *pm,
					   const struct rtheap_range *r)
{
	switch (r->kind) {
	case RTHEAP_RANGE_BUCKET:
		return (unsigned long long)r->count * r->used * class_size(r->cls);
	case RTHEAP_RANGE_RUN:
	case RTHEAP_RANGE_SHARED:
		return (unsigned long long)r->count * pm->page_size;
	}
	return 0;
}

static void map_totals(const struct page_map *pm, struct map_totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < pm->n; i++) {
		const struct rtheap_range *r = &pm->r[i];

		t->used_bytes += range_used_bytes(pm, r);
		switch (r->kind) {
		case RTHEAP_RANGE_FREE:
			t->free_pages += r->count;
			break;
		case RTHEAP_RANGE_KEPT:
			t->kept_pages += r->count;
			break;
		case RTHEAP_RANGE_BUCKET:
			t->bucket_pages += r->count;
			if (r->cls < RTHEAP_MAX_CLASSES) {
				t->cls_pages[r->cls] += r->count;
				t->cls_used[r->cls] += (unsigned long long)r->count * r->used;
			}
			break;
		case RTHEAP_RANGE_RUN:
			t->run_pages += r->count;
			t->run_blocks += r->used;
			break;
		case RTHEAP_RANGE_SHARED:
			t->shared_pages += r->count;
			break;
		}
	}
}

static void row_add(const struct page_map *pm, struct map_row *row,
		    const struct rtheap_range *r)
{
	if (!row->count) {
		row->first = r->first;
		row->kind = r->kind;
		row->cls = r->cls;
		row->used = r->used;
	} else {
		row->kind = ROW_MIXED;
	}
	row->count += r->count;
	row->used_bytes += range_used_bytes(pm, r);
	switch (r->kind) {
	case RTHEAP_RANGE_FREE:
	case RTHEAP_RANGE_KEPT:
		row->free_pages += r->count;
		break;
	case RTHEAP_RANGE_BUCKET:
		row->bucket_pages += r->count;
		break;
	default:
		row->run_pages += r->count;
		break;
	}
}

/*
 * At most max rows: one per range, or when there are more, neighbouring
 * ranges merged into rows of at least npages / max pages each.
 */
static struct map_row *map_rows(const struct page_map *pm, unsigned int max,
				unsigned int *nrows)
{
	unsigned long long span = 0;
	struct map_row *rows;
	unsigned int i, n = 0;

	rows = calloc(pm->n ? (pm->n < max ? pm->n : max) : 1, sizeof(*rows));
	if (!rows)
		return NULL;
	if (pm->n > max)
		span = (pm->npages + max - 1) / max;
	for (i = 0; i < pm->n; i++) {
		if (rows[n].count && rows[n].count >= span)
			n++;
		row_add(pm, &rows[n], &pm->r[i]);
	}
	*nrows = pm->n ? n + 1 : 0;
	return rows;
}

/* Fraction of the row's bytes in use, 0 .. 1. */
static double row_fill(const struct page_map *pm, const struct map_row *row)
{
	double all = (double)row->count * (double)pm->page_size;

	return all > 0 ? (double)row->used_bytes / all : 0.0;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case RTHEAP_RANGE_FREE:		return "free";
	case RTHEAP_RANGE_KEPT:		return "kept";
	case RTHEAP_RANGE_BUCKET:	return "bucket";
	case RTHEAP_RANGE_RUN:		return "run";
	case RTHEAP_RANGE_SHARED:	return "shared";
	case ROW_MIXED:			return "mixed";
	}
	return "unknown";
}

/* Columns of the terminal: $COLUMNS, TIOCGWINSZ, else 80. */
static unsigned int term_columns(void)
{
	const char *s = getenv("COLUMNS");
	struct winsize ws;
	unsigned long v;
	char *end;

	if (s && *s) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (!errno && !*end && v >= 20 && v <= 1000)
			return (unsigned int)v;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void print_bar(double fill, unsigned int width)
{
	unsigned int full = (unsigned int)(fill * width + 0.5), i;

	if (full == 0 && fill > 0)
		full = 1;		/* something is used: show it */
	if (full == width && fill < 1)
		full = width - 1;	/* something is free: show it */
	for (i = 0; i < width; i++)
		fputs(i < full ? "\u2588" : "\u2591", stdout);
}

static void map_text(const struct page_map *pm, const struct rtheap_info *hi,
		     bool bytes)
{
	char lab[48], what[48], tail[96], b[4][32];
	unsigned int nrows, i, wlab = 0, wbar, cols = term_columns();
	struct map_row *rows = map_rows(pm, MAP_TEXT_ROWS, &nrows);
	struct map_totals t;

	if (!rows) {
		fail("map", hi->name, -ENOMEM);
		return;
	}
	printf("heap \"%s\": %u pages of %s, %s usable\n", hi->name, pm->npages,
	       human(pm->page_size, bytes, b[0], sizeof(b[0])),
	       human(hi->usable_mem, bytes, b[1], sizeof(b[1])));
	for (i = 0; i < nrows; i++) {
		int len = snprintf(lab, sizeof(lab), "%llu-%llu", rows[i].first,
				   rows[i].first + rows[i].count - 1);

		if ((unsigned int)len > wlab)
			wlab = (unsigned int)len;
	}
	/* "pages " label "  " what(14) " " bar " " tail(~16) */
	wbar = cols > wlab + 6 + 2 + 14 + 1 + 1 + 20 + 4 ?
	       cols - (wlab + 6 + 2 + 14 + 1 + 1 + 20) : 4;
	if (wbar > 48)
		wbar = 48;
	for (i = 0; i < nrows; i++) {
		const struct map_row *r = &rows[i];

		if (r->count == 1)
			snprintf(lab, sizeof(lab), "%llu", r->first);
		else
			snprintf(lab, sizeof(lab), "%llu-%llu", r->first,
				 r->first + r->count - 1);
		tail[0] = '\0';
		switch (r->kind) {
		case RTHEAP_RANGE_BUCKET:
			snprintf(what, sizeof(what), "bucket %s",
				 human(class_size(r->cls), true, b[0], sizeof(b[0])));
			strcat(what, " B");
			snprintf(tail, sizeof(tail), "%u/%llu used%s", r->used,
				 class_per_page(pm, r->cls),
				 r->count > 1 ? " each" : "");
			break;
		case RTHEAP_RANGE_RUN:
			snprintf(what, sizeof(what), "run");
			snprintf(tail, sizeof(tail), "%u block%s of %llu page%s",
				 r->used, r->used == 1 ? "" : "s",
				 r->used ? r->count / r->used : 0,
				 r->used && r->count / r->used == 1 ? "" : "s");
			break;
		case RTHEAP_RANGE_FREE:
		case RTHEAP_RANGE_KEPT:
			snprintf(what, sizeof(what), "%s", r->kind == RTHEAP_RANGE_FREE ?
				 "free" : "free (kept)");
			snprintf(tail, sizeof(tail), "%llu page%s", r->count,
				 r->count == 1 ? "" : "s");
			break;
		case RTHEAP_RANGE_SHARED:
			snprintf(what, sizeof(what), "shared segment");
			break;
		case ROW_MIXED:
			snprintf(what, sizeof(what), "mixed");
			snprintf(tail, sizeof(tail), "%.0f%% used: %llu free, %llu bucket, %llu run",
				 100 * row_fill(pm, r), r->free_pages,
				 r->bucket_pages, r->run_pages);
			break;
		default:
			snprintf(what, sizeof(what), "kind %d", r->kind);
		}
		printf("pages %-*s  %-14s ", (int)wlab, lab, what);
		print_bar(row_fill(pm, r), wbar);
		printf(" %s\n", tail);
	}
	free(rows);

	map_totals(pm, &t);
	printf("\npages: %llu free", t.free_pages + t.kept_pages);
	if (t.kept_pages)
		printf(" (%llu kept)", t.kept_pages);
	printf(", %llu in buckets, %llu in runs (%llu block%s)", t.bucket_pages,
	       t.run_pages, t.run_blocks, t.run_blocks == 1 ? "" : "s");
	if (t.shared_pages)
		printf(", %llu shared", t.shared_pages);
	printf(", of %u\n", pm->npages);
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		printf("bucket %s B: %llu page%s, %llu of %llu blocks used\n",
		       human(class_size(i), true, b[0], sizeof(b[0])),
		       t.cls_pages[i], t.cls_pages[i] == 1 ? "" : "s", t.cls_used[i],
		       t.cls_pages[i] * class_per_page(pm, i));
	}
	printf("used: %s of %s (%.1f%%), largest free block: %s\n",
	       human(t.used_bytes, bytes, b[0], sizeof(b[0])),
	       human(hi->usable_mem, bytes, b[1], sizeof(b[1])),
	       hi->usable_mem ? 100.0 * (double)t.used_bytes / (double)hi->usable_mem : 0.0,
	       human(hi->largest_free, bytes, b[2], sizeof(b[2])));
}

static void map_json(const struct page_map *pm, const struct rtheap_info *hi)
{
	unsigned int nrows, i;
	struct map_row *rows = map_rows(pm, MAP_JSON_ROWS, &nrows);
	struct map_totals t;

	if (!rows) {
		fail("map", hi->name, -ENOMEM);
		return;
	}
	map_totals(pm, &t);
	printf("{\"name\":");
	json_string(hi->name);
	printf(",\"npages\":%u,\"page_size\":%llu,\"usable_mem\":%llu,"
	       "\"used_mem\":%llu,\"largest_free\":%llu,\"merged\":%s,\"ranges\":[",
	       pm->npages, pm->page_size, (unsigned long long)hi->usable_mem,
	       (unsigned long long)hi->used_mem,
	       (unsigned long long)hi->largest_free,
	       pm->n > nrows ? "true" : "false");
	for (i = 0; i < nrows; i++) {
		const struct map_row *r = &rows[i];

		printf("%s\n{\"first\":%llu,\"count\":%llu,\"kind\":\"%s\"",
		       i ? "," : "", r->first, r->count, kind_name(r->kind));
		if (r->kind == RTHEAP_RANGE_BUCKET)
			printf(",\"class_size\":%llu,\"used\":%u,\"blocks\":%llu",
			       class_size(r->cls), r->used, class_per_page(pm, r->cls));
		else if (r->kind == RTHEAP_RANGE_RUN)
			printf(",\"blocks\":%u,\"block_pages\":%llu", r->used,
			       r->used ? r->count / r->used : 0);
		else if (r->kind == ROW_MIXED)
			printf(",\"free_pages\":%llu,\"bucket_pages\":%llu,\"run_pages\":%llu",
			       r->free_pages, r->bucket_pages, r->run_pages);
		printf(",\"used_bytes\":%llu}", r->used_bytes);
	}
	printf("\n],\"totals\":{\"free_pages\":%llu,\"kept_pages\":%llu,"
	       "\"bucket_pages\":%llu,\"run_pages\":%llu,\"run_blocks\":%llu,"
	       "\"shared_pages\":%llu,\"used_bytes\":%llu,\"classes\":{",
	       t.free_pages + t.kept_pages, t.kept_pages, t.bucket_pages,
	       t.run_pages, t.run_blocks, t.shared_pages, t.used_bytes);
	for (i = 0, nrows = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		printf("%s\"%llu\":{\"pages\":%llu,\"used\":%llu,\"blocks\":%llu}",
		       nrows++ ? "," : "", class_size(i), t.cls_pages[i],
		       t.cls_used[i], t.cls_pages[i] * class_per_page(pm, i));
	}
	printf("}}}\n");
	free(rows);
}

/* One cell of the picture: a page, or a group of pages. */
struct map_cell {
	unsigned long long pages[6];	/* per RTHEAP_RANGE_* */
	double used_bytes;
	unsigned int cls;		/* of its last bucket page */
	bool block_start;		/* a multi-page block begins here */
};

static const char *const svg_fill[6] = {
	[0] = "#ffffff",
	[RTHEAP_RANGE_FREE] = "#eeeeee",
	[RTHEAP_RANGE_KEPT] = "#d7ecd9",
	[RTHEAP_RANGE_BUCKET] = "#ffe0b2",
	[RTHEAP_RANGE_RUN] = "#5c6bc0",
	[RTHEAP_RANGE_SHARED] = "#8d6e63",
};

/* Colour of a bucket class's used part: a hue per class. */
static void svg_class_colour(unsigned int cls, char *buf, size_t len)
{
	snprintf(buf, len, "hsl(%u,75%%,45%%)", (cls * 47 + 20) % 360);
}

static int map_svg(const struct page_map *pm, const struct rtheap_info *hi,
		   const char *path, bool bytes)
{
	unsigned long long span, ncells, c, p0, p1, lo, hi_p, k, blen;
	unsigned int i, cols, rows, cell = 22, x, y, h, ly;
	struct map_cell *cells;
	struct map_totals t;
	char col[32], b[3][32];
	FILE *f;

	span = pm->npages > MAP_SVG_CELLS ?
	       (pm->npages + MAP_SVG_CELLS - 1) / MAP_SVG_CELLS : 1;
	ncells = pm->npages ? (pm->npages + span - 1) / span : 0;
	cells = calloc(ncells ? ncells : 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (i = 0; i < pm->n; i++) {
		const struct rtheap_range *r = &pm->r[i];
		double per_page = r->count ?
			(double)range_used_bytes(pm, r) / (double)r->count : 0;

		p0 = r->first;
		p1 = (unsigned long long)r->first + r->count;
		for (c = p0 / span; c < ncells && c * span < p1; c++) {
			lo = c * span > p0 ? c * span : p0;
			hi_p = (c + 1) * span < p1 ? (c + 1) * span : p1;
			cells[c].pages[r->kind < 6 ? r->kind : 0] += hi_p - lo;
			cells[c].used_bytes += per_page * (double)(hi_p - lo);
			if (r->kind == RTHEAP_RANGE_BUCKET)
				cells[c].cls = r->cls;
		}
		if (r->kind == RTHEAP_RANGE_RUN && r->used) {
			blen = r->count / r->used;
			for (k = 0; k < r->used; k++)
				cells[(p0 + k * blen) / span].block_start = true;
		}
	}

	f = fopen(path, "we");
	if (!f) {
		free(cells);
		return -errno;
	}
	map_totals(pm, &t);
	cols = MAP_SVG_COLS;
	rows = (unsigned int)((ncells + cols - 1) / cols);
	h = 40 + rows * cell + 150;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"font-family=\"sans-serif\" font-size=\"13\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		20 + cols * cell + 20, h);
	fprintf(f, "<text x=\"20\" y=\"26\" font-size=\"16\">heap ");
	for (const char *s = hi->name; *s; s++)
		if (*s == '<' || *s == '&' || *s == '>' || *s == '"')
			fprintf(f, "&#%d;", *s);
		else
			fputc(*s, f);
	fprintf(f, ": %u pages of %s%s</text>\n", pm->npages,
		human(pm->page_size, bytes, b[0], sizeof(b[0])),
		span > 1 ? ", a cell per group of pages" : ", a cell per page");
	for (c = 0; c < ncells; c++) {
		const struct map_cell *m = &cells[c];
		unsigned int kind = 0, fillh;
		double frac;

		for (k = 1; k < 6; k++)
			if (m->pages[k] > m->pages[kind])
				kind = (unsigned int)k;
		x = 20 + (unsigned int)(c % cols) * cell;
		y = 40 + (unsigned int)(c / cols) * cell;
		frac = m->used_bytes / ((double)span * (double)pm->page_size);
		fprintf(f, "<g><title>page%s %llu", span > 1 ? "s" : "", c * span);
		if (span > 1)
			fprintf(f, "-%llu", (c + 1) * span - 1);
		fprintf(f, ": %s, %.0f%% used</title>", kind_name((int)kind), 100 * frac);
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
			"fill=\"%s\" stroke=\"#999999\" stroke-width=\"0.5\"/>",
			x, y, cell, cell, svg_fill[kind]);
		if (kind == RTHEAP_RANGE_BUCKET || (span > 1 && kind != RTHEAP_RANGE_RUN &&
						     kind != RTHEAP_RANGE_SHARED)) {
			fillh = (unsigned int)(frac * (cell - 2) + 0.5);
			if (frac > 0 && !fillh)
				fillh = 1;
			svg_class_colour(m->cls, col, sizeof(col));
			if (fillh)
				fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\"/>",
					x + 1, y + cell - 1 - fillh, cell - 2, fillh,
					kind == RTHEAP_RANGE_BUCKET ? col : "#5c6bc0");
		}
		if (m->block_start)
			fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"3\" height=\"%u\" fill=\"#ffffff\"/>",
				x, y, cell);
		fprintf(f, "</g>\n");
	}

	ly = 40 + rows * cell + 24;
	x = 20;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#999999\"/>"
		"<text x=\"%u\" y=\"%u\">free</text>\n", x, ly - 11, svg_fill[RTHEAP_RANGE_FREE], x + 18, ly);
	x += 70;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\"/>"
		"<text x=\"%u\" y=\"%u\">run (white edge: a block starts)</text>\n",
		x, ly - 11, svg_fill[RTHEAP_RANGE_RUN], x + 18, ly);
	x += 250;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#999999\"/>"
		"<text x=\"%u\" y=\"%u\">bucket page (filled: used)</text>\n",
		x, ly - 11, svg_fill[RTHEAP_RANGE_BUCKET], x + 18, ly);
	ly += 22;
	x = 20;
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		svg_class_colour(i, col, sizeof(col));
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"%u\">%llu B: %llu page%s, %llu/%llu used</text>\n",
			x, ly - 11, col, x + 18, ly, class_size(i), t.cls_pages[i],
			t.cls_pages[i] == 1 ? "" : "s", t.cls_used[i],
			t.cls_pages[i] * class_per_page(pm, i));
		x += 230;
		if (x > cols * cell - 200) {
			x = 20;
			ly += 22;
		}
	}
	if (x != 20)
		ly += 22;
	fprintf(f, "<text x=\"20\" y=\"%u\">pages: %llu free, %llu in buckets, %llu in runs (%llu blocks)%s</text>\n",
		ly + 4, t.free_pages + t.kept_pages, t.bucket_pages, t.run_pages,
		t.run_blocks, t.shared_pages ? ", shared segment" : "");
	fprintf(f, "<text x=\"20\" y=\"%u\">used: %s of %s, largest free block: %s</text>\n",
		ly + 26, human(t.used_bytes, bytes, b[0], sizeof(b[0])),
		human(hi->usable_mem, bytes, b[1], sizeof(b[1])),
		human(hi->largest_free, bytes, b[2], sizeof(b[2])));
	fprintf(f, "</svg>\n");
	free(cells);
	if (fclose(f))
		return -errno;
	return 0;
}

static int cmd_map(const struct opts *o, const char *name)
{
	struct rtheap_info hi;
	struct page_map pm = { 0 };
	RT_HEAP heap;
	int ret;

	ret = rt_heap_bind_timed(&heap, name, TM_NONBLOCK);
	if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT)
		ret = -ENOENT;
	if (ret)
		return fail("map", name, ret);
	ret = get_page_map(&heap, &pm);
	/* The figures after the map: the same moment, if nobody else moves. */
	if (!ret)
		ret = find_heap(name, &hi);
	rt_heap_unbind(&heap);
	if (ret) {
		free(pm.r);
		return fail("map", name, ret);
	}
	if (o->svg) {
		ret = map_svg(&pm, &hi, o->svg, o->given & OPT_BYTES);
		if (ret) {
			free(pm.r);
			fprintf(stderr, "heapctl: map \"%s\": %s: %s\n", name,
				o->svg, reason(-ret));
			return EXIT_FAILURE;
		}
	}
	if (o->given & OPT_JSON)
		map_json(&pm, &hi);
	else
		map_text(&pm, &hi, o->given & OPT_BYTES);
	free(pm.r);
	return EXIT_SUCCESS;
}

/* ---- main ---------------------------------------------------------------- */

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'J' },
	{ "bytes",	no_argument,		NULL, 'b' },
	{ "prio",	no_argument,		NULL, 'P' },
	{ "shared",	no_argument,		NULL, 'S' },
	{ "perm",	required_argument,	NULL, 'm' },
	{ "group",	required_argument,	NULL, 'g' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "count",	required_argument,	NULL, 'n' },
	{ "svg",	required_argument,	NULL, 'G' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct command {
	const char *name;
	int nargs;
	unsigned int opts;	/* OPT_* allowed */
} commands[] = {
	{ "list",   0, OPT_JSON | OPT_BYTES },
	{ "info",   1, OPT_JSON | OPT_BYTES },
	{ "create", 2, OPT_PRIO | OPT_SHARED | OPT_PERM | OPT_GROUP },
	{ "delete", 1, 0 },
	{ "watch",  1, OPT_JSON | OPT_BYTES | OPT_INTERVAL | OPT_COUNT },
	{ "map",    1, OPT_JSON | OPT_BYTES | OPT_SVG },
};

static const char *const opt_names[] = {
	"--json", "--bytes", "--prio", "--shared", "--perm", "--group",
	"--interval", "--count", "--svg",
};

static int run(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct opts o = { .gid = -1 };
	unsigned long v;
	unsigned int i;
	char *end;
	int c;

	optind = 0;	/* full getopt reset: main may run more than once in tests */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Jbi:n:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'J': o.given |= OPT_JSON; break;
		case 'b': o.given |= OPT_BYTES; break;
		case 'P': o.given |= OPT_PRIO; break;
		case 'S': o.given |= OPT_SHARED; break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 8);
			if (errno || *end || !*optarg || v > 0777) {
				usage_error("bad --perm \"%s\" (octal, 0 to 0777)", optarg);
				return EXIT_USAGE;
			}
			o.perm = (unsigned int)v;
			o.given |= OPT_PERM;
			break;
		case 'g':
			o.gid = parse_group(optarg);
			if (o.gid < 0) {
				usage_error("unknown group \"%s\"", optarg);
				return EXIT_USAGE;
			}
			o.given |= OPT_GROUP;
			break;
		case 'i':
			errno = 0;
			o.interval = strtod(optarg, &end);
			if (errno || *end || !*optarg || !(o.interval >= 0) ||
			    o.interval > 86400) {
				usage_error("bad --interval \"%s\" (seconds, 0 to 86400)", optarg);
				return EXIT_USAGE;
			}
			o.given |= OPT_INTERVAL;
			break;
		case 'n':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !isdigit((unsigned char)*optarg) || v == 0) {
				usage_error("bad --count \"%s\" (a positive number)", optarg);
				return EXIT_USAGE;
			}
			o.count = v;
			o.given |= OPT_COUNT;
			break;
		case 'G':
			if (!*optarg) {
				usage_error("--svg needs a file name");
				return EXIT_USAGE;
			}
			o.svg = optarg;
			o.given |= OPT_SVG;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("heapctl (rtheap) %s, ABI version %d\n",
			       RTHEAP_VERSION, RTHEAP_ABI_VERSION);
			return EXIT_SUCCESS;
		case ':':
			usage_error("option %s needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				usage_error("unknown option -%c", optopt);
			else
				usage_error("unknown option %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}

	if (optind >= argc) {
		usage_error("no command");
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		usage_error("unknown command \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (argc - optind - 1 != cmd->nargs) {
		if (cmd->nargs == 0)
			usage_error("%s takes no arguments", cmd->name);
		else
			usage_error("usage: heapctl %s NAME%s", cmd->name,
				    cmd->nargs == 2 ? " SIZE" : "");
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++) {
		if ((o.given & (1U << i)) && !(cmd->opts & (1U << i))) {
			usage_error("%s does not apply to %s", opt_names[i], cmd->name);
			return EXIT_USAGE;
		}
	}

	argv += optind + 1;
	if (cmd->nargs >= 1 && strlen(argv[0]) >= RTHEAP_NAMELEN)
		return fail(cmd->name, argv[0], -ENAMETOOLONG);

	switch (cmd - commands) {
	case 0: return cmd_list(&o);
	case 1: return cmd_info(&o, argv[0]);
	case 2: return cmd_create(&o, argv[0], argv[1]);
	case 3: return cmd_delete(argv[0]);
	case 4: return cmd_watch(&o, argv[0]);
	default: return cmd_map(&o, argv[0]);
	}
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "heapctl: write error: %s\n", reason(errno));
		return EXIT_FAILURE;
	}
	return ret;
}
