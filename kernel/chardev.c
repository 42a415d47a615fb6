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
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "heap.h"
#include "rtheap.h"

struct rtheap_file {
	struct mutex lock;		/* serialises attaching */
	struct rtheap *heap;		/* set once: smp_store_release */
	bool creator;			/* heap created through this file */
};

static struct rtheap *rtheap_file_heap(struct rtheap_file *f)
{
	/* Pairs with the store-release that attaches: see a set-up heap. */
	return smp_load_acquire(&f->heap);
}

static bool rtheap_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* A name from user space: NUL within RTHEAP_NAMELEN, else too long. */
static int rtheap_user_name(const char *name)
{
	if (!memchr(name, '\0', RTHEAP_NAMELEN))
		return -ENAMETOOLONG;
	return rtreg_check_name(name);
}

static void rtheap_fill_attach(struct rtheap *h, struct rtheap_attach *at)
{
	memset(at, 0, sizeof(*at));
	at->id = h->reg.id;
	at->mode = h->mode;
	at->map_size = rtheap_map_size(h);
	at->heap_size = h->heap_size;
}

static int rtheap_ioc_version(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap_version v;

	if (copy_from_user(&v, uarg, sizeof(v)))
		return -EFAULT;
	if (!rtheap_zero(v.reserved, sizeof(v.reserved)))
		return -EINVAL;
	v.abi_version = RTHEAP_ABI_VERSION;
	v.features = RTHEAP_FEAT_PRIO | RTHEAP_FEAT_SHARED |
		     RTHEAP_FEAT_ABS_TIMEOUT | RTHEAP_FEAT_LIST |
		     RTHEAP_FEAT_DELETE_NAME;
	v.max_heaps = READ_ONCE(rtheap_max_heaps);
	v.page_size = PAGE_SIZE;
	v.max_bytes = READ_ONCE(rtheap_max_bytes);
	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int rtheap_ioc_create(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap_create_arg a;
	struct rtheap_params p = { };
	struct rtheap *h;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!rtheap_zero(a.in.reserved, sizeof(a.in.reserved)) ||
	    (a.in.flags & ~RTHEAP_CREATE_FLAGS) ||
	    (a.in.mode & ~RTHEAP_MODE_MASK))
		return -EINVAL;
	if (!(a.in.flags & RTHEAP_CREATE_PERM) && a.in.perm)
		return -EINVAL;
	if (!(a.in.flags & RTHEAP_CREATE_GID) && a.in.gid)
		return -EINVAL;
	ret = rtheap_user_name(a.in.name);
	if (ret < 0)
		return ret;
	/* Nobody could ever reach, let alone delete, a nameless survivor. */
	if (!ret && (a.in.mode & H_PERSIST))
		return -EINVAL;

	p.name = a.in.name;
	p.size = a.in.size;
	p.mode = a.in.mode;
	p.uid = current_fsuid();
	p.gid = current_fsgid();
	p.perm = 0600;
	if (a.in.flags & RTHEAP_CREATE_PERM) {
		if (a.in.perm & ~0777)
			return -EINVAL;
		p.perm = a.in.perm;
	}
	if (a.in.flags & RTHEAP_CREATE_GID) {
		p.gid = make_kgid(current_user_ns(), a.in.gid);
		if (!gid_valid(p.gid))
			return -EINVAL;
		if (!in_group_p(p.gid) && !capable(CAP_IPC_OWNER) &&
		    !capable(CAP_CHOWN))
			return -EPERM;
	}

	mutex_lock(&f->lock);
	ret = -EBUSY;
	if (f->heap)
		goto out;
	ret = rtheap_create(&p, &h);
	if (ret)
		goto out;
	rtheap_fill_attach(h, &a.out);
	if (copy_to_user(uarg, &a, sizeof(a))) {
		rtheap_delete(h);
		rtheap_put(h);
		ret = -EFAULT;
		goto out;
	}
	/* rtheap_create()'s reference for us becomes the file's. */
	atomic_inc(&h->nbound);
	f->creator = true;
	/* Publish: pairs with smp_load_acquire() in rtheap_file_heap(). */
	smp_store_release(&f->heap, h);
	ret = 0;
out:
	mutex_unlock(&f->lock);
	return ret;
}

static int rtheap_ioc_bind(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap_bind b;
	struct rtheap_tmo t;
	struct rtheap *h;
	int ret;

	if (copy_from_user(&b, uarg, sizeof(b)))
		return -EFAULT;
	if ((b.flags & ~RTHEAP_TIMEOUT_ABS) || b.pad ||
	    !rtheap_zero(b.reserved, sizeof(b.reserved)))
		return -EINVAL;
	ret = rtheap_user_name(b.name);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EINVAL;
	if (rtheap_file_heap(f))
		return -EBUSY;

	rtheap_tmo_init(&t, b.timeout, b.flags & RTHEAP_TIMEOUT_ABS);
	ret = rtheap_bind(b.name, &t, &h);
	if (ret)
		return ret;
	if (!rtheap_permitted(h, MAY_READ | MAY_WRITE)) {
		ret = -EACCES;
		goto put;
	}

	mutex_lock(&f->lock);
	ret = -EBUSY;
	if (f->heap)
		goto unlock;
	rtheap_fill_attach(h, &b.out);
	ret = -EFAULT;
	if (copy_to_user(uarg, &b, sizeof(b)))
		goto unlock;
	atomic_inc(&h->nbound);
	/* Publish, with our reference: pairs with rtheap_file_heap(). */
	smp_store_release(&f->heap, h);
	mutex_unlock(&f->lock);
	return 0;
unlock:
	mutex_unlock(&f->lock);
put:
	rtheap_put(h);
	return ret;
}

static int rtheap_ioc_delete(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_delete d;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (!rtheap_zero(d.reserved, sizeof(d.reserved)) || !h)
		return -EINVAL;
	if (rtheap_deleted(h))
		return -EIDRM;
	/* Kernel heaps live until kernel code deletes them. */
	if (h->kernel || !rtheap_is_owner(h))
		return -EPERM;
	return rtheap_delete(h);
}

static int rtheap_ioc_delete_name(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap_delete_name d;
	struct rtheap_tmo t;
	struct rtheap *h;
	int ret;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (!rtheap_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	ret = rtheap_user_name(d.name);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EINVAL;
	rtheap_tmo_init(&t, RTHEAP_TM_NONBLOCK, false);
	ret = rtheap_bind(d.name, &t, &h);
	if (ret)
		return ret == -EWOULDBLOCK ? -ENOENT : ret;
	/* As for RTHEAP_IOC_DELETE: ownership decides, not the mode bits. */
	if (h->kernel || !rtheap_is_owner(h))
		ret = -EPERM;
	else
		ret = rtheap_delete(h);
	rtheap_put(h);
	return ret;
}

static int rtheap_ioc_alloc(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_alloc a;
	struct rtheap_tmo t;
	size_t off;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~RTHEAP_TIMEOUT_ABS) || a.pad ||
	    !rtheap_zero(a.reserved, sizeof(a.reserved)) || !h)
		return -EINVAL;
	rtheap_tmo_init(&t, a.timeout, a.flags & RTHEAP_TIMEOUT_ABS);
	ret = rtheap_alloc(h, a.size, &t, true, &off);
	if (ret)
		return ret;
	a.offset = off;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		rtheap_free(h, off);
		return -EFAULT;
	}
	return 0;
}

static int rtheap_ioc_free(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_free a;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!rtheap_zero(a.reserved, sizeof(a.reserved)) || !h)
		return -EINVAL;
	return rtheap_free(h, a.offset);
}

static int rtheap_ioc_inquire(struct rtheap_file *f, void __user *uarg)
{
	struct rtheap *h = rtheap_file_heap(f);
	struct rtheap_inquire q;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (!rtheap_zero(q.reserved, sizeof(q.reserved)) || !h)
		return -EINVAL;
	if (rtheap_deleted(h))
		return -EIDRM;
	rtheap_fill_info(h, &q.info, current_user_ns());
	return copy_to_user(uarg, &q, sizeof(q)) ? -EFAULT : 0;
}

static int rtheap_ioc_list(struct rtheap_file *f, void __user *uarg)
{
	bool ipc_owner = rtheap_list_privileged();
	struct rtheap_info *buf = NULL;
	struct rtreg_entry *e;
	struct rtheap_list l;
	u32 count = 0, n;
	int ret = 0;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	if (!rtheap_zero(l.reserved, sizeof(l.reserved)))
		return -EINVAL;

	mutex_lock(&rtheap_registry.lock);
	n = min(l.capacity, rtheap_registry.count);
	if (n) {
		buf = kvmalloc_array(n, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			mutex_unlock(&rtheap_registry.lock);
			return -ENOMEM;
		}
	}
	list_for_each_entry(e, &rtheap_registry.all, all) {
		struct rtheap *h = rtheap_from_entry(e);

		if (!rtheap_visible(h, ipc_owner))
			continue;
		if (count < n)
			rtheap_fill_info(h, &buf[count], current_user_ns());
		count++;
	}
	mutex_unlock(&rtheap_registry.lock);

	if (n && copy_to_user(u64_to_user_ptr(l.buf), buf,
			      (size_t)min(count, n) * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	if (ret)
		return ret;
	l.count = count;
	return copy_to_user(uarg, &l, sizeof(l)) ? -EFAULT : 0;
}

static int rtheap_ioc_nop(struct rtheap_file *f, void __user *uarg)
{
	return 0;
}

struct rtheap_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct rtheap_file *f, void __user *uarg);
};

/* Indexed by _IOC_NR(); the whole command must match the entry. */
static const struct rtheap_ioctl_desc rtheap_ioctls[] = {
	[_IOC_NR(RTHEAP_IOC_VERSION)] = { RTHEAP_IOC_VERSION, rtheap_ioc_version },
	[_IOC_NR(RTHEAP_IOC_CREATE)] = { RTHEAP_IOC_CREATE, rtheap_ioc_create },
	[_IOC_NR(RTHEAP_IOC_BIND)] = { RTHEAP_IOC_BIND, rtheap_ioc_bind },
	[_IOC_NR(RTHEAP_IOC_DELETE)] = { RTHEAP_IOC_DELETE, rtheap_ioc_delete },
	[_IOC_NR(RTHEAP_IOC_ALLOC)] = { RTHEAP_IOC_ALLOC, rtheap_ioc_alloc },
	[_IOC_NR(RTHEAP_IOC_FREE)] = { RTHEAP_IOC_FREE, rtheap_ioc_free },
	[_IOC_NR(RTHEAP_IOC_INQUIRE)] = { RTHEAP_IOC_INQUIRE, rtheap_ioc_inquire },
	[_IOC_NR(RTHEAP_IOC_LIST)] = { RTHEAP_IOC_LIST, rtheap_ioc_list },
	[_IOC_NR(RTHEAP_IOC_NOP)] = { RTHEAP_IOC_NOP, rtheap_ioc_nop },
	[_IOC_NR(RTHEAP_IOC_DELETE_NAME)] = { RTHEAP_IOC_DELETE_NAME, rtheap_ioc_delete_name },
};

static long rtheap_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	const struct rtheap_ioctl_desc *d;
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != RTHEAP_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(rtheap_ioctls))
		return -ENOTTY;
	d = &rtheap_ioctls[array_index_nospec(nr, ARRAY_SIZE(rtheap_ioctls))];
	if (!d->fn || d->cmd != cmd)
		return -ENOTTY;
	return d->fn(file->private_data, (void __user *)arg);
}

static void rtheap_vm_open(struct vm_area_struct *vma)
{
	struct rtheap *h = vma->vm_private_data;

	rtheap_get(h);
	atomic_inc(&h->nmaps);
}

static void rtheap_vm_close(struct vm_area_struct *vma)
{
	struct rtheap *h = vma->vm_private_data;

	atomic_dec(&h->nmaps);
	rtheap_put(h);
}

/*
 * Every page is inserted at mmap() time (no page faults for real-time
 * tasks on first touch); this only refills what madvise(MADV_DONTNEED)
 * or the like zapped.
 */
static vm_fault_t rtheap_vm_fault(struct vm_fault *vmf)
{
	struct rtheap *h = vmf->vma->vm_private_data;

	if (vmf->pgoff >= h->npages)
		return VM_FAULT_SIGBUS;
	vmf->page = h->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct rtheap_vm_ops = {
	.open = rtheap_vm_open,
	.close = rtheap_vm_close,
	.fault = rtheap_vm_fault,
};

static int rtheap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rtheap_file *f = file->private_data;
	struct rtheap *h = rtheap_file_heap(f);
	int ret;

	if (!h)
		return -EINVAL;
	if (rtheap_deleted(h))
		return -EIDRM;
	/* VM_MAYSHARE: MAP_SHARED, also of a file opened read-only. */
	if (!(vma->vm_flags & VM_MAYSHARE) || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != rtheap_map_size(h))
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	ret = vm_map_pages(vma, h->pages, h->npages);
	if (ret)
		return ret;
	vma->vm_private_data = h;
	vma->vm_ops = &rtheap_vm_ops;
	rtheap_vm_open(vma);
	return 0;
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

static int rtheap_release(struct inode *inode, struct file *file)
{
	struct rtheap_file *f = file->private_data;
	struct rtheap *h = f->heap;

	if (h) {
		/* A heap dies with its creating file unless H_PERSIST. */
		if (f->creator && !(h->mode & H_PERSIST))
			rtheap_delete(h);
		atomic_dec(&h->nbound);
		rtheap_put(h);
	}
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations rtheap_fops = {
	.owner = THIS_MODULE,
	.open = rtheap_open,
	.release = rtheap_release,
	.unlocked_ioctl = rtheap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = rtheap_mmap,
	.llseek = no_llseek,
};

static struct miscdevice rtheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rtheap",
	.fops = &rtheap_fops,
	.mode = 0666,		/* heaps carry their own permission bits */
};

int rtheap_chardev_init(void)
{
	return misc_register(&rtheap_misc);
}

void rtheap_chardev_exit(void)
{
	misc_deregister(&rtheap_misc);
}
