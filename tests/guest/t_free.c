// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_free: -EINVAL for NULL, for anything that is not the start of a
 * live block of this heap, and for every double free (always detected);
 * -EIDRM once the heap is deleted.  A refused free changes nothing.
 */
#include <unistd.h>

#include "tcommon.h"

int main(void)
{
	RT_HEAP h, other, b, zero;
	const char *n = t_name("t_free");
	char *small, *big, *o, *p;
	RT_HEAP_INFO before;

	CHECK_OK(rt_heap_create(&h, n, 16 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&other, NULL, 16 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&small));
	CHECK_OK(rt_heap_alloc(&h, 3 * T_PAGE, TM_NONBLOCK, (void **)&big));
	CHECK_OK(rt_heap_alloc(&other, 64, TM_NONBLOCK, (void **)&o));
	before = t_inquire(&h);

	CHECK_RET(rt_heap_free(&h, NULL), -EINVAL);
	/* Inside a block, never its start. */
	CHECK_RET(rt_heap_free(&h, small + 1), -EINVAL);
	CHECK_RET(rt_heap_free(&h, small + 16), -EINVAL);
	CHECK_RET(rt_heap_free(&h, small + 32), -EINVAL);
	CHECK_RET(rt_heap_free(&h, big + 16), -EINVAL);
	CHECK_RET(rt_heap_free(&h, big + T_PAGE), -EINVAL);
	CHECK_RET(rt_heap_free(&h, big + 2 * T_PAGE), -EINVAL);
	/* Free space of the heap: in a bucket page, and a free page. */
	CHECK_RET(rt_heap_free(&h, small + 64), -EINVAL);
	CHECK_RET(rt_heap_free(&h, small + 128), -EINVAL);
	CHECK_RET(rt_heap_free(&h, (char *)h.base + 15 * T_PAGE), -EINVAL);
	/* Outside this heap's mapping: before, after, another heap. */
	CHECK_RET(rt_heap_free(&h, (char *)h.base - 16), -EINVAL);
	CHECK_RET(rt_heap_free(&h, (char *)h.base + h.mapsize), -EINVAL);
	CHECK_RET(rt_heap_free(&h, (char *)h.base + h.mapsize + T_PAGE),
		  -EINVAL);
	CHECK_RET(rt_heap_free(&h, o), -EINVAL);
	CHECK_RET(rt_heap_free(&h, &before), -EINVAL);
	CHECK_RET(rt_heap_free(&h, (void *)-16L), -EINVAL);
	/* Bad descriptor. */
	memset(&zero, 0, sizeof(zero));
	CHECK_RET(rt_heap_free(&zero, small), -EINVAL);

	/* Nothing changed. */
	CHECK_EQ(t_inquire(&h).usedmem, before.usedmem);
	CHECK_EQ(t_inquire(&other).usedmem, 64);

	/* Double frees, of a bucket block and of a page run. */
	CHECK_OK(rt_heap_free(&h, small));
	CHECK_RET(rt_heap_free(&h, small), -EINVAL);
	CHECK_OK(rt_heap_free(&h, big));
	CHECK_RET(rt_heap_free(&h, big), -EINVAL);
	CHECK_EQ(t_inquire(&h).usedmem, 0);

	/* A double free next to a live block leaves the live one alone. */
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&p));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&small));
	CHECK(p != small);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_RET(rt_heap_free(&h, p), -EINVAL);
	CHECK_EQ(t_inquire(&h).usedmem, 64);
	CHECK_OK(rt_heap_free(&h, small));
	CHECK_RET(rt_heap_free(&h, small), -EINVAL);

	/* Many double frees in a full bucket page: every one detected. */
	{
		void *blk[T_PAGE / 32];

		for (size_t i = 0; i < T_PAGE / 32; i++)
			CHECK_OK(rt_heap_alloc(&h, 32, TM_NONBLOCK, &blk[i]));
		for (size_t i = 0; i < T_PAGE / 32; i += 3)
			CHECK_OK(rt_heap_free(&h, blk[i]));
		for (size_t i = 0; i < T_PAGE / 32; i += 3)
			CHECK_RET(rt_heap_free(&h, blk[i]), -EINVAL);
		for (size_t i = 0; i < T_PAGE / 32; i++)
			if (i % 3)
				CHECK_OK(rt_heap_free(&h, blk[i]));
		CHECK_EQ(t_inquire(&h).usedmem, 0);
	}

	/* -EIDRM once deleted, through a second descriptor. */
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_alloc(&b, 100, TM_NONBLOCK, (void **)&p));
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_free(&b, p), -EIDRM);
	CHECK_OK(rt_heap_unbind(&b));

	CHECK_OK(rt_heap_free(&other, o));
	CHECK_OK(rt_heap_delete(&other));
	return T_EXIT_PASS;
}
