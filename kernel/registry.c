// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap registry: names and ids of heaps, RCU lookups, bind-before-create.
 *
 * Writers (add, remove, bind waiters) serialise on r->lock; lookups walk
 * the hash chains under RCU.  Entries are owned by the caller, who frees
 * them only after an RCU grace period following rtreg_remove().
 *
 * Ids are handed out cyclically from RTREG_ID_MIN to RTREG_ID_MAX, so an
 * id is reused only after two billion registrations, never right away.
 *
 * Bind-before-create: a waiter is queued under the lock with the name it
 * wants; rtreg_add() of that name takes a reference for it, sets ->found
 * and ->granted and wakes it, all under the lock.  The waiter always
 * finishes under the lock too, so the waker never touches a waiter that
 * has left, and a grant racing with a timeout or a signal is never lost.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/string.h>

#include "registry.h"

/* FNV-1a, folded: names are short and this is not an attack surface. */
static u32 rtreg_name_hash(const char *name)
{
	u32 h = 2166136261U;

	while (*name) {
		h ^= (u8)*name++;
		h *= 16777619U;
	}
	return (h ^ (h >> RTREG_HASH_BITS) ^ (h >> 2 * RTREG_HASH_BITS)) &
	       (RTREG_HASH_SIZE - 1);
}

static u32 rtreg_id_hash(u32 id)
{
	return id & (RTREG_HASH_SIZE - 1);	/* ids are sequential */
}

void rtreg_init(struct rtreg *r, bool (*tryget)(struct rtreg_entry *e),
		void (*wake)(struct rtreg_waiter *w))
{
	unsigned int i;

	mutex_init(&r->lock);
	for (i = 0; i < RTREG_HASH_SIZE; i++) {
		INIT_HLIST_HEAD(&r->name_hash[i]);
		INIT_HLIST_HEAD(&r->id_hash[i]);
	}
	INIT_LIST_HEAD(&r->all);
	INIT_LIST_HEAD(&r->waiters);
	r->next_id = RTREG_ID_MIN;
	r->count = 0;
	r->tryget = tryget;
	r->wake = wake;
}

void rtreg_destroy(struct rtreg *r)
{
	WARN_ON(!list_empty(&r->all) || !list_empty(&r->waiters));
	mutex_destroy(&r->lock);
}

int rtreg_check_name(const char *name)
{
	int i;

	for (i = 0; i < RTREG_NAMELEN; i++) {
		char c = name[i];

		if (!c)
			return i;
		if (c <= ' ' || c > '~' || c == '/')
			return -EINVAL;
	}
	return -ENAMETOOLONG;
}

struct rtreg_entry *rtreg_find_name(struct rtreg *r, const char *name)
{
	struct rtreg_entry *e;

	hlist_for_each_entry_rcu(e, &r->name_hash[rtreg_name_hash(name)],
				 name_node, lockdep_is_held(&r->lock)) {
		if (!strncmp(e->name, name, RTREG_NAMELEN))
			return e;
	}
	return NULL;
}

struct rtreg_entry *rtreg_find_id(struct rtreg *r, u32 id)
{
	struct rtreg_entry *e;

	hlist_for_each_entry_rcu(e, &r->id_hash[rtreg_id_hash(id)], id_node,
				 lockdep_is_held(&r->lock)) {
		if (e->id == id)
			return e;
	}
	return NULL;
}

struct rtreg_entry *rtreg_get_name(struct rtreg *r, const char *name)
{
	struct rtreg_entry *e;

	/* Only valid names are ever registered: no need to check it here. */
	if (!name[0] || strnlen(name, RTREG_NAMELEN) == RTREG_NAMELEN)
		return NULL;
	rcu_read_lock();
	e = rtreg_find_name(r, name);
	if (e && !r->tryget(e))
		e = NULL;
	rcu_read_unlock();
	return e;
}

struct rtreg_entry *rtreg_get_id(struct rtreg *r, u32 id)
{
	struct rtreg_entry *e;

	rcu_read_lock();
	e = rtreg_find_id(r, id);
	if (e && !r->tryget(e))
		e = NULL;
	rcu_read_unlock();
	return e;
}

/* Hand e to every waiter for its name.  Called with r->lock held. */
static void rtreg_grant(struct rtreg *r, struct rtreg_entry *e)
{
	struct rtreg_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, &r->waiters, node) {
		if (strncmp(w->name, e->name, RTREG_NAMELEN))
			continue;
		if (!r->tryget(e))
			return;
		list_del_init(&w->node);
		w->found = e;
		/* found first: pairs with the waiter's smp_load_acquire(). */
		smp_store_release(&w->granted, true);
		r->wake(w);
	}
}

int rtreg_add(struct rtreg *r, struct rtreg_entry *e, const char *name)
{
	int len = 0;
	unsigned int tries;
	u32 id;

	if (name) {
		len = rtreg_check_name(name);
		if (len < 0)
			return len;
	}
	memset(e->name, 0, sizeof(e->name));
	if (len)
		memcpy(e->name, name, len);
	e->named = len > 0;

	mutex_lock(&r->lock);
	if (e->named && rtreg_find_name(r, e->name)) {
		mutex_unlock(&r->lock);
		return -EEXIST;
	}
	/* At most count + 1 probes: each live entry blocks one id. */
	for (tries = 0;; tries++) {
		if (tries > r->count) {
			mutex_unlock(&r->lock);
			return -ENOSPC;
		}
		id = r->next_id;
		r->next_id = id >= RTREG_ID_MAX ? RTREG_ID_MIN : id + 1;
		if (!rtreg_find_id(r, id))
			break;
	}
	e->id = id;
	hlist_add_head_rcu(&e->id_node, &r->id_hash[rtreg_id_hash(id)]);
	if (e->named)
		hlist_add_head_rcu(&e->name_node,
				   &r->name_hash[rtreg_name_hash(e->name)]);
	list_add_tail_rcu(&e->all, &r->all);
	r->count++;
	e->registered = true;
	if (e->named)
		rtreg_grant(r, e);
	mutex_unlock(&r->lock);
	return 0;
}

void rtreg_remove(struct rtreg *r, struct rtreg_entry *e)
{
	mutex_lock(&r->lock);
	if (e->registered) {
		hlist_del_init_rcu(&e->id_node);
		if (e->named)
			hlist_del_init_rcu(&e->name_node);
		list_del_rcu(&e->all);
		r->count--;
		e->registered = false;
	}
	mutex_unlock(&r->lock);
}

int rtreg_bind_prepare(struct rtreg *r, struct rtreg_waiter *w,
		       const char *name, void *priv, struct rtreg_entry **ep)
{
	struct rtreg_entry *e;
	int len;

	len = rtreg_check_name(name);
	if (len < 0)
		return len;
	if (!len)
		return -EINVAL;

	memset(w->name, 0, sizeof(w->name));
	memcpy(w->name, name, len);
	w->found = NULL;
	w->granted = false;
	w->priv = priv;
	INIT_LIST_HEAD(&w->node);

	mutex_lock(&r->lock);
	e = rtreg_find_name(r, w->name);
	if (e && r->tryget(e)) {
		*ep = e;
	} else {
		*ep = NULL;
		list_add_tail(&w->node, &r->waiters);
	}
	mutex_unlock(&r->lock);
	return 0;
}

struct rtreg_entry *rtreg_bind_finish(struct rtreg *r, struct rtreg_waiter *w)
{
	struct rtreg_entry *e;

	mutex_lock(&r->lock);
	list_del_init(&w->node);
	e = w->granted ? w->found : NULL;
	mutex_unlock(&r->lock);
	return e;
}
