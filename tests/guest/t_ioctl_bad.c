// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input through raw ioctls, where libheap would never let it through:
 * unknown commands (-ENOTTY), non-zero reserved and padding fields, unknown
 * flag and mode bits, huge and "negative" sizes, offsets outside the heap or
 * not at a block start, double frees, calls on a file attached to no heap,
 * a second CREATE/BIND on an attached file (-EBUSY), bad user pointers,
 * replies that cannot be written (the work undone).
 * Every refused call must leave the heap as it was.  (Command 1 is
 * FIBMAP and 2 FIGETBSZ, handled by the VFS before the driver: not used.)
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

static const uint64_t huge[] = {
	~0ULL, 1ULL << 63, (1ULL << 63) + 4096, 1ULL << 62, 1ULL << 48,
	~0ULL - 4095, 0x8000000000000001ULL,
};
#define NHUGE (sizeof(huge) / sizeof(huge[0]))

static void test_unknown_commands(int fd)
{
	static const unsigned long cmds[] = {
		_IOWR(RTHEAP_IOC_MAGIC, 0x3f, struct rtheap_alloc),
		_IOWR(RTHEAP_IOC_MAGIC, 0x40, struct rtheap_alloc),
		_IOWR(RTHEAP_IOC_MAGIC, 0xff, struct rtheap_create_arg),
		_IO(RTHEAP_IOC_MAGIC, 0x7f),
		/* Right number, wrong direction or size. */
		_IOR(RTHEAP_IOC_MAGIC, 0x00, struct rtheap_version),
		_IOW(RTHEAP_IOC_MAGIC, 0x04, struct rtheap_alloc),
		_IOWR(RTHEAP_IOC_MAGIC, 0x04, uint64_t),
		_IOWR(RTHEAP_IOC_MAGIC, 0x01, struct rtheap_create),
		_IOWR(RTHEAP_IOC_MAGIC, 0x08, struct rtheap_delete),
		_IOWR(RTHEAP_IOC_MAGIC, 0x09, struct rtheap_delete),
		_IOWR(RTHEAP_IOC_MAGIC, 0x0d, struct rtheap_alloc_bulk),
		_IOW(RTHEAP_IOC_MAGIC, 0x0d, uint64_t),
		_IOWR(RTHEAP_IOC_MAGIC, 0x0e, struct rtheap_free_bulk),
		_IOW(RTHEAP_IOC_MAGIC, 0x0e, uint64_t),
		_IOW(RTHEAP_IOC_MAGIC, 0x0f, uint64_t),
		_IOWR(RTHEAP_IOC_MAGIC, 0x0f, struct rtheap_free),
		/* Someone else's magic, and nonsense. */
		_IOWR(RTHEAP_IOC_MAGIC + 1, 0x01, struct rtheap_create_arg),
		_IOWR('T', 0x04, struct rtheap_alloc),
		0, 0xdeadbeef, ~0UL,
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int ret;

		memset(buf, 0, sizeof(buf));
		ret = t_ioctl(fd, cmds[i], buf);
		CHECKF(ret == -ENOTTY, "ioctl cmd 0x%lx returned %s, "
		       "expected -ENOTTY", cmds[i], t_errname(ret));
	}
}

static void test_create_input(void)
{
	struct rtheap_create_arg a, good;
	const char *n = t_name("t_ioctl_c");
	int fd = t_open_dev();

	memset(&good, 0, sizeof(good));
	strcpy(good.in.name, n);
	good.in.size = 4 * T_PAGE;

	for (int i = 0; i < 4; i++) {
		a = good;
		a.in.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	}
	a = good;
	a.in.flags = 1U << 2;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	a.in.flags = 1U << 31;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	a = good;
	a.in.flags = RTHEAP_CREATE_PERM;
	a.in.perm = 01000;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	a.in.perm = ~0U;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	for (uint32_t bit = 0; bit < 32; bit++) {
		a = good;
		a.in.mode = 1U << bit;
		if (a.in.mode & RTHEAP_MODE_MASK)
			continue;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	}
	a = good;
	a.in.size = 0;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EINVAL);
	for (size_t i = 0; i < NHUGE; i++) {
		int ret;

		a = good;
		a.in.size = huge[i];
		ret = t_ioctl(fd, RTHEAP_IOC_CREATE, &a);
		CHECKF(ret == -EINVAL || (huge[i] < (1ULL << 63) &&
					  ret == -ENOMEM),
		       "create of %#llx bytes returned %s",
		       (unsigned long long)huge[i], t_errname(ret));
	}
	/* A name filling all 32 bytes, without its NUL. */
	a = good;
	memset(a.in.name, 'q', sizeof(a.in.name));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -ENAMETOOLONG);

	/* Bad pointers. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, NULL), -EFAULT);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, (void *)-4096L), -EFAULT);

	/* None of that created anything or attached the file. */
	CHECK(!t_listed(n));
	a = good;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_CREATE, &a));
	CHECK(t_listed(n));
	CHECK_EQ(a.out.mode, H_FIFO);
	CHECK_EQ(a.out.heap_size, 4 * T_PAGE);
	CHECK(a.out.map_size >= 4 * T_PAGE);
	CHECK_EQ(a.out.map_size % T_PAGE, 0);
	CHECK_EQ(a.out.reserved[0], 0);
	CHECK_EQ(a.out.reserved[1], 0);

	/* Attached: a second CREATE or a BIND is -EBUSY. */
	{
		struct rtheap_create_arg b = good;
		struct rtheap_bind bd;

		strcpy(b.in.name, t_name("t_ioctl_c2"));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &b), -EBUSY);
		CHECK(!t_listed(b.in.name));
		memset(&bd, 0, sizeof(bd));
		strcpy(bd.name, n);
		bd.timeout = RTHEAP_TM_NONBLOCK;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &bd), -EBUSY);
	}
	close(fd);
	CHECK(!t_listed(n));
}

static void test_bind_input(void)
{
	struct rtheap_bind b, good;
	const char *n = t_name("t_ioctl_b");
	int cfd = t_open_dev(), fd = t_open_dev();

	CHECK_OK(t_raw_create(cfd, n, T_PAGE, H_FIFO, NULL));
	memset(&good, 0, sizeof(good));
	strcpy(good.name, n);
	good.timeout = RTHEAP_TM_NONBLOCK;

	b = good;
	b.pad = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EINVAL);
	for (int i = 0; i < 2; i++) {
		b = good;
		b.reserved[i] = ~0ULL;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EINVAL);
	}
	b = good;
	b.flags = 1U << 2;	/* past RTHEAP_BIND_OWNER */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EINVAL);
	b.flags = ~0U;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EINVAL);
	b = good;
	memset(b.name, 'r', sizeof(b.name));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -ENAMETOOLONG);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, NULL), -EFAULT);

	/* Missing name: non-blocking, and an absolute deadline passed. */
	b = good;
	strcpy(b.name, t_name("t_ioctl_none"));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EWOULDBLOCK);
	b.timeout = 1;
	b.flags = RTHEAP_TIMEOUT_ABS;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -ETIMEDOUT);

	/* Still unattached after all of that; then a good bind. */
	{
		struct rtheap_alloc al;

		memset(&al, 0, sizeof(al));
		al.size = 16;
		al.timeout = RTHEAP_TM_NONBLOCK;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	}
	b = good;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_BIND, &b));
	CHECK_EQ(b.out.heap_size, T_PAGE);
	b = good;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_BIND, &b), -EBUSY);
	close(fd);
	close(cfd);
}

static void test_unattached(void)
{
	int fd = t_open_dev();
	struct rtheap_alloc al;
	struct rtheap_free fr;
	struct rtheap_inquire iq;
	struct rtheap_delete d;
	struct rtheap_version v;
	void *m;

	memset(&al, 0, sizeof(al));
	al.size = 16;
	al.timeout = RTHEAP_TM_NONBLOCK;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	memset(&fr, 0, sizeof(fr));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE, &fr), -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, (void *)0), -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, (void *)4096), -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)16), -EINVAL);
	memset(&iq, 0, sizeof(iq));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq), -EINVAL);
	memset(&d, 0, sizeof(d));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE, &d), -EINVAL);
	{
		struct rtheap_range r;
		struct rtheap_pagemap pm = {
			.capacity = 1, .ranges = (uintptr_t)&r,
		};

		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
	}
	m = mmap(NULL, T_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECKF(m == MAP_FAILED, "mmap of a file attached to no heap worked");
	/* Delete by name: reserved fields, unterminated name. */
	{
		struct rtheap_delete_name dn;

		for (int i = 0; i < 2; i++) {
			memset(&dn, 0, sizeof(dn));
			strcpy(dn.name, t_name("t_ioctl_none"));
			dn.reserved[i] = 1;
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE_NAME, &dn),
				  -EINVAL);
		}
		memset(&dn, 'z', sizeof(dn.name));
		dn.reserved[0] = dn.reserved[1] = 0;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE_NAME, &dn),
			  -ENAMETOOLONG);
		memset(&dn, 0, sizeof(dn));
		strcpy(dn.name, t_name("t_ioctl_none"));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE_NAME, &dn), -ENOENT);
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE_NAME, NULL), -EFAULT);
	}
	/* The handshake and the list need no heap. */
	memset(&v, 0, sizeof(v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_VERSION, &v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_NOP, NULL));
	close(fd);
}

static void test_heap_input(void)
{
	int fd = t_open_dev();
	struct rtheap_attach at;
	struct rtheap_alloc al, good;
	struct rtheap_free fr;
	struct rtheap_inquire iq;
	struct rtheap_delete d;
	struct rtheap_list l;
	uint64_t small, big, used;

	CHECK_OK(t_raw_create(fd, NULL, 16 * T_PAGE, H_FIFO, &at));
	memset(&good, 0, sizeof(good));
	good.timeout = RTHEAP_TM_NONBLOCK;

	/* ALLOC: reserved, padding, flags, sizes. */
	good.size = 64;
	al = good;
	al.pad = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	for (int i = 0; i < 2; i++) {
		al = good;
		al.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	}
	al = good;
	al.flags = 2;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	al.flags = 1U << 31;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	al = good;
	al.size = 0;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	al.size = at.map_size + 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	for (size_t i = 0; i < NHUGE; i++) {
		al = good;
		al.size = huge[i];
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
		al.timeout = RTHEAP_TM_INFINITE;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EINVAL);
	}
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, NULL), -EFAULT);

	al = good;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al));
	small = al.offset;
	CHECK_EQ(small % 64, 0);
	CHECK(small < at.map_size);
	al = good;
	al.size = 3 * T_PAGE;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al));
	big = al.offset;
	CHECK_EQ(big % T_PAGE, 0);
	CHECK(big + 3 * T_PAGE <= at.map_size);
	used = 64 + 3 * T_PAGE;

	/* FREE: reserved, then every kind of bad offset. */
	for (int i = 0; i < 3; i++) {
		memset(&fr, 0, sizeof(fr));
		fr.offset = small;
		fr.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE, &fr), -EINVAL);
	}
	{
		const uint64_t bad[] = {
			at.map_size, at.map_size + 64, at.map_size + T_PAGE,
			~0ULL, ~0ULL - 63, 1ULL << 63, 1ULL << 32,
			(1ULL << 32) + small, small + 1, small + 8,
			small + 16, small + 32, small + 63, small + 64,
			big + 1, big + 16, big + 2048, big + T_PAGE,
			big + 2 * T_PAGE, big + 3 * T_PAGE,
			at.map_size - 16, at.map_size - T_PAGE,
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int ret;

			memset(&fr, 0, sizeof(fr));
			fr.offset = bad[i];
			ret = t_ioctl(fd, RTHEAP_IOC_FREE, &fr);
			CHECKF(ret == -EINVAL, "free of offset %#llx (small "
			       "block %#llx, big block %#llx, map %#llx) "
			       "returned %s, expected -EINVAL",
			       (unsigned long long)bad[i],
			       (unsigned long long)small,
			       (unsigned long long)big,
			       (unsigned long long)at.map_size,
			       t_errname(ret));
			/* The same by value (a long holds the offset). */
			if (bad[i] != (unsigned long)bad[i])
				continue;
			ret = t_ioctl(fd, RTHEAP_IOC_FREE_OFF,
				      (void *)(unsigned long)bad[i]);
			CHECKF(ret == -EINVAL, "FREE_OFF of offset %#llx "
			       "returned %s, expected -EINVAL",
			       (unsigned long long)bad[i], t_errname(ret));
		}
	}
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE, NULL), -EFAULT);

	/* INQUIRE: reserved; and nothing above changed the heap. */
	for (int i = 0; i < 2; i++) {
		memset(&iq, 0, sizeof(iq));
		iq.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq), -EINVAL);
	}
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, NULL), -EFAULT);
	memset(&iq, 0, sizeof(iq));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	CHECK_EQ(iq.info.used_mem, used);
	CHECK_EQ(iq.info.id, at.id);

	/* Double frees. */
	memset(&fr, 0, sizeof(fr));
	fr.offset = small;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE, &fr));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE, &fr), -EINVAL);
	fr.offset = big;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, (void *)(unsigned long)big));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, (void *)(unsigned long)big),
		  -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE, &fr), -EINVAL);
	memset(&iq, 0, sizeof(iq));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	CHECK_EQ(iq.info.used_mem, 0);

	/* ALLOC writes .offset and nothing else of its argument. */
	{
		struct rtheap_alloc a2;

		memset(&a2, 0x5a, sizeof(a2));
		a2.size = 64;
		a2.timeout = RTHEAP_TM_NONBLOCK;
		a2.flags = 0;
		a2.pad = 0;
		memset(a2.reserved, 0, sizeof(a2.reserved));
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC, &a2));
		CHECK(a2.offset < at.map_size);
		CHECK_EQ(a2.size, 64);
		CHECK_EQ(a2.timeout, RTHEAP_TM_NONBLOCK);
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_OFF,
				 (void *)(unsigned long)a2.offset));
	}

	/* LIST: reserved, bad buffer. */
	for (int i = 0; i < 2; i++) {
		memset(&l, 0, sizeof(l));
		l.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_LIST, &l), -EINVAL);
	}
	memset(&l, 0, sizeof(l));
	l.capacity = 4;
	l.buf = 0;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_LIST, &l), -EFAULT);
	l.buf = (uint64_t)-4096;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_LIST, &l), -EFAULT);
	memset(&l, 0, sizeof(l));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_LIST, &l));
	CHECK(l.count >= 1);
	/* A number with another size, or an unused number, is no command. */
	CHECK_RET(t_ioctl(fd, _IOWR(RTHEAP_IOC_MAGIC, 0x0b, __u64[4]), &iq),
		  -ENOTTY);
	CHECK_RET(t_ioctl(fd, _IOWR(RTHEAP_IOC_MAGIC, 0x06,
				    struct rtheap_inquire), &iq), -ENOTTY);

	/* PAGEMAP: reserved, padding, capacity, the range array. */
	{
		struct rtheap_range r[2];
		struct rtheap_pagemap pm, gpm = {
			.capacity = 2, .ranges = (uintptr_t)r,
		};

		for (int i = 0; i < 4; i++) {
			pm = gpm;
			if (i < 2)
				pm.reserved[i] = 1;
			else if (i == 2)
				pm.pad = 1;
			else
				pm.capacity = 0;
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
		}
		pm = gpm;
		pm.first = 17;			/* past the 16-page heap */
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EINVAL);
		pm = gpm;
		pm.ranges = 8;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EFAULT);
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, NULL), -EFAULT);
		pm = gpm;
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm));
		CHECK(pm.count >= 1 && pm.npages == 16);
	}

	/* DELETE: reserved, then for real; afterwards -EIDRM. */
	for (int i = 0; i < 2; i++) {
		memset(&d, 0, sizeof(d));
		d.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE, &d), -EINVAL);
	}
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE, NULL), -EFAULT);
	memset(&d, 0, sizeof(d));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_DELETE, &d));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_DELETE, &d), -EIDRM);
	al = good;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EIDRM);
	memset(&iq, 0, sizeof(iq));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq), -EIDRM);
	{
		struct rtheap_range r;
		struct rtheap_pagemap pm = {
			.capacity = 1, .ranges = (uintptr_t)&r,
		};

		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_PAGEMAP, &pm), -EIDRM);
	}
	/* Attached to a deleted heap is still attached. */
	{
		struct rtheap_create_arg c;

		memset(&c, 0, sizeof(c));
		c.in.size = T_PAGE;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &c), -EBUSY);
	}
	test_unknown_commands(fd);
	close(fd);
}

/*
 * Arguments in a read-only page: the kernel reads them, does the work,
 * then cannot write the reply (-EFAULT).  It must undo the work: no heap
 * left by CREATE, no block by ALLOC, no attachment or reference by BIND.
 */
static void test_readonly_reply(void)
{
	char *ro = mmap(NULL, T_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *n = t_name("t_ioctl_ro");
	struct rtheap_inquire iq;
	int fd = t_open_dev(), cfd;

	CHECK(ro != MAP_FAILED);
	{
		struct rtheap_create_arg *a = (void *)ro;

		strcpy(a->in.name, n);
		a->in.size = 2 * T_PAGE;
		CHECK_OK(mprotect(ro, T_PAGE, PROT_READ));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, a), -EFAULT);
		CHECK(!t_listed(n));
		/* The file is still free to create. */
		CHECK_OK(t_raw_create(fd, n, 2 * T_PAGE, H_FIFO, NULL));
	}
	CHECK_OK(mprotect(ro, T_PAGE, PROT_READ | PROT_WRITE));
	{
		struct rtheap_alloc *al = (void *)ro;

		memset(al, 0, sizeof(*al));
		al->size = 2 * T_PAGE;
		al->timeout = RTHEAP_TM_NONBLOCK;
		CHECK_OK(mprotect(ro, T_PAGE, PROT_READ));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, al), -EFAULT);
		memset(&iq, 0, sizeof(iq));
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
		CHECK_EQ(iq.info.used_mem, 0);
	}
	CHECK_OK(mprotect(ro, T_PAGE, PROT_READ | PROT_WRITE));
	{
		struct rtheap_bind *b = (void *)ro;

		cfd = t_open_dev();
		memset(b, 0, sizeof(*b));
		strcpy(b->name, n);
		b->timeout = RTHEAP_TM_NONBLOCK;
		CHECK_OK(mprotect(ro, T_PAGE, PROT_READ));
		CHECK_RET(t_ioctl(cfd, RTHEAP_IOC_BIND, b), -EFAULT);
		memset(&iq, 0, sizeof(iq));
		CHECK_RET(t_ioctl(cfd, RTHEAP_IOC_INQUIRE, &iq), -EINVAL);
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
		CHECK_EQ(iq.info.nbound, 1);
		/* Still unattached: a good bind works. */
		CHECK_OK(mprotect(ro, T_PAGE, PROT_READ | PROT_WRITE));
		CHECK_OK(t_ioctl(cfd, RTHEAP_IOC_BIND, b));
		close(cfd);
	}
	memset(ro, 0, T_PAGE);
	CHECK_OK(mprotect(ro, T_PAGE, PROT_READ));
	{
		struct rtheap_inquire *q = (void *)ro;
		struct rtheap_version *v = (void *)ro;
		struct rtheap_list *l = (void *)ro;

		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, q), -EFAULT);
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, v), -EFAULT);
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_LIST, l), -EFAULT);
	}
	close(fd);
	CHECK(!t_listed(n));
	munmap(ro, T_PAGE);
}

/* Used bytes of the heap attached to fd. */
static uint64_t used_mem(int fd)
{
	struct rtheap_inquire iq;

	memset(&iq, 0, sizeof(iq));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	return iq.info.used_mem;
}

/*
 * ALLOC_BULK and FREE_BULK: reserved and padding fields, counts, sizes,
 * user arrays that are NULL, unmapped or read-only (-EFAULT, nothing
 * allocated or freed), bad offsets one by one.
 */
static void test_bulk_input(void)
{
	char *ro = mmap(NULL, T_PAGE, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t offs[RTHEAP_BULK_MAX + 1], bad[8];
	int32_t res[RTHEAP_BULK_MAX + 1];
	struct rtheap_alloc_bulk ab, agood;
	struct rtheap_free_bulk fb, fgood;
	int fd = t_open_dev(), ufd = t_open_dev();
	struct rtheap_attach at;

	CHECK(ro != MAP_FAILED);
	memset(&agood, 0, sizeof(agood));
	agood.size = 64;
	agood.offsets = (uintptr_t)offs;
	agood.count = 4;
	memset(&fgood, 0, sizeof(fgood));
	fgood.offsets = (uintptr_t)offs;
	fgood.results = (uintptr_t)res;
	fgood.count = 4;

	/* No heap attached. */
	ab = agood;
	CHECK_RET(t_ioctl(ufd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	fb = fgood;
	CHECK_RET(t_ioctl(ufd, RTHEAP_IOC_FREE_BULK, &fb), -EINVAL);
	close(ufd);

	CHECK_OK(t_raw_create(fd, NULL, 16 * T_PAGE, H_FIFO, &at));
	for (int i = 0; i < 2; i++) {
		ab = agood;
		ab.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
		fb = fgood;
		fb.reserved[i] = 1ULL << 63;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), -EINVAL);
	}
	ab = agood;
	ab.flags = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	ab.flags = 1U << 31;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	fb = fgood;
	fb.pad = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), -EINVAL);
	{
		static const uint32_t counts[] = {
			0, RTHEAP_BULK_MAX + 1, 1U << 31, ~0U,
		};

		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			ab = agood;
			ab.count = counts[i];
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab),
				  -EINVAL);
			fb = fgood;
			fb.count = counts[i];
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb),
				  -EINVAL);
		}
	}
	ab = agood;
	ab.size = 0;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	ab.size = at.map_size + 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	for (size_t i = 0; i < NHUGE; i++) {
		ab.size = huge[i];
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	}
	CHECK_EQ(used_mem(fd), 0);

	/* The argument itself, and the arrays it points to. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, NULL), -EFAULT);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, NULL), -EFAULT);
	{
		static const uint64_t addrs[] = {
			0, 16, ~0ULL - 4095, 1ULL << 63, 0xdead0000ULL << 16,
		};

		for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			ab = agood;
			ab.offsets = addrs[i];
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab),
				  -EFAULT);
			CHECK_EQ(used_mem(fd), 0);
			fb = fgood;
			fb.offsets = addrs[i];
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb),
				  -EFAULT);
		}
		/* Read-only: the blocks could not be told, so they go back. */
		ab = agood;
		ab.offsets = (uintptr_t)ro;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EFAULT);
		CHECK_EQ(used_mem(fd), 0);

		/* Results that cannot be written: nothing is freed. */
		ab = agood;
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab));
		CHECK_EQ(used_mem(fd), 4 * 64);
		for (size_t i = 1; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			fb = fgood;
			fb.results = addrs[i];
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb),
				  -EFAULT);
		}
		fb = fgood;
		fb.results = (uintptr_t)ro;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), -EFAULT);
		CHECK_EQ(used_mem(fd), 4 * 64);
		/* Results across the end of a writable page into ro. */
		fb = fgood;
		fb.results = (uintptr_t)ro - 8;
		if (mmap(ro - T_PAGE, T_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0) == ro - T_PAGE) {
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb),
				  -EFAULT);
			CHECK_EQ(used_mem(fd), 4 * 64);
			munmap(ro - T_PAGE, T_PAGE);
		}
		/* No results wanted. */
		fb = fgood;
		fb.results = 0;
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb));
		CHECK_EQ(used_mem(fd), 0);
	}

	/* Bad offsets, one per slot beside a good one: the count comes back. */
	{
		struct rtheap_alloc al;

		memset(&al, 0, sizeof(al));
		al.size = 3 * T_PAGE;
		al.timeout = RTHEAP_TM_NONBLOCK;
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al));
		bad[0] = al.offset + 16;	/* inside a run */
		bad[1] = at.map_size;		/* just past the heap */
		bad[2] = ~0ULL;
		bad[3] = 1ULL << 63;
		bad[4] = al.offset + 1;		/* misaligned */
		bad[5] = 15 * T_PAGE;		/* a free page */
		bad[6] = al.offset;		/* good */
		bad[7] = al.offset;		/* then a double free */
		memset(res, 0x11, sizeof(res));
		fb = fgood;
		fb.offsets = (uintptr_t)bad;
		fb.count = 8;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), 7);
		for (int i = 0; i < 8; i++)
			CHECK_EQ(res[i], i == 6 ? 0 : -EINVAL);
		CHECK_EQ(res[8], 0x11111111);
		CHECK_EQ(used_mem(fd), 0);
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), 8);
	}

	/* Full: -EWOULDBLOCK, heap unchanged. */
	ab = agood;
	ab.size = T_PAGE;
	ab.count = 17;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EWOULDBLOCK);
	CHECK_EQ(used_mem(fd), 0);
	ab.count = 16;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab));
	CHECK_EQ(used_mem(fd), 16 * T_PAGE);
	for (int i = 0; i < 16; i++)
		CHECK(offs[i] % T_PAGE == 0 && offs[i] < at.map_size);
	fb = fgood;
	fb.count = 16;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb));
	CHECK_EQ(used_mem(fd), 0);
	close(fd);

	/* H_SHARED: refused. */
	fd = t_open_dev();
	CHECK_OK(t_raw_create(fd, NULL, T_PAGE, H_SHARED, &at));
	ab = agood;
	ab.size = 0;
	ab.count = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_BULK, &ab), -EINVAL);
	offs[0] = 0;
	fb = fgood;
	fb.count = 1;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_BULK, &fb), -EINVAL);
	close(fd);
	munmap(ro, T_PAGE);
}

/*
 * RTHEAP_IOC_ALLOC_NB: the size by value, the offset / RTHEAP_MIN_BLOCK
 * back; the same blocks and errors as RTHEAP_IOC_ALLOC with TM_NONBLOCK.
 */
static void test_alloc_by_value(void)
{
	int fd = t_open_dev(), sfd = t_open_dev(), ret;
	struct rtheap_attach at, sat;
	struct rtheap_inquire iq;
	struct rtheap_delete d;
	long units[3];
	uint64_t off;

	CHECK(t_version().features & RTHEAP_FEAT_ALLOC_NB);
	CHECK_OK(t_raw_create(fd, NULL, 4 * T_PAGE, H_FIFO, &at));
	/* Sizes no heap of this size can give. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)0), -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB,
			  (void *)(unsigned long)(at.map_size + 1)), -EINVAL);
	for (size_t i = 0; i < NHUGE; i++)
		if (huge[i] == (unsigned long)huge[i])
			CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB,
					  (void *)(unsigned long)huge[i]), -EINVAL);
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)-1L), -EINVAL);

	/* Blocks: a small one, a page run, what is left; units * 16 each. */
	ret = t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)64UL);
	CHECKF(ret >= 0, "ALLOC_NB of 64: %s", t_errname(ret));
	units[0] = ret;
	ret = t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)(unsigned long)(2 * T_PAGE));
	CHECKF(ret >= 0, "ALLOC_NB of 2 pages: %s", t_errname(ret));
	units[1] = ret;
	off = (uint64_t)units[1] * RTHEAP_MIN_BLOCK;
	CHECKF(off % T_PAGE == 0 && off + 2 * T_PAGE <= at.map_size,
	       "two pages at offset %#llx", (unsigned long long)off);
	off = (uint64_t)units[0] * RTHEAP_MIN_BLOCK;
	CHECKF(off % 64 == 0 && off < at.map_size &&
	       (off < (uint64_t)units[1] * RTHEAP_MIN_BLOCK ||
		off >= (uint64_t)units[1] * RTHEAP_MIN_BLOCK + 2 * T_PAGE),
	       "64 bytes at offset %#llx", (unsigned long long)off);
	memset(&iq, 0, sizeof(iq));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	CHECK_EQ(iq.info.used_mem, 64 + 2 * T_PAGE);
	/* No room for two more pages: -EWOULDBLOCK, nothing changed. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)(unsigned long)(2 * T_PAGE)),
		  -EWOULDBLOCK);
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	CHECK_EQ(iq.info.used_mem, 64 + 2 * T_PAGE);
	/* The offsets it gave are live blocks: freed once, not twice. */
	for (int i = 0; i < 2; i++) {
		void *o = (void *)(unsigned long)(units[i] * RTHEAP_MIN_BLOCK);

		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, o));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, o), -EINVAL);
	}
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq));
	CHECK_EQ(iq.info.used_mem, 0);
	/* A fresh heap still serves its whole size in one block, at 0. */
	ret = t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)(unsigned long)at.map_size);
	CHECK_EQ(ret, 0);
	units[2] = ret;
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_FREE_OFF, (void *)(units[2] * RTHEAP_MIN_BLOCK)));

	/* H_SHARED: the whole segment (any size up to it) at offset 0. */
	CHECK_OK(t_raw_create(sfd, NULL, 3 * T_PAGE, H_SHARED, &sat));
	CHECK_EQ(t_ioctl(sfd, RTHEAP_IOC_ALLOC_NB, (void *)0), 0);
	CHECK_EQ(t_ioctl(sfd, RTHEAP_IOC_ALLOC_NB, (void *)(unsigned long)(3 * T_PAGE)), 0);
	CHECK_EQ(t_ioctl(sfd, RTHEAP_IOC_ALLOC_NB, (void *)16UL), 0);
	CHECK_RET(t_ioctl(sfd, RTHEAP_IOC_ALLOC_NB,
			  (void *)(unsigned long)(3 * T_PAGE + 1)), -EINVAL);

	/* Deleted: -EIDRM for both. */
	memset(&d, 0, sizeof(d));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_DELETE, &d));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC_NB, (void *)64UL), -EIDRM);
	CHECK_OK(t_ioctl(sfd, RTHEAP_IOC_DELETE, &d));
	CHECK_RET(t_ioctl(sfd, RTHEAP_IOC_ALLOC_NB, (void *)0), -EIDRM);
	close(sfd);
	close(fd);
}

int main(void)
{
	int fd = t_open_dev();

	test_unknown_commands(fd);
	close(fd);
	test_create_input();
	test_bind_input();
	test_unattached();
	test_heap_input();
	test_readonly_reply();
	test_bulk_input();
	test_alloc_by_value();
	return T_EXIT_PASS;
}
