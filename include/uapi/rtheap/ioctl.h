/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rtheap - user-space ABI of /dev/rtheap.
 *
 * One open file of /dev/rtheap is attached to at most one heap, by
 * RTHEAP_IOC_CREATE or RTHEAP_IOC_BIND.  Every later ioctl on that file
 * (alloc, free, inquire, delete) and mmap() act on the attached heap.
 * mmap() takes offset 0 and exactly rtheap_attach.map_size bytes, with
 * MAP_SHARED.  Blocks are named by their byte offset from the start of the
 * heap; kernel pointers never cross this boundary.
 *
 * Rules for every structure: fixed-width fields, explicit padding, and all
 * reserved/padding fields must be zero on input (else -EINVAL).  Unknown
 * flag bits are rejected with -EINVAL, unknown commands with -ENOTTY.
 */
#ifndef _UAPI_RTHEAP_IOCTL_H
#define _UAPI_RTHEAP_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define RTHEAP_ABI_VERSION	1
#define RTHEAP_DEVICE		"/dev/rtheap"
#define RTHEAP_NAMELEN		32	/* including the terminating NUL */
#define RTHEAP_NR_CLASSES	8	/* 16, 32, ... 2048-byte buckets */
#define RTHEAP_MIN_BLOCK	16

/* Heap modes (rt_heap_create), values compatible with Xenomai's. */
#define H_FIFO		0x0000	/* waiters served in arrival order */
#define H_PRIO		0x0001	/* waiters served by scheduling priority */
#define H_SHARED	0x0004	/* a single shared segment */
#define H_PERSIST	0x0100	/* survives the close of the creating file */
#define RTHEAP_MODE_MASK (H_PRIO | H_SHARED | H_PERSIST)

/* Features reported by RTHEAP_IOC_VERSION. */
#define RTHEAP_FEAT_PRIO	(1U << 0)
#define RTHEAP_FEAT_SHARED	(1U << 1)
#define RTHEAP_FEAT_ABS_TIMEOUT	(1U << 2)
#define RTHEAP_FEAT_LIST	(1U << 3)
#define RTHEAP_FEAT_DELETE_NAME	(1U << 4)

/* Timeouts, in nanoseconds. */
#define RTHEAP_TM_INFINITE	0ULL
#define RTHEAP_TM_NONBLOCK	(~0ULL)

struct rtheap_version {
	__u32 abi_version;	/* out: RTHEAP_ABI_VERSION of the module */
	__u32 features;		/* out: RTHEAP_FEAT_* */
	__u32 max_heaps;	/* out: module limit on live heaps */
	__u32 page_size;	/* out: granule of heap sizes */
	__u64 max_bytes;	/* out: module limit on heap bytes in total */
	__u64 reserved[4];	/* in: zero */
};

/* rtheap_create.flags */
#define RTHEAP_CREATE_PERM	(1U << 0)	/* .perm is valid */
#define RTHEAP_CREATE_GID	(1U << 1)	/* .gid is valid */
#define RTHEAP_CREATE_FLAGS	(RTHEAP_CREATE_PERM | RTHEAP_CREATE_GID)

struct rtheap_create {
	char name[RTHEAP_NAMELEN];	/* in: NUL-terminated; "" = anonymous */
	__u64 size;		/* in: requested usable bytes */
	__u32 mode;		/* in: H_* */
	__u32 flags;		/* in: RTHEAP_CREATE_* */
	__u32 perm;		/* in: permission bits (default 0600) */
	__u32 gid;		/* in: owning group (default: creator's) */
	__u64 reserved[4];	/* in: zero */
};

/* Filled by RTHEAP_IOC_CREATE and RTHEAP_IOC_BIND on success. */
struct rtheap_attach {
	__u32 id;		/* heap id, as shown by /proc/rtheap */
	__u32 mode;		/* H_* */
	__u64 map_size;		/* bytes to mmap() at offset 0 */
	__u64 heap_size;	/* as requested at create */
	__u64 reserved[2];
};

struct rtheap_create_arg {
	struct rtheap_create in;
	struct rtheap_attach out;
};

/* rtheap_bind.flags */
#define RTHEAP_TIMEOUT_ABS	(1U << 0)	/* timeout is a CLOCK_MONOTONIC deadline */

struct rtheap_bind {
	char name[RTHEAP_NAMELEN];	/* in */
	__u64 timeout;		/* in: ns; RTHEAP_TM_INFINITE / _NONBLOCK */
	__u32 flags;		/* in: RTHEAP_TIMEOUT_ABS */
	__u32 pad;		/* in: zero */
	__u64 reserved[2];	/* in: zero */
	struct rtheap_attach out;
};

struct rtheap_alloc {
	__u64 size;		/* in: bytes */
	__u64 timeout;		/* in: ns; RTHEAP_TM_INFINITE / _NONBLOCK */
	__u32 flags;		/* in: RTHEAP_TIMEOUT_ABS */
	__u32 pad;		/* in: zero */
	__u64 offset;		/* out: block offset within the heap */
	__u64 reserved[2];	/* in: zero */
};

struct rtheap_free {
	__u64 offset;		/* in: block offset, as returned by alloc */
	__u64 reserved[3];	/* in: zero */
};

struct rtheap_info {
	__u32 id;
	__u32 mode;
	__u64 heap_size;	/* as requested */
	__u64 usable_mem;	/* bytes that can be allocated */
	__u64 used_mem;		/* bytes allocated, after rounding */
	__u64 largest_free;	/* largest block an allocation gets now */
	__u32 nwaiters;		/* tasks blocked in alloc */
	__u32 nmaps;		/* live user mappings */
	__u32 nbound;		/* open files attached to the heap */
	__u32 uid;		/* owner */
	__u32 gid;
	__u32 perm;		/* permission bits */
	__u32 cpid;		/* creator's pid (0: kernel) */
	__u32 flags;		/* RTHEAP_INFO_* */
	__u64 class_blocks[RTHEAP_NR_CLASSES];	/* live blocks per bucket */
	__u64 run_pages;	/* pages held by multi-page blocks */
	char name[RTHEAP_NAMELEN];
	__u64 reserved[4];
};

#define RTHEAP_INFO_DELETED	(1U << 0)

struct rtheap_inquire {
	__u64 reserved[2];	/* in: zero */
	struct rtheap_info info;	/* out */
};

/*
 * RTHEAP_IOC_LIST: copies the heaps the caller may read (read permission or
 * CAP_IPC_OWNER) into the user array at .buf, up to .capacity entries;
 * .count returns how many such heaps exist.
 */
struct rtheap_list {
	__u64 buf;		/* in: user address of struct rtheap_info[] */
	__u32 capacity;		/* in: entries at .buf */
	__u32 count;		/* out: entries that exist */
	__u64 reserved[2];	/* in: zero */
};

struct rtheap_delete {
	__u64 reserved[2];	/* in: zero */
};

/*
 * RTHEAP_IOC_DELETE_NAME: delete a heap by name, on any open file, like
 * IPC_RMID: only the owner (or CAP_IPC_OWNER) may, whatever the heap's
 * permission bits.  -ENOENT if no heap has that name.
 */
struct rtheap_delete_name {
	char name[RTHEAP_NAMELEN];	/* in */
	__u64 reserved[2];	/* in: zero */
};

#define RTHEAP_IOC_MAGIC	0xB7

#define RTHEAP_IOC_VERSION	_IOWR(RTHEAP_IOC_MAGIC, 0x00, struct rtheap_version)
#define RTHEAP_IOC_CREATE	_IOWR(RTHEAP_IOC_MAGIC, 0x01, struct rtheap_create_arg)
#define RTHEAP_IOC_BIND		_IOWR(RTHEAP_IOC_MAGIC, 0x02, struct rtheap_bind)
#define RTHEAP_IOC_DELETE	_IOWR(RTHEAP_IOC_MAGIC, 0x03, struct rtheap_delete)
#define RTHEAP_IOC_ALLOC	_IOWR(RTHEAP_IOC_MAGIC, 0x04, struct rtheap_alloc)
#define RTHEAP_IOC_FREE		_IOWR(RTHEAP_IOC_MAGIC, 0x05, struct rtheap_free)
#define RTHEAP_IOC_INQUIRE	_IOWR(RTHEAP_IOC_MAGIC, 0x06, struct rtheap_inquire)
#define RTHEAP_IOC_LIST		_IOWR(RTHEAP_IOC_MAGIC, 0x07, struct rtheap_list)
#define RTHEAP_IOC_NOP		_IO(RTHEAP_IOC_MAGIC, 0x08)	/* cheapest call */
#define RTHEAP_IOC_DELETE_NAME	_IOWR(RTHEAP_IOC_MAGIC, 0x09, struct rtheap_delete_name)

#endif /* _UAPI_RTHEAP_IOCTL_H */
