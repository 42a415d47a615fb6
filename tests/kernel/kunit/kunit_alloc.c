// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "rtheap_alloc": the allocator core, kernel/alloc.c itself
 * (compiled into rtheap_kunit.ko from the same source file), inside the
 * kernel: init, alloc and free with every error path, fill and drain of
 * each size class and of page runs, coalescing of free runs in every
 * order, largest_free and its promise, the metadata bound, random
 * operations against the shadow model of the host tests (tests/host/unit/model.c,
 * compiled into the module too) with model_check() after each batch, and
 * rth_check() itself catching broken metadata.
 *
 * The core never touches the heap area, so the tests give it none
 * (base NULL) and check offsets only.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "alloc.h"
#include "model.h"

#define PG	RTH_PAGE_SIZE

/* --- test-managed memory ----------------------------------------------------- */

static int kv_res_init(struct kunit_resource *res, void *context)
{
	res->data = kvzalloc(*(size_t *)context, GFP_KERNEL);
	return res->data ? 0 : -ENOMEM;
}

static void kv_res_free(struct kunit_resource *res)
{
	kvfree(res->data);
}

static void *test_kvzalloc(struct kunit *test, size_t size)
{
	return kunit_alloc_resource(test, kv_res_init, kv_res_free, GFP_KERNEL,
				    &size);
}

#define EXPECT_CORE_OK(test, c)						\
	do {								\
		const char *__why = NULL;				\
		int __r = rth_check(c, &__why);				\
									\
		KUNIT_EXPECT_EQ_MSG(test, __r, 0, "rth_check: %s",	\
				    __why ? __why : "?");		\
	} while (0)

/* A core over npages pages (no heap area: base NULL). */
static struct rth_core *core_make(struct kunit *test, u32 npages)
{
	size_t need = rth_meta_size(npages);
	struct rth_core *c;
	void *meta;

	KUNIT_ASSERT_NE(test, need, (size_t)0);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	meta = test_kvzalloc(test, need);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	KUNIT_ASSERT_EQ(test, rth_init(c, npages, meta, need), 0);
	EXPECT_CORE_OK(test, c);
	return c;
}

/* Are granules [start, start + nr) all clear in map (no live block there)? */
static bool area_free(unsigned long *map, unsigned long nbits,
		      size_t off, size_t size)
{
	unsigned long start = off / RTH_MIN_BLOCK, nr = size / RTH_MIN_BLOCK;

	return bitmap_find_next_zero_area(map, nbits, start, nr, 0) == start;
}

/* --- metadata size and init ------------------------------------------------- */

static void meta_size_bounds(struct kunit *test)
{
	static const u32 ns[] = { 4, 5, 15, 16, 17, 31, 255, 256, 1000,
				  4096, 65537, 1U << 20, RTH_MAX_PAGES };
	int i;

	KUNIT_EXPECT_EQ(test, rth_meta_size(0), (size_t)0);
	KUNIT_EXPECT_EQ(test, rth_meta_size(RTH_MAX_PAGES + 1), (size_t)0);
	KUNIT_EXPECT_EQ(test, rth_meta_size(U32_MAX), (size_t)0);
	KUNIT_EXPECT_GE(test, rth_meta_size(1), sizeof(struct rth_page));
	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		u64 meta = rth_meta_size(ns[i]);

		KUNIT_EXPECT_GE(test, meta, (u64)ns[i] * sizeof(struct rth_page));
		/*
		 * Documentation/design.md: metadata at most 2% of the heap
		 * (from 4 pages).
		 */
		KUNIT_EXPECT_LE_MSG(test, meta * 50, (u64)ns[i] * PG,
				    "%u pages: %llu bytes of metadata", ns[i], meta);
	}
}

static void init_errors(struct kunit *test)
{
	size_t need = rth_meta_size(8);
	struct rth_core *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	char *meta = test_kvzalloc(test, need + 16);
	struct rth_stats st;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	KUNIT_EXPECT_EQ(test, rth_init(NULL, 8, meta, need), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, 0, meta, need), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, RTH_MAX_PAGES + 1, meta, need), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, 8, NULL, need), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, 8, meta, need - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, 8, meta + 4, need), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_init(c, 9, meta, need), -EINVAL);

	KUNIT_ASSERT_EQ(test, rth_init(c, 8, meta + 8, need), 0);
	EXPECT_CORE_OK(test, c);
	rth_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.usable_bytes, 8 * PG);
	KUNIT_EXPECT_EQ(test, st.used_bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_pages, 8ULL);
	KUNIT_EXPECT_EQ(test, st.largest_free, 8 * PG);
	KUNIT_EXPECT_EQ(test, rth_usable(c), 8 * PG);
	KUNIT_EXPECT_EQ(test, rth_used(c), 0ULL);
}

/* --- alloc and free error paths ------------------------------------------------ */

static void alloc_errors(struct kunit *test)
{
	struct rth_core *c = core_make(test, 4);
	size_t off, off2;
	int i;

	KUNIT_EXPECT_EQ(test, rth_alloc(c, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 4 * PG + 1, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, SIZE_MAX, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, SIZE_MAX / 2 + 1, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_used(c), 0ULL);
	EXPECT_CORE_OK(test, c);

	/* Full: -ENOMEM for every size that could fit a fresh heap. */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 4 * PG, &off), 0);
	KUNIT_EXPECT_EQ(test, off, (size_t)0);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 1, &off2), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, PG / 2, &off2), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, PG, &off2), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 4 * PG, &off2), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 4 * PG + 1, &off2), -EINVAL);
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 0ULL);
	KUNIT_EXPECT_EQ(test, rth_used(c), 4 * PG);
	EXPECT_CORE_OK(test, c);
	KUNIT_EXPECT_EQ(test, rth_free(c, off, NULL), 0);

	/* Full of 2048-byte blocks: smaller ones need a page too. */
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, rth_alloc(c, 2048, &off), 0);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 16, &off), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 2048, &off), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 2049, &off), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_used(c), 4 * PG);
	EXPECT_CORE_OK(test, c);
}

/* Stats before and after a refused free must be the same. */
static void expect_refused(struct kunit *test, struct rth_core *c, size_t off)
{
	struct rth_stats a, b;
	size_t size = 12345;

	rth_stats(c, &a);
	KUNIT_EXPECT_EQ_MSG(test, rth_free(c, off, &size), -EINVAL,
			    "free of offset %zu", off);
	KUNIT_EXPECT_EQ(test, size, (size_t)12345);
	rth_stats(c, &b);
	KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	EXPECT_CORE_OK(test, c);
}

static void free_errors(struct kunit *test)
{
	struct rth_core *c = core_make(test, 16);
	size_t b32, b16, run3, run1, size;

	KUNIT_ASSERT_EQ(test, rth_alloc(c, 32, &b32), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 16, &b16), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 3 * PG, &run3), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, PG, &run1), 0);

	expect_refused(test, c, 16 * PG);		/* past the heap */
	expect_refused(test, c, SIZE_MAX);
	expect_refused(test, c, b32 + 1);		/* not a block start */
	expect_refused(test, c, b32 + 16);		/* inside a 32-byte block */
	expect_refused(test, c, b32 + 32);		/* a free block */
	expect_refused(test, c, b16 + 8);
	expect_refused(test, c, run3 + 16);		/* inside a run */
	expect_refused(test, c, run3 + PG);		/* its interior page */
	expect_refused(test, c, run3 + 2 * PG);		/* its tail page */
	expect_refused(test, c, run1 + PG / 2);
	expect_refused(test, c, 15 * PG);		/* a free page */
	expect_refused(test, c, 15 * PG + 16);

	/* A free returns the rounded size; a second free is refused. */
	KUNIT_EXPECT_EQ(test, rth_free(c, b32, &size), 0);
	KUNIT_EXPECT_EQ(test, size, (size_t)32);
	expect_refused(test, c, b32);
	KUNIT_EXPECT_EQ(test, rth_free(c, run3, &size), 0);
	KUNIT_EXPECT_EQ(test, size, (size_t)3 * PG);
	expect_refused(test, c, run3);
	KUNIT_EXPECT_EQ(test, rth_free(c, b16, NULL), 0);
	/* Its page went back to the pool: no bucket there any more. */
	expect_refused(test, c, b16);
	KUNIT_EXPECT_EQ(test, rth_free(c, run1, NULL), 0);
	KUNIT_EXPECT_EQ(test, rth_used(c), 0ULL);
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 16 * PG);
	EXPECT_CORE_OK(test, c);
}

static void round_and_block_size(struct kunit *test)
{
	struct rth_core *c = core_make(test, 8);
	static const size_t sizes[] = { 1, 15, 16, 17, 31, 32, 33, 100, 1024,
					1025, 2047, 2048, 2049, 4095, 4096, 4097,
					8192, 3 * PG + 1 };
	size_t off;
	int i;

	KUNIT_EXPECT_EQ(test, rth_round_size(c, 0), (size_t)0);
	KUNIT_EXPECT_EQ(test, rth_round_size(c, 8 * PG + 1), (size_t)0);
	KUNIT_EXPECT_EQ(test, rth_round_size(c, 8 * PG), (size_t)8 * PG);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t r = model_round(sizes[i]);

		KUNIT_EXPECT_EQ_MSG(test, rth_round_size(c, sizes[i]), r,
				    "size %zu", sizes[i]);
		KUNIT_ASSERT_EQ(test, rth_alloc(c, sizes[i], &off), 0);
		KUNIT_EXPECT_EQ(test, rth_block_size(c, off), r);
		KUNIT_EXPECT_EQ(test, off % (r < PG ? r : PG), (size_t)0);
		KUNIT_EXPECT_EQ(test, rth_used(c), (u64)r);
		if (r > RTH_MIN_BLOCK)
			KUNIT_EXPECT_EQ(test, rth_block_size(c, off + RTH_MIN_BLOCK),
					(size_t)0);
		KUNIT_EXPECT_EQ(test, rth_free(c, off, NULL), 0);
		KUNIT_EXPECT_EQ(test, rth_block_size(c, off), (size_t)0);
	}
	EXPECT_CORE_OK(test, c);
}

/* --- fill and drain, per class and for page runs ------------------------------ */

static const size_t fill_sizes[] = {
	16, 32, 64, 128, 256, 512, 1024, 2048,	/* each class, exact */
	1, 17, 100, 1500,			/* rounded up */
	2049, 4096, 4097, 8192, 3 * PG,	/* page runs */
};

static void fill_size_desc(const size_t *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu", *s);
}

KUNIT_ARRAY_PARAM(fill, fill_sizes, fill_size_desc);

#define FILL_PAGES	24

static void fill_drain(struct kunit *test)
{
	const size_t size = *(const size_t *)test->param_value;
	const size_t r = model_round(size);
	const size_t nblocks = FILL_PAGES * PG / r;
	struct rth_core *c = core_make(test, FILL_PAGES);
	unsigned long *seen;
	size_t *offs, i, off;
	struct rth_stats st;
	u32 rnd = 12345;

	offs = kunit_kcalloc(test, nblocks, sizeof(*offs), GFP_KERNEL);
	seen = kunit_kzalloc(test, BITS_TO_LONGS(FILL_PAGES * PG / RTH_MIN_BLOCK) *
			     sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, offs);
	KUNIT_ASSERT_NOT_NULL(test, seen);

	/* Fill: exactly FILL_PAGES * PG / r blocks, distinct, aligned. */
	for (i = 0; i < nblocks; i++) {
		KUNIT_ASSERT_EQ_MSG(test, rth_alloc(c, size, &offs[i]), 0,
				    "block %zu of %zu", i, nblocks);
		KUNIT_ASSERT_LE(test, offs[i] + r, (size_t)FILL_PAGES * PG);
		KUNIT_EXPECT_EQ(test, offs[i] % (r < PG ? r : PG), (size_t)0);
		KUNIT_ASSERT_TRUE_MSG(test, area_free(seen, FILL_PAGES * PG / RTH_MIN_BLOCK,
						      offs[i], r),
				      "block at %zu overlaps another", offs[i]);
		bitmap_set(seen, offs[i] / RTH_MIN_BLOCK, r / RTH_MIN_BLOCK);
	}
	KUNIT_EXPECT_EQ(test, rth_alloc(c, size, &off), -ENOMEM);
	rth_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used_bytes, (u64)nblocks * r);
	KUNIT_EXPECT_EQ(test, st.free_pages, (u64)(FILL_PAGES - nblocks * r / PG));
	if (r < PG) {
		unsigned int cls = ilog2(r) - RTH_MIN_SHIFT;

		KUNIT_EXPECT_EQ(test, st.class_blocks[cls], (u64)nblocks);
		KUNIT_EXPECT_EQ(test, st.class_pages[cls], (u64)FILL_PAGES);
		KUNIT_EXPECT_EQ(test, st.largest_free, 0ULL);
	} else {
		KUNIT_EXPECT_EQ(test, st.run_blocks, (u64)nblocks);
		KUNIT_EXPECT_EQ(test, st.run_pages, (u64)nblocks * r / PG);
		KUNIT_EXPECT_EQ(test, st.largest_free, st.free_pages * PG);
	}
	EXPECT_CORE_OK(test, c);

	/* Drain in a shuffled order, checking as we go. */
	for (i = nblocks; i > 1; i--) {
		size_t j, t;

		rnd = rnd * 1103515245 + 12345;
		j = (rnd >> 8) % i;
		t = offs[i - 1];
		offs[i - 1] = offs[j];
		offs[j] = t;
	}
	for (i = 0; i < nblocks; i++) {
		size_t got = 0;

		KUNIT_ASSERT_EQ(test, rth_free(c, offs[i], &got), 0);
		KUNIT_EXPECT_EQ(test, got, r);
		if (!(i % 64))
			EXPECT_CORE_OK(test, c);
	}
	rth_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used_bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_pages, (u64)FILL_PAGES);
	KUNIT_EXPECT_EQ(test, st.largest_free, (u64)FILL_PAGES * PG);
	for (i = 0; i < RTH_NR_CLASSES; i++)
		KUNIT_EXPECT_EQ(test, st.class_pages[i], 0ULL);
	EXPECT_CORE_OK(test, c);
	/* Everything merged back: the whole heap in one block. */
	KUNIT_EXPECT_EQ(test, rth_alloc(c, FILL_PAGES * PG, &off), 0);
}

/* --- coalescing --------------------------------------------------------------- */

/* Free five one-page runs in every order: they always end as one run. */
static void coalesce_all_orders(struct kunit *test)
{
	struct rth_core *c = core_make(test, 5);
	int perm[5] = { 0, 1, 2, 3, 4 };
	size_t offs[5], off;
	int n = 0, i, j, k;

	for (;;) {
		for (i = 0; i < 5; i++) {
			KUNIT_ASSERT_EQ(test, rth_alloc(c, PG, &offs[i]), 0);
			KUNIT_ASSERT_EQ(test, offs[i], (size_t)i * PG);
		}
		KUNIT_EXPECT_EQ(test, rth_largest_free(c), 0ULL);
		for (i = 0; i < 5; i++) {
			u64 expect = 0, run = 0;

			KUNIT_ASSERT_EQ(test, rth_free(c, offs[perm[i]], NULL), 0);
			/* Largest free run among the freed pages so far. */
			for (j = 0; j < 5; j++) {
				bool freed = false;

				for (k = 0; k <= i; k++)
					freed |= perm[k] == j;
				run = freed ? run + 1 : 0;
				expect = max(expect, run);
			}
			KUNIT_EXPECT_EQ_MSG(test, rth_largest_free(c), expect * PG,
					    "order %d%d%d%d%d, step %d", perm[0],
					    perm[1], perm[2], perm[3], perm[4], i);
			EXPECT_CORE_OK(test, c);
		}
		KUNIT_ASSERT_EQ(test, rth_alloc(c, 5 * PG, &off), 0);
		KUNIT_ASSERT_EQ(test, rth_free(c, off, NULL), 0);
		n++;
		/* Next permutation (lexicographic). */
		for (i = 3; i >= 0 && perm[i] > perm[i + 1]; i--)
			;
		if (i < 0)
			break;
		for (j = 4; perm[j] < perm[i]; j--)
			;
		swap(perm[i], perm[j]);
		for (j = i + 1, k = 4; j < k; j++, k--)
			swap(perm[j], perm[k]);
	}
	KUNIT_EXPECT_EQ(test, n, 120);
}

/* Runs of different lengths and bucket pages, freed around each other. */
static void coalesce_mixed(struct kunit *test)
{
	struct rth_core *c = core_make(test, 12);
	size_t a, b, s1, s2, d, e, off;

	KUNIT_ASSERT_EQ(test, rth_alloc(c, 3 * PG, &a), 0);	/* 0..2 */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 16, &s1), 0);	/* 3 */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 2 * PG, &b), 0);	/* 4..5 */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 1024, &s2), 0);	/* 6 */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 4 * PG, &d), 0);	/* 7..10 */
	KUNIT_ASSERT_EQ(test, rth_alloc(c, PG, &e), 0);		/* 11 */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 1024ULL);

	KUNIT_EXPECT_EQ(test, rth_free(c, b, NULL), 0);
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 2 * PG);
	KUNIT_EXPECT_EQ(test, rth_free(c, s1, NULL), 0);	/* 3..5 */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 3 * PG);
	KUNIT_EXPECT_EQ(test, rth_free(c, a, NULL), 0);		/* 0..5 */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 6 * PG);
	EXPECT_CORE_OK(test, c);
	KUNIT_EXPECT_EQ(test, rth_free(c, e, NULL), 0);		/* 11 */
	KUNIT_EXPECT_EQ(test, rth_free(c, d, NULL), 0);		/* 7..11 */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 6 * PG);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 6 * PG, &off), 0);
	KUNIT_EXPECT_EQ(test, off, a);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 5 * PG, &off), 0);
	KUNIT_EXPECT_EQ(test, off, d);
	/* No free page left: a 16-byte block has nowhere to go... */
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 1, &off), -ENOMEM);
	/* ...but a 1024-byte one still fits beside s2. */
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 1000, &off), 0);
	KUNIT_EXPECT_EQ(test, off / PG, s2 / PG);
	EXPECT_CORE_OK(test, c);
}

/* largest_free's promise, with and without free pages. */
static void largest_free_promise(struct kunit *test)
{
	struct rth_core *c = core_make(test, 2);
	size_t x[4], off;

	KUNIT_ASSERT_EQ(test, rth_alloc(c, 2048, &x[0]), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 100, &x[1]), 0);
	/* No free page; a 2048 block free in page 0: that class. */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 2048ULL);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 2048, &x[2]), 0);
	/* Only 128-byte blocks left. */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 128ULL);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 129, &off), -ENOMEM);
	KUNIT_EXPECT_EQ(test, rth_alloc(c, 128, &x[3]), 0);
	KUNIT_EXPECT_EQ(test, rth_free(c, x[3], NULL), 0);
	KUNIT_EXPECT_EQ(test, rth_free(c, x[0], NULL), 0);
	KUNIT_EXPECT_EQ(test, rth_free(c, x[2], NULL), 0);	/* page 0 free */
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), PG);
	KUNIT_EXPECT_EQ(test, rth_free(c, x[1], NULL), 0);
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), 2 * PG);
	EXPECT_CORE_OK(test, c);
}

/*
 * Documentation/design.md: the whole requested size is allocatable on a
 * fresh heap.
 */
static void whole_heap_fits(struct kunit *test)
{
	u32 n;

	for (n = 1; n <= 48; n++) {
		struct rth_core *c = core_make(test, n);
		size_t off, off2;

		KUNIT_EXPECT_EQ_MSG(test, rth_alloc(c, (size_t)n * PG, &off), 0,
				    "%u pages", n);
		KUNIT_EXPECT_EQ(test, rth_alloc(c, 1, &off2), -ENOMEM);
		KUNIT_EXPECT_EQ(test, rth_free(c, off, NULL), 0);
		if (n % 2 == 0) {
			KUNIT_EXPECT_EQ(test, rth_alloc(c, n / 2 * PG, &off), 0);
			KUNIT_EXPECT_EQ(test, rth_alloc(c, n / 2 * PG, &off2), 0);
			KUNIT_EXPECT_NE(test, off, off2);
		}
		EXPECT_CORE_OK(test, c);
	}
}

/* The segregated fit over a large heap: runs of every scale. */
static void large_heap_runs(struct kunit *test)
{
	static const u32 lens[] = { 1, 2, 15, 16, 17, 31, 33, 255, 257, 1000,
				    4097, 12000, 30000 };
	const u32 npages = 1U << 16;
	struct rth_core *c = core_make(test, npages);
	size_t offs[ARRAY_SIZE(lens)], off;
	u64 used = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		KUNIT_ASSERT_EQ_MSG(test, rth_alloc(c, (size_t)lens[i] * PG, &offs[i]),
				    0, "run of %u pages", lens[i]);
		used += (u64)lens[i] * PG;
		KUNIT_EXPECT_EQ(test, rth_used(c), used);
	}
	EXPECT_CORE_OK(test, c);
	KUNIT_EXPECT_EQ(test, rth_largest_free(c), (u64)npages * PG - used);
	/* Free every other one; the holes are found again by size. */
	for (i = 0; i < ARRAY_SIZE(lens); i += 2)
		KUNIT_EXPECT_EQ(test, rth_free(c, offs[i], NULL), 0);
	EXPECT_CORE_OK(test, c);
	for (i = 0; i < ARRAY_SIZE(lens); i += 2) {
		KUNIT_EXPECT_EQ(test, rth_alloc(c, (size_t)lens[i] * PG, &off), 0);
		KUNIT_EXPECT_EQ(test, rth_block_size(c, off), (size_t)lens[i] * PG);
	}
	EXPECT_CORE_OK(test, c);
	/* A request of exactly largest_free always succeeds. */
	KUNIT_EXPECT_EQ(test, rth_alloc(c, rth_largest_free(c), &off), 0);
	EXPECT_CORE_OK(test, c);
}

/* --- random operations against the shadow model ---------------------------------- */

#define SHADOW_PAGES	64
#define SHADOW_OPS	20000
#define SHADOW_SLOTS	256

static int model_res_init(struct kunit_resource *res, void *context)
{
	struct model *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	if (model_init(m, *(u32 *)context)) {
		model_fini(m);
		kfree(m);
		return -ENOMEM;
	}
	res->data = m;
	return 0;
}

static void model_res_free(struct kunit_resource *res)
{
	model_fini(res->data);
	kfree(res->data);
}

/* A shadow model over a core of npages pages, gone at the end of the test. */
static struct model *model_make(struct kunit *test, u32 npages)
{
	return kunit_alloc_resource(test, model_res_init, model_res_free, GFP_KERNEL,
				    &npages);
}

static void random_vs_shadow(struct kunit *test)
{
	struct model *m = model_make(test, SHADOW_PAGES);
	u64 fails = 0;
	u32 s = 0x2545f491;
	const char *why;
	size_t *slot;	/* offset of the slot's block; SIZE_MAX: none */
	int op;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->check_each = false;	/* model_check() every 256 operations instead */
	slot = kunit_kcalloc(test, SHADOW_SLOTS, sizeof(*slot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	for (op = 0; op < SHADOW_SLOTS; op++)
		slot[op] = SIZE_MAX;

	for (op = 0; op < SHADOW_OPS; op++) {
		unsigned int k;
		size_t want, o;
		bool got;

		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		k = s % SHADOW_SLOTS;
		if (slot[k] != SIZE_MAX) {
			why = model_free(m, model_find(m, slot[k]));
			KUNIT_ASSERT_TRUE_MSG(test, !why, "op %d: %s", op, why);
			slot[k] = SIZE_MAX;
		} else {
			switch ((s >> 9) % 8) {
			case 0:
				want = 1 + (s >> 12) % (6 * PG);
				break;
			case 1:
			case 2:
				want = 1 + (s >> 12) % (PG / 2);
				break;
			default:
				want = 1 + (s >> 12) % 200;
				break;
			}
			/* Overlaps, misalignment, a refusal with room: the model's checks. */
			why = model_alloc(m, want, &got);
			KUNIT_ASSERT_TRUE_MSG(test, !why, "op %d: %s", op, why);
			if (got) {
				slot[k] = m->live[m->nlive - 1].off;
			} else {
				/*
				 * With free pages, whatever fits largest_free
				 * is granted (without, only its own class).
				 */
				if (m->core.free_pages)
					KUNIT_EXPECT_LT(test, (u64)rth_largest_free(&m->core),
							(u64)model_round(want));
				fails++;
			}
		}
		KUNIT_ASSERT_EQ(test, rth_used(&m->core), m->used);
		if (!(op % 256)) {
			u64 lf = rth_largest_free(&m->core);

			why = model_check(m);
			KUNIT_EXPECT_TRUE_MSG(test, !why, "op %d: %s", op, why);
			/* The promise: a block of largest_free is granted. */
			if (lf && rth_alloc(&m->core, lf, &o) == 0)
				KUNIT_EXPECT_EQ(test, rth_free(&m->core, o, NULL), 0);
			else if (lf)
				KUNIT_FAIL(test, "op %d: largest_free %llu refused", op, lf);
		}
	}
	while (m->nlive) {
		why = model_free(m, 0);
		KUNIT_EXPECT_TRUE_MSG(test, !why, "op %d: %s", op, why);
		if (why)
			break;
	}
	KUNIT_EXPECT_EQ(test, rth_used(&m->core), 0ULL);
	KUNIT_EXPECT_EQ(test, rth_largest_free(&m->core), (u64)SHADOW_PAGES * PG);
	why = model_check(m);
	KUNIT_EXPECT_TRUE_MSG(test, !why, "op %d: %s", op, why);
	EXPECT_CORE_OK(test, &m->core);
	kunit_info(test, "%d operations, %llu refused for lack of room",
		   SHADOW_OPS, fails);
}

/* --- the checker ---------------------------------------------------------------- */

/* rth_check() must notice broken metadata (else the other tests prove little). */
static void checker_catches_corruption(struct kunit *test)
{
	struct rth_core *c = core_make(test, 8);
	struct rth_page *pg = c->pages, save;
	const char *why;
	size_t b, r, off;
	u64 saved;

	KUNIT_ASSERT_EQ(test, rth_alloc(c, 64, &b), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 64, &off), 0);
	KUNIT_ASSERT_EQ(test, rth_alloc(c, 3 * PG, &r), 0);
	EXPECT_CORE_OK(test, c);

	/* A block marked free in its bitmap but not counted. */
	save = pg[b / PG];
	pg[b / PG].map[0] ^= 1ULL << ((b % PG) / 64);
	why = NULL;
	KUNIT_EXPECT_LT(test, rth_check(c, &why), 0);
	KUNIT_EXPECT_NOT_NULL(test, why);
	pg[b / PG] = save;
	EXPECT_CORE_OK(test, c);

	/* Class statistics off by one. */
	saved = c->class_blocks[2];
	c->class_blocks[2]++;
	KUNIT_EXPECT_LT(test, rth_check(c, NULL), 0);
	c->class_blocks[2] = saved;

	/* A run whose tail disagrees with its head. */
	save = pg[r / PG + 2];
	pg[r / PG + 2].len++;
	KUNIT_EXPECT_LT(test, rth_check(c, NULL), 0);
	pg[r / PG + 2] = save;

	/* A free run missing from its bin. */
	saved = c->fl_map;
	c->fl_map = 0;
	KUNIT_EXPECT_LT(test, rth_check(c, NULL), 0);
	c->fl_map = saved;

	/* Usage statistics. */
	saved = c->run_pages;
	c->run_pages++;
	KUNIT_EXPECT_LT(test, rth_check(c, NULL), 0);
	c->run_pages = saved;
	EXPECT_CORE_OK(test, c);
}

static struct kunit_case rtheap_alloc_cases[] = {
	KUNIT_CASE(meta_size_bounds),
	KUNIT_CASE(init_errors),
	KUNIT_CASE(alloc_errors),
	KUNIT_CASE(free_errors),
	KUNIT_CASE(round_and_block_size),
	KUNIT_CASE_PARAM(fill_drain, fill_gen_params),
	KUNIT_CASE(coalesce_all_orders),
	KUNIT_CASE(coalesce_mixed),
	KUNIT_CASE(largest_free_promise),
	KUNIT_CASE(whole_heap_fits),
	KUNIT_CASE(large_heap_runs),
	KUNIT_CASE(random_vs_shadow),
	KUNIT_CASE(checker_catches_corruption),
	{}
};

static struct kunit_suite rtheap_alloc_suite = {
	.name = "rtheap_alloc",
	.test_cases = rtheap_alloc_cases,
};

kunit_test_suite(rtheap_alloc_suite);

MODULE_DESCRIPTION("KUnit suites of rtheap: the allocator core and the heap object");
MODULE_LICENSE("GPL");
