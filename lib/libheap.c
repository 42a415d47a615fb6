// SPDX-License-Identifier: MIT
/*
 * libheap - the rt_heap_* API over /dev/rtheap.
 *
 * A descriptor (RT_HEAP) owns one open file of the device, attached to one
 * heap by RTHEAP_IOC_CREATE or RTHEAP_IOC_BIND.  A process maps each heap
 * once, MAP_SHARED, however many descriptors it has of it: every descriptor
 * sees the heap at the same address, so a block allocated through one may
 * be freed through another (threads that bound separately share blocks).
 * Blocks cross the ioctl boundary as byte offsets from the start of the
 * heap; this file turns them into addresses in that mapping and back.
 * Every call returns 0 or a negative errno value; errno may be changed by a
 * failed system call but never carries the result.
 *
 * The one global state is the list of this process's mappings (struct
 * heap_map), under a mutex that only create, bind, unbind and delete
 * take.  After create/bind a descriptor is read-only, so any number of
 * threads may alloc and free on it; the kernel serialises them.
 *
 * A heap lives until rt_heap_delete() or until the process that created it
 * exits: the kernel deletes a heap when the file that created it closes
 * (unless H_PERSIST), so unbinding the creating descriptor does not close
 * that file but keeps it in the list ("kept"), until a delete or exit.
 * A heap deleted meanwhile by another process is noticed, and its file
 * closed, at this process's next create, bind, unbind or delete.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

static void heap_invalidate(RT_HEAP *heap)
{
	heap->magic = 0;
	heap->fd = -1;
	heap->id = 0;
	heap->mode = 0;
	heap->base = NULL;
	heap->mapsize = 0;
	heap->heapsize = 0;
}

/* The block cache's hooks, at the end of this file. */
static inline bool cache_alloc(RT_HEAP *heap, size_t size, void **blockp);
static inline bool cache_free(RT_HEAP *heap, void *block, int *retp);
static int cache_forget(const RT_HEAP *heap, void *block);
static void cache_destroy(const RT_HEAP *heap);
static int cache_live;		/* atomic: caches in cache_list */
/*
 * Thread-local, and as cheap to reach from the shared library as from a
 * program: initial-exec.
 */
#define CACHE_TLS __thread __attribute__((tls_model("initial-exec")))
static CACHE_TLS bool cache_bypass;	/* the cache's own kernel calls */

/* strlen(name) if it fits a heap name, else -ENAMETOOLONG. */
static int name_check(const char *name)
{
	size_t len = strnlen(name, RTHEAP_NAMELEN);

	return len < RTHEAP_NAMELEN ? (int)len : -ENAMETOOLONG;
}

/* This process's mapping of one heap, shared by all its descriptors. */
struct heap_map {
	struct heap_map *next;
	unsigned int id;
	void *base;		/* NULL while no descriptor uses it */
	size_t size;
	unsigned int users;	/* descriptors using the mapping */
	int creator_fd;		/* the creating file, or -1 */
	bool kept;		/* creator_fd outlived its descriptor */
};

static struct heap_map *heap_maps;
static pthread_mutex_t heap_maps_lock = PTHREAD_MUTEX_INITIALIZER;

/* A child of fork() gets the list as it was; its lock must be free. */
static void maps_lock(void)
{
	pthread_mutex_lock(&heap_maps_lock);
}

static void maps_unlock(void)
{
	pthread_mutex_unlock(&heap_maps_lock);
}

static void maps_child(void)
{
	pthread_mutex_init(&heap_maps_lock, NULL);
}

__attribute__((constructor)) static void maps_init(void)
{
	pthread_atfork(maps_lock, maps_unlock, maps_child);
}

static struct heap_map *maps_find(unsigned int id)
{
	struct heap_map *m;

	for (m = heap_maps; m; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

static void maps_drop(struct heap_map *m)
{
	struct heap_map **pp;

	for (pp = &heap_maps; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			free(m);
			return;
		}
	}
}

/* Forget m once nothing uses it: no descriptor and no kept file. */
static void maps_put(struct heap_map *m)
{
	if (m->users)
		return;
	if (m->base)
		munmap(m->base, m->size);
	m->base = NULL;
	if (!m->kept)
		maps_drop(m);
}

/*
 * Close the kept creating files of heaps that are gone (deleted by another
 * process, or by a descriptor of ours since), so that they do not hold the
 * heap's memory.  One ioctl per kept file; under maps_lock.
 */
static void maps_sweep(void)
{
	struct heap_map *m, *next;
	struct rtheap_info info;

	for (m = heap_maps; m; m = next) {
		next = m->next;
		if (!m->kept)
			continue;
		if (lh_dev_inquire(m->creator_fd, &info) != -EIDRM)
			continue;
		lh_dev_close(m->creator_fd);
		m->creator_fd = -1;
		m->kept = false;
		maps_put(m);
	}
}

/* At every create and bind: close the kept files of heaps that are gone. */
static void maps_tidy(void)
{
	maps_lock();
	maps_sweep();
	maps_unlock();
}

/*
 * Give the descriptor this process's mapping of the heap fd is attached
 * to, mapping it through fd if there is none.  On failure the caller
 * releases fd (and deletes the heap it created).
 */
static int heap_map(RT_HEAP *heap, int fd, const struct rtheap_attach *at,
		    bool creator)
{
	struct heap_map *m;
	void *base;
	int ret = 0;

	if (at->map_size == 0)
		return -EPROTO;
	if (at->map_size > SIZE_MAX)
		return -ENOMEM;

	maps_lock();
	m = maps_find(at->id);
	if (m && m->size != at->map_size) {
		ret = -EPROTO;	/* not the heap we mapped under that id */
		goto out;
	}
	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m) {
			ret = -ENOMEM;
			goto out;
		}
		m->id = at->id;
		m->size = (size_t)at->map_size;
		m->creator_fd = -1;
		m->next = heap_maps;
		heap_maps = m;
	}
	if (!m->base) {
		base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		if (base == MAP_FAILED) {
			ret = -errno;
			maps_put(m);
			goto out;
		}
		m->base = base;
	}
	m->users++;
	if (creator)
		m->creator_fd = fd;

	heap->fd = fd;
	heap->id = at->id;
	heap->mode = (int)at->mode;
	heap->base = m->base;
	heap->mapsize = m->size;
	heap->heapsize = at->heap_size > SIZE_MAX ? SIZE_MAX :
			 (size_t)at->heap_size;
	heap->magic = RT_HEAP_MAGIC;
out:
	maps_unlock();
	return ret;
}

static int heap_create(RT_HEAP *heap, const char *name, size_t heapsize,
		       int mode, unsigned int flags, unsigned int perm, int gid)
{
	struct rtheap_create_arg arg;
	int len, fd, ret;

	if (!heap)
		return -EINVAL;
	heap_invalidate(heap);	/* until it succeeds */
	maps_tidy();
	if (!name)
		name = "";
	len = name_check(name);
	if (len < 0)
		return len;
	if (heapsize == 0 || (mode & ~RTHEAP_MODE_MASK))
		return -EINVAL;
	if ((flags & RTHEAP_CREATE_PERM) && perm > 0777)
		return -EINVAL;

	memset(&arg, 0, sizeof(arg));
	memcpy(arg.in.name, name, (size_t)len);
	arg.in.size = heapsize;
	arg.in.mode = (unsigned int)mode;
	arg.in.flags = flags;
	arg.in.perm = perm;
	arg.in.gid = (unsigned int)gid;

	fd = lh_dev_open(NULL);
	if (fd < 0)
		return fd;
	ret = lh_dev_create(fd, &arg);
	if (!ret) {
		ret = heap_map(heap, fd, &arg.out, true);
		/* Closing alone would keep an H_PERSIST heap alive. */
		if (ret)
			lh_dev_delete(fd);
	}
	if (ret)
		lh_dev_close(fd);
	return ret;
}

int rtheap_create(RT_HEAP *heap, const char *name, size_t heapsize, int mode)
{
	return heap_create(heap, name, heapsize, mode, 0, 0, 0);
}

int rtheap_create_ext(RT_HEAP *heap, const char *name, size_t heapsize,
		       int mode, unsigned int perm, int gid)
{
	unsigned int flags = RTHEAP_CREATE_PERM;

	if (gid < -1) {
		if (heap)
			heap_invalidate(heap);
		return -EINVAL;
	}
	if (gid != -1)
		flags |= RTHEAP_CREATE_GID;
	return heap_create(heap, name, heapsize, mode, flags, perm,
			   gid == -1 ? 0 : gid);
}

/*
 * Let go of the descriptor's share of the mapping and of its file; the
 * creating file is kept instead, unless the heap is deleted.  The
 * descriptor becomes invalid.
 */
static void heap_release(RT_HEAP *heap, bool deleted)
{
	struct heap_map *m;

	maps_lock();
	m = maps_find(heap->id);
	if (m && m->users) {
		m->users--;
		if (m->creator_fd == heap->fd && !deleted &&
		    !(heap->mode & H_PERSIST)) {
			m->kept = true;
		} else {
			if (m->creator_fd == heap->fd)
				m->creator_fd = -1;
			lh_dev_close(heap->fd);
		}
		if (deleted && m->kept) {
			lh_dev_close(m->creator_fd);
			m->creator_fd = -1;
			m->kept = false;
		}
		maps_put(m);
	} else {
		lh_dev_close(heap->fd);	/* not ours: a copied descriptor */
	}
	maps_sweep();
	maps_unlock();
	heap_invalidate(heap);
}

int rtheap_delete(RT_HEAP *heap)
{
	int ret;

	if (!heap_valid(heap))
		return -EINVAL;
	cache_destroy(heap);	/* drained first: a failed delete leaves it off */
	ret = lh_dev_delete(heap->fd);
	if (ret)
		return ret;	/* descriptor unchanged */
	heap_release(heap, true);
	return 0;
}

static int heap_bind(RT_HEAP *heap, const char *name, RTIME timeout,
		     unsigned int flags)
{
	struct rtheap_bind arg;
	int len, fd, ret;

	if (!heap)
		return -EINVAL;
	heap_invalidate(heap);	/* until it succeeds */
	maps_tidy();
	if (!name)
		return -EINVAL;
	len = name_check(name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;	/* anonymous heaps cannot be bound */

	memset(&arg, 0, sizeof(arg));
	memcpy(arg.name, name, (size_t)len);
	arg.timeout = timeout;
	arg.flags = flags;

	/* A bind may wait for the heap: -EINTR, never restarted here. */
	fd = lh_dev_open(NULL);
	if (fd < 0)
		return fd;
	ret = lh_dev_bind(fd, &arg);
	if (!ret)
		ret = heap_map(heap, fd, &arg.out, false);
	if (ret)
		lh_dev_close(fd);
	return ret;
}

int rtheap_bind(RT_HEAP *heap, const char *name)
{
	return heap_bind(heap, name, TM_INFINITE, 0);
}

int rtheap_bind_timed(RT_HEAP *heap, const char *name, RTIME timeout)
{
	return heap_bind(heap, name, timeout, 0);
}

int rtheap_bind_owner(RT_HEAP *heap, const char *name, RTIME timeout)
{
	return heap_bind(heap, name, timeout, RTHEAP_BIND_OWNER);
}

int rtheap_unbind(RT_HEAP *heap)
{
	if (!heap_valid(heap))
		return -EINVAL;
	cache_destroy(heap);
	heap_release(heap, false);
	return 0;
}

static int heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout,
		      unsigned int flags, void **blockp)
{
	if (!blockp)
		return -EINVAL;
	*blockp = NULL;
	if (!heap_valid(heap))
		return -EINVAL;
	return lh_dev_alloc(heap, size, timeout, flags, blockp);
}

int rtheap_alloc(RT_HEAP *heap, size_t size, RTIME timeout, void **blockp)
{
	if (cache_alloc(heap, size, blockp))
		return 0;
	return heap_alloc(heap, size, timeout, 0, blockp);
}

int rtheap_alloc_until(RT_HEAP *heap, size_t size, RTIME abs_ns, void **blockp)
{
	if (cache_alloc(heap, size, blockp))
		return 0;
	/* TM_INFINITE and TM_NONBLOCK keep their meaning: no deadline. */
	if (abs_ns == TM_INFINITE || abs_ns == TM_NONBLOCK)
		return heap_alloc(heap, size, abs_ns, 0, blockp);
	return heap_alloc(heap, size, abs_ns, RTHEAP_TIMEOUT_ABS, blockp);
}

int rtheap_free(RT_HEAP *heap, void *block)
{
	size_t off;
	int ret;

	if (cache_free(heap, block, &ret))
		return ret;
	if (!heap_valid(heap) || heap_offset(heap, block, &off))
		return -EINVAL;
	/*
	 * Alignment and liveness are the kernel's job; so is H_SHARED, whose
	 * free is a no-op there but still reports a deleted heap (-EIDRM).
	 */
	return lh_dev_free(heap, off);
}

/* The bulk calls: never emulated with single calls (device.c). */
int rtheap_alloc_bulk(RT_HEAP *heap, size_t size, size_t n, void *blocks[])
{
	if (!heap_valid(heap) || !blocks || !n || n > RTHEAP_BULK_MAX)
		return -EINVAL;
	return lh_dev_alloc_bulk(heap, size, n, blocks);
}

int rtheap_free_bulk(RT_HEAP *heap, size_t n, void *const blocks[],
		      int results[])
{
	__u64 offs[RTHEAP_BULK_MAX];
	__s32 kres[RTHEAP_BULK_MAX];
	unsigned char idx[RTHEAP_BULK_MAX];	/* kernel's i-th: blocks[idx[i]] */
	size_t i, off, nk = 0;
	int ret, failed = 0;

	if (!heap_valid(heap) || !blocks || !n || n > RTHEAP_BULK_MAX)
		return -EINVAL;
	/* Outside our mapping: refused here, the others still go. */
	for (i = 0; i < n; i++) {
		if (heap_offset(heap, blocks[i], &off) ||
		    (!cache_bypass &&
		     __atomic_load_n(&cache_live, __ATOMIC_RELAXED) &&
		     cache_forget(heap, blocks[i]))) {
			failed++;
			if (results)
				results[i] = -EINVAL;
			continue;
		}
		idx[nk] = i;
		offs[nk++] = off;
	}
	if (!nk)
		return failed;

	ret = lh_dev_free_bulk(heap->fd, nk, offs, kres);
	if (ret < 0)
		return ret;
	if (results)
		for (i = 0; i < nk; i++)
			results[idx[i]] = kres[i];
	return failed + ret;
}

static size_t clamp_size(__u64 v)
{
	return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

/*
 * The kernel's struct rtheap_info as the library's RT_HEAP_INFO, for every
 * call that returns one: the library's layout and flags stay its own
 * whatever the kernel ABI becomes.
 */
static void info_from_kernel(RT_HEAP_INFO *info, const struct rtheap_info *ki)
{
	int i;

	memset(info, 0, sizeof(*info));
	info->nwaiters = (int)ki->nwaiters;
	info->mode = (int)ki->mode;
	info->heapsize = clamp_size(ki->heap_size);
	info->usablemem = clamp_size(ki->usable_mem);
	info->usedmem = clamp_size(ki->used_mem);
	info->largestfree = clamp_size(ki->largest_free);
	info->nmaps = (int)ki->nmaps;
	info->nbound = (int)ki->nbound;
	info->uid = ki->uid;
	info->gid = ki->gid;
	info->perm = ki->perm;
	info->cpid = (int)ki->cpid;
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		info->class_blocks[i] = (unsigned long)ki->class_blocks[i];
	memcpy(info->name, ki->name, RT_HEAP_NAMELEN);
	info->name[RT_HEAP_NAMELEN - 1] = '\0';
	info->phys_addr = (unsigned long)ki->phys_addr;
	info->nr_classes = ki->nr_classes;
	info->id = ki->id;
	if (ki->flags & RTHEAP_INFO_DELETED)
		info->flags |= RT_HEAP_INFO_DELETED;
	info->run_pages = (unsigned long)ki->run_pages;
}

int rtheap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info)
{
	struct rtheap_info ki;
	int ret;

	if (!heap_valid(heap) || !info)
		return -EINVAL;
	ret = lh_dev_inquire(heap->fd, &ki);
	if (ret)
		return ret;
	info_from_kernel(info, &ki);
	return 0;
}

int rtheap_block_offset(const RT_HEAP *heap, const void *block, size_t *offp)
{
	if (!heap_valid(heap) || !offp)
		return -EINVAL;
	return heap_offset(heap, block, offp);
}

int rtheap_block_addr(const RT_HEAP *heap, size_t off, void **blockp)
{
	if (!heap_valid(heap) || !blockp || off >= heap->mapsize)
		return -EINVAL;
	*blockp = (char *)heap->base + off;
	return 0;
}

/*
 * Every heap in the kernel's layout, at *kbufp (malloc'ed, or stack when
 * they fit its cap entries); *count of them.
 */
static int klist_all(struct rtheap_info *stack, unsigned int cap,
		     struct rtheap_info **kbufp, unsigned int *count)
{
	struct rtheap_info *buf = stack, *nbuf;
	int ret;

	for (;;) {
		ret = lh_dev_list(buf, cap, count);
		if (ret || *count <= cap)
			break;
		/* More heaps than room: grow and ask again. */
		if (*count > (UINT_MAX - 16) / sizeof(*buf)) {
			ret = -ENOMEM;
			break;
		}
		cap = *count + 16;
		nbuf = buf == stack ? malloc(cap * sizeof(*buf)) :
		       realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
	}
	if (ret && buf != stack)
		free(buf);
	*kbufp = ret ? NULL : buf;
	return ret;
}

int rtheap_list(RT_HEAP_INFO *buf, unsigned int cap, unsigned int *count)
{
	struct rtheap_info stack[16], *kbuf = stack;
	unsigned int i, n;
	int ret;

	if (!count || (cap && !buf))
		return -EINVAL;
	if (cap > sizeof(stack) / sizeof(stack[0])) {
		if (cap > UINT_MAX / sizeof(*kbuf))
			cap = UINT_MAX / sizeof(*kbuf);
		kbuf = malloc(cap * sizeof(*kbuf));
		if (!kbuf)
			return -ENOMEM;
	}
	/* The kernel writes what the caller's buffer could not take: NULL. */
	ret = lh_dev_list(cap ? kbuf : NULL, cap, &n);
	if (!ret) {
		for (i = 0; i < n && i < cap; i++)
			info_from_kernel(&buf[i], &kbuf[i]);
		*count = n;
	}
	if (kbuf != stack)
		free(kbuf);
	return ret;
}

int rtheap_delete_name(const char *name)
{
	int len;

	if (!name)
		return -EINVAL;
	len = name_check(name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;
	return lh_dev_delete_name(name, (size_t)len);
}

int rtheap_info_by_name(const char *name, RT_HEAP_INFO *info)
{
	struct rtheap_info stack[16], *buf;
	unsigned int count, i;
	int len, ret;

	if (!name || !info)
		return -EINVAL;
	len = name_check(name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;

	ret = klist_all(stack, sizeof(stack) / sizeof(stack[0]), &buf, &count);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < count; i++) {
		if (!(buf[i].flags & RTHEAP_INFO_DELETED) &&
		    strncmp(buf[i].name, name, RTHEAP_NAMELEN) == 0) {
			info_from_kernel(info, &buf[i]);
			ret = 0;
			break;
		}
	}
	if (buf != stack)
		free(buf);
	return ret;
}

/*
 * The opt-in block cache (rt_heap_cache(), DESIGN.md §6).
 *
 * A cached descriptor has a struct heap_cache, found by its file
 * descriptor in cache_fds (two levels, lock-free reads).  Every thread
 * that allocates or frees through it gets a struct tcache: one magazine
 * per bucket class, refilled with one rt_heap_alloc_bulk() and drained
 * with one rt_heap_free_bulk() of CACHE_BATCH blocks, so most allocs and
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
 * owner makes a full fence instead (cache_fence).
 */
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
	const struct rtheap_status *status;	/* read with __atomic_load_n */
	const unsigned char *cmap;	/* the class map, the same */
	size_t cmap_size;
	unsigned int page_shift;
	unsigned char *state;	/* hd.mapsize / RTHEAP_MIN_BLOCK bytes */
	size_t state_size;
	pthread_mutex_t lock;
	struct tcache *threads;
	struct heap_cache *next;	/* cache_list */
};

static struct heap_cache **cache_fds[CACHE_FD_L1];
static struct heap_cache *cache_list;
static pthread_rwlock_t cache_list_lock = PTHREAD_RWLOCK_INITIALIZER;
static CACHE_TLS struct tcache *my_tcaches;
static CACHE_TLS struct tcache *last_tc;	/* the thread's last tcache used */
static bool cache_fence;	/* no membarrier(): owners fence */
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static struct heap_cache *cache_of(const RT_HEAP *heap)
{
	struct heap_cache **l2, *c;
	unsigned int fd = (unsigned int)heap->fd;

	if (fd >= CACHE_FD_L1 * CACHE_FD_L2)
		return NULL;
	l2 = __atomic_load_n(&cache_fds[fd / CACHE_FD_L2], __ATOMIC_ACQUIRE);
	if (!l2)
		return NULL;
	c = __atomic_load_n(&l2[fd % CACHE_FD_L2], __ATOMIC_ACQUIRE);
	if (c && (c->hd.id != heap->id || c->hd.base != heap->base))
		return NULL;
	return c;
}

static unsigned char *cache_state(struct heap_cache *c, const void *block)
{
	size_t off = (size_t)((const char *)block - (const char *)c->hd.base);

	return &c->state[off / RTHEAP_MIN_BLOCK];
}

/* Reserve bytes of c's bound; false if they do not fit. */
static bool cache_reserve(struct heap_cache *c, size_t bytes)
{
	size_t cur = __atomic_load_n(&c->cached, __ATOMIC_RELAXED);

	do {
		if (bytes > c->limit || cur > c->limit - bytes)
			return false;
	} while (!__atomic_compare_exchange_n(&c->cached, &cur, cur + bytes,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

static void cache_unreserve(struct heap_cache *c, size_t bytes)
{
	__atomic_fetch_sub(&c->cached, bytes, __ATOMIC_RELAXED);
}

/*
 * Give n blocks of class k back to the kernel, in one call; their state
 * bytes are cleared first.  A block the kernel refuses was freed by
 * another process meanwhile (DESIGN.md §6's one relaxation): it is
 * dropped here, as it is no longer ours.
 */
static void cache_give_back(struct heap_cache *c, unsigned int k,
			    void **blocks, unsigned int n)
{
	unsigned int i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		__atomic_store_n(cache_state(c, blocks[i]), 0,
				 __ATOMIC_RELAXED);
	cache_bypass = true;
	rtheap_free_bulk(&c->hd, n, blocks, NULL);
	cache_bypass = false;
	cache_unreserve(c, (size_t)n * c->class_size[k]);
}

static int cache_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

/*
 * The owner's side: true once tc is marked busy and nobody steals it;
 * false (and not busy): take tc->lock instead.  busy's store is made
 * visible to a stealer by the stealer's membarrier(), so it needs no
 * fence here, only the compiler's.
 */
static inline bool tcache_enter(struct tcache *tc)
{
	__atomic_store_n(&tc->busy, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(__atomic_load_n(&cache_fence, __ATOMIC_RELAXED),
			     0))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(!__atomic_load_n(&tc->steal, __ATOMIC_ACQUIRE), 1))
		return true;
	__atomic_store_n(&tc->busy, 0, __ATOMIC_RELEASE);
	return false;
}

static inline void tcache_leave(struct tcache *tc)
{
	__atomic_store_n(&tc->busy, 0, __ATOMIC_RELEASE);
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
		__atomic_store_n(&tc->steal, 1, __ATOMIC_SEQ_CST);
}

static void cache_barrier(void)
{
	if (!__atomic_load_n(&cache_fence, __ATOMIC_RELAXED) &&
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
		__atomic_store_n(&cache_fence, true, __ATOMIC_SEQ_CST);
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

static void tcache_wait(struct tcache *tc)
{
	struct timespec nap = { 0, 50000 };
	unsigned int spins = 0;

	if (tc->owner == &my_tcaches)
		return;
	while (__atomic_load_n(&tc->busy, __ATOMIC_ACQUIRE)) {
		if (++spins < 16)
			sched_yield();
		else
			nanosleep(&nap, NULL);
	}
}

static void tcache_unsteal(struct tcache *tc)
{
	__atomic_store_n(&tc->steal, 0, __ATOMIC_RELEASE);
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
	__atomic_store_n(&tc->credit, 0, __ATOMIC_RELAXED);
	if (detach)
		__atomic_store_n(&tc->c, NULL, __ATOMIC_RELAXED);
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
		__atomic_store_n(&tc->credit, credit - bytes, __ATOMIC_RELAXED);
		return true;
	}
	if (!cache_reserve(c, bytes - credit))
		return false;
	__atomic_store_n(&tc->credit, 0, __ATOMIC_RELAXED);
	return true;
}

/*
 * Bytes leave tc's magazines but stay reserved, up to CACHE_CREDIT or a
 * quarter of the bound, so that one thread's credit does not keep the
 * others from caching; over it, half of that is kept.
 */
static __attribute__((noinline)) void
tcache_credit(struct heap_cache *c, struct tcache *tc,
			  size_t bytes)
{
	size_t credit = tc->credit + bytes;
	size_t most = __atomic_load_n(&c->credit_max, __ATOMIC_RELAXED);

	if (credit > most) {
		cache_unreserve(c, credit - most / 2);
		credit = most / 2;
	}
	__atomic_store_n(&tc->credit, credit, __ATOMIC_RELAXED);
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
	last_tc = NULL;
	pthread_rwlock_unlock(&cache_list_lock);
}

static void cache_key_init(void)
{
	pthread_key_create(&cache_key, cache_thread_exit);
	/* Before any cache exists: owners know from the start. */
	if (cache_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
		cache_fence = true;
}

/* The calling thread's tcache of c, made on first use; NULL: no memory. */
static struct tcache *tcache_get(struct heap_cache *c)
{
	struct tcache *tc;

	for (tc = my_tcaches; tc; tc = tc->tnext)
		if (tc->c == c)
			return last_tc = tc;
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
	return last_tc = tc;
}

/* Is tc (not NULL) a tcache of heap's descriptor? */
static inline bool tcache_matches(const struct tcache *tc, const RT_HEAP *heap)
{
	return tc->fd == heap->fd && tc->base == heap->base &&
	       tc->id == heap->id;
}

/* The calling thread's tcache of heap's cache if it used it last. */
static inline struct tcache *tcache_last(const RT_HEAP *heap)
{
	struct tcache *tc = last_tc;

	if (tc && tcache_matches(tc, heap) &&
	    __atomic_load_n(&tc->c, __ATOMIC_RELAXED))
		return tc;
	return NULL;
}

/* Set c's bound, and the most credit a tcache keeps with it. */
static void cache_set_limit(struct heap_cache *c, size_t bytes)
{
	size_t most = bytes / 4;

	__atomic_store_n(&c->limit, bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&c->credit_max, most > CACHE_CREDIT ? CACHE_CREDIT : most,
			 __ATOMIC_RELAXED);
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

/* The status page: tasks wait in alloc, or the heap is deleted. */
static inline bool cache_kernel_only(const struct heap_cache *c)
{
	return __atomic_load_n(&c->status->nwaiters, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&c->status->flags, __ATOMIC_RELAXED) &
		RTHEAP_STATUS_DELETED);
}

/*
 * At the start of every cached call: a drain owed since a free met
 * waiters is done now.  True while waiters are queued or once the heap is
 * deleted: go to the kernel (which answers -EIDRM for a deleted heap).
 */
static bool cache_waiters(struct heap_cache *c)
{
	/* A load first: the exchange only when a drain is owed. */
	if (__atomic_load_n(&c->drain, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&c->drain, 0, __ATOMIC_ACQUIRE))
		cache_drain_all(c);
	return cache_kernel_only(c);
}

/* Take up to CACHE_BATCH blocks of class k into tc; under tc->lock. */
static void tcache_refill(struct heap_cache *c, struct tcache *tc,
			  unsigned int k)
{
	size_t bytes = c->class_size[k];
	size_t cur = __atomic_load_n(&c->cached, __ATOMIC_RELAXED);
	size_t room = (cur < c->limit ? c->limit - cur : 0) + tc->credit;
	unsigned int n = CACHE_BATCH, i;
	int ret;

	if (room / bytes < n)
		n = (unsigned int)(room / bytes);
	if (!n || !tcache_reserve(c, tc, n * bytes))
		return;
	cache_bypass = true;
	ret = rtheap_alloc_bulk(&c->hd, bytes, n, tc->mag[k]);
	cache_bypass = false;
	if (ret) {
		tcache_credit(c, tc, n * bytes);
		return;
	}
	for (i = 0; i < n; i++)
		__atomic_store_n(cache_state(c, tc->mag[k][i]),
				 CACHE_FREE | (k + 1), __ATOMIC_RELAXED);
	tc->n[k] = n;
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
	__atomic_store_n(cache_state(c, b), k + 1, __ATOMIC_RELAXED);
	credit = tc->credit + c->class_size[k];
	if (credit <= c->credit_max)
		__atomic_store_n(&tc->credit, credit, __ATOMIC_RELAXED);
	else
		tcache_credit(c, tc, c->class_size[k]);
	tcache_leave(tc);
	*blockp = b;
	return true;
}

/* Under tc->lock: a block of class k, refilling first; NULL: none. */
static void *tcache_pop_locked(struct heap_cache *c, struct tcache *tc,
			       unsigned int k)
{
	void *b;

	if (!__atomic_load_n(&tc->c, __ATOMIC_RELAXED))
		return NULL;	/* the cache is gone */
	if (!tc->n[k])
		tcache_refill(c, tc, k);
	if (!tc->n[k])
		return NULL;	/* bound reached or heap short: the kernel */
	b = tc->mag[k][--tc->n[k]];
	__atomic_store_n(cache_state(c, b), k + 1, __ATOMIC_RELAXED);
	tcache_credit(c, tc, c->class_size[k]);
	return b;
}

/* cache_alloc() but for its common case. */
static __attribute__((noinline)) bool
cache_alloc_slow(RT_HEAP *heap, size_t size, void **blockp)
{
	struct heap_cache *c;
	struct tcache *tc;
	void *b;
	int k;

	if (!__atomic_load_n(&cache_live, __ATOMIC_RELAXED) || cache_bypass ||
	    !heap_valid(heap) || !blockp)
		return false;
	tc = tcache_last(heap);
	if (tc) {
		c = tc->c;
	} else {
		c = cache_of(heap);
		if (!c)
			return false;
	}
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
static int cache_forget(const RT_HEAP *heap, void *block)
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
		s = __atomic_load_n(st, __ATOMIC_RELAXED);
		if (s & CACHE_FREE)
			ret = -EINVAL;
		else if (s && !__atomic_compare_exchange_n(st, &s, 0, false,
							   __ATOMIC_RELAXED,
							   __ATOMIC_RELAXED))
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
	if (!__atomic_load_n(&tc->c, __ATOMIC_RELAXED) ||
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
static __attribute__((noinline)) bool
cache_free_slow(RT_HEAP *heap, void *block, int *retp)
{
	struct heap_cache *c;
	struct tcache *tc;
	unsigned char *st, s;
	unsigned int k;
	size_t off;
	bool stale, ok;

	if (!__atomic_load_n(&cache_live, __ATOMIC_RELAXED) || cache_bypass ||
	    !heap_valid(heap))
		return false;
	tc = tcache_last(heap);
	if (tc) {
		c = tc->c;
	} else {
		c = cache_of(heap);
		if (!c) {
			*retp = cache_forget(heap, block);
			return *retp != 0;
		}
	}
	if (heap_offset(heap, block, &off)) {
		*retp = -EINVAL;
		return true;
	}
	st = cache_state(c, block);
	s = __atomic_load_n(st, __ATOMIC_RELAXED);
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
	stale = s && __atomic_load_n(&c->cmap[off >> c->page_shift],
				     __ATOMIC_RELAXED) != s;
	if (stale || cache_waiters(c) || !s) {
		/* To the kernel; with waiters queued, drain at the next call. */
		if (s && !__atomic_compare_exchange_n(st, &s, 0, false,
						      __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED)) {
			*retp = -EINVAL;
			return true;
		}
		if (s && !stale)
			__atomic_store_n(&c->drain, 1, __ATOMIC_RELEASE);
		return false;
	}
	k = s - 1u;
	if (!__atomic_compare_exchange_n(st, &s, CACHE_FREE | s, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		*retp = -EINVAL;	/* another thread freed it first */
		return true;
	}
	if (!tc)
		tc = tcache_get(c);
	if (!tc) {
		__atomic_store_n(st, 0, __ATOMIC_RELAXED);
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
		__atomic_store_n(st, 0, __ATOMIC_RELAXED);
		return false;	/* over the bound: free straight */
	}
	*retp = 0;
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
	struct tcache *tc = last_tc;
	struct heap_cache *c;

	if (!tc || !heap || heap->magic != RT_HEAP_MAGIC ||
	    !tcache_matches(tc, heap))
		return NULL;
	c = __atomic_load_n(&tc->c, __ATOMIC_RELAXED);
	if (!c || __atomic_load_n(&c->drain, __ATOMIC_RELAXED) ||
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

	if (!__atomic_load_n(&cache_live, __ATOMIC_RELAXED))
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
	return cache_alloc_slow(heap, size, blockp);
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

	if (!__atomic_load_n(&cache_live, __ATOMIC_RELAXED))
		return false;
	tc = tcache_fast(heap);
	if (!tc)
		goto slow;
	c = tc->c;
	off = (uintptr_t)block - (uintptr_t)heap->base;
	if (!block || off >= heap->mapsize)
		goto slow;
	st = &c->state[off / RTHEAP_MIN_BLOCK];
	s = __atomic_load_n(st, __ATOMIC_RELAXED);
	/* Handed out by the cache, its class unchanged (cache_free_slow()). */
	if (!s || (s & CACHE_FREE) ||
	    __atomic_load_n(&c->cmap[off >> c->page_shift],
			    __ATOMIC_RELAXED) != s)
		goto slow;
	k = s - 1u;
	bytes = c->class_size[k];
	if (!tcache_enter(tc))
		goto slow;
	n = tc->n[k];
	if (n == CACHE_MAG || tc->credit < bytes ||
	    !__atomic_compare_exchange_n(st, &s, CACHE_FREE | s, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		tcache_leave(tc);
		goto slow;	/* a failed exchange: it tells what happened */
	}
	tc->mag[k][n] = block;
	tc->n[k] = n + 1;
	__atomic_store_n(&tc->credit, tc->credit - bytes, __ATOMIC_RELAXED);
	tcache_leave(tc);
	*retp = 0;
	return true;
slow:
	return cache_free_slow(heap, block, retp);
}

/* Drain, unpublish and free the descriptor's cache, if it has one. */
static void cache_destroy(const RT_HEAP *heap)
{
	struct heap_cache *c, **pp;
	long pgsz = sysconf(_SC_PAGESIZE);

	if (!__atomic_load_n(&cache_live, __ATOMIC_RELAXED))
		return;
	pthread_rwlock_wrlock(&cache_list_lock);
	c = cache_of(heap);
	if (!c) {
		pthread_rwlock_unlock(&cache_list_lock);
		return;
	}
	__atomic_store_n(&cache_fds[heap->fd / CACHE_FD_L2]
			 [heap->fd % CACHE_FD_L2], NULL, __ATOMIC_RELEASE);
	for (pp = &cache_list; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	__atomic_fetch_sub(&cache_live, 1, __ATOMIC_RELAXED);
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
	if (cache_list && !cache_fence &&
	    cache_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
		cache_fence = true;	/* one thread here: safe to change */
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
		__atomic_store_n(l1, l2, __ATOMIC_RELEASE);
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
	__atomic_store_n(&l2[fd % CACHE_FD_L2], c, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cache_live, 1, __ATOMIC_RELAXED);
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

int rtheap_cache(RT_HEAP *heap, size_t bytes)
{
	struct heap_cache *c;
	size_t old;

	if (!heap_valid(heap) || (heap->mode & H_SHARED))
		return -EINVAL;
	if (bytes > heap->mapsize)
		return -E2BIG;
	if (!bytes) {
		cache_destroy(heap);
		return 0;
	}
	c = cache_of(heap);
	if (!c)
		return cache_create(heap, bytes);
	old = __atomic_load_n(&c->limit, __ATOMIC_RELAXED);
	cache_set_limit(c, bytes);
	if (bytes < old) {
		/* A reservation made against the old bound ends first. */
		cache_each(c, CACHE_SYNC);
		if (__atomic_load_n(&c->cached, __ATOMIC_RELAXED) > bytes)
			cache_drain_all(c);
	}
	return 0;
}

int rtheap_cache_inquire(RT_HEAP *heap, size_t *cached_bytes)
{
	struct heap_cache *c;

	if (!heap_valid(heap) || !cached_bytes)
		return -EINVAL;
	*cached_bytes = 0;
	pthread_rwlock_rdlock(&cache_list_lock);
	c = cache_of(heap);
	if (c) {
		struct tcache *tc;
		size_t bytes, credit = 0;

		/* The blocks in magazines: what is reserved, less credits. */
		pthread_mutex_lock(&c->lock);
		bytes = __atomic_load_n(&c->cached, __ATOMIC_RELAXED);
		for (tc = c->threads; tc; tc = tc->cnext)
			credit += __atomic_load_n(&tc->credit, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&c->lock);
		*cached_bytes = bytes > credit ? bytes - credit : 0;
	}
	pthread_rwlock_unlock(&cache_list_lock);
	return 0;
}
