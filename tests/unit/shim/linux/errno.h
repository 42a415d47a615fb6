/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the errno values of the real uapi header. */
#include_next <linux/errno.h>
#include "../shim.h"
