/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - small shims over kernel API changes since 6.1.
 */
#ifndef _RTHEAP_KERNEL_COMPAT_H
#define _RTHEAP_KERNEL_COMPAT_H

#include <linux/mm.h>

/*
 * Kbuild tests the headers for each feature (so backports count) and
 * defines RTHEAP_HAVE_* for those present.
 */

#ifndef RTHEAP_HAVE_VM_FLAGS_SET
/* 6.3 made vma->vm_flags read-only and added these accessors. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* _RTHEAP_KERNEL_COMPAT_H */
