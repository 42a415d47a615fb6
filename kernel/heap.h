/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - the heap object, shared by the char device, /proc and the
 * exported kernel API.  See heap.c for locking and lifetime rules, and
 * the kernel-doc of each function there.
 */
#ifndef _RTHEAP_KERNEL_HEAP_H
#define _RTHEAP_KERNEL_HEAP_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <rtheap/ioctl.h>

struct rtheap_tmo;
struct user_namespace;
struct vm_area_struct;

/*
 * The heap object.  Its fields are heap.c's alone: everything else uses
 * the functions below.
 */
struct rtheap;

struct rtheap_params {
	const char *name;		/* NULL or "": anonymous */
	u64 size;
	u32 mode;
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
	bool kernel;
};

int rtheap_init(void);
void rtheap_exit(void);

unsigned int rtheap_nr_classes(void);
size_t rtheap_class_size(unsigned int cls);

/* Life: on success *hp holds a reference of the caller's. */
int rtheap_create(const struct rtheap_params *p, struct rtheap **hp);
int rtheap_delete(struct rtheap *h);
int rtheap_user_delete(struct rtheap *h);
bool rtheap_tryget(struct rtheap *h);
void rtheap_put(struct rtheap *h);
bool rtheap_deleted(const struct rtheap *h);

/* Blocks, by offset from the start of the heap. */
int rtheap_alloc(struct rtheap *h, size_t size, const struct rtheap_tmo *t,
		 bool can_block, size_t *offp);
int rtheap_free(struct rtheap *h, size_t off);
int rtheap_alloc_irqoff(struct rtheap *h, size_t size, size_t *offp);
long rtheap_alloc_nb(struct rtheap *h, size_t size);
int rtheap_free_irqoff(struct rtheap *h, size_t off);
int rtheap_alloc_bulk(struct rtheap *h, size_t size, unsigned int n, u64 *offs);
int rtheap_free_bulk(struct rtheap *h, unsigned int n, const u64 *offs,
		     s32 *results);
void *rtheap_addr(const struct rtheap *h, size_t off);
bool rtheap_offset(const struct rtheap *h, const void *block, size_t *offp);

/* Open files of /dev/rtheap and their mappings. */
void rtheap_attach(struct rtheap *h);
void rtheap_detach(struct rtheap *h, bool creator);
int rtheap_mmap(struct rtheap *h, struct vm_area_struct *vma);

/* Information, owner and permissions. */
void rtheap_fill_attach(const struct rtheap *h, struct rtheap_attach *at);
void rtheap_fill_info(struct rtheap *h, struct rtheap_info *info,
		      struct user_namespace *ns, bool phys);
bool rtheap_phys_visible(struct rtheap *h);
int rtheap_page_map(struct rtheap *h, u32 first, struct rtheap_range *out,
		    unsigned int max, u32 *nextp, u32 *npagesp);
int rtheap_set_owner(struct rtheap *h, kuid_t uid, kgid_t gid, umode_t perm);
bool rtheap_permitted(struct rtheap *h, int want);
bool rtheap_trusted_owner(struct rtheap *h);
bool rtheap_mode_permits(struct rtheap *h, int want);

/* For heapnames.c: the heap its registry entry belongs to. */
struct rtreg_entry;
struct rtheap *rtheap_from_entry(struct rtreg_entry *e);

#endif /* _RTHEAP_KERNEL_HEAP_H */
