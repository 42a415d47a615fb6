/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for Xenomai 3's own <alchemy/heap.h>: the same shapes (an
 * RT_HEAP of one handle, rt_heap_alloc() inline over rt_heap_alloc_timed())
 * and calls that answer STANDIN_HEAP_MARKER, so a test can tell which
 * library a heap call reached.
 */
#ifndef _XENOMAI_ALCHEMY_HEAP_H
#define _XENOMAI_ALCHEMY_HEAP_H

#include <stdint.h>
#include <time.h>
#include <alchemy/timer.h>

/* What every heap call of the stand-in returns: no errno has this value. */
#define STANDIN_HEAP_MARKER	(-7031)

#define H_PRIO    0x1
#define H_FIFO    0x0
#define H_SINGLE  0x4

#ifndef XNOBJECT_NAME_LEN
#define XNOBJECT_NAME_LEN 32
#endif

struct RT_HEAP {
	uintptr_t handle;
};

typedef struct RT_HEAP RT_HEAP;

struct RT_HEAP_INFO {
	int nwaiters;
	int mode;
	size_t heapsize;
	size_t usablemem;
	size_t usedmem;
	char name[XNOBJECT_NAME_LEN];
};

typedef struct RT_HEAP_INFO RT_HEAP_INFO;

#ifdef __cplusplus
extern "C" {
#endif

int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize,
		   int mode);
int rt_heap_delete(RT_HEAP *heap);
int rt_heap_alloc_timed(RT_HEAP *heap, size_t size,
			const struct timespec *abs_timeout, void **blockp);

static inline int rt_heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout,
				void **blockp)
{
	(void)timeout;
	return rt_heap_alloc_timed(heap, size, NULL, blockp);
}

int rt_heap_free(RT_HEAP *heap, void *block);
int rt_heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info);
int rt_heap_bind(RT_HEAP *heap, const char *name, RTIME timeout);
int rt_heap_unbind(RT_HEAP *heap);

#ifdef __cplusplus
}
#endif

#endif /* _XENOMAI_ALCHEMY_HEAP_H */
