/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap registry: names and ids of heaps, RCU lookups, bind-before-create.
 *
 * The registry knows nothing about heaps: callers embed a struct
 * rtreg_entry in their object and tell the registry how to take a
 * reference on it (->tryget) and how to wake a task waiting for a name
 * (->wake).  It uses only lists, a mutex and RCU, so that the very same
 * registry.c is compiled on the host against liburcu and the shim headers
 * in tests/host/shim/.
 */
#ifndef _RTHEAP_REGISTRY_H
#define _RTHEAP_REGISTRY_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>

#define RTREG_NAMELEN		32		/* including the NUL */
#define RTREG_HASH_BITS		6
#define RTREG_HASH_SIZE		64
static_assert(RTREG_HASH_SIZE == 1U << RTREG_HASH_BITS, "hash size");
#define RTREG_ID_MIN		1U
#define RTREG_ID_MAX		0x7fffffffU	/* ids fit an int */

struct rtreg_entry {
	struct hlist_node name_node;	/* in name_hash, if named */
	struct hlist_node id_node;	/* in id_hash */
	struct list_head all;		/* in rtreg.all, in registration order */
	u32 id;
	bool named;
	bool registered;
	char name[RTREG_NAMELEN];	/* "" when anonymous */
};

/* A task waiting in bind for a name to be registered; lives on its stack. */
struct rtreg_waiter {
	struct list_head node;		/* in rtreg.waiters while queued */
	char name[RTREG_NAMELEN];
	struct rtreg_entry *found;	/* referenced entry, once granted */
	bool granted;			/* store-release after found */
	void *priv;			/* for ->wake: the waiting task */
};

struct rtreg {
	struct mutex lock;		/* writers and waiters; RCU for lookups */
	struct hlist_head name_hash[RTREG_HASH_SIZE];
	struct hlist_head id_hash[RTREG_HASH_SIZE];
	struct list_head all;
	struct list_head waiters;
	u32 next_id;
	unsigned int count;
	/* Take a reference on a registered entry; false if it is going away. */
	bool (*tryget)(struct rtreg_entry *e);
	/* Wake the owner of w after w->granted was set; called under lock. */
	void (*wake)(struct rtreg_waiter *w);
};

void rtreg_init(struct rtreg *r, bool (*tryget)(struct rtreg_entry *e),
		void (*wake)(struct rtreg_waiter *w));
void rtreg_destroy(struct rtreg *r);

/*
 * Check a name in a buffer of at least RTREG_NAMELEN bytes or a NUL
 * terminated string: 1-31 printable ASCII characters, no space, no '/'.
 * Returns its length (0 for ""), -ENAMETOOLONG or -EINVAL.
 */
int rtreg_check_name(const char *name);

/*
 * Register e under name (NULL or "" for an anonymous entry) with a new id.
 * Grants e to every bind waiter for that name.  Returns 0, -EINVAL,
 * -ENAMETOOLONG, -EEXIST or -ENOSPC (no free id).
 */
int rtreg_add(struct rtreg *r, struct rtreg_entry *e, const char *name);

/* Unregister e: its name and id are free again once this returns. */
void rtreg_remove(struct rtreg *r, struct rtreg_entry *e);

/* Lookups: the caller holds rcu_read_lock() or r->lock. */
struct rtreg_entry *rtreg_find_name(struct rtreg *r, const char *name);
struct rtreg_entry *rtreg_find_id(struct rtreg *r, u32 id);

/*
 * Lookups that return a referenced entry (->tryget), or NULL.  A name is
 * checked where it is stored (rtreg_add(), rtreg_bind_prepare()); callers
 * check it once at their entry with rtreg_check_name().
 */
struct rtreg_entry *rtreg_get_name(struct rtreg *r, const char *name);
struct rtreg_entry *rtreg_get_id(struct rtreg *r, u32 id);

/*
 * Bind-before-create.  rtreg_bind_prepare() looks name up and returns a
 * referenced entry in *ep, or queues w and sets *ep to NULL; the caller
 * then sleeps until w->granted (smp_load_acquire), a signal or a timeout,
 * and always calls rtreg_bind_finish(), which dequeues w and returns the
 * referenced entry w was granted, if any.  Returns 0, -EINVAL or
 * -ENAMETOOLONG (name "" is -EINVAL).
 */
int rtreg_bind_prepare(struct rtreg *r, struct rtreg_waiter *w,
		       const char *name, void *priv, struct rtreg_entry **ep);
struct rtreg_entry *rtreg_bind_finish(struct rtreg *r, struct rtreg_waiter *w);

#endif /* _RTHEAP_REGISTRY_H */
