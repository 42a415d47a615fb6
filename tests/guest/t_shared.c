// SPDX-License-Identifier: GPL-2.0
/*
 * H_SHARED: the heap is one segment; alloc of any size up to the heap
 * size (0 included) returns its base, every time, a larger one is -EINVAL;
 * free has no effect and returns 0 whatever the pointer.  Once deleted, alloc and free say -EIDRM like on
 * any heap, and a binder's mapping stays.
 */
#include <unistd.h>

#include "tcommon.h"

static void test_shared(size_t size, int mode)
{
	RT_HEAP h;
	char *seg, *again;

	CHECK_OK(rt_heap_create(&h, t_name("t_shared"), size, mode));
	CHECK_EQ(t_inquire(&h).mode, mode);
	CHECK_EQ(t_inquire(&h).heapsize, size);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&seg));
	CHECK(seg == h.base);
	for (size_t i = 0; i < size; i++)
		CHECKF(seg[i] == 0, "fresh shared segment: byte %zu is 0x%02x",
		       i, (unsigned char)seg[i]);
	memset(seg, 0xab, size);
	CHECK_OK(rt_heap_alloc(&h, size, TM_NONBLOCK, (void **)&again));
	CHECK(again == seg);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_INFINITE, (void **)&again));
	CHECK(again == seg);
	CHECK_OK(rt_heap_alloc(&h, size, 1000000, (void **)&again));
	CHECK(again == seg);

	if (size >= 16) {
		again = NULL;
		CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, (void **)&again));
		CHECK(again == seg);
	}
	if (size > 1) {
		again = NULL;
		CHECK_OK(rt_heap_alloc(&h, size - 1, TM_NONBLOCK,
				       (void **)&again));
		CHECK(again == seg);
	}
	CHECK_RET(rt_heap_alloc(&h, size + 1, TM_NONBLOCK, (void **)&again),
		  -EINVAL);
	CHECK_RET(rt_heap_alloc(&h, (size_t)-1, TM_INFINITE, (void **)&again),
		  -EINVAL);

	/* Free: no effect, 0, as often as you like, whatever the pointer. */
	CHECK_OK(rt_heap_free(&h, seg));
	CHECK_OK(rt_heap_free(&h, seg));
	CHECK_OK(rt_heap_free(&h, seg + 1));
	CHECK_OK(rt_heap_free(&h, NULL));
	CHECK_OK(rt_heap_free(&h, &again));
	CHECK_EQ((unsigned char)seg[size - 1], 0xab);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&again));
	CHECK(again == seg);
	CHECK_EQ(t_inquire(&h).nwaiters, 0);
	CHECK_OK(rt_heap_delete(&h));
}

static void test_deleted(void)
{
	const char *n = t_name("t_shared_del");
	RT_HEAP h, b;
	char *seg, *bseg;

	CHECK_OK(rt_heap_create(&h, n, 2 * T_PAGE, H_SHARED));
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_alloc(&b, 0, TM_NONBLOCK, (void **)&bseg));
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&seg));
	strcpy(seg, "shared");
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_alloc(&b, 0, TM_NONBLOCK, (void **)&seg), -EIDRM);
	CHECK_RET(rt_heap_free(&b, bseg), -EIDRM);
	CHECK_RET(rt_heap_inquire(&b, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	CHECK(!strcmp(bseg, "shared"));
	CHECK_OK(rt_heap_unbind(&b));
}

int main(void)
{
	test_shared(8192, H_SHARED);
	test_shared(10000, H_SHARED);
	test_shared(T_PAGE, H_SHARED | H_PRIO);
	test_shared(1, H_SHARED);
	test_deleted();
	return T_EXIT_PASS;
}
