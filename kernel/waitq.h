/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - timeouts, and a heap's queue of waiting allocations.  See
 * waitq.c for the queue's order and the bounds on its walks, and the
 * kernel-doc of each function there.
 */
#ifndef _RTHEAP_KERNEL_WAITQ_H
#define _RTHEAP_KERNEL_WAITQ_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/types.h>

struct rtheap_prioq;
struct task_struct;

/* A timeout, turned into an absolute CLOCK_MONOTONIC deadline at entry. */
struct rtheap_tmo {
	ktime_t deadline;
	bool forever;			/* RTHEAP_TM_INFINITE */
	bool nonblock;			/* RTHEAP_TM_NONBLOCK */
};

extern unsigned int rtheap_max_waiters;

void rtheap_tmo_init(struct rtheap_tmo *t, u64 timeout, bool abs);
bool rtheap_may_block(void);
int rtheap_sleep(const bool *done, const struct rtheap_tmo *t);

/*
 * A task waiting in alloc, on its own stack, queued by rtheap_waitq_add().
 * Its fields are waitq.c's alone.
 */
struct rtheap_waiter {
	struct list_head node;		/* in rtheap_waitq.waiters, by key */
	int key;			/* 0, or 1 + the task's prio for H_PRIO */
	struct task_struct *task;
	size_t size;
	size_t offset;			/* granted block */
	int result;			/* 0 or an error, valid once done */
	bool done;			/* store-release after result */
};

/*
 * A heap's queue of waiters, embedded in the heap and protected by the
 * heap's lock.  Its fields are waitq.c's alone (and the inline function
 * below): the heap uses the functions that follow.
 */
struct rtheap_waitq {
	struct list_head waiters;	/* struct rtheap_waiter, by key */
	unsigned int nwaiters;
	u64 wclass_map;			/* bit c: a request of 2^c bytes queued */
	u32 wclass_count[64];		/* waiters per class, rtheap_wclass() */
	struct rtheap_prioq *prioq;	/* H_PRIO only: O(1) queueing */
	u32 *mirror;			/* nwaiters for user space: the status page */
};

/*
 * A grant's allocation for a waiter of @size bytes: 0 and the block at
 * *@offp, or the allocator's error (-ENOMEM: no room now).
 */
typedef int (*rtheap_take_fn)(void *arg, size_t size, size_t *offp);

int rtheap_waitq_init(struct rtheap_waitq *q, bool prio, u32 *mirror);
void rtheap_waitq_destroy(struct rtheap_waitq *q);
bool rtheap_waitq_full(const struct rtheap_waitq *q);
void rtheap_waitq_add(struct rtheap_waitq *q, struct rtheap_waiter *w,
		      size_t size);
int rtheap_waiter_sleep(struct rtheap_waiter *w, const struct rtheap_tmo *t);
int rtheap_waitq_settle(struct rtheap_waitq *q, struct rtheap_waiter *w,
			int slept, size_t *offp);
void rtheap_waitq_grant(struct rtheap_waitq *q, u64 largest_free,
			rtheap_take_fn take, void *arg);
void rtheap_waitq_wake_all(struct rtheap_waitq *q, int result);

/**
 * rtheap_waitq_len() - how many tasks wait
 * @q: the queue, under the heap's lock
 *
 * Inline: the free path asks on every call.
 *
 * Return: the number of waiters queued.
 */
static inline unsigned int rtheap_waitq_len(const struct rtheap_waitq *q)
{
	return q->nwaiters;
}

#endif /* _RTHEAP_KERNEL_WAITQ_H */
