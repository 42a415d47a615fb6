/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap guest tests - shared helpers.
 *
 * Every test is a standalone program: exit 0 pass, 1 fail, 77 skip.
 * A failed check prints file:line and what was expected, then exits 1;
 * the heaps a test created go away with its open files.  The hardening
 * programs (tests/guest/hardening/) use the same helpers: their random numbers,
 * kernel-pointer scans and /proc/rtheap rows are here too.
 */
#ifndef RTHEAP_TCOMMON_H
#define RTHEAP_TCOMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <rtheap/heap.h>

#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

/*
 * The page size, the granule of heap sizes: the kernel's, 4, 16 or 64 KiB
 * (a run-time value: not for enums, case labels or static arrays).
 */
#define T_PAGE		t_page()
#define T_PAGE_MAX	65536UL	/* for arrays sized by the page */

unsigned long t_page(void);
/* The "negative" size_t: 1 << 63 on 64-bit, 1 << 31 on 32-bit builds. */
#define SIZE_TOP_BIT	((size_t)1 << (sizeof(size_t) * 8 - 1))

void t_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void t_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void t_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define T_FAIL(...)	t_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			T_FAIL("check failed: %s", #cond);		\
	} while (0)

#define CHECKF(cond, ...)						\
	do {								\
		if (!(cond))						\
			T_FAIL(__VA_ARGS__);				\
	} while (0)

/* expr returns 0 / -errno; it must equal want. */
#define CHECK_RET(expr, want)						\
	do {								\
		long __r = (long)(expr), __w = (long)(want);		\
		if (__r != __w)						\
			T_FAIL("%s returned %ld (%s), expected %ld (%s)", \
			       #expr, __r, t_errname(__r), __w,		\
			       t_errname(__w));				\
	} while (0)

#define CHECK_OK(expr)	CHECK_RET(expr, 0)

/* expr returns 0 / -errno; it must be one of two values. */
#define CHECK_RET2(expr, w1, w2)					\
	do {								\
		long __r = (long)(expr), __w1 = (w1), __w2 = (w2);	\
		if (__r != __w1 && __r != __w2)				\
			T_FAIL("%s returned %ld (%s), expected %s or %s", \
			       #expr, __r, t_errname(__r),		\
			       t_errname(__w1), t_errname(__w2));	\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long __a = (unsigned long long)(a);	\
		unsigned long long __b = (unsigned long long)(b);	\
		if (__a != __b)						\
			T_FAIL("%s == %llu (0x%llx), expected %s == %llu (0x%llx)", \
			       #a, __a, __a, #b, __b, __b);		\
	} while (0)

/* "-EINVAL" for -22, "0" for 0, "-E?(n)" otherwise. */
const char *t_errname(long err);

uint64_t t_now_ns(void);
void t_sleep_ms(unsigned int ms);

/* A heap name unique to this process: "<tag>.<pid>" (at most 31 chars). */
const char *t_name(const char *tag);

/* Raw access to /dev/rtheap. */
int t_open_dev(void);				/* fails the test on error */
int t_ioctl(int fd, unsigned long cmd, void *arg);	/* 0 / -errno */
struct rtheap_version t_version(void);
int t_raw_create(int fd, const char *name, uint64_t size, uint32_t mode,
		 struct rtheap_attach *out);	/* 0 / -errno */

/*
 * Size a block of `size' takes, by the allocator's documented rounding
 * (tests/common/round.h) at the running kernel's page size; 0 for size 0.
 */
uint64_t t_rounded(uint64_t size);

RT_HEAP_INFO t_inquire(RT_HEAP *heap);		/* fails the test on error */
/* Wait up to timeout_ms for heap->nwaiters == n; fails the test if not. */
void t_wait_nwaiters(RT_HEAP *heap, int n, unsigned int timeout_ms);

/*
 * Heaps visible to the caller via RTHEAP_IOC_LIST; *infos is malloc()ed.
 * t_list_fd() asks on fd and returns the count or -errno (*infos NULL);
 * t_list() opens its own file and fails the test on error.
 */
int t_list_fd(int fd, struct rtheap_info **infos);
int t_list(struct rtheap_info **infos);
bool t_listed(const char *name);
/* Bytes of the heaps RTHEAP_IOC_LIST shows; *nheaps their number (if set). */
uint64_t t_live_bytes(int *nheaps);

/*
 * Small files of sysfs, debugfs, cgroupfs and /proc.  t_file_read() reads
 * the first line into buf, without its newline; t_file_write() writes s
 * and a newline in one write().  t_file_read_ull() reads a decimal number
 * (-EPROTO if there is none), t_file_write_ull() writes one.  0 / -errno;
 * t_set_file() fails the test instead.
 */
int t_file_read(const char *path, char *buf, size_t len);
int t_file_write(const char *path, const char *s);
int t_file_read_ull(const char *path, unsigned long long *v);
int t_file_write_ull(const char *path, unsigned long long v);
void t_set_file(const char *path, const char *s);
/* Whole text of a (small) file; malloc()ed, NUL-terminated; NULL on error. */
char *t_slurp(const char *path);

/*
 * The module's parameters, by name in T_PARAM_DIR.  t_param_read() and
 * t_param_write() return 0 / -errno (no such parameter, a value refused),
 * but a parameter that does not read as a number fails the test;
 * t_param() and t_set_param() fail the test on any error.
 */
#define T_PARAM_DIR	"/sys/module/rtheap/parameters/"
int t_param_read(const char *name, unsigned long long *v);
unsigned long long t_param(const char *name);
int t_param_write(const char *name, unsigned long long v);
void t_set_param(const char *name, unsigned long long v);
/* /sys/module/rtheap/refcnt: heaps + open files pin the module; -1 if none. */
long t_module_refcnt(void);

/*
 * /proc/rtheap, row by row: rows into *rows (malloc()ed), returns the row
 * count, or -errno if the file cannot be read, -EPROTO if it is not
 * version 1.
 */
struct t_procrow {
	unsigned int id;
	char name[RTHEAP_NAMELEN];
	unsigned int uid, gid, perm, mode;
	unsigned long long size, usable, used, largest;
	unsigned int waiters, maps, bound, cpid;
};
int t_proc_rows(struct t_procrow **rows);

/*
 * Child processes.  t_spawn() runs fn(arg) in a child and _exit()s with its
 * return value; t_reap() waits up to timeout_ms and returns the exit status
 * (fails the test if the child died of a signal or did not end in time).
 */
pid_t t_spawn(int (*fn)(void *), void *arg);
int t_reap(pid_t pid, unsigned int timeout_ms);
#define CHECK_CHILD(pid, timeout_ms) CHECK_EQ(t_reap(pid, timeout_ms), 0)

/*
 * Join a thread, failing the test (instead of hanging) if it has not ended
 * within timeout_ms - a waiter that is never woken, typically.
 */
#include <pthread.h>
void t_join_at(const char *file, int line, pthread_t thr, unsigned int timeout_ms);
#define t_join(thr, timeout_ms) t_join_at(__FILE__, __LINE__, thr, timeout_ms)

/* Become an unprivileged user (rtuser, 1000) for good. */
void t_drop_privs(uid_t uid);
void t_drop_privs_nogroup(uid_t uid);
#define T_RTUSER	1000
#define T_RTHEAP_GID	990	/* group rtheap: owns /dev/rtheap */

/* Pipes used as one-shot channels between processes. */
struct t_chan {
	int fd[2];
};
void t_chan_init(struct t_chan *c);
void t_chan_send(struct t_chan *c, uint64_t v);
uint64_t t_chan_recv(struct t_chan *c, unsigned int timeout_ms);

/* A signal handler that does nothing and is installed without SA_RESTART. */
void t_install_nop_handler(int sig);

/* Fill / check a block with a pattern derived from seed. */
void t_fill(void *p, size_t len, unsigned int seed);
bool t_check_fill(const void *p, size_t len, unsigned int seed);

/* Random numbers: xoshiro256**, seeded by splitmix64. */
struct t_rng {
	uint64_t s[4];
};

void t_rng_seed(struct t_rng *r, uint64_t seed);
uint64_t t_rng_next(struct t_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t t_rng_below(struct t_rng *r, uint64_t n);
/* True with probability pct percent. */
bool t_rng_pct(struct t_rng *r, unsigned int pct);
/* A seed from the clock and the pid, for runs without --seed. */
uint64_t t_fresh_seed(void);
/* splitmix64's finaliser. */
uint64_t t_mix64(uint64_t x);

/*
 * Kernel pointers.  t_is_kptr(): true if v looks like an x86-64 kernel
 * address: the direct map, vmalloc, vmemmap and module areas all live at
 * 0xffff800000000000 and above.  -1 and the few values just below it
 * (small negative errnos in 64 bits) are not addresses.
 * t_kptr_scan() scans every 8-byte window of buf (aligned or not) and
 * returns the byte offset of the first kernel-address-like value, or -1;
 * t_kptr_scan_text() the same for every number in a text (decimal,
 * 0x-hex, bare hex of 12 digits or more).
 */
bool t_is_kptr(uint64_t v);
long t_kptr_scan(const void *buf, size_t len, uint64_t *valp);
long t_kptr_scan_text(const char *text, uint64_t *valp);

#endif /* RTHEAP_TCOMMON_H */
