/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap allocator core: McKusick-Karels power-of-two buckets over pages,
 * with a segregated-fit (two-level bitmap) index of free page runs.
 *
 * The core manages offsets into a heap area of npages pages that it never
 * touches: every piece of metadata lives in a separate buffer supplied by
 * the caller (rth_meta_size() bytes), so the heap area can be mapped into
 * user space without exposing the allocator to it.
 *
 * No locking, no sleeping, no allocation: the caller serialises calls.
 * Cost: alloc and free are O(1); no loop depends on the heap size or the
 * number of blocks.  rth_check() is the exception: it walks everything.
 */
#ifndef _RTHEAP_ALLOC_H
#define _RTHEAP_ALLOC_H

/* Kernel headers; host builds get tests/shim/linux/ instead. */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

#define RTH_PAGE_SHIFT		12
#define RTH_PAGE_SIZE		BIT(RTH_PAGE_SHIFT)
#define RTH_MIN_SHIFT		4			/* 16-byte blocks */
#define RTH_MIN_BLOCK		BIT(RTH_MIN_SHIFT)
#define RTH_MAX_SHIFT		(RTH_PAGE_SHIFT - 1)	/* PAGE_SIZE / 2 */
#define RTH_NR_CLASSES		(RTH_MAX_SHIFT - RTH_MIN_SHIFT + 1)
#define RTH_MAP_WORDS		((RTH_PAGE_SIZE / RTH_MIN_BLOCK) / 64)
#define RTH_MAX_PAGES		0xfffffff0U		/* page numbers are u32 */

/* Segregated fit of free page runs: SL_COUNT bins per power of two. */
#define RTH_SL_SHIFT		4
#define RTH_SL_COUNT		BIT(RTH_SL_SHIFT)
#define RTH_FL_COUNT		(32 - RTH_SL_SHIFT + 1)

/*
 * One descriptor per page of the heap area: 64 bytes, 1.6% of a page.
 * 48 would do; the padding makes a descriptor one cache line and its
 * address a shift of the page number, which the fast paths feel.
 */
struct rth_page {
	u32 prev, next;		/* class list or free-run bin list */
	u32 len;		/* run: length, at both ends; bucket: blocks */
	u8 type;		/* enum rth_page_type */
	u8 cls;			/* bucket class (RTH_PAGE_BUCKET) */
	u16 nfree;		/* free blocks (RTH_PAGE_BUCKET) */
	u64 map[RTH_MAP_WORDS];	/* free-block bitmap, bit set = free */
	u64 pad[2];
};

struct rth_stats {
	u64 used_bytes;		/* allocated, after rounding */
	u64 usable_bytes;	/* npages * page size */
	u64 largest_free;	/* largest block an allocation gets now */
	u64 class_blocks[RTH_NR_CLASSES];	/* live blocks per class */
	u64 class_pages[RTH_NR_CLASSES];	/* pages split per class */
	u64 run_blocks;		/* live multi-page (or whole-page) blocks */
	u64 run_pages;		/* pages they hold */
	u64 free_pages;		/* pages in free runs */
};

struct rth_core {
	struct rth_page *pages;	/* npages descriptors */
	u32 *bins;		/* [nr_fl][RTH_SL_COUNT] free-run list heads */
	u32 npages;
	u32 nr_fl;
	u32 fl_map;		/* bit f: some sl_map[f] bit set */
	u32 sl_map[RTH_FL_COUNT];	/* bit s: bins[f][s] not empty */
	u32 class_head[RTH_NR_CLASSES];	/* pages with free blocks */
	u32 class_tail[RTH_NR_CLASSES];
	u64 size;		/* npages * page size */
	u64 free_pages;
	u64 run_blocks;
	u64 run_pages;
	u64 class_blocks[RTH_NR_CLASSES];
	u64 class_pages[RTH_NR_CLASSES];
};

/* Bytes of metadata buffer needed for a heap of npages; 0 if npages is bad. */
size_t rth_meta_size(u32 npages);

/*
 * Set up a core over npages pages with metadata in meta (rth_meta_size(npages)
 * bytes, 8-byte aligned).  The core knows the heap only as offsets: it never
 * sees, let alone touches, the heap's memory.  Returns 0 or -EINVAL.
 */
int rth_init(struct rth_core *c, u32 npages, void *meta, size_t meta_size);

/*
 * Allocate size bytes; on success store the block's offset in *offp.
 * Blocks up to RTH_PAGE_SIZE / 2 are aligned to their power-of-two class
 * size, larger ones take ceil(size / page) pages and are page aligned.
 * Returns 0, -EINVAL (size 0 or larger than the heap), -ENOMEM (no room now).
 */
int rth_alloc(struct rth_core *c, size_t size, size_t *offp);

/*
 * Free the block at off.  Returns 0, or -EINVAL with nothing changed when
 * off is outside the heap, not the start of a block, or not allocated.
 * On success *sizep (if not NULL) receives the block's rounded size.
 */
int rth_free(struct rth_core *c, size_t off, size_t *sizep);

/* Rounded size of the live block at off, or 0 if off is not one. */
size_t rth_block_size(const struct rth_core *c, size_t off);

/* Rounded size rth_alloc() would hand out for size (0 if impossible). */
size_t rth_round_size(const struct rth_core *c, size_t size);

void rth_stats(const struct rth_core *c, struct rth_stats *st);

/*
 * Largest block rth_alloc() hands out now: with free pages, every request
 * up to this size succeeds; without, a request of exactly this class does.
 *
 * Page runs are found in O(1) by segregated fit, which is not best fit: a
 * request of n pages succeeds when some free run lies in a bin above n's
 * (so every run there is long enough), or when the run at the head of n's
 * own bin is long enough.  A run of n pages or more that sits behind a
 * shorter head of n's bin is not used, so a request above this figure can
 * fail although a run that large is free.  On a fresh or emptied heap the
 * whole heap is one run and this is its size.
 */
u64 rth_largest_free(const struct rth_core *c);

static inline u64 rth_usable(const struct rth_core *c)
{
	return c->size;
}

/* Bytes allocated, after rounding. */
u64 rth_used(const struct rth_core *c);

/*
 * Walk all metadata and verify every invariant.  Returns 0, or a negative
 * number identifying the first broken invariant (a line number); when
 * why is not NULL it receives a short description.  O(npages).
 */
int rth_check(const struct rth_core *c, const char **why);

#endif /* _RTHEAP_ALLOC_H */
