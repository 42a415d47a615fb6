/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for kernel/alloc.[ch]. */
#include <string.h>
