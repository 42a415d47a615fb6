// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz: bad argument pointers, mmap of the right and wrong size,
 * offset, flags and file, munmap, mremap, MADV_DONTNEED and refault,
 * garbage written over mapped heaps, other syscalls on the file, unbind.
 */
#include "fuzz.h"

/* Argument pages for bad-pointer calls: [RW][RO][none]. */
static char *argpages;

void setup_argpages(void)
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
void op_badptr(void)
{
	static const unsigned int cmds[] = {
		RTHEAP_IOC_VERSION, RTHEAP_IOC_CREATE, RTHEAP_IOC_BIND,
		RTHEAP_IOC_DELETE, RTHEAP_IOC_ALLOC, RTHEAP_IOC_FREE,
		RTHEAP_IOC_INQUIRE, RTHEAP_IOC_LIST,
#ifdef RTHEAP_IOC_DELETE_NAME
		RTHEAP_IOC_DELETE_NAME,
#endif
		RTHEAP_IOC_ALLOC_BULK, RTHEAP_IOC_FREE_BULK,
	};
	unsigned int cmd = cmds[t_rng_below(&rng, sizeof(cmds) / sizeof(cmds[0]))];
	size_t size = _IOC_SIZE(cmd);
	int i = (int)t_rng_below(&rng, NSLOTS), ret;
	struct slot *s = &slots[i];
	uint64_t r = t_rng_below(&rng, 100);
	void *arg;
	bool ro = false;

	if (s->fd < 0)
		return;
	if (r < 15)
		arg = NULL;
	else if (r < 30)	/* a kernel address; past TASK_SIZE in 32 bits */
		arg = sizeof(void *) == 4 ?
		      (void *)(uintptr_t)(0xffffe000UL + (t_rng_next(&rng) & 0xff0)) :
		      (void *)(uintptr_t)(0xffff888000000000ULL + (t_rng_next(&rng) & 0xffffff0ULL));
	else if (r < 45)
		arg = argpages + 2 * PAGE + t_rng_below(&rng, PAGE - size);
	else if (r < 65)
		arg = argpages + 2 * PAGE - 1 - t_rng_below(&rng, size - 1);	/* straddles */
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
			u.a.size = 1 + t_rng_below(&rng, 3000);
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

/*
 * The status page (offset map_size, one page): read-only, never writable
 * or executable; mapped, read, and unmapped at once.
 */
static void op_status_page(struct slot *s)
{
	const struct rtheap_status *st;
	int prot = t_rng_pct(&rng, 50) ? PROT_READ :
		   t_rng_pct(&rng, 50) ? PROT_READ | PROT_WRITE :
		   PROT_READ | PROT_EXEC;
	unsigned int flags;
	void *p;

	count(K_MMAP);
	p = mmap(NULL, PAGE, prot, MAP_SHARED, s->fd, (off_t)s->map_size);
	if (prot != PROT_READ) {
		EXPECT(p == MAP_FAILED && (errno == EPERM || errno == EIDRM ||
					   errno == EACCES),
		       "status page of heap %u mapped with prot %#x", s->id,
		       prot);
		return;
	}
	if (p == MAP_FAILED) {
		EXPECT(errno == EIDRM, "status page of heap %u: %s", s->id,
		       strerror(errno));
		return;
	}
	st = p;
	EXPECT(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == -1,
	       "status page of heap %u made writable", s->id);
	flags = __atomic_load_n(&st->flags, __ATOMIC_RELAXED);
	EXPECT(!(flags & ~RTHEAP_STATUS_DELETED),
	       "status page of heap %u: flags %#x", s->id, flags);
	munmap(p, PAGE);
}

/*
 * The class map (offset map_size + page, a byte per heap page, paged):
 * read-only, never executable, none for H_SHARED; every byte 0 or 1 + a
 * class, and under each of our private heap's live blocks of a class,
 * 1 + that class.
 */
static void op_class_map(struct slot *s, bool priv)
{
	const size_t right = (s->map_size / PAGE + PAGE - 1) / PAGE * PAGE;
	size_t len = right;
	int prot = t_rng_pct(&rng, 60) ? PROT_READ :
		   t_rng_pct(&rng, 50) ? PROT_READ | PROT_WRITE :
		   PROT_READ | PROT_EXEC;
	const unsigned char *cm;
	void *p;

	if (t_rng_pct(&rng, 10))
		len += PAGE;	/* wrong size */
	count(K_MMAP);
	p = mmap(NULL, len, prot, MAP_SHARED, s->fd, (off_t)(s->map_size + PAGE));
	if (prot != PROT_READ || (s->mode & H_SHARED) || len != right) {
		EXPECT(p == MAP_FAILED && (errno == EPERM || errno == EIDRM ||
					   errno == EACCES || errno == EINVAL),
		       "class map of heap %u (mode %#x) mapped: %zu bytes, prot %#x",
		       s->id, s->mode, len, prot);
		return;
	}
	if (p == MAP_FAILED) {
		EXPECT(errno == EIDRM, "class map of heap %u: %s", s->id,
		       strerror(errno));
		return;
	}
	cm = p;
	EXPECT(mprotect(p, len, PROT_READ | PROT_WRITE) == -1,
	       "class map of heap %u made writable", s->id);
	for (size_t i = 0; i < s->map_size / PAGE; i++)
		EXPECT(cm[i] <= RTHEAP_MAX_CLASSES, "class map of heap %u: page %zu "
		       "reads %u", s->id, i, cm[i]);
	for (int k = 0; priv && k < nheld; k++) {
		unsigned int want = 0;

		if (held[k].id != s->id)
			continue;
		if (held[k].size <= PAGE / 2)
			want = (unsigned int)__builtin_ctzll(held[k].size) - 4 + 1;
		EXPECT(cm[held[k].off / PAGE] == want, "class map of the private heap "
		       "%u: page %llu reads %u under a live block of %llu bytes (want %u)",
		       s->id, (unsigned long long)(held[k].off / PAGE),
		       cm[held[k].off / PAGE], (unsigned long long)held[k].size, want);
	}
	munmap(p, len);
}

/* mmap: the right way (recorded) or a wrong one (must fail). */
void op_mmap(void)
{
	int i = (int)t_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	uint64_t r = t_rng_below(&rng, 100);
	size_t len;
	off_t off = 0;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	bool expect_ok;
	void *p;

	if (s->fd < 0 || nmaps >= MAXMAPS)
		return;
	len = s->id ? s->map_size : PAGE * (1 + t_rng_below(&rng, 4));
	if (s->rdonly)
		prot = PROT_READ;
	expect_ok = s->id && !s->deleted;
	if (r < 60) {
		/* right */
	} else if (r < 68) {
		len = len > PAGE ? len - PAGE : 2 * PAGE;
		expect_ok = false;
	} else if (r < 76) {
		len += PAGE * (1 + t_rng_below(&rng, 4));
		expect_ok = false;
	} else if (r < 84) {
		off = (off_t)(PAGE * (1 + t_rng_below(&rng, 1024)));
		if (s->id && (off == (off_t)s->map_size ||
			      off == (off_t)(s->map_size + PAGE)))
			off = (off_t)(s->map_size + 2 * PAGE);	/* theirs: below */
		expect_ok = false;
	} else if (r < 90) {
		flags = MAP_PRIVATE;
		expect_ok = false;
	} else if (r < 94 && !s->rdonly) {
		prot = PROT_READ;	/* read-only mapping: fine */
	} else if (r >= 94 && r < 97 && s->id) {
		if (t_rng_pct(&rng, 50))
			op_status_page(s);
		else
			op_class_map(s, i == SLOT_PRIV && !in_child && !s->deleted);
		return;
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

void op_munmap(void)
{
	struct map *m;
	int i;
	size_t np, a, b;

	if (!nmaps)
		return;
	i = (int)t_rng_below(&rng, nmaps);
	m = &maps[i];
	np = m->len / PAGE;
	if (!m->partial_ok || t_rng_pct(&rng, 50)) {
		unmap_all(i);
		return;
	}
	/*
	 * Unmap the live pages in [a, b): splits the mapping, each piece a
	 * VMA.  Not the dead ones: other mappings may live there by now.
	 */
	a = t_rng_below(&rng, np);
	b = a + 1 + t_rng_below(&rng, np - a);
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
void op_mremap(void)
{
	struct map *m;
	size_t np;
	void *p, *to;
	int i;

	if (!nmaps)
		return;
	i = (int)t_rng_below(&rng, nmaps);
	m = &maps[i];
	np = m->len / PAGE;
	if (map_pieces(m) != 1 || !map_page_alive(m, 0) ||
	    !map_page_alive(m, np - 1))
		return;
	count(K_MREMAP);
	switch (t_rng_below(&rng, 3)) {
	case 0:
		p = mremap(m->addr, m->len, m->len + PAGE * (1 + t_rng_below(&rng, 8)),
			   MREMAP_MAYMOVE);
		EXPECT(p == MAP_FAILED, "mremap grew a heap mapping of %zu bytes",
		       m->len);
		break;
	case 1:
		to = mmap(NULL, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXPECT(to != MAP_FAILED, "mmap: %s", strerror(errno));
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (p != to) {
			char *vm = t_slurp("/proc/self/maps");

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
void op_garbage(void)
{
	struct map *m;
	size_t p, len;
	unsigned char *b;
	uint64_t x;

	if (!nmaps)
		return;
	m = &maps[t_rng_below(&rng, nmaps)];
	if ((m->privname && !m->priv) || (in_child && m->priv))
		return;
	p = t_rng_below(&rng, m->len / PAGE);
	if (!map_page_alive(m, p))
		return;
	b = (unsigned char *)m->addr + p * PAGE;
	if (!m->writable) {
		volatile unsigned char sink = b[t_rng_below(&rng, PAGE)];

		(void)sink;
		return;
	}
	len = 1 + t_rng_below(&rng, PAGE);
	x = t_rng_next(&rng);
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
void op_refault(void)
{
	struct map *m = NULL;
	uint64_t v = t_rng_next(&rng), got;
	size_t p;

	for (int k = 0; k < nmaps; k++)
		if (maps[k].priv && maps[k].writable &&
		    maps[k].id == slots[SLOT_PRIV].id)
			m = &maps[k];
	if (!m || in_child)
		return;
	p = t_rng_below(&rng, m->len / PAGE);
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
void op_misc_syscalls(void)
{
	int i = (int)t_rng_below(&rng, NSLOTS), fd, d;
	struct pollfd pfd;
	struct stat st;
	char buf[64];

	if (slots[i].fd < 0)
		return;
	fd = slots[i].fd;
	memset(buf, 0, sizeof(buf));
	switch (t_rng_below(&rng, 8)) {
	case 0:
		EXPECT(read(fd, buf, sizeof(buf)) < 0, "read of an rtheap file succeeded");
		break;
	case 1:
		EXPECT(write(fd, buf, sizeof(buf)) < 0, "write to an rtheap file succeeded");
		break;
	case 2:
		EXPECT(lseek(fd, (off_t)t_rng_below(&rng, 1 << 20), SEEK_SET) < 0 &&
		       errno == ESPIPE, "lseek on an rtheap file: %s", strerror(errno));
		break;
	case 3:
		EXPECT(fsync(fd) < 0, "fsync of an rtheap file succeeded");
		break;
	case 4:
		EXPECT(ftruncate(fd, (off_t)t_rng_below(&rng, 1 << 20)) < 0,
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

void op_unbind(void)
{
	int i = SLOT_OWN0 + (int)t_rng_below(&rng, NSLOTS - 1);

	if (slots[i].fd < 0)
		return;
	slot_close(i);
}
