// SPDX-License-Identifier: GPL-2.0
/*
 * t_security - what an unprivileged process (rtuser 1000, nobody 65534)
 * cannot do to root's 0600 heap, by any path, and the limits it cannot
 * exceed.
 *
 *  1. Names: bind -EACCES (at once and after waiting for the name); the
 *     heap is in neither RTHEAP_IOC_LIST nor /proc/rtheap; delete by name
 *     -EPERM; every heap it can list or bind is not root's.
 *  2. Ids: the ABI takes no id anywhere, so ids are guessed as names
 *     ("<id>", "#<id>", "id:<id>"...): none of them attaches to the heap.
 *  3. mmap: on a file attached to no heap, every size, offset and flag is
 *     refused; on a file attached to its own heap, any offset but 0, any
 *     other size, MAP_PRIVATE and growing with mremap are refused, and its
 *     fresh heap reads as zeros (nothing of root's heap, nothing stale).
 *  4. A file inherited from root across a uid change.  Semantics (as for
 *     any file in Linux, and SysV shm segments attached before setuid):
 *     the permission check is made when a file is attached to a heap
 *     (CREATE or BIND), with the credentials of the caller of that ioctl;
 *     an attached file is then a capability - whoever holds it may
 *     inquire, alloc, free and mmap through it, as root passed it on.
 *     Ownership is checked at the time of the call: DELETE through it is
 *     -EPERM for a non-owner.  So the test asserts: an *unattached* file
 *     opened by root gives nothing (BIND as rtuser is -EACCES: the
 *     opener's credentials do not count); an *attached* one works for
 *     inquire/alloc/free/mmap, refuses DELETE (-EPERM) and a second
 *     CREATE/BIND (-EBUSY), and leads to no other heap.
 *  5. No kernel pointer in any output: every 8-byte window of every ioctl
 *     output (VERSION, CREATE, BIND, ALLOC, INQUIRE, LIST) and every
 *     number in /proc/rtheap, as root and as rtuser; reserved output
 *     fields and the bytes after a name's NUL are zero.
 *  6. Limits: max_heaps and max_bytes (lowered by root through
 *     /sys/module/rtheap/parameters, which rtuser cannot write) hold for
 *     rtuser: a clean -ENOMEM, and the name free afterwards.
 *  7. Memory cgroup: in a cgroup v2 child with memory.max = 16 MiB,
 *     rtuser's heap of 32 MiB fails with -ENOMEM (and nobody is OOM
 *     killed); a 4 MiB heap raises memory.current by about 4 MiB, its
 *     delete gives it back.  Skipped (the rest still runs) without the
 *     memory controller.
 *  8. No heap beyond everybody's reach: an anonymous heap cannot be
 *     H_PERSIST - once its creating file is closed nobody, root included,
 *     could delete it (no name to bind or delete by, no id-based delete),
 *     rtheap.ko could never unload, and one user could fill max_heaps and
 *     max_bytes for all until reboot.  Checked last, as rtuser; an
 *     accepted one is deleted through its still-open file, then fails the
 *     test.  Also: a group rtuser is not in is refused (-EPERM).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

#define NOBODY		65534
#define PARAMS		"/sys/module/rtheap/parameters/"
#define CGROOT		"/sys/fs/cgroup"
#define SECRET		0x5ec2e7005ec2e700ULL

static char secret_name[RTHEAP_NAMELEN];
static uint32_t secret_id;
static uint64_t secret_map;
static int root_attached_fd = -1;	/* bound to the secret heap */
static int root_unattached_fd = -1;

static void expect_no_kptr(const void *buf, size_t len, const char *what)
{
	uint64_t v;
	long at = t_kptr_scan(buf, len, &v);

	CHECKF(at < 0, "%s: byte %ld holds 0x%llx, a kernel address?", what, at,
	       (unsigned long long)v);
}

static void expect_zero(const void *buf, size_t len, const char *what)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		CHECKF(!b[i], "%s: byte %zu is 0x%02x, expected 0", what, i, b[i]);
}

/* An info from the kernel: no pointers, reserved zero, name NUL-padded. */
static void check_info(const struct rtheap_info *in, const char *what)
{
	size_t n = strnlen(in->name, RTHEAP_NAMELEN);

	expect_no_kptr(in, sizeof(*in), what);
	expect_zero(in->reserved, sizeof(in->reserved), what);
	expect_zero(&in->pad, sizeof(in->pad), what);
	expect_zero(in->class_blocks + in->nr_classes,
		    sizeof(in->class_blocks) - in->nr_classes * 8, what);
	CHECKF(n < RTHEAP_NAMELEN, "%s: name not NUL-terminated", what);
	expect_zero(in->name + n, RTHEAP_NAMELEN - n, what);
}

static void check_proc_text(const char *who)
{
	char *text = t_slurp("/proc/rtheap");
	uint64_t v;
	long at;

	CHECKF(text, "/proc/rtheap: %s", strerror(errno));
	at = t_kptr_scan_text(text, &v);
	CHECKF(at < 0, "/proc/rtheap read by %s: 0x%llx at character %ld looks like "
	       "a kernel address", who, (unsigned long long)v, at);
	free(text);
}

/* Every heap visible to the caller through LIST and /proc/rtheap. */
static void check_listings(bool expect_secret, const char *who)
{
	struct rtheap_info *infos;
	struct t_procrow *rows;
	int fd = t_open_dev(), n, nrows;

	n = t_list_fd(fd, &infos);
	CHECKF(n >= 0, "list as %s: %s", who, t_errname(n));
	close(fd);
	nrows = t_proc_rows(&rows);
	CHECKF(nrows >= 0, "/proc/rtheap as %s: %s", who, t_errname(nrows));
	CHECKF(nrows == n, "%s sees %d heaps in the list, %d in /proc/rtheap", who,
	       n, nrows);
	bool listed = false, shown = false;

	for (int k = 0; k < n; k++) {
		check_info(&infos[k], "list entry");
		listed |= infos[k].id == secret_id || !strcmp(infos[k].name, secret_name);
	}
	for (int k = 0; k < nrows; k++)
		shown |= rows[k].id == secret_id || !strcmp(rows[k].name, secret_name);
	CHECKF(listed == expect_secret, "root's 0600 heap %s listed to %s",
	       listed ? "is" : "is not", who);
	CHECKF(shown == expect_secret, "root's 0600 heap %s in /proc/rtheap for %s",
	       shown ? "is" : "is not", who);
	free(infos);
	free(rows);
	check_proc_text(who);
}

/* --- 1, 2: names and ids ---------------------------------------------------- */

static int bind_name(int fd, const char *name, uint64_t timeout, struct rtheap_attach *out)
{
	struct rtheap_bind b;
	int ret;

	memset(&b, 0, sizeof(b));
	memcpy(b.name, name, strnlen(name, RTHEAP_NAMELEN));
	b.timeout = timeout;
	ret = t_ioctl(fd, RTHEAP_IOC_BIND, &b);
	if (!ret) {
		expect_no_kptr(&b.out, sizeof(b.out), "bind output");
		expect_zero(b.out.reserved, sizeof(b.out.reserved), "bind output reserved");
		if (out)
			*out = b.out;
	}
	return ret;
}

static void names_and_ids(const char *who)
{
	int fd = t_open_dev(), ret;
	char guess[RTHEAP_NAMELEN];
	RT_HEAP h;

	CHECK_RET(bind_name(fd, secret_name, RTHEAP_TM_NONBLOCK, NULL), -EACCES);
	CHECK_RET(bind_name(fd, secret_name, 50000000, NULL), -EACCES);
	CHECK_RET(bind_name(fd, secret_name, RTHEAP_TM_INFINITE, NULL), -EACCES);
	CHECK_RET(rt_heap_bind_timed(&h, secret_name, TM_NONBLOCK), -EACCES);
	/* The file stays unattached after each refusal. */
	{
		struct rtheap_inquire q;

		memset(&q, 0, sizeof(q));
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &q), -EINVAL);
	}
#ifdef RTHEAP_IOC_DELETE_NAME
	{
		struct rtheap_delete_name d;

		memset(&d, 0, sizeof(d));
		strcpy(d.name, secret_name);
		ret = t_ioctl(fd, RTHEAP_IOC_DELETE_NAME, &d);
		CHECKF(ret == -EPERM || ret == -EACCES || ret == -ENOENT,
		       "delete-name of root's heap as %s: %s", who, t_errname(ret));
	}
#endif
	/* A create of that name cannot replace it. */
	CHECK_RET(t_raw_create(fd, secret_name, T_PAGE, 0, NULL), -EEXIST);

	/* Ids guessed as names: around the heap's id and beyond. */
	for (uint32_t id = secret_id > 16 ? secret_id - 16 : 1; id < secret_id + 16; id++) {
		static const char *const fmts[] = { "%u", "#%u", "id:%u", "%08u", "0x%x" };

		for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
			struct rtheap_attach at;

			snprintf(guess, sizeof(guess), fmts[f], id);
			ret = bind_name(fd, guess, RTHEAP_TM_NONBLOCK, &at);
			CHECKF(ret == -EWOULDBLOCK || ret == -EACCES || ret == -EINVAL || ret == 0,
			       "bind \"%s\" as %s: %s", guess, who, t_errname(ret));
			if (!ret) {
				CHECKF(at.id != secret_id, "bind \"%s\" attached root's heap %u",
				       guess, secret_id);
				close(fd);
				fd = t_open_dev();
			}
		}
	}
	close(fd);
	check_listings(false, who);
}

/* --- 3: mmap ------------------------------------------------------------------ */

static void expect_mmap_refused(int fd, size_t len, off_t off, int flags, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	CHECKF(p == MAP_FAILED, "mmap (%s) of %zu bytes at offset %lld flags %#x "
	       "succeeded", what, len, (long long)off, flags);
	if (p != MAP_FAILED)
		munmap(p, len);
}

static void mmap_guessing(const char *who)
{
	int fd = t_open_dev(), own;
	struct rtheap_attach at;
	const uint64_t *w;
	char *p;

	/* Unattached: nothing maps, whatever the size and offset. */
	for (size_t pages = 1; pages <= 64; pages *= 2)
		for (off_t k = 0; k < 64; k += 7) {
			expect_mmap_refused(fd, pages * T_PAGE, k * T_PAGE, MAP_SHARED,
					    "unattached file");
			expect_mmap_refused(fd, pages * T_PAGE, k * T_PAGE, MAP_PRIVATE,
					    "unattached file");
		}
	expect_mmap_refused(fd, secret_map, 0, MAP_SHARED, "unattached, the secret's size");
	expect_mmap_refused(fd, T_PAGE, (off_t)secret_id * T_PAGE, MAP_SHARED,
			    "unattached, id as offset");
	close(fd);

	/* Our own heap: only offset 0 and its own size, shared. */
	own = t_open_dev();
	CHECK_OK(t_raw_create(own, t_name("sec_own"), 4 * T_PAGE, 0, &at));
	expect_no_kptr(&at, sizeof(at), "create output");
	expect_zero(at.reserved, sizeof(at.reserved), "create output reserved");
	CHECK_EQ(at.map_size, 4 * T_PAGE);
	for (off_t k = 1; k < 64; k++)
		expect_mmap_refused(own, at.map_size, k * T_PAGE, MAP_SHARED, "own heap, offset");
	expect_mmap_refused(own, at.map_size, (off_t)secret_id * T_PAGE, MAP_SHARED,
			    "own heap, the secret's id as offset");
	expect_mmap_refused(own, at.map_size + T_PAGE, 0, MAP_SHARED, "own heap, larger");
	expect_mmap_refused(own, secret_map, 0, MAP_SHARED, "own heap, the secret's size");
	expect_mmap_refused(own, at.map_size, 0, MAP_PRIVATE, "own heap, private");
	p = mmap(NULL, at.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
	CHECKF(p != MAP_FAILED, "mmap of the own heap: %s", strerror(errno));
	w = (const uint64_t *)p;
	for (size_t i = 0; i < at.map_size / 8; i++)
		CHECKF(w[i] == 0, "%s's fresh heap: word %zu is 0x%llx (not zeroed%s)", who,
		       i, (unsigned long long)w[i], w[i] == SECRET ? ": root's secret!" : "");
	CHECK(mremap(p, at.map_size, at.map_size + T_PAGE, MREMAP_MAYMOVE) == MAP_FAILED);
	CHECK(mremap(p, at.map_size, 2 * at.map_size, 0) == MAP_FAILED);
	munmap(p, at.map_size);
	close(own);
}

/* --- 4: files inherited from root ------------------------------------------------ */

static void inherited_files(const char *who)
{
	struct rtheap_inquire q;
	struct rtheap_alloc a;
	struct rtheap_free f;
	struct rtheap_delete d;
	char *p;
	int ret;

	/* Opened by root, attached to nothing: the opener does not count. */
	CHECK_RET(bind_name(root_unattached_fd, secret_name, RTHEAP_TM_NONBLOCK, NULL),
		  -EACCES);

	/* Attached by root: a capability, within its limits. */
	memset(&q, 0, sizeof(q));
	CHECK_OK(t_ioctl(root_attached_fd, RTHEAP_IOC_INQUIRE, &q));
	CHECK_EQ(q.info.id, secret_id);
	check_info(&q.info, "inquire output");
	memset(&a, 0, sizeof(a));
	a.size = 64;
	a.timeout = RTHEAP_TM_NONBLOCK;
	CHECK_OK(t_ioctl(root_attached_fd, RTHEAP_IOC_ALLOC, &a));
	expect_no_kptr(&a.offset, sizeof(a.offset), "alloc output");
	expect_zero(a.reserved, sizeof(a.reserved), "alloc reserved");
	memset(&f, 0, sizeof(f));
	f.offset = a.offset;
	CHECK_OK(t_ioctl(root_attached_fd, RTHEAP_IOC_FREE, &f));
	p = mmap(NULL, secret_map, PROT_READ, MAP_SHARED, root_attached_fd, 0);
	CHECKF(p != MAP_FAILED, "mmap through the attached file root passed on: %s",
	       strerror(errno));
	CHECK_EQ(*(uint64_t *)p, SECRET);
	munmap(p, secret_map);
	memset(&d, 0, sizeof(d));
	ret = t_ioctl(root_attached_fd, RTHEAP_IOC_DELETE, &d);
	CHECKF(ret == -EPERM, "delete of root's heap by %s through the file root "
	       "passed on: %s, expected -EPERM", who, t_errname(ret));
	CHECK_RET(bind_name(root_attached_fd, t_name("sec_other"), RTHEAP_TM_NONBLOCK, NULL),
		  -EBUSY);
	CHECK_RET(t_raw_create(root_attached_fd, t_name("sec_other"), T_PAGE, 0, NULL), -EBUSY);
}

/* --- the unprivileged side ---------------------------------------------------------- */

static int unprivileged(void *arg)
{
	uid_t uid = (uid_t)(uintptr_t)arg;
	const char *who = uid == NOBODY ? "nobody" : "rtuser";

	t_drop_privs(uid);
	names_and_ids(who);
	mmap_guessing(who);
	inherited_files(who);
	CHECK_RET(t_file_write_ull(PARAMS "max_heaps", 100000), -EACCES);
	CHECK_RET(t_file_write_ull(PARAMS "max_bytes", 1ULL << 40), -EACCES);
	return 0;
}

/* --- 5: kernel pointers as root ---------------------------------------------------- */

static void root_outputs(void)
{
	struct rtheap_version v;
	int fd = t_open_dev();

	memset(&v, 0, sizeof(v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_VERSION, &v));
	expect_no_kptr(&v, sizeof(v), "version output");
	expect_zero(v.reserved, sizeof(v.reserved), "version reserved");
	expect_zero(v.class_size + v.nr_classes,
		    sizeof(v.class_size) - v.nr_classes * 4, "version classes");
	close(fd);
	check_listings(true, "root");
}

/* --- 6: limits ------------------------------------------------------------------------ */

static struct rtheap_version orig_limits;
static unsigned long long orig_reserve, orig_reserve_heaps;

static void restore_limits(void)
{
	if (orig_limits.max_heaps) {
		t_file_write_ull(PARAMS "max_heaps", orig_limits.max_heaps);
		t_file_write_ull(PARAMS "max_bytes", orig_limits.max_bytes);
		t_file_write_ull(PARAMS "kernel_reserve", orig_reserve);
		t_file_write_ull(PARAMS "kernel_reserve_heaps", orig_reserve_heaps);
	}
}

struct limits {
	unsigned int heaps_room;	/* creates left under max_heaps */
	uint64_t bytes_room;		/* bytes left under max_bytes */
};

static int limited_user(void *arg)
{
	const struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	const struct limits *l = arg;
	int fds[64], ret;
	unsigned int i;

	/* max_bytes, not RLIMIT_MEMLOCK (t_ulimits) */
	CHECK(setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0);
	t_drop_privs(T_RTUSER);
	if (l->heaps_room) {
		for (i = 0; i < l->heaps_room; i++) {
			fds[i] = t_open_dev();
			CHECK_OK(t_raw_create(fds[i], NULL, T_PAGE, 0, NULL));
		}
		fds[i] = t_open_dev();
		ret = t_raw_create(fds[i], t_name("sec_lim"), T_PAGE, 0, NULL);
		CHECKF(ret == -ENOMEM, "heap %u over max_heaps: %s, expected -ENOMEM",
		       i + 1, t_errname(ret));
		CHECK(!t_listed(t_name("sec_lim")));
		close(fds[0]);	/* one goes: one can come */
		CHECK_OK(t_raw_create(fds[i], t_name("sec_lim"), T_PAGE, 0, NULL));
		for (i = 1; i <= l->heaps_room; i++)
			close(fds[i]);
		return 0;
	}
	fds[0] = t_open_dev();
	ret = t_raw_create(fds[0], t_name("sec_big"), l->bytes_room + T_PAGE, 0, NULL);
	CHECKF(ret == -ENOMEM, "heap of %llu bytes over max_bytes: %s, expected -ENOMEM",
	       (unsigned long long)(l->bytes_room + T_PAGE), t_errname(ret));
	CHECK(!t_listed(t_name("sec_big")));
	CHECK_OK(t_raw_create(fds[0], t_name("sec_big"), l->bytes_room, 0, NULL));
	fds[1] = t_open_dev();
	CHECK_RET(t_raw_create(fds[1], NULL, 1, 0, NULL), -ENOMEM);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static void limits(void)
{
	struct rtheap_info *infos;
	struct limits l;
	uint64_t used = 0;
	int fd = t_open_dev(), n;

	orig_limits = t_version();
	CHECK_OK(t_file_read_ull(PARAMS "kernel_reserve", &orig_reserve));
	CHECK_OK(t_file_read_ull(PARAMS "kernel_reserve_heaps", &orig_reserve_heaps));
	atexit(restore_limits);
	n = t_list_fd(fd, &infos);
	close(fd);
	CHECK(n >= 0);
	for (int k = 0; k < n; k++)
		used += infos[k].usable_mem;
	free(infos);
	/* Listed heaps only: deleted-but-mapped ones count too, none here. */
	if (t_file_write_ull(PARAMS "max_heaps", (unsigned long long)n + 8)) {
		t_log("limits: %s not writable: skipped", PARAMS "max_heaps");
		return;
	}
	/* The whole of both limits for users: no kernel reserve (t_ulimits). */
	CHECK_OK(t_file_write_ull(PARAMS "kernel_reserve", 0));
	CHECK_OK(t_file_write_ull(PARAMS "kernel_reserve_heaps", 0));
	memset(&l, 0, sizeof(l));
	l.heaps_room = 8;
	CHECK_CHILD(t_spawn(limited_user, &l), 30000);
	CHECK_OK(t_file_write_ull(PARAMS "max_heaps", orig_limits.max_heaps));
	CHECK_OK(t_file_write_ull(PARAMS "max_bytes", used + 32 * T_PAGE));
	memset(&l, 0, sizeof(l));
	l.bytes_room = 32 * T_PAGE;
	CHECK_CHILD(t_spawn(limited_user, &l), 30000);
	restore_limits();
	CHECK_EQ(t_version().max_heaps, orig_limits.max_heaps);
	CHECK_EQ(t_version().max_bytes, orig_limits.max_bytes);
}

/* --- 7: memory cgroup --------------------------------------------------------------- */

static char cgdir[128];

static void cg_cleanup(void)
{
	if (cgdir[0])
		rmdir(cgdir);
}

static uint64_t cg_read(const char *file)
{
	char path[192];
	unsigned long long v = 0;

	snprintf(path, sizeof(path), "%s/%s", cgdir, file);
	CHECKF(!t_file_read_ull(path, &v), "%s: %s", path, strerror(errno));
	return v;
}

static uint64_t cg_event(const char *name)
{
	char path[192], *text, *at;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/memory.events", cgdir);
	text = t_slurp(path);
	if (text && (at = strstr(text, name)))
		v = strtoull(at + strlen(name) + 1, NULL, 10);
	free(text);
	return v;
}

#define CG_MAX		(16ULL << 20)
#define CG_BIG		(32ULL << 20)
#define CG_HEAP		(4ULL << 20)

static int cg_user(void *arg)
{
	const struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	uint64_t before, with, after;
	int fd, ret;

	(void)arg;
	/* The cgroup's limit, not RLIMIT_MEMLOCK's (8 MiB by default). */
	CHECK(setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0);
	t_drop_privs(T_RTUSER);
	fd = t_open_dev();
	ret = t_raw_create(fd, t_name("sec_cg_big"), CG_BIG, 0, NULL);
	CHECKF(ret == -ENOMEM, "heap of %llu MiB in a cgroup with memory.max %llu MiB: "
	       "%s, expected -ENOMEM", CG_BIG >> 20, CG_MAX >> 20, t_errname(ret));
	CHECK(!t_listed(t_name("sec_cg_big")));
	close(fd);

	before = cg_read("memory.current");
	fd = t_open_dev();
	CHECK_OK(t_raw_create(fd, t_name("sec_cg"), CG_HEAP, 0, NULL));
	with = cg_read("memory.current");
	CHECKF(with >= before + CG_HEAP - CG_HEAP / 8 && with <= before + CG_HEAP + (2 << 20),
	       "a %llu KiB heap moved memory.current from %llu to %llu KiB",
	       CG_HEAP >> 10, (unsigned long long)before >> 10,
	       (unsigned long long)with >> 10);
	close(fd);	/* deletes it */
	after = cg_read("memory.current");
	/*
	 * Slack: what the memory controller keeps precharged per CPU (64
	 * pages: 1 MiB with 16 KiB pages), or 512 KiB, whichever is more.
	 */
	CHECKF(after <= before + (64 * T_PAGE > (512 << 10) ? 64 * T_PAGE : (512 << 10)),
	       "memory.current %llu KiB after the delete, "
	       "%llu KiB before the heap", (unsigned long long)after >> 10,
	       (unsigned long long)before >> 10);
	printf("t_security: memcg: %llu MiB heap refused under memory.max %llu MiB; "
	       "a %llu MiB heap charged %llu KiB, %llu KiB back after its delete\n",
	       CG_BIG >> 20, CG_MAX >> 20, CG_HEAP >> 20,
	       (unsigned long long)(with - before) >> 10,
	       (unsigned long long)(with - after) >> 10);
	fflush(stdout);
	return 0;
}

static void memcg(void)
{
	char *ctl = t_slurp(CGROOT "/cgroup.controllers"), path[192], pidbuf[32];
	uint64_t oom_before;
	pid_t pid;
	struct t_chan go;
	int status;

	if (!ctl || !strstr(ctl, "memory")) {
		t_log("memcg: no cgroup v2 memory controller at %s: skipped", CGROOT);
		free(ctl);
		return;
	}
	free(ctl);
	t_file_write(CGROOT "/cgroup.subtree_control", "+memory");
	snprintf(cgdir, sizeof(cgdir), CGROOT "/rtheap-sec.%d", (int)getpid());
	CHECKF(!mkdir(cgdir, 0755) || errno == EEXIST, "mkdir %s: %s", cgdir, strerror(errno));
	atexit(cg_cleanup);
	snprintf(path, sizeof(path), "%s/memory.max", cgdir);
	if (t_file_write_ull(path, CG_MAX)) {
		t_log("memcg: cannot set %s: skipped", path);
		return;
	}
	snprintf(path, sizeof(path), "%s/memory.swap.max", cgdir);
	t_file_write(path, "0");
	oom_before = cg_event("oom_kill");

	/* The child waits until it is in the cgroup. */
	t_chan_init(&go);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		t_chan_recv(&go, 10000);
		_exit(cg_user(NULL));
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	CHECK_OK(t_file_write(path, pidbuf));
	t_chan_send(&go, 1);
	CHECKF(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECKF(!WIFSIGNALED(status), "the process in the cgroup died of signal %d "
	       "(OOM killer?)", WTERMSIG(status));
	CHECKF(WEXITSTATUS(status) == 0, "the process in the cgroup failed");
	CHECKF(cg_event("oom_kill") == oom_before, "the OOM killer ran in the cgroup");
}

static int unreachable_heaps(void *arg)
{
	struct rtheap_create_arg a;
	struct rtheap_delete d;
	int fd, ret;

	(void)arg;
	t_drop_privs(T_RTUSER);
	fd = t_open_dev();
	memset(&a, 0, sizeof(a));
	a.in.size = T_PAGE;
	a.in.flags = RTHEAP_CREATE_GID;
	a.in.gid = 0;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_CREATE, &a), -EPERM);

	memset(&a, 0, sizeof(a));
	a.in.size = 4 * T_PAGE;
	a.in.mode = H_PERSIST;
	ret = t_ioctl(fd, RTHEAP_IOC_CREATE, &a);
	if (ret == 0) {
		memset(&d, 0, sizeof(d));
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_DELETE, &d));
		close(fd);
		T_FAIL("an anonymous H_PERSIST heap was created (id %u) by an "
		       "unprivileged user: after close(), nobody could ever delete "
		       "it, and rtheap.ko could not unload (deleted here through "
		       "its creating file)", a.out.id);
	}
	CHECKF(ret == -EINVAL, "anonymous H_PERSIST create: %s, expected -EINVAL",
	       t_errname(ret));
	close(fd);
	return 0;
}

int main(void)
{
	struct rtheap_attach at;
	int fd;
	char *p;

	if (access(RTHEAP_DEVICE, F_OK))
		t_skip("no %s", RTHEAP_DEVICE);
	if (geteuid() != 0)
		t_skip("must run as root (it drops to uid %d and %d itself)", T_RTUSER, NOBODY);

	/* Root's secret heap: 0600, a pattern in it, kept mapped. */
	snprintf(secret_name, sizeof(secret_name), "%s", t_name("sec"));
	fd = t_open_dev();
	CHECK_OK(t_raw_create(fd, secret_name, 8 * T_PAGE, 0, &at));
	secret_id = at.id;
	secret_map = at.map_size;
	p = mmap(NULL, at.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < at.map_size / 8; i++)
		((uint64_t *)p)[i] = SECRET;
	/* Files to hand down: one attached by root, one not. */
	root_attached_fd = t_open_dev();
	CHECK_OK(bind_name(root_attached_fd, secret_name, RTHEAP_TM_NONBLOCK, NULL));
	root_unattached_fd = t_open_dev();

	root_outputs();
	CHECK_CHILD(t_spawn(unprivileged, (void *)(uintptr_t)T_RTUSER), 60000);
	CHECK_CHILD(t_spawn(unprivileged, (void *)(uintptr_t)NOBODY), 60000);
	/* Root's heap is intact: still there, secret unchanged. */
	CHECK_EQ(*(uint64_t *)p, SECRET);
	CHECK(t_listed(secret_name));
	limits();
	memcg();
	CHECK_CHILD(t_spawn(unreachable_heaps, NULL), 30000);
	munmap(p, at.map_size);
	close(root_attached_fd);
	close(root_unattached_fd);
	close(fd);
	CHECK(!t_listed(secret_name));
	return T_EXIT_PASS;
}
