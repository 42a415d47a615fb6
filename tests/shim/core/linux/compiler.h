/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for kernel/alloc.[ch]. */
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
