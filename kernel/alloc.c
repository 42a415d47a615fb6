// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap allocator core.
 *
 * Small blocks (16 B .. page/2) follow McKusick and Karels: a page is split
 * into blocks of one power-of-two class, and each class keeps a list of its
 * pages that still have a free block.  A page's free blocks are a bitmap in
 * its descriptor, with a summary word telling which bitmap words have a
 * free bit, so the first free block is two bit scans away at any page size
 * and the heap area itself holds nothing but blocks.
 *
 * Pages come from a pool of free page runs, indexed by a two-level
 * segregated fit (as in TLSF): RTH_SL_COUNT bins per power of two of the run
 * length, a bitmap of non-empty bins per level and a bitmap of levels.  A
 * run's first and last descriptors carry its length (boundary tags), so a
 * freed run merges with both neighbours in O(1); every other descriptor of
 * a run is RTH_PAGE_INTERIOR, which is how an interior pointer is told from
 * a block start without looking further.
 *
 * Between the two sit the bounded caches of alloc.h.  A class's spare is
 * the one bucket page of the class that may be fully free; it stays on the
 * class list, so the fast paths never see it.  c->spare[cls] may name a
 * page that has since handed out blocks again: it is then just a page of
 * the class, still never released while named, so c->spare[cls] is always
 * a bucket page of class cls or RTH_NIL.  Kept pages are single free pages
 * of type RTH_PAGE_KEPT, which the run merging does not take for free, so
 * they stay unmerged until a one-page request takes one or a failing
 * request reclaims them all (rth_reclaim()).
 *
 * Requests above page/2 take exactly ceil(size / page) pages.
 *
 * The consistency checker rth_check() is alloc_check.c's, built for the
 * tests and the benchmarks only, not into rtheap.ko.
 */
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include "alloc.h"
#include "alloc_int.h"

/* Block size shift of a 1 .. page/2 byte request: ceil(log2(size)), >= 4. */
static __always_inline unsigned long rth_shift_of(size_t size)
{
	return __fls(((unsigned long)size - 1) | (RTH_MIN_BLOCK - 1)) + 1;
}

/* --- free page runs: segregated fit ------------------------------------ */

static __always_inline void rth_bin_insert(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	unsigned int fl, sl;
	u32 *head, h;

	rth_bin_of(pg[p].len, &fl, &sl);
	head = rth_bin(c, fl, sl);
	h = *head;
	if (h != RTH_NIL && pg[h].len > pg[p].len) {
		/* A run no longer than the head goes second, so the head
		 * is the longest run inserted since it became the head: the
		 * one an allocation that falls in this bin is checked
		 * against.  Once it is taken, the next run becomes the head,
		 * which need not be the longest left (see rth_find_run()).
		 */
		u32 n = pg[h].next;

		pg[p].prev = h;
		pg[p].next = n;
		if (n != RTH_NIL)
			pg[n].prev = p;
		pg[h].next = p;
		return;
	}
	pg[p].prev = RTH_NIL;
	pg[p].next = h;
	if (h != RTH_NIL)
		pg[h].prev = p;
	*head = p;
	c->sl_map[fl] |= 1U << sl;
	c->fl_map |= 1U << fl;
}

static __always_inline void rth_bin_remove(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	u32 prev = pg[p].prev, next = pg[p].next;
	unsigned int fl, sl;

	if (next != RTH_NIL)
		pg[next].prev = prev;
	if (prev != RTH_NIL) {
		pg[prev].next = next;
		return;
	}
	rth_bin_of(pg[p].len, &fl, &sl);
	*rth_bin(c, fl, sl) = next;
	if (next == RTH_NIL) {
		c->sl_map[fl] &= ~(1U << sl);
		if (!c->sl_map[fl])
			c->fl_map &= ~(1U << fl);
	}
}

/* Describe [p, p + len) as a free run: its first and last descriptors. */
static __always_inline void rth_tag_free(struct rth_core *c, u32 p, u32 len)
{
	struct rth_page *pg = c->pages;

	pg[p].type = RTH_PAGE_FREE;
	pg[p].len = len;
	if (len > 1) {
		pg[p + len - 1].type = RTH_PAGE_FREE_TAIL;
		pg[p + len - 1].len = len;
	}
}

/* Describe [p, p + len) as one free run and index it. */
static __always_inline void rth_make_free(struct rth_core *c, u32 p, u32 len)
{
	rth_tag_free(c, p, len);
	rth_bin_insert(c, p);
	c->free_pages += len;
}

/*
 * Find a free run of at least len pages: first in the bins whose every run
 * is long enough (len rounded up to the next bin), then the head of len's
 * own bin.  The rule, in O(1): a request succeeds if a run in a higher bin
 * exists or the head of its own bin is long enough.  A longer run behind
 * that head is not searched for: with runs of 67, 64, 66 and 65 pages
 * inserted into one bin and the 67 taken, the head is 65 and a 66-page
 * request fails although a 66-page run is free (rth_largest_free() then
 * says 65, which does succeed).  alloc.h states it for callers.
 */
static __always_inline u32 rth_find_run(struct rth_core *c, u32 len)
{
	unsigned int fl, sl;
	u32 want = len, map, h;

	if (want >= RTH_SL_COUNT)
		want += (1U << (fls(want) - 1 - RTH_SL_SHIFT)) - 1;
	if (want >= len) {	/* no wrap-around */
		rth_bin_of(want, &fl, &sl);
		if (fl < c->nr_fl) {
			map = c->sl_map[fl] & (~0U << sl);
			if (!map) {
				map = fl + 1 < 32 ? c->fl_map & (~0U << (fl + 1)) : 0;
				if (map) {
					fl = __ffs(map);
					map = c->sl_map[fl];
				}
			}
			if (map)
				return *rth_bin(c, fl, __ffs(map));
		}
	}
	rth_bin_of(len, &fl, &sl);
	if (fl >= c->nr_fl)
		return RTH_NIL;
	h = *rth_bin(c, fl, sl);
	if (h != RTH_NIL && c->pages[h].len >= len)
		return h;
	return RTH_NIL;
}

/* Give back the run [p, p + len), merging it with free neighbours. */
static __always_inline void rth_merge_pages(struct rth_core *c, u32 p, u32 len)
{
	struct rth_page *pg = c->pages;
	u32 start = p, end = p + len;

	/*
	 * Only the descriptors that end up inside the merged run change to
	 * interior here; its new first and last are described at the end.
	 */
	if (start > 0 && (pg[start - 1].type == RTH_PAGE_FREE ||
			  pg[start - 1].type == RTH_PAGE_FREE_TAIL)) {
		u32 l = start - pg[start - 1].len;

		rth_bin_remove(c, l);
		pg[start - 1].type = RTH_PAGE_INTERIOR;
		pg[p].type = RTH_PAGE_INTERIOR;
		start = l;
	}
	if (end < c->npages && pg[end].type == RTH_PAGE_FREE) {
		u32 rlen = pg[end].len;

		rth_bin_remove(c, end);
		pg[end].type = RTH_PAGE_INTERIOR;
		pg[end - 1].type = RTH_PAGE_INTERIOR;
		end += rlen;
	}
	c->free_pages += len;
	rth_tag_free(c, start, end - start);
	rth_bin_insert(c, start);
}

/* Give back [p, p + len): a single page is kept unmerged while there is room. */
static __always_inline void rth_give_pages(struct rth_core *c, u32 p, u32 len)
{
	if (len == 1 && c->nkept < RTH_KEPT_MAX) {
		c->pages[p].type = RTH_PAGE_KEPT;
		c->pages[p].len = 1;
		c->kept[c->nkept++] = p;
		return;
	}
	rth_merge_pages(c, p, len);
}

/* --- bucket pages: class lists ------------------------------------------ */

/*
 * A page that gets a free block back joins the tail of its class list, and
 * blocks are taken from the head: the head page is used up before the
 * next, while pages further back gather free blocks, so a page seldom
 * swings between full and partial on every alloc/free pair.
 */
static __always_inline void rth_class_append(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	unsigned int cls = pg[p].shift - RTH_MIN_SHIFT;
	u32 tail = c->class_tail[cls];

	pg[p].next = RTH_NIL;
	pg[p].prev = tail;
	if (tail != RTH_NIL)
		pg[tail].next = p;
	else
		c->class_head[cls] = p;
	c->class_tail[cls] = p;
}

static __always_inline void rth_class_remove(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	unsigned int cls = pg[p].shift - RTH_MIN_SHIFT;
	u32 prev = pg[p].prev, next = pg[p].next;

	if (next != RTH_NIL)
		pg[next].prev = prev;
	else
		c->class_tail[cls] = prev;
	if (prev != RTH_NIL)
		pg[prev].next = next;
	else
		c->class_head[cls] = next;
}

static inline bool rth_page_empty(const struct rth_page *pg)
{
	return !pg->nused;
}

/* Bucket page p, fully free, off its class: a free page to be described. */
static __always_inline void rth_unbucket(struct rth_core *c, u32 p)
{
	struct rth_page *pg = &c->pages[p];

	rth_class_remove(c, p);
	c->class_pages[pg->shift - RTH_MIN_SHIFT]--;
	if (c->class_map)
		WRITE_ONCE(c->class_map[p], 0);
	pg->shift = 0;
	pg->summary = 0;
}

/* Bucket page p, fully free, back to the page pool (to kept or merged). */
static __always_inline void rth_release_bucket_page(struct rth_core *c, u32 p)
{
	rth_unbucket(c, p);
	rth_give_pages(c, p, 1);
}

/*
 * A fully free spare, taken off its class as one free page, or RTH_NIL.
 * Spares named but in use are forgotten on the way: at most
 * RTH_NR_CLASSES steps, no merging.
 */
static u32 rth_take_spare(struct rth_core *c)
{
	while (c->spare_map) {
		unsigned int cls = __ffs(c->spare_map);
		u32 p = c->spare[cls];

		c->spare_map &= c->spare_map - 1;
		c->spare[cls] = RTH_NIL;
		if (rth_page_empty(&c->pages[p])) {
			rth_unbucket(c, p);
			return p;
		}
	}
	return RTH_NIL;
}

/*
 * Give every kept page and every fully free spare back to the page-run
 * index, merged with their neighbours.  A request for a run that found no
 * room calls it before failing.  Returns whether there was anything to
 * give.  O(RTH_KEPT_MAX + RTH_NR_CLASSES).
 */
static noinline bool rth_reclaim(struct rth_core *c)
{
	bool any = c->nkept;
	u32 p;

	while (c->nkept)
		rth_merge_pages(c, c->kept[--c->nkept], 1);
	while ((p = rth_take_spare(c)) != RTH_NIL) {
		rth_merge_pages(c, p, 1);
		any = true;
	}
	return any;
}

/*
 * Take len pages; the first page's descriptor is the caller's.  One page
 * comes from the kept pages, a run, or else a spare as it is, which costs
 * no merging; a longer run that finds none reclaims every cached page.
 */
static __always_inline u32 rth_take_pages(struct rth_core *c, u32 len)
{
	struct rth_page *pg = c->pages;
	u32 p, have;

	if (len == 1 && c->nkept)
		return c->kept[--c->nkept];
	p = rth_find_run(c, len);
	if (p == RTH_NIL) {
		if (len == 1)	/* kept pages: none */
			return rth_take_spare(c);
		if (!rth_reclaim(c))
			return RTH_NIL;
		p = rth_find_run(c, len);
		if (p == RTH_NIL)
			return RTH_NIL;
	}
	have = pg[p].len;
	rth_bin_remove(c, p);
	c->free_pages -= have;
	if (have > len)
		rth_make_free(c, p + len, have - len);
	return p;
}

/* A fresh page for class cls, on the class list, or RTH_NIL. */
static __always_inline u32 rth_new_bucket_page(struct rth_core *c, unsigned int cls)
{
	struct rth_page *pg;
	unsigned int nblocks = rth_class_blocks(cls), w;
	unsigned int full = nblocks / 64;	/* words with 64 blocks */
	u32 p = rth_take_pages(c, 1);

	if (p == RTH_NIL)
		return RTH_NIL;
	pg = &c->pages[p];
	pg->type = RTH_PAGE_BUCKET;
	pg->shift = cls + RTH_MIN_SHIFT;
	pg->len = nblocks;	/* a bucket page's len: its block count */
	pg->nused = 0;
	/*
	 * Block counts are powers of two: either whole words of 64 blocks,
	 * or fewer than 64 blocks in word 0.  Straight-line stores.
	 */
	for (w = 0; w < RTH_MAP_WORDS; w++)
		pg->map[w] = w < full ? ~0ULL : 0;
	if (!full) {
		pg->map[0] = (1ULL << nblocks) - 1;
		pg->summary = 1;
	} else {
		pg->summary = full >= 64 ? ~0ULL : (1ULL << full) - 1;
	}
	c->class_pages[cls]++;
	rth_class_append(c, p);
	if (c->class_map)
		WRITE_ONCE(c->class_map[p], cls + 1);
	return p;
}

/* Blocks above page/2: a run of whole pages. */
static noinline int rth_alloc_run(struct rth_core *c, size_t size, size_t *offp)
{
	u32 len, p;

	if (!size || size > c->size)
		return -EINVAL;
	len = (size + RTH_PAGE_SIZE - 1) >> RTH_PAGE_SHIFT;
	p = rth_take_pages(c, len);
	if (p == RTH_NIL)
		return -ENOMEM;
	c->pages[p].type = RTH_PAGE_RUN;
	c->pages[p].len = len;
	if (len > 1) {
		c->pages[p + len - 1].type = RTH_PAGE_RUN_TAIL;
		c->pages[p + len - 1].len = len;
	}
	c->run_blocks++;
	c->run_pages += len;
	*offp = (size_t)p << RTH_PAGE_SHIFT;
	return 0;
}

/* --- public entry points -------------------------------------------------- */

size_t rth_meta_size(u32 npages)
{
	unsigned int fl, sl;

	if (!npages || npages > RTH_MAX_PAGES)
		return 0;
	rth_bin_of(npages, &fl, &sl);
	return (size_t)npages * sizeof(struct rth_page) +
	       (size_t)(fl + 1) * RTH_SL_COUNT * sizeof(u32);
}

int rth_init(struct rth_core *c, u32 npages, void *meta, size_t meta_size)
{
	size_t need = rth_meta_size(npages);
	unsigned int fl, sl;

	if (!c || !need || !meta || meta_size < need ||
	    ((unsigned long)meta & 7))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->npages = npages;
	c->size = (u64)npages << RTH_PAGE_SHIFT;
	c->pages = meta;
	rth_bin_of(npages, &fl, &sl);
	c->nr_fl = fl + 1;
	c->bins = (u32 *)(c->pages + npages);
	memset(c->pages, 0, (size_t)npages * sizeof(struct rth_page));
	memset(c->bins, 0xff, (size_t)c->nr_fl * RTH_SL_COUNT * sizeof(u32));
	memset(c->class_head, 0xff, sizeof(c->class_head));
	memset(c->class_tail, 0xff, sizeof(c->class_tail));
	memset(c->spare, 0xff, sizeof(c->spare));
	rth_make_free(c, 0, npages);
	return 0;
}

void rth_set_class_map(struct rth_core *c, u8 *map)
{
	u32 p;

	for (p = 0; p < c->npages; p++)
		WRITE_ONCE(map[p], c->pages[p].type == RTH_PAGE_BUCKET ?
			   c->pages[p].shift - RTH_MIN_SHIFT + 1 : 0);
	c->class_map = map;
}

/*
 * Slow path of rth_take_block(): bitmap word w of page pg ran out of free
 * blocks.  When it was the last, the page, the head of its class list,
 * leaves the list.  Returns rth_alloc()'s 0, so that the fast path
 * reaches it by a tail call.
 */
static noinline int rth_bucket_word_used(struct rth_core *c,
					 struct rth_page *pg, unsigned long w)
{
	unsigned int cls = pg->shift - RTH_MIN_SHIFT;
	u32 next = pg->next;

	pg->summary &= ~(1ULL << w);
	if (pg->summary)
		return 0;
	c->class_head[cls] = next;
	if (next != RTH_NIL)
		c->pages[next].prev = RTH_NIL;
	else
		c->class_tail[cls] = RTH_NIL;
	return 0;
}

/*
 * Hand out the first free block of page p, of block size 1 << shift: the
 * summary's first word, that word's first bit.  A page is full when its
 * summary is 0, so only a word running out needs a second look.
 */
static __always_inline int rth_take_block(struct rth_core *c, u32 p,
					  unsigned long shift, size_t *offp)
{
	struct rth_page *pg = &c->pages[p];
	unsigned long w;
	u64 map;

	c->class_blocks[shift - RTH_MIN_SHIFT]++;
	pg->nused++;
	w = __ffs64(pg->summary);	/* a page on a class list: not 0 */
	map = pg->map[w];
	*offp = ((size_t)p << RTH_PAGE_SHIFT) +
		((w * 64 + __ffs64(map)) << shift);
	map &= map - 1;
	pg->map[w] = map;
	if (unlikely(!map))
		return rth_bucket_word_used(c, pg, w);
	return 0;
}

/* Slow path of rth_alloc(): no page of the class has a free block. */
static noinline int rth_alloc_refill(struct rth_core *c, unsigned long shift,
				     size_t *offp)
{
	u32 p = rth_new_bucket_page(c, shift - RTH_MIN_SHIFT);

	if (p == RTH_NIL)
		return -ENOMEM;
	return rth_take_block(c, p, shift, offp);
}

/*
 * The fast path is a leaf in a straight line: a taken branch only for a
 * page run, when the class has no free block or a bitmap word runs out,
 * each a tail call to an out-of-line slow path.
 */
int rth_alloc(struct rth_core *c, size_t size, size_t *offp)
{
	unsigned long shift;
	u32 p;

	if (unlikely(size - 1 >= RTH_PAGE_SIZE / 2))	/* not 1 .. page/2 */
		return rth_alloc_run(c, size, offp);
	shift = rth_shift_of(size);
	p = c->class_head[shift - RTH_MIN_SHIFT];
	if (unlikely(p == RTH_NIL))
		return rth_alloc_refill(c, shift, offp);
	return rth_take_block(c, p, shift, offp);
}

/* Slow path of rth_free(): a page run, or no block at all. */
static noinline int rth_free_run(struct rth_core *c, size_t off, size_t *sizep)
{
	struct rth_page *pg = &c->pages[off >> RTH_PAGE_SHIFT];

	if (pg->type != RTH_PAGE_RUN || (off & (RTH_PAGE_SIZE - 1)))
		return -EINVAL;
	if (sizep)
		*sizep = (size_t)pg->len << RTH_PAGE_SHIFT;
	c->run_blocks--;
	c->run_pages -= pg->len;
	rth_give_pages(c, off >> RTH_PAGE_SHIFT, pg->len);
	return 0;
}

/*
 * Slow path of rth_free(): the last block of bucket page pg is free now
 * (its bit set, nused still 1).  The page becomes its class's spare unless
 * the class has a fully free spare already; then it goes back to the page
 * pool.  Returns rth_free()'s 0.
 */
static noinline int rth_bucket_empty(struct rth_core *c, struct rth_page *pg)
{
	unsigned int cls = pg->shift - RTH_MIN_SHIFT;
	u32 p = pg - c->pages, s = c->spare[cls];

	pg->nused = 0;
	if (s == p)
		return 0;
	if (s == RTH_NIL || !rth_page_empty(&c->pages[s])) {
		c->spare[cls] = p;
		c->spare_map |= 1U << cls;
		return 0;
	}
	rth_release_bucket_page(c, p);
	return 0;
}

/*
 * Slow path of rth_free(): bitmap word w of page pg had no free block and
 * has one now; the block is counted free already, not yet in nused.  A
 * page whose summary was 0 was full, off its class list: it joins it.
 */
static noinline int rth_bucket_word_free(struct rth_core *c,
					 struct rth_page *pg, unsigned long w)
{
	if (!pg->summary)
		rth_class_append(c, pg - c->pages);
	pg->summary |= 1ULL << w;
	if (pg->nused == 1)
		return rth_bucket_empty(c, pg);
	pg->nused--;
	return 0;
}

int rth_free(struct rth_core *c, size_t off, size_t *sizep)
{
	struct rth_page *pg;
	unsigned long shift, in, idx;
	u64 map;

	if (unlikely(off >= c->size))
		return -EINVAL;
	pg = &c->pages[off >> RTH_PAGE_SHIFT];
	shift = pg->shift;
	if (unlikely(!shift))		/* not a bucket page */
		return rth_free_run(c, off, sizep);
	in = off & (RTH_PAGE_SIZE - 1);
	idx = in >> shift;
	if (unlikely((idx << shift) != in))
		return -EINVAL;		/* not a block start */
	map = pg->map[idx / 64];
	if (unlikely((map >> (idx % 64)) & 1))
		return -EINVAL;		/* already free */
	pg->map[idx / 64] = map | (1ULL << (idx % 64));
	c->class_blocks[shift - RTH_MIN_SHIFT]--;
	if (sizep)
		*sizep = 1UL << shift;
	if (unlikely(!map))
		return rth_bucket_word_free(c, pg, idx / 64);
	if (unlikely(pg->nused == 1))	/* every block free now */
		return rth_bucket_empty(c, pg);
	pg->nused--;
	return 0;
}

size_t rth_block_size(const struct rth_core *c, size_t off)
{
	const struct rth_page *pg;
	size_t in = off & (RTH_PAGE_SIZE - 1);
	unsigned int shift, idx;

	if (off >= rth_usable(c))
		return 0;
	pg = &c->pages[off >> RTH_PAGE_SHIFT];
	if (pg->type == RTH_PAGE_RUN)
		return in ? 0 : (size_t)pg->len << RTH_PAGE_SHIFT;
	if (pg->type != RTH_PAGE_BUCKET)
		return 0;
	shift = pg->shift;
	if (in & ((1UL << shift) - 1))
		return 0;
	idx = in >> shift;
	if (pg->map[idx / 64] & (1ULL << (idx % 64)))
		return 0;	/* already free */
	return 1UL << shift;
}

size_t rth_round_size(const struct rth_core *c, size_t size)
{
	if (!size || size > rth_usable(c))
		return 0;
	if (size <= RTH_PAGE_SIZE / 2)
		return (size_t)1 << rth_shift_of(size);
	return (size + RTH_PAGE_SIZE - 1) & ~(size_t)(RTH_PAGE_SIZE - 1);
}

/* Is page p a kept page or a fully free spare (free, but not in a run)? */
static bool rth_reclaimable(const struct rth_core *c, u32 p)
{
	const struct rth_page *pg = &c->pages[p];

	if (pg->type == RTH_PAGE_KEPT)
		return true;
	return pg->type == RTH_PAGE_BUCKET && rth_page_empty(pg) &&
	       c->spare[pg->shift - RTH_MIN_SHIFT] == p;
}

/*
 * Pages of the run that reclaiming would make around reclaimable page p:
 * it and the free runs and reclaimable pages next to it, on both sides.
 * Free runs are never adjacent, so each side takes at most one step per
 * reclaimable page, plus one.
 */
static u32 rth_merged_len(const struct rth_core *c, u32 p)
{
	const struct rth_page *pg = c->pages;
	u32 len = 1, q;

	for (q = p; q > 0;) {
		const struct rth_page *l = &pg[q - 1];

		if (l->type == RTH_PAGE_FREE || l->type == RTH_PAGE_FREE_TAIL) {
			len += l->len;
			q -= l->len;
		} else if (rth_reclaimable(c, q - 1)) {
			len++;
			q--;
		} else {
			break;
		}
	}
	for (q = p + 1; q < c->npages;) {
		if (pg[q].type == RTH_PAGE_FREE) {
			len += pg[q].len;
			q += pg[q].len;
		} else if (rth_reclaimable(c, q)) {
			len++;
			q++;
		} else {
			break;
		}
	}
	return len;
}

u64 rth_largest_free(const struct rth_core *c)
{
	unsigned int fl, sl, cls, i;
	u32 map, best = 0;

	if (c->fl_map) {
		fl = fls(c->fl_map) - 1;
		sl = fls(c->sl_map[fl]) - 1;
		best = c->pages[*rth_bin(c, fl, sl)].len;
	}
	for (i = 0; i < c->nkept; i++) {
		u32 len = rth_merged_len(c, c->kept[i]);

		if (len > best)
			best = len;
	}
	for (map = c->spare_map; map; map &= map - 1) {
		u32 p = c->spare[__ffs(map)], len;

		if (!rth_page_empty(&c->pages[p]))
			continue;
		len = rth_merged_len(c, p);
		if (len > best)
			best = len;
	}
	if (best)
		return (u64)best << RTH_PAGE_SHIFT;
	for (cls = RTH_NR_CLASSES; cls-- > 0;)
		if (c->class_head[cls] != RTH_NIL)
			return RTH_MIN_BLOCK << cls;
	return 0;
}

u64 rth_used(const struct rth_core *c)
{
	u64 used = (u64)c->run_pages << RTH_PAGE_SHIFT;
	unsigned int cls;

	for (cls = 0; cls < RTH_NR_CLASSES; cls++)
		used += c->class_blocks[cls] << (cls + RTH_MIN_SHIFT);
	return used;
}

void rth_stats(const struct rth_core *c, struct rth_stats *st)
{
	unsigned int i;

	st->used_bytes = rth_used(c);
	st->usable_bytes = rth_usable(c);
	st->largest_free = rth_largest_free(c);
	st->free_pages = c->free_pages + c->nkept;
	for (i = 0; i < RTH_NR_CLASSES; i++) {
		bool spare = c->spare[i] != RTH_NIL &&
			     rth_page_empty(&c->pages[c->spare[i]]);

		st->class_blocks[i] = c->class_blocks[i];
		st->class_pages[i] = c->class_pages[i] - spare;
		st->free_pages += spare;
	}
	st->run_blocks = c->run_blocks;
	st->run_pages = c->run_pages;
}

/* --- page summary ------------------------------------------------------------ */

/* The range that page p starts; its length in pages is set in r->pages. */
static void rth_range_of(const struct rth_core *c, u32 p,
			 struct rth_page_range *r)
{
	const struct rth_page *pg = &c->pages[p];

	memset(r, 0, sizeof(*r));
	r->first = p;
	r->pages = 1;
	switch (pg->type) {
	case RTH_PAGE_BUCKET:
		r->kind = RTH_RANGE_BUCKET;
		r->cls = pg->shift - RTH_MIN_SHIFT;
		r->used = pg->nused;
		break;
	case RTH_PAGE_KEPT:
		r->kind = RTH_RANGE_KEPT;
		break;
	case RTH_PAGE_FREE:
		r->kind = RTH_RANGE_FREE;
		r->pages = pg->len;
		break;
	default:		/* RTH_PAGE_RUN */
		r->kind = RTH_RANGE_RUN;
		r->pages = pg->len;
		r->blocks = 1;
		break;
	}
}

/* Does unit u (one page or run) continue range r as an equal neighbour? */
static bool rth_range_extends(const struct rth_page_range *r,
			      const struct rth_page_range *u)
{
	if (r->kind != u->kind)
		return false;
	switch (r->kind) {
	case RTH_RANGE_BUCKET:
		return r->cls == u->cls && r->used == u->used;
	case RTH_RANGE_RUN:
		return r->pages == (u64)r->blocks * u->pages;
	default:
		return r->kind == RTH_RANGE_KEPT;
	}
}

int rth_page_summary(const struct rth_core *c, u32 first,
		     struct rth_page_range *out, unsigned int max, u32 *nextp)
{
	unsigned int n = 0, steps;
	struct rth_page_range u;
	u32 p = first;

	if (p > c->npages)
		return -EINVAL;
	if (p < c->npages && (c->pages[p].type == RTH_PAGE_INTERIOR ||
			      c->pages[p].type == RTH_PAGE_FREE_TAIL ||
			      c->pages[p].type == RTH_PAGE_RUN_TAIL))
		return -EINVAL;		/* inside a run */
	for (steps = 0; p < c->npages && steps < RTH_SUMMARY_STEPS; steps++) {
		rth_range_of(c, p, &u);
		if (n && rth_range_extends(&out[n - 1], &u)) {
			out[n - 1].pages += u.pages;
			out[n - 1].blocks += u.blocks;
		} else if (n < max) {
			out[n++] = u;
		} else {
			break;
		}
		p += u.pages;
	}
	if (nextp)
		*nextp = p;
	return n;
}
