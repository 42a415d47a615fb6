// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_bind / rt_heap_bind_timed / rt_heap_unbind: bind to an existing
 * heap (the process's one mapping of it), bind before create, waits that
 * time out or are interrupted (-EINTR), -ENAMETOOLONG; unbind -EINVAL on a
 * descriptor that is not (or no longer) bound.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "tcommon.h"

#define MS	1000000ULL

struct binder {
	const char *name;
	RTIME timeout;		/* TM_INFINITE: rt_heap_bind */
	RT_HEAP heap;
	int ret;
	pthread_t thr;
};

static void *binder_fn(void *arg)
{
	struct binder *b = arg;

	if (b->timeout == TM_INFINITE)
		b->ret = rt_heap_bind(&b->heap, b->name);
	else
		b->ret = rt_heap_bind_timed(&b->heap, b->name, b->timeout);
	return NULL;
}

static void start(struct binder *b, const char *name, RTIME timeout)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->timeout = timeout;
	b->ret = 1;
	CHECK_OK(-pthread_create(&b->thr, NULL, binder_fn, b));
}

static void test_bind_existing(void)
{
	const char *n = t_name("t_bind");
	RT_HEAP h, b;
	char *p, *q;
	size_t off;

	CHECK_OK(rt_heap_create(&h, n, 8 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_EQ(b.id, h.id);
	CHECK_EQ(b.mode, H_FIFO);
	CHECK_EQ(b.heapsize, 8 * T_PAGE);
	CHECK_EQ(b.mapsize, h.mapsize);
	CHECK(b.base == h.base);	/* one mapping per heap per process */

	/* One block, seen and freed through either descriptor. */
	CHECK_OK(rt_heap_alloc(&h, 300, TM_NONBLOCK, (void **)&p));
	strcpy(p, "written through the creator's mapping");
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	CHECK_OK(rt_heap_block_addr(&b, off, (void **)&q));
	CHECK(q == (char *)b.base + off);
	CHECK(!strcmp(q, "written through the creator's mapping"));
	/* A block allocated through one descriptor is freed through the
	 * other. */
	CHECK_OK(rt_heap_free(&b, q));
	CHECK_EQ(t_inquire(&h).usedmem, 0);

	/* Timed and non-blocking binds succeed at once on an existing heap. */
	{
		RT_HEAP c, d;

		CHECK_OK(rt_heap_bind_timed(&c, n, TM_NONBLOCK));
		CHECK_OK(rt_heap_bind_timed(&d, n, 10 * MS));
		CHECK_EQ(t_inquire(&h).nbound, 4);
		CHECK_OK(rt_heap_unbind(&c));
		CHECK_OK(rt_heap_unbind(&d));
	}

	/* Unbind: the heap lives on; the descriptor is dead. */
	CHECK_OK(rt_heap_unbind(&b));
	CHECK_EQ(t_inquire(&h).nbound, 1);
	CHECK_EQ(t_inquire(&h).nmaps, 1);
	CHECK_RET(rt_heap_unbind(&b), -EINVAL);
	CHECK_RET(rt_heap_alloc(&b, 16, TM_NONBLOCK, (void **)&p), -EINVAL);
	CHECK_RET(rt_heap_inquire(&b, &(RT_HEAP_INFO){ 0 }), -EINVAL);
	CHECK_OK(rt_heap_delete(&h));
}

static void test_bind_before_create(void)
{
	const char *n = t_name("t_bind_early");
	struct binder b[3];
	RT_HEAP h;
	char *p, *q;
	size_t off;

	start(&b[0], n, TM_INFINITE);
	start(&b[1], n, 60000 * MS);
	start(&b[2], n, TM_INFINITE);
	t_sleep_ms(100);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(b[i].ret, 1);		/* still waiting */

	CHECK_OK(rt_heap_create(&h, n, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&p));
	strcpy(p, "hello binder");
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	for (int i = 0; i < 3; i++) {
		t_join(b[i].thr, 10000);
		CHECK_OK(b[i].ret);
		CHECK_EQ(b[i].heap.id, h.id);
		CHECK_OK(rt_heap_block_addr(&b[i].heap, off, (void **)&q));
		CHECK(!strcmp(q, "hello binder"));
	}
	CHECK_EQ(t_inquire(&h).nbound, 4);
	for (int i = 0; i < 3; i++)
		CHECK_OK(rt_heap_unbind(&b[i].heap));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_bind_fails(void)
{
	const char *missing = t_name("t_bind_none");
	char name32[33], name100[101];
	struct binder b;
	RT_HEAP h;
	uint64_t t0, t1;

	memset(name32, 'n', 32);
	name32[32] = 0;
	memset(name100, 'm', 100);
	name100[100] = 0;
	CHECK_RET(rt_heap_bind(&h, name32), -ENAMETOOLONG);
	CHECK_RET(rt_heap_bind(&h, name100), -ENAMETOOLONG);
	CHECK_RET(rt_heap_bind_timed(&h, name32, TM_NONBLOCK), -ENAMETOOLONG);

	CHECK_RET(rt_heap_bind_timed(&h, missing, TM_NONBLOCK), -EWOULDBLOCK);
	t0 = t_now_ns();
	CHECK_RET(rt_heap_bind_timed(&h, missing, 50 * MS), -ETIMEDOUT);
	t1 = t_now_ns();
	CHECKF(t1 - t0 >= 50 * MS, "bind timed out after %llu ns of 50 ms",
	       (unsigned long long)(t1 - t0));

	/* Interrupted by a signal: -EINTR, infinite and timed. */
	t_install_nop_handler(SIGUSR1);
	start(&b, missing, TM_INFINITE);
	t_sleep_ms(100);
	CHECK_EQ(b.ret, 1);
	CHECK_OK(-pthread_kill(b.thr, SIGUSR1));
	t_join(b.thr, 10000);
	CHECK_RET(b.ret, -EINTR);

	start(&b, missing, 60000 * MS);
	t_sleep_ms(100);
	CHECK_EQ(b.ret, 1);
	CHECK_OK(-pthread_kill(b.thr, SIGUSR1));
	t_join(b.thr, 10000);
	CHECK_RET(b.ret, -EINTR);

	/* Anonymous heaps cannot be bound. */
	CHECK_RET2(rt_heap_bind_timed(&h, "", TM_NONBLOCK), -EINVAL,
		   -EWOULDBLOCK);

	/* Unbind of something never bound. */
	memset(&h, 0, sizeof(h));
	CHECK_RET(rt_heap_unbind(&h), -EINVAL);
	memset(&h, 0xff, sizeof(h));
	CHECK_RET(rt_heap_unbind(&h), -EINVAL);
}

int main(void)
{
	test_bind_existing();
	test_bind_before_create();
	test_bind_fails();
	return T_EXIT_PASS;
}
