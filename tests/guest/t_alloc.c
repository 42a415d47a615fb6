// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_alloc without waiting: -EINVAL (size 0, too large, bad heap),
 * -EWOULDBLOCK, -ETIMEDOUT never early (relative and absolute), -EIDRM on a
 * deleted heap; blocks are 16-byte aligned, inside the mapping, disjoint,
 * writable, and usedmem counts them exactly after rounding.
 */
#include <unistd.h>

#include "tcommon.h"

#define MS	1000000ULL

static void check_block(RT_HEAP *h, void *p, size_t size)
{
	char *c = p, *base = h->base;

	CHECKF(((uintptr_t)p & 15) == 0, "block %p of %zu bytes is not "
	       "16-byte aligned", p, size);
	CHECKF(c >= base && c + size <= base + h->mapsize,
	       "block %p+%zu outside the mapping %p+%zu", p, size, h->base,
	       h->mapsize);
	/* Power-of-two buckets are aligned to their size; runs to pages. */
	if (t_rounded(size) <= T_PAGE / 2)
		CHECK_EQ((c - base) % t_rounded(size), 0);
	else
		CHECK_EQ((c - base) % T_PAGE, 0);
}

static void test_errors(void)
{
	RT_HEAP h, zero;
	RT_HEAP_INFO info;
	void *p = (void *)1;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	info = t_inquire(&h);

	CHECK_RET(rt_heap_alloc(&h, 0, TM_NONBLOCK, &p), -EINVAL);
	CHECK_RET(rt_heap_alloc(&h, 0, TM_INFINITE, &p), -EINVAL);
	CHECK_RET(rt_heap_alloc(&h, info.usablemem + 1, TM_NONBLOCK, &p),
		  -EINVAL);
	/* Larger than it can ever serve: -EINVAL even with a timeout. */
	CHECK_RET(rt_heap_alloc(&h, info.usablemem + 1, TM_INFINITE, &p),
		  -EINVAL);
	CHECK_RET(rt_heap_alloc(&h, (size_t)-1, TM_INFINITE, &p), -EINVAL);
	CHECK_RET(rt_heap_alloc(&h, SIZE_TOP_BIT, 1000 * MS, &p), -EINVAL);
	CHECK_EQ(t_inquire(&h).usedmem, 0);

	memset(&zero, 0, sizeof(zero));
	CHECK_RET(rt_heap_alloc(&zero, 16, TM_NONBLOCK, &p), -EINVAL);

	/* The whole heap, then nothing. */
	CHECK_OK(rt_heap_alloc(&h, info.usablemem, TM_NONBLOCK, &p));
	check_block(&h, p, info.usablemem);
	memset(p, 0x11, info.usablemem);
	CHECK_EQ(t_inquire(&h).usedmem, info.usablemem);
	CHECK_EQ(t_inquire(&h).largestfree, 0);
	{
		void *q = NULL;

		CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
		CHECK_RET(rt_heap_alloc(&h, info.usablemem, TM_NONBLOCK, &q),
			  -EWOULDBLOCK);
	}
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_timeouts(void)
{
	static const RTIME rel[] = { 1 * MS, 20 * MS, 100 * MS };
	struct rtheap_version v = t_version();
	RT_HEAP h;
	void *p, *q;
	uint64_t t0, t1;

	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		t0 = t_now_ns();
		CHECK_RET(rt_heap_alloc(&h, 16, rel[i], &q), -ETIMEDOUT);
		t1 = t_now_ns();
		CHECKF(t1 - t0 >= rel[i], "relative timeout of %llu ns "
		       "returned after %llu ns", (unsigned long long)rel[i],
		       (unsigned long long)(t1 - t0));
		CHECK_EQ(t_inquire(&h).nwaiters, 0);
	}

	if (v.features & RTHEAP_FEAT_ABS_TIMEOUT) {
		uint64_t deadline = t_now_ns() + 30 * MS;

		CHECK_RET(rt_heap_alloc_until(&h, 16, deadline, &q), -ETIMEDOUT);
		t1 = t_now_ns();
		CHECKF(t1 >= deadline, "absolute timeout returned %llu ns "
		       "before its deadline",
		       (unsigned long long)(deadline - t1));
		/* A deadline in the past times out at once. */
		t0 = t_now_ns();
		CHECK_RET(rt_heap_alloc_until(&h, 16, t0 - 1000 * MS, &q),
			  -ETIMEDOUT);
		CHECK_RET(rt_heap_alloc_until(&h, 16, 1, &q), -ETIMEDOUT);
		CHECKF(t_now_ns() - t0 < 1000 * MS,
		       "alloc_until with a past deadline waited");
		/* With room it succeeds whatever the deadline. */
		CHECK_OK(rt_heap_free(&h, p));
		CHECK_OK(rt_heap_alloc_until(&h, T_PAGE, 1, &p));
	} else {
		t_log("no RTHEAP_FEAT_ABS_TIMEOUT: rt_heap_alloc_until untested");
	}
	/* A timeout is no obstacle when there is room. */
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, 1, &p));
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_deleted(void)
{
	RT_HEAP h, b;
	const char *n = t_name("t_alloc");
	void *p;

	CHECK_OK(rt_heap_create(&h, n, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_alloc(&b, 16, TM_NONBLOCK, &p), -EIDRM);
	CHECK_RET(rt_heap_alloc(&b, 16, TM_INFINITE, &p), -EIDRM);
	CHECK_RET(rt_heap_alloc(&b, 16, 10 * MS, &p), -EIDRM);
	CHECK_OK(rt_heap_unbind(&b));
}

/* Every size class and a few page runs, with exact usedmem accounting. */
static void test_sizes(void)
{
	static const size_t sizes[] = {
		1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129,
		255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025, 2047,
		2048, 2049, 3000, 4095, 4096, 4097, 8191, 8192, 8193, 12288,
		20000,
	};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	void *blk[N];
	size_t used = 0;
	RT_HEAP h;
	RT_HEAP_INFO info;

	CHECK_OK(rt_heap_create(&h, NULL, 64 * T_PAGE, H_FIFO));
	for (int i = 0; i < N; i++) {
		CHECK_OK(rt_heap_alloc(&h, sizes[i], TM_NONBLOCK, &blk[i]));
		check_block(&h, blk[i], sizes[i]);
		used += t_rounded(sizes[i]);
		info = t_inquire(&h);
		CHECKF(info.usedmem == used, "after alloc(%zu): usedmem %zu, "
		       "expected %zu", sizes[i], info.usedmem, used);
		t_fill(blk[i], sizes[i], i);
	}
	/* Disjoint: every pattern survived every later allocation. */
	for (int i = 0; i < N; i++)
		CHECKF(t_check_fill(blk[i], sizes[i], i),
		       "block %d (%zu bytes) was overwritten", i, sizes[i]);
	for (int i = 0; i < N; i += 2) {
		CHECK_OK(rt_heap_free(&h, blk[i]));
		used -= t_rounded(sizes[i]);
		CHECK_EQ(t_inquire(&h).usedmem, used);
	}
	for (int i = 1; i < N; i += 2) {
		CHECKF(t_check_fill(blk[i], sizes[i], i),
		       "block %d (%zu bytes) damaged by freeing others", i,
		       sizes[i]);
		CHECK_OK(rt_heap_free(&h, blk[i]));
		used -= t_rounded(sizes[i]);
		CHECK_EQ(t_inquire(&h).usedmem, used);
	}
	CHECK_EQ(used, 0);

	/* A bucket page holds exactly page/size blocks of one class. */
	{
		void *b[T_PAGE / 16];
		void *extra;
		RT_HEAP h2;

		CHECK_OK(rt_heap_create(&h2, NULL, T_PAGE, H_FIFO));
		for (size_t i = 0; i < T_PAGE / 16; i++)
			CHECK_OK(rt_heap_alloc(&h2, 16, TM_NONBLOCK, &b[i]));
		CHECK_EQ(t_inquire(&h2).usedmem, T_PAGE);
		CHECK_RET(rt_heap_alloc(&h2, 16, TM_NONBLOCK, &extra),
			  -EWOULDBLOCK);
		for (size_t i = 0; i < T_PAGE / 16; i++)
			CHECK_OK(rt_heap_free(&h2, b[i]));
		/* The emptied bucket page went back to the page pool. */
		CHECK_OK(rt_heap_alloc(&h2, T_PAGE, TM_NONBLOCK, &extra));
		CHECK_OK(rt_heap_free(&h2, extra));
		CHECK_OK(rt_heap_delete(&h2));
	}
	CHECK_OK(rt_heap_delete(&h));
}

int main(void)
{
	test_errors();
	test_timeouts();
	test_deleted();
	test_sizes();
	return T_EXIT_PASS;
}
