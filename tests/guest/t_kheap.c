// SPDX-License-Identifier: GPL-2.0
/*
 * Heaps created by kernel code, seen from user space: rtheap_selftest.ko
 * with keep_heap=1 leaves "kselftest.kshared" (H_SHARED, owner 1000:1000,
 * 0660) and "kselftest.kpriv" (root, 0600).  User space binds them subject
 * to those bits, shares memory with the kernel, cannot delete them (kernel
 * heaps live until kernel code deletes them), and sees -EIDRM - with its
 * mapping intact, and a waiter woken - once the module that made them is
 * gone.
 */
#include <unistd.h>

#include "tcommon.h"

#define KSHARED	"kselftest.kshared"
#define KPRIV	"kselftest.kpriv"

static struct t_chan to_parent, to_child;
static pid_t main_pid;

/* A failed check must not leave the module (and its heaps) loaded. */
static void cleanup(void)
{
	if (getpid() == main_pid && !access("/sys/module/rtheap_selftest", F_OK))
		if (system("rmmod rtheap_selftest"))
			t_log("cleanup: rmmod rtheap_selftest failed");
}

/* The module logs, as it goes, what user space wrote in kshared. */
static bool reply_logged(void)
{
	FILE *f = popen("dmesg", "r");
	char line[512];
	bool found = false;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "rtheap_selftest: kshared reply: "))
			found = strstr(line, "\"hello from user space\"");
	pclose(f);
	return found;
}

static int rtuser_side(void *arg)
{
	RT_HEAP s, p;
	RT_HEAP_INFO info;
	char *seg;

	(void)arg;
	t_drop_privs(T_RTUSER);
	CHECK_RET(rt_heap_bind_timed(&p, KPRIV, TM_NONBLOCK), -EACCES);
	CHECK_OK(rt_heap_bind_timed(&s, KSHARED, TM_NONBLOCK));
	info = t_inquire(&s);
	CHECK_EQ(info.cpid, 0);
	CHECK_EQ(info.uid, T_RTUSER);
	CHECK_EQ(info.gid, T_RTUSER);
	CHECK_EQ(info.perm, 0660);
	CHECK_EQ(info.mode, H_SHARED);
	CHECK_OK(rt_heap_alloc(&s, 0, TM_NONBLOCK, (void **)&seg));
	CHECKF(!strcmp(seg, "hello from the kernel"), "read \"%.40s\"", seg);
	strcpy(seg + T_PAGE, "hello from user space");
	/* The owner, yet not the kernel code that made it. */
	CHECK_RET(rt_heap_delete(&s), -EPERM);
	t_chan_send(&to_parent, 0);

	t_chan_recv(&to_child, 30000);		/* module removed */
	CHECK_RET(rt_heap_inquire(&s, &info), -EIDRM);
	CHECK(!strcmp(seg, "hello from the kernel"));
	CHECK_OK(rt_heap_unbind(&s));
	return 0;
}

/* Waits in alloc on the full kernel heap until its module goes. */
static int kpriv_waiter(void *arg)
{
	RT_HEAP h;
	void *p;

	(void)arg;
	CHECK_OK(rt_heap_bind_timed(&h, KPRIV, TM_NONBLOCK));
	t_chan_send(&to_parent, 0);
	CHECK_RET(rt_heap_alloc(&h, 64, TM_INFINITE, &p), -EIDRM);
	return 0;
}

static int nobody_side(void *arg)
{
	RT_HEAP h;

	(void)arg;
	t_drop_privs(65534);
	CHECK_RET(rt_heap_bind_timed(&h, KSHARED, TM_NONBLOCK), -EACCES);
	CHECK(!t_listed(KSHARED));
	return 0;
}

int main(void)
{
	char cmd[256];
	const char *dir = getenv("RTHEAP_MODDIR");
	RT_HEAP priv;
	RT_HEAP_INFO info;
	void *p, *q;
	pid_t pid, wpid;
	int ret;

	snprintf(cmd, sizeof(cmd), "%s/rtheap_selftest.ko",
		 dir ? dir : "/lib/rtheap");
	if (access(cmd, R_OK))
		t_skip("no %s", cmd);
	if (!access("/sys/module/rtheap_selftest", F_OK))
		T_FAIL("rtheap_selftest is already loaded");
	snprintf(cmd, sizeof(cmd), "rtheap-insmod %s/rtheap_selftest.ko run_tests=0 "
		 "keep_heap=1", dir ? dir : "/lib/rtheap");
	main_pid = getpid();
	atexit(cleanup);
	ret = system(cmd);
	CHECKF(ret == 0, "%s: status %d", cmd, ret);

	t_chan_init(&to_parent);
	t_chan_init(&to_child);
	pid = t_spawn(rtuser_side, NULL);
	t_chan_recv(&to_parent, 30000);
	CHECK_CHILD(t_spawn(nobody_side, NULL), 10000);

	/* Root binds the private one and allocates from it. */
	CHECK_OK(rt_heap_bind_timed(&priv, KPRIV, TM_NONBLOCK));
	info = t_inquire(&priv);
	CHECK_EQ(info.cpid, 0);
	CHECK_EQ(info.uid, 0);
	CHECK_EQ(info.perm, 0600);
	CHECK_EQ(info.heapsize, 4 * T_PAGE);
	CHECK_OK(rt_heap_alloc(&priv, 3000, TM_NONBLOCK, &p));
	memset(p, 0x99, 3000);
	CHECK_OK(rt_heap_alloc(&priv, 100, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_free(&priv, q));
	CHECK_EQ(t_inquire(&priv).usedmem, t_rounded(3000));
	CHECK_RET(rt_heap_delete(&priv), -EPERM);
	CHECK(t_listed(KPRIV));
	/* Fill it; someone waits for room when the module goes. */
	{
		void *rest;

		CHECK_OK(rt_heap_alloc(&priv, 3 * T_PAGE, TM_NONBLOCK, &rest));
		wpid = t_spawn(kpriv_waiter, NULL);
		t_chan_recv(&to_parent, 10000);
		t_wait_nwaiters(&priv, 1, 10000);
	}

	/* The module deletes its heaps when it goes. */
	CHECK_OK(system("rmmod rtheap_selftest"));
	CHECKF(reply_logged(), "no 'kshared reply: \"hello from user space\"' "
	       "line in the kernel log");
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);
	CHECK_CHILD(wpid, 10000);	/* woken with -EIDRM */
	CHECK_RET(rt_heap_inquire(&priv, &info), -EIDRM);
	CHECK_RET(rt_heap_alloc(&priv, 16, TM_NONBLOCK, &q), -EIDRM);
	CHECK_EQ(((unsigned char *)p)[2999], 0x99);
	CHECK(!t_listed(KPRIV));
	CHECK(!t_listed(KSHARED));
	CHECK_OK(rt_heap_unbind(&priv));
	return T_EXIT_PASS;
}
