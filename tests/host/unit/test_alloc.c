// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the allocator core (kernel/alloc.c, compiled unchanged):
 * model-based random sequences, per-class fill/drain, edge sizes and every
 * error path.  rth_check() runs after every operation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"
#include "model.h"

#define PAGE RTH_PAGE_SIZE

static u32 xs_state;

static u32 xorshift32(void)
{
	u32 x = xs_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return xs_state = x;
}

#define OK(expr) do {					\
	const char *_why = (expr);			\
	if (_why)					\
		fail_msg("%s: %s", #expr, _why);	\
} while (0)

static void model_setup(struct model *m, u32 npages)
{
	assert_int_equal(model_init(m, npages), 0);
	OK(model_check(m));
}

static void drain(struct model *m)
{
	while (m->nlive)
		OK(model_free(m, xorshift32() % m->nlive));
	OK(model_check(m));
}

/* --- metadata size and init ------------------------------------------- */

static void test_meta_size(void **state)
{
	u32 n;

	(void)state;
	assert_int_equal(rth_meta_size(0), 0);
	assert_int_equal(rth_meta_size(RTH_MAX_PAGES + 1), 0);
	assert_true(rth_meta_size(1) > 0);
	assert_true(rth_meta_size(RTH_MAX_PAGES) > 0);
	/*
	 * Metadata, the core's own structure included, <= 2% from 128 KiB
	 * to 64 GiB, at this build's page size.
	 */
	for (n = (128 << 10) / PAGE; n <= (64ULL << 30) / PAGE; n = n * 3 + 1) {
		double ratio = (double)(rth_meta_size(n) + sizeof(struct rth_core)) /
			       ((double)n * PAGE);

		if (ratio > 0.02)
			fail_msg("%u pages of %lu bytes: metadata ratio %.4f", n,
				 (unsigned long)PAGE, ratio);
	}
	/* Per page it is one descriptor of 1/64 page: 1.6%. */
	assert_int_equal(sizeof(struct rth_page), PAGE / 64);
	assert_true(offsetof(struct rth_page, unused) + sizeof(u16) <= PAGE / 64);
}

static void test_init_errors(void **state)
{
	struct rth_core c;
	static u64 meta[1024];

	(void)state;
	assert_int_equal(rth_init(NULL, 1, meta, sizeof(meta)), -EINVAL);
	assert_int_equal(rth_init(&c, 0, meta, sizeof(meta)), -EINVAL);
	assert_int_equal(rth_init(&c, 1, NULL, sizeof(meta)), -EINVAL);
	assert_int_equal(rth_init(&c, 1, meta, rth_meta_size(1) - 1), -EINVAL);
	assert_int_equal(rth_init(&c, 1, (char *)meta + 4, sizeof(meta) - 8),
			 -EINVAL);
	assert_int_equal(rth_init(&c, RTH_MAX_PAGES + 1, meta, sizeof(meta)),
			 -EINVAL);
	assert_int_equal(rth_init(&c, 1, meta, rth_meta_size(1)), 0);
	assert_int_equal(rth_check(&c, NULL), 0);
	assert_int_equal(rth_largest_free(&c), PAGE);
}

/* --- edge sizes ---------------------------------------------------------- */

static void edge_sizes_on(u32 npages)
{
	size_t heap = (size_t)npages * PAGE;
	size_t sizes[] = { 0, 1, 15, 16, 17, PAGE / 2, PAGE / 2 + 1, PAGE,
			   PAGE + 1, heap - 1, heap, heap + 1, ~(size_t)0,
			   (size_t)1 << 63 };
	struct model m;
	unsigned int i;
	bool got;

	model_setup(&m, npages);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		OK(model_alloc(&m, sizes[i], &got));
		if (sizes[i] == 0 || sizes[i] > heap)
			assert_false(got);
		/* Each alone on an empty heap must succeed. */
		else if (!got)
			fail_msg("%u pages: alloc(%zu) failed on an empty heap",
				 npages, sizes[i]);
		drain(&m);
	}
	/* All of them at once, as far as they fit. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		OK(model_alloc(&m, sizes[i], &got));
	drain(&m);
	model_fini(&m);
}

static void test_edge_sizes(void **state)
{
	(void)state;
	edge_sizes_on(1);
	edge_sizes_on(2);
	edge_sizes_on(3);
	edge_sizes_on(17);
	edge_sizes_on(64);
	edge_sizes_on(1000);
}

static void test_rounding(void **state)
{
	struct model m;
	size_t off;

	(void)state;
	model_setup(&m, 4);
	assert_int_equal(rth_round_size(&m.core, 0), 0);
	assert_int_equal(rth_round_size(&m.core, 1), 16);
	assert_int_equal(rth_round_size(&m.core, 16), 16);
	assert_int_equal(rth_round_size(&m.core, 17), 32);
	assert_int_equal(rth_round_size(&m.core, 1025), 2048);
	assert_int_equal(rth_round_size(&m.core, 2048), 2048);
	assert_int_equal(rth_round_size(&m.core, PAGE / 4 + 1), PAGE / 2);
	assert_int_equal(rth_round_size(&m.core, PAGE / 2), PAGE / 2);
	assert_int_equal(rth_round_size(&m.core, PAGE / 2 + 1), PAGE);
	assert_int_equal(rth_round_size(&m.core, PAGE + 1), 2 * PAGE);
	assert_int_equal(rth_round_size(&m.core, 4 * PAGE), 4 * PAGE);
	assert_int_equal(rth_round_size(&m.core, 4 * PAGE + 1), 0);
	/* A four-page heap serves two two-page blocks, or one of four. */
	assert_int_equal(rth_alloc(&m.core, 2 * PAGE, &off), 0);
	assert_int_equal(rth_alloc(&m.core, 2 * PAGE, &off), 0);
	assert_int_equal(rth_alloc(&m.core, 16, &off), -ENOMEM);
	assert_int_equal(rth_largest_free(&m.core), 0);
	model_fini(&m);
	model_setup(&m, 4);
	assert_int_equal(rth_alloc(&m.core, 4 * PAGE, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(rth_check(&m.core, NULL), 0);
	model_fini(&m);
}

static size_t live_index(const struct model *m, size_t off)
{
	size_t i = model_find(m, off);

	if (i == m->nlive)
		fail_msg("offset %zu is not live in the model", off);
	return i;
}

/* --- error paths of free -------------------------------------------------- */

static void test_free_errors(void **state)
{
	struct model m;
	size_t small, mid, run, off;
	struct rth_stats st;
	bool got;

	(void)state;
	model_setup(&m, 16);
	assert_int_equal(rth_alloc(&m.core, 0, &off), -EINVAL);
	assert_int_equal(rth_alloc(&m.core, 16 * PAGE + 1, &off), -EINVAL);
	OK(model_alloc(&m, 24, &got));		/* 32-byte class */
	small = m.live[0].off;
	OK(model_alloc(&m, 1000, &got));	/* 1024-byte class */
	mid = m.live[1].off;
	OK(model_alloc(&m, 3 * PAGE, &got));	/* three-page run */
	run = m.live[2].off;
	rth_stats(&m.core, &st);

	OK(model_bad_free(&m, 16 * PAGE));		/* one past the end */
	OK(model_bad_free(&m, ~(size_t)0));		/* far out */
	OK(model_bad_free(&m, (size_t)-PAGE));		/* "negative" */
	OK(model_bad_free(&m, small + 1));		/* misaligned */
	OK(model_bad_free(&m, small + 16));		/* inside the block */
	OK(model_bad_free(&m, small + 32));		/* free neighbour */
	OK(model_bad_free(&m, mid + 512));		/* interior of a bucket */
	OK(model_bad_free(&m, run + 8));		/* inside a run's page */
	OK(model_bad_free(&m, run + PAGE));		/* interior page */
	OK(model_bad_free(&m, run + 2 * PAGE));		/* run's last page */
	OK(model_bad_free(&m, run + 3 * PAGE));		/* free page after it */
	OK(model_bad_free(&m, 15 * PAGE));		/* inside the free run */
	assert_int_equal(rth_block_size(&m.core, run + PAGE), 0);
	assert_int_equal(rth_block_size(&m.core, run), 3 * PAGE);

	/* Double frees, each always detected. */
	OK(model_free(&m, live_index(&m, small)));
	OK(model_bad_free(&m, small));
	OK(model_free(&m, live_index(&m, run)));
	OK(model_bad_free(&m, run));
	OK(model_bad_free(&m, run + PAGE));
	OK(model_free(&m, live_index(&m, mid)));
	OK(model_bad_free(&m, mid));
	assert_int_equal(m.nlive, 0);
	OK(model_check(&m));
	model_fini(&m);
}

/* --- fill every class, drain shuffled ------------------------------------ */

static void fill_and_drain(u32 npages, size_t size)
{
	size_t rounded = size <= PAGE / 2 ? size : (size + PAGE - 1) & ~(PAGE - 1);
	size_t want = (size_t)npages * PAGE / rounded, off;
	struct model m;
	bool got = true;

	model_setup(&m, npages);
	/* Checked at every step up to 20,000 blocks, else every 997th. */
	m.check_each = want <= 20000;
	while (got) {
		OK(model_alloc(&m, size, &got));
		if (!m.check_each && m.nlive % 997 == 0)
			OK(model_check(&m));
	}
	if (m.nlive != want)
		fail_msg("%u pages, %zu-byte blocks: %zu allocated, want %zu",
			 npages, size, m.nlive, want);
	OK(model_check(&m));
	drain(&m);
	/* Everything merged back: the whole heap as one block. */
	assert_int_equal(rth_alloc(&m.core, (size_t)npages * PAGE, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(rth_free(&m.core, off, NULL), 0);
	assert_int_equal(rth_check(&m.core, NULL), 0);
	model_fini(&m);
}

static void test_fill_each_class(void **state)
{
	static const u32 heaps[] = { 1, 3, 37, 300 };
	size_t size;
	unsigned int i;

	(void)state;
	xs_state = 7;
	for (i = 0; i < sizeof(heaps) / sizeof(heaps[0]); i++) {
		for (size = 16; size <= PAGE / 2; size *= 2)
			fill_and_drain(heaps[i], size);
		fill_and_drain(heaps[i], PAGE);
		fill_and_drain(heaps[i], 2 * PAGE);
		fill_and_drain(heaps[i], 3 * PAGE - 5);
	}
}

/* --- the bounded caches: spares and kept pages ------------------------------ */

static unsigned int bucket_pages_of(const struct rth_core *c, unsigned int cls)
{
	unsigned int n = 0;
	u32 p;

	for (p = 0; p < c->npages; p++)
		n += c->pages[p].shift == cls + RTH_MIN_SHIFT;
	return n;
}

/* Every class keeps one fully free page, counted as free, never two. */
static void test_spare_pages(void **state)
{
	struct model m;
	struct rth_stats st;
	unsigned int cls, i;
	size_t off, again, size;
	bool got;

	(void)state;
	model_setup(&m, 64);
	for (cls = 0; cls < RTH_NR_CLASSES; cls++) {
		size = rth_class_size(cls);
		/* Three pages of the class, then all freed in random order. */
		for (i = 0; i < 3 * (PAGE / size); i++)
			OK(model_alloc(&m, size, &got));
		assert_int_equal(bucket_pages_of(&m.core, cls), 3);
		drain(&m);
		assert_int_equal(bucket_pages_of(&m.core, cls), 1);
		rth_stats(&m.core, &st);
		assert_int_equal(st.free_pages, 64);
		assert_int_equal(st.class_pages[cls], 0);
		assert_int_equal(st.used_bytes, 0);
		assert_int_equal(st.largest_free, 64 * PAGE);

		/* A pair takes and gives back a block of the spare page. */
		assert_int_equal(rth_alloc(&m.core, size, &off), 0);
		assert_int_equal(rth_free(&m.core, off, NULL), 0);
		assert_int_equal(rth_alloc(&m.core, size, &again), 0);
		assert_int_equal(again, off);
		assert_int_equal(rth_free(&m.core, off, NULL), 0);
		assert_int_equal(bucket_pages_of(&m.core, cls), 1);
		/* Double frees in the spare page: the block, its neighbour. */
		OK(model_bad_free(&m, off));
		OK(model_bad_free(&m, off ^ size));
		OK(model_check(&m));
	}
	/* All spares: the whole heap is still one block. */
	OK(model_alloc(&m, 64 * PAGE, &got));
	assert_true(got);
	assert_int_equal(m.live[0].off, 0);
	for (cls = 0; cls < RTH_NR_CLASSES; cls++)
		assert_int_equal(bucket_pages_of(&m.core, cls), 0);
	drain(&m);
	model_fini(&m);
}

/* Single pages are kept unmerged, at most RTH_KEPT_MAX of them. */
static void test_kept_pages(void **state)
{
	struct model m;
	struct rth_stats st;
	u32 free_before, n, kept;
	size_t off, again;
	bool got;

	(void)state;
	model_setup(&m, 3 * RTH_KEPT_MAX);
	for (n = 0; n < 3 * RTH_KEPT_MAX; n++)
		OK(model_alloc(&m, PAGE, &got));
	/* Every other page freed: more single pages than are kept. */
	for (n = 0; n < 3 * RTH_KEPT_MAX; n += 2)
		OK(model_free(&m, live_index(&m, (size_t)n * PAGE)));
	assert_int_equal(m.core.nkept, RTH_KEPT_MAX);
	rth_stats(&m.core, &st);
	assert_int_equal(st.free_pages, 3 * RTH_KEPT_MAX / 2);
	assert_int_equal(st.largest_free, PAGE);
	/* Double frees of kept pages are caught. */
	for (kept = 0; kept < RTH_KEPT_MAX; kept++)
		OK(model_bad_free(&m, (size_t)m.core.kept[kept] * PAGE));
	drain(&m);
	assert_int_equal(m.core.nkept, RTH_KEPT_MAX);
	rth_stats(&m.core, &st);
	assert_int_equal(st.free_pages, 3 * RTH_KEPT_MAX);
	assert_int_equal(st.largest_free, 3 * RTH_KEPT_MAX * PAGE);

	/* A page-sized pair leaves the run index alone. */
	free_before = m.core.free_pages;
	assert_int_equal(rth_alloc(&m.core, PAGE, &off), 0);
	assert_int_equal(rth_free(&m.core, off, NULL), 0);
	assert_int_equal(rth_alloc(&m.core, PAGE, &again), 0);
	assert_int_equal(again, off);
	assert_int_equal(m.core.free_pages, free_before);
	assert_int_equal(rth_free(&m.core, off, NULL), 0);
	OK(model_bad_free(&m, off));
	OK(model_check(&m));

	/* The whole heap, kept pages and all. */
	OK(model_alloc(&m, 3 * RTH_KEPT_MAX * PAGE, &got));
	assert_true(got);
	assert_int_equal(m.core.nkept, 0);
	drain(&m);
	model_fini(&m);
}

/* A heap of nothing but spares and kept pages serves every request. */
static void test_reclaim_before_failing(void **state)
{
	const u32 npages = RTH_NR_CLASSES + 2;
	struct model m;
	unsigned int cls;
	size_t size;
	bool got;

	(void)state;
	model_setup(&m, npages);
	/* One page per class, two one-page runs: the heap is full. */
	for (cls = 0; cls < RTH_NR_CLASSES; cls++)
		OK(model_alloc(&m, rth_class_size(cls), &got));
	OK(model_alloc(&m, PAGE, &got));
	OK(model_alloc(&m, PAGE, &got));
	assert_int_equal(m.nlive, npages);
	/* No free page: the largest free block is one of the biggest class. */
	assert_int_equal(rth_largest_free(&m.core), PAGE / 2);
	OK(model_alloc(&m, 1, &got));
	assert_int_equal(m.nlive, npages + 1);	/* the 16-byte page has room */
	OK(model_free(&m, m.nlive - 1));
	drain(&m);
	assert_int_equal(m.core.nkept, 2);
	assert_int_equal(rth_largest_free(&m.core), (u64)npages * PAGE);

	/* Each kind of request, from a heap of caches only. */
	for (size = 1; size <= (size_t)npages * PAGE; size *= 2) {
		OK(model_alloc(&m, size, &got));
		if (!got)
			fail_msg("%zu bytes refused by a heap of spares", size);
		drain(&m);
		/* Back to caches only: every class once, two pages. */
		for (cls = 0; cls < RTH_NR_CLASSES; cls++)
			OK(model_alloc(&m, rth_class_size(cls), &got));
		OK(model_alloc(&m, PAGE, &got));
		OK(model_alloc(&m, PAGE, &got));
		drain(&m);
	}
	model_fini(&m);
}

/*
 * A one-page request on a pool of nothing but spares takes one of them as
 * it is, the lowest class's, and merges nothing: the other spares stay.
 * A longer request then reclaims them.
 */
static void test_spare_taken_whole(void **state)
{
	const u32 npages = RTH_NR_CLASSES;
	struct model m;
	unsigned int cls;
	size_t lowest = 0;
	bool got;

	(void)state;
	model_setup(&m, npages);
	for (cls = 0; cls < RTH_NR_CLASSES; cls++)
		OK(model_alloc(&m, rth_class_size(cls), &got));
	lowest = m.live[0].off / PAGE;
	drain(&m);
	assert_int_equal(m.core.nkept, 0);
	assert_int_equal(m.core.free_pages, 0);
	assert_int_equal(m.core.spare_map, (1U << RTH_NR_CLASSES) - 1);

	OK(model_alloc(&m, PAGE, &got));
	assert_true(got);
	assert_int_equal(m.live[0].off, lowest * PAGE);
	assert_int_equal(m.core.spare_map, (1U << RTH_NR_CLASSES) - 2);
	assert_int_equal(bucket_pages_of(&m.core, 0), 0);
	assert_int_equal(m.core.free_pages, 0);

	/* The rest, merged, serves the largest block there is. */
	OK(model_alloc(&m, (size_t)(npages - 1) * PAGE, &got));
	assert_true(got);
	assert_int_equal(m.core.spare_map, 0);
	drain(&m);
	model_fini(&m);
}

/* rth_check() notices broken caches (else the other tests prove little). */
static void test_check_catches(void **state)
{
	struct model m;
	struct rth_core *c = &m.core;
	size_t a, b, r;
	u32 save;

	(void)state;
	model_setup(&m, 16);
	assert_int_equal(rth_alloc(c, 64, &a), 0);
	assert_int_equal(rth_alloc(c, 64, &b), 0);
	assert_int_equal(rth_alloc(c, PAGE, &r), 0);
	assert_int_equal(rth_free(c, r, NULL), 0);	/* kept */
	assert_int_equal(rth_check(c, NULL), 0);

	/* A fully free page that is not its class's spare. */
	save = c->spare[2];
	assert_int_equal(rth_free(c, a, NULL), 0);
	assert_int_equal(rth_free(c, b, NULL), 0);
	assert_int_equal(rth_check(c, NULL), 0);
	assert_int_equal(c->spare[2], a / PAGE);
	c->spare[2] = save;
	c->spare_map &= ~(1U << 2);
	assert_true(rth_check(c, NULL) < 0);
	c->spare[2] = a / PAGE;
	c->spare_map |= 1U << 2;
	/* The spare bitmap out of step. */
	c->spare_map |= 1U << 3;
	assert_true(rth_check(c, NULL) < 0);
	c->spare_map &= ~(1U << 3);
	/* A kept page listed twice, or not counted. */
	c->kept[c->nkept] = c->kept[0];
	c->nkept++;
	assert_true(rth_check(c, NULL) < 0);
	c->nkept--;
	c->nkept--;
	assert_true(rth_check(c, NULL) < 0);
	c->nkept++;
	/* A summary bit of an empty word. */
	c->pages[a / PAGE].summary |= 1ULL << (RTH_MAP_WORDS - 1);
	c->pages[a / PAGE].map[RTH_MAP_WORDS - 1] = 0;
	assert_true(rth_check(c, NULL) < 0);
	model_fini(&m);
}

/* --- model-based random sequences ---------------------------------------- */

/* Sizes: mostly small (inverse-square), some page runs, a few huge/bad. */
static size_t random_size(u32 npages)
{
	u32 r = xorshift32(), k = r % 100;
	u64 heap = (u64)npages * PAGE;

	if (k < 70)
		return 16ULL * 0xffffffffULL / (xorshift32() | 1) % PAGE + 1;
	if (k < 90)
		return (xorshift32() % 8 + 1) * PAGE - xorshift32() % PAGE;
	if (k < 97)
		return xorshift32() % (heap / 4 + 1) + 1;
	if (k < 98)
		return 0;
	if (k < 99)
		return heap + 1 + xorshift32() % PAGE;
	return heap;
}

/*
 * largest_free's promise: a request of that size succeeds now (model_alloc()
 * fails an -ENOMEM at or below it), kept pages and spares included.
 */
static void largest_free_probe(struct model *m)
{
	u64 largest = rth_largest_free(&m->core);
	bool got;

	if (!largest)
		return;
	OK(model_alloc(m, largest, &got));
	if (!got)
		fail_msg("largest_free %llu refused", (unsigned long long)largest);
	OK(model_free(m, m->nlive - 1));
}

static void random_run(u32 npages, u32 seed, unsigned long ops, bool check_each)
{
	struct model m;
	unsigned long i;
	bool got;

	xs_state = seed;
	model_setup(&m, npages);
	m.check_each = check_each;
	for (i = 0; i < ops; i++) {
		u32 r = xorshift32() % 100;

		/* Alternate phases of growth and shrinking. */
		bool grow = (i / 5000) % 2 == 0;

		if (r < 5) {
			OK(model_bad_free(&m, model_bad_offset(&m, xorshift32())));
		} else if (m.nlive && r < (grow ? 40u : 65u)) {
			OK(model_free(&m, xorshift32() % m.nlive));
		} else {
			OK(model_alloc(&m, random_size(npages), &got));
		}
		if (!check_each && i % 997 == 0)
			OK(model_check(&m));
		/* A probe flips the model's granules of the whole block. */
		if (i % (npages <= 1024 ? 61 : 4999) == 0)
			largest_free_probe(&m);
	}
	drain(&m);
	model_fini(&m);
}

/* Fewer operations where pages are larger: each check walks more bitmap. */
#define PAGE_SCALE	(1U << (RTH_PAGE_SHIFT - 12))

static void test_random_small_heaps(void **state)
{
	static const u32 heaps[] = { 1, 2, 5, 17, 64, 257, 1000 };
	unsigned int i, s;

	(void)state;
	/* 7 heaps x 4 seeds x 40,000 = 1,120,000 operations at 4 KiB. */
	for (i = 0; i < sizeof(heaps) / sizeof(heaps[0]); i++)
		for (s = 1; s <= 4; s++)
			random_run(heaps[i], s * 2654435761U + heaps[i],
				   40000 / PAGE_SCALE, true);
}

static void test_random_large_heaps(void **state)
{
	(void)state;
	/* 64 MiB and 256 MiB + 7 pages, checker after every step. */
	random_run((64 << 20) / PAGE, 11, 15000 / PAGE_SCALE, true);
	random_run((256 << 20) / PAGE + 7, 12, 6000 / PAGE_SCALE, true);
	/* 1 GiB: longer, checked every 997 operations. */
	random_run((1 << 30) / PAGE, 13, 200000, false);
}

/* --- page summary ---------------------------------------------------------------- */

static void expect_range(const struct rth_page_range *r, u32 first, u32 pages,
			 unsigned int kind, unsigned int cls, unsigned int used,
			 u32 blocks)
{
	if (r->first != first || r->pages != pages || r->kind != kind ||
	    r->cls != cls || r->used != used || r->blocks != blocks)
		fail_msg("range {%u +%u kind %u cls %u used %u blocks %u}, "
			 "want {%u +%u kind %u cls %u used %u blocks %u}",
			 r->first, r->pages, r->kind, r->cls, r->used, r->blocks,
			 first, pages, kind, cls, used, blocks);
}

/* A known layout, described page by page. */
static void test_page_summary_layout(void **state)
{
	struct rth_page_range r[16];
	struct rth_core *c;
	struct model m;
	size_t a, s1, b, s2, d, e, off;
	u32 next, i;

	(void)state;
	model_setup(&m, 12);
	c = &m.core;
	assert_int_equal(rth_alloc(c, 3 * PAGE, &a), 0);	/* 0..2 */
	assert_int_equal(rth_alloc(c, 16, &s1), 0);		/* 3 */
	assert_int_equal(rth_alloc(c, 2 * PAGE, &b), 0);	/* 4..5 */
	assert_int_equal(rth_alloc(c, 1024, &s2), 0);		/* 6 */
	assert_int_equal(rth_alloc(c, 1024, &off), 0);		/* 6 */
	assert_int_equal(rth_alloc(c, 4 * PAGE, &d), 0);	/* 7..10 */
	assert_int_equal(rth_alloc(c, PAGE, &e), 0);		/* 11 */
	assert_int_equal(rth_page_summary(c, 0, r, 16, &next), 6);
	assert_int_equal(next, 12);
	expect_range(&r[0], 0, 3, RTH_RANGE_RUN, 0, 0, 1);
	expect_range(&r[1], 3, 1, RTH_RANGE_BUCKET, 0, 1, 0);
	expect_range(&r[2], 4, 2, RTH_RANGE_RUN, 0, 0, 1);
	expect_range(&r[3], 6, 1, RTH_RANGE_BUCKET, 6, 2, 0);
	expect_range(&r[4], 7, 4, RTH_RANGE_RUN, 0, 0, 1);
	expect_range(&r[5], 11, 1, RTH_RANGE_RUN, 0, 0, 1);

	assert_int_equal(rth_free(c, e, NULL), 0);	/* kept */
	assert_int_equal(rth_free(c, b, NULL), 0);	/* a free run */
	assert_int_equal(rth_free(c, s1, NULL), 0);	/* the 16 B spare */
	assert_int_equal(rth_page_summary(c, 0, r, 16, &next), 6);
	expect_range(&r[1], 3, 1, RTH_RANGE_BUCKET, 0, 0, 0);
	expect_range(&r[2], 4, 2, RTH_RANGE_FREE, 0, 0, 0);
	expect_range(&r[5], 11, 1, RTH_RANGE_KEPT, 0, 0, 0);

	/* Bounded output: two ranges, then on from where it stopped. */
	assert_int_equal(rth_page_summary(c, 0, r, 2, &next), 2);
	assert_int_equal(next, 4);
	assert_int_equal(rth_page_summary(c, next, r, 16, &next), 4);
	expect_range(&r[0], 4, 2, RTH_RANGE_FREE, 0, 0, 0);
	assert_int_equal(next, 12);
	assert_int_equal(rth_page_summary(c, 12, r, 16, &next), 0);
	assert_int_equal(next, 12);
	assert_int_equal(rth_page_summary(c, 0, r, 0, &next), 0);
	assert_int_equal(next, 0);

	/* Not a range's start: inside a run, its last page, past the end. */
	assert_int_equal(rth_page_summary(c, 1, r, 16, &next), -EINVAL);
	assert_int_equal(rth_page_summary(c, 2, r, 16, &next), -EINVAL);
	assert_int_equal(rth_page_summary(c, 5, r, 16, &next), -EINVAL);
	assert_int_equal(rth_page_summary(c, 9, r, 16, &next), -EINVAL);
	assert_int_equal(rth_page_summary(c, 13, r, 16, &next), -EINVAL);
	for (i = 0; i < 12; i++)
		if (i != 1 && i != 2 && i != 5 && i != 8 && i != 9 && i != 10)
			assert_true(rth_page_summary(c, i, r, 16, &next) > 0);
	assert_int_equal(rth_check(c, NULL), 0);
	model_fini(&m);
}

/* Equal neighbours collapse; each call looks at RTH_SUMMARY_STEPS units. */
static void test_page_summary_collapse(void **state)
{
	const u32 npages = RTH_SUMMARY_STEPS + 1000;
	struct rth_page_range r[4];
	struct rth_core *c;
	struct model m;
	size_t off;
	u32 next, i;

	(void)state;
	model_setup(&m, npages);
	m.check_each = false;
	c = &m.core;
	for (i = 0; i < 10; i++)
		assert_int_equal(rth_alloc(c, 2 * PAGE, &off), 0);
	for (i = 0; i < 4 * (PAGE / 16); i++)
		assert_int_equal(rth_alloc(c, 16, &off), 0);
	assert_int_equal(rth_page_summary(c, 0, r, 4, &next), 3);
	expect_range(&r[0], 0, 20, RTH_RANGE_RUN, 0, 0, 10);
	expect_range(&r[1], 20, 4, RTH_RANGE_BUCKET, 0, PAGE / 16, 0);
	expect_range(&r[2], 24, npages - 24, RTH_RANGE_FREE, 0, 0, 0);
	/* A run of another length starts a range of its own. */
	assert_int_equal(rth_alloc(c, 3 * PAGE, &off), 0);
	assert_int_equal(rth_page_summary(c, 0, r, 4, &next), 4);
	expect_range(&r[2], 24, 3, RTH_RANGE_RUN, 0, 0, 1);

	/* One-page blocks to the end: more units than one call looks at. */
	while (!rth_alloc(c, PAGE, &off))
		;
	assert_int_equal(rth_page_summary(c, 0, r, 4, &next), 4);
	expect_range(&r[3], 27, RTH_SUMMARY_STEPS - 10 - 4 - 1, RTH_RANGE_RUN,
		     0, 0, RTH_SUMMARY_STEPS - 10 - 4 - 1);
	assert_int_equal(next, 27 + RTH_SUMMARY_STEPS - 15);
	/* The rest, one range of one-page blocks per call, each bounded. */
	while (next < npages) {
		u32 from = next;

		assert_int_equal(rth_page_summary(c, from, r, 4, &next), 1);
		expect_range(&r[0], from, next - from, RTH_RANGE_RUN, 0, 0,
			     next - from);
		assert_true(next - from <= RTH_SUMMARY_STEPS);
	}
	assert_int_equal(next, npages);
	assert_int_equal(rth_check(c, NULL), 0);
	model_fini(&m);
}

/* On random heaps the ranges tile the heap and add up to the statistics. */
static void test_page_summary_random(void **state)
{
	struct rth_page_range r[8], all[600];
	u64 pages, free_pages, run_blocks, run_pages;
	u64 blocks[RTH_NR_CLASSES];
	struct rth_stats st;
	struct model m;
	unsigned int round, i, nall;
	u32 next, p;
	bool got;
	int n;

	(void)state;
	xs_state = 99;
	model_setup(&m, 300);
	m.check_each = false;
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 50; i++) {
			if (m.nlive && xorshift32() % 100 < 45)
				OK(model_free(&m, xorshift32() % m.nlive));
			else
				OK(model_alloc(&m, random_size(300), &got));
		}
		OK(model_check(&m));
		rth_stats(&m.core, &st);
		pages = free_pages = run_blocks = run_pages = 0;
		memset(blocks, 0, sizeof(blocks));
		nall = 0;
		/* Small bites, each call on from the last. */
		for (p = 0; p < 300; p = next) {
			n = rth_page_summary(&m.core, p, r, 1 + round % 8, &next);
			assert_true(n > 0 && n <= (int)(1 + round % 8));
			assert_true(next > p);
			for (i = 0; i < (unsigned int)n; i++) {
				if (r[i].first != pages)
					fail_msg("range at %u, want %llu", r[i].first,
						 (unsigned long long)pages);
				pages += r[i].pages;
				if (r[i].kind == RTH_RANGE_BUCKET) {
					blocks[r[i].cls] += (u64)r[i].used * r[i].pages;
					free_pages += r[i].used ? 0 : r[i].pages;
				} else if (r[i].kind == RTH_RANGE_RUN) {
					run_blocks += r[i].blocks;
					run_pages += r[i].pages;
				} else {
					free_pages += r[i].pages;
				}
				if (nall && rth_page_summary(&m.core, r[i].first, all, 0, NULL) < 0)
					fail_msg("range start %u refused", r[i].first);
				all[nall++] = r[i];
			}
		}
		assert_int_equal(pages, 300);
		assert_int_equal(free_pages, st.free_pages);
		assert_int_equal(run_blocks, st.run_blocks);
		assert_int_equal(run_pages, st.run_pages);
		for (i = 0; i < RTH_NR_CLASSES; i++)
			assert_int_equal(blocks[i], st.class_blocks[i]);
		/* The same ranges in one call as in bites. */
		n = rth_page_summary(&m.core, 0, r, 0, &next);
		assert_int_equal(n, 0);
		for (p = 0, i = 0; p < 300; i++) {
			assert_int_equal(rth_page_summary(&m.core, p, r, 1, &next), 1);
			assert_true(i < nall);
			assert_memory_equal(&r[0], &all[i], sizeof(r[0]));
			p = next;
		}
		assert_int_equal(i, nall);
	}
	drain(&m);
	model_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_size),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_edge_sizes),
		cmocka_unit_test(test_free_errors),
		cmocka_unit_test(test_fill_each_class),
		cmocka_unit_test(test_spare_pages),
		cmocka_unit_test(test_kept_pages),
		cmocka_unit_test(test_reclaim_before_failing),
		cmocka_unit_test(test_spare_taken_whole),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_page_summary_layout),
		cmocka_unit_test(test_page_summary_collapse),
		cmocka_unit_test(test_page_summary_random),
		cmocka_unit_test(test_random_small_heaps),
		cmocka_unit_test(test_random_large_heaps),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
