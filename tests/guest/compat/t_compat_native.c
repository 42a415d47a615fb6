// SPDX-License-Identifier: GPL-2.0
/*
 * Xenomai 2 native heap code on rtheap: built with nothing but
 * <native/heap.h> (and <xenomai/native/heap.h>, which some code includes)
 * and `pkg-config libheap-native'.  Every name of the native heap API, then
 * the patterns real programs follow:
 *   - one process creates an H_SHARED segment and writes it; another binds
 *     with TM_NONBLOCK, gets the base with rt_heap_alloc(&h, 0,
 *     TM_NONBLOCK, &p), reads and writes it, unbinds;
 *   - a kernel module creates an H_SHARED segment and a process binds it
 *     with TM_INFINITE, before the module is loaded (the LinuxCNC way);
 *   - H_DMA, H_DMA32 and H_NONCACHED heaps, and phys_addr.
 */
#include <native/heap.h>
#include <xenomai/native/heap.h>

#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

#if TM_INFINITE != 0
#error "TM_INFINITE is 0 and usable in #if"
#endif

static void test_names(void)
{
	const char *name = t_name("nat");
	RT_HEAP_INFO info;
	RT_HEAP h, b;
	void *p;

	CHECK_EQ(XNOBJECT_NAME_LEN, 32);
	CHECK_EQ(H_MAPPABLE, 0);
	CHECK_EQ(H_SHARED, H_MAPPABLE | H_SINGLE);
	/* Translated by name: none of them is rtheap's H_PERSIST. */
	CHECK(!(H_DMA & H_PERSIST) && !(H_DMA32 & H_PERSIST) &&
	      !(H_NONCACHED & H_PERSIST));
	CHECK_RET(rt_heap_bind(&b, name, TM_NONBLOCK), -EWOULDBLOCK);
	CHECK_RET(rt_heap_bind(&b, name, 10000000), -ETIMEDOUT);

	CHECK_OK(rt_heap_create(&h, name, 2 * T_PAGE, H_PRIO | H_MAPPABLE));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.mode, H_PRIO);
	CHECK_EQ(info.heapsize, 2 * T_PAGE);
	CHECK_EQ(info.usablemem, 2 * T_PAGE);
	CHECK_EQ(info.usedmem, 0);
	CHECK_EQ(info.phys_addr, 0);
	CHECK(!strcmp(info.name, name));
	CHECK_OK(rt_heap_bind(&b, name, TM_INFINITE));
	CHECK_OK(rt_heap_alloc(&b, 100, TM_NONBLOCK, &p));
	CHECK_EQ(t_inquire(&h).usedmem, 128);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_unbind(&b));
	CHECK_OK(rt_heap_delete(&h));
}

/* --- the shared-memory segment --------------------------------------------- */

static int reader(void *arg)
{
	const char *name = arg;
	RT_HEAP h;
	char *p;

	CHECK_OK(rt_heap_bind(&h, name, TM_NONBLOCK));
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&p));
	CHECK(!strcmp(p, "written by the creator"));
	strcpy(p + 1024, "and answered");
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

static void test_shared_segment(void)
{
	const char *name = t_name("natshm");
	RT_HEAP h;
	char *p;

	CHECK_OK(rt_heap_create(&h, name, T_PAGE, H_SHARED));
	CHECK_EQ(t_inquire(&h).mode, H_SHARED);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&p));
	strcpy(p, "written by the creator");
	CHECK_CHILD(t_spawn(reader, (void *)name), 10000);
	CHECK(!strcmp(p + 1024, "and answered"));
	CHECK_OK(rt_heap_free(&h, p));		/* no effect on a segment */
	CHECK_OK(rt_heap_delete(&h));
}

/* --- a segment made by a kernel module -------------------------------------- */

#define KSHARED "kselftest.kshared"

static int kernel_binder(void *arg)
{
	RT_HEAP h;
	char *p;

	(void)arg;
	CHECK_OK(rt_heap_bind(&h, KSHARED, TM_INFINITE));	/* waits */
	CHECK_EQ(t_inquire(&h).mode, H_SHARED);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&p));
	CHECK(p);
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

static void test_kernel_segment(void)
{
	const char *dir = getenv("RTHEAP_MODDIR");
	char cmd[512];
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s/rtheap_selftest.ko",
		 dir ? dir : "/lib/rtheap");
	CHECKF(!access(cmd, R_OK), "no %s", cmd);
	CHECK(access("/sys/module/rtheap_selftest", F_OK));
	pid = t_spawn(kernel_binder, NULL);
	t_sleep_ms(100);
	snprintf(cmd, sizeof(cmd),
		 "rtheap-insmod %s/rtheap_selftest.ko run_tests=0 keep_heap=1",
		 dir ? dir : "/lib/rtheap");
	CHECK(!system(cmd));
	CHECK_CHILD(pid, 20000);
	CHECK(!system("rmmod rtheap_selftest"));
}

/* --- DMA and uncached heaps ------------------------------------------------- */

static void test_dma(void)
{
	struct rtheap_version v = t_version();
	const char *name = t_name("natdma");
	RT_HEAP_INFO info;
	RT_HEAP h;
	char *p;
	void *q;

	CHECK(v.features & RTHEAP_FEAT_DMA);
	CHECK(v.features & RTHEAP_FEAT_DMA32);
	CHECK(v.features & RTHEAP_FEAT_PHYS_ADDR);
	CHECK_OK(rt_heap_create(&h, name, 65536, H_DMA));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr);			/* root: CAP_SYS_ADMIN */
	CHECK_EQ(info.phys_addr % T_PAGE, 0);
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, (void **)&p));
	memset(p, 0x5a, T_PAGE);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));

	CHECK_OK(rt_heap_create(&h, name, 2 * T_PAGE, H_DMA32 | H_SHARED));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr && info.phys_addr + 2 * T_PAGE <= 0x100000000ULL);
	CHECK_OK(rt_heap_delete(&h));

	/* Beyond what the page allocator gives in one block: at once. */
	CHECK_RET(rt_heap_create(&h, name, 1UL << 30, H_DMA), -ENOMEM);

	if (v.features & RTHEAP_FEAT_NONCACHED) {
		CHECK_OK(rt_heap_create(&h, name, 2 * T_PAGE, H_NONCACHED));
		CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, &q));
		memset(q, 1, 64);
		CHECK_EQ(((unsigned char *)q)[63], 1);
		CHECK_EQ(t_inquire(&h).phys_addr, 0);	/* not contiguous */
		CHECK_OK(rt_heap_free(&h, q));
		CHECK_OK(rt_heap_delete(&h));
	} else {
		CHECK_RET(rt_heap_create(&h, name, 2 * T_PAGE, H_NONCACHED), -EINVAL);
	}
}

int main(void)
{
	test_names();
	test_shared_segment();
	test_dma();
	test_kernel_segment();
	return T_EXIT_PASS;
}
