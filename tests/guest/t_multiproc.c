// SPDX-License-Identifier: GPL-2.0
/*
 * Several processes on one named heap: bind before create, data exchanged
 * through blocks named by offset at different mapping addresses, a blocking
 * alloc in one process woken by a free in another, -EIDRM across processes,
 * and an H_SHARED segment seen by both.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

#define MS	1000000ULL

static const char *heap_name;
static struct t_chan to_child, to_parent;

/* Bind (maybe before the heap exists), at a different address than ours. */
static void child_bind(RT_HEAP *h)
{
	void *shift = mmap(NULL, 64 * T_PAGE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(shift != MAP_FAILED);
	CHECK_OK(rt_heap_bind(h, heap_name));
	t_chan_send(&to_parent, (uintptr_t)h->base);
}

static int exchange_child(void *arg)
{
	RT_HEAP h;
	char *p;
	size_t off;

	(void)arg;
	child_bind(&h);
	/* Read the parent's message, answer in a block of our own. */
	off = t_chan_recv(&to_child, 10000);
	CHECK_OK(rt_heap_block_addr(&h, off, (void **)&p));
	CHECKF(!strcmp(p, "ping from the parent"), "child read \"%.40s\"", p);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_alloc(&h, 500, TM_NONBLOCK, (void **)&p));
	strcpy(p, "pong from the child");
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	t_chan_send(&to_parent, off);
	t_chan_recv(&to_child, 10000);	/* parent is done reading */
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

static void test_exchange(void)
{
	RT_HEAP h;
	pid_t pid;
	char *p;
	size_t off;
	uintptr_t child_base;

	pid = t_spawn(exchange_child, NULL);
	t_sleep_ms(50);		/* let the child wait in bind */
	CHECK_OK(rt_heap_create(&h, heap_name, 16 * T_PAGE, H_FIFO));
	child_base = t_chan_recv(&to_parent, 10000);
	CHECKF(child_base != (uintptr_t)h.base, "child mapped the heap at "
	       "our address %p; the test wants different ones", h.base);

	CHECK_OK(rt_heap_alloc(&h, 100, TM_NONBLOCK, (void **)&p));
	strcpy(p, "ping from the parent");
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	CHECK_EQ(off, (char *)p - (char *)h.base);
	t_chan_send(&to_child, off);

	off = t_chan_recv(&to_parent, 10000);
	CHECK_OK(rt_heap_block_addr(&h, off, (void **)&p));
	CHECKF(!strcmp(p, "pong from the child"), "parent read \"%.40s\"", p);
	CHECK_EQ(t_inquire(&h).usedmem, 512);
	CHECK_EQ(t_inquire(&h).nbound, 2);
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);
	CHECK_EQ(t_inquire(&h).nbound, 1);
	CHECK_EQ(t_inquire(&h).nmaps, 1);
	/* The child's block outlives the child's binding. */
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_delete(&h));
}

static int waiter_child(void *arg)
{
	RT_HEAP h;
	char *p;
	size_t off;
	int ret;

	child_bind(&h);
	ret = rt_heap_alloc(&h, T_PAGE, TM_INFINITE, (void **)&p);
	if (arg) {		/* the parent deletes the heap */
		CHECK_RET(ret, -EIDRM);
		CHECK_RET(rt_heap_inquire(&h, &(RT_HEAP_INFO){ 0 }), -EIDRM);
		CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, (void **)&p),
			  -EIDRM);
		CHECK_OK(rt_heap_unbind(&h));
		return 0;
	}
	CHECK_OK(ret);
	memset(p, 0x3c, T_PAGE);
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	t_chan_send(&to_parent, off);
	t_chan_recv(&to_child, 10000);
	CHECK_OK(rt_heap_free(&h, p));
	t_chan_send(&to_parent, 0);
	t_chan_recv(&to_child, 10000);
	return 0;
}

static void test_wake_across(bool delete)
{
	RT_HEAP h;
	pid_t pid;
	char *p, *q;
	size_t off;

	CHECK_OK(rt_heap_create(&h, heap_name, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, (void **)&p));
	pid = t_spawn(waiter_child, delete ? (void *)1 : NULL);
	t_chan_recv(&to_parent, 10000);
	t_wait_nwaiters(&h, 1, 10000);
	if (delete) {
		CHECK_OK(rt_heap_delete(&h));
		CHECK_CHILD(pid, 10000);
		return;
	}
	memset(p, 0, T_PAGE);
	CHECK_OK(rt_heap_free(&h, p));
	/* Handed to the other process inside the free. */
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, (void **)&q), -EWOULDBLOCK);
	off = t_chan_recv(&to_parent, 10000);
	CHECK_EQ(off, 0);
	for (size_t i = 0; i < T_PAGE; i++)
		CHECKF((unsigned char)p[i] == 0x3c, "byte %zu of the child's "
		       "block reads 0x%02x", i, (unsigned char)p[i]);
	t_chan_send(&to_child, 0);
	t_chan_recv(&to_parent, 10000);
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);
	CHECK_OK(rt_heap_delete(&h));
}

static int shared_child(void *arg)
{
	RT_HEAP h;
	RT_HEAP_INFO info;
	char *seg;

	(void)arg;
	child_bind(&h);
	CHECK_EQ(h.mode, H_SHARED);
	info = t_inquire(&h);
	CHECK_EQ(info.mode, H_SHARED);
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&seg));
	CHECK(seg == h.base);
	t_chan_recv(&to_child, 10000);
	CHECKF(!strcmp(seg, "parent was here"), "child read \"%.40s\"", seg);
	strcpy(seg + 6000, "child was here");
	CHECK_OK(rt_heap_free(&h, seg));	/* no effect */
	t_chan_send(&to_parent, 0);
	return 0;
}

static void test_shared(void)
{
	RT_HEAP h;
	char *seg, *seg2;
	pid_t pid;

	pid = t_spawn(shared_child, NULL);
	CHECK_OK(rt_heap_create(&h, heap_name, 8192, H_SHARED));
	t_chan_recv(&to_parent, 10000);
	CHECK_OK(rt_heap_alloc(&h, 8192, TM_NONBLOCK, (void **)&seg));
	CHECK(seg == h.base);
	strcpy(seg, "parent was here");
	t_chan_send(&to_child, 0);
	t_chan_recv(&to_parent, 10000);
	CHECKF(!strcmp(seg + 6000, "child was here"), "parent read \"%.40s\"",
	       seg + 6000);
	CHECK_CHILD(pid, 10000);
	/* The child's free had no effect: the segment is still there. */
	CHECK_OK(rt_heap_alloc(&h, 0, TM_NONBLOCK, (void **)&seg2));
	CHECK(seg2 == seg);
	CHECK(!strcmp(seg, "parent was here"));
	CHECK_OK(rt_heap_delete(&h));
}

int main(void)
{
	heap_name = t_name("t_multiproc");
	t_chan_init(&to_child);
	t_chan_init(&to_parent);

	test_exchange();
	test_wake_across(false);
	test_wake_across(true);
	test_shared();
	CHECK(!t_listed(heap_name));
	return T_EXIT_PASS;
}
