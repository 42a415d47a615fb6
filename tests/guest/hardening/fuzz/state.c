// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz: a worker's state, failure, the checks every call's result
 * goes through, names, held blocks and mappings, the private heap's
 * figures, random arguments.
 */
#include "fuzz.h"

int me = -1;
bool in_child;
struct t_rng rng;
struct slot slots[NSLOTS];
struct map maps[MAXMAPS];
int nmaps;
struct held held[MAXHELD];
int nheld;
uint64_t calls_done, calls_budget;
uint64_t op_no;
const char *op_name = "-";

/* --- failure --------------------------------------------------------------- */

void fail(const char *fmt, ...)
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

const char *en(long e)
{
	return t_errname(e);
}

void count(enum kind k)
{
	__atomic_add_fetch(&sh->w[me].ncalls[k], 1, __ATOMIC_RELAXED);
	calls_done++;
}

int xioctl(int fd, unsigned long cmd, void *arg, enum kind k)
{
	int r;

	count(k);
	r = ioctl(fd, cmd, arg);
	return r < 0 ? -errno : r;
}

void taint(uint32_t id)
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

void check_kptr(const void *buf, size_t len, const char *what)
{
	uint64_t v;
	long at = t_kptr_scan(buf, len, &v);

	EXPECT(at < 0, "%s: byte %ld holds 0x%llx, a kernel address?", what,
	       at, (unsigned long long)v);
}

void check_zero(const void *buf, size_t len, const char *what)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		EXPECT(!b[i], "%s: byte %zu of a reserved output is 0x%02x",
		       what, i, b[i]);
}

/* --- names ------------------------------------------------------------------ */

void priv_name(char *buf, int w)
{
	snprintf(buf, RTHEAP_NAMELEN, "%s.p%d", sh->prefix, w);
}

void own_name(char *buf, int w, int k)
{
	snprintf(buf, RTHEAP_NAMELEN, "%s.s%d.%d", sh->prefix, w, k);
}

bool name_is_priv(const char *name)
{
	size_t n = strlen(sh->prefix);

	return !strncmp(name, sh->prefix, n) && name[n] == '.' && name[n + 1] == 'p';
}

/* A heap name of this run: any worker's private or shared one. */
void random_run_name(char *buf)
{
	int w = (int)t_rng_below(&rng, sh->nprocs);

	if (t_rng_pct(&rng, 15))
		priv_name(buf, w);
	else
		own_name(buf, w, (int)t_rng_below(&rng, NOWN));
}

/* --- held blocks and mappings ----------------------------------------------- */

int held_find(uint32_t id, uint64_t off)
{
	for (int i = 0; i < nheld; i++)
		if (held[i].id == id && held[i].off == off)
			return i;
	return -1;
}

void held_drop(int i)
{
	held[i] = held[--nheld];
}

void held_drop_id(uint32_t id)
{
	for (int i = 0; i < nheld;)
		if (held[i].id == id)
			held_drop(i);
		else
			i++;
}

uint64_t held_sum(uint32_t id, uint64_t *class_blocks, uint64_t *run_pages)
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

unsigned int map_pieces(const struct map *m)
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

bool map_page_alive(const struct map *m, size_t p)
{
	return !m->partial_ok || (m->alive[p / 64] >> (p % 64) & 1);
}

void map_add(char *addr, size_t len, uint32_t id, uint32_t gen,
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

void map_drop(int i)
{
	maps[i] = maps[--nmaps];
}

/*
 * Unmap what is left of a mapping: only its live pages, as the holes may
 * hold other mappings by now.
 */
void unmap_all(int i)
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
void check_private(const char *when)
{
	struct slot *s = priv_slot();
	struct rtheap_inquire q;
	uint64_t cb[RTHEAP_MAX_CLASSES] = { 0 }, rp = 0, used, sum = 0;
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
	for (int c = 0; c < RTHEAP_MAX_CLASSES; c++) {
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

uint64_t random_heap_size(void)
{
	uint64_t r = t_rng_below(&rng, 100);

	if (r < 40)
		return 1 + t_rng_below(&rng, 8 * PAGE);
	if (r < 80)
		return PAGE * (1 + t_rng_below(&rng, 64));
	if (r < 97)
		return 1 + t_rng_below(&rng, 256 * PAGE);
	return PAGE * (256 + t_rng_below(&rng, 1024));	/* up to 5 MiB */
}

uint64_t random_block_size(uint64_t map_size)
{
	uint64_t r = t_rng_below(&rng, 100);

	if (r < 55)
		return 1 + t_rng_below(&rng, 256);
	if (r < 80)
		return 1 + t_rng_below(&rng, PAGE / 2);
	if (r < 93)
		return 1 + t_rng_below(&rng, 4 * PAGE);
	if (r < 97)
		return map_size ? map_size - t_rng_below(&rng, 2) : PAGE;
	return 1 + t_rng_below(&rng, map_size + 2 * PAGE);
}

/* Values that stress size and offset arithmetic. */
uint64_t nasty_u64(void)
{
	static const uint64_t v[] = {
		0, 1, 15, 16, 17, 4095, 4096, 4097, 0x7fffffff, 0x80000000ULL,
		0xffffffffULL, 0x100000000ULL, 0xfffffff0ULL << 12,
		(0xfffffff0ULL << 12) + 1, 1ULL << 48, 1ULL << 62, 1ULL << 63,
		~0ULL, ~0ULL - 1, ~0ULL - 4095, ~0ULL << 12, 0x8000000000000001ULL,
	};

	if (t_rng_pct(&rng, 70))
		return v[t_rng_below(&rng, sizeof(v) / sizeof(v[0]))];
	return t_rng_next(&rng) >> t_rng_below(&rng, 64);
}

uint64_t random_timeout(bool allow_forever)
{
	uint64_t r = t_rng_below(&rng, 100);

	if (opt_light)
		return r < 90 ? RTHEAP_TM_NONBLOCK : 1000 + t_rng_below(&rng, 200000);

	if (r < 60)
		return RTHEAP_TM_NONBLOCK;
	if (r < 90)
		return 1000 + t_rng_below(&rng, 2000000);	/* up to 2 ms */
	if (r < 95 || !allow_forever)
		return 1 + t_rng_below(&rng, 1000);
	return RTHEAP_TM_INFINITE;
}

void random_name(char *buf)
{
	static const char chars[] =
		"abcxyz0189._-ABZ~!/ \t\x01\x7f\xff";
	size_t len;
	uint64_t r = t_rng_below(&rng, 100);

	memset(buf, 0, RTHEAP_NAMELEN);
	if (r < 40) {
		random_run_name(buf);
		return;
	}
	if (r < 50)
		return;			/* "" */
	len = r < 60 ? RTHEAP_NAMELEN : 1 + t_rng_below(&rng, RTHEAP_NAMELEN - 1);
	for (size_t i = 0; i < len; i++)
		buf[i] = chars[t_rng_below(&rng, sizeof(chars) - 1)];
	if (len < RTHEAP_NAMELEN && t_rng_pct(&rng, 30))
		buf[len] = 0;
}

/* Flip a random bit among the given reserved bytes; true if it did. */
bool poke(void *p, size_t len)
{
	unsigned char *b = p;

	if (!len)
		return false;
	b[t_rng_below(&rng, len)] |= (unsigned char)(1u << t_rng_below(&rng, 8));
	return true;
}
