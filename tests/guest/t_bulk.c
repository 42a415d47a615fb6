// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_alloc_bulk and rt_heap_free_bulk: every errno; alloc all or
 * nothing (a heap that can serve n-1 blocks refuses n and is left as it
 * was: usedmem, largestfree and class counts); free's per-block results
 * for a mix of good, double-freed, foreign, misaligned, NULL and repeated
 * blocks; waiters served from a bulk free, inside it; RT_HEAP_BULK_MAX.
 */
#include <pthread.h>
#include <unistd.h>

#include "tcommon.h"

#define POISON	((void *)0x5a5a5a5aUL)

#define check_same(heap, was) check_info(t_inquire(heap), was)

static void check_info(RT_HEAP_INFO now, const RT_HEAP_INFO *b)
{
	const RT_HEAP_INFO *a = &now;

	CHECK_EQ(a->usedmem, b->usedmem);
	CHECK_EQ(a->largestfree, b->largestfree);
	CHECK_EQ(a->nwaiters, b->nwaiters);
	CHECK_EQ(a->nr_classes, b->nr_classes);
	for (int i = 0; i < RTHEAP_MAX_CLASSES; i++)
		CHECK_EQ(a->class_blocks[i], b->class_blocks[i]);
}

static void test_feature(void)
{
	CHECK(t_version().features & RTHEAP_FEAT_BULK);
	CHECK_EQ(RT_HEAP_BULK_MAX, 64);
}

static void test_alloc_errors(void)
{
	void *blk[RT_HEAP_BULK_MAX + 1];
	RT_HEAP h, s, zero;
	RT_HEAP_INFO before;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&s, NULL, T_PAGE, H_SHARED));
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < RT_HEAP_BULK_MAX + 1; i++)
		blk[i] = POISON;
	before = t_inquire(&h);

	CHECK_RET(rt_heap_alloc_bulk(NULL, 16, 1, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&zero, 16, 1, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 1, NULL), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 0, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, RT_HEAP_BULK_MAX + 1, blk),
		  -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, SIZE_MAX, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, 0, 1, blk), -EINVAL);
	/* Larger than the heap can ever serve: -EINVAL, not -EWOULDBLOCK. */
	CHECK_RET(rt_heap_alloc_bulk(&h, 4 * T_PAGE + 1, 1, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, SIZE_MAX, 2, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&h, SIZE_TOP_BIT, 2, blk), -EINVAL);
	/* H_SHARED heaps take no bulk calls. */
	CHECK_RET(rt_heap_alloc_bulk(&s, 0, 1, blk), -EINVAL);
	CHECK_RET(rt_heap_alloc_bulk(&s, T_PAGE, 1, blk), -EINVAL);
	/* Room now for 4 pages, not 5. */
	CHECK_RET(rt_heap_alloc_bulk(&h, T_PAGE, 5, blk), -EWOULDBLOCK);
	for (size_t i = 0; i < RT_HEAP_BULK_MAX + 1; i++)
		CHECK(blk[i] == POISON);
	check_same(&h, &before);

	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_delete(&s));
	/* A deleted descriptor is invalid; a bound one of a deleted heap -EIDRM. */
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 1, blk), -EINVAL);
	{
		const char *n = t_name("t_bulk_del");
		RT_HEAP c, b;

		CHECK_OK(rt_heap_create(&c, n, T_PAGE, H_FIFO));
		CHECK_OK(rt_heap_bind(&b, n));
		CHECK_OK(rt_heap_delete(&c));
		CHECK_RET(rt_heap_alloc_bulk(&b, 16, 1, blk), -EIDRM);
		CHECK(blk[0] == POISON);
		CHECK_OK(rt_heap_unbind(&b));
	}
}

/* A heap that can serve n - 1 blocks refuses n and stays as it was. */
static void test_all_or_nothing(void)
{
	void *blk[RT_HEAP_BULK_MAX], *one;
	const size_t bs = T_PAGE / 64;
	RT_HEAP_INFO before, after;
	RT_HEAP h;

	/* Page runs: 4 pages, one taken, room for 3. */
	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &one));
	before = t_inquire(&h);
	for (int i = 0; i < 4; i++)
		blk[i] = POISON;
	CHECK_RET(rt_heap_alloc_bulk(&h, T_PAGE, 4, blk), -EWOULDBLOCK);
	for (int i = 0; i < 4; i++)
		CHECK(blk[i] == POISON);
	after = t_inquire(&h);
	check_info(after, &before);
	CHECK_EQ(after.usedmem, T_PAGE);
	CHECK_EQ(after.largestfree, 3 * T_PAGE);
	/* Twice: the refused call left nothing behind. */
	CHECK_RET(rt_heap_alloc_bulk(&h, T_PAGE, 4, blk), -EWOULDBLOCK);
	check_same(&h, &before);
	CHECK_OK(rt_heap_alloc_bulk(&h, T_PAGE, 3, blk));
	for (int i = 0; i < 3; i++) {
		CHECK((char *)blk[i] >= (char *)h.base &&
		      (char *)blk[i] < (char *)h.base + h.mapsize);
		CHECK_EQ(((uintptr_t)blk[i] - (uintptr_t)h.base) % T_PAGE, 0);
		memset(blk[i], i, T_PAGE);
	}
	CHECK(blk[0] != blk[1] && blk[1] != blk[2] && blk[0] != blk[2]);
	CHECK_EQ(t_inquire(&h).usedmem, 4 * T_PAGE);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 1, blk + 3), -EWOULDBLOCK);
	CHECK_OK(rt_heap_free_bulk(&h, 3, blk, NULL));
	CHECK_OK(rt_heap_free(&h, one));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));

	/*
	 * Buckets: one page of blocks of a 64th of a page holds 64 (64 bytes
	 * at 4 KiB pages; RT_HEAP_BULK_MAX at any page size); one taken.
	 */
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, bs, TM_NONBLOCK, &one));
	before = t_inquire(&h);
	CHECK_RET(rt_heap_alloc_bulk(&h, bs, 64, blk), -EWOULDBLOCK);
	check_same(&h, &before);
	/* Another class wants a page of its own: none is free. */
	CHECK_RET(rt_heap_alloc_bulk(&h, bs / 2, 1, blk), -EWOULDBLOCK);
	check_same(&h, &before);
	CHECK_OK(rt_heap_alloc_bulk(&h, bs, 63, blk));
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE);
	for (size_t i = 0; i < 63; i++) {
		CHECK(blk[i] != one);
		CHECK_EQ(((uintptr_t)blk[i] - (uintptr_t)h.base) % bs, 0);
	}
	CHECK_OK(rt_heap_free_bulk(&h, 63, blk, NULL));
	CHECK_OK(rt_heap_free(&h, one));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	/* The emptied heap still serves its whole size in one block. */
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &one));
	CHECK_OK(rt_heap_delete(&h));
}

/* Up to RT_HEAP_BULK_MAX blocks per call, both ways. */
static void test_max(void)
{
	void *blk[RT_HEAP_BULK_MAX + 1];
	int res[RT_HEAP_BULK_MAX + 1];
	RT_HEAP h;

	CHECK_OK(rt_heap_create(&h, NULL, 64 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc_bulk(&h, 100, RT_HEAP_BULK_MAX, blk));
	CHECK_EQ(t_inquire(&h).usedmem, RT_HEAP_BULK_MAX * 128);
	CHECK_EQ(t_inquire(&h).class_blocks[3], RT_HEAP_BULK_MAX);
	blk[RT_HEAP_BULK_MAX] = blk[0];
	CHECK_RET(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX + 1, blk, res),
		  -EINVAL);
	CHECK_EQ(t_inquire(&h).usedmem, RT_HEAP_BULK_MAX * 128);
	memset(res, 1, sizeof(res));
	CHECK_OK(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX, blk, res));
	for (int i = 0; i < RT_HEAP_BULK_MAX; i++)
		CHECK_EQ(res[i], 0);
	CHECK_EQ(res[RT_HEAP_BULK_MAX], 0x01010101);	/* not written */
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	/* 64 one-page runs: the whole heap. */
	CHECK_OK(rt_heap_alloc_bulk(&h, T_PAGE, RT_HEAP_BULK_MAX, blk));
	CHECK_EQ(t_inquire(&h).usedmem, 64 * T_PAGE);
	CHECK_OK(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX, blk, NULL));
	CHECK_EQ(t_inquire(&h).largestfree, 64 * T_PAGE);
	CHECK_OK(rt_heap_delete(&h));
}

static void test_free_results(void)
{
	RT_HEAP h, other, s, zero;
	void *good[3], *dead, *foreign, *blk[10];
	int res[10];
	char *big;
	RT_HEAP_INFO before;

	CHECK_OK(rt_heap_create(&h, NULL, 16 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&other, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&s, NULL, T_PAGE, H_SHARED));
	CHECK_OK(rt_heap_alloc_bulk(&h, 64, 3, good));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, &dead));
	CHECK_OK(rt_heap_free(&h, dead));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, (void **)&big));
	CHECK_OK(rt_heap_alloc(&other, 64, TM_NONBLOCK, &foreign));
	before = t_inquire(&h);

	/* Call errors: nothing freed, results untouched. */
	memset(&zero, 0, sizeof(zero));
	memset(res, 0x7f, sizeof(res));
	CHECK_RET(rt_heap_free_bulk(NULL, 3, good, res), -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&zero, 3, good, res), -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&h, 3, NULL, res), -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&h, 0, good, res), -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX + 1, good, res),
		  -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&h, SIZE_MAX, good, res), -EINVAL);
	{
		void *seg;

		CHECK_OK(rt_heap_alloc(&s, 0, TM_NONBLOCK, &seg));
		CHECK_RET(rt_heap_free_bulk(&s, 1, &seg, res), -EINVAL);
	}
	for (int i = 0; i < 10; i++)
		CHECK_EQ(res[i], 0x7f7f7f7f);
	check_same(&h, &before);

	/* A mix: the good ones go, each bad one is -EINVAL. */
	blk[0] = good[0];
	blk[1] = dead;			/* double free */
	blk[2] = foreign;		/* another heap's */
	blk[3] = (char *)good[1] + 16;	/* inside a block */
	blk[4] = good[1];
	blk[5] = NULL;
	blk[6] = big + T_PAGE;		/* inside a page run */
	blk[7] = good[0];		/* twice in one call */
	blk[8] = (char *)h.base + 15 * T_PAGE;	/* a free page */
	blk[9] = big;
	CHECK_RET(rt_heap_free_bulk(&h, 10, blk, res), 7);
	{
		static const int want[10] = {
			0, -EINVAL, -EINVAL, -EINVAL, 0,
			-EINVAL, -EINVAL, -EINVAL, -EINVAL, 0,
		};

		for (int i = 0; i < 10; i++)
			CHECKF(res[i] == want[i], "block %d: %s, expected %s",
			       i, t_errname(res[i]), t_errname(want[i]));
	}
	CHECK_EQ(t_inquire(&h).usedmem, 64);
	CHECK_EQ(t_inquire(&other).usedmem, 64);
	/* No results array: only the count. */
	CHECK_RET(rt_heap_free_bulk(&h, 3, good, NULL), 2);
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	/* Every block bad. */
	CHECK_RET(rt_heap_free_bulk(&h, 3, good, res), 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(res[i], -EINVAL);
	CHECK_RET(rt_heap_free_bulk(&h, 1, &foreign, res), 1);
	CHECK_EQ(res[0], -EINVAL);
	CHECK_EQ(t_inquire(&other).usedmem, 64);

	/* Deleted: -EIDRM through a bound descriptor. */
	{
		const char *n = t_name("t_bulk_fdel");
		RT_HEAP c, b;
		void *p[2];

		CHECK_OK(rt_heap_create(&c, n, T_PAGE, H_FIFO));
		CHECK_OK(rt_heap_bind(&b, n));
		CHECK_OK(rt_heap_alloc_bulk(&b, 16, 2, p));
		CHECK_OK(rt_heap_delete(&c));
		memset(res, 0x7f, sizeof(res));
		CHECK_RET(rt_heap_free_bulk(&b, 2, p, res), -EIDRM);
		CHECK_EQ(res[0], 0x7f7f7f7f);
		CHECK_OK(rt_heap_unbind(&b));
	}
	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_delete(&other));
	CHECK_OK(rt_heap_delete(&s));
}

struct waiter {
	RT_HEAP *heap;
	size_t size;
	int ret;
	void *blk;
	pthread_t thr;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = rt_heap_alloc(w->heap, w->size, TM_INFINITE, &w->blk);
	return NULL;
}

static void start(struct waiter *w, RT_HEAP *h, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->heap = h;
	w->size = size;
	w->ret = 1;
	CHECK_OK(-pthread_create(&w->thr, NULL, waiter_fn, w));
}

/*
 * A waiter for the whole heap is served by one bulk free of its four
 * pages, inside the free (a newcomer finds nothing); the one queued behind
 * it by the next bulk free.
 */
static void test_waiters(void)
{
	struct waiter w[2];
	void *blk[4], *q;
	int res[4];
	RT_HEAP h;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc_bulk(&h, T_PAGE, 4, blk));
	start(&w[0], &h, 4 * T_PAGE);
	t_wait_nwaiters(&h, 1, 5000);
	start(&w[1], &h, 16);
	t_wait_nwaiters(&h, 2, 5000);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 1, &q), -EWOULDBLOCK);

	CHECK_OK(rt_heap_free_bulk(&h, 4, blk, res));
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
	CHECK_RET(rt_heap_alloc_bulk(&h, 16, 1, &q), -EWOULDBLOCK);
	t_join(w[0].thr, 10000);
	CHECK_OK(w[0].ret);
	CHECK(w[0].blk == h.base);
	CHECK_EQ(w[1].ret, 1);		/* still waiting */
	CHECK_EQ(t_inquire(&h).nwaiters, 1);
	memset(w[0].blk, 0x33, 4 * T_PAGE);

	CHECK_OK(rt_heap_free_bulk(&h, 1, &w[0].blk, res));
	t_join(w[1].thr, 10000);
	CHECK_OK(w[1].ret);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_EQ(t_inquire(&h).usedmem, 16);
	CHECK_OK(rt_heap_free_bulk(&h, 1, &w[1].blk, res));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
}

int main(void)
{
	test_feature();
	test_alloc_errors();
	test_all_or_nothing();
	test_max();
	test_free_results();
	test_waiters();
	return T_EXIT_PASS;
}
