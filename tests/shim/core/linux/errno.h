/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for kernel/alloc.[ch]: the uapi errno values. */
#include_next <linux/errno.h>
