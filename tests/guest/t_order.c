// SPDX-License-Identifier: GPL-2.0
/*
 * Order in which waiters are served: H_FIFO by arrival, H_PRIO by
 * scheduling priority (FIFO among equals); a free grants every waiter whose
 * request now fits, in queue order, passing over those that do not fit.
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

	w->ret = rt_heap_alloc(w->heap, w->size, TM_INFINITE, &w->blk);
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

static bool start(struct waiter *w, RT_HEAP *h, int idx, int prio,
		  size_t size, bool release)
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
	/* Real-time priorities last: they need CAP_SYS_NICE. */
	run_chain(H_FIFO, prios, 5, arrival);
	run_chain(H_PRIO, prios, 5, by_prio);
	return T_EXIT_PASS;
}
