// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap allocator core.
 *
 * Small blocks (16 B .. page/2) follow McKusick and Karels: a page is split
 * into blocks of one power-of-two class, and each class keeps a list of its
 * pages that still have a free block.  A page's free blocks are a bitmap in
 * its descriptor, so the heap area itself holds nothing but blocks.
 *
 * Pages come from a pool of free page runs, indexed by a two-level
 * segregated fit (as in TLSF): RTH_SL_COUNT bins per power of two of the run
 * length, a bitmap of non-empty bins per level and a bitmap of levels.  A
 * run's first and last descriptors carry its length (boundary tags), so a
 * freed run merges with both neighbours in O(1); every other descriptor of
 * a run is RTH_PAGE_INTERIOR, which is how an interior pointer is told from
 * a block start without looking further.
 *
 * Requests above page/2 take exactly ceil(size / page) pages.
 */
#include <linux/bitops.h>
#include <linux/string.h>
#include "alloc.h"

#define RTH_NIL		0xffffffffU

enum rth_page_type {
	RTH_PAGE_INTERIOR = 0,	/* inside a run, not at either end */
	RTH_PAGE_FREE,		/* first page of a free run */
	RTH_PAGE_FREE_TAIL,	/* last page of a free run of 2+ pages */
	RTH_PAGE_RUN,		/* first page of an allocated run */
	RTH_PAGE_RUN_TAIL,	/* last page of an allocated run of 2+ pages */
	RTH_PAGE_BUCKET,	/* page split into blocks of one class */
};

/* Class of a 1 .. page/2 byte request: ceil(log2(size)) - 4, at least 0. */
static inline unsigned int rth_class_of(size_t size)
{
	return fls64(((u64)size - 1) | (RTH_MIN_BLOCK - 1)) - RTH_MIN_SHIFT;
}

static inline unsigned int rth_class_blocks(unsigned int cls)
{
	return RTH_PAGE_SIZE >> (cls + RTH_MIN_SHIFT);
}

/* --- free page runs: segregated fit ------------------------------------ */

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

static inline u32 *rth_bin(const struct rth_core *c, unsigned int fl,
			   unsigned int sl)
{
	return &c->bins[fl * RTH_SL_COUNT + sl];
}

static void rth_bin_insert(struct rth_core *c, u32 p)
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

static void rth_bin_remove(struct rth_core *c, u32 p)
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

/* Describe [p, p + len) as one free run and index it. */
static void rth_make_free(struct rth_core *c, u32 p, u32 len)
{
	struct rth_page *pg = c->pages;

	pg[p].type = RTH_PAGE_FREE;
	pg[p].len = len;
	if (len > 1) {
		pg[p + len - 1].type = RTH_PAGE_FREE_TAIL;
		pg[p + len - 1].len = len;
	}
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
static u32 rth_find_run(struct rth_core *c, u32 len)
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

/* Take len pages; the first page's descriptor is left for the caller. */
static u32 rth_take_pages(struct rth_core *c, u32 len)
{
	struct rth_page *pg = c->pages;
	u32 p = rth_find_run(c, len), have;

	if (p == RTH_NIL)
		return RTH_NIL;
	have = pg[p].len;
	rth_bin_remove(c, p);
	c->free_pages -= have;
	if (have > len)
		rth_make_free(c, p + len, have - len);
	return p;
}

/* Give back the run [p, p + len), merging it with free neighbours. */
static void rth_give_pages(struct rth_core *c, u32 p, u32 len)
{
	struct rth_page *pg = c->pages;
	u32 start = p, end = p + len;

	pg[p].type = RTH_PAGE_INTERIOR;
	pg[end - 1].type = RTH_PAGE_INTERIOR;
	if (start > 0 && (pg[start - 1].type == RTH_PAGE_FREE ||
			  pg[start - 1].type == RTH_PAGE_FREE_TAIL)) {
		u32 l = start - pg[start - 1].len;

		rth_bin_remove(c, l);
		c->free_pages -= pg[l].len;
		pg[l].type = RTH_PAGE_INTERIOR;
		pg[start - 1].type = RTH_PAGE_INTERIOR;
		start = l;
	}
	if (end < c->npages && pg[end].type == RTH_PAGE_FREE) {
		u32 rlen = pg[end].len;

		rth_bin_remove(c, end);
		c->free_pages -= rlen;
		pg[end].type = RTH_PAGE_INTERIOR;
		pg[end + rlen - 1].type = RTH_PAGE_INTERIOR;
		end += rlen;
	}
	rth_make_free(c, start, end - start);
}

/* --- bucket pages: class lists ------------------------------------------ */

/*
 * A page that gets a free block back joins the tail of its class list, and
 * blocks are taken from the head: the head page is used up before the
 * next, while pages further back gather free blocks, so a page seldom
 * swings between full and partial on every alloc/free pair.
 */
static void rth_class_append(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	unsigned int cls = pg[p].cls;
	u32 tail = c->class_tail[cls];

	pg[p].next = RTH_NIL;
	pg[p].prev = tail;
	if (tail != RTH_NIL)
		pg[tail].next = p;
	else
		c->class_head[cls] = p;
	c->class_tail[cls] = p;
}

static void rth_class_remove(struct rth_core *c, u32 p)
{
	struct rth_page *pg = c->pages;
	u32 prev = pg[p].prev, next = pg[p].next;

	if (next != RTH_NIL)
		pg[next].prev = prev;
	else
		c->class_tail[pg[p].cls] = prev;
	if (prev != RTH_NIL)
		pg[prev].next = next;
	else
		c->class_head[pg[p].cls] = next;
}

/* Slow path of rth_alloc(): a fresh page for class cls, or RTH_NIL. */
static noinline u32 rth_new_bucket_page(struct rth_core *c, unsigned int cls)
{
	struct rth_page *pg;
	unsigned int nblocks = rth_class_blocks(cls), w;
	u32 p = rth_take_pages(c, 1);

	if (p == RTH_NIL)
		return RTH_NIL;
	pg = &c->pages[p];
	pg->type = RTH_PAGE_BUCKET;
	pg->cls = cls;
	pg->len = nblocks;	/* a bucket page's len: its block count */
	pg->nfree = nblocks;
	for (w = 0; w < RTH_MAP_WORDS; w++) {
		if (nblocks >= 64)
			pg->map[w] = ~0ULL;
		else if (nblocks)
			pg->map[w] = (1ULL << nblocks) - 1;
		else
			pg->map[w] = 0;
		nblocks = nblocks >= 64 ? nblocks - 64 : 0;
	}
	c->class_pages[cls]++;
	rth_class_append(c, p);
	return p;
}

/*
 * Slow path of rth_free(): bucket page p became fully free.  It returns
 * rth_free()'s result (always 0) so that rth_free() reaches it by a tail
 * call and stays a leaf.
 */
static noinline int rth_release_bucket_page(struct rth_core *c, u32 p)
{
	rth_class_remove(c, p);
	c->class_pages[c->pages[p].cls]--;
	rth_give_pages(c, p, 1);
	return 0;
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
	rth_make_free(c, 0, npages);
	return 0;
}

/* Hand out the first free block of page p, of class cls. */
static inline int rth_take_block(struct rth_core *c, u32 p, unsigned int cls,
				 size_t *offp)
{
	struct rth_page *pg = &c->pages[p];
	unsigned int w;
	u64 map;

	/* nfree > 0, so a set bit exists within RTH_MAP_WORDS words. */
	for (w = 0; !(map = pg->map[w]); w++)
		;
	pg->map[w] = map & (map - 1);
	if (!--pg->nfree) {
		/* Full: off the class list, of which it is the head. */
		c->class_head[cls] = pg->next;
		if (pg->next != RTH_NIL)
			c->pages[pg->next].prev = RTH_NIL;
		else
			c->class_tail[cls] = RTH_NIL;
	}
	c->class_blocks[cls]++;
	*offp = ((size_t)p << RTH_PAGE_SHIFT) +
		((size_t)(w * 64 + __ffs64(map)) << (cls + RTH_MIN_SHIFT));
	return 0;
}

/* Slow path of rth_alloc(): no page of class cls has a free block. */
static noinline int rth_alloc_refill(struct rth_core *c, unsigned int cls,
				     size_t *offp)
{
	u32 p = rth_new_bucket_page(c, cls);

	if (p == RTH_NIL)
		return -ENOMEM;
	return rth_take_block(c, p, cls, offp);
}

/*
 * The fast path stays a leaf: every slow case is a tail call, so it makes
 * no call.  It is not free of stack traffic: gcc 12 at -O2 saves three
 * callee-saved registers (rbx, rbp, r12 on x86-64) for the block lookup
 * of rth_take_block().
 */
int rth_alloc(struct rth_core *c, size_t size, size_t *offp)
{
	unsigned int cls;
	u32 p;

	if (size - 1 >= RTH_PAGE_SIZE / 2)	/* not 1 .. page/2 */
		return rth_alloc_run(c, size, offp);
	cls = rth_class_of(size);
	p = c->class_head[cls];
	if (p == RTH_NIL)
		return rth_alloc_refill(c, cls, offp);
	return rth_take_block(c, p, cls, offp);
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

int rth_free(struct rth_core *c, size_t off, size_t *sizep)
{
	struct rth_page *pg;
	unsigned int shift, idx, cls, n;
	u64 bit;
	u32 p;

	if (off >= c->size)
		return -EINVAL;
	p = off >> RTH_PAGE_SHIFT;
	pg = &c->pages[p];
	if (pg->type != RTH_PAGE_BUCKET)
		return rth_free_run(c, off, sizep);
	cls = pg->cls;
	shift = cls + RTH_MIN_SHIFT;
	off &= RTH_PAGE_SIZE - 1;
	if (off & ((1UL << shift) - 1))
		return -EINVAL;		/* not a block start */
	idx = off >> shift;
	bit = 1ULL << (idx % 64);
	if (pg->map[idx / 64] & bit)
		return -EINVAL;		/* already free */
	pg->map[idx / 64] |= bit;
	if (sizep)
		*sizep = 1UL << shift;
	c->class_blocks[cls]--;
	n = ++pg->nfree;
	if (n == 1)
		rth_class_append(c, p);
	else if (n == pg->len)	/* every block free; never 1 */
		return rth_release_bucket_page(c, p);
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
	shift = pg->cls + RTH_MIN_SHIFT;
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
		return RTH_MIN_BLOCK << rth_class_of(size);
	return (size + RTH_PAGE_SIZE - 1) & ~(size_t)(RTH_PAGE_SIZE - 1);
}

u64 rth_largest_free(const struct rth_core *c)
{
	unsigned int fl, sl, cls;

	if (c->fl_map) {
		fl = fls(c->fl_map) - 1;
		sl = fls(c->sl_map[fl]) - 1;
		return (u64)c->pages[*rth_bin(c, fl, sl)].len << RTH_PAGE_SHIFT;
	}
	for (cls = RTH_NR_CLASSES; cls-- > 0;)
		if (c->class_head[cls] != RTH_NIL)
			return RTH_MIN_BLOCK << cls;
	return 0;
}

u64 rth_used(const struct rth_core *c)
{
	u64 used = c->run_pages << RTH_PAGE_SHIFT;
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
	for (i = 0; i < RTH_NR_CLASSES; i++) {
		st->class_blocks[i] = c->class_blocks[i];
		st->class_pages[i] = c->class_pages[i];
	}
	st->run_blocks = c->run_blocks;
	st->run_pages = c->run_pages;
	st->free_pages = c->free_pages;
}

/* --- consistency checker --------------------------------------------------- */

static int rth_fail(const char **why, int line, const char *msg)
{
	if (why)
		*why = msg;
	return -line;
}

static unsigned int rth_popcount(const struct rth_page *pg)
{
	unsigned int w, n = 0;

	for (w = 0; w < RTH_MAP_WORDS; w++)
		n += hweight64(pg->map[w]);
	return n;
}

int rth_check(const struct rth_core *c, const char **why)
{
	const struct rth_page *pg = c->pages;
	u64 used = 0, free_pages = 0, run_blocks = 0, run_pages = 0;
	u64 blocks[RTH_NR_CLASSES] = { 0 }, cpages[RTH_NR_CLASSES] = { 0 };
	u64 free_runs = 0, listed_pages = 0, listed_runs = 0, partial = 0;
	unsigned int fl, sl, cls, w;
	bool prev_free = false;
	u32 p, q, len, prev;

	for (p = 0; p < c->npages; p += len) {
		unsigned int type = pg[p].type, tail_type;

		if (type == RTH_PAGE_BUCKET) {
			unsigned int n = rth_class_blocks(pg[p].cls);

			len = 1;
			if (pg[p].cls >= RTH_NR_CLASSES)
				return rth_fail(why, __LINE__,
						"bucket page of no class");
			if (pg[p].len != n)
				return rth_fail(why, __LINE__,
						"bucket page's block count wrong");
			if (pg[p].nfree >= n || rth_popcount(&pg[p]) != pg[p].nfree)
				return rth_fail(why, __LINE__,
						"bucket free count disagrees with bitmap");
			for (w = 0; w < RTH_MAP_WORDS; w++) {
				u64 valid = n >= (w + 1) * 64 ? ~0ULL :
					    n > w * 64 ? (1ULL << (n - w * 64)) - 1 : 0;

				if (pg[p].map[w] & ~valid)
					return rth_fail(why, __LINE__,
							"bucket bitmap has bits past the page");
			}
			blocks[pg[p].cls] += n - pg[p].nfree;
			cpages[pg[p].cls]++;
			used += (u64)(n - pg[p].nfree) << (pg[p].cls + RTH_MIN_SHIFT);
			partial += pg[p].nfree > 0;
			prev_free = false;
			continue;
		}
		if (type != RTH_PAGE_FREE && type != RTH_PAGE_RUN)
			return rth_fail(why, __LINE__,
					"page run does not start with a head");
		len = pg[p].len;
		if (!len || len > c->npages - p)
			return rth_fail(why, __LINE__,
					"run length out of range");
		tail_type = type == RTH_PAGE_FREE ? RTH_PAGE_FREE_TAIL :
						    RTH_PAGE_RUN_TAIL;
		if (len > 1 && (pg[p + len - 1].type != tail_type ||
				pg[p + len - 1].len != len))
			return rth_fail(why, __LINE__,
					"run tail does not match its head");
		for (q = p + 1; q + 1 < p + len; q++)
			if (pg[q].type != RTH_PAGE_INTERIOR)
				return rth_fail(why, __LINE__,
						"descriptor inside a run is not interior");
		if (type == RTH_PAGE_FREE) {
			if (prev_free)
				return rth_fail(why, __LINE__,
						"adjacent free runs not merged");
			free_pages += len;
			free_runs++;
			prev_free = true;
		} else {
			run_blocks++;
			run_pages += len;
			used += (u64)len << RTH_PAGE_SHIFT;
			prev_free = false;
		}
	}

	for (fl = 0; fl < RTH_FL_COUNT; fl++) {
		if (fl >= c->nr_fl) {
			if (c->sl_map[fl] || (c->fl_map & (1U << fl)))
				return rth_fail(why, __LINE__,
						"bitmap bit set for a level past the heap");
			continue;
		}
		if (!!c->sl_map[fl] != !!(c->fl_map & (1U << fl)))
			return rth_fail(why, __LINE__,
					"level bitmap disagrees with bin bitmap");
		for (sl = 0; sl < RTH_SL_COUNT; sl++) {
			u32 n = 0, h = *rth_bin(c, fl, sl);

			if (!(h == RTH_NIL) != !!(c->sl_map[fl] & (1U << sl)))
				return rth_fail(why, __LINE__,
						"bin bitmap disagrees with bin list");
			for (prev = RTH_NIL, q = h; q != RTH_NIL; prev = q, q = pg[q].next) {
				unsigned int f2, s2;

				if (q >= c->npages || ++n > c->npages)
					return rth_fail(why, __LINE__,
							"bin list broken");
				if (pg[q].type != RTH_PAGE_FREE || pg[q].prev != prev)
					return rth_fail(why, __LINE__,
							"bin list holds a non-free page");
				rth_bin_of(pg[q].len, &f2, &s2);
				if (f2 != fl || s2 != sl)
					return rth_fail(why, __LINE__,
							"free run in the wrong bin");
				listed_runs++;
				listed_pages += pg[q].len;
			}
		}
	}
	if (listed_runs != free_runs || listed_pages != free_pages)
		return rth_fail(why, __LINE__,
				"free runs missing from the bins");

	for (cls = 0; cls < RTH_NR_CLASSES; cls++) {
		u32 n = 0;

		for (prev = RTH_NIL, q = c->class_head[cls]; q != RTH_NIL;
		     prev = q, q = pg[q].next) {
			if (q >= c->npages || ++n > c->npages)
				return rth_fail(why, __LINE__,
						"class list broken");
			if (pg[q].type != RTH_PAGE_BUCKET || pg[q].cls != cls ||
			    pg[q].prev != prev)
				return rth_fail(why, __LINE__,
						"class list holds a foreign page");
			if (!pg[q].nfree)
				return rth_fail(why, __LINE__,
						"full page on a class list");
			partial--;
		}
		if (prev != c->class_tail[cls])
			return rth_fail(why, __LINE__, "class list tail wrong");
		if (blocks[cls] != c->class_blocks[cls] ||
		    cpages[cls] != c->class_pages[cls])
			return rth_fail(why, __LINE__,
					"class statistics wrong");
	}
	if (partial)
		return rth_fail(why, __LINE__,
				"page with free blocks missing from its class list");
	if (used != rth_used(c) || free_pages != c->free_pages ||
	    run_blocks != c->run_blocks || run_pages != c->run_pages)
		return rth_fail(why, __LINE__, "usage statistics wrong");
	if (why)
		*why = NULL;
	return 0;
}
