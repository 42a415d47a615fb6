// SPDX-License-Identifier: GPL-2.0
/*
 * Heap memory is charged to the creator's memory cgroup: in a cgroup2
 * group limited to 16 MiB, a 32 MiB heap fails with -ENOMEM (and the OOM
 * killer stays out of it), a 4 MiB heap raises memory.current by at least
 * its size, and deleting it gives that back.  Skips where cgroup2 or its
 * memory controller is missing.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcommon.h"

#define CG_ROOT "/sys/fs/cgroup"
#define MIB	(1UL << 20)

static char cg[128];

static bool cg_write(const char *file, const char *val)
{
	char path[256];
	int fd, len = (int)strlen(val);
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", file[0] == '/' ? "" : cg, file);
	fd = open(file[0] == '/' ? file : path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, val, len) == len;
	close(fd);
	return ok;
}

static unsigned long long cg_read(const char *file, const char *key)
{
	char path[256], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "r");
	CHECKF(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtoull(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ' ')
			v = strtoull(line + strlen(key) + 1, NULL, 10);
	}
	fclose(f);
	return v;
}

static int in_group(void *arg)
{
	unsigned long long before, during, after;
	RT_HEAP h;
	char pid[32];
	void *p;

	(void)arg;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	CHECKF(cg_write("cgroup.procs", pid), "cannot join %s", cg);

	CHECK_RET(rt_heap_create(&h, NULL, 32 * MIB, H_FIFO), -ENOMEM);
	CHECK_EQ(cg_read("memory.events", "oom_kill"), 0);

	before = cg_read("memory.current", NULL);
	CHECK_OK(rt_heap_create(&h, NULL, 4 * MIB, H_FIFO));
	during = cg_read("memory.current", NULL);
	CHECKF(during >= before + 4 * MIB, "memory.current went from %llu to "
	       "%llu for a 4 MiB heap: not charged to the creator's cgroup",
	       before, during);
	CHECK_OK(rt_heap_alloc(&h, 4 * MIB, TM_NONBLOCK, &p));
	memset(p, 0x77, 4 * MIB);
	CHECK_OK(rt_heap_delete(&h));
	after = cg_read("memory.current", NULL);
	CHECKF(after + 3 * MIB <= during, "memory.current still %llu after "
	       "the delete (%llu with the heap)", after, during);
	return 0;
}

static void cleanup(void)
{
	if (cg[0])
		rmdir(cg);
}

int main(void)
{
	FILE *f = fopen(CG_ROOT "/cgroup.controllers", "r");
	char line[256] = "";

	if (!f)
		t_skip("no cgroup2 at %s", CG_ROOT);
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	if (!strstr(line, "memory"))
		t_skip("no memory controller in cgroup2 (%s)", line);
	if (!cg_write(CG_ROOT "/cgroup.subtree_control", "+memory"))
		t_skip("cannot enable the memory controller: %s",
		       strerror(errno));

	snprintf(cg, sizeof(cg), "%s/rtheap-t_memcg.%d", CG_ROOT, (int)getpid());
	if (mkdir(cg, 0755))
		T_FAIL("mkdir %s: %s", cg, strerror(errno));
	atexit(cleanup);
	CHECKF(cg_write("memory.max", "16777216"), "cannot set memory.max");
	CHECK_CHILD(t_spawn(in_group, NULL), 30000);
	return T_EXIT_PASS;
}
