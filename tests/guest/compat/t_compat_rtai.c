// SPDX-License-Identifier: GPL-2.0
/*
 * RTAI/fusion heap code on rtheap: built with nothing but <rtai/heap.h>
 * and `pkg-config libheap-rtai'.  Its two-argument rt_heap_bind waits for
 * the create; H_SHARED segments; H_DMA; the RT_HEAP_INFO fields it knows.
 */
#include <rtai/heap.h>

#include <unistd.h>

#include "tcommon.h"

#if TM_INFINITE != 0
#error "TM_INFINITE is 0 and usable in #if"
#endif

struct binder {
	const char *name;
	int ret;
	char seen[32];
};

static void *binder_main(void *arg)
{
	struct binder *b = arg;
	RT_HEAP h;
	char *p;

	b->ret = rt_heap_bind(&h, b->name);	/* waits for the create */
	if (b->ret)
		return NULL;
	b->ret = rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&p);
	if (!b->ret) {
		while (!__atomic_load_n(&p[0], __ATOMIC_ACQUIRE))
			usleep(1000);
		memcpy(b->seen, p, sizeof(b->seen) - 1);
	}
	rt_heap_unbind(&h);
	return NULL;
}

int main(void)
{
	const char *name = t_name("rtai");
	struct binder b = { .name = name };
	struct rtheap_version v = t_version();
	RT_HEAP_INFO info;
	pthread_t thr;
	RT_HEAP h;
	char *p;
	void *q;

	CHECK_EQ(XNOBJECT_NAME_LEN, 32);
	CHECK(!pthread_create(&thr, NULL, binder_main, &b));
	t_sleep_ms(50);
	CHECK_OK(rt_heap_create(&h, name, 4096, H_SHARED));
	CHECK_OK(rt_heap_alloc(&h, 4096, TM_NONBLOCK, (void **)&p));
	strcpy(p + 1, "from the creator");
	__atomic_store_n(&p[0], 'x', __ATOMIC_RELEASE);
	t_join(thr, 10000);
	CHECK_OK(b.ret);
	CHECK(!strcmp(b.seen, "xfrom the creator"));

	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.nwaiters, 0);
	CHECK_EQ(info.mode, H_SHARED);
	CHECK_EQ(info.heapsize, 4096);
	CHECK(!strcmp(info.name, name));
	CHECK_OK(rt_heap_delete(&h));

	CHECK(v.features & RTHEAP_FEAT_DMA);
	CHECK_OK(rt_heap_create(&h, name, 16384, H_DMA | H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 2048, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.usedmem, 2048);
	CHECK(info.phys_addr);
	CHECK_OK(rt_heap_free(&h, q));
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
