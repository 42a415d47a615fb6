/* SPDX-License-Identifier: MIT */
/*
 * <rtai/heap.h> on rtheap: the RTAI/fusion heap API over libheap.
 *
 *   cc app.c $(pkg-config --cflags --libs libheap-rtai)
 *
 * rt_heap_bind(heap, name) waits for the create, as rtheap's own does; the
 * rest is rtheap's API (rt_heap_*(3)).  What differs is in rtheap-compat(7).
 */
#ifndef _RTHEAP_COMPAT_RTAI_HEAP_H
#define _RTHEAP_COMPAT_RTAI_HEAP_H

/*
 * Where RTAI's <rtai/types.h> is on the include path, its RTIME and TM_*
 * are the ones used (<rtheap/heap.h> defers to them), so that the two can
 * meet in one translation unit.
 */
#if defined(__has_include)
#if __has_include(<rtai/types.h>)
#include <rtai/types.h>
#endif
#endif
#include <rtheap/compat.h>

#endif /* _RTHEAP_COMPAT_RTAI_HEAP_H */
