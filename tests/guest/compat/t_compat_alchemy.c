// SPDX-License-Identifier: GPL-2.0
/*
 * Xenomai 3 Alchemy heap code on rtheap: built with nothing but
 * <alchemy/heap.h> and `pkg-config libheap-alchemy'.  Every name of the
 * Alchemy heap API, then two patterns real programs follow:
 *   - two SCHED_FIFO threads bind before the heap exists; a 16 KiB H_PRIO
 *     heap serves two 8 KiB blocks; TM_NONBLOCK gives -EWOULDBLOCK; a free
 *     hands the block to the more urgent waiter; delete wakes the rest
 *     with -EIDRM;
 *   - two threads pass 16-byte blocks through a pipe 1,000 times, each
 *     freed by the thread that did not allocate it, through its own
 *     descriptor; both heaps end empty.
 */
#include <alchemy/heap.h>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "tcommon.h"

#if TM_INFINITE != 0 || TM_NOW != 0
#error "TM_INFINITE and TM_NOW are 0 in Alchemy, and usable in #if"
#endif
#if TM_NONBLOCK != 0xffffffffffffffffULL
#error "TM_NONBLOCK is (RTIME)-1"
#endif

static const char *name_of(const char *tag)
{
	return t_name(tag);
}

/* Every field Alchemy's RT_HEAP_INFO has, under its own name. */
static void check_info(RT_HEAP *h, const char *name, size_t size, int mode)
{
	struct RT_HEAP_INFO info;	/* the struct tag works too */

	CHECK_OK(rt_heap_inquire(h, &info));
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.mode, mode);
	CHECK_EQ(info.heapsize, size);
	CHECK(info.usablemem >= size);
	CHECK_EQ(info.usedmem, 0);
	CHECK(!strcmp(info.name, name));
	CHECK_EQ(sizeof(info.name), XNOBJECT_NAME_LEN);
}

static void test_calls(void)
{
	const char *name = name_of("alc");
	struct timespec ts;
	RT_HEAP h, b;
	void *p, *q, *r;

	CHECK_EQ(XNOBJECT_NAME_LEN, 32);
	CHECK_RET(rt_heap_bind(&b, name, TM_NONBLOCK), -EWOULDBLOCK);
	CHECK_RET(rt_heap_bind(&b, name, 20000000), -ETIMEDOUT);	/* 20 ms */

	CHECK_OK(rt_heap_create(&h, name, 4 * T_PAGE, H_FIFO));
	check_info(&h, name, 4 * T_PAGE, H_FIFO);
	CHECK_OK(rt_heap_bind(&b, name, TM_INFINITE));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_alloc(&b, 2 * T_PAGE, TM_INFINITE, &q));
	CHECK(p != q);

	/* Full: every way of not waiting, or of waiting in vain. */
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &r), -EWOULDBLOCK);
	CHECK(!r);
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	CHECK_RET(rt_heap_alloc_timed(&h, 16, &ts, &r), -EWOULDBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_RET(rt_heap_alloc_timed(&h, 16, &ts, &r), -ETIMEDOUT);
	CHECK_RET(rt_heap_alloc_until(&h, 16, t_now_ns() + 20000000, &r),
		  -ETIMEDOUT);
	CHECK_RET(rt_heap_alloc(&h, 16, 20000000, &r), -ETIMEDOUT);
	ts.tv_nsec = 1000000000;
	CHECK_RET(rt_heap_alloc_timed(&h, 16, &ts, &r), -EINVAL);

	/* A block of one descriptor freed through the other. */
	CHECK_OK(rt_heap_free(&b, q));
	CHECK_OK(rt_heap_alloc_timed(&b, 16, NULL, &q));
	CHECK_OK(rt_heap_free(&h, q));
	CHECK_OK(rt_heap_alloc_until(&h, 2 * T_PAGE, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_free(&h, q));
	CHECK_OK(rt_heap_free(&b, p));
	CHECK_EQ(t_inquire(&h).usedmem, 0);

	CHECK_OK(rt_heap_unbind(&b));
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_bind(&b, name, TM_NONBLOCK), -EWOULDBLOCK);

	/* H_SINGLE: one segment, handed out whole. */
	CHECK_OK(rt_heap_create(&h, name, 2 * T_PAGE, H_SINGLE));
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &q));
	CHECK(p == q);
	CHECK_OK(rt_heap_delete(&h));
}

/* --- priority hand-over ------------------------------------------------------ */

struct waiter {
	const char *name;
	int prio;
	int ret;
	void *block;
	bool bound;
	RT_HEAP heap;
};

static bool go;

/* Bind (waiting for the create), then, when told, wait for a block. */
static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->ret = rt_heap_bind(&w->heap, w->name, TM_INFINITE);
	if (w->ret)
		return NULL;
	__atomic_store_n(&w->bound, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		usleep(1000);
	w->ret = rt_heap_alloc(&w->heap, 2 * T_PAGE, TM_INFINITE, &w->block);
	return NULL;
}

static pthread_t start_fifo(struct waiter *w)
{
	struct sched_param sp = { .sched_priority = w->prio };
	pthread_attr_t attr;
	pthread_t thr;

	CHECK(!pthread_attr_init(&attr));
	CHECK(!pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED));
	CHECK(!pthread_attr_setschedpolicy(&attr, SCHED_FIFO));
	CHECK(!pthread_attr_setschedparam(&attr, &sp));
	CHECK(!pthread_create(&thr, &attr, waiter_main, w));
	pthread_attr_destroy(&attr);
	return thr;
}

static void test_prio_handover(void)
{
	const char *name = name_of("alcprio");
	struct waiter lo = { .name = name, .prio = 10 };
	struct waiter hi = { .name = name, .prio = 20 };
	pthread_t tlo, thi;
	RT_HEAP h;
	void *a, *b, *c;

	/* Both bind before the heap exists. */
	tlo = start_fifo(&lo);
	thi = start_fifo(&hi);
	t_sleep_ms(50);
	CHECK(!__atomic_load_n(&lo.bound, __ATOMIC_ACQUIRE));

	CHECK_OK(rt_heap_create(&h, name, 4 * T_PAGE, H_PRIO));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &b));
	CHECK_RET(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &c), -EWOULDBLOCK);
	for (int i = 0; !__atomic_load_n(&lo.bound, __ATOMIC_ACQUIRE) ||
			!__atomic_load_n(&hi.bound, __ATOMIC_ACQUIRE); i++) {
		CHECKF(i < 5000, "the waiters did not bind: %d, %d",
		       lo.ret, hi.ret);
		usleep(1000);
	}
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	t_wait_nwaiters(&h, 2, 5000);

	/* The more urgent one gets the block the free gives back. */
	CHECK_OK(rt_heap_free(&h, a));
	t_join(thi, 5000);
	CHECK_OK(hi.ret);
	CHECK(hi.block == a);
	CHECK_EQ(t_inquire(&h).nwaiters, 1);

	CHECK_OK(rt_heap_delete(&h));
	t_join(tlo, 5000);
	CHECK_RET(lo.ret, -EIDRM);
	CHECK_OK(rt_heap_unbind(&lo.heap));
	CHECK_OK(rt_heap_unbind(&hi.heap));
}

/* --- ping-pong through a pipe ------------------------------------------------- */

#define ROUNDS	1000

struct player {
	const char *mine, *theirs;	/* heap names */
	int in, out;			/* pipe ends */
	int ret;
};

/*
 * Allocate from my heap, send the block; receive one from the other
 * thread's heap and free it through my own descriptor of that heap.
 */
static void *player_main(void *arg)
{
	struct player *pl = arg;
	RT_HEAP mine, theirs;
	void *blk;
	int i;

	pl->ret = rt_heap_bind(&mine, pl->mine, TM_INFINITE);
	if (!pl->ret)
		pl->ret = rt_heap_bind(&theirs, pl->theirs, TM_INFINITE);
	if (pl->ret)
		return NULL;
	for (i = 0; i < ROUNDS && !pl->ret; i++) {
		pl->ret = rt_heap_alloc(&mine, 16, TM_INFINITE, &blk);
		if (pl->ret)
			break;
		memset(blk, i & 0xff, 16);
		if (write(pl->out, &blk, sizeof(blk)) != sizeof(blk) ||
		    read(pl->in, &blk, sizeof(blk)) != sizeof(blk)) {
			pl->ret = -EPIPE;
			break;
		}
		if (((unsigned char *)blk)[15] != (i & 0xff))
			pl->ret = -EBADMSG;
		else
			pl->ret = rt_heap_free(&theirs, blk);
	}
	rt_heap_unbind(&theirs);
	rt_heap_unbind(&mine);
	return NULL;
}

static void test_ping_pong(void)
{
	struct player a = { 0 }, b = { 0 };
	char na[32], nb[32];
	int ab[2], ba[2];
	pthread_t ta, tb;
	RT_HEAP ha, hb;

	snprintf(na, sizeof(na), "%s", name_of("alcA"));
	snprintf(nb, sizeof(nb), "%s", name_of("alcB"));
	CHECK_OK(rt_heap_create(&ha, na, 65536, H_FIFO));
	CHECK_OK(rt_heap_create(&hb, nb, 65536, H_FIFO));
	CHECK(!pipe(ab) && !pipe(ba));
	a = (struct player){ .mine = na, .theirs = nb, .in = ba[0], .out = ab[1] };
	b = (struct player){ .mine = nb, .theirs = na, .in = ab[0], .out = ba[1] };
	CHECK(!pthread_create(&ta, NULL, player_main, &a));
	CHECK(!pthread_create(&tb, NULL, player_main, &b));
	t_join(ta, 60000);
	t_join(tb, 60000);
	CHECK_OK(a.ret);
	CHECK_OK(b.ret);
	CHECK_EQ(t_inquire(&ha).usedmem, 0);
	CHECK_EQ(t_inquire(&hb).usedmem, 0);
	CHECK_OK(rt_heap_delete(&ha));
	CHECK_OK(rt_heap_delete(&hb));
}

int main(void)
{
	test_calls();
	test_prio_handover();
	test_ping_pong();
	return T_EXIT_PASS;
}
