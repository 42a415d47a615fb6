// SPDX-License-Identifier: GPL-2.0
/*
 * heapctl - list, inspect, create, delete, watch and map rtheap heaps.
 *
 * Exit status: 0 success, 1 failure, 2 usage error.  Errors are one line on
 * stderr: "heapctl: <what> "<name>": <why>".
 *
 * This file holds the option parsing, the dispatch and the helpers the
 * commands share (declared in heapctl.h), and create and delete; list,
 * info and watch are in heapctl_info.c, map in heapctl_map.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifndef HEAPCTL_NO_NSS
#include <grp.h>
#include <pwd.h>
#endif

#include "heapctl.h"

#ifndef RTHEAP_VERSION
#define RTHEAP_VERSION "unknown"
#endif

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
const char *reason(int err)
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
int fail(const char *what, const char *name, int ret)
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
const char *human(unsigned long long v, bool bytes, char *buf, size_t len)
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

const char *user_name(unsigned int uid, char *buf, size_t len)
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

const char *group_name(unsigned int gid, char *buf, size_t len)
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

void json_string(const char *s)
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

/* ---- commands ------------------------------------------------------------ */

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

