/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake /dev/rtheap for the host tests of libheap and heapctl
 * (fake_rtheap.c): test binaries linked with
 * --wrap=open,close,ioctl,mmap,munmap reach it for every call that names
 * the device, one of its files or one of its mappings; everything else
 * reaches libc.  It keeps heaps, open files and mappings, applies the
 * ABI's rules (reserved fields zero, exact map size, creator's close
 * deletes non-persistent heaps), and can make any one call fail.  Tests
 * read and set its state in fk directly, and use the CMocka fixtures
 * below; every test ends by checking that no file or mapping of the
 * device is left open.
 */
#ifndef RTHEAP_FAKE_RTHEAP_H
#define RTHEAP_FAKE_RTHEAP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <rtheap/heap.h>

#define FAKE_FD0	700	/* fake file descriptors: FAKE_FD0 + slot */
#define FAKE_NFILES	128
#define FAKE_NHEAPS	64
#define FAKE_NMAPS	128
#define GRAN		16	/* allocation granule */
#define PAGE		4096
#define FAKE_CLASSES	8	/* 16 .. PAGE / 2 */


struct fheap {
	bool used;		/* slot holds a heap (live or deleted) */
	bool deleted;
	char name[RTHEAP_NAMELEN];
	struct rtheap_create cr;	/* as created */
	unsigned int id;
	size_t map_size;
	int memfd;
	int cmapfd;		/* the class map: a byte per page */
	unsigned char *cmap;	/* the fake's own view of it */
	size_t cmap_size;
	unsigned int nfiles, nmaps;
	uint32_t *blk;		/* per granule: granules of the block starting here */
	size_t used_bytes;
	unsigned long long class_blocks[RTHEAP_MAX_CLASSES];
	unsigned long long run_pages;
};

struct ffile {
	bool open;
	int heap;		/* attached heap slot, -1: none */
	bool creator;
};

struct fmap {
	char *addr;
	size_t len;
	int heap;		/* -1: free slot */
};

enum { C_OPEN, C_IOCTL, C_MMAP, C_MUNMAP, C_CLOSE };

extern struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fheap heaps[FAKE_NHEAPS];
	struct ffile files[FAKE_NFILES];
	struct fmap maps[FAKE_NMAPS];
	unsigned int next_id;

	/* behaviour */
	int open_errno;			/* open() of the device fails */
	unsigned int abi_version;
	unsigned int nr_classes;	/* reported; blocks counted in 8 */
	unsigned int features;
	unsigned long long map_size_bias;	/* added to attach.map_size */
	bool alloc_offset_bad;		/* hand out offset map_size */
	bool bind_interrupt;		/* a signal for bind waiters */
	/*
	 * RTHEAP_IOC_PAGEMAP's answer for a heap that is not H_SHARED: these
	 * ranges (none: all pages free), pagemap_chunk at most per call (0:
	 * RTHEAP_PAGEMAP_MAX); pagemap_change_at: the call of that number
	 * fails with EINVAL, as if the heap had changed under the cursor.
	 */
	struct rtheap_range pagemap[512];
	unsigned int pagemap_n;
	unsigned int pagemap_chunk;
	unsigned int pagemap_change_at;
	unsigned int pagemap_calls;

	/* fault injection: the fail_at-th device call fails with fail_errno */
	unsigned int calls;
	unsigned int fail_at;
	int fail_errno;
	unsigned int call_mask;		/* 1 << C_*: calls counted */
	/* every ioctl cmd fails with cmd_errno */
	unsigned long fail_cmd;
	int cmd_errno;

	/* records */
	int open_flags;
	unsigned int ncmd[32];
	unsigned long bad_frees;	/* frees refused: not a live block */
	unsigned int bind_waiters;
	struct rtheap_create last_create;
	struct rtheap_bind last_bind;
	struct rtheap_alloc last_alloc;
	struct rtheap_free last_free;
} fk;

void fake_reset(void);
int fake_open_files(void);
int fake_live_maps(void);
int fake_heaps(void);			/* heaps the module still holds */
struct fheap *fake_find(const char *name);

/* ---- CMocka fixtures ---------------------------------------------------- */

int setup(void **state);		/* a fresh fake */
int teardown(void **state);		/* nothing left open, then fresh */
/* Make the fail_at-th device call of the kinds in mask (1 << C_*) fail with err. */
void arm(unsigned int fail_at, int err, unsigned int mask);
unsigned int disarm(void);		/* returns the calls counted */
void fail_cmd(unsigned long cmd, int err);	/* every cmd ioctl fails with err */
#define NR(cmd) fk.ncmd[_IOC_NR(cmd)]	/* cmd ioctls so far */
/* rt_heap_create(), which must succeed. */
void create_ok(RT_HEAP *h, const char *name, size_t size, int mode);

/* ---- what the libheap suites share ------------------------------------- */

/* Every call on an invalid descriptor h says -EINVAL. */
void check_invalid(RT_HEAP *h);

#define NTHREADS	4
#define NLOOPS		3000

struct worker {
	RT_HEAP *heap;
	unsigned int seed;
	int loops;
	int errors;
};

/*
 * A worker (struct worker *arg): loops random allocs and frees of up to
 * 3000 bytes, each block filled with the worker's tag and checked at its
 * free; errors counts what went wrong.
 */
void *alloc_thread(void *arg);

#endif
