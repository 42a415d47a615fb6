// SPDX-License-Identifier: GPL-2.0
/*
 * Names under contention: threads create, bind (some before the heap
 * exists), use, delete (through a descriptor or by name) and unbind heaps
 * of the same three names at once.
 * Every call returns one of the errors the contract allows for the race it
 * lost, never anything else; at the end no heap of those names is left,
 * and (checked by the runner's final rmmod) no reference leaked.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "tcommon.h"

#define NTHREADS	6
#define NNAMES		3
#define ITERS		3000

static char names[NNAMES][RTHEAP_NAMELEN];
static atomic_ulong ncreated, nbound, ndeleted;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define EXPECT_ONE_OF(ret, what, ...)					\
	do {								\
		const int __ok[] = { __VA_ARGS__ };			\
		bool __found = false;					\
		for (size_t __i = 0; __i < sizeof(__ok) / sizeof(__ok[0]); __i++) \
			__found |= (ret) == __ok[__i];			\
		CHECKF(__found, "%s returned %s", what, t_errname(ret)); \
	} while (0)

/* Use a bound or created heap briefly: alloc, write, free, inquire. */
static void use(RT_HEAP *h, uint64_t *s)
{
	RT_HEAP_INFO info;
	void *p;
	int ret;

	ret = rt_heap_alloc(h, 1 + rnd(s) % 3000,
			    rnd(s) % 2 ? TM_NONBLOCK : 100000, &p);
	EXPECT_ONE_OF(ret, "alloc", 0, -EWOULDBLOCK, -ETIMEDOUT, -EIDRM);
	if (!ret) {
		memset(p, 0x6b, 16);
		ret = rt_heap_free(h, p);
		EXPECT_ONE_OF(ret, "free", 0, -EIDRM);
	}
	ret = rt_heap_inquire(h, &info);
	EXPECT_ONE_OF(ret, "inquire", 0, -EIDRM);
	if (!ret)
		CHECK_EQ(info.heapsize, 2 * T_PAGE);
}

static void *worker(void *arg)
{
	uint64_t s = 0x853c49e6748fea9bULL + (uintptr_t)arg;
	RT_HEAP mine[NNAMES];
	bool have[NNAMES] = { false };

	for (int i = 0; i < ITERS; i++) {
		int n = rnd(&s) % NNAMES, ret;
		RT_HEAP b;

		switch (rnd(&s) % 4) {
		case 0:		/* create, or drop the one we made */
			if (have[n]) {
				ret = rt_heap_delete(&mine[n]);
				EXPECT_ONE_OF(ret, "delete (creator)", 0,
					      -EIDRM);
				if (ret)	/* someone deleted it first */
					CHECK_OK(rt_heap_unbind(&mine[n]));
				else
					atomic_fetch_add(&ndeleted, 1);
				have[n] = false;
				break;
			}
			ret = rt_heap_create(&mine[n], names[n], 2 * T_PAGE,
					     rnd(&s) % 2 ? H_FIFO : H_PRIO);
			/*
			 * -EIDRM: a binder deleted the new heap before
			 * libheap mapped it (documented in rt_heap_create(3);
			 * not in DESIGN §1's list for create).
			 */
			EXPECT_ONE_OF(ret, "create", 0, -EEXIST, -EIDRM);
			if (!ret) {
				have[n] = true;
				atomic_fetch_add(&ncreated, 1);
				use(&mine[n], &s);
			}
			break;
		case 1:		/* bind, maybe before it exists */
		case 2:
			ret = rt_heap_bind_timed(&b, names[n],
						 rnd(&s) % 2 ? TM_NONBLOCK :
						 500000);
			EXPECT_ONE_OF(ret, "bind", 0, -EWOULDBLOCK,
				      -ETIMEDOUT, -EIDRM);
			if (ret)
				break;
			atomic_fetch_add(&nbound, 1);
			use(&b, &s);
			if (rnd(&s) % 8 == 0) {
				/* Root may delete through any descriptor. */
				ret = rt_heap_delete(&b);
				EXPECT_ONE_OF(ret, "delete (binder)", 0,
					      -EIDRM);
				if (!ret) {
					atomic_fetch_add(&ndeleted, 1);
					break;
				}
			}
			CHECK_OK(rt_heap_unbind(&b));
			break;
		default:	/* use what we created, or delete by name */
			if (rnd(&s) % 4 == 0) {
				ret = rt_heap_delete_name(names[n]);
				EXPECT_ONE_OF(ret, "delete by name", 0,
					      -ENOENT, -EIDRM);
				if (!ret)
					atomic_fetch_add(&ndeleted, 1);
			} else if (have[n]) {
				use(&mine[n], &s);
			}
			break;
		}
	}
	for (int n = 0; n < NNAMES; n++)
		if (have[n] && rt_heap_delete(&mine[n]))
			CHECK_OK(rt_heap_unbind(&mine[n]));
	return NULL;
}

/*
 * The narrowest race: one thread creates and drops a heap of one name in a
 * loop, the others delete that name as fast as they can - a delete landing
 * between the name's publication and the end of create.
 */
#define RACE_MS		3000

static atomic_bool race_over;
static atomic_ulong race_hits;

static void *race_creator(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_over)) {
		RT_HEAP h;
		int ret = rt_heap_create(&h, names[0], T_PAGE, H_FIFO);

		EXPECT_ONE_OF(ret, "create (race)", 0, -EEXIST, -EIDRM);
		if (ret)
			continue;
		ret = rt_heap_delete(&h);
		EXPECT_ONE_OF(ret, "delete (race)", 0, -EIDRM);
		if (ret)
			CHECK_OK(rt_heap_unbind(&h));
	}
	return NULL;
}

static void *race_deleter(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_over)) {
		int ret = rt_heap_delete_name(names[0]);

		EXPECT_ONE_OF(ret, "delete by name (race)", 0, -ENOENT, -EIDRM);
		if (!ret)
			atomic_fetch_add(&race_hits, 1);
	}
	return NULL;
}

static void test_create_delete_race(void)
{
	pthread_t thr[4];

	CHECK_OK(-pthread_create(&thr[0], NULL, race_creator, NULL));
	for (int i = 1; i < 4; i++)
		CHECK_OK(-pthread_create(&thr[i], NULL, race_deleter, NULL));
	t_sleep_ms(RACE_MS);
	atomic_store(&race_over, true);
	for (int i = 0; i < 4; i++)
		t_join(thr[i], 10000);
	CHECK(!t_listed(names[0]));
	printf("create/delete race: %lu deletes by name won\n",
	       atomic_load(&race_hits));
}

int main(void)
{
	pthread_t thr[NTHREADS];

	for (int n = 0; n < NNAMES; n++)
		snprintf(names[n], sizeof(names[n]), "%s.%d",
			 t_name("t_registry"), n);
	for (int i = 0; i < NTHREADS; i++)
		CHECK_OK(-pthread_create(&thr[i], NULL, worker,
					 (void *)(intptr_t)i));
	for (int i = 0; i < NTHREADS; i++)
		t_join(thr[i], 120000);
	for (int n = 0; n < NNAMES; n++)
		CHECKF(!t_listed(names[n]), "heap %s left behind", names[n]);
	printf("%lu created, %lu bound, %lu deleted\n",
	       atomic_load(&ncreated), atomic_load(&nbound),
	       atomic_load(&ndeleted));
	CHECK(atomic_load(&ncreated) > 0 && atomic_load(&nbound) > 0);
	test_create_delete_race();
	return T_EXIT_PASS;
}
