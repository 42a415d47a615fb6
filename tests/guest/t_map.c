// SPDX-License-Identifier: GPL-2.0
/*
 * RTHEAP_IOC_PAGEMAP and heapctl map on a heap fragmented on purpose:
 * 64-byte blocks filling five bucket pages, four blocks of three pages,
 * then every other one of both freed.  The ranges must tile the heap in
 * order and say exactly that (class, used count, run lengths, free
 * pages); the cursor must continue one range at a time; every bad input
 * gets its errno and changes nothing.  heapctl's text and JSON must say
 * the same.  With T_MAP_SVG=1 the SVG is printed between markers, for
 * `make check-map-svg' to render on the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

#define NBUCKET_PAGES	5
#define NRUNS		4
#define RUN_PAGES	3
#define MAXR		(64 * 2)

static unsigned int map_all(int fd, struct rtheap_range *r, unsigned int cap,
			    unsigned int per_call, uint32_t *npages)
{
	struct rtheap_pagemap pm;
	unsigned int n = 0;
	uint32_t cursor = 0;

	for (;;) {
		memset(&pm, 0, sizeof(pm));
		pm.first = cursor;
		pm.capacity = per_call;
		pm.ranges = (uintptr_t)(r + n);
		CHECK(n + per_call <= cap);
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm));
		CHECK(pm.count <= per_call && pm.count <= RTHEAP_PAGEMAP_MAX);
		n += pm.count;
		*npages = pm.npages;
		if (pm.next == pm.npages)
			return n;
		CHECKF(pm.next > cursor, "cursor %u did not advance", cursor);
		CHECK(pm.count == per_call || pm.count > 0);
		cursor = pm.next;
	}
}

/* The range holding page p. */
static const struct rtheap_range *range_of(const struct rtheap_range *r,
					   unsigned int n, uint32_t p)
{
	for (unsigned int i = 0; i < n; i++)
		if (p >= r[i].first && p - r[i].first < r[i].count)
			return &r[i];
	T_FAIL("page %u in no range", p);
	return NULL;
}

static void run_heapctl(const char *args, char *out, size_t len)
{
	char cmd[512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "COLUMNS=80 heapctl %s", args);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	CHECKF(pclose(p) == 0, "'%s' failed:\n%s", cmd, out);
}

#define CHECK_HAS(hay, needle) \
	CHECKF(strstr((hay), (needle)), "missing \"%s\" in:\n%s", (needle), (hay))

int main(void)
{
	static struct rtheap_range r[MAXR], r1[MAXR];
	static char *small[NBUCKET_PAGES * (T_PAGE_MAX / 64)];
	static char out[65536], want[256];
	unsigned int per = T_PAGE / 64, nsmall = NBUCKET_PAGES * per, n, n1, i;
	uint64_t free_pages = 0, bucket_pages = 0, run_pages = 0, run_blocks = 0;
	const char *name = t_name("t_map");
	struct rtheap_pagemap pm;
	struct rtheap_attach at;
	RT_HEAP h, s;
	char *big[NRUNS], *ro;
	uint32_t npages, p;
	int fd;

	CHECK(t_version().features & RTHEAP_FEAT_MAP);
	CHECK_OK(rt_heap_create(&h, name, 64 * T_PAGE, H_FIFO));
	for (i = 0; i < nsmall; i++)
		CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&small[i]));
	for (i = 0; i < NRUNS; i++)
		CHECK_OK(rt_heap_alloc(&h, RUN_PAGES * T_PAGE, TM_NONBLOCK,
				       (void **)&big[i]));
	for (i = 0; i < nsmall; i += 2)
		CHECK_OK(rt_heap_free(&h, small[i]));
	for (i = 0; i < NRUNS; i += 2)
		CHECK_OK(rt_heap_free(&h, big[i]));

	/* The whole map: ranges tile the heap, in page order. */
	n = map_all(h.fd, r, MAXR, RTHEAP_PAGEMAP_MAX, &npages);
	CHECK_EQ(npages, 64);
	for (i = 0, p = 0; i < n; p += r[i].count, i++) {
		CHECKF(r[i].first == p, "range %u starts at %u, not %u", i,
		       r[i].first, p);
		CHECK(r[i].count > 0);
		CHECK(!r[i].pad && !r[i].reserved[0] && !r[i].reserved[1]);
		switch (r[i].kind) {
		case RTHEAP_RANGE_FREE:
		case RTHEAP_RANGE_KEPT:
			free_pages += r[i].count;
			CHECK(!r[i].used && !r[i].cls);
			break;
		case RTHEAP_RANGE_BUCKET:
			bucket_pages += r[i].count;
			CHECK_EQ(r[i].cls, 2);		/* 64 bytes */
			CHECK_EQ(r[i].used, per / 2);	/* every other freed */
			break;
		case RTHEAP_RANGE_RUN:
			run_pages += r[i].count;
			run_blocks += r[i].used;
			CHECK_EQ(r[i].count, r[i].used * RUN_PAGES);
			break;
		default:
			T_FAIL("range %u: kind %u", i, r[i].kind);
		}
		if (i)
			CHECKF(r[i].kind != r[i - 1].kind ||
			       r[i].kind == RTHEAP_RANGE_RUN,
			       "ranges %u and %u of one kind not collapsed", i - 1, i);
	}
	CHECK_EQ(p, 64);
	CHECK_EQ(bucket_pages, NBUCKET_PAGES);
	CHECK_EQ(run_blocks, NRUNS / 2);
	CHECK_EQ(run_pages, NRUNS / 2 * RUN_PAGES);
	CHECK_EQ(free_pages, 64 - NBUCKET_PAGES - NRUNS / 2 * RUN_PAGES);
	/* Where each block is, the map says so. */
	for (i = 0; i < nsmall; i++)
		CHECK_EQ(range_of(r, n, (small[i] - (char *)h.base) / T_PAGE)->kind,
			 RTHEAP_RANGE_BUCKET);
	for (i = 0; i < NRUNS; i++)
		CHECK_EQ(range_of(r, n, (big[i] - (char *)h.base) / T_PAGE)->kind,
			 i % 2 ? RTHEAP_RANGE_RUN : RTHEAP_RANGE_FREE);

	/* One range per call: the same map, by the cursor. */
	n1 = map_all(h.fd, r1, MAXR, 1, &npages);
	CHECK_EQ(n1, n);
	CHECK(memcmp(r, r1, n * sizeof(*r)) == 0);

	/* The kernel's maximum caps a larger capacity. */
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 100000;
	pm.ranges = (uintptr_t)r1;
	CHECK_OK(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm));
	CHECK(pm.count == n && pm.next == 64 && pm.npages == 64);

	/* Bad input: the errno, and nothing written. */
	for (i = 0; i < 4; i++) {
		memset(&pm, 0, sizeof(pm));
		pm.capacity = 8;
		pm.ranges = (uintptr_t)r1;
		if (i < 2)
			pm.reserved[i] = 1;
		else if (i == 2)
			pm.pad = 1;
		else
			pm.capacity = 0;
		memset(r1, 0x5a, sizeof(r1));
		CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
		CHECK(pm.count == 0 && ((unsigned char *)r1)[0] == 0x5a);
	}
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 8;
	pm.ranges = (uintptr_t)r1;
	pm.first = 65;					/* past the heap */
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
	pm.first = UINT32_MAX;
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
	pm.first = (big[1] - (char *)h.base) / T_PAGE + 1;	/* inside a run */
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
	pm.first = 64;					/* the end: nothing */
	CHECK_OK(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm));
	CHECK(pm.count == 0 && pm.next == 64);
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 8;
	pm.ranges = 0;
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EFAULT);
	pm.ranges = 16;
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EFAULT);
	pm.ranges = (uintptr_t)-4096;			/* kernel space */
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EFAULT);
	ro = mmap(NULL, T_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	pm.ranges = (uintptr_t)ro;
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, &pm), -EFAULT);
	CHECK_EQ(pm.count, 0);
	munmap(ro, T_PAGE);
	CHECK_RET(t_ioctl(h.fd, RTHEAP_IOC_PAGEMAP, NULL), -EFAULT);
	/* None of it moved a page. */
	n1 = map_all(h.fd, r1, MAXR, RTHEAP_PAGEMAP_MAX, &npages);
	CHECK(n1 == n && memcmp(r, r1, n * sizeof(*r)) == 0);

	/* An unattached file. */
	fd = t_open_dev();
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 8;
	pm.ranges = (uintptr_t)r1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);

	/* heapctl says the same. */
	snprintf(want, sizeof(want), "map %s", name);
	run_heapctl(want, out, sizeof(out));
	printf("--- heapctl map %s\n%s---\n", name, out);
	snprintf(want, sizeof(want), "bucket 64 B    ");
	CHECK_HAS(out, want);
	snprintf(want, sizeof(want), " %u/%u used each\n", per / 2, per);
	CHECK_HAS(out, want);
	CHECK_HAS(out, " 1 block of 3 pages\n");
	snprintf(want, sizeof(want), "\npages: %llu free", (unsigned long long)free_pages);
	CHECK_HAS(out, want);
	CHECK_HAS(out, ", 5 in buckets, 6 in runs (2 blocks), of 64\n");
	snprintf(want, sizeof(want), "bucket 64 B: 5 pages, %u of %u blocks used\n",
		 5 * per / 2, 5 * per);
	CHECK_HAS(out, want);
	snprintf(want, sizeof(want), "map %s --json", name);
	run_heapctl(want, out, sizeof(out));
	snprintf(want, sizeof(want), "\"kind\":\"bucket\",\"class_size\":64,\"used\":%u,\"blocks\":%u",
		 per / 2, per);
	CHECK_HAS(out, want);
	CHECK_HAS(out, "\"kind\":\"run\",\"blocks\":1,\"block_pages\":3");
	snprintf(want, sizeof(want), "\"totals\":{\"free_pages\":%llu,", (unsigned long long)free_pages);
	CHECK_HAS(out, want);
	CHECK_HAS(out, "\"bucket_pages\":5,\"run_pages\":6,\"run_blocks\":2,");
	snprintf(want, sizeof(want), "map %s --svg /tmp/t_map.svg", name);
	run_heapctl(want, out, sizeof(out));
	{
		FILE *f = fopen("/tmp/t_map.svg", "r");
		size_t len;

		CHECK(f != NULL);
		len = fread(out, 1, sizeof(out) - 1, f);
		out[len] = '\0';
		fclose(f);
		CHECK_HAS(out, "<svg xmlns=");
		CHECK_HAS(out, "</svg>\n");
		snprintf(want, sizeof(want), "64 B: 5 pages, %u/%u used", 5 * per / 2, 5 * per);
		CHECK_HAS(out, want);
		if (getenv("T_MAP_SVG"))
			printf("=== t_map.svg begin\n%s=== t_map.svg end\n", out);
		unlink("/tmp/t_map.svg");
	}

	/* An H_SHARED heap: one segment. */
	CHECK_OK(rt_heap_create(&s, NULL, 4 * T_PAGE, H_SHARED));
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 8;
	pm.ranges = (uintptr_t)r1;
	CHECK_OK(t_ioctl(s.fd, RTHEAP_IOC_PAGEMAP, &pm));
	CHECK(pm.count == 1 && pm.next == 4 && pm.npages == 4);
	CHECK(r1[0].kind == RTHEAP_RANGE_SHARED && r1[0].first == 0 &&
	      r1[0].count == 4);
	pm.first = 1;
	CHECK_RET(t_ioctl(s.fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
	CHECK_OK(rt_heap_delete(&s));

	/* Deleted: -EIDRM, on a file still attached. */
	CHECK_OK(t_raw_create(fd, NULL, 4 * T_PAGE, H_FIFO, &at));
	memset(&pm, 0, sizeof(pm));
	pm.capacity = 8;
	pm.ranges = (uintptr_t)r1;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm));
	CHECK(pm.count == 1 && r1[0].kind == RTHEAP_RANGE_FREE && r1[0].count == 4);
	{
		struct rtheap_delete d = { 0 };

		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_DELETE, &d));
	}
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EIDRM);
	close(fd);
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
