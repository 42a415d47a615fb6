/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rtheap - real-time memory heaps, the rt_heap_* API.
 *
 * The same calls serve kernel code (rtheap.ko exports them) and user space
 * (libheap, over /dev/rtheap).  Every call returns 0 or a negative errno.
 */
#ifndef _RTHEAP_HEAP_H
#define _RTHEAP_HEAP_H

#include <rtheap/ioctl.h>

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/uidgid.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#endif

/*
 * Time: RTIME counts nanoseconds.  RTIME, TM_INFINITE, TM_NOW and
 * TM_NONBLOCK are what Xenomai 3's <alchemy/timer.h> makes them, token for
 * token, so that one translation unit may include both, in either order:
 * where that header is on the include path it is included here and its
 * definitions are the ones used (with the same meaning); Xenomai 2's and
 * RTAI's types headers are deferred to as well when the compatibility
 * headers bring them.  TM_INFINITE can be tested in #if.
 */
#if !defined(__KERNEL__) && defined(__has_include)
#if __has_include(<alchemy/timer.h>)
#include <alchemy/timer.h>
#endif
#endif

#if !defined(_XENOMAI_ALCHEMY_TIMER_H) && !defined(_XENO_TYPES_H) && \
	!defined(_RTAI_TYPES_H)
typedef unsigned long long RTIME;
#endif
#ifndef TM_INFINITE
#define TM_INFINITE  0
#endif
#ifndef TM_NOW
#define TM_NOW       0
#endif
#ifndef TM_NONBLOCK
#define TM_NONBLOCK  ((RTIME)-1ULL)
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define RT_HEAP_NAMELEN	RTHEAP_NAMELEN
#define RT_HEAP_MAGIC	0x52544850U	/* "RTHP": descriptor is attached */
/* Blocks one rt_heap_alloc_bulk() or rt_heap_free_bulk() moves, at most. */
#define RT_HEAP_BULK_MAX	RTHEAP_BULK_MAX

typedef struct rt_heap_info {
	int nwaiters;		/* tasks waiting in rt_heap_alloc */
	int mode;		/* H_* given at create */
	size_t heapsize;	/* as requested at create */
	size_t usablemem;	/* bytes that can be allocated */
	size_t usedmem;		/* bytes allocated, after rounding */
	size_t largestfree;	/* largest block an allocation gets now */
	int nmaps;		/* live user mappings */
	int nbound;		/* descriptors attached */
	unsigned int uid, gid, perm;
	int cpid;		/* creator's pid, 0 for kernel-created heaps */
	/* Live blocks of class i (16 << i bytes); 0 from nr_classes on. */
	unsigned long class_blocks[RTHEAP_MAX_CLASSES];
	char name[RT_HEAP_NAMELEN];
	unsigned long phys_addr;	/* H_DMA*: physical base, else 0 */
	unsigned int nr_classes;	/* the module's classes: 8 .. 12 */
	unsigned int id;		/* heap id, as heapctl lists it */
	unsigned int flags;		/* RT_HEAP_INFO_* */
	unsigned long run_pages;	/* pages of blocks over half a page */
} RT_HEAP_INFO;

/* RT_HEAP_INFO.flags: deleted, its memory still held by mappings. */
#define RT_HEAP_INFO_DELETED	(1U << 0)

#ifdef __KERNEL__

struct rtheap;

typedef struct rt_heap {
	unsigned int magic;	/* RT_HEAP_MAGIC while valid */
	struct rtheap *h;
} RT_HEAP;

int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize, int mode);
int rt_heap_delete(RT_HEAP *heap);
int rt_heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout, void **blockp);
int rt_heap_alloc_until(RT_HEAP *heap, size_t size, RTIME abs_ns, void **blockp);
int rt_heap_free(RT_HEAP *heap, void *block);
int rt_heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info);
/* Owner and permission bits user space sees (default: root, 0600). */
int rt_heap_set_owner(RT_HEAP *heap, kuid_t uid, kgid_t gid, umode_t perm);
/*
 * Bulk calls (one system call each from user space): alloc is all or
 * nothing and never waits; free validates every block and returns how
 * many it could not free (results[i] 0 or -EINVAL), or a negative errno
 * with nothing freed.  1 to RT_HEAP_BULK_MAX blocks; not for H_SHARED.
 */
int rt_heap_alloc_bulk(RT_HEAP *heap, size_t size, size_t n, void *blocks[]);
int rt_heap_free_bulk(RT_HEAP *heap, size_t n, void *const blocks[],
		      int results[]);

#else /* user space */

/*
 * libheap's symbols are rtheap_*: the API's names are mapped onto them
 * here, so that a program may link libheap next to another rt_heap_*
 * provider (Xenomai's libalchemy) without a clash.  Programs use the
 * rt_heap_* names; only a debugger or nm shows the others.
 */
#define rt_heap_create		rtheap_create
#define rt_heap_delete		rtheap_delete
#define rt_heap_alloc		rtheap_alloc
#define rt_heap_free		rtheap_free
#define rt_heap_inquire		rtheap_inquire
#define rt_heap_bind		rtheap_bind
#define rt_heap_unbind		rtheap_unbind
#define rt_heap_create_ext	rtheap_create_ext
#define rt_heap_bind_timed	rtheap_bind_timed
#define rt_heap_bind_owner	rtheap_bind_owner
#define rt_heap_alloc_until	rtheap_alloc_until
#define rt_heap_alloc_bulk	rtheap_alloc_bulk
#define rt_heap_free_bulk	rtheap_free_bulk
#define rt_heap_block_offset	rtheap_block_offset
#define rt_heap_block_addr	rtheap_block_addr
#define rt_heap_list		rtheap_list
#define rt_heap_info_by_name	rtheap_info_by_name
#define rt_heap_delete_name	rtheap_delete_name
#define rt_heap_cache		rtheap_cache
#define rt_heap_cache_inquire	rtheap_cache_inquire

/*
 * A user-space descriptor: one open file of /dev/rtheap attached to one
 * heap, and this process's mapping of it.  Filled by rt_heap_create*() or
 * rt_heap_bind*(), read-only until rt_heap_delete() or rt_heap_unbind(),
 * which invalidate it.  Any number of threads may call alloc, free, inquire
 * and the block helpers on one descriptor at once; delete and unbind must
 * not race with other calls on the same descriptor.  Do not copy a
 * descriptor: each one owns its file and mapping.
 */
typedef struct rt_heap {
	unsigned int magic;	/* RT_HEAP_MAGIC while valid */
	int fd;			/* open file of /dev/rtheap, attached */
	unsigned int id;	/* heap id, as listed by heapctl */
	int mode;		/* H_* of the heap */
	void *base;		/* our mapping of the heap */
	size_t mapsize;		/* bytes mapped at base */
	size_t heapsize;	/* as requested at create */
} RT_HEAP;

int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize, int mode);
int rt_heap_delete(RT_HEAP *heap);
int rt_heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout, void **blockp);
int rt_heap_free(RT_HEAP *heap, void *block);
int rt_heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info);
int rt_heap_bind(RT_HEAP *heap, const char *name);
int rt_heap_unbind(RT_HEAP *heap);

/* Extensions. */
int rt_heap_create_ext(RT_HEAP *heap, const char *name, size_t heapsize,
		       int mode, unsigned int perm, int gid);
int rt_heap_bind_timed(RT_HEAP *heap, const char *name, RTIME timeout);
/* Only a heap owned by the caller or by root binds; -EACCES for others'. */
int rt_heap_bind_owner(RT_HEAP *heap, const char *name, RTIME timeout);
int rt_heap_alloc_until(RT_HEAP *heap, size_t size, RTIME abs_ns, void **blockp);
int rt_heap_block_offset(const RT_HEAP *heap, const void *block, size_t *offp);
int rt_heap_block_addr(const RT_HEAP *heap, size_t off, void **blockp);
/*
 * Bulk calls (one system call each from user space): alloc is all or
 * nothing and never waits; free validates every block and returns how
 * many it could not free (results[i] 0 or -EINVAL), or a negative errno
 * with nothing freed.  1 to RT_HEAP_BULK_MAX blocks; not for H_SHARED.
 */
int rt_heap_alloc_bulk(RT_HEAP *heap, size_t size, size_t n, void *blocks[]);
int rt_heap_free_bulk(RT_HEAP *heap, size_t n, void *const blocks[],
		      int results[]);
/*
 * The opt-in block cache (rt_heap_cache(3)): per thread and size class,
 * at most bytes cached for the descriptor; 0 turns it off and drains it.
 * rt_heap_cache_inquire() tells the bytes cached now (others' usedmem
 * counts them as used).
 */
int rt_heap_cache(RT_HEAP *heap, size_t bytes);
int rt_heap_cache_inquire(RT_HEAP *heap, size_t *cached_bytes);

/* Every heap the caller may read; *count receives how many exist. */
int rt_heap_list(RT_HEAP_INFO *buf, unsigned int cap, unsigned int *count);
/* The heap called name, without binding it (-ENOENT if none is visible). */
int rt_heap_info_by_name(const char *name, RT_HEAP_INFO *info);
/*
 * Delete the heap called name without binding it: for its owner (or
 * CAP_IPC_OWNER) whatever its permission bits, like IPC_RMID.
 * -ENOENT if there is none.
 */
int rt_heap_delete_name(const char *name);

#endif /* __KERNEL__ */

#ifdef __cplusplus
}
#endif

#endif /* _RTHEAP_HEAP_H */
