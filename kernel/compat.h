/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - small shims over kernel API changes since 6.1.
 */
#ifndef _RTHEAP_KERNEL_COMPAT_H
#define _RTHEAP_KERNEL_COMPAT_H

#include <linux/fs.h>
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

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * 6.12 dropped no_llseek: a file without ->llseek is not seekable.  Since
 * 6.0 it has been "#define no_llseek NULL", and before, a NULL ->llseek
 * meant no_llseek too.
 */
#ifndef no_llseek
#define no_llseek NULL
#endif

#endif /* _RTHEAP_KERNEL_COMPAT_H */
