// SPDX-License-Identifier: GPL-2.0
/*
 * 8 threads doing random alloc/free on one heap, a byte pattern in every
 * block checked before it is freed; at the end usedmem is back to 0 and the
 * whole heap is allocatable again.
 *
 * Iterations per thread: RTHEAP_STRESS_ITERS (default 100,000).
 */
#include <pthread.h>
#include <unistd.h>

#include "tcommon.h"

#define NTHREADS	8
#define NSLOTS		64
#define HEAP_SIZE	(2UL << 20)
#define DEFAULT_ITERS	100000

struct slot {
	uint64_t *p;
	size_t size;
	uint64_t seed;
};

static RT_HEAP heap;
static unsigned long iters;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static size_t rnd_size(uint64_t *s)
{
	uint64_t r = rnd(s) % 100;

	if (r < 70)
		return 1 + rnd(s) % 256;
	if (r < 95)
		return 257 + rnd(s) % (2048 - 256);
	return 2049 + rnd(s) % (16384 - 2048);
}

static void fill(struct slot *sl)
{
	size_t n = sl->size / 8;

	for (size_t i = 0; i < n; i++)
		sl->p[i] = sl->seed + i;
	for (size_t i = n * 8; i < sl->size; i++)
		((unsigned char *)sl->p)[i] = (unsigned char)(sl->seed + i);
}

static void check(int t, struct slot *sl)
{
	size_t n = sl->size / 8;

	for (size_t i = 0; i < n; i++)
		CHECKF(sl->p[i] == sl->seed + i, "thread %d: block %p (%zu "
		       "bytes): word %zu is 0x%llx, expected 0x%llx", t,
		       (void *)sl->p, sl->size, i,
		       (unsigned long long)sl->p[i],
		       (unsigned long long)(sl->seed + i));
	for (size_t i = n * 8; i < sl->size; i++)
		CHECKF(((unsigned char *)sl->p)[i] ==
		       (unsigned char)(sl->seed + i),
		       "thread %d: block %p (%zu bytes): byte %zu damaged", t,
		       (void *)sl->p, sl->size, i);
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	struct slot slots[NSLOTS];
	uint64_t s = 0x9e3779b97f4a7c15ULL * (t + 1);
	unsigned long nalloc = 0, nfull = 0;
	char *base = heap.base;

	memset(slots, 0, sizeof(slots));
	for (unsigned long i = 0; i < iters; i++) {
		struct slot *sl = &slots[rnd(&s) % NSLOTS];
		RTIME timeout;
		void *p;
		int ret;

		if (sl->p) {
			check(t, sl);
			CHECK_OK(rt_heap_free(&heap, sl->p));
			sl->p = NULL;
			continue;
		}
		sl->size = rnd_size(&s);
		timeout = rnd(&s) % 4 ? TM_NONBLOCK : 1000000;	/* 1 ms */
		ret = rt_heap_alloc(&heap, sl->size, timeout, &p);
		if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT) {
			nfull++;
			continue;
		}
		CHECKF(ret == 0, "thread %d: alloc(%zu) returned %s", t,
		       sl->size, t_errname(ret));
		CHECKF(((uintptr_t)p & 15) == 0 && (char *)p >= base &&
		       (char *)p + sl->size <= base + heap.mapsize,
		       "thread %d: bad block %p for %zu bytes", t, p,
		       sl->size);
		sl->p = p;
		sl->seed = ((uint64_t)t << 56) ^ (rnd(&s) << 8);
		fill(sl);
		nalloc++;
	}
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].p) {
			check(t, &slots[i]);
			CHECK_OK(rt_heap_free(&heap, slots[i].p));
		}
	(void)nfull;
	return (void *)nalloc;
}

int main(void)
{
	pthread_t thr[NTHREADS];
	const char *env = getenv("RTHEAP_STRESS_ITERS");
	unsigned long total = 0;
	uint64_t t0 = t_now_ns(), ns;
	RT_HEAP_INFO info;
	void *all;

	iters = env ? strtoul(env, NULL, 0) : DEFAULT_ITERS;
	CHECK_OK(rt_heap_create(&heap, NULL, HEAP_SIZE, H_FIFO));
	for (int i = 0; i < NTHREADS; i++)
		CHECK_OK(-pthread_create(&thr[i], NULL, worker,
					 (void *)(intptr_t)i));
	for (int i = 0; i < NTHREADS; i++) {
		void *n;

		CHECK_OK(-pthread_join(thr[i], &n));
		total += (unsigned long)n;
	}
	ns = t_now_ns() - t0;

	info = t_inquire(&heap);
	CHECK_EQ(info.usedmem, 0);
	CHECK_EQ(info.nwaiters, 0);
	for (int c = 0; c < RTHEAP_NR_CLASSES; c++)
		CHECK_EQ(info.class_blocks[c], 0);
	CHECK_EQ(info.largestfree, info.usablemem);
	CHECK_OK(rt_heap_alloc(&heap, info.usablemem, TM_NONBLOCK, &all));
	CHECK_OK(rt_heap_free(&heap, all));
	CHECK_OK(rt_heap_delete(&heap));

	printf("%d threads x %lu iterations: %lu allocations in %.1f s "
	       "(%.0f ops/s)\n", NTHREADS, iters, total, ns / 1e9,
	       (NTHREADS * (double)iters) / (ns / 1e9));
	return T_EXIT_PASS;
}
