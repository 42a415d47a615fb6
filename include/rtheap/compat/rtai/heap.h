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

#include <rtheap/compat.h>

#endif /* _RTHEAP_COMPAT_RTAI_HEAP_H */
