// SPDX-License-Identifier: GPL-2.0
/*
 * t_faults - slab and page allocation failures injected into rtheap's
 * paths (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, debugfs):
 *
 * 1. Sweep.  For open, create (1, 16 and 600 pages - the last one's page
 *    array needs vmalloc -, named and anonymous, H_SHARED, H_PRIO), bind,
 *    mmap, list, alloc, free and the refault of a zapped page: fail the
 *    N-th injectable allocation of that one call (/proc/thread-self/
 *    fail-nth), for N = 1, 2, ... until the call succeeds without the
 *    fault firing (600-page creates: N in steps past the first 64).  Each
 *    attempt must return 0 or a clean -ENOMEM; afterwards nothing may be
 *    left over: /proc/rtheap and the list as before the test,
 *    /sys/module/rtheap/refcnt as before (every heap and open file pins
 *    the module), and a failed create leaves its name free (a create of
 *    the same name without injection succeeds).  A refault must read the
 *    heap's data back (the fault is retried, never a SIGBUS).
 * 2. Storm.  task-filter=Y and /proc/self/make-it-fail=1 (only this
 *    process is hit), probability 20%, interval 1, times N, space 0: a few
 *    hundred random creates, binds, mmaps, allocs and lists, each 0 or
 *    -ENOMEM, then the same leftover checks.
 * kmemleak is checked by make check-debug after the suite.
 *
 * The debugfs knobs are saved and restored; verbose=0 so the kernel log
 * stays free of injection reports.  Exit 77 (skip) without fault
 * injection (Debian's kernels).  Prints the number of faults injected.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

#define DBG		"/sys/kernel/debug/"
#define FAILSLAB	DBG "failslab/"
#define FAILPAGE	DBG "fail_page_alloc/"
#define MAX_NTH		4000

static int nth_fd = -1;
static unsigned long faults_injected, attempts, refaults_done;
static long refcnt0;
static char *proc0;

/* --- the debugfs knobs ------------------------------------------------------- */

struct knob {
	const char *path;
	char saved[64];
	bool have;
};

static struct knob knobs[] = {
	{ .path = FAILSLAB "probability" }, { .path = FAILSLAB "interval" }, { .path = FAILSLAB "times" },
	{ .path = FAILSLAB "space" }, { .path = FAILSLAB "verbose" }, { .path = FAILSLAB "task-filter" },
	{ .path = FAILSLAB "ignore-gfp-wait" }, { .path = FAILSLAB "cache-filter" },
	{ .path = FAILPAGE "probability" }, { .path = FAILPAGE "interval" }, { .path = FAILPAGE "times" },
	{ .path = FAILPAGE "space" }, { .path = FAILPAGE "verbose" }, { .path = FAILPAGE "task-filter" },
	{ .path = FAILPAGE "ignore-gfp-wait" }, { .path = FAILPAGE "ignore-gfp-highmem" },
	{ .path = FAILPAGE "min-order" },
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

static void knobs_save(void)
{
	for (size_t i = 0; i < NKNOBS; i++) {
		char *v = t_slurp(knobs[i].path);

		if (!v)
			continue;
		v[strcspn(v, "\n")] = 0;
		snprintf(knobs[i].saved, sizeof(knobs[i].saved), "%s", v);
		knobs[i].have = true;
		free(v);
	}
}

/* This process out of the storm first: its own writes may be hit. */
static void storm_off(void)
{
	for (int k = 0; k < 1000; k++)
		if (!t_file_write("/proc/self/make-it-fail", "0"))
			break;
}

static void knobs_restore(void)
{
	storm_off();
	/* Probabilities next: nothing fires while the rest is put back. */
	t_file_write(FAILSLAB "probability", "0");
	t_file_write(FAILPAGE "probability", "0");
	if (nth_fd >= 0)
		pwrite(nth_fd, "0", 1, 0);
	for (size_t i = NKNOBS; i-- > 0;)
		if (knobs[i].have)
			t_file_write(knobs[i].path, knobs[i].saved);
}

static void set(const char *path, const char *v)
{
	int ret = t_file_write(path, v);

	CHECKF(!ret, "writing %s to %s: %s", v, path, t_errname(ret));
}

/* Both attributes: quiet, every allocation a candidate, nothing armed. */
static void knobs_setup(void)
{
	static const char *const dirs[] = { FAILSLAB, FAILPAGE };

	for (int d = 0; d < 2; d++) {
		char p[128];

#define S(file, v) (snprintf(p, sizeof(p), "%s%s", dirs[d], file), set(p, v))
		S("probability", "0");
		S("verbose", "0");
		S("interval", "1");
		S("times", "-1");
		S("space", "0");
		S("task-filter", "Y");
		S("ignore-gfp-wait", "N");
#undef S
	}
	set(FAILSLAB "cache-filter", "N");
	set(FAILPAGE "ignore-gfp-highmem", "N");
	set(FAILPAGE "min-order", "0");
}

/* --- fail-nth ------------------------------------------------------------------- */

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	CHECKF(pwrite(nth_fd, buf, len, 0) == len, "fail-nth: %s", strerror(errno));
}

/* Disarm; true if the fault was injected. */
static bool disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	CHECKF(pwrite(nth_fd, "0", 1, 0) == 1, "fail-nth: %s", strerror(errno));
	CHECKF(n > 0, "fail-nth read: %s", strerror(errno));
	return atoi(buf) == 0;
}

/* --- leftovers ------------------------------------------------------------------- */

static void check_baseline(const char *what, unsigned int n)
{
	char *now = t_slurp("/proc/rtheap");
	long rc = t_module_refcnt();

	CHECKF(now && !strcmp(now, proc0), "%s, fault at allocation %u: /proc/rtheap "
	       "is not as before:\n%s\nbefore:\n%s", what, n, now ? now : "?", proc0);
	CHECKF(rc == refcnt0, "%s, fault at allocation %u: rtheap refcnt %ld, %ld "
	       "before (a heap or file reference leaked)", what, n, rc, refcnt0);
	free(now);
}

/* --- the operations under test ------------------------------------------------------ */

struct op {
	const char *what;
	/* Set up outside the injection window. */
	void (*prepare)(struct op *o);
	/* The one call injected into: 0 or -errno. */
	int (*call)(struct op *o);
	/* Undo a success, and check a failure left nothing. */
	void (*finish)(struct op *o, int ret, unsigned int n);
	uint64_t size;
	uint32_t mode;
	bool named;
	unsigned int stride_after;	/* 0: every N */
	int fd, fd2;
	char name[RTHEAP_NAMELEN];
	void *map;
	size_t map_size;
	unsigned long injected;
};

static void p_none(struct op *o)
{
	o->fd = o->fd2 = -1;
}

static int c_open(struct op *o)
{
	o->fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	return o->fd < 0 ? -errno : 0;
}

static void f_close(struct op *o, int ret, unsigned int n)
{
	(void)ret;
	if (o->fd >= 0)
		close(o->fd);
	if (o->fd2 >= 0)
		close(o->fd2);
	o->fd = o->fd2 = -1;
	check_baseline(o->what, n);
}

static void p_create(struct op *o)
{
	o->fd2 = -1;
	o->fd = t_open_dev();
	snprintf(o->name, sizeof(o->name), "%s", o->named ? t_name("fault") : "");
}

static int c_create(struct op *o)
{
	return t_raw_create(o->fd, o->name, o->size, o->mode, NULL);
}

static void f_create(struct op *o, int ret, unsigned int n)
{
	struct rtheap_inquire q;

	memset(&q, 0, sizeof(q));
	if (ret == 0) {
		CHECK_OK(t_ioctl(o->fd, RTHEAP_IOC_INQUIRE, &q));
		CHECK_EQ(q.info.heap_size, o->size);
	} else {
		/* Nothing attached, nothing registered: the name is free. */
		CHECK_RET(t_ioctl(o->fd, RTHEAP_IOC_INQUIRE, &q), -EINVAL);
		if (o->named) {
			int fd = t_open_dev();

			CHECKF(t_raw_create(fd, o->name, o->size, o->mode, NULL) == 0,
			       "%s: after a create failed (fault at allocation %u), "
			       "the name %s is not free", o->what, n, o->name);
			close(fd);
		}
	}
	f_close(o, ret, n);
}

static RT_HEAP target;	/* the heap bind, mmap, alloc... are tried on */
static char target_name[RTHEAP_NAMELEN];

static void p_bind(struct op *o)
{
	o->fd2 = -1;
	o->fd = t_open_dev();
	snprintf(o->name, sizeof(o->name), "%s", target_name);
}

static int c_bind(struct op *o)
{
	struct rtheap_bind b;

	memset(&b, 0, sizeof(b));
	strcpy(b.name, o->name);
	b.timeout = RTHEAP_TM_NONBLOCK;
	return t_ioctl(o->fd, RTHEAP_IOC_BIND, &b);
}

static void f_bind(struct op *o, int ret, unsigned int n)
{
	struct rtheap_inquire q;

	memset(&q, 0, sizeof(q));
	CHECK_RET(t_ioctl(o->fd, RTHEAP_IOC_INQUIRE, &q), ret ? -EINVAL : 0);
	close(o->fd);
	o->fd = -1;
	CHECK_EQ(t_inquire(&target).nbound, 1);
	(void)n;
}

static void p_mmap(struct op *o)
{
	p_bind(o);
	CHECK_OK(c_bind(o));
}

static int c_mmap(struct op *o)
{
	o->map = mmap(NULL, target.mapsize, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
	return o->map == MAP_FAILED ? -errno : 0;
}

static void f_mmap(struct op *o, int ret, unsigned int n)
{
	if (!ret) {
		CHECK_EQ(t_inquire(&target).nmaps, 2);
		CHECK_EQ(((uint64_t *)o->map)[1], 0x600dfa17ULL);
		munmap(o->map, target.mapsize);
	}
	CHECK_EQ(t_inquire(&target).nmaps, 1);
	close(o->fd);
	o->fd = -1;
	(void)n;
}

static int c_list(struct op *o)
{
	struct rtheap_info buf[8];
	struct rtheap_list l;

	(void)o;
	memset(&l, 0, sizeof(l));
	l.buf = (uintptr_t)buf;
	l.capacity = 8;
	return t_ioctl(target.fd, RTHEAP_IOC_LIST, &l);
}

static void f_nothing(struct op *o, int ret, unsigned int n)
{
	(void)o;
	(void)ret;
	(void)n;
}

static uint64_t alloc_off;

static int c_alloc(struct op *o)
{
	struct rtheap_alloc a;
	int ret;

	(void)o;
	memset(&a, 0, sizeof(a));
	a.size = 100;
	a.timeout = RTHEAP_TM_NONBLOCK;
	ret = t_ioctl(target.fd, RTHEAP_IOC_ALLOC, &a);
	alloc_off = a.offset;
	return ret;
}

static void f_alloc(struct op *o, int ret, unsigned int n)
{
	struct rtheap_free f;

	(void)o;
	(void)n;
	if (!ret) {
		memset(&f, 0, sizeof(f));
		f.offset = alloc_off;
		CHECK_OK(t_ioctl(target.fd, RTHEAP_IOC_FREE, &f));
	}
	CHECK_EQ(t_inquire(&target).usedmem, 0);
}

static void p_free(struct op *o)
{
	p_none(o);
	CHECK_OK(c_alloc(o));
}

static int c_free(struct op *o)
{
	struct rtheap_free f;

	(void)o;
	memset(&f, 0, sizeof(f));
	f.offset = alloc_off;
	return t_ioctl(target.fd, RTHEAP_IOC_FREE, &f);
}

static void f_free(struct op *o, int ret, unsigned int n)
{
	(void)o;
	(void)n;
	if (ret)
		CHECK_OK(c_free(o));
	CHECK_EQ(t_inquire(&target).usedmem, 0);
}

/* A zapped page of our mapping, touched: the fault path refills it. */
static void p_refault(struct op *o)
{
	p_none(o);
	((volatile uint64_t *)target.base)[513] = 0xfeedULL;
	CHECK_OK(madvise((char *)target.base + T_PAGE, T_PAGE, MADV_DONTNEED));
}

static int c_refault(struct op *o)
{
	(void)o;
	return ((volatile uint64_t *)target.base)[513] == 0xfeedULL ? 0 : -EIO;
}

static void f_refault(struct op *o, int ret, unsigned int n)
{
	(void)o;
	CHECKF(!ret, "refault with the fault at allocation %u read wrong data", n);
	refaults_done++;
}

/* --- the sweep ----------------------------------------------------------------------- */

/* One attempt with the fault at allocation n; true if it fired. */
static bool attempt(struct op *o, unsigned int n)
{
	bool fired;
	int ret;

	CHECKF(n <= MAX_NTH, "%s: still failing at allocation %u", o->what, n);
	o->prepare(o);
	arm(n);
	ret = o->call(o);
	fired = disarm();
	attempts++;
	if (fired) {
		o->injected++;
		faults_injected++;
		CHECKF(ret == 0 || ret == -ENOMEM, "%s with the fault at allocation "
		       "%u: %s, expected 0 or -ENOMEM", o->what, n, t_errname(ret));
	} else {
		CHECKF(ret == 0, "%s without a fault (fail-nth %u not reached): %s",
		       o->what, n, t_errname(ret));
	}
	o->finish(o, ret, n);
	check_baseline(o->what, n);
	return fired;
}

/*
 * N = 1, 2, ... until the call succeeds with the fault not reached; past
 * stride_after in growing steps, then bisecting for the exact count.
 */
static void sweep(struct op *o)
{
	unsigned int n = 1, last_fired = 0;

	while (attempt(o, n)) {
		last_fired = n;
		n += o->stride_after && n >= o->stride_after ? 1 + n / 8 : 1;
	}
	while (n - last_fired > 1) {
		unsigned int mid = last_fired + (n - last_fired) / 2;

		if (attempt(o, mid))
			last_fired = mid;
		else
			n = mid;
	}
	printf("t_faults: %-34s %4u injectable allocations, %lu faults injected\n",
	       o->what, last_fired, o->injected);
	fflush(stdout);
}

/* --- the storm ----------------------------------------------------------------------- */

static unsigned long storm(void)
{
	static const int times0 = 100000;
	struct t_rng rng;
	unsigned long long left = 0;
	int ops = 0;

	t_rng_seed(&rng, 42);
	set(FAILSLAB "times", "100000");
	set(FAILPAGE "times", "100000");
	set(FAILSLAB "probability", "20");
	set(FAILPAGE "probability", "20");
	/* Last: from now on this process's own calls may fail. */
	set("/proc/self/make-it-fail", "1");
	for (ops = 0; ops < 300; ops++) {
		int fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC), ret;
		struct rtheap_attach at;

		if (fd < 0) {
			CHECKF(errno == ENOMEM, "open under a fault storm: %s", strerror(errno));
			continue;
		}
		switch (t_rng_below(&rng, 4)) {
		case 0:
			ret = t_raw_create(fd, t_rng_pct(&rng, 50) ? t_name("storm") : "",
					   T_PAGE * (1 + t_rng_below(&rng, 32)),
					   t_rng_pct(&rng, 20) ? H_SHARED : 0, &at);
			CHECKF(ret == 0 || ret == -ENOMEM, "create under a storm: %s",
			       t_errname(ret));
			if (!ret) {
				void *p = mmap(NULL, at.map_size, PROT_READ | PROT_WRITE,
					       MAP_SHARED, fd, 0);

				CHECKF(p != MAP_FAILED || errno == ENOMEM,
				       "mmap under a storm: %s", strerror(errno));
				/* munmap may need memory too (maple tree nodes). */
				for (int k = 0; p != MAP_FAILED && munmap(p, at.map_size); k++)
					CHECKF(errno == ENOMEM && k < 1000,
					       "munmap under a storm: %s", strerror(errno));
			}
			break;
		case 1: {
			struct rtheap_bind b;

			memset(&b, 0, sizeof(b));
			strcpy(b.name, target_name);
			b.timeout = RTHEAP_TM_NONBLOCK;
			ret = t_ioctl(fd, RTHEAP_IOC_BIND, &b);
			CHECKF(ret == 0 || ret == -ENOMEM, "bind under a storm: %s",
			       t_errname(ret));
			break;
		}
		case 2:
			ret = c_list(NULL);
			CHECKF(ret == 0 || ret == -ENOMEM, "list under a storm: %s",
			       t_errname(ret));
			break;
		default:
			ret = c_alloc(NULL);
			CHECKF(ret == 0 || ret == -EWOULDBLOCK, "alloc under a storm: %s",
			       t_errname(ret));
			if (!ret)
				CHECK_OK(c_free(NULL));
			break;
		}
		close(fd);
	}
	storm_off();
	set(FAILSLAB "probability", "0");
	set(FAILPAGE "probability", "0");
	if (!t_file_read_ull(FAILSLAB "times", &left))
		faults_injected += times0 - left;
	{
		unsigned long long l2 = 0;

		if (!t_file_read_ull(FAILPAGE "times", &l2))
			faults_injected += times0 - l2;
		left = (times0 - left) + (times0 - l2);
	}
	check_baseline("fault storm", 0);
	return (unsigned long)left;
}

int main(void)
{
	struct op ops[] = {
		{ .what = "open /dev/rtheap", .prepare = p_none, .call = c_open,
		  .finish = f_close },
		{ .what = "create, 1 page, named", .prepare = p_create, .call = c_create,
		  .finish = f_create, .size = T_PAGE, .named = true },
		{ .what = "create, 16 pages, anonymous", .prepare = p_create,
		  .call = c_create, .finish = f_create, .size = 16 * T_PAGE },
		{ .what = "create, 16 pages, H_PRIO, named", .prepare = p_create,
		  .call = c_create, .finish = f_create, .size = 16 * T_PAGE,
		  .mode = H_PRIO, .named = true },
		{ .what = "create, 16 pages, H_SHARED, named", .prepare = p_create,
		  .call = c_create, .finish = f_create, .size = 16 * T_PAGE - 100,
		  .mode = H_SHARED, .named = true },
		{ .what = "create, 600 pages, named", .prepare = p_create,
		  .call = c_create, .finish = f_create, .size = 600 * T_PAGE,
		  .named = true, .stride_after = 64 },
		{ .what = "bind", .prepare = p_bind, .call = c_bind, .finish = f_bind },
		{ .what = "mmap", .prepare = p_mmap, .call = c_mmap, .finish = f_mmap },
		{ .what = "list", .prepare = p_none, .call = c_list, .finish = f_nothing },
		{ .what = "alloc", .prepare = p_none, .call = c_alloc, .finish = f_alloc },
		{ .what = "free", .prepare = p_free, .call = c_free, .finish = f_free },
		{ .what = "refault after MADV_DONTNEED", .prepare = p_refault,
		  .call = c_refault, .finish = f_refault },
	};
	unsigned long stormed;
	uint64_t t0 = t_now_ns();

	if (access(RTHEAP_DEVICE, F_OK))
		t_skip("no %s", RTHEAP_DEVICE);
	if (access(FAILSLAB "probability", W_OK) || access(FAILPAGE "probability", W_OK))
		t_skip("no fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, "
		       "CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs at " DBG ")");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		t_skip("no /proc/thread-self/fail-nth: %s", strerror(errno));
	knobs_save();
	atexit(knobs_restore);
	knobs_setup();

	snprintf(target_name, sizeof(target_name), "%s", t_name("fault_target"));
	CHECK_OK(rt_heap_create(&target, target_name, 8 * T_PAGE, H_FIFO));
	((uint64_t *)target.base)[1] = 0x600dfa17ULL;
	refcnt0 = t_module_refcnt();
	proc0 = t_slurp("/proc/rtheap");
	CHECK(refcnt0 > 0 && proc0);

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		sweep(&ops[i]);
	stormed = storm();
	printf("t_faults: fault storm: 300 operations, %lu faults injected\n", stormed);
	CHECK_OK(rt_heap_delete(&target));
	knobs_restore();
	printf("t_faults: %lu faults injected in %lu attempts, %.1f s; every one a clean "
	       "-ENOMEM or absorbed, nothing left over\n", faults_injected, attempts,
	       (t_now_ns() - t0) / 1e9);
	return T_EXIT_PASS;
}
