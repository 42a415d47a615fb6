/* SPDX-License-Identifier: MIT */
/*
 * libheap's block cache (cache.c), for the API: its structures, and the
 * fast paths of the owner thread's common alloc and free, inlined into
 * rt_heap_alloc*() and rt_heap_free() so that they make no call.  Anything
 * else they leave to the out-of-line lh_cache_*_slow() of cache.c.
 */
#ifndef LIBHEAP_CACHE_H
#define LIBHEAP_CACHE_H

#include <pthread.h>

#include "internal.h"

#pragma GCC visibility push(hidden)

/*
 * Thread-local, and as cheap to reach from the shared library as from a
 * program: initial-exec.
 */
#define CACHE_TLS __thread __attribute__((tls_model("initial-exec")))

#define CACHE_MAG	32	/* blocks one magazine holds */
#define CACHE_BATCH	16	/* blocks one refill or drain moves */
#define CACHE_FREE	0x80	/* state: in a magazine */
#define CACHE_CREDIT	4096	/* most bytes a tcache keeps reserved unused */
/* What the module must offer: bulk calls, status page, class map. */
#define CACHE_FEATURES	(RTHEAP_FEAT_BULK | RTHEAP_FEAT_STATUS_PAGE | \
			 RTHEAP_FEAT_CLASS_MAP)
#define CACHE_FD_L2	1024
#define CACHE_FD_L1	64	/* descriptors with fd below 65536 */

struct heap_cache;

struct tcache {
	int busy;		/* the owner is in tcache_enter() .. _leave() */
	int steal;		/* atomic: a thread under lock wants in */
	struct heap_cache *c;	/* NULL once the cache is gone */
	int fd;			/* c's descriptor, to match a call's */
	unsigned int id;
	void *base;
	size_t credit;		/* reserved in c->cached, in no magazine */
	unsigned int n[RTHEAP_MAX_CLASSES];
	void *owner;		/* &my_tcaches of its thread */
	pthread_mutex_t lock;
	struct tcache *tnext;	/* the thread's tcaches */
	struct tcache *cnext;	/* the cache's tcaches */
	void *mag[RTHEAP_MAX_CLASSES][CACHE_MAG];
};

struct heap_cache {
	RT_HEAP hd;		/* copy of the descriptor, for drains */
	size_t limit;
	size_t credit_max;	/* a tcache's most credit: from limit */
	size_t cached;		/* atomic */
	int drain;		/* atomic: drain every magazine at next call */
	unsigned int nr_classes;
	size_t fast_max;	/* the largest class if class k is always
				 * RTHEAP_MIN_BLOCK << k, else 0 */
	size_t class_size[RTHEAP_MAX_CLASSES];
	const struct rtheap_status *status;	/* atomic_load_relaxed */
	const unsigned char *cmap;	/* the class map, the same */
	size_t cmap_size;
	unsigned int page_shift;
	unsigned char *state;	/* hd.mapsize / RTHEAP_MIN_BLOCK bytes */
	size_t state_size;
	pthread_mutex_t lock;
	struct tcache *threads;
	struct heap_cache *next;	/* cache_list */
};

extern int lh_cache_live;		/* atomic: caches in the process */
extern CACHE_TLS struct tcache *lh_last_tc;	/* the thread's last tcache */
extern bool lh_cache_fence;	/* no membarrier(): owners fence */

void lh_tcache_credit(struct heap_cache *c, struct tcache *tc, size_t bytes);
bool lh_cache_alloc_slow(RT_HEAP *heap, size_t size, void **blockp);
bool lh_cache_free_slow(RT_HEAP *heap, void *block, int *retp);

/*
 * For the API: a free through a descriptor without a cache (-EINVAL for a
 * block a cache holds, else 0); the descriptor's cache drained and gone
 * (unbind, delete); its bound set, 0 draining it (rt_heap_cache(), the
 * descriptor valid and not H_SHARED, bytes within its mapping); the bytes
 * in its magazines.
 */
int lh_cache_forget(const RT_HEAP *heap, void *block);
void lh_cache_destroy(const RT_HEAP *heap);
int lh_cache_set(RT_HEAP *heap, size_t bytes);
size_t lh_cache_bytes(const RT_HEAP *heap);

static inline unsigned char *cache_state(struct heap_cache *c,
					 const void *block)
{
	size_t off = (size_t)((const char *)block - (const char *)c->hd.base);

	return &c->state[off / RTHEAP_MIN_BLOCK];
}

/*
 * The owner's side: true once tc is marked busy and nobody steals it;
 * false (and not busy): take tc->lock instead.  busy's store is made
 * visible to a stealer by the stealer's membarrier(), so it needs no
 * fence here, only the compiler's.
 */
static inline bool tcache_enter(struct tcache *tc)
{
	atomic_store_relaxed(&tc->busy, 1);
	if (__builtin_expect(atomic_load_relaxed(&lh_cache_fence), 0))
		atomic_fence();
	else
		compiler_fence();
	if (__builtin_expect(!atomic_load_acquire(&tc->steal), 1))
		return true;
	atomic_store_release(&tc->busy, 0);
	return false;
}

static inline void tcache_leave(struct tcache *tc)
{
	atomic_store_release(&tc->busy, 0);
}

/* Is tc (not NULL) a tcache of heap's descriptor? */
static inline bool tcache_matches(const struct tcache *tc, const RT_HEAP *heap)
{
	return tc->fd == heap->fd && tc->base == heap->base &&
	       tc->id == heap->id;
}

/* The class of 1 .. fast_max bytes when class k is RTHEAP_MIN_BLOCK << k. */
static inline unsigned int cache_pow2_class(size_t size)
{
	_Static_assert(RTHEAP_MIN_BLOCK == 1 << 4, "the shift below");
	/* log2, rounded up, less 4 */
	return size <= RTHEAP_MIN_BLOCK ? 0 :
	       (unsigned int)(sizeof(unsigned long) * 8 - 4 -
			      (unsigned int)__builtin_clzl(size - 1));
}

/* The status page: tasks wait in alloc, or the heap is deleted. */
static inline bool cache_kernel_only(const struct heap_cache *c)
{
	return atomic_load_relaxed(&c->status->nwaiters) ||
	       (atomic_load_relaxed(&c->status->flags) &
		RTHEAP_STATUS_DELETED);
}

/*
 * The owner's pop, no lock: a block of class k from tc's magazine; false
 * (nothing changed): it is empty or being stolen, take tc->lock.
 */
static inline bool tcache_pop_fast(struct heap_cache *c, struct tcache *tc,
				   unsigned int k, void **blockp)
{
	size_t credit;
	unsigned int n;
	void *b;

	if (!tcache_enter(tc))
		return false;
	n = tc->n[k];
	if (!n) {
		tcache_leave(tc);
		return false;
	}
	b = tc->mag[k][n - 1];
	tc->n[k] = n - 1;
	atomic_store_relaxed(cache_state(c, b), k + 1);
	credit = tc->credit + c->class_size[k];
	if (credit <= c->credit_max)
		atomic_store_relaxed(&tc->credit, credit);
	else
		lh_tcache_credit(c, tc, c->class_size[k]);
	tcache_leave(tc);
	*blockp = b;
	return true;
}

/*
 * The common cases, with nothing to check twice: the thread's last tcache
 * is this descriptor's, nobody waits, no drain is owed, the class is a
 * power of two and the magazine has a block (alloc) or room and credit
 * (free).  Anything else takes the *_slow() path, which starts over.
 */
static inline struct tcache *tcache_fast(const RT_HEAP *heap)
{
	struct tcache *tc = lh_last_tc;
	struct heap_cache *c;

	if (!tc || !heap || heap->magic != RT_HEAP_MAGIC ||
	    !tcache_matches(tc, heap))
		return NULL;
	c = atomic_load_relaxed(&tc->c);
	if (!c || atomic_load_relaxed(&c->drain) ||
	    cache_kernel_only(c))
		return NULL;
	return tc;
}

/* rt_heap_alloc*() of a cached descriptor; false: go to the kernel. */
static inline __attribute__((always_inline)) bool
cache_alloc(RT_HEAP *heap, size_t size, void **blockp)
{
	struct heap_cache *c;
	struct tcache *tc;

	if (!atomic_load_relaxed(&lh_cache_live))
		return false;	/* no cache in the process: one load */
	tc = tcache_fast(heap);
	if (!tc || !blockp)
		goto slow;
	c = tc->c;
	if (size - 1 >= c->fast_max)	/* 0, too big, or no power of two */
		goto slow;
	if (tcache_pop_fast(c, tc, cache_pow2_class(size), blockp))
		return true;
slow:
	return lh_cache_alloc_slow(heap, size, blockp);
}

/* rt_heap_free() of a cached descriptor; false: go to the kernel. */
static inline __attribute__((always_inline)) bool
cache_free(RT_HEAP *heap, void *block, int *retp)
{
	struct heap_cache *c;
	struct tcache *tc;
	unsigned char *st, s;
	size_t off, bytes;
	unsigned int k, n;

	if (!atomic_load_relaxed(&lh_cache_live))
		return false;
	tc = tcache_fast(heap);
	if (!tc)
		goto slow;
	c = tc->c;
	off = (uintptr_t)block - (uintptr_t)heap->base;
	if (!block || off >= heap->mapsize)
		goto slow;
	st = &c->state[off / RTHEAP_MIN_BLOCK];
	s = atomic_load_relaxed(st);
	/* Handed out by the cache, its class unchanged (see the slow path). */
	if (!s || (s & CACHE_FREE) ||
	    atomic_load_relaxed(&c->cmap[off >> c->page_shift]) != s)
		goto slow;
	k = s - 1u;
	bytes = c->class_size[k];
	if (!tcache_enter(tc))
		goto slow;
	n = tc->n[k];
	if (n == CACHE_MAG || tc->credit < bytes ||
	    !atomic_cas_relaxed(st, &s, CACHE_FREE | s)) {
		tcache_leave(tc);
		goto slow;	/* a failed exchange: it tells what happened */
	}
	tc->mag[k][n] = block;
	tc->n[k] = n + 1;
	atomic_store_relaxed(&tc->credit, tc->credit - bytes);
	tcache_leave(tc);
	*retp = 0;
	return true;
slow:
	return lh_cache_free_slow(heap, block, retp);
}

#pragma GCC visibility pop

#endif /* LIBHEAP_CACHE_H */
