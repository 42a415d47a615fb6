// SPDX-License-Identifier: GPL-2.0
/*
 * Order in which waiters are served: H_FIFO by arrival, H_PRIO by
 * scheduling priority (FIFO among equals); a free grants every waiter whose
 * request now fits, in queue order, passing over those that do not fit
 * (also when a failure of one size class says nothing about another), and
 * the H_PRIO queue stays in order when waiters leave it from the middle.
 * max_waiters: one more waiter than the limit fails at once with -EBUSY.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "tcommon.h"

struct waiter {
	RT_HEAP *heap;
	int idx;
	int prio;		/* SCHED_FIFO priority, 0: SCHED_OTHER */
	size_t size;
	RTIME timeout;		/* TM_INFINITE unless set after start() */
	bool release;		/* free the block as soon as it is granted */
	int ret;
	void *blk;
	atomic_int done;
	pthread_t thr;
};

static atomic_int served[16];
static atomic_int nserved;

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = rt_heap_alloc(w->heap, w->size, w->timeout, &w->blk);
	if (w->ret == 0) {
		served[atomic_fetch_add(&nserved, 1)] = w->idx;
		if (w->release) {
			memset(w->blk, w->idx, w->size);
			w->ret = rt_heap_free(w->heap, w->blk);
		}
	}
	atomic_store(&w->done, 1);
	return NULL;
}

static bool start_tmo(struct waiter *w, RT_HEAP *h, int idx, int prio,
		      size_t size, bool release, RTIME timeout)
{
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = prio };
	int ret;

	memset(w, 0, sizeof(*w));
	w->heap = h;
	w->idx = idx;
	w->prio = prio;
	w->size = size;
	w->release = release;
	w->timeout = timeout;
	w->ret = 1;
	pthread_attr_init(&attr);
	if (prio) {
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
	}
	ret = pthread_create(&w->thr, &attr, waiter_fn, w);
	pthread_attr_destroy(&attr);
	if (ret == EPERM)
		return false;
	CHECK_OK(-ret);
	return true;
}

static bool start(struct waiter *w, RT_HEAP *h, int idx, int prio,
		  size_t size, bool release)
{
	return start_tmo(w, h, idx, prio, size, release, TM_INFINITE);
}

/*
 * Waiters arrive in the order of prios[], each one queued before the next
 * starts; one free of the whole heap starts a chain of grants.
 */
static void run_chain(int mode, const int *prios, int n, const int *expect)
{
	struct waiter w[16];
	RT_HEAP h;
	void *p;

	atomic_store(&nserved, 0);
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, mode));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	for (int i = 0; i < n; i++) {
		if (!start(&w[i], &h, i, prios[i], T_PAGE, true))
			t_skip("no permission for SCHED_FIFO threads");
		t_wait_nwaiters(&h, i + 1, 5000);
	}
	CHECK_OK(rt_heap_free(&h, p));
	for (int i = 0; i < n; i++) {
		t_join(w[i].thr, 10000);
		CHECK_OK(w[i].ret);
	}
	CHECK_EQ(atomic_load(&nserved), n);
	for (int i = 0; i < n; i++)
		CHECKF(served[i] == expect[i], "%s heap: grant #%d went to "
		       "waiter %d (prio %d), expected waiter %d (prio %d)",
		       mode & H_PRIO ? "H_PRIO" : "H_FIFO", i, served[i],
		       prios[served[i]], expect[i], prios[expect[i]]);
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_OK(rt_heap_delete(&h));
}

/* W0 wants two pages, W1 one: freeing one page serves W1 only. */
static void test_pass_over(int mode)
{
	struct waiter w0, w1;
	RT_HEAP h;
	void *a, *b;

	atomic_store(&nserved, 0);
	CHECK_OK(rt_heap_create(&h, NULL, 2 * T_PAGE, mode));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &b));
	start(&w0, &h, 0, 0, 2 * T_PAGE, false);
	t_wait_nwaiters(&h, 1, 5000);
	start(&w1, &h, 1, 0, T_PAGE, false);
	t_wait_nwaiters(&h, 2, 5000);

	CHECK_OK(rt_heap_free(&h, a));
	t_join(w1.thr, 10000);
	CHECK_OK(w1.ret);
	CHECK(w1.blk == a);
	CHECK_EQ(t_inquire(&h).nwaiters, 1);
	CHECK(!atomic_load(&w0.done));

	/* One page free again: still not enough for W0. */
	CHECK_OK(rt_heap_free(&h, w1.blk));
	t_sleep_ms(20);
	CHECK(!atomic_load(&w0.done));
	CHECK_EQ(t_inquire(&h).nwaiters, 1);
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE);

	CHECK_OK(rt_heap_free(&h, b));
	t_join(w0.thr, 10000);
	CHECK_OK(w0.ret);
	CHECK_EQ(t_inquire(&h).usedmem, 2 * T_PAGE);
	CHECK_OK(rt_heap_free(&h, w0.blk));
	CHECK_OK(rt_heap_delete(&h));
}

/*
 * A bucket request that fails says nothing of a larger class with a free
 * block: page A full of 256-byte blocks, page B full of 128-byte ones,
 * W0 waits for 100 bytes, W1 for 200.  Freeing a 256-byte block serves
 * W1 although W0, first in line, still cannot be served.  Then a page
 * request that fails says nothing of a bucket: W2 waits for a page, and a
 * freed 128-byte block goes to W0 behind it.
 */
static void test_pass_over_classes(int mode)
{
	const int N256 = T_PAGE / 256, N128 = T_PAGE / 128;
	void *b256[T_PAGE_MAX / 256], *b128[T_PAGE_MAX / 128];
	struct waiter w0, w1, w2;
	RT_HEAP h;

	atomic_store(&nserved, 0);
	CHECK_OK(rt_heap_create(&h, NULL, 2 * T_PAGE, mode));
	for (int i = 0; i < N256; i++)
		CHECK_OK(rt_heap_alloc(&h, 256, TM_NONBLOCK, &b256[i]));
	for (int i = 0; i < N128; i++)
		CHECK_OK(rt_heap_alloc(&h, 128, TM_NONBLOCK, &b128[i]));
	CHECK_EQ(t_inquire(&h).usedmem, 2 * T_PAGE);
	start(&w0, &h, 0, 0, 100, false);
	t_wait_nwaiters(&h, 1, 5000);
	start(&w1, &h, 1, 0, 200, false);
	t_wait_nwaiters(&h, 2, 5000);
	start(&w2, &h, 2, 0, T_PAGE, false);
	t_wait_nwaiters(&h, 3, 5000);

	CHECK_OK(rt_heap_free(&h, b256[3]));
	t_join(w1.thr, 10000);
	CHECK_OK(w1.ret);
	CHECK(w1.blk == b256[3]);
	CHECK_EQ(t_inquire(&h).nwaiters, 2);
	CHECK(!atomic_load(&w0.done));

	CHECK_OK(rt_heap_free(&h, b128[5]));
	t_join(w0.thr, 10000);
	CHECK_OK(w0.ret);
	CHECK(w0.blk == b128[5]);
	CHECK_EQ(t_inquire(&h).nwaiters, 1);
	CHECK(!atomic_load(&w2.done));

	/* Emptying a page serves W2. */
	CHECK_OK(rt_heap_free(&h, w1.blk));
	for (int i = 0; i < N256; i++)
		if (i != 3)
			CHECK_OK(rt_heap_free(&h, b256[i]));
	t_join(w2.thr, 10000);
	CHECK_OK(w2.ret);
	CHECK_OK(rt_heap_free(&h, w2.blk));
	CHECK_OK(rt_heap_free(&h, w0.blk));
	for (int i = 0; i < N128; i++)
		if (i != 5)
			CHECK_OK(rt_heap_free(&h, b128[i]));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
}

/*
 * H_PRIO: waiters leaving the queue from its middle and its end (timeouts)
 * keep it in order.  A(20), B(20, times out), then C(20) must queue
 * behind A, and D(30) before both; E(10, times out) is last of all.
 */
static void test_prio_leave(void)
{
	static const int expect[] = { 3, 0, 2 };
	struct waiter w[5];
	RT_HEAP h;
	void *p;

	atomic_store(&nserved, 0);
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_PRIO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	if (!start(&w[0], &h, 0, 20, T_PAGE, true))
		t_skip("no permission for SCHED_FIFO threads");
	t_wait_nwaiters(&h, 1, 5000);
	start_tmo(&w[1], &h, 1, 20, T_PAGE, true, 200000000ULL);
	t_wait_nwaiters(&h, 2, 5000);
	start_tmo(&w[4], &h, 4, 10, T_PAGE, true, 400000000ULL);
	t_wait_nwaiters(&h, 3, 5000);
	t_join(w[1].thr, 10000);
	CHECK_RET(w[1].ret, -ETIMEDOUT);
	t_join(w[4].thr, 10000);
	CHECK_RET(w[4].ret, -ETIMEDOUT);
	CHECK_EQ(t_inquire(&h).nwaiters, 1);
	start(&w[2], &h, 2, 20, T_PAGE, true);
	t_wait_nwaiters(&h, 2, 5000);
	start(&w[3], &h, 3, 30, T_PAGE, true);
	t_wait_nwaiters(&h, 3, 5000);

	CHECK_OK(rt_heap_free(&h, p));
	for (int i = 0; i < 3; i++) {
		t_join(w[expect[i]].thr, 10000);
		CHECK_OK(w[expect[i]].ret);
	}
	CHECK_EQ(atomic_load(&nserved), 3);
	for (int i = 0; i < 3; i++)
		CHECKF(served[i] == expect[i], "grant #%d went to waiter %d, "
		       "expected waiter %d", i, served[i], expect[i]);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_OK(rt_heap_delete(&h));
}

/*
 * max_waiters (lowered to 3 for the test): the fourth waiter fails at once
 * with -EBUSY, a TM_NONBLOCK alloc still says -EWOULDBLOCK, and once a
 * waiter has gone another may queue.  Delete wakes them all.
 */
static void test_max_waiters(void)
{
	unsigned long long saved = t_param("max_waiters");
	struct waiter w[4];
	RT_HEAP h;
	void *p, *q;

	CHECK(saved >= 16);	/* the default is 128 */
	t_set_param("max_waiters", 3);
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	for (int i = 0; i < 3; i++) {
		start(&w[i], &h, i, 0, 64, false);
		t_wait_nwaiters(&h, i + 1, 5000);
	}
	CHECK_RET(rt_heap_alloc(&h, 64, TM_INFINITE, &q), -EBUSY);
	CHECK_RET(rt_heap_alloc(&h, 64, 1000000000ULL, &q), -EBUSY);
	CHECK_RET(rt_heap_alloc(&h, 64, TM_NONBLOCK, &q), -EWOULDBLOCK);
	CHECK_EQ(t_inquire(&h).nwaiters, 3);
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE);

	/* Raised again, a fourth one queues. */
	t_set_param("max_waiters", 4);
	start(&w[3], &h, 3, 0, 64, false);
	t_wait_nwaiters(&h, 4, 5000);
	t_set_param("max_waiters", saved);

	CHECK_OK(rt_heap_delete(&h));
	for (int i = 0; i < 4; i++) {
		t_join(w[i].thr, 10000);
		CHECK_RET(w[i].ret, -EIDRM);
	}
}

int main(void)
{
	static const int same[] = { 0, 0, 0, 0, 0 };
	static const int prios[] = { 10, 30, 20, 40, 20 };
	static const int arrival[] = { 0, 1, 2, 3, 4 };
	static const int by_prio[] = { 3, 1, 2, 4, 0 };

	run_chain(H_FIFO, same, 5, arrival);
	run_chain(H_PRIO, same, 5, arrival);
	test_pass_over(H_FIFO);
	test_pass_over(H_PRIO);
	test_pass_over_classes(H_FIFO);
	test_pass_over_classes(H_PRIO);
	test_max_waiters();
	/* Real-time priorities last: they need CAP_SYS_NICE. */
	run_chain(H_FIFO, prios, 5, arrival);
	run_chain(H_PRIO, prios, 5, by_prio);
	test_prio_leave();
	return T_EXIT_PASS;
}
