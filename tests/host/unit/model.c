// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow model of the allocator core: see model.h.  Compiled on the host
 * (unit tests, fuzzer) and into rtheap_kunit.ko (the KUnit suite
 * rtheap_alloc); only where its memory comes from differs.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#define model_zalloc(size)	kvzalloc(size, GFP_KERNEL)
#define model_release(p)	kvfree(p)
#else
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define model_zalloc(size)	calloc(1, size)
#define model_release(p)	free(p)
#endif
#include "model.h"
/* tests/common/round.h (rtheap_kunit.ko: through -I of tests/host/unit) */
#include "../../common/round.h"

static char msgbuf[256];

/* The message an operation returns when the core misbehaved. */
static __printf(1, 2) const char *fail(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(msgbuf, sizeof(msgbuf), fmt, args);
	va_end(args);
	return msgbuf;
}

int model_init(struct model *m, u32 npages)
{
	size_t meta = rth_meta_size(npages);
	size_t ngran = ((size_t)npages << RTH_PAGE_SHIFT) / RTH_MIN_BLOCK;

	memset(m, 0, sizeof(*m));
	m->npages = npages;
	m->meta = model_zalloc(meta);
	m->granules = model_zalloc((ngran + 63) / 64 * sizeof(u64));
	m->page_granules = model_zalloc((size_t)npages * sizeof(u32));
	m->free_pages = npages;
	m->cap = 1024;
	m->live = model_zalloc(m->cap * sizeof(*m->live));
	m->class_map = model_zalloc(npages);
	m->check_each = true;
	if (!m->meta || !m->granules || !m->page_granules || !m->live ||
	    !m->class_map)
		return -ENOMEM;
	if (rth_init(&m->core, npages, m->meta, meta))
		return -EINVAL;
	rth_set_class_map(&m->core, m->class_map);
	return 0;
}

void model_fini(struct model *m)
{
	model_release(m->meta);
	model_release(m->granules);
	model_release(m->page_granules);
	model_release(m->class_map);
	model_release(m->live);
	memset(m, 0, sizeof(*m));
}

/* Room for twice as many live blocks; false if there is no memory. */
static bool live_grow(struct model *m)
{
	struct model_block *live = model_zalloc(2 * m->cap * sizeof(*live));

	if (!live)
		return false;
	memcpy(live, m->live, m->nlive * sizeof(*live));
	model_release(m->live);
	m->live = live;
	m->cap *= 2;
	return true;
}

/* Mask of bits [lo, hi) of one 64-bit word, 0 <= lo < hi <= 64. */
static u64 word_mask(unsigned int lo, unsigned int hi)
{
	u64 m = hi == 64 ? ~0ULL : (1ULL << hi) - 1;

	return m & ~((1ULL << lo) - 1);
}

/* Count [off, off + len) in or out of its pages' granules and free pages. */
static void pages_count(struct model *m, size_t off, size_t len, bool set)
{
	size_t end = off + len, p;

	for (p = off / RTH_PAGE_SIZE; p * RTH_PAGE_SIZE < end; p++) {
		size_t lo = p * RTH_PAGE_SIZE, hi = lo + RTH_PAGE_SIZE;
		u32 n;

		lo = lo < off ? off : lo;
		hi = hi > end ? end : hi;
		n = (hi - lo) / RTH_MIN_BLOCK;
		if (set) {
			m->free_pages -= !m->page_granules[p];
			m->page_granules[p] += n;
		} else {
			m->page_granules[p] -= n;
			m->free_pages += !m->page_granules[p];
		}
	}
}

/* Mark [off, off + len) handed out (set) or back (clear); check prior state. */
static bool granules_flip(struct model *m, size_t off, size_t len, bool set)
{
	size_t g = off / RTH_MIN_BLOCK, end = g + len / RTH_MIN_BLOCK, i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = g; i < end; i = (i | 63) + 1) {
			unsigned int hi = end - (i & ~(size_t)63) >= 64 ?
					  64 : end - (i & ~(size_t)63);
			u64 mask = word_mask(i % 64, hi);
			u64 *w = &m->granules[i / 64];

			if (pass == 0 && (*w & mask) != (set ? 0 : mask))
				return false;
			if (pass == 1)
				*w ^= mask;
		}
	}
	pages_count(m, off, len, set);
	return true;
}

size_t model_round(size_t size)
{
	return rtheap_round(size, RTH_PAGE_SIZE);
}

static const char *after_op(struct model *m)
{
	m->ops++;
	return m->check_each ? model_check(m) : NULL;
}

const char *model_alloc(struct model *m, size_t size, bool *gotp)
{
	u64 usable = (u64)m->npages << RTH_PAGE_SHIFT;
	struct rth_stats st;
	size_t off = ~(size_t)0, rounded;
	int ret;

	*gotp = false;
	rth_stats(&m->core, &st);
	ret = rth_alloc(&m->core, size, &off);
	if (size == 0 || size > usable) {
		if (ret != -EINVAL)
			return fail("alloc(%zu) on %llu bytes: %d, want -EINVAL",
				    size, (unsigned long long)usable, ret);
		return after_op(m);
	}
	rounded = model_round(size);
	if (ret == -ENOMEM) {
		/* Allowed only when nothing guaranteed to fit was free. */
		if (size <= RTH_PAGE_SIZE / 2) {
			unsigned int cls = __builtin_ctzll(rounded) - RTH_MIN_SHIFT;
			u64 cap = st.class_pages[cls] * (RTH_PAGE_SIZE / rounded);

			if (st.free_pages || st.class_blocks[cls] < cap)
				return fail("alloc(%zu) -ENOMEM: %llu free pages, %llu/%llu blocks",
					    size, (unsigned long long)st.free_pages,
					    (unsigned long long)st.class_blocks[cls],
					    (unsigned long long)cap);
		} else if (st.free_pages && rounded <= st.largest_free) {
			return fail("alloc(%zu) -ENOMEM but largest_free %llu",
				    size, (unsigned long long)st.largest_free);
		}
		return after_op(m);
	}
	if (ret)
		return fail("alloc(%zu): unexpected %d", size, ret);
	if (off % RTH_MIN_BLOCK || off % (rounded < RTH_PAGE_SIZE ? rounded : RTH_PAGE_SIZE))
		return fail("alloc(%zu) = %zu: misaligned for %zu", size, off, rounded);
	if (off + rounded > usable || off + rounded < off)
		return fail("alloc(%zu) = %zu: outside the heap", size, off);
	if (rth_round_size(&m->core, size) != rounded ||
	    rth_block_size(&m->core, off) != rounded)
		return fail("alloc(%zu) = %zu: rounded size not %zu", size, off, rounded);
	if (!granules_flip(m, off, rounded, true))
		return fail("alloc(%zu) = %zu: overlaps a live block", size, off);
	/* The published class of every page the block touches. */
	for (size_t p = off >> RTH_PAGE_SHIFT;
	     p <= (off + rounded - 1) >> RTH_PAGE_SHIFT; p++) {
		unsigned int want = rounded <= RTH_PAGE_SIZE / 2 ?
			(unsigned int)__builtin_ctzll(rounded) - RTH_MIN_SHIFT + 1 : 0;

		if (m->class_map[p] != want)
			return fail("alloc(%zu) = %zu: page %zu's class map %u, want %u",
				    size, off, p, m->class_map[p], want);
	}
	if (m->nlive == m->cap && !live_grow(m))
		return fail("out of memory for the model");
	m->live[m->nlive++] = (struct model_block){ off, size, rounded };
	m->used += rounded;
	*gotp = true;
	return after_op(m);
}

const char *model_free(struct model *m, size_t i)
{
	struct model_block b = m->live[i];
	size_t got = 0;
	int ret;

	ret = rth_free(&m->core, b.off, &got);
	if (ret || got != b.rounded)
		return fail("free(%zu) of a %zu-byte block: %d, size %zu",
			    b.off, b.rounded, ret, got);
	if (!granules_flip(m, b.off, b.rounded, false))
		return fail("free(%zu): model lost the block", b.off);
	m->live[i] = m->live[--m->nlive];
	m->used -= b.rounded;
	return after_op(m);
}

const char *model_bad_free(struct model *m, size_t off)
{
	struct rth_stats before, after;
	int ret;

	rth_stats(&m->core, &before);
	ret = rth_free(&m->core, off, NULL);
	rth_stats(&m->core, &after);
	if (ret != -EINVAL)
		return fail("free(%zu) of no block: %d, want -EINVAL", off, ret);
	if (memcmp(&before, &after, sizeof(before)))
		return fail("failed free(%zu) changed the statistics", off);
	return after_op(m);
}

size_t model_find(const struct model *m, size_t off)
{
	size_t i;

	for (i = 0; i < m->nlive; i++)
		if (m->live[i].off == off)
			break;
	return i;
}

static bool is_live_start(const struct model *m, size_t off)
{
	return model_find(m, off) < m->nlive;
}

size_t model_bad_offset(const struct model *m, u32 r)
{
	u64 usable = (u64)m->npages << RTH_PAGE_SHIFT;
	const struct model_block *b;
	size_t off;
	int i;

	switch (r % 6) {
	case 0:		/* past the end, or wildly out */
		return (r & 8) ? usable + (r >> 4) : ~(size_t)0 - (r >> 4);
	case 1:		/* inside a live block */
	case 2:
		if (!m->nlive)
			break;
		b = &m->live[(r >> 3) % m->nlive];
		if (b->rounded <= RTH_MIN_BLOCK)
			return b->off + 1 + (r >> 8) % (RTH_MIN_BLOCK - 1);
		off = b->off + 1 + (r >> 8) % (b->rounded - 1);
		/* 16-aligned interior offsets too, and interior pages */
		if (r & 0x100000)
			off &= ~(size_t)(RTH_MIN_BLOCK - 1);
		if (off == b->off)
			off += RTH_MIN_BLOCK;
		return off;
	default:
		break;
	}
	/* anywhere 16-aligned that is not a live start, else misaligned */
	off = ((size_t)r * RTH_MIN_BLOCK) % usable;
	for (i = 0; i < 64; i++, off = (off + RTH_MIN_BLOCK) % usable)
		if (!is_live_start(m, off))
			return off;
	return off + RTH_MIN_BLOCK / 2;
}

/* rth_page_summary()'s ranges tile the heap and add up to the statistics. */
static const char *summary_check(struct model *m, const struct rth_stats *st)
{
	u64 pages = 0, free_pages = 0, run_blocks = 0, run_pages = 0, used = 0;
	struct rth_page_range r[16];
	u32 p, next;
	int n, i;

	for (p = 0; p < m->npages; p = next) {
		n = rth_page_summary(&m->core, p, r, 16, &next);
		if (n <= 0 || next <= p)
			return fail("page summary from %u: %d, next %u", p, n, next);
		for (i = 0; i < n; i++) {
			if (r[i].first != pages || !r[i].pages)
				return fail("page summary: range at %u +%u, want %llu",
					    r[i].first, r[i].pages,
					    (unsigned long long)pages);
			pages += r[i].pages;
			switch (r[i].kind) {
			case RTH_RANGE_BUCKET:
				used += ((u64)r[i].used * r[i].pages) <<
					(r[i].cls + RTH_MIN_SHIFT);
				if (!r[i].used)
					free_pages += r[i].pages;
				break;
			case RTH_RANGE_RUN:
				run_blocks += r[i].blocks;
				run_pages += r[i].pages;
				used += (u64)r[i].pages * RTH_PAGE_SIZE;
				break;
			default:
				free_pages += r[i].pages;
				break;
			}
		}
	}
	if (pages != m->npages || free_pages != st->free_pages ||
	    run_blocks != st->run_blocks || run_pages != st->run_pages ||
	    used != st->used_bytes)
		return fail("page summary: %llu pages, %llu free, %llu runs of %llu pages, %llu used",
			    (unsigned long long)pages, (unsigned long long)free_pages,
			    (unsigned long long)run_blocks,
			    (unsigned long long)run_pages, (unsigned long long)used);
	return NULL;
}

const char *model_check(struct model *m)
{
	const char *why = NULL;
	struct rth_stats st;
	int ret;

	ret = rth_check(&m->core, &why);
	if (ret)
		return fail("rth_check: %s (line %d) after %lu ops", why, -ret, m->ops);
	rth_stats(&m->core, &st);
	if (st.used_bytes != m->used)
		return fail("used %llu, model says %llu", (unsigned long long)st.used_bytes,
			    (unsigned long long)m->used);
	if (st.free_pages * RTH_PAGE_SIZE > st.usable_bytes - st.used_bytes)
		return fail("more free pages than unused bytes");
	/*
	 * Pages holding no live block: whatever the core does with them (free
	 * runs, kept pages, spares), they are free pages in its statistics.
	 */
	if (st.free_pages != m->free_pages)
		return fail("%llu free pages, model counts %llu",
			    (unsigned long long)st.free_pages,
			    (unsigned long long)m->free_pages);
	why = summary_check(m, &st);
	if (why)
		return why;
	if (m->nlive == 0 && (st.free_pages != m->npages ||
			      st.largest_free != st.usable_bytes))
		return fail("empty heap is not one free run");
	return NULL;
}
