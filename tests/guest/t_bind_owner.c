// SPDX-License-Identifier: GPL-2.0
/*
 * rt_heap_bind_owner(): names are global, so a bind may insist that the heap
 * it finds belongs to its caller or to root.  A heap another user made
 * under the name first is refused with -EACCES, also when the bind waited
 * for the create; plain rt_heap_bind still takes it.
 */
#include <unistd.h>

#include "tcommon.h"

static char own[32], squat[32], late[32];
static struct t_chan go;

static int rtuser(void *arg)
{
	RT_HEAP h, s;

	(void)arg;
	t_drop_privs(T_RTUSER);
	/* Root's heap is trusted; so is the caller's own. */
	CHECK_OK(rt_heap_bind_owner(&h, own, TM_NONBLOCK));
	CHECK_OK(rt_heap_unbind(&h));
	CHECK_OK(rt_heap_create_ext(&s, squat, T_PAGE, H_PERSIST, 0666, -1));
	CHECK_OK(rt_heap_bind_owner(&h, squat, TM_NONBLOCK));
	CHECK_OK(rt_heap_unbind(&h));
	CHECK_OK(rt_heap_unbind(&s));
	/* Squat the name root is waiting for. */
	t_chan_recv(&go, 10000);
	CHECK_OK(rt_heap_create_ext(&s, late, T_PAGE, H_PERSIST, 0666, -1));
	CHECK_OK(rt_heap_unbind(&s));
	return 0;
}

int main(void)
{
	RT_HEAP h, b;
	pid_t pid;

	CHECK(t_version().features & RTHEAP_FEAT_BIND_OWNER);
	snprintf(own, sizeof(own), "%s", t_name("own"));
	snprintf(squat, sizeof(squat), "%s", t_name("squat"));
	snprintf(late, sizeof(late), "%s", t_name("late"));
	t_chan_init(&go);

	CHECK_OK(rt_heap_create_ext(&h, own, T_PAGE, H_FIFO, 0666, -1));
	pid = t_spawn(rtuser, NULL);
	/* Wait for "late" while rtuser squats it. */
	t_sleep_ms(200);
	t_chan_send(&go, 1);
	CHECK_RET(rt_heap_bind_owner(&b, late, 10000000000ULL), -EACCES);
	CHECK_CHILD(pid, 20000);

	CHECK_RET(rt_heap_bind_owner(&b, squat, TM_NONBLOCK), -EACCES);
	CHECK_OK(rt_heap_bind(&b, squat));	/* no insisting: taken */
	CHECK_OK(rt_heap_delete(&b));
	CHECK_OK(rt_heap_bind(&b, late));
	CHECK_OK(rt_heap_delete(&b));
	CHECK_RET(rt_heap_bind_owner(&b, "no/such", TM_NONBLOCK), -EINVAL);
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
