// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap_bench - kernel-side benchmarks of rtheap (make bench): the
 * rt_heap_alloc + rt_heap_free pair against kmalloc + kfree and
 * gen_pool_alloc + gen_pool_free, per-operation latency, heap growth and
 * fragmentation, two CPUs on one heap, a free that grants a waiter.
 *
 * Driven through debugfs: write one command to
 * /sys/kernel/debug/rtheap_bench/run, read the result from the same file.
 * A command is KEY=VALUE words:
 *
 *   op=pair      time each alloc+free pair (a trace step: free, then alloc);
 *                with bulk=K (alloc=rtheap, a fixed size): each
 *                rt_heap_alloc_bulk + rt_heap_free_bulk of K blocks, one
 *                call each, about n blocks in all (phase=bulk, cycles per
 *                call)
 *   op=lat       time each alloc and each free on their own (trace only)
 *   op=contend   fixed-size op=pair from kernel threads bound to CPUs
 *                0 .. threads-1, counting only the pairs during which
 *                another thread completed one (overlap=: their share)
 *   op=calib     time nothing: the cost of the timer itself
 *   op=parts     time one building block of rt_heap_alloc/free, part=
 *                irq (local_irq_save/restore), lock (raw_spin_lock_irqsave
 *                + unlock_irqrestore) or rcu (rcu_read_lock/unlock)
 *   op=grant     time rt_heap_free() of the only page of a 1-page heap
 *                while waiters= kernel threads are queued for a page: the
 *                free grants the first of them (phase=grant)
 *   op=drop      free every cached pool
 *   alloc=rtheap|kmalloc|genpool|core|corelock   (default rtheap)
 *                core: the allocator core alone (rth_alloc, rth_free: the
 *                same kernel/alloc.c as rtheap.ko's, built into this
 *                module), corelock: the core under a raw spinlock taken
 *                as heap.c takes its own
 *   size=BYTES|trace                     (default trace, see bench/bench_trace.h)
 *   n=SAMPLES                            (default: the samples parameter;
 *                                         op=grant: 200)
 *   heap=MIB     rtheap and genpool pool size (default 64)
 *   frag=0|1     1: the pool filled with trace sizes up to the first
 *                failure, then every other block freed
 *   threads=N    op=contend (default 2)
 *   curve=0|1    also print 100 quantiles (1% .. 99%, 99.9%, 99.99%)
 *   bulk=K       op=pair: blocks per bulk call, 1 .. RT_HEAP_BULK_MAX
 *   waiters=N    op=grant: the queue's depth at each free (default 1);
 *                over rtheap's max_waiters the run fails with -EBUSY
 *   mode=fifo|prio  op=grant: H_FIFO or H_PRIO (default fifo)
 *   wake=local|remote  op=grant: the waiters bound to the freeing CPU
 *                (default), or to another one: the wake-up an IPI
 *   replay=R     op=lat: the R-th replay of the same trace on this
 *                allocator; also prints phase=alloc_min / free_min, the
 *                quantiles of each operation's minimum over replays 1 .. R
 *                (1 starts afresh).  Host preemption of the emulator, or
 *                anything else outside the allocator, seldom strikes the
 *                same operation twice; the allocator's own slow paths
 *                recur at the same operation of every replay.
 *
 * Every timed region is bracketed by get_cycles() (the TSC) with local
 * interrupts off, so neither an interrupt nor preemption lands in it.
 * The result: "phase=pair|alloc|free|grant n=.. fail=.. p50=.. p90=.. p99=..
 * p999=.. p9999=.. max=.. mean=..", cycles, nearest-rank quantiles.
 *
 * Pools (an rtheap heap, or a gen_pool with min_alloc_order 4 over
 * vmalloc memory) are made on first use and cached by (alloc, heap,
 * frag) until op=drop or rmmod; every run gives back what it allocated,
 * so each run starts from the same state.  gen_pool fragmentation places
 * blocks at consecutive offsets (gen_pool_fixed_alloc): what first fit
 * would do, without its quadratic cost.
 *
 * On PREEMPT_RT, kmalloc may not run with interrupts off: kmalloc is timed
 * with migration disabled only (the result says irqs=on).
 */
#define pr_fmt(fmt) "rtheap_bench: " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/genalloc.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timex.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <rtheap/heap.h>

#include "alloc.h"
#include "bench_trace.h"

static unsigned int samples = 20000;
module_param(samples, uint, 0644);
MODULE_PARM_DESC(samples, "samples per run when a command gives no n= (default 20000)");

#define WARMUP_PAIRS	256
#define WARMUP_STEPS	(2 * BENCH_SLOTS)
#define OUT_SIZE	8192
#define MIN_ORDER	4	/* gen_pool: 16-byte granules, as rtheap's */

enum bkind { BK_RTHEAP, BK_KMALLOC, BK_GENPOOL, BK_CORE, BK_CORELOCK,
	     BK_COUNT };
static const char *const bkind_name[] = { "rtheap", "kmalloc", "genpool",
					  "core", "corelock" };

struct bblock {
	unsigned long addr;
	size_t size;
};

struct bpool {
	struct list_head node;
	enum bkind kind;
	unsigned int mib;
	bool frag;
	RT_HEAP heap;			/* BK_RTHEAP */
	struct gen_pool *gp;		/* BK_GENPOOL */
	struct rth_core core;		/* BK_CORE, BK_CORELOCK */
	raw_spinlock_t lock;		/* BK_CORELOCK */
	void *mem;
	struct bblock *kept;		/* genpool blocks to free at drop */
	unsigned long nkept;
};

struct bcmd {
	enum { OP_PAIR, OP_LAT, OP_CONTEND, OP_CALIB, OP_PARTS, OP_GRANT,
	       OP_DROP } op;
	enum bkind kind;
	enum { PART_IRQ, PART_LOCK, PART_RCU } part;
	size_t size;			/* 0: the trace */
	unsigned int n, mib, threads, replay, waiters, bulk;
	bool frag, curve, prio, remote;
};

struct brun {
	const struct bcmd *cmd;
	struct bpool *pool;		/* NULL for kmalloc */
	u32 *s, *s2;			/* samples: pairs or allocs; frees */
	unsigned int n, n2, fail;
	u32 seed;
};

/* No sample: a trace step that had no block to free. */
#define NO_SAMPLE	U32_MAX

/* op=lat replay=R: per-operation minimum over the replays, per allocator. */
static u32 *lat_min[BK_COUNT][2];
static unsigned int lat_min_n[BK_COUNT];

static DEFINE_MUTEX(bench_lock);
static LIST_HEAD(bench_pools);
static char *bench_out;
static size_t bench_len;
static struct dentry *bench_dir;

static __printf(1, 2) void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_len += vscnprintf(bench_out + bench_len, OUT_SIZE - bench_len,
				fmt, ap);
	va_end(ap);
}

/* --- the allocators, inline so that the timed code has no indirect call --- */

/* Core offsets as pointers: offset + 1, so that no block is NULL. */
static __always_inline int core_alloc(const struct brun *r, size_t size,
				      void **p)
{
	struct bpool *bp = r->pool;
	unsigned long flags = 0;
	size_t off;
	int ret;

	if (r->cmd->kind == BK_CORELOCK)
		raw_spin_lock_irqsave(&bp->lock, flags);
	ret = rth_alloc(&bp->core, size, &off);
	if (r->cmd->kind == BK_CORELOCK)
		raw_spin_unlock_irqrestore(&bp->lock, flags);
	*p = (void *)(off + 1);
	return ret;
}

static __always_inline void core_free(const struct brun *r, void *p)
{
	struct bpool *bp = r->pool;
	unsigned long flags = 0;

	if (r->cmd->kind == BK_CORELOCK)
		raw_spin_lock_irqsave(&bp->lock, flags);
	rth_free(&bp->core, (unsigned long)p - 1, NULL);
	if (r->cmd->kind == BK_CORELOCK)
		raw_spin_unlock_irqrestore(&bp->lock, flags);
}

static __always_inline int b_alloc(const struct brun *r, size_t size,
				   void **p)
{
	switch (r->cmd->kind) {
	case BK_RTHEAP:
		return rt_heap_alloc(&r->pool->heap, size, TM_NONBLOCK, p);
	case BK_KMALLOC:
		*p = kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
		return *p ? 0 : -ENOMEM;
	case BK_GENPOOL:
		*p = (void *)gen_pool_alloc(r->pool->gp, size);
		return *p ? 0 : -ENOMEM;
	default:
		return core_alloc(r, size, p);
	}
}

static __always_inline void b_free(const struct brun *r, void *p, size_t size)
{
	switch (r->cmd->kind) {
	case BK_RTHEAP:
		rt_heap_free(&r->pool->heap, p);
		break;
	case BK_KMALLOC:
		kfree(p);
		break;
	case BK_GENPOOL:
		gen_pool_free(r->pool->gp, (unsigned long)p, size);
		break;
	default:
		core_free(r, p);
	}
}

/* Interrupts off around a timed region; see the PREEMPT_RT note above. */
static __always_inline unsigned long b_enter(const struct brun *r)
{
	unsigned long flags = 0;

	if (IS_ENABLED(CONFIG_PREEMPT_RT) && r->cmd->kind == BK_KMALLOC)
		migrate_disable();
	else
		local_irq_save(flags);
	return flags;
}

static __always_inline void b_leave(const struct brun *r, unsigned long flags)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && r->cmd->kind == BK_KMALLOC)
		migrate_enable();
	else
		local_irq_restore(flags);
}

static inline u32 cycles32(cycles_t t0, cycles_t t1)
{
	return t1 - t0 > U32_MAX ? U32_MAX : (u32)(t1 - t0);
}

/* --- pools ------------------------------------------------------------------ */

/* Fill with trace sizes up to the first failure, free every other block. */
static int frag_rtheap(struct bpool *bp)
{
	unsigned long cap = ((unsigned long)bp->mib << 20) / 256, n = 0, i;
	u32 seed = BENCH_SEED, k, size;
	void **odd, *p;

	odd = vmalloc(cap * sizeof(*odd));
	if (!odd)
		return -ENOMEM;
	for (i = 0; n < cap; i++) {
		bench_trace_step(&seed, &k, &size);
		if (rt_heap_alloc(&bp->heap, size, TM_NONBLOCK, &p))
			break;
		if (i & 1)
			odd[n++] = p;
		if (!(i & 4095))
			cond_resched();
	}
	while (n--)
		rt_heap_free(&bp->heap, odd[n]);
	vfree(odd);
	return 0;
}

/* As frag_rtheap(), on a bare core. */
static int frag_core(struct bpool *bp)
{
	unsigned long cap = ((unsigned long)bp->mib << 20) / 256, n = 0, i;
	u32 seed = BENCH_SEED, k, size;
	size_t *odd, off;

	odd = vmalloc(cap * sizeof(*odd));
	if (!odd)
		return -ENOMEM;
	for (i = 0; n < cap; i++) {
		bench_trace_step(&seed, &k, &size);
		if (rth_alloc(&bp->core, size, &off))
			break;
		if (i & 1)
			odd[n++] = off;
		if (!(i & 4095))
			cond_resched();
	}
	while (n--)
		rth_free(&bp->core, odd[n], NULL);
	vfree(odd);
	return 0;
}

static int frag_genpool(struct bpool *bp)
{
	unsigned long bytes = (unsigned long)bp->mib << 20, off = 0, n = 0, i;
	unsigned long cap = bytes / 64;
	u32 seed = BENCH_SEED, k, size;
	struct genpool_data_fixed at;
	struct bblock *b;

	b = vmalloc(cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; n < cap; i++) {
		unsigned long addr;

		bench_trace_step(&seed, &k, &size);
		size = ALIGN(size, 1U << MIN_ORDER);
		if (off + size > bytes)
			break;
		at.offset = off;
		addr = gen_pool_alloc_algo(bp->gp, size, gen_pool_fixed_alloc,
					   &at);
		if (!addr)
			break;
		b[n].addr = addr;
		b[n++].size = size;
		off += size;
		if (!(i & 4095))
			cond_resched();
	}
	/* Free the odd ones; the even ones move to the front, kept. */
	for (i = 0; i < n; i++) {
		if (i & 1)
			gen_pool_free(bp->gp, b[i].addr, b[i].size);
		else
			b[i / 2] = b[i];
	}
	bp->kept = b;
	bp->nkept = (n + 1) / 2;
	return 0;
}

static void pool_free(struct bpool *bp)
{
	unsigned long i;

	if (bp->kind == BK_RTHEAP) {
		rt_heap_delete(&bp->heap);
	} else if (bp->kind == BK_CORE || bp->kind == BK_CORELOCK) {
		kvfree(bp->mem);
	} else {
		for (i = 0; i < bp->nkept; i++)
			gen_pool_free(bp->gp, bp->kept[i].addr,
				      bp->kept[i].size);
		vfree(bp->kept);
		gen_pool_destroy(bp->gp);
		vfree(bp->mem);
	}
	kfree(bp);
}

static struct bpool *pool_get(const struct bcmd *c)
{
	unsigned long bytes = (unsigned long)c->mib << 20;
	struct bpool *bp;
	int ret;

	list_for_each_entry(bp, &bench_pools, node)
		if (bp->kind == c->kind && bp->mib == c->mib &&
		    bp->frag == c->frag)
			return bp;

	bp = kzalloc(sizeof(*bp), GFP_KERNEL);
	if (!bp)
		return ERR_PTR(-ENOMEM);
	bp->kind = c->kind;
	bp->mib = c->mib;
	bp->frag = c->frag;
	if (c->kind == BK_RTHEAP) {
		ret = rt_heap_create(&bp->heap, NULL, bytes, H_FIFO);
		if (ret) {
			kfree(bp);
			return ERR_PTR(ret);
		}
		ret = c->frag ? frag_rtheap(bp) : 0;
	} else if (c->kind == BK_CORE || c->kind == BK_CORELOCK) {
		u32 npages = bytes >> RTH_PAGE_SHIFT;
		size_t size = rth_meta_size(npages);

		raw_spin_lock_init(&bp->lock);
		bp->mem = kvzalloc(size, GFP_KERNEL);
		ret = bp->mem ? rth_init(&bp->core, npages, bp->mem, size) :
				-ENOMEM;
		if (!ret && c->frag)
			ret = frag_core(bp);
	} else {
		ret = -ENOMEM;
		bp->gp = gen_pool_create(MIN_ORDER, NUMA_NO_NODE);
		bp->mem = vmalloc(bytes);
		if (bp->gp && bp->mem)
			ret = gen_pool_add(bp->gp, (unsigned long)bp->mem,
					   bytes, NUMA_NO_NODE);
		if (!ret && c->frag)
			ret = frag_genpool(bp);
		if (ret) {
			if (bp->gp)
				gen_pool_destroy(bp->gp);
			vfree(bp->mem);
			kfree(bp);
			return ERR_PTR(ret);
		}
	}
	if (ret) {
		pool_free(bp);
		return ERR_PTR(ret);
	}
	list_add(&bp->node, &bench_pools);
	return bp;
}

static void pools_drop(void)
{
	struct bpool *bp, *tmp;

	list_for_each_entry_safe(bp, tmp, &bench_pools, node) {
		list_del(&bp->node);
		pool_free(bp);
	}
}

/* --- the timed loops -------------------------------------------------------- */

static void run_fixed(struct brun *r)
{
	size_t size = r->cmd->size;
	unsigned long flags;
	unsigned int i;
	cycles_t t0, t1;
	void *p;
	int ret;

	for (i = 0; i < WARMUP_PAIRS + r->cmd->n; i++) {
		flags = b_enter(r);
		t0 = get_cycles();
		ret = b_alloc(r, size, &p);
		if (!ret)
			b_free(r, p, size);
		t1 = get_cycles();
		b_leave(r, flags);
		if (i >= WARMUP_PAIRS) {
			r->s[r->n++] = cycles32(t0, t1);
			r->fail += !!ret;
		}
		if (!(i & 1023))
			cond_resched();
	}
}

/*
 * bulk=K: rt_heap_alloc_bulk + rt_heap_free_bulk of K blocks timed as one
 * region, n / K calls (at least 256).  The free's per-block results are
 * not asked for; a failed alloc counts in fail=, a free that left blocks
 * behind fails the run.
 */
static int run_bulk(struct brun *r)
{
	void *blocks[RT_HEAP_BULK_MAX];
	unsigned int k = r->cmd->bulk, i, calls = max(r->cmd->n / k, 256U);
	unsigned long flags;
	cycles_t t0, t1;
	int ret, left;

	for (i = 0; i < WARMUP_PAIRS + calls; i++) {
		left = 0;
		flags = b_enter(r);
		t0 = get_cycles();
		ret = rt_heap_alloc_bulk(&r->pool->heap, r->cmd->size, k, blocks);
		if (!ret)
			left = rt_heap_free_bulk(&r->pool->heap, k, blocks, NULL);
		t1 = get_cycles();
		b_leave(r, flags);
		if (left)
			return left < 0 ? left : -EIO;
		if (i >= WARMUP_PAIRS) {
			r->s[r->n++] = cycles32(t0, t1);
			r->fail += !!ret;
		}
		if (!(i & 1023))
			cond_resched();
	}
	return 0;
}

/*
 * The trace: each step frees the block in its slot, then allocates there.
 * op=pair times the step as one region, op=lat the free and the alloc
 * each on their own.  The first WARMUP_STEPS steps fill the slots, untimed.
 */
static int run_trace(struct brun *r)
{
	bool split = r->cmd->op == OP_LAT;
	unsigned long flags;
	unsigned int i, k, size;
	u32 *psize;
	void **ptr;
	cycles_t t0, t1, t2;
	void *p;
	int ret;

	ptr = kvcalloc(BENCH_SLOTS, sizeof(*ptr), GFP_KERNEL);
	psize = kvcalloc(BENCH_SLOTS, sizeof(*psize), GFP_KERNEL);
	if (!ptr || !psize) {
		kvfree(ptr);
		kvfree(psize);
		return -ENOMEM;
	}
	for (i = 0; i < WARMUP_STEPS + r->cmd->n; i++) {
		bool timed = i >= WARMUP_STEPS;

		bench_trace_step(&r->seed, &k, &size);
		if (split) {
			if (ptr[k]) {
				flags = b_enter(r);
				t0 = get_cycles();
				b_free(r, ptr[k], psize[k]);
				t1 = get_cycles();
				b_leave(r, flags);
				if (timed)
					r->s2[r->n2++] = cycles32(t0, t1);
			} else if (timed) {
				r->s2[r->n2++] = NO_SAMPLE;
			}
			flags = b_enter(r);
			t1 = get_cycles();
			ret = b_alloc(r, size, &p);
			t2 = get_cycles();
			b_leave(r, flags);
			if (timed)
				r->s[r->n++] = cycles32(t1, t2);
		} else {
			flags = b_enter(r);
			t0 = get_cycles();
			if (ptr[k])
				b_free(r, ptr[k], psize[k]);
			ret = b_alloc(r, size, &p);
			t2 = get_cycles();
			b_leave(r, flags);
			if (timed)
				r->s[r->n++] = cycles32(t0, t2);
		}
		ptr[k] = ret ? NULL : p;
		psize[k] = size;
		if (timed)
			r->fail += !!ret;
		if (!(i & 1023))
			cond_resched();
	}
	for (k = 0; k < BENCH_SLOTS; k++)
		if (ptr[k])
			b_free(r, ptr[k], psize[k]);
	kvfree(ptr);
	kvfree(psize);
	return 0;
}

/* op=calib: nothing; op=parts: one building block, interrupts off. */
static void run_calib(struct brun *r)
{
	static DEFINE_RAW_SPINLOCK(lock);
	unsigned long flags, f2;
	unsigned int i;
	cycles_t t0, t1;

	for (i = 0; i < r->cmd->n; i++) {
		local_irq_save(flags);
		t0 = get_cycles();
		if (r->cmd->op == OP_PARTS) {
			switch (r->cmd->part) {
			case PART_IRQ:
				local_irq_save(f2);
				local_irq_restore(f2);
				break;
			case PART_LOCK:
				raw_spin_lock_irqsave(&lock, f2);
				raw_spin_unlock_irqrestore(&lock, f2);
				break;
			case PART_RCU:
				rcu_read_lock();
				rcu_read_unlock();
				break;
			}
		}
		t1 = get_cycles();
		local_irq_restore(flags);
		r->s[r->n++] = cycles32(t0, t1);
		if (!(i & 1023))
			cond_resched();
	}
}

/* --- results ---------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, q in parts per million. */
static u32 quantile(const u32 *s, unsigned int n, unsigned int ppm)
{
	u64 rank = DIV_ROUND_UP_ULL((u64)ppm * n, 1000000);

	return s[rank ? rank - 1 : 0];
}

static void report(const struct bcmd *c, const char *phase, u32 *s,
		   unsigned int n, unsigned int fail)
{
	u64 sum = 0;
	unsigned int i;

	sort(s, n, sizeof(*s), cmp_u32, NULL);
	while (n && s[n - 1] == NO_SAMPLE)
		n--;
	if (!n) {
		out("phase=%s n=0\n", phase);
		return;
	}
	for (i = 0; i < n; i++)
		sum += s[i];
	out("phase=%s n=%u fail=%u p50=%u p90=%u p99=%u p999=%u p9999=%u max=%u mean=%llu%s\n",
	    phase, n, fail, quantile(s, n, 500000), quantile(s, n, 900000),
	    quantile(s, n, 990000), quantile(s, n, 999000),
	    quantile(s, n, 999900), s[n - 1], div_u64(sum, n),
	    IS_ENABLED(CONFIG_PREEMPT_RT) && c->kind == BK_KMALLOC ?
	    " irqs=on" : "");
	if (!c->curve)
		return;
	out("curve phase=%s", phase);
	for (i = 1; i <= 99; i++)
		out(" %u", quantile(s, n, i * 10000));
	out(" %u %u %u\n", quantile(s, n, 999000), quantile(s, n, 999900),
	    s[n - 1]);
}

/* --- two CPUs on one pool ----------------------------------------------------- */

/*
 * Each thread times fixed-size pairs on its own CPU and counts its pairs
 * in its own cache line.  A pair is kept only if some other thread
 * finished a pair meanwhile: on a busy host, a guest CPU is often not
 * running at all, and pairs timed then would measure no contention.
 * The first thread with n kept pairs stops them all.
 */
struct bprogress {
	unsigned long pairs;
} ____cacheline_aligned;

struct bthread {
	struct brun run;
	struct completion done;
	atomic_t *ready;
	bool *stop;
	struct bprogress *progress;	/* [nthreads] */
	unsigned int id, nthreads;
	unsigned long tried;		/* pairs timed, kept or not */
};

static unsigned long others_pairs(const struct bthread *t)
{
	unsigned long sum = 0;
	unsigned int j;

	for (j = 0; j < t->nthreads; j++)
		if (j != t->id)
			sum += READ_ONCE(t->progress[j].pairs);
	return sum;
}

static void contend_pairs(struct bthread *t)
{
	struct brun *r = &t->run;
	size_t size = r->cmd->size;
	unsigned long i, flags, before, limit = 50UL * r->cmd->n;
	cycles_t t0, t1;
	void *p;
	int ret;

	for (i = 0; i < limit && r->n < r->cmd->n && !READ_ONCE(*t->stop);
	     i++) {
		before = others_pairs(t);
		flags = b_enter(r);
		t0 = get_cycles();
		ret = b_alloc(r, size, &p);
		if (!ret)
			b_free(r, p, size);
		t1 = get_cycles();
		b_leave(r, flags);
		WRITE_ONCE(t->progress[t->id].pairs, i + 1);
		if (!(i & 1023))
			cond_resched();
		if (i < WARMUP_PAIRS)
			continue;
		t->tried++;
		if (t->nthreads > 1 && others_pairs(t) == before)
			continue;
		r->s[r->n++] = cycles32(t0, t1);
		r->fail += !!ret;
	}
	WRITE_ONCE(*t->stop, true);
}

static int contend_fn(void *data)
{
	struct bthread *t = data;

	/* Start together: every thread bound and running before any times. */
	atomic_inc(t->ready);
	while (atomic_read(t->ready) < t->nthreads)
		cpu_relax();
	contend_pairs(t);
	complete(&t->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int run_contend(const struct bcmd *c, struct bpool *pool)
{
	struct bthread *t;
	struct bprogress *progress;
	struct task_struct **task;
	atomic_t ready = ATOMIC_INIT(0);
	unsigned int i, nt = c->threads, n = 0, fail = 0;
	unsigned long tried = 0;
	bool stop = false;
	u32 *all;
	int ret = 0;

	if (!nt || nt > num_online_cpus() || !c->size)
		return -EINVAL;
	t = kcalloc(nt, sizeof(*t), GFP_KERNEL);
	task = kcalloc(nt, sizeof(*task), GFP_KERNEL);
	progress = kcalloc(nt, sizeof(*progress), GFP_KERNEL);
	all = vmalloc(array_size(nt, c->n) * sizeof(*all));
	if (!t || !task || !progress || !all) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nt; i++) {
		t[i].run.cmd = c;
		t[i].run.pool = pool;
		t[i].run.s = all + i * c->n;
		t[i].ready = &ready;
		t[i].stop = &stop;
		t[i].progress = progress;
		t[i].id = i;
		t[i].nthreads = nt;
		init_completion(&t[i].done);
		task[i] = kthread_create(contend_fn, &t[i], "rtheap_bench/%u", i);
		if (IS_ERR(task[i])) {
			ret = PTR_ERR(task[i]);
			task[i] = NULL;
			break;
		}
		kthread_bind(task[i], i);
	}
	if (ret) {
		for (i = 0; i < nt; i++)
			if (task[i])
				kthread_stop(task[i]);
		goto out;
	}
	for (i = 0; i < nt; i++)
		wake_up_process(task[i]);
	for (i = 0; i < nt; i++) {
		wait_for_completion(&t[i].done);
		kthread_stop(task[i]);
		/* Pack the samples of all threads together. */
		memmove(all + n, t[i].run.s, t[i].run.n * sizeof(*all));
		n += t[i].run.n;
		fail += t[i].run.fail;
		tried += t[i].tried;
	}
	/* The share of the timed pairs that ran alongside another CPU's. */
	out("overlap=%lu%%\n", tried ? 100 * (unsigned long)n / tried : 0);
	report(c, "pair", all, n, fail);
out:
	vfree(all);
	kfree(progress);
	kfree(task);
	kfree(t);
	return ret;
}

/* --- a free that grants a waiter ---------------------------------------------- */

/*
 * op=grant: a 1-page heap, its page held by the bench, waiters= kernel
 * threads queued for a page.  Each sample times rt_heap_free() of the
 * page with interrupts off: the free hands it to the first waiter, under
 * the heap lock, and wakes it.  That thread passes the page back without
 * freeing it and stays until kthread_stop(); a new thread queues in its
 * place, and the next sample starts once the queue is back to its depth.
 * Each sample starts a thread: keep n= small.
 */
#define GRANT_SAMPLES		200	/* op=grant without n= */
#define GRANT_WARMUP		4
#define GRANT_MAX_WAITERS	4096	/* threads op=grant may start */
#define GRANT_TIMEOUT		(60 * HZ)	/* for the queue to refill */

struct bgrant;

struct bgwaiter {
	struct bgrant *g;
	struct task_struct *task;	/* NULL: slot unused */
};

struct bgrant {
	RT_HEAP heap;
	unsigned int cpu;		/* the waiters' */
	RT_HEAP_INFO info;
	struct completion granted;	/* a waiter got the page */
	struct bgwaiter *who;		/* that waiter */
	void *block;			/* the page it got */
	atomic_t err;			/* a waiter's failure, not -EIDRM */
};

static int grant_waiter_fn(void *data)
{
	struct bgwaiter *w = data;
	struct bgrant *g = w->g;
	void *block;
	int ret;

	ret = rt_heap_alloc(&g->heap, PAGE_SIZE, TM_INFINITE, &block);
	if (!ret) {
		g->block = block;
		g->who = w;
		complete(&g->granted);
	} else if (ret != -EIDRM) {
		atomic_cmpxchg(&g->err, 0, ret);	/* -EBUSY: max_waiters */
	}
	/* w and g stay ours until kthread_stop(). */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int grant_start(struct bgrant *g, struct bgwaiter *w)
{
	struct task_struct *task;

	w->g = g;
	task = kthread_create(grant_waiter_fn, w, "rtheap_bench/g");
	if (IS_ERR(task))
		return PTR_ERR(task);
	kthread_bind(task, g->cpu);
	w->task = task;
	wake_up_process(task);
	return 0;
}

static void grant_stop(struct bgwaiter *w)
{
	if (w->task)
		kthread_stop(w->task);
	w->task = NULL;
}

/* Until depth waiters are queued; a waiter's failure ends the wait. */
static int grant_wait_depth(struct bgrant *g, unsigned int depth)
{
	unsigned long end = jiffies + GRANT_TIMEOUT;
	int ret;

	for (;;) {
		ret = rt_heap_inquire(&g->heap, &g->info);
		if (ret)
			return ret;
		if (g->info.nwaiters == depth)
			return 0;
		ret = atomic_read(&g->err);
		if (ret)
			return ret;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
}

static int run_grant(const struct bcmd *c)
{
	unsigned int i, depth = c->waiters, n = 0, fail = 0;
	struct bgwaiter *ws, *w;
	struct bgrant *g;
	unsigned long flags;
	cycles_t t0, t1;
	void *page;
	u32 *s;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	ws = kcalloc(depth, sizeof(*ws), GFP_KERNEL);
	s = vmalloc(array_size(c->n, sizeof(*s)));
	if (!g || !ws || !s) {
		ret = -ENOMEM;
		goto out_free;
	}
	init_completion(&g->granted);
	/* Every free on this CPU; the waiters on it too, or on another. */
	migrate_disable();
	g->cpu = smp_processor_id();
	if (c->remote) {
		g->cpu = cpumask_any_but(cpu_online_mask, g->cpu);
		if (g->cpu >= nr_cpu_ids) {
			ret = -EINVAL;
			goto out_cpu;
		}
	}
	ret = rt_heap_create(&g->heap, NULL, PAGE_SIZE,
			     c->prio ? H_PRIO : H_FIFO);
	if (ret)
		goto out_cpu;
	ret = rt_heap_alloc(&g->heap, PAGE_SIZE, TM_NONBLOCK, &page);
	if (ret)
		goto out;
	for (i = 0; i < depth && !ret; i++)
		ret = grant_start(g, &ws[i]);
	if (!ret)
		ret = grant_wait_depth(g, depth);

	for (i = 0; !ret && i < GRANT_WARMUP + c->n; i++) {
		reinit_completion(&g->granted);
		local_irq_save(flags);
		t0 = get_cycles();
		ret = rt_heap_free(&g->heap, page);
		t1 = get_cycles();
		local_irq_restore(flags);
		if (ret)
			break;
		/* One grant, no more: the queue is one shorter at once. */
		ret = rt_heap_inquire(&g->heap, &g->info);
		if (ret)
			break;
		if (i >= GRANT_WARMUP) {
			s[n++] = cycles32(t0, t1);
			fail += g->info.nwaiters != depth - 1;
		}
		if (!wait_for_completion_timeout(&g->granted, GRANT_TIMEOUT)) {
			ret = -ETIMEDOUT;
			break;
		}
		page = g->block;
		w = g->who;
		grant_stop(w);
		ret = grant_start(g, w);
		if (!ret)
			ret = grant_wait_depth(g, depth);
	}
out:
	/* Wakes every waiter left with -EIDRM: then each can be stopped. */
	rt_heap_delete(&g->heap);
	for (i = 0; i < depth; i++)
		grant_stop(&ws[i]);
	if (ret)
		pr_warn("op=grant waiters=%u: %d after %u samples\n", depth,
			ret, n);
	else
		report(c, "grant", s, n, fail);
out_cpu:
	migrate_enable();
out_free:
	vfree(s);
	kfree(ws);
	kfree(g);
	return ret;
}

/*
 * Fold this replay's samples (in trace order) into the per-operation
 * minima and report their quantiles; before report() sorts them.
 */
static int lat_replay(const struct bcmd *c, struct brun *r)
{
	unsigned int ph, i, n = min(r->n, r->n2);
	u32 *cur[2] = { r->s, r->s2 }, *tmp;
	static const char *const name[2] = { "alloc_min", "free_min" };

	if (c->replay == 1 || lat_min_n[c->kind] != n) {
		for (ph = 0; ph < 2; ph++) {
			vfree(lat_min[c->kind][ph]);
			lat_min[c->kind][ph] = vmalloc(array_size(n, sizeof(u32)));
			if (!lat_min[c->kind][ph])
				return -ENOMEM;
			memset(lat_min[c->kind][ph], 0xff, n * sizeof(u32));
		}
		lat_min_n[c->kind] = n;
	}
	tmp = vmalloc(array_size(n, sizeof(u32)));
	if (!tmp)
		return -ENOMEM;
	for (ph = 0; ph < 2; ph++) {
		u32 *m = lat_min[c->kind][ph];

		for (i = 0; i < n; i++)
			m[i] = min(m[i], cur[ph][i]);
		memcpy(tmp, m, n * sizeof(u32));
		report(c, name[ph], tmp, n, 0);
	}
	vfree(tmp);
	return 0;
}

static int run_cmd(const struct bcmd *c)
{
	struct brun r = { .cmd = c, .seed = BENCH_SEED };
	struct bpool *pool = NULL;
	int ret = 0;

	if (c->op == OP_DROP) {
		pools_drop();
		out("dropped\n");
		return 0;
	}
	if (c->op == OP_LAT && c->size)
		return -EINVAL;
	if (c->bulk && (c->op != OP_PAIR || c->kind != BK_RTHEAP || !c->size))
		return -EINVAL;
	if (c->op != OP_CALIB && c->op != OP_PARTS && c->op != OP_GRANT &&
	    c->kind != BK_KMALLOC) {
		pool = pool_get(c);
		if (IS_ERR(pool))
			return PTR_ERR(pool);
	}
	if (c->op == OP_CONTEND)
		return run_contend(c, pool);
	if (c->op == OP_GRANT)
		return run_grant(c);

	r.pool = pool;
	r.s = vmalloc(array_size(max(c->n, 256U), sizeof(u32)));
	r.s2 = vmalloc(array_size(max(c->n, 256U), sizeof(u32)));
	if (!r.s || !r.s2) {
		ret = -ENOMEM;
		goto out;
	}
	if (c->op == OP_CALIB || c->op == OP_PARTS)
		run_calib(&r);
	else if (c->bulk)
		ret = run_bulk(&r);
	else if (c->size)
		run_fixed(&r);
	else
		ret = run_trace(&r);
	if (ret)
		goto out;
	if (c->op == OP_LAT) {
		if (c->replay)
			ret = lat_replay(c, &r);
		report(c, "alloc", r.s, r.n, r.fail);
		report(c, "free", r.s2, r.n2, 0);
	} else if (c->op == OP_PARTS) {
		static const char *const part[] = { "irq", "lock", "rcu" };

		report(c, part[c->part], r.s, r.n, 0);
	} else {
		report(c, c->op == OP_CALIB ? "timer" : c->bulk ? "bulk" : "pair",
		       r.s, r.n, r.fail);
	}
out:
	vfree(r.s);
	vfree(r.s2);
	return ret;
}

/* --- debugfs ---------------------------------------------------------------- */

static int parse_cmd(char *line, struct bcmd *c)
{
	static const char *const ops[] = { "pair", "lat", "contend", "calib",
					   "parts", "grant", "drop" };
	static const char *const parts[] = { "irq", "lock", "rcu" };
	static const char *const modes[] = { "fifo", "prio" };
	static const char *const wakes[] = { "local", "remote" };
	char *word, *val;
	bool n_set = false;
	unsigned int v;
	int i;

	memset(c, 0, sizeof(*c));
	c->n = samples;
	c->mib = 64;
	c->threads = 2;
	c->waiters = 1;
	while ((word = strsep(&line, " \t\n")) != NULL) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(word, "op")) {
			i = match_string(ops, ARRAY_SIZE(ops), val);
			if (i < 0)
				return i;
			c->op = i;
		} else if (!strcmp(word, "alloc")) {
			i = match_string(bkind_name, ARRAY_SIZE(bkind_name), val);
			if (i < 0)
				return i;
			c->kind = i;
		} else if (!strcmp(word, "size")) {
			c->size = 0;
			if (strcmp(val, "trace")) {
				if (kstrtouint(val, 0, &v) || !v)
					return -EINVAL;
				c->size = v;
			}
		} else if (!strcmp(word, "part")) {
			i = match_string(parts, ARRAY_SIZE(parts), val);
			if (i < 0)
				return i;
			c->part = i;
		} else if (!strcmp(word, "mode")) {
			i = match_string(modes, ARRAY_SIZE(modes), val);
			if (i < 0)
				return i;
			c->prio = i;
		} else if (!strcmp(word, "wake")) {
			i = match_string(wakes, ARRAY_SIZE(wakes), val);
			if (i < 0)
				return i;
			c->remote = i;
		} else if (kstrtouint(val, 0, &v)) {
			return -EINVAL;
		} else if (!strcmp(word, "n")) {
			c->n = v;
			n_set = true;
		} else if (!strcmp(word, "heap")) {
			c->mib = v;
		} else if (!strcmp(word, "frag")) {
			c->frag = v;
		} else if (!strcmp(word, "threads")) {
			c->threads = v;
		} else if (!strcmp(word, "curve")) {
			c->curve = v;
		} else if (!strcmp(word, "replay")) {
			c->replay = v;
		} else if (!strcmp(word, "waiters")) {
			c->waiters = v;
		} else if (!strcmp(word, "bulk")) {
			if (!v || v > RT_HEAP_BULK_MAX)
				return -EINVAL;
			c->bulk = v;
		} else {
			return -EINVAL;
		}
	}
	if (c->op == OP_GRANT && !n_set)
		c->n = GRANT_SAMPLES;
	if (!c->n || c->n > 10000000 || !c->mib || c->mib > 65536 ||
	    !c->waiters || c->waiters > GRANT_MAX_WAITERS)
		return -EINVAL;
	return 0;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct bcmd c;
	char *line;
	int ret;

	if (len > 255)
		return -EINVAL;
	line = memdup_user_nul(ubuf, len);
	if (IS_ERR(line))
		return PTR_ERR(line);
	ret = parse_cmd(line, &c);
	kfree(line);
	if (ret)
		return ret;

	mutex_lock(&bench_lock);
	bench_len = 0;
	ret = run_cmd(&c);
	if (ret)
		bench_len = 0;
	mutex_unlock(&bench_lock);
	return ret ? ret : len;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, bench_out, bench_len);
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.write = bench_write,
	.read = bench_read,
	.llseek = default_llseek,
};

static int __init bench_init(void)
{
	bench_out = kzalloc(OUT_SIZE, GFP_KERNEL);
	if (!bench_out)
		return -ENOMEM;
	bench_dir = debugfs_create_dir("rtheap_bench", NULL);
	debugfs_create_file("run", 0600, bench_dir, NULL, &bench_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	int k;

	debugfs_remove_recursive(bench_dir);
	pools_drop();
	for (k = 0; k < BK_COUNT; k++) {
		vfree(lat_min[k][0]);
		vfree(lat_min[k][1]);
	}
	kfree(bench_out);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("rtheap benchmarks: rt_heap_* against kmalloc and gen_pool");
MODULE_LICENSE("GPL");
