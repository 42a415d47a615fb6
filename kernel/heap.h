/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - the heap object, shared by the char device, /proc and the
 * exported kernel API.  See heap.c for locking and lifetime rules.
 */
#ifndef _RTHEAP_KERNEL_HEAP_H
#define _RTHEAP_KERNEL_HEAP_H

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <rtheap/ioctl.h>

#include "alloc.h"
#include "registry.h"

struct page;
struct pid;
struct user_namespace;

struct rtheap {
	struct rtreg_entry reg;		/* name and id; first for container_of */
	struct kref ref;		/* see "Lifetime" in heap.c */
	raw_spinlock_t lock;

	/* Protected by lock. */
	struct list_head waiters;	/* struct rtheap_waiter, by key */
	unsigned int nwaiters;
	bool deleted;			/* also read locklessly: READ_ONCE */
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
	struct rth_core core;		/* unused for H_SHARED */

	/* Fixed from create to release. */
	u32 mode;			/* H_* */
	u32 npages;
	u64 heap_size;			/* as requested */
	void *vaddr;			/* vmap() of pages */
	struct page **pages;
	void *meta;			/* allocator metadata, never mapped */
	struct pid *cpid;		/* creator's thread group, NULL: kernel */
	bool kernel;			/* created by rt_heap_create() */

	atomic_t nmaps;			/* live user mappings (vmas) */
	atomic_t nbound;		/* open files attached */
	struct rcu_head rcu;
};

/* A timeout, turned into an absolute CLOCK_MONOTONIC deadline at entry. */
struct rtheap_tmo {
	ktime_t deadline;
	bool forever;			/* RTHEAP_TM_INFINITE */
	bool nonblock;			/* RTHEAP_TM_NONBLOCK */
};

struct rtheap_params {
	const char *name;		/* NULL or "": anonymous */
	u64 size;
	u32 mode;
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
	bool kernel;
};

extern struct rtreg rtheap_registry;
extern unsigned int rtheap_max_heaps;
extern unsigned long long rtheap_max_bytes;

int rtheap_init(void);
void rtheap_exit(void);

void rtheap_tmo_init(struct rtheap_tmo *t, u64 timeout, bool abs);
bool rtheap_may_block(void);

/* On success *hp holds a reference of the caller's (rtheap_put() it). */
int rtheap_create(const struct rtheap_params *p, struct rtheap **hp);
int rtheap_delete(struct rtheap *h);
int rtheap_bind(const char *name, const struct rtheap_tmo *t,
		struct rtheap **hp);
int rtheap_alloc(struct rtheap *h, size_t size, const struct rtheap_tmo *t,
		 bool can_block, size_t *offp);
int rtheap_free(struct rtheap *h, size_t off);
void rtheap_fill_info(struct rtheap *h, struct rtheap_info *info,
		      struct user_namespace *ns);
int rtheap_set_owner(struct rtheap *h, kuid_t uid, kgid_t gid, umode_t perm);
bool rtheap_permitted(struct rtheap *h, int want);
bool rtheap_visible(struct rtheap *h, bool ipc_owner);
bool rtheap_list_privileged(void);
bool rtheap_is_owner(struct rtheap *h);

static inline void rtheap_get(struct rtheap *h)
{
	kref_get(&h->ref);
}

void rtheap_put(struct rtheap *h);

static inline bool rtheap_deleted(const struct rtheap *h)
{
	return READ_ONCE(h->deleted);
}

static inline u64 rtheap_map_size(const struct rtheap *h)
{
	return (u64)h->npages << PAGE_SHIFT;
}

static inline struct rtheap *rtheap_from_entry(struct rtreg_entry *e)
{
	return container_of(e, struct rtheap, reg);
}

#endif /* _RTHEAP_KERNEL_HEAP_H */
