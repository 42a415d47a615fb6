// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libheap's API and mapping table (lib/api.c) against the
 * fake /dev/rtheap of fake_rtheap.c: descriptor validity, create, bind,
 * delete, alloc and free, bulk calls, H_SHARED, inquire, block offsets,
 * listing, threads.  The device layer's are in test_device.c, the block
 * cache's in test_cache.c, heapctl's in test_heapctl.c.
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

static void test_null_descriptor(void **state)
{
	(void)state;
	check_invalid(NULL);
	assert_int_equal(rt_heap_create(NULL, "x", 4096, 0), -EINVAL);
	assert_int_equal(rt_heap_create_ext(NULL, "x", 4096, 0, 0600, -1), -EINVAL);
	assert_int_equal(rt_heap_bind(NULL, "x"), -EINVAL);
	assert_int_equal(rt_heap_bind_timed(NULL, "x", TM_NONBLOCK), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);	/* no device touched */
}

static void test_never_created(void **state)
{
	RT_HEAP zeroed, garbage;

	(void)state;
	memset(&zeroed, 0, sizeof(zeroed));
	memset(&garbage, 0xa5, sizeof(garbage));
	check_invalid(&zeroed);
	check_invalid(&garbage);
	assert_int_equal(fake_open_files(), 0);
}

static void test_after_delete(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "gone", 8192, 0);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(fake_live_maps(), 1);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(h.magic, 0);
	assert_int_equal(h.fd, -1);
	assert_null(h.base);
	assert_int_equal(fake_heaps(), 0);
	check_invalid(&h);
}

static void test_after_unbind(void **state)
{
	RT_HEAP c, b;

	(void)state;
	create_ok(&c, "shared-name", 8192, 0);
	assert_int_equal(rt_heap_bind(&b, "shared-name"), 0);
	assert_int_equal(fake_open_files(), 2);
	assert_int_equal(rt_heap_unbind(&b), 0);
	check_invalid(&b);
	/* the binder's unbind leaves the heap alone */
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_unbind_creator(void **state)
{
	RT_HEAP h, b;

	(void)state;
	/*
	 * Unbinding the creator leaves the heap: libheap keeps the creating
	 * file (the kernel deletes the heap when it closes), not the mapping.
	 */
	create_ok(&h, "plain", 8192, 0);
	assert_int_equal(rt_heap_unbind(&h), 0);
	check_invalid(&h);
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(fake_live_maps(), 0);
	/* A delete through another descriptor closes the kept file too. */
	assert_int_equal(rt_heap_bind_timed(&b, "plain", TM_NONBLOCK), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
	assert_int_equal(fake_heaps(), 0);
	assert_int_equal(fake_open_files(), 0);

	/* Deleted by name (another process, as it were): the kept file
	 * goes at the next create, bind, unbind or delete. */
	create_ok(&h, "byname", 8192, 0);
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(rt_heap_delete_name("byname"), 0);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(rt_heap_bind_timed(&b, "byname", TM_NONBLOCK), -EWOULDBLOCK);
	assert_int_equal(fake_open_files(), 0);

	/* An H_PERSIST heap needs no kept file: it stays until deleted. */
	create_ok(&h, "kept", 8192, H_PERSIST);
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(rt_heap_bind_timed(&b, "kept", TM_NONBLOCK), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
	assert_int_equal(fake_heaps(), 0);
}

/* Every descriptor of a heap in a process shares one mapping. */
static void test_one_mapping(void **state)
{
	RT_HEAP h, a, b;
	void *p;

	(void)state;
	create_ok(&h, "shared1", 16384, 0);
	assert_int_equal(rt_heap_bind(&a, "shared1"), 0);
	assert_int_equal(rt_heap_bind(&b, "shared1"), 0);
	assert_int_equal(fake_live_maps(), 1);
	assert_ptr_equal(a.base, h.base);
	assert_ptr_equal(b.base, h.base);
	assert_int_equal(rt_heap_alloc(&a, 100, TM_NONBLOCK, &p), 0);
	assert_int_equal(rt_heap_free(&b, p), 0);

	/* The mapping goes with the last descriptor, the creator's first. */
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(fake_live_maps(), 1);
	assert_int_equal(rt_heap_unbind(&a), 0);
	assert_int_equal(fake_live_maps(), 1);
	assert_int_equal(rt_heap_alloc(&b, 100, TM_NONBLOCK, &p), 0);
	assert_int_equal(rt_heap_free(&b, p), 0);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(fake_live_maps(), 0);
	assert_int_equal(fake_open_files(), 1);		/* the kept creating file */
	assert_int_equal(fake_heaps(), 1);

	/* Bound again: mapped anew; deleted: nothing left. */
	assert_int_equal(rt_heap_bind(&a, "shared1"), 0);
	assert_int_equal(fake_live_maps(), 1);
	assert_int_equal(rt_heap_delete(&a), 0);
	assert_int_equal(fake_live_maps(), 0);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(fake_heaps(), 0);
}

static void test_create_args(void **state)
{
	RT_HEAP h;
	char name32[33];

	(void)state;
	memset(name32, 'a', 32);
	name32[32] = '\0';
	assert_int_equal(rt_heap_create(&h, name32, 4096, 0), -ENAMETOOLONG);
	assert_int_equal(rt_heap_bind(&h, name32), -ENAMETOOLONG);
	assert_int_equal(rt_heap_create(&h, "x", 0, 0), -EINVAL);
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0x8000), -EINVAL);
	assert_int_equal(rt_heap_create_ext(&h, "x", 4096, 0, 01000, -1), -EINVAL);
	assert_int_equal(rt_heap_create_ext(&h, "x", 4096, 0, 0600, -2), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);

	/* 31 characters fit */
	name32[31] = '\0';
	create_ok(&h, name32, 4096, 0);
	assert_string_equal(fk.last_create.name, name32);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_create_passes_args(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "args", 10000, H_PRIO | H_PERSIST);
	assert_int_equal(fk.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 1);
	assert_string_equal(fk.last_create.name, "args");
	assert_int_equal(fk.last_create.size, 10000);
	assert_int_equal(fk.last_create.mode, H_PRIO | H_PERSIST);
	assert_int_equal(fk.last_create.flags, 0);
	assert_int_equal(h.mode, H_PRIO | H_PERSIST);
	assert_int_equal(h.mapsize, 12288);
	assert_int_equal(h.heapsize, 10000);
	assert_int_equal(h.id, 1);
	assert_int_equal(rt_heap_delete(&h), 0);

	assert_int_equal(rt_heap_create_ext(&h, "ext", 4096, 0, 0640, -1), 0);
	assert_int_equal(fk.last_create.flags, RTHEAP_CREATE_PERM);
	assert_int_equal(fk.last_create.perm, 0640);
	assert_int_equal(rt_heap_delete(&h), 0);

	assert_int_equal(rt_heap_create_ext(&h, "ext", 4096, 0, 0, 1234), 0);
	assert_int_equal(fk.last_create.flags, RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID);
	assert_int_equal(fk.last_create.perm, 0);
	assert_int_equal(fk.last_create.gid, 1234);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_create_anonymous(void **state)
{
	RT_HEAP a, b, c;

	(void)state;
	create_ok(&a, NULL, 4096, 0);
	assert_string_equal(fk.last_create.name, "");
	create_ok(&b, "", 4096, 0);	/* two anonymous heaps coexist */
	assert_int_equal(rt_heap_bind(&c, ""), -EINVAL);
	check_invalid(&c);
	assert_int_equal(rt_heap_bind(&c, NULL), -EINVAL);
	check_invalid(&c);
	assert_int_equal(rt_heap_delete(&a), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
}

static void test_create_errors(void **state)
{
	static const int errs[] = { EINVAL, EEXIST, ENOMEM, EPERM, ENAMETOOLONG,
				    EACCES, EFAULT };
	RT_HEAP h, h2;
	unsigned int i;

	(void)state;
	create_ok(&h, "dup", 4096, 0);
	assert_int_equal(rt_heap_create(&h2, "dup", 4096, 0), -EEXIST);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(rt_heap_delete(&h), 0);

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_CREATE, errs[i]);
		assert_int_equal(rt_heap_create(&h, "e", 4096, 0), -errs[i]);
		assert_int_equal(fake_open_files(), 0);
	}
}

static void test_bind_timed(void **state)
{
	RT_HEAP c, b;

	(void)state;
	assert_int_equal(rt_heap_bind_timed(&b, "later", TM_NONBLOCK), -EWOULDBLOCK);
	assert_int_equal(fk.last_bind.timeout, RTHEAP_TM_NONBLOCK);
	assert_int_equal(fk.last_bind.flags, 0);
	assert_int_equal(rt_heap_bind_timed(&b, "later", 1000000), -ETIMEDOUT);
	assert_int_equal(fk.last_bind.timeout, 1000000);
	assert_int_equal(fk.last_bind.flags, 0);
	assert_string_equal(fk.last_bind.name, "later");
	check_invalid(&b);

	create_ok(&c, "later", 4096, 0);
	assert_int_equal(rt_heap_bind_timed(&b, "later", 5), 0);
	assert_int_equal(b.id, c.id);
	assert_int_equal(b.mapsize, c.mapsize);
	assert_ptr_equal(b.base, c.base);	/* one mapping per process */
	assert_int_equal(fk.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_bind_errors(void **state)
{
	static const int errs[] = { EACCES, EINTR, EINVAL, ENAMETOOLONG, ETIMEDOUT,
				    EWOULDBLOCK, EIDRM, ENOMEM };
	unsigned int i;
	RT_HEAP b;

	(void)state;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_BIND, errs[i]);
		assert_int_equal(rt_heap_bind(&b, "any"), -errs[i]);
		assert_int_equal(fake_open_files(), 0);
	}
}

struct binder {
	RT_HEAP heap;
	const char *name;
	int ret;
};

static void *bind_thread(void *arg)
{
	struct binder *bd = arg;

	bd->ret = rt_heap_bind(&bd->heap, bd->name);
	return NULL;
}

static void wait_for_bind_waiter(void)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		pthread_mutex_lock(&fk.lock);
		if (fk.bind_waiters) {
			pthread_mutex_unlock(&fk.lock);
			return;
		}
		pthread_mutex_unlock(&fk.lock);
		nanosleep(&ts, NULL);
	}
	fail_msg("bind never waited");
}

static void test_bind_waits_for_create(void **state)
{
	struct binder bd = { .name = "late", .ret = 1 };
	pthread_t t;
	RT_HEAP c;
	char *p;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, bind_thread, &bd), 0);
	wait_for_bind_waiter();
	assert_int_equal(bd.ret, 1);	/* still blocked */
	create_ok(&c, "late", 4096, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bd.ret, 0);
	assert_int_equal(fk.last_bind.timeout, RTHEAP_TM_INFINITE);
	/* both mappings show the same memory */
	p = c.base;
	p[100] = 'z';
	assert_int_equal(((char *)bd.heap.base)[100], 'z');
	assert_int_equal(rt_heap_unbind(&bd.heap), 0);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_bind_eintr_no_restart(void **state)
{
	struct binder bd = { .name = "never", .ret = 1 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, bind_thread, &bd), 0);
	wait_for_bind_waiter();
	pthread_mutex_lock(&fk.lock);
	fk.bind_interrupt = true;	/* a signal arrives */
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bd.ret, -EINTR);
	assert_int_equal(NR(RTHEAP_IOC_BIND), 1);	/* not restarted */
	check_invalid(&bd.heap);
	assert_int_equal(fake_open_files(), 0);
}

static void test_delete_errors(void **state)
{
	static const int errs[] = { EPERM, EIDRM, EINVAL, EINTR };
	RT_HEAP h, b;
	unsigned int i;
	void *blk;

	(void)state;
	create_ok(&h, "d", 8192, 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_DELETE, errs[i]);
		assert_int_equal(rt_heap_delete(&h), -errs[i]);
		/* descriptor unchanged and usable */
		assert_int_equal(h.magic, RT_HEAP_MAGIC);
		assert_int_equal(fake_open_files(), 1);
		assert_int_equal(rt_heap_alloc(&h, 32, TM_NONBLOCK, &blk), 0);
		assert_int_equal(rt_heap_free(&h, blk), 0);
	}
	fail_cmd(0, 0);

	/* Deleted through another descriptor: -EIDRM, then unbind releases. */
	assert_int_equal(rt_heap_bind(&b, "d"), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
	assert_int_equal(rt_heap_delete(&h), -EIDRM);
	assert_int_equal(rt_heap_alloc(&h, 32, TM_NONBLOCK, &blk), -EIDRM);
	assert_int_equal(rt_heap_inquire(&h, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	/* the mapping stays valid after delete */
	((char *)h.base)[0] = 1;
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(fake_heaps(), 0);
}

static void test_delete_close_fails(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "d", 8192, 0);
	/* Only close counts: it fails (EINTR) but Linux released the file. */
	arm(1, EINTR, 1U << C_CLOSE);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(disarm(), 1);	/* and is not retried */
	check_invalid(&h);
	assert_int_equal(fake_heaps(), 0);
}

static void test_alloc_free(void **state)
{
	RT_HEAP h;
	void *a, *b, *c;
	size_t off;

	(void)state;
	create_ok(&h, "af", 16384, 0);
	assert_int_equal(rt_heap_alloc(&h, 100, TM_INFINITE, &a), 0);
	assert_int_equal(fk.last_alloc.size, 100);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_INFINITE);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_true((char *)a >= (char *)h.base &&
		    (char *)a < (char *)h.base + h.mapsize);
	assert_int_equal(((uintptr_t)a - (uintptr_t)h.base) % 16, 0);
	assert_int_equal(rt_heap_alloc(&h, 8192, 1000, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, 1000);
	memset(b, 0x5a, 8192);

	/* the 16 KiB heap is full enough now */
	c = (void *)0x1;
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &c), -EWOULDBLOCK);
	assert_null(c);

	assert_int_equal(rt_heap_block_offset(&h, b, &off), 0);
	assert_int_equal(rt_heap_free(&h, b), 0);
	assert_int_equal(fk.last_free.offset, off);
	assert_int_equal(rt_heap_free(&h, b), -EINVAL);	/* double free: kernel */
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_args(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "aa", 4096, 0);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, NULL), -EINVAL);
	assert_int_equal(rt_heap_alloc(&h, 0, TM_NONBLOCK, &b), -EINVAL);	/* kernel */
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &b), -EINVAL);
	/* TM_NONBLOCK goes by value (RTHEAP_FEAT_ALLOC_NB) */
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 2);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 0);
	assert_int_equal(rt_heap_alloc(&h, 0, TM_INFINITE, &b), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 1);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_until(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "au", 4096, 0);
	assert_int_equal(rt_heap_alloc_until(&h, 64, 123456789ULL, &b), 0);
	assert_int_equal(fk.last_alloc.size, 64);
	assert_int_equal(fk.last_alloc.timeout, 123456789ULL);
	assert_int_equal(fk.last_alloc.flags, RTHEAP_TIMEOUT_ABS);
	assert_int_equal(rt_heap_free(&h, b), 0);

	/* TM_INFINITE / TM_NONBLOCK are no deadline: sent as such, relative */
	assert_int_equal(rt_heap_alloc_until(&h, 64, TM_INFINITE, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_INFINITE);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_int_equal(rt_heap_free(&h, b), 0);
	assert_int_equal(rt_heap_alloc_until(&h, 64, TM_NONBLOCK, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_NONBLOCK);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_int_equal(rt_heap_free(&h, b), 0);

	fail_cmd(RTHEAP_IOC_ALLOC, ETIMEDOUT);
	assert_int_equal(rt_heap_alloc_until(&h, 64, 1, &b), -ETIMEDOUT);
	assert_null(b);
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_errors(void **state)
{
	static const int errs[] = { EINVAL, EWOULDBLOCK, ETIMEDOUT, EIDRM, EINTR,
				    EPERM, EFAULT, ENOTTY };
	unsigned int i;
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "ae", 4096, 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_ALLOC, errs[i]);
		b = (void *)0x1;
		assert_int_equal(rt_heap_alloc(&h, 16, TM_INFINITE, &b), -errs[i]);
		assert_null(b);
	}
	fail_cmd(0, 0);

	/* the module must not hand out blocks outside the mapping */
	fk.alloc_offset_bad = true;
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b), -EPROTO);
	assert_null(b);
	fk.alloc_offset_bad = false;
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_free_validation(void **state)
{
	static const int errs[] = { EINVAL, EIDRM, EFAULT };
	RT_HEAP h, other;
	char *a, *o;
	unsigned int i, nfree;
	char local;

	(void)state;
	create_ok(&h, "fv", 8192, 0);
	create_ok(&other, "other", 8192, 0);
	assert_int_equal(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&a), 0);
	assert_int_equal(rt_heap_alloc(&other, 64, TM_NONBLOCK, (void **)&o), 0);

	nfree = NR(RTHEAP_IOC_FREE_OFF);
	assert_int_equal(rt_heap_free(&h, NULL), -EINVAL);
	assert_int_equal(rt_heap_free(&h, &local), -EINVAL);
	assert_int_equal(rt_heap_free(&h, (char *)h.base - 1), -EINVAL);
	assert_int_equal(rt_heap_free(&h, (char *)h.base + h.mapsize), -EINVAL);
	assert_int_equal(rt_heap_free(&h, o), -EINVAL);	/* other heap's block */
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), nfree);	/* none reached the kernel */

	/* inside but misaligned: the kernel decides, the offset goes through */
	assert_int_equal(rt_heap_free(&h, a + 3), -EINVAL);
	assert_int_equal(fk.last_free.offset, (uintptr_t)(a + 3) - (uintptr_t)h.base);
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), nfree + 1);

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_FREE_OFF, errs[i]);
		assert_int_equal(rt_heap_free(&h, a), -errs[i]);
	}
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_free(&other, o), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(rt_heap_delete(&other), 0);
}

/* Bulk calls: addresses and offsets, local checks, the kernel's results. */
static void test_bulk(void **state)
{
	void *blk[RT_HEAP_BULK_MAX + 1], *mix[6], *one;
	int res[RT_HEAP_BULK_MAX + 1];
	RT_HEAP h, zero;
	RT_HEAP_INFO info;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	create_ok(&h, "bulk", 16 * PAGE, 0);

	/* Refused by libheap itself: no ioctl. */
	assert_int_equal(rt_heap_alloc_bulk(NULL, 16, 1, blk), -EINVAL);
	assert_int_equal(rt_heap_alloc_bulk(&zero, 16, 1, blk), -EINVAL);
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, 1, NULL), -EINVAL);
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, 0, blk), -EINVAL);
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, RT_HEAP_BULK_MAX + 1, blk),
			 -EINVAL);
	assert_int_equal(rt_heap_free_bulk(NULL, 1, blk, res), -EINVAL);
	assert_int_equal(rt_heap_free_bulk(&zero, 1, blk, res), -EINVAL);
	assert_int_equal(rt_heap_free_bulk(&h, 1, NULL, res), -EINVAL);
	assert_int_equal(rt_heap_free_bulk(&h, 0, blk, res), -EINVAL);
	assert_int_equal(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX + 1, blk, res),
			 -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_BULK), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 0);

	/* The most in one call each. */
	assert_int_equal(rt_heap_alloc_bulk(&h, 100, RT_HEAP_BULK_MAX, blk), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_BULK), 1);
	for (int i = 0; i < RT_HEAP_BULK_MAX; i++) {
		assert_true((char *)blk[i] >= (char *)h.base &&
			    (char *)blk[i] < (char *)h.base + h.mapsize);
		memset(blk[i], i, 100);
	}
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, RT_HEAP_BULK_MAX * 128);
	assert_int_equal(rt_heap_free_bulk(&h, RT_HEAP_BULK_MAX, blk, res), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 1);
	for (int i = 0; i < RT_HEAP_BULK_MAX; i++)
		assert_int_equal(res[i], 0);
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, 0);

	/* Errors of the module come through, blocks untouched. */
	blk[0] = (void *)0x1;
	assert_int_equal(rt_heap_alloc_bulk(&h, PAGE, 17, blk), -EWOULDBLOCK);
	assert_ptr_equal(blk[0], (void *)0x1);
	assert_int_equal(rt_heap_alloc_bulk(&h, 0, 1, blk), -EINVAL);
	fail_cmd(RTHEAP_IOC_ALLOC_BULK, EIDRM);
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, 1, blk), -EIDRM);
	fail_cmd(RTHEAP_IOC_FREE_BULK, EIDRM);
	assert_int_equal(rt_heap_free_bulk(&h, 1, &h.base, res), -EIDRM);
	fail_cmd(0, 0);

	/* Outside the mapping: refused here, the others go to the module. */
	assert_int_equal(rt_heap_alloc_bulk(&h, 64, 2, blk), 0);
	assert_int_equal(rt_heap_alloc(&h, 64, TM_NONBLOCK, &one), 0);
	assert_int_equal(rt_heap_free(&h, one), 0);
	mix[0] = NULL;
	mix[1] = blk[0];
	mix[2] = (char *)h.base + h.mapsize;
	mix[3] = one;				/* double free: the module's */
	mix[4] = (char *)h.base - 16;
	mix[5] = blk[1];
	memset(res, 0x7f, sizeof(res));
	assert_int_equal(rt_heap_free_bulk(&h, 6, mix, res), 4);
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 3);
	{
		static const int want[6] = {
			-EINVAL, 0, -EINVAL, -EINVAL, -EINVAL, 0,
		};

		for (int i = 0; i < 6; i++)
			assert_int_equal(res[i], want[i]);
		assert_int_equal(res[6], 0x7f7f7f7f);
	}
	/* None inside: no ioctl at all; no results array. */
	assert_int_equal(rt_heap_free_bulk(&h, 1, &mix[2], NULL), 1);
	assert_int_equal(NR(RTHEAP_IOC_FREE_BULK), 3);
	assert_int_equal(rt_heap_free_bulk(&h, 2, &mix[1], NULL), 2);
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, 0);

	/* A module that hands out an offset we cannot see. */
	fk.alloc_offset_bad = true;
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, 2, blk), -EPROTO);
	fk.alloc_offset_bad = false;
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_shared(void **state)
{
	RT_HEAP h, b;
	void *p, *q;
	unsigned int nfree;

	(void)state;
	create_ok(&h, "seg", 8192, H_SHARED);
	assert_int_equal(h.mode, H_SHARED);
	assert_int_equal(rt_heap_alloc(&h, 0, TM_NONBLOCK, &p), 0);
	assert_ptr_equal(p, h.base);
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &q), 0);
	assert_ptr_equal(q, h.base);
	q = NULL;
	assert_int_equal(rt_heap_alloc(&h, 100, TM_NONBLOCK, &q), 0);	/* any size */
	assert_ptr_equal(q, h.base);
	assert_int_equal(rt_heap_alloc(&h, 8193, TM_NONBLOCK, &q), -EINVAL);	/* kernel */

	assert_int_equal(rt_heap_bind(&b, "seg"), 0);
	assert_int_equal(rt_heap_alloc(&b, 0, TM_INFINITE, &q), 0);
	assert_ptr_equal(q, b.base);

	nfree = NR(RTHEAP_IOC_FREE_OFF);
	assert_int_equal(rt_heap_free(&h, p), 0);
	assert_int_equal(rt_heap_free(&h, p), 0);	/* no effect, any number of times */
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), nfree + 2);	/* the kernel still asked */
	/* Whatever the pointer: the segment, and the kernel says so. */
	assert_int_equal(rt_heap_free(&h, (char *)p + 16), 0);
	assert_int_equal(rt_heap_free(&h, NULL), 0);
	assert_int_equal(rt_heap_free(&h, &nfree), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), nfree + 5);
	assert_int_equal(rt_heap_delete(&h), 0);
	/* A binder learns of the delete from free too. */
	assert_int_equal(rt_heap_free(&b, q), -EIDRM);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_free(&h, p), -EINVAL);	/* descriptor checked */
}

static void test_inquire(void **state)
{
	RT_HEAP_INFO info;
	RT_HEAP h, b;
	void *x, *y, *z;
	int i;

	(void)state;
	assert_int_equal(rt_heap_create_ext(&h, "inq", 20000, H_PRIO, 0640, 77), 0);
	assert_int_equal(rt_heap_bind(&b, "inq"), 0);
	assert_int_equal(rt_heap_alloc(&h, 20, TM_NONBLOCK, &x), 0);	/* 32 */
	assert_int_equal(rt_heap_alloc(&h, 2048, TM_NONBLOCK, &y), 0);
	assert_int_equal(rt_heap_alloc(&h, 5000, TM_NONBLOCK, &z), 0);	/* 2 pages */
	assert_int_equal(rt_heap_inquire(&h, NULL), -EINVAL);

	memset(&info, 0xff, sizeof(info));
	assert_int_equal(rt_heap_inquire(&b, &info), 0);
	assert_int_equal(info.nwaiters, 3);
	assert_int_equal(info.mode, H_PRIO);
	assert_int_equal(info.heapsize, 20000);
	assert_int_equal(info.usablemem, 20480);
	assert_int_equal(info.usedmem, 32 + 2048 + 8192);
	assert_int_equal(info.largestfree, 20480 - (32 + 2048 + 8192));
	assert_int_equal(info.nmaps, 1);	/* one mapping per process */
	assert_int_equal(info.nbound, 2);
	assert_int_equal(info.uid, getuid());
	assert_int_equal(info.gid, 77);
	assert_int_equal(info.perm, 0640);
	assert_int_equal(info.cpid, 4321);
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		assert_int_equal(info.class_blocks[i], i == 1 || i == 7);
	assert_string_equal(info.name, "inq");
	assert_int_equal(info.phys_addr, 0);
	assert_int_equal(info.nr_classes, FAKE_CLASSES);

	fail_cmd(RTHEAP_IOC_INQUIRE, EIDRM);
	assert_int_equal(rt_heap_inquire(&h, &info), -EIDRM);
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_block_offsets(void **state)
{
	RT_HEAP h, b;
	size_t off;
	void *blk, *p;
	char local;

	(void)state;
	create_ok(&h, "off", 8192, 0);
	assert_int_equal(rt_heap_bind(&b, "off"), 0);
	assert_int_equal(rt_heap_alloc(&h, 256, TM_NONBLOCK, &blk), 0);
	strcpy(blk, "hello");

	/* hand the block to "another process" as an offset */
	assert_int_equal(rt_heap_block_offset(&h, blk, &off), 0);
	assert_int_equal(off, (uintptr_t)blk - (uintptr_t)h.base);
	assert_int_equal(rt_heap_block_addr(&b, off, &p), 0);
	assert_ptr_equal(p, (char *)b.base + off);
	assert_string_equal(p, "hello");
	/* the binder frees it */
	assert_int_equal(rt_heap_free(&b, p), 0);
	assert_int_equal(fk.last_free.offset, off);

	assert_int_equal(rt_heap_block_offset(&h, h.base, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base + h.mapsize - 1, &off), 0);
	assert_int_equal(off, h.mapsize - 1);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base + h.mapsize, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base - 1, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, &local, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, NULL, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, h.base, NULL), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, h.mapsize - 1, &p), 0);
	assert_int_equal(rt_heap_block_addr(&h, h.mapsize, &p), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, SIZE_MAX, &p), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, 0, NULL), -EINVAL);

	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_list(void **state)
{
	RT_HEAP_INFO buf[4], all[40], hi;
	RT_HEAP h[40], b;
	unsigned int n;
	char name[16];
	int i;

	(void)state;
	assert_int_equal(rt_heap_list(NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rt_heap_list(NULL, 0, NULL), -EINVAL);
	assert_int_equal(rt_heap_list(NULL, 1, &n), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("h0", &hi), -ENOENT);
	assert_int_equal(rt_heap_info_by_name("", &hi), -EINVAL);
	assert_int_equal(rt_heap_info_by_name(NULL, &hi), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("h0", NULL), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("0123456789012345678901234567890123", &hi),
			 -ENAMETOOLONG);

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		create_ok(&h[i], name, 4096 * (i + 1), 0);
	}
	assert_int_equal(rt_heap_list(buf, 4, &n), 0);
	assert_int_equal(n, 40);
	assert_string_equal(buf[3].name, "h3");
	assert_int_equal(buf[3].id, h[3].id);
	assert_int_equal(buf[3].flags, 0);
	assert_int_equal(buf[3].heapsize, 4096 * 4);
	assert_int_equal(fake_open_files(), 40);	/* list's own file closed */

	/* beyond the first 16: info_by_name grows its buffer */
	assert_int_equal(rt_heap_info_by_name("h37", &hi), 0);
	assert_string_equal(hi.name, "h37");
	assert_int_equal(hi.heapsize, 4096 * 38);
	assert_int_equal(hi.id, h[37].id);

	/* a deleted heap still mapped is listed, but not found by name */
	assert_int_equal(rt_heap_bind(&b, "h5"), 0);
	assert_int_equal(rt_heap_delete(&h[5]), 0);
	assert_int_equal(rt_heap_list(NULL, 0, &n), 0);
	assert_int_equal(n, 40);
	assert_int_equal(rt_heap_info_by_name("h5", &hi), -ENOENT);
	assert_int_equal(rt_heap_list(all, 40, &n), 0);
	assert_string_equal(all[5].name, "h5");
	assert_int_equal(all[5].flags, RT_HEAP_INFO_DELETED);
	assert_int_equal(all[6].flags, 0);
	assert_int_equal(rt_heap_unbind(&b), 0);

	fail_cmd(RTHEAP_IOC_LIST, EFAULT);
	assert_int_equal(rt_heap_list(buf, 4, &n), -EFAULT);
	assert_int_equal(rt_heap_info_by_name("h1", &hi), -EFAULT);
	fail_cmd(0, 0);
	for (i = 0; i < 40; i++)
		if (i != 5)
			assert_int_equal(rt_heap_delete(&h[i]), 0);
}

static void test_threads(void **state)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	RT_HEAP_INFO info;
	RT_HEAP h;
	int i;

	(void)state;
	create_ok(&h, "mt", 128 * 1024, 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i].heap = &h;
		w[i].seed = 0x1234u + (unsigned int)i * 77;
		w[i].loops = NLOOPS;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&t[i], NULL, alloc_thread, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_null_descriptor),
		T(test_never_created),
		T(test_after_delete),
		T(test_after_unbind),
		T(test_unbind_creator),
		T(test_one_mapping),
		T(test_create_args),
		T(test_create_passes_args),
		T(test_create_anonymous),
		T(test_create_errors),
		T(test_bind_timed),
		T(test_bind_errors),
		T(test_bind_waits_for_create),
		T(test_bind_eintr_no_restart),
		T(test_delete_errors),
		T(test_delete_close_fails),
		T(test_alloc_free),
		T(test_alloc_args),
		T(test_alloc_until),
		T(test_alloc_errors),
		T(test_free_validation),
		T(test_bulk),
		T(test_shared),
		T(test_inquire),
		T(test_block_offsets),
		T(test_list),
		T(test_threads),
#undef T
	};

	return cmocka_run_group_tests_name("libheap-api", tests, NULL, NULL);
}
