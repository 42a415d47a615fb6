// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "rtheap_heap": the heap object through rtheap.ko's exported
 * kernel API (rt_heap_*): create and its errors, alloc/free/inquire and
 * every error path, TM_NONBLOCK, relative and absolute timeouts, waiters
 * in kernel threads granted by a free (in FIFO and priority order, and
 * past a waiter that does not fit), a grant racing a timeout, delete under
 * waiters, calls on a deleted handle, atomic context, H_SHARED, owner and
 * permission bits, and threads hammering one heap with stamped blocks.
 *
 * A waiter that is never woken fails its test after WAIT_MS; the heap is
 * then deleted to release it, and if even that does not, the module pins
 * itself so that rmmod cannot pull the code from under the thread.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <rtheap/heap.h>

#define PG		4096UL
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

/* --- waiters in kernel threads ------------------------------------------------ */

struct waiter {
	RT_HEAP *heap;
	size_t size;
	RTIME timeout;
	bool absolute;
	int nice;
	int ret;
	void *block;
	u64 t_start, t_end;
	bool joined;		/* waiter_join() saw it finish */
	struct completion started, done;
};

static int waiter_fn(void *arg)
{
	struct waiter *w = arg;

	if (w->nice)
		sched_set_normal(current, w->nice);
	w->t_start = ktime_get_ns();
	complete(&w->started);
	if (w->absolute)
		w->ret = rt_heap_alloc_until(w->heap, w->size, w->timeout, &w->block);
	else
		w->ret = rt_heap_alloc(w->heap, w->size, w->timeout, &w->block);
	w->t_end = ktime_get_ns();
	/* No module code runs after this: rmmod may go ahead. */
	kthread_complete_and_exit(&w->done, 0);
}

static struct waiter *waiter_start(struct kunit *test, RT_HEAP *heap,
				   size_t size, RTIME timeout, int nice)
{
	struct waiter *w = kzalloc(sizeof(*w), GFP_KERNEL);	/* see waiter_join */
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->heap = heap;
	w->size = size;
	w->timeout = timeout;
	w->nice = nice;
	init_completion(&w->started);
	init_completion(&w->done);
	t = kthread_run(waiter_fn, w, "rth_kunit_w");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&w->started);
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
		KUNIT_FAIL(test, "and still blocked after its heap was deleted");
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
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, 0x10000), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", PG, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "kunit.c", SIZE_MAX, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "0123456789abcdef0123456789abcdef",
					     PG, 0), -ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, rt_heap_create(&h, "a b", PG, 0), -EINVAL);
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
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 3000, TM_INFINITE, &q), 0);
	KUNIT_EXPECT_EQ(test, (unsigned long)(q - (void *)base) % PG, 0UL);
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.usedmem, (size_t)128 + PG);
	KUNIT_EXPECT_EQ(test, info.class_blocks[3], 1UL);	/* 128 bytes */
	for (c = 0; c < RTHEAP_NR_CLASSES; c++)
		if (c != 3)
			KUNIT_EXPECT_EQ(test, info.class_blocks[c], 0UL);
	KUNIT_EXPECT_EQ(test, info.largestfree, 2 * PG);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, q), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, 4 * PG);

	/* DESIGN.md: a 16 KiB heap serves two 8 KiB blocks or one 16 KiB. */
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 8192, TM_NONBLOCK, &p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 8192, TM_NONBLOCK, &q), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, q), 0);
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
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	u64 t0, dt, deadline;
	void *p, *q;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);

	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, 30 * MS, &q), -ETIMEDOUT);
	dt = ktime_get_ns() - t0;
	KUNIT_EXPECT_GE(test, dt, 30 * MS);
	KUNIT_EXPECT_LT(test, dt, 30 * MS + SLACK_NS);

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

	/* Room: no wait at all, whatever the timeout. */
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, 30 * MS, &q), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc_until(h, 16, ktime_get_ns() - 1, &p), 0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 0);
}

static void waiter_granted_by_free(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, "kunit.wait", 2 * PG, H_FIFO);
	struct waiter *w;
	void *p;

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
	if (waiter_join(test, w)) {
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, w->block), 0);
	}
	waiter_free(w);
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
}

/* Three waiters for the whole heap are served in arrival order. */
static void fifo_order(struct kunit *test)
{
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
}

/* H_PRIO: the most urgent (lowest prio value, here: lowest nice) first. */
static void prio_order(struct kunit *test)
{
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
}

/* A small request behind a big one that does not fit is served first. */
static void pass_over(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 2 * PG, H_FIFO);
	struct waiter *big, *small;
	void *a, *b;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &a), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &b), 0);
	big = waiter_start(test, h, 2 * PG, TM_INFINITE, 0);
	wait_nwaiters(test, h, 1);
	small = waiter_start(test, h, 16, TM_INFINITE, 0);
	wait_nwaiters(test, h, 2);

	KUNIT_EXPECT_EQ(test, rt_heap_free(h, a), 0);
	if (waiter_join(test, small)) {
		KUNIT_EXPECT_EQ(test, small->ret, 0);
		KUNIT_EXPECT_FALSE(test, waiter_done(big));
		KUNIT_EXPECT_EQ(test, inquire(test, h).nwaiters, 1);
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, b), 0);
		KUNIT_EXPECT_FALSE(test, waiter_done(big));
		/* The small block's page goes back: now the big one fits. */
		KUNIT_EXPECT_EQ(test, rt_heap_free(h, small->block), 0);
		if (waiter_join(test, big)) {
			KUNIT_EXPECT_EQ(test, big->ret, 0);
			KUNIT_EXPECT_EQ(test, rt_heap_free(h, big->block), 0);
		}
	}
	waiter_free(small);
	waiter_free(big);
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

static void delete_wakes_waiters(struct kunit *test)
{
	struct heap_ctx *ctx = test->priv;
	RT_HEAP *h = new_heap(test, "kunit.del", PG, H_PRIO);
	struct waiter *w[4];
	RT_HEAP_INFO info;
	void *p, *q;
	int i;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, PG, TM_NONBLOCK, &p), 0);
	for (i = 0; i < 4; i++) {
		w[i] = waiter_start(test, h, 16 << i, i == 3 ? 60000 * MS : TM_INFINITE,
				    0);
		wait_nwaiters(test, h, i + 1);
	}
	KUNIT_EXPECT_EQ(test, rt_heap_delete(h), 0);
	ctx->live[h - ctx->heaps] = false;
	for (i = 0; i < 4; i++) {
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

static DEFINE_SPINLOCK(test_lock);
static DEFINE_RAW_SPINLOCK(test_raw_lock);

static void atomic_context(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, PG, H_FIFO);
	RT_HEAP h2;
	void *p = NULL, *q = NULL, *r = NULL;
	unsigned long flags;
	int a, b, c, d, e, f, g;
	RT_HEAP_INFO info;

	raw_spin_lock_irqsave(&test_raw_lock, flags);
	a = rt_heap_alloc(h, 100, TM_NONBLOCK, &p);
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
	void *p, *q;

	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 0, TM_NONBLOCK, &p), 0);
	KUNIT_ASSERT_EQ(test, rt_heap_alloc(h, 2 * PG + 10, TM_INFINITE, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 16, TM_NONBLOCK, &q), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_alloc(h, 3 * PG, TM_NONBLOCK, &q), -EINVAL);
	memset(p, 0x3c, 3 * PG);	/* the whole segment is ours */
	info = inquire(test, h);
	KUNIT_EXPECT_EQ(test, info.mode, H_SHARED);
	KUNIT_EXPECT_EQ(test, info.usablemem, 3 * PG);
	KUNIT_EXPECT_EQ(test, info.usedmem, 3 * PG);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p + 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_heap_free(h, p), 0);	/* no effect, any number */
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

/* --- threads hammering one heap, every block stamped ---------------------------- */

#define HAMMER_THREADS	4
#define HAMMER_SLOTS	32
#define HAMMER_ITERS	3000

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
					pr_err("rtheap_kunit: hammer %d: block %p word %zu is %llx\n",
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

static void threads_hammer(struct kunit *test)
{
	RT_HEAP *h = new_heap(test, NULL, 64 * PG, H_FIFO);
	struct hammer *hm = kcalloc(HAMMER_THREADS, sizeof(*hm), GFP_KERNEL);
	u64 allocs = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, hm);
	for (i = 0; i < HAMMER_THREADS; i++) {
		struct task_struct *t;

		hm[i].heap = h;
		hm[i].idx = i;
		init_completion(&hm[i].done);
		t = kthread_run(hammer_fn, &hm[i], "rth_kunit_h%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		if (!wait_for_completion_timeout(&hm[i].done, msecs_to_jiffies(120000))) {
			KUNIT_FAIL(test, "hammer thread %d stuck", i);
			__module_get(THIS_MODULE);
			return;	/* hm leaked: the thread still uses it */
		}
		KUNIT_EXPECT_EQ_MSG(test, hm[i].errors, 0, "hammer thread %d", i);
		allocs += hm[i].allocs;
	}
	KUNIT_EXPECT_EQ(test, inquire(test, h).usedmem, (size_t)0);
	KUNIT_EXPECT_EQ(test, inquire(test, h).largestfree, 64 * PG);
	kunit_info(test, "%llu blocks allocated, stamped and checked", allocs);
	kfree(hm);
}

static struct kunit_case rtheap_heap_cases[] = {
	KUNIT_CASE(create_errors),
	KUNIT_CASE(alloc_free_inquire),
	KUNIT_CASE(alloc_free_errors),
	KUNIT_CASE(timeouts),
	KUNIT_CASE(waiter_granted_by_free),
	KUNIT_CASE(fifo_order),
	KUNIT_CASE(prio_order),
	KUNIT_CASE(pass_over),
	KUNIT_CASE(grant_races_timeout),
	KUNIT_CASE(delete_wakes_waiters),
	KUNIT_CASE(atomic_context),
	KUNIT_CASE(shared_mode),
	KUNIT_CASE(owner_and_perm),
	KUNIT_CASE(threads_hammer),
	{}
};

static struct kunit_suite rtheap_heap_suite = {
	.name = "rtheap_heap",
	.init = heap_test_init,
	.exit = heap_test_exit,
	.test_cases = rtheap_heap_cases,
};

kunit_test_suite(rtheap_heap_suite);

MODULE_DESCRIPTION("KUnit suites of rtheap: the allocator core and the heap object");
MODULE_LICENSE("GPL");
