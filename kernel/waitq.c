// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - timeouts and the wait queue of a heap: struct rtheap_waitq, its
 * waiters, the H_PRIO priority index, the class-aware walk that hands
 * freed memory to waiters, and the sleep with its deadline.
 *
 * The heap (heap.c) embeds a struct rtheap_waitq and calls every function
 * here that takes one under its lock (a raw spinlock, irqsave), so nothing
 * here sleeps or takes another lock but the scheduler's: waiters are woken
 * with wake_up_process() on the task recorded in their on-stack waiter.
 *
 * Order: a waiter {task, size, result, offset, node} on the sleeper's
 * stack sits in ->waiters, sorted by key, arrival order among equal keys;
 * the key is 0 for H_FIFO, 1 + the task's priority when it queued for
 * H_PRIO (lower is more urgent, as for task_struct.prio; deadline tasks,
 * prio -1, get key 0).  Queueing is O(1) for both: H_PRIO queues keep the
 * last waiter of every key and a bitmap of the keys queued (struct
 * rtheap_prioq), so a newcomer goes behind the last waiter of the
 * greatest key not above its own, found by a bitmap search of a fixed
 * length.
 *
 * Bounds: at most rtheap_max_waiters tasks wait on one heap (the heap
 * fails an alloc over it at once with -EBUSY, rtheap_waitq_full()).  That
 * number bounds every walk of the queue under the heap's lock: a grant's
 * (rtheap_waitq_grant(), one allocator call per step) and a delete's
 * wake-ups (rtheap_waitq_wake_all()).  A grant walks the queue only when
 * the largest free block can serve the smallest request queued, and stops
 * as soon as it cannot (->wclass_map: the size classes queued).
 *
 * Outcome: the sleeper always retakes the heap's lock before leaving
 * (rtheap_waitq_settle()), so a waker never touches a waiter that has
 * gone, and a grant that races with a timeout or a signal wins.
 *
 * The queue's length is mirrored, under the lock, into the word the heap
 * names at rtheap_waitq_init(): the status page's nwaiters, which
 * libheap's block cache reads to free straight to the kernel while tasks
 * wait.
 */
#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <rtheap/ioctl.h>

#include "alloc.h"
#include "waitq.h"

unsigned int rtheap_max_waiters = 128;
module_param_named(max_waiters, rtheap_max_waiters, uint, 0644);
MODULE_PARM_DESC(max_waiters,
		 "Most tasks waiting in alloc on one heap (default 128); over it alloc fails at once with -EBUSY. It bounds the work a free or a delete does with interrupts off");

/* Queue keys of H_PRIO: 1 + task_struct.prio, 0 for deadline tasks. */
#define RTHEAP_NR_KEYS		(MAX_PRIO + 1)

/* The last waiter of every key queued, and which keys are. */
struct rtheap_prioq {
	DECLARE_BITMAP(map, RTHEAP_NR_KEYS);
	struct rtheap_waiter *last[RTHEAP_NR_KEYS];
};

/**
 * rtheap_tmo_init() - turn a uapi timeout into a deadline
 * @t: the timeout to fill
 * @timeout: RTHEAP_TM_NONBLOCK, RTHEAP_TM_INFINITE, or nanoseconds: from
 *	now, or a CLOCK_MONOTONIC time with @abs
 * @abs: @timeout is a deadline
 *
 * A deadline past KTIME_MAX is none: the wait is for ever.
 */
void rtheap_tmo_init(struct rtheap_tmo *t, u64 timeout, bool abs)
{
	t->nonblock = timeout == RTHEAP_TM_NONBLOCK;
	t->forever = timeout == RTHEAP_TM_INFINITE;
	t->deadline = KTIME_MAX;
	if (t->nonblock || t->forever)
		return;
	if (abs) {
		t->deadline = timeout > KTIME_MAX ? KTIME_MAX : (ktime_t)timeout;
	} else {
		ktime_t now = ktime_get();

		if (timeout < (u64)(KTIME_MAX - now))
			t->deadline = ktime_add_ns(now, timeout);
	}
}

/**
 * rtheap_may_block() - may the caller sleep?
 *
 * preempt_count() sees hard and soft IRQ, NMI and, with
 * CONFIG_PREEMPT_COUNT (Debian's amd64 kernels, every -rt kernel),
 * spinlocks and preempt_disable(); rcu_preempt_depth() sees RCU readers
 * and, on PREEMPT_RT, spinlock_t holders.  Without CONFIG_PREEMPT_COUNT
 * (Debian's standard arm64 kernels) a spinlock or preempt_disable()
 * section cannot be told from process context: a kernel caller there must
 * pass TM_NONBLOCK itself.  Interrupts off and IRQ context are always seen.
 *
 * Return: true if it may.
 */
bool rtheap_may_block(void)
{
	return in_task() && !irqs_disabled() && !preempt_count() &&
	       !rcu_preempt_depth();
}

/**
 * rtheap_sleep() - sleep until *@done, a signal or the deadline
 * @done: set by the waker with a store-release, after the outcome
 * @t: the timeout
 *
 * The caller settles the outcome under its lock, where a late grant still
 * wins.
 *
 * Return: 0 when done, else -EINTR or -ETIMEDOUT (never before the
 * deadline).
 */
int rtheap_sleep(const bool *done, const struct rtheap_tmo *t)
{
	int ret = 0;

	for (;;) {
		ktime_t expires = t->deadline;

		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with the waker's store-release: result is valid. */
		if (smp_load_acquire(done))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (!t->forever && ktime_compare(ktime_get(), expires) >= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_hrtimeout_range(t->forever ? NULL : &expires, 0,
					 HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/**
 * rtheap_waitq_init() - set up an empty queue
 * @q: the queue
 * @prio: serve waiters by task priority (H_PRIO), else in arrival order
 * @mirror: where the queue's length is published for user space
 *
 * Return: 0 or -ENOMEM.
 */
int rtheap_waitq_init(struct rtheap_waitq *q, bool prio, u32 *mirror)
{
	INIT_LIST_HEAD(&q->waiters);
	q->nwaiters = 0;
	q->wclass_map = 0;
	memset(q->wclass_count, 0, sizeof(q->wclass_count));
	q->mirror = mirror;
	q->prioq = NULL;
	if (prio) {
		q->prioq = kzalloc(sizeof(*q->prioq), GFP_KERNEL_ACCOUNT);
		if (!q->prioq)
			return -ENOMEM;
	}
	return 0;
}

/**
 * rtheap_waitq_destroy() - free what rtheap_waitq_init() took
 * @q: the queue, empty
 */
void rtheap_waitq_destroy(struct rtheap_waitq *q)
{
	kfree(q->prioq);
	q->prioq = NULL;
}

/**
 * rtheap_waitq_full() - may no more tasks queue?
 * @q: the queue, under the heap's lock
 *
 * Return: true once rtheap_max_waiters tasks wait.
 */
bool rtheap_waitq_full(const struct rtheap_waitq *q)
{
	return q->nwaiters >= READ_ONCE(rtheap_max_waiters);
}

/*
 * A request's size class: 2^c bytes is the least power of two that holds
 * it, c >= RTH_MIN_SHIFT.  Below PAGE_SHIFT that is the core's bucket
 * class; from PAGE_SHIFT up the request is served by a run of pages.
 */
static inline unsigned int rtheap_wclass(size_t size)
{
	return size > RTH_MIN_BLOCK ? fls64(size - 1) : RTH_MIN_SHIFT;
}

/* Fewest bytes a queued request may ask for, as far as its class tells. */
static inline u64 rtheap_wait_min(const struct rtheap_waitq *q)
{
	unsigned int c = __ffs64(q->wclass_map);

	return c > RTH_MIN_SHIFT ? (1ULL << (c - 1)) + 1 : 1;
}

/* Queue behind every waiter of the same or a more urgent key: O(1). */
static void rtheap_enqueue(struct rtheap_waitq *q, struct rtheap_waiter *w)
{
	struct rtheap_prioq *pq = q->prioq;
	unsigned int c = rtheap_wclass(w->size);
	unsigned long k;

	if (!pq) {
		list_add_tail(&w->node, &q->waiters);
	} else {
		k = find_last_bit(pq->map, w->key + 1);
		if (k > w->key)		/* none as urgent: first in line */
			list_add(&w->node, &q->waiters);
		else
			list_add(&w->node, &pq->last[k]->node);
		pq->last[w->key] = w;
		__set_bit(w->key, pq->map);
	}
	q->nwaiters++;
	WRITE_ONCE(*q->mirror, q->nwaiters);
	q->wclass_count[c]++;
	q->wclass_map |= 1ULL << c;
}

/* Take a queued waiter off the queue: O(1). */
static void rtheap_dequeue(struct rtheap_waitq *q, struct rtheap_waiter *w)
{
	struct rtheap_prioq *pq = q->prioq;
	unsigned int c = rtheap_wclass(w->size);
	struct rtheap_waiter *prev;

	if (pq && pq->last[w->key] == w) {
		prev = list_prev_entry(w, node);
		if (&prev->node != &q->waiters && prev->key == w->key) {
			pq->last[w->key] = prev;
		} else {
			pq->last[w->key] = NULL;
			__clear_bit(w->key, pq->map);
		}
	}
	list_del(&w->node);
	q->nwaiters--;
	WRITE_ONCE(*q->mirror, q->nwaiters);
	if (!--q->wclass_count[c])
		q->wclass_map &= ~(1ULL << c);
}

/* Take @w off the queue and wake its task with @result (and its block). */
static void rtheap_wake(struct rtheap_waitq *q, struct rtheap_waiter *w,
			int result, size_t off)
{
	rtheap_dequeue(q, w);
	w->offset = off;
	w->result = result;
	/* Outcome first: pairs with smp_load_acquire() in rtheap_sleep(). */
	smp_store_release(&w->done, true);
	wake_up_process(w->task);
}

/**
 * rtheap_waitq_add() - queue the current task for @size bytes
 * @q: the queue, under the heap's lock
 * @w: the task's waiter, on its stack until rtheap_waitq_settle()
 * @size: bytes wanted
 *
 * O(1).  The caller has checked rtheap_waitq_full().
 */
void rtheap_waitq_add(struct rtheap_waitq *q, struct rtheap_waiter *w,
		      size_t size)
{
	w->task = current;
	w->size = size;
	w->result = 0;
	w->offset = 0;
	w->done = false;
	w->key = 0;
	if (q->prioq)
		w->key = clamp(current->prio + 1, 0, RTHEAP_NR_KEYS - 1);
	rtheap_enqueue(q, w);
}

/**
 * rtheap_waiter_sleep() - sleep until @w is served, a signal or the deadline
 * @w: the current task's waiter, queued
 * @t: the timeout
 *
 * Without the heap's lock; rtheap_waitq_settle() follows under it.
 *
 * Return: as rtheap_sleep().
 */
int rtheap_waiter_sleep(struct rtheap_waiter *w, const struct rtheap_tmo *t)
{
	return rtheap_sleep(&w->done, t);
}

/**
 * rtheap_waitq_settle() - the outcome of a wait, once the lock is retaken
 * @q: the queue, under the heap's lock
 * @w: the current task's waiter
 * @slept: what rtheap_waiter_sleep() returned
 * @offp: receives the block's offset when @w was served
 *
 * A waiter served meanwhile keeps what it was given, however the sleep
 * ended; one that was not leaves the queue.
 *
 * Return: 0 (a block at *@offp), the error it was woken with, or @slept.
 */
int rtheap_waitq_settle(struct rtheap_waitq *q, struct rtheap_waiter *w,
			int slept, size_t *offp)
{
	if (w->done) {
		*offp = w->offset;
		return w->result;
	}
	rtheap_dequeue(q, w);
	return slept;
}

/**
 * rtheap_waitq_grant() - hand freed memory to waiters, in queue order
 * @q: the queue, under the heap's lock
 * @largest_free: the largest block the allocator can serve now
 * @take: allocates a waiter's block
 * @arg: @take's first argument
 *
 * Every waiter whose request fits now gets its block; those that do not
 * fit are skipped.
 *
 * Bounded, and short when little can be served.  Nothing is tried unless
 * the largest free block can serve the smallest class queued.  A failure
 * tells what else cannot fit while the walk goes on (it only takes
 * memory): a bucket request fails only when its class has no free block
 * and no page is free, so its class and every page-run request fail too;
 * a page-run request of n pages fails when no run that long is found, so
 * every request of n pages or more fails too.  Those are passed
 * over without an allocator call, and the walk ends once every class
 * queued is known not to fit.  At most rtheap_max_waiters steps, one O(1)
 * allocator call each.
 */
void rtheap_waitq_grant(struct rtheap_waitq *q, u64 largest_free,
			rtheap_take_fn take, void *arg)
{
	struct rtheap_waiter *w, *tmp;
	size_t fail_run = SIZE_MAX;	/* smallest page-run request failed */
	u64 skip = 0;			/* classes that cannot fit now */
	unsigned int c;
	size_t off;

	if (largest_free < rtheap_wait_min(q))
		return;
	list_for_each_entry_safe(w, tmp, &q->waiters, node) {
		c = rtheap_wclass(w->size);
		if ((skip & BIT_ULL(c)) || w->size >= fail_run)
			continue;
		if (take(arg, w->size, &off)) {
			if (c < PAGE_SHIFT) {
				skip |= BIT_ULL(c);
				fail_run = PAGE_SIZE / 2 + 1;
			} else {
				/* Every request of as many pages fails. */
				fail_run = min_t(size_t, fail_run,
						 max_t(size_t, PAGE_SIZE / 2 + 1,
						       round_down(w->size - 1, PAGE_SIZE) + 1));
			}
			/* Classes whose every request is >= fail_run. */
			skip |= GENMASK_ULL(63, max_t(unsigned int, PAGE_SHIFT,
						      fls64(fail_run - 2) + 1));
			if (!(q->wclass_map & ~skip))
				break;
			continue;
		}
		rtheap_wake(q, w, 0, off);
		if (!(q->wclass_map & ~skip))
			break;
	}
}

/**
 * rtheap_waitq_wake_all() - empty the queue, waking every waiter
 * @q: the queue, under the heap's lock
 * @result: what each wait ends with (-EIDRM: the heap is deleted)
 *
 * At most rtheap_max_waiters wake-ups.
 */
void rtheap_waitq_wake_all(struct rtheap_waitq *q, int result)
{
	struct rtheap_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, &q->waiters, node)
		rtheap_wake(q, w, result, 0);
}
