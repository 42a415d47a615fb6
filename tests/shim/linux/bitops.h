/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the kernel's bit helpers kernel/alloc.c uses. */
#ifndef _RTHEAP_SHIM_BITOPS_H
#define _RTHEAP_SHIM_BITOPS_H
#include <linux/types.h>

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

static inline unsigned long __ffs64(u64 x)
{
	return __builtin_ctzll(x);
}

static inline unsigned int hweight64(u64 x)
{
	return __builtin_popcountll(x);
}
#endif
