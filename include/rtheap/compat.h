/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rtheap - what the Xenomai and RTAI compatibility headers share
 * (<alchemy/heap.h>, <native/heap.h>, <rtai/heap.h> under
 * $(includedir)/rtheap/compat/; rtheap-compat(7)), for user space.
 *
 * Names are mapped here, never symbols: libheap exports one rtheap_bind,
 * which <rtheap/heap.h> names rt_heap_bind.
 * Mode bits are translated by name: H_SINGLE, H_DMA... are rtheap's own
 * bits, whatever number Xenomai gave them.
 */
#ifndef _RTHEAP_COMPAT_H
#define _RTHEAP_COMPAT_H

#include <rtheap/heap.h>

#ifndef XNOBJECT_NAME_LEN
#define XNOBJECT_NAME_LEN	RT_HEAP_NAMELEN		/* 32, with the NUL */
#endif

#ifdef __KERNEL__
#error "the compatibility headers are for user space; kernel code calls rt_heap_* of <rtheap/heap.h>"
#endif

#include <errno.h>
#include <time.h>

/*
 * An absolute CLOCK_MONOTONIC deadline as a struct timespec, Alchemy's
 * way: NULL waits for ever, {0, 0} does not wait.
 */
static inline int rtheap_compat_alloc_timed(RT_HEAP *heap, size_t size,
					    const struct timespec *abs_timeout,
					    void **blockp)
{
	unsigned long long ns;

	if (!abs_timeout)
		return rt_heap_alloc(heap, size, TM_INFINITE, blockp);
	if (!abs_timeout->tv_sec && !abs_timeout->tv_nsec)
		return rt_heap_alloc(heap, size, TM_NONBLOCK, blockp);
	if (abs_timeout->tv_sec < 0 || abs_timeout->tv_nsec < 0 ||
	    abs_timeout->tv_nsec >= 1000000000L) {
		if (blockp)
			*blockp = NULL;
		return -EINVAL;
	}
	/* Past the year 2554 is for ever; TM_NONBLOCK is never a deadline. */
	if ((unsigned long long)abs_timeout->tv_sec >= ~0ULL / 1000000000ULL)
		return rt_heap_alloc(heap, size, TM_INFINITE, blockp);
	ns = (unsigned long long)abs_timeout->tv_sec * 1000000000ULL +
	     (unsigned long long)abs_timeout->tv_nsec;
	return rt_heap_alloc_until(heap, size, ns, blockp);
}

#endif /* _RTHEAP_COMPAT_H */
