/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: see ../README.md. */
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
