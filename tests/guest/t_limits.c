// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_create -ENOMEM at the module's limits: max_heaps live heaps and
 * max_bytes heap bytes in total (both read from RTHEAP_IOC_VERSION).  When
 * a limit is too large to reach in the guest, the test lowers it through
 * /sys/module/rtheap/parameters if that is writable, and restores it.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcommon.h"

static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb = 0;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static void test_max_heaps(unsigned int max_heaps)
{
	RT_HEAP *h;
	RT_HEAP extra;
	struct rlimit rl;
	unsigned int want, i;
	int live;

	t_live_bytes(&live);
	CHECK((unsigned int)live <= max_heaps);
	want = max_heaps - live;
	rl.rlim_cur = rl.rlim_max = want + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		T_FAIL("setrlimit(NOFILE, %u): %s", want + 64, strerror(errno));
	h = calloc(want, sizeof(*h));
	CHECK(h);
	for (i = 0; i < want; i++) {
		int ret = rt_heap_create(&h[i], NULL, T_PAGE, H_FIFO);

		CHECKF(ret == 0, "heap %u of max_heaps %u: create returned %s",
		       i + live, max_heaps, t_errname(ret));
	}
	CHECK_RET(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO), -ENOMEM);
	CHECK_RET(rt_heap_create(&extra, t_name("t_limits"), T_PAGE, H_PRIO),
		  -ENOMEM);
	CHECK(!t_listed(t_name("t_limits")));
	/* One slot freed is one slot usable again. */
	CHECK_OK(rt_heap_delete(&h[0]));
	CHECK_OK(rt_heap_create(&h[0], NULL, T_PAGE, H_FIFO));
	CHECK_RET(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO), -ENOMEM);
	for (i = 0; i < want; i++)
		CHECK_OK(rt_heap_delete(&h[i]));
	free(h);
	CHECK_OK(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_delete(&extra));
}

static void test_max_bytes(uint64_t max_bytes)
{
	RT_HEAP big, extra;
	uint64_t used, size;
	int live;
	void *p;

	used = t_live_bytes(&live);
	CHECK(used <= max_bytes);
	size = (max_bytes - used) & ~(T_PAGE - 1);
	if (size < 2 * T_PAGE)
		t_skip("max_bytes %llu leaves no room to test",
		       (unsigned long long)max_bytes);

	/* More than the limit in one heap is never granted. */
	CHECK_RET2(rt_heap_create(&big, NULL, size + T_PAGE, H_FIFO),
		   -ENOMEM, -EINVAL);
	CHECK_RET2(rt_heap_create(&big, NULL, max_bytes + T_PAGE, H_FIFO),
		   -ENOMEM, -EINVAL);

	/* Exactly up to the limit is, and then nothing more. */
	CHECK_OK(rt_heap_create(&big, NULL, size, H_FIFO));
	CHECK_RET(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO), -ENOMEM);
	CHECK_OK(rt_heap_alloc(&big, size, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_free(&big, p));
	CHECK_OK(rt_heap_delete(&big));
	CHECK_OK(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_delete(&extra));

	/*
	 * A deleted heap's memory goes with its last mapping, not before:
	 * until then it still counts against max_bytes.
	 */
	{
		const char *n = t_name("t_limits_big");
		struct rtheap_bind b;
		int fd = t_open_dev();
		char *m;

		CHECK_OK(rt_heap_create(&big, n, size, H_FIFO));
		memset(&b, 0, sizeof(b));
		strcpy(b.name, n);
		b.timeout = RTHEAP_TM_NONBLOCK;
		CHECK_OK(t_ioctl(fd, RTHEAP_IOC_BIND, &b));
		m = mmap(NULL, b.out.map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		CHECK(m != MAP_FAILED);
		close(fd);		/* only the mapping holds it now */
		CHECK_OK(rt_heap_delete(&big));
		CHECK(!t_listed(n));
		CHECK_RET(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO),
			  -ENOMEM);
		memset(m, 0x3a, b.out.map_size);
		CHECK_OK(munmap(m, b.out.map_size));
		CHECK_OK(rt_heap_create(&extra, NULL, T_PAGE, H_FIFO));
		CHECK_OK(rt_heap_delete(&extra));
	}
}

/*
 * More than the guest has: with max_bytes out of the way, creation must
 * fail with -ENOMEM, promptly, without the OOM killer or an allocation
 * failure splat in the kernel log (the runner checks the log).
 */
static void test_over_memory(void)
{
	uint64_t total = 0;
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb;
	RT_HEAP h;
	void *p;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			total = kb * 1024;
	fclose(f);
	CHECK(total > 0);
	if (t_param_write("max_bytes", 4 * total)) {
		t_log("max_bytes not writable: creation over the guest's "
		      "memory untested");
		return;
	}
	CHECK_RET(rt_heap_create(&h, NULL, (size_t)(2 * total), H_FIFO),
		  -ENOMEM);
	CHECK_RET(rt_heap_create(&h, NULL, (size_t)(total + T_PAGE), H_FIFO),
		  -ENOMEM);
	/* And the module is none the worse for it. */
	CHECK_OK(rt_heap_create(&h, NULL, 64 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 64 * T_PAGE, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

static struct rtheap_version orig;

/* Put the limits back even when a check fails half-way. */
static void restore_params(void)
{
	struct rtheap_version now;
	int fd = open(RTHEAP_DEVICE, O_RDWR);

	memset(&now, 0, sizeof(now));
	if (fd < 0 || t_ioctl(fd, RTHEAP_IOC_VERSION, &now)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (now.max_heaps != orig.max_heaps)
		t_param_write("max_heaps", orig.max_heaps);
	if (now.max_bytes != orig.max_bytes)
		t_param_write("max_bytes", orig.max_bytes);
}

int main(void)
{
	struct rtheap_version v = t_version();
	uint64_t room = mem_available() / 4;
	bool lowered_heaps = false, lowered_bytes = false;
	unsigned int max_heaps = v.max_heaps;
	uint64_t max_bytes = v.max_bytes;

	orig = v;
	atexit(restore_params);
	if (room > (256ULL << 20))
		room = 256ULL << 20;

	if (max_heaps > 4096 || (uint64_t)max_heaps * T_PAGE > max_bytes) {
		if (t_param_write("max_heaps", 64))
			t_skip("max_heaps %u too large to reach and "
			       T_PARAM_DIR "max_heaps not writable", max_heaps);
		lowered_heaps = true;
		max_heaps = t_version().max_heaps;
		CHECK_EQ(max_heaps, 64);
	}
	test_max_heaps(max_heaps);
	if (lowered_heaps)
		t_set_param("max_heaps", v.max_heaps);

	if (max_bytes > room) {
		if (t_param_write("max_bytes", 64 * T_PAGE))
			t_skip("max_bytes %llu too large for the guest and "
			       T_PARAM_DIR "max_bytes not writable",
			       (unsigned long long)max_bytes);
		lowered_bytes = true;
		max_bytes = t_version().max_bytes;
		CHECK_EQ(max_bytes, 64 * T_PAGE);
	}
	test_max_bytes(max_bytes);
	if (lowered_bytes)
		t_set_param("max_bytes", v.max_bytes);

	test_over_memory();
	if (t_version().max_bytes != v.max_bytes)
		t_set_param("max_bytes", v.max_bytes);
	CHECK_EQ(t_version().max_heaps, v.max_heaps);
	CHECK_EQ(t_version().max_bytes, v.max_bytes);
	return T_EXIT_PASS;
}
