/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktest.h - KUnit, or the part of it that heap_suite.c uses, for a module
 * built where the kernel has no KUnit.
 *
 * heap_suite.c is a KUnit suite.  Built into rtheap_kunit.ko (Kbuild
 * defines RTHEAP_KUNIT) it is one; built into rtheap_selftest.ko it gets
 * the stand-in below, and selftest.c runs its cases at insmod time, each
 * in a kernel thread of its own as KUnit does, so that a failed
 * KUNIT_ASSERT_*() ends the case and nothing else.  The stand-in's
 * functions live in selftest.c.
 */
#ifndef RTHEAP_KTEST_H
#define RTHEAP_KTEST_H

#ifdef RTHEAP_KUNIT
#include <kunit/test.h>
#else
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#define KTEST_MAX_ALLOCS	4	/* kunit_kzalloc() blocks per case */

struct kunit {
	const char *name;	/* of the case */
	void *priv;
	bool failed;
	bool skipped;		/* kunit_skip(): neither passed nor failed */
	struct completion done;	/* the case's thread has finished */
	void *allocs[KTEST_MAX_ALLOCS];
	int nallocs;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;	/* ends with an empty one */
};

#define KUNIT_CASE(fn)		{ .run_case = fn, .name = #fn }

/* The suite selftest.c runs: the one heap_suite.c names. */
extern struct kunit_suite *const ktest_suite;
#define kunit_test_suite(suite)	struct kunit_suite *const ktest_suite = &(suite)

/* Memory freed after the case and its exit hook, as KUnit's is. */
void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp);

/*
 * A failed expectation: marks the case failed and logs where and what
 * (fmt, if not NULL, adds the caller's message).
 */
__printf(5, 6)
void ktest_failed(struct kunit *test, const char *file, int line,
		  const char *what, const char *fmt, ...);

/* End the case's thread: a failed assertion, or the end of the case. */
static inline void __noreturn ktest_abort(struct kunit *test)
{
	kthread_complete_and_exit(&test->done, 0);
}

#define kunit_info(test, fmt, ...)					\
	pr_info("    # %s: " fmt "\n", (test)->name, ##__VA_ARGS__)

/* The case cannot run on this kernel: say why, end it, count it skipped. */
#define kunit_skip(test, fmt, ...)					\
	do {								\
		struct kunit *__test = (test);				\
									\
		__test->skipped = true;					\
		pr_info("rtheap_selftest:   %s: skipped: " fmt "\n",	\
			__test->name, ##__VA_ARGS__);			\
		ktest_abort(__test);					\
	} while (0)

#define KUNIT_FAIL(test, fmt, ...)					\
	ktest_failed(test, __FILE__, __LINE__, "failure", fmt, ##__VA_ARGS__)

/* left op right, each evaluated once; the values are logged as numbers. */
#define KTEST_BINARY(test, stop, left, op, right, fmt, ...)		\
	do {								\
		struct kunit *__test = (test);				\
		typeof(left) __left = (left);				\
		typeof(right) __right = (right);			\
									\
		if (!(__left op __right)) {				\
			ktest_failed(__test, __FILE__, __LINE__,	\
				     #left " " #op " " #right,		\
				     fmt, ##__VA_ARGS__);		\
			pr_info("      %s == %lld, %s == %lld\n",	\
				#left, (long long)__left, #right,	\
				(long long)__right);			\
			if (stop)					\
				ktest_abort(__test);			\
		}							\
	} while (0)

#define KTEST_TRUE(test, stop, cond, what, fmt, ...)			\
	do {								\
		struct kunit *__test = (test);				\
									\
		if (!(cond)) {						\
			ktest_failed(__test, __FILE__, __LINE__, what,	\
				     fmt, ##__VA_ARGS__);		\
			if (stop)					\
				ktest_abort(__test);			\
		}							\
	} while (0)

#define KTEST_PTR_EQ(test, stop, left, right)				\
	do {								\
		struct kunit *__test = (test);				\
		const void *__left = (left), *__right = (right);	\
									\
		if (__left != __right) {				\
			ktest_failed(__test, __FILE__, __LINE__,	\
				     #left " == " #right, "%p != %p",	\
				     __left, __right);			\
			if (stop)					\
				ktest_abort(__test);			\
		}							\
	} while (0)

#define KTEST_STREQ(test, stop, left, right)				\
	do {								\
		struct kunit *__test = (test);				\
		const char *__left = (left), *__right = (right);	\
									\
		if (strcmp(__left, __right)) {				\
			ktest_failed(__test, __FILE__, __LINE__,	\
				     #left " == " #right,		\
				     "\"%s\" != \"%s\"", __left, __right); \
			if (stop)					\
				ktest_abort(__test);			\
		}							\
	} while (0)

#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, false, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, false, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, false, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, false, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, false, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_EQ(t, l, r)	KUNIT_EXPECT_EQ_MSG(t, l, r, NULL)
#define KUNIT_EXPECT_NE(t, l, r)	KUNIT_EXPECT_NE_MSG(t, l, r, NULL)
#define KUNIT_EXPECT_LT(t, l, r)	KUNIT_EXPECT_LT_MSG(t, l, r, NULL)
#define KUNIT_EXPECT_LE(t, l, r)	KUNIT_EXPECT_LE_MSG(t, l, r, NULL)
#define KUNIT_EXPECT_GE(t, l, r)	KUNIT_EXPECT_GE_MSG(t, l, r, NULL)
#define KUNIT_EXPECT_TRUE(t, c)		KTEST_TRUE(t, false, c, #c, NULL)
#define KUNIT_EXPECT_FALSE(t, c)	KTEST_TRUE(t, false, !(c), "!(" #c ")", NULL)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...)				\
	KTEST_TRUE(t, false, !(c), "!(" #c ")", fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ(t, l, r)	KTEST_PTR_EQ(t, false, l, r)
#define KUNIT_EXPECT_STREQ(t, l, r)	KTEST_STREQ(t, false, l, r)

#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...)	KTEST_BINARY(t, true, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ(t, l, r)	KUNIT_ASSERT_EQ_MSG(t, l, r, NULL)
#define KUNIT_ASSERT_LT(t, l, r)	KTEST_BINARY(t, true, l, <, r, NULL)
#define KUNIT_ASSERT_NOT_NULL(t, p)	KTEST_TRUE(t, true, (p) != NULL, #p " != NULL", NULL)
#define KUNIT_ASSERT_FALSE(t, c)	KTEST_TRUE(t, true, !(c), "!(" #c ")", NULL)

#endif /* RTHEAP_KUNIT */
#endif /* RTHEAP_KTEST_H */
