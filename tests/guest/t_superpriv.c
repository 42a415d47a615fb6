// SPDX-License-Identifier: GPL-2.0
/*
 * Routine calls use no privilege: as root, create, inquire, list and
 * /proc/rtheap within every limit leave the task's PF_SUPERPRIV (the
 * "used superuser privileges" flag of /proc/PID/stat, also what process
 * accounting reports) clear.  A capability is asked for only when the
 * request needs it: inquiring an H_DMA heap as root, which tells its
 * physical base, sets the flag, which shows that the probe sees it.
 */
#include <fcntl.h>
#include <unistd.h>

#include "tcommon.h"

#define PF_SUPERPRIV	0x00000100

static unsigned long task_flags(void)
{
	char buf[1024], *p;
	unsigned long flags = 0;
	ssize_t n;
	int fd, i;

	fd = open("/proc/self/stat", O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	close(fd);
	buf[n] = 0;
	p = strrchr(buf, ')');
	CHECK(p);
	/* Field 9, flags: the 7th after the command's closing parenthesis. */
	for (i = 0; i < 7; i++) {
		p = strchr(p + 1, ' ');
		CHECK(p);
	}
	CHECK(sscanf(p + 1, "%lu", &flags) == 1);
	return flags;
}

static int routine(void *arg)
{
	struct rtheap_info *infos;
	RT_HEAP_INFO info;
	char line[256];
	RT_HEAP h;

	CHECK(!(task_flags() & PF_SUPERPRIV));
	CHECK_OK(rt_heap_create(&h, arg, 65536, H_PRIO));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.phys_addr, 0);
	CHECK(t_list(&infos) >= 1);
	free(infos);
	CHECK_OK(t_file_read("/proc/rtheap", line, sizeof(line)));
	CHECK_OK(rt_heap_delete(&h));
	CHECKF(!(task_flags() & PF_SUPERPRIV),
	       "flags %#lx: a routine call used a privilege", task_flags());
	return 0;
}

static int dma_inquire(void *arg)
{
	RT_HEAP_INFO info;
	RT_HEAP h;

	CHECK_OK(rt_heap_bind(&h, arg));
	CHECK(!(task_flags() & PF_SUPERPRIV));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr);
	CHECK(task_flags() & PF_SUPERPRIV);
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

int main(void)
{
	const char *name = t_name("superpriv");
	RT_HEAP h;

	if (geteuid())
		t_skip("needs root");
	t_version();
	CHECK_CHILD(t_spawn(routine, (void *)name), 10000);

	CHECK_OK(rt_heap_create(&h, name, 65536, H_DMA));
	CHECK_CHILD(t_spawn(dma_inquire, (void *)name), 10000);
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
