/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim for compiling kernel/registry.c unchanged (see README.md): the
 * kernel interfaces it uses beyond kernel/alloc.c's, over liburcu (memb
 * flavour) and pthreads.  linux/{bug,build_bug,list,mutex,rculist,
 * rcupdate}.h all include this file.
 */
#ifndef _RTHEAP_SHIM_H
#define _RTHEAP_SHIM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <urcu.h>
#include <linux/types.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define READ_ONCE(x)		CMM_LOAD_SHARED(x)
#define WRITE_ONCE(x, v)	CMM_STORE_SHARED(x, v)
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)

/* A broken invariant must fail the test run, not just print. */
#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (__c) {							\
		fprintf(stderr, "WARN_ON(%s) at %s:%d\n", #cond,	\
			__FILE__, __LINE__);				\
		abort();						\
	}								\
	__c;								\
})

/* ---- mutex ------------------------------------------------------------ */
struct mutex {
	pthread_mutex_t m;
	pthread_t owner;
	bool held;
};

static inline void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
	m->held = false;
}

static inline void mutex_destroy(struct mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

static inline void mutex_lock(struct mutex *m)
{
	pthread_mutex_lock(&m->m);
	m->owner = pthread_self();
	m->held = true;
}

static inline void mutex_unlock(struct mutex *m)
{
	m->held = false;
	pthread_mutex_unlock(&m->m);
}

static inline bool shim_mutex_held(struct mutex *m)
{
	return m->held && pthread_equal(m->owner, pthread_self());
}

#define lockdep_is_held(m)	shim_mutex_held(m)
#define lockdep_assert_held(m)	WARN_ON(!shim_mutex_held(m))

/* ---- lists ------------------------------------------------------------ */
struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_POISON1	((void *)0x100)
#define LIST_POISON2	((void *)0x122)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	WRITE_ONCE(l->next, l);
	l->prev = l;
}

static inline bool list_empty(const struct list_head *h)
{
	return READ_ONCE(h->next) == h;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	WRITE_ONCE(prev->next, n);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}

static inline void list_add_tail_rcu(struct list_head *n, struct list_head *h)
{
	struct list_head *prev = h->prev;

	n->next = h;
	n->prev = prev;
	rcu_assign_pointer(prev->next, n);
	h->prev = n;
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

static inline void list_del_init(struct list_head *e)
{
	__list_del(e->prev, e->next);
	INIT_LIST_HEAD(e);
}

static inline void list_del_rcu(struct list_head *e)
{
	__list_del(e->prev, e->next);
	e->prev = LIST_POISON2;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) \
	list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member);				\
	     &pos->member != (head);					\
	     pos = n, n = list_next_entry(n, member))

#define list_for_each_entry_rcu(pos, head, member, ...)			\
	for (pos = list_entry(rcu_dereference((head)->next),		\
			      __typeof__(*pos), member);		\
	     &pos->member != (head);					\
	     pos = list_entry(rcu_dereference(pos->member.next),	\
			      __typeof__(*pos), member))

static inline void INIT_HLIST_HEAD(struct hlist_head *h)
{
	h->first = NULL;
}

static inline void hlist_add_head_rcu(struct hlist_node *n,
				      struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	rcu_assign_pointer(h->first, n);
	if (first)
		first->pprev = &n->next;
}

static inline void hlist_del_init_rcu(struct hlist_node *n)
{
	if (n->pprev) {
		struct hlist_node *next = n->next;

		WRITE_ONCE(*n->pprev, next);
		if (next)
			next->pprev = n->pprev;
		n->pprev = NULL;
	}
}

#define hlist_entry_safe(ptr, type, member) ({				\
	__typeof__(ptr) ____ptr = (ptr);				\
	____ptr ? container_of(____ptr, type, member) : NULL;		\
})

#define hlist_for_each_entry_rcu(pos, head, member, ...)		\
	for (pos = hlist_entry_safe(rcu_dereference((head)->first),	\
				    __typeof__(*(pos)), member);	\
	     pos;							\
	     pos = hlist_entry_safe(rcu_dereference((pos)->member.next),\
				    __typeof__(*(pos)), member))

#endif /* _RTHEAP_SHIM_H */
