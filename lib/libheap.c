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
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rtheap/heap.h>

static int heap_valid(const RT_HEAP *heap)
{
	return heap && heap->magic == RT_HEAP_MAGIC;
}

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

/* Is block inside our mapping?  On success *offp is its offset. */
static int heap_offset(const RT_HEAP *heap, const void *block, size_t *offp)
{
	uintptr_t off = (uintptr_t)block - (uintptr_t)heap->base;

	if (!block || off >= heap->mapsize)	/* below base wraps around */
		return -EINVAL;
	*offp = off;
	return 0;
}

/* strlen(name) if it fits a heap name, else -ENAMETOOLONG. */
static int name_check(const char *name)
{
	size_t len = strnlen(name, RTHEAP_NAMELEN);

	return len < RTHEAP_NAMELEN ? (int)len : -ENAMETOOLONG;
}

/* Never retried: Linux releases the descriptor even when close fails. */
static void xclose(int fd)
{
	close(fd);
}

/*
 * The ABI of the module, 1 or 2, as the last handshake found it: every
 * file open at once is of the same module (it cannot be unloaded while
 * one is open), and each dev_open() asks again.
 */
static int kabi = RTHEAP_ABI_VERSION;
/* The module frees by value (RTHEAP_IOC_FREE_OFF): set by every dev_open(). */
static int free_by_value;

/* ABI 1's handshake, in version 2's terms: RTHEAP_V1_CLASSES classes. */
static void version_from_v1(const struct rtheap_version_v1 *v1,
			    struct rtheap_version *v)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->abi_version = v1->abi_version;
	v->features = v1->features;
	v->max_heaps = v1->max_heaps;
	v->page_size = v1->page_size;
	v->max_bytes = v1->max_bytes;
	v->nr_classes = RTHEAP_V1_CLASSES;
	for (i = 0; i < RTHEAP_V1_CLASSES; i++)
		v->class_size[i] = RTHEAP_MIN_BLOCK << i;
}

/*
 * Open the device and check that the module speaks an ABI of ours: 2, or
 * 1 (a module without RTHEAP_IOC_VERSION's version 2 number).
 * Returns the file descriptor or a negative errno:
 * -ENODEV when the device node is missing (module not loaded), -EPROTO when
 * the module does not answer the handshake or has another ABI version.
 */
static int dev_open(struct rtheap_version *ver)
{
	struct rtheap_version_v1 v1;
	struct rtheap_version v;
	int fd, err;

	fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			return -ENODEV;
		return -err;
	}

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, RTHEAP_IOC_VERSION, &v) < 0) {
		err = errno;
		memset(&v1, 0, sizeof(v1));
		if (err != ENOTTY ||
		    ioctl(fd, RTHEAP_IOC_VERSION_V1, &v1) < 0) {
			err = errno == ENOTTY ? EPROTO : errno;
			xclose(fd);
			return -err;
		}
		if (v1.abi_version != 1) {
			xclose(fd);
			return -EPROTO;
		}
		version_from_v1(&v1, &v);
	} else if (v.abi_version != RTHEAP_ABI_VERSION ||
		   v.nr_classes < RTHEAP_V1_CLASSES ||
		   v.nr_classes > RTHEAP_MAX_CLASSES) {
		xclose(fd);
		return -EPROTO;
	}
	__atomic_store_n(&kabi, (int)v.abi_version, __ATOMIC_RELAXED);
	__atomic_store_n(&free_by_value, !!(v.features & RTHEAP_FEAT_FREE_OFF),
			 __ATOMIC_RELAXED);
	if (ver)
		*ver = v;
	return fd;
}

/* ABI 1's description of a heap, in version 2's terms. */
static void info_from_v1(const struct rtheap_info_v1 *v1,
			 struct rtheap_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = v1->id;
	info->mode = v1->mode;
	info->heap_size = v1->heap_size;
	info->usable_mem = v1->usable_mem;
	info->used_mem = v1->used_mem;
	info->largest_free = v1->largest_free;
	info->nwaiters = v1->nwaiters;
	info->nmaps = v1->nmaps;
	info->nbound = v1->nbound;
	info->uid = v1->uid;
	info->gid = v1->gid;
	info->perm = v1->perm;
	info->cpid = v1->cpid;
	info->flags = v1->flags;
	memcpy(info->class_blocks, v1->class_blocks, sizeof(v1->class_blocks));
	info->run_pages = v1->run_pages;
	memcpy(info->name, v1->name, sizeof(info->name));
	info->phys_addr = v1->phys_addr;
	info->nr_classes = RTHEAP_V1_CLASSES;
}

#ifdef LIBHEAP_SHARED
/* Version 2's description of a heap, in ABI 1's terms. */
static void info_to_v1(const struct rtheap_info *info,
		       struct rtheap_info_v1 *v1)
{
	memset(v1, 0, sizeof(*v1));
	v1->id = info->id;
	v1->mode = info->mode;
	v1->heap_size = info->heap_size;
	v1->usable_mem = info->usable_mem;
	v1->used_mem = info->used_mem;
	v1->largest_free = info->largest_free;
	v1->nwaiters = info->nwaiters;
	v1->nmaps = info->nmaps;
	v1->nbound = info->nbound;
	v1->uid = info->uid;
	v1->gid = info->gid;
	v1->perm = info->perm;
	v1->cpid = info->cpid;
	v1->flags = info->flags;
	memcpy(v1->class_blocks, info->class_blocks, sizeof(v1->class_blocks));
	v1->run_pages = info->run_pages;
	memcpy(v1->name, info->name, sizeof(v1->name));
	v1->phys_addr = info->phys_addr;
}
#endif

/* RTHEAP_IOC_INQUIRE of the module's ABI; -errno on failure. */
static int kinquire(int fd, struct rtheap_info *info)
{
	struct rtheap_inquire_v1 q1;
	struct rtheap_inquire q;

	if (__atomic_load_n(&kabi, __ATOMIC_RELAXED) == 1) {
		memset(&q1, 0, sizeof(q1));
		if (ioctl(fd, RTHEAP_IOC_INQUIRE_V1, &q1) < 0)
			return -errno;
		info_from_v1(&q1.info, info);
		return 0;
	}
	memset(&q, 0, sizeof(q));
	if (ioctl(fd, RTHEAP_IOC_INQUIRE, &q) < 0)
		return -errno;
	*info = q.info;
	return 0;
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
		if (kinquire(m->creator_fd, &info) != -EIDRM)
			continue;
		xclose(m->creator_fd);
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
 * A new file of the device, attached by cmd (create or bind, whose argument
 * arg fills *out), and the heap mapped for the descriptor.  A bind may
 * wait for the heap: -EINTR is returned, never restarted here.
 */
static int heap_attach(RT_HEAP *heap, unsigned long cmd, void *arg,
		       const struct rtheap_attach *out)
{
	bool creator = cmd == RTHEAP_IOC_CREATE;
	int fd, ret;

	fd = dev_open(NULL);
	if (fd < 0)
		return fd;
	if (ioctl(fd, cmd, arg) < 0) {
		ret = -errno;
		xclose(fd);
		return ret;
	}
	ret = heap_map(heap, fd, out, creator);
	if (ret) {
		if (creator) {
			/* Closing alone would keep an H_PERSIST heap alive. */
			struct rtheap_delete del;

			memset(&del, 0, sizeof(del));
			ioctl(fd, RTHEAP_IOC_DELETE, &del);
		}
		xclose(fd);
	}
	return ret;
}

static int heap_create(RT_HEAP *heap, const char *name, size_t heapsize,
		       int mode, unsigned int flags, unsigned int perm, int gid)
{
	struct rtheap_create_arg arg;
	int len;

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

	return heap_attach(heap, RTHEAP_IOC_CREATE, &arg, &arg.out);
}

int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize, int mode)
{
	return heap_create(heap, name, heapsize, mode, 0, 0, 0);
}

int rt_heap_create_ext(RT_HEAP *heap, const char *name, size_t heapsize,
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
			xclose(heap->fd);
		}
		if (deleted && m->kept) {
			xclose(m->creator_fd);
			m->creator_fd = -1;
			m->kept = false;
		}
		maps_put(m);
	} else {
		xclose(heap->fd);	/* not ours: a copied descriptor */
	}
	maps_sweep();
	maps_unlock();
	heap_invalidate(heap);
}

int rt_heap_delete(RT_HEAP *heap)
{
	struct rtheap_delete del;

	if (!heap_valid(heap))
		return -EINVAL;
	memset(&del, 0, sizeof(del));
	if (ioctl(heap->fd, RTHEAP_IOC_DELETE, &del) < 0)
		return -errno;	/* descriptor unchanged */
	heap_release(heap, true);
	return 0;
}

static int heap_bind(RT_HEAP *heap, const char *name, RTIME timeout,
		     unsigned int flags)
{
	struct rtheap_bind arg;
	int len;

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

	return heap_attach(heap, RTHEAP_IOC_BIND, &arg, &arg.out);
}

int rt_heap_bind(RT_HEAP *heap, const char *name)
{
	return heap_bind(heap, name, TM_INFINITE, 0);
}

int rt_heap_bind_timed(RT_HEAP *heap, const char *name, RTIME timeout)
{
	return heap_bind(heap, name, timeout, 0);
}

int rt_heap_bind_owner(RT_HEAP *heap, const char *name, RTIME timeout)
{
	return heap_bind(heap, name, timeout, RTHEAP_BIND_OWNER);
}

int rt_heap_unbind(RT_HEAP *heap)
{
	if (!heap_valid(heap))
		return -EINVAL;
	heap_release(heap, false);
	return 0;
}

static int heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout,
		      unsigned int flags, void **blockp)
{
	struct rtheap_alloc arg;

	if (!blockp)
		return -EINVAL;
	*blockp = NULL;
	if (!heap_valid(heap))
		return -EINVAL;

	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	arg.timeout = timeout;
	arg.flags = flags;
	if (ioctl(heap->fd, RTHEAP_IOC_ALLOC, &arg) < 0)
		return -errno;
	if (arg.offset >= heap->mapsize)
		return -EPROTO;	/* the module handed out a block we cannot see */
	*blockp = (char *)heap->base + arg.offset;
	return 0;
}

int rt_heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout, void **blockp)
{
	return heap_alloc(heap, size, timeout, 0, blockp);
}

int rt_heap_alloc_until(RT_HEAP *heap, size_t size, RTIME abs_ns, void **blockp)
{
	/* TM_INFINITE and TM_NONBLOCK keep their meaning: no deadline. */
	if (abs_ns == TM_INFINITE || abs_ns == TM_NONBLOCK)
		return heap_alloc(heap, size, abs_ns, 0, blockp);
	return heap_alloc(heap, size, abs_ns, RTHEAP_TIMEOUT_ABS, blockp);
}

int rt_heap_free(RT_HEAP *heap, void *block)
{
	struct rtheap_free arg;
	size_t off;

	if (!heap_valid(heap) || heap_offset(heap, block, &off))
		return -EINVAL;
	/*
	 * Alignment and liveness are the kernel's job; so is H_SHARED, whose
	 * free is a no-op there but still reports a deleted heap (-EIDRM).
	 */
	if (__atomic_load_n(&free_by_value, __ATOMIC_RELAXED)) {
		if (ioctl(heap->fd, RTHEAP_IOC_FREE_OFF, (unsigned long)off) == 0)
			return 0;
		if (errno != ENOTTY)
			return -errno;
		/* A module without it (another one loaded since): by struct. */
	}
	memset(&arg, 0, sizeof(arg));
	arg.offset = off;
	if (ioctl(heap->fd, RTHEAP_IOC_FREE, &arg) < 0)
		return -errno;
	return 0;
}

/*
 * The bulk calls.  A module without them (no RTHEAP_FEAT_BULK) answers
 * -ENOTTY, turned into -ENOSYS: they are not emulated with single calls,
 * which could not keep alloc's all-or-nothing from other threads' view.
 */
int rt_heap_alloc_bulk(RT_HEAP *heap, size_t size, size_t n, void *blocks[])
{
	struct rtheap_alloc_bulk arg;
	__u64 offs[RTHEAP_BULK_MAX];
	size_t i;

	if (!heap_valid(heap) || !blocks || !n || n > RTHEAP_BULK_MAX)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	arg.offsets = (uintptr_t)offs;
	arg.count = n;
	if (ioctl(heap->fd, RTHEAP_IOC_ALLOC_BULK, &arg) < 0)
		return errno == ENOTTY ? -ENOSYS : -errno;
	for (i = 0; i < n; i++)
		if (offs[i] >= heap->mapsize)
			return -EPROTO;	/* a block we cannot see */
	for (i = 0; i < n; i++)
		blocks[i] = (char *)heap->base + offs[i];
	return 0;
}

int rt_heap_free_bulk(RT_HEAP *heap, size_t n, void *const blocks[],
		      int results[])
{
	struct rtheap_free_bulk arg;
	__u64 offs[RTHEAP_BULK_MAX];
	__s32 kres[RTHEAP_BULK_MAX];
	unsigned char idx[RTHEAP_BULK_MAX];	/* kernel's i-th: blocks[idx[i]] */
	size_t i, off, nk = 0;
	int ret, failed = 0;

	if (!heap_valid(heap) || !blocks || !n || n > RTHEAP_BULK_MAX)
		return -EINVAL;
	/* Outside our mapping: refused here, the others still go. */
	for (i = 0; i < n; i++) {
		if (heap_offset(heap, blocks[i], &off)) {
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

	memset(&arg, 0, sizeof(arg));
	arg.offsets = (uintptr_t)offs;
	arg.results = (uintptr_t)kres;
	arg.count = nk;
	ret = ioctl(heap->fd, RTHEAP_IOC_FREE_BULK, &arg);
	if (ret < 0)
		return errno == ENOTTY ? -ENOSYS : -errno;
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
 * RT_HEAP_INFO of libheap 1.1 (LIBHEAP_1.1) and 1.0 (LIBHEAP_1.0, without
 * phys_addr): eight classes, no nr_classes.
 */
struct rt_heap_info_1_1 {
	int nwaiters;
	int mode;
	size_t heapsize;
	size_t usablemem;
	size_t usedmem;
	size_t largestfree;
	int nmaps;
	int nbound;
	unsigned int uid, gid, perm;
	int cpid;
	unsigned long class_blocks[RTHEAP_V1_CLASSES];
	char name[RT_HEAP_NAMELEN];
	unsigned long phys_addr;
};

/*
 * rt_heap_inquire@@LIBHEAP_1.2: RT_HEAP_INFO with RTHEAP_MAX_CLASSES
 * classes and nr_classes.  Programs linked against older libheap.so know
 * an older structure and get rt_heap_inquire@LIBHEAP_1.1 or @LIBHEAP_1.0,
 * below, which fill only that (the first eight classes).  The static
 * library has the new one alone.
 */
#ifdef LIBHEAP_SHARED
#define heap_inquire rt_heap_inquire_1_2
int heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info);
#else
#define heap_inquire rt_heap_inquire
#endif
int heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info)
{
	struct rtheap_info ki;
	int i, ret;

	if (!heap_valid(heap) || !info)
		return -EINVAL;
	ret = kinquire(heap->fd, &ki);
	if (ret)
		return ret;

	memset(info, 0, sizeof(*info));
	info->nwaiters = (int)ki.nwaiters;
	info->mode = (int)ki.mode;
	info->heapsize = clamp_size(ki.heap_size);
	info->usablemem = clamp_size(ki.usable_mem);
	info->usedmem = clamp_size(ki.used_mem);
	info->largestfree = clamp_size(ki.largest_free);
	info->nmaps = (int)ki.nmaps;
	info->nbound = (int)ki.nbound;
	info->uid = ki.uid;
	info->gid = ki.gid;
	info->perm = ki.perm;
	info->cpid = (int)ki.cpid;
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		info->class_blocks[i] = (unsigned long)ki.class_blocks[i];
	memcpy(info->name, ki.name, RT_HEAP_NAMELEN);
	info->name[RT_HEAP_NAMELEN - 1] = '\0';
	info->phys_addr = (unsigned long)ki.phys_addr;
	info->nr_classes = ki.nr_classes;
	return 0;
}

#ifdef LIBHEAP_SHARED
__asm__(".symver rt_heap_inquire_1_2, rt_heap_inquire@@LIBHEAP_1.2");

/* Fill the first size bytes of a struct rt_heap_info_1_1. */
static int heap_inquire_old(RT_HEAP *heap, void *info, size_t size)
{
	struct rt_heap_info_1_1 old;
	RT_HEAP_INFO full;
	int ret;

	if (!info)
		return -EINVAL;
	ret = heap_inquire(heap, &full);
	if (ret)
		return ret;
	memset(&old, 0, sizeof(old));
	memcpy(&old, &full, offsetof(RT_HEAP_INFO, class_blocks));
	memcpy(old.class_blocks, full.class_blocks, sizeof(old.class_blocks));
	memcpy(old.name, full.name, sizeof(old.name));
	old.phys_addr = full.phys_addr;
	memcpy(info, &old, size);
	return 0;
}

int rt_heap_inquire_1_1(RT_HEAP *heap, void *info);
int rt_heap_inquire_1_1(RT_HEAP *heap, void *info)
{
	return heap_inquire_old(heap, info, sizeof(struct rt_heap_info_1_1));
}
__asm__(".symver rt_heap_inquire_1_1, rt_heap_inquire@LIBHEAP_1.1");

int rt_heap_inquire_1_0(RT_HEAP *heap, void *info);
int rt_heap_inquire_1_0(RT_HEAP *heap, void *info)
{
	return heap_inquire_old(heap, info,
				offsetof(struct rt_heap_info_1_1, phys_addr));
}
__asm__(".symver rt_heap_inquire_1_0, rt_heap_inquire@LIBHEAP_1.0");
#endif

int rt_heap_block_offset(const RT_HEAP *heap, const void *block, size_t *offp)
{
	if (!heap_valid(heap) || !offp)
		return -EINVAL;
	return heap_offset(heap, block, offp);
}

int rt_heap_block_addr(const RT_HEAP *heap, size_t off, void **blockp)
{
	if (!heap_valid(heap) || !blockp || off >= heap->mapsize)
		return -EINVAL;
	*blockp = (char *)heap->base + off;
	return 0;
}

/* One ioctl on a fresh, unattached file; -EOPNOTSUPP without feature. */
static int dev_call(unsigned int feature, unsigned long cmd, void *arg)
{
	struct rtheap_version ver;
	int fd, ret = 0;

	fd = dev_open(&ver);
	if (fd < 0)
		return fd;
	if (!(ver.features & feature))
		ret = -EOPNOTSUPP;
	else if (ioctl(fd, cmd, arg) < 0)
		ret = -errno;
	xclose(fd);
	return ret;
}

/*
 * rt_heap_list@@LIBHEAP_1.2 and rt_heap_info_by_name@@LIBHEAP_1.2 take
 * version 2's struct rtheap_info; libheap.so's @LIBHEAP_1.0 ones, below,
 * ABI 1's struct rtheap_info_v1.  A module of ABI 1 is asked with
 * RTHEAP_IOC_LIST_V1 and its answer converted.
 */
#ifdef LIBHEAP_SHARED
#define heap_list rt_heap_list_1_2
#define heap_info_by_name rt_heap_info_by_name_1_2
int heap_list(struct rtheap_info *buf, unsigned int cap, unsigned int *count);
int heap_info_by_name(const char *name, struct rtheap_info *info);
#else
#define heap_list rt_heap_list
#define heap_info_by_name rt_heap_info_by_name
#endif
int heap_list(struct rtheap_info *buf, unsigned int cap, unsigned int *count)
{
	struct rtheap_info_v1 *buf1 = NULL;
	struct rtheap_version ver;
	struct rtheap_list arg;
	unsigned int i;
	int fd, ret = 0;

	if (!count || (cap && !buf))
		return -EINVAL;
	fd = dev_open(&ver);
	if (fd < 0)
		return fd;
	if (!(ver.features & RTHEAP_FEAT_LIST)) {
		xclose(fd);
		return -EOPNOTSUPP;
	}
	memset(&arg, 0, sizeof(arg));
	arg.buf = (uintptr_t)buf;
	arg.capacity = cap;
	if (ver.abi_version == 1) {
		if (cap) {
			buf1 = calloc(cap, sizeof(*buf1));
			if (!buf1) {
				xclose(fd);
				return -ENOMEM;
			}
		}
		arg.buf = (uintptr_t)buf1;
		if (ioctl(fd, RTHEAP_IOC_LIST_V1, &arg) < 0)
			ret = -errno;
		for (i = 0; !ret && i < arg.count && i < cap; i++)
			info_from_v1(&buf1[i], &buf[i]);
		free(buf1);
	} else if (ioctl(fd, RTHEAP_IOC_LIST, &arg) < 0) {
		ret = -errno;
	}
	xclose(fd);
	if (!ret)
		*count = arg.count;
	return ret;
}

#ifdef LIBHEAP_SHARED
__asm__(".symver rt_heap_list_1_2, rt_heap_list@@LIBHEAP_1.2");

int rt_heap_list_1_0(struct rtheap_info_v1 *buf, unsigned int cap,
		     unsigned int *count);
int rt_heap_list_1_0(struct rtheap_info_v1 *buf, unsigned int cap,
		     unsigned int *count)
{
	struct rtheap_info *full = NULL;
	unsigned int i;
	int ret;

	if (!count || (cap && !buf))
		return -EINVAL;
	if (cap) {
		full = calloc(cap, sizeof(*full));
		if (!full)
			return -ENOMEM;
	}
	ret = heap_list(full, cap, count);
	for (i = 0; !ret && i < *count && i < cap; i++)
		info_to_v1(&full[i], &buf[i]);
	free(full);
	return ret;
}
__asm__(".symver rt_heap_list_1_0, rt_heap_list@LIBHEAP_1.0");
#endif

int rt_heap_delete_name(const char *name)
{
	struct rtheap_delete_name arg;
	int len;

	if (!name)
		return -EINVAL;
	len = name_check(name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	memcpy(arg.name, name, len);
	return dev_call(RTHEAP_FEAT_DELETE_NAME, RTHEAP_IOC_DELETE_NAME, &arg);
}

int heap_info_by_name(const char *name, struct rtheap_info *info)
{
	struct rtheap_info stack[16], *buf = stack, *nbuf;
	unsigned int cap = 16, count, i;
	int len, ret;

	if (!name || !info)
		return -EINVAL;
	len = name_check(name);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;

	for (;;) {
		ret = heap_list(buf, cap, &count);
		if (ret || count <= cap)
			break;
		/* More heaps than room: grow and ask again. */
		if (count > (UINT_MAX - 16) / sizeof(*buf)) {
			ret = -ENOMEM;
			break;
		}
		cap = count + 16;
		nbuf = buf == stack ? malloc(cap * sizeof(*buf)) :
		       realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
	}

	if (!ret) {
		ret = -ENOENT;
		for (i = 0; i < count; i++) {
			if (!(buf[i].flags & RTHEAP_INFO_DELETED) &&
			    strncmp(buf[i].name, name, RTHEAP_NAMELEN) == 0) {
				*info = buf[i];
				info->name[RTHEAP_NAMELEN - 1] = '\0';
				ret = 0;
				break;
			}
		}
	}
	if (buf != stack)
		free(buf);
	return ret;
}

#ifdef LIBHEAP_SHARED
__asm__(".symver rt_heap_info_by_name_1_2, rt_heap_info_by_name@@LIBHEAP_1.2");

int rt_heap_info_by_name_1_0(const char *name, struct rtheap_info_v1 *info);
int rt_heap_info_by_name_1_0(const char *name, struct rtheap_info_v1 *info)
{
	struct rtheap_info full;
	int ret;

	if (!info)
		return -EINVAL;
	ret = heap_info_by_name(name, &full);
	if (!ret)
		info_to_v1(&full, info);
	return ret;
}
__asm__(".symver rt_heap_info_by_name_1_0, rt_heap_info_by_name@LIBHEAP_1.0");
#endif
