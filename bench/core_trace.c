// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator core on the reference trace: 1024 slots, block sizes drawn
 * from an inverse-square distribution over [16, 32768] bytes with
 * xorshift32 seeded with 88, and ITERATIONS rounds of "free the block in a
 * random slot if there is one, then allocate a new block there".
 *
 * The sequence is generated before the measured loop, so that under
 * `valgrind --tool=callgrind --toggle-collect=rth_alloc
 *  --toggle-collect=rth_free` only the core's own instructions count.
 *
 * usage: core_trace HEAP_MIB [ITERATIONS]
 * Prints one line: heap size, pairs, failed allocations, used bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"

#define SLOTS		1024
#define MIN_SIZE	16
#define MAX_SIZE	32768

static u32 xorshift32(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* P(size >= x) = 16 / x: an inverse-square density, redrawn above 32 KiB. */
static u32 trace_size(u32 *s)
{
	u64 size;

	do
		size = ((u64)MIN_SIZE << 32) / ((u64)xorshift32(s) + 1);
	while (size > MAX_SIZE);
	return size < MIN_SIZE ? MIN_SIZE : size;
}

int main(int argc, char **argv)
{
	unsigned long heap_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	unsigned long iters = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;
	u32 npages = heap_mib << (20 - RTH_PAGE_SHIFT), seed = 88, *slot, *size;
	size_t off[SLOTS], meta_size = rth_meta_size(npages);
	unsigned char live[SLOTS] = { 0 };
	unsigned long i, failed = 0;
	struct rth_core core;
	void *meta;

	slot = malloc(iters * sizeof(*slot));
	size = malloc(iters * sizeof(*size));
	meta = malloc(meta_size);
	if (!slot || !size || !meta || rth_init(&core, NULL, npages, meta, meta_size)) {
		fprintf(stderr, "core_trace: cannot set up a %lu MiB heap\n", heap_mib);
		return 1;
	}
	for (i = 0; i < iters; i++) {
		slot[i] = xorshift32(&seed) % SLOTS;
		size[i] = trace_size(&seed);
	}

	for (i = 0; i < iters; i++) {
		u32 k = slot[i];

		if (live[k] && rth_free(&core, off[k], NULL))
			return 2;
		live[k] = !rth_alloc(&core, size[i], &off[k]);
		failed += !live[k];
	}

	if (rth_check(&core, NULL))
		return 3;
	printf("heap %lu MiB: %lu pairs, %lu failed, %llu bytes used\n",
	       heap_mib, iters, failed, (unsigned long long)rth_used(&core));
	return 0;
}
