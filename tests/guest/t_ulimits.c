// SPDX-License-Identifier: GPL-2.0
/*
 * What one local user may take, and who may use rtheap at all:
 *  - /dev/rtheap has the module's dev_mode (0660 by default) and, as the
 *    udev rule makes it, group rtheap: a user outside the group cannot
 *    open it (EACCES), a member can;
 *  - heap memory is pinned memory: a user without CAP_IPC_LOCK is held to
 *    its RLIMIT_MEMLOCK (VmPin grows by the heap, drops after delete, also
 *    when the last reference goes in a munmap after delete and close),
 *    root is not; what the process has mlock()ed (VmLck) counts too;
 *  - max_user_heaps and max_user_bytes hold per user (another user still
 *    creates; root, with CAP_SYS_RESOURCE, is not held);
 *  - kernel_reserve: a user cannot take the last kernel_reserve bytes of
 *    max_bytes, root can.
 * Every refusal is -ENOMEM and leaves the heap count as it was.  The
 * limits are lowered through /sys/module/rtheap/parameters and restored.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcommon.h"

#define NOBODY	65534
#define KIB	1024ULL

static unsigned long long vm_status_kib(const char *fmt)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long kb = ~0ULL;
	char line[128];

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	fclose(f);
	CHECK(kb != ~0ULL);
	return kb;
}

static unsigned long long vm_pinned_kib(void)
{
	return vm_status_kib("VmPin: %llu kB");
}

static unsigned long long vm_locked_kib(void)
{
	return vm_status_kib("VmLck: %llu kB");
}

static int nheaps(void)
{
	struct rtheap_info *infos;
	int n = t_list(&infos);

	free(infos);
	return n;
}

/* create must fail with -ENOMEM and leave no heap behind */
static void create_refused(uint64_t size)
{
	int before = nheaps();
	RT_HEAP h;

	CHECK_RET(rt_heap_create(&h, NULL, size, 0), -ENOMEM);
	CHECK_EQ(nheaps(), before);
}

/* ---- the device node ---- */

static int open_outside_group(void *arg)
{
	(void)arg;
	t_drop_privs_nogroup(NOBODY);
	CHECKF(open("/dev/rtheap", O_RDWR) < 0 && errno == EACCES,
	       "open /dev/rtheap outside group rtheap: %s, expected EACCES",
	       strerror(errno));
	return T_EXIT_PASS;
}

static int open_in_group(void *arg)
{
	RT_HEAP h;

	(void)arg;
	t_drop_privs(NOBODY);
	CHECK_OK(rt_heap_create(&h, NULL, 4096, 0));
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}

static void test_node(void)
{
	struct stat st;

	CHECK(stat("/dev/rtheap", &st) == 0);
	CHECK_EQ(t_param("dev_mode"), 0660);
	CHECKF((st.st_mode & 07777) == 0660, "/dev/rtheap has mode %#o",
	       (unsigned int)(st.st_mode & 07777));
	CHECK_EQ(st.st_uid, 0);
	CHECK_EQ(st.st_gid, T_RTHEAP_GID);
	CHECK_CHILD(t_spawn(open_outside_group, NULL), 10000);
	CHECK_CHILD(t_spawn(open_in_group, NULL), 10000);
}

/* ---- RLIMIT_MEMLOCK ---- */

#define MEMLOCK	(256 * KIB)

/* The last reference goes in munmap: after DELETE and close of the file. */
static void last_ref_in_munmap(unsigned long long base)
{
	struct rtheap_delete d = { 0 };
	struct rtheap_attach at;
	int fd = t_open_dev();
	void *p;

	CHECK_OK(t_raw_create(fd, NULL, 64 * KIB, 0, &at));
	p = mmap(NULL, at.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECKF(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(vm_pinned_kib(), base + 64);
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_DELETE, &d));
	close(fd);
	CHECK_EQ(vm_pinned_kib(), base + 64);	/* still mapped */
	CHECK(munmap(p, at.map_size) == 0);
	CHECK_EQ(vm_pinned_kib(), base);
}

/*
 * Locked (mlock) and pinned (heap) memory count together against the
 * limit: with all but 64 KiB of it mlock()ed, a 128 KiB heap is refused
 * and a 64 KiB one fits; munlock() gives the room back.
 */
static void memlock_with_mlock(void)
{
	unsigned long long used = vm_locked_kib() + vm_pinned_kib();
	size_t len = (MEMLOCK / KIB - used - 64) * KIB;
	RT_HEAP h;
	void *p;

	CHECK(used + 64 < MEMLOCK / KIB);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECKF(mlock(p, len) == 0, "mlock: %s", strerror(errno));
	CHECK_EQ(vm_locked_kib() + vm_pinned_kib(), MEMLOCK / KIB - 64);
	create_refused(128 * KIB);
	CHECK_OK(rt_heap_create(&h, NULL, 64 * KIB, 0));
	create_refused(4 * KIB);
	CHECK_OK(rt_heap_delete(&h));
	CHECK(munlock(p, len) == 0);
	CHECK_OK(rt_heap_create(&h, NULL, 128 * KIB, 0));
	CHECK_OK(rt_heap_delete(&h));
	CHECK(munmap(p, len) == 0);
}

static int memlock_user(void *arg)
{
	unsigned long long base;
	RT_HEAP a, b, c;

	(void)arg;
	t_drop_privs(T_RTUSER);
	base = vm_pinned_kib();
	CHECK_OK(rt_heap_create(&a, NULL, 128 * KIB, 0));
	CHECK_EQ(vm_pinned_kib(), base + 128);
	CHECK_OK(rt_heap_create(&b, NULL, 128 * KIB, 0));
	CHECK_EQ(vm_pinned_kib(), base + 256);
	create_refused(4 * KIB);
	CHECK_EQ(vm_pinned_kib(), base + 256);
	CHECK_OK(rt_heap_delete(&a));
	CHECK_EQ(vm_pinned_kib(), base + 128);
	CHECK_OK(rt_heap_create(&c, NULL, 64 * KIB, 0));
	CHECK_OK(rt_heap_delete(&c));
	CHECK_OK(rt_heap_delete(&b));
	CHECK_EQ(vm_pinned_kib(), base);
	last_ref_in_munmap(base);
	memlock_with_mlock();
	return T_EXIT_PASS;
}

static int memlock_root(void *arg)
{
	RT_HEAP h;

	(void)arg;
	/* CAP_IPC_LOCK: no limit, as for mlock(). */
	CHECK_OK(rt_heap_create(&h, NULL, 4 * MEMLOCK, 0));
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}

static void test_memlock(void)
{
	struct rlimit saved, rl = { MEMLOCK, MEMLOCK };

	CHECK(getrlimit(RLIMIT_MEMLOCK, &saved) == 0);
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	CHECK_CHILD(t_spawn(memlock_user, NULL), 10000);
	CHECK_CHILD(t_spawn(memlock_root, NULL), 10000);
	CHECK(setrlimit(RLIMIT_MEMLOCK, &saved) == 0);
}

/* ---- per-user limits and the kernel's reserve ---- */

static struct t_chan held, go;

/* rtuser: two heaps, the limit; a third is refused; hold them. */
static int user_two(void *arg)
{
	RT_HEAP a, b;

	(void)arg;
	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_create(&a, NULL, 4 * KIB, 0));
	CHECK_OK(rt_heap_create(&b, NULL, 4 * KIB, 0));
	create_refused(4 * KIB);
	t_chan_send(&held, 1);
	t_chan_recv(&go, 10000);
	CHECK_OK(rt_heap_delete(&a));
	CHECK_OK(rt_heap_delete(&b));
	return T_EXIT_PASS;
}

static int other_user(void *arg)
{
	RT_HEAP h;

	(void)arg;
	t_drop_privs(NOBODY);
	CHECK_OK(rt_heap_create(&h, NULL, 4 * KIB, 0));
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}

static void test_user_heaps(void)
{
	unsigned long long saved = t_param("max_user_heaps");
	RT_HEAP r[3];
	pid_t pid;

	CHECK_EQ(saved, 64);
	t_set_param("max_user_heaps", 2);
	t_chan_init(&held);
	t_chan_init(&go);
	pid = t_spawn(user_two, NULL);
	t_chan_recv(&held, 10000);
	CHECK_CHILD(t_spawn(other_user, NULL), 10000);
	for (int i = 0; i < 3; i++)	/* root: CAP_SYS_RESOURCE */
		CHECK_OK(rt_heap_create(&r[i], NULL, 4 * KIB, 0));
	for (int i = 0; i < 3; i++)
		CHECK_OK(rt_heap_delete(&r[i]));
	t_chan_send(&go, 1);
	CHECK_CHILD(pid, 10000);
	t_set_param("max_user_heaps", saved);
}

static int user_bytes(void *arg)
{
	RT_HEAP a;

	(void)arg;
	t_drop_privs(T_RTUSER);
	create_refused(128 * KIB);
	CHECK_OK(rt_heap_create(&a, NULL, 64 * KIB, 0));
	create_refused(4 * KIB);
	CHECK_OK(rt_heap_delete(&a));
	CHECK_OK(rt_heap_create(&a, NULL, 32 * KIB, 0));
	CHECK_OK(rt_heap_delete(&a));
	return T_EXIT_PASS;
}

static void test_user_bytes(void)
{
	unsigned long long saved = t_param("max_user_bytes");

	CHECK_EQ(saved, t_param("max_bytes") / 2);
	t_set_param("max_user_bytes", 64 * KIB);
	CHECK_CHILD(t_spawn(user_bytes, NULL), 10000);
	t_set_param("max_user_bytes", saved);
}

/* Room left: 256 KiB, of which the last 128 KiB are the kernel's. */
static int user_reserve(void *arg)
{
	RT_HEAP a;

	(void)arg;
	t_drop_privs(T_RTUSER);
	create_refused(192 * KIB);
	CHECK_OK(rt_heap_create(&a, NULL, 96 * KIB, 0));
	create_refused(64 * KIB);
	t_chan_send(&held, 1);
	t_chan_recv(&go, 10000);
	CHECK_OK(rt_heap_delete(&a));
	return T_EXIT_PASS;
}

static void test_reserve(void)
{
	unsigned long long max_bytes = t_param("max_bytes");
	unsigned long long reserve = t_param("kernel_reserve");
	RT_HEAP h;
	pid_t pid;

	CHECK_EQ(reserve, max_bytes / 8);
	t_set_param("max_bytes", t_live_bytes(NULL) + 256 * KIB);
	t_set_param("kernel_reserve", 128 * KIB);
	pid = t_spawn(user_reserve, NULL);
	t_chan_recv(&held, 10000);
	/* root may take the reserve, but not more than max_bytes */
	create_refused(192 * KIB);
	CHECK_OK(rt_heap_create(&h, NULL, 160 * KIB, 0));
	CHECK_OK(rt_heap_delete(&h));
	t_chan_send(&go, 1);
	CHECK_CHILD(pid, 10000);
	t_set_param("kernel_reserve", reserve);
	t_set_param("max_bytes", max_bytes);
}

int main(void)
{
	test_node();
	test_memlock();
	test_user_heaps();
	test_user_bytes();
	test_reserve();
	return T_EXIT_PASS;
}
