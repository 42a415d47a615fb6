// SPDX-License-Identifier: GPL-2.0
/*
 * The fake /dev/rtheap of the host tests of libheap and heapctl, and
 * their CMocka fixtures: see fake_rtheap.h.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rtheap/heap.h>

#include "fake_rtheap.h"
#include "../../common/round.h"

int __real_open(const char *path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

struct fake fk = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void cmap_release(struct fheap *h);

void fake_reset(void)
{
	int i;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NHEAPS; i++) {
		if (fk.heaps[i].used)
			cmap_release(&fk.heaps[i]);
		if (fk.heaps[i].used) {
			free(fk.heaps[i].blk);
			__real_close(fk.heaps[i].memfd);
		}
	}
	memset(fk.heaps, 0, sizeof(fk.heaps));
	memset(fk.files, 0, sizeof(fk.files));
	for (i = 0; i < FAKE_NMAPS; i++) {
		if (fk.maps[i].heap >= 0 && fk.maps[i].addr)
			__real_munmap(fk.maps[i].addr, fk.maps[i].len);
		fk.maps[i].addr = NULL;
		fk.maps[i].heap = -1;
	}
	fk.next_id = 1;
	fk.open_errno = 0;
	fk.abi_version = RTHEAP_ABI_VERSION;
	fk.nr_classes = FAKE_CLASSES;
	fk.features = RTHEAP_FEAT_PRIO | RTHEAP_FEAT_SHARED |
		      RTHEAP_FEAT_ABS_TIMEOUT | RTHEAP_FEAT_LIST |
		      RTHEAP_FEAT_DELETE_NAME | RTHEAP_FEAT_BULK |
		      RTHEAP_FEAT_FREE_OFF | RTHEAP_FEAT_MAP |
		      RTHEAP_FEAT_STATUS_PAGE | RTHEAP_FEAT_ALLOC_NB |
		      RTHEAP_FEAT_CLASS_MAP;
	fk.map_size_bias = 0;
	fk.alloc_offset_bad = false;
	fk.bind_interrupt = false;
	memset(fk.pagemap, 0, sizeof(fk.pagemap));
	fk.pagemap_n = 0;
	fk.pagemap_chunk = 0;
	fk.pagemap_change_at = 0;
	fk.pagemap_calls = 0;
	fk.calls = 0;
	fk.fail_at = 0;
	fk.fail_errno = 0;
	fk.call_mask = ~0U;
	fk.fail_cmd = 0;
	fk.cmd_errno = 0;
	fk.open_flags = -1;
	memset(fk.ncmd, 0, sizeof(fk.ncmd));
	fk.bad_frees = 0;
	fk.bind_waiters = 0;
	pthread_mutex_unlock(&fk.lock);
}

int fake_open_files(void)
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NFILES; i++)
		n += fk.files[i].open;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

int fake_live_maps(void)
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NMAPS; i++)
		n += fk.maps[i].heap >= 0;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

int fake_heaps(void)	/* heaps the module still holds */
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NHEAPS; i++)
		n += fk.heaps[i].used;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

struct fheap *fake_find(const char *name)
{
	int i;

	for (i = 0; i < FAKE_NHEAPS; i++)
		if (fk.heaps[i].used && !fk.heaps[i].deleted &&
		    strcmp(fk.heaps[i].name, name) == 0)
			return &fk.heaps[i];
	return NULL;
}

/* One-shot failure of the fail_at-th counted call. Lock held. */
static bool fake_inject(int call)
{
	if (!(fk.call_mask & (1U << call)))
		return false;
	fk.calls++;
	if (fk.fail_at && fk.calls == fk.fail_at) {
		errno = fk.fail_errno;
		return true;
	}
	return false;
}

static struct ffile *fake_file(int fd)
{
	int i = fd - FAKE_FD0;

	if (i < 0 || i >= FAKE_NFILES || !fk.files[i].open)
		return NULL;
	return &fk.files[i];
}

static void heap_put(int slot)	/* release once nothing holds it. Lock held. */
{
	struct fheap *h = &fk.heaps[slot];

	if (!h->deleted || h->nfiles || h->nmaps)
		return;
	cmap_release(h);
	free(h->blk);
	__real_close(h->memfd);
	memset(h, 0, sizeof(*h));
}

static void heap_delete(int slot)
{
	fk.heaps[slot].deleted = true;
	pthread_cond_broadcast(&fk.cond);
}

static bool zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return false;
	return true;
}

static void attach_out(int slot, struct rtheap_attach *out)
{
	struct fheap *h = &fk.heaps[slot];

	memset(out, 0, sizeof(*out));
	out->id = h->id;
	out->mode = h->cr.mode;
	out->map_size = h->map_size + fk.map_size_bias;
	out->heap_size = h->cr.size;
}

static int do_create(struct ffile *f, struct rtheap_create_arg *a)
{
	struct rtheap_create *c = &a->in;
	struct fheap *h = NULL;
	int i;

	fk.last_create = *c;
	if (!zero(c->reserved, sizeof(c->reserved)) ||
	    (c->flags & ~RTHEAP_CREATE_FLAGS) || (c->mode & ~RTHEAP_MODE_MASK) ||
	    c->size == 0 || c->size > (64U << 20) || f->heap >= 0 ||
	    !memchr(c->name, 0, RTHEAP_NAMELEN))
		return EINVAL;
	if (c->name[0] && fake_find(c->name))
		return EEXIST;
	for (i = 0; i < FAKE_NHEAPS && !h; i++)
		if (!fk.heaps[i].used)
			h = &fk.heaps[i];
	if (!h)
		return ENOMEM;
	memset(h, 0, sizeof(*h));
	h->used = true;
	h->cr = *c;
	if (!(c->flags & RTHEAP_CREATE_PERM))
		h->cr.perm = 0600;
	if (!(c->flags & RTHEAP_CREATE_GID))
		h->cr.gid = getgid();
	memcpy(h->name, c->name, RTHEAP_NAMELEN);
	h->id = fk.next_id++;
	h->map_size = (c->size + PAGE - 1) / PAGE * PAGE;
	h->memfd = memfd_create("fake-rtheap", MFD_CLOEXEC);
	if (h->memfd < 0 || ftruncate(h->memfd, (off_t)h->map_size))
		abort();
	h->blk = calloc(h->map_size / GRAN, sizeof(*h->blk));
	if (!h->blk)
		abort();
	/* The class map, as the module keeps it: a byte per page, paged. */
	if (!(c->mode & H_SHARED)) {
		h->cmap_size = (h->map_size / PAGE + PAGE - 1) / PAGE * PAGE;
		h->cmapfd = memfd_create("fake-rtheap-cmap", MFD_CLOEXEC);
		if (h->cmapfd < 0 || ftruncate(h->cmapfd, (off_t)h->cmap_size))
			abort();
		h->cmap = __real_mmap(NULL, h->cmap_size,
				      PROT_READ | PROT_WRITE, MAP_SHARED,
				      h->cmapfd, 0);
		if (h->cmap == MAP_FAILED)
			abort();
	}
	h->nfiles = 1;
	f->heap = (int)(h - fk.heaps);
	f->creator = true;
	attach_out(f->heap, &a->out);
	pthread_cond_broadcast(&fk.cond);
	return 0;
}

static int do_bind(struct ffile *f, struct rtheap_bind *b)
{
	struct fheap *h;

	fk.last_bind = *b;
	if (b->pad || !zero(b->reserved, sizeof(b->reserved)) ||
	    (b->flags & ~RTHEAP_TIMEOUT_ABS) || f->heap >= 0 ||
	    !memchr(b->name, 0, RTHEAP_NAMELEN) || !b->name[0])
		return EINVAL;
	while (!(h = fake_find(b->name))) {
		if (b->timeout == RTHEAP_TM_NONBLOCK)
			return EWOULDBLOCK;
		if (b->timeout != RTHEAP_TM_INFINITE)
			return ETIMEDOUT;	/* the fake never waits for a deadline */
		if (fk.bind_interrupt)
			return EINTR;
		fk.bind_waiters++;
		pthread_cond_wait(&fk.cond, &fk.lock);
		fk.bind_waiters--;
	}
	h->nfiles++;
	f->heap = (int)(h - fk.heaps);
	f->creator = false;
	attach_out(f->heap, &b->out);
	return 0;
}

/* The module's rounding; its class (-1 for whole pages) and alignment. */
static size_t round_block(size_t size, size_t *align, int *cls)
{
	size_t r = (size_t)rtheap_round(size, PAGE);

	if (r > PAGE / 2) {
		*align = PAGE;
		*cls = -1;
		return r;
	}
	*align = r;
	*cls = __builtin_ctzl(r) - __builtin_ctzl(GRAN);
	return r;
}

/*
 * The class map: 1 + class of the blocks on a page, 0 when it holds none.
 * As in the module, a page holds blocks of one class only (do_alloc).
 */
static void cmap_take(struct fheap *h, size_t off, int cls)
{
	h->cmap[off / PAGE] = (unsigned char)(cls + 1);
}

static void cmap_give(struct fheap *h, size_t off)
{
	size_t g = off / PAGE * (PAGE / GRAN), i;

	for (i = 0; i < PAGE / GRAN; i++)
		if (h->blk[g + i])
			return;
	h->cmap[off / PAGE] = 0;
}

static void cmap_release(struct fheap *h)
{
	if (h->cmap && h->cmap != MAP_FAILED)
		__real_munmap(h->cmap, h->cmap_size);
	if (h->cmap_size)
		__real_close(h->cmapfd);
	h->cmap = NULL;
}

static int do_alloc(struct fheap *h, struct rtheap_alloc *a)
{
	size_t r, align, off, g, n, i;
	int cls;

	fk.last_alloc = *a;
	if (a->pad || !zero(a->reserved, sizeof(a->reserved)) ||
	    (a->flags & ~RTHEAP_TIMEOUT_ABS) || a->offset)
		return EINVAL;
	if (h->deleted)
		return EIDRM;
	if (h->cr.mode & H_SHARED) {	/* any size up to the heap's */
		if (a->size > h->cr.size)
			return EINVAL;
		a->offset = 0;
		return 0;
	}
	if (a->size == 0 || a->size > h->map_size)
		return EINVAL;
	r = round_block(a->size, &align, &cls);
	n = r / GRAN;
	for (off = 0; off + r <= h->map_size; off += align) {
		if (cls >= 0 && h->cmap[off / PAGE] &&
		    h->cmap[off / PAGE] != cls + 1)
			continue;	/* a page of another class */
		g = off / GRAN;
		for (i = 0; i < n && !h->blk[g + i]; i++)
			;
		if (i < n)
			continue;
		for (i = 0; i < n; i++)
			h->blk[g + i] = UINT32_MAX;	/* busy */
		h->blk[g] = (uint32_t)n;
		h->used_bytes += r;
		if (cls >= 0)
			h->class_blocks[cls]++;
		else
			h->run_pages += r / PAGE;
		if (cls >= 0)
			cmap_take(h, off, cls);
		a->offset = fk.alloc_offset_bad ? h->map_size : off;
		return 0;
	}
	return a->timeout == RTHEAP_TM_NONBLOCK ? EWOULDBLOCK : ETIMEDOUT;
}

static int do_free(struct fheap *h, struct rtheap_free *fr)
{
	size_t g, n, i, r, align;
	int cls;

	fk.last_free = *fr;
	if (!zero(fr->reserved, sizeof(fr->reserved)))
		return EINVAL;
	if (h->deleted)
		return EIDRM;
	if (h->cr.mode & H_SHARED)	/* the segment: freeing it is a no-op */
		return 0;
	if (fr->offset >= h->map_size || fr->offset % GRAN)
		return EINVAL;
	g = fr->offset / GRAN;
	n = h->blk[g];
	if (n == 0 || n == UINT32_MAX) {
		fk.bad_frees++;
		return EINVAL;
	}
	for (i = 0; i < n; i++)
		h->blk[g + i] = 0;
	r = round_block(n * GRAN, &align, &cls);
	h->used_bytes -= r;
	if (cls >= 0)
		h->class_blocks[cls]--;
	else
		h->run_pages -= r / PAGE;
	if (cls >= 0)
		cmap_give(h, fr->offset);
	return 0;
}

/* A successful ioctl's return value (FREE_BULK: blocks not freed). */
static int fake_ret;

/* All or nothing, as the module: the blocks taken go back on failure. */
static int do_alloc_bulk(struct fheap *h, struct rtheap_alloc_bulk *ab)
{
	uint64_t *out = (uint64_t *)(uintptr_t)ab->offsets;
	struct rtheap_alloc a;
	struct rtheap_free fr;
	uint64_t offs[RTHEAP_BULK_MAX];
	unsigned int i;
	int err = 0;

	if (!zero(ab->reserved, sizeof(ab->reserved)) || ab->flags ||
	    !ab->count || ab->count > RTHEAP_BULK_MAX || !ab->size)
		return EINVAL;
	if (!out)
		return EFAULT;
	if (h->deleted)
		return EIDRM;
	if (h->cr.mode & H_SHARED)
		return EINVAL;
	for (i = 0; i < ab->count; i++) {
		memset(&a, 0, sizeof(a));
		a.size = ab->size;
		a.timeout = RTHEAP_TM_NONBLOCK;
		err = do_alloc(h, &a);
		if (err)
			break;
		offs[i] = a.offset;
	}
	if (err) {
		while (i--) {
			memset(&fr, 0, sizeof(fr));
			fr.offset = offs[i];
			do_free(h, &fr);
		}
		return err;
	}
	memcpy(out, offs, ab->count * sizeof(offs[0]));
	return 0;
}

static int do_free_bulk(struct fheap *h, struct rtheap_free_bulk *fb)
{
	const uint64_t *offs = (const uint64_t *)(uintptr_t)fb->offsets;
	int32_t *res = (int32_t *)(uintptr_t)fb->results;
	struct rtheap_free fr;
	unsigned int i;
	int failed = 0;

	if (!zero(fb->reserved, sizeof(fb->reserved)) || fb->pad ||
	    !fb->count || fb->count > RTHEAP_BULK_MAX)
		return EINVAL;
	if (!offs)
		return EFAULT;
	if (h->deleted)
		return EIDRM;
	if (h->cr.mode & H_SHARED)
		return EINVAL;
	for (i = 0; i < fb->count; i++) {
		memset(&fr, 0, sizeof(fr));
		fr.offset = offs[i];
		if (do_free(h, &fr)) {
			failed++;
			if (res)
				res[i] = -EINVAL;
		} else if (res) {
			res[i] = 0;
		}
	}
	fake_ret = failed;
	return 0;
}

static void fill_info(const struct fheap *h, struct rtheap_info *hi)
{
	memset(hi, 0, sizeof(*hi));
	hi->id = h->id;
	hi->mode = h->cr.mode;
	hi->heap_size = h->cr.size;
	hi->usable_mem = h->map_size;
	hi->used_mem = h->used_bytes;
	hi->largest_free = h->map_size - h->used_bytes;
	hi->nwaiters = 3;
	hi->nmaps = h->nmaps;
	hi->nbound = h->nfiles;
	hi->uid = getuid();
	hi->gid = h->cr.gid;
	hi->perm = h->cr.perm;
	hi->cpid = 4321;
	hi->flags = h->deleted ? RTHEAP_INFO_DELETED : 0;
	memcpy(hi->class_blocks, h->class_blocks, sizeof(hi->class_blocks));
	hi->run_pages = h->run_pages;
	memcpy(hi->name, h->name, RTHEAP_NAMELEN);
	hi->nr_classes = fk.nr_classes;
}

/* The module's rules: cursor at a range's start, capacity capped. */
static int do_pagemap(struct fheap *h, struct rtheap_pagemap *pm)
{
	struct rtheap_range *out = (struct rtheap_range *)(uintptr_t)pm->ranges;
	struct rtheap_range all = { 0 };
	const struct rtheap_range *r = fk.pagemap;
	unsigned int n = fk.pagemap_n, npages = h->map_size / PAGE, i, max, k;

	if (pm->pad || !zero(pm->reserved, sizeof(pm->reserved)) ||
	    !pm->capacity)
		return EINVAL;
	if (h->deleted)
		return EIDRM;
	if (++fk.pagemap_calls == fk.pagemap_change_at)
		return EINVAL;
	if (!n || (h->cr.mode & H_SHARED)) {
		all.count = npages;
		all.kind = h->cr.mode & H_SHARED ? RTHEAP_RANGE_SHARED :
						   RTHEAP_RANGE_FREE;
		r = &all;
		n = 1;
	} else {
		npages = r[n - 1].first + r[n - 1].count;
	}
	max = pm->capacity < RTHEAP_PAGEMAP_MAX ? pm->capacity : RTHEAP_PAGEMAP_MAX;
	if (fk.pagemap_chunk && fk.pagemap_chunk < max)
		max = fk.pagemap_chunk;
	for (i = 0; i < n && r[i].first < pm->first; i++)
		;
	if (pm->first != npages && (i == n || r[i].first != pm->first))
		return EINVAL;
	for (k = 0; k < max && i < n; k++, i++)
		out[k] = r[i];
	pm->count = k;
	pm->next = i < n ? r[i].first : npages;
	pm->npages = npages;
	return 0;
}

static int do_list(struct rtheap_list *l)
{
	struct rtheap_info *out = (struct rtheap_info *)(uintptr_t)l->buf;
	unsigned int n = 0;
	int i;

	if (!zero(l->reserved, sizeof(l->reserved)) || (l->capacity && !out))
		return EINVAL;
	for (i = 0; i < FAKE_NHEAPS; i++) {
		if (!fk.heaps[i].used)
			continue;
		if (n < l->capacity)
			fill_info(&fk.heaps[i], &out[n]);
		n++;
	}
	l->count = n;
	return 0;
}

static int fake_ioctl(struct ffile *f, unsigned long req, void *arg)
{
	struct fheap *h = f->heap >= 0 ? &fk.heaps[f->heap] : NULL;

	if (_IOC_TYPE(req) == RTHEAP_IOC_MAGIC && _IOC_NR(req) < 32)
		fk.ncmd[_IOC_NR(req)]++;
	if (fk.fail_cmd == req)
		return fk.cmd_errno;

	switch (req) {
	case RTHEAP_IOC_VERSION: {
		struct rtheap_version *v = arg;
		unsigned int i;

		if (!zero(v, sizeof(*v)))
			return EINVAL;
		v->abi_version = fk.abi_version;
		v->features = fk.features;
		v->max_heaps = FAKE_NHEAPS;
		v->page_size = PAGE;
		v->max_bytes = 1ULL << 30;
		v->nr_classes = fk.nr_classes;
		for (i = 0; i < fk.nr_classes; i++)
			v->class_size[i] = RTHEAP_MIN_BLOCK << i;
		return 0;
	}
	case RTHEAP_IOC_CREATE:
		return do_create(f, arg);
	case RTHEAP_IOC_BIND:
		return do_bind(f, arg);
	case RTHEAP_IOC_LIST:
		return do_list(arg);
	case RTHEAP_IOC_NOP:
		return 0;
	case RTHEAP_IOC_DELETE_NAME: {
		struct rtheap_delete_name *d = arg;
		struct fheap *victim;

		if (!zero(d->reserved, sizeof(d->reserved)))
			return EINVAL;
		victim = fake_find(d->name);
		if (!victim)
			return ENOENT;
		if (victim->deleted)
			return EIDRM;
		heap_delete(victim - fk.heaps);
		heap_put(victim - fk.heaps);
		return 0;
	}
	}
	if (!h)
		return EINVAL;
	switch (req) {
	case RTHEAP_IOC_DELETE: {
		struct rtheap_delete *d = arg;

		if (!zero(d, sizeof(*d)))
			return EINVAL;
		if (h->deleted)
			return EIDRM;
		heap_delete(f->heap);
		return 0;
	}
	case RTHEAP_IOC_ALLOC:
		return do_alloc(h, arg);
	case RTHEAP_IOC_FREE:
		return do_free(h, arg);
	case RTHEAP_IOC_FREE_OFF: {
		struct rtheap_free fr = { .offset = (uintptr_t)arg };

		if (!(fk.features & RTHEAP_FEAT_FREE_OFF))
			return ENOTTY;	/* a module from before it */
		return do_free(h, &fr);
	}
	case RTHEAP_IOC_ALLOC_NB: {
		/* The size by value; the offset / RTHEAP_MIN_BLOCK returned. */
		struct rtheap_alloc a = {
			.size = (uintptr_t)arg, .timeout = RTHEAP_TM_NONBLOCK,
		};
		int err;

		if (!(fk.features & RTHEAP_FEAT_ALLOC_NB))
			return ENOTTY;	/* a module from before it */
		err = do_alloc(h, &a);
		if (!err)
			fake_ret = (int)(a.offset / RTHEAP_MIN_BLOCK);
		return err;
	}
	case RTHEAP_IOC_ALLOC_BULK:
		if (!(fk.features & RTHEAP_FEAT_BULK))
			return ENOTTY;	/* a module from before them */
		return do_alloc_bulk(h, arg);
	case RTHEAP_IOC_FREE_BULK:
		if (!(fk.features & RTHEAP_FEAT_BULK))
			return ENOTTY;
		return do_free_bulk(h, arg);
	case RTHEAP_IOC_INQUIRE: {
		struct rtheap_inquire *q = arg;

		if (!zero(q->reserved, sizeof(q->reserved)))
			return EINVAL;
		if (h->deleted)
			return EIDRM;
		fill_info(h, &q->info);
		return 0;
	}
	case RTHEAP_IOC_PAGEMAP:
		return do_pagemap(h, arg);
	}
	return ENOTTY;
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int i, fd = -1;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	if (strcmp(path, RTHEAP_DEVICE) != 0)
		return __real_open(path, flags, mode);

	pthread_mutex_lock(&fk.lock);
	fk.open_flags = flags;
	if (fake_inject(C_OPEN))
		goto out;
	if (fk.open_errno) {
		errno = fk.open_errno;
		goto out;
	}
	for (i = 0; i < FAKE_NFILES; i++) {
		if (!fk.files[i].open) {
			fk.files[i].open = true;
			fk.files[i].heap = -1;
			fk.files[i].creator = false;
			fd = FAKE_FD0 + i;
			break;
		}
	}
	if (fd < 0)
		errno = EMFILE;
out:
	pthread_mutex_unlock(&fk.lock);
	return fd;
}

int __wrap_close(int fd)
{
	struct ffile *f;
	int slot, ret = 0;

	pthread_mutex_lock(&fk.lock);
	f = fake_file(fd);
	if (!f) {
		pthread_mutex_unlock(&fk.lock);
		return __real_close(fd);
	}
	if (fake_inject(C_CLOSE))
		ret = -1;	/* like Linux: the file is released all the same */
	f->open = false;
	slot = f->heap;
	if (slot >= 0) {
		struct fheap *h = &fk.heaps[slot];

		if (f->creator && !(h->cr.mode & H_PERSIST) && !h->deleted)
			heap_delete(slot);
		h->nfiles--;
		heap_put(slot);
	}
	pthread_mutex_unlock(&fk.lock);
	return ret;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct ffile *f;
	va_list ap;
	void *arg;
	int err, ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	pthread_mutex_lock(&fk.lock);
	f = fake_file(fd);
	if (!f) {
		pthread_mutex_unlock(&fk.lock);
		return __real_ioctl(fd, req, arg);
	}
	if (fake_inject(C_IOCTL)) {
		pthread_mutex_unlock(&fk.lock);
		return -1;
	}
	fake_ret = 0;
	err = fake_ioctl(f, req, arg);
	ret = fake_ret;
	pthread_mutex_unlock(&fk.lock);
	if (err) {
		errno = err;
		return -1;
	}
	return ret;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct ffile *f;
	struct fheap *h;
	void *p = MAP_FAILED;
	int i;

	pthread_mutex_lock(&fk.lock);
	f = fake_file(fd);
	if (!f) {
		pthread_mutex_unlock(&fk.lock);
		return __real_mmap(addr, len, prot, flags, fd, off);
	}
	if (fake_inject(C_MMAP))
		goto out;
	errno = EINVAL;
	if (f->heap < 0)
		goto out;
	h = &fk.heaps[f->heap];
	/* The status page: no waiter is ever queued here, so all zero. */
	if ((fk.features & RTHEAP_FEAT_STATUS_PAGE) &&
	    (size_t)off == h->map_size && len == (size_t)getpagesize() &&
	    prot == PROT_READ) {
		p = __real_mmap(NULL, len, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		goto out;
	}
	/* The class map: the fake's, read-only. */
	if ((fk.features & RTHEAP_FEAT_CLASS_MAP) && h->cmap &&
	    (size_t)off == h->map_size + PAGE && len == h->cmap_size &&
	    prot == PROT_READ) {
		p = __real_mmap(NULL, len, PROT_READ, MAP_SHARED, h->cmapfd, 0);
		goto out;
	}
	if (off != 0 || len != h->map_size || (flags & MAP_TYPE) != MAP_SHARED ||
	    prot != (PROT_READ | PROT_WRITE))
		goto out;
	for (i = 0; i < FAKE_NMAPS && fk.maps[i].heap >= 0; i++)
		;
	if (i == FAKE_NMAPS) {
		errno = ENOMEM;
		goto out;
	}
	p = __real_mmap(NULL, len, prot, MAP_SHARED, h->memfd, 0);
	if (p == MAP_FAILED)
		goto out;
	fk.maps[i].addr = p;
	fk.maps[i].len = len;
	fk.maps[i].heap = f->heap;
	h->nmaps++;
out:
	pthread_mutex_unlock(&fk.lock);
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	int i, slot;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NMAPS; i++)
		if (fk.maps[i].heap >= 0 && fk.maps[i].addr == addr)
			break;
	if (i == FAKE_NMAPS) {
		pthread_mutex_unlock(&fk.lock);
		return __real_munmap(addr, len);
	}
	if (fake_inject(C_MUNMAP) || len != fk.maps[i].len) {
		if (len != fk.maps[i].len)
			errno = EINVAL;
		pthread_mutex_unlock(&fk.lock);
		return -1;
	}
	__real_munmap(addr, len);
	slot = fk.maps[i].heap;
	fk.maps[i].heap = -1;
	fk.maps[i].addr = NULL;
	fk.heaps[slot].nmaps--;
	heap_put(slot);
	pthread_mutex_unlock(&fk.lock);
	return 0;
}

/* ---- fixtures ------------------------------------------------------------- */

int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(fake_live_maps(), 0);
	fake_reset();
	return 0;
}

void arm(unsigned int fail_at, int err, unsigned int mask)
{
	pthread_mutex_lock(&fk.lock);
	fk.calls = 0;
	fk.fail_at = fail_at;
	fk.fail_errno = err;
	fk.call_mask = mask;
	pthread_mutex_unlock(&fk.lock);
}

unsigned int disarm(void)	/* returns the calls counted */
{
	unsigned int n;

	pthread_mutex_lock(&fk.lock);
	n = fk.calls;
	fk.fail_at = 0;
	fk.call_mask = ~0U;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

void fail_cmd(unsigned long cmd, int err)
{
	fk.fail_cmd = cmd;
	fk.cmd_errno = err;
}

void create_ok(RT_HEAP *h, const char *name, size_t size, int mode)
{
	assert_int_equal(rt_heap_create(h, name, size, mode), 0);
	assert_int_equal(h->magic, RT_HEAP_MAGIC);
	assert_non_null(h->base);
}

/* ---- what the libheap suites share ------------------------------------- */

/* Every call on an invalid descriptor h says -EINVAL. */
void check_invalid(RT_HEAP *h)
{
	RT_HEAP_INFO info;
	void *blk = (void *)0x1;
	size_t off;
	char c;

	assert_int_equal(rt_heap_alloc(h, 16, TM_NONBLOCK, &blk), -EINVAL);
	assert_null(blk);
	blk = (void *)0x1;
	assert_int_equal(rt_heap_alloc_until(h, 16, 12345, &blk), -EINVAL);
	assert_null(blk);
	assert_int_equal(rt_heap_free(h, &c), -EINVAL);
	assert_int_equal(rt_heap_inquire(h, &info), -EINVAL);
	assert_int_equal(rt_heap_delete(h), -EINVAL);
	assert_int_equal(rt_heap_unbind(h), -EINVAL);
	assert_int_equal(rt_heap_block_offset(h, &c, &off), -EINVAL);
	assert_int_equal(rt_heap_block_addr(h, 0, &blk), -EINVAL);
	assert_int_equal(rt_heap_cache(h, 4096), -EINVAL);
	assert_int_equal(rt_heap_cache_inquire(h, &off), -EINVAL);
}

void *alloc_thread(void *arg)
{
	struct worker *w = arg;
	void *live[8] = { NULL };
	size_t sizes[8] = { 0 };
	unsigned char tag = (unsigned char)(w->seed & 0xff);
	int i, j, slot;

	for (i = 0; i < w->loops; i++) {
		slot = rand_r(&w->seed) % 8;
		if (live[slot]) {
			for (j = 0; j < (int)sizes[slot]; j++)
				if (((unsigned char *)live[slot])[j] != tag)
					w->errors++;	/* someone else wrote here */
			if (rt_heap_free(w->heap, live[slot]))
				w->errors++;
			live[slot] = NULL;
		} else {
			size_t size = 1 + rand_r(&w->seed) % 3000;
			int ret = rt_heap_alloc(w->heap, size, TM_NONBLOCK, &live[slot]);

			if (ret == 0) {
				memset(live[slot], tag, size);
				sizes[slot] = size;
			} else if (ret != -EWOULDBLOCK) {
				w->errors++;
			}
		}
	}
	for (slot = 0; slot < 8; slot++)
		if (live[slot] && rt_heap_free(w->heap, live[slot]))
			w->errors++;
	return NULL;
}
