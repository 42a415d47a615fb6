// SPDX-License-Identifier: GPL-2.0
/*
 * cache_pair - libheap's cached rt_heap_alloc + rt_heap_free pair on the
 * host, for an instruction count (bench/cache-instructions, callgrind):
 * libheap against the fake module of the host tests
 * (tests/host/unit/fake_rtheap.c), its descriptor with rt_heap_cache (1 MiB),
 * next to glibc malloc + free doing the same steps.  The cached path
 * makes no call into the module but for refills and drains, so its count
 * is the same on every machine.
 *
 * usage: cache_pair cached|plain|malloc 64|trace STEPS
 *
 * plain: the same descriptor without the cache, every call into the
 * module: what libheap itself adds to the two system calls.
 *
 * 64: STEPS pairs of 64-byte blocks.  trace: STEPS steps of the reference
 * trace (bench_trace.h), after 2 * BENCH_SLOTS to fill the slots.
 * Prints how many calls the steps made into the (fake) module:
 *   module calls: N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtheap/heap.h>

#include "bench_trace.h"
#include "fake_rtheap.h"

static RT_HEAP heap;
static int use_heap;		/* cached or plain: libheap, else glibc */

static void die(const char *what, int err)
{
	fprintf(stderr, "cache_pair: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* The two contenders; noinline, so that a whole step is one call each. */
static __attribute__((noinline)) void *step_alloc(size_t size)
{
	void *p;

	if (!use_heap)
		return malloc(size);
	return rt_heap_alloc(&heap, size, TM_NONBLOCK, &p) ? NULL : p;
}

static __attribute__((noinline)) void step_free(void *p)
{
	if (!use_heap)
		free(p);
	else if (rt_heap_free(&heap, p))
		die("rt_heap_free", -EIO);
}

int main(int argc, char **argv)
{
	static void *ptr[BENCH_SLOTS];
	uint32_t seed = BENCH_SEED, k, size;
	unsigned long i, n, calls = 0;
	int ret;

	if (argc != 4 || (strcmp(argv[1], "cached") && strcmp(argv[1], "plain") &&
			  strcmp(argv[1], "malloc")) ||
	    (strcmp(argv[2], "64") && strcmp(argv[2], "trace"))) {
		fprintf(stderr, "usage: cache_pair cached|plain|malloc 64|trace STEPS\n");
		return 2;
	}
	use_heap = strcmp(argv[1], "malloc") != 0;
	n = strtoul(argv[3], NULL, 0);
	fake_reset();
	ret = rt_heap_create(&heap, NULL, 64 << 20, H_FIFO);
	if (ret)
		die("rt_heap_create", ret);
	ret = strcmp(argv[1], "cached") ? 0 : rt_heap_cache(&heap, 1 << 20);
	if (ret)
		die("rt_heap_cache", ret);
	for (k = 0; k < 32; k++)
		calls -= fk.ncmd[k];
	if (!strcmp(argv[2], "64")) {
		for (i = 0; i < n; i++) {
			void *p = step_alloc(64);

			if (!p)
				die("alloc", -ENOMEM);
			step_free(p);
		}
	} else {
		for (i = 0; i < n + 2 * BENCH_SLOTS; i++) {
			bench_trace_step(&seed, &k, &size);
			if (ptr[k])
				step_free(ptr[k]);
			ptr[k] = step_alloc(size);
		}
		for (k = 0; k < BENCH_SLOTS; k++)
			if (ptr[k])
				step_free(ptr[k]);
	}
	for (k = 0; k < 32; k++)
		calls += fk.ncmd[k];
	printf("module calls: %lu\n", calls);
	ret = rt_heap_delete(&heap);
	if (ret)
		die("rt_heap_delete", ret);
	return 0;
}
