/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap hardening tests - helpers shared by rtheap-fuzz, rtheap-stress,
 * t_faults and t_security, on top of tests/guest/tcommon.h.
 */
#ifndef RTHEAP_HCOMMON_H
#define RTHEAP_HCOMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcommon.h"

/* --- random numbers: xoshiro256**, seeded by splitmix64 ------------------- */

struct h_rng {
	uint64_t s[4];
};

void h_rng_seed(struct h_rng *r, uint64_t seed);
uint64_t h_rng_next(struct h_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t h_rng_below(struct h_rng *r, uint64_t n);
/* True with probability pct percent. */
bool h_rng_pct(struct h_rng *r, unsigned int pct);
/* A seed from the clock and the pid, for runs without --seed. */
uint64_t h_fresh_seed(void);
uint64_t h_mix64(uint64_t x);

/* --- kernel pointers ------------------------------------------------------- */

/*
 * True if v looks like an x86-64 kernel address: the direct map, vmalloc,
 * vmemmap and module areas all live at 0xffff800000000000 and above.  -1
 * and the few values just below it (small negative errnos in 64 bits) are
 * not addresses.
 */
bool h_is_kptr(uint64_t v);
/*
 * Scan every 8-byte window of buf (aligned or not); returns the byte offset
 * of the first kernel-address-like value, or -1.
 */
long h_kptr_scan(const void *buf, size_t len, uint64_t *valp);
/* Every number in a text (decimal, 0x-hex, bare 16-digit hex). */
long h_kptr_scan_text(const char *text, uint64_t *valp);

/* --- /proc/rtheap ---------------------------------------------------------- */

struct h_procrow {
	unsigned int id;
	char name[RTHEAP_NAMELEN];
	unsigned int uid, gid, perm, mode;
	unsigned long long size, usable, used, largest;
	unsigned int waiters, maps, bound, cpid;
};

/*
 * Read /proc/rtheap: rows into *rows (malloc()ed), returns the row count,
 * or -errno if the file cannot be read, -EPROTO if it is not version 1.
 */
int h_proc_rows(struct h_procrow **rows);
/* Whole text of a (small) file; malloc()ed, NUL-terminated; NULL on error. */
char *h_slurp(const char *path);

/* --- sysfs, debugfs, procfs knobs ----------------------------------------- */

int h_write_str(const char *path, const char *s);	/* 0 / -errno */
int h_write_ull(const char *path, unsigned long long v);
int h_read_ull(const char *path, unsigned long long *v);	/* 0 / -errno */
/* /sys/module/rtheap/refcnt: heaps + open files pin the module; -1 if none. */
long h_module_refcnt(void);

/* --- a list of heaps (RTHEAP_IOC_LIST) -------------------------------------- */

/* Like t_list() but returns -errno instead of failing. */
int h_list(int fd, struct rtheap_info **infos);

static inline uint64_t h_ns(void)
{
	return t_now_ns();
}

#endif /* RTHEAP_HCOMMON_H */
