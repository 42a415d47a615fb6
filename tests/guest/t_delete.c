// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_delete: -EINVAL on something that is not a heap, -EIDRM through a
 * second descriptor of an already deleted heap, -EPERM for a user who is
 * neither the owner nor privileged; the name goes away at once.
 */
#include <unistd.h>

#include "tcommon.h"

static const char *heap_name;

static int unprivileged_delete(void *arg)
{
	RT_HEAP h;

	(void)arg;
	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_bind(&h, heap_name));
	CHECK_RET(rt_heap_delete(&h), -EPERM);
	/* Refused means untouched. */
	CHECK_EQ(t_inquire(&h).nbound, 2);
	CHECK_OK(rt_heap_unbind(&h));
	return 0;
}

static int unprivileged_owner_delete(void *arg)
{
	RT_HEAP h, h2;
	const char *n = arg;

	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_create(&h, n, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&h2, n));
	/* The owner may delete, through any descriptor. */
	CHECK_OK(rt_heap_delete(&h2));
	CHECK_RET(rt_heap_inquire(&h, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	return 0;
}

int main(void)
{
	RT_HEAP h, b, zero;
	RT_HEAP_INFO info;
	void *blk;
	int ret;

	heap_name = t_name("t_delete");

	/* Not a heap. */
	memset(&zero, 0, sizeof(zero));
	CHECK_RET(rt_heap_delete(&zero), -EINVAL);
	memset(&zero, 0xa5, sizeof(zero));
	zero.fd = -1;
	CHECK_RET(rt_heap_delete(&zero), -EINVAL);

	/* Already deleted, seen through a second descriptor. */
	CHECK_OK(rt_heap_create(&h, heap_name, 4 * T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&b, heap_name));
	CHECK_EQ(b.id, h.id);
	CHECK_OK(rt_heap_alloc(&b, 100, TM_NONBLOCK, &blk));
	CHECK_OK(rt_heap_delete(&h));
	CHECK_RET(rt_heap_delete(&b), -EIDRM);
	CHECK_RET(rt_heap_alloc(&b, 100, TM_NONBLOCK, &blk), -EIDRM);
	CHECK_RET(rt_heap_inquire(&b, &info), -EIDRM);
	/* The same descriptor again: invalid or deleted, never 0. */
	ret = rt_heap_delete(&h);
	CHECKF(ret == -EINVAL || ret == -EIDRM,
	       "second delete through the same descriptor returned %s",
	       t_errname(ret));

	/* The name went at once: not bindable, free for a new heap. */
	CHECK(!t_listed(heap_name));
	ret = rt_heap_bind_timed(&h, heap_name, TM_NONBLOCK);
	CHECKF(ret < 0, "bind to a deleted name returned %s", t_errname(ret));
	CHECK_OK(rt_heap_create(&h, heap_name, T_PAGE, H_FIFO));
	CHECK(h.id != b.id);
	CHECK_OK(rt_heap_delete(&h));
	CHECK_OK(rt_heap_unbind(&b));

	/* A binder (root, privileged) may delete; the creator then sees -EIDRM. */
	CHECK_OK(rt_heap_create(&h, heap_name, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_bind(&b, heap_name));
	CHECK_OK(rt_heap_delete(&b));
	CHECK_RET(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk), -EIDRM);
	CHECK_RET(rt_heap_delete(&h), -EIDRM);
	CHECK_OK(rt_heap_unbind(&h));

	/* Neither owner nor privileged: -EPERM, even on a 0666 heap. */
	CHECK_OK(rt_heap_create_ext(&h, heap_name, T_PAGE, H_FIFO, 0666, -1));
	CHECK_CHILD(t_spawn(unprivileged_delete, NULL), 10000);
	CHECK(t_listed(heap_name));
	CHECK_OK(rt_heap_alloc(&h, 16, TM_NONBLOCK, &blk));
	CHECK_OK(rt_heap_free(&h, blk));
	CHECK_OK(rt_heap_delete(&h));

	/* An unprivileged owner may delete its own heap. */
	CHECK_CHILD(t_spawn(unprivileged_owner_delete,
			    (void *)t_name("t_delete_own")), 10000);
	CHECK(!t_listed(t_name("t_delete_own")));
	return T_EXIT_PASS;
}
