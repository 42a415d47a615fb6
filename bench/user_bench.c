// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-bench-user - the user-space side of `make bench', in the guest:
 * libheap's rt_heap_alloc + rt_heap_free pair against the cheapest call
 * into the module on the same file (two RTHEAP_IOC_NOP ioctls: a pair is
 * two calls) and against glibc malloc + free; the same pair on a descriptor
 * with libheap's block cache (rt_heap_cache, 1 MiB, on a heap of its own);
 * bulk pairs per block.
 *
 * usage: rtheap-bench-user [-n PAIRS] [-r REPS]
 *
 * Each pair is timed on its own (rdtsc .. rdtscp), on a 64 MiB heap, for
 * 64-byte blocks and for the reference trace (bench_trace.h: a step frees the
 * block in its slot, then allocates).  REPS repetitions, the three
 * contenders interleaved and rotated each time.  One line per run:
 *   user pair=rtheap|nop|malloc|cached size=64|trace rep=R n=N p50=.. p99=.. max=..
 * in cycles; the harness takes medians over the repetitions.  In the same
 * rotation as the 64-byte pairs, bulk pairs: rt_heap_alloc_bulk of K
 * 64-byte blocks + rt_heap_free_bulk of the K, timed per call (one ioctl
 * each), K = 1, 8, 64 (RT_HEAP_BULK_MAX), about N blocks per run:
 *   user bulk=K size=64 rep=R calls=C p50=.. p99=.. max=..
 * in cycles per block (the call's cycles / K).  Then each call on its own,
 * 64-byte blocks (the other half of the pair untimed):
 *   user op=alloc|free|nop rep=R n=N p50=.. p99=.. max=..
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include <rtheap/heap.h>

#include "bench_trace.h"

enum { C_RTHEAP, C_NOP, C_MALLOC, C_CACHED, C_COUNT };
static const char *const cname[C_COUNT] = { "rtheap", "nop", "malloc",
					    "cached" };

/* Blocks per bulk call; run in the 64-byte rotation after the C_* ones. */
static const unsigned int bulk_k[] = { 1, 8, RT_HEAP_BULK_MAX };
#define NBULK (sizeof(bulk_k) / sizeof(bulk_k[0]))

static RT_HEAP heap;
static RT_HEAP cheap;		/* another heap, its descriptor cached */
static uint32_t *smp;

static inline uint64_t tsc_begin(void)
{
	_mm_lfence();
	return __rdtsc();
}

static inline uint64_t tsc_end(void)
{
	unsigned int aux;
	uint64_t t = __rdtscp(&aux);

	_mm_lfence();
	return t;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t quantile(const uint32_t *s, unsigned long n, double q)
{
	unsigned long r = (unsigned long)(q * n + 0.999999);

	return s[r ? r - 1 : 0];
}

static void die(const char *what, int err)
{
	fprintf(stderr, "rtheap-bench-user: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* Allocate and free through the contender c: 0 or -errno. */
static inline int c_alloc(int c, size_t size, void **p)
{
	switch (c) {
	case C_RTHEAP:
		return rt_heap_alloc(&heap, size, TM_NONBLOCK, p);
	case C_NOP:
		*p = NULL;
		return ioctl(heap.fd, RTHEAP_IOC_NOP) ? -errno : 0;
	case C_CACHED:
		return rt_heap_alloc(&cheap, size, TM_NONBLOCK, p);
	default:
		*p = malloc(size);
		return *p ? 0 : -ENOMEM;
	}
}

static inline void c_free(int c, void *p)
{
	switch (c) {
	case C_RTHEAP:
		rt_heap_free(&heap, p);
		break;
	case C_NOP:
		ioctl(heap.fd, RTHEAP_IOC_NOP);
		break;
	case C_CACHED:
		rt_heap_free(&cheap, p);
		break;
	default:
		free(p);
	}
}

static unsigned long run_fixed(int c, size_t size, unsigned long n)
{
	unsigned long i;
	void *p;

	for (i = 0; i < n + 256; i++) {
		uint64_t t0 = tsc_begin(), t1;

		if (c_alloc(c, size, &p) == 0)
			c_free(c, p);
		t1 = tsc_end();
		if (i >= 256)
			smp[i - 256] = t1 - t0;
	}
	return n;
}

/* A NOP "step" is two calls, as a trace step after the slots fill up. */
static unsigned long run_trace(int c, unsigned long n)
{
	static void *ptr[BENCH_SLOTS];
	uint32_t seed = BENCH_SEED, k, size;
	unsigned long i, warm = 2 * BENCH_SLOTS;
	void *p;

	memset(ptr, 0, sizeof(ptr));
	for (i = 0; i < n + warm; i++) {
		uint64_t t0, t1;

		bench_trace_step(&seed, &k, &size);
		t0 = tsc_begin();
		if (ptr[k] || c == C_NOP)
			c_free(c, ptr[k]);
		p = NULL;
		if (c_alloc(c, size, &p))
			p = NULL;
		t1 = tsc_end();
		ptr[k] = c == C_NOP ? NULL : p;
		if (i >= warm)
			smp[i - warm] = t1 - t0;
	}
	for (k = 0; k < BENCH_SLOTS; k++)
		if (ptr[k])
			c_free(c, ptr[k]);
	return n;
}

/*
 * rt_heap_alloc_bulk(k) + rt_heap_free_bulk(k) timed as one region; about
 * n blocks in all, at least 256 calls.  Returns the number of calls.
 */
static unsigned long run_bulk(unsigned int k, unsigned long n)
{
	void *blocks[RT_HEAP_BULK_MAX];
	unsigned long i, calls = n / k < 256 ? 256 : n / k, warm = 64;
	int ret;

	for (i = 0; i < calls + warm; i++) {
		uint64_t t0 = tsc_begin(), t1;

		ret = rt_heap_alloc_bulk(&heap, 64, k, blocks);
		if (ret == 0)
			ret = rt_heap_free_bulk(&heap, k, blocks, NULL);
		t1 = tsc_end();
		if (ret)
			die("rt_heap_alloc_bulk/rt_heap_free_bulk", ret < 0 ? ret : -EIO);
		if (i >= warm)
			smp[i - warm] = t1 - t0;
	}
	return calls;
}

static void report_bulk(unsigned int k, int rep, unsigned long calls)
{
	qsort(smp, calls, sizeof(*smp), cmp_u32);
	printf("user bulk=%u size=64 rep=%d calls=%lu p50=%.1f p99=%.1f max=%.1f\n",
	       k, rep, calls, (double)quantile(smp, calls, 0.5) / k,
	       (double)quantile(smp, calls, 0.99) / k, (double)smp[calls - 1] / k);
}

/* One call timed: rt_heap_alloc, rt_heap_free or one NOP ioctl. */
static unsigned long run_op(int which, unsigned long n)
{
	unsigned long i;
	void *p = NULL;

	for (i = 0; i < n + 256; i++) {
		uint64_t t0, t1;

		if (which == 1 && rt_heap_alloc(&heap, 64, TM_NONBLOCK, &p))
			die("rt_heap_alloc", -ENOMEM);
		t0 = tsc_begin();
		if (which == 0)
			rt_heap_alloc(&heap, 64, TM_NONBLOCK, &p);
		else if (which == 1)
			rt_heap_free(&heap, p);
		else
			ioctl(heap.fd, RTHEAP_IOC_NOP);
		t1 = tsc_end();
		if (which == 0)
			rt_heap_free(&heap, p);
		if (i >= 256)
			smp[i - 256] = t1 - t0;
	}
	return n;
}

static void report_op(const char *op, int rep, unsigned long n)
{
	qsort(smp, n, sizeof(*smp), cmp_u32);
	printf("user op=%s rep=%d n=%lu p50=%u p99=%u max=%u\n", op, rep, n,
	       quantile(smp, n, 0.5), quantile(smp, n, 0.99), smp[n - 1]);
}

static void report(int c, const char *size, int rep, unsigned long n)
{
	qsort(smp, n, sizeof(*smp), cmp_u32);
	printf("user pair=%s size=%s rep=%d n=%lu p50=%u p99=%u max=%u\n",
	       cname[c], size, rep, n, quantile(smp, n, 0.5),
	       quantile(smp, n, 0.99), smp[n - 1]);
}

int main(int argc, char **argv)
{
	unsigned long n = 20000;
	int reps = 5, opt, rep, i, ret;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: rtheap-bench-user [-n PAIRS] [-r REPS]\n");
			return 2;
		}
	}
	if (!n || reps < 1) {
		fprintf(stderr, "rtheap-bench-user: bad -n or -r\n");
		return 2;
	}
	smp = malloc((n < 256 ? 256 : n) * sizeof(*smp));
	if (!smp)
		die("malloc", -ENOMEM);
	ret = rt_heap_create(&heap, NULL, 64 << 20, H_FIFO);
	if (ret)
		die("rt_heap_create", ret);
	ret = ioctl(heap.fd, RTHEAP_IOC_NOP) ? -errno : 0;
	if (ret)
		die("ioctl(RTHEAP_IOC_NOP)", ret);
	ret = rt_heap_create(&cheap, NULL, 64 << 20, H_FIFO);
	if (ret)
		die("rt_heap_create (cached)", ret);
	ret = rt_heap_cache(&cheap, 1 << 20);
	if (ret)
		die("rt_heap_cache", ret);

	for (rep = 1; rep <= reps; rep++) {
		for (i = 0; i < (int)(C_COUNT + NBULK); i++) {
			int c = (i + rep) % (C_COUNT + NBULK);

			if (c < C_COUNT)
				report(c, "64", rep, run_fixed(c, 64, n));
			else
				report_bulk(bulk_k[c - C_COUNT], rep,
					    run_bulk(bulk_k[c - C_COUNT], n));
		}
		for (i = 0; i < C_COUNT; i++) {
			int c = (i + rep) % C_COUNT;

			report(c, "trace", rep, run_trace(c, n));
		}
		for (i = 0; i < 3; i++) {
			static const char *const op[] = { "alloc", "free", "nop" };
			int o = (i + rep) % 3;

			report_op(op[o], rep, run_op(o, n));
		}
		fflush(stdout);
	}
	rt_heap_delete(&cheap);
	rt_heap_delete(&heap);
	return 0;
}
