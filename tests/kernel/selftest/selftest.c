// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap_selftest - runs heap_suite.c's cases (rtheap's exported kernel
 * API from kernel threads, hard IRQ context and atomic sections) at insmod
 * time, on kernels without KUnit: the runner and the stand-in of ktest.h.
 *
 * Each case runs in a kernel thread of its own (a failed assertion ends
 * that thread), then the suite's exit hook; it logs "rtheap_selftest: PASS
 * <name>", "... FAIL <name>" (with the failed checks, file:line, just
 * above) or "... SKIP <name>" (a case that cannot run on this kernel,
 * kunit_skip(), its reason above), then a summary "rtheap_selftest: <n>
 * passed, <n> failed, <n> skipped".  insmod
 * fails with -EINVAL when a case failed.  Should a case's thread never come
 * back (a lost wakeup in rtheap), the module pins itself (rmmod refuses)
 * rather than free code that thread still runs; the log says "stuck".
 *
 * Parameters: run_tests=0 skips the tests; keep_heap=1 leaves two named
 * kernel heaps for user space to bind until rmmod (see t_kheap):
 *   "kselftest.kshared"  H_SHARED, 2 pages, owner 1000:1000, perm 0660,
 *                        "hello from the kernel" at offset 0; whatever user
 *                        space writes at offset PAGE_SIZE is logged at rmmod;
 *   "kselftest.kpriv"    4 pages, default owner and permissions (root, 0600).
 */
#define pr_fmt(fmt) "rtheap_selftest: " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <rtheap/heap.h>

#include "ktest.h"

static bool run_tests = true;
module_param(run_tests, bool, 0444);
MODULE_PARM_DESC(run_tests, "run the self-tests at load time (default 1)");

static bool keep_heap;
module_param(keep_heap, bool, 0444);
MODULE_PARM_DESC(keep_heap, "leave named heaps for user space until rmmod");

#define PAGE		PAGE_SIZE
#define CASE_TIMEOUT	(150 * HZ)	/* a case's thread must be done by then */

/* ---- the stand-in for KUnit (ktest.h) ------------------------------- */

void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p;

	if (test->nallocs == KTEST_MAX_ALLOCS)
		return NULL;
	p = kzalloc(size, gfp);
	if (p)
		test->allocs[test->nallocs++] = p;
	return p;
}

void ktest_failed(struct kunit *test, const char *file, int line,
		  const char *what, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	test->failed = true;
	pr_info("  %s:%d: %s: check failed: %s\n", kbasename(file), line,
		test->name, what);
	if (!fmt)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("    %pV\n", &vaf);
	va_end(args);
}

/* ---- the runner ----------------------------------------------------- */

struct case_run {
	struct kunit test;
	const struct kunit_case *c;
	bool inited;		/* the suite's init succeeded: run its exit */
};

static int case_thread(void *arg)
{
	struct case_run *run = arg;
	struct kunit *test = &run->test;

	if (ktest_suite->init && ktest_suite->init(test)) {
		ktest_failed(test, __FILE__, __LINE__, "the suite's init", NULL);
		ktest_abort(test);
	}
	run->inited = true;
	run->c->run_case(test);
	ktest_abort(test);	/* done: not a failure */
}

/*
 * Run one case; false if its thread is stuck (then its state is leaked:
 * the thread may still use it).
 */
static bool run_case(const struct kunit_case *c, bool *failed, bool *skipped)
{
	struct case_run *run = kzalloc(sizeof(*run), GFP_KERNEL);
	struct kunit *test;
	struct task_struct *t;
	int i;

	*failed = true;
	*skipped = false;
	if (!run)
		return true;
	run->c = c;
	test = &run->test;
	test->name = c->name;
	init_completion(&test->done);
	t = kthread_run(case_thread, run, "rth_st_%s", c->name);
	if (IS_ERR(t)) {
		pr_info("  %s: kthread_run: %ld\n", c->name, PTR_ERR(t));
		kfree(run);
		return true;
	}
	if (!wait_for_completion_timeout(&test->done, CASE_TIMEOUT)) {
		pr_info("  %s: still running after %d s: stuck\n", c->name,
			CASE_TIMEOUT / HZ);
		return false;
	}
	if (ktest_suite->exit && run->inited)
		ktest_suite->exit(test);
	*failed = test->failed;
	*skipped = test->skipped && !test->failed;
	for (i = 0; i < test->nallocs; i++)
		kfree(test->allocs[i]);
	kfree(run);
	return true;
}

/* ---- heaps left for user space (keep_heap=1) ------------------------ */

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
	/* Init holds a reference of its own: count the ones cases take. */
	int refs = module_refcount(THIS_MODULE);
	const struct kunit_case *c;
	int npass = 0, nfail = 0, nskip = 0;
	bool failed, skipped;

	if (run_tests) {
		for (c = ktest_suite->test_cases; c->run_case; c++) {
			if (!run_case(c, &failed, &skipped)) {
				pr_info("FAIL %s\n", c->name);
				pr_info("a test thread is stuck in rtheap; stopping, module pinned\n");
				pr_info("%d passed, %d failed, %d skipped\n", npass,
					nfail + 1, nskip);
				/* Threads still run our code: never unload. */
				__module_get(THIS_MODULE);
				return 0;
			}
			if (failed) {
				nfail++;
				pr_info("FAIL %s\n", c->name);
			} else if (skipped) {
				nskip++;
				pr_info("SKIP %s\n", c->name);
			} else {
				npass++;
				pr_info("PASS %s\n", c->name);
			}
		}
		pr_info("%d passed, %d failed, %d skipped\n", npass, nfail,
			nskip);
	}
	/* A case pinned the module: one of its threads still runs our code. */
	if (module_refcount(THIS_MODULE) > refs) {
		pr_info("a test thread is stuck in rtheap; module pinned\n");
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
MODULE_DESCRIPTION("rtheap kernel API self-test: heap_suite.c's cases at insmod");
