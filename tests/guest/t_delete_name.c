// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_delete_name() / RTHEAP_IOC_DELETE_NAME: ownership decides, as for
 * IPC_RMID; the owner deletes a heap it made unreadable to itself, another
 * user gets -EPERM, a missing name -ENOENT, bad names -EINVAL/-ENAMETOOLONG.
 */
#include <signal.h>
#include <unistd.h>
#include "tcommon.h"

#define USER_UID 1000

static char name[32], rootname[32];

/* As an unprivileged user: own heap at 0400, then delete it by name. */
static int as_user(void *arg)
{
	RT_HEAP own, h;

	(void)arg;
	t_drop_privs(USER_UID);
	CHECK_OK(rt_heap_create_ext(&own, name, 8192, H_PERSIST, 0400, -1));
	CHECK_OK(rt_heap_unbind(&own));
	/* Its own bits lock the owner out of binding ... */
	CHECK_RET(rt_heap_bind_timed(&h, name, TM_NONBLOCK), -EACCES);
	/* ... but not out of deleting. */
	CHECK_OK(rt_heap_delete_name(name));
	CHECK_RET(rt_heap_delete_name(name), -ENOENT);
	CHECK(!t_listed(name));
	/* Root's heap, readable by all: not ours to delete. */
	CHECK_RET(rt_heap_delete_name(rootname), -EPERM);
	return 0;
}

int main(void)
{
	RT_HEAP root, waiter_view;
	void *blk;
	pid_t pid;

	snprintf(name, sizeof(name), "%s", t_name("dn-user"));
	snprintf(rootname, sizeof(rootname), "%s", t_name("dn-root"));

	CHECK_RET(rt_heap_delete_name(NULL), -EINVAL);
	CHECK_RET(rt_heap_delete_name(""), -EINVAL);
	CHECK_RET(rt_heap_delete_name("a/b"), -EINVAL);
	CHECK_RET(rt_heap_delete_name("0123456789abcdef0123456789abcdef"),
		  -ENAMETOOLONG);
	CHECK_RET(rt_heap_delete_name(t_name("dn-none")), -ENOENT);

	CHECK_OK(rt_heap_create_ext(&root, rootname, 4096, H_PERSIST, 0644, -1));
	pid = t_spawn(as_user, NULL);
	CHECK_CHILD(pid, 20000);
	CHECK(t_listed(rootname));

	/* Root (CAP_IPC_OWNER) deletes it by name; holders see -EIDRM. */
	CHECK_OK(rt_heap_bind(&waiter_view, rootname));
	CHECK_OK(rt_heap_alloc(&waiter_view, 4096, TM_NONBLOCK, &blk));
	CHECK_OK(rt_heap_delete_name(rootname));
	CHECK_RET(rt_heap_alloc(&waiter_view, 16, TM_NONBLOCK, &blk), -EIDRM);
	CHECK_RET(rt_heap_delete_name(rootname), -ENOENT);
	CHECK_OK(rt_heap_unbind(&waiter_view));
	CHECK_OK(rt_heap_unbind(&root));
	CHECK(!t_listed(rootname));
	return T_EXIT_PASS;
}
