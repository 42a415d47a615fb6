/* SPDX-License-Identifier: MIT */
/*
 * <alchemy/heap.h> on rtheap: Xenomai 3's Alchemy heap API over libheap.
 *
 *   cc app.c $(pkg-config --cflags --libs libheap-alchemy)
 *
 * The calls are rtheap's (rt_heap_*(3)); what differs from Xenomai is in
 * rtheap-compat(7).
 */
#ifndef _RTHEAP_COMPAT_ALCHEMY_HEAP_H
#define _RTHEAP_COMPAT_ALCHEMY_HEAP_H

#include <stdint.h>
#include <rtheap/compat.h>

/* Alchemy also names its types as struct tags: struct RT_HEAP works too. */
typedef struct rt_heap rt_heap;
typedef struct rt_heap_info rt_heap_info;
#define RT_HEAP		rt_heap
#define RT_HEAP_INFO	rt_heap_info

/*
 * rt_heap_bind(heap, name, timeout): TM_INFINITE waits for the create.
 * It replaces <rtheap/heap.h>'s mapping of the name onto rtheap_bind.
 */
#undef rt_heap_bind
#define rt_heap_bind(heap, name, timeout) \
	rt_heap_bind_timed(heap, name, timeout)

static inline int rt_heap_alloc_timed(RT_HEAP *heap, size_t size,
				      const struct timespec *abs_timeout,
				      void **blockp)
{
	return rtheap_compat_alloc_timed(heap, size, abs_timeout, blockp);
}

#endif /* _RTHEAP_COMPAT_ALCHEMY_HEAP_H */
