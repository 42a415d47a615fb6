// SPDX-License-Identifier: MIT
/*
 * libheap - the rt_heap_* API over /dev/rtheap (exported as rtheap_*,
 * see <rtheap/heap.h>), on the block cache (cache.c) and the device
 * layer (device.c).
 *
 * A descriptor (RT_HEAP) owns one open file of the device, attached to one
 * heap by RTHEAP_IOC_CREATE or RTHEAP_IOC_BIND.  A process maps each heap
 * once, MAP_SHARED, however many descriptors it has of it: every descriptor
 * sees the heap at the same address, so a block allocated through one may
 * be freed through another (threads that bound separately share blocks).
 * Blocks cross the ioctl boundary as byte offsets from the start of the
 * heap; the device layer turns them into addresses in that mapping, this
 * file addresses back into offsets.
 * Every call returns 0 or a negative errno value; errno may be changed by a
 * failed system call but never carries the result.
 *
 * This file's one global state is the list of this process's mappings
 * (struct heap_map), under a mutex that only create, bind, unbind and delete
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
#include <sys/mman.h>

#include "cache.h"

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

/*
 * The start of every create and bind: the descriptor invalid until it
 * succeeds, the kept files of heaps that are gone closed; the length of
 * name, or -errno.
 */
static int attach_begin(RT_HEAP *heap, const char *name)
{
	if (!heap)
		return -EINVAL;
	heap_invalidate(heap);
	maps_tidy();
	if (!name)
		return -EINVAL;
	return name_check(name);
}

/*
 * A new file of the device, attached by create (when not NULL) or bind,
 * and the heap mapped for the descriptor.  A bind may wait for the heap:
 * -EINTR is returned, never restarted here.
 */
static int heap_attach(RT_HEAP *heap, struct rtheap_create_arg *create,
		       struct rtheap_bind *bind)
{
	int fd, ret;

	fd = lh_dev_open(NULL);
	if (fd < 0)
		return fd;
	ret = create ? lh_dev_create(fd, create) : lh_dev_bind(fd, bind);
	if (!ret) {
		ret = heap_map(heap, fd, create ? &create->out : &bind->out,
			       create);
		/* Closing alone would keep an H_PERSIST heap alive. */
		if (ret && create)
			lh_dev_delete(fd);
	}
	if (ret)
		lh_dev_close(fd);
	return ret;
}

static int heap_create(RT_HEAP *heap, const char *name, size_t heapsize,
		       int mode, unsigned int flags, unsigned int perm, int gid)
{
	struct rtheap_create_arg arg;
	int len;

	if (!name)
		name = "";
	len = attach_begin(heap, name);
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

	return heap_attach(heap, &arg, NULL);
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
	/* The cache drained first: a failed delete leaves it off. */
	lh_cache_destroy(heap);
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
	int len;

	len = attach_begin(heap, name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;	/* anonymous heaps cannot be bound */

	memset(&arg, 0, sizeof(arg));
	memcpy(arg.name, name, (size_t)len);
	arg.timeout = timeout;
	arg.flags = flags;

	return heap_attach(heap, NULL, &arg);
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
	lh_cache_destroy(heap);
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
	if (!heap_valid(heap))
		return -EINVAL;
	/*
	 * H_SHARED: whatever the pointer, the segment, whose free has no
	 * effect; the kernel still reports a deleted heap (-EIDRM).
	 */
	if (heap->mode & H_SHARED)
		return lh_dev_free(heap, 0);
	if (heap_offset(heap, block, &off))
		return -EINVAL;
	/* Alignment and liveness are the kernel's job. */
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
		    (atomic_load_relaxed(&lh_cache_live) &&
		     lh_cache_forget(heap, blocks[i]))) {
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

/* The length of name, a heap's to find by it: -EINVAL for NULL or "". */
static int name_given(const char *name)
{
	int len;

	if (!name)
		return -EINVAL;
	len = name_check(name);
	return len == 0 ? -EINVAL : len;
}

int rtheap_delete_name(const char *name)
{
	int len = name_given(name);

	if (len < 0)
		return len;
	return lh_dev_delete_name(name, (size_t)len);
}

int rtheap_info_by_name(const char *name, RT_HEAP_INFO *info)
{
	struct rtheap_info stack[16], *buf;
	unsigned int count, i;
	int len, ret;

	if (!info)
		return -EINVAL;
	len = name_given(name);
	if (len < 0)
		return len;

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

int rtheap_cache(RT_HEAP *heap, size_t bytes)
{
	if (!heap_valid(heap) || (heap->mode & H_SHARED))
		return -EINVAL;
	if (bytes > heap->mapsize)
		return -E2BIG;
	return lh_cache_set(heap, bytes);
}

int rtheap_cache_inquire(RT_HEAP *heap, size_t *cached_bytes)
{
	if (!heap_valid(heap) || !cached_bytes)
		return -EINVAL;
	*cached_bytes = lh_cache_bytes(heap);
	return 0;
}
