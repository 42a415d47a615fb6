// SPDX-License-Identifier: GPL-2.0
/*
 * Process death: a creator killed with SIGKILL (or simply exiting) takes its
 * heap with it - the name goes, waiters in other processes wake with
 * -EIDRM - while binders keep a readable, writable mapping (no SIGBUS) and
 * get -EIDRM from their next call.  An H_PERSIST heap outlives its creator.
 * A process killed while it waits in alloc or in bind leaves nothing
 * behind: no waiter, no block granted to the dead, no reference (the
 * runner's final rmmod would fail).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcommon.h"

static const char *heap_name;
static struct t_chan to_parent;
static pid_t main_pid;

static int creator(void *arg)
{
	int mode = (int)(intptr_t)arg;
	RT_HEAP h;
	char *p, *rest;
	size_t off;

	CHECK_OK(rt_heap_create(&h, heap_name, 2 * T_PAGE, mode));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, (void **)&p));
	strcpy(p, "written by the creator");
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, (void **)&rest));
	CHECK_OK(rt_heap_block_offset(&h, p, &off));
	t_chan_send(&to_parent, off);
	if (mode & H_PERSIST)
		return 0;		/* exit; the heap stays */
	for (;;)
		pause();		/* until SIGKILL */
}

static int waiter(void *arg)
{
	RT_HEAP h;
	void *p;

	(void)arg;
	CHECK_OK(rt_heap_bind(&h, heap_name));
	CHECK_RET(rt_heap_alloc(&h, 64, TM_INFINITE, &p), -EIDRM);
	return 0;
}

static void test_killed(bool sigkill)
{
	pid_t cpid, wpid;
	RT_HEAP b;
	char *p;
	size_t off;
	int status;

	cpid = t_spawn(creator, (void *)(intptr_t)H_FIFO);
	off = t_chan_recv(&to_parent, 10000);
	CHECK_OK(rt_heap_bind(&b, heap_name));
	CHECK_OK(rt_heap_block_addr(&b, off, (void **)&p));
	CHECK(!strcmp(p, "written by the creator"));

	wpid = t_spawn(waiter, NULL);
	t_wait_nwaiters(&b, 1, 10000);
	CHECK_EQ(t_inquire(&b).cpid, cpid);

	if (sigkill) {
		CHECK_OK(kill(cpid, SIGKILL));
		CHECK_EQ(waitpid(cpid, &status, 0), cpid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	} else {
		CHECK_OK(kill(cpid, SIGTERM));
		CHECK_EQ(waitpid(cpid, &status, 0), cpid);
	}
	/* The waiter woke with -EIDRM (checked in the child). */
	CHECK_CHILD(wpid, 10000);

	/* Our mapping stays: read, write, no SIGBUS. */
	CHECK(!strcmp(p, "written by the creator"));
	memset(b.base, 0x77, b.mapsize);
	CHECK_EQ(((unsigned char *)b.base)[b.mapsize - 1], 0x77);
	/* Our next calls say the heap is gone. */
	CHECK_RET(rt_heap_inquire(&b, &(RT_HEAP_INFO){ 0 }), -EIDRM);
	{
		void *q;

		CHECK_RET(rt_heap_alloc(&b, 16, TM_NONBLOCK, &q), -EIDRM);
	}
	CHECK_RET(rt_heap_free(&b, p), -EIDRM);
	/* The name went with the creator. */
	CHECK(!t_listed(heap_name));
	{
		RT_HEAP again;

		CHECK_RET(rt_heap_bind_timed(&again, heap_name, TM_NONBLOCK),
			  -EWOULDBLOCK);
	}
	CHECK_OK(rt_heap_unbind(&b));
}

static void test_persist(void)
{
	RT_HEAP b;
	RT_HEAP_INFO info;
	char *p;
	size_t off;
	pid_t cpid;

	cpid = t_spawn(creator, (void *)(intptr_t)(H_FIFO | H_PERSIST));
	off = t_chan_recv(&to_parent, 10000);
	CHECK_CHILD(cpid, 10000);
	CHECK(t_listed(heap_name));
	CHECK_OK(rt_heap_bind(&b, heap_name));
	info = t_inquire(&b);
	CHECK_EQ(info.usedmem, 2 * T_PAGE);
	CHECK_EQ(info.nbound, 1);
	CHECK_EQ(info.mode & ~H_PERSIST, H_FIFO);
	CHECK_OK(rt_heap_block_addr(&b, off, (void **)&p));
	CHECK(!strcmp(p, "written by the creator"));
	/* The dead creator's blocks are still live: free them. */
	CHECK_OK(rt_heap_free(&b, p));
	CHECK_EQ(t_inquire(&b).usedmem, T_PAGE);
	CHECK_OK(rt_heap_delete(&b));
	CHECK(!t_listed(heap_name));
}

static int blocked_alloc(void *arg)
{
	RT_HEAP h;
	void *p;

	(void)arg;
	CHECK_OK(rt_heap_bind(&h, heap_name));
	rt_heap_alloc(&h, T_PAGE, TM_INFINITE, &p);
	T_FAIL("alloc returned while it should wait until killed");
}

static int blocked_bind(void *arg)
{
	RT_HEAP h;

	(void)arg;
	t_chan_send(&to_parent, 0);
	rt_heap_bind(&h, heap_name);
	T_FAIL("bind returned while it should wait until killed");
}

static void test_killed_waiters(void)
{
	pid_t pid[3];
	RT_HEAP h;
	void *p, *q;
	int status;

	CHECK_OK(rt_heap_create(&h, heap_name, T_PAGE, H_PRIO));
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &p));
	for (int i = 0; i < 3; i++) {
		pid[i] = t_spawn(blocked_alloc, NULL);
		t_wait_nwaiters(&h, i + 1, 10000);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_OK(kill(pid[i], SIGKILL));
		CHECK_EQ(waitpid(pid[i], &status, 0), pid[i]);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	t_wait_nwaiters(&h, 0, 10000);
	/* Nobody left to hand the page to: it stays free. */
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_EQ(t_inquire(&h).usedmem, 0);
	CHECK_OK(rt_heap_alloc(&h, T_PAGE, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_free(&h, q));
	CHECK_EQ(t_inquire(&h).nbound, 1);
	CHECK_EQ(t_inquire(&h).nmaps, 1);
	CHECK_OK(rt_heap_delete(&h));

	/* Killed while waiting in bind; the name appears afterwards. */
	for (int i = 0; i < 3; i++) {
		pid[i] = t_spawn(blocked_bind, NULL);
		t_chan_recv(&to_parent, 10000);
	}
	t_sleep_ms(50);
	for (int i = 0; i < 3; i++) {
		CHECK_OK(kill(pid[i], SIGKILL));
		CHECK_EQ(waitpid(pid[i], &status, 0), pid[i]);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	CHECK_OK(rt_heap_create(&h, heap_name, T_PAGE, H_FIFO));
	CHECK_EQ(t_inquire(&h).nbound, 1);
	CHECK_OK(rt_heap_delete(&h));
	CHECK(!t_listed(heap_name));
}

/* A failed check must not leave the persistent heap behind. */
static void cleanup(void)
{
	RT_HEAP h;

	if (getpid() == main_pid &&
	    rt_heap_bind_timed(&h, heap_name, TM_NONBLOCK) == 0)
		rt_heap_delete(&h);
}

int main(void)
{
	heap_name = t_name("t_kill");
	main_pid = getpid();
	atexit(cleanup);
	t_chan_init(&to_parent);
	signal(SIGTERM, SIG_DFL);

	test_killed(true);
	test_killed(false);
	test_persist();
	test_killed_waiters();
	return T_EXIT_PASS;
}
