// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a large heap must not hold the CPU: rtheap inserts its pages in
 * batches with a rescheduling point between them.  The test makes the
 * kernel as strict as it gets (PREEMPT_DYNAMIC's preempt=none through
 * debugfs, watchdog_thresh 1, so a soft lockup is reported after 2 s
 * without a reschedule), raises max_bytes for the time of the test, and
 * maps a heap of 2 GiB, or as large as the guest's free memory allows
 * (the size is printed).  A soft lockup during the test fails it (the
 * suite watches the kernel log), and so does an mmap of the whole heap
 * that never lets another runnable thread of its CPU run (see binder());
 * the mapping must also be whole (blocks at both ends are written and
 * read back).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

#define PREEMPT		"/sys/kernel/debug/sched/preempt"
#define THRESH		"/proc/sys/kernel/watchdog_thresh"
#define MIB		(1ULL << 20)

static char saved_preempt[32];
static char saved_thresh[32];
static unsigned long long saved_max;

static void restore(void)
{
	if (saved_preempt[0])
		t_set_file(PREEMPT, saved_preempt);
	if (saved_thresh[0])
		t_set_file(THRESH, saved_thresh);
	t_set_param("max_bytes", saved_max);
}

static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kb = 0;
	char line[128];

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static struct t_chan took;
static char name[RTHEAP_NAMELEN];

static atomic_int spin_stop;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

/* Runnable all along on the mapping thread's CPU. */
static void *spinner(void *arg)
{
	(void)arg;
	pin(0);
	while (!atomic_load(&spin_stop))
		;
	return NULL;
}

/*
 * A mapping of its own (a new file, BIND and mmap: libheap would reuse
 * the mapping the child inherits), made on CPU 0 while another thread
 * is runnable there.  Under preempt=none only a rescheduling point inside
 * the mmap lets that thread run before the mmap returns: the mapping
 * thread must be switched out more than once during it.
 */
static int binder(void *arg)
{
	struct rtheap_bind b = { .timeout = RTHEAP_TM_NONBLOCK };
	uint64_t size = *(uint64_t *)arg, t0;
	struct rusage r0, r1;
	int fd = t_open_dev();
	pthread_t thr;
	char *p;

	snprintf(b.name, sizeof(b.name), "%s", name);
	CHECK(ioctl(fd, RTHEAP_IOC_BIND, &b) == 0);
	pin(0);
	CHECK_OK(-pthread_create(&thr, NULL, spinner, NULL));
	t_sleep_ms(50);
	CHECK(getrusage(RUSAGE_THREAD, &r0) == 0);
	t0 = t_now_ns();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	t0 = t_now_ns() - t0;
	CHECK(getrusage(RUSAGE_THREAD, &r1) == 0);
	atomic_store(&spin_stop, 1);
	t_join(thr, 10000);
	CHECKF(p != MAP_FAILED, "mmap: %s", strerror(errno));
	printf("t_bigmap: mmap switched out %ld times (involuntary) in %llu ms\n",
	       r1.ru_nivcsw - r0.ru_nivcsw, (unsigned long long)(t0 / 1000000));
	CHECKF(r1.ru_nivcsw - r0.ru_nivcsw >= 2,
	       "mmap of %llu MiB never let a runnable thread on its CPU run",
	       (unsigned long long)(size >> 20));
	t_chan_send(&took, t0 / 1000);
	(void)*(volatile char *)&p[size - 1];
	CHECK(munmap(p, size) == 0);
	close(fd);
	return T_EXIT_PASS;
}

static uint64_t bind_in_child(uint64_t size)
{
	pid_t pid;
	uint64_t us;

	t_chan_init(&took);
	pid = t_spawn(binder, &size);
	us = t_chan_recv(&took, 120000);
	CHECK_CHILD(pid, 120000);
	return us;
}

int main(void)
{
	uint64_t bind_us;
	char line[64], *open_paren, *close_paren;
	uint64_t size, avail = mem_available();
	RT_HEAP h;
	RT_HEAP_INFO info;
	uint64_t t0, t1;
	char *first, *last, *a, *b;

	if (t_file_read(PREEMPT, line, sizeof(line)))
		t_skip("no %s (not a PREEMPT_DYNAMIC kernel, or no debugfs)",
		       PREEMPT);
	/* PREEMPT_RT (6.12-rt) offers only full and lazy: always preemptible. */
	if (strncmp(line, "none ", 5) && strncmp(line, "(none)", 6))
		t_skip("%s offers no 'none' ('%s'): a preemptible kernel",
		       PREEMPT, line);
	/* "none (voluntary) full": the current mode is in parentheses. */
	open_paren = strchr(line, '(');
	close_paren = open_paren ? strchr(open_paren, ')') : NULL;
	CHECKF(close_paren, "%s reads '%s'", PREEMPT, line);
	*close_paren = 0;
	snprintf(saved_preempt, sizeof(saved_preempt), "%s", open_paren + 1);
	CHECK_OK(t_file_read(THRESH, saved_thresh, sizeof(saved_thresh)));
	saved_max = t_param("max_bytes");
	atexit(restore);

	size = 2048 * MIB;
	if (avail < size + 384 * MIB)
		size = avail > 640 * MIB ? (avail - 384 * MIB) & ~(MIB - 1) : 0;
	if (size < 256 * MIB)
		t_skip("%llu MiB available: too little for a large heap",
		       (unsigned long long)(avail / MIB));
	if (saved_max < 2 * size)
		t_set_param("max_bytes", 2 * size + 64 * MIB);
	t_set_file(PREEMPT, "none");
	t_set_file(THRESH, "1");

	/* create maps the whole heap into this process */
	t0 = t_now_ns();
	snprintf(name, sizeof(name), "%s", t_name("bigmap"));
	CHECK_OK(rt_heap_create(&h, name, size, 0));
	t1 = t_now_ns();
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.usablemem, size);

	CHECK_OK(rt_heap_alloc(&h, 64, TM_NONBLOCK, (void **)&first));
	CHECK_OK(rt_heap_alloc(&h, size / 2, TM_NONBLOCK, (void **)&a));
	CHECK_OK(rt_heap_alloc(&h, size / 4, TM_NONBLOCK, (void **)&b));
	last = b + size / 4 - 1;
	memset(first, 0x5a, 64);
	*last = 0x6b;
	CHECK_EQ(*first, 0x5a);
	CHECK_EQ(*last, 0x6b);
	/* A mapping of the whole heap, timed alone, in a child. */
	bind_us = bind_in_child(size);
	CHECK_OK(rt_heap_free(&h, b));
	CHECK_OK(rt_heap_free(&h, a));
	CHECK_OK(rt_heap_free(&h, first));
	CHECK_OK(rt_heap_delete(&h));
	printf("t_bigmap: %llu MiB heap created and mapped in %llu ms, "
	       "a mapping of it by mmap in %llu ms (preempt=none, watchdog_thresh=1)\n",
	       (unsigned long long)(size / MIB),
	       (unsigned long long)((t1 - t0) / 1000000),
	       (unsigned long long)(bind_us / 1000));
	return T_EXIT_PASS;
}
