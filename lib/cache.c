// SPDX-License-Identifier: MIT
/*
 * libheap - the opt-in block cache (rt_heap_cache(), Documentation/design.md
 * §6), built on the device layer alone: it never calls the API, so none
 * of the API's checks or hooks runs for its own kernel calls.
 *
 * A cached descriptor has a struct heap_cache, found by its file
 * descriptor in cache_fds (two levels, lock-free reads).  Every thread
 * that allocates or frees through it gets a struct tcache: one magazine
 * per bucket class, refilled with one RTHEAP_IOC_ALLOC_BULK and drained
 * with one RTHEAP_IOC_FREE_BULK of CACHE_BATCH blocks, so most allocs and
 * frees make no system call.  Sizes above the largest class go to the
 * kernel.  cached (atomic) counts the bytes reserved against limit, and
 * never exceeds it: those in all the descriptor's magazines, and each
 * tcache's credit, bytes reserved but in no magazine (a block handed out
 * leaves its bytes there, for the next free to take without touching
 * cached; at most CACHE_CREDIT bytes or a quarter of limit are kept).
 * So a thread that allocates and frees in turn makes no atomic operation
 * on cached.
 *
 * state[] has one byte per RTHEAP_MIN_BLOCK granule of the heap, for the
 * block starting there: 0 (not the cache's), 1 + class (handed out by the
 * cache), or CACHE_FREE | (1 + class) (in a magazine).  A free moves it
 * from handed-out to in-a-magazine with one compare-and-swap, so a second
 * free of the block in this process is refused (-EINVAL).  It is process
 * memory (an anonymous mapping, touched only where blocks were cached).
 *
 * The kernel's status page (struct rtheap_status) tells how many tasks
 * wait in alloc: while some do, the descriptor allocates and frees
 * straight through the kernel (so a free hands its block over inside the
 * call), and its next call drains every magazine.
 *
 * Locks: cache_list_lock (rwlock: the list, the fd table's writers), then
 * heap_cache.lock (its threads), then tcache.lock (its magazines).  The
 * owner thread's common alloc and free take no lock: they run inside
 * tcache_enter() .. tcache_leave(), which only mark the tcache busy.
 * Anything else that touches the magazines (refills and drains, other
 * threads' drains) holds tcache.lock and, for another thread's tcache,
 * first waits it out of its busy section (cache_each()): it raises
 * steal, then makes the owner's busy store visible with membarrier()
 * (MEMBARRIER_CMD_PRIVATE_EXPEDITED: a barrier on every CPU that runs a
 * thread of this process), so that either the owner sees steal and takes
 * the lock, or the stealer sees busy and waits.  Without membarrier() the
 * owner makes a full fence instead (lh_cache_fence).
 *
 * The structures and the fast paths the API inlines are in cache.h.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "cache.h"

int lh_cache_live;
CACHE_TLS struct tcache *lh_last_tc;
bool lh_cache_fence;

static struct heap_cache **cache_fds[CACHE_FD_L1];
static struct heap_cache *cache_list;
static pthread_rwlock_t cache_list_lock = PTHREAD_RWLOCK_INITIALIZER;
static CACHE_TLS struct tcache *my_tcaches;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static struct heap_cache *cache_of(const RT_HEAP *heap)
{
	struct heap_cache **l2, *c;
	unsigned int fd = (unsigned int)heap->fd;

	if (fd >= CACHE_FD_L1 * CACHE_FD_L2)
		return NULL;
	l2 = atomic_load_acquire(&cache_fds[fd / CACHE_FD_L2]);
	if (!l2)
		return NULL;
	c = atomic_load_acquire(&l2[fd % CACHE_FD_L2]);
	if (c && (c->hd.id != heap->id || c->hd.base != heap->base))
		return NULL;
	return c;
}

/* Reserve bytes of c's bound; false if they do not fit. */
static bool cache_reserve(struct heap_cache *c, size_t bytes)
{
	size_t cur = atomic_load_relaxed(&c->cached);

	do {
		if (bytes > c->limit || cur > c->limit - bytes)
			return false;
	} while (!atomic_cas_weak_relaxed(&c->cached, &cur, cur + bytes));
	return true;
}

static void cache_unreserve(struct heap_cache *c, size_t bytes)
{
	atomic_sub_relaxed(&c->cached, bytes);
}

/*
 * Give n blocks of class k back to the kernel, in one call; their state
 * bytes are cleared first.  A block the kernel refuses was freed by
 * another process meanwhile (Documentation/design.md §6's one
 * relaxation): it is dropped here, as it is no longer ours.
 */
static void cache_give_back(struct heap_cache *c, unsigned int k,
			    void **blocks, unsigned int n)
{
	__u64 offs[CACHE_MAG];
	__s32 results[CACHE_MAG];
	unsigned int i;

	_Static_assert(CACHE_MAG <= RTHEAP_BULK_MAX, "one call per magazine");
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		offs[i] = (uintptr_t)blocks[i] - (uintptr_t)c->hd.base;
		atomic_store_relaxed(cache_state(c, blocks[i]), 0);
	}
	lh_dev_free_bulk(c->hd.fd, n, offs, results);
	cache_unreserve(c, (size_t)n * c->class_size[k]);
}

static int cache_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

/*
 * Stealing: under tc->lock, tcache_raise() tc, make the owners' busy
 * stores visible with cache_barrier() (once for any number of tcaches),
 * and tcache_wait() until tc's owner is out of its busy section; the owner
 * takes tc->lock for its next call until tcache_unsteal().  The owner's
 * section is a few dozen instructions and makes no system call; a
 * stealer of higher priority on the owner's CPU sleeps, so that the owner
 * can run.  The calling thread's own tcaches are never busy here, and
 * need none of it.
 */
static void tcache_raise(struct tcache *tc)
{
	if (tc->owner != &my_tcaches)
		atomic_store_seq_cst(&tc->steal, 1);
}

static void cache_barrier(void)
{
	if (!atomic_load_relaxed(&lh_cache_fence) &&
	    cache_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	    (errno != EPERM ||	/* not registered: a fork's child may not be */
	     cache_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) ||
	     cache_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED))) {
		/*
		 * membarrier() refused after it worked (a seccomp filter
		 * installed since, say): owners fence from now on, and a
		 * section already under way has its busy store seen long
		 * before this sleep ends.
		 */
		atomic_store_seq_cst(&lh_cache_fence, true);
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

static void tcache_wait(struct tcache *tc)
{
	struct timespec nap = { 0, 50000 };
	unsigned int spins = 0;

	if (tc->owner == &my_tcaches)
		return;
	while (atomic_load_acquire(&tc->busy)) {
		if (++spins < 16)
			sched_yield();
		else
			nanosleep(&nap, NULL);
	}
}

static void tcache_unsteal(struct tcache *tc)
{
	atomic_store_release(&tc->steal, 0);
}

/*
 * Empty tc's magazines and give back its credit; tc stolen, or the
 * caller's own.  detach: the cache goes, tc is left to its thread, which
 * frees it.
 */
static void tcache_drain(struct tcache *tc, bool detach)
{
	struct heap_cache *c = tc->c;
	unsigned int k;

	for (k = 0; k < c->nr_classes; k++) {
		cache_give_back(c, k, tc->mag[k], tc->n[k]);
		tc->n[k] = 0;
	}
	cache_unreserve(c, tc->credit);
	atomic_store_relaxed(&tc->credit, 0);
	if (detach)
		atomic_store_relaxed(&tc->c, NULL);
}

enum cache_each_op { CACHE_SYNC, CACHE_DRAIN, CACHE_DETACH };

/*
 * Every tcache of c stolen at once (one barrier), then, for each: nothing
 * (CACHE_SYNC: every call under way has ended), a drain, or a drain and
 * the tcache detached from c (CACHE_DETACH, c goes).  Under c->lock.
 */
static void cache_each(struct heap_cache *c, enum cache_each_op op)
{
	struct tcache *tc;

	pthread_mutex_lock(&c->lock);
	for (tc = c->threads; tc; tc = tc->cnext) {
		pthread_mutex_lock(&tc->lock);
		tcache_raise(tc);
	}
	cache_barrier();
	for (tc = c->threads; tc; tc = tc->cnext) {
		tcache_wait(tc);
		if (op != CACHE_SYNC)
			tcache_drain(tc, op == CACHE_DETACH);
		tcache_unsteal(tc);
		pthread_mutex_unlock(&tc->lock);
	}
	pthread_mutex_unlock(&c->lock);
}

/* Reserve bytes for tc: from its credit first; under tc->lock. */
static bool tcache_reserve(struct heap_cache *c, struct tcache *tc,
			   size_t bytes)
{
	size_t credit = tc->credit;

	if (credit >= bytes) {
		atomic_store_relaxed(&tc->credit, credit - bytes);
		return true;
	}
	if (!cache_reserve(c, bytes - credit))
		return false;
	atomic_store_relaxed(&tc->credit, 0);
	return true;
}

/*
 * Bytes leave tc's magazines but stay reserved, up to CACHE_CREDIT or a
 * quarter of the bound, so that one thread's credit does not keep the
 * others from caching; over it, half of that is kept.
 */
__attribute__((noinline)) void
lh_tcache_credit(struct heap_cache *c, struct tcache *tc, size_t bytes)
{
	size_t credit = tc->credit + bytes;
	size_t most = atomic_load_relaxed(&c->credit_max);

	if (credit > most) {
		cache_unreserve(c, credit - most / 2);
		credit = most / 2;
	}
	atomic_store_relaxed(&tc->credit, credit);
}

/* Empty every magazine of c. */
static __attribute__((noinline)) void cache_drain_all(struct heap_cache *c)
{
	cache_each(c, CACHE_DRAIN);
}

/* A thread exits: its magazines drain, its tcaches go. */
static void cache_thread_exit(void *arg)
{
	struct tcache *tc, *next, **pp;
	struct heap_cache *c;

	(void)arg;
	pthread_rwlock_rdlock(&cache_list_lock);
	for (tc = my_tcaches; tc; tc = next) {
		next = tc->tnext;
		c = tc->c;
		if (c) {
			pthread_mutex_lock(&c->lock);
			pthread_mutex_lock(&tc->lock);
			tcache_drain(tc, false);
			pthread_mutex_unlock(&tc->lock);
			for (pp = &c->threads; *pp; pp = &(*pp)->cnext) {
				if (*pp == tc) {
					*pp = tc->cnext;
					break;
				}
			}
			pthread_mutex_unlock(&c->lock);
		}
		pthread_mutex_destroy(&tc->lock);
		free(tc);
	}
	my_tcaches = NULL;
	lh_last_tc = NULL;
	pthread_rwlock_unlock(&cache_list_lock);
}

static void cache_key_init(void)
{
	pthread_key_create(&cache_key, cache_thread_exit);
	/* Before any cache exists: owners know from the start. */
	if (cache_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
		lh_cache_fence = true;
}

/* The calling thread's tcache of c, made on first use; NULL: no memory. */
static struct tcache *tcache_get(struct heap_cache *c)
{
	struct tcache *tc;

	for (tc = my_tcaches; tc; tc = tc->tnext)
		if (tc->c == c)
			return lh_last_tc = tc;
	tc = calloc(1, sizeof(*tc));
	if (!tc)
		return NULL;
	pthread_mutex_init(&tc->lock, NULL);
	tc->c = c;
	tc->fd = c->hd.fd;
	tc->id = c->hd.id;
	tc->base = c->hd.base;
	tc->owner = &my_tcaches;
	pthread_mutex_lock(&c->lock);
	tc->cnext = c->threads;
	c->threads = tc;
	pthread_mutex_unlock(&c->lock);
	tc->tnext = my_tcaches;
	my_tcaches = tc;
	pthread_setspecific(cache_key, tc);	/* non-NULL: the destructor runs */
	return lh_last_tc = tc;
}

/* The calling thread's tcache of heap's cache if it used it last. */
static inline struct tcache *tcache_last(const RT_HEAP *heap)
{
	struct tcache *tc = lh_last_tc;

	if (tc && tcache_matches(tc, heap) &&
	    atomic_load_relaxed(&tc->c))
		return tc;
	return NULL;
}

/*
 * The slow paths' start: heap's cache, and in *tcp the calling thread's
 * tcache of it if it used it last, else NULL; NULL: no cache.
 */
static struct heap_cache *cache_find(const RT_HEAP *heap, struct tcache **tcp)
{
	struct tcache *tc = tcache_last(heap);

	*tcp = tc;
	return tc ? tc->c : cache_of(heap);
}

/* Set c's bound, and the most credit a tcache keeps with it. */
static void cache_set_limit(struct heap_cache *c, size_t bytes)
{
	size_t most = bytes / 4;

	atomic_store_relaxed(&c->limit, bytes);
	atomic_store_relaxed(&c->credit_max,
			     most > CACHE_CREDIT ? CACHE_CREDIT : most);
}

/* The class that holds size, or -1: the kernel's. */
static int cache_class(const struct heap_cache *c, size_t size)
{
	unsigned int k;

	if (!size || size > c->class_size[c->nr_classes - 1])
		return -1;
	/* RTHEAP_MIN_BLOCK << k, as every module reports */
	if (__builtin_expect(c->fast_max != 0, 1))
		return (int)cache_pow2_class(size);
	for (k = 0; k < c->nr_classes; k++)
		if (size <= c->class_size[k])
			return (int)k;
	return -1;
}

/*
 * At the start of every cached call: a drain owed since a free met
 * waiters is done now.  True while waiters are queued or once the heap is
 * deleted: go to the kernel (which answers -EIDRM for a deleted heap).
 */
static bool cache_waiters(struct heap_cache *c)
{
	/* A load first: the exchange only when a drain is owed. */
	if (atomic_load_relaxed(&c->drain) &&
	    atomic_xchg_acquire(&c->drain, 0))
		cache_drain_all(c);
	return cache_kernel_only(c);
}

/* Take up to CACHE_BATCH blocks of class k into tc; under tc->lock. */
static void tcache_refill(struct heap_cache *c, struct tcache *tc,
			  unsigned int k)
{
	size_t bytes = c->class_size[k];
	size_t cur = atomic_load_relaxed(&c->cached);
	size_t room = (cur < c->limit ? c->limit - cur : 0) + tc->credit;
	unsigned int n = CACHE_BATCH, i;
	int ret;

	if (room / bytes < n)
		n = (unsigned int)(room / bytes);
	if (!n || !tcache_reserve(c, tc, n * bytes))
		return;
	ret = lh_dev_alloc_bulk(&c->hd, bytes, n, tc->mag[k]);
	if (ret) {
		lh_tcache_credit(c, tc, n * bytes);
		return;
	}
	for (i = 0; i < n; i++)
		atomic_store_relaxed(cache_state(c, tc->mag[k][i]),
				     CACHE_FREE | (k + 1));
	tc->n[k] = n;
}

/* Under tc->lock: a block of class k, refilling first; NULL: none. */
static void *tcache_pop_locked(struct heap_cache *c, struct tcache *tc,
			       unsigned int k)
{
	void *b;

	if (!atomic_load_relaxed(&tc->c))
		return NULL;	/* the cache is gone */
	if (!tc->n[k])
		tcache_refill(c, tc, k);
	if (!tc->n[k])
		return NULL;	/* bound reached or heap short: the kernel */
	b = tc->mag[k][--tc->n[k]];
	atomic_store_relaxed(cache_state(c, b), k + 1);
	lh_tcache_credit(c, tc, c->class_size[k]);
	return b;
}

/* cache_alloc() but for its common case. */
__attribute__((noinline)) bool
lh_cache_alloc_slow(RT_HEAP *heap, size_t size, void **blockp)
{
	struct heap_cache *c;
	struct tcache *tc;
	void *b;
	int k;

	if (!atomic_load_relaxed(&lh_cache_live) ||
	    !heap_valid(heap) || !blockp)
		return false;
	c = cache_find(heap, &tc);
	if (!c)
		return false;
	if (cache_waiters(c))
		return false;
	k = cache_class(c, size);
	if (k < 0)
		return false;
	if (!tc) {
		tc = tcache_get(c);
		if (!tc)
			return false;
	}
	if (tcache_pop_fast(c, tc, (unsigned int)k, blockp))
		return true;
	pthread_mutex_lock(&tc->lock);
	b = tcache_pop_locked(c, tc, (unsigned int)k);
	pthread_mutex_unlock(&tc->lock);
	if (!b)
		return false;
	*blockp = b;
	return true;
}

/*
 * A free through a descriptor without a cache while caches exist: a block
 * one of them holds is refused (-EINVAL, a double free in this process);
 * one a cache handed out loses its cache state.
 */
int lh_cache_forget(const RT_HEAP *heap, void *block)
{
	struct heap_cache *c;
	unsigned char *st, s;
	size_t off;
	int ret = 0;

	if (heap_offset(heap, block, &off))
		return 0;	/* the plain path refuses it */
	pthread_rwlock_rdlock(&cache_list_lock);
	for (c = cache_list; c && !ret; c = c->next) {
		if (c->hd.base != heap->base)
			continue;
		st = cache_state(c, block);
		s = atomic_load_relaxed(st);
		if (s & CACHE_FREE)
			ret = -EINVAL;
		else if (s && !atomic_cas_relaxed(st, &s, 0))
			ret = -EINVAL;
	}
	pthread_rwlock_unlock(&cache_list_lock);
	return ret;
}

/*
 * Under tc->lock: block (class k, its state byte already CACHE_FREE | k + 1)
 * into tc; false: over the bound or the cache gone, go to the kernel.
 */
static bool tcache_push_locked(struct heap_cache *c, struct tcache *tc,
			       unsigned int k, void *block)
{
	if (!atomic_load_relaxed(&tc->c) ||
	    !tcache_reserve(c, tc, c->class_size[k]))
		return false;
	if (tc->n[k] == CACHE_MAG) {
		/* Full: the oldest CACHE_BATCH go back in one call. */
		cache_give_back(c, k, tc->mag[k], CACHE_BATCH);
		memmove(tc->mag[k], tc->mag[k] + CACHE_BATCH,
			(CACHE_MAG - CACHE_BATCH) * sizeof(void *));
		tc->n[k] -= CACHE_BATCH;
	}
	tc->mag[k][tc->n[k]++] = block;
	return true;
}

/* cache_free() but for its common case. */
__attribute__((noinline)) bool
lh_cache_free_slow(RT_HEAP *heap, void *block, int *retp)
{
	struct heap_cache *c;
	struct tcache *tc;
	unsigned char *st, s;
	unsigned int k;
	size_t off;
	bool stale, ok;

	if (!atomic_load_relaxed(&lh_cache_live) ||
	    !heap_valid(heap))
		return false;
	c = cache_find(heap, &tc);
	if (!c) {
		*retp = lh_cache_forget(heap, block);
		return *retp != 0;
	}
	if (heap_offset(heap, block, &off)) {
		*retp = -EINVAL;
		return true;
	}
	st = cache_state(c, block);
	s = atomic_load_relaxed(st);
	if (s & CACHE_FREE) {
		*retp = -EINVAL;	/* already freed into the cache */
		return true;
	}
	/*
	 * The class the cache gave the block is its class still unless the
	 * block went through another process meanwhile (freed there, its page
	 * given up and taken again); the class map tells, as the block is
	 * live.  A block of another class now is not the cache's.
	 */
	stale = s && atomic_load_relaxed(&c->cmap[off >> c->page_shift]) != s;
	if (stale || cache_waiters(c) || !s) {
		/* To the kernel; with waiters queued, drain at the next call. */
		if (s && !atomic_cas_relaxed(st, &s, 0)) {
			*retp = -EINVAL;
			return true;
		}
		if (s && !stale)
			atomic_store_release(&c->drain, 1);
		return false;
	}
	k = s - 1u;
	if (!atomic_cas_relaxed(st, &s, CACHE_FREE | s)) {
		*retp = -EINVAL;	/* another thread freed it first */
		return true;
	}
	if (!tc)
		tc = tcache_get(c);
	if (!tc) {
		atomic_store_relaxed(st, 0);
		return false;
	}
	/* The common case: into the magazine, no lock. */
	if (tcache_enter(tc)) {
		ok = tc->n[k] < CACHE_MAG &&
		     tcache_reserve(c, tc, c->class_size[k]);
		if (ok)
			tc->mag[k][tc->n[k]++] = block;
		tcache_leave(tc);
		if (ok) {
			*retp = 0;
			return true;
		}
	}
	pthread_mutex_lock(&tc->lock);
	ok = tcache_push_locked(c, tc, k, block);
	pthread_mutex_unlock(&tc->lock);
	if (!ok) {
		atomic_store_relaxed(st, 0);
		return false;	/* over the bound: free straight */
	}
	*retp = 0;
	return true;
}

/* Drain, unpublish and free the descriptor's cache, if it has one. */
void lh_cache_destroy(const RT_HEAP *heap)
{
	struct heap_cache *c, **pp;
	long pgsz = sysconf(_SC_PAGESIZE);

	if (!atomic_load_relaxed(&lh_cache_live))
		return;
	pthread_rwlock_wrlock(&cache_list_lock);
	c = cache_of(heap);
	if (!c) {
		pthread_rwlock_unlock(&cache_list_lock);
		return;
	}
	atomic_store_release(&cache_fds[heap->fd / CACHE_FD_L2]
				       [heap->fd % CACHE_FD_L2], NULL);
	for (pp = &cache_list; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	atomic_sub_relaxed(&lh_cache_live, 1);
	cache_each(c, CACHE_DETACH);	/* each tcache's thread frees it */
	pthread_rwlock_unlock(&cache_list_lock);
	munmap((void *)c->status, (size_t)pgsz);
	munmap((void *)c->cmap, c->cmap_size);
	munmap(c->state, c->state_size);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/*
 * fork(): the child's caches start empty.  The blocks in the magazines
 * are the parent's, which frees them; the child forgets them, and every
 * lock a thread of the parent held is made free.
 */
static void cache_prepare(void)
{
	pthread_rwlock_wrlock(&cache_list_lock);
}

static void cache_parent(void)
{
	pthread_rwlock_unlock(&cache_list_lock);
}

static void cache_child(void)
{
	struct heap_cache *c;
	struct tcache *tc;

	pthread_rwlock_init(&cache_list_lock, NULL);
	if (cache_list && !lh_cache_fence &&
	    cache_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
		lh_cache_fence = true;	/* one thread here: safe to change */
	for (c = cache_list; c; c = c->next) {
		pthread_mutex_init(&c->lock, NULL);
		for (tc = c->threads; tc; tc = tc->cnext) {
			pthread_mutex_init(&tc->lock, NULL);
			memset(tc->n, 0, sizeof(tc->n));
			/* The parent's threads are not here to leave. */
			tc->busy = 0;
			tc->steal = 0;
			tc->credit = 0;
		}
		c->cached = 0;
		c->drain = 0;
		/* Anonymous private memory: reads as zero again. */
		madvise(c->state, c->state_size, MADV_DONTNEED);
	}
}

__attribute__((constructor)) static void cache_init(void)
{
	pthread_atfork(cache_prepare, cache_parent, cache_child);
}

static int cache_create(RT_HEAP *heap, size_t bytes)
{
	struct rtheap_version v;
	struct heap_cache *c, ***l1, **l2;
	long pgsz = sysconf(_SC_PAGESIZE);
	unsigned int fd = (unsigned int)heap->fd, k;
	bool pow2;
	void *p;
	int ret;

	if (fd >= CACHE_FD_L1 * CACHE_FD_L2)
		return -EMFILE;
	if (lh_dev_version(heap->fd, &v) ||
	    (v.features & CACHE_FEATURES) != CACHE_FEATURES ||
	    v.nr_classes > RTHEAP_MAX_CLASSES)
		return -EOPNOTSUPP;
	pthread_once(&cache_key_once, cache_key_init);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->hd = *heap;
	cache_set_limit(c, bytes);
	c->nr_classes = v.nr_classes;
	pow2 = true;
	for (k = 0; k < v.nr_classes; k++) {
		c->class_size[k] = v.class_size[k];
		if (v.class_size[k] != (size_t)RTHEAP_MIN_BLOCK << k)
			pow2 = false;
	}
	if (pow2 && v.nr_classes)
		c->fast_max = c->class_size[v.nr_classes - 1];
	pthread_mutex_init(&c->lock, NULL);

	p = mmap(NULL, (size_t)pgsz, PROT_READ, MAP_SHARED, heap->fd,
		 (off_t)heap->mapsize);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	c->status = p;
	c->page_shift = (unsigned int)__builtin_ctzl((unsigned long)pgsz);
	c->cmap_size = (heap->mapsize / (size_t)pgsz + (size_t)pgsz - 1) /
		       (size_t)pgsz * (size_t)pgsz;
	p = mmap(NULL, c->cmap_size, PROT_READ, MAP_SHARED, heap->fd,
		 (off_t)(heap->mapsize + (size_t)pgsz));
	if (p == MAP_FAILED) {
		ret = -errno;
		goto out_status;
	}
	c->cmap = p;
	c->state_size = heap->mapsize / RTHEAP_MIN_BLOCK;
	p = mmap(NULL, c->state_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		ret = -ENOMEM;
		goto out_cmap;
	}
	c->state = p;

	pthread_rwlock_wrlock(&cache_list_lock);
	l1 = &cache_fds[fd / CACHE_FD_L2];
	l2 = *l1;
	if (!l2) {
		l2 = calloc(CACHE_FD_L2, sizeof(*l2));
		if (!l2) {
			pthread_rwlock_unlock(&cache_list_lock);
			ret = -ENOMEM;
			goto out_state;
		}
		atomic_store_release(l1, l2);
	}
	if (l2[fd % CACHE_FD_L2]) {
		/* Another thread's rt_heap_cache() won: take its cache. */
		cache_set_limit(l2[fd % CACHE_FD_L2], bytes);
		pthread_rwlock_unlock(&cache_list_lock);
		ret = 0;
		goto out_state;
	}
	c->next = cache_list;
	cache_list = c;
	atomic_store_release(&l2[fd % CACHE_FD_L2], c);
	atomic_add_relaxed(&lh_cache_live, 1);
	pthread_rwlock_unlock(&cache_list_lock);
	return 0;

out_state:
	munmap(c->state, c->state_size);
out_cmap:
	munmap((void *)c->cmap, c->cmap_size);
out_status:
	munmap((void *)c->status, (size_t)pgsz);
out_free:
	pthread_mutex_destroy(&c->lock);
	free(c);
	return ret;
}

int lh_cache_set(RT_HEAP *heap, size_t bytes)
{
	struct heap_cache *c;
	size_t old;

	if (!bytes) {
		lh_cache_destroy(heap);
		return 0;
	}
	c = cache_of(heap);
	if (!c)
		return cache_create(heap, bytes);
	old = atomic_load_relaxed(&c->limit);
	cache_set_limit(c, bytes);
	if (bytes < old) {
		/* A reservation made against the old bound ends first. */
		cache_each(c, CACHE_SYNC);
		if (atomic_load_relaxed(&c->cached) > bytes)
			cache_drain_all(c);
	}
	return 0;
}

size_t lh_cache_bytes(const RT_HEAP *heap)
{
	struct heap_cache *c;
	size_t cached_bytes = 0;

	pthread_rwlock_rdlock(&cache_list_lock);
	c = cache_of(heap);
	if (c) {
		struct tcache *tc;
		size_t bytes, credit = 0;

		/* The blocks in magazines: what is reserved, less credits. */
		pthread_mutex_lock(&c->lock);
		bytes = atomic_load_relaxed(&c->cached);
		for (tc = c->threads; tc; tc = tc->cnext)
			credit += atomic_load_relaxed(&tc->credit);
		pthread_mutex_unlock(&c->lock);
		cached_bytes = bytes > credit ? bytes - credit : 0;
	}
	pthread_rwlock_unlock(&cache_list_lock);
	return cached_bytes;
}
