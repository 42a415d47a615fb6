// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - the memory of a heap: struct rtheap_mem, its pages (order-0
 * pages, or one contiguous block for H_DMA and H_DMA32, uncached for
 * H_NONCACHED), their kernel mapping, the allocator core over them and
 * its metadata, the status page and the class map, their insertion into
 * user mappings, their description in uapi terms (usage, page map), and
 * the module's limits that all of it is charged against.
 *
 * The heap (heap.c) embeds a struct rtheap_mem, creates it with the heap
 * and destroys it with the heap's last reference; between the two its
 * pages are fixed, while the core and the status page's words change
 * under the heap's lock, which the heap holds around every call that
 * reads or changes them.  Creation and destruction sleep: process context
 * only.
 *
 * Limits: heaps are counted from create until their memory is freed, so
 * a deleted heap that is still mapped still counts, against the module's
 * max_heaps and max_bytes and, for a heap user space created, against its
 * creator's share (max_user_heaps, max_user_bytes) and less the kernel's
 * reserve, unless the creator holds CAP_SYS_RESOURCE.  rtheap_limits_lock
 * is a leaf.  A user creator's pages also count against its
 * RLIMIT_MEMLOCK, as pinned memory, with its locked memory
 * (rtheap_lock_vm()).
 *
 * Status page: a zeroed page of the heap's own (struct rtheap_status),
 * which any attached process may map read-only at offset map_size; the
 * wait queue mirrors its length there, and a delete sets its flag, both
 * under the heap's lock.  libheap's block cache reads it to free straight
 * to the kernel while tasks wait.  After it, at map_size + PAGE_SIZE, the
 * class map: a byte per page of the heap (1 + its bucket class, or 0),
 * written by the allocator core, by which the cache learns a block's true
 * class when it takes a free, whatever happened to the block elsewhere.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <rtheap/ioctl.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "alloc.h"
#include "compat.h"
#include "heapmem.h"

/* Pages rtheap_insert_pages() inserts between two rescheduling points. */
#define RTHEAP_MAP_BATCH	512

unsigned int rtheap_max_heaps = 256;
module_param_named(max_heaps, rtheap_max_heaps, uint, 0644);
MODULE_PARM_DESC(max_heaps,
		 "Most heaps that may exist at once, deleted ones still mapped included (default 256); over it create fails with -ENOMEM");

unsigned long long rtheap_max_bytes;
module_param_named(max_bytes, rtheap_max_bytes, ullong, 0644);
MODULE_PARM_DESC(max_bytes,
		 "Most bytes of heap memory, all heaps together (default: a quarter of RAM, set at load when 0); over it create fails with -ENOMEM");

static unsigned int rtheap_max_user_heaps = 64;
module_param_named(max_user_heaps, rtheap_max_user_heaps, uint, 0644);
MODULE_PARM_DESC(max_user_heaps,
		 "Most heaps one user may have created at once (default 64; CAP_SYS_RESOURCE: no limit); over it create fails with -ENOMEM");

static unsigned long long rtheap_max_user_bytes;
module_param_named(max_user_bytes, rtheap_max_user_bytes, ullong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Most bytes of heap memory one user may have created at once (default: half of max_bytes, set at load when 0; CAP_SYS_RESOURCE: no limit); over it create fails with -ENOMEM");

static unsigned long long rtheap_kernel_reserve;
module_param_named(kernel_reserve, rtheap_kernel_reserve, ullong, 0644);
MODULE_PARM_DESC(kernel_reserve,
		 "Bytes of max_bytes only kernel heaps and CAP_SYS_RESOURCE may take (default: an eighth of max_bytes, set at load when 0)");

static unsigned int rtheap_kernel_reserve_heaps = 16;
module_param_named(kernel_reserve_heaps, rtheap_kernel_reserve_heaps, uint, 0644);
MODULE_PARM_DESC(kernel_reserve_heaps,
		 "Heaps of max_heaps only kernel heaps and CAP_SYS_RESOURCE may take (default 16)");

static DEFINE_SPINLOCK(rtheap_limits_lock);
static unsigned int rtheap_nr_heaps;
static u64 rtheap_nr_bytes;
static DEFINE_HASHTABLE(rtheap_users, 5);

/* What the heaps created by one user take, counted from create to free. */
struct rtheap_user {
	struct hlist_node node;		/* in rtheap_users */
	kuid_t uid;
	unsigned int heaps;
	u64 bytes;
};

/**
 * rtheap_mem_limits_init() - the limits' defaults, from the machine's RAM
 *
 * At module load: max_bytes, max_user_bytes and kernel_reserve left 0 get
 * their defaults.
 */
void rtheap_mem_limits_init(void)
{
	if (!rtheap_max_bytes)
		rtheap_max_bytes = (u64)totalram_pages() << PAGE_SHIFT >> 2;
	if (!rtheap_max_user_bytes)
		rtheap_max_user_bytes = rtheap_max_bytes / 2;
	if (!rtheap_kernel_reserve)
		rtheap_kernel_reserve = rtheap_max_bytes / 8;
}

static struct rtheap_user *rtheap_user_find(kuid_t uid)
{
	struct rtheap_user *u;

	hash_for_each_possible(rtheap_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/*
 * Count a new heap of @bytes against the module's limits: all heaps, and
 * for a user creator (!@m->kernel) its user's share, less the kernel's
 * reserve unless @priv (CAP_SYS_RESOURCE).  -ENOMEM over any of them.
 */
static int rtheap_charge(struct rtheap_mem *m, u64 bytes, bool priv)
{
	struct rtheap_user *u, *nu = NULL;
	unsigned int max_heaps = READ_ONCE(rtheap_max_heaps);
	u64 max_bytes = READ_ONCE(rtheap_max_bytes);
	int ret = -ENOMEM;

	if (!m->kernel) {
		nu = kzalloc(sizeof(*nu), GFP_KERNEL_ACCOUNT);
		if (!nu)
			return -ENOMEM;
		if (!priv) {
			max_heaps -= min(max_heaps,
					 READ_ONCE(rtheap_kernel_reserve_heaps));
			max_bytes -= min(max_bytes,
					 READ_ONCE(rtheap_kernel_reserve));
		}
	}

	spin_lock(&rtheap_limits_lock);
	if (rtheap_nr_heaps >= max_heaps || bytes > max_bytes ||
	    rtheap_nr_bytes > max_bytes - bytes)
		goto out;
	if (!m->kernel) {
		u = rtheap_user_find(m->cuid);
		if (!priv && u &&
		    (u->heaps >= READ_ONCE(rtheap_max_user_heaps) ||
		     u->bytes + bytes > READ_ONCE(rtheap_max_user_bytes)))
			goto out;
		if (!priv && !u && bytes > READ_ONCE(rtheap_max_user_bytes))
			goto out;
		if (!u) {
			u = nu;
			nu = NULL;
			u->uid = m->cuid;
			hash_add(rtheap_users, &u->node, __kuid_val(u->uid));
		}
		u->heaps++;
		u->bytes += bytes;
	}
	rtheap_nr_heaps++;
	rtheap_nr_bytes += bytes;
	ret = 0;
out:
	spin_unlock(&rtheap_limits_lock);
	kfree(nu);
	return ret;
}

static void rtheap_uncharge(struct rtheap_mem *m, u64 bytes)
{
	struct rtheap_user *u = NULL;

	spin_lock(&rtheap_limits_lock);
	rtheap_nr_heaps--;
	rtheap_nr_bytes -= bytes;
	if (!m->kernel) {
		u = rtheap_user_find(m->cuid);
		if (!WARN_ON_ONCE(!u)) {
			u->heaps--;
			u->bytes -= bytes;
			if (u->heaps)
				u = NULL;
			else
				hash_del(&u->node);
		}
	}
	spin_unlock(&rtheap_limits_lock);
	kfree(u);
}

/*
 * Heap memory is pinned memory: a user creator's pages are added to its
 * process's pinned_vm (VmPin in /proc/PID/status), as the pages a driver
 * pins for a process are, and unless it has CAP_IPC_LOCK, pinned_vm and
 * locked_vm (mlock(), VmLck) together must stay within its
 * RLIMIT_MEMLOCK, so that heaps and mlock() cannot each take the whole
 * limit.  (The kernel's mlock() looks at locked_vm alone: memory locked
 * after the heaps may still pass it.)  Only the creator's process is
 * charged; binding and mapping charge nothing.  pinned_vm is an atomic
 * counter, so the release can give pages back from under any mmap_lock
 * (it may run in a vma's close).  -ENOMEM over the limit.
 */
static int rtheap_lock_vm(struct rtheap_mem *m)
{
	struct mm_struct *mm = current->mm;
	unsigned long limit;
	s64 pinned;

	if (m->kernel || !mm)
		return 0;
	pinned = atomic64_add_return(m->npages, &mm->pinned_vm);
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	if (pinned + READ_ONCE(mm->locked_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(m->npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	mmgrab(mm);
	m->mm = mm;
	return 0;
}

static void rtheap_unlock_vm(struct rtheap_mem *m)
{
	if (!m->mm)
		return;
	atomic64_sub(m->npages, &m->mm->pinned_vm);
	mmdrop(m->mm);
	m->mm = NULL;
}

/* Pages set_pages_array_uc() and _wb() convert between rescheduling points. */
#define RTHEAP_UC_BATCH		1024

/*
 * H_NONCACHED: the kernel's own mapping of the pages (the linear map) must
 * be uncached too, or the CPU sees one page through two memory types.
 * Only x86 can change it for a module; elsewhere H_NONCACHED is refused
 * at create (rtheap_modes()).  A contiguous heap (H_DMA, H_DMA32) is
 * converted as one range, so one TLB flush on every CPU; scattered pages
 * RTHEAP_UC_BATCH at a time, with a rescheduling point between batches.
 * Either way the direct map is split to 4 KiB pages around them and stays
 * so after the heap is gone.  Back to write-back on failure.
 */
static int rtheap_set_cached(struct rtheap_mem *m, bool cached)
{
#ifdef CONFIG_X86
	unsigned long va;
	u32 i, n;
	int ret;

	if (m->mode & (H_DMA | H_DMA32)) {
		va = (unsigned long)page_address(m->pages[0]);
		return cached ? set_memory_wb(va, m->npages) :
				set_memory_uc(va, m->npages);
	}
	for (i = 0; i < m->npages; i += n) {
		n = min_t(u32, m->npages - i, RTHEAP_UC_BATCH);
		if (cached) {
			set_pages_array_wb(m->pages + i, n);
		} else {
			ret = set_pages_array_uc(m->pages + i, n);
			if (ret) {
				while (i) {
					n = min_t(u32, i, RTHEAP_UC_BATCH);
					i -= n;
					set_pages_array_wb(m->pages + i, n);
					cond_resched();
				}
				return ret;
			}
		}
		cond_resched();
	}
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * rtheap_modes() - the H_* bits this kernel and machine can honour
 *
 * Return: RTHEAP_MODE_MASK, less H_NONCACHED where the kernel mapping of
 * a page cannot be made uncached from a module (rtheap_set_cached()).
 */
u32 rtheap_modes(void)
{
	u32 modes = RTHEAP_MODE_MASK;

	if (!IS_ENABLED(CONFIG_X86))
		modes &= ~H_NONCACHED;
	return modes;
}

/*
 * H_DMA and H_DMA32: one physically contiguous block from the page
 * allocator, split into order-0 pages.  As large as the allocator's largest
 * block (MAX_ORDER: 4 MiB with 4 KiB pages), if free memory is not too
 * fragmented; else -ENOMEM at once (no retries, no OOM killer, no warning).
 */
static int rtheap_alloc_contig(struct rtheap_mem *m)
{
	gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN |
		    __GFP_NORETRY;
	char *va;
	u32 i;

	if (m->mode & H_DMA32)
		gfp |= GFP_DMA32;
	va = alloc_pages_exact(rtheap_mem_size(m), gfp);
	if (!va)
		return -ENOMEM;
	for (i = 0; i < m->npages; i++) {
		m->pages[i] = virt_to_page(va + (size_t)i * PAGE_SIZE);
		if (!((i + 1) % RTHEAP_MAP_BATCH))
			cond_resched();
	}
	m->phys = virt_to_phys(va);
	return 0;
}

/* Mappings of the class map hold their own references to its pages. */
static void rtheap_free_cmap(struct rtheap_mem *m)
{
	u32 i;

	if (!m->cmap_pages)
		return;
	if (m->cmap)
		vunmap(m->cmap);
	m->cmap = NULL;
	for (i = 0; i < m->cmap_npages; i++)
		__free_page(m->cmap_pages[i]);
	kfree(m->cmap_pages);
	m->cmap_pages = NULL;
	m->cmap_npages = 0;
}

/* The class map's pages, vmapped for the core; 0 or -ENOMEM. */
static int rtheap_alloc_cmap(struct rtheap_mem *m)
{
	u32 n = DIV_ROUND_UP(m->npages, PAGE_SIZE), i;

	m->cmap_pages = kcalloc(n, sizeof(*m->cmap_pages), GFP_KERNEL_ACCOUNT);
	if (!m->cmap_pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		m->cmap_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					      __GFP_NOWARN |
					      __GFP_RETRY_MAYFAIL);
		if (!m->cmap_pages[i])
			goto fail;
	}
	m->cmap_npages = n;
	m->cmap = vmap(m->cmap_pages, n, VM_MAP, PAGE_KERNEL);
	if (!m->cmap)
		goto fail;
	rth_set_class_map(&m->core, m->cmap);
	return 0;
fail:
	m->cmap_npages = i;	/* the pages taken: what rtheap_free_cmap() frees */
	rtheap_free_cmap(m);
	return -ENOMEM;
}

/*
 * Give back the memory of a heap whose first npages pages were allocated:
 * all of them once rtheap_alloc_mem() succeeded, fewer when it fails.
 */
static void rtheap_free_mem(struct rtheap_mem *m, u32 npages)
{
	u32 i;

	rtheap_free_cmap(m);
	kvfree(m->meta);
	m->meta = NULL;
	if (m->vaddr)
		vunmap(m->vaddr);
	m->vaddr = NULL;
	if (m->uncached)
		rtheap_set_cached(m, true);
	m->uncached = false;
	for (i = 0; i < npages; i++) {
		__free_page(m->pages[i]);
		if (!(i & 1023))
			cond_resched();
	}
	kvfree(m->pages);
	m->pages = NULL;
}

/* Pages, their kernel mapping and the allocator core of a new heap. */
static int rtheap_alloc_mem(struct rtheap_mem *m)
{
	size_t meta_size;
	u32 i;
	int ret;

	/*
	 * More pages than the kernel reckons it could find is refused up
	 * front: taking them one by one would push every other task of the
	 * system into the OOM killer before our last page fails.
	 */
	if (m->npages > si_mem_available())
		return -ENOMEM;
	m->pages = kvcalloc(m->npages, sizeof(*m->pages),
			    GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (!m->pages)
		return -ENOMEM;
	i = 0;		/* pages taken so far: what the failure path frees */
	if (m->mode & (H_DMA | H_DMA32)) {
		if (rtheap_alloc_contig(m))
			goto fail;
		i = m->npages;
	}
	/*
	 * One page at a time with __GFP_ACCOUNT: charged to the creator's
	 * memory cgroup (vmalloc_user() memory is not), and order-0 pages
	 * are what vm_map_pages() inserts into user mappings.  A heap that
	 * does not fit fails with -ENOMEM: __GFP_RETRY_MAYFAIL keeps the
	 * (memcg) OOM killer out of it.  A creator being killed stops early.
	 */
	for (; i < m->npages; i++) {
		m->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					 __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
		if (!m->pages[i])
			goto fail;
		if (!(i & 1023) && fatal_signal_pending(current)) {
			i++;
			goto fail;
		}
		if (!(i & 1023))
			cond_resched();
	}
	if (m->mode & H_NONCACHED) {
		ret = rtheap_set_cached(m, false);
		if (ret)
			goto fail_ret;
		m->uncached = true;
	}
	ret = -ENOMEM;
	m->vaddr = vmap(m->pages, m->npages, VM_MAP,
			(m->mode & H_NONCACHED) ? pgprot_noncached(PAGE_KERNEL) :
						  PAGE_KERNEL);
	if (!m->vaddr)
		goto fail_ret;
	if (m->mode & H_SHARED)
		return 0;

	ret = -EINVAL;
	meta_size = rth_meta_size(m->npages);
	if (meta_size) {
		ret = -ENOMEM;
		m->meta = kvzalloc(meta_size,
				   GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
		if (m->meta)
			ret = rth_init(&m->core, m->npages, m->meta,
				       meta_size);
	}
	if (!ret)
		ret = rtheap_alloc_cmap(m);
	if (!ret)
		return 0;
fail_ret:
	rtheap_free_mem(m, m->npages);
	return ret;
fail:
	rtheap_free_mem(m, i);
	return -ENOMEM;
}

/*
 * kvmalloc() refuses more than INT_MAX bytes, with a warning (a panic
 * under panic_on_warn): the allocator metadata, a 64th of the heap, passes
 * it at 128 GiB of heap whatever the page size, the page array at 1 TiB
 * with 4 KiB pages.  Such a heap is refused before anything is taken.
 */
static bool rtheap_mem_fits(const struct rtheap_mem *m)
{
	if ((u64)m->npages * sizeof(*m->pages) > INT_MAX)
		return false;
	return (m->mode & H_SHARED) || rth_meta_size(m->npages) <= INT_MAX;
}

/**
 * rtheap_mem_create() - the memory of a new heap, charged to its creator
 * @m: the memory, zeroed
 * @size: the heap's size in bytes, 1 .. RTH_MAX_PAGES pages
 * @mode: the heap's H_* bits, checked against rtheap_modes()
 * @kernel: a kernel heap, charged to no user
 *
 * Takes the status page, charges the heap against the limits (to the
 * current task's euid for a user heap, which CAP_SYS_RESOURCE frees of
 * all but max_heaps and max_bytes) and its creator's RLIMIT_MEMLOCK, then
 * takes the pages, maps them for the kernel and sets up the allocator
 * core over them (not for H_SHARED) and the class map.  Process context.
 *
 * Return: 0, -ENOMEM (no memory, over a limit, or metadata or a page array
 * beyond what kvmalloc() gives), -EINVAL (no metadata size for so many
 * pages), or the error of making the pages uncached;
 * nothing is left taken on failure.
 */
int rtheap_mem_create(struct rtheap_mem *m, u64 size, u32 mode, bool kernel)
{
	int ret;

	m->status = (struct rtheap_status *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!m->status)
		return -ENOMEM;
	m->mode = mode;
	m->npages = DIV_ROUND_UP(size, PAGE_SIZE);
	m->kernel = kernel;
	m->cuid = current_euid();

	ret = -ENOMEM;
	if (!rtheap_mem_fits(m))
		goto out_status;
	/* CAP_SYS_RESOURCE is asked for only when a limit would refuse. */
	ret = rtheap_charge(m, rtheap_mem_size(m), false);
	if (ret == -ENOMEM && !kernel && capable(CAP_SYS_RESOURCE))
		ret = rtheap_charge(m, rtheap_mem_size(m), true);
	if (ret)
		goto out_status;
	ret = rtheap_lock_vm(m);
	if (ret)
		goto out_uncharge;
	ret = rtheap_alloc_mem(m);
	if (ret)
		goto out_unlock_vm;
	return 0;

out_unlock_vm:
	rtheap_unlock_vm(m);
out_uncharge:
	rtheap_uncharge(m, rtheap_mem_size(m));
out_status:
	free_page((unsigned long)m->status);
	m->status = NULL;
	return ret;
}

/**
 * rtheap_mem_destroy() - give back all that rtheap_mem_create() took
 * @m: the memory
 *
 * Pages still in user mappings stay there until those mappings go (each
 * holds a reference of its own).  Process context.
 */
void rtheap_mem_destroy(struct rtheap_mem *m)
{
	free_page((unsigned long)m->status);	/* mappings hold their own */
	m->status = NULL;
	rtheap_free_mem(m, m->npages);
	rtheap_unlock_vm(m);
	rtheap_uncharge(m, rtheap_mem_size(m));
}

/**
 * rtheap_mem_nwaiters() - the status page's count of waiters
 * @m: the memory
 *
 * Return: the word the heap's wait queue mirrors its length into, under
 * the heap's lock.
 */
u32 *rtheap_mem_nwaiters(struct rtheap_mem *m)
{
	return &m->status->nwaiters;
}

/**
 * rtheap_mem_set_deleted() - tell user space the heap is deleted
 * @m: the memory, under the heap's lock
 */
void rtheap_mem_set_deleted(struct rtheap_mem *m)
{
	WRITE_ONCE(m->status->flags, RTHEAP_STATUS_DELETED);
}

/**
 * rtheap_mem_alloc_bulk() - @n blocks of @size bytes, or none
 * @m: the memory, under the heap's lock
 * @size: bytes of every block
 * @n: blocks, at most RTHEAP_BULK_MAX
 * @offs: the blocks' offsets, filled on success only
 *
 * At most @n O(1) allocator calls, and as many frees to give back what
 * was taken when one fails: a failure leaves the core as it was.
 *
 * Return: 0, or the first failing rth_alloc()'s -EINVAL (too large ever)
 * or -ENOMEM (not all of them now).
 */
int rtheap_mem_alloc_bulk(struct rtheap_mem *m, size_t size, unsigned int n,
			  u64 *offs)
{
	unsigned int i;
	size_t off;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = rth_alloc(&m->core, size, &off);
		if (ret)
			break;
		offs[i] = off;
	}
	if (ret)
		while (i--)
			WARN_ON_ONCE(rth_free(&m->core, offs[i], NULL));
	return ret;
}

/**
 * rtheap_mem_fill_info() - the memory's part of a heap's description
 * @m: the memory
 * @st: the core's figures, taken under the heap's lock (zero for H_SHARED
 *	or a deleted heap, whose core may be gone)
 * @info: receives the sizes, the use and, with @phys, the base
 * @phys: tell the physical address of a contiguous (H_DMA, H_DMA32) heap
 *
 * Reads only what is fixed from create until the structure is freed: a
 * caller without a reference (the kernel API's inquire, under RCU) may
 * run after the last reference has freed the pages and their array.
 */
void rtheap_mem_fill_info(const struct rtheap_mem *m,
			  const struct rth_stats *st, struct rtheap_info *info,
			  bool phys)
{
	int i;

	info->usable_mem = rtheap_mem_size(m);
	if (m->mode & H_SHARED) {
		/* One segment, always handed out whole. */
		info->used_mem = info->usable_mem;
		info->largest_free = info->usable_mem;
		info->run_pages = m->npages;
	} else {
		info->used_mem = st->used_bytes;
		info->largest_free = st->largest_free;
		info->run_pages = st->run_pages;
		for (i = 0; i < RTH_NR_CLASSES; i++)
			info->class_blocks[i] = st->class_blocks[i];
	}
	info->nr_classes = RTH_NR_CLASSES;
	if (phys && (m->mode & (H_DMA | H_DMA32)))
		info->phys_addr = m->phys;
}

/**
 * rtheap_mem_shared_range() - the page map of an H_SHARED heap
 * @m: the memory
 * @first: 0, or the heap's pages once the one range was told
 * @out: receives the range
 * @nextp: receives the page to continue from: the heap's pages
 *
 * Return: 1 (the whole heap, one segment), 0 when done, -EINVAL for
 * another @first.
 */
int rtheap_mem_shared_range(const struct rtheap_mem *m, u32 first,
			    struct rtheap_range *out, u32 *nextp)
{
	if (first == m->npages) {
		*nextp = first;
		return 0;
	}
	if (first)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->count = m->npages;
	out->kind = RTHEAP_RANGE_SHARED;
	*nextp = m->npages;
	return 1;
}

/* The core's enum rth_range_kind in uapi terms. */
static const u8 rtheap_range_kinds[] = {
	[RTH_RANGE_FREE] = RTHEAP_RANGE_FREE,
	[RTH_RANGE_KEPT] = RTHEAP_RANGE_KEPT,
	[RTH_RANGE_BUCKET] = RTHEAP_RANGE_BUCKET,
	[RTH_RANGE_RUN] = RTHEAP_RANGE_RUN,
};

/**
 * rtheap_mem_fill_ranges() - the core's page ranges in uapi terms
 * @r: rtheap_mem_summary()'s ranges
 * @n: how many; none when negative (an error)
 * @out: receives @n ranges, reserved fields zero
 *
 * Page granularity only: nothing finer than a bucket page's used count.
 */
void rtheap_mem_fill_ranges(const struct rth_page_range *r, int n,
			    struct rtheap_range *out)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].first = r[i].first;
		out[i].count = r[i].pages;
		out[i].kind = rtheap_range_kinds[r[i].kind];
		if (r[i].kind == RTH_RANGE_BUCKET) {
			out[i].cls = r[i].cls;
			out[i].used = r[i].used;
		} else if (r[i].kind == RTH_RANGE_RUN) {
			out[i].used = r[i].blocks;
		}
	}
}

/**
 * rtheap_mem_page() - a page of the heap, for a user mapping's fault
 * @m: the memory
 * @pgoff: the page's index in the heap
 *
 * Return: the page, or NULL past the heap.
 */
struct page *rtheap_mem_page(const struct rtheap_mem *m, pgoff_t pgoff)
{
	return pgoff < m->npages ? m->pages[pgoff] : NULL;
}

/*
 * Insert n pages at the start of vma, page by page, with a rescheduling
 * point every RTHEAP_MAP_BATCH pages: a large heap would otherwise keep
 * the CPU for the whole loop, under the mmap lock.  On an error the
 * caller unmaps what was inserted.
 */
static int rtheap_insert_pages(struct vm_area_struct *vma,
			       struct page **pages, unsigned long n)
{
	unsigned long i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     pages[i]);
		if (ret)
			return ret;
		if (!((i + 1) % RTHEAP_MAP_BATCH))
			cond_resched();
	}
	return 0;
}

/*
 * The status page and the class map: exactly their n pages (none: no
 * such mapping, -EINVAL), read-only for good (VM_MAYWRITE cleared, so no
 * mprotect() makes them writable and no private copy is ever written),
 * never executable.  The pages are the heap's, with a reference per
 * mapping taken by vm_insert_page(); they hold no kernel pointer.
 */
static int rtheap_mmap_readonly(struct vm_area_struct *vma,
				struct page **pages, unsigned long n)
{
	if (!n || vma->vm_end - vma->vm_start != n << PAGE_SHIFT)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return rtheap_insert_pages(vma, pages, n);
}

/**
 * rtheap_mem_mmap_ro() - map the status page or the class map
 * @m: the memory
 * @vma: a mapping at a nonzero offset: the heap's map size for the status
 *	page, one page; the page after for the class map, all its pages
 *
 * Read-only, never writable or executable, now or by a later mprotect().
 *
 * Return: 0, -EINVAL for another offset or size (or the class map of an
 * H_SHARED heap, which has none), -EPERM for PROT_WRITE or PROT_EXEC, or
 * the error of the page insertion.
 */
int rtheap_mem_mmap_ro(struct rtheap_mem *m, struct vm_area_struct *vma)
{
	struct page *status = virt_to_page(m->status);

	if (vma->vm_pgoff == m->npages)
		return rtheap_mmap_readonly(vma, &status, 1);
	if (vma->vm_pgoff == (u64)m->npages + 1)
		return rtheap_mmap_readonly(vma, m->cmap_pages, m->cmap_npages);
	return -EINVAL;
}

/**
 * rtheap_mem_mmap() - insert the heap's pages into a user mapping
 * @m: the memory
 * @vma: the new mapping: MAP_SHARED, offset 0, exactly the heap's size
 *
 * Every page is inserted now: no page faults for real-time tasks on
 * first touch.  A heap holds data, never code: it cannot be mapped
 * executable, now or by a later mprotect() (VM_MAYEXEC is cleared).
 *
 * Return: 0, -EINVAL for another shape of mapping, -EPERM for PROT_EXEC,
 * or the error of the page insertion.
 */
int rtheap_mem_mmap(struct rtheap_mem *m, struct vm_area_struct *vma)
{
	/* VM_MAYSHARE: MAP_SHARED, also of a file opened read-only. */
	if (!(vma->vm_flags & VM_MAYSHARE) || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != rtheap_mem_size(m))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	if (m->mode & H_NONCACHED)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return rtheap_insert_pages(vma, m->pages, m->npages);
}
