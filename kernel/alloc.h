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
 * number of blocks (the largest loops are over the size classes, the kept
 * pages and a page's bitmap words, all constants).  rth_check() is the
 * exception: it walks everything; rth_page_summary() walks a bounded part.
 *
 * Worst cases, in x86-64 instructions at 4 KiB pages (gcc -O2, counted
 * by bench/core_worst.c, which builds each path's costliest state):
 *   rth_free()	at most 224: a page's last block, the page merged with
 *		free runs on both sides.
 *   rth_alloc()	at most 300 when it finds a free run, a kept page or a
 *		free spare (a bucket page taken from the only free
 *		spare, every class looked at), and when a run of pages
 *		fails without cached pages to reclaim.  A run of two
 *		pages or more that finds no run while pages are cached
 *		reclaims them all first: up to RTH_KEPT_MAX +
 *		RTH_NR_CLASSES merges, at most 1,634 instructions.
 * The fast paths (a block from a page of its class, a block back to a
 * page that keeps others) take 31 and 40.
 *
 * Two bounded caches of free pages stop a pair of calls from splitting and
 * merging a page every time: each class keeps at most one fully free
 * bucket page (its spare) instead of returning it to the page pool, and up
 * to RTH_KEPT_MAX single free pages are kept out of the page-run index
 * (unmerged), for the next one-page request.  Both count as free pages in
 * rth_stats(), and both are given back to the page-run index (reclaimed,
 * merging with their neighbours) before any request fails: a fresh or
 * emptied heap still serves its whole size in one block.
 *
 * Page size: the kernel's (PAGE_SHIFT) in the kernel; on the host
 * RTH_PAGE_SHIFT, 12 unless defined otherwise (-DRTH_PAGE_SHIFT=14 for
 * 16 KiB pages, 16 for 64 KiB).  The size classes follow from it: 16 bytes
 * up to half a page, RTH_NR_CLASSES of them.
 */
#ifndef _RTHEAP_ALLOC_H
#define _RTHEAP_ALLOC_H

/* Kernel headers; host builds get tests/host/shim/linux/ instead. */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

#ifdef __KERNEL__
#include <asm/page.h>
#define RTH_PAGE_SHIFT		PAGE_SHIFT
#elif !defined(RTH_PAGE_SHIFT)
#define RTH_PAGE_SHIFT		12
#endif

#if RTH_PAGE_SHIFT < 12 || RTH_PAGE_SHIFT > 16
#error "rtheap's allocator core supports pages of 4 KiB to 64 KiB"
#endif

#define RTH_PAGE_SIZE		BIT(RTH_PAGE_SHIFT)
#define RTH_MIN_SHIFT		4			/* 16-byte blocks */
#define RTH_MIN_BLOCK		BIT(RTH_MIN_SHIFT)
#define RTH_MAX_SHIFT		(RTH_PAGE_SHIFT - 1)	/* PAGE_SIZE / 2 */
#define RTH_NR_CLASSES		(RTH_MAX_SHIFT - RTH_MIN_SHIFT + 1)
/* Free-block bitmap words of a page: 4 (4 KiB) .. 64 (64 KiB pages). */
#define RTH_MAP_WORDS		((RTH_PAGE_SIZE / RTH_MIN_BLOCK) / 64)
/* One page descriptor: 1/64 of a page (1.6%), a power of two >= 64. */
#define RTH_DESC_SIZE		(RTH_PAGE_SIZE / 64)
#define RTH_MAX_PAGES		0xfffffff0U		/* page numbers are u32 */
/* Single free pages kept out of the page-run index, at most. */
#define RTH_KEPT_MAX		4

/* Segregated fit of free page runs: SL_COUNT bins per power of two. */
#define RTH_SL_SHIFT		4
#define RTH_SL_COUNT		BIT(RTH_SL_SHIFT)	/* fits sl_map's u16 */
#define RTH_FL_COUNT		(32 - RTH_SL_SHIFT + 1)

/*
 * One descriptor per page of the heap area, RTH_DESC_SIZE bytes: at 4 KiB
 * pages 4 bitmap words and the fields (28 bytes) fill it; at larger
 * pages the bitmap grows (64 words at 64 KiB) and so does the descriptor.
 * A power-of-two size makes its address a shift of the page number, and
 * the bitmap first makes a word's address the page's plus 8 * word, which
 * the fast paths feel.
 */
struct rth_page {
	union {
		struct {
			u64 map[RTH_MAP_WORDS];	/* free blocks, bit set = free */
			u64 summary;	/* bucket: bit w set iff map[w] != 0 */
			u32 prev, next;	/* class list or free-run bin list */
			u32 len;	/* run: length, at both ends; bucket: blocks */
			u32 nused;	/* bucket: blocks handed out */
			u8 type;	/* enum rth_page_type */
			u8 shift;	/* bucket: log2 of its block size; else 0 */
			u16 unused;
		};
		u8 size[RTH_DESC_SIZE];
	};
};

struct rth_stats {
	u64 used_bytes;		/* allocated, after rounding */
	u64 usable_bytes;	/* npages * page size */
	u64 largest_free;	/* see rth_largest_free() */
	u64 class_blocks[RTH_NR_CLASSES];	/* live blocks per class */
	u64 class_pages[RTH_NR_CLASSES];	/* pages split per class, spares not */
	u64 run_blocks;		/* live multi-page (or whole-page) blocks */
	u64 run_pages;		/* pages they hold */
	u64 free_pages;		/* free pages: runs, kept pages and spares */
};

struct rth_core {
	struct rth_page *pages;	/* npages descriptors */
	u32 *bins;		/* [nr_fl][RTH_SL_COUNT] free-run list heads */
	u32 npages;
	u32 nr_fl;
	u32 fl_map;		/* bit f: some sl_map[f] bit set */
	u16 sl_map[RTH_FL_COUNT];	/* bit s: bins[f][s] not empty */
	u32 class_head[RTH_NR_CLASSES];	/* pages with free blocks */
	u32 class_tail[RTH_NR_CLASSES];
	/*
	 * A bucket page of the class, or ~0: when fully free, the class's
	 * one fully free page (its spare), which stays on the class list.
	 */
	u32 spare[RTH_NR_CLASSES];
	u32 spare_map;		/* bit c: spare[c] is set */
	u32 nkept;		/* single free pages in kept[] */
	u32 kept[RTH_KEPT_MAX];	/* RTH_PAGE_KEPT, outside the run index */
	u32 free_pages;		/* pages in the run index */
	u32 run_blocks;
	u32 run_pages;
	u32 class_pages[RTH_NR_CLASSES];	/* spares included */
	u64 size;		/* npages * page size */
	u64 class_blocks[RTH_NR_CLASSES];
	/*
	 * Optional (rth_set_class_map()): per page, 1 + its bucket class
	 * while it is a bucket page, else 0; for readers outside the lock.
	 */
	u8 *class_map;
};

/**
 * rth_class_size() - block size of a bucket class
 * @cls: class number, 0 .. RTH_NR_CLASSES - 1
 *
 * Return: 16 << @cls bytes, or 0 when @cls is not a class.
 */
static inline size_t rth_class_size(unsigned int cls)
{
	return cls < RTH_NR_CLASSES ? (size_t)RTH_MIN_BLOCK << cls : 0;
}

/**
 * rth_meta_size() - metadata bytes a heap needs
 * @npages: the heap's pages, 1 .. RTH_MAX_PAGES
 *
 * Return: the size of the buffer rth_init() wants, or 0 if @npages is bad.
 */
size_t rth_meta_size(u32 npages);

/**
 * rth_init() - set up a core
 * @c: the core
 * @npages: pages of the heap area
 * @meta: rth_meta_size(@npages) bytes, 8-byte aligned, kept until the end
 * @meta_size: the size of @meta
 *
 * The core knows the heap only as offsets: it never sees, let alone
 * touches, the heap's memory.
 *
 * Return: 0 or -EINVAL.
 */
int rth_init(struct rth_core *c, u32 npages, void *meta, size_t meta_size);

/**
 * rth_set_class_map() - publish every page's bucket class in @map
 * @c: the core
 * @map: @c->npages bytes, kept until the end; filled now, and from then on
 *	byte p is 1 + the class of page p while it is a bucket page, else 0
 *
 * Each change is one byte store, made when a page becomes a bucket page
 * or stops being one (O(1), on the paths that take or give back a page),
 * so a reader without the lock that holds a live block sees its page's
 * class: the page cannot change while the block lives.
 */
void rth_set_class_map(struct rth_core *c, u8 *map);

/**
 * rth_alloc() - allocate a block
 * @c: the core
 * @size: bytes wanted
 * @offp: receives the block's offset on success
 *
 * Blocks up to RTH_PAGE_SIZE / 2 are aligned to their power-of-two class
 * size, larger ones take ceil(size / page) pages and are page aligned.
 *
 * Return: 0, -EINVAL (size 0 or larger than the heap), -ENOMEM (no room now).
 */
int rth_alloc(struct rth_core *c, size_t size, size_t *offp);

/**
 * rth_free() - free a block
 * @c: the core
 * @off: the block's offset
 * @sizep: if not NULL, receives the block's rounded size on success
 *
 * Return: 0, or -EINVAL with nothing changed when @off is outside the heap,
 * not the start of a block, or not allocated (a double free, also of a
 * block in a spare page or of a kept page).
 */
int rth_free(struct rth_core *c, size_t off, size_t *sizep);

/* Rounded size of the live block at off, or 0 if off is not one. */
size_t rth_block_size(const struct rth_core *c, size_t off);

/* Rounded size rth_alloc() would hand out for size (0 if impossible). */
size_t rth_round_size(const struct rth_core *c, size_t size);

/**
 * rth_stats() - usage figures, exact
 * @c: the core
 * @st: filled whole
 *
 * Spare and kept pages are free pages here (free_pages, largest_free) and
 * are not in class_pages.  O(RTH_NR_CLASSES + RTH_KEPT_MAX).
 */
void rth_stats(const struct rth_core *c, struct rth_stats *st);

/**
 * rth_largest_free() - the largest block an allocation gets now
 * @c: the core
 *
 * With free pages, every request up to this size succeeds; without, a
 * request of exactly this class does.
 *
 * Spare and kept pages are counted as merged with the free runs and other
 * such pages beside them, which is what a request gets: one that finds no
 * run reclaims them and tries again.  Computing it walks from each of them
 * across its free neighbours: O(RTH_NR_CLASSES + RTH_KEPT_MAX) steps each.
 *
 * Page runs are found in O(1) by segregated fit, which is not best fit: a
 * request of n pages succeeds when some free run lies in a bin above n's
 * (so every run there is long enough), or when the run at the head of n's
 * own bin is long enough.  A run of n pages or more that sits behind a
 * shorter head of n's bin is not used, so a request above this figure can
 * fail although a run that large is free.  On a fresh or emptied heap the
 * whole heap counts as one run and this is its size.
 *
 * Return: bytes.
 */
u64 rth_largest_free(const struct rth_core *c);

static inline u64 rth_usable(const struct rth_core *c)
{
	return c->size;
}

/* Bytes allocated, after rounding. */
u64 rth_used(const struct rth_core *c);

/* What a range of pages of rth_page_summary() holds. */
enum rth_range_kind {
	RTH_RANGE_FREE = 1,	/* a free run, in the run index */
	RTH_RANGE_KEPT,		/* single free pages kept unmerged */
	RTH_RANGE_BUCKET,	/* pages of class cls, used blocks each */
	RTH_RANGE_RUN,		/* allocated blocks of pages / blocks pages */
};

/* A range of equal pages: same kind, class and use, or equal blocks. */
struct rth_page_range {
	u32 first;		/* its first page */
	u32 pages;		/* its length in pages */
	u32 blocks;		/* RTH_RANGE_RUN: allocated blocks in it */
	u16 used;		/* RTH_RANGE_BUCKET: blocks in use per page */
	u8 kind;		/* enum rth_range_kind */
	u8 cls;			/* RTH_RANGE_BUCKET: size class */
};

/* Pages (or whole runs) rth_page_summary() looks at per call, at most. */
#define RTH_SUMMARY_STEPS	256

/**
 * rth_page_summary() - describe a heap's pages, equal neighbours collapsed
 * @c: the core
 * @first: first page to describe: 0, or a *@nextp of an earlier call
 * @out: receives the ranges, in page order
 * @max: room in @out
 * @nextp: receives the first page not described, npages when done
 *
 * A bucket page is its class and used count (a spare is one with none in
 * use); an allocated block of several pages is one unit, and blocks of
 * equal length side by side one range.  Bounded work: at most @max ranges
 * and RTH_SUMMARY_STEPS pages or runs per call, so a caller holding a
 * lock describes a large heap in several calls, from *@nextp on.
 *
 * Return: the number of ranges written, or -EINVAL when @first is inside
 * a run of two or more pages (not its first page) or past the heap.
 */
int rth_page_summary(const struct rth_core *c, u32 first,
		     struct rth_page_range *out, unsigned int max, u32 *nextp);

/**
 * rth_check() - walk all metadata and verify every invariant
 * @c: the core
 * @why: if not NULL, receives a short description of what is broken, or
 *	NULL when nothing is
 *
 * O(npages).  In alloc_check.c, which the tests and the benchmarks build
 * beside alloc.c; rtheap.ko does not carry it.
 *
 * Return: 0, or a negative number identifying the first broken invariant
 * (a line number of alloc_check.c).
 */
int rth_check(const struct rth_core *c, const char **why);

#endif /* _RTHEAP_ALLOC_H */
