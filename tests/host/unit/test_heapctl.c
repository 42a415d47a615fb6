// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of heapctl (tools/heapctl.c, compiled in with its main()
 * renamed heapctl_main) against the fake /dev/rtheap of fake_rtheap.c:
 * usage and exit codes, no module, create/list/delete, info, watch and
 * map, their output and the heaps they leave.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rtheap/heap.h>

#include "fake_rtheap.h"

int heapctl_main(int argc, char **argv);

/* ---- heapctl ----------------------------------------------------------------------- */

static char out_buf[65536], err_buf[4096];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run heapctl with the given arguments; its stdout/stderr land in the buffers. */
static int heapctl(const char *args)
{
	char copy[512], *argv[32], *tok, *save = NULL;
	int argc = 0, ret, o1, o2;
	FILE *fo = tmpfile(), *fe = tmpfile();

	assert_non_null(fo);
	assert_non_null(fe);
	snprintf(copy, sizeof(copy), "heapctl %s", args);
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	o1 = dup(1);
	o2 = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	ret = heapctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	slurp(fo, out_buf, sizeof(out_buf));
	slurp(fe, err_buf, sizeof(err_buf));
	return ret;
}

#define assert_contains(hay, needle) do {				\
	if (!strstr((hay), (needle)))					\
		fail_msg("missing \"%s\" in:\n%s", (needle), (hay));	\
} while (0)

#define assert_not_contains(hay, needle) do {				\
	if (strstr((hay), (needle)))					\
		fail_msg("unexpected \"%s\" in:\n%s", (needle), (hay));	\
} while (0)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_heapctl_usage(void **state)
{
	(void)state;
	assert_int_equal(heapctl("--help"), 0);
	assert_contains(out_buf, "usage: heapctl");
	assert_int_equal(heapctl("-h"), 0);
	assert_int_equal(heapctl("--version"), 0);
	assert_contains(out_buf, "heapctl (rtheap)");

	assert_int_equal(heapctl(""), 2);
	assert_contains(err_buf, "heapctl: no command");
	assert_int_equal(heapctl("frobnicate"), 2);
	assert_contains(err_buf, "unknown command \"frobnicate\"");
	assert_int_equal(heapctl("--frob list"), 2);
	assert_int_equal(heapctl("list extra"), 2);
	assert_int_equal(heapctl("info"), 2);
	assert_int_equal(heapctl("create foo"), 2);
	assert_int_equal(heapctl("create foo 12Q"), 2);
	assert_contains(err_buf, "bad size \"12Q\"");
	assert_int_equal(heapctl("create foo 0"), 2);
	assert_int_equal(heapctl("create foo 99999999999999999999"), 2);
	assert_int_equal(heapctl("create foo 1M --perm 999"), 2);
	assert_int_equal(heapctl("create foo 1M --group no-such-group-here"), 2);
	assert_int_equal(heapctl("list --prio"), 2);
	assert_contains(err_buf, "--prio does not apply to list");
	assert_int_equal(heapctl("watch foo --count 0"), 2);
	assert_int_equal(heapctl("watch foo --interval -1"), 2);
	assert_int_equal(heapctl("watch foo --count"), 2);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);	/* usage errors touch nothing */
}

static void test_heapctl_no_module(void **state)
{
	static const char msg[] =
		"heapctl: /dev/rtheap not found: is the rtheap module loaded? (modprobe rtheap)\n";

	(void)state;
	fk.open_errno = ENOENT;
	assert_int_equal(heapctl("list"), 1);
	assert_string_equal(err_buf, msg);
	assert_string_equal(out_buf, "");
	assert_int_equal(heapctl("info foo"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("create foo 1M"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("delete foo"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("watch foo --count 1"), 1);
	assert_string_equal(err_buf, msg);

	fk.open_errno = 0;
	fk.abi_version = 99;
	assert_int_equal(heapctl("list"), 1);
	assert_contains(err_buf, "incompatible rtheap module");
}

static void test_heapctl_create_list_delete(void **state)
{
	struct fheap *fh;

	(void)state;
	assert_int_equal(heapctl("create sensors 64K --prio --perm 0640"), 0);
	assert_string_equal(err_buf, "");
	assert_int_equal(fake_open_files(), 0);	/* it persists on its own */
	assert_int_equal(fake_live_maps(), 0);
	fh = fake_find("sensors");
	assert_non_null(fh);
	assert_int_equal(fh->cr.size, 65536);
	assert_int_equal(fh->cr.mode, H_PRIO | H_PERSIST);
	assert_int_equal(fh->cr.perm, 0640);
	assert_int_equal(fh->cr.flags, RTHEAP_CREATE_PERM);

	assert_int_equal(heapctl("create seg 1MiB --shared --group 4242"), 0);
	fh = fake_find("seg");
	assert_non_null(fh);
	assert_int_equal(fh->cr.size, 1 << 20);
	assert_int_equal(fh->cr.mode, H_SHARED | H_PERSIST);
	assert_int_equal(fh->cr.gid, 4242);
	assert_int_equal(fh->cr.perm, 0600);
	assert_int_equal(fh->cr.flags, RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID);

	assert_int_equal(heapctl("create plain 3g"), 1);	/* over the fake's limit */
	assert_string_equal(err_buf, "heapctl: create \"plain\": invalid argument\n");
	assert_int_equal(heapctl("create plain 12288"), 0);
	assert_int_equal(fake_find("plain")->cr.flags, 0);

	assert_int_equal(heapctl("create sensors 4K"), 1);
	assert_string_equal(err_buf,
			    "heapctl: create \"sensors\": a heap of that name exists\n");

	assert_int_equal(heapctl("list"), 0);
	assert_int_equal(count_lines(out_buf), 4);
	assert_contains(out_buf, "ID");
	assert_contains(out_buf, "NAME");
	assert_contains(out_buf, "OWNER");
	assert_contains(out_buf, "PERMS");
	assert_contains(out_buf, "WAITERS");
	assert_contains(out_buf, "MAPS");
	assert_contains(out_buf, "sensors");
	assert_contains(out_buf, "rw-r-----");
	assert_contains(out_buf, "prio,persist");
	assert_contains(out_buf, "64K");
	assert_contains(out_buf, "shared,persist");
	assert_contains(out_buf, "1M");
	assert_contains(out_buf, "12K");
	assert_int_equal(heapctl("list --bytes"), 0);
	assert_contains(out_buf, "65536");
	assert_contains(out_buf, "1048576");

	assert_int_equal(heapctl("--json list"), 0);
	assert_contains(out_buf, "{\"heaps\":[");
	assert_contains(out_buf, "\"name\":\"sensors\"");
	assert_contains(out_buf, "\"perm\":\"0640\"");
	assert_contains(out_buf, "\"mode\":\"prio,persist\"");
	assert_contains(out_buf, "\"heap_size\":65536");

	assert_int_equal(heapctl("delete sensors"), 0);
	assert_string_equal(err_buf, "");
	assert_null(fake_find("sensors"));
	assert_int_equal(heapctl("delete sensors"), 1);
	assert_string_equal(err_buf, "heapctl: delete \"sensors\": no such heap\n");

	fail_cmd(RTHEAP_IOC_DELETE_NAME, EPERM);
	assert_int_equal(heapctl("delete seg"), 1);
	assert_string_equal(err_buf,
			    "heapctl: delete \"seg\": operation not permitted (not the owner?)\n");
	fail_cmd(RTHEAP_IOC_DELETE_NAME, EIDRM);
	assert_int_equal(heapctl("delete seg"), 1);
	assert_string_equal(err_buf, "heapctl: delete \"seg\": heap deleted\n");
	fail_cmd(0, 0);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(fake_live_maps(), 0);
	assert_int_equal(heapctl("delete seg"), 0);
	assert_int_equal(heapctl("delete plain"), 0);
	assert_int_equal(fake_heaps(), 0);

	assert_int_equal(heapctl("list"), 0);
	assert_int_equal(count_lines(out_buf), 1);	/* header only */
	assert_int_equal(heapctl("list --json"), 0);
	assert_string_equal(out_buf, "{\"heaps\":[\n]}\n");
}

static void test_heapctl_info_watch(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	assert_int_equal(rt_heap_create_ext(&h, "app", 16384, H_PRIO, 0640, -1), 0);
	assert_int_equal(rt_heap_alloc(&h, 100, TM_NONBLOCK, &b), 0);
	assert_int_equal(rt_heap_alloc(&h, 2000, TM_NONBLOCK, &b), 0);

	assert_int_equal(heapctl("info app"), 0);
	assert_contains(out_buf, "name:          app\n");
	assert_contains(out_buf, "id:            1\n");
	assert_contains(out_buf, "perms:         rw-r----- (0640)\n");
	assert_contains(out_buf, "creator pid:   4321\n");
	assert_contains(out_buf, "mode:          prio\n");
	assert_contains(out_buf, "status:        live\n");
	assert_contains(out_buf, "heap size:     16K\n");
	assert_contains(out_buf, "used:          2.1K (13.3%)\n");
	assert_contains(out_buf, "waiters:       3\n");
	assert_contains(out_buf, "mappings:      1\n");
	assert_contains(out_buf, "bound files:   1\n");
	assert_contains(out_buf, "     128: 1\n");
	assert_contains(out_buf, "    2048: 1\n");
	assert_contains(out_buf, "      16: 0\n");
	assert_int_equal(heapctl("info app --bytes"), 0);
	assert_contains(out_buf, "used:          2176 (13.3%)\n");

	assert_int_equal(heapctl("info app --json"), 0);
	assert_contains(out_buf, "\"name\":\"app\"");
	assert_contains(out_buf, "\"class_blocks\":{\"16\":0,\"32\":0,\"64\":0,\"128\":1,"
			"\"256\":0,\"512\":0,\"1024\":0,\"2048\":1}");
	assert_contains(out_buf, "\"nwaiters\":3");
	assert_contains(out_buf, "\"used_mem\":2176");
	assert_contains(out_buf, "\"deleted\":false");
	assert_int_equal(count_lines(out_buf), 1);

	/* As many classes as the module has: 10 at 16 KiB pages. */
	fk.nr_classes = 10;
	assert_int_equal(heapctl("info app --json"), 0);
	assert_contains(out_buf, "\"1024\":0,\"2048\":1,\"4096\":0,\"8192\":0}");
	assert_int_equal(heapctl("info app"), 0);
	assert_contains(out_buf, "    2048: 1\n    4096: 0\n    8192: 0\n");
	fk.nr_classes = FAKE_CLASSES;
	assert_int_equal(heapctl("info app"), 0);
	assert_contains(out_buf, "    2048: 1\n");
	assert_not_contains(out_buf, "4096:");

	assert_int_equal(heapctl("info nosuch"), 1);
	assert_string_equal(err_buf, "heapctl: info \"nosuch\": no such heap\n");
	assert_int_equal(NR(RTHEAP_IOC_BIND), 1);	/* the probe for a reason */
	fail_cmd(RTHEAP_IOC_BIND, EACCES);
	assert_int_equal(heapctl("info hidden"), 1);
	assert_string_equal(err_buf, "heapctl: info \"hidden\": permission denied\n");
	fail_cmd(0, 0);

	assert_int_equal(heapctl("watch app --count 3 --interval 0"), 0);
	assert_int_equal(count_lines(out_buf), 4);
	assert_contains(out_buf, "USED");
	assert_contains(out_buf, "2.1K");
	assert_int_equal(heapctl("watch app -n 2 -i 0.01 --json"), 0);
	assert_int_equal(count_lines(out_buf), 2);
	assert_contains(out_buf, "\"name\":\"app\"");
	assert_int_equal(heapctl("watch nosuch --count 2 --interval 0"), 1);
	assert_string_equal(err_buf, "heapctl: watch \"nosuch\": no such heap\n");

	assert_int_equal(fake_open_files(), 1);	/* only the test's own */
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* Columns of the longest line of s: UTF-8 continuation bytes not counted. */
static unsigned int widest_line(const char *s)
{
	unsigned int w = 0, max = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			max = w > max ? w : max;
			w = 0;
		} else if (((unsigned char)*s & 0xc0) != 0x80) {
			w++;
		}
	}
	return w > max ? w : max;
}

static void script_range(unsigned int first, unsigned int count, int kind,
			 unsigned int cls, unsigned int used)
{
	struct rtheap_range *r = &fk.pagemap[fk.pagemap_n++];

	memset(r, 0, sizeof(*r));
	r->first = first;
	r->count = count;
	r->kind = (unsigned char)kind;
	r->cls = (unsigned char)cls;
	r->used = used;
}

/* A fragmented 64-page heap, as the module would describe it. */
static void script_fragmented(void)
{
	script_range(0, 4, RTHEAP_RANGE_BUCKET, 2, 32);	/* 64 B, half used */
	script_range(4, 1, RTHEAP_RANGE_BUCKET, 2, 64);	/* 64 B, full */
	script_range(5, 3, RTHEAP_RANGE_FREE, 0, 0);
	script_range(8, 8, RTHEAP_RANGE_RUN, 0, 2);		/* 2 blocks of 4 pages */
	script_range(16, 1, RTHEAP_RANGE_KEPT, 0, 0);
	script_range(17, 3, RTHEAP_RANGE_RUN, 0, 1);
	script_range(20, 44, RTHEAP_RANGE_FREE, 0, 0);
}

static void test_heapctl_map(void **state)
{
	char path[] = "/tmp/test_heapctl.XXXXXX", svg[65536];
	unsigned int n;
	RT_HEAP h;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(rt_heap_create(&h, "frag", 64 * PAGE, 0), 0);
	script_fragmented();
	fk.pagemap_chunk = 2;		/* four calls, continued by the cursor */
	setenv("COLUMNS", "80", 1);

	assert_int_equal(heapctl("map frag"), 0);
	assert_string_equal(err_buf, "");
	assert_int_equal(fk.pagemap_calls, 4);
	assert_contains(out_buf, "heap \"frag\": 64 pages of 4K, 256K usable\n");
	assert_contains(out_buf, "pages 0-3    bucket 64 B    ");
	assert_contains(out_buf, " 32/64 used each\n");
	assert_contains(out_buf, "pages 4      bucket 64 B    ");
	assert_contains(out_buf, " 64/64 used\n");
	assert_contains(out_buf, "pages 5-7    free           ");
	assert_contains(out_buf, " 3 pages\n");
	assert_contains(out_buf, "pages 8-15   run            ");
	assert_contains(out_buf, " 2 blocks of 4 pages\n");
	assert_contains(out_buf, "pages 16     free (kept)    ");
	assert_contains(out_buf, "pages 17-19  run            ");
	assert_contains(out_buf, " 1 block of 3 pages\n");
	assert_contains(out_buf, "pages 20-63  free           ");
	/* The bars: a full page full, a free run empty, half used half. */
	assert_contains(out_buf, "bucket 64 B    \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2591\u2591");
	assert_contains(out_buf, "free           \u2591\u2591\u2591");
	assert_not_contains(out_buf, "free           \u2588");
	assert_contains(out_buf, "\npages: 48 free (1 kept), 5 in buckets, 11 in runs (3 blocks), of 64\n");
	assert_contains(out_buf, "bucket 64 B: 5 pages, 192 of 320 blocks used\n");
	assert_contains(out_buf, "used: 56K of 256K (21.9%), largest free block: ");
	assert_int_equal(count_lines(out_buf), 1 + 7 + 1 + 3);
	assert_true(widest_line(out_buf) <= 80);

	/* Width-aware: a wider terminal gets longer bars, never over it. */
	setenv("COLUMNS", "120", 1);
	assert_int_equal(heapctl("map frag"), 0);
	n = widest_line(out_buf);
	assert_true(n > 80 && n <= 120);
	setenv("COLUMNS", "40", 1);	/* narrower than a row: the shortest bars */
	assert_int_equal(heapctl("map frag"), 0);
	assert_true(widest_line(out_buf) < 80);
	assert_contains(out_buf, "bucket 64 B    \u2588\u2588\u2591\u2591 32/64");
	setenv("COLUMNS", "80", 1);

	assert_int_equal(heapctl("map frag --json"), 0);
	assert_contains(out_buf, "{\"name\":\"frag\",\"npages\":64,\"page_size\":4096,");
	assert_contains(out_buf, "\"merged\":false");
	assert_contains(out_buf, "{\"first\":0,\"count\":4,\"kind\":\"bucket\",\"class_size\":64,"
			"\"used\":32,\"blocks\":64,\"used_bytes\":8192}");
	assert_contains(out_buf, "{\"first\":8,\"count\":8,\"kind\":\"run\",\"blocks\":2,"
			"\"block_pages\":4,\"used_bytes\":32768}");
	assert_contains(out_buf, "{\"first\":16,\"count\":1,\"kind\":\"kept\",\"used_bytes\":0}");
	assert_contains(out_buf, "{\"first\":20,\"count\":44,\"kind\":\"free\",\"used_bytes\":0}");
	assert_contains(out_buf, "\"totals\":{\"free_pages\":48,\"kept_pages\":1,\"bucket_pages\":5,"
			"\"run_pages\":11,\"run_blocks\":3,\"shared_pages\":0,\"used_bytes\":57344,"
			"\"classes\":{\"64\":{\"pages\":5,\"used\":192,\"blocks\":320}}}}\n");

	/* The heap changed under the cursor: heapctl starts again. */
	fk.pagemap_calls = 0;
	fk.pagemap_change_at = 2;
	assert_int_equal(heapctl("map frag"), 0);
	assert_int_equal(fk.pagemap_calls, 2 + 4);	/* one, the failed, four */
	assert_contains(out_buf, "pages 20-63  free");
	fk.pagemap_change_at = 0;

	/* The picture. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(err_buf, sizeof(err_buf), "map frag --svg %s", path);
	assert_int_equal(heapctl(err_buf), 0);
	assert_contains(out_buf, "pages 0-3 ");	/* the text still comes */
	f = fopen(path, "r");
	assert_non_null(f);
	n = (unsigned int)fread(svg, 1, sizeof(svg) - 1, f);
	svg[n] = '\0';
	fclose(f);
	unlink(path);
	assert_contains(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	assert_contains(svg, "heap frag: 64 pages of 4K, a cell per page");
	assert_contains(svg, "<title>page 0: bucket, 50% used</title>");
	assert_contains(svg, "<title>page 4: bucket, 100% used</title>");
	assert_contains(svg, "<title>page 9: run, 100% used</title>");
	assert_contains(svg, "<title>page 63: free, 0% used</title>");
	assert_contains(svg, "64 B: 5 pages, 192/320 used");
	assert_contains(svg, "</svg>\n");
	assert_int_equal(heapctl("map frag --svg /nonexistent-dir/x.svg"), 1);
	assert_contains(err_buf, "heapctl: map \"frag\": /nonexistent-dir/x.svg: ");

	/* Many ranges: merged into at most 128 rows. */
	fk.pagemap_n = 0;
	for (n = 0; n < 300; n++)
		script_range(n, 1, n % 2 ? RTHEAP_RANGE_RUN : RTHEAP_RANGE_BUCKET,
			     0, 1);
	fk.pagemap_chunk = 0;
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(rt_heap_create(&h, "big", 300 * PAGE, 0), 0);
	assert_int_equal(heapctl("map big"), 0);
	assert_contains(out_buf, "pages 0-2      mixed");
	assert_contains(out_buf, " 34% used: 0 free, 2 bucket, 1 run\n");
	assert_contains(out_buf, "pages 3-5      mixed          ");
	assert_contains(out_buf, " 67% used: 0 free, 1 bucket, 2 run\n");
	assert_int_equal(count_lines(out_buf), 1 + 100 + 1 + 3);
	assert_contains(out_buf, "pages: 0 free, 150 in buckets, 150 in runs (150 blocks), of 300\n");
	assert_int_equal(heapctl("map big --json"), 0);
	assert_contains(out_buf, "\"merged\":false");
	assert_contains(out_buf, "{\"first\":299,\"count\":1,\"kind\":\"run\"");

	/* Errors. */
	assert_int_equal(heapctl("map nosuch"), 1);
	assert_string_equal(err_buf, "heapctl: map \"nosuch\": no such heap\n");
	fail_cmd(RTHEAP_IOC_PAGEMAP, ENOTTY);
	assert_int_equal(heapctl("map big"), 1);
	assert_string_equal(err_buf, "heapctl: map \"big\": not supported by this rtheap module\n");
	fail_cmd(RTHEAP_IOC_PAGEMAP, EIDRM);
	assert_int_equal(heapctl("map big"), 1);
	assert_string_equal(err_buf, "heapctl: map \"big\": heap deleted\n");
	fail_cmd(0, 0);
	assert_string_equal(out_buf, "");
	assert_int_equal(heapctl("list --svg x.svg"), 2);
	assert_contains(err_buf, "--svg does not apply to list");
	assert_int_equal(heapctl("map"), 2);
	unsetenv("COLUMNS");
	assert_int_equal(fake_open_files(), 1);	/* only the test's own */
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* An H_SHARED heap is one segment. */
static void test_heapctl_map_shared(void **state)
{
	RT_HEAP h;

	(void)state;
	assert_int_equal(rt_heap_create(&h, "seg", 8 * PAGE, H_SHARED), 0);
	assert_int_equal(heapctl("map seg"), 0);
	assert_contains(out_buf, "pages 0-7  shared segment ");
	assert_contains(out_buf, ", 8 shared, of 8\n");
	assert_int_equal(rt_heap_delete(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_heapctl_usage),
		T(test_heapctl_no_module),
		T(test_heapctl_create_list_delete),
		T(test_heapctl_info_watch),
		T(test_heapctl_map),
		T(test_heapctl_map_shared),
#undef T
	};

	return cmocka_run_group_tests_name("heapctl", tests, NULL, NULL);
}
