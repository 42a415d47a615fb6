// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz - seeded ioctl/mmap fuzzer of /dev/rtheap, from several
 * processes at once, with accounting checks at quiescent points.
 *
 * usage: rtheap-fuzz [--seed N] [--calls N] [--procs N] [--seconds N] [--light]
 *                    [--phase N] [-v]
 *
 * The parent starts --procs workers (default 4) and splits the --calls
 * budget (default 100000; calls are ioctl, mmap, munmap, mremap, madvise
 * on rtheap files, open/close excluded) between them; --seconds stops
 * earlier (alone, it runs that long).  Workers run in phases of --phase
 * calls (default 2000); between phases all of them stop and the parent
 * checks, for every heap of the run:
 *   - used_mem is the sum of the (rounded) blocks the workers hold in it
 *     (at least that sum on a heap a killed child may have allocated from,
 *     which the child marks beforehand); usable_mem, largest_free and the
 *     per-class block counts agree with it; nwaiters is 0;
 *   - nbound and nmaps are the files attached and the mapping pieces
 *     (VMAs) the workers hold;
 *   - /proc/rtheap shows the same figures.
 * At the end every heap of the run is deleted, and /proc/rtheap, the list
 * and /sys/module/rtheap/refcnt must be back where they were.
 *
 * What a worker does, at random (see the op table below): every command
 * with valid and mutated arguments (reserved fields, pad, flags, modes,
 * sizes, offsets, names, timeouts), unknown commands, bad, read-only and
 * half-mapped argument pointers, mmap of the right and wrong size, offset,
 * flags and file, partial munmap, mremap, MADV_DONTNEED and refault,
 * garbage written over mapped heaps, delete and recreate of its heaps
 * (some H_PERSIST, H_PRIO, H_SHARED), binds and unbinds of every worker's
 * heaps, and forked children that race, block in alloc and are SIGKILLed.
 * Every result is checked against the set of results the ABI allows for
 * that input; on a worker's private heap (which no other process
 * allocates from) results are predicted exactly: a free succeeds iff the
 * offset starts a block the worker holds, used_mem always equals what it
 * holds, an allocated block never overlaps a held one, and pages keep
 * their contents across MADV_DONTNEED.  No output may contain a value that
 * looks like a kernel address, and reserved output fields must be zero.
 *
 * The seed is printed first; --seed N replays the same random decisions in
 * every process (the interleaving of processes still varies from run to
 * run; with --procs 1 only timing-dependent results differ).
 * Exit 0: no failure; 1: a check failed (the message says which, and the
 * seed); 77: no /dev/rtheap.
 */
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

#include "hcommon.h"

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
#define PAGE		((size_t)4096)

/* Calls, by kind, for the figures printed at the end. */
enum kind {
	K_VERSION, K_CREATE, K_BIND, K_DELETE, K_ALLOC, K_FREE, K_INQUIRE,
	K_LIST, K_NOP, K_DELETE_NAME, K_BADCMD, K_BADPTR, K_MMAP, K_MUNMAP,
	K_MREMAP, K_MADVISE, K_NR
};
static const char *const kind_names[K_NR] = {
	"version", "create", "bind", "delete", "alloc", "free", "inquire",
	"list", "nop", "delete-name", "bad-cmd", "bad-ptr", "mmap", "munmap",
	"mremap", "madvise",
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

static struct shared *sh;
static int verbose;
static uint64_t opt_calls = 100000, opt_seconds, opt_phase = 2000;
static int opt_procs = 4;
static uint64_t deadline_ns;

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

static int me = -1;		/* worker index; -1 in the parent */
static bool in_child;		/* a forked child of a worker */
static struct h_rng rng;
static struct slot slots[NSLOTS];
static struct map maps[MAXMAPS];
static int nmaps;
static struct held held[MAXHELD];
static int nheld;
static uint64_t calls_done, calls_budget;
static pid_t children[MAXCHILD];
static int child_role[MAXCHILD];
static int nchildren;
enum { ROLE_RACER, ROLE_WAITER, ROLE_RANDOM };
static unsigned int throwaway_seq;
static uint64_t op_no;		/* for failure messages */
static const char *op_name = "-";

/* --- failure --------------------------------------------------------------- */

static pid_t wpids[MAXPROCS];		/* the parent's workers */
static void parent_abort(void) __attribute__((noreturn));

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The message first: the parent acts as soon as it sees failed. */
	if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
		snprintf(sh->failmsg, sizeof(sh->failmsg),
			 "%s %d (pid %d), op #%llu (%s): %s",
			 me < 0 ? "parent" : in_child ? "child of worker" : "worker",
			 me, (int)getpid(), (unsigned long long)op_no, op_name,
			 msg);
	__atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
	sh->stop = 1;
	fprintf(stderr, "rtheap-fuzz: FAIL: %s (seed %llu)\n", msg,
		(unsigned long long)sh->seed);
	fflush(NULL);
	if (me < 0)
		parent_abort();
	_exit(1);
}

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			fail(__VA_ARGS__);				\
	} while (0)

static const char *en(long e)
{
	return t_errname(e);
}

static void count(enum kind k)
{
	__atomic_add_fetch(&sh->w[me].ncalls[k], 1, __ATOMIC_RELAXED);
	calls_done++;
}

#define STAT_ADD(field, n) __atomic_add_fetch(&sh->w[me].field, (n), __ATOMIC_RELAXED)

static int xioctl(int fd, unsigned long cmd, void *arg, enum kind k)
{
	int r;

	count(k);
	r = ioctl(fd, cmd, arg);
	return r < 0 ? -errno : r;
}

static void taint(uint32_t id)
{
	static uint32_t mine[64];	/* marked by this process already */
	static unsigned int nmine;
	uint32_t i;

	for (unsigned int k = 0; k < nmine; k++)
		if (mine[k] == id)
			return;
	if (nmine < 64)
		mine[nmine++] = id;
	i = __atomic_fetch_add(&sh->w[me].ntaint, 1, __ATOMIC_SEQ_CST);

	if (i < MAXTAINT)
		__atomic_store_n(&sh->w[me].taint[i], id, __ATOMIC_SEQ_CST);
	else
		__atomic_store_n(&sh->w[me].taint_lost, 1, __ATOMIC_SEQ_CST);
}

static void check_kptr(const void *buf, size_t len, const char *what)
{
	uint64_t v;
	long at = h_kptr_scan(buf, len, &v);

	EXPECT(at < 0, "%s: byte %ld holds 0x%llx, a kernel address?", what,
	       at, (unsigned long long)v);
}

static void check_zero(const void *buf, size_t len, const char *what)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		EXPECT(!b[i], "%s: byte %zu of a reserved output is 0x%02x",
		       what, i, b[i]);
}

/* --- names ------------------------------------------------------------------ */

static void priv_name(char *buf, int w)
{
	snprintf(buf, RTHEAP_NAMELEN, "%s.p%d", sh->prefix, w);
}

static void own_name(char *buf, int w, int k)
{
	snprintf(buf, RTHEAP_NAMELEN, "%s.s%d.%d", sh->prefix, w, k);
}

static bool name_is_priv(const char *name)
{
	size_t n = strlen(sh->prefix);

	return !strncmp(name, sh->prefix, n) && name[n] == '.' && name[n + 1] == 'p';
}

/* A heap name of this run: any worker's private or shared one. */
static void random_run_name(char *buf)
{
	int w = (int)h_rng_below(&rng, sh->nprocs);

	if (h_rng_pct(&rng, 15))
		priv_name(buf, w);
	else
		own_name(buf, w, (int)h_rng_below(&rng, NOWN));
}

/* --- held blocks and mappings ----------------------------------------------- */

static int held_find(uint32_t id, uint64_t off)
{
	for (int i = 0; i < nheld; i++)
		if (held[i].id == id && held[i].off == off)
			return i;
	return -1;
}

static void held_drop(int i)
{
	held[i] = held[--nheld];
}

static void held_drop_id(uint32_t id)
{
	for (int i = 0; i < nheld;)
		if (held[i].id == id)
			held_drop(i);
		else
			i++;
}

static uint64_t held_sum(uint32_t id, uint64_t *class_blocks, uint64_t *run_pages)
{
	uint64_t sum = 0;

	for (int i = 0; i < nheld; i++) {
		if (held[i].id != id)
			continue;
		sum += held[i].size;
		if (class_blocks && held[i].size <= PAGE / 2) {
			int c = 0;

			while ((16ULL << c) < held[i].size)
				c++;
			class_blocks[c]++;
		} else if (run_pages && held[i].size > PAGE / 2) {
			*run_pages += held[i].size / PAGE;
		}
	}
	return sum;
}

static unsigned int map_pieces(const struct map *m)
{
	unsigned int n = 0, np = m->len / PAGE;
	bool prev = false;

	if (!m->partial_ok)
		return 1;
	for (unsigned int p = 0; p < np; p++) {
		bool a = m->alive[p / 64] >> (p % 64) & 1;

		if (a && !prev)
			n++;
		prev = a;
	}
	return n;
}

static bool map_page_alive(const struct map *m, size_t p)
{
	return !m->partial_ok || (m->alive[p / 64] >> (p % 64) & 1);
}

static void map_add(char *addr, size_t len, uint32_t id, uint32_t gen,
		    bool priv, bool privname, bool writable)
{
	struct map *m = &maps[nmaps++];

	memset(m, 0, sizeof(*m));
	m->addr = addr;
	m->len = len;
	m->id = id;
	m->gen = gen;
	m->priv = priv;
	m->privname = privname;
	m->writable = writable;
	m->partial_ok = len / PAGE <= MAXPAGES_PART;
	for (size_t p = 0; m->partial_ok && p < len / PAGE; p++)
		m->alive[p / 64] |= 1ULL << (p % 64);
}

static void map_drop(int i)
{
	maps[i] = maps[--nmaps];
}

/*
 * Unmap what is left of a mapping: only its live pages, as the holes may
 * hold other mappings by now.
 */
static void unmap_all(int i)
{
	struct map *m = &maps[i];
	size_t np = m->len / PAGE, a = 0;

	while (a < np) {
		size_t b;

		if (!map_page_alive(m, a)) {
			a++;
			continue;
		}
		for (b = a; b < np && map_page_alive(m, b); b++)
			;
		count(K_MUNMAP);
		EXPECT(munmap(m->addr + a * PAGE, (b - a) * PAGE) == 0, "munmap: %s",
		       strerror(errno));
		a = b;
	}
	map_drop(i);
}

/* --- the private heap ------------------------------------------------------- */

static struct slot *priv_slot(void)
{
	struct slot *s = &slots[SLOT_PRIV];

	return s->fd >= 0 && s->id && !s->deleted ? s : NULL;
}

/* The private heap's figures must match what we hold, at any time. */
static void check_private(const char *when)
{
	struct slot *s = priv_slot();
	struct rtheap_inquire q;
	uint64_t cb[RTHEAP_NR_CLASSES] = { 0 }, rp = 0, used, sum = 0;
	int ret;

	if (!s || in_child)
		return;
	memset(&q, 0, sizeof(q));
	ret = xioctl(s->fd, RTHEAP_IOC_INQUIRE, &q, K_INQUIRE);
	EXPECT(ret == 0, "%s: inquire of the private heap: %s", when, en(ret));
	used = held_sum(s->id, cb, &rp);
	EXPECT(q.info.id == s->id, "%s: private heap id %u, expected %u", when,
	       q.info.id, s->id);
	EXPECT(q.info.used_mem == used, "%s: private heap %u: used_mem %llu, "
	       "the blocks held add up to %llu", when, s->id,
	       (unsigned long long)q.info.used_mem, (unsigned long long)used);
	for (int c = 0; c < RTHEAP_NR_CLASSES; c++) {
		EXPECT(q.info.class_blocks[c] == cb[c], "%s: private heap %u: "
		       "class_blocks[%d] (%d bytes) is %llu, %llu held", when,
		       s->id, c, 16 << c,
		       (unsigned long long)q.info.class_blocks[c],
		       (unsigned long long)cb[c]);
		sum += q.info.class_blocks[c] << (c + 4);
	}
	EXPECT(q.info.run_pages == rp, "%s: private heap %u: run_pages %llu, "
	       "%llu held", when, s->id, (unsigned long long)q.info.run_pages,
	       (unsigned long long)rp);
	EXPECT(q.info.nwaiters == 0, "%s: private heap %u has %u waiters",
	       when, s->id, q.info.nwaiters);
	EXPECT(q.info.largest_free + used <= q.info.usable_mem,
	       "%s: private heap %u: largest_free %llu + used %llu > usable %llu",
	       when, s->id, (unsigned long long)q.info.largest_free,
	       (unsigned long long)used, (unsigned long long)q.info.usable_mem);
	(void)sum;
	check_kptr(&q.info, sizeof(q.info), "inquire output");
	check_zero(q.info.reserved, sizeof(q.info.reserved), "info.reserved");
}

/* --- random arguments ---------------------------------------------------------- */

static uint64_t random_heap_size(void)
{
	uint64_t r = h_rng_below(&rng, 100);

	if (r < 40)
		return 1 + h_rng_below(&rng, 8 * PAGE);
	if (r < 80)
		return PAGE * (1 + h_rng_below(&rng, 64));
	if (r < 97)
		return 1 + h_rng_below(&rng, 256 * PAGE);
	return PAGE * (256 + h_rng_below(&rng, 1024));	/* up to 5 MiB */
}

static uint64_t random_block_size(uint64_t map_size)
{
	uint64_t r = h_rng_below(&rng, 100);

	if (r < 55)
		return 1 + h_rng_below(&rng, 256);
	if (r < 80)
		return 1 + h_rng_below(&rng, PAGE / 2);
	if (r < 93)
		return 1 + h_rng_below(&rng, 4 * PAGE);
	if (r < 97)
		return map_size ? map_size - h_rng_below(&rng, 2) : PAGE;
	return 1 + h_rng_below(&rng, map_size + 2 * PAGE);
}

/* Values that stress size and offset arithmetic. */
static uint64_t nasty_u64(void)
{
	static const uint64_t v[] = {
		0, 1, 15, 16, 17, 4095, 4096, 4097, 0x7fffffff, 0x80000000ULL,
		0xffffffffULL, 0x100000000ULL, 0xfffffff0ULL << 12,
		(0xfffffff0ULL << 12) + 1, 1ULL << 48, 1ULL << 62, 1ULL << 63,
		~0ULL, ~0ULL - 1, ~0ULL - 4095, ~0ULL << 12, 0x8000000000000001ULL,
	};

	if (h_rng_pct(&rng, 70))
		return v[h_rng_below(&rng, sizeof(v) / sizeof(v[0]))];
	return h_rng_next(&rng) >> h_rng_below(&rng, 64);
}

static bool opt_light;

static uint64_t random_timeout(bool allow_forever)
{
	uint64_t r = h_rng_below(&rng, 100);

	if (opt_light)
		return r < 90 ? RTHEAP_TM_NONBLOCK : 1000 + h_rng_below(&rng, 200000);

	if (r < 60)
		return RTHEAP_TM_NONBLOCK;
	if (r < 90)
		return 1000 + h_rng_below(&rng, 2000000);	/* up to 2 ms */
	if (r < 95 || !allow_forever)
		return 1 + h_rng_below(&rng, 1000);
	return RTHEAP_TM_INFINITE;
}

static void random_name(char *buf)
{
	static const char chars[] =
		"abcxyz0189._-ABZ~!/ \t\x01\x7f\xff";
	size_t len;
	uint64_t r = h_rng_below(&rng, 100);

	memset(buf, 0, RTHEAP_NAMELEN);
	if (r < 40) {
		random_run_name(buf);
		return;
	}
	if (r < 50)
		return;			/* "" */
	len = r < 60 ? RTHEAP_NAMELEN : 1 + h_rng_below(&rng, RTHEAP_NAMELEN - 1);
	for (size_t i = 0; i < len; i++)
		buf[i] = chars[h_rng_below(&rng, sizeof(chars) - 1)];
	if (len < RTHEAP_NAMELEN && h_rng_pct(&rng, 30))
		buf[len] = 0;
}

/* Flip a random bit among the given reserved bytes; true if it did. */
static bool poke(void *p, size_t len)
{
	unsigned char *b = p;

	if (!len)
		return false;
	b[h_rng_below(&rng, len)] |= (unsigned char)(1u << h_rng_below(&rng, 8));
	return true;
}

/* --- operations ------------------------------------------------------------------ */

static int pick_attached(bool writable_ok_only)
{
	int cand[NSLOTS], n = 0;

	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0 && slots[i].id)
			cand[n++] = i;
	(void)writable_ok_only;
	return n ? cand[h_rng_below(&rng, n)] : -1;
}

static void slot_close(int i)
{
	struct slot *s = &slots[i];

	if (s->fd < 0)
		return;
	close(s->fd);
	/* A private heap's blocks are ours only while it lives. */
	if (i == SLOT_PRIV && s->id)
		held_drop_id(s->id);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static int slot_open(int i)
{
	struct slot *s = &slots[i];

	slot_close(i);
	static uint32_t file_seq;

	s->rdonly = i != SLOT_PRIV && h_rng_pct(&rng, 5);
	s->gen = ++file_seq;
	s->fd = open(RTHEAP_DEVICE, (s->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	EXPECT(s->fd >= 0, "open %s: %s", RTHEAP_DEVICE, strerror(errno));
	return s->fd;
}

static void slot_attach(struct slot *s, const struct rtheap_attach *at,
			const char *name, bool creator)
{
	s->id = at->id;
	s->mode = at->mode;
	s->map_size = at->map_size;
	s->heap_size = at->heap_size;
	s->creator = creator;
	s->deleted = false;
	s->privname = name_is_priv(name);
	snprintf(s->name, sizeof(s->name), "%s", name);
	EXPECT(at->id >= 1 && at->id <= 0x7fffffff, "attach: id %u", at->id);
	EXPECT(at->map_size == ((at->heap_size + PAGE - 1) & ~(PAGE - 1)),
	       "attach: map_size %llu for heap_size %llu",
	       (unsigned long long)at->map_size,
	       (unsigned long long)at->heap_size);
	check_kptr(at, sizeof(*at), "attach output");
	check_zero(at->reserved, sizeof(at->reserved), "attach.reserved");
}

/* Valid create on slot i of name with random size and mode. */
static int do_create(int i, const char *name, uint32_t mode, uint64_t size)
{
	struct slot *s = &slots[i];
	struct rtheap_create_arg a;
	int ret;

	memset(&a, 0, sizeof(a));
	snprintf(a.in.name, sizeof(a.in.name), "%s", name);
	a.in.size = size;
	a.in.mode = mode;
	if (h_rng_pct(&rng, 10)) {
		a.in.flags = RTHEAP_CREATE_PERM;
		a.in.perm = (uint32_t)h_rng_below(&rng, 01000);
	}
	ret = xioctl(s->fd, RTHEAP_IOC_CREATE, &a, K_CREATE);
	if (s->id) {
		EXPECT(ret == -EBUSY, "create on an attached file: %s", en(ret));
		return ret;
	}
	EXPECT(ret == 0 || ret == -EEXIST || ret == -ENOMEM,
	       "create \"%s\" size %llu mode %#x: %s", name,
	       (unsigned long long)size, mode, en(ret));
	if (ret == 0) {
		slot_attach(s, &a.out, name, true);
		EXPECT(a.out.heap_size == size && a.out.mode == mode,
		       "create: out heap_size %llu mode %#x, asked %llu %#x",
		       (unsigned long long)a.out.heap_size, a.out.mode,
		       (unsigned long long)size, mode);
		STAT_ADD(creates_ok, 1);
	}
	return ret;
}

static uint32_t random_mode(void)
{
	uint32_t m = 0;

	if (h_rng_pct(&rng, 30))
		m |= H_PRIO;
	if (h_rng_pct(&rng, 8))
		m |= H_SHARED;
	if (h_rng_pct(&rng, 25))
		m |= H_PERSIST;
	return m;
}

static void setup_private(void)
{
	char name[RTHEAP_NAMELEN];
	int ret;

	priv_name(name, me);
	slot_open(SLOT_PRIV);
	ret = do_create(SLOT_PRIV, name, h_rng_pct(&rng, 50) ? H_PRIO : 0,
			PRIV_PAGES * PAGE - h_rng_below(&rng, PAGE));
	EXPECT(ret == 0, "creating the private heap %s: %s", name, en(ret));
}

/* CREATE: valid on a free slot, or on an attached one (-EBUSY), or mutated. */
static void op_create(void)
{
	int i = SLOT_OWN0 + (int)h_rng_below(&rng, NOWN + 1);
	struct rtheap_create_arg a;
	bool bad = false;
	char name[RTHEAP_NAMELEN];
	int ret;

	if (i == SLOT_OWN0 + NOWN)
		i = SLOT_SCRATCH;
	if (slots[i].fd < 0 || (slots[i].deleted && h_rng_pct(&rng, 80)))
		slot_open(i);
	if (h_rng_pct(&rng, 75)) {
		if (i == SLOT_SCRATCH)
			snprintf(name, sizeof(name), "%s.t%d.%u", sh->prefix,
				 me, throwaway_seq++ % 4);
		else
			own_name(name, me, i - SLOT_OWN0);
		if (h_rng_pct(&rng, 10))
			name[0] = 0;	/* anonymous */
		do_create(i, name, name[0] ? random_mode() :
			  random_mode() & ~H_PERSIST, random_heap_size());
		return;
	}

	/* Mutated: at least one thing the ABI must refuse. */
	memset(&a, 0, sizeof(a));
	random_name(a.in.name);
	a.in.size = h_rng_pct(&rng, 50) ? random_heap_size() : nasty_u64();
	a.in.mode = random_mode() & ~H_PERSIST;
	switch (h_rng_below(&rng, 7)) {
	case 0:
		bad = poke(a.in.reserved, sizeof(a.in.reserved));
		break;
	case 1:
		a.in.flags = (uint32_t)h_rng_next(&rng) | 1u << (2 + h_rng_below(&rng, 30));
		bad = true;
		break;
	case 2:
		a.in.mode |= 1u << h_rng_below(&rng, 32);
		bad = a.in.mode & ~RTHEAP_MODE_MASK;
		a.in.mode &= ~(uint32_t)H_PERSIST;
		break;
	case 3:
		a.in.perm = 1 + (uint32_t)h_rng_below(&rng, 0777);	/* no flag */
		bad = true;
		break;
	case 4:
		a.in.flags = RTHEAP_CREATE_PERM;
		a.in.perm = 01000 | (uint32_t)h_rng_next(&rng);
		bad = true;
		break;
	case 5:
		a.in.gid = 1 + (uint32_t)h_rng_below(&rng, 70000);	/* no flag */
		bad = true;
		break;
	default:
		a.in.size = nasty_u64();
		break;
	}
	if (!bad) {
		/*
		 * Nothing the ABI must refuse: only the size may be odd.  Use
		 * a name of our own (a random one could be valid and not ours).
		 */
		snprintf(a.in.name, sizeof(a.in.name), "%s.t%d.%u", sh->prefix,
			 me, throwaway_seq++ % 4);
		a.in.mode &= ~(uint32_t)H_PERSIST;
	}
	memset(name, 0, sizeof(name));
	memcpy(name, a.in.name, RTHEAP_NAMELEN - 1);
	ret = xioctl(slots[i].fd, RTHEAP_IOC_CREATE, &a, K_CREATE);
	if (bad) {
		EXPECT(ret == -EINVAL || ret == -ENAMETOOLONG || ret == -EBUSY ||
		       ret == -EPERM || ret == -EEXIST,
		       "mutated create (name \"%s\", size %llu, mode %#x, "
		       "flags %#x, perm %#o, gid %u) returned %s", name,
		       (unsigned long long)a.in.size, a.in.mode, a.in.flags,
		       a.in.perm, a.in.gid, en(ret));
		return;
	}
	if (slots[i].id) {
		EXPECT(ret == -EBUSY || ret == -EINVAL || ret == -ENAMETOOLONG,
		       "create on an attached file: %s", en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -EINVAL || ret == -ENOMEM || ret == -EEXIST ||
	       ret == -ENAMETOOLONG,
	       "create of size %llu returned %s",
	       (unsigned long long)a.in.size, en(ret));
	if (ret == -EINVAL)
		EXPECT(!a.in.size || a.in.size > (0xfffffff0ULL << 12),
		       "create of size %llu: -EINVAL", (unsigned long long)a.in.size);
	if (ret == 0) {
		EXPECT(a.in.size && a.in.size <= (0xfffffff0ULL << 12),
		       "create of size %llu succeeded", (unsigned long long)a.in.size);
		slot_attach(&slots[i], &a.out, a.in.name, true);
		STAT_ADD(creates_ok, 1);
	}
}

/* BIND: valid (anybody's heap), to a missing name, or mutated. */
static void op_bind(void)
{
	int i = SLOT_BIND0 + (int)h_rng_below(&rng, 4);
	struct slot *s = &slots[i];
	struct rtheap_bind b;
	bool bad = false;
	int ret;

	if (s->fd < 0 || (s->id && h_rng_pct(&rng, 70)))
		slot_open(i);
	memset(&b, 0, sizeof(b));
	if (h_rng_pct(&rng, 80)) {
		random_run_name(b.name);
		if (h_rng_pct(&rng, 10))
			snprintf(b.name, sizeof(b.name), "%s.none%d", sh->prefix, me);
		b.timeout = random_timeout(false);
		if (b.timeout != RTHEAP_TM_NONBLOCK && h_rng_pct(&rng, 20)) {
			b.flags = RTHEAP_TIMEOUT_ABS;
			b.timeout = h_ns() + b.timeout - h_rng_below(&rng, 2000000);
		}
	} else {
		random_name(b.name);
		b.timeout = RTHEAP_TM_NONBLOCK;
		switch (h_rng_below(&rng, 4)) {
		case 0:
			b.flags = 2u << h_rng_below(&rng, 31);
			bad = true;
			break;
		case 1:
			b.pad = 1u << h_rng_below(&rng, 32);
			bad = true;
			break;
		case 2:
			bad = poke(b.reserved, sizeof(b.reserved));
			break;
		default:
			memset(b.name, 0, sizeof(b.name));
			bad = true;	/* "" cannot be bound */
			break;
		}
	}
	ret = xioctl(s->fd, RTHEAP_IOC_BIND, &b, K_BIND);
	if (bad) {
		EXPECT(ret == -EINVAL || ret == -ENAMETOOLONG,
		       "mutated bind (\"%.31s\", flags %#x, pad %#x) returned %s",
		       b.name, b.flags, b.pad, en(ret));
		return;
	}
	if (s->id) {
		EXPECT(ret == -EBUSY || ret == -EINVAL || ret == -ENAMETOOLONG,
		       "bind on an attached file: %s", en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -ETIMEDOUT ||
	       ret == -EIDRM || ret == -EINVAL || ret == -ENAMETOOLONG,
	       "bind \"%.31s\" timeout %llu flags %#x: %s", b.name,
	       (unsigned long long)b.timeout, b.flags, en(ret));
	if (ret == -EINVAL || ret == -ENAMETOOLONG)
		EXPECT(strncmp(b.name, sh->prefix, strlen(sh->prefix)),
		       "bind of the valid name \"%.31s\": %s", b.name, en(ret));
	if (ret == 0) {
		char name[RTHEAP_NAMELEN];

		memcpy(name, b.name, sizeof(name));
		name[RTHEAP_NAMELEN - 1] = 0;
		slot_attach(s, &b.out, name, false);
		STAT_ADD(binds_ok, 1);
	}
}

static void op_delete(void)
{
	int i = (int)h_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	struct rtheap_delete d;
	bool bad;
	int ret;

	if (i == SLOT_PRIV || s->fd < 0 || s->privname)
		return;		/* nobody deletes a private heap but its owner */
	memset(&d, 0, sizeof(d));
	bad = h_rng_pct(&rng, 15) && poke(d.reserved, sizeof(d.reserved));
	ret = xioctl(s->fd, RTHEAP_IOC_DELETE, &d, K_DELETE);
	if (bad || !s->id) {
		EXPECT(ret == -EINVAL, "delete (%s): %s",
		       bad ? "reserved set" : "no heap attached", en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -EIDRM, "delete of heap %u: %s", s->id, en(ret));
	if (s->deleted)
		EXPECT(ret == -EIDRM, "second delete of heap %u: %s", s->id, en(ret));
	s->deleted = true;
	if (ret == 0)
		STAT_ADD(deletes_ok, 1);
	else
		STAT_ADD(eidrm, 1);
}

/* The private heap: delete it and make a new one now and then. */
static void op_renew_private(void)
{
	struct slot *s = &slots[SLOT_PRIV];
	struct rtheap_delete d;
	int ret;

	memset(&d, 0, sizeof(d));
	if (s->id) {
		ret = xioctl(s->fd, RTHEAP_IOC_DELETE, &d, K_DELETE);
		EXPECT(ret == 0, "delete of the private heap %u: %s", s->id, en(ret));
		/* A second delete is -EIDRM; calls on it too. */
		ret = xioctl(s->fd, RTHEAP_IOC_DELETE, &d, K_DELETE);
		EXPECT(ret == -EIDRM, "second delete of the private heap: %s", en(ret));
	}
	slot_close(SLOT_PRIV);
	setup_private();
}

#ifdef RTHEAP_IOC_DELETE_NAME
/*
 * DELETE_NAME of anybody's shared heap (never a private one), of a name
 * nobody has, or mutated.  As root we own them all.
 */
static void op_delete_name(int fd)
{
	struct rtheap_delete_name d;
	bool bad = false, missing = false;
	int ret;

	memset(&d, 0, sizeof(d));
	switch (h_rng_below(&rng, 10)) {
	case 0:
		bad = poke(d.reserved, sizeof(d.reserved));
		own_name(d.name, me, 0);
		break;
	case 1:
		random_name(d.name);
		if (name_is_priv(d.name) || !strncmp(d.name, sh->prefix, strlen(sh->prefix)))
			return;
		/* Not ours: a bad name, or one nobody in this run uses. */
		missing = true;
		break;
	case 2:
		snprintf(d.name, sizeof(d.name), "%s.none%d", sh->prefix, me);
		missing = true;
		break;
	default:
		own_name(d.name, (int)h_rng_below(&rng, sh->nprocs),
			 (int)h_rng_below(&rng, NOWN));
		break;
	}
	ret = xioctl(fd, RTHEAP_IOC_DELETE_NAME, &d, K_DELETE_NAME);
	if (bad) {
		EXPECT(ret == -EINVAL, "delete-name with reserved bits: %s", en(ret));
		return;
	}
	if (missing) {
		EXPECT(ret == -ENOENT || ret == -EINVAL || ret == -ENAMETOOLONG ||
		       ret == -EPERM, "delete-name of \"%.31s\": %s", d.name, en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -ENOENT || ret == -EIDRM,
	       "delete-name of \"%.31s\": %s", d.name, en(ret));
	if (!ret)
		STAT_ADD(deletes_ok, 1);
}
#endif

static void op_alloc(void)
{
	int i = pick_attached(false);
	struct slot *s;
	struct rtheap_alloc a;
	bool bad = false, shared;
	uint64_t t0, want, rsize;
	int ret;

	if (i < 0)
		return;
	s = &slots[i];
	if (s->privname && (i != SLOT_PRIV || in_child))
		return;		/* someone else's private heap: hands off */
	if (nheld >= MAXHELD)
		return;
	shared = s->mode & H_SHARED;
	memset(&a, 0, sizeof(a));
	a.size = h_rng_pct(&rng, 5) ? nasty_u64() : random_block_size(s->map_size);
	if (shared && h_rng_pct(&rng, 60))
		a.size = h_rng_pct(&rng, 50) ? 0 : s->heap_size;
	a.timeout = random_timeout(false);
	if (a.timeout != RTHEAP_TM_NONBLOCK && h_rng_pct(&rng, 20)) {
		a.flags = RTHEAP_TIMEOUT_ABS;
		a.timeout = h_ns() + a.timeout - h_rng_below(&rng, 1500000);
	}
	if (h_rng_pct(&rng, 5)) {
		switch (h_rng_below(&rng, 3)) {
		case 0:
			a.flags |= 2u << h_rng_below(&rng, 31);
			break;
		case 1:
			a.pad = 1u << h_rng_below(&rng, 32);
			break;
		default:
			poke(a.reserved, sizeof(a.reserved));
			break;
		}
		bad = true;
	}
	want = a.size;
	t0 = h_ns();
	ret = xioctl(s->fd, RTHEAP_IOC_ALLOC, &a, K_ALLOC);
	if (bad) {
		EXPECT(ret == -EINVAL, "mutated alloc (flags %#x pad %#x): %s",
		       a.flags, a.pad, en(ret));
		return;
	}
	if (shared) {
		bool ok_size = !want || want == s->heap_size;

		EXPECT(ret == (ok_size ? 0 : -EINVAL) || ret == -EIDRM,
		       "alloc of %llu on the H_SHARED heap %u (size %llu): %s",
		       (unsigned long long)want, s->id,
		       (unsigned long long)s->heap_size, en(ret));
		if (!ret)
			EXPECT(a.offset == 0, "H_SHARED alloc: offset %llu",
			       (unsigned long long)a.offset);
		if (ret == -EIDRM)
			s->deleted = true;
		return;
	}
	if (!want || want > s->map_size) {
		EXPECT(ret == -EINVAL || ret == -EIDRM,
		       "alloc of %llu on heap %u (usable %llu): %s",
		       (unsigned long long)want, s->id,
		       (unsigned long long)s->map_size, en(ret));
		return;
	}
	if (i == SLOT_PRIV) {
		EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -ETIMEDOUT,
		       "alloc of %llu on the private heap: %s",
		       (unsigned long long)want, en(ret));
	} else {
		EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -ETIMEDOUT ||
		       ret == -EIDRM, "alloc of %llu timeout %llu flags %#x on heap %u: %s",
		       (unsigned long long)want, (unsigned long long)a.timeout,
		       a.flags, s->id, en(ret));
	}
	if (ret == -EWOULDBLOCK)
		EXPECT(a.timeout == RTHEAP_TM_NONBLOCK, "-EWOULDBLOCK with timeout %llu",
		       (unsigned long long)a.timeout);
	if (ret == -ETIMEDOUT && !(a.flags & RTHEAP_TIMEOUT_ABS))
		EXPECT(h_ns() - t0 >= a.timeout, "-ETIMEDOUT after %llu ns of a "
		       "%llu ns timeout", (unsigned long long)(h_ns() - t0),
		       (unsigned long long)a.timeout);
	if (ret == -ETIMEDOUT && (a.flags & RTHEAP_TIMEOUT_ABS))
		EXPECT(h_ns() >= a.timeout, "-ETIMEDOUT before the deadline");
	if (ret == -EIDRM) {
		s->deleted = true;
		STAT_ADD(eidrm, 1);
		return;
	}
	if (ret)
		return;
	rsize = h_rounded(want);
	EXPECT(a.offset + rsize <= s->map_size && !(a.offset % (rsize < PAGE ? rsize : PAGE)),
	       "alloc of %llu on heap %u: block at %llu (rounded %llu, map %llu)",
	       (unsigned long long)want, s->id, (unsigned long long)a.offset,
	       (unsigned long long)rsize, (unsigned long long)s->map_size);
	check_kptr(&a.offset, sizeof(a.offset), "alloc offset");
	if (i == SLOT_PRIV) {
		for (int k = 0; k < nheld; k++)
			EXPECT(held[k].id != s->id || a.offset + rsize <= held[k].off ||
			       held[k].off + held[k].size <= a.offset,
			       "private heap %u: block [%llu, +%llu) overlaps the held "
			       "[%llu, +%llu)", s->id, (unsigned long long)a.offset,
			       (unsigned long long)rsize,
			       (unsigned long long)held[k].off,
			       (unsigned long long)held[k].size);
	}
	held[nheld++] = (struct held){ s->id, a.offset, rsize };
	STAT_ADD(allocs_ok, 1);
}

/* Slot attached to heap id, not deleted as far as we know; -1 if none. */
static int slot_of(uint32_t id)
{
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0 && slots[i].id == id)
			return i;
	return -1;
}

static void op_free(void)
{
	struct rtheap_free f;
	struct slot *s;
	int i, k = -1, ret;
	bool on_priv;

	memset(&f, 0, sizeof(f));
	if (nheld && h_rng_pct(&rng, 75)) {
		k = (int)h_rng_below(&rng, nheld);
		i = slot_of(held[k].id);
		if (i < 0)
			return;
		f.offset = held[k].off;
	} else {
		i = pick_attached(false);
		if (i < 0)
			return;
		f.offset = 0;
	}
	s = &slots[i];
	on_priv = i == SLOT_PRIV;
	if (s->privname && (!on_priv || in_child))
		return;
	if (k < 0) {
		/* A random offset: on the private heap anything goes; on
		 * shared heaps only offsets that can start no block. */
		uint64_t r = h_rng_below(&rng, 100);

		if (r < 30 && nheld)
			f.offset = held[h_rng_below(&rng, nheld)].off + 16 * (1 + h_rng_below(&rng, 4));
		else if (r < 60)
			f.offset = h_rng_below(&rng, s->map_size + PAGE) & ~15ULL;
		else
			f.offset = nasty_u64();
		if (!on_priv && !(s->mode & H_SHARED) && !(f.offset & 15) &&
		    f.offset < s->map_size)
			f.offset |= 1 + h_rng_below(&rng, 15);
		k = held_find(s->id, f.offset);
	}
	if (h_rng_pct(&rng, 3)) {
		poke(f.reserved, sizeof(f.reserved));
		ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
		EXPECT(ret == -EINVAL, "free with reserved bits: %s", en(ret));
		return;
	}
	ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
	if (s->mode & H_SHARED) {
		EXPECT(ret == (f.offset ? -EINVAL : 0) || ret == -EIDRM,
		       "free of %llu on the H_SHARED heap %u: %s",
		       (unsigned long long)f.offset, s->id, en(ret));
		return;
	}
	if (on_priv) {
		EXPECT(ret == (k >= 0 ? 0 : -EINVAL),
		       "free of %llu on the private heap %u (%s): %s",
		       (unsigned long long)f.offset, s->id,
		       k >= 0 ? "a block we hold" : "no block of ours", en(ret));
	} else if (k >= 0) {
		EXPECT(ret == 0 || ret == -EIDRM, "free of our block %llu on heap %u: %s",
		       (unsigned long long)f.offset, s->id, en(ret));
	} else {
		EXPECT(ret == -EINVAL || ret == -EIDRM,
		       "free of the impossible offset %llu on heap %u: %s",
		       (unsigned long long)f.offset, s->id, en(ret));
	}
	if (ret == -EIDRM) {
		s->deleted = true;
		STAT_ADD(eidrm, 1);
		return;
	}
	if (!ret && k >= 0) {
		held_drop(k);
		STAT_ADD(frees_ok, 1);
	}
	if (on_priv && h_rng_pct(&rng, 20)) {
		/* Double free, always detected. */
		ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
		EXPECT(ret == -EINVAL, "double free of %llu on the private heap: %s",
		       (unsigned long long)f.offset, en(ret));
	}
}

static void op_inquire(void)
{
	int i = (int)h_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	struct rtheap_inquire q;
	bool bad;
	int ret;

	if (s->fd < 0)
		return;
	if (i == SLOT_PRIV && !in_child && h_rng_pct(&rng, 50)) {
		check_private("inquire");
		return;
	}
	memset(&q, 0xa5, sizeof(q));
	memset(q.reserved, 0, sizeof(q.reserved));
	bad = h_rng_pct(&rng, 5) && poke(q.reserved, sizeof(q.reserved));
	ret = xioctl(s->fd, RTHEAP_IOC_INQUIRE, &q, K_INQUIRE);
	if (bad || !s->id) {
		EXPECT(ret == -EINVAL, "inquire (%s): %s",
		       bad ? "reserved set" : "no heap", en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -EIDRM, "inquire of heap %u: %s", s->id, en(ret));
	if (ret) {
		s->deleted = true;
		return;
	}
	EXPECT(q.info.id == s->id && q.info.mode == s->mode &&
	       q.info.heap_size == s->heap_size && q.info.usable_mem == s->map_size,
	       "inquire of heap %u: id %u mode %#x size %llu usable %llu", s->id,
	       q.info.id, q.info.mode, (unsigned long long)q.info.heap_size,
	       (unsigned long long)q.info.usable_mem);
	EXPECT(q.info.used_mem <= q.info.usable_mem &&
	       q.info.largest_free <= q.info.usable_mem,
	       "inquire of heap %u: used %llu largest %llu usable %llu", s->id,
	       (unsigned long long)q.info.used_mem,
	       (unsigned long long)q.info.largest_free,
	       (unsigned long long)q.info.usable_mem);
	EXPECT(!strncmp(q.info.name, s->name, RTHEAP_NAMELEN),
	       "inquire of heap %u: name \"%.31s\", expected \"%s\"", s->id,
	       q.info.name, s->name);
	check_kptr(&q.info, sizeof(q.info), "inquire output");
	check_zero(q.info.reserved, sizeof(q.info.reserved), "info.reserved");
	EXPECT(!(q.info.flags & ~RTHEAP_INFO_DELETED), "info.flags %#x", q.info.flags);
}

static void op_list(int fd)
{
	struct rtheap_list l;
	struct rtheap_info *buf;
	unsigned int cap = (unsigned int)h_rng_below(&rng, 12);
	bool bad = h_rng_pct(&rng, 5);
	int ret;

	buf = malloc((cap + 1) * sizeof(*buf));
	CHECK(buf);
	memset(buf, 0xa5, (cap + 1) * sizeof(*buf));
	memset(&l, 0, sizeof(l));
	l.buf = (uintptr_t)buf;
	l.capacity = cap;
	if (bad)
		poke(l.reserved, sizeof(l.reserved));
	ret = xioctl(fd, RTHEAP_IOC_LIST, &l, K_LIST);
	if (bad) {
		EXPECT(ret == -EINVAL, "list with reserved bits: %s", en(ret));
		free(buf);
		return;
	}
	EXPECT(ret == 0, "list of %u: %s", cap, en(ret));
	for (unsigned int k = 0; k < cap && k < l.count; k++) {
		check_kptr(&buf[k], sizeof(buf[k]), "list entry");
		check_zero(buf[k].reserved, sizeof(buf[k].reserved), "list entry reserved");
	}
	/* Entries past what the kernel wrote are untouched. */
	for (size_t k = (l.count < cap ? l.count : cap) * sizeof(*buf);
	     k < (cap + 1) * sizeof(*buf); k++)
		EXPECT(((unsigned char *)buf)[k] == 0xa5,
		       "list of capacity %u (count %u) wrote byte %zu", cap,
		       l.count, k);
	free(buf);
}

static void op_version(int fd)
{
	struct rtheap_version v;
	bool bad = h_rng_pct(&rng, 20);
	int ret;

	memset(&v, 0, sizeof(v));
	if (bad)
		poke(v.reserved, sizeof(v.reserved));
	else if (h_rng_pct(&rng, 30))
		v.abi_version = (uint32_t)h_rng_next(&rng);	/* out-only: ignored */
	ret = xioctl(fd, RTHEAP_IOC_VERSION, &v, K_VERSION);
	if (bad) {
		EXPECT(ret == -EINVAL, "version with reserved bits: %s", en(ret));
		return;
	}
	EXPECT(ret == 0 && v.abi_version == RTHEAP_ABI_VERSION &&
	       v.page_size == PAGE, "version: %s, abi %u page %u", en(ret),
	       v.abi_version, v.page_size);
	check_kptr(&v, sizeof(v), "version output");
}

/* Unknown commands: every one -ENOTTY. */
static void op_badcmd(int fd)
{
	static const unsigned int valid[] = {
		RTHEAP_IOC_VERSION, RTHEAP_IOC_CREATE, RTHEAP_IOC_BIND,
		RTHEAP_IOC_DELETE, RTHEAP_IOC_ALLOC, RTHEAP_IOC_FREE,
		RTHEAP_IOC_INQUIRE, RTHEAP_IOC_LIST, RTHEAP_IOC_NOP,
#ifdef RTHEAP_IOC_DELETE_NAME
		RTHEAP_IOC_DELETE_NAME,
#endif
	};
	const int nvalid = sizeof(valid) / sizeof(valid[0]);
	unsigned char buf[1024];
	unsigned long cmd;
	int ret;

	switch (h_rng_below(&rng, 4)) {
	case 0:		/* our magic, random number, size, direction */
		cmd = _IOC(h_rng_below(&rng, 4), RTHEAP_IOC_MAGIC,
			   h_rng_below(&rng, 0x20), h_rng_below(&rng, 600));
		break;
	case 1:		/* a real command with its size or direction changed */
		cmd = valid[h_rng_below(&rng, nvalid)];
		cmd ^= h_rng_pct(&rng, 50) ? (1UL + h_rng_below(&rng, 0x3fff)) << _IOC_SIZESHIFT
					  : (1UL + h_rng_below(&rng, 3)) << _IOC_DIRSHIFT;
		break;
	case 2:		/* nr past the table */
		cmd = _IOWR(RTHEAP_IOC_MAGIC, nvalid + h_rng_below(&rng, 256 - nvalid),
			    struct rtheap_alloc);
		break;
	default:
		cmd = (unsigned int)h_rng_next(&rng);
		break;
	}
	cmd &= 0xffffffffUL;
	for (int k = 0; k < nvalid; k++)
		if (cmd == valid[k])
			return;
	/*
	 * The VFS answers some commands itself before any driver (FIOCLEX,
	 * FIONBIO, FIOQSIZE: type 'T'; FIFREEZE: 'X'; FS_IOC_*: 'f';
	 * FICLONE: 0x94; FIBMAP, FIGETBSZ: 0).
	 */
	switch (_IOC_TYPE(cmd)) {
	case 'T': case 'X': case 'f': case 0x94: case 0:
		return;
	}
	memset(buf, 0, sizeof(buf));
	ret = xioctl(fd, cmd, buf, K_BADCMD);
	EXPECT(ret == -ENOTTY, "unknown command %#lx: %s", cmd, en(ret));
}

/* Argument pages for bad-pointer calls: [RW][RO][none]. */
static char *argpages;

static void setup_argpages(void)
{
	argpages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(argpages != MAP_FAILED, "mmap: %s", strerror(errno));
	EXPECT(!mprotect(argpages + PAGE, PAGE, PROT_READ) &&
	       !mprotect(argpages + 2 * PAGE, PAGE, PROT_NONE), "mprotect");
}

/*
 * A valid command with a bad argument pointer: NULL, a kernel address, an
 * unmapped page, a struct straddling into an unmapped page, or a
 * read-only struct (read fine, write-back fails: the call must undo what
 * it did and return -EFAULT).
 */
static void op_badptr(void)
{
	static const unsigned int cmds[] = {
		RTHEAP_IOC_VERSION, RTHEAP_IOC_CREATE, RTHEAP_IOC_BIND,
		RTHEAP_IOC_DELETE, RTHEAP_IOC_ALLOC, RTHEAP_IOC_FREE,
		RTHEAP_IOC_INQUIRE, RTHEAP_IOC_LIST,
#ifdef RTHEAP_IOC_DELETE_NAME
		RTHEAP_IOC_DELETE_NAME,
#endif
	};
	unsigned int cmd = cmds[h_rng_below(&rng, sizeof(cmds) / sizeof(cmds[0]))];
	size_t size = _IOC_SIZE(cmd);
	int i = (int)h_rng_below(&rng, NSLOTS), ret;
	struct slot *s = &slots[i];
	uint64_t r = h_rng_below(&rng, 100);
	void *arg;
	bool ro = false;

	if (s->fd < 0)
		return;
	if (r < 15)
		arg = NULL;
	else if (r < 30)	/* a kernel address; past TASK_SIZE in 32 bits */
		arg = sizeof(void *) == 4 ?
		      (void *)(uintptr_t)(0xffffe000UL + (h_rng_next(&rng) & 0xff0)) :
		      (void *)(uintptr_t)(0xffff888000000000ULL + (h_rng_next(&rng) & 0xffffff0ULL));
	else if (r < 45)
		arg = argpages + 2 * PAGE + h_rng_below(&rng, PAGE - size);
	else if (r < 65)
		arg = argpages + 2 * PAGE - 1 - h_rng_below(&rng, size - 1);	/* straddles */
	else {
		ro = true;
		arg = argpages + PAGE;
	}

	if (ro) {
		/* A read-only struct that would be valid: only safe commands. */
		uint32_t pre_id = s->id;
		union {
			struct rtheap_version v;
			struct rtheap_inquire q;
			struct rtheap_alloc a;
			struct rtheap_create_arg c;
			struct rtheap_bind b;
		} u;

		memset(&u, 0, sizeof(u));
		if (cmd == RTHEAP_IOC_ALLOC && i == SLOT_PRIV && s->id && !in_child &&
		    !(s->mode & H_SHARED)) {
			u.a.size = 1 + h_rng_below(&rng, 3000);
			u.a.timeout = RTHEAP_TM_NONBLOCK;
		} else if (cmd == RTHEAP_IOC_CREATE && !s->id && i == SLOT_SCRATCH) {
			static unsigned int ro_seq;

			/* A name nobody else uses, the earlier ones may live on. */
			snprintf(u.c.in.name, sizeof(u.c.in.name), "%s.r%d.%d.%u",
				 sh->prefix, me, (int)getpid() % 10000, ro_seq++ % 1000);
			u.c.in.size = PAGE;
		} else if (cmd == RTHEAP_IOC_BIND && !s->id && i != SLOT_PRIV) {
			random_run_name(u.b.name);
			u.b.timeout = RTHEAP_TM_NONBLOCK;
		} else if (cmd != RTHEAP_IOC_VERSION && cmd != RTHEAP_IOC_INQUIRE) {
			return;
		}
		EXPECT(!mprotect(argpages + PAGE, PAGE, PROT_READ | PROT_WRITE), "mprotect");
		memcpy(arg, &u, size);
		EXPECT(!mprotect(argpages + PAGE, PAGE, PROT_READ), "mprotect");
		ret = xioctl(s->fd, cmd, arg, K_BADPTR);
		if (cmd == RTHEAP_IOC_INQUIRE && !s->id) {
			EXPECT(ret == -EINVAL, "inquire (read-only arg, no heap): %s", en(ret));
			return;
		}
		if (cmd == RTHEAP_IOC_BIND)
			EXPECT(ret == -EFAULT || ret == -EWOULDBLOCK || ret == -EIDRM,
			       "bind with a read-only argument: %s", en(ret));
		else if (cmd == RTHEAP_IOC_ALLOC)
			EXPECT(ret == -EFAULT || ret == -EWOULDBLOCK,
			       "alloc with a read-only argument: %s", en(ret));
		else
			EXPECT(ret == -EFAULT || (ret == -EIDRM &&
						  (i != SLOT_PRIV || in_child) &&
						  cmd == RTHEAP_IOC_INQUIRE),
			       "%s with a read-only argument: %s",
			       cmd == RTHEAP_IOC_CREATE ? "create" :
			       cmd == RTHEAP_IOC_ALLOC ? "alloc" : "version/inquire",
			       en(ret));
		/* Nothing stuck: still unattached, the name free, no block. */
		if (cmd == RTHEAP_IOC_CREATE || cmd == RTHEAP_IOC_BIND) {
			EXPECT(s->id == pre_id, "model");
			if (cmd == RTHEAP_IOC_CREATE) {
				ret = do_create(i, u.c.in.name, 0, PAGE);
				EXPECT(ret == 0, "create of \"%s\" after a create that "
				       "failed with -EFAULT: %s (half-registered?)",
				       u.c.in.name, en(ret));
			} else {
				struct rtheap_inquire q;

				memset(&q, 0, sizeof(q));
				ret = xioctl(s->fd, RTHEAP_IOC_INQUIRE, &q, K_INQUIRE);
				EXPECT(ret == -EINVAL, "inquire after a bind that failed "
				       "with -EFAULT: %s (file attached anyway?)", en(ret));
			}
		}
		if (cmd == RTHEAP_IOC_ALLOC)
			check_private("alloc with a read-only argument");
		return;
	}
	ret = xioctl(s->fd, cmd, arg, K_BADPTR);
	EXPECT(ret == -EFAULT || (cmd == RTHEAP_IOC_DELETE && ret == -EINVAL && !s->id),
	       "command %#x with argument %p: %s", cmd, arg, en(ret));
}

/* mmap: the right way (recorded) or a wrong one (must fail). */
static void op_mmap(void)
{
	int i = (int)h_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	uint64_t r = h_rng_below(&rng, 100);
	size_t len;
	off_t off = 0;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	bool expect_ok;
	void *p;

	if (s->fd < 0 || nmaps >= MAXMAPS)
		return;
	len = s->id ? s->map_size : PAGE * (1 + h_rng_below(&rng, 4));
	if (s->rdonly)
		prot = PROT_READ;
	expect_ok = s->id && !s->deleted;
	if (r < 60) {
		/* right */
	} else if (r < 68) {
		len = len > PAGE ? len - PAGE : 2 * PAGE;
		expect_ok = false;
	} else if (r < 76) {
		len += PAGE * (1 + h_rng_below(&rng, 4));
		expect_ok = false;
	} else if (r < 84) {
		off = (off_t)(PAGE * (1 + h_rng_below(&rng, 1024)));
		expect_ok = false;
	} else if (r < 90) {
		flags = MAP_PRIVATE;
		expect_ok = false;
	} else if (r < 94 && !s->rdonly) {
		prot = PROT_READ;	/* read-only mapping: fine */
	} else if (r >= 97 && s->rdonly) {
		prot = PROT_READ | PROT_WRITE;	/* on an O_RDONLY file: -EACCES */
		expect_ok = false;
	}
	count(K_MMAP);
	p = mmap(NULL, len, prot, flags, s->fd, off);
	if (!expect_ok) {
		EXPECT(p == MAP_FAILED, "mmap of %zu bytes at %lld flags %#x prot %#x "
		       "on %s heap %u (map_size %llu) succeeded", len, (long long)off,
		       flags, prot, s->deleted ? "deleted" : "", s->id,
		       (unsigned long long)s->map_size);
		EXPECT(errno == EINVAL || errno == EIDRM || errno == EACCES ||
		       errno == ENOMEM || errno == EPERM,
		       "failed mmap: errno %d (%s)", errno, strerror(errno));
		return;
	}
	if (p == MAP_FAILED) {
		EXPECT(errno == EIDRM && (i != SLOT_PRIV || in_child),
		       "mmap of heap %u (%zu bytes): %s",
		       s->id, len, strerror(errno));
		s->deleted = true;
		return;
	}
	map_add(p, len, s->id, s->gen, i == SLOT_PRIV, s->privname,
		(prot & PROT_WRITE) != 0);
}

static void op_munmap(void)
{
	struct map *m;
	int i;
	size_t np, a, b;

	if (!nmaps)
		return;
	i = (int)h_rng_below(&rng, nmaps);
	m = &maps[i];
	np = m->len / PAGE;
	if (!m->partial_ok || h_rng_pct(&rng, 50)) {
		unmap_all(i);
		return;
	}
	/*
	 * Unmap the live pages in [a, b): splits the mapping, each piece a
	 * VMA.  Not the dead ones: other mappings may live there by now.
	 */
	a = h_rng_below(&rng, np);
	b = a + 1 + h_rng_below(&rng, np - a);
	for (size_t p = a, q; p < b; p = q) {
		if (!map_page_alive(m, p)) {
			q = p + 1;
			continue;
		}
		for (q = p; q < b && map_page_alive(m, q); q++)
			m->alive[q / 64] &= ~(1ULL << (q % 64));
		count(K_MUNMAP);
		EXPECT(munmap(m->addr + p * PAGE, (q - p) * PAGE) == 0, "munmap: %s",
		       strerror(errno));
	}
	if (!map_pieces(m))
		map_drop(i);
}

/*
 * mremap: moving a whole mapping works (the VMA's open/close keep nmaps);
 * shrinking cuts pages off its end; growing never works (VM_DONTEXPAND).
 */
static void op_mremap(void)
{
	struct map *m;
	size_t np;
	void *p, *to;
	int i;

	if (!nmaps)
		return;
	i = (int)h_rng_below(&rng, nmaps);
	m = &maps[i];
	np = m->len / PAGE;
	if (map_pieces(m) != 1 || !map_page_alive(m, 0) ||
	    !map_page_alive(m, np - 1))
		return;
	count(K_MREMAP);
	switch (h_rng_below(&rng, 3)) {
	case 0:
		p = mremap(m->addr, m->len, m->len + PAGE * (1 + h_rng_below(&rng, 8)),
			   MREMAP_MAYMOVE);
		EXPECT(p == MAP_FAILED, "mremap grew a heap mapping of %zu bytes",
		       m->len);
		break;
	case 1:
		to = mmap(NULL, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXPECT(to != MAP_FAILED, "mmap: %s", strerror(errno));
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (p != to) {
			char *vm = h_slurp("/proc/self/maps");

			fprintf(stderr, "rtheap-fuzz: mremap of [%p, +%zu) (id %u, "
				"%u pieces) to %p failed: %s; /proc/self/maps:\n%s",
				m->addr, m->len, m->id, map_pieces(m), to,
				strerror(errno), vm ? vm : "?");
			fail("mremap (move %zu bytes): %s", m->len, strerror(errno));
		}
		m->addr = p;
		break;
	default:
		if (np < 2 || !m->partial_ok)
			return;
		p = mremap(m->addr, m->len, m->len - PAGE, 0);
		EXPECT(p == m->addr, "mremap (shrink): %s", strerror(errno));
		m->alive[(np - 1) / 64] &= ~(1ULL << ((np - 1) % 64));
		m->len -= PAGE;
		break;
	}
}

/*
 * Garbage over a mapped heap: the allocator must not care.  Not over a
 * private heap of another worker (its refault check reads what it wrote),
 * nor, in a child, over our own.
 */
static void op_garbage(void)
{
	struct map *m;
	size_t p, len;
	unsigned char *b;
	uint64_t x;

	if (!nmaps)
		return;
	m = &maps[h_rng_below(&rng, nmaps)];
	if ((m->privname && !m->priv) || (in_child && m->priv))
		return;
	p = h_rng_below(&rng, m->len / PAGE);
	if (!map_page_alive(m, p))
		return;
	b = (unsigned char *)m->addr + p * PAGE;
	if (!m->writable) {
		volatile unsigned char sink = b[h_rng_below(&rng, PAGE)];

		(void)sink;
		return;
	}
	len = 1 + h_rng_below(&rng, PAGE);
	x = h_rng_next(&rng);
	for (size_t k = 0; k < len; k++) {
		b[k] = (unsigned char)(x >> 56);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	STAT_ADD(garbage, 1);
}

/*
 * MADV_DONTNEED drops a page of the private heap's mapping; touching it
 * refaults the very same heap page (its contents, not a zero page).
 */
static void op_refault(void)
{
	struct map *m = NULL;
	uint64_t v = h_rng_next(&rng), got;
	size_t p;

	for (int k = 0; k < nmaps; k++)
		if (maps[k].priv && maps[k].writable &&
		    maps[k].id == slots[SLOT_PRIV].id)
			m = &maps[k];
	if (!m || in_child)
		return;
	p = h_rng_below(&rng, m->len / PAGE);
	if (!map_page_alive(m, p))
		return;
	memcpy(m->addr + p * PAGE + 8, &v, sizeof(v));
	count(K_MADVISE);
	EXPECT(madvise(m->addr + p * PAGE, PAGE, MADV_DONTNEED) == 0,
	       "madvise(MADV_DONTNEED): %s", strerror(errno));
	memcpy(&got, m->addr + p * PAGE + 8, sizeof(got));
	EXPECT(got == v, "page %zu of the private heap after MADV_DONTNEED: "
	       "0x%llx, wrote 0x%llx", p, (unsigned long long)got,
	       (unsigned long long)v);
	STAT_ADD(refaults, 1);
}

/*
 * Syscalls rtheap files do not implement: read, write, lseek, fsync,
 * ftruncate, fallocate must fail; fstat, poll and a dup'ed descriptor
 * closed at once change nothing.
 */
static void op_misc_syscalls(void)
{
	int i = (int)h_rng_below(&rng, NSLOTS), fd, d;
	struct pollfd pfd;
	struct stat st;
	char buf[64];

	if (slots[i].fd < 0)
		return;
	fd = slots[i].fd;
	memset(buf, 0, sizeof(buf));
	switch (h_rng_below(&rng, 8)) {
	case 0:
		EXPECT(read(fd, buf, sizeof(buf)) < 0, "read of an rtheap file succeeded");
		break;
	case 1:
		EXPECT(write(fd, buf, sizeof(buf)) < 0, "write to an rtheap file succeeded");
		break;
	case 2:
		EXPECT(lseek(fd, (off_t)h_rng_below(&rng, 1 << 20), SEEK_SET) < 0 &&
		       errno == ESPIPE, "lseek on an rtheap file: %s", strerror(errno));
		break;
	case 3:
		EXPECT(fsync(fd) < 0, "fsync of an rtheap file succeeded");
		break;
	case 4:
		EXPECT(ftruncate(fd, (off_t)h_rng_below(&rng, 1 << 20)) < 0,
		       "ftruncate of an rtheap file succeeded");
		break;
	case 5:
		EXPECT(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "fstat: %s",
		       strerror(errno));
		break;
	case 6:
		pfd.fd = fd;
		pfd.events = POLLIN | POLLOUT | POLLPRI;
		EXPECT(poll(&pfd, 1, 0) >= 0, "poll: %s", strerror(errno));
		break;
	default:
		d = dup(fd);
		EXPECT(d >= 0, "dup: %s", strerror(errno));
		close(d);
		break;
	}
}

static void op_unbind(void)
{
	int i = SLOT_OWN0 + (int)h_rng_below(&rng, NSLOTS - 1);

	if (slots[i].fd < 0)
		return;
	slot_close(i);
}

/* --- children --------------------------------------------------------------------- */

static void child_random_ops(int n);

struct racer {
	int fd;
	uint64_t seed;
	int iters;
};

/* Two threads on one file: create/bind/delete/alloc/inquire at once. */
static void *racer_thread(void *arg)
{
	struct racer *r = arg;
	struct h_rng tr;

	h_rng_seed(&tr, r->seed);
	for (int k = 0; k < r->iters && !sh->stop; k++) {
		union {
			struct rtheap_create_arg c;
			struct rtheap_bind b;
			struct rtheap_alloc a;
			struct rtheap_inquire q;
			struct rtheap_delete d;
			struct rtheap_free f;
		} u;
		int ret;

		memset(&u, 0, sizeof(u));
		switch (h_rng_below(&tr, 6)) {
		case 0:
			snprintf(u.c.in.name, sizeof(u.c.in.name), "%s.c%d.%d",
				 sh->prefix, me, (int)h_rng_below(&tr, 3));
			if (h_rng_pct(&tr, 30))
				u.c.in.name[0] = 0;
			u.c.in.size = PAGE * (1 + h_rng_below(&tr, 8));
			u.c.in.mode = h_rng_pct(&tr, 20) && u.c.in.name[0] ? H_PERSIST : 0;
			ret = xioctl(r->fd, RTHEAP_IOC_CREATE, &u.c, K_CREATE);
			EXPECT(ret == 0 || ret == -EBUSY || ret == -EEXIST || ret == -ENOMEM,
			       "racing create: %s", en(ret));
			break;
		case 1:
			snprintf(u.b.name, sizeof(u.b.name), "%s.c%d.%d",
				 sh->prefix, me, (int)h_rng_below(&tr, 3));
			u.b.timeout = RTHEAP_TM_NONBLOCK;
			ret = xioctl(r->fd, RTHEAP_IOC_BIND, &u.b, K_BIND);
			EXPECT(ret == 0 || ret == -EBUSY || ret == -EWOULDBLOCK ||
			       ret == -EIDRM, "racing bind: %s", en(ret));
			break;
		case 2:
			ret = xioctl(r->fd, RTHEAP_IOC_DELETE, &u.d, K_DELETE);
			EXPECT(ret == 0 || ret == -EINVAL || ret == -EIDRM,
			       "racing delete: %s", en(ret));
			break;
		case 3: {
			/* Only children's heaps here: checked loosely by name. */
			u.a.size = 1 + h_rng_below(&tr, 2 * PAGE);
			u.a.timeout = h_rng_pct(&tr, 50) ? RTHEAP_TM_NONBLOCK : 100000;
			ret = xioctl(r->fd, RTHEAP_IOC_ALLOC, &u.a, K_ALLOC);
			EXPECT(ret == 0 || ret == -EINVAL || ret == -EIDRM ||
			       ret == -EWOULDBLOCK || ret == -ETIMEDOUT,
			       "racing alloc: %s", en(ret));
			break;
		}
		case 4:
			ret = xioctl(r->fd, RTHEAP_IOC_INQUIRE, &u.q, K_INQUIRE);
			EXPECT(ret == 0 || ret == -EINVAL || ret == -EIDRM,
			       "racing inquire: %s", en(ret));
			if (!ret)
				check_kptr(&u.q.info, sizeof(u.q.info), "inquire output");
			break;
		default: {
			void *p;

			count(K_MMAP);
			p = mmap(NULL, PAGE * (1 + h_rng_below(&tr, 8)),
				 PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
			if (p != MAP_FAILED) {
				/* Whatever heap it is, writing is fine. */
				memset(p, 0x5a, 64);
				count(K_MUNMAP);
				munmap(p, PAGE);
			}
			break;
		}
		}
	}
	return NULL;
}

static int child_racer(void)
{
	struct racer r[2];
	pthread_t thr[2];
	int fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	for (int k = 0; k < 2; k++) {
		r[k].fd = fd;
		r[k].seed = h_rng_next(&rng);
		r[k].iters = 20 + (int)h_rng_below(&rng, 200);
		EXPECT(!pthread_create(&thr[k], NULL, racer_thread, &r[k]),
		       "pthread_create");
	}
	for (int k = 0; k < 2; k++)
		pthread_join(thr[k], NULL);
	return 0;
}

/*
 * Block in alloc (or bind) on a heap bound here or inherited, until
 * killed; SIGUSR1 (a handler, no SA_RESTART) interrupts the wait with
 * -EINTR and the child waits again.
 */
static int child_waiter(void)
{
	struct rtheap_alloc a;
	struct rtheap_bind b;
	int fd, i = pick_attached(false), ret;

	if (i >= 0 && !slots[i].privname && !(slots[i].mode & H_SHARED) &&
	    h_rng_pct(&rng, 60)) {
		fd = slots[i].fd;
		taint(slots[i].id);
		memset(&a, 0, sizeof(a));
		a.size = slots[i].map_size - h_rng_below(&rng, PAGE);
	} else {
		fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		EXPECT(fd >= 0, "open: %s", strerror(errno));
		memset(&b, 0, sizeof(b));
		own_name(b.name, (int)h_rng_below(&rng, sh->nprocs),
			 (int)h_rng_below(&rng, NOWN));
		b.timeout = h_rng_pct(&rng, 50) ? RTHEAP_TM_INFINITE : 5000000;
		do {
			ret = xioctl(fd, RTHEAP_IOC_BIND, &b, K_BIND);	/* may wait */
			if (ret == -EINTR)
				STAT_ADD(eintr, 1);
		} while (ret == -EINTR);
		EXPECT(ret == 0 || ret == -ETIMEDOUT || ret == -EIDRM,
		       "bind in a child: %s", en(ret));
		if (ret)
			return 0;
		if (b.out.mode & H_SHARED)
			return 0;
		taint(b.out.id);
		memset(&a, 0, sizeof(a));
		a.size = b.out.map_size;
	}
	a.timeout = h_rng_pct(&rng, 70) ? RTHEAP_TM_INFINITE : 20000000;
	do {
		ret = xioctl(fd, RTHEAP_IOC_ALLOC, &a, K_ALLOC);
		if (ret == -EINTR)
			STAT_ADD(eintr, 1);
	} while (ret == -EINTR);
	EXPECT(ret == 0 || ret == -ETIMEDOUT || ret == -EIDRM || ret == -EINVAL,
	       "blocking alloc in a child: %s", en(ret));
	for (;;)
		pause();
	return 0;
}

static void spawn_child(void)
{
	uint64_t cseed = h_rng_next(&rng);
	int role = (int)h_rng_below(&rng, 3);
	pid_t pid;

	if (nchildren >= MAXCHILD)
		return;
	fflush(NULL);
	pid = fork();
	EXPECT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		in_child = true;
		/* Orphans would keep files and mappings: die with the worker. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		h_rng_seed(&rng, cseed);
		nchildren = 0;
		switch (role) {
		case ROLE_RACER:
			_exit(child_racer());
		case ROLE_WAITER:
			_exit(child_waiter());
		default:
			child_random_ops(20 + (int)h_rng_below(&rng, 200));
			_exit(0);
		}
	}
	STAT_ADD(forks, 1);
	child_role[nchildren] = role;
	children[nchildren++] = pid;
}

static void reap(pid_t pid, bool killed)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		EXPECT(errno == EINTR, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status)) {
		EXPECT(killed && WTERMSIG(status) == SIGKILL,
		       "child %d died of signal %d", (int)pid, WTERMSIG(status));
		STAT_ADD(kills, 1);
		return;
	}
	EXPECT(WEXITSTATUS(status) == 0, "child %d exited %d", (int)pid,
	       WEXITSTATUS(status));
	STAT_ADD(child_exits, 1);
}

static void forget_child(int k)
{
	nchildren--;
	children[k] = children[nchildren];
	child_role[k] = child_role[nchildren];
}

/*
 * SIGKILL a child at a random moment, or let it finish: those that only
 * make calls with short timeouts must end within CHILD_LIMIT_NS, else they
 * are stuck in the kernel.  Waiters block until killed.
 */
#define CHILD_LIMIT_NS	20000000000ULL

static void end_child(bool all)
{
	while (nchildren) {
		int k = (int)h_rng_below(&rng, nchildren), status;
		pid_t pid = children[k], r;
		uint64_t end = h_ns() + CHILD_LIMIT_NS;

		if (child_role[k] == ROLE_WAITER || h_rng_pct(&rng, 70)) {
			struct timespec ts = { 0, (long)h_rng_below(&rng, 3000000) };

			/* Waiters: interrupted by signals a few times first. */
			for (int n = h_rng_below(&rng, 4); child_role[k] == ROLE_WAITER && n > 0; n--) {
				nanosleep(&ts, NULL);
				kill(pid, SIGUSR1);
			}
			nanosleep(&ts, NULL);
			kill(pid, SIGKILL);
			reap(pid, true);
		} else {
			while ((r = waitpid(pid, &status, WNOHANG)) == 0 && h_ns() < end)
				usleep(1000);
			if (r == 0) {
				kill(pid, SIGKILL);
				fail("child %d (role %d) still running after %llu s: stuck "
				     "in the kernel?", (int)pid, child_role[k],
				     CHILD_LIMIT_NS / 1000000000ULL);
			}
			EXPECT(r == pid && WIFEXITED(status) && !WEXITSTATUS(status),
			       "child %d: status %#x", (int)pid, status);
			STAT_ADD(child_exits, 1);
		}
		forget_child(k);
		if (!all)
			return;
	}
}

/* --- the op table -------------------------------------------------------------- */

static int op_fd(void)
{
	return slots[SLOT_SCRATCH].fd >= 0 ? slots[SLOT_SCRATCH].fd : slots[SLOT_PRIV].fd;
}

static void op_list_any(void) { op_list(op_fd()); }
static void op_version_any(void) { op_version(op_fd()); }
static void op_badcmd_any(void) { op_badcmd(op_fd()); }

static void op_nop(void)
{
	int ret = xioctl(op_fd(), RTHEAP_IOC_NOP, NULL, K_NOP);

	EXPECT(ret == 0, "nop: %s", en(ret));
}

static void op_delete_any(void)
{
#ifdef RTHEAP_IOC_DELETE_NAME
	if (h_rng_pct(&rng, 30)) {
		op_name = "delete-name";
		op_delete_name(op_fd());
		return;
	}
#endif
	op_delete();
}

static void op_renew_private_w(void)
{
	if (!in_child)
		op_renew_private();
}

static void op_fork(void)
{
	if (!in_child)
		spawn_child();
}

static void op_end_child(void)
{
	if (!in_child && nchildren)
		end_child(false);
}

static void op_check_private(void)
{
	if (!in_child)
		check_private("random check");
}

/*
 * Operations and their weights (per 10000), in the full mix and in the
 * light one (--light: ioctls on existing heaps mostly, and short timeouts;
 * heap creation, mappings and forks a few hundred times rarer: the mix
 * for slow debug kernels, where those cost tens of milliseconds).
 */
static const struct op {
	const char *name;
	void (*fn)(void);
	unsigned int full, light;
} ops[] = {
	{ "alloc", op_alloc, 2000, 3000 },
	{ "free", op_free, 1600, 2500 },
	{ "inquire", op_inquire, 800, 1400 },
	{ "list", op_list_any, 400, 30 },
	{ "version", op_version_any, 200, 300 },
	{ "nop", op_nop, 200, 920 },
	{ "create", op_create, 500, 10 },
	{ "bind", op_bind, 600, 15 },
	{ "delete", op_delete_any, 250, 10 },
	{ "unbind", op_unbind, 250, 10 },
	{ "mmap", op_mmap, 600, 10 },
	{ "munmap", op_munmap, 400, 10 },
	{ "mremap", op_mremap, 150, 5 },
	{ "garbage", op_garbage, 200, 200 },
	{ "refault", op_refault, 150, 30 },
	{ "bad-cmd", op_badcmd_any, 500, 900 },
	{ "bad-ptr", op_badptr, 600, 100 },
	{ "renew-private", op_renew_private_w, 40, 3 },
	{ "fork", op_fork, 60, 2 },
	{ "end-child", op_end_child, 80, 5 },
	{ "misc-syscalls", op_misc_syscalls, 100, 100 },
	{ "check-private", op_check_private, 320, 440 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static void one_op(void)
{
	uint64_t r = h_rng_below(&rng, 10000), t0;
	unsigned int k;

	for (k = 0; k < NOPS - 1; k++) {
		unsigned int w = opt_light ? ops[k].light : ops[k].full;

		if (r < w)
			break;
		r -= w;
	}
	op_no++;
	op_name = ops[k].name;
	t0 = h_ns();
	ops[k].fn();
	STAT_ADD(op_ns[k], h_ns() - t0);
	STAT_ADD(op_count[k], 1);
}

/*
 * A child's random calls: its worker's files and mappings are inherited;
 * it must not touch the private heap's blocks (the worker predicts them),
 * and it marks every heap it may allocate from.
 */
static void child_random_ops(int n)
{
	/* The private heap's file stays, but off limits for alloc/free. */
	slots[SLOT_PRIV].privname = true;
	for (int i = 0; i < NSLOTS; i++) {
		if (slots[i].fd >= 0 && slots[i].id && i != SLOT_PRIV)
			taint(slots[i].id);
		/* An inherited unattached file is the worker's too: attaching
		 * it here would attach it there.  Use files of our own. */
		if (slots[i].fd >= 0 && !slots[i].id)
			slot_open(i);
	}
	nheld = 0;
	for (int k = 0; k < n && !sh->stop; k++) {
		one_op();
		/* Whatever heap a bind or create attached, mark it. */
		for (int i = 0; i < NSLOTS; i++)
			if (slots[i].fd >= 0 && slots[i].id && i != SLOT_PRIV)
				taint(slots[i].id);
	}
}

/* --- barrier and publishing -------------------------------------------------------- */

static void publish_id(uint32_t *ids, int *n, uint32_t id)
{
	for (int k = 0; k < *n; k++)
		if (ids[k] == id)
			return;
	if (*n >= MAXPUB)
		fail("more than %d heaps to publish", MAXPUB);
	ids[(*n)++] = id;
}

/* Forget blocks of heaps that no longer exist (deleted by anybody). */
static void prune_held(void)
{
	struct rtheap_info *infos;
	int fd = slots[SLOT_PRIV].fd, n;

	count(K_LIST);
	n = h_list(fd, &infos);
	EXPECT(n >= 0, "list: %s", en(n));
	for (int k = 0; k < nheld;) {
		bool live = false;

		for (int i = 0; i < n && !live; i++)
			live = infos[i].id == held[k].id;
		if (live)
			k++;
		else
			held_drop(k);
	}
	free(infos);
}

static void publish(void)
{
	struct wshared *w = &sh->w[me];
	uint32_t ids[MAXPUB];
	int n = 0;

	prune_held();

	/* Every heap id we hold blocks in, are attached to or have mapped. */
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0 && slots[i].id)
			publish_id(ids, &n, slots[i].id);
	for (int k = 0; k < nheld; k++)
		publish_id(ids, &n, held[k].id);
	for (int k = 0; k < nmaps; k++)
		publish_id(ids, &n, maps[k].id);
	w->npub = 0;
	for (int a = 0; a < n; a++) {
		struct pub *p = &w->pub[w->npub++];

		memset(p, 0, sizeof(*p));
		p->id = ids[a];
		p->used = held_sum(ids[a], NULL, NULL);
		p->priv = slots[SLOT_PRIV].id == ids[a];
		/*
		 * Files attached to it: open in a slot, or closed but still
		 * mapped (a mapping holds its file; release comes with the
		 * last of both).
		 */
		{
			uint32_t gens[NSLOTS + MAXMAPS];
			int ng = 0;

			for (int i = 0; i < NSLOTS; i++)
				if (slots[i].fd >= 0 && slots[i].id == ids[a])
					gens[ng++] = slots[i].gen;
			for (int k = 0; k < nmaps; k++) {
				bool dup = false;

				if (maps[k].id != ids[a])
					continue;
				for (int g = 0; g < ng; g++)
					dup |= gens[g] == maps[k].gen;
				if (!dup)
					gens[ng++] = maps[k].gen;
			}
			p->nbound = ng;
		}
		for (int k = 0; k < nmaps; k++)
			if (maps[k].id == ids[a])
				p->nmaps += map_pieces(&maps[k]);
	}
}

static void barrier(void)
{
	uint32_t gen = __atomic_load_n(&sh->phase, __ATOMIC_SEQ_CST);

	end_child(true);
	check_private("phase end");
	publish();
	__atomic_add_fetch(&sh->arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->phase, __ATOMIC_SEQ_CST) == gen) {
		if (sh->failed)
			_exit(1);
		usleep(500);
	}
}

static void worker_cleanup(void)
{
	struct rtheap_delete d;

	end_child(true);
	memset(&d, 0, sizeof(d));
	/* Our own heaps go; persistent ones too. */
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0 && slots[i].id && slots[i].creator && !slots[i].deleted)
			xioctl(slots[i].fd, RTHEAP_IOC_DELETE, &d, K_DELETE);
	while (nmaps)
		unmap_all(nmaps - 1);
	for (int i = 0; i < NSLOTS; i++)
		slot_close(i);
}

/*
 * A SIGSEGV or SIGBUS in a worker or child: say where and in which op (a
 * SIGBUS on a heap mapping would be the module's fault).
 */
static void crash_handler(int sig, siginfo_t *si, void *uc)
{
	const char *what = "an unmapped address";

	(void)uc;
	for (int k = 0; k < nmaps; k++)
		if ((char *)si->si_addr >= maps[k].addr &&
		    (char *)si->si_addr < maps[k].addr + maps[k].len) {
			struct map *m = &maps[k];
			char *vm = h_slurp("/proc/self/maps");

			what = "a heap mapping";
			fprintf(stderr, "rtheap-fuzz: mapping [%p, +%zu) of heap %u, "
				"page %zu alive %d, %u pieces, alive %016llx %016llx "
				"%016llx %016llx; /proc/self/maps:\n%s", m->addr, m->len,
				m->id, (size_t)((char *)si->si_addr - m->addr) / PAGE,
				map_page_alive(m, (size_t)((char *)si->si_addr - m->addr) / PAGE),
				map_pieces(m), (unsigned long long)m->alive[0],
				(unsigned long long)m->alive[1],
				(unsigned long long)m->alive[2],
				(unsigned long long)m->alive[3], vm ? vm : "?");
		}
	fail("%s at %p (%s, code %d)", sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
	     si->si_addr, what, si->si_code);
}

static void install_crash_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static void worker(int idx, uint64_t seed)
{
	me = idx;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	install_crash_handler();
	/* Inherited by the children: SIGUSR1 interrupts their waits. */
	t_install_nop_handler(SIGUSR1);
	h_rng_seed(&rng, seed);
	for (int i = 0; i < NSLOTS; i++)
		slots[i].fd = -1;
	setup_argpages();
	setup_private();
	slot_open(SLOT_SCRATCH);
	for (;;) {
		for (uint64_t k = 0; k < opt_phase; k++) {
			if (calls_done >= calls_budget || sh->stop ||
			    (deadline_ns && h_ns() >= deadline_ns))
				break;
			one_op();
		}
		sh->w[me].done_calls = calls_done;
		if (calls_done >= calls_budget || sh->stop ||
		    (deadline_ns && h_ns() >= deadline_ns))
			sh->w[me].finished = 1;
		barrier();
		if (sh->stop)
			break;
	}
	worker_cleanup();
	_exit(0);
}

/* --- the parent's checks -------------------------------------------------------- */

static bool ours(const char *name)
{
	size_t n = strlen(sh->prefix);

	return !strncmp(name, sh->prefix, n) && name[n] == '.';
}

/*
 * Heaps a child may have allocated from (a killed child's blocks stay in
 * the heap, unknown to anybody), for the rest of the run; and children's
 * own heaps, by name.
 */
static uint32_t *ptaint;
static size_t nptaint, captaint;
static bool taint_all;

static void collect_taints(void)
{
	for (int w = 0; w < sh->nprocs; w++) {
		uint32_t n = sh->w[w].ntaint;

		taint_all |= sh->w[w].taint_lost;
		for (uint32_t k = 0; k < n && k < MAXTAINT; k++) {
			if (nptaint == captaint) {
				captaint = captaint ? 2 * captaint : 256;
				ptaint = realloc(ptaint, captaint * sizeof(*ptaint));
				CHECK(ptaint);
			}
			ptaint[nptaint++] = sh->w[w].taint[k];
		}
		sh->w[w].ntaint = 0;
		sh->w[w].taint_lost = 0;
	}
}

static bool tainted(uint32_t id, const char *name)
{
	size_t n = strlen(sh->prefix);

	if (taint_all || (!strncmp(name, sh->prefix, n) && name[n] == '.' &&
			  name[n + 1] == 'c'))
		return true;
	for (size_t k = 0; k < nptaint; k++)
		if (ptaint[k] == id)
			return true;
	return false;
}

static unsigned long nchecked, nchecked_exact;

static void parent_check(int fd, unsigned int phase)
{
	struct rtheap_info *infos;
	struct h_procrow *rows;
	int n = h_list(fd, &infos), nrows;

	EXPECT(n >= 0, "list: %s", en(n));
	collect_taints();
	nrows = h_proc_rows(&rows);
	EXPECT(nrows >= 0, "/proc/rtheap: %s", en(nrows));
	for (int k = 0; k < n; k++) {
		struct rtheap_info *h = &infos[k];
		uint64_t used = 0, sum = 0;
		uint32_t nbound = 0, nm = 0;
		bool known = ours(h->name), priv = false, found = false;
		struct h_procrow *row = NULL;

		for (int w = 0; w < sh->nprocs; w++)
			for (uint32_t p = 0; p < sh->w[w].npub; p++) {
				struct pub *pb = &sh->w[w].pub[p];

				if (pb->id != h->id)
					continue;
				known = true;
				used += pb->used;
				nbound += pb->nbound;
				nm += pb->nmaps;
				priv |= pb->priv;
			}
		if (!known)
			continue;
		nchecked++;
		EXPECT(!(h->flags & RTHEAP_INFO_DELETED),
		       "phase %u: heap %u \"%s\" is listed but deleted", phase, h->id, h->name);
		if (h->mode & H_SHARED) {
			EXPECT(h->used_mem == h->usable_mem, "phase %u: H_SHARED heap %u: "
			       "used %llu usable %llu", phase, h->id,
			       (unsigned long long)h->used_mem,
			       (unsigned long long)h->usable_mem);
		} else if (!tainted(h->id, h->name) || priv) {
			EXPECT(h->used_mem == used, "phase %u: heap %u \"%s\": used_mem "
			       "%llu, but the workers hold %llu bytes of blocks in it",
			       phase, h->id, h->name, (unsigned long long)h->used_mem,
			       (unsigned long long)used);
			nchecked_exact++;
		} else {
			EXPECT(h->used_mem >= used, "phase %u: heap %u \"%s\": used_mem "
			       "%llu, less than the %llu bytes the workers hold",
			       phase, h->id, h->name, (unsigned long long)h->used_mem,
			       (unsigned long long)used);
		}
		if (!(h->mode & H_SHARED)) {
			for (int c = 0; c < RTHEAP_NR_CLASSES; c++)
				sum += h->class_blocks[c] << (c + 4);
			sum += h->run_pages * PAGE;
			EXPECT(sum == h->used_mem, "phase %u: heap %u: class blocks and "
			       "run pages add up to %llu, used_mem %llu", phase, h->id,
			       (unsigned long long)sum, (unsigned long long)h->used_mem);
			EXPECT(h->largest_free + h->used_mem <= h->usable_mem,
			       "phase %u: heap %u: largest_free %llu + used %llu > usable %llu",
			       phase, h->id, (unsigned long long)h->largest_free,
			       (unsigned long long)h->used_mem,
			       (unsigned long long)h->usable_mem);
			if (!h->used_mem)
				EXPECT(h->largest_free == h->usable_mem,
				       "phase %u: empty heap %u: largest_free %llu of %llu",
				       phase, h->id, (unsigned long long)h->largest_free,
				       (unsigned long long)h->usable_mem);
		}
		EXPECT(h->nwaiters == 0, "phase %u: heap %u has %u waiters while "
		       "every process is quiet", phase, h->id, h->nwaiters);
		EXPECT(h->nbound == nbound, "phase %u: heap %u \"%s\": nbound %u, the "
		       "workers have %u files attached", phase, h->id, h->name,
		       h->nbound, nbound);
		EXPECT(h->nmaps == nm, "phase %u: heap %u \"%s\": nmaps %u, the "
		       "workers have %u mapping pieces", phase, h->id, h->name,
		       h->nmaps, nm);
		for (int r = 0; r < nrows; r++)
			if (rows[r].id == h->id)
				row = &rows[r];
		found = row != NULL;
		EXPECT(found, "phase %u: heap %u is listed but not in /proc/rtheap",
		       phase, h->id);
		EXPECT(row->used == h->used_mem && row->usable == h->usable_mem &&
		       row->size == h->heap_size && row->waiters == h->nwaiters &&
		       row->maps == h->nmaps && row->bound == h->nbound &&
		       row->largest == h->largest_free && row->mode == h->mode &&
		       !strncmp(row->name, h->name, RTHEAP_NAMELEN),
		       "phase %u: heap %u: /proc/rtheap row (used %llu usable %llu "
		       "maps %u bound %u) differs from the list (used %llu usable "
		       "%llu maps %u bound %u)", phase, h->id, row->used, row->usable,
		       row->maps, row->bound, (unsigned long long)h->used_mem,
		       (unsigned long long)h->usable_mem, h->nmaps, h->nbound);
		check_kptr(h, sizeof(*h), "list entry");
	}
	free(infos);
	free(rows);
	/* Taints are for one phase: tainted heaps stay loosely checked. */
}

/*
 * Delete every heap of this run still listed (persistent ones left
 * behind); strict: each must have been H_PERSIST and go cleanly.
 */
static int delete_leftovers(bool strict)
{
	struct rtheap_info *infos;
	int n, fd, deleted = 0;

	fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = h_list(fd, &infos);
	close(fd);
	if (n < 0)
		return 0;
	for (int k = 0; k < n; k++) {
		struct rtheap_bind b;
		struct rtheap_delete d;
		int ret;

		if (!ours(infos[k].name))
			continue;
		fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		memset(&b, 0, sizeof(b));
		memcpy(b.name, infos[k].name, sizeof(b.name));
		b.timeout = RTHEAP_TM_NONBLOCK;
		ret = ioctl(fd, RTHEAP_IOC_BIND, &b) ? -errno : 0;
		if (!ret) {
			memset(&d, 0, sizeof(d));
			ret = ioctl(fd, RTHEAP_IOC_DELETE, &d) ? -errno : 0;
			EXPECT(!strict || ret == 0 || ret == -EIDRM,
			       "deleting leftover %s: %s", infos[k].name, en(ret));
			EXPECT(!strict || (infos[k].mode & H_PERSIST),
			       "heap %u \"%s\" outlived its creator without H_PERSIST",
			       infos[k].id, infos[k].name);
			deleted++;
		}
		close(fd);
	}
	free(infos);
	return deleted;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtheap-fuzz [--seed N] [--calls N] [--procs N] "
		"[--seconds N] [--phase N] [--light] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "procs", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "phase", required_argument, NULL, 'P' },
		{ "light", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_seed = false, have_calls = false;
	uint64_t seed = 0, start, total = 0, by_kind[K_NR] = { 0 };
	struct rtheap_info *base_infos, *end_infos;
		long refcnt0, refcnt1;
	int c, fd, nbase, nend, status, leftovers, rc = 0;
	unsigned int phase = 0;
	char *proc0, *proc1;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'c':
			opt_calls = strtoull(optarg, NULL, 0);
			have_calls = true;
			break;
		case 'p':
			opt_procs = atoi(optarg);
			break;
		case 't':
			opt_seconds = strtoull(optarg, NULL, 0);
			break;
		case 'P':
			opt_phase = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			opt_light = true;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt_procs < 1 || opt_procs > MAXPROCS || !opt_phase)
		usage();
	if (opt_seconds && !have_calls)
		opt_calls = ~0ULL;
	if (!have_seed)
		seed = h_fresh_seed();
	printf("rtheap-fuzz: seed %llu (replay: rtheap-fuzz --seed %llu --procs %d "
	       "--phase %llu%s", (unsigned long long)seed, (unsigned long long)seed,
	       opt_procs, (unsigned long long)opt_phase, opt_light ? " --light" : "");
	if (have_calls || !opt_seconds)
		printf(" --calls %llu", (unsigned long long)opt_calls);
	if (opt_seconds)
		printf(" --seconds %llu", (unsigned long long)opt_seconds);
	printf(")\n");
	if (have_calls || !opt_seconds)
		printf("rtheap-fuzz: %llu calls, %d processes, phases of %llu calls%s\n",
		       (unsigned long long)opt_calls, opt_procs,
		       (unsigned long long)opt_phase,
		       opt_seconds ? ", time limit set" : "");
	else
		printf("rtheap-fuzz: %llu seconds, %d processes, phases of %llu calls\n",
		       (unsigned long long)opt_seconds, opt_procs,
		       (unsigned long long)opt_phase);
	fflush(stdout);

	if (access(RTHEAP_DEVICE, R_OK | W_OK))
		t_skip("no %s (rtheap.ko not loaded?)", RTHEAP_DEVICE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		T_FAIL("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	sh->seed = seed;
	sh->nprocs = opt_procs;
	snprintf(sh->prefix, sizeof(sh->prefix), "fz%d", (int)getpid() % 100000);
	signal(SIGPIPE, SIG_IGN);

	fd = t_open_dev();
	nbase = h_list(fd, &base_infos);
	EXPECT(nbase >= 0, "list: %s", en(nbase));
	close(fd);
	proc0 = h_slurp("/proc/rtheap");
	refcnt0 = h_module_refcnt();

	calls_budget = opt_calls / opt_procs;
	start = h_ns();
	if (opt_seconds)
		deadline_ns = start + opt_seconds * 1000000000ULL;
	for (int w = 0; w < opt_procs; w++) {
		uint64_t wseed = h_mix64(seed ^ (0x51ed2701ULL * (w + 1)));

		if (w == opt_procs - 1)
			calls_budget += opt_calls % opt_procs;
		fflush(NULL);
		wpids[w] = fork();
		if (wpids[w] < 0)
			T_FAIL("fork: %s", strerror(errno));
		if (wpids[w] == 0)
			worker(w, wseed);
	}

	/* Phases: wait for all, check, release. */
	fd = t_open_dev();
	for (;;) {
		bool all_done = true;

		while (__atomic_load_n(&sh->arrived, __ATOMIC_SEQ_CST) < (uint32_t)opt_procs) {
			for (int w = 0; w < opt_procs; w++) {
				pid_t r = waitpid(wpids[w], &status, WNOHANG);

				if (r == wpids[w]) {
					if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
						snprintf(sh->failmsg, sizeof(sh->failmsg),
							 "worker %d died (status %#x) outside a check",
							 w, status);
					sh->failed = 1;
					wpids[w] = -1;
				}
			}
			if (sh->failed)
				goto failed;
			usleep(1000);
		}
		phase++;
		parent_check(fd, phase);
		for (int w = 0; w < opt_procs; w++)
			all_done &= sh->w[w].finished;
		if (verbose) {
			uint64_t sum = 0;

			for (int w = 0; w < opt_procs; w++)
				for (int k = 0; k < K_NR; k++)
					sum += sh->w[w].ncalls[k];
			printf("rtheap-fuzz: phase %u checked, %llu calls so far, %.1f s\n",
			       phase, (unsigned long long)sum, (h_ns() - start) / 1e9);
			fflush(stdout);
		}
		if (all_done)
			sh->stop = 1;
		__atomic_store_n(&sh->arrived, 0, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->phase, 1, __ATOMIC_SEQ_CST);
		if (all_done)
			break;
	}
	close(fd);
	for (int w = 0; w < opt_procs; w++) {
		if (waitpid(wpids[w], &status, 0) != wpids[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
				snprintf(sh->failmsg, sizeof(sh->failmsg),
					 "worker %d ended with status %#x", w, status);
			sh->failed = 1;
		}
		wpids[w] = -1;
	}
	if (sh->failed)
		goto failed;

	leftovers = delete_leftovers(true);
	fd = t_open_dev();
	nend = h_list(fd, &end_infos);
	close(fd);
	EXPECT(nend >= 0, "list: %s", en(nend));
	for (int k = 0; k < nend; k++)
		EXPECT(!ours(end_infos[k].name), "heap %u \"%s\" left after the run",
		       end_infos[k].id, end_infos[k].name);
	EXPECT(nend == nbase, "%d heaps listed after the run, %d before", nend, nbase);
	for (int k = 0; k < nend; k++)
		EXPECT(end_infos[k].id == base_infos[k].id,
		       "heap %u listed after the run, %u before", end_infos[k].id,
		       base_infos[k].id);
	proc1 = h_slurp("/proc/rtheap");
	EXPECT(proc0 && proc1 && !strcmp(proc0, proc1),
	       "/proc/rtheap differs from before the run:\n%s", proc1 ? proc1 : "?");
	refcnt1 = h_module_refcnt();
	EXPECT(refcnt1 == refcnt0, "/sys/module/rtheap/refcnt is %ld, %ld before "
	       "the run (a heap or file reference leaked)", refcnt1, refcnt0);

	for (int w = 0; w < opt_procs; w++)
		for (int k = 0; k < K_NR; k++) {
			by_kind[k] += sh->w[w].ncalls[k];
			total += sh->w[w].ncalls[k];
		}
	{
		uint64_t forks = 0, kills = 0, exits = 0, garbage = 0, refaults = 0;
		uint64_t allocs = 0, frees = 0, eidrm = 0, creates = 0, deletes = 0, binds = 0;
		uint64_t eintr = 0;

		for (int w = 0; w < opt_procs; w++) {
			forks += sh->w[w].forks;
			kills += sh->w[w].kills;
			exits += sh->w[w].child_exits;
			garbage += sh->w[w].garbage;
			refaults += sh->w[w].refaults;
			allocs += sh->w[w].allocs_ok;
			frees += sh->w[w].frees_ok;
			eidrm += sh->w[w].eidrm;
			creates += sh->w[w].creates_ok;
			deletes += sh->w[w].deletes_ok;
			binds += sh->w[w].binds_ok;
			eintr += sh->w[w].eintr;
		}
		printf("rtheap-fuzz: %llu calls in %.1f s (%d processes, %u phases, "
		       "%lu heap checks, %lu exact)\n", (unsigned long long)total,
		       (h_ns() - start) / 1e9, opt_procs, phase, nchecked, nchecked_exact);
		printf("rtheap-fuzz: by kind:");
		for (int k = 0; k < K_NR; k++)
			printf(" %s %llu", kind_names[k], (unsigned long long)by_kind[k]);
		printf("\nrtheap-fuzz: children forked %llu, killed %llu, exited %llu, "
		       "waits interrupted by a signal %llu; garbage writes %llu, "
		       "refaults %llu\n", (unsigned long long)forks,
		       (unsigned long long)kills, (unsigned long long)exits,
		       (unsigned long long)eintr, (unsigned long long)garbage,
		       (unsigned long long)refaults);
		printf("rtheap-fuzz: allocs %llu, frees %llu, creates %llu, deletes %llu, "
		       "binds %llu, -EIDRM seen %llu, leftover persistent heaps deleted %d\n",
		       (unsigned long long)allocs, (unsigned long long)frees,
		       (unsigned long long)creates, (unsigned long long)deletes,
		       (unsigned long long)binds, (unsigned long long)eidrm, leftovers);
		if (verbose) {
			printf("rtheap-fuzz: time per operation (all workers):\n");
			for (unsigned int k = 0; k < NOPS; k++) {
				uint64_t n = 0, ns = 0;

				for (int w = 0; w < opt_procs; w++) {
					n += sh->w[w].op_count[k];
					ns += sh->w[w].op_ns[k];
				}
				printf("  %-14s %8llu ops %10.1f us each %8.1f s in all\n",
				       ops[k].name, (unsigned long long)n,
				       n ? ns / 1e3 / n : 0.0, ns / 1e9);
			}
		}
		printf("rtheap-fuzz: PASS (seed %llu)\n", (unsigned long long)seed);
	}
	free(proc0);
	free(proc1);
	return rc;

failed:
	parent_abort();
}

/* Stop the workers, clean up what is left (best effort), report, exit 1. */
static void parent_abort(void)
{
	static int once;
	int status;

	if (once++)
		_exit(1);
	sh->stop = 1;
	sh->failed = 1;
	for (int w = 0; w < sh->nprocs; w++)
		if (wpids[w] > 0)
			kill(wpids[w], SIGKILL);
	for (int w = 0; w < sh->nprocs; w++)
		if (wpids[w] > 0)
			waitpid(wpids[w], &status, 0);
	/* Workers' children were killed with them? Not if orphaned: wait. */
	usleep(200000);
	delete_leftovers(false);
	fprintf(stderr, "rtheap-fuzz: FAILED: %s\nrtheap-fuzz: seed %llu: replay "
		"with rtheap-fuzz --seed %llu --procs %d\n", sh->failmsg,
		(unsigned long long)sh->seed, (unsigned long long)sh->seed,
		sh->nprocs);
	fflush(NULL);
	_exit(1);
}
