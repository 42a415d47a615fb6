// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libheap (lib/libheap.c) and heapctl (tools/heapctl.c, its
 * main() renamed heapctl_main) against a fake /dev/rtheap.
 *
 * The binary is linked with --wrap=open,close,ioctl,mmap,munmap: calls that
 * name the device, one of its files or one of its mappings reach the fake
 * device model below; everything else reaches libc.  The model keeps heaps,
 * open files and mappings, applies the ABI's rules (reserved fields zero,
 * exact map size, creator's close deletes non-persistent heaps), and can make
 * any one call fail.  Every test ends by checking that no file or mapping
 * of the device is left open.
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

int __real_open(const char *path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

int heapctl_main(int argc, char **argv);

/* ---- the fake device ------------------------------------------------------ */

#define FAKE_FD0	700	/* fake file descriptors: FAKE_FD0 + slot */
#define FAKE_NFILES	128
#define FAKE_NHEAPS	64
#define FAKE_NMAPS	128
#define GRAN		16	/* allocation granule */
#define PAGE		4096

struct fheap {
	bool used;		/* slot holds a heap (live or deleted) */
	bool deleted;
	char name[RTHEAP_NAMELEN];
	struct rtheap_create cr;	/* as created */
	unsigned int id;
	size_t map_size;
	int memfd;
	unsigned int nfiles, nmaps;
	uint32_t *blk;		/* per granule: granules of the block starting here */
	size_t used_bytes;
	unsigned long long class_blocks[RTHEAP_NR_CLASSES];
	unsigned long long run_pages;
};

struct ffile {
	bool open;
	int heap;		/* attached heap slot, -1: none */
	bool creator;
};

struct fmap {
	char *addr;
	size_t len;
	int heap;		/* -1: free slot */
};

enum { C_OPEN, C_IOCTL, C_MMAP, C_MUNMAP, C_CLOSE };

static struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fheap heaps[FAKE_NHEAPS];
	struct ffile files[FAKE_NFILES];
	struct fmap maps[FAKE_NMAPS];
	unsigned int next_id;

	/* behaviour */
	int open_errno;			/* open() of the device fails */
	unsigned int abi_version;
	unsigned int features;
	unsigned long long map_size_bias;	/* added to attach.map_size */
	bool alloc_offset_bad;		/* hand out offset map_size */
	bool bind_interrupt;		/* a signal for bind waiters */

	/* fault injection: the fail_at-th device call fails with fail_errno */
	unsigned int calls;
	unsigned int fail_at;
	int fail_errno;
	unsigned int call_mask;		/* 1 << C_*: calls counted */
	/* every ioctl cmd fails with cmd_errno */
	unsigned long fail_cmd;
	int cmd_errno;

	/* records */
	int open_flags;
	unsigned int ncmd[16];
	unsigned int bind_waiters;
	struct rtheap_create last_create;
	struct rtheap_bind last_bind;
	struct rtheap_alloc last_alloc;
	struct rtheap_free last_free;
} fk = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void fake_reset(void)
{
	int i;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NHEAPS; i++) {
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
	fk.features = RTHEAP_FEAT_PRIO | RTHEAP_FEAT_SHARED |
		      RTHEAP_FEAT_ABS_TIMEOUT | RTHEAP_FEAT_LIST |
		      RTHEAP_FEAT_DELETE_NAME;
	fk.map_size_bias = 0;
	fk.alloc_offset_bad = false;
	fk.bind_interrupt = false;
	fk.calls = 0;
	fk.fail_at = 0;
	fk.fail_errno = 0;
	fk.call_mask = ~0U;
	fk.fail_cmd = 0;
	fk.cmd_errno = 0;
	fk.open_flags = -1;
	memset(fk.ncmd, 0, sizeof(fk.ncmd));
	fk.bind_waiters = 0;
	pthread_mutex_unlock(&fk.lock);
}

static int fake_open_files(void)
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NFILES; i++)
		n += fk.files[i].open;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

static int fake_live_maps(void)
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NMAPS; i++)
		n += fk.maps[i].heap >= 0;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

static int fake_heaps(void)	/* heaps the module still holds */
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < FAKE_NHEAPS; i++)
		n += fk.heaps[i].used;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

static struct fheap *fake_find(const char *name)
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

static size_t round_block(size_t size, size_t *align, int *cls)
{
	size_t r = GRAN;

	*cls = 0;
	if (size > PAGE / 2) {
		*align = PAGE;
		*cls = -1;
		return (size + PAGE - 1) / PAGE * PAGE;
	}
	while (r < size) {
		r <<= 1;
		(*cls)++;
	}
	*align = r;
	return r;
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
	if (h->cr.mode & H_SHARED) {
		if (a->size && a->size != h->cr.size)
			return EINVAL;
		a->offset = 0;
		return 0;
	}
	if (a->size == 0 || a->size > h->map_size)
		return EINVAL;
	r = round_block(a->size, &align, &cls);
	n = r / GRAN;
	for (off = 0; off + r <= h->map_size; off += align) {
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
		return fr->offset ? EINVAL : 0;
	if (fr->offset >= h->map_size || fr->offset % GRAN)
		return EINVAL;
	g = fr->offset / GRAN;
	n = h->blk[g];
	if (n == 0 || n == UINT32_MAX)
		return EINVAL;
	for (i = 0; i < n; i++)
		h->blk[g + i] = 0;
	r = round_block(n * GRAN, &align, &cls);
	h->used_bytes -= r;
	if (cls >= 0)
		h->class_blocks[cls]--;
	else
		h->run_pages -= r / PAGE;
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

	if (_IOC_TYPE(req) == RTHEAP_IOC_MAGIC && _IOC_NR(req) < 16)
		fk.ncmd[_IOC_NR(req)]++;
	if (fk.fail_cmd == req)
		return fk.cmd_errno;

	switch (req) {
	case RTHEAP_IOC_VERSION: {
		struct rtheap_version *v = arg;

		if (!zero(v, sizeof(*v)))
			return EINVAL;
		v->abi_version = fk.abi_version;
		v->features = fk.features;
		v->max_heaps = FAKE_NHEAPS;
		v->page_size = PAGE;
		v->max_bytes = 1ULL << 30;
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
	case RTHEAP_IOC_INQUIRE: {
		struct rtheap_inquire *q = arg;

		if (!zero(q->reserved, sizeof(q->reserved)))
			return EINVAL;
		if (h->deleted)
			return EIDRM;
		fill_info(h, &q->info);
		return 0;
	}
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
	int err;

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
	err = fake_ioctl(f, req, arg);
	pthread_mutex_unlock(&fk.lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
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

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(fake_live_maps(), 0);
	fake_reset();
	return 0;
}

static void arm(unsigned int fail_at, int err, unsigned int mask)
{
	pthread_mutex_lock(&fk.lock);
	fk.calls = 0;
	fk.fail_at = fail_at;
	fk.fail_errno = err;
	fk.call_mask = mask;
	pthread_mutex_unlock(&fk.lock);
}

static unsigned int disarm(void)	/* returns the calls counted */
{
	unsigned int n;

	pthread_mutex_lock(&fk.lock);
	n = fk.calls;
	fk.fail_at = 0;
	fk.call_mask = ~0U;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

static void fail_cmd(unsigned long cmd, int err)
{
	fk.fail_cmd = cmd;
	fk.cmd_errno = err;
}

#define NR(cmd) fk.ncmd[_IOC_NR(cmd)]

static void create_ok(RT_HEAP *h, const char *name, size_t size, int mode)
{
	assert_int_equal(rt_heap_create(h, name, size, mode), 0);
	assert_int_equal(h->magic, RT_HEAP_MAGIC);
	assert_non_null(h->base);
}

/* ---- descriptor validity ---------------------------------------------------- */

static void check_invalid(RT_HEAP *h)
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
}

static void test_null_descriptor(void **state)
{
	(void)state;
	check_invalid(NULL);
	assert_int_equal(rt_heap_create(NULL, "x", 4096, 0), -EINVAL);
	assert_int_equal(rt_heap_create_ext(NULL, "x", 4096, 0, 0600, -1), -EINVAL);
	assert_int_equal(rt_heap_bind(NULL, "x"), -EINVAL);
	assert_int_equal(rt_heap_bind_timed(NULL, "x", TM_NONBLOCK), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);	/* no device touched */
}

static void test_never_created(void **state)
{
	RT_HEAP zeroed, garbage;

	(void)state;
	memset(&zeroed, 0, sizeof(zeroed));
	memset(&garbage, 0xa5, sizeof(garbage));
	check_invalid(&zeroed);
	check_invalid(&garbage);
	assert_int_equal(fake_open_files(), 0);
}

static void test_after_delete(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "gone", 8192, 0);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(fake_live_maps(), 1);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(h.magic, 0);
	assert_int_equal(h.fd, -1);
	assert_null(h.base);
	assert_int_equal(fake_heaps(), 0);
	check_invalid(&h);
}

static void test_after_unbind(void **state)
{
	RT_HEAP c, b;

	(void)state;
	create_ok(&c, "shared-name", 8192, 0);
	assert_int_equal(rt_heap_bind(&b, "shared-name"), 0);
	assert_int_equal(fake_open_files(), 2);
	assert_int_equal(rt_heap_unbind(&b), 0);
	check_invalid(&b);
	/* the binder's unbind leaves the heap alone */
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_unbind_creator(void **state)
{
	RT_HEAP h, b;

	(void)state;
	/* Unbinding the creator closes its file: a plain heap goes. */
	create_ok(&h, "plain", 8192, 0);
	assert_int_equal(rt_heap_unbind(&h), 0);
	check_invalid(&h);
	assert_int_equal(fake_heaps(), 0);
	assert_int_equal(rt_heap_bind_timed(&b, "plain", TM_NONBLOCK), -EWOULDBLOCK);

	/* ... an H_PERSIST one stays until deleted. */
	create_ok(&h, "kept", 8192, H_PERSIST);
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(rt_heap_bind_timed(&b, "kept", TM_NONBLOCK), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
	assert_int_equal(fake_heaps(), 0);
}

/* ---- create ---------------------------------------------------------------- */

static void test_create_args(void **state)
{
	RT_HEAP h;
	char name32[33];

	(void)state;
	memset(name32, 'a', 32);
	name32[32] = '\0';
	assert_int_equal(rt_heap_create(&h, name32, 4096, 0), -ENAMETOOLONG);
	assert_int_equal(rt_heap_bind(&h, name32), -ENAMETOOLONG);
	assert_int_equal(rt_heap_create(&h, "x", 0, 0), -EINVAL);
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0x8000), -EINVAL);
	assert_int_equal(rt_heap_create_ext(&h, "x", 4096, 0, 01000, -1), -EINVAL);
	assert_int_equal(rt_heap_create_ext(&h, "x", 4096, 0, 0600, -2), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);

	/* 31 characters fit */
	name32[31] = '\0';
	create_ok(&h, name32, 4096, 0);
	assert_string_equal(fk.last_create.name, name32);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_create_passes_args(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "args", 10000, H_PRIO | H_PERSIST);
	assert_int_equal(fk.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 1);
	assert_string_equal(fk.last_create.name, "args");
	assert_int_equal(fk.last_create.size, 10000);
	assert_int_equal(fk.last_create.mode, H_PRIO | H_PERSIST);
	assert_int_equal(fk.last_create.flags, 0);
	assert_int_equal(h.mode, H_PRIO | H_PERSIST);
	assert_int_equal(h.mapsize, 12288);
	assert_int_equal(h.heapsize, 10000);
	assert_int_equal(h.id, 1);
	assert_int_equal(rt_heap_delete(&h), 0);

	assert_int_equal(rt_heap_create_ext(&h, "ext", 4096, 0, 0640, -1), 0);
	assert_int_equal(fk.last_create.flags, RTHEAP_CREATE_PERM);
	assert_int_equal(fk.last_create.perm, 0640);
	assert_int_equal(rt_heap_delete(&h), 0);

	assert_int_equal(rt_heap_create_ext(&h, "ext", 4096, 0, 0, 1234), 0);
	assert_int_equal(fk.last_create.flags, RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID);
	assert_int_equal(fk.last_create.perm, 0);
	assert_int_equal(fk.last_create.gid, 1234);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_create_anonymous(void **state)
{
	RT_HEAP a, b, c;

	(void)state;
	create_ok(&a, NULL, 4096, 0);
	assert_string_equal(fk.last_create.name, "");
	create_ok(&b, "", 4096, 0);	/* two anonymous heaps coexist */
	assert_int_equal(rt_heap_bind(&c, ""), -EINVAL);
	check_invalid(&c);
	assert_int_equal(rt_heap_bind(&c, NULL), -EINVAL);
	check_invalid(&c);
	assert_int_equal(rt_heap_delete(&a), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
}

static void test_create_errors(void **state)
{
	static const int errs[] = { EINVAL, EEXIST, ENOMEM, EPERM, ENAMETOOLONG,
				    EACCES, EFAULT };
	RT_HEAP h, h2;
	unsigned int i;

	(void)state;
	create_ok(&h, "dup", 4096, 0);
	assert_int_equal(rt_heap_create(&h2, "dup", 4096, 0), -EEXIST);
	assert_int_equal(fake_open_files(), 1);
	assert_int_equal(rt_heap_delete(&h), 0);

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_CREATE, errs[i]);
		assert_int_equal(rt_heap_create(&h, "e", 4096, 0), -errs[i]);
		assert_int_equal(fake_open_files(), 0);
	}
}

static void test_no_device(void **state)
{
	static const struct { int err, ret; } map[] = {
		{ ENOENT, -ENODEV }, { ENXIO, -ENODEV }, { ENODEV, -ENODEV },
		{ EACCES, -EACCES }, { EMFILE, -EMFILE }, { ENFILE, -ENFILE },
		{ EPERM, -EPERM },
	};
	struct rtheap_info hi;
	unsigned int i, n;
	RT_HEAP h;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		fk.open_errno = map[i].err;
		assert_int_equal(rt_heap_create(&h, "x", 4096, 0), map[i].ret);
		assert_int_equal(rt_heap_bind(&h, "x"), map[i].ret);
		assert_int_equal(rt_heap_list(NULL, 0, &n), map[i].ret);
		assert_int_equal(rt_heap_info_by_name("x", &hi), map[i].ret);
	}
}

static void test_handshake(void **state)
{
	struct rtheap_info hi;
	unsigned int n;
	RT_HEAP h;

	(void)state;
	fk.abi_version = RTHEAP_ABI_VERSION + 1;
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EPROTO);
	assert_int_equal(rt_heap_bind(&h, "x"), -EPROTO);
	assert_int_equal(rt_heap_list(NULL, 0, &n), -EPROTO);
	assert_int_equal(NR(RTHEAP_IOC_CREATE) + NR(RTHEAP_IOC_BIND), 0);
	assert_int_equal(fake_open_files(), 0);

	fk.abi_version = RTHEAP_ABI_VERSION;
	fail_cmd(RTHEAP_IOC_VERSION, ENOTTY);	/* not an rtheap device */
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EPROTO);
	fail_cmd(RTHEAP_IOC_VERSION, EFAULT);
	assert_int_equal(rt_heap_create(&h, "x", 4096, 0), -EFAULT);
	fail_cmd(0, 0);

	fk.features &= ~RTHEAP_FEAT_LIST;
	assert_int_equal(rt_heap_list(NULL, 0, &n), -EOPNOTSUPP);
	assert_int_equal(rt_heap_info_by_name("x", &hi), -EOPNOTSUPP);
	assert_int_equal(fake_open_files(), 0);
}

static void test_bad_map_size(void **state)
{
	RT_HEAP h;

	(void)state;
	/* A module answering map_size 0 breaks the protocol. */
	fk.map_size_bias = (unsigned long long)-12288;
	assert_int_equal(rt_heap_create(&h, "x", 12288, H_PERSIST), -EPROTO);
	assert_int_equal(fake_heaps(), 0);	/* deleted, though persistent */
	/* A wrong size makes mmap fail: same cleanup. */
	fk.map_size_bias = PAGE;
	assert_int_equal(rt_heap_create(&h, "x", 4096, H_PERSIST), -EINVAL);
	assert_int_equal(fake_heaps(), 0);
	fk.map_size_bias = 0;
}

/* Fail each system call of create in turn: nothing may leak. */
static void test_create_fault_injection(void **state)
{
	static const int modes[] = { 0, H_PERSIST, H_SHARED | H_PERSIST };
	static const int errs[] = { ENOMEM, EAGAIN, EIO };
	unsigned int k, m, e, ncalls;
	RT_HEAP h;
	int ret;

	(void)state;
	for (m = 0; m < 3; m++) {
		for (e = 0; e < 3; e++) {
			for (k = 1;; k++) {
				arm(k, errs[e], ~0U);
				ret = rt_heap_create(&h, "fi", 65536, modes[m]);
				ncalls = disarm();
				if (k > ncalls) {	/* nothing failed */
					assert_int_equal(ret, 0);
					assert_int_equal(ncalls, 4);	/* open version create mmap */
					assert_int_equal(rt_heap_delete(&h), 0);
					break;
				}
				assert_int_equal(ret, -errs[e]);
				assert_int_equal(fake_open_files(), 0);
				assert_int_equal(fake_live_maps(), 0);
				assert_int_equal(fake_heaps(), 0);
			}
		}
	}
}

/* ---- bind ------------------------------------------------------------------ */

static void test_bind_fault_injection(void **state)
{
	unsigned int k, ncalls;
	RT_HEAP c, b;
	int ret;

	(void)state;
	create_ok(&c, "target", 16384, 0);
	for (k = 1;; k++) {
		arm(k, EAGAIN, ~0U);
		ret = rt_heap_bind(&b, "target");
		ncalls = disarm();
		if (k > ncalls) {
			assert_int_equal(ret, 0);
			assert_int_equal(ncalls, 4);	/* open version bind mmap */
			assert_int_equal(rt_heap_unbind(&b), 0);
			break;
		}
		assert_int_equal(ret, -EAGAIN);
		check_invalid(&b);
		assert_int_equal(fake_open_files(), 1);
		assert_int_equal(fake_live_maps(), 1);
	}
	assert_int_equal(fake_heaps(), 1);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_bind_timed(void **state)
{
	RT_HEAP c, b;

	(void)state;
	assert_int_equal(rt_heap_bind_timed(&b, "later", TM_NONBLOCK), -EWOULDBLOCK);
	assert_int_equal(fk.last_bind.timeout, RTHEAP_TM_NONBLOCK);
	assert_int_equal(fk.last_bind.flags, 0);
	assert_int_equal(rt_heap_bind_timed(&b, "later", 1000000), -ETIMEDOUT);
	assert_int_equal(fk.last_bind.timeout, 1000000);
	assert_int_equal(fk.last_bind.flags, 0);
	assert_string_equal(fk.last_bind.name, "later");
	check_invalid(&b);

	create_ok(&c, "later", 4096, 0);
	assert_int_equal(rt_heap_bind_timed(&b, "later", 5), 0);
	assert_int_equal(b.id, c.id);
	assert_int_equal(b.mapsize, c.mapsize);
	assert_ptr_not_equal(b.base, c.base);	/* each descriptor maps */
	assert_int_equal(fk.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_bind_errors(void **state)
{
	static const int errs[] = { EACCES, EINTR, EINVAL, ENAMETOOLONG, ETIMEDOUT,
				    EWOULDBLOCK, EIDRM, ENOMEM };
	unsigned int i;
	RT_HEAP b;

	(void)state;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_BIND, errs[i]);
		assert_int_equal(rt_heap_bind(&b, "any"), -errs[i]);
		assert_int_equal(fake_open_files(), 0);
	}
}

struct binder {
	RT_HEAP heap;
	const char *name;
	int ret;
};

static void *bind_thread(void *arg)
{
	struct binder *bd = arg;

	bd->ret = rt_heap_bind(&bd->heap, bd->name);
	return NULL;
}

static void wait_for_bind_waiter(void)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		pthread_mutex_lock(&fk.lock);
		if (fk.bind_waiters) {
			pthread_mutex_unlock(&fk.lock);
			return;
		}
		pthread_mutex_unlock(&fk.lock);
		nanosleep(&ts, NULL);
	}
	fail_msg("bind never waited");
}

static void test_bind_waits_for_create(void **state)
{
	struct binder bd = { .name = "late", .ret = 1 };
	pthread_t t;
	RT_HEAP c;
	char *p;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, bind_thread, &bd), 0);
	wait_for_bind_waiter();
	assert_int_equal(bd.ret, 1);	/* still blocked */
	create_ok(&c, "late", 4096, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bd.ret, 0);
	assert_int_equal(fk.last_bind.timeout, RTHEAP_TM_INFINITE);
	/* both mappings show the same memory */
	p = c.base;
	p[100] = 'z';
	assert_int_equal(((char *)bd.heap.base)[100], 'z');
	assert_int_equal(rt_heap_unbind(&bd.heap), 0);
	assert_int_equal(rt_heap_delete(&c), 0);
}

static void test_bind_eintr_no_restart(void **state)
{
	struct binder bd = { .name = "never", .ret = 1 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, bind_thread, &bd), 0);
	wait_for_bind_waiter();
	pthread_mutex_lock(&fk.lock);
	fk.bind_interrupt = true;	/* a signal arrives */
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(bd.ret, -EINTR);
	assert_int_equal(NR(RTHEAP_IOC_BIND), 1);	/* not restarted */
	check_invalid(&bd.heap);
	assert_int_equal(fake_open_files(), 0);
}

/* ---- delete ----------------------------------------------------------------- */

static void test_delete_errors(void **state)
{
	static const int errs[] = { EPERM, EIDRM, EINVAL, EINTR };
	RT_HEAP h, b;
	unsigned int i;
	void *blk;

	(void)state;
	create_ok(&h, "d", 8192, 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_DELETE, errs[i]);
		assert_int_equal(rt_heap_delete(&h), -errs[i]);
		/* descriptor unchanged and usable */
		assert_int_equal(h.magic, RT_HEAP_MAGIC);
		assert_int_equal(fake_open_files(), 1);
		assert_int_equal(rt_heap_alloc(&h, 32, TM_NONBLOCK, &blk), 0);
		assert_int_equal(rt_heap_free(&h, blk), 0);
	}
	fail_cmd(0, 0);

	/* Deleted through another descriptor: -EIDRM, then unbind releases. */
	assert_int_equal(rt_heap_bind(&b, "d"), 0);
	assert_int_equal(rt_heap_delete(&b), 0);
	assert_int_equal(rt_heap_delete(&h), -EIDRM);
	assert_int_equal(rt_heap_alloc(&h, 32, TM_NONBLOCK, &blk), -EIDRM);
	assert_int_equal(rt_heap_inquire(&h, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	/* the mapping stays valid after delete */
	((char *)h.base)[0] = 1;
	assert_int_equal(rt_heap_unbind(&h), 0);
	assert_int_equal(fake_heaps(), 0);
}

static void test_delete_close_fails(void **state)
{
	RT_HEAP h;

	(void)state;
	create_ok(&h, "d", 8192, 0);
	/* Only close counts: it fails (EINTR) but Linux released the file. */
	arm(1, EINTR, 1U << C_CLOSE);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(disarm(), 1);	/* and is not retried */
	check_invalid(&h);
	assert_int_equal(fake_heaps(), 0);
}

/* ---- alloc and free ------------------------------------------------------------ */

static void test_alloc_free(void **state)
{
	RT_HEAP h;
	void *a, *b, *c;
	size_t off;

	(void)state;
	create_ok(&h, "af", 16384, 0);
	assert_int_equal(rt_heap_alloc(&h, 100, TM_INFINITE, &a), 0);
	assert_int_equal(fk.last_alloc.size, 100);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_INFINITE);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_true((char *)a >= (char *)h.base &&
		    (char *)a < (char *)h.base + h.mapsize);
	assert_int_equal(((uintptr_t)a - (uintptr_t)h.base) % 16, 0);
	assert_int_equal(rt_heap_alloc(&h, 8192, 1000, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, 1000);
	memset(b, 0x5a, 8192);

	/* the 16 KiB heap is full enough now */
	c = (void *)0x1;
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &c), -EWOULDBLOCK);
	assert_null(c);

	assert_int_equal(rt_heap_block_offset(&h, b, &off), 0);
	assert_int_equal(rt_heap_free(&h, b), 0);
	assert_int_equal(fk.last_free.offset, off);
	assert_int_equal(rt_heap_free(&h, b), -EINVAL);	/* double free: kernel */
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_args(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "aa", 4096, 0);
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, NULL), -EINVAL);
	assert_int_equal(rt_heap_alloc(&h, 0, TM_NONBLOCK, &b), -EINVAL);	/* kernel */
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &b), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_ALLOC), 2);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_until(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "au", 4096, 0);
	assert_int_equal(rt_heap_alloc_until(&h, 64, 123456789ULL, &b), 0);
	assert_int_equal(fk.last_alloc.size, 64);
	assert_int_equal(fk.last_alloc.timeout, 123456789ULL);
	assert_int_equal(fk.last_alloc.flags, RTHEAP_TIMEOUT_ABS);
	assert_int_equal(rt_heap_free(&h, b), 0);

	/* TM_INFINITE / TM_NONBLOCK are no deadline: sent as such, relative */
	assert_int_equal(rt_heap_alloc_until(&h, 64, TM_INFINITE, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_INFINITE);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_int_equal(rt_heap_free(&h, b), 0);
	assert_int_equal(rt_heap_alloc_until(&h, 64, TM_NONBLOCK, &b), 0);
	assert_int_equal(fk.last_alloc.timeout, RTHEAP_TM_NONBLOCK);
	assert_int_equal(fk.last_alloc.flags, 0);
	assert_int_equal(rt_heap_free(&h, b), 0);

	fail_cmd(RTHEAP_IOC_ALLOC, ETIMEDOUT);
	assert_int_equal(rt_heap_alloc_until(&h, 64, 1, &b), -ETIMEDOUT);
	assert_null(b);
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_alloc_errors(void **state)
{
	static const int errs[] = { EINVAL, EWOULDBLOCK, ETIMEDOUT, EIDRM, EINTR,
				    EPERM, EFAULT, ENOTTY };
	unsigned int i;
	RT_HEAP h;
	void *b;

	(void)state;
	create_ok(&h, "ae", 4096, 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_ALLOC, errs[i]);
		b = (void *)0x1;
		assert_int_equal(rt_heap_alloc(&h, 16, TM_INFINITE, &b), -errs[i]);
		assert_null(b);
	}
	fail_cmd(0, 0);

	/* the module must not hand out blocks outside the mapping */
	fk.alloc_offset_bad = true;
	assert_int_equal(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b), -EPROTO);
	assert_null(b);
	fk.alloc_offset_bad = false;
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_free_validation(void **state)
{
	static const int errs[] = { EINVAL, EIDRM, EFAULT };
	RT_HEAP h, other;
	char *a, *o;
	unsigned int i, nfree;
	char local;

	(void)state;
	create_ok(&h, "fv", 8192, 0);
	create_ok(&other, "other", 8192, 0);
	assert_int_equal(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&a), 0);
	assert_int_equal(rt_heap_alloc(&other, 64, TM_NONBLOCK, (void **)&o), 0);

	nfree = NR(RTHEAP_IOC_FREE);
	assert_int_equal(rt_heap_free(&h, NULL), -EINVAL);
	assert_int_equal(rt_heap_free(&h, &local), -EINVAL);
	assert_int_equal(rt_heap_free(&h, (char *)h.base - 1), -EINVAL);
	assert_int_equal(rt_heap_free(&h, (char *)h.base + h.mapsize), -EINVAL);
	assert_int_equal(rt_heap_free(&h, o), -EINVAL);	/* other heap's block */
	assert_int_equal(NR(RTHEAP_IOC_FREE), nfree);	/* none reached the kernel */

	/* inside but misaligned: the kernel decides, the offset goes through */
	assert_int_equal(rt_heap_free(&h, a + 3), -EINVAL);
	assert_int_equal(fk.last_free.offset, (uintptr_t)(a + 3) - (uintptr_t)h.base);
	assert_int_equal(NR(RTHEAP_IOC_FREE), nfree + 1);

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_cmd(RTHEAP_IOC_FREE, errs[i]);
		assert_int_equal(rt_heap_free(&h, a), -errs[i]);
	}
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_free(&h, a), 0);
	assert_int_equal(rt_heap_free(&other, o), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
	assert_int_equal(rt_heap_delete(&other), 0);
}

static void test_shared(void **state)
{
	RT_HEAP h, b;
	void *p, *q;
	unsigned int nfree;

	(void)state;
	create_ok(&h, "seg", 8192, H_SHARED);
	assert_int_equal(h.mode, H_SHARED);
	assert_int_equal(rt_heap_alloc(&h, 0, TM_NONBLOCK, &p), 0);
	assert_ptr_equal(p, h.base);
	assert_int_equal(rt_heap_alloc(&h, 8192, TM_NONBLOCK, &q), 0);
	assert_ptr_equal(q, h.base);
	assert_int_equal(rt_heap_alloc(&h, 100, TM_NONBLOCK, &q), -EINVAL);	/* kernel */

	assert_int_equal(rt_heap_bind(&b, "seg"), 0);
	assert_int_equal(rt_heap_alloc(&b, 0, TM_INFINITE, &q), 0);
	assert_ptr_equal(q, b.base);

	nfree = NR(RTHEAP_IOC_FREE);
	assert_int_equal(rt_heap_free(&h, p), 0);
	assert_int_equal(rt_heap_free(&h, p), 0);	/* no effect, any number of times */
	assert_int_equal(NR(RTHEAP_IOC_FREE), nfree + 2);	/* the kernel still asked */
	assert_int_equal(rt_heap_free(&h, (char *)p + 16), -EINVAL);	/* kernel */
	assert_int_equal(rt_heap_free(&h, NULL), -EINVAL);
	assert_int_equal(NR(RTHEAP_IOC_FREE), nfree + 3);	/* NULL never reaches it */
	assert_int_equal(rt_heap_delete(&h), 0);
	/* A binder learns of the delete from free too. */
	assert_int_equal(rt_heap_free(&b, q), -EIDRM);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_free(&h, p), -EINVAL);	/* descriptor checked */
}

/* ---- inquire, offsets, listing --------------------------------------------------- */

static void test_inquire(void **state)
{
	RT_HEAP_INFO info;
	RT_HEAP h, b;
	void *x, *y, *z;
	int i;

	(void)state;
	assert_int_equal(rt_heap_create_ext(&h, "inq", 20000, H_PRIO, 0640, 77), 0);
	assert_int_equal(rt_heap_bind(&b, "inq"), 0);
	assert_int_equal(rt_heap_alloc(&h, 20, TM_NONBLOCK, &x), 0);	/* 32 */
	assert_int_equal(rt_heap_alloc(&h, 2048, TM_NONBLOCK, &y), 0);
	assert_int_equal(rt_heap_alloc(&h, 5000, TM_NONBLOCK, &z), 0);	/* 2 pages */
	assert_int_equal(rt_heap_inquire(&h, NULL), -EINVAL);

	memset(&info, 0xff, sizeof(info));
	assert_int_equal(rt_heap_inquire(&b, &info), 0);
	assert_int_equal(info.nwaiters, 3);
	assert_int_equal(info.mode, H_PRIO);
	assert_int_equal(info.heapsize, 20000);
	assert_int_equal(info.usablemem, 20480);
	assert_int_equal(info.usedmem, 32 + 2048 + 8192);
	assert_int_equal(info.largestfree, 20480 - (32 + 2048 + 8192));
	assert_int_equal(info.nmaps, 2);
	assert_int_equal(info.nbound, 2);
	assert_int_equal(info.uid, getuid());
	assert_int_equal(info.gid, 77);
	assert_int_equal(info.perm, 0640);
	assert_int_equal(info.cpid, 4321);
	for (i = 0; i < RTHEAP_NR_CLASSES; i++)
		assert_int_equal(info.class_blocks[i], i == 1 || i == 7);
	assert_string_equal(info.name, "inq");

	fail_cmd(RTHEAP_IOC_INQUIRE, EIDRM);
	assert_int_equal(rt_heap_inquire(&h, &info), -EIDRM);
	fail_cmd(0, 0);
	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_block_offsets(void **state)
{
	RT_HEAP h, b;
	size_t off;
	void *blk, *p;
	char local;

	(void)state;
	create_ok(&h, "off", 8192, 0);
	assert_int_equal(rt_heap_bind(&b, "off"), 0);
	assert_int_equal(rt_heap_alloc(&h, 256, TM_NONBLOCK, &blk), 0);
	strcpy(blk, "hello");

	/* hand the block to "another process" as an offset */
	assert_int_equal(rt_heap_block_offset(&h, blk, &off), 0);
	assert_int_equal(off, (uintptr_t)blk - (uintptr_t)h.base);
	assert_int_equal(rt_heap_block_addr(&b, off, &p), 0);
	assert_ptr_equal(p, (char *)b.base + off);
	assert_string_equal(p, "hello");
	/* the binder frees it */
	assert_int_equal(rt_heap_free(&b, p), 0);
	assert_int_equal(fk.last_free.offset, off);

	assert_int_equal(rt_heap_block_offset(&h, h.base, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base + h.mapsize - 1, &off), 0);
	assert_int_equal(off, h.mapsize - 1);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base + h.mapsize, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, (char *)h.base - 1, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, &local, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, NULL, &off), -EINVAL);
	assert_int_equal(rt_heap_block_offset(&h, h.base, NULL), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, h.mapsize - 1, &p), 0);
	assert_int_equal(rt_heap_block_addr(&h, h.mapsize, &p), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, SIZE_MAX, &p), -EINVAL);
	assert_int_equal(rt_heap_block_addr(&h, 0, NULL), -EINVAL);

	assert_int_equal(rt_heap_unbind(&b), 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

static void test_list(void **state)
{
	struct rtheap_info buf[4], hi;
	RT_HEAP h[40], b;
	unsigned int n;
	char name[16];
	int i;

	(void)state;
	assert_int_equal(rt_heap_list(NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rt_heap_list(NULL, 0, NULL), -EINVAL);
	assert_int_equal(rt_heap_list(NULL, 1, &n), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("h0", &hi), -ENOENT);
	assert_int_equal(rt_heap_info_by_name("", &hi), -EINVAL);
	assert_int_equal(rt_heap_info_by_name(NULL, &hi), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("h0", NULL), -EINVAL);
	assert_int_equal(rt_heap_info_by_name("0123456789012345678901234567890123", &hi),
			 -ENAMETOOLONG);

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		create_ok(&h[i], name, 4096 * (i + 1), 0);
	}
	assert_int_equal(rt_heap_list(buf, 4, &n), 0);
	assert_int_equal(n, 40);
	assert_string_equal(buf[3].name, "h3");
	assert_int_equal(fake_open_files(), 40);	/* list's own file closed */

	/* beyond the first 16: info_by_name grows its buffer */
	assert_int_equal(rt_heap_info_by_name("h37", &hi), 0);
	assert_string_equal(hi.name, "h37");
	assert_int_equal(hi.heap_size, 4096 * 38);

	/* a deleted heap still mapped is listed, but not found by name */
	assert_int_equal(rt_heap_bind(&b, "h5"), 0);
	assert_int_equal(rt_heap_delete(&h[5]), 0);
	assert_int_equal(rt_heap_list(NULL, 0, &n), 0);
	assert_int_equal(n, 40);
	assert_int_equal(rt_heap_info_by_name("h5", &hi), -ENOENT);
	assert_int_equal(rt_heap_unbind(&b), 0);

	fail_cmd(RTHEAP_IOC_LIST, EFAULT);
	assert_int_equal(rt_heap_list(buf, 4, &n), -EFAULT);
	assert_int_equal(rt_heap_info_by_name("h1", &hi), -EFAULT);
	fail_cmd(0, 0);
	for (i = 0; i < 40; i++)
		if (i != 5)
			assert_int_equal(rt_heap_delete(&h[i]), 0);
}

static void test_list_fault_injection(void **state)
{
	unsigned int k, n, ncalls;
	RT_HEAP h;
	int ret;

	(void)state;
	create_ok(&h, "l", 4096, 0);
	for (k = 1;; k++) {
		arm(k, EIO, ~0U);
		ret = rt_heap_list(NULL, 0, &n);
		ncalls = disarm();
		if (k > ncalls) {
			assert_int_equal(ret, 0);
			break;
		}
		/* a failing close still released the file, and the list stands */
		assert_int_equal(ret, k == ncalls && k == 4 ? 0 : -EIO);
		assert_int_equal(fake_open_files(), 1);
	}
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* ---- threads --------------------------------------------------------------------- */

#define NTHREADS	4
#define NLOOPS		3000

struct worker {
	RT_HEAP *heap;
	unsigned int seed;
	int errors;
};

static void *alloc_thread(void *arg)
{
	struct worker *w = arg;
	void *live[8] = { NULL };
	size_t sizes[8] = { 0 };
	unsigned char tag = (unsigned char)(w->seed & 0xff);
	int i, j, slot;

	for (i = 0; i < NLOOPS; i++) {
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

static void test_threads(void **state)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	RT_HEAP_INFO info;
	RT_HEAP h;
	int i;

	(void)state;
	create_ok(&h, "mt", 128 * 1024, 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i].heap = &h;
		w[i].seed = 0x1234u + (unsigned int)i * 77;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&t[i], NULL, alloc_thread, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	assert_int_equal(rt_heap_inquire(&h, &info), 0);
	assert_int_equal(info.usedmem, 0);
	assert_int_equal(rt_heap_delete(&h), 0);
}

/* ---- heapctl ----------------------------------------------------------------------- */

static char out_buf[65536], err_buf[4096];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run heapctl with the given arguments; its stdout/stderr land in the buffers. */
static int heapctl(const char *args)
{
	char copy[512], *argv[32], *tok, *save = NULL;
	int argc = 0, ret, o1, o2;
	FILE *fo = tmpfile(), *fe = tmpfile();

	assert_non_null(fo);
	assert_non_null(fe);
	snprintf(copy, sizeof(copy), "heapctl %s", args);
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	o1 = dup(1);
	o2 = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	ret = heapctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	slurp(fo, out_buf, sizeof(out_buf));
	slurp(fe, err_buf, sizeof(err_buf));
	return ret;
}

#define assert_contains(hay, needle) do {				\
	if (!strstr((hay), (needle)))					\
		fail_msg("missing \"%s\" in:\n%s", (needle), (hay));	\
} while (0)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_heapctl_usage(void **state)
{
	(void)state;
	assert_int_equal(heapctl("--help"), 0);
	assert_contains(out_buf, "usage: heapctl");
	assert_int_equal(heapctl("-h"), 0);
	assert_int_equal(heapctl("--version"), 0);
	assert_contains(out_buf, "heapctl (rtheap)");

	assert_int_equal(heapctl(""), 2);
	assert_contains(err_buf, "heapctl: no command");
	assert_int_equal(heapctl("frobnicate"), 2);
	assert_contains(err_buf, "unknown command \"frobnicate\"");
	assert_int_equal(heapctl("--frob list"), 2);
	assert_int_equal(heapctl("list extra"), 2);
	assert_int_equal(heapctl("info"), 2);
	assert_int_equal(heapctl("create foo"), 2);
	assert_int_equal(heapctl("create foo 12Q"), 2);
	assert_contains(err_buf, "bad size \"12Q\"");
	assert_int_equal(heapctl("create foo 0"), 2);
	assert_int_equal(heapctl("create foo 99999999999999999999"), 2);
	assert_int_equal(heapctl("create foo 1M --perm 999"), 2);
	assert_int_equal(heapctl("create foo 1M --group no-such-group-here"), 2);
	assert_int_equal(heapctl("list --prio"), 2);
	assert_contains(err_buf, "--prio does not apply to list");
	assert_int_equal(heapctl("watch foo --count 0"), 2);
	assert_int_equal(heapctl("watch foo --interval -1"), 2);
	assert_int_equal(heapctl("watch foo --count"), 2);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(NR(RTHEAP_IOC_VERSION), 0);	/* usage errors touch nothing */
}

static void test_heapctl_no_module(void **state)
{
	static const char msg[] =
		"heapctl: /dev/rtheap not found: is the rtheap module loaded? (modprobe rtheap)\n";

	(void)state;
	fk.open_errno = ENOENT;
	assert_int_equal(heapctl("list"), 1);
	assert_string_equal(err_buf, msg);
	assert_string_equal(out_buf, "");
	assert_int_equal(heapctl("info foo"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("create foo 1M"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("delete foo"), 1);
	assert_string_equal(err_buf, msg);
	assert_int_equal(heapctl("watch foo --count 1"), 1);
	assert_string_equal(err_buf, msg);

	fk.open_errno = 0;
	fk.abi_version = 99;
	assert_int_equal(heapctl("list"), 1);
	assert_contains(err_buf, "incompatible rtheap module");
}

static void test_heapctl_create_list_delete(void **state)
{
	struct fheap *fh;

	(void)state;
	assert_int_equal(heapctl("create sensors 64K --prio --perm 0640"), 0);
	assert_string_equal(err_buf, "");
	assert_int_equal(fake_open_files(), 0);	/* it persists on its own */
	assert_int_equal(fake_live_maps(), 0);
	fh = fake_find("sensors");
	assert_non_null(fh);
	assert_int_equal(fh->cr.size, 65536);
	assert_int_equal(fh->cr.mode, H_PRIO | H_PERSIST);
	assert_int_equal(fh->cr.perm, 0640);
	assert_int_equal(fh->cr.flags, RTHEAP_CREATE_PERM);

	assert_int_equal(heapctl("create seg 1MiB --shared --group 4242"), 0);
	fh = fake_find("seg");
	assert_non_null(fh);
	assert_int_equal(fh->cr.size, 1 << 20);
	assert_int_equal(fh->cr.mode, H_SHARED | H_PERSIST);
	assert_int_equal(fh->cr.gid, 4242);
	assert_int_equal(fh->cr.perm, 0600);
	assert_int_equal(fh->cr.flags, RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID);

	assert_int_equal(heapctl("create plain 3g"), 1);	/* over the fake's limit */
	assert_string_equal(err_buf, "heapctl: create \"plain\": invalid argument\n");
	assert_int_equal(heapctl("create plain 12288"), 0);
	assert_int_equal(fake_find("plain")->cr.flags, 0);

	assert_int_equal(heapctl("create sensors 4K"), 1);
	assert_string_equal(err_buf,
			    "heapctl: create \"sensors\": a heap of that name exists\n");

	assert_int_equal(heapctl("list"), 0);
	assert_int_equal(count_lines(out_buf), 4);
	assert_contains(out_buf, "ID");
	assert_contains(out_buf, "NAME");
	assert_contains(out_buf, "OWNER");
	assert_contains(out_buf, "PERMS");
	assert_contains(out_buf, "WAITERS");
	assert_contains(out_buf, "MAPS");
	assert_contains(out_buf, "sensors");
	assert_contains(out_buf, "rw-r-----");
	assert_contains(out_buf, "prio,persist");
	assert_contains(out_buf, "64K");
	assert_contains(out_buf, "shared,persist");
	assert_contains(out_buf, "1M");
	assert_contains(out_buf, "12K");
	assert_int_equal(heapctl("list --bytes"), 0);
	assert_contains(out_buf, "65536");
	assert_contains(out_buf, "1048576");

	assert_int_equal(heapctl("--json list"), 0);
	assert_contains(out_buf, "{\"heaps\":[");
	assert_contains(out_buf, "\"name\":\"sensors\"");
	assert_contains(out_buf, "\"perm\":\"0640\"");
	assert_contains(out_buf, "\"mode\":\"prio,persist\"");
	assert_contains(out_buf, "\"heap_size\":65536");

	assert_int_equal(heapctl("delete sensors"), 0);
	assert_string_equal(err_buf, "");
	assert_null(fake_find("sensors"));
	assert_int_equal(heapctl("delete sensors"), 1);
	assert_string_equal(err_buf, "heapctl: delete \"sensors\": no such heap\n");

	fail_cmd(RTHEAP_IOC_DELETE_NAME, EPERM);
	assert_int_equal(heapctl("delete seg"), 1);
	assert_string_equal(err_buf,
			    "heapctl: delete \"seg\": operation not permitted (not the owner?)\n");
	fail_cmd(RTHEAP_IOC_DELETE_NAME, EIDRM);
	assert_int_equal(heapctl("delete seg"), 1);
	assert_string_equal(err_buf, "heapctl: delete \"seg\": heap deleted\n");
	fail_cmd(0, 0);
	assert_int_equal(fake_open_files(), 0);
	assert_int_equal(fake_live_maps(), 0);
	assert_int_equal(heapctl("delete seg"), 0);
	assert_int_equal(heapctl("delete plain"), 0);
	assert_int_equal(fake_heaps(), 0);

	assert_int_equal(heapctl("list"), 0);
	assert_int_equal(count_lines(out_buf), 1);	/* header only */
	assert_int_equal(heapctl("list --json"), 0);
	assert_string_equal(out_buf, "{\"heaps\":[\n]}\n");
}

static void test_heapctl_info_watch(void **state)
{
	RT_HEAP h;
	void *b;

	(void)state;
	assert_int_equal(rt_heap_create_ext(&h, "app", 16384, H_PRIO, 0640, -1), 0);
	assert_int_equal(rt_heap_alloc(&h, 100, TM_NONBLOCK, &b), 0);
	assert_int_equal(rt_heap_alloc(&h, 2000, TM_NONBLOCK, &b), 0);

	assert_int_equal(heapctl("info app"), 0);
	assert_contains(out_buf, "name:          app\n");
	assert_contains(out_buf, "id:            1\n");
	assert_contains(out_buf, "perms:         rw-r----- (0640)\n");
	assert_contains(out_buf, "creator pid:   4321\n");
	assert_contains(out_buf, "mode:          prio\n");
	assert_contains(out_buf, "status:        live\n");
	assert_contains(out_buf, "heap size:     16K\n");
	assert_contains(out_buf, "used:          2.1K (13.3%)\n");
	assert_contains(out_buf, "waiters:       3\n");
	assert_contains(out_buf, "mappings:      1\n");
	assert_contains(out_buf, "bound files:   1\n");
	assert_contains(out_buf, "     128: 1\n");
	assert_contains(out_buf, "    2048: 1\n");
	assert_contains(out_buf, "      16: 0\n");
	assert_int_equal(heapctl("info app --bytes"), 0);
	assert_contains(out_buf, "used:          2176 (13.3%)\n");

	assert_int_equal(heapctl("info app --json"), 0);
	assert_contains(out_buf, "\"name\":\"app\"");
	assert_contains(out_buf, "\"class_blocks\":{\"16\":0,\"32\":0,\"64\":0,\"128\":1,"
			"\"256\":0,\"512\":0,\"1024\":0,\"2048\":1}");
	assert_contains(out_buf, "\"nwaiters\":3");
	assert_contains(out_buf, "\"used_mem\":2176");
	assert_contains(out_buf, "\"deleted\":false");
	assert_int_equal(count_lines(out_buf), 1);

	assert_int_equal(heapctl("info nosuch"), 1);
	assert_string_equal(err_buf, "heapctl: info \"nosuch\": no such heap\n");
	assert_int_equal(NR(RTHEAP_IOC_BIND), 1);	/* the probe for a reason */
	fail_cmd(RTHEAP_IOC_BIND, EACCES);
	assert_int_equal(heapctl("info hidden"), 1);
	assert_string_equal(err_buf, "heapctl: info \"hidden\": permission denied\n");
	fail_cmd(0, 0);

	assert_int_equal(heapctl("watch app --count 3 --interval 0"), 0);
	assert_int_equal(count_lines(out_buf), 4);
	assert_contains(out_buf, "USED");
	assert_contains(out_buf, "2.1K");
	assert_int_equal(heapctl("watch app -n 2 -i 0.01 --json"), 0);
	assert_int_equal(count_lines(out_buf), 2);
	assert_contains(out_buf, "\"name\":\"app\"");
	assert_int_equal(heapctl("watch nosuch --count 2 --interval 0"), 1);
	assert_string_equal(err_buf, "heapctl: watch \"nosuch\": no such heap\n");

	assert_int_equal(fake_open_files(), 1);	/* only the test's own */
	assert_int_equal(rt_heap_delete(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_null_descriptor),
		T(test_never_created),
		T(test_after_delete),
		T(test_after_unbind),
		T(test_unbind_creator),
		T(test_create_args),
		T(test_create_passes_args),
		T(test_create_anonymous),
		T(test_create_errors),
		T(test_no_device),
		T(test_handshake),
		T(test_bad_map_size),
		T(test_create_fault_injection),
		T(test_bind_fault_injection),
		T(test_bind_timed),
		T(test_bind_errors),
		T(test_bind_waits_for_create),
		T(test_bind_eintr_no_restart),
		T(test_delete_errors),
		T(test_delete_close_fails),
		T(test_alloc_free),
		T(test_alloc_args),
		T(test_alloc_until),
		T(test_alloc_errors),
		T(test_free_validation),
		T(test_shared),
		T(test_inquire),
		T(test_block_offsets),
		T(test_list),
		T(test_list_fault_injection),
		T(test_threads),
		T(test_heapctl_usage),
		T(test_heapctl_no_module),
		T(test_heapctl_create_list_delete),
		T(test_heapctl_info_watch),
#undef T
	};

	return cmocka_run_group_tests_name("libheap", tests, NULL, NULL);
}
