// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz: one worker process - its children (racers, waiters,
 * random callers, SIGKILLed), the op table and its weights, the barrier
 * between phases and what a worker publishes there.
 */
#include "fuzz.h"

static pid_t children[MAXCHILD];
static int child_role[MAXCHILD];
static int nchildren;
enum { ROLE_RACER, ROLE_WAITER, ROLE_RANDOM };

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
	struct t_rng tr;

	t_rng_seed(&tr, r->seed);
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
		switch (t_rng_below(&tr, 6)) {
		case 0:
			snprintf(u.c.in.name, sizeof(u.c.in.name), "%s.c%d.%d",
				 sh->prefix, me, (int)t_rng_below(&tr, 3));
			if (t_rng_pct(&tr, 30))
				u.c.in.name[0] = 0;
			u.c.in.size = PAGE * (1 + t_rng_below(&tr, 8));
			u.c.in.mode = t_rng_pct(&tr, 20) && u.c.in.name[0] ? H_PERSIST : 0;
			ret = xioctl(r->fd, RTHEAP_IOC_CREATE, &u.c, K_CREATE);
			EXPECT(ret == 0 || ret == -EBUSY || ret == -EEXIST || ret == -ENOMEM,
			       "racing create: %s", en(ret));
			break;
		case 1:
			snprintf(u.b.name, sizeof(u.b.name), "%s.c%d.%d",
				 sh->prefix, me, (int)t_rng_below(&tr, 3));
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
			u.a.size = 1 + t_rng_below(&tr, 2 * PAGE);
			u.a.timeout = t_rng_pct(&tr, 50) ? RTHEAP_TM_NONBLOCK : 100000;
			ret = xioctl(r->fd, RTHEAP_IOC_ALLOC, &u.a, K_ALLOC);
			EXPECT(ret == 0 || ret == -EINVAL || ret == -EIDRM ||
			       ret == -EWOULDBLOCK || ret == -ETIMEDOUT ||
			       (ret == -EBUSY && u.a.timeout != RTHEAP_TM_NONBLOCK),
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
			p = mmap(NULL, PAGE * (1 + t_rng_below(&tr, 8)),
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
		r[k].seed = t_rng_next(&rng);
		r[k].iters = 20 + (int)t_rng_below(&rng, 200);
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
	    t_rng_pct(&rng, 60)) {
		fd = slots[i].fd;
		taint(slots[i].id);
		memset(&a, 0, sizeof(a));
		a.size = slots[i].map_size - t_rng_below(&rng, PAGE);
	} else {
		fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		EXPECT(fd >= 0, "open: %s", strerror(errno));
		memset(&b, 0, sizeof(b));
		own_name(b.name, (int)t_rng_below(&rng, sh->nprocs),
			 (int)t_rng_below(&rng, NOWN));
		b.timeout = t_rng_pct(&rng, 50) ? RTHEAP_TM_INFINITE : 5000000;
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
	a.timeout = t_rng_pct(&rng, 70) ? RTHEAP_TM_INFINITE : 20000000;
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
	uint64_t cseed = t_rng_next(&rng);
	int role = (int)t_rng_below(&rng, 3);
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
		t_rng_seed(&rng, cseed);
		nchildren = 0;
		switch (role) {
		case ROLE_RACER:
			_exit(child_racer());
		case ROLE_WAITER:
			_exit(child_waiter());
		default:
			child_random_ops(20 + (int)t_rng_below(&rng, 200));
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
		int k = (int)t_rng_below(&rng, nchildren), status;
		pid_t pid = children[k], r;
		uint64_t end = t_now_ns() + CHILD_LIMIT_NS;

		if (child_role[k] == ROLE_WAITER || t_rng_pct(&rng, 70)) {
			struct timespec ts = { 0, (long)t_rng_below(&rng, 3000000) };

			/* Waiters: interrupted by signals a few times first. */
			for (int n = t_rng_below(&rng, 4); child_role[k] == ROLE_WAITER && n > 0; n--) {
				nanosleep(&ts, NULL);
				kill(pid, SIGUSR1);
			}
			nanosleep(&ts, NULL);
			kill(pid, SIGKILL);
			reap(pid, true);
		} else {
			while ((r = waitpid(pid, &status, WNOHANG)) == 0 && t_now_ns() < end)
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
	if (t_rng_pct(&rng, 30)) {
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
const struct op ops[] = {
	{ "alloc", op_alloc, 1700, 2600 },
	{ "free", op_free, 1300, 2100 },
	{ "alloc-bulk", op_alloc_bulk, 300, 400 },
	{ "free-bulk", op_free_bulk, 300, 400 },
	{ "inquire", op_inquire, 700, 1300 },
	{ "cached", op_cached, 100, 100 },
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
const unsigned int nops = NOPS;

/* The weights of each mix add up to 10000, or some ops never run. */
static void check_weights(void)
{
	unsigned int full = 0, light = 0, k;

	for (k = 0; k < NOPS; k++) {
		full += ops[k].full;
		light += ops[k].light;
	}
	EXPECT(full == 10000 && light == 10000,
	       "op weights add up to %u (full) and %u (light), not 10000",
	       full, light);
}

static void one_op(void)
{
	static bool checked;
	uint64_t r = t_rng_below(&rng, 10000), t0;
	unsigned int k;

	if (!checked) {
		checked = true;
		check_weights();
	}

	for (k = 0; k < NOPS - 1; k++) {
		unsigned int w = opt_light ? ops[k].light : ops[k].full;

		if (r < w)
			break;
		r -= w;
	}
	op_no++;
	op_name = ops[k].name;
	t0 = t_now_ns();
	ops[k].fn();
	STAT_ADD(op_ns[k], t_now_ns() - t0);
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
	n = t_list_fd(fd, &infos);
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
			char *vm = t_slurp("/proc/self/maps");

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

void worker(int idx, uint64_t seed)
{
	me = idx;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	install_crash_handler();
	/* Inherited by the children: SIGUSR1 interrupts their waits. */
	t_install_nop_handler(SIGUSR1);
	t_rng_seed(&rng, seed);
	for (int i = 0; i < NSLOTS; i++)
		slots[i].fd = -1;
	setup_argpages();
	setup_private();
	slot_open(SLOT_SCRATCH);
	for (;;) {
		for (uint64_t k = 0; k < opt_phase; k++) {
			if (calls_done >= calls_budget || sh->stop ||
			    (deadline_ns && t_now_ns() >= deadline_ns))
				break;
			one_op();
		}
		sh->w[me].done_calls = calls_done;
		if (calls_done >= calls_budget || sh->stop ||
		    (deadline_ns && t_now_ns() >= deadline_ns))
			sh->w[me].finished = 1;
		barrier();
		if (sh->stop)
			break;
	}
	worker_cleanup();
	_exit(0);
}
