// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - /dev/rtheap: the ioctl ABI of include/uapi/rtheap/ioctl.h and
 * mmap() of heaps.
 *
 * One open file is attached to at most one heap, by CREATE or BIND; the
 * attachment holds a heap reference until the file is released.  A heap
 * created through a file without H_PERSIST is deleted when that file is
 * released.  Each mapping holds a reference of its own (vm_ops open and
 * close), so binders keep valid mappings after a delete, fork duplicates
 * them safely, and the memory goes with the last of all references.
 */
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "heap.h"
#include "heapmem.h"
#include "heapnames.h"
#include "registry.h"
#include "waitq.h"
#include "rtheap.h"

struct rtheap_file {
	struct mutex lock;		/* serialises attaching */
	struct rtheap *heap;		/* set once: smp_store_release */
	bool creator;			/* heap created through this file */
};

/* An ioctl's argument, copied in and out by the dispatcher. */
struct rtheap_ioc {
	union {
		struct rtheap_version version;
		struct rtheap_create_arg create;
		struct rtheap_bind bind;
		struct rtheap_delete del;
		struct rtheap_alloc alloc;
		struct rtheap_free free;
		struct rtheap_inquire inquire;
		struct rtheap_list list;
		struct rtheap_delete_name delete_name;
		struct rtheap_alloc_bulk alloc_bulk;
		struct rtheap_free_bulk free_bulk;
		struct rtheap_pagemap pagemap;
	} u;
	struct rtheap *made;		/* create and bind, for ->finish */
};

/*
 * An ioctl: its handler gets a kernel copy of the argument, whose reserved
 * field the dispatcher has found zero.  With RTHEAP_IOCTL_OUT the argument
 * is copied back after the handler succeeded (RTHEAP_IOCTL_OUT_OFFSET: the
 * block's offset alone); a handler with ->finish then learns whether that
 * worked, to keep or undo what it did (create and bind return holding
 * f->lock and the heap in ->made; alloc its block).
 */
struct rtheap_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct rtheap_file *f, struct rtheap_ioc *c);
	void (*finish)(struct rtheap_file *f, struct rtheap_ioc *c,
		       bool copied);
	unsigned short reserved;	/* the zero field's offset in ->u */
	unsigned short reserved_size;	/* its size; 0: none */
	unsigned int flags;		/* RTHEAP_IOCTL_* */
};

/* Copy the argument back. */
#define RTHEAP_IOCTL_OUT		BIT(0)
/* Copy back only struct rtheap_alloc's __u64 .offset, its one output. */
#define RTHEAP_IOCTL_OUT_OFFSET		BIT(1)

static struct rtheap *rtheap_file_heap(struct rtheap_file *f)
{
	/* Pairs with the store-release that attaches: see a set-up heap. */
	return smp_load_acquire(&f->heap);
}

/* A name from user space: NUL within RTHEAP_NAMELEN, else too long. */
static int rtheap_user_name(const char *name)
{
	if (!memchr(name, '\0', RTHEAP_NAMELEN))
		return -ENAMETOOLONG;
	return rtreg_check_name(name);
}

static int rtheap_ioc_version(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap_version *v = &c->u.version;
	unsigned int i;

	v->abi_version = RTHEAP_ABI_VERSION;
	v->features = RTHEAP_FEAT_PRIO | RTHEAP_FEAT_SHARED |
		      RTHEAP_FEAT_ABS_TIMEOUT | RTHEAP_FEAT_LIST |
		      RTHEAP_FEAT_DELETE_NAME | RTHEAP_FEAT_DMA |
		      RTHEAP_FEAT_DMA32 | RTHEAP_FEAT_PHYS_ADDR |
		      RTHEAP_FEAT_BIND_OWNER | RTHEAP_FEAT_BULK |
		      RTHEAP_FEAT_FREE_OFF | RTHEAP_FEAT_MAP |
		      RTHEAP_FEAT_STATUS_PAGE | RTHEAP_FEAT_ALLOC_NB |
		      RTHEAP_FEAT_CLASS_MAP;
	if (rtheap_modes() & H_NONCACHED)
		v->features |= RTHEAP_FEAT_NONCACHED;
	v->max_heaps = READ_ONCE(rtheap_max_heaps);
	v->page_size = PAGE_SIZE;
	v->max_bytes = READ_ONCE(rtheap_max_bytes);
	v->nr_classes = rtheap_nr_classes();
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		v->class_size[i] = rtheap_class_size(i);
	return 0;
}

/*
 * H_DMA, H_DMA32 and H_NONCACHED from user space need CAP_SYS_RAWIO: an
 * uncached heap splits the kernel's direct map for good and interrupts
 * every CPU, isolated ones included, at create and at free, and all three
 * give a process physically contiguous (or uncached) memory in its
 * address space.  group_rawio lets every opener of the device have them.
 */
static bool rtheap_group_rawio;
module_param_named(group_rawio, rtheap_group_rawio, bool, 0644);
MODULE_PARM_DESC(group_rawio,
		 "Let every opener of /dev/rtheap create H_DMA, H_DMA32 and H_NONCACHED heaps (default N: CAP_SYS_RAWIO only)");

#define RTHEAP_RAWIO_MODES	(H_DMA | H_DMA32 | H_NONCACHED)

/* Succeeds holding f->lock, which rtheap_file_attach() releases. */
static int rtheap_ioc_create(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap_create *in = &c->u.create.in;
	struct rtheap_params p = { };
	int ret;

	if ((in->flags & ~RTHEAP_CREATE_FLAGS) ||
	    (in->mode & ~RTHEAP_MODE_MASK))
		return -EINVAL;
	if (in->mode & ~rtheap_modes())
		return -EOPNOTSUPP;
	if (!(in->flags & RTHEAP_CREATE_PERM) && in->perm)
		return -EINVAL;
	if (!(in->flags & RTHEAP_CREATE_GID) && in->gid)
		return -EINVAL;
	ret = rtheap_user_name(in->name);
	if (ret < 0)
		return ret;
	/* Nobody could ever reach, let alone delete, a nameless survivor. */
	if (!ret && (in->mode & H_PERSIST))
		return -EINVAL;
	if ((in->mode & RTHEAP_RAWIO_MODES) && !READ_ONCE(rtheap_group_rawio) &&
	    !capable(CAP_SYS_RAWIO))
		return -EPERM;

	p.name = in->name;
	p.size = in->size;
	p.mode = in->mode;
	p.uid = current_fsuid();
	p.gid = current_fsgid();
	p.perm = 0600;
	if (in->flags & RTHEAP_CREATE_PERM) {
		if (in->perm & ~0777)
			return -EINVAL;
		p.perm = in->perm;
	}
	if (in->flags & RTHEAP_CREATE_GID) {
		p.gid = make_kgid(current_user_ns(), in->gid);
		if (!gid_valid(p.gid))
			return -EINVAL;
		if (!in_group_p(p.gid) && !capable(CAP_IPC_OWNER) &&
		    !capable(CAP_CHOWN))
			return -EPERM;
	}

	mutex_lock(&f->lock);
	ret = -EBUSY;
	if (f->heap)
		goto unlock;
	ret = rtheap_create(&p, &c->made);
	if (ret)
		goto unlock;
	rtheap_fill_attach(c->made, &c->u.create.out);
	return 0;
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

/* Succeeds holding f->lock, which rtheap_file_attach() releases. */
static int rtheap_ioc_bind(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap_bind *b = &c->u.bind;
	struct rtheap_tmo t;
	struct rtheap *h;
	int ret;

	if ((b->flags & ~(RTHEAP_TIMEOUT_ABS | RTHEAP_BIND_OWNER)) || b->pad)
		return -EINVAL;
	ret = rtheap_user_name(b->name);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EINVAL;
	if (rtheap_file_heap(f))
		return -EBUSY;

	rtheap_tmo_init(&t, b->timeout, b->flags & RTHEAP_TIMEOUT_ABS);
	ret = rtheap_bind(b->name, &t, &h);
	if (ret)
		return ret;
	if (!rtheap_permitted(h, MAY_READ | MAY_WRITE) ||
	    ((b->flags & RTHEAP_BIND_OWNER) && !rtheap_trusted_owner(h))) {
		ret = -EACCES;
		goto put;
	}

	mutex_lock(&f->lock);
	ret = -EBUSY;
	if (f->heap)
		goto unlock;
	rtheap_fill_attach(h, &b->out);
	c->made = h;
	return 0;
unlock:
	mutex_unlock(&f->lock);
put:
	rtheap_put(h);
	return ret;
}

/*
 * Attach the heap of a create or a bind once the caller has learnt of it;
 * if it could not, give the heap back (a new one is deleted) and stay
 * unattached.
 */
static void rtheap_file_attach(struct rtheap_file *f, struct rtheap *h,
			       bool creator, bool copied)
	__releases(&f->lock)
{
	if (copied) {
		rtheap_attach(h);
		f->creator = creator;
		/* Publish: pairs with smp_load_acquire() in rtheap_file_heap(). */
		smp_store_release(&f->heap, h);
	} else {
		if (creator)
			rtheap_delete(h);
		rtheap_put(h);
	}
	__release(&f->lock);	/* for sparse: mutexes are not annotated */
	mutex_unlock(&f->lock);
}

static void rtheap_ioc_create_finish(struct rtheap_file *f,
				     struct rtheap_ioc *c, bool copied)
	__releases(&f->lock)
{
	rtheap_file_attach(f, c->made, true, copied);
}

static void rtheap_ioc_bind_finish(struct rtheap_file *f,
				   struct rtheap_ioc *c, bool copied)
	__releases(&f->lock)
{
	rtheap_file_attach(f, c->made, false, copied);
}

static int rtheap_ioc_delete(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);

	if (!h)
		return -EINVAL;
	return rtheap_user_delete(h);
}

static int rtheap_ioc_delete_name(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap_tmo t;
	struct rtheap *h;
	int ret;

	ret = rtheap_user_name(c->u.delete_name.name);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EINVAL;
	rtheap_tmo_init(&t, RTHEAP_TM_NONBLOCK, false);
	ret = rtheap_bind(c->u.delete_name.name, &t, &h);
	if (ret)
		return ret == -EWOULDBLOCK ? -ENOENT : ret;
	ret = rtheap_user_delete(h);
	rtheap_put(h);
	return ret;
}

static int rtheap_ioc_alloc(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_alloc *a = &c->u.alloc;
	struct rtheap_tmo t;
	size_t off;
	int ret;

	/* A 32-bit kernel's size_t cannot hold every __u64: refused, not cut. */
	if ((a->flags & ~RTHEAP_TIMEOUT_ABS) || a->pad || !h ||
	    a->size > SIZE_MAX)
		return -EINVAL;
	rtheap_tmo_init(&t, a->timeout, a->flags & RTHEAP_TIMEOUT_ABS);
	ret = rtheap_alloc(h, a->size, &t, true, &off);
	if (!ret)
		a->offset = off;
	return ret;
}

/* A block the caller never learnt of goes back. */
static void rtheap_ioc_alloc_finish(struct rtheap_file *f,
				    struct rtheap_ioc *c, bool copied)
{
	if (!copied)
		rtheap_free(rtheap_file_heap(f), c->u.alloc.offset);
}

static int rtheap_ioc_free(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);

	if (!h || c->u.free.offset > SIZE_MAX)
		return -EINVAL;
	return rtheap_free(h, c->u.free.offset);
}

/* RTHEAP_IOC_FREE_OFF: the argument is the offset; nothing to copy. */
static int rtheap_ioc_free_off(struct rtheap_file *f, unsigned long off)
{
	struct rtheap *h = rtheap_file_heap(f);

	if (!h)
		return -EINVAL;
	return rtheap_free(h, off);
}

/* RTHEAP_IOC_ALLOC_NB: the argument is the size (rtheap_alloc_nb()). */
static long rtheap_ioc_alloc_nb(struct rtheap_file *f, unsigned long size)
{
	struct rtheap *h = rtheap_file_heap(f);

	if (!h)
		return -EINVAL;
	return rtheap_alloc_nb(h, size);
}

/*
 * The offsets go out through the user's array, not the argument: a block
 * the caller cannot learn of goes back.  At most RTHEAP_BULK_MAX of them,
 * so the buffer lives on the stack.
 */
static int rtheap_ioc_alloc_bulk(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_alloc_bulk *a = &c->u.alloc_bulk;
	u64 offs[RTHEAP_BULK_MAX];
	int ret;

	if (a->flags || !h || !a->count || a->count > RTHEAP_BULK_MAX ||
	    a->size > SIZE_MAX)
		return -EINVAL;
	if (!a->offsets)
		return -EFAULT;
	ret = rtheap_alloc_bulk(h, a->size, a->count, offs);
	if (ret)
		return ret;
	if (copy_to_user(u64_to_user_ptr(a->offsets), offs,
			 a->count * sizeof(offs[0]))) {
		rtheap_free_bulk(h, a->count, offs, NULL);
		return -EFAULT;
	}
	return 0;
}

/*
 * Returns how many blocks were not freed.  The results array is written
 * once before anything is freed, so an address that cannot take them
 * fails with nothing freed.
 */
static int rtheap_ioc_free_bulk(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_free_bulk *fb = &c->u.free_bulk;
	s32 __user *ures = u64_to_user_ptr(fb->results);
	u64 offs[RTHEAP_BULK_MAX];
	s32 res[RTHEAP_BULK_MAX];
	int ret;

	if (fb->pad || !h || !fb->count || fb->count > RTHEAP_BULK_MAX)
		return -EINVAL;
	if (!fb->offsets ||
	    copy_from_user(offs, u64_to_user_ptr(fb->offsets),
			   fb->count * sizeof(offs[0])))
		return -EFAULT;
	if (ures && clear_user(ures, fb->count * sizeof(res[0])))
		return -EFAULT;
	ret = rtheap_free_bulk(h, fb->count, offs, res);
	if (ret < 0)
		return ret;
	/* Only a racing munmap() of the array fails here: blocks are freed. */
	if (ures && copy_to_user(ures, res, fb->count * sizeof(res[0])))
		return -EFAULT;
	return ret;
}

static int rtheap_ioc_inquire(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);

	if (!h)
		return -EINVAL;
	if (rtheap_deleted(h))
		return -EIDRM;
	rtheap_fill_info(h, &c->u.inquire.info, current_user_ns(),
			 rtheap_phys_visible(h));
	return 0;
}

/*
 * A part of the page map: the kernel's maximum of ranges at most, built in
 * a kernel buffer and copied out whole.  A range array the caller cannot
 * take fails the call with -EFAULT, the heap untouched.
 */
static int rtheap_ioc_pagemap(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_pagemap *pm = &c->u.pagemap;
	struct rtheap_range *buf;
	unsigned int max;
	u32 next, npages;
	int n, ret = 0;

	if (!h || pm->pad || !pm->capacity)
		return -EINVAL;
	max = min_t(u32, pm->capacity, RTHEAP_PAGEMAP_MAX);
	buf = kmalloc_array(max, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = rtheap_page_map(h, pm->first, buf, max, &next, &npages);
	if (n < 0) {
		ret = n;
		goto out;
	}
	if (n && copy_to_user(u64_to_user_ptr(pm->ranges), buf,
			      (size_t)n * sizeof(*buf))) {
		ret = -EFAULT;
		goto out;
	}
	pm->count = n;
	pm->next = next;
	pm->npages = npages;
out:
	kfree(buf);
	return ret;
}

/* LIST: one struct rtheap_info per heap, as many as the buffer holds. */
static int rtheap_ioc_list(struct rtheap_file *f, struct rtheap_ioc *c)
{
	struct rtheap_list *l = &c->u.list;
	struct rtheap_info *buf = NULL;
	struct rtheap_iter it;
	struct rtheap *h;
	u32 count = 0, n;
	int ret = 0;

	n = min(l->capacity, rtheap_iter_start(&it));
	if (n) {
		buf = kvmalloc_array(n, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			rtheap_iter_stop(&it);
			return -ENOMEM;
		}
	}
	while ((h = rtheap_iter_next(&it))) {
		if (count < n)
			rtheap_fill_info(h, &buf[count], current_user_ns(),
					 rtheap_phys_visible(h));
		count++;
	}
	rtheap_iter_stop(&it);

	if (n && copy_to_user(u64_to_user_ptr(l->buf), buf,
			      (size_t)min(count, n) * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	l->count = count;
	return ret;
}

/*
 * One entry of rtheap_ioctls[], at index _IOC_NR(RTHEAP_IOC_<ioctl>): the
 * command, the structure its argument starts with, whose ->reserved field
 * must be zero, its handler and ->finish (or NULL), and RTHEAP_IOCTL_*
 * flags.
 */
#define RTHEAP_IOCTL_DEF(ioctl, argtype, func, fin, fl)			\
	[_IOC_NR(RTHEAP_IOC_##ioctl)] = {				\
		.cmd = RTHEAP_IOC_##ioctl,				\
		.fn = func,						\
		.finish = fin,						\
		.reserved = offsetof(argtype, reserved),		\
		.reserved_size = sizeof_field(argtype, reserved),	\
		.flags = fl,						\
	}

/* RTHEAP_IOC_CREATE's argument starts with its input, struct rtheap_create. */
static_assert(offsetof(struct rtheap_create_arg, in) == 0);

/* Indexed by _IOC_NR(); the whole command must match the entry. */
static const struct rtheap_ioctl_desc rtheap_ioctls[] = {
	RTHEAP_IOCTL_DEF(CREATE, struct rtheap_create, rtheap_ioc_create,
			 rtheap_ioc_create_finish, RTHEAP_IOCTL_OUT),
	RTHEAP_IOCTL_DEF(BIND, struct rtheap_bind, rtheap_ioc_bind,
			 rtheap_ioc_bind_finish, RTHEAP_IOCTL_OUT),
	RTHEAP_IOCTL_DEF(DELETE, struct rtheap_delete, rtheap_ioc_delete,
			 NULL, 0),
	RTHEAP_IOCTL_DEF(ALLOC, struct rtheap_alloc, rtheap_ioc_alloc,
			 rtheap_ioc_alloc_finish, RTHEAP_IOCTL_OUT_OFFSET),
	RTHEAP_IOCTL_DEF(FREE, struct rtheap_free, rtheap_ioc_free, NULL, 0),
	RTHEAP_IOCTL_DEF(DELETE_NAME, struct rtheap_delete_name,
			 rtheap_ioc_delete_name, NULL, 0),
	RTHEAP_IOCTL_DEF(VERSION, struct rtheap_version, rtheap_ioc_version,
			 NULL, RTHEAP_IOCTL_OUT),
	RTHEAP_IOCTL_DEF(INQUIRE, struct rtheap_inquire, rtheap_ioc_inquire,
			 NULL, RTHEAP_IOCTL_OUT),
	RTHEAP_IOCTL_DEF(LIST, struct rtheap_list, rtheap_ioc_list, NULL,
			 RTHEAP_IOCTL_OUT),
	RTHEAP_IOCTL_DEF(ALLOC_BULK, struct rtheap_alloc_bulk,
			 rtheap_ioc_alloc_bulk, NULL, 0),
	RTHEAP_IOCTL_DEF(FREE_BULK, struct rtheap_free_bulk,
			 rtheap_ioc_free_bulk, NULL, 0),
	RTHEAP_IOCTL_DEF(PAGEMAP, struct rtheap_pagemap, rtheap_ioc_pagemap,
			 NULL, RTHEAP_IOCTL_OUT),
};

/*
 * The commands whose argument is a structure: copied in (the kernel's
 * stack buffer, zeroed by INIT_STACK_ALL_ZERO kernels, is this
 * function's alone), checked, handled, copied out.
 */
static noinline long rtheap_ioctl_arg(struct rtheap_file *f, unsigned int cmd,
				      void __user *uarg)
{
	const struct rtheap_ioctl_desc *d;
	unsigned int nr = _IOC_NR(cmd);
	size_t size = _IOC_SIZE(cmd);
	struct rtheap_ioc c;
	bool copied;
	int ret;

	if (_IOC_TYPE(cmd) != RTHEAP_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(rtheap_ioctls))
		return -ENOTTY;
	d = &rtheap_ioctls[array_index_nospec(nr, ARRAY_SIZE(rtheap_ioctls))];
	if (!d->fn || d->cmd != cmd)
		return -ENOTTY;
	if (WARN_ON_ONCE(size > sizeof(c.u)))
		return -ENOTTY;

	c.made = NULL;
	if (size && copy_from_user(&c.u, uarg, size))
		return -EFAULT;
	if (d->reserved_size &&
	    memchr_inv((char *)&c.u + d->reserved, 0, d->reserved_size))
		return -EINVAL;
	ret = d->fn(f, &c);
	if (ret || !(d->flags & (RTHEAP_IOCTL_OUT | RTHEAP_IOCTL_OUT_OFFSET)))
		return ret;
	if (d->flags & RTHEAP_IOCTL_OUT_OFFSET)
		copied = !put_user(c.u.alloc.offset,
				   &((struct rtheap_alloc __user *)uarg)->offset);
	else
		copied = !copy_to_user(uarg, &c.u, size);
	if (d->finish)
		d->finish(f, &c, copied);
	return copied ? 0 : -EFAULT;
}

/* The commands by value, the fast paths, need no buffer at all. */
static long rtheap_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct rtheap_file *f = file->private_data;

	switch (cmd) {
	case RTHEAP_IOC_FREE_OFF:
		return rtheap_ioc_free_off(f, arg);
	case RTHEAP_IOC_ALLOC_NB:
		return rtheap_ioc_alloc_nb(f, arg);
	case RTHEAP_IOC_NOP:
		return 0;
	}
	return rtheap_ioctl_arg(f, cmd, (void __user *)arg);
}

#ifdef CONFIG_COMPAT
/*
 * A 32-bit process: the commands by value take a number, which must reach
 * them unchanged (compat_ptr() would clear bit 31 on s390); every other
 * command's argument is a pointer.
 */
static long rtheap_compat_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	switch (cmd) {
	case RTHEAP_IOC_FREE_OFF:
	case RTHEAP_IOC_ALLOC_NB:
	case RTHEAP_IOC_NOP:
		return rtheap_ioctl(file, cmd, arg);
	}
	return compat_ptr_ioctl(file, cmd, arg);
}
#else
#define rtheap_compat_ioctl NULL
#endif

static int rtheap_mmap_file(struct file *file, struct vm_area_struct *vma)
{
	struct rtheap *h = rtheap_file_heap(file->private_data);

	if (!h)
		return -EINVAL;
	return rtheap_mmap(h, vma);
}

static int rtheap_open(struct inode *inode, struct file *file)
{
	struct rtheap_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int rtheap_file_release(struct inode *inode, struct file *file)
{
	struct rtheap_file *f = file->private_data;

	if (f->heap)
		rtheap_detach(f->heap, f->creator);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations rtheap_fops = {
	.owner = THIS_MODULE,
	.open = rtheap_open,
	.release = rtheap_file_release,
	.unlocked_ioctl = rtheap_ioctl,
	.compat_ioctl = rtheap_compat_ioctl,
	.mmap = rtheap_mmap_file,
	.llseek = no_llseek,
};

/*
 * Who may open /dev/rtheap at all: root and, through the udev rule that
 * gives the node to group rtheap, that group's members.  Each heap then
 * has its own owner, group and permission bits.
 */
static ushort rtheap_dev_mode = 0660;
module_param_named(dev_mode, rtheap_dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Mode of /dev/rtheap (default 0660: root and, by the udev rule, group rtheap)");

static struct miscdevice rtheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rtheap",
	.fops = &rtheap_fops,
};

int rtheap_chardev_init(void)
{
	if (rtheap_dev_mode & ~0666) {
		pr_err("rtheap: dev_mode %#o: only read and write bits\n",
		       rtheap_dev_mode);
		return -EINVAL;
	}
	rtheap_misc.mode = rtheap_dev_mode;
	return misc_register(&rtheap_misc);
}

void rtheap_chardev_exit(void)
{
	misc_deregister(&rtheap_misc);
}
