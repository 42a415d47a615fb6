/* SPDX-License-Identifier: MIT */
/*
 * libheap's private header: what its layers share, for lib/ only.
 *
 *   api.c     the rt_heap_* API and this process's mappings of heaps
 *   cache.c   the opt-in block cache (cache.h: its structures and the
 *             fast paths the API inlines)
 *   device.c  /dev/rtheap: open, the version handshake, one small
 *             function per ioctl
 *
 * Each calls only downward: the API the cache and the device, the cache
 * the device alone.  Every function here returns 0 (or a count) or a
 * negative errno.  The names shared between files start with lh_ and are
 * hidden: they are not libheap's interface, in the archive or the shared
 * object.
 */
#ifndef LIBHEAP_INTERNAL_H
#define LIBHEAP_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtheap/heap.h>

#pragma GCC visibility push(hidden)

/*
 * ---- atomics ---------------------------------------------------------------
 *
 * Every variable one thread writes while another reads it unlocked goes
 * through these, named by their ordering: relaxed (the value only),
 * acquire and release (what was written before the release is seen after
 * the acquire that reads it), seq_cst (one order for all such stores).
 */
#define atomic_load_relaxed(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_store_relaxed(p, v)	__atomic_store_n(p, v, __ATOMIC_RELAXED)
#define atomic_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define atomic_store_seq_cst(p, v)	__atomic_store_n(p, v, __ATOMIC_SEQ_CST)
#define atomic_add_relaxed(p, v) \
	((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_sub_relaxed(p, v) \
	((void)__atomic_fetch_sub((p), (v), __ATOMIC_RELAXED))
#define atomic_xchg_acquire(p, v) \
	__atomic_exchange_n(p, v, __ATOMIC_ACQUIRE)
/*
 * Compare-and-swap, relaxed: true if *p was *oldp and is now v; false
 * with *oldp what *p is.  The _weak one may fail spuriously (in a loop).
 */
#define atomic_cas_relaxed(p, oldp, v) \
	__atomic_compare_exchange_n((p), (oldp), (v), false, \
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define atomic_cas_weak_relaxed(p, oldp, v) \
	__atomic_compare_exchange_n((p), (oldp), (v), true, \
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED)
/* A full fence; the compiler's alone (no instruction). */
#define atomic_fence()			__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define compiler_fence()		__atomic_signal_fence(__ATOMIC_SEQ_CST)

/* ---- descriptors ------------------------------------------------------- */

static inline bool heap_valid(const RT_HEAP *heap)
{
	return heap && heap->magic == RT_HEAP_MAGIC;
}

/* Is block inside our mapping?  On success *offp is its offset. */
static inline int heap_offset(const RT_HEAP *heap, const void *block,
			      size_t *offp)
{
	uintptr_t off = (uintptr_t)block - (uintptr_t)heap->base;

	if (!block || off >= heap->mapsize)	/* below base wraps around */
		return -EINVAL;
	*offp = off;
	return 0;
}

/* ---- device.c: /dev/rtheap --------------------------------------------- */

/*
 * Open the device and check that the module speaks this library's ABI:
 * the file descriptor, or -ENODEV (no device node: module not loaded),
 * -EPROTO (no handshake, or another ABI version), another -errno.  The
 * module's version, features and classes into *ver unless NULL.
 */
int lh_dev_open(struct rtheap_version *ver);
/* Never retried: Linux releases the descriptor even when close fails. */
void lh_dev_close(int fd);
int lh_dev_version(int fd, struct rtheap_version *ver);
int lh_dev_create(int fd, struct rtheap_create_arg *arg);
/* May wait for the heap: -EINTR is returned, never restarted. */
int lh_dev_bind(int fd, struct rtheap_bind *arg);
int lh_dev_delete(int fd);
int lh_dev_inquire(int fd, struct rtheap_info *info);
/* A block of heap's into *blockp (left alone on failure). */
int lh_dev_alloc(const RT_HEAP *heap, size_t size, RTIME timeout,
		 unsigned int flags, void **blockp);
/* The block at offset off of heap's mapping. */
int lh_dev_free(const RT_HEAP *heap, size_t off);
/* n blocks into blocks[], all or none; -EOPNOTSUPP without the call. */
int lh_dev_alloc_bulk(const RT_HEAP *heap, size_t size, size_t n,
		      void *blocks[]);
/*
 * The n blocks at offs[] of fd's heap: how many the kernel refused (each
 * one's results[i] -EINVAL, 0 for the others), or -errno with none freed;
 * -EOPNOTSUPP without the call.
 */
int lh_dev_free_bulk(int fd, size_t n, const __u64 *offs, __s32 *results);
/* On a file of their own: RTHEAP_IOC_LIST and RTHEAP_IOC_DELETE_NAME. */
int lh_dev_list(struct rtheap_info *buf, unsigned int cap,
		unsigned int *count);
int lh_dev_delete_name(const char *name, size_t len);

#pragma GCC visibility pop

#endif /* LIBHEAP_INTERNAL_H */
