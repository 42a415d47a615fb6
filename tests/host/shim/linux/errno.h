/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the uapi errno values. */
#include_next <linux/errno.h>
