/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - the names and ids of heaps: finding a heap by name, waiting
 * for its creation, and walking every heap.  See heapnames.c, and the
 * kernel-doc of each function there.
 */
#ifndef _RTHEAP_KERNEL_HEAPNAMES_H
#define _RTHEAP_KERNEL_HEAPNAMES_H

#include <linux/list.h>
#include <linux/types.h>

struct rtheap;
struct rtheap_tmo;
struct rtreg_entry;

/* A walk over the heaps a reader may see, under the registry's lock. */
struct rtheap_iter {
	struct list_head *pos;		/* last heap returned, or the head */
	int ipc_owner;			/* CAP_IPC_OWNER: -1 not asked yet */
};

void rtheap_names_init(void);
void rtheap_names_exit(void);

/* For heap.c: a heap's entry comes and goes with the heap. */
bool rtheap_name_taken(const char *name);
int rtheap_name_add(struct rtreg_entry *e, const char *name);
void rtheap_name_remove(struct rtreg_entry *e);

int rtheap_bind(const char *name, const struct rtheap_tmo *t,
		struct rtheap **hp);

/* Every heap the caller may see, in creation order. */
unsigned int rtheap_iter_start(struct rtheap_iter *it);
struct rtheap *rtheap_iter_next(struct rtheap_iter *it);
void rtheap_iter_stop(struct rtheap_iter *it);

#endif /* _RTHEAP_KERNEL_HEAPNAMES_H */
