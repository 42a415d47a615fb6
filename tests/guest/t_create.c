// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_create: every -EINVAL / -ENAMETOOLONG / -EEXIST case of the
 * contract, anonymous heaps, the "whole requested size is allocatable"
 * promise, and what a fresh heap reports.
 */
#include <unistd.h>

#include "tcommon.h"

static void check_fresh(RT_HEAP *h, const char *name, size_t size, int mode)
{
	RT_HEAP_INFO info = t_inquire(h);

	CHECK_EQ(info.heapsize, size);
	CHECK(info.usablemem >= size);
	CHECK_EQ(info.usedmem, 0);
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.mode, mode);
	CHECK(!strcmp(info.name, name ? name : ""));
	CHECK_EQ(info.uid, 0);
	CHECK_EQ(info.perm, 0600);	/* the documented default */
	CHECK_EQ(info.cpid, getpid());
	CHECK_EQ(info.nbound, 1);
	CHECK_EQ(info.nmaps, 1);
	CHECK_EQ(info.largestfree, info.usablemem);
	for (int i = 0; i < RTHEAP_MAX_CLASSES; i++)
		CHECK_EQ(info.class_blocks[i], 0);
	CHECK(h->base != NULL);
	CHECK(h->mapsize >= size);
}

int main(void)
{
	static const char *bad_names[] = {
		"a b", "tab\there", "new\nline", "\x01", "del\x7f", "a/b",
	};
	char name31[32], name32[33], name100[101];
	RT_HEAP h, h2;
	void *a, *b;
	const char *n = t_name("t_create");

	/* Size. */
	CHECK_RET(rt_heap_create(&h, n, 0, H_FIFO), -EINVAL);
#if SIZE_MAX > 0xffffffffUL
	CHECK_RET(rt_heap_create(&h, n, (size_t)-1, H_FIFO), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, SIZE_TOP_BIT, H_FIFO), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, ((size_t)-1) - T_PAGE + 2, H_FIFO),
		  -EINVAL);
#else
	/* 32-bit: 2-4 GiB is a size a heap may have, just not here. */
	CHECK_RET2(rt_heap_create(&h, n, (size_t)-1, H_FIFO), -EINVAL, -ENOMEM);
	CHECK_RET2(rt_heap_create(&h, n, SIZE_TOP_BIT, H_FIFO), -EINVAL,
		   -ENOMEM);
#endif

	/* Mode: only H_PRIO | H_SHARED | H_PERSIST exist. */
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, 0x2), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, 0x8), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, 0x200), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, H_PRIO | 0x10), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, (int)0x80000000), -EINVAL);
	CHECK_RET(rt_heap_create(&h, n, T_PAGE, -1), -EINVAL);

	/* Names. */
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		int ret = rt_heap_create(&h, bad_names[i], T_PAGE, H_FIFO);

		CHECKF(ret == -EINVAL, "create with name #%zu (\"%s\") "
		       "returned %s, expected -EINVAL", i, bad_names[i],
		       t_errname(ret));
	}
	memset(name31, 'x', 31);
	name31[31] = 0;
	memcpy(name31, "t_create31.", 11);
	memset(name32, 'y', 32);
	name32[32] = 0;
	memset(name100, 'z', 100);
	name100[100] = 0;
	CHECK_RET(rt_heap_create(&h, name32, T_PAGE, H_FIFO), -ENAMETOOLONG);
	CHECK_RET(rt_heap_create(&h, name100, T_PAGE, H_FIFO), -ENAMETOOLONG);
	CHECK_OK(rt_heap_create(&h, name31, T_PAGE, H_FIFO));
	check_fresh(&h, name31, T_PAGE, H_FIFO);
	CHECK(t_listed(name31));
	CHECK_OK(rt_heap_delete(&h));
	CHECK(!t_listed(name31));

	/* -EEXIST, and the name is free again once the heap is deleted. */
	CHECK_OK(rt_heap_create(&h, n, T_PAGE, H_FIFO));
	CHECK_RET(rt_heap_create(&h2, n, T_PAGE, H_FIFO), -EEXIST);
	CHECK_RET(rt_heap_create(&h2, n, 2 * T_PAGE, H_PRIO), -EEXIST);
	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_create(&h2, n, T_PAGE, H_PRIO));
	check_fresh(&h2, n, T_PAGE, H_PRIO);
	CHECK_OK(rt_heap_delete(&h2));

	/* Anonymous heaps: NULL and "" never collide. */
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&h2, "", T_PAGE, H_FIFO));
	check_fresh(&h, "", T_PAGE, H_FIFO);
	check_fresh(&h2, "", T_PAGE, H_FIFO);
	CHECK(h.id != h2.id);
	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_delete(&h2));

	/* A 16 KiB heap serves two 8 KiB blocks, or one 16 KiB block. */
	CHECK_OK(rt_heap_create(&h, n, 16384, H_FIFO));
	check_fresh(&h, n, 16384, H_FIFO);
	CHECK_OK(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &b));
	memset(a, 1, 8192);
	memset(b, 2, 8192);
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_free(&h, b));
	CHECK_OK(rt_heap_alloc(&h, 16384, TM_NONBLOCK, &a));
	memset(a, 3, 16384);
	CHECK_EQ(t_inquire(&h).usedmem, 16384);
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_delete(&h));

	/* An odd size: the whole of it is allocatable at once. */
	CHECK_OK(rt_heap_create(&h, NULL, 10000, H_FIFO));
	check_fresh(&h, NULL, 10000, H_FIFO);
	CHECK_OK(rt_heap_alloc(&h, 10000, TM_NONBLOCK, &a));
	memset(a, 4, 10000);
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_delete(&h));

	/* Smallest heap: 1 byte. */
	CHECK_OK(rt_heap_create(&h, NULL, 1, H_FIFO));
	check_fresh(&h, NULL, 1, H_FIFO);
	CHECK_OK(rt_heap_alloc(&h, 1, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_delete(&h));

	/* Every mode combination that exists is accepted. */
	for (int mode = 0; mode <= (H_PRIO | H_SHARED); mode++) {
		if (mode & ~(H_PRIO | H_SHARED))
			continue;
		CHECK_OK(rt_heap_create(&h, n, 2 * T_PAGE, mode));
		CHECK_EQ(t_inquire(&h).mode, mode);
		CHECK_OK(rt_heap_delete(&h));
	}
	return T_EXIT_PASS;
}
