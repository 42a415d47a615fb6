// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap allocator core: the consistency checker, rth_check().
 *
 * It walks every page descriptor, bin and list of a core (O(npages)) and
 * checks each invariant alloc.c keeps.  The host tests, the fuzzer, the
 * KUnit suite and the benchmarks build it beside alloc.c, after every
 * step or around what they measure; rtheap.ko never calls it and does not
 * carry it.
 */
#include <linux/bitops.h>
#include <linux/compiler.h>
#include "alloc.h"
#include "alloc_int.h"

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

/* The invariants of one bucket page p; 0 or rth_fail()'s. */
static int rth_check_bucket(const struct rth_core *c, u32 p, const char **why)
{
	const struct rth_page *pg = &c->pages[p];
	unsigned int n, w, cls;

	if (pg->shift < RTH_MIN_SHIFT || pg->shift > RTH_MAX_SHIFT)
		return rth_fail(why, __LINE__, "bucket page of no class");
	cls = pg->shift - RTH_MIN_SHIFT;
	n = rth_class_blocks(cls);
	if (pg->len != n)
		return rth_fail(why, __LINE__, "bucket page's block count wrong");
	if (pg->nused > n || rth_popcount(pg) != n - pg->nused)
		return rth_fail(why, __LINE__,
				"bucket used count disagrees with bitmap");
	if (!pg->nused && c->spare[cls] != p)
		return rth_fail(why, __LINE__,
				"fully free bucket page that is not its class's spare");
	for (w = 0; w < RTH_MAP_WORDS; w++) {
		u64 valid = n >= (w + 1) * 64 ? ~0ULL :
			    n > w * 64 ? (1ULL << (n - w * 64)) - 1 : 0;

		if (pg->map[w] & ~valid)
			return rth_fail(why, __LINE__,
					"bucket bitmap has bits past the page");
		if (!(pg->summary & (1ULL << w)) != !pg->map[w])
			return rth_fail(why, __LINE__,
					"bucket summary disagrees with bitmap");
	}
	if (RTH_MAP_WORDS < 64 && (pg->summary >> (RTH_MAP_WORDS % 64)))
		return rth_fail(why, __LINE__,
				"bucket summary has bits past the bitmap");
	return 0;
}

/* The kept pages and the spares; kept: how many the page walk found. */
static int rth_check_caches(const struct rth_core *c, u64 kept,
			    const char **why)
{
	const struct rth_page *pg = c->pages;
	unsigned int i, j, cls;

	if (c->nkept > RTH_KEPT_MAX || c->nkept != kept)
		return rth_fail(why, __LINE__, "kept page count wrong");
	for (i = 0; i < c->nkept; i++) {
		if (c->kept[i] >= c->npages || pg[c->kept[i]].type != RTH_PAGE_KEPT)
			return rth_fail(why, __LINE__,
					"kept list holds a page that is not kept");
		for (j = 0; j < i; j++)
			if (c->kept[j] == c->kept[i])
				return rth_fail(why, __LINE__,
						"kept page listed twice");
	}
	if (RTH_NR_CLASSES < 32 && (c->spare_map >> RTH_NR_CLASSES))
		return rth_fail(why, __LINE__, "spare bit set for no class");
	for (cls = 0; cls < RTH_NR_CLASSES; cls++) {
		u32 s = c->spare[cls];

		if (!(s == RTH_NIL) != !!(c->spare_map & (1U << cls)))
			return rth_fail(why, __LINE__,
					"spare bitmap disagrees with spares");
		if (s != RTH_NIL && (s >= c->npages ||
				     pg[s].type != RTH_PAGE_BUCKET ||
				     pg[s].shift != cls + RTH_MIN_SHIFT))
			return rth_fail(why, __LINE__,
					"spare is not a bucket page of its class");
	}
	return 0;
}

int rth_check(const struct rth_core *c, const char **why)
{
	const struct rth_page *pg = c->pages;
	u64 used = 0, free_pages = 0, run_blocks = 0, run_pages = 0, kept = 0;
	u64 blocks[RTH_NR_CLASSES] = { 0 }, cpages[RTH_NR_CLASSES] = { 0 };
	u64 free_runs = 0, listed_pages = 0, listed_runs = 0, partial = 0;
	unsigned int fl, sl, cls;
	bool prev_free = false;
	u32 p, q, len, prev;
	int ret;

	for (p = 0; p < c->npages; p += len) {
		unsigned int type = pg[p].type, tail_type;

		len = 1;
		if (type == RTH_PAGE_BUCKET) {
			ret = rth_check_bucket(c, p, why);
			if (ret)
				return ret;
			cls = pg[p].shift - RTH_MIN_SHIFT;
			blocks[cls] += pg[p].nused;
			cpages[cls]++;
			used += (u64)pg[p].nused << pg[p].shift;
			partial += pg[p].nused < pg[p].len;
			prev_free = false;
			continue;
		}
		if (pg[p].shift)
			return rth_fail(why, __LINE__,
					"block shift on a page that is no bucket");
		if (type == RTH_PAGE_KEPT) {
			if (pg[p].len != 1)
				return rth_fail(why, __LINE__,
						"kept page's length is not 1");
			kept++;
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
				pg[p + len - 1].len != len ||
				pg[p + len - 1].shift))
			return rth_fail(why, __LINE__,
					"run tail does not match its head");
		for (q = p + 1; q + 1 < p + len; q++)
			if (pg[q].type != RTH_PAGE_INTERIOR || pg[q].shift)
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
	ret = rth_check_caches(c, kept, why);
	if (ret)
		return ret;
	for (p = 0; c->class_map && p < c->npages; p++)
		if (c->class_map[p] != (pg[p].type == RTH_PAGE_BUCKET ?
					pg[p].shift - RTH_MIN_SHIFT + 1 : 0))
			return rth_fail(why, __LINE__,
					"class map disagrees with a page");

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
			if (pg[q].type != RTH_PAGE_BUCKET ||
			    pg[q].shift != cls + RTH_MIN_SHIFT ||
			    pg[q].prev != prev)
				return rth_fail(why, __LINE__,
						"class list holds a foreign page");
			if (pg[q].nused == pg[q].len)
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
