/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap allocator core: what alloc.c shares with its consistency checker
 * alloc_check.c and with no one else, the page descriptors' types and the
 * free-run bins.  See alloc.c for what they mean.
 */
#ifndef _RTHEAP_ALLOC_INT_H
#define _RTHEAP_ALLOC_INT_H

#include <linux/bitops.h>
#include "alloc.h"

/* No page: the end of a list, an empty bin, a class without a spare. */
#define RTH_NIL		0xffffffffU

enum rth_page_type {
	RTH_PAGE_INTERIOR = 0,	/* inside a run, not at either end */
	RTH_PAGE_FREE,		/* first page of a free run */
	RTH_PAGE_FREE_TAIL,	/* last page of a free run of 2+ pages */
	RTH_PAGE_RUN,		/* first page of an allocated run */
	RTH_PAGE_RUN_TAIL,	/* last page of an allocated run of 2+ pages */
	RTH_PAGE_BUCKET,	/* page split into blocks of one class */
	RTH_PAGE_KEPT,		/* a free page kept out of the run index */
};

/* Blocks of a bucket page of class @cls. */
static inline unsigned int rth_class_blocks(unsigned int cls)
{
	return RTH_PAGE_SIZE >> (cls + RTH_MIN_SHIFT);
}

/* The bin of a free run of @len pages: level *@fl, bin *@sl within it. */
static inline void rth_bin_of(u32 len, unsigned int *fl, unsigned int *sl)
{
	unsigned int f;

	if (len < RTH_SL_COUNT) {
		*fl = 0;
		*sl = len;
		return;
	}
	f = fls(len) - 1;
	*fl = f - RTH_SL_SHIFT + 1;
	*sl = (len >> (f - RTH_SL_SHIFT)) - RTH_SL_COUNT;
}

/* The head of bin @sl of level @fl. */
static inline u32 *rth_bin(const struct rth_core *c, unsigned int fl,
			   unsigned int sl)
{
	return &c->bins[fl * RTH_SL_COUNT + sl];
}

#endif /* _RTHEAP_ALLOC_INT_H */
