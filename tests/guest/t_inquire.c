// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_inquire: -EINVAL on a bad descriptor, -EIDRM after delete, and
 * every field filled and right - usedmem exact after rounding, per-class
 * block counts, largest free block, waiters, users, owner and permissions -
 * the same as the raw RTHEAP_IOC_INQUIRE says.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tcommon.h"

static RT_HEAP heap;

static void *waiter_fn(void *arg)
{
	void *p;

	*(int *)arg = rt_heap_alloc(&heap, 8 * T_PAGE, TM_INFINITE, &p);
	return NULL;
}

static int class_of(size_t size)
{
	int c = 0;

	while ((16UL << c) < size)
		c++;
	return c;
}

int main(void)
{
	/* Classes of 4 KiB pages and up, the largest class, page runs. */
	const size_t sizes[] = { 1, 16, 17, 100, 100, 500, 2048, 2049, 5000,
				 T_PAGE / 2, T_PAGE / 2 + 1, 2 * T_PAGE + 1 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	struct rtheap_version ver;
	unsigned long long run_pages = 0;
	unsigned long cls[RTHEAP_MAX_CLASSES] = { 0 };
	const char *n = t_name("t_inquire");
	struct rtheap_inquire raw;
	RT_HEAP_INFO info, zinfo;
	RT_HEAP b, zero;
	size_t used = 0;
	void *blk[N], *all;
	pthread_t thr;
	int wret = 1;

	memset(&zero, 0, sizeof(zero));
	CHECK_RET(rt_heap_inquire(&zero, &zinfo), -EINVAL);

	CHECK_OK(rt_heap_create_ext(&heap, n, 10000 + 11 * T_PAGE, H_PRIO,
				    0640, T_RTUSER));
	info = t_inquire(&heap);
	CHECK_EQ(info.heapsize, 10000 + 11 * T_PAGE);
	CHECKF(info.usablemem >= info.heapsize &&
	       info.usablemem < info.heapsize + T_PAGE,
	       "usablemem %zu for a heap of %zu bytes", info.usablemem,
	       info.heapsize);
	CHECK_EQ(info.usedmem, 0);
	CHECK_EQ(info.largestfree, info.usablemem);
	CHECK_EQ(info.mode, H_PRIO);
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.nmaps, 1);
	CHECK_EQ(info.nbound, 1);
	CHECK_EQ(info.uid, 0);
	CHECK_EQ(info.gid, T_RTUSER);
	CHECK_EQ(info.perm, 0640);
	CHECK_EQ(info.cpid, getpid());
	CHECK(!strcmp(info.name, n));

	/* usedmem and the class counts follow every allocation exactly. */
	for (int i = 0; i < N; i++) {
		CHECK_OK(rt_heap_alloc(&heap, sizes[i], TM_NONBLOCK, &blk[i]));
		used += t_rounded(sizes[i]);
		if (sizes[i] <= T_PAGE / 2)
			cls[class_of(sizes[i])]++;
		else
			run_pages += (sizes[i] + T_PAGE - 1) / T_PAGE;
		info = t_inquire(&heap);
		CHECKF(info.usedmem == used, "after alloc(%zu): usedmem %zu, "
		       "expected %zu", sizes[i], info.usedmem, used);
		for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
			CHECKF(info.class_blocks[c] == cls[c],
			       "after alloc(%zu): class_blocks[%d] (%lu-byte) "
			       "= %lu, expected %lu", sizes[i], c, 16UL << c,
			       info.class_blocks[c], cls[c]);
		CHECK(info.largestfree <= info.usablemem - used);
	}

	/* The raw ioctl agrees. */
	memset(&raw, 0, sizeof(raw));
	CHECK_OK(t_ioctl(heap.fd, RTHEAP_IOC_INQUIRE, &raw));
	CHECK_EQ(raw.info.id, heap.id);
	CHECK_EQ(raw.info.used_mem, used);
	CHECK_EQ(raw.info.heap_size, info.heapsize);
	CHECK_EQ(raw.info.usable_mem, info.usablemem);
	CHECK_EQ(raw.info.largest_free, info.largestfree);
	CHECK_EQ(raw.info.mode, H_PRIO);
	CHECK_EQ(raw.info.flags, 0);
	CHECK_EQ(raw.info.run_pages, run_pages);
	CHECK_EQ(raw.info.phys_addr, 0);	/* not an H_DMA heap */
	for (size_t i = 0; i < sizeof(raw.info.reserved) / 8; i++)
		CHECK_EQ(raw.info.reserved[i], 0);
	CHECK_EQ(raw.info.pad, 0);
	/* The classes are the handshake's; none has blocks past them. */
	memset(&ver, 0, sizeof(ver));
	CHECK_OK(t_ioctl(heap.fd, RTHEAP_IOC_VERSION, &ver));
	CHECK_EQ(raw.info.nr_classes, ver.nr_classes);
	CHECK_EQ(info.nr_classes, ver.nr_classes);
	CHECK(cls[ver.nr_classes - 1] >= 1);	/* the T_PAGE / 2 block */
	for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
		CHECK_EQ(raw.info.class_blocks[c], cls[c]);

	/* Ids, sizes and counts only: nothing that looks like a kernel
	 * address anywhere in what the kernel wrote. */
	{
		uint64_t w[sizeof(raw) / 8];

		memcpy(w, &raw, sizeof(w));
		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
			CHECKF(w[i] < 0xffff800000000000ULL, "word %zu of "
			       "the inquire reply is 0x%llx", i,
			       (unsigned long long)w[i]);
	}

	/*
	 * A second descriptor: nbound counts it; nmaps does not, as the
	 * process maps the heap once; it sees the same.
	 */
	CHECK_OK(rt_heap_bind(&b, n));
	info = t_inquire(&b);
	CHECK_EQ(info.nbound, 2);
	CHECK_EQ(info.nmaps, 1);
	CHECK_EQ(info.usedmem, used);
	CHECK_EQ(info.cpid, getpid());
	CHECK_OK(rt_heap_unbind(&b));
	info = t_inquire(&heap);
	CHECK_EQ(info.nbound, 1);
	CHECK_EQ(info.nmaps, 1);

	/* A waiter is counted while it waits. */
	CHECK_OK(-pthread_create(&thr, NULL, waiter_fn, &wret));
	t_wait_nwaiters(&heap, 1, 5000);

	/* Frees bring everything back. */
	for (int i = 0; i < N; i++)
		CHECK_OK(rt_heap_free(&heap, blk[i]));
	t_join(thr, 10000);
	CHECK_OK(wret);
	info = t_inquire(&heap);
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.usedmem, 8 * T_PAGE);
	for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
		CHECK_EQ(info.class_blocks[c], 0);
	CHECK_OK(rt_heap_alloc(&heap, info.usablemem - 8 * T_PAGE,
			       TM_NONBLOCK, &all));
	CHECK_EQ(t_inquire(&heap).largestfree, 0);

	/* -EIDRM after delete, through a second descriptor. */
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_delete(&heap));
	CHECK_RET(rt_heap_inquire(&b, &info), -EIDRM);
	memset(&raw, 0, sizeof(raw));
	CHECK_RET(t_ioctl(b.fd, RTHEAP_IOC_INQUIRE, &raw), -EIDRM);
	CHECK_OK(rt_heap_unbind(&b));
	return T_EXIT_PASS;
}
