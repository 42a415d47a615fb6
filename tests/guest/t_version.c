// SPDX-License-Identifier: GPL-2.0
/*
 * RTHEAP_IOC_VERSION: the handshake, its limits, and the reserved-field rule;
 * RTHEAP_IOC_NOP and VERSION work on a file not attached to any heap.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "tcommon.h"

static unsigned long long sysfs_param(const char *name, bool *found)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/rtheap/parameters/%s", name);
	f = fopen(path, "r");
	*found = f != NULL;
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			T_FAIL("%s: not a number", path);
		fclose(f);
	}
	return v;
}

int main(void)
{
	struct rtheap_version v;
	int fd = t_open_dev();
	bool found;
	unsigned long long p;

	memset(&v, 0, sizeof(v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_VERSION, &v));
	CHECK_EQ(v.abi_version, RTHEAP_ABI_VERSION);
	CHECK(v.features & RTHEAP_FEAT_PRIO);
	CHECK(v.features & RTHEAP_FEAT_SHARED);
	CHECK_EQ(v.page_size, sysconf(_SC_PAGESIZE));
	CHECK(v.max_heaps > 0);
	CHECK(v.max_bytes >= v.page_size);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(v.reserved[i], 0);

	/* The module parameters, when exposed, say the same. */
	p = sysfs_param("max_heaps", &found);
	if (found)
		CHECK_EQ(p, v.max_heaps);
	p = sysfs_param("max_bytes", &found);
	if (found)
		CHECK_EQ(p, v.max_bytes);

	/* Reserved input must be zero. */
	for (int i = 0; i < 4; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, &v), -EINVAL);
	}
	memset(&v, 0, sizeof(v));
	v.reserved[3] = 1ULL << 63;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, &v), -EINVAL);

	/* The cheapest call works on an unattached file. */
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_NOP, NULL));

	/* A bad user pointer is -EFAULT, not a crash. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, (void *)16), -EFAULT);

	close(fd);
	return T_EXIT_PASS;
}
