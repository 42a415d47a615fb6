/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap tests - the size a block of a given size takes, by the rule the
 * allocator core documents (kernel/alloc.h):
 *
 *   - up to half a page, the next power of two, at least 16 bytes
 *     (RTHEAP_MIN_BLOCK): the size classes 16, 32, ... page / 2;
 *   - above half a page, whole pages: the size rounded up to the page.
 *
 * Size 0 is no block: 0.  The page size is an argument, for the host's
 * shadow model and fake device (fixed pages) and the guest programs (the
 * running kernel's).  Plain C, for host programs, guest programs and
 * rtheap_kunit.ko alike; the core's own rth_round_size() is what it checks.
 */
#ifndef RTHEAP_TEST_ROUND_H
#define RTHEAP_TEST_ROUND_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define RTHEAP_ROUND_MIN	16	/* RTHEAP_MIN_BLOCK, RTH_MIN_BLOCK */

/* The block size of a request of size bytes; page is a power of two. */
static inline uint64_t rtheap_round(uint64_t size, uint64_t page)
{
	uint64_t r = RTHEAP_ROUND_MIN;

	if (!size)
		return 0;
	if (size > page / 2)
		return (size + page - 1) & ~(page - 1);
	while (r < size)
		r <<= 1;
	return r;
}

#endif /* RTHEAP_TEST_ROUND_H */
