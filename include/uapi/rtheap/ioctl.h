/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rtheap - user-space ABI of /dev/rtheap.
 *
 * One open file of /dev/rtheap is attached to at most one heap, by
 * RTHEAP_IOC_CREATE or RTHEAP_IOC_BIND.  Every later ioctl on that file
 * (alloc, free, inquire, pagemap, delete) and mmap() act on the attached
 * heap.  mmap() takes offset 0 and exactly rtheap_attach.map_size bytes, with
 * MAP_SHARED; or (RTHEAP_FEAT_STATUS_PAGE) offset map_size and one page,
 * PROT_READ only, for the heap's struct rtheap_status.  Blocks are named by
 * their byte offset from the start of the heap; kernel pointers never
 * cross this boundary.
 *
 * Rules for every structure: fixed-width fields, explicit padding, and all
 * reserved/padding fields must be zero on input (else -EINVAL).  Unknown
 * flag bits are rejected with -EINVAL, unknown commands with -ENOTTY.
 *
 * RTHEAP_ABI_VERSION names this ABI; RTHEAP_IOC_VERSION reports it with
 * the module's feature bits.  A library and a module of different ABI
 * versions refuse each other: the library does not use a module whose
 * abi_version differs from the one it was built with.  A feature the
 * module lacks is named by its RTHEAP_FEAT_* bit being clear.
 */
#ifndef _UAPI_RTHEAP_IOCTL_H
#define _UAPI_RTHEAP_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define RTHEAP_ABI_VERSION	2
#define RTHEAP_DEVICE		"/dev/rtheap"
#define RTHEAP_NAMELEN		32	/* including the terminating NUL */
/* Bucket classes: 16 << i bytes, up to PAGE_SIZE / 2 (12 at 64 KiB pages). */
#define RTHEAP_MAX_CLASSES	12
#define RTHEAP_MIN_BLOCK	16

/*
 * Heap modes (rt_heap_create).  H_FIFO, H_PRIO and H_SINGLE have Xenomai 3's
 * values; the others are rtheap's own, clear of every number Xenomai gave a
 * heap mode (the compatibility headers translate by name).
 */
#define H_FIFO		0x0000	/* waiters served in arrival order */
#define H_PRIO		0x0001	/* waiters served by scheduling priority */
#define H_SINGLE	0x0004	/* a single shared segment */
#define H_SHARED	H_SINGLE
#define H_PERSIST	0x0100	/* survives the creating process */
#define H_DMA		0x10000	/* physically contiguous */
#define H_DMA32		0x20000	/* physically contiguous, below 4 GiB */
#define H_NONCACHED	0x40000	/* mapped uncached, in the kernel and user space */
#define RTHEAP_MODE_MASK (H_PRIO | H_SINGLE | H_PERSIST | H_DMA | H_DMA32 | \
			  H_NONCACHED)

/* Features reported by RTHEAP_IOC_VERSION. */
#define RTHEAP_FEAT_PRIO	(1U << 0)
#define RTHEAP_FEAT_SHARED	(1U << 1)
#define RTHEAP_FEAT_ABS_TIMEOUT	(1U << 2)
#define RTHEAP_FEAT_LIST	(1U << 3)
#define RTHEAP_FEAT_DELETE_NAME	(1U << 4)
#define RTHEAP_FEAT_DMA		(1U << 5)	/* H_DMA */
#define RTHEAP_FEAT_DMA32	(1U << 6)	/* H_DMA32 */
#define RTHEAP_FEAT_NONCACHED	(1U << 7)	/* H_NONCACHED */
#define RTHEAP_FEAT_PHYS_ADDR	(1U << 8)	/* rtheap_info.phys_addr */
#define RTHEAP_FEAT_BIND_OWNER	(1U << 9)	/* RTHEAP_BIND_OWNER */
#define RTHEAP_FEAT_BULK	(1U << 10)	/* RTHEAP_IOC_{ALLOC,FREE}_BULK */
#define RTHEAP_FEAT_FREE_OFF	(1U << 11)	/* RTHEAP_IOC_FREE_OFF */
#define RTHEAP_FEAT_MAP		(1U << 12)	/* RTHEAP_IOC_PAGEMAP */
#define RTHEAP_FEAT_STATUS_PAGE	(1U << 13)	/* struct rtheap_status */
#define RTHEAP_FEAT_ALLOC_NB	(1U << 14)	/* RTHEAP_IOC_ALLOC_NB */
#define RTHEAP_FEAT_CLASS_MAP	(1U << 15)	/* the class map, below */

/*
 * The class map of a heap (not H_SHARED): mapped read-only at offset
 * map_size + page_size, DIV_ROUND_UP(map_size / page_size, page_size)
 * pages; byte p is 1 + the bucket class of heap page p while that page
 * holds blocks of a class (class_size[] of RTHEAP_IOC_VERSION), else 0.
 * It changes only when a page takes or gives up a class, which it cannot
 * do while any of its blocks lives: whoever holds a live block can read
 * its true size there.
 */

/**
 * struct rtheap_status - the status page, mapped at offset map_size
 * @nwaiters: tasks queued in alloc now; the module writes it (a single
 *	aligned store) whenever it changes, under the heap lock
 * @flags: RTHEAP_STATUS_* bits, set under the heap lock
 * @reserved: zero, for later fields
 *
 * One page, mapped read-only (never writable, never executable) by any
 * process attached to the heap.  The rest of the page reads as zero.
 */
struct rtheap_status {
	__u32 nwaiters;
	__u32 flags;
	__u32 reserved[14];
};

#define RTHEAP_STATUS_DELETED	(1U << 0)	/* the heap is deleted */

/* Timeouts, in nanoseconds. */
#define RTHEAP_TM_INFINITE	0ULL
#define RTHEAP_TM_NONBLOCK	(~0ULL)

/**
 * struct rtheap_version - RTHEAP_IOC_VERSION, the feature handshake
 * @abi_version: out: RTHEAP_ABI_VERSION of the module
 * @features: out: RTHEAP_FEAT_* bits
 * @max_heaps: out: the module's limit on live heaps
 * @page_size: out: the granule of heap sizes
 * @max_bytes: out: the module's limit on heap bytes in total
 * @nr_classes: out: the module's bucket classes, 8 to RTHEAP_MAX_CLASSES
 *	(8, 10, 12 at 4, 16, 64 KiB pages)
 * @class_size: out: each class's block size in bytes, 0 past @nr_classes
 * @reserved: in: zero
 */
struct rtheap_version {
	__u32 abi_version;
	__u32 features;
	__u32 max_heaps;
	__u32 page_size;
	__u64 max_bytes;
	__u32 nr_classes;
	__u32 class_size[RTHEAP_MAX_CLASSES];
	__u32 reserved[9];
};

/* rtheap_create.flags */
#define RTHEAP_CREATE_PERM	(1U << 0)	/* .perm is valid */
#define RTHEAP_CREATE_GID	(1U << 1)	/* .gid is valid */
#define RTHEAP_CREATE_FLAGS	(RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID)

/**
 * struct rtheap_create - what RTHEAP_IOC_CREATE makes
 * @name: NUL-terminated, 1-31 printable characters without space or '/';
 *	"" for an anonymous heap
 * @size: usable bytes asked for
 * @mode: H_* bits
 * @flags: RTHEAP_CREATE_* bits: which of @perm and @gid are given
 * @perm: permission bits (default 0600)
 * @gid: owning group (default: the creator's)
 * @reserved: zero
 */
struct rtheap_create {
	char name[RTHEAP_NAMELEN];
	__u64 size;
	__u32 mode;
	__u32 flags;
	__u32 perm;
	__u32 gid;
	__u64 reserved[4];
};

/**
 * struct rtheap_attach - the heap a create or a bind attached the file to
 * @id: heap id, as /proc/rtheap shows it
 * @mode: H_* bits
 * @map_size: bytes to mmap() at offset 0
 * @heap_size: as asked for at create
 * @reserved: zero
 */
struct rtheap_attach {
	__u32 id;
	__u32 mode;
	__u64 map_size;
	__u64 heap_size;
	__u64 reserved[2];
};

/**
 * struct rtheap_create_arg - the argument of RTHEAP_IOC_CREATE
 * @in: the heap to make
 * @out: filled on success
 */
struct rtheap_create_arg {
	struct rtheap_create in;
	struct rtheap_attach out;
};

/* rtheap_bind.flags */
#define RTHEAP_TIMEOUT_ABS	(1U << 0)	/* timeout is a CLOCK_MONOTONIC deadline */
#define RTHEAP_BIND_OWNER	(1U << 1)	/* only a heap of the caller's or root's */

/**
 * struct rtheap_bind - the argument of RTHEAP_IOC_BIND
 * @name: in: the heap's name, NUL-terminated
 * @timeout: in: ns to wait for its creation; RTHEAP_TM_INFINITE or
 *	RTHEAP_TM_NONBLOCK
 * @flags: in: RTHEAP_TIMEOUT_ABS makes @timeout a CLOCK_MONOTONIC deadline;
 *	RTHEAP_BIND_OWNER binds only a heap owned by the caller's fsuid or by
 *	root (else -EACCES), against a heap made first under the name by
 *	someone else
 * @pad: in: zero
 * @reserved: in: zero
 * @out: filled on success
 */
struct rtheap_bind {
	char name[RTHEAP_NAMELEN];
	__u64 timeout;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
	struct rtheap_attach out;
};

/**
 * struct rtheap_alloc - the argument of RTHEAP_IOC_ALLOC
 * @size: in: bytes
 * @timeout: in: ns; RTHEAP_TM_INFINITE or RTHEAP_TM_NONBLOCK
 * @flags: in: RTHEAP_TIMEOUT_ABS makes @timeout a CLOCK_MONOTONIC deadline
 * @pad: in: zero
 * @offset: out: the block's offset within the heap
 * @reserved: in: zero
 */
struct rtheap_alloc {
	__u64 size;
	__u64 timeout;
	__u32 flags;
	__u32 pad;
	__u64 offset;
	__u64 reserved[2];
};

/**
 * struct rtheap_free - the argument of RTHEAP_IOC_FREE
 * @offset: in: the block's offset, as RTHEAP_IOC_ALLOC returned it
 * @reserved: in: zero
 */
struct rtheap_free {
	__u64 offset;
	__u64 reserved[3];
};

/**
 * struct rtheap_info - a heap, as RTHEAP_IOC_INQUIRE and RTHEAP_IOC_LIST
 *	describe it
 * @id: heap id
 * @mode: H_* bits
 * @heap_size: as asked for at create
 * @usable_mem: bytes that can be allocated
 * @used_mem: bytes allocated, after rounding
 * @largest_free: the largest block an allocation gets now
 * @nwaiters: tasks blocked in alloc
 * @nmaps: live user mappings
 * @nbound: open files attached to the heap
 * @uid: owner
 * @gid: group
 * @perm: permission bits
 * @cpid: the creator's pid (0: kernel)
 * @flags: RTHEAP_INFO_* bits
 * @class_blocks: live blocks per bucket class (16, 32, ... bytes), 0 past
 *	@nr_classes
 * @run_pages: pages held by multi-page blocks
 * @name: NUL-terminated; "" for an anonymous heap
 * @phys_addr: physical address of an H_DMA or H_DMA32 heap, for holders
 *	of CAP_SYS_ADMIN; 0 otherwise
 * @nr_classes: the module's bucket classes (as RTHEAP_IOC_VERSION reports)
 * @pad: zero
 * @reserved: zero
 */
struct rtheap_info {
	__u32 id;
	__u32 mode;
	__u64 heap_size;
	__u64 usable_mem;
	__u64 used_mem;
	__u64 largest_free;
	__u32 nwaiters;
	__u32 nmaps;
	__u32 nbound;
	__u32 uid;
	__u32 gid;
	__u32 perm;
	__u32 cpid;
	__u32 flags;
	__u64 class_blocks[RTHEAP_MAX_CLASSES];
	__u64 run_pages;
	char name[RTHEAP_NAMELEN];
	__u64 phys_addr;
	__u32 nr_classes;
	__u32 pad;
	__u64 reserved[2];
};

#define RTHEAP_INFO_DELETED	(1U << 0)	/* rtheap_info.flags */

/**
 * struct rtheap_inquire - the argument of RTHEAP_IOC_INQUIRE
 * @reserved: in: zero
 * @info: out: the attached heap
 */
struct rtheap_inquire {
	__u64 reserved[2];
	struct rtheap_info info;
};

/**
 * struct rtheap_list - the argument of RTHEAP_IOC_LIST
 * @buf: in: user address of an array of struct rtheap_info
 * @capacity: in: entries at @buf
 * @count: out: how many heaps the caller may read (read permission or
 *	CAP_IPC_OWNER); up to @capacity of them are copied to @buf
 * @reserved: in: zero
 */
struct rtheap_list {
	__u64 buf;
	__u32 capacity;
	__u32 count;
	__u64 reserved[2];
};

/**
 * struct rtheap_delete - the argument of RTHEAP_IOC_DELETE
 * @reserved: in: zero
 */
struct rtheap_delete {
	__u64 reserved[2];
};

/**
 * struct rtheap_delete_name - the argument of RTHEAP_IOC_DELETE_NAME
 * @name: in: the heap's name
 * @reserved: in: zero
 *
 * Deletes a heap by name, on any open file, like IPC_RMID: only the owner
 * (or CAP_IPC_OWNER) may, whatever the heap's permission bits.  -ENOENT
 * if no heap has that name.
 */
struct rtheap_delete_name {
	char name[RTHEAP_NAMELEN];
	__u64 reserved[2];
};

/* Blocks one RTHEAP_IOC_ALLOC_BULK or RTHEAP_IOC_FREE_BULK moves, at most. */
#define RTHEAP_BULK_MAX		64

/**
 * struct rtheap_alloc_bulk - the argument of RTHEAP_IOC_ALLOC_BULK
 * @size: in: bytes of every block
 * @offsets: in: user address of an array of @count __u64; out: there, the
 *	blocks' offsets
 * @count: in: blocks wanted, 1 to RTHEAP_BULK_MAX
 * @flags: in: zero
 * @reserved: in: zero
 *
 * All or nothing, never waiting (as RTHEAP_TM_NONBLOCK): either @count
 * blocks, taken under one hold of the heap lock, or none and
 * -EWOULDBLOCK.  An H_SHARED heap refuses it (-EINVAL).  If the offsets
 * cannot be written out (-EFAULT) the blocks are given back.
 */
struct rtheap_alloc_bulk {
	__u64 size;
	__u64 offsets;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct rtheap_free_bulk - the argument of RTHEAP_IOC_FREE_BULK
 * @offsets: in: user address of an array of @count __u64 block offsets
 * @results: in: user address of an array of @count __s32, or 0; out:
 *	there, per block 0 (freed) or -EINVAL (not a live block)
 * @count: in: blocks, 1 to RTHEAP_BULK_MAX
 * @pad: in: zero
 * @reserved: in: zero
 *
 * Every block is validated as RTHEAP_IOC_FREE does; a bad one does not
 * stop the others.  Waiters are then served once, inside the call.  The
 * ioctl returns how many blocks were not freed (0: all were).  An
 * H_SHARED heap refuses it (-EINVAL).  On -EFAULT for @offsets or
 * @results (probed before anything is freed) nothing is freed.  When the
 * call fails (-1 and errno), nothing is freed and @results may have been
 * zeroed.
 */
struct rtheap_free_bulk {
	__u64 offsets;
	__u64 results;
	__u32 count;
	__u32 pad;
	__u64 reserved[2];
};

/* rtheap_range.kind: what a range of pages holds. */
#define RTHEAP_RANGE_FREE	1	/* free pages, merged into runs */
#define RTHEAP_RANGE_KEPT	2	/* free single pages kept unmerged */
#define RTHEAP_RANGE_BUCKET	3	/* bucket pages of class .cls */
#define RTHEAP_RANGE_RUN	4	/* multi-page (or whole-page) blocks */
#define RTHEAP_RANGE_SHARED	5	/* an H_SHARED heap's one segment */

/* Ranges RTHEAP_IOC_PAGEMAP fills per call, at most. */
#define RTHEAP_PAGEMAP_MAX	64

/**
 * struct rtheap_range - a range of equal pages, as RTHEAP_IOC_PAGEMAP
 *	describes it
 * @first: its first page (page @first starts at byte @first * page size)
 * @count: its length in pages
 * @kind: RTHEAP_RANGE_*
 * @cls: RTHEAP_RANGE_BUCKET: the size class (16 << @cls bytes); else 0
 * @pad: zero
 * @used: RTHEAP_RANGE_BUCKET: blocks in use in each of its pages;
 *	RTHEAP_RANGE_RUN: allocated blocks in the range, all of
 *	@count / @used pages; else 0
 * @reserved: zero
 *
 * Neighbours of one kind collapse into one range: bucket pages of the
 * same class and use, kept pages, and blocks of equal length.
 */
struct rtheap_range {
	__u32 first;
	__u32 count;
	__u8 kind;
	__u8 cls;
	__u16 pad;
	__u32 used;
	__u32 reserved[2];
};

/**
 * struct rtheap_pagemap - the argument of RTHEAP_IOC_PAGEMAP
 * @first: in: the first page to describe: 0, or @next of an earlier call
 * @capacity: in: entries at @ranges, 1 or more; the module fills at most
 *	RTHEAP_PAGEMAP_MAX per call
 * @ranges: in: user address of an array of struct rtheap_range
 * @count: out: ranges filled, in page order
 * @next: out: the page to continue from; @npages when the map is complete
 * @npages: out: the heap's pages
 * @pad: in: zero
 * @reserved: in: zero
 *
 * Describes the attached heap's pages at page granularity, a bounded part
 * per call.  -EINVAL when @first is past the heap or inside a run (the
 * heap changed since the call that returned it: start again from 0),
 * -EIDRM once the heap is deleted.
 */
struct rtheap_pagemap {
	__u32 first;
	__u32 capacity;
	__u64 ranges;
	__u32 count;
	__u32 next;
	__u32 npages;
	__u32 pad;
	__u64 reserved[2];
};

/*
 * The ioctl type byte.  The kernel's ioctl-number table
 * (Documentation/userspace-api/ioctl/ioctl-number.rst) lists no user of
 * 0xBC; 0xB7, its neighbour, is nsfs's and remoteproc's.
 */
#define RTHEAP_IOC_MAGIC	0xBC

#define RTHEAP_IOC_CREATE	_IOWR(RTHEAP_IOC_MAGIC, 0x01, struct rtheap_create_arg)
#define RTHEAP_IOC_BIND		_IOWR(RTHEAP_IOC_MAGIC, 0x02, struct rtheap_bind)
#define RTHEAP_IOC_DELETE	_IOWR(RTHEAP_IOC_MAGIC, 0x03, struct rtheap_delete)
#define RTHEAP_IOC_ALLOC	_IOWR(RTHEAP_IOC_MAGIC, 0x04, struct rtheap_alloc)
#define RTHEAP_IOC_FREE		_IOWR(RTHEAP_IOC_MAGIC, 0x05, struct rtheap_free)
#define RTHEAP_IOC_NOP		_IO(RTHEAP_IOC_MAGIC, 0x08)	/* cheapest call */
#define RTHEAP_IOC_DELETE_NAME	_IOWR(RTHEAP_IOC_MAGIC, 0x09, struct rtheap_delete_name)
#define RTHEAP_IOC_VERSION	_IOWR(RTHEAP_IOC_MAGIC, 0x0a, struct rtheap_version)
#define RTHEAP_IOC_INQUIRE	_IOWR(RTHEAP_IOC_MAGIC, 0x0b, struct rtheap_inquire)
/* struct rtheap_list with a buffer of struct rtheap_info */
#define RTHEAP_IOC_LIST		_IOWR(RTHEAP_IOC_MAGIC, 0x0c, struct rtheap_list)
#define RTHEAP_IOC_PAGEMAP	_IOWR(RTHEAP_IOC_MAGIC, 0x10, struct rtheap_pagemap)

#define RTHEAP_IOC_ALLOC_BULK	_IOW(RTHEAP_IOC_MAGIC, 0x0d, struct rtheap_alloc_bulk)
#define RTHEAP_IOC_FREE_BULK	_IOW(RTHEAP_IOC_MAGIC, 0x0e, struct rtheap_free_bulk)
/*
 * RTHEAP_IOC_ALLOC's free, by value: the ioctl's argument is the block's
 * offset itself (no structure to copy; a 32-bit caller's offsets are below
 * 4 GiB).  0, -EINVAL (no heap attached, or not a live block) or -EIDRM,
 * as RTHEAP_IOC_FREE.  RTHEAP_FEAT_FREE_OFF.
 */
#define RTHEAP_IOC_FREE_OFF	_IO(RTHEAP_IOC_MAGIC, 0x0f)
/*
 * RTHEAP_IOC_ALLOC with TM_NONBLOCK, by value: the ioctl's argument is the
 * size, its return value the block's offset divided by RTHEAP_MIN_BLOCK
 * (offsets are multiples of it), so nothing is copied either way and the
 * caller always learns of its block.  -EINVAL (no heap attached, size 0 or
 * larger than the heap can ever give, or a heap over RTHEAP_ALLOC_NB_MAX
 * bytes, whose offsets might not fit), -EWOULDBLOCK or -EIDRM, as
 * RTHEAP_IOC_ALLOC.  RTHEAP_FEAT_ALLOC_NB.
 */
#define RTHEAP_IOC_ALLOC_NB	_IO(RTHEAP_IOC_MAGIC, 0x11)
#define RTHEAP_ALLOC_NB_MAX	((__u64)0x7fffffff * RTHEAP_MIN_BLOCK)

#endif /* _UAPI_RTHEAP_IOCTL_H */
