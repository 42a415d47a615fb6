// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions as an unprivileged user (rtuser, uid 1000): a root heap with
 * 0600 can be neither bound (-EACCES) nor seen in the list; one with 0666
 * (or 0660 and our group) can be bound and used, but not deleted (-EPERM).
 * An unprivileged user's own heap is private to it, and root may use it.
 */
#include <unistd.h>

#include "tcommon.h"

#define NOBODY	65534

struct perm_case {
	const char *tag;
	unsigned int perm;
	int gid;
	bool allowed;
};

static const struct perm_case cases[] = {
	{ "p0600", 0600, -1, false },
	{ "p0660g0", 0660, 0, false },
	{ "p0666", 0666, -1, true },
	{ "p0660g1000", 0660, T_RTUSER, true },
	{ "p0606", 0606, -1, true },
};
enum { NCASES = sizeof(cases) / sizeof(cases[0]) };

static char names[NCASES][RTHEAP_NAMELEN];
static struct t_chan to_parent, to_child;

/* Whether /proc/rtheap shows a row naming name, to the caller. */
static bool in_proc(const char *name)
{
	FILE *f = fopen("/proc/rtheap", "r");
	char line[512], word[64];
	bool found = false;

	CHECKF(f, "/proc/rtheap: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %63s", word) == 1 && !strcmp(word, name))
			found = true;
	fclose(f);
	return found;
}

static int unprivileged(void *arg)
{
	(void)arg;
	t_drop_privs(T_RTUSER);		/* uid and gid 1000 */
	for (int i = 0; i < NCASES; i++) {
		const struct perm_case *c = &cases[i];
		RT_HEAP h;
		void *p;
		int ret;

		ret = rt_heap_bind_timed(&h, names[i], TM_NONBLOCK);
		if (!c->allowed) {
			CHECKF(ret == -EACCES, "bind to root's %s heap "
			       "returned %s, expected -EACCES", c->tag,
			       t_errname(ret));
			CHECK_RET(rt_heap_bind(&h, names[i]), -EACCES);
			CHECKF(!t_listed(names[i]), "root's %s heap is "
			       "listed to an unprivileged user", c->tag);
			CHECKF(!in_proc(names[i]) || (c->perm & 0004),
			       "root's %s heap is in /proc/rtheap for an "
			       "unprivileged user", c->tag);
			continue;
		}
		CHECKF(ret == 0, "bind to root's %s heap returned %s",
		       c->tag, t_errname(ret));
		CHECK(t_listed(names[i]));
		CHECK(in_proc(names[i]));
		CHECK_OK(rt_heap_alloc(&h, 200, TM_NONBLOCK, &p));
		memset(p, 0xee, 200);
		CHECK_EQ(t_inquire(&h).usedmem, 256);
		CHECK_OK(rt_heap_free(&h, p));
		CHECKF(rt_heap_delete(&h) == -EPERM, "an unprivileged "
		       "binder deleted root's %s heap", c->tag);
		CHECK_OK(rt_heap_unbind(&h));
	}
	return 0;
}

/* An unprivileged user's own heap, default permissions. */
static int user_creator(void *arg)
{
	RT_HEAP h;
	RT_HEAP_INFO info;
	void *p;

	t_drop_privs(T_RTUSER);
	CHECK_OK(rt_heap_create(&h, arg, 4 * T_PAGE, H_FIFO));
	info = t_inquire(&h);
	CHECK_EQ(info.uid, T_RTUSER);
	CHECK_EQ(info.perm, 0600);
	CHECK(t_listed(arg));
	CHECK_OK(rt_heap_alloc(&h, 100, TM_NONBLOCK, &p));
	t_chan_send(&to_parent, 0);
	t_chan_recv(&to_child, 10000);
	return 0;
}

static int other_user(void *arg)
{
	RT_HEAP h;

	t_drop_privs(NOBODY);
	CHECK_RET(rt_heap_bind_timed(&h, arg, TM_NONBLOCK), -EACCES);
	CHECK(!t_listed(arg));
	return 0;
}

/* Waiting for a name that then appears with permissions we lack. */
static int early_binder(void *arg)
{
	RT_HEAP h;

	t_drop_privs(T_RTUSER);
	t_chan_send(&to_parent, 0);
	CHECK_RET(rt_heap_bind(&h, arg), -EACCES);
	return 0;
}

int main(void)
{
	RT_HEAP heaps[NCASES], h;
	const char *uname = t_name("t_perm_user");
	const char *late = t_name("t_perm_late");
	pid_t pid, pid2;

	for (int i = 0; i < NCASES; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", t_name(cases[i].tag));
		CHECK_OK(rt_heap_create_ext(&heaps[i], names[i], 4 * T_PAGE,
					    H_FIFO, cases[i].perm,
					    cases[i].gid));
		CHECK_EQ(t_inquire(&heaps[i]).perm, cases[i].perm);
	}
	CHECK_CHILD(t_spawn(unprivileged, NULL), 20000);
	for (int i = 0; i < NCASES; i++) {
		CHECK_EQ(t_inquire(&heaps[i]).nbound, 1);
		CHECK_EQ(t_inquire(&heaps[i]).usedmem, 0);
		CHECK_OK(rt_heap_delete(&heaps[i]));
	}

	t_chan_init(&to_parent);
	t_chan_init(&to_child);
	pid = t_spawn(user_creator, (void *)uname);
	t_chan_recv(&to_parent, 10000);
	CHECK_CHILD(t_spawn(other_user, (void *)uname), 10000);
	/* Root is privileged: binds and uses anyone's heap. */
	CHECK_OK(rt_heap_bind(&h, uname));
	CHECK_EQ(t_inquire(&h).usedmem, 128);
	CHECK_OK(rt_heap_unbind(&h));
	t_chan_send(&to_child, 0);
	CHECK_CHILD(pid, 10000);
	CHECK(!t_listed(uname));

	pid2 = t_spawn(early_binder, (void *)late);
	t_chan_recv(&to_parent, 10000);
	t_sleep_ms(100);
	CHECK_OK(rt_heap_create(&h, late, T_PAGE, H_FIFO));
	CHECK_CHILD(pid2, 10000);
	CHECK_EQ(t_inquire(&h).nbound, 1);
	CHECK_OK(rt_heap_delete(&h));
	return T_EXIT_PASS;
}
