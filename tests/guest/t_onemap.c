// SPDX-License-Identifier: GPL-2.0
/*
 * One mapping per heap per process: every descriptor of one heap in a
 * process sees it at the same address, so a block allocated through one
 * descriptor is freed through another; the mapping goes with the
 * process's last descriptor of the heap; after fork the child has the
 * parent's mapping and may bind again, at the same address.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tcommon.h"

/* Lines of /proc/self/maps that map /dev/rtheap. */
static int dev_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/dev/rtheap"))
			n++;
	fclose(f);
	return n;
}

struct shared {
	const char *name;
	void *base;
};

static int child(void *arg)
{
	struct shared *s = arg;
	RT_HEAP c;
	void *p;

	/* The parent's mapping came along; a new bind lands on it. */
	CHECK(((char *)s->base)[0] == 'P');
	CHECK_OK(rt_heap_bind(&c, s->name));
	CHECK(c.base == s->base);
	CHECK_OK(rt_heap_alloc(&c, 64, TM_NONBLOCK, &p));
	strcpy(p, "child");
	CHECK_OK(rt_heap_free(&c, p));
	CHECK_OK(rt_heap_unbind(&c));
	CHECK(((char *)s->base)[0] == 'P');	/* still mapped */
	return 0;
}

int main(void)
{
	const char *name = t_name("onemap");
	struct shared s = { .name = name };
	RT_HEAP h, a, b;
	int before = dev_maps();
	void *p, *q;

	CHECK_OK(rt_heap_create(&h, name, 65536, H_FIFO));
	CHECK_OK(rt_heap_bind(&a, name));
	CHECK_OK(rt_heap_bind(&b, name));
	CHECK(a.base == h.base && b.base == h.base);
	CHECK_EQ(dev_maps(), before + 1);
	CHECK_EQ(t_inquire(&h).nmaps, 1);
	CHECK_EQ(t_inquire(&h).nbound, 3);

	/* Allocated through one, freed through another, both ways. */
	CHECK_OK(rt_heap_alloc(&a, 100, TM_NONBLOCK, &p));
	CHECK_OK(rt_heap_alloc(&b, 5000, TM_NONBLOCK, &q));
	CHECK_OK(rt_heap_free(&b, p));
	CHECK_OK(rt_heap_free(&h, q));
	CHECK_RET(rt_heap_free(&a, q), -EINVAL);	/* already free */
	CHECK_EQ(t_inquire(&h).usedmem, 0);

	/* The mapping stays while any descriptor does. */
	CHECK_OK(rt_heap_unbind(&a));
	CHECK_OK(rt_heap_alloc(&b, 64, TM_NONBLOCK, &p));
	((char *)h.base)[0] = 'P';
	s.base = h.base;
	CHECK_CHILD(t_spawn(child, &s), 10000);
	CHECK_OK(rt_heap_free(&h, p));
	CHECK_OK(rt_heap_unbind(&b));
	CHECK_EQ(dev_maps(), before + 1);

	/* The last descriptor takes the mapping with it. */
	CHECK_OK(rt_heap_delete(&h));
	CHECK_EQ(dev_maps(), before);
	return T_EXIT_PASS;
}
