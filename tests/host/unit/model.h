/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow model of the allocator core, shared by the unit tests, the fuzzer,
 * the KUnit suite rtheap_alloc (model.c is compiled into rtheap_kunit.ko)
 * and the benchmarks' self-checks.  It wraps a real core and checks every
 * answer against what it knows: which 16-byte granules are handed out,
 * the exact usage, alignment, and when a failure is allowed.
 *
 * Each operation returns NULL when the core behaved, else a message.
 */
#ifndef RTHEAP_TEST_MODEL_H
#define RTHEAP_TEST_MODEL_H

#include "alloc.h"

struct model_block {
	size_t off;
	size_t size;		/* requested */
	size_t rounded;
};

struct model {
	struct rth_core core;
	void *meta;
	u32 npages;
	u64 *granules;		/* bit set: 16-byte granule handed out */
	u32 *page_granules;	/* per page: granules handed out */
	u8 *class_map;		/* the core's published page classes */
	u64 free_pages;		/* pages with none handed out */
	struct model_block *live;
	size_t nlive, cap;
	u64 used;
	bool check_each;	/* run rth_check() after every operation */
	unsigned long ops;
};

int model_init(struct model *m, u32 npages);
void model_fini(struct model *m);

/* Allocate; *gotp tells whether a block was handed out (failure allowed). */
const char *model_alloc(struct model *m, size_t size, bool *gotp);
/* Free live block number i (0 <= i < nlive); it is replaced by the last. */
const char *model_free(struct model *m, size_t i);
/* The number of the live block at offset off; nlive if there is none. */
size_t model_find(const struct model *m, size_t off);
/* Free an offset that is not a live block start: must fail, change nothing. */
const char *model_bad_free(struct model *m, size_t off);
/* A known-bad offset derived from r (interior, misaligned, freed, ...). */
size_t model_bad_offset(const struct model *m, u32 r);
/* The size a block of size bytes takes: the rounding the core promises. */
size_t model_round(size_t size);
/* Full comparison of core and model. */
const char *model_check(struct model *m);

#endif
