// SPDX-License-Identifier: GPL-2.0
/*
 * With rtheap.ko not loaded, libheap's bind says -ENODEV (and create fails
 * cleanly).  The runner runs this after its final `rmmod rtheap'.
 */
#include <unistd.h>

#include "tcommon.h"

int main(void)
{
	RT_HEAP h;
	int ret;

	if (!access("/sys/module/rtheap", F_OK))
		t_skip("rtheap is loaded; run after rmmod rtheap");
	CHECK_RET(rt_heap_bind(&h, "t_nodev"), -ENODEV);
	CHECK_RET(rt_heap_bind_timed(&h, "t_nodev", TM_NONBLOCK), -ENODEV);
	CHECK_RET(rt_heap_bind_timed(&h, "t_nodev", 1000000), -ENODEV);
	ret = rt_heap_create(&h, "t_nodev", T_PAGE, H_FIFO);
	CHECKF(ret < 0, "create without the module returned %s",
	       t_errname(ret));
	return T_EXIT_PASS;
}
