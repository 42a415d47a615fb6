// SPDX-License-Identifier: GPL-2.0
/*
 * 8 threads doing random alloc/free on one heap, a byte pattern in every
 * block checked before it is freed; at the end usedmem is back to 0 and the
 * whole heap is allocatable again.
 *
 * Then the same on a heap too small for them all (H_FIFO and H_PRIO), where
 * allocations wait with short timeouts while a signaller interrupts them:
 * grants race with timeouts and signals, and not one block may be lost
 * (a grant that wins must be returned as a success).  Last, the heap is
 * deleted under 8 threads working on it: each sees -EIDRM, nothing else.
 *
 * Iterations per thread: RTHEAP_STRESS_ITERS (default 100,000) in the first
 * part, a twentieth of that in the contended part.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
	if (r < 95)	/* the larger classes */
		return 257 + rnd(s) % (T_PAGE / 2 - 256);
	return T_PAGE / 2 + 1 + rnd(s) % (4 * T_PAGE - T_PAGE / 2);	/* runs */
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

/* ---- contended: waits, timeouts, signals -------------------------------- */

#define CONTENDED_SIZE	(16 * T_PAGE)
#define HOLD		4

static atomic_bool contended_done;
static atomic_ulong nresult[4];	/* 0, -EWOULDBLOCK, -ETIMEDOUT, -EINTR */

static void *contended_worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	struct slot held[HOLD];
	uint64_t s = 0x2545f4914f6cdd1dULL * (t + 1);
	unsigned long n = iters / 20;
	int nheld = 0;

	memset(held, 0, sizeof(held));
	for (unsigned long i = 0; i < n; i++) {
		static const RTIME tmo[] = {
			TM_NONBLOCK, 50000, 200000, 1000000, 3000000,
		};
		struct slot *sl;
		void *p;
		int ret;

		if (nheld == HOLD || (nheld && rnd(&s) % 2)) {
			/* Free the oldest. */
			check(t, &held[0]);
			CHECK_OK(rt_heap_free(&heap, held[0].p));
			memmove(held, held + 1, --nheld * sizeof(held[0]));
			continue;
		}
		sl = &held[nheld];
		sl->size = 1 + rnd(&s) % (T_PAGE * 9 / 4);	/* to 2.25 pages */
		ret = rt_heap_alloc(&heap, sl->size,
				    tmo[rnd(&s) % (sizeof(tmo) / sizeof(tmo[0]))],
				    &p);
		switch (ret) {
		case 0:
			atomic_fetch_add(&nresult[0], 1);
			sl->p = p;
			sl->seed = ((uint64_t)t << 56) ^ (rnd(&s) << 8);
			fill(sl);
			nheld++;
			break;
		case -EWOULDBLOCK:
			atomic_fetch_add(&nresult[1], 1);
			break;
		case -ETIMEDOUT:
			atomic_fetch_add(&nresult[2], 1);
			break;
		case -EINTR:
			atomic_fetch_add(&nresult[3], 1);
			break;
		default:
			T_FAIL("thread %d: alloc(%zu) returned %s", t, sl->size,
			       t_errname(ret));
		}
	}
	while (nheld) {
		check(t, &held[0]);
		CHECK_OK(rt_heap_free(&heap, held[0].p));
		memmove(held, held + 1, --nheld * sizeof(held[0]));
	}
	return NULL;
}

static void contended(int mode)
{
	pthread_t thr[NTHREADS];
	bool joined[NTHREADS] = { false };
	RT_HEAP_INFO info;
	uint64_t s = 42;
	void *all;

	for (int i = 0; i < 4; i++)
		atomic_store(&nresult[i], 0);
	atomic_store(&contended_done, false);
	CHECK_OK(rt_heap_create(&heap, NULL, CONTENDED_SIZE, mode));
	for (int i = 0; i < NTHREADS; i++)
		CHECK_OK(-pthread_create(&thr[i], NULL, contended_worker,
					 (void *)(intptr_t)i));
	/* Interrupt random workers while they run. */
	for (int live = NTHREADS; live;) {
		t_sleep_ms(1);
		live = 0;
		for (int i = 0; i < NTHREADS; i++) {
			if (joined[i])
				continue;
			if (pthread_tryjoin_np(thr[i], NULL) == 0) {
				joined[i] = true;
				continue;
			}
			live++;
			if (rnd(&s) % 4 == 0)
				pthread_kill(thr[i], SIGUSR1);
		}
	}
	info = t_inquire(&heap);
	CHECKF(info.usedmem == 0, "%s: %zu bytes still allocated after every "
	       "block was freed (a grant lost to a timeout or a signal?)",
	       mode & H_PRIO ? "H_PRIO" : "H_FIFO", info.usedmem);
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.largestfree, info.usablemem);
	CHECK_OK(rt_heap_alloc(&heap, info.usablemem, TM_NONBLOCK, &all));
	CHECK_OK(rt_heap_free(&heap, all));
	CHECK_OK(rt_heap_delete(&heap));
	printf("contended %s: %lu granted, %lu would block, %lu timed out, "
	       "%lu interrupted\n", mode & H_PRIO ? "H_PRIO" : "H_FIFO",
	       atomic_load(&nresult[0]), atomic_load(&nresult[1]),
	       atomic_load(&nresult[2]), atomic_load(&nresult[3]));
	CHECK(atomic_load(&nresult[2]) > 0);	/* waits really happened */
}

/* ---- delete under load --------------------------------------------------- */

static const char *del_name;
static atomic_int nidrm;

static void *deleted_worker(void *arg)
{
	uint64_t s = 77 + (uintptr_t)arg;
	void *held[8];
	int nheld = 0, ret;
	RT_HEAP h;

	CHECK_OK(rt_heap_bind(&h, del_name));
	for (;;) {
		if (nheld == 8 || (nheld && rnd(&s) % 2)) {
			ret = rt_heap_free(&h, held[--nheld]);
			if (ret == -EIDRM)
				break;
			CHECKF(ret == 0, "free returned %s", t_errname(ret));
			continue;
		}
		ret = rt_heap_alloc(&h, 1 + rnd(&s) % 5000,
				    rnd(&s) % 2 ? TM_NONBLOCK : 2000000,
				    &held[nheld]);
		if (ret == -EIDRM)
			break;
		CHECKF(ret == 0 || ret == -EWOULDBLOCK || ret == -ETIMEDOUT,
		       "alloc returned %s", t_errname(ret));
		if (!ret)
			memset(held[nheld++], 0xd1, 16);
	}
	/* Once deleted, deleted for every call. */
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &held[0]), -EIDRM);
	CHECK_RET(rt_heap_alloc(&h, 16, TM_INFINITE, &held[0]), -EIDRM);
	CHECK_RET(rt_heap_inquire(&h, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	atomic_fetch_add(&nidrm, 1);
	CHECK_OK(rt_heap_unbind(&h));
	return NULL;
}

static void wait_nbound(RT_HEAP *h, int n)
{
	for (int i = 0; t_inquire(h).nbound != n; i++) {
		CHECKF(i < 5000, "nbound is %d, expected %d", t_inquire(h).nbound,
		       n);
		t_sleep_ms(2);
	}
}

static void deleted_under_load(void)
{
	pthread_t thr[NTHREADS];
	RT_HEAP h;

	del_name = t_name("t_stress");
	CHECK_OK(rt_heap_create(&h, del_name, CONTENDED_SIZE, H_PRIO));
	for (int i = 0; i < NTHREADS; i++)
		CHECK_OK(-pthread_create(&thr[i], NULL, deleted_worker,
					 (void *)(intptr_t)i));
	wait_nbound(&h, NTHREADS + 1);
	t_sleep_ms(200);
	CHECK_OK(rt_heap_delete(&h));
	for (int i = 0; i < NTHREADS; i++)
		t_join(thr[i], 10000);
	CHECK_EQ(atomic_load(&nidrm), NTHREADS);
	CHECK(!t_listed(del_name));
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
	t_install_nop_handler(SIGUSR1);
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
	for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
		CHECK_EQ(info.class_blocks[c], 0);
	CHECK_EQ(info.largestfree, info.usablemem);
	CHECK_OK(rt_heap_alloc(&heap, info.usablemem, TM_NONBLOCK, &all));
	CHECK_OK(rt_heap_free(&heap, all));
	CHECK_OK(rt_heap_delete(&heap));

	printf("%d threads x %lu iterations: %lu allocations in %.1f s "
	       "(%.0f ops/s)\n", NTHREADS, iters, total, ns / 1e9,
	       (NTHREADS * (double)iters) / (ns / 1e9));

	t0 = t_now_ns();
	contended(H_FIFO);
	contended(H_PRIO);
	deleted_under_load();
	printf("contended and delete phases: %.1f s\n", (t_now_ns() - t0) / 1e9);
	return T_EXIT_PASS;
}
