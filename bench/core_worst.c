// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator core's worst cases: for each path of rth_alloc() and
 * rth_free(), a state built on purpose to make that path as expensive as
 * it gets, then the one operation, counted by callgrind.
 *
 *   core_worst [STATE]
 *	Builds every state (or the one named), runs its operation between
 *	CALLGRIND_ZERO_STATS and a dump named after the state, and checks
 *	that the operation took the path the state is for (its result and
 *	what it changed) and that rth_check() still holds: a state that no
 *	longer reaches its path is an error (exit 1), not a cheap figure.
 *	Run it under `valgrind --tool=callgrind --toggle-collect=rth_alloc
 *	--toggle-collect=rth_free --combine-dumps=yes` (bench/core-worst);
 *	without valgrind it only builds and checks the states.
 *
 *   core_worst --list
 *	The states' names and what each builds.
 *
 * Every state runs on a 64 MiB heap (16384 pages, as the trace's) with a
 * class map set, as rtheap.ko's heaps have one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include "alloc.h"
#include "alloc_int.h"

#define HEAP_PAGES	16384U
#define PAGE		RTH_PAGE_SIZE

static struct rth_core core;
static void *meta;
static u8 *cmap;
static const char *state_name;

static void die(const char *what)
{
	fprintf(stderr, "core_worst: %s: %s\n", state_name, what);
	exit(1);
}

static void check(void)
{
	const char *why;

	if (rth_check(&core, &why))
		die(why ? why : "rth_check failed");
}

static void fresh(void)
{
	size_t meta_size = rth_meta_size(HEAP_PAGES);

	free(meta);
	free(cmap);
	meta = malloc(meta_size);
	cmap = malloc(HEAP_PAGES);
	if (!meta || !cmap || rth_init(&core, HEAP_PAGES, meta, meta_size))
		die("cannot set up the heap");
	rth_set_class_map(&core, cmap);
}

static size_t xalloc(size_t size)
{
	size_t off;

	if (rth_alloc(&core, size, &off))
		die("a set-up allocation failed");
	return off;
}

static void xfree(size_t off)
{
	if (rth_free(&core, off, NULL))
		die("a set-up free failed");
}

/* A run of n pages. */
static u32 run(u32 n)
{
	return xalloc((size_t)n * PAGE) / PAGE;
}

static size_t class_size(unsigned int cls)
{
	return rth_class_size(cls);
}

/*
 * Make allocated one-page run q a bucket page of class cls with one block
 * taken: q goes to the kept pages (there must be none) and the class's
 * next page comes from them.  Returns the block.
 */
static size_t bucket_at(u32 q, unsigned int cls)
{
	size_t off;

	if (core.nkept || core.class_head[cls] != RTH_NIL)
		die("bucket_at: kept pages or a class page in the way");
	xfree((size_t)q * PAGE);
	off = xalloc(class_size(cls));
	if (off / PAGE != q)
		die("bucket_at: the page did not come from the kept pages");
	return off;
}

/* The rest of the pool, taken as one run. */
static void fill_rest(void)
{
	run(HEAP_PAGES - (u32)(rth_used(&core) / PAGE));
}

/*
 * n one-page runs side by side, then the rest of the pool as one run.
 * Returns the lowest of the n pages.
 */
static u32 singles(u32 n)
{
	u32 i, p, lo = HEAP_PAGES;

	for (i = 0; i < n; i++) {
		p = run(1);
		if (lo != HEAP_PAGES && p + 1 != lo && p != lo + i)
			die("singles: pages not side by side");
		lo = p < lo ? p : lo;
	}
	fill_rest();
	return lo;
}

/*
 * Runs of len[0], len[1], len[2] pages side by side, then one-page runs
 * (a wall and the pages to keep), then the rest of the pool as one run.
 * pg[i] receives run i's first page; the runs are next to each other
 * whichever end of the pool they come from, run 1 between 0 and 2.
 */
static void three_runs(const u32 *len, u32 *pg, u32 nsingle, u32 *single)
{
	u32 i;

	for (i = 0; i < 3; i++)
		pg[i] = run(len[i]);
	for (i = 0; i < nsingle; i++)
		single[i] = run(1);
	fill_rest();
	if ((pg[1] != pg[0] + len[0] || pg[2] != pg[1] + len[1]) &&
	    (pg[1] + len[1] != pg[0] || pg[2] + len[2] != pg[1]))
		die("three_runs: runs not side by side");
}

/* --- the measured operation --------------------------------------------- */

static int do_alloc(size_t size, size_t *off)
{
	int ret;

	CALLGRIND_ZERO_STATS;
	ret = rth_alloc(&core, size, off);
	CALLGRIND_DUMP_STATS_AT(state_name);
	return ret;
}

static int do_free(size_t off)
{
	int ret;

	CALLGRIND_ZERO_STATS;
	ret = rth_free(&core, off, NULL);
	CALLGRIND_DUMP_STATS_AT(state_name);
	return ret;
}

static void expect(int cond, const char *what)
{
	if (!cond)
		die(what);
}

/* --- alloc states --------------------------------------------------------- */

/* A block from the head page of its class: the fast path. */
static void a_fast(void)
{
	size_t off, first;

	fresh();
	first = xalloc(16);
	expect(!do_alloc(16, &off) && off == first + 16, "not the page's next block");
	check();
}

/* The page's last free block: its summary empties, it leaves the list. */
static void a_page_full(void)
{
	unsigned int cls = 0, i, n = rth_class_blocks(cls);
	size_t off;
	u32 p, q;

	fresh();
	/* Two full pages, then one block free in each: p heads the list. */
	p = xalloc(16) / PAGE;
	for (i = 1; i < n; i++)
		xalloc(16);
	q = xalloc(16) / PAGE;
	for (i = 1; i < n; i++)
		xalloc(16);
	xfree((size_t)p * PAGE);
	xfree((size_t)q * PAGE);
	expect(core.class_head[cls] == p && core.pages[p].next == q,
	       "pages not on the list as built");
	expect(!do_alloc(16, &off), "failed");
	expect(core.class_head[cls] != p && core.pages[p].summary == 0,
	       "the page did not leave its class list");
	check();
}

/* A bitmap word's last block, the page still has others. */
static void a_word_out(void)
{
	unsigned int i;
	size_t off, first;

	fresh();
	first = xalloc(16);
	for (i = 1; i < 63; i++)
		xalloc(16);
	expect(!do_alloc(16, &off) && off == first + 63 * 16,
	       "not the word's last block");
	expect(core.pages[off / PAGE].summary == 0xe, "word 0 not used up");
	check();
}

/* A class without a page, one kept page for it. */
static void a_page_kept(void)
{
	size_t off;
	u32 p;

	fresh();
	p = run(1);
	run(1);
	xfree((size_t)p * PAGE);
	expect(core.nkept == 1, "no kept page");
	expect(!do_alloc(16, &off) && off / PAGE == p, "the kept page not taken");
	check();
}

/*
 * A class without a page, no kept page, and the only free run far up: the
 * search goes past every bin of level 0 and every level below the top.
 * The rest of the split run stays in the top level.
 */
static void a_page_top(void)
{
	size_t off;

	fresh();
	expect(!do_alloc(16, &off) && core.free_pages == HEAP_PAGES - 1,
	       "not a page of the pool");
	check();
}

/*
 * A class without a page, no kept page, a fragmented pool: runs of every
 * length 2 .. 15 (level 0), none of one page.  The request takes the head
 * run of 2 pages, leaving one page that opens bin 1 again, and bin 2
 * empties (its bit cleared, the level's stays).
 */
static void a_page_frag(void)
{
	u32 len, p, first;
	size_t off;

	fresh();
	first = HEAP_PAGES;
	for (len = 15; len >= 2; len--) {
		p = run(len);
		run(1);		/* a wall */
		if (len == 2)
			first = p;
	}
	fill_rest();
	for (p = 0; p < HEAP_PAGES;) {
		struct rth_page *pg = &core.pages[p];
		u32 l = pg->len;

		if (pg->type == RTH_PAGE_RUN && l >= 2 && l <= 15)
			xfree((size_t)p * PAGE);
		p += l;
	}
	expect(core.nkept == 0 && core.free_pages == 15 * 16 / 2 - 1,
	       "pool not as built");
	expect(!do_alloc(16, &off) && off / PAGE - first < 2, "not the 2-page run");
	check();
}

/*
 * Kept pages and spares, all free, nothing else: the request finds no
 * run, reclaims every kept page (RTH_KEPT_MAX) and every class's spare,
 * merging each with the pages freed before it, and is served from the
 * merged run.  With fail set, it asks one page more and fails after all.
 */
static void reclaim_state(int fail)
{
	unsigned int cls, nspare = RTH_NR_CLASSES, i;
	u32 base, n = RTH_KEPT_MAX + RTH_NR_CLASSES, len;
	size_t blk[RTH_NR_CLASSES], off;

	fresh();
	base = singles(n);
	/*
	 * Spares on the first nspare pages, the lower classes (reclaimed
	 * first) on the odd ones, so that the even ones, reclaimed later,
	 * merge both ways; kept pages above them.
	 */
	for (cls = 0; cls < nspare; cls++) {
		u32 q = base + (cls < nspare / 2 ? 2 * cls + 1 :
				2 * (cls - nspare / 2));

		blk[cls] = bucket_at(q, cls);
	}
	for (cls = 0; cls < nspare; cls++)
		xfree(blk[cls]);
	for (i = 0; i < RTH_KEPT_MAX; i++)
		xfree((size_t)(base + nspare + i) * PAGE);
	expect(core.nkept == RTH_KEPT_MAX && core.free_pages == 0 &&
	       core.spare_map == (1U << nspare) - 1, "caches not full");
	len = n + !!fail;
	if (fail) {
		expect(do_alloc((size_t)len * PAGE, &off) == -ENOMEM,
		       "did not fail");
	} else {
		expect(!do_alloc((size_t)len * PAGE, &off) && off / PAGE == base,
		       "not served from the reclaimed pages");
	}
	expect(core.nkept == 0 && core.spare_map == 0, "not all reclaimed");
	check();
}

static void a_reclaim(void)
{
	reclaim_state(0);
}

static void a_reclaim_fail(void)
{
	reclaim_state(1);
}

/*
 * A bucket page for class 0 when the pool is nothing but spares of the
 * other classes, all named and all in use but the last class's: every
 * class is looked at before the one free page is found.
 */
static void a_spare_page(void)
{
	unsigned int cls, nspare = RTH_NR_CLASSES - 1;
	size_t blk[RTH_NR_CLASSES], off;
	u32 base;

	fresh();
	base = singles(nspare);
	for (cls = 1; cls <= nspare; cls++)
		blk[cls] = bucket_at(base + cls - 1, cls);
	for (cls = 1; cls <= nspare; cls++) {
		xfree(blk[cls]);
		if (cls < nspare)
			xalloc(class_size(cls));	/* the spare in use */
	}
	expect(core.nkept == 0 && core.free_pages == 0 &&
	       core.spare_map == (1U << RTH_NR_CLASSES) - 2, "pool not as built");
	expect(!do_alloc(16, &off) && off / PAGE - base < nspare,
	       "not served from the spares");
	check();
}

/* An empty heap's single largest block. */
static void a_run_whole(void)
{
	size_t off;

	fresh();
	expect(!do_alloc((size_t)HEAP_PAGES * PAGE, &off) && off == 0,
	       "whole heap not served");
	check();
}

/*
 * A run split across bins: the run found is in a higher bin than the
 * request's, and what is left of it goes into a lower bin whose head is
 * longer, so it goes in second; the bin it came from empties.
 */
static void a_run_split(void)
{
	u32 a, b, rest;
	size_t off;

	fresh();
	a = run(1030);		/* bin 7.0: 1024 .. 1087 */
	run(1);
	b = run(431);		/* bin 5.10: 416 .. 431 */
	run(1);
	fill_rest();
	xfree((size_t)b * PAGE);
	xfree((size_t)a * PAGE);
	/* 600 pages round up to bin 6.3 and look above: 7.0 is found. */
	expect(!do_alloc(600 * PAGE, &off) && (off / PAGE == a ||
					      off / PAGE == a + 430), "not split");
	rest = off / PAGE == a ? a + 600 : a;
	expect(core.pages[rest].len == 430 && core.pages[b].next == rest,
	       "the rest not second in its bin");
	check();
}

/* A run request that finds its own bin's head too short: -ENOMEM. */
static void a_run_short(void)
{
	u32 a;
	size_t off;

	fresh();
	a = run(1020);
	run(1);
	fill_rest();
	xfree((size_t)a * PAGE);
	expect(do_alloc(1021 * PAGE, &off) == -ENOMEM, "did not fail");
	check();
}

/* --- free states --------------------------------------------------------- */

/* A block of a page that keeps others: the fast path. */
static void f_fast(void)
{
	size_t off;

	fresh();
	xalloc(16);
	off = xalloc(16);
	expect(!do_free(off), "failed");
	check();
}

/* A block of a full page: its word and the page get a free block again. */
static void f_page_full(void)
{
	unsigned int i, n = rth_class_blocks(0);
	size_t off = 0;

	fresh();
	for (i = 0; i < n; i++)
		off = xalloc(16);
	xalloc(16);		/* a second page, at the class's head */
	expect(!do_free(off), "failed");
	expect(core.class_tail[0] == off / PAGE, "page not back on its list");
	check();
}

/* A page's last block: the page becomes its class's spare. */
static void f_spare(void)
{
	size_t off;

	fresh();
	off = xalloc(16);
	expect(!do_free(off) && core.spare[0] == off / PAGE, "no spare");
	check();
}

/* A page's last block beside the class's free spare: the page is kept. */
static void f_to_kept(void)
{
	unsigned int i, n = rth_class_blocks(0);
	size_t off = 0, first;

	fresh();
	first = xalloc(16);
	for (i = 1; i < n; i++)
		xalloc(16);
	off = xalloc(16);	/* the second page */
	for (i = 0; i < n; i++)
		xfree(first + i * 16);
	expect(core.spare[0] == first / PAGE, "no spare");
	expect(!do_free(off) && core.nkept == 1, "page not kept");
	check();
}

/*
 * A run of len[1] pages between free runs of len[0] and len[2] pages, each
 * alone in its bin, the kept pages full: freed, it merges both ways, the
 * two runs leave their bins, which empty, and the merged run opens one.
 * With bucket set, the middle is one bucket page of class 0 whose last
 * block is freed while the class has a free spare already.
 */
static void merge_between(u32 llen, u32 plen, u32 rlen, int bucket)
{
	u32 len[3] = { llen, plen, rlen }, pg[3], single[RTH_KEPT_MAX + 1];
	unsigned int i, n = rth_class_blocks(0);
	size_t first = 0;

	fresh();
	if (bucket) {
		first = xalloc(16);
		for (i = 1; i < n; i++)
			xalloc(16);
	}
	three_runs(len, pg, RTH_KEPT_MAX + 1, single);
	if (bucket) {
		bucket_at(pg[1], 0);
		for (i = 0; i < n; i++)
			xfree(first + i * 16);
		expect(core.spare[0] == first / PAGE, "no spare");
	}
	for (i = 1; i <= RTH_KEPT_MAX; i++)	/* single[0]: a wall */
		xfree((size_t)single[i] * PAGE);
	xfree((size_t)pg[0] * PAGE);
	xfree((size_t)pg[2] * PAGE);
	expect(core.nkept == RTH_KEPT_MAX && core.free_pages == llen + rlen,
	       "pool not as built");
	expect(!do_free((size_t)pg[1] * PAGE), "failed");
	i = pg[0] < pg[2] ? pg[0] : pg[2];
	expect(core.pages[i].type == RTH_PAGE_FREE &&
	       core.pages[i].len == llen + plen + rlen, "not merged both ways");
	check();
}

static void f_merge_bucket(void)
{
	merge_between(3, 1, 5, 1);
}

static void f_merge_run(void)
{
	merge_between(700, 1000, 900, 0);
}

static void f_merge_page(void)
{
	merge_between(2, 1, 2, 0);
}

/* A one-page run into the kept pages. */
static void f_kept(void)
{
	u32 p;

	fresh();
	p = run(1);
	run(1);
	expect(!do_free((size_t)p * PAGE) && core.nkept == 1, "not kept");
	check();
}

/* A double free, found by the bitmap. */
static void f_double(void)
{
	size_t off;

	fresh();
	xalloc(16);
	off = xalloc(16);
	xfree(off);
	expect(do_free(off) == -EINVAL, "not refused");
	check();
}

/* --- the table -------------------------------------------------------------- */

static const struct state {
	const char *name;
	void (*build)(void);
	const char *what;
} states[] = {
	{ "alloc:fast", a_fast, "a block from its class's head page" },
	{ "alloc:word_out", a_word_out, "a bitmap word's last free block" },
	{ "alloc:page_full", a_page_full, "a page's last free block, the page leaves its list" },
	{ "alloc:page_kept", a_page_kept, "a new bucket page from the kept pages" },
	{ "alloc:page_top", a_page_top, "a new bucket page split from the one run, found past every lower bin" },
	{ "alloc:page_frag", a_page_frag, "a new bucket page from a fragmented pool of runs of 2 .. 15 pages" },
	{ "alloc:spare_page", a_spare_page, "a new bucket page from the one free spare, the others in use" },
	{ "alloc:reclaim_run", a_reclaim, "a run after reclaiming every kept page and spare" },
	{ "alloc:reclaim_fail", a_reclaim_fail, "a run that fails after reclaiming every kept page and spare" },
	{ "alloc:run_whole", a_run_whole, "an empty heap's single largest block" },
	{ "alloc:run_split", a_run_split, "a run split from a higher bin, the rest second in a lower one" },
	{ "alloc:run_short", a_run_short, "a run whose bin's head is too short: -ENOMEM" },
	{ "free:fast", f_fast, "a block of a page that keeps others" },
	{ "free:page_full", f_page_full, "a block of a full page, which rejoins its list" },
	{ "free:spare", f_spare, "a page's last block, the page becomes its class's spare" },
	{ "free:to_kept", f_to_kept, "a page's last block beside a free spare: the page is kept" },
	{ "free:merge_bucket", f_merge_bucket, "a page's last block, spare free, kept pages full: merged both ways" },
	{ "free:merge_page", f_merge_page, "a one-page run, kept pages full: merged both ways" },
	{ "free:merge_run", f_merge_run, "a run between two free runs" },
	{ "free:kept", f_kept, "a one-page run into the kept pages" },
	{ "free:double", f_double, "a double free: -EINVAL" },
};

int main(int argc, char **argv)
{
	unsigned int i, done = 0;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (argc > 1 && !strcmp(argv[1], "--list")) {
			printf("%-20s %s\n", states[i].name, states[i].what);
			continue;
		}
		if (argc > 1 && strcmp(argv[1], states[i].name))
			continue;
		state_name = states[i].name;
		states[i].build();
		done++;
	}
	free(meta);
	free(cmap);
	if (argc > 1 && strcmp(argv[1], "--list") && !done) {
		fprintf(stderr, "core_worst: no state %s\n", argv[1]);
		return 2;
	}
	return 0;
}
