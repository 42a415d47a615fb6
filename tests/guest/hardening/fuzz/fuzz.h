/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap-fuzz - what its files share: the limits, the call kinds, the
 * state shared by all processes and a worker's own, and the functions one
 * file offers the others.  tests/guest/hardening/rtheap-fuzz.c says what the
 * fuzzer does; there:
 *   rtheap-fuzz.c   options, the parent's run of phases, the figures
 *   fuzz/state.c    failure, names, held blocks and mappings, random arguments
 *   fuzz/ops_heap.c the heap commands (create, bind, delete, alloc, free, ...)
 *   fuzz/ops_mem.c  bad argument pointers, mmap, munmap, mremap, garbage
 *   fuzz/worker.c   a worker: its op table, its children, barriers
 *   fuzz/parent.c   the parent's accounting checks
 */
#ifndef RTHEAP_FUZZ_H
#define RTHEAP_FUZZ_H

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcommon.h"

#define MAXPROCS	16
#define NSLOTS		8	/* open files per worker */
#define SLOT_PRIV	0	/* the private heap */
#define SLOT_OWN0	1	/* own shared heaps: slots 1, 2 */
#define NOWN		2
#define SLOT_BIND0	3	/* binds of anybody's heaps: slots 3..6 */
#define SLOT_SCRATCH	7	/* unattached, or a throwaway heap */
#define MAXHELD		384
#define MAXMAPS		24
#define MAXPUB		256
#define MAXTAINT	512
#define MAXCHILD	3
#define MAXPAGES_PART	256	/* mappings up to this many pages may be split */
#define PRIV_PAGES	32
#define PAGE		((size_t)T_PAGE)	/* the kernel's page size */

/* Calls, by kind, for the figures printed at the end. */
enum kind {
	K_VERSION, K_CREATE, K_BIND, K_DELETE, K_ALLOC, K_FREE, K_INQUIRE,
	K_LIST, K_NOP, K_DELETE_NAME, K_BADCMD, K_BADPTR, K_MMAP, K_MUNMAP,
	K_MREMAP, K_MADVISE, K_ALLOC_BULK, K_FREE_BULK, K_NR
};

struct pub {			/* one heap as a worker sees it at a barrier */
	uint32_t id;
	uint32_t nbound;
	uint32_t nmaps;
	uint32_t priv;		/* the worker's private heap */
	uint64_t used;
};

struct wshared {
	uint64_t ncalls[K_NR];	/* children add theirs atomically */
	uint64_t forks, kills, child_exits, garbage, refaults;
	uint64_t allocs_ok, frees_ok, eidrm, creates_ok, deletes_ok, binds_ok;
	uint64_t eintr;		/* waits interrupted by SIGUSR1 */
	uint64_t private_retries;	/* private heaps made after -ENOMEM */
	uint64_t cached_bursts, cached_allocs;	/* op_cached() */
	uint32_t npub;
	struct pub pub[MAXPUB];
	uint32_t ntaint;	/* heap ids a child may have allocated from */
	uint32_t taint[MAXTAINT];
	uint32_t taint_lost;	/* more than MAXTAINT: check all loosely */
	uint64_t done_calls;
	uint64_t op_ns[32], op_count[32];	/* time per op kind (-v) */
	int finished;
};

struct shared {
	uint64_t seed;
	int nprocs;
	volatile int stop;
	uint32_t arrived;
	uint32_t phase;		/* barrier generation */
	int failed;
	int msg_taken;		/* the first failure writes failmsg */
	char failmsg[1024];
	char prefix[16];
	struct wshared w[MAXPROCS];
};

/* The run: options and the area shared by all processes (rtheap-fuzz.c). */
extern struct shared *sh;
extern int verbose;
extern uint64_t opt_calls, opt_seconds, opt_phase;
extern int opt_procs;
extern bool opt_light;
extern uint64_t deadline_ns;

/* --- per worker state ---------------------------------------------------- */

struct slot {
	int fd;			/* -1: closed */
	uint32_t gen;		/* which open file: mappings keep it open */
	uint32_t id;		/* attached heap, 0: none */
	uint32_t mode;
	uint64_t map_size, heap_size;
	bool creator;
	bool deleted;		/* saw -EIDRM or deleted it */
	bool rdonly;		/* opened O_RDONLY */
	bool privname;		/* attached to some worker's private heap */
	char name[RTHEAP_NAMELEN];
};

struct map {
	char *addr;
	size_t len;
	uint32_t id;
	uint32_t gen;		/* the open file mapped (struct slot.gen) */
	bool priv;		/* a mapping of our own private heap */
	bool privname;		/* of some worker's private heap */
	bool writable;
	bool partial_ok;	/* small enough to track pieces */
	uint64_t alive[MAXPAGES_PART / 64];
};

struct held {
	uint32_t id;
	uint64_t off;
	uint64_t size;		/* rounded */
};

/* A worker's state (state.c). */
extern int me;			/* worker index; -1 in the parent */
extern bool in_child;		/* a forked child of a worker */
extern struct t_rng rng;
extern struct slot slots[NSLOTS];
extern struct map maps[MAXMAPS];
extern int nmaps;
extern struct held held[MAXHELD];
extern int nheld;
extern uint64_t calls_done, calls_budget;
extern uint64_t op_no;		/* for failure messages */
extern const char *op_name;

/* state.c: failure, names, held blocks and mappings, random arguments */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void parent_abort(void) __attribute__((noreturn));	/* rtheap-fuzz.c */

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			fail(__VA_ARGS__);				\
	} while (0)

#define STAT_ADD(field, n) __atomic_add_fetch(&sh->w[me].field, (n), __ATOMIC_RELAXED)

const char *en(long e);
void count(enum kind k);
int xioctl(int fd, unsigned long cmd, void *arg, enum kind k);
void taint(uint32_t id);
void check_kptr(const void *buf, size_t len, const char *what);
void check_zero(const void *buf, size_t len, const char *what);
void priv_name(char *buf, int w);
void own_name(char *buf, int w, int k);
bool name_is_priv(const char *name);
void random_run_name(char *buf);
int held_find(uint32_t id, uint64_t off);
void held_drop(int i);
void held_drop_id(uint32_t id);
uint64_t held_sum(uint32_t id, uint64_t *class_blocks, uint64_t *run_pages);
unsigned int map_pieces(const struct map *m);
bool map_page_alive(const struct map *m, size_t p);
void map_add(char *addr, size_t len, uint32_t id, uint32_t gen,
	     bool priv, bool privname, bool writable);
void map_drop(int i);
void unmap_all(int i);
void check_private(const char *when);
uint64_t random_heap_size(void);
uint64_t random_block_size(uint64_t map_size);
uint64_t nasty_u64(void);
uint64_t random_timeout(bool allow_forever);
void random_name(char *buf);
bool poke(void *p, size_t len);

/* ops_heap.c: the heap commands, right and wrong */
int pick_attached(bool writable_ok_only);
void slot_close(int i);
int slot_open(int i);
int do_create(int i, const char *name, uint32_t mode, uint64_t size);
void setup_private(void);
void op_create(void);
void op_bind(void);
void op_delete(void);
void op_renew_private(void);
void op_delete_name(int fd);
void op_alloc(void);
void op_free(void);
void op_alloc_bulk(void);
void op_free_bulk(void);
void op_cached(void);
void op_inquire(void);
void op_list(int fd);
void op_version(int fd);
void op_badcmd(int fd);

/* ops_mem.c: bad argument pointers, mappings, memory */
void setup_argpages(void);
void op_badptr(void);
void op_mmap(void);
void op_munmap(void);
void op_mremap(void);
void op_garbage(void);
void op_refault(void);
void op_misc_syscalls(void);
void op_unbind(void);

/* worker.c: one worker process (its op table, children, barriers) */
void worker(int idx, uint64_t seed);
/* The operations a worker picks from, with their weights per 10000. */
struct op {
	const char *name;
	void (*fn)(void);
	unsigned int full, light;	/* in the full mix, in --light */
};
extern const struct op ops[];
extern const unsigned int nops;	/* ops[] entries; op_ns[] and op_count[] too */

/* parent.c: the parent's checks between phases and at the end */
bool ours(const char *name);
void parent_check(int fd, unsigned int phase);
int delete_leftovers(bool strict);
extern unsigned long nchecked, nchecked_exact;

#endif /* RTHEAP_FUZZ_H */
