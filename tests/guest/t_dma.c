// SPDX-License-Identifier: GPL-2.0
/*
 * H_DMA, H_DMA32 and H_NONCACHED heaps from user space: feature bits,
 * physically contiguous memory whose base RT_HEAP_INFO.phys_addr shows to
 * CAP_SYS_ADMIN (0 for anyone else), below 4 GiB for H_DMA32, -ENOMEM at
 * once beyond what the page allocator gives in one block, and uncached
 * mappings that hold what is written.
 */
#include <unistd.h>

#include "tcommon.h"

static int unprivileged(void *arg)
{
	const char *name = arg;
	RT_HEAP_INFO info;
	RT_HEAP h;

	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_bind(&h, name));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.phys_addr, 0);
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

int main(void)
{
	struct rtheap_version v = t_version();
	const char *name = t_name("dma");
	RT_HEAP_INFO info;
	RT_HEAP h;
	char *p;
	int i;

	CHECK(v.features & RTHEAP_FEAT_DMA);
	CHECK(v.features & RTHEAP_FEAT_DMA32);
	CHECK(v.features & RTHEAP_FEAT_PHYS_ADDR);

	/* 1 MiB in one block; every page of it, written and read back. */
	CHECK_OK(rt_heap_create_ext(&h, name, 1 << 20, H_DMA, 0666, -1));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr && info.phys_addr % T_PAGE == 0);
	CHECK_EQ(info.mode, H_DMA);
	for (i = 0; i < 8; i++) {
		CHECK_OK(rt_heap_alloc(&h, 128 << 10, TM_NONBLOCK, (void **)&p));
		t_fill(p, 128 << 10, i);
		CHECK(t_check_fill(p, 128 << 10, i));
	}
	CHECK_CHILD(t_spawn(unprivileged, (void *)name), 10000);
	CHECK_OK(rt_heap_delete(&h));

	CHECK_OK(rt_heap_create(&h, name, 65536, H_DMA32 | H_PRIO));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr && info.phys_addr + 65536 <= 0x100000000ULL);
	CHECK_OK(rt_heap_delete(&h));

	/* More than one block of the page allocator: at once, not a hang. */
	CHECK_RET(rt_heap_create(&h, name, 64 << 20, H_DMA), -ENOMEM);
	CHECK_RET(rt_heap_create(&h, name, 64 << 20, H_DMA32), -ENOMEM);
	CHECK(!t_listed(name));

	if (v.features & RTHEAP_FEAT_NONCACHED) {
		CHECK_OK(rt_heap_create(&h, name, 16384, H_NONCACHED | H_DMA));
		CHECK(t_inquire(&h).phys_addr);
		CHECK_OK(rt_heap_alloc(&h, 8192, TM_NONBLOCK, (void **)&p));
		t_fill(p, 8192, 7);
		CHECK(t_check_fill(p, 8192, 7));
		CHECK_OK(rt_heap_delete(&h));
		CHECK_OK(rt_heap_create(&h, name, 8192, H_NONCACHED));
		CHECK_EQ(t_inquire(&h).phys_addr, 0);
		CHECK_OK(rt_heap_delete(&h));
	} else {
		CHECK_RET(rt_heap_create(&h, name, 8192, H_NONCACHED), -EINVAL);
	}
	return T_EXIT_PASS;
}
