// SPDX-License-Identifier: MIT
/*
 * libheap - the device layer: /dev/rtheap opened and its handshake made,
 * and each ioctl libheap uses as one small function.  Blocks cross the
 * ioctl boundary as byte offsets from the start of the heap; the
 * allocating calls turn them into addresses in the descriptor's mapping.
 * Nothing here calls back into the API or the cache.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* The module frees by value (RTHEAP_IOC_FREE_OFF): set by every open. */
static int free_by_value;
/* The module allocates by value (RTHEAP_IOC_ALLOC_NB): the same. */
static int alloc_by_value;

int lh_dev_version(int fd, struct rtheap_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	if (ioctl(fd, RTHEAP_IOC_VERSION, ver) < 0)
		return -errno;
	return 0;
}

int lh_dev_open(struct rtheap_version *ver)
{
	struct rtheap_version v;
	int fd, err;

	fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			return -ENODEV;
		return -err;
	}

	err = lh_dev_version(fd, &v);
	if (err) {
		/* No command of this ABI: a module of another one. */
		lh_dev_close(fd);
		return err == -ENOTTY ? -EPROTO : err;
	}
	if (v.abi_version != RTHEAP_ABI_VERSION || !v.nr_classes ||
	    v.nr_classes > RTHEAP_MAX_CLASSES) {
		lh_dev_close(fd);
		return -EPROTO;
	}
	atomic_store_relaxed(&free_by_value,
			     !!(v.features & RTHEAP_FEAT_FREE_OFF));
	atomic_store_relaxed(&alloc_by_value,
			     !!(v.features & RTHEAP_FEAT_ALLOC_NB));
	if (ver)
		*ver = v;
	return fd;
}

void lh_dev_close(int fd)
{
	close(fd);
}

int lh_dev_create(int fd, struct rtheap_create_arg *arg)
{
	return ioctl(fd, RTHEAP_IOC_CREATE, arg) < 0 ? -errno : 0;
}

int lh_dev_bind(int fd, struct rtheap_bind *arg)
{
	return ioctl(fd, RTHEAP_IOC_BIND, arg) < 0 ? -errno : 0;
}

int lh_dev_delete(int fd)
{
	struct rtheap_delete del;

	memset(&del, 0, sizeof(del));
	return ioctl(fd, RTHEAP_IOC_DELETE, &del) < 0 ? -errno : 0;
}

int lh_dev_inquire(int fd, struct rtheap_info *info)
{
	struct rtheap_inquire q;

	memset(&q, 0, sizeof(q));
	if (ioctl(fd, RTHEAP_IOC_INQUIRE, &q) < 0)
		return -errno;
	*info = q.info;
	return 0;
}

int lh_dev_alloc(const RT_HEAP *heap, size_t size, RTIME timeout,
		 unsigned int flags, void **blockp)
{
	struct rtheap_alloc arg;

	/*
	 * TM_NONBLOCK by value: the size in, the offset (in RTHEAP_MIN_BLOCK
	 * units) as the return value; nothing copied either way.  Heaps over
	 * RTHEAP_ALLOC_NB_MAX bytes (units past INT_MAX) go by struct.
	 */
	if (timeout == TM_NONBLOCK && !flags &&
	    atomic_load_relaxed(&alloc_by_value) &&
	    heap->mapsize / RTHEAP_MIN_BLOCK <= INT_MAX) {
		int units = ioctl(heap->fd, RTHEAP_IOC_ALLOC_NB,
				  (unsigned long)size);

		if (units >= 0) {
			arg.offset = (uint64_t)units * RTHEAP_MIN_BLOCK;
			goto got;
		}
		if (errno != ENOTTY)
			return -errno;
		/* A module without it (another one loaded since): by struct. */
	}
	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	arg.timeout = timeout;
	arg.flags = flags;
	if (ioctl(heap->fd, RTHEAP_IOC_ALLOC, &arg) < 0)
		return -errno;
got:
	if (arg.offset >= heap->mapsize)
		return -EPROTO;	/* the module handed out a block we cannot see */
	*blockp = (char *)heap->base + arg.offset;
	return 0;
}

int lh_dev_free(const RT_HEAP *heap, size_t off)
{
	struct rtheap_free arg;

	if (atomic_load_relaxed(&free_by_value)) {
		if (ioctl(heap->fd, RTHEAP_IOC_FREE_OFF, (unsigned long)off) == 0)
			return 0;
		if (errno != ENOTTY)
			return -errno;
		/* A module without it (another one loaded since): by struct. */
	}
	memset(&arg, 0, sizeof(arg));
	arg.offset = off;
	if (ioctl(heap->fd, RTHEAP_IOC_FREE, &arg) < 0)
		return -errno;
	return 0;
}

/*
 * The bulk calls.  A module without them (no RTHEAP_FEAT_BULK) answers
 * -ENOTTY, turned into -EOPNOTSUPP as every missing feature is: they are
 * not emulated with single calls, which could not keep alloc's
 * all-or-nothing from other threads' view.
 */
int lh_dev_alloc_bulk(const RT_HEAP *heap, size_t size, size_t n,
		      void *blocks[])
{
	struct rtheap_alloc_bulk arg;
	__u64 offs[RTHEAP_BULK_MAX];
	size_t i;

	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	arg.offsets = (uintptr_t)offs;
	arg.count = n;
	if (ioctl(heap->fd, RTHEAP_IOC_ALLOC_BULK, &arg) < 0)
		return errno == ENOTTY ? -EOPNOTSUPP : -errno;
	for (i = 0; i < n; i++)
		if (offs[i] >= heap->mapsize)
			return -EPROTO;	/* a block we cannot see */
	for (i = 0; i < n; i++)
		blocks[i] = (char *)heap->base + offs[i];
	return 0;
}

int lh_dev_free_bulk(int fd, size_t n, const __u64 *offs, __s32 *results)
{
	struct rtheap_free_bulk arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.offsets = (uintptr_t)offs;
	arg.results = (uintptr_t)results;
	arg.count = n;
	ret = ioctl(fd, RTHEAP_IOC_FREE_BULK, &arg);
	if (ret < 0)
		return errno == ENOTTY ? -EOPNOTSUPP : -errno;
	return ret;
}

/* One ioctl on a fresh, unattached file; -EOPNOTSUPP without feature. */
static int dev_call(unsigned int feature, unsigned long cmd, void *arg)
{
	struct rtheap_version ver;
	int fd, ret = 0;

	fd = lh_dev_open(&ver);
	if (fd < 0)
		return fd;
	if (!(ver.features & feature))
		ret = -EOPNOTSUPP;
	else if (ioctl(fd, cmd, arg) < 0)
		ret = -errno;
	lh_dev_close(fd);
	return ret;
}

int lh_dev_list(struct rtheap_info *buf, unsigned int cap,
		unsigned int *count)
{
	struct rtheap_list arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.buf = (uintptr_t)buf;
	arg.capacity = cap;
	ret = dev_call(RTHEAP_FEAT_LIST, RTHEAP_IOC_LIST, &arg);
	if (!ret)
		*count = arg.count;
	return ret;
}

int lh_dev_delete_name(const char *name, size_t len)
{
	struct rtheap_delete_name arg;

	memset(&arg, 0, sizeof(arg));
	memcpy(arg.name, name, len);
	return dev_call(RTHEAP_FEAT_DELETE_NAME, RTHEAP_IOC_DELETE_NAME, &arg);
}
