// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz: the heap commands - create, bind, delete, alloc, free,
 * inquire, list, version, unknown commands - with valid and mutated
 * arguments, each result checked against what the ABI allows.
 */
#include "fuzz.h"

static unsigned int throwaway_seq;

/* --- operations ------------------------------------------------------------------ */

int pick_attached(bool writable_ok_only)
{
	int cand[NSLOTS], n = 0;

	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0 && slots[i].id)
			cand[n++] = i;
	(void)writable_ok_only;
	return n ? cand[t_rng_below(&rng, n)] : -1;
}

void slot_close(int i)
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

int slot_open(int i)
{
	struct slot *s = &slots[i];

	slot_close(i);
	static uint32_t file_seq;

	s->rdonly = i != SLOT_PRIV && t_rng_pct(&rng, 5);
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
int do_create(int i, const char *name, uint32_t mode, uint64_t size)
{
	struct slot *s = &slots[i];
	struct rtheap_create_arg a;
	int ret;

	memset(&a, 0, sizeof(a));
	snprintf(a.in.name, sizeof(a.in.name), "%s", name);
	a.in.size = size;
	a.in.mode = mode;
	if (t_rng_pct(&rng, 10)) {
		a.in.flags = RTHEAP_CREATE_PERM;
		a.in.perm = (uint32_t)t_rng_below(&rng, 01000);
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

	if (t_rng_pct(&rng, 30))
		m |= H_PRIO;
	if (t_rng_pct(&rng, 8))
		m |= H_SHARED;
	if (t_rng_pct(&rng, 25))
		m |= H_PERSIST;
	return m;
}

/*
 * Give back this worker's share of the module's limits: its mappings and
 * its other files (each may hold a heap, a deleted one included, that
 * counts against max_heaps and max_bytes until its last reference goes).
 */
static void release_room(void)
{
	while (nmaps)
		unmap_all(nmaps - 1);
	for (int i = 0; i < NSLOTS; i++)
		if (i != SLOT_PRIV)
			slot_close(i);
}

/*
 * The module's heap counts (/proc/rtheap lines, max_heaps, max_bytes), for
 * a failure message.
 */
static const char *limits_state(void)
{
	static char buf[160];
	unsigned long long mh = 0, mb = 0;
	unsigned int lines = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/rtheap", "r");
	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	t_file_read_ull("/sys/module/rtheap/parameters/max_heaps", &mh);
	t_file_read_ull("/sys/module/rtheap/parameters/max_bytes", &mb);
	snprintf(buf, sizeof(buf), "/proc/rtheap has %u lines, max_heaps %llu, "
		 "max_bytes %llu", lines, mh, mb);
	return buf;
}

/*
 * The private heap.  Every worker's heaps, and the deleted heaps their
 * mappings keep, count against the module's max_heaps and max_bytes, so
 * a create may meet -ENOMEM: then this worker gives back all it holds and
 * tries again while the others do the same or move on, for up to 10 s.
 */
void setup_private(void)
{
	char name[RTHEAP_NAMELEN];
	uint64_t until = t_now_ns() + 10000000000ULL;
	int ret, tries = 0;

	priv_name(name, me);
	slot_open(SLOT_PRIV);
	for (;;) {
		ret = do_create(SLOT_PRIV, name,
				t_rng_pct(&rng, 50) ? H_PRIO : 0,
				PRIV_PAGES * PAGE - t_rng_below(&rng, PAGE));
		if (ret != -ENOMEM || t_now_ns() > until)
			break;
		tries++;
		release_room();
		usleep(10000);
	}
	EXPECT(ret == 0, "creating the private heap %s: %s (%d tries; %s)",
	       name, en(ret), tries + 1,
	       ret == -ENOMEM ? limits_state() : "");
	if (tries)
		STAT_ADD(private_retries, 1);
}

/*
 * The H_* bits the module honours: RTHEAP_MODE_MASK, less H_NONCACHED
 * where the version handshake does not offer it (outside x86 the module
 * refuses it with -EINVAL).
 */
static uint32_t module_modes(int fd)
{
	static uint32_t modes;
	struct rtheap_version v;

	if (!modes) {
		memset(&v, 0, sizeof(v));
		if (xioctl(fd, RTHEAP_IOC_VERSION, &v, K_VERSION))
			return RTHEAP_MODE_MASK;
		modes = RTHEAP_MODE_MASK;
		if (!(v.features & RTHEAP_FEAT_NONCACHED))
			modes &= ~(uint32_t)H_NONCACHED;
	}
	return modes;
}

/* CREATE: valid on a free slot, or on an attached one (-EBUSY), or mutated. */
void op_create(void)
{
	int i = SLOT_OWN0 + (int)t_rng_below(&rng, NOWN + 1);
	struct rtheap_create_arg a;
	bool bad = false;
	char name[RTHEAP_NAMELEN];
	int ret;

	if (i == SLOT_OWN0 + NOWN)
		i = SLOT_SCRATCH;
	if (slots[i].fd < 0 || (slots[i].deleted && t_rng_pct(&rng, 80)))
		slot_open(i);
	if (t_rng_pct(&rng, 75)) {
		if (i == SLOT_SCRATCH)
			snprintf(name, sizeof(name), "%s.t%d.%u", sh->prefix,
				 me, throwaway_seq++ % 4);
		else
			own_name(name, me, i - SLOT_OWN0);
		if (t_rng_pct(&rng, 10))
			name[0] = 0;	/* anonymous */
		do_create(i, name, name[0] ? random_mode() :
			  random_mode() & ~H_PERSIST, random_heap_size());
		return;
	}

	/* Mutated: at least one thing the ABI must refuse. */
	memset(&a, 0, sizeof(a));
	random_name(a.in.name);
	a.in.size = t_rng_pct(&rng, 50) ? random_heap_size() : nasty_u64();
	a.in.mode = random_mode() & ~H_PERSIST;
	switch (t_rng_below(&rng, 7)) {
	case 0:
		bad = poke(a.in.reserved, sizeof(a.in.reserved));
		break;
	case 1:
		a.in.flags = (uint32_t)t_rng_next(&rng) | 1u << (2 + t_rng_below(&rng, 30));
		bad = true;
		break;
	case 2:
		a.in.mode |= 1u << t_rng_below(&rng, 32);
		bad = a.in.mode & ~module_modes(slots[i].fd);
		a.in.mode &= ~(uint32_t)H_PERSIST;
		break;
	case 3:
		a.in.perm = 1 + (uint32_t)t_rng_below(&rng, 0777);	/* no flag */
		bad = true;
		break;
	case 4:
		a.in.flags = RTHEAP_CREATE_PERM;
		a.in.perm = 01000 | (uint32_t)t_rng_next(&rng);
		bad = true;
		break;
	case 5:
		a.in.gid = 1 + (uint32_t)t_rng_below(&rng, 70000);	/* no flag */
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
void op_bind(void)
{
	int i = SLOT_BIND0 + (int)t_rng_below(&rng, 4);
	struct slot *s = &slots[i];
	struct rtheap_bind b;
	bool bad = false;
	int ret;

	if (s->fd < 0 || (s->id && t_rng_pct(&rng, 70)))
		slot_open(i);
	memset(&b, 0, sizeof(b));
	if (t_rng_pct(&rng, 80)) {
		random_run_name(b.name);
		if (t_rng_pct(&rng, 10))
			snprintf(b.name, sizeof(b.name), "%s.none%d", sh->prefix, me);
		b.timeout = random_timeout(false);
		if (b.timeout != RTHEAP_TM_NONBLOCK && t_rng_pct(&rng, 20)) {
			b.flags = RTHEAP_TIMEOUT_ABS;
			b.timeout = t_now_ns() + b.timeout - t_rng_below(&rng, 2000000);
		}
	} else {
		random_name(b.name);
		b.timeout = RTHEAP_TM_NONBLOCK;
		switch (t_rng_below(&rng, 4)) {
		case 0:
			/* Past RTHEAP_TIMEOUT_ABS and RTHEAP_BIND_OWNER. */
			b.flags = 4u << t_rng_below(&rng, 30);
			bad = true;
			break;
		case 1:
			b.pad = 1u << t_rng_below(&rng, 32);
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

void op_delete(void)
{
	int i = (int)t_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	struct rtheap_delete d;
	bool bad;
	int ret;

	if (i == SLOT_PRIV || s->fd < 0 || s->privname)
		return;		/* nobody deletes a private heap but its owner */
	memset(&d, 0, sizeof(d));
	bad = t_rng_pct(&rng, 15) && poke(d.reserved, sizeof(d.reserved));
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
void op_renew_private(void)
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
void op_delete_name(int fd)
{
	struct rtheap_delete_name d;
	bool bad = false, missing = false;
	int ret;

	memset(&d, 0, sizeof(d));
	switch (t_rng_below(&rng, 10)) {
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
		own_name(d.name, (int)t_rng_below(&rng, sh->nprocs),
			 (int)t_rng_below(&rng, NOWN));
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

void op_alloc(void)
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
	a.size = t_rng_pct(&rng, 5) ? nasty_u64() : random_block_size(s->map_size);
	if (shared && t_rng_pct(&rng, 60))
		a.size = t_rng_pct(&rng, 50) ? 0 : s->heap_size;
	a.timeout = random_timeout(false);
	if (a.timeout != RTHEAP_TM_NONBLOCK && t_rng_pct(&rng, 20)) {
		a.flags = RTHEAP_TIMEOUT_ABS;
		a.timeout = t_now_ns() + a.timeout - t_rng_below(&rng, 1500000);
	}
	if (t_rng_pct(&rng, 5)) {
		switch (t_rng_below(&rng, 3)) {
		case 0:
			a.flags |= 2u << t_rng_below(&rng, 31);
			break;
		case 1:
			a.pad = 1u << t_rng_below(&rng, 32);
			break;
		default:
			poke(a.reserved, sizeof(a.reserved));
			break;
		}
		bad = true;
	}
	want = a.size;
	t0 = t_now_ns();
	/*
	 * Half the TM_NONBLOCK ones by value (RTHEAP_IOC_ALLOC_NB): the same
	 * answers, the offset / RTHEAP_MIN_BLOCK as the return value.
	 */
	if (!bad && a.timeout == RTHEAP_TM_NONBLOCK && !a.flags &&
	    a.size == (unsigned long)a.size && t_rng_pct(&rng, 50)) {
		ret = xioctl(s->fd, RTHEAP_IOC_ALLOC_NB,
			     (void *)(unsigned long)a.size, K_ALLOC);
		if (ret >= 0) {
			a.offset = (uint64_t)ret * RTHEAP_MIN_BLOCK;
			ret = 0;
		}
	} else {
		ret = xioctl(s->fd, RTHEAP_IOC_ALLOC, &a, K_ALLOC);
	}
	if (bad) {
		EXPECT(ret == -EINVAL, "mutated alloc (flags %#x pad %#x): %s",
		       a.flags, a.pad, en(ret));
		return;
	}
	if (shared) {
		bool ok_size = want <= s->heap_size;	/* any, up to it */

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
		/* -EBUSY: max_waiters tasks wait on the heap already. */
		EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -ETIMEDOUT ||
		       ret == -EIDRM || ret == -EBUSY,
		       "alloc of %llu timeout %llu flags %#x on heap %u: %s",
		       (unsigned long long)want, (unsigned long long)a.timeout,
		       a.flags, s->id, en(ret));
	}
	if (ret == -EBUSY)
		EXPECT(a.timeout != RTHEAP_TM_NONBLOCK, "-EBUSY without a wait");
	if (ret == -EWOULDBLOCK)
		EXPECT(a.timeout == RTHEAP_TM_NONBLOCK, "-EWOULDBLOCK with timeout %llu",
		       (unsigned long long)a.timeout);
	if (ret == -ETIMEDOUT && !(a.flags & RTHEAP_TIMEOUT_ABS))
		EXPECT(t_now_ns() - t0 >= a.timeout, "-ETIMEDOUT after %llu ns of a "
		       "%llu ns timeout", (unsigned long long)(t_now_ns() - t0),
		       (unsigned long long)a.timeout);
	if (ret == -ETIMEDOUT && (a.flags & RTHEAP_TIMEOUT_ABS))
		EXPECT(t_now_ns() >= a.timeout, "-ETIMEDOUT before the deadline");
	if (ret == -EIDRM) {
		s->deleted = true;
		STAT_ADD(eidrm, 1);
		return;
	}
	if (ret)
		return;
	rsize = t_rounded(want);
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

void op_free(void)
{
	struct rtheap_free f;
	struct slot *s;
	int i, k = -1, ret;
	bool on_priv;

	memset(&f, 0, sizeof(f));
	if (nheld && t_rng_pct(&rng, 75)) {
		k = (int)t_rng_below(&rng, nheld);
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
		uint64_t r = t_rng_below(&rng, 100);

		if (r < 30 && nheld)
			f.offset = held[t_rng_below(&rng, nheld)].off + 16 * (1 + t_rng_below(&rng, 4));
		else if (r < 60)
			f.offset = t_rng_below(&rng, s->map_size + PAGE) & ~15ULL;
		else
			f.offset = nasty_u64();
		if (!on_priv && !(s->mode & H_SHARED) && !(f.offset & 15) &&
		    f.offset < s->map_size)
			f.offset |= 1 + t_rng_below(&rng, 15);
		k = held_find(s->id, f.offset);
	}
	if (t_rng_pct(&rng, 3)) {
		poke(f.reserved, sizeof(f.reserved));
		ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
		EXPECT(ret == -EINVAL, "free with reserved bits: %s", en(ret));
		return;
	}
	/* Half the frees by value (RTHEAP_IOC_FREE_OFF): the same answers. */
	if (f.offset == (unsigned long)f.offset && t_rng_pct(&rng, 50))
		ret = xioctl(s->fd, RTHEAP_IOC_FREE_OFF,
			     (void *)(unsigned long)f.offset, K_FREE);
	else
		ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
	if (s->mode & H_SHARED) {
		EXPECT(ret == 0 || ret == -EIDRM,	/* whatever the offset */
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
	if (on_priv && t_rng_pct(&rng, 20)) {
		/* Double free, always detected. */
		ret = xioctl(s->fd, RTHEAP_IOC_FREE, &f, K_FREE);
		EXPECT(ret == -EINVAL, "double free of %llu on the private heap: %s",
		       (unsigned long long)f.offset, en(ret));
	}
}

/* An array address the kernel cannot use: NULL, a kernel address, unmapped. */
static uint64_t bad_array(void)
{
	switch (t_rng_below(&rng, 3)) {
	case 0:
		return 0;
	case 1:
		return sizeof(void *) == 4 ? 0xffffe000ULL :
		       0xffff888000000000ULL + (t_rng_next(&rng) & 0xffffff0ULL);
	default:
		return 0xdead0000ULL << 12;
	}
}

/* A bulk count: mostly 1..RTHEAP_BULK_MAX, sometimes 0 or over it. */
static uint32_t random_bulk_count(void)
{
	if (t_rng_pct(&rng, 4))
		return 0;
	if (t_rng_pct(&rng, 4))
		return RTHEAP_BULK_MAX + 1 + t_rng_below(&rng, 4);
	if (t_rng_pct(&rng, 2))
		return (uint32_t)nasty_u64();
	return 1 + t_rng_below(&rng, t_rng_pct(&rng, 20) ? RTHEAP_BULK_MAX : 8);
}

/* All or nothing: either count blocks that overlap nothing held, or none. */
void op_alloc_bulk(void)
{
	uint64_t offs[RTHEAP_BULK_MAX + 4], want, rsize;
	struct rtheap_alloc_bulk a;
	int i = pick_attached(false), ret;
	bool bad = false, badcount;
	struct slot *s;

	if (i < 0)
		return;
	s = &slots[i];
	if (s->privname && (i != SLOT_PRIV || in_child))
		return;
	memset(&a, 0, sizeof(a));
	a.count = random_bulk_count();
	badcount = !a.count || a.count > RTHEAP_BULK_MAX;
	if (!badcount && nheld + a.count > MAXHELD)
		return;
	a.size = t_rng_pct(&rng, 5) ? nasty_u64() :
		 random_block_size(s->map_size / (1 + t_rng_below(&rng, 8)));
	a.offsets = (uintptr_t)offs;
	memset(offs, 0xee, sizeof(offs));
	if (t_rng_pct(&rng, 5)) {
		if (t_rng_pct(&rng, 50))
			a.flags = 1u << t_rng_below(&rng, 32);
		else
			poke(a.reserved, sizeof(a.reserved));
		bad = true;
	}
	want = a.size;
	if (!bad && !badcount && t_rng_pct(&rng, 3)) {
		/* Blocks the caller cannot learn of are given back. */
		a.offsets = bad_array();
		ret = xioctl(s->fd, RTHEAP_IOC_ALLOC_BULK, &a, K_ALLOC_BULK);
		EXPECT(ret == -EFAULT || ret == -EINVAL || ret == -EWOULDBLOCK ||
		       (ret == -EIDRM && i != SLOT_PRIV),
		       "bulk alloc into %#llx: %s", (unsigned long long)a.offsets,
		       en(ret));
		if (i == SLOT_PRIV && !in_child)
			check_private("bulk alloc into a bad array");
		return;
	}
	ret = xioctl(s->fd, RTHEAP_IOC_ALLOC_BULK, &a, K_ALLOC_BULK);
	if (bad || badcount || !want || (s->mode & H_SHARED)) {
		EXPECT(ret == -EINVAL, "bulk alloc (flags %#x count %u size %llu "
		       "mode %#x): %s", a.flags, a.count, (unsigned long long)want,
		       s->mode, en(ret));
		return;
	}
	if (want > s->map_size) {
		EXPECT(ret == -EINVAL || ret == -EIDRM,
		       "bulk alloc of %u x %llu on heap %u (usable %llu): %s",
		       a.count, (unsigned long long)want, s->id,
		       (unsigned long long)s->map_size, en(ret));
		return;
	}
	EXPECT(ret == 0 || ret == -EWOULDBLOCK || (ret == -EIDRM && i != SLOT_PRIV),
	       "bulk alloc of %u x %llu on heap %u: %s", a.count,
	       (unsigned long long)want, s->id, en(ret));
	if (ret == -EIDRM) {
		s->deleted = true;
		STAT_ADD(eidrm, 1);
	}
	if (ret) {
		for (uint32_t k = 0; k < a.count; k++)
			EXPECT(offs[k] == 0xeeeeeeeeeeeeeeeeULL,
			       "failed bulk alloc wrote offset %u", k);
		return;
	}
	rsize = t_rounded(want);
	for (uint32_t k = 0; k < a.count; k++) {
		uint64_t off = offs[k];

		EXPECT(off + rsize <= s->map_size &&
		       !(off % (rsize < PAGE ? rsize : PAGE)),
		       "bulk alloc of %llu on heap %u: block %u at %llu",
		       (unsigned long long)want, s->id, k,
		       (unsigned long long)off);
		check_kptr(&off, sizeof(off), "bulk alloc offset");
		for (int j = 0; j < nheld; j++)
			EXPECT(held[j].id != s->id || off + rsize <= held[j].off ||
			       held[j].off + held[j].size <= off,
			       "heap %u: bulk block [%llu, +%llu) overlaps the held "
			       "[%llu, +%llu)", s->id, (unsigned long long)off,
			       (unsigned long long)rsize,
			       (unsigned long long)held[j].off,
			       (unsigned long long)held[j].size);
		held[nheld++] = (struct held){ s->id, off, rsize };
		STAT_ADD(allocs_ok, 1);
	}
	EXPECT(offs[a.count] == 0xeeeeeeeeeeeeeeeeULL,
	       "bulk alloc wrote past its %u offsets", a.count);
}

/*
 * Held blocks, repeated ones and impossible offsets in one call: each
 * result predicted (a held block is freed once, everything else is
 * -EINVAL), and the count returned is the number of -EINVALs.
 */
void op_free_bulk(void)
{
	uint64_t offs[RTHEAP_BULK_MAX + 4];
	int32_t res[RTHEAP_BULK_MAX + 4], want[RTHEAP_BULK_MAX + 4];
	struct rtheap_free_bulk f;
	int i = pick_attached(false), ret, nbad = 0;
	bool bad = false, badcount;
	struct slot *s;

	if (i < 0)
		return;
	s = &slots[i];
	if (s->privname && (i != SLOT_PRIV || in_child))
		return;
	memset(&f, 0, sizeof(f));
	f.count = random_bulk_count();
	badcount = !f.count || f.count > RTHEAP_BULK_MAX;
	for (uint32_t k = 0; !badcount && k < f.count; k++) {
		uint64_t r = t_rng_below(&rng, 100), o;
		int j = -1;

		if (r < 70 && nheld) {
			j = (int)t_rng_below(&rng, nheld);
			if (held[j].id != s->id)
				j = -1;
		}
		if (j >= 0) {
			o = held[j].off;
		} else if (r < 80 && k) {
			o = offs[t_rng_below(&rng, k)];		/* a repeat */
		} else {
			o = r < 90 ? t_rng_below(&rng, s->map_size + PAGE) : nasty_u64();
			/* Off the private heap, only offsets no block starts at. */
			if (i != SLOT_PRIV && o < s->map_size)
				o |= 1 + t_rng_below(&rng, 15);
		}
		offs[k] = o;
		/* Freed by the first mention of a block we hold. */
		want[k] = -EINVAL;
		if (held_find(s->id, o) >= 0) {
			bool first = true;

			for (uint32_t m = 0; m < k; m++)
				if (offs[m] == o)
					first = false;
			if (first)
				want[k] = 0;
		}
		nbad += want[k] != 0;
	}
	f.offsets = (uintptr_t)offs;
	f.results = t_rng_pct(&rng, 20) ? 0 : (uintptr_t)res;
	memset(res, 0x5a, sizeof(res));
	if (t_rng_pct(&rng, 4)) {
		if (t_rng_pct(&rng, 50))
			f.pad = 1u << t_rng_below(&rng, 32);
		else
			poke(f.reserved, sizeof(f.reserved));
		bad = true;
	}
	if (!bad && !badcount && t_rng_pct(&rng, 3)) {
		/* Refused before anything is freed. */
		uint64_t b = bad_array();

		if (t_rng_pct(&rng, 50))
			f.offsets = b;
		else
			f.results = b ? b : 0xdead0000ULL << 12;	/* 0: none wanted */
		ret = xioctl(s->fd, RTHEAP_IOC_FREE_BULK, &f, K_FREE_BULK);
		EXPECT(ret == -EFAULT || ((s->mode & H_SHARED) && ret == -EINVAL) ||
		       (ret == -EIDRM && i != SLOT_PRIV),
		       "bulk free with arrays %#llx %#llx: %s",
		       (unsigned long long)f.offsets, (unsigned long long)f.results,
		       en(ret));
		if (i == SLOT_PRIV && !in_child)
			check_private("bulk free with a bad array");
		return;
	}
	ret = xioctl(s->fd, RTHEAP_IOC_FREE_BULK, &f, K_FREE_BULK);
	if (bad || badcount || (s->mode & H_SHARED)) {
		EXPECT(ret == -EINVAL, "bulk free (pad %#x count %u mode %#x): %s",
		       f.pad, f.count, s->mode, en(ret));
		return;
	}
	if (ret == -EIDRM && i != SLOT_PRIV) {
		s->deleted = true;
		STAT_ADD(eidrm, 1);
		return;
	}
	EXPECT(ret == nbad, "bulk free of %u on heap %u: %s, expected %d not freed",
	       f.count, s->id, en(ret), nbad);
	for (uint32_t k = 0; k < f.count; k++) {
		if (f.results)
			EXPECT(res[k] == want[k], "bulk free on heap %u: block %u "
			       "(offset %llu) %s, expected %s", s->id, k,
			       (unsigned long long)offs[k], en(res[k]), en(want[k]));
		if (!want[k]) {
			held_drop(held_find(s->id, offs[k]));
			STAT_ADD(frees_ok, 1);
		}
	}
	if (f.results)
		EXPECT(res[f.count] == 0x5a5a5a5a, "bulk free wrote past its %u results",
		       f.count);
}

/*
 * A burst through libheap's block cache: bind a heap one of the slots is
 * attached to by name, give the descriptor rt_heap_cache() of 1 .. 64 KiB,
 * then up to 64 random TM_NONBLOCK allocs and frees of mostly cacheable
 * sizes while the other workers delete, wait in alloc (so the cache meets
 * waiters and drains), fork and scribble.  On the private heap, which no
 * other process touches, every live block carries a pattern checked at
 * its free, and a second free of a block must be refused.  Everything is
 * freed and the descriptor unbound (its magazines drained) before the op
 * ends, so the exact checks at the barriers hold; a child, which may be
 * killed in the middle, taints the heap first.
 */
void op_cached(void)
{
	int i = pick_attached(false), ret, fret;
	void *blk[16];
	unsigned char pat[16];
	size_t sz[16], cached, bytes;
	unsigned int n = 0, steps, k;
	struct slot *s;
	bool priv;
	RT_HEAP h;

	if (i < 0)
		return;
	s = &slots[i];
	if (!s->name[0] || (s->mode & H_SHARED) ||
	    (s->privname && (i != SLOT_PRIV || in_child)))
		return;
	ret = rt_heap_bind_timed(&h, s->name, TM_NONBLOCK);
	EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -EIDRM ||
	       ret == -ENOMEM || ret == -EMFILE || ret == -ENFILE,
	       "cached: bind of \"%.31s\": %s", s->name, en(ret));
	if (ret)
		return;
	/* The name may be another heap's by now. */
	priv = i == SLOT_PRIV && h.id == s->id;
	if (in_child)
		taint(h.id);
	bytes = 1 + t_rng_below(&rng, 64 * 1024);
	if (bytes > h.mapsize)
		bytes = h.mapsize;
	ret = rt_heap_cache(&h, bytes);
	EXPECT(ret == 0 || ret == -ENOMEM || ret == -EIDRM ||
	       (ret == -EINVAL && (h.mode & H_SHARED)),
	       "cached: rt_heap_cache(%zu) of heap %u: %s", bytes, h.id, en(ret));
	if (ret)
		goto out;
	steps = 1 + t_rng_below(&rng, 64);
	while (steps--) {
		if (n < 16 && (!n || t_rng_pct(&rng, 55))) {
			size_t size = 1 + t_rng_below(&rng, t_rng_pct(&rng, 85) ?
							  PAGE / 2 : 3 * PAGE);

			ret = rt_heap_alloc(&h, size, TM_NONBLOCK, &blk[n]);
			EXPECT(ret == 0 || ret == -EWOULDBLOCK || ret == -EIDRM ||
			       (ret == -EINVAL && size > h.mapsize),
			       "cached: alloc of %zu from heap %u: %s", size, h.id, en(ret));
			if (ret)
				continue;
			EXPECT((char *)blk[n] >= (char *)h.base &&
			       (char *)blk[n] + size <= (char *)h.base + h.mapsize,
			       "cached: block %p of %zu bytes outside heap %u's mapping",
			       blk[n], size, h.id);
			sz[n] = size;
			pat[n] = (unsigned char)t_rng_next(&rng);
			if (priv)
				memset(blk[n], pat[n], size);
			n++;
			STAT_ADD(cached_allocs, 1);
			continue;
		}
		if (!n)
			continue;
		k = t_rng_below(&rng, n);
		if (priv)
			for (size_t b = 0; b < sz[k]; b++)
				EXPECT(((unsigned char *)blk[k])[b] == pat[k],
				       "cached: block at offset %zu of the private heap: byte %zu "
				       "overwritten while it was live",
				       (size_t)((char *)blk[k] - (char *)h.base), b);
		ret = rt_heap_free(&h, blk[k]);
		EXPECT(ret == 0 || ret == -EIDRM, "cached: free of offset %zu in heap %u: %s",
		       (size_t)((char *)blk[k] - (char *)h.base), h.id, en(ret));
		if (priv && !ret && t_rng_pct(&rng, 20)) {
			fret = rt_heap_free(&h, blk[k]);
			EXPECT(fret == -EINVAL, "cached: second free of offset %zu in the "
			       "private heap: %s", (size_t)((char *)blk[k] - (char *)h.base),
			       en(fret));
		}
		blk[k] = blk[--n];
		sz[k] = sz[n];
		pat[k] = pat[n];
		if (t_rng_pct(&rng, 10)) {
			ret = rt_heap_cache_inquire(&h, &cached);
			EXPECT(!ret && cached <= bytes, "cached: inquire of heap %u: %s, "
			       "%zu bytes cached, bound %zu", h.id, en(ret), cached, bytes);
		}
	}
	while (n--) {
		ret = rt_heap_free(&h, blk[n]);
		EXPECT(ret == 0 || ret == -EIDRM, "cached: free of offset %zu in heap %u: %s",
		       (size_t)((char *)blk[n] - (char *)h.base), h.id, en(ret));
	}
out:
	ret = rt_heap_unbind(&h);
	EXPECT(ret == 0, "cached: unbind of heap %u: %s", h.id, en(ret));
	STAT_ADD(cached_bursts, 1);
}

void op_inquire(void)
{
	int i = (int)t_rng_below(&rng, NSLOTS);
	struct slot *s = &slots[i];
	struct rtheap_inquire q;
	bool bad;
	int ret;

	if (s->fd < 0)
		return;
	if (i == SLOT_PRIV && !in_child && t_rng_pct(&rng, 50)) {
		check_private("inquire");
		return;
	}
	memset(&q, 0xa5, sizeof(q));
	memset(q.reserved, 0, sizeof(q.reserved));
	bad = t_rng_pct(&rng, 5) && poke(q.reserved, sizeof(q.reserved));
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

void op_list(int fd)
{
	struct rtheap_list l;
	struct rtheap_info *buf;
	unsigned int cap = (unsigned int)t_rng_below(&rng, 12);
	bool bad = t_rng_pct(&rng, 5);
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

void op_version(int fd)
{
	struct rtheap_version v;
	bool bad = t_rng_pct(&rng, 20);
	int ret;

	memset(&v, 0, sizeof(v));
	if (bad)
		poke(v.reserved, sizeof(v.reserved));
	else if (t_rng_pct(&rng, 30))
		v.abi_version = (uint32_t)t_rng_next(&rng);	/* out-only: ignored */
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
void op_badcmd(int fd)
{
	static const unsigned int valid[] = {
		RTHEAP_IOC_VERSION, RTHEAP_IOC_CREATE, RTHEAP_IOC_BIND,
		RTHEAP_IOC_DELETE, RTHEAP_IOC_ALLOC, RTHEAP_IOC_FREE,
		RTHEAP_IOC_INQUIRE, RTHEAP_IOC_LIST, RTHEAP_IOC_NOP,
#ifdef RTHEAP_IOC_DELETE_NAME
		RTHEAP_IOC_DELETE_NAME,
#endif
		RTHEAP_IOC_ALLOC_BULK, RTHEAP_IOC_FREE_BULK, RTHEAP_IOC_FREE_OFF,
		RTHEAP_IOC_ALLOC_NB,
#ifdef RTHEAP_IOC_PAGEMAP
		RTHEAP_IOC_PAGEMAP,
#endif
	};
	const int nvalid = sizeof(valid) / sizeof(valid[0]);
	unsigned char buf[1024];
	unsigned long cmd;
	int ret;

	switch (t_rng_below(&rng, 4)) {
	case 0:		/* our magic, random number, size, direction */
		cmd = _IOC(t_rng_below(&rng, 4), RTHEAP_IOC_MAGIC,
			   t_rng_below(&rng, 0x20), t_rng_below(&rng, 600));
		break;
	case 1:		/* a real command with its size or direction changed */
		cmd = valid[t_rng_below(&rng, nvalid)];
		cmd ^= t_rng_pct(&rng, 50) ? (1UL + t_rng_below(&rng, 0x3fff)) << _IOC_SIZESHIFT
					  : (1UL + t_rng_below(&rng, 3)) << _IOC_DIRSHIFT;
		break;
	case 2:		/* nr past the table */
		cmd = _IOWR(RTHEAP_IOC_MAGIC, nvalid + t_rng_below(&rng, 256 - nvalid),
			    struct rtheap_alloc);
		break;
	default:
		cmd = (unsigned int)t_rng_next(&rng);
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
