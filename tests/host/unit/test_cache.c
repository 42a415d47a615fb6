// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libheap's block cache (lib/cache.c) against the fake
 * /dev/rtheap of fake_rtheap.c: refills and drains as bulk ioctls, a
 * module without what the cache needs, a block whose class changed,
 * threads allocating and freeing while another drains.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rtheap/heap.h>

#include "fake_rtheap.h"

/* The block cache: refills and drains are bulk ioctls, nothing else. */
static void test_cache(void **state)
{
	void *blk[40];
	size_t n;
	RT_HEAP h, s;
	int i;

	(void)state;
	create_ok(&h, "cache", 4 * PAGE, 0);
	create_ok(&s, "cache-seg", 8192, H_SHARED);
	assert_int_equal(rt_heap_cache(&s, 4096), -EINVAL);
	assert_int_equal(rt_heap_cache(&h, 4 * PAGE + 1), -E2BIG);
	assert_int_equal(rt_heap_cache_inquire(&h, NULL), -EINVAL);
	assert_int_equal(rt_heap_cache(&h, 4096), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk[i]), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_BULK), 3);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 0);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 8 * 16);
	for (i = 0; i < 40; i++)
		assert_int_equal(rt_heap_free(&h, blk[i]), 0);
	assert_int_equal(rt_heap_free(&h, blk[39]), -EINVAL);
	/* 48 cached would exceed a magazine of 32: one drain of 16. */
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 1);
	assert_int_equal(NR(RTHEAP_IOC_FREE), 0);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 32 * 16);
	/* Larger than half a page: the kernel's. */
	assert_int_equal(rt_heap_alloc(&h, PAGE, TM_NONBLOCK, &blk[0]), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 1);
	assert_int_equal(rt_heap_free(&h, blk[0]), 0);
	assert_int_equal(rt_heap_cache(&h, 0), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 2);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(rt_heap_delete(&s), 0);
}

static void test_cache_old_module(void **state)
{
	RT_HEAP h;
	size_t n = 1;

	(void)state;
	fk.features &= ~RTHEAP_FEAT_STATUS_PAGE;
	create_ok(&h, "cache-old", 4 * PAGE, 0);
	assert_int_equal(rt_heap_cache(&h, 4096), -EOPNOTSUPP);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* A module without the class map: no cache either. */
static void test_cache_no_class_map(void **state)
{
	RT_HEAP h;

	(void)state;
	fk.features &= ~RTHEAP_FEAT_CLASS_MAP;
	create_ok(&h, "cache-nomap", 4 * PAGE, 0);
	assert_int_equal(rt_heap_cache(&h, 4096), -EOPNOTSUPP);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/*
 * A block the cache handed out, freed by another process (here: straight
 * through the ioctl), its page given up and taken by another class, then
 * the block at the same offset, of that class now, handed to us and freed
 * through the cached descriptor: the cache must not take it back as a
 * block of its old class (it would hand out 256 bytes where 64 live).
 */
static void test_cache_stale_class(void **state)
{
	void *b[PAGE / 256];
	size_t n, off, i;
	unsigned int nfree;
	int units;
	RT_HEAP h;

	(void)state;
	create_ok(&h, "cache-stale", 4 * PAGE, 0);
	assert_int_equal(rt_heap_cache(&h, 4096), 0);
	for (i = 0; i < PAGE / 256; i++)
		assert_int_equal(rt_heap_alloc(&h, 256, TM_NONBLOCK, &b[i]), 0);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 0);		/* the whole page handed out */
	/* "Another process" frees them all: page 0 empty, its class gone. */
	for (i = 0; i < PAGE / 256; i++) {
		assert_int_equal(rt_heap_block_offset(&h, b[i], &off), 0);
		assert_int_equal(ioctl(h.fd, RTHEAP_IOC_FREE_OFF, (unsigned long)off), 0);
	}
	/* ... and takes 64 bytes at offset 0, of another class. */
	units = ioctl(h.fd, RTHEAP_IOC_ALLOC_NB, 64UL);
	assert_int_equal(units, 0);
	assert_int_equal(fk.heaps[0].used_bytes, 64);
	/* Handed to us, freed through the cached descriptor: the kernel's. */
	nfree = NR(RTHEAP_IOC_FREE_OFF);
	assert_int_equal(rt_heap_free(&h, h.base), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), nfree + 1);
	assert_int_equal(fk.heaps[0].used_bytes, 0);
	assert_int_equal(rt_heap_cache_inquire(&h, &n), 0);
	assert_int_equal(n, 0);
	/* Freed again: the kernel refuses it, the cache did not keep it. */
	assert_int_equal(rt_heap_free(&h, h.base), -EINVAL);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/*
 * A cached descriptor shared by NTHREADS workers (their allocs and frees
 * lock-free in their own tcaches) while another thread keeps draining
 * them all: rt_heap_cache() lowering the bound below what is cached, and
 * rt_heap_cache_inquire().  No block may be handed out twice (the
 * workers' tags), none freed twice into the module, none lost.
 */
struct drainer {
	RT_HEAP *heap;
	int stop;
	unsigned long drains;
	int errors;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;
	size_t cached;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		if (rt_heap_cache(d->heap, 512) ||
		    rt_heap_cache_inquire(d->heap, &cached) || cached > 512 ||
		    rt_heap_cache(d->heap, 64 * 1024))
			d->errors++;
		d->drains++;
		sched_yield();
	}
	return NULL;
}

static void test_cache_threads(void **state)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS], dt;
	struct drainer d = { 0 };
	RT_HEAP_INFO info;
	size_t cached;
	RT_HEAP h;
	int i;

	(void)state;
	create_ok(&h, "mtc", 256 * 1024, 0);
	assert_int_equal(rt_heap_cache(&h, 64 * 1024), 0);
	d.heap = &h;
	assert_int_equal(pthread_create(&dt, NULL, drain_thread, &d), 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i].heap = &h;
		w[i].seed = 0x4321u + (unsigned int)i * 91;
		w[i].loops = 10 * NLOOPS;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&t[i], NULL, alloc_thread, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(dt, NULL), 0);
	assert_int_equal(d.errors, 0);
	assert_true(d.drains > 0);
	/* The workers' tcaches drained as they exited; nothing is left. */
	assert_int_equal(rt_heap_cache_inquire(&h, &cached), 0);
	assert_int_equal(cached, 0);
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, 0);
	assert_int_equal(fk.bad_frees, 0);
	assert_true(NR(RTHEAP_IOC_ALLOC_BULK) > 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_cache),
		T(test_cache_old_module),
		T(test_cache_no_class_map),
		T(test_cache_stale_class),
		T(test_cache_threads),
#undef T
	};

	return cmocka_run_group_tests_name("libheap-cache", tests, NULL, NULL);
}
