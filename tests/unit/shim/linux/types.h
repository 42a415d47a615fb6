/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the real uapi types plus the kernel's, see ../shim.h. */
#include_next <linux/types.h>
#include "../shim.h"
