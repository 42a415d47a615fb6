// SPDX-License-Identifier: GPL-2.0
/*
 * A heap created from user space lives until rt_heap_delete() or until the
 * creating process exits, crash included; unbinding the creator's
 * descriptor does not delete it.  H_PERSIST heaps outlive their creator.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

static struct t_chan ready, go;

/* Create, unbind, then exit (or crash) when told. */
static int creator(void *arg)
{
	const char *name = t_name("creator");
	int how = (int)(long)arg;
	RT_HEAP h;

	CHECK_OK(rt_heap_create(&h, name, 8192, how == 2 ? H_PERSIST : H_FIFO));
	CHECK_OK(rt_heap_unbind(&h));
	t_chan_send(&ready, 1);
	t_chan_recv(&go, 30000);
	if (how == 1)
		raise(SIGKILL);
	return 0;
}

/* The name the child used: its pid's. */
static void name_of(pid_t pid, char *buf, size_t len)
{
	snprintf(buf, len, "creator.%d", (int)pid);
}

static void run(int how)
{
	char name[32];
	RT_HEAP b;
	int status;
	pid_t pid;
	void *p;

	t_chan_init(&ready);
	t_chan_init(&go);
	pid = t_spawn(creator, (void *)(long)how);
	t_chan_recv(&ready, 10000);
	name_of(pid, name, sizeof(name));

	/* Unbound by its creator, the heap is still there. */
	CHECK_OK(rt_heap_bind_timed(&b, name, TM_NONBLOCK));
	CHECK_OK(rt_heap_alloc(&b, 16, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_free(&b, p));
	CHECK_OK(rt_heap_unbind(&b));

	t_chan_send(&go, 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (how == 1)
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	if (how == 2) {
		/* H_PERSIST: until somebody deletes it. */
		CHECK_OK(rt_heap_bind_timed(&b, name, TM_NONBLOCK));
		CHECK_OK(rt_heap_delete(&b));
	}
	CHECK_RET(rt_heap_bind_timed(&b, name, TM_NONBLOCK), -EWOULDBLOCK);
	CHECK(!t_listed(name));
}

int main(void)
{
	const char *name = t_name("self");
	RT_HEAP h, b;

	run(0);		/* exit */
	run(1);		/* crash */
	run(2);		/* H_PERSIST */

	/* In one process: unbind the creator, bind again, delete. */
	CHECK_OK(rt_heap_create(&h, name, 8192, H_FIFO));
	CHECK_OK(rt_heap_unbind(&h));
	CHECK_OK(rt_heap_bind(&b, name));
	CHECK_OK(rt_heap_delete(&b));
	CHECK_RET(rt_heap_bind_timed(&b, name, TM_NONBLOCK), -EWOULDBLOCK);
	return T_EXIT_PASS;
}
