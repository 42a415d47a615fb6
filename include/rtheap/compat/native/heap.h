/* SPDX-License-Identifier: MIT */
/*
 * <native/heap.h> on rtheap: Xenomai 2's native heap API over libheap.
 *
 *   cc app.c $(pkg-config --cflags --libs libheap-native)
 *
 * The calls are rtheap's (rt_heap_*(3)); what differs from Xenomai is in
 * rtheap-compat(7).  Every rtheap heap can be mapped, so H_MAPPABLE is 0
 * and H_SHARED is the single-segment heap.
 */
#ifndef _RTHEAP_COMPAT_NATIVE_HEAP_H
#define _RTHEAP_COMPAT_NATIVE_HEAP_H

/*
 * Where Xenomai 2's <native/types.h> is on the include path, its RTIME and TM_*
 * are the ones used (<rtheap/heap.h> defers to them), so that the two can
 * meet in one translation unit.
 */
#if defined(__has_include)
#if __has_include(<native/types.h>)
#include <native/types.h>
#endif
#endif
#include <rtheap/compat.h>

#define H_MAPPABLE	0
#undef H_SHARED
#define H_SHARED	(H_MAPPABLE | H_SINGLE)

/*
 * rt_heap_bind(heap, name, timeout): TM_INFINITE waits for the create.
 * It replaces <rtheap/heap.h>'s mapping of the name onto rtheap_bind.
 */
#undef rt_heap_bind
#define rt_heap_bind(heap, name, timeout) \
	rt_heap_bind_timed(heap, name, timeout)

#endif /* _RTHEAP_COMPAT_NATIVE_HEAP_H */
