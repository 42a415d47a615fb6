/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference trace of every rtheap benchmark: host (core_trace.c),
 * kernel (kmod/rtheap_bench.c) and user space (user_bench.c) replay the
 * same sequence.
 *
 * BENCH_SLOTS slots; each step draws a slot, then a block size with
 * P(size >= x) = 16 / x over [16, 32768] (an inverse-square density,
 * redrawn above 32 KiB), from xorshift32 seeded with BENCH_SEED.  A step
 * frees the block in its slot, if there is one, then allocates a block of
 * the new size there.
 */
#ifndef _RTHEAP_BENCH_TRACE_H
#define _RTHEAP_BENCH_TRACE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define BENCH_SLOTS	1024
#define BENCH_MIN_SIZE	16
#define BENCH_MAX_SIZE	32768
#define BENCH_SEED	88

static inline uint32_t bench_xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static inline uint32_t bench_trace_size(uint32_t *s)
{
	uint64_t size;

	do
		size = ((uint64_t)BENCH_MIN_SIZE << 32) /
		       ((uint64_t)bench_xorshift32(s) + 1);
	while (size > BENCH_MAX_SIZE);
	return size < BENCH_MIN_SIZE ? BENCH_MIN_SIZE : size;
}

/* One step of the trace: its slot, then its size. */
static inline void bench_trace_step(uint32_t *s, uint32_t *slot,
				    uint32_t *size)
{
	*slot = bench_xorshift32(s) % BENCH_SLOTS;
	*size = bench_trace_size(s);
}

#endif /* _RTHEAP_BENCH_TRACE_H */
