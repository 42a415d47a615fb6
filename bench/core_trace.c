// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator core on the reference trace (bench_trace.h): 1024 slots, block
 * sizes 16 .. 32768 with an inverse-square density, xorshift32 seeded
 * with 88; each step frees the block in a random slot, if any, then
 * allocates a new block there.
 *
 *   core_trace HEAP_MIB [ITERATIONS]
 *	The trace, for `valgrind --tool=callgrind --toggle-collect=rth_alloc
 *	--toggle-collect=rth_free`: the sequence is generated before the
 *	measured loop, so only the core's own instructions count.  Prints
 *	heap size, pairs, failed allocations, used bytes.
 *
 *   core_trace --per-op HEAP_MIB ITERATIONS
 *	The same with a callgrind dump after each operation, named "alloc"
 *	or "free" (run with --combine-dumps=yes): each dump's summary is
 *	that one operation's instruction count.
 *
 *   core_trace --cycles HEAP_MIB ITERATIONS REPS
 *	Cycles (rdtsc .. rdtscp) of every alloc and every free of the core
 *	and of glibc malloc/free on the same trace in this process, in REPS
 *	interleaved repetitions; after the first 2 * 1024 steps (the slots
 *	filling up).  Per repetition, one line per allocator and operation:
 *	"cycles OP ALLOC rep=R n=N p50=.. p99=.. p9999=.. max=..", and the
 *	cost of the empty timer: "cycles timer - rep=R ...".  Last, ALLOC
 *	core_min and glibc_min: each operation's minimum over the replays.
 *
 *   core_trace --space
 *	Metadata bytes (rth_meta_size + struct rth_core) per heap byte for
 *	64 MiB and 1 GiB heaps, and what a 4 MiB heap holds of trace sizes
 *	before the first -ENOMEM: requested and rounded bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>
#include <valgrind/callgrind.h>
#include "alloc.h"
#include "bench_trace.h"

#define WARMUP		(2 * BENCH_SLOTS)

static u32 *slot, *size;

static void make_trace(unsigned long iters)
{
	u32 seed = BENCH_SEED;
	unsigned long i;

	slot = malloc(iters * sizeof(*slot));
	size = malloc(iters * sizeof(*size));
	if (!slot || !size) {
		fprintf(stderr, "core_trace: out of memory\n");
		exit(1);
	}
	for (i = 0; i < iters; i++)
		bench_trace_step(&seed, &slot[i], &size[i]);
}

static void *new_core(struct rth_core *core, unsigned long heap_mib)
{
	u32 npages = heap_mib << (20 - RTH_PAGE_SHIFT);
	size_t meta_size = rth_meta_size(npages);
	void *meta = malloc(meta_size);

	if (!meta || rth_init(core, npages, meta, meta_size)) {
		fprintf(stderr, "core_trace: cannot set up a %lu MiB heap\n",
			heap_mib);
		exit(1);
	}
	return meta;
}

static int run_trace(unsigned long heap_mib, unsigned long iters, int per_op)
{
	size_t off[BENCH_SLOTS];
	unsigned char live[BENCH_SLOTS] = { 0 };
	unsigned long i, failed = 0;
	struct rth_core core;

	make_trace(iters);
	new_core(&core, heap_mib);
	for (i = 0; i < iters; i++) {
		u32 k = slot[i];

		if (live[k]) {
			if (rth_free(&core, off[k], NULL))
				return 2;
			if (per_op)
				CALLGRIND_DUMP_STATS_AT("free");
		}
		live[k] = !rth_alloc(&core, size[i], &off[k]);
		if (per_op)
			CALLGRIND_DUMP_STATS_AT("alloc");
		failed += !live[k];
	}

	if (rth_check(&core, NULL))
		return 3;
	printf("heap %lu MiB: %lu pairs, %lu failed, %llu bytes used\n",
	       heap_mib, iters, failed, (unsigned long long)rth_used(&core));
	return 0;
}

/* --- cycles ----------------------------------------------------------------- */

#define NO_SAMPLE	0xffffffffU	/* a step with no block to free */

static inline u64 tsc_begin(void)
{
	_mm_lfence();
	return __rdtsc();
}

static inline u64 tsc_end(void)
{
	unsigned int aux;
	u64 t = __rdtscp(&aux);

	_mm_lfence();
	return t;
}

static inline u32 cycles32(u64 t0, u64 t1)
{
	return t1 - t0 >= NO_SAMPLE ? NO_SAMPLE - 1 : (u32)(t1 - t0);
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sort (in tmp) and print the quantiles of n samples in trace order;
 * nearest rank: the smallest sample with at least q of all at or below.
 */
static void report(const char *op, const char *who, int rep, const u32 *v,
		   unsigned long n, u32 *tmp)
{
	unsigned long m = n;

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_u32);
	while (m && tmp[m - 1] == NO_SAMPLE)
		m--;
	if (!m)
		return;
#define Q(q) tmp[(unsigned long)((q) * m + 0.999999) - 1]
	printf("cycles %s %s rep=%d n=%lu p50=%u p99=%u p9999=%u max=%u\n",
	       op, who, rep, m, Q(0.5), Q(0.99), Q(0.9999), tmp[m - 1]);
#undef Q
}

/* Per-step samples: a[j], f[j] for step WARMUP + j (f: NO_SAMPLE if none). */
static void cycles_core(unsigned long heap_mib, unsigned long iters,
			u32 *a, u32 *f)
{
	size_t off[BENCH_SLOTS];
	unsigned char live[BENCH_SLOTS] = { 0 };
	struct rth_core core;
	unsigned long i;
	void *meta = new_core(&core, heap_mib);
	u64 t0, t1;

	for (i = 0; i < iters; i++) {
		u32 k = slot[i], tf = NO_SAMPLE;
		int ok;

		if (live[k]) {
			t0 = tsc_begin();
			rth_free(&core, off[k], NULL);
			t1 = tsc_end();
			tf = cycles32(t0, t1);
		}
		t0 = tsc_begin();
		ok = !rth_alloc(&core, size[i], &off[k]);
		t1 = tsc_end();
		if (i >= WARMUP) {
			a[i - WARMUP] = cycles32(t0, t1);
			f[i - WARMUP] = tf;
		}
		live[k] = ok;
	}
	free(meta);
}

static void cycles_glibc(unsigned long iters, u32 *a, u32 *f)
{
	void *p[BENCH_SLOTS] = { NULL };
	unsigned long i;
	u64 t0, t1;

	for (i = 0; i < iters; i++) {
		u32 k = slot[i], tf = NO_SAMPLE;
		void *q;

		if (p[k]) {
			t0 = tsc_begin();
			free(p[k]);
			t1 = tsc_end();
			tf = cycles32(t0, t1);
		}
		t0 = tsc_begin();
		q = malloc(size[i]);
		t1 = tsc_end();
		/* Keep the compiler from pairing malloc and free away. */
		__asm__ volatile("" : : "r"(q) : "memory");
		if (i >= WARMUP) {
			a[i - WARMUP] = cycles32(t0, t1);
			f[i - WARMUP] = tf;
		}
		p[k] = q;
	}
	for (i = 0; i < BENCH_SLOTS; i++)
		free(p[i]);
}

static void fold_min(u32 *min, const u32 *v, unsigned long n)
{
	unsigned long j;

	for (j = 0; j < n; j++)
		if (v[j] < min[j])
			min[j] = v[j];
}

/*
 * REPS replays of the same trace, core and glibc interleaved.  Besides
 * each replay's own quantiles, "cycles OP core_min|glibc_min": those of
 * each operation's minimum over all replays, which filters out what
 * strikes the process from outside (interrupts, preemption) and keeps
 * what recurs at the same operation every time.
 */
static int run_cycles(unsigned long heap_mib, unsigned long iters, int reps)
{
	unsigned long n = iters - WARMUP, j;
	u32 *a, *f, *tmp, *min[2][2];
	int rep, who, op;

	if (iters <= WARMUP || reps < 1) {
		fprintf(stderr, "core_trace: --cycles wants more than %d iterations\n",
			WARMUP);
		return 1;
	}
	make_trace(iters);
	a = malloc(n * sizeof(*a));
	f = malloc(n * sizeof(*f));
	tmp = malloc(n * sizeof(*tmp));
	if (!a || !f || !tmp)
		return 1;
	for (who = 0; who < 2; who++)
		for (op = 0; op < 2; op++) {
			min[who][op] = malloc(n * sizeof(u32));
			if (!min[who][op])
				return 1;
			memset(min[who][op], 0xff, n * sizeof(u32));
		}
	/* Warm up both: page faults, caches, glibc's arenas. */
	cycles_core(heap_mib, iters, a, f);
	cycles_glibc(iters, a, f);
	for (rep = 1; rep <= reps; rep++) {
		/* Interleaved, and each goes first every other repetition. */
		int first;

		for (first = 0; first < 2; first++) {
			who = (rep + first) & 1;	/* 1: glibc */
			if (who)
				cycles_glibc(iters, a, f);
			else
				cycles_core(heap_mib, iters, a, f);
			report("alloc", who ? "glibc" : "core", rep, a, n, tmp);
			report("free", who ? "glibc" : "core", rep, f, n, tmp);
			fold_min(min[who][0], a, n);
			fold_min(min[who][1], f, n);
		}
		for (j = 0; j < n && j < 100000; j++) {
			u64 t0 = tsc_begin(), t1 = tsc_end();

			a[j] = cycles32(t0, t1);
		}
		report("timer", "-", rep, a, j, tmp);
	}
	for (who = 0; who < 2; who++) {
		report("alloc", who ? "glibc_min" : "core_min", reps, min[who][0],
		       n, tmp);
		report("free", who ? "glibc_min" : "core_min", reps, min[who][1],
		       n, tmp);
	}
	return 0;
}

/* --- space ------------------------------------------------------------------ */

static void meta_per_byte(unsigned long heap_mib)
{
	u32 npages = heap_mib << (20 - RTH_PAGE_SHIFT);
	unsigned long long meta = rth_meta_size(npages) + sizeof(struct rth_core);
	unsigned long long bytes = (unsigned long long)heap_mib << 20;

	printf("space meta heap_mib=%lu meta=%llu bytes=%llu\n",
	       heap_mib, meta, bytes);
}

static int run_space(void)
{
	unsigned long heap_mib = 4, blocks = 0;
	unsigned long long requested = 0, rounded = 0;
	struct rth_core core;
	u32 seed = BENCH_SEED, k, sz;
	size_t off;

	meta_per_byte(64);
	meta_per_byte(1024);

	new_core(&core, heap_mib);
	for (;;) {
		bench_trace_step(&seed, &k, &sz);
		if (rth_alloc(&core, sz, &off))
			break;
		blocks++;
		requested += sz;
		rounded += rth_block_size(&core, off);
	}
	printf("space usable heap_mib=%lu blocks=%lu requested=%llu rounded=%llu bytes=%llu\n",
	       heap_mib, blocks, requested, rounded,
	       (unsigned long long)heap_mib << 20);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--space"))
		return run_space();
	if (argc == 5 && !strcmp(argv[1], "--cycles"))
		return run_cycles(strtoul(argv[2], NULL, 0),
				  strtoul(argv[3], NULL, 0), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "--per-op"))
		return run_trace(strtoul(argv[2], NULL, 0),
				 strtoul(argv[3], NULL, 0), 1);
	if (argc > 1 && argv[1][0] != '-')
		return run_trace(strtoul(argv[1], NULL, 0),
				 argc > 2 ? strtoul(argv[2], NULL, 0) : 200000, 0);
	fprintf(stderr,
		"usage: core_trace HEAP_MIB [ITERATIONS]\n"
		"       core_trace --per-op HEAP_MIB ITERATIONS\n"
		"       core_trace --cycles HEAP_MIB ITERATIONS REPS\n"
		"       core_trace --space\n");
	return 2;
}
