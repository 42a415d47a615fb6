/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for kernel/alloc.[ch]. */
#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
