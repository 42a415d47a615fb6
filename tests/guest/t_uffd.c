// SPDX-License-Identifier: GPL-2.0
/*
 * Races held open with userfaultfd: the argument of an ioctl sits in a
 * write-protected page, so the kernel blocks in the copy_to_user() of its
 * reply - after the work is done, before the call returns - while another
 * thread deletes the heap by name.  CREATE and BIND must still return 0,
 * leaving the file attached to a deleted heap (-EIDRM from then on), with
 * no use-after-free, no refcount splat (the runner checks the kernel log)
 * and no leaked reference (the runner's final rmmod).  Skips without
 * userfaultfd write-protect support.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tcommon.h"

static int uffd;
static char *page;
static const char *heap_name;
static int handler_ret = 1;	/* what the delete inside the fault got */
static bool fault_seen;

static void wp(bool on)
{
	struct uffdio_writeprotect w = {
		.range = { .start = (uintptr_t)page, .len = T_PAGE },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (ioctl(uffd, UFFDIO_WRITEPROTECT, &w))
		T_FAIL("UFFDIO_WRITEPROTECT(%d): %s", on, strerror(errno));
}

/* Handle one write-protect fault: delete the heap, then let the write go. */
static void *handler(void *arg)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	(void)arg;
	if (poll(&p, 1, 10000) != 1)
		T_FAIL("no userfault within 10 s: the reply was not written?");
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		T_FAIL("read(uffd): %s", strerror(errno));
	CHECK_EQ(msg.event, UFFD_EVENT_PAGEFAULT);
	CHECK(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
	fault_seen = true;
	handler_ret = rt_heap_delete_name(heap_name);
	wp(false);
	return NULL;
}

static bool uffd_setup(void)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)page, .len = T_PAGE },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		return false;
	if (ioctl(uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		close(uffd);
		return false;
	}
	return true;
}

/* Run `cmd' on fd with its argument at `arg' (in page) while a fault in the
 * reply deletes heap_name; returns the ioctl's result. */
static int raced_ioctl(int fd, unsigned long cmd, void *arg)
{
	pthread_t thr;
	int ret;

	handler_ret = 1;
	fault_seen = false;
	wp(true);
	CHECK_OK(-pthread_create(&thr, NULL, handler, NULL));
	ret = t_ioctl(fd, cmd, arg);
	t_join(thr, 15000);
	CHECK(fault_seen);
	return ret;
}

static void check_attached_to_deleted(int fd)
{
	struct rtheap_inquire iq;
	struct rtheap_alloc al;
	void *m;

	memset(&iq, 0, sizeof(iq));
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_INQUIRE, &iq), -EIDRM);
	memset(&al, 0, sizeof(al));
	al.size = 16;
	al.timeout = RTHEAP_TM_INFINITE;
	CHECK_RET(t_ioctl(fd, RTHEAP_IOC_ALLOC, &al), -EIDRM);
	m = mmap(NULL, T_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECKF(m == MAP_FAILED, "mmap of a deleted heap worked");
	CHECK(!t_listed(heap_name));
}

static void test_create(void)
{
	struct rtheap_create_arg *a = (void *)page;
	int fd = t_open_dev();

	memset(a, 0, sizeof(*a));
	strcpy(a->in.name, heap_name);
	a->in.size = 4 * T_PAGE;
	CHECK_OK(raced_ioctl(fd, RTHEAP_IOC_CREATE, a));
	CHECK_OK(handler_ret);		/* deleted by name, mid-create */
	CHECK_EQ(a->out.heap_size, 4 * T_PAGE);
	check_attached_to_deleted(fd);
	close(fd);
	CHECK(!t_listed(heap_name));
}

static void test_bind(void)
{
	struct rtheap_bind *b = (void *)page;
	int cfd = t_open_dev(), fd = t_open_dev();
	struct rtheap_inquire iq;

	CHECK_OK(t_raw_create(cfd, heap_name, 2 * T_PAGE, H_FIFO, NULL));
	memset(b, 0, sizeof(*b));
	strcpy(b->name, heap_name);
	b->timeout = RTHEAP_TM_NONBLOCK;
	CHECK_OK(raced_ioctl(fd, RTHEAP_IOC_BIND, b));
	CHECK_OK(handler_ret);
	check_attached_to_deleted(fd);
	memset(&iq, 0, sizeof(iq));
	CHECK_RET(t_ioctl(cfd, RTHEAP_IOC_INQUIRE, &iq), -EIDRM);
	close(fd);
	close(cfd);
}

/* The reply of an alloc blocked while another thread deletes the heap:
 * the block was granted, the call succeeds, the heap is gone after. */
static void test_alloc(void)
{
	struct rtheap_alloc *al = (void *)page;
	int fd = t_open_dev();

	CHECK_OK(t_raw_create(fd, heap_name, 2 * T_PAGE, H_FIFO, NULL));
	memset(al, 0, sizeof(*al));
	al->size = 100;
	al->timeout = RTHEAP_TM_NONBLOCK;
	CHECK_OK(raced_ioctl(fd, RTHEAP_IOC_ALLOC, al));
	CHECK_OK(handler_ret);
	CHECK(al->offset < 2 * T_PAGE);
	check_attached_to_deleted(fd);
	close(fd);
}

int main(void)
{
	page = mmap(NULL, T_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	memset(page, 0, T_PAGE);	/* present: write-protect needs PTEs */
	if (!uffd_setup())
		t_skip("no userfaultfd with write-protect faults: %s",
		       strerror(errno));
	heap_name = t_name("t_uffd");
	test_create();
	test_bind();
	test_alloc();
	return T_EXIT_PASS;
}
