// SPDX-License-Identifier: GPL-2.0
/*
 * RTHEAP_IOC_VERSION: the handshake, its limits, the size classes and the
 * reserved-field rule; the commands of earlier ABIs (another ioctl type,
 * and the numbers this one retired) are -ENOTTY.  RTHEAP_IOC_NOP and
 * VERSION work on a file not attached to any heap.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "tcommon.h"

int main(void)
{
	unsigned int nr = 0, want_nr = 0;
	struct rtheap_version v, old;
	int fd = t_open_dev();
	unsigned long long p;

	memset(&v, 0, sizeof(v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_VERSION, &v));
	CHECK_EQ(v.abi_version, RTHEAP_ABI_VERSION);
	CHECK(v.features & RTHEAP_FEAT_PRIO);
	CHECK(v.features & RTHEAP_FEAT_SHARED);
	CHECK(v.features & RTHEAP_FEAT_BULK);
	CHECK(v.features & RTHEAP_FEAT_FREE_OFF);
	CHECK(v.features & RTHEAP_FEAT_ALLOC_NB);
	/* No bit this header does not name. */
	CHECK_EQ(v.features & ~((RTHEAP_FEAT_CLASS_MAP << 1) - 1), 0);
	CHECK_EQ(v.page_size, sysconf(_SC_PAGESIZE));
	CHECK(v.max_heaps > 0);
	CHECK(v.max_bytes >= v.page_size);
	for (int i = 0; i < 9; i++)
		CHECK_EQ(v.reserved[i], 0);

	/* The classes: 16 << i bytes up to half a page, then zeros. */
	nr = v.nr_classes;
	for (unsigned long s = 16; s <= v.page_size / 2; s <<= 1)
		want_nr++;
	CHECK_EQ(nr, want_nr);
	CHECK(nr >= 1 && nr <= RTHEAP_MAX_CLASSES);
	for (unsigned int i = 0; i < RTHEAP_MAX_CLASSES; i++)
		CHECK_EQ(v.class_size[i], i < nr ? RTHEAP_MIN_BLOCK << i : 0);
	CHECK_EQ(v.class_size[nr - 1], v.page_size / 2);
	t_log("page size %u, %u classes", v.page_size, nr);

	/*
	 * Earlier ABIs: the same VERSION under the old type 0xB7, and the
	 * numbers 0x00, 0x06 and 0x07 this ABI does not use, are unknown.
	 */
	memset(&old, 0, sizeof(old));
	CHECK_RET(t_ioctl(fd, _IOWR(0xB7, _IOC_NR(RTHEAP_IOC_VERSION),
				    struct rtheap_version), &old), -ENOTTY);
	CHECK_RET(t_ioctl(fd, _IOWR(RTHEAP_IOC_MAGIC, 0x00, __u64[6]), &old),
		  -ENOTTY);
	CHECK_RET(t_ioctl(fd, _IOWR(RTHEAP_IOC_MAGIC, 0x06, __u64[6]), &old),
		  -ENOTTY);
	CHECK_RET(t_ioctl(fd, _IOWR(RTHEAP_IOC_MAGIC, 0x07,
				    struct rtheap_list), &old), -ENOTTY);

	/* The module parameters, when exposed, say the same. */
	if (!t_param_read("max_heaps", &p))
		CHECK_EQ(p, v.max_heaps);
	if (!t_param_read("max_bytes", &p))
		CHECK_EQ(p, v.max_bytes);

	/* Reserved input must be zero. */
	for (int i = 0; i < 9; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1;
		CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, &v), -EINVAL);
	}
	memset(&v, 0, sizeof(v));
	v.reserved[8] = 1U << 31;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, &v), -EINVAL);

	/* The cheapest call works on an unattached file. */
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_NOP, NULL));

	/* A bad user pointer is -EFAULT, not a crash. */
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_VERSION, (void *)16), -EFAULT);

	close(fd);
	return T_EXIT_PASS;
}
