// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - the rt_heap_* kernel API (include/rtheap/heap.h).
 *
 * An RT_HEAP handle stands for the heap's live reference: rt_heap_delete()
 * clears it and drops that reference.  Calls on a deleted handle return
 * -EIDRM; other copies of a handle must not be used after the delete.
 *
 * rt_heap_alloc() with TM_NONBLOCK (or from atomic context, where it
 * returns -EPERM rather than wait), rt_heap_free() and rt_heap_inquire()
 * take no reference: they run under rcu_read_lock() and the heap lock, so
 * they are safe in any context, hard IRQ included.  The TM_NONBLOCK alloc
 * and the free keep interrupts off from the handle lookup to the unlock
 * instead, which is itself an RCU read-side critical section (the flavours
 * are one since 4.20) and saves the lock its own irqsave.  A blocking alloc holds
 * a reference while it sleeps.  Create and delete need process context.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/irqflags.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <rtheap/heap.h>

#include "heap.h"
#include "registry.h"
#include "waitq.h"

/* Was @heap filled by rt_heap_create()?  0, or -EINVAL. */
static __always_inline int rt_heap_check(const RT_HEAP *heap)
{
	return likely(heap && heap->magic == RT_HEAP_MAGIC) ? 0 : -EINVAL;
}

/*
 * The heap behind a handle, or ERR_PTR(-EINVAL) for no handle or one
 * rt_heap_create() did not fill, ERR_PTR(-EIDRM) once rt_heap_delete()
 * cleared it.  No reference is taken: the caller is in an RCU read-side
 * critical section (interrupts off count), which keeps the structure.
 */
static __always_inline struct rtheap *rt_heap_lookup(RT_HEAP *heap)
{
	struct rtheap *h;
	int ret;

	ret = rt_heap_check(heap);
	if (unlikely(ret))
		return ERR_PTR(ret);
	h = READ_ONCE(heap->h);
	return likely(h) ? h : ERR_PTR(-EIDRM);
}

/**
 * rt_heap_create() - create a heap
 * @heap: the handle to fill
 * @name: 1-31 printable characters, no space or '/'; NULL or "" for an
 *	anonymous heap, which user space cannot bind
 * @heapsize: usable bytes; the whole size is allocatable on a fresh heap
 * @mode: H_FIFO or H_PRIO (the order waiters are served in), H_SHARED
 *	(one segment), H_DMA or H_DMA32 (physically contiguous; the base in
 *	RT_HEAP_INFO.phys_addr), H_NONCACHED (x86 only: uncached mappings;
 *	-EOPNOTSUPP elsewhere); unknown bits are refused
 *
 * The heap belongs to root with mode 0600 (see rt_heap_set_owner()) and
 * lives until rt_heap_delete().  Process context only.
 *
 * Return: 0, -EINVAL (no handle, size 0 or over the limit, bad mode or
 * name), -EOPNOTSUPP (H_NONCACHED off x86), -ENAMETOOLONG, -EEXIST (name
 * taken), -ENOMEM (no memory, or the module's limits), -EPERM (not
 * process context).
 */
int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize, int mode)
{
	struct rtheap_params p = {
		.name = name,
		.size = heapsize,
		.mode = mode,
		.uid = GLOBAL_ROOT_UID,
		.gid = GLOBAL_ROOT_GID,
		.perm = 0600,
		.kernel = true,
	};
	struct rtheap *h;
	int ret;

	if (!heap || mode < 0)
		return -EINVAL;
	if (!rtheap_may_block())
		return -EPERM;
	if (name) {
		ret = rtreg_check_name(name);
		if (ret < 0)
			return ret;
	}
	ret = rtheap_create(&p, &h);
	if (ret)
		return ret;
	heap->magic = RT_HEAP_MAGIC;
	WRITE_ONCE(heap->h, h);
	return 0;
}
EXPORT_SYMBOL_GPL(rt_heap_create);

/**
 * rt_heap_delete() - delete a heap
 * @heap: a handle filled by rt_heap_create()
 *
 * Removes the name at once and wakes every waiting allocation with -EIDRM;
 * the memory goes when the last user mapping does.  Process context only.
 *
 * Return: 0, -EINVAL (not a heap handle), -EIDRM (already deleted),
 * -EPERM (not process context).
 */
int rt_heap_delete(RT_HEAP *heap)
{
	struct rtheap *h;
	int ret;

	ret = rt_heap_check(heap);
	if (ret)
		return ret;
	if (!rtheap_may_block())
		return -EPERM;
	h = xchg(&heap->h, NULL);
	if (!h)
		return -EIDRM;
	ret = rtheap_delete(h);
	rtheap_put(h);		/* the handle's, from rtheap_create() */
	return ret;
}
EXPORT_SYMBOL_GPL(rt_heap_delete);

/*
 * TM_NONBLOCK: interrupts off from the handle lookup to the unlock.  That
 * is an RCU read-side critical section (the heap structure is freed after
 * a grace period), and the heap lock then needs no irqsave of its own; no
 * timeout is built.
 */
static int rt_heap_alloc_nonblock(RT_HEAP *heap, size_t size, void **blockp)
{
	unsigned long flags;
	struct rtheap *h;
	size_t off;
	int ret;

	if (unlikely(!blockp))
		return -EINVAL;
	local_irq_save(flags);
	h = rt_heap_lookup(heap);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
	} else {
		ret = rtheap_alloc_irqoff(h, size, &off);
		if (likely(!ret))
			*blockp = rtheap_addr(h, off);
	}
	local_irq_restore(flags);
	return ret;
}

static int rt_heap_alloc_tmo(RT_HEAP *heap, size_t size,
			     const struct rtheap_tmo *t, void **blockp)
{
	struct rtheap *h;
	bool can_block;
	size_t off;
	int ret;

	if (!blockp)
		return -EINVAL;
	can_block = !t->nonblock && rtheap_may_block();

	rcu_read_lock();
	h = rt_heap_lookup(heap);
	if (IS_ERR(h)) {
		rcu_read_unlock();
		return PTR_ERR(h);
	}
	if (!can_block) {
		ret = rtheap_alloc(h, size, t, false, &off);
		if (!ret)
			*blockp = rtheap_addr(h, off);
		rcu_read_unlock();
		return ret;
	}
	if (!rtheap_tryget(h)) {
		rcu_read_unlock();
		return -EIDRM;
	}
	rcu_read_unlock();
	ret = rtheap_alloc(h, size, t, true, &off);
	if (!ret)
		*blockp = rtheap_addr(h, off);
	rtheap_put(h);
	return ret;
}

/**
 * rt_heap_alloc() - allocate a block
 * @heap: the heap
 * @size: bytes, at least 1 (H_SHARED: 0 up to the heap size)
 * @timeout: TM_NONBLOCK never waits, TM_INFINITE waits for ever, else
 *	nanoseconds from now
 * @blockp: where the block's address goes, aligned to at least 16 bytes
 *
 * With TM_NONBLOCK, any context, hard IRQ included; waiting needs process
 * context.  Atomic context is seen from IRQs, interrupts off and, on
 * kernels with CONFIG_PREEMPT_COUNT, spinlocks and preempt_disable();
 * without it (Debian's standard arm64 kernels) a caller under a spinlock
 * must pass TM_NONBLOCK itself.  Waiters are served in the heap's order
 * (H_FIFO or H_PRIO) by rt_heap_free(); at most the module's max_waiters
 * wait on one heap.
 *
 * Return: 0, -EINVAL (bad heap or size, or a size the heap can never
 * serve), -EWOULDBLOCK, -ETIMEDOUT, -EIDRM (deleted before or during the
 * wait), -EINTR (signal), -EPERM (would wait in atomic context), -EBUSY
 * (would wait, but max_waiters tasks wait already).
 */
int rt_heap_alloc(RT_HEAP *heap, size_t size, RTIME timeout, void **blockp)
{
	struct rtheap_tmo t;

	if (timeout == RTHEAP_TM_NONBLOCK)
		return rt_heap_alloc_nonblock(heap, size, blockp);
	rtheap_tmo_init(&t, timeout, false);
	return rt_heap_alloc_tmo(heap, size, &t, blockp);
}
EXPORT_SYMBOL_GPL(rt_heap_alloc);

/**
 * rt_heap_alloc_until() - allocate a block, waiting until a deadline
 * @heap: the heap
 * @size: bytes, as for rt_heap_alloc()
 * @abs_ns: a CLOCK_MONOTONIC deadline in ns; TM_NONBLOCK and TM_INFINITE
 *	as for rt_heap_alloc()
 * @blockp: where the block's address goes
 *
 * Return: as rt_heap_alloc().
 */
int rt_heap_alloc_until(RT_HEAP *heap, size_t size, RTIME abs_ns,
			void **blockp)
{
	struct rtheap_tmo t;

	rtheap_tmo_init(&t, abs_ns, true);
	return rt_heap_alloc_tmo(heap, size, &t, blockp);
}
EXPORT_SYMBOL_GPL(rt_heap_alloc_until);

/**
 * rt_heap_free() - give a block back
 * @heap: the heap
 * @block: a block rt_heap_alloc() returned and not yet freed
 *
 * Every waiter whose request now fits gets its block, in queue order,
 * before this returns.  Any context, hard IRQ included.  H_SHARED: no
 * effect, and 0 whatever @block is.
 *
 * Return: 0, -EINVAL (NULL, not the start of a live block of this heap,
 * double free), -EIDRM (deleted).
 */
int rt_heap_free(RT_HEAP *heap, void *block)
{
	unsigned long flags;
	struct rtheap *h;
	size_t off;
	int ret;

	/* Interrupts off: an RCU read-side section, and the lock's irqsave. */
	local_irq_save(flags);
	h = rt_heap_lookup(heap);
	if (IS_ERR(h))
		ret = PTR_ERR(h);
	else if (unlikely(!rtheap_offset(h, block, &off)))
		ret = rtheap_deleted(h) ? -EIDRM : -EINVAL;
	else
		ret = rtheap_free_irqoff(h, off);
	local_irq_restore(flags);
	return ret;
}
EXPORT_SYMBOL_GPL(rt_heap_free);

/**
 * rt_heap_alloc_bulk() - allocate @n blocks of one size, all or none
 * @heap: the heap
 * @size: bytes of every block, at least 1
 * @n: blocks, 1 to RT_HEAP_BULK_MAX
 * @blocks: where the @n addresses go; untouched on failure
 *
 * Never waits (TM_NONBLOCK semantics): either all @n blocks, taken under
 * one hold of the heap lock, or none, and the heap is left as it was.
 * Any context, hard IRQ included: at most RT_HEAP_BULK_MAX O(1) allocator
 * calls under the lock, and RT_HEAP_BULK_MAX * 8 bytes of stack.
 * H_SHARED heaps refuse bulk calls.
 *
 * Return: 0, -EINVAL (bad heap or arguments, @n 0 or over
 * RT_HEAP_BULK_MAX, size 0 or one the heap can never serve, H_SHARED),
 * -EWOULDBLOCK (not all @n fit now), -EIDRM (deleted).
 */
int rt_heap_alloc_bulk(RT_HEAP *heap, size_t size, size_t n, void *blocks[])
{
	u64 offs[RT_HEAP_BULK_MAX];
	struct rtheap *h;
	size_t i;
	int ret;

	if (!blocks || !n || n > RT_HEAP_BULK_MAX)
		return -EINVAL;
	rcu_read_lock();
	h = rt_heap_lookup(heap);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
	} else {
		ret = rtheap_alloc_bulk(h, size, n, offs);
		for (i = 0; !ret && i < n; i++)
			blocks[i] = rtheap_addr(h, offs[i]);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(rt_heap_alloc_bulk);

/**
 * rt_heap_free_bulk() - give @n blocks back, each validated
 * @heap: the heap
 * @n: blocks, 1 to RT_HEAP_BULK_MAX
 * @blocks: the blocks; NULL entries, addresses outside the heap and
 *	blocks that are not live (double frees, also twice in @blocks) fail
 * @results: if not NULL, per block 0 (freed) or -EINVAL (not freed)
 *
 * One bad block does not stop the others.  The frees happen under one
 * hold of the heap lock, then waiters are served once, in queue order,
 * from all that was given back.  Any context, hard IRQ included.
 *
 * Return: the number of blocks not freed (0: every one was; each failed
 * one is -EINVAL in @results), or a negative errno, and then nothing was
 * freed and @results is untouched: -EINVAL (bad heap, @blocks NULL, @n 0
 * or over RT_HEAP_BULK_MAX, H_SHARED), -EIDRM (deleted).
 */
int rt_heap_free_bulk(RT_HEAP *heap, size_t n, void *const blocks[],
		      int results[])
{
	u64 offs[RT_HEAP_BULK_MAX];
	struct rtheap *h;
	size_t i, off;
	int ret;

	BUILD_BUG_ON(sizeof(int) != sizeof(s32));
	if (!blocks || !n || n > RT_HEAP_BULK_MAX)
		return -EINVAL;
	rcu_read_lock();
	h = rt_heap_lookup(heap);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
	} else {
		/* Outside the heap: an offset no block has, refused below. */
		for (i = 0; i < n; i++)
			offs[i] = blocks[i] && rtheap_offset(h, blocks[i], &off) ?
				  off : U64_MAX;
		ret = rtheap_free_bulk(h, n, offs, (s32 *)results);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(rt_heap_free_bulk);

/**
 * rt_heap_inquire() - describe a heap
 * @heap: the heap
 * @info: filled with its counters, sizes, owner and name
 *
 * Any context, hard IRQ included.
 *
 * Return: 0, -EINVAL (bad arguments), -EIDRM (deleted).
 */
int rt_heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info)
{
	struct rtheap_info ki;
	struct rtheap *h;
	int i;

	if (!info)
		return -EINVAL;
	rcu_read_lock();
	h = rt_heap_lookup(heap);
	if (!IS_ERR(h))
		rtheap_fill_info(h, &ki, &init_user_ns, true);
	rcu_read_unlock();
	if (IS_ERR(h))
		return PTR_ERR(h);
	if (ki.flags & RTHEAP_INFO_DELETED)
		return -EIDRM;

	memset(info, 0, sizeof(*info));
	info->nwaiters = ki.nwaiters;
	info->mode = ki.mode;
	info->heapsize = ki.heap_size;
	info->usablemem = ki.usable_mem;
	info->usedmem = ki.used_mem;
	info->largestfree = ki.largest_free;
	info->nmaps = ki.nmaps;
	info->nbound = ki.nbound;
	info->uid = ki.uid;
	info->gid = ki.gid;
	info->perm = ki.perm;
	info->cpid = ki.cpid;
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++)
		info->class_blocks[i] = ki.class_blocks[i];
	memcpy(info->name, ki.name, sizeof(info->name));
	info->phys_addr = ki.phys_addr;
	info->nr_classes = ki.nr_classes;
	return 0;
}
EXPORT_SYMBOL_GPL(rt_heap_inquire);

/**
 * rt_heap_set_owner() - owner and permission bits user space sees
 * @heap: the heap
 * @uid: owner, who may delete it from user space
 * @gid: group
 * @perm: read and write bits for owner, group and others (0600 at create);
 *	binding needs read and write
 *
 * Return: 0, -EINVAL (bad heap, ids or bits), -EIDRM (deleted).
 */
int rt_heap_set_owner(RT_HEAP *heap, kuid_t uid, kgid_t gid, umode_t perm)
{
	struct rtheap *h;
	int ret;

	rcu_read_lock();
	h = rt_heap_lookup(heap);
	ret = IS_ERR(h) ? PTR_ERR(h) : rtheap_set_owner(h, uid, gid, perm);
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(rt_heap_set_owner);
