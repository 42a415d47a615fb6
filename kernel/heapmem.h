/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - a heap's memory: its pages, their kernel mapping, the
 * allocator core's metadata, the status page and the class map, and what
 * they are charged against.  See heapmem.c, and the kernel-doc of each
 * function there.
 */
#ifndef _RTHEAP_KERNEL_HEAPMEM_H
#define _RTHEAP_KERNEL_HEAPMEM_H

#include <linux/mm_types.h>
#include <asm/page.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "alloc.h"

struct rtheap_info;
struct rtheap_range;
struct rtheap_status;

/* The module's limits on all heaps together, which RTHEAP_IOC_VERSION tells. */
extern unsigned int rtheap_max_heaps;
extern unsigned long long rtheap_max_bytes;

/*
 * The memory of one heap, embedded in the heap.  Its fields are heapmem.c's
 * alone (and the inline functions below): the heap uses the functions
 * that follow.  Fixed from rtheap_mem_create() to rtheap_mem_destroy(),
 * but for the status page's words, written under the heap's lock.
 */
struct rtheap_mem {
	/* The allocator over the pages, under the heap's lock; not H_SHARED. */
	struct rth_core core;
	u32 mode;			/* the heap's H_* */
	u32 npages;
	void *vaddr;			/* vmap() of pages */
	struct page **pages;
	phys_addr_t phys;		/* H_DMA, H_DMA32: the base, fixed */
	void *meta;			/* allocator metadata, never mapped */
	kuid_t cuid;			/* creator's euid, charged for the heap */
	struct mm_struct *mm;		/* creator's, its pinned_vm charged */
	bool kernel;			/* created by rt_heap_create() */
	bool uncached;			/* pages set uncached (H_NONCACHED) */

	/*
	 * The status page (struct rtheap_status), mapped read-only after the
	 * heap; written under the heap's lock, read locklessly by user space.
	 */
	struct rtheap_status *status;
	/*
	 * The class map: per page of the heap, 1 + its bucket class while it
	 * is a bucket page, else 0 (the core's, rth_set_class_map()), in
	 * pages of its own mapped read-only after the status page; none for
	 * H_SHARED.
	 */
	struct page **cmap_pages;
	u8 *cmap;
	u32 cmap_npages;
};

u32 rtheap_modes(void);
void rtheap_mem_limits_init(void);
int rtheap_mem_create(struct rtheap_mem *m, u64 size, u32 mode, bool kernel);
void rtheap_mem_destroy(struct rtheap_mem *m);
u32 *rtheap_mem_nwaiters(struct rtheap_mem *m);
void rtheap_mem_set_deleted(struct rtheap_mem *m);
int rtheap_mem_alloc_bulk(struct rtheap_mem *m, size_t size, unsigned int n,
			  u64 *offs);
void rtheap_mem_fill_info(const struct rtheap_mem *m,
			  const struct rth_stats *st, struct rtheap_info *info,
			  bool phys);
int rtheap_mem_shared_range(const struct rtheap_mem *m, u32 first,
			    struct rtheap_range *out, u32 *nextp);
void rtheap_mem_fill_ranges(const struct rth_page_range *r, int n,
			    struct rtheap_range *out);
struct page *rtheap_mem_page(const struct rtheap_mem *m, pgoff_t pgoff);
int rtheap_mem_mmap(struct rtheap_mem *m, struct vm_area_struct *vma);
int rtheap_mem_mmap_ro(struct rtheap_mem *m, struct vm_area_struct *vma);

/*
 * The allocator's calls the heap makes under its lock, inline as they are
 * the alloc and free paths: each is the core's function of the same name
 * (alloc.h) on the heap's core.
 */
static inline int rtheap_mem_alloc(struct rtheap_mem *m, size_t size,
				   size_t *offp)
{
	return rth_alloc(&m->core, size, offp);
}

static inline int rtheap_mem_free(struct rtheap_mem *m, size_t off)
{
	return rth_free(&m->core, off, NULL);
}

static inline size_t rtheap_mem_block_size(const struct rtheap_mem *m,
					   size_t off)
{
	return rth_block_size(&m->core, off);
}

static inline u64 rtheap_mem_largest_free(const struct rtheap_mem *m)
{
	return rth_largest_free(&m->core);
}

static inline void rtheap_mem_stats(const struct rtheap_mem *m,
				    struct rth_stats *st)
{
	rth_stats(&m->core, st);
}

static inline int rtheap_mem_summary(const struct rtheap_mem *m, u32 first,
				     struct rth_page_range *r,
				     unsigned int max, u32 *nextp)
{
	return rth_page_summary(&m->core, first, r, max, nextp);
}

/**
 * rtheap_mem_npages() - the heap's pages
 * @m: the memory
 *
 * Return: how many; the heap's size rounded up to whole pages.
 */
static inline u32 rtheap_mem_npages(const struct rtheap_mem *m)
{
	return m->npages;
}

/**
 * rtheap_mem_size() - the bytes of the heap's mapping
 * @m: the memory
 *
 * Return: rtheap_mem_npages() pages' worth.
 */
static inline u64 rtheap_mem_size(const struct rtheap_mem *m)
{
	return (u64)m->npages << PAGE_SHIFT;
}

/**
 * rtheap_mem_addr() - a kernel address in the heap
 * @m: the memory
 * @off: an offset within the heap
 *
 * Inline: the kernel API's alloc and free ask on every call.
 *
 * Return: the address of @off in the heap's kernel mapping.
 */
static inline void *rtheap_mem_addr(const struct rtheap_mem *m, size_t off)
{
	return (char *)m->vaddr + off;
}

/**
 * rtheap_mem_offset() - the offset of a kernel address within the heap
 * @m: the memory
 * @block: an address from rtheap_mem_addr()
 * @offp: where the offset goes
 *
 * Return: false if @block lies outside the heap.
 */
static inline bool rtheap_mem_offset(const struct rtheap_mem *m,
				     const void *block, size_t *offp)
{
	unsigned long off = (unsigned long)block - (unsigned long)m->vaddr;

	if (off >= rtheap_mem_size(m))
		return false;
	*offp = off;
	return true;
}

#endif /* _RTHEAP_KERNEL_HEAPMEM_H */
