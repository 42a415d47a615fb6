/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: see ../README.md. */
#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
