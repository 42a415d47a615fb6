// SPDX-License-Identifier: GPL-2.0
/*
 * vmrun_hello - harness self-test module for scripts/vm-run.
 *
 * Loads quietly by default.  warn=1 makes its init hit WARN_ON(1), which
 * must make vm-run fail the run: that proves the kernel log scan works.
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/bug.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "hit WARN_ON(1) in module init");

static int __init vmrun_hello_init(void)
{
	pr_info("vmrun_hello: loaded (warn=%d)\n", warn);
	WARN_ON(warn);
	return 0;
}

static void __exit vmrun_hello_exit(void)
{
	pr_info("vmrun_hello: unloaded\n");
}

module_init(vmrun_hello_init);
module_exit(vmrun_hello_exit);
MODULE_DESCRIPTION("scripts/vm-run self-test module");
MODULE_LICENSE("GPL");
