// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the allocator core: the input is a heap size and a
 * sequence of operations, each checked against the shadow model
 * (tests/host/unit/model.c), with rth_check() after every step.
 *
 * Input: 2 bytes of page count, then 4-byte operations:
 *   op[0] % 4 == 0,1: alloc, size from op[1..3] (log-scaled; or the heap
 *                     size, or rth_largest_free())
 *   op[0] % 4 == 2:   free live block op[1..2] % nlive
 *   op[0] % 4 == 3:   free a bad offset derived from op[1..3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_alloc: %s: %s\n", what, why);
	abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct model m;
	const char *why;
	u32 npages;
	bool got;

	if (len < 2)
		return 0;
	npages = ((u32)data[0] | (u32)data[1] << 8) % 1024 + 1;
	if (model_init(&m, npages))
		die("init", "failed");
	for (data += 2, len -= 2; len >= 4; data += 4, len -= 4) {
		u32 arg = (u32)data[1] | (u32)data[2] << 8 | (u32)data[3] << 16;
		size_t size;

		switch (data[0] % 4) {
		case 0:
		case 1:
			/* 0 .. ~2^23 bytes, biased to small sizes */
			size = (size_t)(arg & 0xffff) >> ((arg >> 16) % 16);
			if ((arg >> 20) == 0xf)
				size = (size_t)npages * RTH_PAGE_SIZE + (arg & 1);
			/* largest_free: model_alloc() refuses an -ENOMEM */
			if ((arg >> 20) == 0xe)
				size = rth_largest_free(&m.core);
			why = model_alloc(&m, size, &got);
			break;
		case 2:
			why = m.nlive ? model_free(&m, arg % m.nlive) : NULL;
			break;
		default:
			why = model_bad_free(&m, model_bad_offset(&m, arg));
			break;
		}
		if (why)
			die("operation", why);
	}
	while (m.nlive)
		if ((why = model_free(&m, m.nlive - 1)))
			die("drain", why);
	model_fini(&m);
	return 0;
}
