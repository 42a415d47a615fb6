// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/rtheap: MAP_SHARED of exactly map_size bytes at offset 0, or
 * -EINVAL; never executable (PROT_EXEC: -EPERM, mprotect to it: -EACCES);
 * mappings cannot grow; a split mapping is counted right; a fresh heap reads
 * as zeroes even on memory a previous heap filled.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

#define RW (PROT_READ | PROT_WRITE)

static int nmaps(int fd)
{
	struct rtheap_inquire iq;

	memset(&iq, 0, sizeof(iq));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	return (int)iq.info.nmaps;
}

static void expect_einval(int fd, size_t len, int flags, off_t off,
			  const char *what)
{
	void *m = mmap(NULL, len, RW, flags, fd, off);

	CHECKF(m == MAP_FAILED, "mmap %s worked", what);
	CHECKF(errno == EINVAL, "mmap %s failed with %s, expected EINVAL",
	       what, strerror(errno));
}

static void test_mmap_rules(void)
{
	struct rtheap_attach at;
	int fd = t_open_dev();
	char *m, *m2, *r;
	size_t sz;

	CHECK_OK(t_raw_create(fd, NULL, 8 * T_PAGE, H_FIFO, &at));
	sz = at.map_size;
	CHECK_EQ(nmaps(fd), 0);

	expect_einval(fd, sz, MAP_PRIVATE, 0, "MAP_PRIVATE");
	expect_einval(fd, sz - T_PAGE, MAP_SHARED, 0, "one page short");
	expect_einval(fd, T_PAGE, MAP_SHARED, 0, "of one page");
	expect_einval(fd, sz + T_PAGE, MAP_SHARED, 0, "one page long");
	expect_einval(fd, 2 * sz, MAP_SHARED, 0, "twice the size");
	expect_einval(fd, sz, MAP_SHARED, T_PAGE, "at offset one page");
	expect_einval(fd, sz - T_PAGE, MAP_SHARED, T_PAGE,
		      "of the tail at offset one page");
	expect_einval(fd, sz, MAP_SHARED, (off_t)1 << 40, "at a huge offset");
	CHECK_EQ(nmaps(fd), 0);

	m = mmap(NULL, sz, RW, MAP_SHARED, fd, 0);
	CHECKF(m != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(nmaps(fd), 1);
	m2 = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	CHECKF(m2 != MAP_FAILED, "read-only mmap: %s", strerror(errno));
	CHECK_EQ(nmaps(fd), 2);
	memset(m, 0x61, sz);
	CHECK_EQ(m2[sz - 1], 0x61);

	/* Data, never code: not mapped executable, not made so later. */
	r = mmap(NULL, sz, RW | PROT_EXEC, MAP_SHARED, fd, 0);
	CHECKF(r == MAP_FAILED && errno == EPERM,
	       "PROT_EXEC mmap: %s", r == MAP_FAILED ? strerror(errno) : "mapped");
	r = mmap(NULL, sz, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	CHECKF(r == MAP_FAILED && errno == EPERM,
	       "read-exec mmap: %s", r == MAP_FAILED ? strerror(errno) : "mapped");
	CHECKF(mprotect(m2, sz, PROT_READ | PROT_EXEC) == -1 && errno == EACCES,
	       "mprotect PROT_EXEC: %s", strerror(errno));
	CHECK_EQ(nmaps(fd), 2);

	/* No growing a mapping past the heap. */
	r = mremap(m, sz, sz + T_PAGE, 0);
	CHECKF(r == MAP_FAILED, "mremap grew the heap mapping in place");
	r = mremap(m, sz, 2 * sz, MREMAP_MAYMOVE);
	CHECKF(r == MAP_FAILED, "mremap grew the heap mapping (moved)");
	CHECK_EQ(m[sz - 1], 0x61);

	/* Split by a partial munmap (if the driver allows it): counted
	 * right, the rest still mapped. */
	if (munmap(m2, T_PAGE) == 0) {
		CHECK_EQ(m2[T_PAGE], 0x61);
		CHECK_OK(munmap(m2 + T_PAGE, sz - T_PAGE));
	} else {
		CHECK_OK(munmap(m2, sz));
	}
	CHECK_EQ(nmaps(fd), 1);
	CHECK_OK(munmap(m, sz));
	CHECK_EQ(nmaps(fd), 0);

	/* Mapping again shows the same memory. */
	m = mmap(NULL, sz, RW, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK_EQ(m[0], 0x61);
	CHECK_OK(munmap(m, sz));
	close(fd);
}

/*
 * MADV_DONTNEED only drops our page table entries: touching the range again
 * shows the heap's memory (no SIGBUS, no zero page), also in a child forked
 * afterwards.
 */
static void test_dontneed(void)
{
	RT_HEAP h;
	char *p;

	CHECK_OK(rt_heap_create(&h, NULL, 16 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 4 * T_PAGE, TM_NONBLOCK, (void **)&p));
	memset(p, 0x5e, 4 * T_PAGE);
	CHECK_OK(madvise(h.base, h.mapsize, MADV_DONTNEED));
	for (size_t i = 0; i < 4 * T_PAGE; i += 512)
		CHECKF((unsigned char)p[i] == 0x5e, "after MADV_DONTNEED byte "
		       "%zu reads 0x%02x", i, (unsigned char)p[i]);
	p[0] = 0x11;
	CHECK_OK(madvise(p, T_PAGE, MADV_DONTNEED));
	CHECK_EQ(p[0], 0x11);
	fflush(NULL);
	{
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			madvise(h.base, h.mapsize, MADV_DONTNEED);
			_exit(p[0] == 0x11 && (unsigned char)p[T_PAGE] == 0x5e ?
			      0 : 1);
		}
		CHECK_CHILD(pid, 10000);
	}
	CHECK_EQ(t_inquire(&h).nmaps, 1);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

/* New heaps never show what an old one held. */
static void test_fresh_is_zero(void)
{
	for (int round = 0; round < 4; round++) {
		RT_HEAP h;
		const unsigned char *b;

		CHECK_OK(rt_heap_create(&h, NULL, 64 * T_PAGE, H_FIFO));
		b = h.base;
		for (size_t i = 0; i < h.mapsize; i++)
			CHECKF(b[i] == 0, "round %d: fresh heap byte %zu is "
			       "0x%02x", round, i, b[i]);
		memset(h.base, 0xc3, h.mapsize);
		CHECK_OK(rt_heap_delete(&h));
	}
}

int main(void)
{
	test_mmap_rules();
	test_dontneed();
	test_fresh_is_zero();
	return T_EXIT_PASS;
}
