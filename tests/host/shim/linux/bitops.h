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

/*
 * __ffs() and __fls() (x != 0) as arch/x86/include/asm/bitops.h has them
 * on x86-64, so that host benchmarks run the kernel's instructions: the
 * builtins return int, which gcc then sign-extends at every use.
 */
#ifdef __x86_64__
static inline unsigned long __ffs(unsigned long x)
{
	asm("rep; bsf %1,%0" : "=r" (x) : "rm" (x));
	return x;
}

static inline unsigned long __fls(unsigned long x)
{
	asm("bsr %1,%0" : "=r" (x) : "rm" (x));
	return x;
}
#else
static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

static inline unsigned long __fls(unsigned long x)
{
	return 8 * sizeof(long) - 1 - __builtin_clzl(x);
}
#endif

static inline unsigned long __ffs64(u64 x)
{
	return __ffs((unsigned long)x);
}

static inline unsigned int hweight64(u64 x)
{
	return __builtin_popcountll(x);
}
#endif
