// SPDX-License-Identifier: GPL-2.0
/*
 * H_DMA, H_DMA32 and H_NONCACHED heaps from user space: feature bits,
 * physically contiguous memory whose base RT_HEAP_INFO.phys_addr shows to
 * CAP_SYS_ADMIN (0 for anyone else), below 4 GiB for H_DMA32, -ENOMEM at
 * once beyond what the page allocator gives in one block, and uncached
 * mappings that hold what is written.  From user space all three modes
 * need CAP_SYS_RAWIO unless the module parameter group_rawio is set: an
 * unprivileged member of the device's group gets -EPERM, then with the
 * parameter set, the heaps.
 */
#include <unistd.h>

#include "tcommon.h"

static int unprivileged(void *arg)
{
	const char *name = arg;
	RT_HEAP_INFO info;
	RT_HEAP h;

	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_bind(&h, name));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK_EQ(info.phys_addr, 0);
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

#define GROUP_RAWIO	"/sys/module/rtheap/parameters/group_rawio"

/* The modes that need CAP_SYS_RAWIO: -EPERM (want 0) or made (want 1). */
static void rawio_modes(const char *name, bool want)
{
	struct rtheap_version v = t_version();
	static const int modes[] = { H_DMA, H_DMA32, H_NONCACHED,
				     H_NONCACHED | H_DMA };
	RT_HEAP h;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ret = rt_heap_create(&h, name, 65536, modes[i]);
		if ((modes[i] & H_NONCACHED) &&
		    !(v.features & RTHEAP_FEAT_NONCACHED)) {
			CHECK_RET(ret, -EOPNOTSUPP);
			continue;
		}
		if (!want) {
			CHECKF(ret == -EPERM, "mode %#x: %s, want EPERM",
			       modes[i], t_errname(ret));
			continue;
		}
		CHECKF(ret == 0, "mode %#x: %s", modes[i], t_errname(ret));
		CHECK_OK(rt_heap_delete(&h));
	}
	CHECK(!t_listed(name));
}

static int rawio_denied(void *arg)
{
	RT_HEAP h;

	t_drop_privs(T_RTUSER);
	rawio_modes(arg, false);
	/* The other modes stay open to the group. */
	CHECK_OK(rt_heap_create(&h, arg, 65536, H_PRIO));
	CHECK_OK(rt_heap_delete(&h));
	return 0;
}

static int rawio_allowed(void *arg)
{
	t_drop_privs(T_RTUSER);
	rawio_modes(arg, true);
	return 0;
}

int main(void)
{
	struct rtheap_version v = t_version();
	const char *name = t_name("dma");
	RT_HEAP_INFO info;
	char buf[8];
	RT_HEAP h;
	char *p;
	int i;

	CHECK(v.features & RTHEAP_FEAT_DMA);
	CHECK(v.features & RTHEAP_FEAT_DMA32);
	CHECK(v.features & RTHEAP_FEAT_PHYS_ADDR);

	/* 1 MiB in one block; every page of it, written and read back. */
	CHECK_OK(rt_heap_create_ext(&h, name, 1 << 20, H_DMA, 0666, -1));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr && info.phys_addr % T_PAGE == 0);
	CHECK_EQ(info.mode, H_DMA);
	for (i = 0; i < 8; i++) {
		CHECK_OK(rt_heap_alloc(&h, 128 << 10, TM_NONBLOCK, (void **)&p));
		t_fill(p, 128 << 10, i);
		CHECK(t_check_fill(p, 128 << 10, i));
	}
	CHECK_CHILD(t_spawn(unprivileged, (void *)name), 10000);
	CHECK_OK(rt_heap_delete(&h));

	CHECK_OK(rt_heap_create(&h, name, 65536, H_DMA32 | H_PRIO));
	CHECK_OK(rt_heap_inquire(&h, &info));
	CHECK(info.phys_addr && info.phys_addr + 65536 <= 0x100000000ULL);
	CHECK_OK(rt_heap_delete(&h));

	/* More than one block of the page allocator: at once, not a hang. */
	CHECK_RET(rt_heap_create(&h, name, 64 << 20, H_DMA), -ENOMEM);
	CHECK_RET(rt_heap_create(&h, name, 64 << 20, H_DMA32), -ENOMEM);
	CHECK(!t_listed(name));

	if (v.features & RTHEAP_FEAT_NONCACHED) {
		CHECK_OK(rt_heap_create(&h, name, 16384, H_NONCACHED | H_DMA));
		CHECK(t_inquire(&h).phys_addr);
		CHECK_OK(rt_heap_alloc(&h, 8192, TM_NONBLOCK, (void **)&p));
		t_fill(p, 8192, 7);
		CHECK(t_check_fill(p, 8192, 7));
		CHECK_OK(rt_heap_delete(&h));
		CHECK_OK(rt_heap_create(&h, name, 8192, H_NONCACHED));
		CHECK_EQ(t_inquire(&h).phys_addr, 0);
		CHECK_OK(rt_heap_delete(&h));
	} else {
		CHECK_RET(rt_heap_create(&h, name, 8192, H_NONCACHED),
			  -EOPNOTSUPP);
	}

	rawio_modes(name, true);		/* root has CAP_SYS_RAWIO */
	CHECK_CHILD(t_spawn(rawio_denied, (void *)name), 10000);
	CHECK_OK(t_file_read(GROUP_RAWIO, buf, sizeof(buf)));
	CHECK(!strcmp(buf, "N"));		/* the default */
	CHECK_OK(t_file_write(GROUP_RAWIO, "1"));
	CHECK_CHILD(t_spawn(rawio_allowed, (void *)name), 10000);
	CHECK_OK(t_file_write(GROUP_RAWIO, "0"));
	return T_EXIT_PASS;
}
