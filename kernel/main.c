// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - real-time memory heaps for stock Linux: module entry points.
 *
 * heap.c is the heap object, waitq.c its wait queue and timeouts,
 * heapmem.c its memory and the module's limits, heapnames.c the heaps'
 * names (registry.c the generic registry under them), chardev.c the
 * /dev/rtheap ioctls and mmap, proc.c /proc/rtheap, api.c the exported
 * rt_heap_* kernel API, alloc.c the allocator core (alloc_check.c its
 * consistency checker, built for the tests only).
 */
#include <linux/init.h>
#include <linux/module.h>

#include "heap.h"
#include "rtheap.h"

static int __init rtheap_mod_init(void)
{
	int ret;

	ret = rtheap_init();
	if (ret)
		return ret;
	ret = rtheap_proc_init();
	if (ret)
		goto out_heap;
	ret = rtheap_chardev_init();
	if (ret)
		goto out_proc;
	return 0;

out_proc:
	rtheap_proc_exit();
out_heap:
	rtheap_exit();
	return ret;
}

static void __exit rtheap_mod_exit(void)
{
	rtheap_chardev_exit();
	rtheap_proc_exit();
	rtheap_exit();
}

module_init(rtheap_mod_init);
module_exit(rtheap_mod_exit);

MODULE_DESCRIPTION("Real-time memory heaps (RTAI/Xenomai style) over /dev/rtheap");
MODULE_LICENSE("GPL");
MODULE_VERSION(RTHEAP_VERSION);
