// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - the names and ids of heaps: the registry every heap is entered
 * in (struct rtreg, registry.c) from its create to its delete, finding a
 * heap by name, waiting for a heap of a name to be created (bind before
 * create), and walking every heap a reader may see (/proc/rtheap and
 * RTHEAP_IOC_LIST).
 *
 * The registry's mutex ranks above the heap's lock and the mmap lock (see
 * heap.c).  Lookups by name run under RCU and return a heap with a
 * reference (rtheap_tryget()); a walk holds the mutex, so no heap comes
 * or goes during it.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>

#include "heap.h"
#include "heapnames.h"
#include "registry.h"
#include "waitq.h"

static struct rtreg rtheap_registry;

static bool rtheap_reg_tryget(struct rtreg_entry *e)
{
	return rtheap_tryget(rtheap_from_entry(e));
}

static void rtheap_reg_wake(struct rtreg_waiter *w)
{
	wake_up_process(w->priv);
}

/**
 * rtheap_names_init() - set up the registry of heaps, at module load
 */
void rtheap_names_init(void)
{
	rtreg_init(&rtheap_registry, rtheap_reg_tryget, rtheap_reg_wake);
}

/**
 * rtheap_names_exit() - tear the registry down, at module unload
 */
void rtheap_names_exit(void)
{
	/* Every heap pins the module: none can be left here. */
	rtreg_destroy(&rtheap_registry);
}

/**
 * rtheap_name_taken() - is a heap of that name registered now?
 * @name: a name checked with rtreg_check_name(), not ""
 *
 * For a create to fail fast before it allocates; rtheap_name_add() has
 * the last word.
 *
 * Return: true if one is.
 */
bool rtheap_name_taken(const char *name)
{
	bool taken;

	rcu_read_lock();
	taken = rtreg_find_name(&rtheap_registry, name);
	rcu_read_unlock();
	return taken;
}

/**
 * rtheap_name_add() - register a new heap's entry
 * @e: the entry the heap embeds
 * @name: its name, NULL or "" for an anonymous heap
 *
 * Gives the heap its id, and grants it to every bind waiting for @name.
 *
 * Return: 0, or rtreg_add()'s -EINVAL, -ENAMETOOLONG, -EEXIST, -ENOSPC.
 */
int rtheap_name_add(struct rtreg_entry *e, const char *name)
{
	return rtreg_add(&rtheap_registry, e, name);
}

/**
 * rtheap_name_remove() - unregister a deleted heap's entry
 * @e: the entry given to rtheap_name_add()
 *
 * Its name and id are free again once this returns.
 */
void rtheap_name_remove(struct rtreg_entry *e)
{
	rtreg_remove(&rtheap_registry, e);
}

/**
 * rtheap_bind() - find a heap by name, waiting for its creation
 * @name: a name the caller has checked with rtreg_check_name(), not ""
 * @t: how long to wait for a heap of that name to be created
 * @hp: the heap, with a reference of the caller's
 *
 * Return: 0, -EWOULDBLOCK, -ETIMEDOUT, -EINTR, -EIDRM (found, but deleted
 * meanwhile).
 */
int rtheap_bind(const char *name, const struct rtheap_tmo *t,
		struct rtheap **hp)
{
	struct rtreg_waiter w;
	struct rtreg_entry *e;
	struct rtheap *h;
	int ret;

	e = rtreg_get_name(&rtheap_registry, name);
	if (!e) {
		if (t->nonblock)
			return -EWOULDBLOCK;
		ret = rtreg_bind_prepare(&rtheap_registry, &w, name, current,
					 &e);
		if (ret)
			return ret;
		if (!e) {
			ret = rtheap_sleep(&w.granted, t);
			e = rtreg_bind_finish(&rtheap_registry, &w);
			if (!e)
				return ret;
		}
	}
	h = rtheap_from_entry(e);
	if (rtheap_deleted(h)) {
		rtheap_put(h);
		return -EIDRM;
	}
	*hp = h;
	return 0;
}

/*
 * For walks: a heap the caller's mode bits let it read is seen; any other
 * only with CAP_IPC_OWNER, which only widens what is shown: asked without
 * an audit record, and only once a walk meets such a heap (then kept for
 * the rest of the walk).
 */
static bool rtheap_visible(struct rtheap *h, struct rtheap_iter *it)
{
	if (rtheap_mode_permits(h, MAY_READ))
		return true;
	if (it->ipc_owner < 0)
		it->ipc_owner = ns_capable_noaudit(&init_user_ns,
						   CAP_IPC_OWNER);
	return it->ipc_owner;
}

/**
 * rtheap_iter_start() - start a walk over the heaps the caller may see
 * @it: the walk's state
 *
 * Takes the registry's lock, which rtheap_iter_stop() releases: no heap
 * comes or goes meanwhile.  A heap is seen if the caller may read it, or
 * holds CAP_IPC_OWNER.
 *
 * Return: how many heaps exist, seen or not (an upper bound for the walk).
 */
unsigned int rtheap_iter_start(struct rtheap_iter *it)
	__acquires(&rtheap_registry.lock)
{
	it->ipc_owner = -1;
	mutex_lock(&rtheap_registry.lock);
	__acquire(&rtheap_registry.lock);	/* for sparse: mutexes are not annotated */
	it->pos = &rtheap_registry.all;
	return rtheap_registry.count;
}

/**
 * rtheap_iter_next() - the next heap of a walk
 * @it: the walk's state
 *
 * Return: the next heap the caller may see, NULL after the last.  The
 * heap is valid until rtheap_iter_stop().
 */
struct rtheap *rtheap_iter_next(struct rtheap_iter *it)
{
	struct rtheap *h;

	lockdep_assert_held(&rtheap_registry.lock);
	while (it->pos->next != &rtheap_registry.all) {
		it->pos = it->pos->next;
		h = rtheap_from_entry(list_entry(it->pos, struct rtreg_entry,
						 all));
		if (rtheap_visible(h, it))
			return h;
	}
	return NULL;
}

/**
 * rtheap_iter_stop() - end a walk
 * @it: the walk's state
 */
void rtheap_iter_stop(struct rtheap_iter *it)
	__releases(&rtheap_registry.lock)
{
	__release(&rtheap_registry.lock);
	mutex_unlock(&rtheap_registry.lock);
}
