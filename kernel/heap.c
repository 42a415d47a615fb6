// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - the heap object: its lifetime and lock; alloc and free, and
 * the grants of freed memory to the tasks on its wait queue; its
 * description, owner and permission bits; open files and user mappings.
 * Its parts are objects of their own: the wait queue and timeouts
 * (waitq.c), the memory (heapmem.c) and the names (heapnames.c).
 *
 * Locking, outermost first:
 *
 *   rtheap_file.lock (mutex, chardev.c: one attach per open file)
 *   rtheap_registry.lock (mutex, heapnames.c: names, ids, bind waiters)
 *   mmap_lock (held by the core mm around ->mmap and vm_ops->close)
 *   rtheap.lock (raw spinlock, irqsave: core, waiters, deleted, owner)
 *   scheduler locks (wake_up_process(), raw)
 *
 * rtheap_limits_lock (heapmem.c) is a leaf.  Nothing taken under
 * rtheap.lock sleeps or takes a spinlock_t (which sleeps on PREEMPT_RT):
 * waiters are woken with wake_up_process() on the task recorded in their
 * on-stack waiter, and the work under the lock is bounded: O(1) allocator
 * calls (a bulk call makes at most RTHEAP_BULK_MAX, a failed bulk alloc
 * twice that to give back what it took), plus one per queued waiter when
 * a free, a bulk free (once, after all its frees) or a delete walks the
 * queue, and at most rtheap_max_waiters tasks queue on a heap.
 *
 * Lifetime: struct rtheap is counted by ref.  References are held by
 *   - the heap's existence, from create until delete ("live" reference,
 *     taken by rtheap_create(), dropped by rtheap_delete()),
 *   - the creator: rtheap_create() hands one to its caller, which becomes
 *     the RT_HEAP handle's for kernel heaps (api.c, dropped by
 *     rt_heap_delete()) and the creating file's for user heaps,
 *   - every open file attached by bind (rtheap_bind(), then
 *     rtheap_attach(); dropped by rtheap_detach() when the file goes),
 *   - every user mapping (rtheap_mmap(); vm_ops open and close, so fork
 *     and munmap count),
 *   - every task sleeping in alloc (rtheap_alloc_wait()), and a kernel
 *     caller's blocking alloc (rtheap_tryget() in api.c),
 *   - a delete by name, for the time of the call (chardev.c).
 * Delete marks the heap deleted, wakes every waiter with -EIDRM, removes
 * name and id at once and drops the live reference.  The last reference
 * frees pages, metadata and the structure (after an RCU grace period, for
 * lockless lookups and for the kernel API's IRQ-safe paths, which use no
 * reference but check ->deleted under the lock before touching the core).
 * Each struct rtheap also pins the module until it is freed, so rmmod is
 * refused while any heap exists, deleted-but-mapped ones included.
 *
 * Waiting: a task that finds no room queues on the heap's wait queue
 * (struct rtheap_waitq, waitq.c: the order, H_FIFO or H_PRIO, and the
 * bounds of its walks), with a waiter on its stack and a reference to the
 * heap while it sleeps.  At most rtheap_max_waiters tasks wait on one
 * heap; an alloc over it fails at once with -EBUSY.  rtheap_free() hands
 * blocks to waiters inside the free, under the lock, so no newcomer can
 * take them first (rtheap_grant()).  The sleeper always retakes the lock
 * before leaving, so a waker never touches a waiter that has gone, and a
 * grant that races with a timeout or a signal wins.
 *
 * Memory: pages, their kernel mapping, the allocator core over them, the
 * status page and the class map user space maps read-only, and what they
 * are charged against, are the heap's struct rtheap_mem (heapmem.c); the
 * heap calls the core through it, under the lock.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "alloc.h"
#include "compat.h"
#include "heap.h"
#include "heapmem.h"
#include "heapnames.h"
#include "registry.h"
#include "waitq.h"

struct rtheap {
	struct rtreg_entry reg;		/* name and id; first for container_of */
	struct kref ref;		/* see "Lifetime" above */
	raw_spinlock_t lock;

	/* Protected by lock. */
	struct rtheap_waitq waitq;	/* tasks waiting in alloc: waitq.c's */
	bool deleted;			/* also read locklessly: READ_ONCE */
	kuid_t uid;
	kgid_t gid;
	umode_t perm;

	/* Fixed from create to release. */
	u32 mode;			/* H_* */
	u64 heap_size;			/* as requested */
	struct rtheap_mem mem;		/* pages, status page: heapmem.c's */
	struct pid *cpid;		/* creator's thread group, NULL: kernel */
	bool kernel;			/* created by rt_heap_create() */

	atomic_t nmaps;			/* live user mappings (vmas) */
	atomic_t nbound;		/* open files attached */
	struct rcu_head rcu;
};

/**
 * rtheap_from_entry() - the heap of a registry entry
 * @e: the entry a heap embeds, from heapnames.c's registry
 *
 * Return: the heap.
 */
struct rtheap *rtheap_from_entry(struct rtreg_entry *e)
{
	return container_of(e, struct rtheap, reg);
}

#define CREATE_TRACE_POINTS
#include "trace.h"

#ifdef RTHEAP_TEST_HOOKS
/*
 * Test builds only (make module RTHEAP_TEST_HOOKS=1): microseconds
 * rtheap_fill_info() waits after dropping the lock, to widen its race
 * with a delete for the kernel-API suite, which sets it through
 * symbol_get().  Absent from every other build.
 */
unsigned int rtheap_test_info_delay_us;
EXPORT_SYMBOL_GPL(rtheap_test_info_delay_us);

static void rtheap_test_info_delay(void)
{
	unsigned int us = READ_ONCE(rtheap_test_info_delay_us);

	if (us)
		udelay(us);
}
#else
static inline void rtheap_test_info_delay(void)
{
}
#endif

/**
 * rtheap_nr_classes() - the bucket classes of every heap's allocator
 *
 * Return: how many there are: blocks of 16 bytes up to half a page.
 */
unsigned int rtheap_nr_classes(void)
{
	return RTH_NR_CLASSES;
}

/**
 * rtheap_class_size() - the block size of a bucket class
 * @cls: the class, 0 .. rtheap_nr_classes() - 1
 *
 * Return: 16 << @cls bytes, or 0 when @cls is not a class.
 */
size_t rtheap_class_size(unsigned int cls)
{
	return rth_class_size(cls);
}

static void rtheap_heap_release(struct kref *ref)
{
	struct rtheap *h = container_of(ref, struct rtheap, ref);

	WARN_ON(rtheap_waitq_len(&h->waitq) || h->reg.registered);
	rtheap_mem_destroy(&h->mem);
	put_pid(h->cpid);
	rtheap_waitq_destroy(&h->waitq);
	kfree_rcu(h, rcu);
	/* Safe: whoever dropped the last reference still pins the module. */
	module_put(THIS_MODULE);
}

/**
 * rtheap_put() - drop a reference to a heap
 * @h: the heap
 *
 * The last reference frees the heap's memory; process context only.
 */
void rtheap_put(struct rtheap *h)
{
	might_sleep();
	kref_put(&h->ref, rtheap_heap_release);
}

/**
 * rtheap_tryget() - take a reference to a heap found without one
 * @h: a heap read under rcu_read_lock()
 *
 * Return: true with a reference (rtheap_put() it), false if the heap is
 * being freed.
 */
bool rtheap_tryget(struct rtheap *h)
{
	return kref_get_unless_zero(&h->ref);
}

/**
 * rtheap_create() - make and register a heap
 * @p: name, size, mode, owner and permission bits, kernel or user; the
 *	caller has checked the name with rtreg_check_name()
 * @hp: the new heap, with a reference of the caller's
 *
 * Return: 0, -EINVAL, -EOPNOTSUPP, -ENAMETOOLONG, -EEXIST, -ENOMEM (see
 * rt_heap_create()).
 */
int rtheap_create(const struct rtheap_params *p, struct rtheap **hp)
{
	struct rtheap *h;
	int ret;

	BUILD_BUG_ON(RTH_PAGE_SIZE != PAGE_SIZE);
	BUILD_BUG_ON(RTH_NR_CLASSES > RTHEAP_MAX_CLASSES);
	BUILD_BUG_ON(RTH_MIN_BLOCK != RTHEAP_MIN_BLOCK);
	BUILD_BUG_ON(RTREG_NAMELEN != RTHEAP_NAMELEN);

	if (p->mode & ~RTHEAP_MODE_MASK)
		return -EINVAL;
	/* A mode this kernel or machine cannot honour (H_NONCACHED). */
	if (p->mode & ~rtheap_modes())
		return -EOPNOTSUPP;
	if (!p->size || p->size > ((u64)RTH_MAX_PAGES << PAGE_SHIFT))
		return -EINVAL;
	if (p->perm & ~0777)
		return -EINVAL;
	/* Fail fast before allocating; rtreg_add() has the last word. */
	if (p->name && p->name[0]) {
		if (rtheap_name_taken(p->name))
			return -EEXIST;
	}

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	kref_init(&h->ref);
	raw_spin_lock_init(&h->lock);
	atomic_set(&h->nmaps, 0);
	atomic_set(&h->nbound, 0);
	h->uid = p->uid;
	h->gid = p->gid;
	h->perm = p->perm;
	h->mode = p->mode;
	h->heap_size = p->size;
	h->kernel = p->kernel;

	ret = rtheap_mem_create(&h->mem, p->size, p->mode, p->kernel);
	if (ret)
		goto out_free;
	ret = rtheap_waitq_init(&h->waitq, p->mode & H_PRIO,
				rtheap_mem_nwaiters(&h->mem));
	if (ret)
		goto out_mem;
	if (!p->kernel)
		h->cpid = get_pid(task_tgid(current));

	/*
	 * Two references: the live one, dropped by rtheap_delete(), and the
	 * caller's.  The caller's is taken before the heap is published, so a
	 * delete racing in by name right after rtreg_add() cannot free it.
	 */
	kref_get(&h->ref);
	ret = rtheap_name_add(&h->reg, p->name);
	if (ret)
		goto out_waitq;

	__module_get(THIS_MODULE);
	*hp = h;
	return 0;

out_waitq:
	put_pid(h->cpid);
	rtheap_waitq_destroy(&h->waitq);
out_mem:
	rtheap_mem_destroy(&h->mem);
out_free:
	kfree(h);
	return ret;
}

/**
 * rtheap_delete() - delete a heap
 * @h: the heap
 *
 * Wakes every waiter with -EIDRM, removes name and id at once and drops
 * the live reference; the caller's reference stays valid.
 *
 * Return: 0, or -EIDRM if it was deleted already.
 */
int rtheap_delete(struct rtheap *h)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&h->lock, flags);
	if (h->deleted) {
		raw_spin_unlock_irqrestore(&h->lock, flags);
		return -EIDRM;
	}
	WRITE_ONCE(h->deleted, true);
	rtheap_mem_set_deleted(&h->mem);
	rtheap_waitq_wake_all(&h->waitq, -EIDRM);
	raw_spin_unlock_irqrestore(&h->lock, flags);

	rtheap_name_remove(&h->reg);
	rtheap_put(h);		/* the live reference */
	return 0;
}

/*
 * The slow path of rtheap_alloc(): entered with h->lock held (irqs saved in
 * flags) and no room; queues, sleeps, and returns with the lock released.
 * Kept out of line so the waiter on its stack costs the fast path nothing.
 */
static noinline int rtheap_alloc_wait(struct rtheap *h, size_t size,
				      const struct rtheap_tmo *t,
				      size_t *offp, unsigned long flags)
	__releases(&h->lock)
{
	struct rtheap_waiter w;
	int ret;

	rtheap_waitq_add(&h->waitq, &w, size);
	trace_rtheap_wait(h, size, t);
	kref_get(&h->ref);	/* the heap outlives a delete while we sleep */
	raw_spin_unlock_irqrestore(&h->lock, flags);

	ret = rtheap_waiter_sleep(&w, t);

	raw_spin_lock_irqsave(&h->lock, flags);
	ret = rtheap_waitq_settle(&h->waitq, &w, ret, offp);
	raw_spin_unlock_irqrestore(&h->lock, flags);
	/* Only a served waiter has a block; the others' offset is 0. */
	trace_rtheap_wake(h, ret, ret ? 0 : *offp);
	rtheap_put(h);
	return ret;
}

/*
 * The two steps every alloc shares.  An H_SHARED heap's one block is the
 * whole segment, at offset 0, for any size up to the heap's (0 included:
 * every request gets the same block), no lock needed.
 */
static __always_inline int rtheap_alloc_shared(struct rtheap *h, size_t size,
					       size_t *offp)
{
	if (size > h->heap_size)
		return -EINVAL;
	if (rtheap_deleted(h))
		return -EIDRM;
	*offp = 0;
	return 0;
}

/* The allocator core's answer, under h->lock: -ENOMEM is no room now. */
static __always_inline int rtheap_alloc_locked(struct rtheap *h, size_t size,
					       size_t *offp)
	__must_hold(&h->lock)
{
	int ret;

	if (unlikely(h->deleted))
		return -EIDRM;
	ret = rtheap_mem_alloc(&h->mem, size, offp);
	trace_rtheap_alloc(h, ret, size, offp);
	return ret;
}

/**
 * rtheap_alloc() - allocate a block, waiting if allowed
 * @h: the heap
 * @size: bytes (H_SHARED: up to the heap size, for the whole segment)
 * @t: the timeout
 * @can_block: the caller may sleep; if not, a wait is -EPERM
 * @offp: the block's offset from the start of the heap
 *
 * Return: 0, -EINVAL, -EWOULDBLOCK, -ETIMEDOUT, -EINTR, -EIDRM, -EPERM.
 */
int rtheap_alloc(struct rtheap *h, size_t size, const struct rtheap_tmo *t,
		 bool can_block, size_t *offp)
{
	unsigned long flags;
	int ret;

	if (unlikely(h->mode & H_SHARED))
		return rtheap_alloc_shared(h, size, offp);
	if (unlikely(!size))
		return -EINVAL;

	raw_spin_lock_irqsave(&h->lock, flags);
	ret = rtheap_alloc_locked(h, size, offp);
	if (ret != -ENOMEM)
		goto out;		/* 0, -EIDRM, or -EINVAL: too large ever */
	if (t->nonblock) {
		ret = -EWOULDBLOCK;
		goto out;
	}
	if (!can_block) {
		ret = -EPERM;
		goto out;
	}
	if (rtheap_waitq_full(&h->waitq)) {
		ret = -EBUSY;
		goto out;
	}
	return rtheap_alloc_wait(h, size, t, offp, flags);
out:
	raw_spin_unlock_irqrestore(&h->lock, flags);
	return ret;
}

/* A waiter's block, under h->lock: rtheap_waitq_grant()'s take. */
static int rtheap_grant_take(void *arg, size_t size, size_t *offp)
{
	struct rtheap *h = arg;
	int ret;

	ret = rtheap_mem_alloc(&h->mem, size, offp);
	if (!ret)
		trace_rtheap_alloc(h, 0, size, offp);
	return ret;
}

/* Hand freed memory to waiters (rtheap_waitq_grant()), under h->lock. */
static void rtheap_grant(struct rtheap *h)
	__must_hold(&h->lock)
{
	rtheap_waitq_grant(&h->waitq, rtheap_mem_largest_free(&h->mem),
			   rtheap_grant_take, h);
}

/**
 * rtheap_alloc_irqoff() - rtheap_alloc() with TM_NONBLOCK, interrupts off
 * @h: the heap, kept alive by the caller's interrupts-off section (an RCU
 *	read-side critical section) or a reference
 * @size: bytes (H_SHARED: up to the heap size)
 * @offp: the block's offset from the start of the heap
 *
 * The kernel API's non-blocking path: the caller has disabled interrupts
 * from its handle lookup on, so the lock is taken without a second
 * irqsave and no timeout is looked at.
 *
 * Return: 0, -EINVAL, -EWOULDBLOCK, -EIDRM.
 */
int rtheap_alloc_irqoff(struct rtheap *h, size_t size, size_t *offp)
{
	int ret;

	lockdep_assert_irqs_disabled();
	if (unlikely(h->mode & H_SHARED))
		return rtheap_alloc_shared(h, size, offp);
	if (unlikely(!size))
		return -EINVAL;
	raw_spin_lock(&h->lock);
	ret = rtheap_alloc_locked(h, size, offp);
	raw_spin_unlock(&h->lock);
	return ret == -ENOMEM ? -EWOULDBLOCK : ret;
}

/**
 * rtheap_alloc_nb() - RTHEAP_IOC_ALLOC_NB: a TM_NONBLOCK alloc by value
 * @h: the heap, kept alive by the caller's file
 * @size: bytes (H_SHARED: up to the heap size)
 *
 * The user-space fast path: the offset comes back as the return value, in
 * RTHEAP_MIN_BLOCK units, so the caller keeps nothing on its stack.
 * Heaps over RTHEAP_ALLOC_NB_MAX bytes are refused, so that any offset's
 * units fit a long on every ABI.  Process context.
 *
 * Return: the block's offset / RTHEAP_MIN_BLOCK, or -EINVAL (bad size, a
 * heap over RTHEAP_ALLOC_NB_MAX), -EWOULDBLOCK, -EIDRM.
 */
long rtheap_alloc_nb(struct rtheap *h, size_t size)
{
	unsigned long flags;
	size_t off;
	int ret;

	BUILD_BUG_ON(RTHEAP_ALLOC_NB_MAX / RTHEAP_MIN_BLOCK > LONG_MAX);
	if (unlikely(rtheap_mem_size(&h->mem) > RTHEAP_ALLOC_NB_MAX))
		return -EINVAL;
	local_irq_save(flags);
	ret = rtheap_alloc_irqoff(h, size, &off);
	local_irq_restore(flags);
	return ret ? ret : off / RTHEAP_MIN_BLOCK;
}

/**
 * rtheap_free_irqoff() - rtheap_free() with interrupts already off
 * @h: the heap, kept alive as for rtheap_alloc_irqoff()
 * @off: the block's offset (H_SHARED: any; the free has no effect)
 *
 * Return: 0, -EINVAL (not a live block), -EIDRM.
 */
int rtheap_free_irqoff(struct rtheap *h, size_t off)
{
	int ret;

	lockdep_assert_irqs_disabled();
	raw_spin_lock(&h->lock);
	if (unlikely(h->deleted)) {
		ret = -EIDRM;
	} else if (unlikely(h->mode & H_SHARED)) {
		ret = 0;	/* the segment: no effect, whatever @off */
	} else {
		trace_rtheap_free(h, off);
		ret = rtheap_mem_free(&h->mem, off);
		if (!ret && unlikely(rtheap_waitq_len(&h->waitq)))
			rtheap_grant(h);
	}
	raw_spin_unlock(&h->lock);
	return ret;
}

/**
 * rtheap_free() - give a block back and hand memory to waiters
 * @h: the heap
 * @off: the block's offset
 *
 * Any context: bounded work under the raw spinlock.
 *
 * Return: 0, -EINVAL (not a live block), -EIDRM.
 */
int rtheap_free(struct rtheap *h, size_t off)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = rtheap_free_irqoff(h, off);
	local_irq_restore(flags);
	return ret;
}

/**
 * rtheap_alloc_bulk() - allocate @n blocks at once, or none
 * @h: the heap
 * @size: bytes of every block
 * @n: blocks, 1 to RTHEAP_BULK_MAX
 * @offs: the blocks' offsets, filled on success only
 *
 * Never waits (RTHEAP_TM_NONBLOCK).  The blocks are taken under one hold
 * of the lock, at most RTHEAP_BULK_MAX O(1) allocator calls; if one fails,
 * those taken are given back before the lock is dropped, so a failed call
 * leaves the heap as it was.  Any context.
 *
 * Return: 0, -EINVAL (@n 0 or over RTHEAP_BULK_MAX, size 0 or one the heap
 * can never serve, H_SHARED), -EWOULDBLOCK (not all fit now), -EIDRM.
 */
int rtheap_alloc_bulk(struct rtheap *h, size_t size, unsigned int n, u64 *offs)
{
	unsigned long flags;
	unsigned int i;
	size_t off;
	int ret;

	if (!n || n > RTHEAP_BULK_MAX || !size || (h->mode & H_SHARED))
		return -EINVAL;

	raw_spin_lock_irqsave(&h->lock, flags);
	if (h->deleted) {
		ret = -EIDRM;
		goto out;
	}
	ret = rtheap_mem_alloc_bulk(&h->mem, size, n, offs);
	if (ret) {
		/* -EINVAL: too large ever; -ENOMEM: not all of them now. */
		if (ret == -ENOMEM)
			ret = -EWOULDBLOCK;
		goto out;
	}
	for (i = 0; trace_rtheap_alloc_enabled() && i < n; i++) {
		off = offs[i];
		trace_rtheap_alloc(h, 0, size, &off);
	}
out:
	raw_spin_unlock_irqrestore(&h->lock, flags);
	return ret;
}

/**
 * rtheap_free_bulk() - give @n blocks back and hand memory to waiters once
 * @h: the heap
 * @n: blocks, 1 to RTHEAP_BULK_MAX
 * @offs: the blocks' offsets
 * @results: if not NULL, per block 0 (freed) or -EINVAL (not a live block:
 *	outside the heap, not the start of a block, already free, or given
 *	twice in @offs)
 *
 * Every block is validated as rtheap_free() does, and a bad one does not
 * stop the others.  Under one hold of the lock: at most RTHEAP_BULK_MAX
 * O(1) frees, then one walk of the waiters (rtheap_grant()), after all the
 * frees, so waiters are served from everything given back.  Any context.
 *
 * Return: the number of blocks not freed (0: all were), or -EINVAL (@n 0
 * or over RTHEAP_BULK_MAX, H_SHARED) or -EIDRM, and then nothing is freed
 * and @results is untouched.
 */
int rtheap_free_bulk(struct rtheap *h, unsigned int n, const u64 *offs,
		     s32 *results)
{
	unsigned int i, failed = 0;
	unsigned long flags;
	int ret;

	if (!n || n > RTHEAP_BULK_MAX || (h->mode & H_SHARED))
		return -EINVAL;

	raw_spin_lock_irqsave(&h->lock, flags);
	if (h->deleted) {
		raw_spin_unlock_irqrestore(&h->lock, flags);
		return -EIDRM;
	}
	for (i = 0; i < n; i++) {
		ret = -EINVAL;
		/* A 32-bit kernel's size_t cannot hold every u64. */
		if (offs[i] <= SIZE_MAX) {
			trace_rtheap_free(h, offs[i]);
			ret = rtheap_mem_free(&h->mem, offs[i]);
		}
		if (ret)
			failed++;
		if (results)
			results[i] = ret;
	}
	if (failed < n && rtheap_waitq_len(&h->waitq))
		rtheap_grant(h);
	raw_spin_unlock_irqrestore(&h->lock, flags);
	return failed;
}

/**
 * rtheap_fill_info() - describe a heap in uapi terms
 * @h: the heap
 * @info: filled whole (every field, reserved ones zero)
 * @ns: the user namespace the ids are told in
 * @phys: tell the physical address of a contiguous heap
 */
void rtheap_fill_info(struct rtheap *h, struct rtheap_info *info,
		      struct user_namespace *ns, bool phys)
{
	struct rth_stats st;
	unsigned long flags;
	kuid_t uid;
	kgid_t gid;

	memset(info, 0, sizeof(*info));
	memset(&st, 0, sizeof(st));

	raw_spin_lock_irqsave(&h->lock, flags);
	/*
	 * A deleted heap's metadata may be freed by the time a caller without
	 * a reference (the kernel API's inquire) gets here: only before the
	 * delete, which takes this lock, is it certainly there.
	 */
	if (!(h->mode & H_SHARED) && !h->deleted)
		rtheap_mem_stats(&h->mem, &st);
	info->nwaiters = rtheap_waitq_len(&h->waitq);
	if (h->deleted)
		info->flags |= RTHEAP_INFO_DELETED;
	uid = h->uid;
	gid = h->gid;
	info->perm = h->perm;
	raw_spin_unlock_irqrestore(&h->lock, flags);
	rtheap_test_info_delay();

	/* Only what is fixed until the structure's RCU-delayed free. */
	info->id = h->reg.id;
	info->mode = h->mode;
	info->heap_size = h->heap_size;
	rtheap_mem_fill_info(&h->mem, &st, info, phys);
	info->nmaps = atomic_read(&h->nmaps);
	info->nbound = atomic_read(&h->nbound);
	info->uid = from_kuid_munged(ns, uid);
	info->gid = from_kgid_munged(ns, gid);
	info->cpid = h->cpid ? pid_vnr(h->cpid) : 0;
	memcpy(info->name, h->reg.name, sizeof(info->name));
}

/**
 * rtheap_phys_visible() - may the current task learn the heap's base?
 * @h: the heap
 *
 * The physical address of an H_DMA or H_DMA32 heap is told to
 * CAP_SYS_ADMIN only.  The capability only widens what is shown: it is
 * asked without an audit record, and only for such a heap.
 *
 * Return: true if rtheap_fill_info() may tell it.
 */
bool rtheap_phys_visible(struct rtheap *h)
{
	return (h->mode & (H_DMA | H_DMA32)) &&
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/**
 * rtheap_page_map() - describe a heap's pages, a bounded part
 * @h: the heap
 * @first: the first page to describe: 0, or *@nextp of an earlier call
 * @out: receives up to @max ranges
 * @max: room at @out, 1 to RTHEAP_PAGEMAP_MAX
 * @nextp: receives the page to continue from, *@npagesp when done
 * @npagesp: receives the heap's pages
 *
 * The allocator core walks at most RTH_SUMMARY_STEPS pages or runs under
 * the heap's lock, into a buffer of @max ranges taken before it; @out is
 * filled after the lock is dropped.  Page granularity only: nothing finer
 * than a bucket page's used count.  An H_SHARED heap is one range.
 *
 * Return: the number of ranges filled, -EINVAL (@max out of range, @first
 * past the heap or inside a run), -ENOMEM, -EIDRM.
 */
int rtheap_page_map(struct rtheap *h, u32 first, struct rtheap_range *out,
		    unsigned int max, u32 *nextp, u32 *npagesp)
{
	struct rth_page_range *r;
	unsigned long flags;
	u32 next = 0;
	int n;

	if (!max || max > RTHEAP_PAGEMAP_MAX)
		return -EINVAL;
	*npagesp = rtheap_mem_npages(&h->mem);
	if (h->mode & H_SHARED) {
		if (rtheap_deleted(h))
			return -EIDRM;
		return rtheap_mem_shared_range(&h->mem, first, out, nextp);
	}

	r = kmalloc_array(max, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	raw_spin_lock_irqsave(&h->lock, flags);
	if (h->deleted)
		n = -EIDRM;
	else
		n = rtheap_mem_summary(&h->mem, first, r, max, &next);
	raw_spin_unlock_irqrestore(&h->lock, flags);
	rtheap_mem_fill_ranges(r, n, out);
	kfree(r);
	*nextp = next;
	return n;
}

/**
 * rtheap_set_owner() - change owner, group and permission bits
 * @h: the heap
 * @uid: new owner
 * @gid: new group
 * @perm: new permission bits (0777 at most)
 *
 * Return: 0, -EINVAL, -EIDRM.
 */
int rtheap_set_owner(struct rtheap *h, kuid_t uid, kgid_t gid, umode_t perm)
{
	unsigned long flags;
	int ret = 0;

	if (!uid_valid(uid) || !gid_valid(gid) || (perm & ~0777))
		return -EINVAL;
	raw_spin_lock_irqsave(&h->lock, flags);
	if (h->deleted) {
		ret = -EIDRM;
	} else {
		h->uid = uid;
		h->gid = gid;
		h->perm = perm;
	}
	raw_spin_unlock_irqrestore(&h->lock, flags);
	return ret;
}

/* The owner, which rtheap_set_owner() may change under the lock. */
static kuid_t rtheap_owner(struct rtheap *h)
{
	unsigned long flags;
	kuid_t uid;

	raw_spin_lock_irqsave(&h->lock, flags);
	uid = h->uid;
	raw_spin_unlock_irqrestore(&h->lock, flags);
	return uid;
}

/**
 * rtheap_mode_permits() - do the heap's permission bits let current in?
 * @h: the heap
 * @want: MAY_READ and/or MAY_WRITE
 *
 * SysV IPC style: the owner's, the group's or the others' bits, as the
 * current task's fsuid and groups pick them; no capability counts.
 *
 * Return: true if every bit of @want is granted.
 */
bool rtheap_mode_permits(struct rtheap *h, int want)
{
	unsigned long flags;
	umode_t perm;
	kuid_t uid;
	kgid_t gid;
	int granted;

	raw_spin_lock_irqsave(&h->lock, flags);
	uid = h->uid;
	gid = h->gid;
	perm = h->perm;
	raw_spin_unlock_irqrestore(&h->lock, flags);

	if (uid_eq(current_fsuid(), uid))
		granted = perm >> 6;
	else if (in_group_p(gid))
		granted = perm >> 3;
	else
		granted = perm;
	return (granted & want & 7) == (want & 7);
}

/**
 * rtheap_permitted() - may the current task use the heap so?
 * @h: the heap
 * @want: MAY_READ and/or MAY_WRITE
 *
 * SysV IPC rules: owner, group or other bits, or CAP_IPC_OWNER.
 *
 * Return: true if permitted.
 */
bool rtheap_permitted(struct rtheap *h, int want)
{
	return rtheap_mode_permits(h, want) || capable(CAP_IPC_OWNER);
}

/**
 * rtheap_trusted_owner() - is the heap the current task's own, or root's?
 * @h: the heap
 *
 * For a bind that insists on its owner: names are global, and the first
 * heap made under a name, by anyone, is the one a bind finds.
 *
 * Return: true if the owner is the caller's fsuid or root.
 */
bool rtheap_trusted_owner(struct rtheap *h)
{
	kuid_t uid = rtheap_owner(h);

	return uid_eq(uid, current_fsuid()) || uid_eq(uid, GLOBAL_ROOT_UID);
}

static bool rtheap_is_owner(struct rtheap *h)
{
	return uid_eq(current_fsuid(), rtheap_owner(h)) ||
	       capable(CAP_IPC_OWNER);
}

/**
 * rtheap_deleted() - has the heap been deleted?
 * @h: the heap
 *
 * A lockless look: a delete may follow at once.  Callers that act on the
 * core check again under the lock.
 *
 * Return: true once rtheap_delete() has begun.
 */
bool rtheap_deleted(const struct rtheap *h)
{
	return READ_ONCE(h->deleted);
}

/**
 * rtheap_user_delete() - delete a heap on behalf of user space
 * @h: the heap
 *
 * Ownership decides, as for IPC_RMID, not the permission bits: only the
 * owner or a holder of CAP_IPC_OWNER may.  Kernel heaps live until kernel
 * code deletes them.
 *
 * Return: 0, -EIDRM if already deleted, -EPERM.
 */
int rtheap_user_delete(struct rtheap *h)
{
	if (rtheap_deleted(h))
		return -EIDRM;
	if (h->kernel || !rtheap_is_owner(h))
		return -EPERM;
	return rtheap_delete(h);
}

/**
 * rtheap_addr() - the kernel address of a block
 * @h: the heap
 * @off: the block's offset, as rtheap_alloc() gave it
 *
 * Return: the address, in the heap's kernel mapping.
 */
void *rtheap_addr(const struct rtheap *h, size_t off)
{
	return rtheap_mem_addr(&h->mem, off);
}

/**
 * rtheap_offset() - the offset of a kernel address within the heap
 * @h: the heap
 * @block: an address from rtheap_addr()
 * @offp: where the offset goes
 *
 * Return: false if @block lies outside the heap; an H_SHARED heap's one
 * block is every address (offset 0), as its free has no effect.
 */
bool rtheap_offset(const struct rtheap *h, const void *block, size_t *offp)
{
	/* An H_SHARED heap's one block: whatever the pointer, the segment. */
	if (h->mode & H_SHARED) {
		*offp = 0;
		return true;
	}
	return rtheap_mem_offset(&h->mem, block, offp);
}

/**
 * rtheap_fill_attach() - what an open file learns when it attaches
 * @h: the heap
 * @at: the uapi structure to fill
 */
void rtheap_fill_attach(const struct rtheap *h, struct rtheap_attach *at)
{
	memset(at, 0, sizeof(*at));
	at->id = h->reg.id;
	at->mode = h->mode;
	at->map_size = rtheap_mem_size(&h->mem);
	at->heap_size = h->heap_size;
}

/**
 * rtheap_attach() - an open file takes a heap
 * @h: the heap, with a reference of the caller's that becomes the file's
 */
void rtheap_attach(struct rtheap *h)
{
	atomic_inc(&h->nbound);
}

/**
 * rtheap_detach() - an open file lets go of its heap
 * @h: the heap, as given to rtheap_attach()
 * @creator: the file created the heap
 *
 * A heap dies with its creating file unless it is H_PERSIST.  Drops the
 * file's reference.
 */
void rtheap_detach(struct rtheap *h, bool creator)
{
	if (creator && !(h->mode & H_PERSIST))
		rtheap_delete(h);
	atomic_dec(&h->nbound);
	rtheap_put(h);
}

static void rtheap_vm_open(struct vm_area_struct *vma)
{
	struct rtheap *h = vma->vm_private_data;

	kref_get(&h->ref);
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
	struct page *page = rtheap_mem_page(&h->mem, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	get_page(page);
	return 0;
}

static const struct vm_operations_struct rtheap_vm_ops = {
	.open = rtheap_vm_open,
	.close = rtheap_vm_close,
	.fault = rtheap_vm_fault,
};

/**
 * rtheap_mmap() - map a whole heap into a user address space
 * @h: the heap
 * @vma: the new mapping: MAP_SHARED, offset 0, exactly the heap's size;
 *	or the status page: offset the heap's map size, one page, read-only;
 *	or the class map: the page after, all its pages, read-only
 *
 * Inserts every page now and takes a reference for the mapping, which
 * its copies (fork) take too and its close drops.
 *
 * A heap holds data, never code: it cannot be mapped executable, now or
 * by a later mprotect() (VM_MAYEXEC is cleared).
 *
 * Return: 0, -EINVAL for another shape of mapping, -EPERM for PROT_EXEC
 * (or PROT_WRITE of the status page or the class map),
 * -EIDRM if deleted, or the error of the page insertion.
 */
int rtheap_mmap(struct rtheap *h, struct vm_area_struct *vma)
{
	int ret;

	if (rtheap_deleted(h))
		return -EIDRM;
	if (vma->vm_pgoff)	/* the status page, the class map, or nothing */
		return rtheap_mem_mmap_ro(&h->mem, vma);
	ret = rtheap_mem_mmap(&h->mem, vma);
	if (ret)
		return ret;
	vma->vm_private_data = h;
	vma->vm_ops = &rtheap_vm_ops;
	rtheap_vm_open(vma);
	return 0;
}

int rtheap_init(void)
{
	rtheap_mem_limits_init();
	rtheap_names_init();
	return 0;
}

void rtheap_exit(void)
{
	rtheap_names_exit();
}
