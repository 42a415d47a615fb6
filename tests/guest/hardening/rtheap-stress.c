// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-stress - multi-process, multi-threaded stress and soak of rtheap
 * through libheap.
 *
 * usage: rtheap-stress [--seconds N] [--procs P] [--threads T] [--heaps H]
 *                      [--victims V] [--slack-ms MS] [--seed N] [-v]
 *
 * P worker processes (default 4) of T threads (default 3) share H named
 * heaps (default 3), each owned by one worker's first thread, which
 * deletes and recreates it now and then (preferably while threads wait in
 * it).  Every thread binds each heap with a descriptor of its own, and at
 * random: allocates (TM_NONBLOCK, timeouts from 1 ms to 0.5 s, or
 * TM_INFINITE), frees, hands blocks over to other processes (offsets
 * through rings in a shared anonymous mapping; the receiver frees them),
 * unbinds and rebinds (waiting for a heap being recreated); two in five
 * descriptors get a block cache (rt_heap_cache).  V victim
 * processes (default 2) allocate from heap 0 and block in it until the
 * parent SIGKILLs them, and are replaced.
 *
 * It proves:
 *   - no block is handed out twice: each block carries its owner's tag and
 *     a sequence number and a pattern over all its bytes, checked by
 *     whoever frees it; a fresh block must not carry a live stamp;
 *   - no lost wakeup: the parent watches every waiting thread; one still
 *     waiting SLACK after its timeout (or after the delete of its heap,
 *     for TM_INFINITE), and still in the same call after the parent has
 *     watched it for SLACK more without a stall of its own, fails the run
 *     with where it sleeps in the kernel; so does a timeout reported
 *     before its time;
 *   - usedmem is exact at quiescent points (every second or two all
 *     threads stop; used_mem of each heap must equal the blocks held, in
 *     flight and in block caches, at least that on heap 0 if a victim
 *     touched it), and no
 *     thread waits then;
 *   - at the end no heap of the run is left and the module's reference
 *     count is back where it was (so rtheap.ko can unload).
 * The figures are printed at the end: allocs, frees, waits, wakeups,
 * timeouts, EIDRMs, handovers, deletes, processes killed...
 *
 * Exit 0: pass; 1: a check failed (what, where, and the seed); 77: no
 * /dev/rtheap.
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

#define MAXPROCS	12
#define MAXTHREADS	8
#define MAXHEAPS	8
#define MAXVICTIMS	8
#define MAXHELD		24
#define RING		256
#define MAXDELS		128
#define MAXTAINT	1024
#define PAGE		T_PAGE	/* the kernel's page size */
#define MS		1000000ULL

#define STAMP_LIVE	0x4c495645u	/* "LIVE" */
#define STAMP_FREED	0x46524545u	/* "FREE" */

/* A block's first 32 bytes; a pattern from tag and seq fills the rest. */
struct stamp {
	uint32_t magic;
	uint32_t tag;		/* proc << 8 | thread */
	uint64_t seq;
	uint64_t size;		/* as asked */
	uint64_t check;		/* magic ^ tag ^ seq ^ size, scrambled */
};

enum wstate { W_IDLE, W_ALLOC, W_BIND };

/* A thread as the watchdog sees it. */
struct tslot {
	uint32_t state;		/* enum wstate */
	uint32_t heap_id;	/* alloc: the heap it waits in */
	uint64_t start_ns;
	uint64_t timeout_ns;	/* 0: TM_INFINITE */
	uint64_t size;
	int pid, thread;
	int tid;		/* the thread's own id, for /proc/PID/task */
	/* Published at quiescent points: the bytes its block caches hold. */
	uint32_t cache_id[MAXHEAPS];
	uint64_t cache_bytes[MAXHEAPS];
	/* Published at quiescent points: blocks held, by heap id. */
	uint32_t nheld;
	uint32_t held_id[MAXHELD];
	uint64_t held_size[MAXHELD];
};

struct ring_entry {
	uint32_t heap_id;
	uint32_t slot;		/* which of the run's heaps (its name) */
	uint32_t tag;
	uint64_t off;
	uint64_t size;		/* as asked */
	uint64_t seq;
};

struct ring {
	pthread_mutex_t lock;
	uint32_t head, tail;	/* head: next to read */
	struct ring_entry e[RING];
};

struct hslot {
	pthread_mutex_t lock;
	char name[RTHEAP_NAMELEN];
	uint32_t id;		/* current heap's id, 0 between delete and create */
	uint32_t gens;		/* heaps created under this name */
	uint32_t announces;	/* waits announced (W_ALLOC) in this slot */
};

struct counters {
	uint64_t allocs, frees, handed, received, dropped, waits, wakeups;
	uint64_t timeouts, eidrm, nonblock_full, binds, bind_waits, unbinds;
	uint64_t cached_descs;	/* descriptors given a block cache */
	uint64_t deletes, deletes_with_waiters, creates, checks, bytes_checked;
	uint64_t late_max_ns;	/* latest timeout seen, past its deadline */
};

struct shared {
	uint64_t seed;
	uint64_t start_ns;
	int nprocs, nthreads, nheaps;
	volatile int stop;
	volatile int pause;	/* quiescent point requested */
	uint32_t paused;	/* threads stopped */
	int failed, msg_taken;
	char failmsg[1024];
	char prefix[16];
	struct hslot heaps[MAXHEAPS];
	struct ring rings[MAXPROCS];
	struct tslot threads[MAXPROCS][MAXTHREADS];
	pthread_mutex_t del_lock;
	uint32_t ndels;
	struct { uint32_t id; uint64_t at; } dels[MAXDELS];
	uint32_t ntaint;
	uint32_t taint[MAXTAINT];
	struct counters c;
	uint64_t victim_kills;
};

static struct shared *sh;
static uint64_t opt_seconds = 20, slack_ns = 2000 * MS;
static int opt_procs = 4, opt_threads = 3, opt_heaps = 3, opt_victims = 2;
static int verbose;
static int my_proc = -1;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
		snprintf(sh->failmsg, sizeof(sh->failmsg), "%s %d (pid %d): %s",
			 my_proc < 0 ? "parent" : "process", my_proc,
			 (int)getpid(), msg);
	__atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
	sh->stop = 1;
	fprintf(stderr, "rtheap-stress: FAIL: %s (seed %llu)\n", msg,
		(unsigned long long)sh->seed);
	fflush(NULL);
	if (my_proc >= 0)
		_exit(1);
	exit(1);
}

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			fail(__VA_ARGS__);				\
	} while (0)

#define COUNT(field, n) __atomic_add_fetch(&sh->c.field, (n), __ATOMIC_RELAXED)

static void shared_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	/* A victim killed holding it must not block everybody. */
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static void lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

static void unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

static void taint(uint32_t id)
{
	uint32_t i = __atomic_fetch_add(&sh->ntaint, 1, __ATOMIC_SEQ_CST);

	if (i < MAXTAINT)
		__atomic_store_n(&sh->taint[i], id, __ATOMIC_SEQ_CST);
}

static bool tainted(uint32_t id)
{
	uint32_t n = __atomic_load_n(&sh->ntaint, __ATOMIC_SEQ_CST);

	if (n > MAXTAINT)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (sh->taint[i] == id)
			return true;
	return false;
}

static void note_delete(uint32_t id)
{
	lock(&sh->del_lock);
	sh->dels[sh->ndels % MAXDELS].id = id;
	sh->dels[sh->ndels % MAXDELS].at = t_now_ns();
	sh->ndels++;
	unlock(&sh->del_lock);
}

/* When heap id was deleted (0: not known to be). */
static uint64_t deleted_at(uint32_t id)
{
	uint64_t at = 0;

	lock(&sh->del_lock);
	for (uint32_t k = 0; k < MAXDELS && k < sh->ndels; k++)
		if (sh->dels[k].id == id)
			at = sh->dels[k].at;
	unlock(&sh->del_lock);
	return at;
}

/* --- stamps ------------------------------------------------------------------- */

static uint64_t scramble(uint64_t x)
{
	return t_mix64(x ^ 0x5bd1e9955bd1e995ULL);
}

static void stamp_block(void *p, size_t size, uint32_t tag, uint64_t seq)
{
	struct stamp *st = p;
	uint64_t *w = p, x = scramble((uint64_t)tag << 32 ^ seq);

	if (size >= sizeof(*st)) {
		for (size_t i = sizeof(*st) / 8; i < size / 8; i++) {
			w[i] = x;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		}
		st->tag = tag;
		st->seq = seq;
		st->size = size;
		st->check = scramble(STAMP_LIVE ^ tag ^ seq ^ size);
		__atomic_store_n(&st->magic, STAMP_LIVE, __ATOMIC_RELEASE);
	} else {
		/* Small blocks: the pattern only. */
		for (size_t i = 0; i < size; i++)
			((unsigned char *)p)[i] = (unsigned char)(x >> (8 * (i & 7)));
	}
}

/* NULL if the block still carries exactly this stamp, else what is wrong. */
static const char *stamp_check(const void *p, size_t size, uint32_t tag,
			       uint64_t seq, size_t *where)
{
	const struct stamp *st = p;
	const uint64_t *w = p;
	uint64_t x = scramble((uint64_t)tag << 32 ^ seq);

	*where = 0;
	if (size < sizeof(*st)) {
		for (size_t i = 0; i < size; i++)
			if (((const unsigned char *)p)[i] != (unsigned char)(x >> (8 * (i & 7)))) {
				*where = i;
				return "pattern";
			}
		return NULL;
	}
	if (st->magic != STAMP_LIVE)
		return "magic";
	if (st->tag != tag || st->seq != seq || st->size != size ||
	    st->check != scramble(STAMP_LIVE ^ tag ^ seq ^ size))
		return "owner stamp";
	for (size_t i = sizeof(*st) / 8; i < size / 8; i++) {
		if (w[i] != x) {
			*where = i * 8;
			return "pattern";
		}
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	return NULL;
}

/* --- per thread ---------------------------------------------------------------- */

struct block {
	int heap;		/* slot */
	uint32_t heap_id;
	void *p;
	size_t size;
	uint32_t tag;
	uint64_t seq;
};

struct thread {
	int proc, idx;
	uint32_t tag;
	struct t_rng rng;
	RT_HEAP desc[MAXHEAPS];
	bool bound[MAXHEAPS];
	bool owner_desc[MAXHEAPS];	/* desc[h] is the creator's */
	bool cached[MAXHEAPS];	/* desc[h] has a block cache */
	struct block held[MAXHELD];
	int nheld;
	uint64_t seq;
	struct tslot *ts;
};

static bool owns_heap(const struct thread *t, int h)
{
	return t->idx == 0 && h % opt_procs == t->proc;
}

static void publish(struct thread *t)
{
	struct tslot *ts = t->ts;

	for (int h = 0; h < opt_heaps; h++) {
		size_t n = 0;

		ts->cache_id[h] = 0;
		if (!t->bound[h] || !t->cached[h])
			continue;
		EXPECT(rt_heap_cache_inquire(&t->desc[h], &n) == 0, "cache inquire");
		ts->cache_id[h] = t->desc[h].id;
		ts->cache_bytes[h] = n;
	}
	for (int i = 0; i < t->nheld; i++) {
		ts->held_id[i] = t->held[i].heap_id;
		ts->held_size[i] = t_rounded(t->held[i].size);
	}
	ts->nheld = t->nheld;
}

static void recreate_heap(struct thread *t, int h);

/*
 * An owner about to stop: no thread may stay blocked without a timeout in
 * its heaps (nobody frees while all are stopped), so delete and recreate
 * a heap as long as somebody waits in it with TM_INFINITE.  A thread
 * announces such a wait (W_ALLOC, timeout 0) before it checks the pause
 * flag and makes the call: either it sees the flag, or the owner sees it.
 */
static void release_infinite_waiters(struct thread *t)
{
	for (int h = 0; h < opt_heaps; h++) {
		if (!owns_heap(t, h) || !t->owner_desc[h])
			continue;
		for (int round = 0;; round++) {
			uint32_t id = t->desc[h].id;
			bool any = false;

			for (int p = 0; p < opt_procs; p++)
				for (int i = 0; i < opt_threads; i++) {
					struct tslot *ts = &sh->threads[p][i];

					any |= __atomic_load_n(&ts->state, __ATOMIC_SEQ_CST) ==
					       W_ALLOC && ts->timeout_ns == TM_INFINITE &&
					       ts->heap_id == id;
				}
			if (!any)
				break;
			EXPECT(round < 1000, "waiters with TM_INFINITE keep coming to heap %u",
			       id);
			recreate_heap(t, h);
		}
	}
}

static void quiesce(struct thread *t)
{
	if (!__atomic_load_n(&sh->pause, __ATOMIC_SEQ_CST))
		return;
	release_infinite_waiters(t);
	publish(t);
	__atomic_add_fetch(&sh->paused, 1, __ATOMIC_SEQ_CST);
	while (sh->pause && !sh->stop)
		usleep(500);
	__atomic_sub_fetch(&sh->paused, 1, __ATOMIC_SEQ_CST);
}

/*
 * Some descriptors get a block cache (rt_heap_cache) of one to four
 * pages: their allocs and frees mostly stay in the process, blocks they
 * handed out are freed by other processes and come back from them.
 */
static bool have_cache;

static void maybe_cache(struct thread *t, int h)
{
	int ret;

	t->cached[h] = false;
	if (!have_cache || !t_rng_pct(&t->rng, 40))
		return;
	ret = rt_heap_cache(&t->desc[h], PAGE * (1 + t_rng_below(&t->rng, 4)));
	EXPECT(ret == 0 || ret == -EIDRM, "rt_heap_cache on %s: %s",
	       sh->heaps[h].name, t_errname(ret));
	t->cached[h] = ret == 0;
	if (t->cached[h])
		COUNT(cached_descs, 1);
}

/* Bind heap h; waits (bind-before-create) up to 3 s if it is being recreated. */
static bool bind_heap(struct thread *t, int h)
{
	RTIME tmo = (50 + t_rng_below(&t->rng, 3000)) * MS;
	uint64_t t0;
	bool absent;
	int ret;

	if (t->bound[h])
		return true;
	/* Between a delete and the create that follows: bind waits. */
	absent = !__atomic_load_n(&sh->heaps[h].id, __ATOMIC_SEQ_CST);
	t->ts->timeout_ns = tmo;
	t->ts->start_ns = t0 = t_now_ns();
	__atomic_store_n(&t->ts->state, W_BIND, __ATOMIC_SEQ_CST);
	ret = rt_heap_bind_timed(&t->desc[h], sh->heaps[h].name, tmo);
	__atomic_store_n(&t->ts->state, W_IDLE, __ATOMIC_SEQ_CST);
	if (ret == -ETIMEDOUT) {
		EXPECT(t_now_ns() - t0 >= tmo, "bind of %s: -ETIMEDOUT after %llu of %llu ns",
		       sh->heaps[h].name, (unsigned long long)(t_now_ns() - t0),
		       (unsigned long long)tmo);
		COUNT(timeouts, 1);
		return false;
	}
	if (ret == -EIDRM)
		return false;	/* found it just as it was deleted */
	EXPECT(ret == 0, "bind of %s: %s", sh->heaps[h].name, t_errname(ret));
	if (absent)
		COUNT(bind_waits, 1);
	t->bound[h] = true;
	maybe_cache(t, h);
	t->owner_desc[h] = false;
	COUNT(binds, 1);
	return true;
}

static void drop_block(struct thread *t, int i)
{
	t->held[i] = t->held[--t->nheld];
}

/* Verify a block's stamp; fails the run if it is not ours any more. */
static void verify(struct thread *t, const void *p, size_t size, uint32_t tag,
		   uint64_t seq, uint32_t heap_id, const char *what)
{
	size_t where;
	const char *bad = stamp_check(p, size, tag, seq, &where);

	EXPECT(!bad, "%s: block %p (%zu bytes, heap %u, owner tag %#x seq %llu): "
	       "%s damaged at byte %zu: handed out twice, or written by another?",
	       what, p, size, heap_id, tag, (unsigned long long)seq, bad, where);
	COUNT(bytes_checked, size);
	(void)t;
}

/* Mark a block freed (so a second owner would see it), then free it. */
static int free_block(struct thread *t, int h, void *p, size_t size)
{
	if (size >= sizeof(struct stamp))
		__atomic_store_n(&((struct stamp *)p)->magic, STAMP_FREED, __ATOMIC_RELEASE);
	return rt_heap_free(&t->desc[h], p);
}

static void free_held(struct thread *t, int i)
{
	struct block *b = &t->held[i];
	int ret;

	verify(t, b->p, b->size, b->tag, b->seq, b->heap_id, "free");
	ret = free_block(t, b->heap, b->p, b->size);
	if (ret == -EIDRM) {
		COUNT(eidrm, 1);
	} else {
		EXPECT(ret == 0, "free of %p on heap %u: %s", b->p, b->heap_id,
		       t_errname(ret));
		COUNT(frees, 1);
	}
	drop_block(t, i);
}

/* Free (or give up) every block held in heap h, before unbinding it. */
static void release_heap_blocks(struct thread *t, int h)
{
	for (int i = 0; i < t->nheld;)
		if (t->held[i].heap == h)
			free_held(t, i);
		else
			i++;
}

static void unbind_heap(struct thread *t, int h)
{
	int ret;

	if (!t->bound[h])
		return;
	release_heap_blocks(t, h);
	if (t->owner_desc[h]) {
		/* The creator's descriptor: closing it deletes the heap. */
		uint32_t id = t->desc[h].id;

		lock(&sh->heaps[h].lock);
		ret = rt_heap_delete(&t->desc[h]);
		if (ret == 0) {
			sh->heaps[h].id = 0;
			note_delete(id);
			COUNT(deletes, 1);
		}
		unlock(&sh->heaps[h].lock);
		EXPECT(ret == 0, "delete of %s: %s", sh->heaps[h].name, t_errname(ret));
	} else {
		ret = rt_heap_unbind(&t->desc[h]);
		EXPECT(ret == 0, "unbind of %s: %s", sh->heaps[h].name, t_errname(ret));
		COUNT(unbinds, 1);
	}
	t->bound[h] = false;
	t->owner_desc[h] = false;
	t->cached[h] = false;
}

static void create_heap(struct thread *t, int h)
{
	size_t size = PAGE * (16 + t_rng_below(&t->rng, 64));
	int mode = t_rng_pct(&t->rng, 40) ? H_PRIO : H_FIFO, ret;

	if (t->bound[h])
		unbind_heap(t, h);
	lock(&sh->heaps[h].lock);
	ret = rt_heap_create(&t->desc[h], sh->heaps[h].name, size, mode);
	EXPECT(ret == 0, "create of %s (%zu bytes): %s", sh->heaps[h].name, size,
	       t_errname(ret));
	sh->heaps[h].id = t->desc[h].id;
	sh->heaps[h].gens++;
	unlock(&sh->heaps[h].lock);
	t->bound[h] = true;
	t->owner_desc[h] = true;
	COUNT(creates, 1);
	maybe_cache(t, h);
}

/* The owner deletes its heap (best with waiters in it) and makes a new one. */
static void recreate_heap(struct thread *t, int h)
{
	RT_HEAP_INFO info;

	if (t->bound[h] && rt_heap_inquire(&t->desc[h], &info) == 0 && info.nwaiters)
		COUNT(deletes_with_waiters, 1);
	unbind_heap(t, h);
	create_heap(t, h);
}

static void do_alloc(struct thread *t)
{
	int h = (int)t_rng_below(&t->rng, opt_heaps), ret;
	uint64_t r = t_rng_below(&t->rng, 100), tmo, t0, dt;
	size_t size;
	void *p = NULL;

	if (t->nheld >= MAXHELD || (!t->bound[h] && !bind_heap(t, h)))
		return;
	r = t_rng_below(&t->rng, 100);
	size = r < 60 ? 1 + t_rng_below(&t->rng, 512) :
	       r < 90 ? 1 + t_rng_below(&t->rng, 2 * PAGE) :
			1 + t_rng_below(&t->rng, 12 * PAGE);
	r = t_rng_below(&t->rng, 100);
	tmo = r < 45 ? TM_NONBLOCK :
	      r < 80 ? (1 + t_rng_below(&t->rng, 100)) * MS :
	      r < 95 ? (100 + t_rng_below(&t->rng, 400)) * MS : TM_INFINITE;
	/* Owners never wait without a timeout: they release the others. */
	if (tmo == TM_INFINITE && t->idx == 0 && t->proc < opt_heaps)
		tmo = 500 * MS;
	if (tmo != TM_NONBLOCK) {
		t->ts->heap_id = t->desc[h].id;
		t->ts->timeout_ns = tmo;
		t->ts->size = size;
		t->ts->start_ns = t_now_ns();
		__atomic_store_n(&t->ts->state, W_ALLOC, __ATOMIC_SEQ_CST);
		/* After the state: a scan that missed it sees this change. */
		__atomic_add_fetch(&sh->heaps[h].announces, 1, __ATOMIC_SEQ_CST);
		if (tmo == TM_INFINITE && __atomic_load_n(&sh->pause, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&t->ts->state, W_IDLE, __ATOMIC_SEQ_CST);
			return;
		}
	}
	t0 = t_now_ns();
	ret = rt_heap_alloc(&t->desc[h], size, tmo, &p);
	dt = t_now_ns() - t0;
	__atomic_store_n(&t->ts->state, W_IDLE, __ATOMIC_SEQ_CST);
	if (tmo != TM_NONBLOCK && dt > MS / 2)
		COUNT(waits, 1);
	switch (ret) {
	case 0:
		break;
	case -EWOULDBLOCK:
		EXPECT(tmo == TM_NONBLOCK, "alloc with timeout %llu: -EWOULDBLOCK",
		       (unsigned long long)tmo);
		COUNT(nonblock_full, 1);
		return;
	case -ETIMEDOUT:
		EXPECT(tmo != TM_NONBLOCK && tmo != TM_INFINITE && dt >= tmo,
		       "alloc of %zu on heap %u: -ETIMEDOUT after %llu ns of a %llu ns "
		       "timeout", size, t->desc[h].id, (unsigned long long)dt,
		       (unsigned long long)tmo);
		EXPECT(dt <= tmo + slack_ns, "alloc of %zu on heap %u: timed out %llu ms "
		       "late", size, t->desc[h].id, (unsigned long long)((dt - tmo) / MS));
		if (dt - tmo > sh->c.late_max_ns)
			sh->c.late_max_ns = dt - tmo;	/* racy max: a figure only */
		COUNT(timeouts, 1);
		return;
	case -EIDRM:
		COUNT(eidrm, 1);
		/* The heap went: let go of our descriptor (a new heap comes). */
		release_heap_blocks(t, h);
		unbind_heap(t, h);
		return;
	case -EINVAL:
		EXPECT(size > t->desc[h].mapsize, "alloc of %zu on heap %u (%zu bytes): "
		       "-EINVAL", size, t->desc[h].id, t->desc[h].mapsize);
		return;
	default:
		fail("alloc of %zu on heap %u: %s", size, t->desc[h].id, t_errname(ret));
	}
	if (tmo != TM_NONBLOCK && dt > MS / 2)
		COUNT(wakeups, 1);
	EXPECT((char *)p >= (char *)t->desc[h].base &&
	       (char *)p + size <= (char *)t->desc[h].base + t->desc[h].mapsize &&
	       !((uintptr_t)p & 15), "alloc of %zu on heap %u: block %p outside "
	       "[%p, +%zu) or misaligned", size, t->desc[h].id, p, t->desc[h].base,
	       t->desc[h].mapsize);
	/* A block just handed out must not carry somebody's live stamp. */
	if (size >= sizeof(struct stamp)) {
		const struct stamp *st = p;

		EXPECT(!(st->magic == STAMP_LIVE &&
			 st->check == scramble(STAMP_LIVE ^ st->tag ^ st->seq ^ st->size)),
		       "alloc of %zu on heap %u: block %p is live, stamped by tag %#x "
		       "seq %llu: handed out twice", size, t->desc[h].id, p, st->tag,
		       (unsigned long long)st->seq);
	}
	t->seq++;
	stamp_block(p, size, t->tag, t->seq);
	t->held[t->nheld++] = (struct block){ h, t->desc[h].id, p, size, t->tag, t->seq };
	COUNT(allocs, 1);
}

/* Hand a block to another process: its offset goes through a ring. */
static void do_handover(struct thread *t)
{
	struct ring *rg;
	struct block *b;
	int i, to;
	size_t off;

	if (!t->nheld || opt_procs < 2)
		return;
	i = (int)t_rng_below(&t->rng, t->nheld);
	b = &t->held[i];
	verify(t, b->p, b->size, b->tag, b->seq, b->heap_id, "handover");
	to = (t->proc + 1 + (int)t_rng_below(&t->rng, opt_procs - 1)) % opt_procs;
	rg = &sh->rings[to];
	EXPECT(rt_heap_block_offset(&t->desc[b->heap], b->p, &off) == 0,
	       "rt_heap_block_offset of %p", b->p);
	lock(&rg->lock);
	if (rg->tail - rg->head < RING) {
		rg->e[rg->tail % RING] = (struct ring_entry){ b->heap_id, (uint32_t)b->heap,
							       b->tag, off, b->size, b->seq };
		rg->tail++;
		unlock(&rg->lock);
		drop_block(t, i);
		COUNT(handed, 1);
		return;
	}
	unlock(&rg->lock);
	free_held(t, i);
}

/* Take blocks handed to this process: check them and free them. */
static void do_receive(struct thread *t)
{
	struct ring *rg = &sh->rings[t->proc];

	for (int n = 0; n < 4; n++) {
		struct ring_entry e;
		int h = -1, ret;
		void *p;

		lock(&rg->lock);
		if (rg->head == rg->tail) {
			unlock(&rg->lock);
			return;
		}
		e = rg->e[rg->head % RING];
		rg->head++;
		unlock(&rg->lock);
		/*
		 * Our descriptor for that name, bound to the block's heap.
		 * Ids only grow: a heap older than the one we have bound is
		 * gone (deleted, and its block with it); a newer one we bind.
		 */
		h = (int)e.slot;
		if (t->bound[h] && t->desc[h].id < e.heap_id && !t->owner_desc[h])
			unbind_heap(t, h);
		if (!t->bound[h])
			bind_heap(t, h);
		if (!t->bound[h] || t->desc[h].id != e.heap_id) {
			EXPECT(!t->bound[h] || t->desc[h].id > e.heap_id,
			       "heap %s: bound to id %u, a block of id %u handed over",
			       sh->heaps[h].name, t->desc[h].id, e.heap_id);
			COUNT(dropped, 1);	/* its heap is gone, and the block */
			continue;
		}
		EXPECT(rt_heap_block_addr(&t->desc[h], e.off, &p) == 0,
		       "rt_heap_block_addr(%llu) on heap %u", (unsigned long long)e.off,
		       e.heap_id);
		verify(t, p, e.size, e.tag, e.seq, e.heap_id, "received");
		ret = free_block(t, h, p, e.size);
		if (ret == -EIDRM) {
			COUNT(eidrm, 1);
			continue;
		}
		EXPECT(ret == 0, "free of a received block %p on heap %u: %s", p,
		       e.heap_id, t_errname(ret));
		COUNT(received, 1);
	}
}

static void do_inquire(struct thread *t)
{
	int h = (int)t_rng_below(&t->rng, opt_heaps), ret;
	RT_HEAP_INFO info;

	if (!t->bound[h])
		return;
	ret = rt_heap_inquire(&t->desc[h], &info);
	if (ret == -EIDRM)
		return;
	EXPECT(ret == 0, "inquire: %s", t_errname(ret));
	EXPECT(info.usedmem <= info.usablemem && info.largestfree <= info.usablemem &&
	       info.nwaiters >= 0, "inquire of heap %u: used %zu largest %zu usable %zu",
	       t->desc[h].id, info.usedmem, info.largestfree, info.usablemem);
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	t->ts->tid = (int)syscall(SYS_gettid);
	for (int h = 0; h < opt_heaps; h++)
		if (owns_heap(t, h))
			create_heap(t, h);
	while (!sh->stop) {
		uint64_t r = t_rng_below(&t->rng, 1000);

		quiesce(t);
		if (sh->stop)
			break;
		if (r < 350) {
			do_alloc(t);
		} else if (r < 620) {
			if (t->nheld)
				free_held(t, (int)t_rng_below(&t->rng, t->nheld));
		} else if (r < 720) {
			do_handover(t);
		} else if (r < 850) {
			do_receive(t);
		} else if (r < 880) {
			int h = (int)t_rng_below(&t->rng, opt_heaps);

			if (!t->owner_desc[h])
				unbind_heap(t, h);
		} else if (r < 890) {
			for (int h = 0; h < opt_heaps; h++)
				if (owns_heap(t, h) && t_rng_pct(&t->rng, 50))
					recreate_heap(t, h);
		} else {
			do_inquire(t);
		}
	}
	/* The end: give everything back, own heaps go. */
	while (t->nheld)
		free_held(t, t->nheld - 1);
	return NULL;
}

static void worker(int proc, uint64_t seed)
{
	struct thread th[MAXTHREADS];
	pthread_t tid[MAXTHREADS];

	my_proc = proc;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(th, 0, sizeof(th));
	for (int i = 0; i < opt_threads; i++) {
		th[i].proc = proc;
		th[i].idx = i;
		th[i].tag = (uint32_t)(proc << 8 | i);
		th[i].ts = &sh->threads[proc][i];
		th[i].ts->pid = getpid();
		th[i].ts->thread = i;
		t_rng_seed(&th[i].rng, t_mix64(seed ^ (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL));
		if (pthread_create(&tid[i], NULL, thread_main, &th[i]))
			fail("pthread_create");
	}
	for (int i = 0; i < opt_threads; i++)
		pthread_join(tid[i], NULL);
	/* Drain what was handed to us, then let go of every heap. */
	for (int i = 0; i < opt_threads; i++)
		do_receive(&th[i]);
	for (int i = 0; i < opt_threads; i++)
		for (int h = 0; h < opt_heaps; h++)
			if (th[i].bound[h] && !th[i].owner_desc[h])
				unbind_heap(&th[i], h);
	for (int i = 0; i < opt_threads; i++)
		for (int h = 0; h < opt_heaps; h++)
			if (th[i].bound[h])
				unbind_heap(&th[i], h);
	_exit(0);
}

/* A victim: allocates from heap 0, then blocks there until killed. */
static void victim(uint64_t seed)
{
	struct t_rng rng;
	RT_HEAP h;
	void *p;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	t_rng_seed(&rng, seed);
	ret = rt_heap_bind_timed(&h, sh->heaps[0].name, 5000 * MS);
	if (ret)
		_exit(0);
	taint(h.id);
	for (int i = 0; i < 4; i++)
		if (rt_heap_alloc(&h, 1 + t_rng_below(&rng, 3000), TM_NONBLOCK, &p) == 0)
			memset(p, 0xee, 16);
	rt_heap_alloc(&h, h.mapsize, t_rng_pct(&rng, 50) ? TM_INFINITE : 60000 * MS, &p);
	pause();
	_exit(0);
}

/* --- the parent ------------------------------------------------------------------- */

static pid_t wpids[MAXPROCS], vpids[MAXVICTIMS];

static void kill_all(void)
{
	for (int i = 0; i < opt_procs; i++)
		if (wpids[i] > 0)
			kill(wpids[i], SIGKILL);
	for (int i = 0; i < opt_victims; i++)
		if (vpids[i] > 0)
			kill(vpids[i], SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

static pid_t spawn_victim(uint64_t seed)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		my_proc = 100;
		victim(seed);
	}
	return pid;
}

/*
 * Where a thread is in the kernel: its state letter, wchan and kernel
 * stack from /proc (root only), one line, for a failure message.
 */
static const char *where_is(int pid, int tid)
{
	static char out[768];
	char path[96], buf[512];
	size_t n = 0;
	const char *files[] = { "stat", "wchan", "stack" };

	out[0] = 0;
	for (int k = 0; k < 3; k++) {
		int fd;
		ssize_t r;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, files[k]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0,
				      " %s: %s;", files[k], buf);
		if (n >= sizeof(out))
			break;
	}
	return out;
}

/*
 * A thread past its timeout (or its heap's delete) + slack is a suspect;
 * it is a lost wakeup if it is still in the same call after the watchdog
 * has watched it, without a gap of its own, for slack more.  A stall of
 * the whole guest (an emulated CPU the host did not run, a debug kernel's
 * scan) delays the watchdog as it delays the threads: it starts the
 * watch again.  A task that was never woken stays put for good, so this
 * tells it from one merely late.
 */
static uint64_t suspect_since[MAXPROCS][MAXTHREADS];
static uint64_t suspect_start[MAXPROCS][MAXTHREADS];
static uint64_t watchdog_last;
static unsigned long suspects_cleared, watchdog_gaps;

/*
 * The parent's own long steps (a quiescent check, reaping a victim) are
 * not stalls: the watch resumes from their end.
 */
static void watchdog_resume(void)
{
	watchdog_last = t_now_ns();
}

static void watchdog(void)
{
	uint64_t now = t_now_ns();
	bool gap = watchdog_last && now - watchdog_last > slack_ns / 4;

	watchdog_last = now;
	if (gap)
		watchdog_gaps++;
	for (int p = 0; p < opt_procs; p++)
		for (int i = 0; i < opt_threads; i++) {
			struct tslot *ts = &sh->threads[p][i];
			uint32_t state = __atomic_load_n(&ts->state, __ATOMIC_SEQ_CST);
			uint64_t start = ts->start_ns, tmo = ts->timeout_ns, del = 0;
			bool late = false, no_eidrm = false;

			if (state != W_IDLE && now >= start) {
				late = tmo != TM_INFINITE && now > start + tmo + slack_ns;
				no_eidrm = state == W_ALLOC && tmo == TM_INFINITE &&
					   (del = deleted_at(ts->heap_id)) &&
					   now > del + slack_ns && del > start;
			}
			if ((!late && !no_eidrm) ||
			    __atomic_load_n(&ts->state, __ATOMIC_SEQ_CST) != state ||
			    ts->start_ns != start) {
				if (suspect_since[p][i])
					suspects_cleared++;
				suspect_since[p][i] = 0;
				continue;
			}
			if (!suspect_since[p][i] || suspect_start[p][i] != start || gap) {
				suspect_since[p][i] = now;
				suspect_start[p][i] = start;
				continue;
			}
			if (now - suspect_since[p][i] < slack_ns)
				continue;
			if (late)
				fail("process %d thread %d (pid %d) still %s %llu ms after "
				     "its %llu ms timeout (slack %llu ms, then watched for "
				     "%llu ms):%s lost wakeup",
				     p, i, ts->pid, state == W_ALLOC ? "in alloc" : "in bind",
				     (unsigned long long)((now - start - tmo) / MS),
				     (unsigned long long)(tmo / MS),
				     (unsigned long long)(slack_ns / MS),
				     (unsigned long long)((now - suspect_since[p][i]) / MS),
				     where_is(ts->pid, ts->tid));
			fail("process %d thread %d (pid %d) still in alloc (TM_INFINITE, "
			     "%llu bytes) %llu ms after heap %u was deleted:%s no -EIDRM",
			     p, i, ts->pid, (unsigned long long)ts->size,
			     (unsigned long long)((now - del) / MS), ts->heap_id,
			     where_is(ts->pid, ts->tid));
		}
}

static unsigned long nchecks_exact, nchecks_loose, ngrant_checks, ngrant_room;

/*
 * No waiter may stay queued while its request fits: a free hands memory
 * to every waiter that fits, inside the free, and allocations only take
 * room away.  So whenever all threads announced as waiting in a heap are
 * queued in it (nwaiters equals their number, the same threads before and
 * after the list and no wait announced there meanwhile, so none came or
 * went), and the heap has a free page run
 * (largest_free of a page or more) into which one of them fits, that
 * waiter's wakeup was lost.  Not heap 0: victims wait there unannounced.
 */
static void grant_check(void)
{
	struct rtheap_info *infos;
	size_t plen = strlen(sh->prefix);
	int fd, n;

	fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (int h = 1; h < opt_heaps; h++) {
		struct { int p, i; uint64_t start, size; } snap[MAXPROCS * MAXTHREADS];
		uint32_t ann = __atomic_load_n(&sh->heaps[h].announces, __ATOMIC_SEQ_CST);
		uint32_t id = __atomic_load_n(&sh->heaps[h].id, __ATOMIC_SEQ_CST);
		int ns = 0;
		bool same = true;

		if (!id)
			continue;
		for (int p = 0; p < opt_procs; p++)
			for (int i = 0; i < opt_threads; i++) {
				struct tslot *ts = &sh->threads[p][i];

				if (__atomic_load_n(&ts->state, __ATOMIC_SEQ_CST) == W_ALLOC &&
				    ts->heap_id == id)
					snap[ns++] = (typeof(snap[0])){ p, i, ts->start_ns, ts->size };
			}
		if (!ns)
			continue;
		n = t_list_fd(fd, &infos);
		if (n < 0)
			break;
		for (int k = 0; k < ns; k++) {
			struct tslot *ts = &sh->threads[snap[k].p][snap[k].i];

			same &= __atomic_load_n(&ts->state, __ATOMIC_SEQ_CST) == W_ALLOC &&
				ts->start_ns == snap[k].start && ts->heap_id == id;
		}
		/*
		 * Nobody announced a wait here since the scan began: a thread
		 * that came after its slot was scanned (and is queued now,
		 * unseen) would make nwaiters match while one of the snapshot
		 * is still on its way in, or out through the fast path.
		 */
		same &= __atomic_load_n(&sh->heaps[h].announces, __ATOMIC_SEQ_CST) == ann;
		for (int k = 0; k < n && same; k++) {
			struct rtheap_info *in = &infos[k];

			if (in->id != id || strncmp(in->name, sh->prefix, plen))
				continue;
			if (in->nwaiters != (uint32_t)ns)
				break;
			ngrant_checks++;
			ngrant_room += in->largest_free >= PAGE;
			for (int w = 0; w < ns; w++)
				EXPECT(!(in->largest_free >= PAGE && snap[w].size <= in->largest_free),
				       "heap %u \"%s\": process %d thread %d waits for %llu bytes "
				       "while largest_free is %llu (%u waiters, used %llu of %llu): "
				       "a free did not grant it (lost wakeup)", id, in->name,
				       snap[w].p, snap[w].i, (unsigned long long)snap[w].size,
				       (unsigned long long)in->largest_free, in->nwaiters,
				       (unsigned long long)in->used_mem,
				       (unsigned long long)in->usable_mem);
		}
		free(infos);
	}
	close(fd);
}

/* All threads stopped, victims dead: every heap's used_mem adds up. */
static uint64_t quiesce_ns;

static void quiescent_check(bool last)
{
	struct rtheap_info *infos;
	uint64_t t0 = t_now_ns(), deadline = t0 + 30000 * MS;
	size_t plen = strlen(sh->prefix);
	int fd, n;

	/* Victims first: their blocks make heap 0 loose from now on. */
	for (int i = 0; i < opt_victims; i++) {
		if (vpids[i] > 0) {
			kill(vpids[i], SIGKILL);
			waitpid(vpids[i], NULL, 0);
			sh->victim_kills++;
			vpids[i] = 0;
		}
	}
	__atomic_store_n(&sh->pause, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->paused, __ATOMIC_SEQ_CST) <
	       (uint32_t)(opt_procs * opt_threads)) {
		watchdog();
		for (int p = 0; p < opt_procs; p++)
			if (waitpid(wpids[p], NULL, WNOHANG) == wpids[p]) {
				wpids[p] = -1;
				fail("process %d died", p);
			}
		EXPECT(t_now_ns() < deadline, "threads did not reach the quiescent point "
		       "in 30 s (%u of %d)", sh->paused, opt_procs * opt_threads);
		usleep(1000);
	}
	quiesce_ns += t_now_ns() - t0;
	if (verbose)
		printf("rtheap-stress: quiescent point after %.1f s: all stopped in %.0f ms\n",
		       (t0 - sh->start_ns) / 1e9, (t_now_ns() - t0) / 1e6);
	fd = t_open_dev();
	n = t_list_fd(fd, &infos);
	close(fd);
	EXPECT(n >= 0, "list: %s", t_errname(n));
	for (int k = 0; k < n; k++) {
		struct rtheap_info *h = &infos[k];
		uint64_t want = 0;

		if (strncmp(h->name, sh->prefix, plen) || h->name[plen] != '.')
			continue;
		for (int p = 0; p < opt_procs; p++)
			for (int i = 0; i < opt_threads; i++) {
				struct tslot *ts = &sh->threads[p][i];

				for (uint32_t b = 0; b < ts->nheld; b++)
					if (ts->held_id[b] == h->id)
						want += ts->held_size[b];
				for (int c = 0; c < opt_heaps; c++)
					if (ts->cache_id[c] == h->id)
						want += ts->cache_bytes[c];
			}
		for (int p = 0; p < opt_procs; p++) {
			struct ring *rg = &sh->rings[p];

			for (uint32_t e = rg->head; e != rg->tail; e++)
				if (rg->e[e % RING].heap_id == h->id)
					want += t_rounded(rg->e[e % RING].size);
		}
		EXPECT(h->nwaiters == 0, "heap %u \"%s\": %u waiters while every thread "
		       "is stopped", h->id, h->name, h->nwaiters);
		if (tainted(h->id)) {
			EXPECT(h->used_mem >= want, "heap %u \"%s\": used_mem %llu, less "
			       "than the %llu bytes held", h->id, h->name,
			       (unsigned long long)h->used_mem, (unsigned long long)want);
			nchecks_loose++;
		} else {
			EXPECT(h->used_mem == want, "heap %u \"%s\": used_mem %llu, but "
			       "the threads hold (or have in flight) %llu bytes (dropped so "
			       "far %llu)", h->id, h->name, (unsigned long long)h->used_mem,
			       (unsigned long long)want, (unsigned long long)sh->c.dropped);
			nchecks_exact++;
		}
	}
	free(infos);
	COUNT(checks, 1);
	/* The last one: threads leave their pause only to finish. */
	if (last)
		sh->stop = 1;
	__atomic_store_n(&sh->pause, 0, __ATOMIC_SEQ_CST);
}

static void usage(void)
{
	fprintf(stderr, "usage: rtheap-stress [--seconds N] [--procs P] [--threads T] "
		"[--heaps H] [--victims V] [--slack-ms MS] [--seed N] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'T' },
		{ "heaps", required_argument, NULL, 'H' },
		{ "victims", required_argument, NULL, 'V' },
		{ "slack-ms", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 0, start, end, next_check, next_kill, t_end;
	bool have_seed = false;
	struct rtheap_info *infos;
	long refcnt0, refcnt1;
	struct t_rng rng;
	int c, n, fd, status;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 't': opt_seconds = strtoull(optarg, NULL, 0); break;
		case 'p': opt_procs = atoi(optarg); break;
		case 'T': opt_threads = atoi(optarg); break;
		case 'H': opt_heaps = atoi(optarg); break;
		case 'V': opt_victims = atoi(optarg); break;
		case 'S': slack_ns = strtoull(optarg, NULL, 0) * MS; break;
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc || opt_procs < 1 || opt_procs > MAXPROCS || opt_threads < 1 ||
	    opt_threads > MAXTHREADS || opt_heaps < 1 || opt_heaps > MAXHEAPS ||
	    opt_victims < 0 || opt_victims > MAXVICTIMS || !opt_seconds)
		usage();
	if (!have_seed)
		seed = t_fresh_seed();
	printf("rtheap-stress: seed %llu: %d processes x %d threads, %d heaps, %d victims, "
	       "%llu s, slack %llu ms\n", (unsigned long long)seed, opt_procs, opt_threads,
	       opt_heaps, opt_victims, (unsigned long long)opt_seconds,
	       (unsigned long long)(slack_ns / MS));
	fflush(stdout);
	if (access(RTHEAP_DEVICE, R_OK | W_OK))
		t_skip("no %s (rtheap.ko not loaded?)", RTHEAP_DEVICE);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		T_FAIL("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	sh->seed = seed;
	snprintf(sh->prefix, sizeof(sh->prefix), "st%d", (int)getpid() % 100000);
	for (int h = 0; h < opt_heaps; h++) {
		shared_mutex_init(&sh->heaps[h].lock);
		snprintf(sh->heaps[h].name, RTHEAP_NAMELEN, "%s.%d", sh->prefix, h);
	}
	for (int p = 0; p < opt_procs; p++)
		shared_mutex_init(&sh->rings[p].lock);
	shared_mutex_init(&sh->del_lock);
	t_rng_seed(&rng, seed);
	refcnt0 = t_module_refcnt();
	have_cache = (t_version().features &
		      (RTHEAP_FEAT_STATUS_PAGE | RTHEAP_FEAT_CLASS_MAP)) ==
		     (RTHEAP_FEAT_STATUS_PAGE | RTHEAP_FEAT_CLASS_MAP);

	start = sh->start_ns = t_now_ns();
	end = start + opt_seconds * 1000 * MS;
	for (int p = 0; p < opt_procs; p++) {
		uint64_t ps = t_rng_next(&rng);

		fflush(NULL);
		wpids[p] = fork();
		if (wpids[p] < 0)
			fail("fork: %s", strerror(errno));
		if (wpids[p] == 0)
			worker(p, ps);
	}
	next_check = start + (1000 + t_rng_below(&rng, 1000)) * MS;
	next_kill = start + (200 + t_rng_below(&rng, 600)) * MS;
	while (t_now_ns() < end && !sh->failed) {
		usleep(20000);
		watchdog();
		grant_check();
		for (int p = 0; p < opt_procs; p++)
			if (waitpid(wpids[p], &status, WNOHANG) == wpids[p]) {
				wpids[p] = -1;
				if (!sh->failed)
					fail("process %d died (status %#x)", p, status);
			}
		for (int v = 0; v < opt_victims; v++) {
			if (vpids[v] > 0 && waitpid(vpids[v], &status, WNOHANG) == vpids[v])
				vpids[v] = 0;	/* gave up binding */
			if (vpids[v] <= 0)
				vpids[v] = spawn_victim(t_rng_next(&rng));
		}
		if (t_now_ns() >= next_kill && opt_victims) {
			int v = (int)t_rng_below(&rng, opt_victims);

			if (vpids[v] > 0) {
				kill(vpids[v], SIGKILL);
				waitpid(vpids[v], NULL, 0);
				sh->victim_kills++;
				vpids[v] = 0;
				watchdog_resume();
			}
			next_kill = t_now_ns() + (200 + t_rng_below(&rng, 800)) * MS;
		}
		if (t_now_ns() >= next_check) {
			quiescent_check(false);
			watchdog_resume();
			next_check = t_now_ns() + (1000 + t_rng_below(&rng, 1500)) * MS;
		}
	}
	if (sh->failed)
		goto failed;
	quiescent_check(true);	/* kills the victims, stops the workers */
	t_end = t_now_ns();
	for (int p = 0; p < opt_procs; p++) {
		uint64_t limit = t_now_ns() + 60000 * MS;
		pid_t r;

		while ((r = waitpid(wpids[p], &status, WNOHANG)) == 0 && t_now_ns() < limit) {
			watchdog();
			usleep(10000);
		}
		if (r != wpids[p]) {
			if (!sh->failed)
				fail("process %d did not finish in 60 s", p);
			goto failed;
		}
		wpids[p] = -1;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			goto failed;
	}

	/* Nothing of ours left; the module's reference count as before. */
	fd = t_open_dev();
	n = t_list_fd(fd, &infos);
	close(fd);
	EXPECT(n >= 0, "list: %s", t_errname(n));
	for (int k = 0; k < n; k++)
		EXPECT(strncmp(infos[k].name, sh->prefix, strlen(sh->prefix)),
		       "heap %u \"%s\" left after the run", infos[k].id, infos[k].name);
	free(infos);
	refcnt1 = t_module_refcnt();
	EXPECT(refcnt1 == refcnt0, "/sys/module/rtheap/refcnt %ld after the run, %ld "
	       "before", refcnt1, refcnt0);

	printf("rtheap-stress: %.1f s (%.1f s stopping at quiescent points, %.1f s "
	       "winding up), %d processes x %d threads, %d heaps\n",
	       (t_now_ns() - start) / 1e9, quiesce_ns / 1e9, (t_now_ns() - t_end) / 1e9,
	       opt_procs, opt_threads, opt_heaps);
	printf("rtheap-stress: allocs %llu, frees %llu (own %llu, handed over %llu and "
	       "freed by another process %llu, dropped with their heap %llu)\n",
	       (unsigned long long)sh->c.allocs,
	       (unsigned long long)(sh->c.frees + sh->c.received),
	       (unsigned long long)sh->c.frees, (unsigned long long)sh->c.handed,
	       (unsigned long long)sh->c.received, (unsigned long long)sh->c.dropped);
	printf("rtheap-stress: waits %llu, wakeups (granted after waiting) %llu, "
	       "timeouts %llu (latest %.1f ms past its deadline), -EIDRM %llu, "
	       "TM_NONBLOCK refused %llu\n", (unsigned long long)sh->c.waits,
	       (unsigned long long)sh->c.wakeups, (unsigned long long)sh->c.timeouts,
	       sh->c.late_max_ns / 1e6, (unsigned long long)sh->c.eidrm,
	       (unsigned long long)sh->c.nonblock_full);
	printf("rtheap-stress: watchdog: %lu waits seen past their deadline + slack that "
	       "then ended (late, not lost), %lu gaps of its own over %llu ms\n",
	       suspects_cleared, watchdog_gaps, (unsigned long long)(slack_ns / 4 / MS));
	printf("rtheap-stress: descriptors with a block cache %llu\n",
	       (unsigned long long)sh->c.cached_descs);
	printf("rtheap-stress: creates %llu, deletes %llu (%llu with waiters), binds %llu "
	       "(%llu waited for a create), unbinds %llu, victims killed %llu\n",
	       (unsigned long long)sh->c.creates, (unsigned long long)sh->c.deletes,
	       (unsigned long long)sh->c.deletes_with_waiters,
	       (unsigned long long)sh->c.binds, (unsigned long long)sh->c.bind_waits,
	       (unsigned long long)sh->c.unbinds, (unsigned long long)sh->victim_kills);
	printf("rtheap-stress: %llu quiescent points, %lu exact and %lu lower-bound "
	       "usedmem checks, %lu checks that no queued waiter fits (%lu with free "
	       "pages), %.1f MB of block contents verified\n",
	       (unsigned long long)sh->c.checks, nchecks_exact, nchecks_loose,
	       ngrant_checks, ngrant_room, sh->c.bytes_checked / 1e6);
	printf("rtheap-stress: PASS (seed %llu)\n", (unsigned long long)seed);
	return 0;

failed:
	kill_all();
	fprintf(stderr, "rtheap-stress: FAILED: %s\nrtheap-stress: seed %llu\n",
		sh->failmsg[0] ? sh->failmsg : "a process failed", (unsigned long long)seed);
	return 1;
}
