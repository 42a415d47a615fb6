// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libheap's device layer (lib/device.c) against the fake
 * /dev/rtheap of fake_rtheap.c: no device, the version handshake, a bad
 * map size, each system call of create, bind and list failed in turn,
 * and the features a module may lack (bulk calls, by-value alloc and
 * free) with their fallbacks.
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

static void test_no_device(void **state)
{
	static const struct { int err, ret; } map[] = {
		{ ENOENT, -ENODEV }, { ENXIO, -ENODEV }, { ENODEV, -ENODEV },
		{ EACCES, -EACCES }, { EMFILE, -EMFILE }, { ENFILE, -ENFILE },
		{ EPERM, -EPERM },
	};
	RT_HEAP_INFO hi;
	unsigned int i, n;
	RT_HEAP h;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		fk.open_errno = map[i].err;
		assert_int_equal(rt_heap_create(&h, "x", 4096, 0), map[i].ret);
		assert_int_equal(rt_heap_bind(&h, "x"), map[i].ret);
		assert_int_equal(rt_heap_list(NULL, 0, &n), map[i].ret);
		assert_int_equal(rt_heap_info_by_name("x", &hi), map[i].ret);
	}
}

static void test_handshake(void **state)
{
	RT_HEAP_INFO hi;
	unsigned int n;
	RT_HEAP h;

	(void)state;
	fk.abi_version = RTHEAP_ABI_VERSION + 1;
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EPROTO);
	assert_int_equal(rt_heap_bind(&h, "x"), -EPROTO);
	assert_int_equal(rt_heap_list(NULL, 0, &n), -EPROTO);
	assert_int_equal(NR(RTHEAP_IOC_CREATE) + NR(RTHEAP_IOC_BIND), 0);
	assert_int_equal(fake_open_files(), 0);

	/* An older module: the library refuses it, it is not asked more. */
	fk.abi_version = RTHEAP_ABI_VERSION - 1;
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EPROTO);
	assert_int_equal(NR(RTHEAP_IOC_CREATE), 0);
	fk.abi_version = RTHEAP_ABI_VERSION;
	/* A device without this ABI's commands (another magic or ABI). */
	fail_cmd(RTHEAP_IOC_VERSION, ENOTTY);
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EPROTO);
	assert_int_equal(fake_open_files(), 0);
	fail_cmd(RTHEAP_IOC_VERSION, EFAULT);
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EFAULT);
	fail_cmd(0, 0);

	fk.features &= ~RTHEAP_FEAT_LIST;
	assert_int_equal(rt_heap_list(NULL, 0, &n), -EOPNOTSUPP);
	assert_int_equal(rt_heap_info_by_name("x", &hi), -EOPNOTSUPP);
	assert_int_equal(fake_open_files(), 0);
}

static void test_bad_map_size(void **state)
{
	RT_HEAP h;

	(void)state;
	/* A module answering map_size 0 breaks the protocol. */
	fk.map_size_bias = (unsigned long long)-12288;
	assert_int_equal(rt_heap_create(&h, "x", 12288, H_PERSIST), -EPROTO);
	assert_int_equal(fake_heaps(), 0);	/* deleted, though persistent */
	/* A wrong size makes mmap fail: same cleanup. */
	fk.map_size_bias = PAGE;
	assert_int_equal(rt_heap_create(&h, "x", 4096, H_PERSIST), -EINVAL);
	assert_int_equal(fake_heaps(), 0);
	fk.map_size_bias = 0;
}

/* Fail each system call of create in turn: nothing may leak. */
static void test_create_fault_injection(void **state)
{
	static const int modes[] = { 0, H_PERSIST, H_SHARED | H_PERSIST };
	static const int errs[] = { ENOMEM, EAGAIN, EIO };
	unsigned int k, m, e, ncalls;
	RT_HEAP h;
	int ret;

	(void)state;
	for (m = 0; m < 3; m++) {
		for (e = 0; e < 3; e++) {
			for (k = 1;; k++) {
				arm(k, errs[e], ~0U);
				ret = rt_heap_create(&h, "fi", 65536, modes[m]);
				ncalls = disarm();
				if (k > ncalls) {	/* nothing failed */
					assert_int_equal(ret, 0);
					assert_int_equal(ncalls, 4);	/* open version create mmap */
					assert_int_equal(rt_heap_delete(&h), 0);
					break;
				}
				assert_int_equal(ret, -errs[e]);
				assert_int_equal(fake_open_files(), 0);
				assert_int_equal(fake_live_maps(), 0);
				assert_int_equal(fake_heaps(), 0);
			}
		}
	}
}

static void test_bind_fault_injection(void **state)
{
	unsigned int k, ncalls;
	RT_HEAP c, b;
	int ret;

	(void)state;
	/*
	 * A heap this process has not mapped (H_PERSIST, its creator
	 * unbound): the bind maps it.  Every call failing in turn leaves
	 * nothing behind.
	 */
	create_ok(&c, "target", 16384, H_PERSIST);
	assert_int_equal(rt_heap_unbind(&c), 0);
	for (k = 1;; k++) {
		arm(k, EAGAIN, ~0U);
		ret = rt_heap_bind(&b, "target");
		ncalls = disarm();
		if (k > ncalls) {
			assert_int_equal(ret, 0);
			assert_int_equal(ncalls, 4);	/* open version bind mmap */
			break;
		}
		assert_int_equal(ret, -EAGAIN);
		check_invalid(&b);
		assert_int_equal(fake_open_files(), 0);
		assert_int_equal(fake_live_maps(), 0);
	}
	/* Mapped already: a second bind shares the mapping, maps nothing. */
	for (k = 1;; k++) {
		arm(k, EAGAIN, ~0U);
		ret = rt_heap_bind(&c, "target");
		ncalls = disarm();
		if (k > ncalls) {
			assert_int_equal(ret, 0);
			assert_int_equal(ncalls, 3);	/* open version bind */
			assert_ptr_equal(c.base, b.base);
			assert_int_equal(rt_heap_unbind(&c), 0);
			break;
		}
		assert_int_equal(ret, -EAGAIN);
		check_invalid(&c);
		assert_int_equal(fake_open_files(), 1);
		assert_int_equal(fake_live_maps(), 1);
	}
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(rt_heap_delete(&b), 0);
}

/* A module without RTHEAP_FEAT_BULK: -EOPNOTSUPP, no emulation. */
static void test_bulk_old_module(void **state)
{
	void *blk[2];
	RT_HEAP h;

	(void)state;
	fk.features &= ~RTHEAP_FEAT_BULK;
	create_ok(&h, "bulk-old", 4 * PAGE, 0);
	assert_int_equal(rt_heap_alloc_bulk(&h, 16, 2, blk), -EOPNOTSUPP);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk[0]), 0);
	assert_int_equal(rt_heap_free_bulk(&h, 1, blk, NULL), -EOPNOTSUPP);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 1);
	assert_int_equal(NR(RTHEAP_IOC_FREE), 0);
	assert_int_equal(rt_heap_free(&h, blk[0]), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* rt_heap_free by value where offered, by struct on an older module. */
static void test_free_by_value(void **state)
{
	void *blk;
	RT_HEAP h;

	(void)state;
	create_ok(&h, "free-off", 4 * PAGE, 0);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk), 0);
	assert_int_equal(rt_heap_free(&h, blk), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE_OFF), 1);
	assert_int_equal(NR(RTHEAP_IOC_FREE), 0);
	assert_int_equal(rt_heap_free(&h, blk), -EINVAL);	/* twice */
	assert_int_equal(rt_heap_delete(&h), 0);

	fk.features &= ~RTHEAP_FEAT_FREE_OFF;
	create_ok(&h, "free-old", 4 * PAGE, 0);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk), 0);
	assert_int_equal(rt_heap_free(&h, blk), 0);
	assert_int_equal(NR(RTHEAP_IOC_FREE), 1);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/*
 * TM_NONBLOCK allocations by value (RTHEAP_IOC_ALLOC_NB): the size as the
 * argument, the offset / RTHEAP_MIN_BLOCK as the answer; the kernel's
 * errors as they are; a module without it (the feature bit clear, or
 * -ENOTTY from one loaded since) by struct.
 */
static void test_alloc_by_value(void **state)
{
	static const int errs[] = { EINVAL, EWOULDBLOCK, EIDRM, EFAULT };
	void *a, *b, *c;
	size_t off;
	unsigned int i;
	RT_HEAP h, s;

	(void)state;
	create_ok(&h, "alloc-nb", 4 * PAGE, 0);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &a), 0);
	assert_int_equal(rt_heap_alloc(&h, 2 * PAGE, TM_NONBLOCK, &b), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 2);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 0);
	assert_int_equal(fk.last_alloc.size, 2 * PAGE);
	/* the returned units, times RTHEAP_MIN_BLOCK: the fake's offsets */
	assert_int_equal(rt_heap_block_offset(&h, b, &off), 0);
	assert_true(off % PAGE == 0 && off >= PAGE && off + 2 * PAGE <= 4 * PAGE);
	assert_int_equal(rt_heap_block_offset(&h, a, &off), 0);
	assert_int_equal(off, 0);	/* first fit */
	/* no room: -EWOULDBLOCK from the kernel, by value too */
	assert_int_equal(rt_heap_alloc(&h, 2 * PAGE, TM_NONBLOCK, &c), -EWOULDBLOCK);
	assert_null(c);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), 3);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_ALLOC_NB, errs[i]);
		c = (void *)0x1;
		assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &c), -errs[i]);
		assert_null(c);
	}
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 0);
	/* -ENOTTY: a module without it answered; by struct, the same block */
	fail_cmd(RTHEAP_IOC_ALLOC_NB, ENOTTY);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &c), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 1);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_NONBLOCK);
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_free(&h, c), 0);
	/* outside the mapping: refused, as by struct */
	fk.alloc_offset_bad = true;
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &c), -EPROTO);
	assert_null(c);
	fk.alloc_offset_bad = false;
	/* timeouts other than TM_NONBLOCK: by struct */
	assert_int_equal(rt_heap_alloc(&h, 16, TM_INFINITE, &c), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 2);
	assert_int_equal(rt_heap_free(&h, c), 0);
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_free(&h, b), 0);

	/* H_SHARED: the whole segment, offset 0 */
	create_ok(&s, "alloc-nb-seg", 8192, H_SHARED);
	assert_int_equal(rt_heap_alloc(&s, 0, TM_NONBLOCK, &a), 0);
	assert_ptr_equal(a, s.base);
	assert_int_equal(rt_heap_delete(&s), 0);
	assert_int_equal(rt_heap_delete(&h), 0);

	/* the feature bit clear: never tried */
	fk.features &= ~RTHEAP_FEAT_ALLOC_NB;
	create_ok(&h, "alloc-old", 4 * PAGE, 0);
	i = NR(RTHEAP_IOC_ALLOC_NB);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &a), 0);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC_NB), i);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 3);
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_list_fault_injection(void **state)
{
	unsigned int k, n, ncalls;
	RT_HEAP h;
	int ret;

	(void)state;
	create_ok(&h, "l", 4096, 0);
	for (k = 1;; k++) {
		arm(k, EIO, ~0U);
		ret = rt_heap_list(NULL, 0, &n);
		ncalls = disarm();
		if (k > ncalls) {
			assert_int_equal(ret, 0);
			break;
		}
		/* a failing close still released the file, and the list stands */
		assert_int_equal(ret, k == ncalls && k == 4 ? 0 : -EIO);
		assert_int_equal(fake_open_files(), 1);
	}
	assert_int_equal(rt_heap_delete(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_no_device),
		T(test_handshake),
		T(test_bad_map_size),
		T(test_create_fault_injection),
		T(test_bind_fault_injection),
		T(test_bulk_old_module),
		T(test_alloc_by_value),
		T(test_free_by_value),
		T(test_list_fault_injection),
#undef T
	};

	return cmocka_run_group_tests_name("libheap-device", tests, NULL, NULL);
}
