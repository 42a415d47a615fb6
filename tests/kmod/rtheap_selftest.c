// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap_selftest - drives rtheap's exported kernel API from kernel threads,
 * hard IRQ context and atomic sections, at insmod time.
 *
 * Each test logs "rtheap_selftest: PASS <name>" or "... FAIL <name>" (with
 * the failed checks, file:line, just above), then a summary
 * "rtheap_selftest: <n> passed, <n> failed".  insmod fails with -EINVAL
 * when a test failed.  Should a kernel thread of a test never come back
 * (a lost wakeup in rtheap), the module pins itself (rmmod refuses) rather
 * than free code that thread still runs; the summary says so.
 *
 * Parameters: run_tests=0 skips the tests; keep_heap=1 leaves two named
 * kernel heaps for user space to bind until rmmod (see t_kheap):
 *   "kselftest.kshared"  H_SHARED, 2 pages, owner 1000:1000, perm 0660,
 *                        "hello from the kernel" at offset 0; whatever user
 *                        space writes at offset 4096 is logged at rmmod;
 *   "kselftest.kpriv"    4 pages, default owner and permissions (root, 0600).
 */
#define pr_fmt(fmt) "rtheap_selftest: " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <uapi/linux/sched/types.h>

#include <rtheap/heap.h>

static bool run_tests = true;
module_param(run_tests, bool, 0444);
MODULE_PARM_DESC(run_tests, "run the self-tests at load time (default 1)");

static bool keep_heap;
module_param(keep_heap, bool, 0444);
MODULE_PARM_DESC(keep_heap, "leave named heaps for user space until rmmod");

#define PAGE		4096UL
#define MS		1000000ULL

static atomic_t st_failed_checks;
static bool st_stuck;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			pr_info("  rtheap_selftest.c:%d: check failed: %s\n", \
				__LINE__, #cond);			\
			atomic_inc(&st_failed_checks);			\
		}							\
	} while (0)

#define CHECK_RET(expr, want)						\
	do {								\
		long __r = (long)(expr), __w = (long)(want);		\
		if (__r != __w) {					\
			pr_info("  rtheap_selftest.c:%d: %s returned %ld, " \
				"expected %ld\n", __LINE__, #expr, __r, __w); \
			atomic_inc(&st_failed_checks);			\
		}							\
	} while (0)

#define CHECK_OK(expr)	CHECK_RET(expr, 0)

static size_t rounded(size_t size)
{
	size_t r = RTHEAP_MIN_BLOCK;

	if (size > PAGE / 2)
		return ALIGN(size, PAGE);
	while (r < size)
		r <<= 1;
	return r;
}

static RT_HEAP_INFO inquire(RT_HEAP *heap)
{
	RT_HEAP_INFO info;

	memset(&info, 0x5a, sizeof(info));
	CHECK_OK(rt_heap_inquire(heap, &info));
	return info;
}

/* Wait (up to 5 s) until n tasks wait on heap. */
static bool wait_nwaiters(RT_HEAP *heap, int n)
{
	unsigned long end = jiffies + 5 * HZ;
	RT_HEAP_INFO info;

	for (;;) {
		if (rt_heap_inquire(heap, &info))
			return false;
		if (info.nwaiters == n)
			return true;
		if (time_after(jiffies, end)) {
			pr_info("  nwaiters is %d after 5 s, expected %d\n",
				info.nwaiters, n);
			atomic_inc(&st_failed_checks);
			return false;
		}
		usleep_range(500, 1000);
	}
}

/* ---- kernel threads that wait in rt_heap_alloc ---------------------- */

struct waiter {
	struct task_struct *task;
	struct completion done;
	RT_HEAP *heap;
	size_t size;
	RTIME timeout;
	int prio;		/* SCHED_FIFO priority; 0: SCHED_NORMAL */
	bool release;		/* free the block once granted */
	int idx;
	int ret, free_ret;
	void *blk;
	s64 waited_ns;
};

static atomic_t served_count;
static int served[16];

static int waiter_main(void *arg)
{
	struct waiter *w = arg;
	ktime_t t0;

	if (w->prio) {
		struct sched_attr attr = {
			.size = sizeof(attr),
			.sched_policy = SCHED_FIFO,
			.sched_priority = w->prio,
		};

		w->ret = sched_setattr_nocheck(current, &attr);
		if (w->ret)
			goto out;
	}
	t0 = ktime_get();
	w->ret = rt_heap_alloc(w->heap, w->size, w->timeout, &w->blk);
	w->waited_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	if (!w->ret) {
		int i = atomic_inc_return(&served_count) - 1;

		if (i < ARRAY_SIZE(served))
			served[i] = w->idx;
		memset(w->blk, w->idx, w->size);
		if (w->release)
			w->free_ret = rt_heap_free(w->heap, w->blk);
	}
out:
	complete(&w->done);
	/* Park until kthread_stop(), so the task is reaped in one place. */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static bool waiter_start(struct waiter *w, RT_HEAP *heap, int idx,
			 size_t size, RTIME timeout, int prio, bool release)
{
	memset(w, 0, sizeof(*w));
	init_completion(&w->done);
	w->heap = heap;
	w->idx = idx;
	w->size = size;
	w->timeout = timeout;
	w->prio = prio;
	w->release = release;
	w->ret = 1;
	w->task = kthread_create(waiter_main, w, "rth_st_w%d", idx);
	if (IS_ERR(w->task)) {
		pr_info("  kthread_create: %ld\n", PTR_ERR(w->task));
		atomic_inc(&st_failed_checks);
		w->task = NULL;
		return false;
	}
	get_task_struct(w->task);
	wake_up_process(w->task);
	return true;
}

/* Wait for the thread's result; false if it never came (then it leaks). */
static bool waiter_join(struct waiter *w)
{
	if (!w->task)
		return false;
	if (!wait_for_completion_timeout(&w->done, 20 * HZ)) {
		pr_info("  waiter %d still blocked after 20 s\n", w->idx);
		atomic_inc(&st_failed_checks);
		st_stuck = true;
		return false;
	}
	kthread_stop(w->task);
	put_task_struct(w->task);
	w->task = NULL;
	return true;
}

/* ---- the tests ------------------------------------------------------ */

static RT_HEAP heap, heap2;	/* static: a stuck waiter may outlive a test */

static void test_create_errors(void)
{
	char longname[40];

	memset(longname, 'k', 32);
	longname[32] = 0;
	CHECK_RET(rt_heap_create(&heap, "kst.c", 0, H_FIFO), -EINVAL);
	CHECK_RET(rt_heap_create(&heap, "kst.c", SIZE_MAX, H_FIFO), -EINVAL);
	CHECK_RET(rt_heap_create(&heap, "kst.c", PAGE, 0x2), -EINVAL);
	CHECK_RET(rt_heap_create(&heap, "kst.c", PAGE, 0x80000), -EINVAL);
	CHECK_RET(rt_heap_create(&heap, longname, PAGE, H_FIFO),
		  -ENAMETOOLONG);
	CHECK_RET(rt_heap_create(&heap, "bad name", PAGE, H_FIFO), -EINVAL);
	longname[31] = 0;
	CHECK_OK(rt_heap_create(&heap, longname, PAGE, H_FIFO));
	CHECK_RET(rt_heap_create(&heap2, longname, PAGE, H_PRIO), -EEXIST);
	CHECK_OK(rt_heap_delete(&heap));
	CHECK_OK(rt_heap_create(&heap2, longname, PAGE, H_PRIO));
	CHECK_OK(rt_heap_delete(&heap2));
	/* Anonymous heaps never collide. */
	CHECK_OK(rt_heap_create(&heap, NULL, PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&heap2, "", PAGE, H_FIFO));
	CHECK_OK(rt_heap_delete(&heap));
	CHECK_OK(rt_heap_delete(&heap2));
}

static void test_bad_descriptor(void)
{
	RT_HEAP_INFO info;
	void *p;

	memset(&heap, 0, sizeof(heap));
	CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, &p), -EINVAL);
	CHECK_RET(rt_heap_free(&heap, &info), -EINVAL);
	CHECK_RET(rt_heap_inquire(&heap, &info), -EINVAL);
	CHECK_RET(rt_heap_delete(&heap), -EINVAL);
}

static void test_alloc_free(void)
{
	static const size_t sizes[] = { 1, 16, 17, 100, 500, 2048, 2049,
					5000, 8192 };
	void *blk[ARRAY_SIZE(sizes)], *p, *all;
	RT_HEAP_INFO info;
	size_t used = 0;
	int i;

	CHECK_OK(rt_heap_create(&heap, "kst.alloc", 16 * PAGE, H_FIFO));
	info = inquire(&heap);
	CHECK(info.heapsize == 16 * PAGE);
	CHECK(info.usablemem >= 16 * PAGE);
	CHECK(info.usedmem == 0);
	CHECK(info.nwaiters == 0);
	CHECK(info.mode == H_FIFO);
	CHECK(info.cpid == 0);
	CHECK(info.uid == 0);
	CHECK(info.perm == 0600);
	CHECK(!strcmp(info.name, "kst.alloc"));
	CHECK(info.largestfree == info.usablemem);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		CHECK_OK(rt_heap_alloc(&heap, sizes[i], TM_NONBLOCK, &blk[i]));
		CHECK(IS_ALIGNED((unsigned long)blk[i], 16));
		memset(blk[i], i + 1, sizes[i]);
		used += rounded(sizes[i]);
		CHECK(inquire(&heap).usedmem == used);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		CHECK(((u8 *)blk[i])[sizes[i] - 1] == i + 1);

	CHECK_RET(rt_heap_alloc(&heap, 0, TM_NONBLOCK, &p), -EINVAL);
	CHECK_RET(rt_heap_alloc(&heap, info.usablemem + 1, TM_NONBLOCK, &p),
		  -EINVAL);
	CHECK_RET(rt_heap_alloc(&heap, SIZE_MAX, TM_INFINITE, &p), -EINVAL);
	CHECK_RET(rt_heap_free(&heap, NULL), -EINVAL);
	CHECK_RET(rt_heap_free(&heap, (char *)blk[3] + 16), -EINVAL);
	CHECK_RET(rt_heap_free(&heap, (char *)blk[8] + PAGE), -EINVAL);
	CHECK_RET(rt_heap_free(&heap, &info), -EINVAL);
	CHECK(inquire(&heap).usedmem == used);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		CHECK_OK(rt_heap_free(&heap, blk[i]));
		CHECK_RET(rt_heap_free(&heap, blk[i]), -EINVAL);
	}
	info = inquire(&heap);
	CHECK(info.usedmem == 0);
	for (i = 0; i < RTHEAP_NR_CLASSES; i++)
		CHECK(info.class_blocks[i] == 0);

	CHECK_OK(rt_heap_alloc(&heap, info.usablemem, TM_NONBLOCK, &all));
	CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, &p), -EWOULDBLOCK);
	CHECK(inquire(&heap).largestfree == 0);
	CHECK_OK(rt_heap_free(&heap, all));

	/* Owner and permissions user space will see. */
	CHECK_OK(rt_heap_set_owner(&heap, KUIDT_INIT(1000), KGIDT_INIT(1000),
				   0640));
	info = inquire(&heap);
	CHECK(info.uid == 1000 && info.gid == 1000 && info.perm == 0640);
	CHECK_OK(rt_heap_delete(&heap));
}

static void test_woken_by_free(void)
{
	struct waiter w;
	void *p, *q;

	CHECK_OK(rt_heap_create(&heap, "kst.wake", PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	if (!waiter_start(&w, &heap, 0, PAGE, TM_INFINITE, 0, false))
		goto out;
	if (wait_nwaiters(&heap, 1)) {
		CHECK(w.ret == 1);
		CHECK_OK(rt_heap_free(&heap, p));
		/* Handed over inside the free: not ours to take. */
		CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, &q),
			  -EWOULDBLOCK);
	} else {
		rt_heap_free(&heap, p);
	}
	if (waiter_join(&w)) {
		CHECK_OK(w.ret);
		CHECK(w.blk == p);
		CHECK(inquire(&heap).usedmem == PAGE);
		CHECK(inquire(&heap).nwaiters == 0);
		CHECK_OK(rt_heap_free(&heap, w.blk));
	}
out:
	if (!st_stuck)
		CHECK_OK(rt_heap_delete(&heap));
}

static void test_timeouts(void)
{
	static const RTIME rel[] = { 1 * MS, 10 * MS, 50 * MS };
	ktime_t t0;
	s64 waited;
	u64 deadline, now;
	void *p, *q;
	int i;

	CHECK_OK(rt_heap_create(&heap, "kst.timeout", PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	for (i = 0; i < ARRAY_SIZE(rel); i++) {
		t0 = ktime_get();
		CHECK_RET(rt_heap_alloc(&heap, 16, rel[i], &q), -ETIMEDOUT);
		waited = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (waited < rel[i]) {
			pr_info("  timeout of %llu ns expired after %lld ns\n",
				rel[i], waited);
			atomic_inc(&st_failed_checks);
		}
		CHECK(inquire(&heap).nwaiters == 0);
	}

	deadline = ktime_get_ns() + 20 * MS;
	CHECK_RET(rt_heap_alloc_until(&heap, 16, deadline, &q), -ETIMEDOUT);
	now = ktime_get_ns();
	if (now < deadline) {
		pr_info("  alloc_until returned %llu ns before its deadline\n",
			deadline - now);
		atomic_inc(&st_failed_checks);
	}
	t0 = ktime_get();
	CHECK_RET(rt_heap_alloc_until(&heap, 16, 1, &q), -ETIMEDOUT);
	CHECK(ktime_to_ms(ktime_sub(ktime_get(), t0)) < 1000);

	/* A waiter thread times out too, and is counted while it waits. */
	{
		struct waiter w;

		if (waiter_start(&w, &heap, 0, 16, 200 * MS, 0, false)) {
			wait_nwaiters(&heap, 1);
			if (waiter_join(&w)) {
				CHECK_RET(w.ret, -ETIMEDOUT);
				CHECK(w.waited_ns >= 200 * MS);
			}
		}
	}
	CHECK(inquire(&heap).nwaiters == 0);
	CHECK_OK(rt_heap_free(&heap, p));
	/* With room, any timeout succeeds at once. */
	CHECK_OK(rt_heap_alloc(&heap, PAGE, 1, &p));
	CHECK_OK(rt_heap_free(&heap, p));
	if (!st_stuck)
		CHECK_OK(rt_heap_delete(&heap));
}

static void test_delete_wakes(void)
{
	struct waiter w[3];
	void *p;
	int i;

	CHECK_OK(rt_heap_create(&heap, "kst.delete", PAGE, H_PRIO));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	waiter_start(&w[0], &heap, 0, 64, TM_INFINITE, 0, false);
	waiter_start(&w[1], &heap, 1, PAGE, 60000 * MS, 0, false);
	waiter_start(&w[2], &heap, 2, 16, TM_INFINITE, 20, false);
	wait_nwaiters(&heap, 3);
	CHECK_OK(rt_heap_delete(&heap));
	for (i = 0; i < 3; i++)
		if (waiter_join(&w[i]))
			CHECK_RET(w[i].ret, -EIDRM);

	/* The handle of a deleted heap: -EIDRM, whatever the call. */
	{
		RT_HEAP_INFO info;
		void *q;

		CHECK_RET(rt_heap_delete(&heap), -EIDRM);
		CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, &q), -EIDRM);
		CHECK_RET(rt_heap_alloc(&heap, 16, TM_INFINITE, &q), -EIDRM);
		CHECK_RET(rt_heap_free(&heap, p), -EIDRM);
		CHECK_RET(rt_heap_inquire(&heap, &info), -EIDRM);
	}
}

/*
 * Waiters of distinct priorities arrive low first; one free starts a chain
 * of grants, each waiter freeing its block for the next.
 */
static void run_order(int mode, const int *prios, int n, const int *expect)
{
	struct waiter w[8];
	void *p;
	int i;

	atomic_set(&served_count, 0);
	CHECK_OK(rt_heap_create(&heap, "kst.order", PAGE, mode));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	for (i = 0; i < n; i++) {
		waiter_start(&w[i], &heap, i, PAGE, TM_INFINITE, prios[i],
			     true);
		wait_nwaiters(&heap, i + 1);
	}
	CHECK_OK(rt_heap_free(&heap, p));
	for (i = 0; i < n; i++)
		if (waiter_join(&w[i])) {
			CHECK_OK(w[i].ret);
			CHECK_OK(w[i].free_ret);
		}
	CHECK(atomic_read(&served_count) == n);
	for (i = 0; i < n && i < atomic_read(&served_count); i++)
		if (served[i] != expect[i]) {
			pr_info("  %s: grant #%d went to waiter %d (prio %d), expected waiter %d (prio %d)\n",
				mode & H_PRIO ? "H_PRIO" : "H_FIFO", i,
				served[i], prios[served[i]], expect[i],
				prios[expect[i]]);
			atomic_inc(&st_failed_checks);
		}
	if (!st_stuck) {
		CHECK(inquire(&heap).usedmem == 0);
		CHECK_OK(rt_heap_delete(&heap));
	}
}

static const int order_prios[] = { 10, 30, 20, 40, 20 };

static void test_prio_order(void)
{
	static const int by_prio[] = { 3, 1, 2, 4, 0 };

	run_order(H_PRIO, order_prios, 5, by_prio);
}

static void test_fifo_order(void)
{
	static const int arrival[] = { 0, 1, 2, 3, 4 };

	run_order(H_FIFO, order_prios, 5, arrival);
}

/* A free grants every waiter that fits, passing over those that do not. */
static void test_pass_over(void)
{
	struct waiter w0, w1;
	void *a, *b;

	CHECK_OK(rt_heap_create(&heap, "kst.passover", 2 * PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &b));
	waiter_start(&w0, &heap, 0, 2 * PAGE, 10000 * MS, 0, false);
	wait_nwaiters(&heap, 1);
	waiter_start(&w1, &heap, 1, PAGE, 10000 * MS, 0, false);
	wait_nwaiters(&heap, 2);

	CHECK_OK(rt_heap_free(&heap, a));
	if (waiter_join(&w1)) {
		CHECK_OK(w1.ret);
		CHECK(w1.blk == a);
		CHECK(inquire(&heap).nwaiters == 1);
		CHECK(!completion_done(&w0.done));
		/* One page free again: still not enough for w0. */
		CHECK_OK(rt_heap_free(&heap, w1.blk));
		msleep(20);
		CHECK(!completion_done(&w0.done));
	}
	CHECK_OK(rt_heap_free(&heap, b));
	if (waiter_join(&w0)) {
		CHECK_OK(w0.ret);
		CHECK(inquire(&heap).usedmem == 2 * PAGE);
		CHECK_OK(rt_heap_free(&heap, w0.blk));
	}
	if (!st_stuck)
		CHECK_OK(rt_heap_delete(&heap));
}

/* ---- hard IRQ context ----------------------------------------------- */

enum irq_op { IRQ_ALLOC_FREE, IRQ_ALLOC_FULL, IRQ_FREE, IRQ_FORBIDDEN };

static struct irq_test {
	struct hrtimer timer;
	struct completion done;
	enum irq_op op;
	void *blk;
	bool hardirq;
	int ret[4];
} irqt;

static enum hrtimer_restart irq_fn(struct hrtimer *timer)
{
	RT_HEAP tmp;
	void *p = NULL;

	irqt.hardirq = in_hardirq() && irqs_disabled();
	switch (irqt.op) {
	case IRQ_ALLOC_FREE:
		irqt.ret[0] = rt_heap_alloc(&heap, 100, TM_NONBLOCK, &p);
		if (!irqt.ret[0]) {
			memset(p, 0xa5, 100);
			irqt.ret[1] = rt_heap_free(&heap, p);
			irqt.ret[3] = rt_heap_free(&heap, p);	/* double */
		}
		irqt.ret[2] = rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &irqt.blk);
		break;
	case IRQ_ALLOC_FULL:
		irqt.ret[0] = rt_heap_alloc(&heap, 16, TM_NONBLOCK, &p);
		break;
	case IRQ_FREE:
		irqt.ret[0] = rt_heap_free(&heap, irqt.blk);
		break;
	case IRQ_FORBIDDEN:
		irqt.ret[0] = rt_heap_alloc(&heap, 16, TM_INFINITE, &p);
		irqt.ret[1] = rt_heap_alloc(&heap, 16, 5 * MS, &p);
		irqt.ret[2] = rt_heap_create(&tmp, NULL, PAGE, H_FIFO);
		if (!irqt.ret[2])
			heap2 = tmp;	/* deleted in process context */
		break;
	}
	complete(&irqt.done);
	return HRTIMER_NORESTART;
}

static bool in_irq_run(enum irq_op op)
{
	irqt.op = op;
	irqt.hardirq = false;
	memset(irqt.ret, 0x7f, sizeof(irqt.ret));
	reinit_completion(&irqt.done);
	hrtimer_start(&irqt.timer, ns_to_ktime(100000), HRTIMER_MODE_REL_HARD);
	if (!wait_for_completion_timeout(&irqt.done, 5 * HZ)) {
		hrtimer_cancel(&irqt.timer);
		pr_info("  hrtimer callback did not run in 5 s\n");
		atomic_inc(&st_failed_checks);
		return false;
	}
	CHECK(irqt.hardirq);
	return true;
}

static void test_hardirq(void)
{
	struct waiter w;
	void *p;

	hrtimer_init(&irqt.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irqt.timer.function = irq_fn;
	init_completion(&irqt.done);

	CHECK_OK(rt_heap_create(&heap, "kst.irq", 2 * PAGE, H_FIFO));
	if (in_irq_run(IRQ_ALLOC_FREE)) {
		CHECK_OK(irqt.ret[0]);
		CHECK_OK(irqt.ret[1]);
		CHECK_OK(irqt.ret[2]);
		CHECK_RET(irqt.ret[3], -EINVAL);
	}
	/* Fill the rest from process context: the IRQ finds no room. */
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	if (in_irq_run(IRQ_ALLOC_FULL))
		CHECK_RET(irqt.ret[0], -EWOULDBLOCK);
	/* Blocking calls and create are refused in hard IRQ context. */
	if (in_irq_run(IRQ_FORBIDDEN)) {
		CHECK_RET(irqt.ret[0], -EPERM);
		CHECK_RET(irqt.ret[1], -EPERM);
		CHECK_RET(irqt.ret[2], -EPERM);
		if (!irqt.ret[2])
			rt_heap_delete(&heap2);
	}
	CHECK(inquire(&heap).nwaiters == 0);

	/* A free in hard IRQ context hands the page to a waiting thread. */
	if (waiter_start(&w, &heap, 0, PAGE, TM_INFINITE, 0, false)) {
		wait_nwaiters(&heap, 1);
		if (in_irq_run(IRQ_FREE))
			CHECK_OK(irqt.ret[0]);
		if (waiter_join(&w)) {
			CHECK_OK(w.ret);
			CHECK(w.blk == irqt.blk);
			CHECK_OK(rt_heap_free(&heap, w.blk));
		}
	}
	CHECK_OK(rt_heap_free(&heap, p));
	if (!st_stuck) {
		CHECK(inquire(&heap).usedmem == 0);
		CHECK_OK(rt_heap_delete(&heap));
	}
}

/* ---- atomic sections in process context ----------------------------- */

static DEFINE_RAW_SPINLOCK(st_lock);

static void test_atomic(void)
{
	unsigned long flags;
	int r_alloc, r_free, r_full, r_block, r_timed, r_create, r_pcreate,
	    r_pblock, r_delete;
	void *p = NULL, *q, *full;
	RT_HEAP tmp, tmp2;

	CHECK_OK(rt_heap_create(&heap, "kst.atomic", 2 * PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &full));

	raw_spin_lock_irqsave(&st_lock, flags);
	r_alloc = rt_heap_alloc(&heap, 200, TM_NONBLOCK, &p);
	r_free = r_alloc ? -1 : rt_heap_free(&heap, p);
	r_full = rt_heap_alloc(&heap, 2 * PAGE, TM_NONBLOCK, &q);
	r_create = rt_heap_create(&tmp, NULL, PAGE, H_FIFO);
	raw_spin_unlock_irqrestore(&st_lock, flags);
	CHECK_OK(r_alloc);
	CHECK_OK(r_free);
	CHECK_RET(r_full, -EWOULDBLOCK);
	CHECK_RET(r_create, -EPERM);
	if (!r_create)
		rt_heap_delete(&tmp);

	/* Heap full: a blocking alloc would sleep, which it must not. */
	CHECK_OK(rt_heap_alloc(&heap, PAGE, TM_NONBLOCK, &p));
	raw_spin_lock_irqsave(&st_lock, flags);
	r_block = rt_heap_alloc(&heap, 16, TM_INFINITE, &q);
	r_timed = rt_heap_alloc(&heap, 16, 10 * MS, &q);
	r_delete = rt_heap_delete(&heap);	/* frees memory: not here */
	raw_spin_unlock_irqrestore(&st_lock, flags);
	CHECK_RET(r_block, -EPERM);
	CHECK_RET(r_timed, -EPERM);
	CHECK_RET(r_delete, -EPERM);
	CHECK(inquire(&heap).usedmem == 2 * PAGE);

	/* Preemption disabled alone is atomic too. */
	preempt_disable();
	r_pblock = rt_heap_alloc(&heap, 16, TM_INFINITE, &q);
	r_pcreate = rt_heap_create(&tmp2, NULL, PAGE, H_FIFO);
	preempt_enable();
	CHECK_RET(r_pblock, -EPERM);
	CHECK_RET(r_pcreate, -EPERM);
	if (!r_pcreate)
		rt_heap_delete(&tmp2);

	CHECK(inquire(&heap).nwaiters == 0);
	CHECK_OK(rt_heap_free(&heap, p));
	CHECK_OK(rt_heap_free(&heap, full));
	CHECK(inquire(&heap).usedmem == 0);
	CHECK_OK(rt_heap_delete(&heap));
}

static void test_shared(void)
{
	u8 *seg, *again;
	size_t i;
	bool zero = true;

	CHECK_OK(rt_heap_create(&heap, "kst.shared", 3 * PAGE, H_SHARED));
	CHECK(inquire(&heap).mode == H_SHARED);
	CHECK_OK(rt_heap_alloc(&heap, 0, TM_NONBLOCK, (void **)&seg));
	for (i = 0; i < 3 * PAGE; i++)
		zero &= !seg[i];
	CHECK(zero);
	memset(seg, 0x3c, 3 * PAGE);
	CHECK_OK(rt_heap_alloc(&heap, 3 * PAGE, TM_INFINITE, (void **)&again));
	CHECK(again == seg);
	CHECK_OK(rt_heap_alloc(&heap, 0, 10 * MS, (void **)&again));
	CHECK(again == seg);
	CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, (void **)&again),
		  -EINVAL);
	CHECK_RET(rt_heap_alloc(&heap, 3 * PAGE + 1, TM_NONBLOCK,
				(void **)&again), -EINVAL);
	CHECK_OK(rt_heap_free(&heap, seg));
	CHECK_OK(rt_heap_free(&heap, seg));
	CHECK(seg[3 * PAGE - 1] == 0x3c);
	CHECK(inquire(&heap).nwaiters == 0);
	CHECK_OK(rt_heap_delete(&heap));
}

/* Many kernel threads hammering one heap with non-blocking calls. */
#define HAMMER_THREADS	4
#define HAMMER_ITERS	20000

static u32 seed_tag(int idx, int slot)
{
	return 0xb7000000u | (idx << 8) | slot;
}

struct hammer {
	struct task_struct *task;
	struct completion done;
	int idx;
	int errors;
};

static int hammer_main(void *arg)
{
	struct hammer *hm = arg;
	void *slot[32] = { NULL };
	u32 seed = 0x9e3779b9 * (hm->idx + 1);
	int i;

	for (i = 0; i < HAMMER_ITERS; i++) {
		int s;

		seed = seed * 1664525 + 1013904223;
		s = (seed >> 8) % ARRAY_SIZE(slot);
		if (slot[s]) {
			if (*(u32 *)slot[s] != seed_tag(hm->idx, s) ||
			    rt_heap_free(&heap, slot[s]))
				hm->errors++;
			slot[s] = NULL;
		} else {
			size_t size = 16 + (seed >> 16) % 3000;
			int ret = rt_heap_alloc(&heap, size, TM_NONBLOCK,
						&slot[s]);

			if (ret == -EWOULDBLOCK)
				slot[s] = NULL;
			else if (ret)
				hm->errors++;
			else
				*(u32 *)slot[s] = seed_tag(hm->idx, s);
		}
		if (!(i & 255))
			cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(slot); i++)
		if (slot[i] && rt_heap_free(&heap, slot[i]))
			hm->errors++;
	complete(&hm->done);
	return 0;
}

static void test_threads_hammer(void)
{
	struct hammer hm[HAMMER_THREADS];
	RT_HEAP_INFO info;
	int i;

	CHECK_OK(rt_heap_create(&heap, "kst.hammer", 64 * PAGE, H_FIFO));
	for (i = 0; i < HAMMER_THREADS; i++) {
		hm[i].idx = i;
		hm[i].errors = 0;
		init_completion(&hm[i].done);
		hm[i].task = kthread_create(hammer_main, &hm[i], "rth_st_h%d",
					    i);
		if (IS_ERR(hm[i].task)) {
			hm[i].task = NULL;
			atomic_inc(&st_failed_checks);
			continue;
		}
		get_task_struct(hm[i].task);
		wake_up_process(hm[i].task);
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		if (!hm[i].task)
			continue;
		if (!wait_for_completion_timeout(&hm[i].done, 60 * HZ)) {
			pr_info("  hammer thread %d did not finish\n", i);
			atomic_inc(&st_failed_checks);
			st_stuck = true;
			continue;
		}
		kthread_stop(hm[i].task);
		put_task_struct(hm[i].task);
		if (hm[i].errors) {
			pr_info("  hammer thread %d: %d errors\n", i,
				hm[i].errors);
			atomic_inc(&st_failed_checks);
		}
	}
	if (st_stuck)
		return;
	info = inquire(&heap);
	CHECK(info.usedmem == 0);
	CHECK(info.largestfree == info.usablemem);
	CHECK_OK(rt_heap_delete(&heap));
}

/* ---- the runner ----------------------------------------------------- */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "create_errors", test_create_errors },
	{ "bad_descriptor", test_bad_descriptor },
	{ "alloc_free", test_alloc_free },
	{ "woken_by_free", test_woken_by_free },
	{ "timeouts", test_timeouts },
	{ "delete_wakes_waiters", test_delete_wakes },
	{ "prio_order", test_prio_order },
	{ "fifo_order", test_fifo_order },
	{ "pass_over", test_pass_over },
	{ "hardirq", test_hardirq },
	{ "atomic_context", test_atomic },
	{ "shared", test_shared },
	{ "threads_hammer", test_threads_hammer },
};

static RT_HEAP kshared, kpriv;
static bool kept;

static int keep_heaps(void)
{
	char *seg;
	int ret;

	ret = rt_heap_create(&kshared, "kselftest.kshared", 2 * PAGE,
			     H_SHARED);
	if (ret)
		return ret;
	ret = rt_heap_set_owner(&kshared, KUIDT_INIT(1000), KGIDT_INIT(1000),
				0660);
	if (!ret)
		ret = rt_heap_alloc(&kshared, 0, TM_NONBLOCK, (void **)&seg);
	if (ret) {
		rt_heap_delete(&kshared);
		return ret;
	}
	strcpy(seg, "hello from the kernel");
	ret = rt_heap_create(&kpriv, "kselftest.kpriv", 4 * PAGE, H_FIFO);
	if (ret) {
		rt_heap_delete(&kshared);
		return ret;
	}
	kept = true;
	pr_info("kept heaps kselftest.kshared and kselftest.kpriv\n");
	return 0;
}

static int __init rtheap_selftest_init(void)
{
	int npass = 0, nfail = 0, i;

	if (run_tests) {
		for (i = 0; i < ARRAY_SIZE(tests); i++) {
			int before = atomic_read(&st_failed_checks);

			tests[i].fn();
			if (atomic_read(&st_failed_checks) == before) {
				npass++;
				pr_info("PASS %s\n", tests[i].name);
			} else {
				nfail++;
				pr_info("FAIL %s\n", tests[i].name);
			}
			if (st_stuck) {
				pr_info("a test thread is stuck in rtheap; "
					"stopping, module pinned\n");
				break;
			}
		}
		pr_info("%d passed, %d failed\n", npass, nfail);
	}
	if (st_stuck) {
		/* Threads still run our code: never unload. */
		__module_get(THIS_MODULE);
		return 0;
	}
	if (nfail)
		return -EINVAL;
	if (keep_heap)
		return keep_heaps();
	return 0;
}

static void __exit rtheap_selftest_exit(void)
{
	void *seg;

	if (!kept)
		return;
	if (!rt_heap_alloc(&kshared, 0, TM_NONBLOCK, &seg))
		pr_info("kshared reply: \"%.40s\"\n", (char *)seg + PAGE);
	rt_heap_delete(&kpriv);
	rt_heap_delete(&kshared);
}

module_init(rtheap_selftest_init);
module_exit(rtheap_selftest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rtheap kernel API self-test");
