// SPDX-License-Identifier: GPL-2.0
/*
 * fork(): the child uses the inherited descriptor and mapping (same open
 * file, same memory); mappings are counted per process (munmap in one, use
 * in the other); the heap lives as long as any process holds the creating
 * file, and a delete through the inherited descriptor is seen by both.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

static RT_HEAP heap;
static struct t_chan to_child, to_parent;

static int child_uses_inherited(void *arg)
{
	char *a = arg, *b;

	CHECK(!strcmp(a, "parent's block"));
	strcpy(a, "child was here");
	CHECK_OK(rt_heap_alloc(&heap, 1000, TM_NONBLOCK, (void **)&b));
	strcpy(b, "child's block");
	t_chan_send(&to_parent, (uintptr_t)b);
	t_chan_recv(&to_child, 10000);
	/* Drop our mapping; the descriptor still works. */
	CHECK_OK(munmap(heap.base, heap.mapsize));
	t_chan_send(&to_parent, 0);
	t_chan_recv(&to_child, 10000);
	CHECK_EQ(t_inquire(&heap).nmaps, 1);
	return 0;
}

static void test_inherit(void)
{
	char *a, *b;
	pid_t pid;

	CHECK_OK(rt_heap_create(&heap, t_name("t_fork"), 8 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&heap, 100, TM_NONBLOCK, (void **)&a));
	strcpy(a, "parent's block");
	CHECK_EQ(t_inquire(&heap).nmaps, 1);

	pid = t_spawn(child_uses_inherited, a);
	b = (char *)(uintptr_t)t_chan_recv(&to_parent, 10000);
	CHECK(!strcmp(a, "child was here"));
	CHECK(!strcmp(b, "child's block"));
	CHECK_EQ(t_inquire(&heap).nmaps, 2);
	CHECK_EQ(t_inquire(&heap).nbound, 1);	/* one open file */
	CHECK_EQ(t_inquire(&heap).usedmem, 128 + 1024);
	t_chan_send(&to_child, 0);
	t_chan_recv(&to_parent, 10000);
	CHECK_EQ(t_inquire(&heap).nmaps, 1);
	/* Our mapping is untouched by the child's munmap. */
	CHECK(!strcmp(b, "child's block"));
	strcpy(b, "still ours");
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);

	/* The child's exit closed nothing that matters. */
	CHECK_EQ(t_inquire(&heap).nmaps, 1);
	CHECK_OK(rt_heap_free(&heap, a));
	CHECK_OK(rt_heap_free(&heap, b));
	CHECK_EQ(t_inquire(&heap).usedmem, 0);
}

static int child_keeps_mapping(void *arg)
{
	char *p = arg;

	t_chan_recv(&to_child, 10000);	/* parent has unmapped */
	CHECK(!strcmp(p, "before the parent's munmap"));
	strcpy(p, "after the parent's munmap");
	CHECK_EQ(t_inquire(&heap).nmaps, 1);
	/*
	 * Delete through the inherited descriptor, with the raw ioctl: what
	 * libheap does to its own mapping after a delete is its business;
	 * the kernel must leave our mapping alone.
	 */
	{
		struct rtheap_delete d;

		memset(&d, 0, sizeof(d));
		CHECK_OK(t_ioctl(heap.fd, RTHEAP_IOC_DELETE, &d));
	}
	/* Our mapping outlives the delete. */
	CHECK(!strcmp(p, "after the parent's munmap"));
	memset(heap.base, 0x42, heap.mapsize);
	return 0;
}

static void test_unmap_in_parent(void)
{
	void *blk;
	char *p;
	pid_t pid;

	CHECK_OK(rt_heap_alloc(&heap, 64, TM_NONBLOCK, (void **)&p));
	strcpy(p, "before the parent's munmap");
	pid = t_spawn(child_keeps_mapping, p);
	CHECK_EQ(t_inquire(&heap).nmaps, 2);
	CHECK_OK(munmap(heap.base, heap.mapsize));
	CHECK_EQ(t_inquire(&heap).nmaps, 1);
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);
	/* Deleted by the child through the shared file. */
	CHECK_RET(rt_heap_inquire(&heap, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	CHECK_RET(rt_heap_alloc(&heap, 16, TM_NONBLOCK, &blk), -EIDRM);
	CHECK(!t_listed(t_name("t_fork")));
	CHECK_OK(rt_heap_unbind(&heap));
}

static int grandchild(void *arg)
{
	(void)arg;
	t_chan_recv(&to_child, 10000);
	return 0;
}

static int creator_forks(void *arg)
{
	RT_HEAP h;

	(void)arg;
	CHECK_OK(rt_heap_create(&h, t_name("t_fork2"), T_PAGE, H_FIFO));
	t_spawn(grandchild, NULL);	/* inherits the creating file */
	return 0;			/* exit before the grandchild */
}

static void test_creator_exits_first(void)
{
	char *n;
	pid_t pid;

	pid = t_spawn(creator_forks, NULL);
	/* The name carries the creator's pid. */
	{
		char buf[RTHEAP_NAMELEN];

		snprintf(buf, sizeof(buf), "%.20s.%d", "t_fork2", (int)pid);
		n = strdup(buf);
	}
	CHECK_CHILD(pid, 10000);
	/* The grandchild still holds the creating file. */
	CHECK(t_listed(n));
	t_chan_send(&to_child, 0);
	for (int i = 0; i < 500 && t_listed(n); i++)
		t_sleep_ms(10);
	CHECK(!t_listed(n));
	free(n);
}

int main(void)
{
	t_chan_init(&to_child);
	t_chan_init(&to_parent);
	test_inherit();
	test_unmap_in_parent();
	test_creator_exits_first();
	return T_EXIT_PASS;
}
