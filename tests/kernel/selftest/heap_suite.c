// SPDX-License-Identifier: GPL-2.0
/*
 * heap_suite - the kernel-API suite "rtheap_heap": the heap object through
 * rtheap.ko's exported kernel API (rt_heap_*): create and its errors,
 * alloc/free/inquire over every size class and every error path,
 * TM_NONBLOCK, relative and absolute timeouts, waiters in kernel threads
 * granted by a free (in FIFO, nice and SCHED_FIFO priority order, in a
 * chain of grants inside one free, and past a waiter that does not fit), a
 * grant racing a timeout, delete under waiters, calls on a deleted handle,
 * hard IRQ context, atomic sections, H_SHARED, owner and permission bits,
 * and threads hammering one heap.
 *
 * One source, two modules (ktest.h): rtheap_kunit.ko runs it as a KUnit
 * suite where the kernel has KUnit (t_kunit); rtheap_selftest.ko runs the
 * same cases at insmod time everywhere else (selftest.c, t_kselftest).
 *
 * A waiter that is never woken fails its test after WAIT_MS; the heap is
 * then deleted to release it, and if even that does not, the module pins
 * itself so that rmmod cannot pull the code from under the thread.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <uapi/linux/sched/types.h>

#include <rtheap/heap.h>

#include "ktest.h"

#define PG		PAGE_SIZE
#define MS		1000000ULL
#define WAIT_MS		5000	/* a waiter must be done by then */
#define SLACK_NS	(2000 * MS)	/* timeouts: late by at most this */
#define MAX_HEAPS	8

/* Per test: heaps to delete at the end, whatever happened. */
struct heap_ctx {
	RT_HEAP heaps[MAX_HEAPS];
	bool live[MAX_HEAPS];
	int n;
};

static int heap_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct heap_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void heap_test_exit(struct kunit *test)
{
	struct heap_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < ctx->n; i++)
		if (ctx->live[i])
			rt_heap_delete(&ctx->heaps[i]);
}

/* A new heap that is deleted at the end of the test if still there. */
static RT_HEAP *new_heap(struct kunit *test, const char *name, size_t size,
			 int mode)
{
	struct heap_ctx *ctx = test->priv;
	RT_HEAP *h;
	int ret;

	KUNIT_ASSERT_LT(test, ctx->n, MAX_HEAPS);
	h = &ctx->heaps[ctx->n];
	ret = rt_heap_create(h, name, size, mode);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "rt_heap_create(%s, %zu, %#x)",
			    name ? name : "NULL", size, mode);
	ctx->live[ctx->n++] = true;
	return h;
}

static RT_HEAP_INFO inquire(struct kunit *test, RT_HEAP *h)
{
	RT_HEAP_INFO info;

	memset(&info, 0x5a, sizeof(info));
	KUNIT_EXPECT_EQ(test, rt_heap_inquire(h, &info), 0);
	return info;
}

/* The heap's base address: the whole heap is one block of a fresh heap. */
static char *heap_base(struct kunit *test, RT_HEAP *h, size_t size)
{
	void *p = NULL;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, ALIGN(size, PG), TM_NONBLOCK, &p), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_free(h, p), 0);
	return p;
}

/* The size a block of size bytes takes from the heap (usedmem). */
static size_t rounded(size_t size)
{
	size_t r = RTHEAP_MIN_BLOCK;

	if (size > PG / 2)
		return ALIGN(size, PG);
	while (r < size)
		r <<= 1;
	return r;
}

/* --- waiters in kernel threads ------------------------------------------------ */

/* Who was served, in order (a static one: a stuck waiter may outlive a test). */
struct grants {
	atomic_t n;
	int who[8];
};

struct waiter {
	RT_HEAP *heap;
	size_t size;
	RTIME timeout;
	bool absolute;
	int nice;		/* SCHED_NORMAL nice value */
	int rt_prio;		/* if not 0: SCHED_FIFO at this priority instead */
	bool release;		/* free the block at once (for the next waiter) */
	int idx;		/* written over the block, and into *grants */
	struct grants *grants;
	int ret, free_ret;
	void *block;
	u64 t_start, t_end;
	bool joined;		/* waiter_join() saw it finish */
	struct completion started, done;
};

static int waiter_fn(void *arg)
{
	struct waiter *w = arg;

	if (w->rt_prio) {
		struct sched_attr attr = {
			.size = sizeof(attr),
			.sched_policy = SCHED_FIFO,
			.sched_priority = w->rt_prio,
		};

		w->ret = sched_setattr_nocheck(current, &attr);
		if (w->ret) {
			complete(&w->started);
			kthread_complete_and_exit(&w->done, 0);
		}
	} else if (w->nice) {
		sched_set_normal(current, w->nice);
	}
	w->t_start = ktime_get_ns();
	complete(&w->started);
	if (w->absolute)
		w->ret = rt_heap_alloc_until(w->heap, w->size, w->timeout, &w->block);
	else
		w->ret = rt_heap_alloc(w->heap, w->size, w->timeout, &w->block);
	w->t_end = ktime_get_ns();
	if (!w->ret) {
		if (w->grants) {
			int i = atomic_inc_return(&w->grants->n) - 1;

			if (i < ARRAY_SIZE(w->grants->who))
				w->grants->who[i] = w->idx;
		}
		memset(w->block, w->idx, w->size);
		if (w->release)
			w->free_ret = rt_heap_free(w->heap, w->block);
	}
	/* No module code runs after this: rmmod may go ahead. */
	kthread_complete_and_exit(&w->done, 0);
}

/* A waiter for size bytes, not started yet: set more fields, then waiter_go(). */
static struct waiter *waiter_new(struct kunit *test, RT_HEAP *heap, size_t size,
				 RTIME timeout)
{
	struct waiter *w = kzalloc(sizeof(*w), GFP_KERNEL);	/* see waiter_join */

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->heap = heap;
	w->size = size;
	w->timeout = timeout;
	init_completion(&w->started);
	init_completion(&w->done);
	return w;
}

/* Start the waiter's thread; it is about to call rt_heap_alloc when this returns. */
static void waiter_go(struct kunit *test, struct waiter *w)
{
	struct task_struct *t = kthread_run(waiter_fn, w, "rth_kapi_w%d", w->idx);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&w->started);
}

static struct waiter *waiter_start(struct kunit *test, RT_HEAP *heap,
				   size_t size, RTIME timeout, int nice)
{
	struct waiter *w = waiter_new(test, heap, size, timeout);

	w->nice = nice;
	waiter_go(test, w);
	return w;
}

static bool waiter_done(struct waiter *w)
{
	return completion_done(&w->done);
}

/*
 * Wait for the waiter to return; false (and a failure) if it is still
 * blocked after WAIT_MS.  Then the heap goes, which must release it; a
 * waiter still stuck pins the module and is leaked rather than freed.
 */
static bool waiter_join(struct kunit *test, struct waiter *w)
{
	if (wait_for_completion_timeout(&w->done, msecs_to_jiffies(WAIT_MS))) {
		w->joined = true;
		return true;
	}
	KUNIT_FAIL(test, "waiter for %zu bytes still blocked after %d ms (lost wakeup?)",
		   w->size, WAIT_MS);
	rt_heap_delete(w->heap);
	if (!wait_for_completion_timeout(&w->done, msecs_to_jiffies(WAIT_MS))) {
		KUNIT_FAIL(test, "and still blocked after its heap went: stuck, module pinned");
		__module_get(THIS_MODULE);
		return false;
	}
	w->joined = true;
	return false;
}

/*
 * Free a waiter whose thread has finished (joined, or done and not yet
 * waited for: a join consumes the completion).  One still blocked is
 * leaked: its thread may still write to it.
 */
static void waiter_free(struct waiter *w)
{
	if (w->joined || waiter_done(w))
		kfree(w);
}

/* Poll until the heap has n waiters (they queue asynchronously). */
static void wait_nwaiters(struct kunit *test, RT_HEAP *h, int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(WAIT_MS);
	RT_HEAP_INFO info;

	for (;;) {
		KUNIT_ASSERT_EQ(test, rt_heap_inquire(h, &info), 0);
		if (info.nwaiters == n)
			return;
		if (time_after(jiffies, end))
			break;
		usleep_range(500, 1000);
	}
	KUNIT_ASSERT_EQ_MSG(test, info.nwaiters, n, "waiters after %d ms", WAIT_MS);
}

/* --- tests ------------------------------------------------------------------------ */

static void create_errors(struct kunit *test)
{
	RT_HEAP h, h2;

	KUNIT_EXPECT_EQ(test, rt_heap_create(NULL, "kunit.c", PG, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, 0x2), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, 0x8), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, 0x80000), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", SIZE_MAX, 0), -EINVAL);
#if BITS_PER_LONG == 64
	/* Metadata beyond kvmalloc()'s INT_MAX: refused, with no warning. */
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", 128ULL << 30, 0),
			-ENOMEM);
#endif
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "0123456789abcdef0123456789abcdef",
					     PG, 0), -ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "a b", PG, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "bad name", PG, H_FIFO), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "a/b", PG, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "a\x01", PG, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "a\x80", PG, 0), -EINVAL);

	/* 31 characters is fine; the name is then taken. */
	KUNIT_ASSERT_EQ(test, rt_heap_create(&h, "kunit.0123456789012345678901234",
					     PG, 0), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h2, "kunit.0123456789012345678901234",
					     PG, H_PRIO), -EEXIST);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(&h), 0);
	/* Deleted: the name is free again at once. */
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h2, "kunit.0123456789012345678901234",
					     PG, 0), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(&h2), 0);
	/* NULL and "" make anonymous heaps, any number of them. */
	KUNIT_ASSERT_EQ(test, rt_heap_create(&h, NULL, PG, 0), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_create(&h2, "", PG, 0), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, &h2).name[0], 0);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(&h), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(&h2), 0);
}

static void alloc_free_inquire(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.afi", 3 * PG + 100, H_FIFO);
	char *base = heap_base(test, h, 4 * PG);
	RT_HEAP_INFO info;
	void *p, *q;
	int c;

	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.nwaiters, 0);
	KUNIT_EXPECT_EQ(test, info.mode, H_FIFO);
	KUNIT_EXPECT_EQ(test, info.heapsize, 3 * PG + 100);
	KUNIT_EXPECT_EQ(test, info.usablemem, 4 * PG);
	KUNIT_EXPECT_EQ(test, info.usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, info.largestfree, 4 * PG);
	KUNIT_EXPECT_EQ(test, info.nmaps, 0);
	KUNIT_EXPECT_EQ(test, info.nbound, 0);
	KUNIT_EXPECT_EQ(test, info.uid, 0U);
	KUNIT_EXPECT_EQ(test, info.gid, 0U);
	KUNIT_EXPECT_EQ(test, info.perm, 0600U);
	KUNIT_EXPECT_EQ(test, info.cpid, 0);
	KUNIT_EXPECT_STREQ(test, info.name, "kunit.afi");

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 100, TM_NONBLOCK, &p), 0);
	KUNIT_EXPECT_TRUE(test, (char *)p >= base && (char *)p + 100 <= base + 4 * PG);
	KUNIT_EXPECT_EQ(test, (unsigned long)p % 16, 0UL);
	memset(p, 0xa5, 100);
	/* A one-page run at any page size: 3000 bytes at 4 KiB pages. */
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG / 2 + 952, TM_INFINITE, &q), 0);
	KUNIT_EXPECT_EQ(test, (unsigned long)(q - (void *)base) % PG, 0UL);
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.usedmem, (size_t)128 + PG);
	KUNIT_EXPECT_EQ(test, info.class_blocks[3], 1UL);	/* 128 bytes */
	for (c = 0; c < RTHEAP_MAX_CLASSES; c++)
		if (c != 3)
			KUNIT_EXPECT_EQ(test, info.class_blocks[c], 0UL);
	KUNIT_EXPECT_EQ(test, info.largestfree, 2 * PG);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, q), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, 4 * PG);

	/*
	 * Documentation/design.md: a 16 KiB heap serves two 8 KiB blocks or
	 * one 16 KiB.
	 */
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 8192, TM_NONBLOCK, &p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 8192, TM_NONBLOCK, &q), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, q), 0);
}

/* One block of every size class and page runs, counted and filled. */
static void alloc_free_sizes(struct kunit *test)
{
	static const size_t sizes[] = { 1, 16, 17, 100, 500, 2048, 2049,
					5000, 8192 };
	RT_HEAP *h = new_heap(test, "kunit.sizes", 16 * PG, H_FIFO);
	void *blk[ARRAY_SIZE(sizes)], *p, *all;
	RT_HEAP_INFO info = inquire(test, h);
	size_t used = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, sizes[i], TM_NONBLOCK, &blk[i]), 0);
		KUNIT_EXPECT_EQ(test, (unsigned long)blk[i] % 16, 0UL);
		memset(blk[i], i + 1, sizes[i]);
		used += rounded(sizes[i]);
		KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, used);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ(test, ((u8 *)blk[i])[sizes[i] - 1], i + 1);

	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 0, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, info.usablemem + 1, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, SIZE_MAX, TM_INFINITE, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, (char *)blk[3] + 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, (char *)blk[8] + PG), -EINVAL);	/* run interior */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, &info), -EINVAL);	/* not in the heap */
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, used);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, blk[i]), 0);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, blk[i]), -EINVAL);
	}
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.usedmem, (size_t)0);
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		KUNIT_EXPECT_EQ(test, info.class_blocks[i], 0UL);

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, info.usablemem, TM_NONBLOCK, &all), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &p), -EWOULDBLOCK);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, (size_t)0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, all), 0);
}

static void alloc_free_errors(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 2 * PG, H_FIFO);
	char *base = heap_base(test, h, 2 * PG);
	RT_HEAP bogus = { 0 };
	void *p = NULL, *q;
	RT_HEAP_INFO info;

	KUNIT_EXPECT_EQ(test, rt_heap_alloc(NULL, 16, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(&bogus, 16, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 0, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 2 * PG + 1, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 2 * PG + 1, TM_INFINITE, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, SIZE_MAX, TM_NONBLOCK, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_inquire(NULL, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_inquire(h, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_inquire(&bogus, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(&bogus), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(NULL), -EINVAL);

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 64, TM_NONBLOCK, &p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(NULL, p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(&bogus, p), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p + 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p + 64), -EINVAL);	/* a free block */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, base + PG), -EINVAL);	/* a free page */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, base + 2 * PG), -EINVAL);	/* past it */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, base - 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, (void *)0x1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)64);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), -EINVAL);	/* double free */

	/* Full: TM_NONBLOCK says so at once. */
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG, TM_NONBLOCK, &p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 2 * PG, TM_NONBLOCK, &q), -EWOULDBLOCK);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

static void timeouts(struct kunit *test)
{
	static const RTIME rel[] = { 1 * MS, 10 * MS, 30 * MS, 50 * MS };
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	u64 t0, dt, deadline;
	struct waiter *w;
	void *p, *q;
	int i;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);

	for (i = 0; i < ARRAY_SIZE(rel); i++) {
		t0 = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, rel[i], &q), -ETIMEDOUT);
		dt = ktime_get_ns() - t0;
		KUNIT_EXPECT_GE(test, dt, rel[i]);
		KUNIT_EXPECT_LT(test, dt, rel[i] + SLACK_NS);
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
	}

	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, 1, &q), -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, ktime_get_ns() - t0, SLACK_NS);

	deadline = ktime_get_ns() + 20 * MS;
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, deadline, &q), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_get_ns(), deadline);
	KUNIT_EXPECT_LT(test, ktime_get_ns(), deadline + SLACK_NS);

	/* A deadline in the past: at once. */
	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, t0 - 1, &q), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, 1, &q), -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, ktime_get_ns() - t0, SLACK_NS);
	/* TM_NONBLOCK keeps its meaning for the absolute form. */
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);

	/* A waiter thread times out too, and is counted while it waits. */
	w = waiter_start(test, h, 16, 200 * MS, 0);
	wait_nwaiters(test, h, 1);
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, -ETIMEDOUT);
		KUNIT_EXPECT_GE(test, w->t_end - w->t_start, 200 * MS);
	}
	waiter_free(w);
	KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);

	/* Room: no wait at all, whatever the timeout. */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, PG, 1, &p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, 30 * MS, &q), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, ktime_get_ns() - 1, &p), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
}

static void waiter_granted_by_free(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.wait", 2 * PG, H_FIFO);
	struct waiter *w;
	void *p, *q;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG, TM_NONBLOCK, &p), 0);
	w = waiter_start(test, h, 100, TM_INFINITE, 0);
	wait_nwaiters(test, h, 1);
	KUNIT_EXPECT_FALSE(test, waiter_done(w));
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		/* Handed over inside the free: already counted. */
		KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)128);
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, w->block), 0);
	}
	waiter_free(w);

	/* A waiter with a timeout, granted well before it. */
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG, TM_NONBLOCK, &p), 0);
	w = waiter_start(test, h, 2 * PG, 60000 * MS, 0);
	wait_nwaiters(test, h, 1);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	/* Handed over inside the free: not a newcomer's to take. */
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		KUNIT_EXPECT_PTR_EQ(test, w->block, p);
		KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, 2 * PG);
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, w->block), 0);
	}
	waiter_free(w);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

/*
 * Waiters of SCHED_FIFO priorities prios[] queue in that order for the
 * whole heap; one free starts a chain of grants, each waiter freeing its
 * block for the next, in the order expect[] (waiter numbers).
 */
static void grant_chain(struct kunit *test, int mode, const int *prios, int n,
			const int *expect)
{
	static struct grants g;
	RT_HEAP *h = new_heap(test, NULL, PG, mode);
	struct waiter *w[5];
	int i, served;
	void *p;

	KUNIT_ASSERT_LT(test, n, ARRAY_SIZE(w) + 1);
	atomic_set(&g.n, 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
	for (i = 0; i < n; i++) {
		w[i] = waiter_new(test, h, PG, TM_INFINITE);
		w[i]->rt_prio = prios[i];
		w[i]->release = true;
		w[i]->idx = i;
		w[i]->grants = &g;
		waiter_go(test, w[i]);
		wait_nwaiters(test, h, i + 1);
	}
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	for (i = 0; i < n; i++)
		if (waiter_join(test, w[i])) {
			KUNIT_EXPECT_EQ(test, w[i]->ret, 0);
			KUNIT_EXPECT_EQ(test, w[i]->free_ret, 0);
		}
	served = atomic_read(&g.n);
	KUNIT_EXPECT_EQ(test, served, n);
	for (i = 0; i < n && i < served; i++)
		KUNIT_EXPECT_EQ_MSG(test, g.who[i], expect[i],
				    "%s: grant #%d: waiter %d (prio %d), want %d (prio %d)",
				    mode & H_PRIO ? "H_PRIO" : "H_FIFO", i, g.who[i],
				    prios[g.who[i]], expect[i], prios[expect[i]]);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	for (i = 0; i < n; i++)
		waiter_free(w[i]);
}

static const int chain_prios[] = { 10, 30, 20, 40, 20 };

/*
 * Three waiters for the whole heap are served in arrival order, one free
 * at a time; then a chain of grants, whatever the waiters' priorities.
 */
static void fifo_order(struct kunit *test)
{
	static const int arrival[] = { 0, 1, 2, 3, 4 };

	RT_HEAP *h = new_heap(test, NULL, 2 * PG, H_FIFO);
	struct waiter *w[3];
	void *p;
	int i, j;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG, TM_NONBLOCK, &p), 0);
	for (i = 0; i < 3; i++) {
		w[i] = waiter_start(test, h, 2 * PG, TM_INFINITE, 0);
		wait_nwaiters(test, h, i + 1);
	}
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, rt_heap_free(h, p), 0);
		if (!waiter_join(test, w[i]))
			break;
		KUNIT_EXPECT_EQ(test, w[i]->ret, 0);
		for (j = i + 1; j < 3; j++)
			KUNIT_EXPECT_FALSE_MSG(test, waiter_done(w[j]),
					       "waiter %d served before waiter %d", j, i);
		p = w[i]->block;
	}
	if (i == 3)
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	for (j = 0; j < 3; j++)
		waiter_free(w[j]);

	grant_chain(test, H_FIFO, chain_prios, ARRAY_SIZE(chain_prios), arrival);
}

/*
 * H_PRIO: the most urgent (lowest prio value, here: lowest nice) first;
 * then a chain of grants by SCHED_FIFO priority, equal ones in arrival
 * order.
 */
static void prio_order(struct kunit *test)
{
	static const int by_prio[] = { 3, 1, 2, 4, 0 };
	static const int nices[3] = { 10, -5, 0 };
	static const int order[3] = { 1, 2, 0 };
	RT_HEAP *h = new_heap(test, NULL, PG, H_PRIO);
	struct waiter *w[3];
	void *p;
	int i, j;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
	for (i = 0; i < 3; i++) {
		w[i] = waiter_start(test, h, PG, TM_INFINITE, nices[i]);
		wait_nwaiters(test, h, i + 1);
	}
	for (i = 0; i < 3; i++) {
		struct waiter *next = w[order[i]];

		KUNIT_ASSERT_EQ(test, rt_heap_free(h, p), 0);
		if (!waiter_join(test, next))
			break;
		KUNIT_EXPECT_EQ(test, next->ret, 0);
		for (j = i + 1; j < 3; j++)
			KUNIT_EXPECT_FALSE_MSG(test, waiter_done(w[order[j]]),
					       "nice %d served before nice %d",
					       nices[order[j]], nices[order[i]]);
		p = next->block;
	}
	if (i == 3)
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	for (j = 0; j < 3; j++)
		waiter_free(w[j]);

	grant_chain(test, H_PRIO, chain_prios, ARRAY_SIZE(chain_prios), by_prio);
}

/*
 * A small request behind a big one that does not fit is served first; the
 * big one waits until both pages are free, whichever goes back first.
 */
static void pass_over_one(struct kunit *test, RT_HEAP *h, size_t small_size,
			  RTIME timeout)
{
	struct waiter *big, *small;
	void *a, *b;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &a), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &b), 0);
	big = waiter_start(test, h, 2 * PG, timeout, 0);
	wait_nwaiters(test, h, 1);
	small = waiter_start(test, h, small_size, timeout, 0);
	wait_nwaiters(test, h, 2);

	KUNIT_EXPECT_EQ(test, rt_heap_free(h, a), 0);
	if (waiter_join(test, small)) {
		KUNIT_EXPECT_EQ(test, small->ret, 0);
		if (small_size == PG)
			KUNIT_EXPECT_PTR_EQ(test, small->block, a);
		KUNIT_EXPECT_FALSE(test, waiter_done(big));
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 1);
		if (small_size < PG) {
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, b), 0);
			KUNIT_EXPECT_FALSE(test, waiter_done(big));
			/* The small block's page goes back: now the big one fits. */
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, small->block), 0);
		} else {
			/* One page free again: still not enough. */
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, small->block), 0);
			msleep(20);
			KUNIT_EXPECT_FALSE(test, waiter_done(big));
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, b), 0);
		}
		if (waiter_join(test, big)) {
			KUNIT_EXPECT_EQ(test, big->ret, 0);
			KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, 2 * PG);
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, big->block), 0);
		}
	}
	waiter_free(small);
	waiter_free(big);
}

static void pass_over(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 2 * PG, H_FIFO);

	pass_over_one(test, h, 16, TM_INFINITE);
	pass_over_one(test, h, PG, 10000 * MS);
}

/*
 * A free racing a waiter's timeout: either the waiter gets the block or it
 * times out and the block stays free - never both, never neither.
 */
static void grant_races_timeout(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	int i, granted = 0, timedout = 0;
	void *p;

	for (i = 0; i < 60; i++) {
		struct waiter *w;
		RT_HEAP_INFO info;

		unsigned long tmo_us = 1000 * (1 + i % 5), at_us;

		KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
		w = waiter_start(test, h, PG, tmo_us * 1000ULL, 0);
		/* Free before, around and after the deadline. */
		at_us = tmo_us * (i % 4) / 2;
		usleep_range(at_us, at_us + 200);
		KUNIT_ASSERT_EQ(test, rt_heap_free(h, p), 0);
		if (!waiter_join(test, w))
			return;
		info = inquire(test, h);
		if (w->ret == 0) {
			granted++;
			KUNIT_EXPECT_EQ(test, info.usedmem, PG);
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, w->block), 0);
		} else {
			timedout++;
			KUNIT_EXPECT_EQ(test, w->ret, -ETIMEDOUT);
			KUNIT_EXPECT_EQ(test, info.usedmem, (size_t)0);
			KUNIT_EXPECT_GE(test, w->t_end - w->t_start, w->timeout);
		}
		KUNIT_EXPECT_EQ(test, info.nwaiters, 0);
		waiter_free(w);
	}
	kunit_info(test, "%d granted, %d timed out", granted, timedout);
}

/* Waiters of every kind: with and without a timeout, SCHED_FIFO too. */
static const struct {
	size_t size;
	RTIME timeout;
	int rt_prio;
} doomed[] = {
	{ 16, TM_INFINITE, 0 },
	{ 32, TM_INFINITE, 0 },
	{ 64, TM_INFINITE, 0 },
	{ 128, 60000 * MS, 0 },
	{ PG, 60000 * MS, 0 },
	{ 16, TM_INFINITE, 20 },
};

static void delete_wakes_waiters(struct kunit *test)
{
	struct heap_ctx *ctx = test->priv;
	RT_HEAP *h = new_heap(test, "kunit.del", PG, H_PRIO);
	struct waiter *w[ARRAY_SIZE(doomed)];
	RT_HEAP_INFO info;
	void *p, *q;
	int i;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
	for (i = 0; i < ARRAY_SIZE(doomed); i++) {
		w[i] = waiter_new(test, h, doomed[i].size, doomed[i].timeout);
		w[i]->rt_prio = doomed[i].rt_prio;
		w[i]->idx = i;
		waiter_go(test, w[i]);
		wait_nwaiters(test, h, i + 1);
	}
	KUNIT_EXPECT_EQ(test, rt_heap_delete(h), 0);
	ctx->live[h - ctx->heaps] = false;
	for (i = 0; i < ARRAY_SIZE(doomed); i++) {
		if (waiter_join(test, w[i])) {
			KUNIT_EXPECT_EQ(test, w[i]->ret, -EIDRM);
			KUNIT_EXPECT_LT(test, w[i]->t_end - w[i]->t_start,
					(u64)WAIT_MS * MS);
		}
		waiter_free(w[i]);
	}
	/* Every call on the deleted handle: -EIDRM. */
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_INFINITE, &q), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_inquire(h, &info), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(h), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(h, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
						0600), -EIDRM);
	/* The name is free again. */
	h = new_heap(test, "kunit.del", PG, 0);
}

/* --- hard IRQ context ------------------------------------------------------------ */

enum irq_op { IRQ_ALLOC_FREE, IRQ_ALLOC_FULL, IRQ_FREE, IRQ_FORBIDDEN };

/* Static: the timer must not live in memory a failed test frees. */
static struct irq_test {
	struct hrtimer timer;
	struct completion done;
	RT_HEAP *heap;
	RT_HEAP tmp;		/* created by IRQ_FORBIDDEN, should that work */
	enum irq_op op;
	void *blk;
	bool hardirq;
	int ret[4];
} irqt;

static enum hrtimer_restart irq_fn(struct hrtimer *timer)
{
	void *p = NULL;

	irqt.hardirq = in_hardirq() && irqs_disabled();
	switch (irqt.op) {
	case IRQ_ALLOC_FREE:
		irqt.ret[0] = rt_heap_alloc(irqt.heap, 100, TM_NONBLOCK, &p);
		if (!irqt.ret[0]) {
			memset(p, 0xa5, 100);
			irqt.ret[1] = rt_heap_free(irqt.heap, p);
			irqt.ret[3] = rt_heap_free(irqt.heap, p);	/* double */
		}
		irqt.ret[2] = rt_heap_alloc(irqt.heap, PG, TM_NONBLOCK, &irqt.blk);
		break;
	case IRQ_ALLOC_FULL:
		irqt.ret[0] = rt_heap_alloc(irqt.heap, 16, TM_NONBLOCK, &p);
		break;
	case IRQ_FREE:
		irqt.ret[0] = rt_heap_free(irqt.heap, irqt.blk);
		break;
	case IRQ_FORBIDDEN:
		irqt.ret[0] = rt_heap_alloc(irqt.heap, 16, TM_INFINITE, &p);
		irqt.ret[1] = rt_heap_alloc(irqt.heap, 16, 5 * MS, &p);
		irqt.ret[2] = rt_heap_create(&irqt.tmp, NULL, PG, H_FIFO);
		break;
	}
	complete(&irqt.done);
	return HRTIMER_NORESTART;
}

/* Run op in a hard-IRQ hrtimer callback; false if it never ran. */
static bool in_irq_run(struct kunit *test, enum irq_op op)
{
	irqt.op = op;
	irqt.hardirq = false;
	memset(irqt.ret, 0x7f, sizeof(irqt.ret));
	reinit_completion(&irqt.done);
	hrtimer_start(&irqt.timer, ns_to_ktime(100000), HRTIMER_MODE_REL_HARD);
	if (!wait_for_completion_timeout(&irqt.done, 5 * HZ)) {
		hrtimer_cancel(&irqt.timer);
		KUNIT_FAIL(test, "hrtimer callback did not run in 5 s");
		return false;
	}
	KUNIT_EXPECT_TRUE(test, irqt.hardirq);
	return true;
}

static void hardirq(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.irq", 2 * PG, H_FIFO);
	struct waiter *w;
	void *p;

#ifdef RTHEAP_HAVE_HRTIMER_SETUP
	/* 6.13 added it; hrtimer_init() went soon after. */
	hrtimer_setup(&irqt.timer, irq_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
#else
	hrtimer_init(&irqt.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irqt.timer.function = irq_fn;
#endif
	init_completion(&irqt.done);
	irqt.heap = h;

	if (in_irq_run(test, IRQ_ALLOC_FREE)) {
		KUNIT_EXPECT_EQ(test, irqt.ret[0], 0);
		KUNIT_EXPECT_EQ(test, irqt.ret[1], 0);
		KUNIT_EXPECT_EQ(test, irqt.ret[2], 0);
		KUNIT_EXPECT_EQ(test, irqt.ret[3], -EINVAL);
	}
	/* Fill the rest from process context: the IRQ finds no room. */
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
	if (in_irq_run(test, IRQ_ALLOC_FULL))
		KUNIT_EXPECT_EQ(test, irqt.ret[0], -EWOULDBLOCK);
	/* Blocking calls and create are refused in hard IRQ context. */
	if (in_irq_run(test, IRQ_FORBIDDEN)) {
		KUNIT_EXPECT_EQ(test, irqt.ret[0], -EPERM);
		KUNIT_EXPECT_EQ(test, irqt.ret[1], -EPERM);
		KUNIT_EXPECT_EQ(test, irqt.ret[2], -EPERM);
		if (!irqt.ret[2])
			rt_heap_delete(&irqt.tmp);
	}
	KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);

	/* A free in hard IRQ context hands the page to a waiting thread. */
	w = waiter_start(test, h, PG, TM_INFINITE, 0);
	wait_nwaiters(test, h, 1);
	if (in_irq_run(test, IRQ_FREE))
		KUNIT_EXPECT_EQ(test, irqt.ret[0], 0);
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		KUNIT_EXPECT_PTR_EQ(test, w->block, irqt.blk);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, w->block), 0);
	}
	waiter_free(w);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

/* --- atomic sections in process context ------------------------------------------ */

static DEFINE_SPINLOCK(test_lock);
static DEFINE_RAW_SPINLOCK(test_raw_lock);

/* --- bulk alloc and free ---------------------------------------------------------- */

static void bulk_errors(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 4 * PG, H_FIFO);
	RT_HEAP *s = new_heap(test, NULL, PG, H_SHARED);
	void *blk[8] = { }, *seg;
	RT_HEAP bogus = { 0 };
	int res[8], i;

	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(NULL, 16, 1, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(&bogus, 16, 1, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 16, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 16, 0, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 16, RT_HEAP_BULK_MAX + 1, blk),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 16, SIZE_MAX, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 0, 1, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 4 * PG + 1, 1, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, SIZE_MAX, 2, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, PG, 5, blk), -EWOULDBLOCK);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(s, 0, 1, blk), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(s, PG, 1, blk), -EINVAL);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_PTR_EQ(test, blk[i], (void *)NULL);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);

	memset(res, 0x7f, sizeof(res));
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(NULL, 1, blk, res), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(&bogus, 1, blk, res), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 1, NULL, res), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 0, blk, res), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, RT_HEAP_BULK_MAX + 1, blk, res),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(s, 0, TM_NONBLOCK, &seg), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(s, 1, &seg, res), -EINVAL);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, res[i], 0x7f7f7f7f);

	/* Deleted: -EIDRM, both ways. */
	KUNIT_ASSERT_EQ(test, rt_heap_alloc_bulk(h, 16, 2, blk), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_delete(h), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, 16, 1, blk), -EIDRM);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 2, blk, res), -EIDRM);
	KUNIT_EXPECT_EQ(test, res[0], 0x7f7f7f7f);
}

/* A heap that can serve n - 1 blocks refuses n and is left as it was. */
static void bulk_all_or_nothing(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	RT_HEAP_INFO before, after;
	void **blk, *one;
	/* 64 blocks of a 64th of a page fill one page, at any page size. */
	const size_t bs = PG / 64, n = 64;
	const int cls = ilog2(bs) - 4;	/* class i: 16 << i bytes */
	size_t i;

	blk = kunit_kzalloc(test, RT_HEAP_BULK_MAX * sizeof(*blk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, bs, TM_NONBLOCK, &one), 0);
	before = inquire(test, h);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_bulk(h, bs, n, blk), -EWOULDBLOCK);
	after = inquire(test, h);
	KUNIT_EXPECT_EQ(test, after.usedmem, before.usedmem);
	KUNIT_EXPECT_EQ(test, after.largestfree, before.largestfree);
	KUNIT_EXPECT_EQ(test, after.class_blocks[cls], before.class_blocks[cls]);
	KUNIT_EXPECT_EQ(test, after.class_blocks[cls], 1UL);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, blk[i], (void *)NULL);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc_bulk(h, bs, n - 1, blk), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, PG);
	for (i = 0; i < n - 1; i++) {
		KUNIT_EXPECT_TRUE(test, blk[i] != one);
		memset(blk[i], 0xa5, bs);
	}
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, n - 1, blk, NULL), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, one), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);

	/* The most per call, both ways. */
	h = new_heap(test, NULL, RT_HEAP_BULK_MAX * PG, H_FIFO);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc_bulk(h, PG, RT_HEAP_BULK_MAX, blk), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, RT_HEAP_BULK_MAX * PG);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, RT_HEAP_BULK_MAX, blk, NULL), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, RT_HEAP_BULK_MAX * PG);
}

static void bulk_free_results(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 4 * PG, H_FIFO);
	RT_HEAP *other = new_heap(test, NULL, PG, H_FIFO);
	static const int want[8] = {
		0, -EINVAL, -EINVAL, -EINVAL, 0, -EINVAL, -EINVAL, -EINVAL,
	};
	void *good[2], *dead, *foreign, *blk[8];
	int res[8], i;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc_bulk(h, 64, 2, good), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 64, TM_NONBLOCK, &dead), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_free(h, dead), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(other, 64, TM_NONBLOCK, &foreign), 0);
	blk[0] = good[0];
	blk[1] = dead;				/* double free */
	blk[2] = foreign;			/* another heap's */
	blk[3] = (char *)good[1] + 1;		/* misaligned */
	blk[4] = good[1];
	blk[5] = NULL;
	blk[6] = good[0];			/* twice in one call */
	blk[7] = (void *)0x1000;
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 8, blk, res), 6);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, res[i], want[i], "block %d", i);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, inquire(test, other).usedmem, (size_t)64);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 2, good, NULL), 2);
}

/* One bulk free serves the waiter for the whole heap, inside the free. */
static void bulk_waiters(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.bulkwait", 4 * PG, H_FIFO);
	struct waiter *w;
	void *blk[4], *q;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc_bulk(h, PG, 4, blk), 0);
	w = waiter_start(test, h, 4 * PG, TM_INFINITE, 0);
	wait_nwaiters(test, h, 1);
	KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 4, blk, NULL), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, 4 * PG);
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
		KUNIT_EXPECT_EQ(test, rt_heap_free_bulk(h, 1, &w->block, NULL), 0);
	}
	waiter_free(w);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

/* Both under a raw spinlock with interrupts off: nothing sleeps. */
static void bulk_atomic(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 4 * PG, H_FIFO);
	unsigned long flags;
	void *blk[4];
	int a, b, c;

	raw_spin_lock_irqsave(&test_raw_lock, flags);
	a = rt_heap_alloc_bulk(h, 100, 4, blk);
	b = rt_heap_alloc_bulk(h, 4 * PG, 1, blk);
	c = a ? a : rt_heap_free_bulk(h, 4, blk, NULL);
	raw_spin_unlock_irqrestore(&test_raw_lock, flags);
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, -EWOULDBLOCK);
	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

static void atomic_context(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	RT_HEAP h2;
	void *p = NULL, *q = NULL;
	unsigned long flags;
	int a, b, c, d, e, f, g, full;
	RT_HEAP_INFO info;

	raw_spin_lock_irqsave(&test_raw_lock, flags);
	a = rt_heap_alloc(h, 100, TM_NONBLOCK, &p);
	full = rt_heap_alloc(h, PG, TM_NONBLOCK, &q);
	b = rt_heap_alloc(h, PG, TM_INFINITE, &q);	/* would block */
	c = rt_heap_alloc(h, PG, 10 * MS, &q);
	d = rt_heap_inquire(h, &info);
	e = p ? rt_heap_free(h, p) : -1;
	f = rt_heap_create(&h2, NULL, PG, 0);
	g = rt_heap_delete(h);
	raw_spin_unlock_irqrestore(&test_raw_lock, flags);
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, -EPERM);
	KUNIT_EXPECT_EQ(test, c, -EPERM);
	KUNIT_EXPECT_EQ(test, d, 0);
	KUNIT_EXPECT_EQ(test, e, 0);
	KUNIT_EXPECT_EQ(test, f, -EPERM);
	KUNIT_EXPECT_EQ(test, g, -EPERM);
	KUNIT_EXPECT_EQ(test, full, -EWOULDBLOCK);
	if (!f)
		rt_heap_delete(&h2);
	/* The refused calls changed nothing. */
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

/*
 * Atomic sections that leave interrupts on: spinlocks, preempt_disable(),
 * RCU readers.  rtheap sees them in preempt_count(), which counts them only
 * with CONFIG_PREEMPT_COUNT; without it (Debian's arm64 6.1 kernels:
 * PREEMPT_VOLUNTARY and no PREEMPT_DYNAMIC) nothing tells them from
 * process context, and a blocking call there sleeps instead of returning
 * -EPERM (the one check left is the kernel's own might_sleep(), with
 * DEBUG_ATOMIC_SLEEP).
 */
static void atomic_sections(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	RT_HEAP h2;
	void *q = NULL, *r = NULL;
	int a, b, f;

	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT))
		kunit_skip(test, "no CONFIG_PREEMPT_COUNT: %s",
			   "spinlocks and preempt_disable() cannot be seen");

	spin_lock(&test_lock);
	a = rt_heap_alloc(h, 16, TM_NONBLOCK, &r);
	b = rt_heap_alloc(h, PG, TM_INFINITE, &q);
	spin_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, -EPERM);

	preempt_disable();
	a = rt_heap_free(h, r);
	b = rt_heap_alloc(h, PG, TM_INFINITE, &q);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, 0);	/* room: no need to block */

	/* Preemption disabled alone is atomic too: full, it must not sleep. */
	preempt_disable();
	a = rt_heap_alloc(h, 16, TM_INFINITE, &r);
	f = rt_heap_create(&h2, NULL, PG, H_FIFO);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, a, -EPERM);
	KUNIT_EXPECT_EQ(test, f, -EPERM);
	if (!f)
		rt_heap_delete(&h2);

	rcu_read_lock();
	a = rt_heap_alloc(h, 16, TM_INFINITE, &r);	/* full: would block */
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, a, -EPERM);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, q), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

static void shared_mode(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.shared", 2 * PG + 10, H_SHARED);
	RT_HEAP_INFO info;
	bool zero = true;
	void *p, *q;
	size_t i;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 0, TM_NONBLOCK, &p), 0);
	for (i = 0; i < 3 * PG; i++)
		zero &= !((u8 *)p)[i];
	KUNIT_EXPECT_TRUE(test, zero);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG + 10, TM_INFINITE, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 0, 10 * MS, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG + 9, TM_NONBLOCK, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 2 * PG + 11, TM_NONBLOCK, &q), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 3 * PG, TM_NONBLOCK, &q), -EINVAL);
	memset(p, 0x3c, 3 * PG);	/* the whole segment is ours */
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.mode, H_SHARED);
	KUNIT_EXPECT_EQ(test, info.usablemem, 3 * PG);
	KUNIT_EXPECT_EQ(test, info.usedmem, 3 * PG);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p + 16), 0);	/* any pointer */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, NULL), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);	/* no effect, any number */
	KUNIT_EXPECT_EQ(test, ((u8 *)p)[3 * PG - 1], 0x3c);
	KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
}

/*
 * A driver's DMA heap: physically contiguous (H_DMA32: below 4 GiB), its
 * base in phys_addr, every block at phys_addr plus its offset; one larger
 * than the page allocator's largest block is -ENOMEM at once.
 */
static void dma_heaps(struct kunit *test)
{
	static const int modes[] = { H_DMA, H_DMA32 | H_PRIO, H_DMA | H_SHARED };
	RT_HEAP big;
	unsigned int i, pg;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		RT_HEAP *h = new_heap(test, NULL, 16 * PG, modes[i]);
		RT_HEAP_INFO info = inquire(test, h);
		char *base;

		KUNIT_EXPECT_EQ(test, info.mode, modes[i]);
		KUNIT_EXPECT_NE(test, info.phys_addr, 0);
		KUNIT_EXPECT_EQ(test, info.phys_addr % PG, 0);
		if (modes[i] & H_DMA32)
			KUNIT_EXPECT_LE(test, (u64)info.phys_addr + 16 * PG,
					0x100000000ULL);
		/* The whole heap in one block: its start is the heap's. */
		KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 16 * PG, TM_NONBLOCK,
						    (void **)&base), 0);
		for (pg = 0; pg < 16; pg++)
			KUNIT_EXPECT_EQ(test,
					(u64)page_to_phys(vmalloc_to_page(base + pg * PG)),
					(u64)info.phys_addr + pg * PG);
		memset(base, 0x5a, 16 * PG);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, base), 0);
	}
	KUNIT_EXPECT_EQ(test, rt_heap_create(&big, NULL, 64UL << 20, H_DMA),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, inquire(test, new_heap(test, NULL, PG, 0)).phys_addr, 0);
}

static void owner_and_perm(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.owner", PG, 0);
	RT_HEAP_INFO info;

	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(h, KUIDT_INIT(1000), KGIDT_INIT(1000),
						0640), 0);
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.uid, 1000U);
	KUNIT_EXPECT_EQ(test, info.gid, 1000U);
	KUNIT_EXPECT_EQ(test, info.perm, 0640U);
	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(h, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
						01000), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(h, INVALID_UID, GLOBAL_ROOT_GID, 0600),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(h, GLOBAL_ROOT_UID, INVALID_GID, 0600),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_set_owner(NULL, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
						0600), -EINVAL);
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.uid, 1000U);
	KUNIT_EXPECT_EQ(test, info.perm, 0640U);
}

/* --- threads hammering one heap ------------------------------------------------- */

#define HAMMER_THREADS	4
#define HAMMER_SLOTS	32
#define HAMMER_ITERS	3000	/* hammer_fn: every block stamped and checked */
#define NONBLOCK_ITERS	20000	/* hammer_nonblock_fn: a tag in the first word */

struct hammer {
	RT_HEAP *heap;
	int idx;
	int errors;
	u64 allocs, waits;
	struct completion done;
};

static u64 stamp(int idx, int slot, u64 seq, size_t i)
{
	return ((u64)idx << 56) ^ ((u64)slot << 48) ^ (seq << 16) ^ i;
}

static int hammer_fn(void *arg)
{
	struct hammer *hm = arg;
	u64 *blk[HAMMER_SLOTS] = { NULL }, seq[HAMMER_SLOTS] = { 0 };
	size_t len[HAMMER_SLOTS] = { 0 };
	u32 s = 0x9e3779b9 * (hm->idx + 1);
	int it, k;
	size_t i;

	for (it = 0; it < HAMMER_ITERS; it++) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		k = s % HAMMER_SLOTS;
		if (blk[k]) {
			for (i = 0; i < len[k] / 8; i++)
				if (blk[k][i] != stamp(hm->idx, k, seq[k], i)) {
					pr_err("rtheap: hammer %d: block %p word %zu is %llx\n",
					       hm->idx, blk[k], i, blk[k][i]);
					hm->errors++;
					break;
				}
			if (rt_heap_free(hm->heap, blk[k]))
				hm->errors++;
			blk[k] = NULL;
		} else {
			void *p;
			size_t want = (s >> 8) % 4 ? 8 + (s >> 12) % 600 :
						     8 + (s >> 12) % (3 * PG);
			RTIME tmo = (s >> 10) % 3 ? TM_NONBLOCK : MS;
			int ret = rt_heap_alloc(hm->heap, want, tmo, &p);

			if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT) {
				hm->waits += ret == -ETIMEDOUT;
				continue;
			}
			if (ret) {
				hm->errors++;
				continue;
			}
			blk[k] = p;
			len[k] = want;
			seq[k]++;
			for (i = 0; i < want / 8; i++)
				blk[k][i] = stamp(hm->idx, k, seq[k], i);
			hm->allocs++;
		}
		if (!(it % 64))
			cond_resched();
	}
	for (k = 0; k < HAMMER_SLOTS; k++)
		if (blk[k] && rt_heap_free(hm->heap, blk[k]))
			hm->errors++;
	kthread_complete_and_exit(&hm->done, 0);
}

static u32 tag(int idx, int slot)
{
	return 0xb7000000u | (idx << 8) | slot;
}

/* TM_NONBLOCK only, more operations, a cheaper check. */
static int hammer_nonblock_fn(void *arg)
{
	struct hammer *hm = arg;
	void *slot[HAMMER_SLOTS] = { NULL };
	u32 seed = 0x9e3779b9 * (hm->idx + 1);
	int i;

	for (i = 0; i < NONBLOCK_ITERS; i++) {
		int k;

		seed = seed * 1664525 + 1013904223;
		k = (seed >> 8) % HAMMER_SLOTS;
		if (slot[k]) {
			if (*(u32 *)slot[k] != tag(hm->idx, k) ||
			    rt_heap_free(hm->heap, slot[k]))
				hm->errors++;
			slot[k] = NULL;
		} else {
			size_t size = 16 + (seed >> 16) % 3000;
			int ret = rt_heap_alloc(hm->heap, size, TM_NONBLOCK, &slot[k]);

			if (ret == -EWOULDBLOCK) {
				slot[k] = NULL;
			} else if (ret) {
				hm->errors++;
				slot[k] = NULL;
			} else {
				*(u32 *)slot[k] = tag(hm->idx, k);
				hm->allocs++;
			}
		}
		if (!(i & 255))
			cond_resched();
	}
	for (i = 0; i < HAMMER_SLOTS; i++)
		if (slot[i] && rt_heap_free(hm->heap, slot[i]))
			hm->errors++;
	kthread_complete_and_exit(&hm->done, 0);
}

/*
 * HAMMER_THREADS threads of fn on a fresh 64-page heap; every one must
 * finish without errors, leaving the heap empty.  Their allocations are
 * counted in *allocs.  A thread still running after 120 s pins the module.
 */
static void hammer_run(struct kunit *test, int (*fn)(void *), u64 *allocs)
{
	RT_HEAP *h = new_heap(test, NULL, 64 * PG, H_FIFO);
	struct hammer *hm = kcalloc(HAMMER_THREADS, sizeof(*hm), GFP_KERNEL);
	int i;

	*allocs = 0;
	KUNIT_ASSERT_NOT_NULL(test, hm);
	for (i = 0; i < HAMMER_THREADS; i++) {
		struct task_struct *t;

		hm[i].heap = h;
		hm[i].idx = i;
		init_completion(&hm[i].done);
		t = kthread_run(fn, &hm[i], "rth_kapi_h%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		if (!wait_for_completion_timeout(&hm[i].done, msecs_to_jiffies(120000))) {
			KUNIT_FAIL(test, "hammer thread %d stuck: module pinned", i);
			__module_get(THIS_MODULE);
			return;	/* hm leaked: the thread still uses it */
		}
		KUNIT_EXPECT_EQ_MSG(test, hm[i].errors, 0, "hammer thread %d", i);
		*allocs += hm[i].allocs;
	}
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, 64 * PG);
	kfree(hm);
}

static void threads_hammer(struct kunit *test)
{
	u64 allocs;

	hammer_run(test, hammer_fn, &allocs);
	kunit_info(test, "%llu blocks allocated, stamped and checked", allocs);
}

static void threads_hammer_nonblock(struct kunit *test)
{
	u64 allocs;

	hammer_run(test, hammer_nonblock_fn, &allocs);
	kunit_info(test, "%llu blocks allocated and checked", allocs);
}

/*
 * rt_heap_inquire() takes no reference: one racing rt_heap_delete() on
 * another CPU must either describe the heap or say -EIDRM, never read the
 * metadata or the page array the delete frees (KASAN in check-debug sees
 * it if it does).  A test build of rtheap.ko (RTHEAP_TEST_HOOKS) waits
 * inside the inquiry after its lock is dropped, which widens the window
 * from a few instructions to most of every inquiry.
 */
struct inquirer {
	RT_HEAP *heap;			/* the handle to inquire now */
	int mode;
	atomic_t stop;
	int errors;
	u64 seen, gone;
	struct completion done;
};

#define RACE_ROUNDS	200
#define RACE_DELAY_US	200	/* the test build's widening delay */

static int inquirer_fn(void *arg)
{
	struct inquirer *q = arg;
	bool dma = q->mode & (H_DMA | H_DMA32);
	RT_HEAP_INFO info;
	int ret;

	while (!atomic_read(&q->stop)) {
		ret = rt_heap_inquire(READ_ONCE(q->heap), &info);
		if (!ret && info.heapsize == 4 * PG &&
		    (!dma || (info.phys_addr && !(info.phys_addr % PG))))
			WRITE_ONCE(q->seen, q->seen + 1);
		else if (ret == -EIDRM)
			q->gone++;
		else
			WRITE_ONCE(q->errors, q->errors + 1);
		cond_resched();
	}
	kthread_complete_and_exit(&q->done, 0);
}

extern unsigned int rtheap_test_info_delay_us;

static void inquire_race(struct kunit *test, int mode)
{
	struct inquirer *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	RT_HEAP *h = kunit_kzalloc(test, RACE_ROUNDS * sizeof(*h), GFP_KERNEL);
	unsigned int *delay = symbol_get(rtheap_test_info_delay_us);
	struct task_struct *t;
	u64 before;
	int r;

	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, rt_heap_create(&h[0], NULL, 4 * PG, mode), 0);
	q->heap = &h[0];
	q->mode = mode;
	init_completion(&q->done);
	t = kthread_create(inquirer_fn, q, "rth_kapi_inq");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	if (num_online_cpus() > 1)
		kthread_bind(t, 1);
	if (delay)
		WRITE_ONCE(*delay, RACE_DELAY_US);
	wake_up_process(t);
	for (r = 0; r < RACE_ROUNDS; r++) {
		/* Once it has seen this heap, delete it under its feet. */
		before = READ_ONCE(q->seen);
		while (READ_ONCE(q->seen) == before && !READ_ONCE(q->errors))
			cond_resched();
		KUNIT_ASSERT_EQ(test, rt_heap_delete(&h[r]), 0);
		if (r + 1 < RACE_ROUNDS) {
			KUNIT_ASSERT_EQ(test, rt_heap_create(&h[r + 1], NULL,
							     4 * PG, mode), 0);
			WRITE_ONCE(q->heap, &h[r + 1]);
		}
	}
	atomic_set(&q->stop, 1);
	wait_for_completion(&q->done);
	if (delay) {
		WRITE_ONCE(*delay, 0);
		symbol_put(rtheap_test_info_delay_us);
	}
	KUNIT_EXPECT_EQ(test, q->errors, 0);
	kunit_info(test, "%d deletes raced %llu inquiries (%llu saw -EIDRM)%s",
		   RACE_ROUNDS, q->seen + q->gone, q->gone,
		   delay ? ", widened" : "");
}

static void inquire_races_delete(struct kunit *test)
{
	inquire_race(test, H_FIFO);
}

/* H_DMA, H_DMA32: the physical base is told after the lock is dropped. */
static void inquire_races_delete_dma(struct kunit *test)
{
	inquire_race(test, H_FIFO | H_DMA);
}

static void inquire_races_delete_dma32(struct kunit *test)
{
	inquire_race(test, H_FIFO | H_DMA32);
}

static struct kunit_case rtheap_heap_cases[] = {
	KUNIT_CASE(create_errors),
	KUNIT_CASE(alloc_free_inquire),
	KUNIT_CASE(alloc_free_sizes),
	KUNIT_CASE(alloc_free_errors),
	KUNIT_CASE(timeouts),
	KUNIT_CASE(waiter_granted_by_free),
	KUNIT_CASE(fifo_order),
	KUNIT_CASE(prio_order),
	KUNIT_CASE(pass_over),
	KUNIT_CASE(grant_races_timeout),
	KUNIT_CASE(delete_wakes_waiters),
	KUNIT_CASE(hardirq),
	KUNIT_CASE(atomic_context),
	KUNIT_CASE(atomic_sections),
	KUNIT_CASE(shared_mode),
	KUNIT_CASE(bulk_errors),
	KUNIT_CASE(bulk_all_or_nothing),
	KUNIT_CASE(bulk_free_results),
	KUNIT_CASE(bulk_waiters),
	KUNIT_CASE(bulk_atomic),
	KUNIT_CASE(dma_heaps),
	KUNIT_CASE(owner_and_perm),
	KUNIT_CASE(threads_hammer),
	KUNIT_CASE(threads_hammer_nonblock),
	KUNIT_CASE(inquire_races_delete),
	KUNIT_CASE(inquire_races_delete_dma),
	KUNIT_CASE(inquire_races_delete_dma32),
	{}
};

static struct kunit_suite rtheap_heap_suite = {
	.name = "rtheap_heap",
	.init = heap_test_init,
	.exit = heap_test_exit,
	.test_cases = rtheap_heap_cases,
};

kunit_test_suite(rtheap_heap_suite);
