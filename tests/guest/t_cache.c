// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_cache: the status page (read-only, never executable, nwaiters
 * and deleted); every errno of rt_heap_cache; cached allocs and frees
 * make no system call (the kernel's usedmem moves only by whole bulk
 * refills); the bound on cached bytes; a double free in the process
 * refused by the cache; a free meeting a waiter of another process hands
 * its block over inside the free, and the next call drains the cache;
 * delete under a cached descriptor (-EIDRM, the heap's memory released);
 * a fork child's cache starts empty; a thread's exit drains its
 * magazines; the class map (read-only, its contents); a block whose page
 * changed class while another process held it is not taken back by the
 * cache as a block of its old class.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

static size_t cached(RT_HEAP *h)
{
	size_t n = SIZE_MAX;

	CHECK_OK(rt_heap_cache_inquire(h, &n));
	return n;
}

static void test_status_page(void)
{
	const struct rtheap_status *st;
	RT_HEAP h;
	void *p;

	CHECK(t_version().features & RTHEAP_FEAT_STATUS_PAGE);
	CHECK_OK(rt_heap_create(&h, NULL, T_PAGE, H_FIFO));
	p = mmap(NULL, T_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, h.fd,
		 (off_t)h.mapsize);
	CHECK(p == MAP_FAILED && errno == EPERM);
	p = mmap(NULL, T_PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, h.fd,
		 (off_t)h.mapsize);
	CHECK(p == MAP_FAILED && errno == EPERM);
	p = mmap(NULL, 2 * T_PAGE, PROT_READ, MAP_SHARED, h.fd,
		 (off_t)h.mapsize);
	CHECK(p == MAP_FAILED && errno == EINVAL);
	st = mmap(NULL, T_PAGE, PROT_READ, MAP_SHARED, h.fd, (off_t)h.mapsize);
	CHECK(st != MAP_FAILED);
	CHECK_EQ(mprotect((void *)st, T_PAGE, PROT_READ | PROT_WRITE), -1);
	CHECK_EQ(mprotect((void *)st, T_PAGE, PROT_READ | PROT_EXEC), -1);
	CHECK_EQ(st->nwaiters, 0);
	CHECK_EQ(st->flags, 0);
	CHECK_OK(rt_heap_delete(&h));
	CHECK_EQ(st->flags, RTHEAP_STATUS_DELETED);
	munmap((void *)st, T_PAGE);
}

static void test_errors(void)
{
	RT_HEAP h, s, zero;
	size_t n;

	memset(&zero, 0, sizeof(zero));
	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_create(&s, NULL, T_PAGE, H_SHARED));
	CHECK_RET(rt_heap_cache(NULL, 4096), -EINVAL);
	CHECK_RET(rt_heap_cache(&zero, 4096), -EINVAL);
	CHECK_RET(rt_heap_cache(&s, 4096), -EINVAL);
	CHECK_RET(rt_heap_cache(&h, 4 * T_PAGE + 1), -E2BIG);
	CHECK_RET(rt_heap_cache(&h, SIZE_MAX), -E2BIG);
	CHECK_RET(rt_heap_cache_inquire(&h, NULL), -EINVAL);
	CHECK_RET(rt_heap_cache_inquire(&zero, &n), -EINVAL);
	CHECK_EQ(cached(&h), 0);	/* nothing changed: still uncached */
	CHECK_OK(rt_heap_cache(&h, 0));	/* off while off: nothing to do */
	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_delete(&s));
}

/* 16 blocks of 16 bytes per refill: the kernel sees whole refills only. */
static void test_no_syscall(void)
{
	RT_HEAP h, other;
	const char *n = t_name("t_cache_ns");
	void *b[40];
	int i;

	CHECK_OK(rt_heap_create(&h, n, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&other, n));
	CHECK_OK(rt_heap_cache(&h, 4096));
	CHECK_OK(rt_heap_alloc(&h, 10, TM_NONBLOCK, &b[0]));
	CHECK_EQ(t_inquire(&other).usedmem, 16 * 16);
	CHECK_EQ(cached(&h), 15 * 16);
	for (i = 1; i < 16; i++)
		CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b[i]));
	CHECK_EQ(t_inquire(&other).usedmem, 16 * 16);
	CHECK_EQ(cached(&h), 0);
	CHECK_OK(rt_heap_alloc(&h, 1, TM_NONBLOCK, &b[16]));
	CHECK_EQ(t_inquire(&other).usedmem, 32 * 16);
	for (i = 0; i < 17; i++) {
		memset(b[i], i, 16);
		CHECK_OK(rt_heap_free(&h, b[i]));
	}
	/* Freed into the cache: used as others see it. */
	CHECK_EQ(t_inquire(&other).usedmem, 32 * 16);
	CHECK_EQ(cached(&h), 32 * 16);
	/* Above the classes: straight to the kernel. */
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &b[0]));
	CHECK_EQ(t_inquire(&other).usedmem, 32 * 16 + T_PAGE);
	CHECK_OK(rt_heap_free(&h, b[0]));
	CHECK_EQ(t_inquire(&other).usedmem, 32 * 16);
	/* Off: drained, every block back. */
	CHECK_OK(rt_heap_cache(&h, 0));
	CHECK_EQ(cached(&h), 0);
	CHECK_EQ(t_inquire(&other).usedmem, 0);
	CHECK_OK(rt_heap_unbind(&other));
	CHECK_OK(rt_heap_delete(&h));
}

static void test_double_free(void)
{
	RT_HEAP h, other;
	void *b, *c;
	size_t was;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_cache(&h, 4096));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, &b));
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, &c));
	CHECK_OK(rt_heap_free(&h, b));
	was = cached(&h);
	CHECK_RET(rt_heap_free(&h, b), -EINVAL);
	CHECK_EQ(cached(&h), was);
	/* Through a bulk free of the same descriptor too. */
	{
		int res = 1;

		CHECK_EQ(rt_heap_free_bulk(&h, 1, &b, &res), 1);
		CHECK_EQ(res, -EINVAL);
	}
	/* Not a block's start, outside the heap: refused. */
	CHECK_RET(rt_heap_free(&h, (char *)c + 16), -EINVAL);
	CHECK_RET(rt_heap_free(&h, NULL), -EINVAL);
	CHECK_OK(rt_heap_free(&h, c));
	CHECK_RET(rt_heap_free(&h, c), -EINVAL);
	/* A copy of the descriptor shares its cache. */
	other = h;
	CHECK_RET(rt_heap_free(&other, c), -EINVAL);
	CHECK_OK(rt_heap_delete(&h));
}

static void test_bound(void)
{
	RT_HEAP h;
	void *b[64];
	int i;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_cache(&h, 64));	/* four 16-byte blocks */
	CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b[0]));
	CHECK_EQ(t_inquire(&h).usedmem, 4 * 16);
	CHECK_EQ(cached(&h), 3 * 16);
	for (i = 1; i < 64; i++)
		CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b[i]));
	CHECK_EQ(t_inquire(&h).usedmem, 64 * 16);
	for (i = 0; i < 64; i++) {
		CHECK_OK(rt_heap_free(&h, b[i]));
		CHECK(cached(&h) <= 64);
	}
	CHECK_EQ(cached(&h), 64);
	CHECK_EQ(t_inquire(&h).usedmem, 64);
	/* A larger class than the bound: straight to the kernel. */
	CHECK_OK(rt_heap_alloc(&h, 128, TM_NONBLOCK, &b[0]));
	CHECK_EQ(t_inquire(&h).usedmem, 64 + 128);
	CHECK_OK(rt_heap_free(&h, b[0]));
	CHECK_EQ(t_inquire(&h).usedmem, 64);
	/* Lowering the bound drains. */
	CHECK_OK(rt_heap_cache(&h, 32));
	CHECK(cached(&h) <= 32);
	CHECK_OK(rt_heap_delete(&h));
}

static const char *waiter_name;

static int waiter_child(void *arg)
{
	RT_HEAP b;
	void *p;

	(void)arg;
	if (rt_heap_bind(&b, waiter_name))
		return 2;
	if (rt_heap_alloc(&b, 16, TM_INFINITE, &p))
		return 3;
	if (rt_heap_free(&b, p))
		return 4;
	return 0;
}

/*
 * One page of 16-byte blocks: 256.  The parent holds all (241 out, 15
 * cached); a child of another process waits for 16 bytes.  The parent's
 * free hands its block over inside the free; the next call drains.
 */
static void test_waiters(void)
{
	unsigned int nblk = T_PAGE / 16, i;
	void **b = calloc(nblk, sizeof(*b)), *q;
	RT_HEAP h;
	pid_t pid;

	CHECK(b);
	waiter_name = t_name("t_cache_w");
	CHECK_OK(rt_heap_create(&h, waiter_name, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_cache(&h, T_PAGE));
	for (i = 0; i < nblk - 15; i++)
		CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &b[i]));
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE);
	CHECK_EQ(cached(&h), 15 * 16);
	pid = t_spawn(waiter_child, NULL);
	t_wait_nwaiters(&h, 1, 5000);

	CHECK_OK(rt_heap_free(&h, b[0]));
	CHECK_EQ(t_inquire(&h).nwaiters, 0);	/* served inside the free */
	CHECK_EQ(cached(&h), 15 * 16);		/* drained at the next call */
	CHECK_CHILD(pid, 10000);
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE - 16);

	CHECK_OK(rt_heap_free(&h, b[1]));	/* drains, then caches b[1] */
	CHECK_EQ(cached(&h), 16);
	CHECK_EQ(t_inquire(&h).usedmem, T_PAGE - 16 - 15 * 16);
	CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &q));
	CHECK(q == b[1]);
	b[1] = q;
	for (i = 1; i < nblk - 15; i++)
		CHECK_OK(rt_heap_free(&h, b[i]));
	CHECK_OK(rt_heap_cache(&h, 0));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
	free(b);
}

/* kB of the heaps this process created that still exist (VmPin). */
static long vm_pinned_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	CHECK(kb >= 0);
	return kb;
}

static void test_delete(void)
{
	const char *n = t_name("t_cache_del");
	long pinned = vm_pinned_kb();
	RT_HEAP h, b, c;
	void *p, *q;
	size_t nc = 1;

	CHECK_OK(rt_heap_create(&h, n, 4 * T_PAGE, H_FIFO));
	CHECK_EQ(vm_pinned_kb(), pinned + 4 * (long)T_PAGE / 1024);
	CHECK_OK(rt_heap_bind(&b, n));
	CHECK_OK(rt_heap_bind(&c, n));
	CHECK_OK(rt_heap_cache(&b, 4096));
	CHECK_OK(rt_heap_alloc(&b, 32, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_alloc(&b, 32, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_free(&b, q));
	CHECK(cached(&b) > 0);
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_alloc(&b, 32, TM_NONBLOCK, &q), -EIDRM);
	CHECK_RET(rt_heap_free(&b, p), -EIDRM);
	CHECK_RET(rt_heap_alloc(&b, 32, TM_NONBLOCK, &q), -EIDRM);
	CHECK_EQ(cached(&b), 0);
	/* No cache for a descriptor of a deleted heap, and nothing changed. */
	CHECK_RET(rt_heap_cache(&c, 4096), -EIDRM);
	CHECK_OK(rt_heap_cache_inquire(&c, &nc));
	CHECK_EQ(nc, 0);
	CHECK_RET(rt_heap_alloc(&c, 32, TM_NONBLOCK, &q), -EIDRM);
	CHECK_OK(rt_heap_unbind(&c));
	/* b's file and mapping hold the memory until the unbind. */
	CHECK_EQ(vm_pinned_kb(), pinned + 4 * (long)T_PAGE / 1024);
	CHECK_OK(rt_heap_unbind(&b));
	CHECK_EQ(vm_pinned_kb(), pinned);	/* released */
}

static RT_HEAP fork_heap;

static int fork_child(void *arg)
{
	void *p;
	size_t n = 1;

	(void)arg;
	if (rt_heap_cache_inquire(&fork_heap, &n) || n != 0)
		return 2;
	if (rt_heap_alloc(&fork_heap, 16, TM_NONBLOCK, &p))
		return 3;
	if (t_inquire(&fork_heap).usedmem != 2 * 16 * 16)
		return 4;	/* the child refilled its own */
	if (rt_heap_free(&fork_heap, p) || rt_heap_cache(&fork_heap, 0))
		return 5;
	return 0;
}

static void test_fork(void)
{
	void *p;

	CHECK_OK(rt_heap_create(&fork_heap, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_cache(&fork_heap, 4096));
	CHECK_OK(rt_heap_alloc(&fork_heap, 16, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_free(&fork_heap, p));
	CHECK_EQ(cached(&fork_heap), 16 * 16);
	CHECK_CHILD(t_spawn(fork_child, NULL), 10000);
	/* The parent's magazines are its own still. */
	CHECK_EQ(cached(&fork_heap), 16 * 16);
	CHECK_EQ(t_inquire(&fork_heap).usedmem, 16 * 16);
	CHECK_OK(rt_heap_alloc(&fork_heap, 16, TM_NONBLOCK, &p));
	CHECK_EQ(t_inquire(&fork_heap).usedmem, 16 * 16);
	CHECK_OK(rt_heap_free(&fork_heap, p));
	CHECK_OK(rt_heap_delete(&fork_heap));
}

static void *thread_fn(void *arg)
{
	RT_HEAP *h = arg;
	void *p;

	if (rt_heap_alloc(h, 48, TM_NONBLOCK, &p) || rt_heap_free(h, p))
		return (void *)1;
	return NULL;
}

static void test_thread_exit(void)
{
	pthread_t thr;
	RT_HEAP h;
	void *ret;

	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_cache(&h, 4096));
	CHECK_OK(-pthread_create(&thr, NULL, thread_fn, &h));
	CHECK_OK(-pthread_join(thr, &ret));
	CHECK(!ret);
	CHECK_EQ(cached(&h), 0);
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_delete(&h));
}

/*
 * The class map: read-only, never executable, its size exactly; a page
 * of 64-byte blocks reads 1 + their class, a page run 0; none for
 * H_SHARED.
 */
static void test_class_map(void)
{
	size_t len;
	const unsigned char *cm;
	RT_HEAP h, s;
	void *a, *r, *p;
	size_t off;

	CHECK(t_version().features & RTHEAP_FEAT_CLASS_MAP);
	CHECK_OK(rt_heap_create(&h, NULL, 4 * T_PAGE, H_FIFO));
	len = ((h.mapsize / T_PAGE) + T_PAGE - 1) / T_PAGE * T_PAGE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, h.fd,
		 (off_t)(h.mapsize + T_PAGE));
	CHECK(p == MAP_FAILED && errno == EPERM);
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, h.fd,
		 (off_t)(h.mapsize + T_PAGE));
	CHECK(p == MAP_FAILED && errno == EPERM);
	p = mmap(NULL, len + T_PAGE, PROT_READ, MAP_SHARED, h.fd,
		 (off_t)(h.mapsize + T_PAGE));
	CHECK(p == MAP_FAILED && errno == EINVAL);
	cm = mmap(NULL, len, PROT_READ, MAP_SHARED, h.fd, (off_t)(h.mapsize + T_PAGE));
	CHECK(cm != MAP_FAILED);
	CHECK_EQ(mprotect((void *)cm, len, PROT_READ | PROT_WRITE), -1);
	for (size_t i = 0; i < 4; i++)
		CHECK_EQ(cm[i], 0);	/* a fresh heap: no bucket page */
	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, &a));
	CHECK_OK(rt_heap_alloc(&h, 2 * T_PAGE, TM_NONBLOCK, &r));
	CHECK_OK(rt_heap_block_offset(&h, a, &off));
	CHECK_EQ(cm[off / T_PAGE], 1 + 2);	/* 64 = 16 << 2 */
	CHECK_OK(rt_heap_block_offset(&h, r, &off));
	CHECK_EQ(cm[off / T_PAGE], 0);
	CHECK_EQ(cm[off / T_PAGE + 1], 0);
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_free(&h, r));
	CHECK_OK(rt_heap_delete(&h));
	munmap((void *)cm, len);

	CHECK_OK(rt_heap_create(&s, NULL, T_PAGE, H_SHARED));
	p = mmap(NULL, T_PAGE, PROT_READ, MAP_SHARED, s.fd, (off_t)(s.mapsize + T_PAGE));
	CHECK(p == MAP_FAILED && errno == EINVAL);
	CHECK_OK(rt_heap_delete(&s));
}

/*
 * A block the cache handed out goes to another process, which frees it;
 * its page, empty, is given up (a request for the whole heap reclaims
 * it) and taken by another class; the block at the same offset, 64 bytes
 * now, comes back to us.  Freed through the cached descriptor it must go
 * to the kernel: kept as a block of its old class (256 bytes), the cache
 * would hand out 256 bytes where 64 live.
 */
static const char *stale_name;
static size_t stale_page;
static size_t stale_offs[T_PAGE_MAX / 256];
static unsigned int stale_n;

static int stale_child(void *arg)
{
	size_t n64 = 4 * T_PAGE / 64, k, off;
	void **b64 = calloc(n64, sizeof(*b64)), *run, *keep = NULL;
	RT_HEAP b;

	(void)arg;
	if (!b64 || rt_heap_bind(&b, stale_name))
		return 2;
	for (unsigned int i = 0; i < stale_n; i++)
		if (rt_heap_free(&b, (char *)b.base + stale_offs[i]))
			return 3;
	/* The page is its class's spare now: the whole heap reclaims it. */
	if (rt_heap_alloc(&b, b.mapsize, TM_NONBLOCK, &run) || run != b.base)
		return 4;
	if (rt_heap_free(&b, run))
		return 5;
	for (k = 0; k < n64 && !keep; k++) {
		if (rt_heap_alloc(&b, 64, TM_NONBLOCK, &b64[k]) ||
		    rt_heap_block_offset(&b, b64[k], &off))
			return 6;
		if (off == stale_page * T_PAGE)
			keep = b64[k];
	}
	if (!keep)
		return 7;
	while (k--)
		if (b64[k] != keep && rt_heap_free(&b, b64[k]))
			return 8;
	/* keep stays allocated: it is the parent's now. */
	free(b64);
	return 0;
}

static void test_stale_class(void)
{
	unsigned int n = (unsigned int)(T_PAGE / 256);
	RT_HEAP h, o;
	size_t off, was;
	void *b;

	stale_name = t_name("t_cache_stale");
	CHECK_OK(rt_heap_create(&h, stale_name, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&o, stale_name));
	CHECK_OK(rt_heap_cache(&h, T_PAGE));
	/* A whole page of 256-byte blocks, all handed out by the cache. */
	for (unsigned int i = 0; i < n; i++) {
		CHECK_OK(rt_heap_alloc(&h, 256, TM_NONBLOCK, &b));
		CHECK_OK(rt_heap_block_offset(&h, b, &stale_offs[i]));
		if (i)
			CHECK_EQ(stale_offs[i] / T_PAGE, stale_page);
		stale_page = stale_offs[i] / T_PAGE;
	}
	stale_n = n;
	CHECK_EQ(cached(&h), 0);
	CHECK_EQ(t_inquire(&o).usedmem, T_PAGE);
	CHECK_CHILD(t_spawn(stale_child, NULL), 20000);
	CHECK_EQ(t_inquire(&o).usedmem, 64);
	/* The 64-byte block at the page's start, freed through the cache. */
	was = cached(&h);
	CHECK_EQ(was, 0);
	CHECK_OK(rt_heap_free(&h, (char *)h.base + stale_page * T_PAGE));
	CHECK_EQ(cached(&h), 0);
	CHECK_EQ(t_inquire(&o).usedmem, 0);
	CHECK_RET(rt_heap_free(&h, (char *)h.base + stale_page * T_PAGE), -EINVAL);
	/* The cache still works: 256 bytes, from a page of that class. */
	CHECK_OK(rt_heap_alloc(&h, 256, TM_NONBLOCK, &b));
	CHECK_OK(rt_heap_block_offset(&h, b, &off));
	CHECK_OK(rt_heap_free(&h, b));
	CHECK_OK(rt_heap_cache(&h, 0));
	CHECK_EQ(t_inquire(&o).usedmem, 0);
	CHECK_OK(rt_heap_unbind(&o));
	CHECK_OK(rt_heap_delete(&h));
}

int main(void)
{
	if (!(t_version().features & RTHEAP_FEAT_STATUS_PAGE))
		t_skip("module without RTHEAP_FEAT_STATUS_PAGE");
	test_status_page();
	test_errors();
	test_no_syscall();
	test_double_free();
	test_bound();
	test_waiters();
	test_delete();
	test_fork();
	test_thread_exit();
	test_class_map();
	test_stale_class();
	return T_EXIT_PASS;
}
