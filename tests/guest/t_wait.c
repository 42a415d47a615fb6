// SPDX-License-Identifier: GPL-2.0
/*
 * Blocking rt_heap_alloc: woken by a free (the freed block is handed to the
 * waiter inside the free, so a newcomer cannot take it), -EIDRM when the heap
 * is deleted during the wait, -EINTR on a signal, -ETIMEDOUT with a waiter
 * count that goes back to zero, and a finite timeout that is met by a free.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "tcommon.h"

#define MS	1000000ULL

struct waiter {
	RT_HEAP *heap;
	size_t size;
	RTIME timeout;
	int ret;
	void *blk;
	pthread_t thr;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = rt_heap_alloc(w->heap, w->size, w->timeout, &w->blk);
	return NULL;
}

static void start(struct waiter *w, RT_HEAP *h, size_t size, RTIME timeout)
{
	memset(w, 0, sizeof(*w));
	w->heap = h;
	w->size = size;
	w->timeout = timeout;
	w->ret = 1;
	CHECK_OK(-pthread_create(&w->thr, NULL, waiter_fn, w));
}

#define join(w) t_join((w)->thr, 10000)

static void test_woken_by_free(RTIME timeout)
{
	struct waiter w;
	RT_HEAP h;
	void *p, *q;

	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	start(&w, &h, T_PAGE, timeout);
	t_wait_nwaiters(&h, 1, 5000);
	CHECK_EQ(w.ret, 1);		/* still blocked */
	CHECK_OK(rt_heap_free(&h, p));
	/* The block went to the waiter inside the free: not to us. */
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &q), -EWOULDBLOCK);
	join(&w);
	CHECK_OK(w.ret);
	CHECK(w.blk == p);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE);
	memset(w.blk, 0x5a, T_PAGE);
	CHECK_OK(rt_heap_free(&h, w.blk));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
}

/* A free that makes room for several waiters grants all of them. */
static void test_free_grants_all(void)
{
	struct waiter w[4];
	RT_HEAP h;
	void *p;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 4 * T_PAGE, TM_NONBLOCK, &p));
	for (int i = 0; i < 4; i++) {
		start(&w[i], &h, 1000, TM_INFINITE);
		t_wait_nwaiters(&h, i + 1, 5000);
	}
	CHECK_OK(rt_heap_free(&h, p));
	for (int i = 0; i < 4; i++) {
		join(&w[i]);
		CHECK_OK(w[i].ret);
		memset(w[i].blk, i, 1000);
	}
	CHECK_EQ(t_inquire(&h).usedmem, 4 * 1024);
	for (int i = 0; i < 4; i++)
		CHECK_OK(rt_heap_free(&h, w[i].blk));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_deleted_while_waiting(void)
{
	struct waiter w[3];
	RT_HEAP h, b;
	const char *n = t_name("t_wait");
	void *p;

	CHECK_OK(rt_heap_create(&h, n, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	start(&w[0], &b, 16, TM_INFINITE);
	start(&w[1], &b, T_PAGE, 60000 * MS);
	start(&w[2], &h, 32, TM_INFINITE);
	t_wait_nwaiters(&h, 3, 5000);
	CHECK_OK(rt_heap_delete(&h));
	for (int i = 0; i < 3; i++) {
		join(&w[i]);
		CHECKF(w[i].ret == -EIDRM, "waiter %d returned %s, expected "
		       "-EIDRM", i, t_errname(w[i].ret));
	}
	CHECK_OK(rt_heap_unbind(&b));
}

static void test_signal(void)
{
	struct waiter w;
	RT_HEAP h;
	void *p;

	t_install_nop_handler(SIGUSR1);
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));

	start(&w, &h, 16, TM_INFINITE);
	t_wait_nwaiters(&h, 1, 5000);
	CHECK_OK(-pthread_kill(w.thr, SIGUSR1));
	join(&w);
	CHECK_RET(w.ret, -EINTR);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);

	start(&w, &h, 16, 60000 * MS);
	t_wait_nwaiters(&h, 1, 5000);
	CHECK_OK(-pthread_kill(w.thr, SIGUSR1));
	join(&w);
	CHECK_RET(w.ret, -EINTR);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);

	/* The interrupted waiters left nothing behind: a free still works. */
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_timeout_waiter_gone(void)
{
	struct waiter w;
	RT_HEAP h;
	void *p;
	uint64_t t0;

	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	t0 = t_now_ns();
	start(&w, &h, 16, 300 * MS);
	join(&w);
	CHECK_RET(w.ret, -ETIMEDOUT);
	CHECK(t_now_ns() - t0 >= 300 * MS);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	/* The timed-out waiter is not granted the next free block. */
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
}

int main(void)
{
	test_woken_by_free(TM_INFINITE);
	test_woken_by_free(60000 * MS);
	test_free_grants_all();
	test_deleted_while_waiting();
	test_signal();
	test_timeout_waiter_gone();
	return T_EXIT_PASS;
}
