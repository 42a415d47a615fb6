// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator's metadata lives outside the heap memory: filling the whole
 * mapping with 0xff, 0x00 or random bytes, between and during allocations,
 * must not change what alloc, free and inquire do.
 */
#include <unistd.h>

#include "tcommon.h"

#define NBLK 40

static uint64_t seed = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void scribble(RT_HEAP *h, int how)
{
	uint64_t *w = h->base;

	switch (how) {
	case 0:
		memset(h->base, 0xff, h->mapsize);
		break;
	case 1:
		memset(h->base, 0, h->mapsize);
		break;
	default:
		for (size_t i = 0; i < h->mapsize / 8; i++)
			w[i] = rnd();
	}
}

static void round_trip(RT_HEAP *h, int how)
{
	void *blk[NBLK];
	size_t sz[NBLK], used = 0;
	RT_HEAP_INFO info;
	void *all;

	for (int i = 0; i < NBLK; i++) {
		sz[i] = 1 + rnd() % (i % 5 ? 1500 : 9000);
		CHECK_OK(rt_heap_alloc(h, sz[i], TM_NONBLOCK, &blk[i]));
		used += t_rounded(sz[i]);
		scribble(h, how);
	}
	info = t_inquire(h);
	CHECK_EQ(info.usedmem, used);
	/* Blocks are still distinct and at valid places. */
	for (int i = 0; i < NBLK; i++)
		for (int j = i + 1; j < NBLK; j++)
			CHECK(blk[i] != blk[j]);

	/* Invalid frees still detected, valid ones still work. */
	for (int i = 0; i < NBLK; i += 2) {
		CHECK_RET(rt_heap_free(h, (char *)blk[i] + 16), -EINVAL);
		CHECK_OK(rt_heap_free(h, blk[i]));
		CHECK_RET(rt_heap_free(h, blk[i]), -EINVAL);
		used -= t_rounded(sz[i]);
		scribble(h, how);
	}
	CHECK_EQ(t_inquire(h).usedmem, used);
	for (int i = 1; i < NBLK; i += 2) {
		CHECK_OK(rt_heap_free(h, blk[i]));
		CHECK_RET(rt_heap_free(h, blk[i]), -EINVAL);
	}
	scribble(h, how);
	info = t_inquire(h);
	CHECK_EQ(info.usedmem, 0);
	CHECK_EQ(info.largestfree, info.usablemem);
	for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
		CHECK_EQ(info.class_blocks[c], 0);
	CHECK_OK(rt_heap_alloc(h, info.usablemem, TM_NONBLOCK, &all));
	CHECK(all == h->base);
	scribble(h, how);
	CHECK_RET(rt_heap_alloc(h, 16, TM_NONBLOCK, &blk[0]), -EWOULDBLOCK);
	CHECK_OK(rt_heap_free(h, all));
}

int main(void)
{
	RT_HEAP h;

	CHECK_OK(rt_heap_create(&h, NULL, 64 * T_PAGE, H_FIFO));
	scribble(&h, 0);
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	for (int how = 0; how < 3; how++)
		round_trip(&h, how);
	/* Buckets of every class, full pages of them, under garbage. */
	for (int c = 0; (16UL << c) <= T_PAGE / 2; c++) {
		size_t bs = 16UL << c, n = T_PAGE / bs * 2;
		static void *b[T_PAGE_MAX / 16 * 2];

		for (size_t i = 0; i < n; i++) {
			CHECK_OK(rt_heap_alloc(&h, bs, TM_NONBLOCK, &b[i]));
			if (i % 32 == 0)
				scribble(&h, 0);
		}
		CHECK_EQ(t_inquire(&h).class_blocks[c], n);
		CHECK_EQ(t_inquire(&h).usedmem, n * bs);
		for (size_t i = 0; i < n; i++)
			CHECK_OK(rt_heap_free(&h, b[i]));
		CHECK_EQ(t_inquire(&h).usedmem, 0);
	}
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
