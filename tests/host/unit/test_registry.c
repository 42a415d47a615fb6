// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of kernel/registry.c, compiled unchanged against liburcu
 * and the shim headers in tests/host/shim/.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "registry.h"

struct tentry {
	struct rtreg_entry e;
	int refs;
	bool dying;
};

static struct rtreg reg;
static struct tentry pool[32];
static unsigned int pool_used;
static int wakes;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;

static bool t_tryget(struct rtreg_entry *e)
{
	struct tentry *t = container_of(e, struct tentry, e);

	if (__atomic_load_n(&t->dying, __ATOMIC_ACQUIRE))
		return false;
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return true;
}

static void t_wake(struct rtreg_waiter *w)
{
	pthread_mutex_lock(&wake_lock);
	wakes++;
	pthread_cond_broadcast(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
}

/* Entries outlive each test: teardown unregisters what is left. */
static struct tentry *tnew(void)
{
	assert_true(pool_used < sizeof(pool) / sizeof(pool[0]));
	return &pool[pool_used++];
}

static int setup(void **state)
{
	rcu_register_thread();
	rtreg_init(&reg, t_tryget, t_wake);
	memset(pool, 0, sizeof(pool));
	pool_used = 0;
	wakes = 0;
	return 0;
}

static int teardown(void **state)
{
	struct rtreg_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &reg.all, all)
		rtreg_remove(&reg, e);
	rtreg_destroy(&reg);
	rcu_unregister_thread();
	return 0;
}

static void test_check_name(void **state)
{
	char buf[64];

	assert_int_equal(rtreg_check_name(""), 0);
	assert_int_equal(rtreg_check_name("a"), 1);
	assert_int_equal(rtreg_check_name("heap-1_x.y:z@~!"), 15);
	memset(buf, 'n', sizeof(buf));
	buf[31] = '\0';
	assert_int_equal(rtreg_check_name(buf), 31);
	buf[31] = 'n';
	buf[32] = '\0';
	assert_int_equal(rtreg_check_name(buf), -ENAMETOOLONG);
	buf[40] = '\0';
	assert_int_equal(rtreg_check_name(buf), -ENAMETOOLONG);
	assert_int_equal(rtreg_check_name("a b"), -EINVAL);
	assert_int_equal(rtreg_check_name("a/b"), -EINVAL);
	assert_int_equal(rtreg_check_name("/"), -EINVAL);
	assert_int_equal(rtreg_check_name("tab\t"), -EINVAL);
	assert_int_equal(rtreg_check_name("del\x7f"), -EINVAL);
	assert_int_equal(rtreg_check_name("\xc3\xa9t\xc3\xa9"), -EINVAL);
	assert_int_equal(rtreg_check_name("nl\n"), -EINVAL);
}

static void test_add_find(void **state)
{
	struct tentry *a = tnew(), *b = tnew(), *anon = tnew();

	assert_int_equal(rtreg_add(&reg, &a->e, "alpha"), 0);
	assert_int_equal(rtreg_add(&reg, &b->e, "beta"), 0);
	assert_int_equal(rtreg_add(&reg, &anon->e, NULL), 0);
	assert_true(a->e.named && b->e.named && !anon->e.named);
	assert_string_equal(anon->e.name, "");
	assert_int_not_equal(a->e.id, b->e.id);
	assert_int_not_equal(b->e.id, anon->e.id);
	assert_true(a->e.id >= RTREG_ID_MIN && a->e.id <= RTREG_ID_MAX);
	assert_int_equal(reg.count, 3);

	rcu_read_lock();
	assert_ptr_equal(rtreg_find_name(&reg, "alpha"), &a->e);
	assert_ptr_equal(rtreg_find_name(&reg, "beta"), &b->e);
	assert_null(rtreg_find_name(&reg, "gamma"));
	assert_null(rtreg_find_name(&reg, "alph"));
	assert_null(rtreg_find_name(&reg, "alphaa"));
	assert_null(rtreg_find_name(&reg, ""));
	assert_ptr_equal(rtreg_find_id(&reg, anon->e.id), &anon->e);
	assert_ptr_equal(rtreg_find_id(&reg, a->e.id), &a->e);
	assert_null(rtreg_find_id(&reg, 0));
	assert_null(rtreg_find_id(&reg, anon->e.id + 1000));
	rcu_read_unlock();

	assert_ptr_equal(rtreg_get_name(&reg, "beta"), &b->e);
	assert_int_equal(b->refs, 1);
	assert_ptr_equal(rtreg_get_id(&reg, b->e.id), &b->e);
	assert_int_equal(b->refs, 2);
	assert_null(rtreg_get_name(&reg, "bad name"));
	assert_null(rtreg_get_name(&reg, ""));

	/* Registration order. */
	assert_ptr_equal(list_first_entry(&reg.all, struct rtreg_entry, all),
			 &a->e);
}

static void test_errors_change_nothing(void **state)
{
	struct tentry *a = tnew(), *b = tnew();
	char longname[40];
	u32 next;

	assert_int_equal(rtreg_add(&reg, &a->e, "dup"), 0);
	next = reg.next_id;
	assert_int_equal(rtreg_add(&reg, &b->e, "dup"), -EEXIST);
	assert_int_equal(rtreg_add(&reg, &b->e, "sp ace"), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(rtreg_add(&reg, &b->e, longname), -ENAMETOOLONG);
	assert_false(b->e.registered);
	assert_int_equal(reg.count, 1);
	assert_int_equal(reg.next_id, next);
	rcu_read_lock();
	assert_ptr_equal(rtreg_find_name(&reg, "dup"), &a->e);
	rcu_read_unlock();
}

static void test_remove_and_reuse_name(void **state)
{
	struct tentry *a = tnew(), *b = tnew();
	u32 old;

	assert_int_equal(rtreg_add(&reg, &a->e, "name"), 0);
	old = a->e.id;
	rtreg_remove(&reg, &a->e);
	assert_false(a->e.registered);
	rtreg_remove(&reg, &a->e);	/* idempotent */
	assert_int_equal(reg.count, 0);
	rcu_read_lock();
	assert_null(rtreg_find_name(&reg, "name"));
	assert_null(rtreg_find_id(&reg, old));
	rcu_read_unlock();

	/* The name is free at once; the id is not reused. */
	assert_int_equal(rtreg_add(&reg, &b->e, "name"), 0);
	assert_int_not_equal(b->e.id, old);
	rcu_read_lock();
	assert_ptr_equal(rtreg_find_name(&reg, "name"), &b->e);
	rcu_read_unlock();
}

static void test_ids_cyclic(void **state)
{
	struct tentry *t[4] = { tnew(), tnew(), tnew(), tnew() };
	u32 first;

	assert_int_equal(rtreg_add(&reg, &t[0]->e, "t0"), 0);
	first = t[0]->e.id;
	rtreg_remove(&reg, &t[0]->e);
	assert_int_equal(rtreg_add(&reg, &t[1]->e, "t1"), 0);
	assert_int_equal(t[1]->e.id, first + 1);

	/* Wrap around, skipping ids still in use. */
	reg.next_id = RTREG_ID_MAX;
	assert_int_equal(rtreg_add(&reg, &t[2]->e, "t2"), 0);
	assert_int_equal(t[2]->e.id, RTREG_ID_MAX);
	reg.next_id = t[1]->e.id;
	assert_int_equal(rtreg_add(&reg, &t[3]->e, NULL), 0);
	assert_int_equal(t[3]->e.id, t[1]->e.id + 1);
	rtreg_remove(&reg, &t[3]->e);

	reg.next_id = RTREG_ID_MAX;
	assert_int_equal(rtreg_add(&reg, &t[3]->e, NULL), 0);
	assert_int_equal(t[3]->e.id, RTREG_ID_MIN);
	assert_int_equal(reg.next_id, RTREG_ID_MIN + 1);
}

static void test_tryget_fails(void **state)
{
	struct tentry *a = tnew();
	struct rtreg_waiter w;
	struct rtreg_entry *e;

	assert_int_equal(rtreg_add(&reg, &a->e, "dying"), 0);
	a->dying = true;
	assert_null(rtreg_get_name(&reg, "dying"));
	assert_null(rtreg_get_id(&reg, a->e.id));
	/* A bind then waits, as for an absent name. */
	assert_int_equal(rtreg_bind_prepare(&reg, &w, "dying", NULL, &e), 0);
	assert_null(e);
	assert_null(rtreg_bind_finish(&reg, &w));
	assert_int_equal(a->refs, 0);
}

static void test_bind_present(void **state)
{
	struct tentry *a = tnew();
	struct rtreg_waiter w;
	struct rtreg_entry *e = NULL;

	assert_int_equal(rtreg_add(&reg, &a->e, "here"), 0);
	assert_int_equal(rtreg_bind_prepare(&reg, &w, "here", NULL, &e), 0);
	assert_ptr_equal(e, &a->e);
	assert_int_equal(a->refs, 1);
	assert_true(list_empty(&reg.waiters));
	assert_null(rtreg_bind_finish(&reg, &w));
	assert_int_equal(wakes, 0);
}

static void test_bind_bad_names(void **state)
{
	struct rtreg_waiter w;
	struct rtreg_entry *e = (void *)1;

	assert_int_equal(rtreg_bind_prepare(&reg, &w, "", NULL, &e),
			 -EINVAL);
	assert_int_equal(rtreg_bind_prepare(&reg, &w, "a/b", NULL, &e),
			 -EINVAL);
	assert_int_equal(rtreg_bind_prepare(&reg, &w,
					    "0123456789012345678901234567890123",
					    NULL, &e), -ENAMETOOLONG);
	assert_ptr_equal(e, (void *)1);
	assert_true(list_empty(&reg.waiters));
}

static void test_bind_wait_granted(void **state)
{
	struct tentry *a = tnew(), *other = tnew(), *anon = tnew();
	struct rtreg_waiter w1, w2, w3;
	struct rtreg_entry *e;

	assert_int_equal(rtreg_bind_prepare(&reg, &w1, "later", NULL, &e), 0);
	assert_null(e);
	assert_int_equal(rtreg_bind_prepare(&reg, &w2, "later", NULL, &e), 0);
	assert_null(e);
	assert_int_equal(rtreg_bind_prepare(&reg, &w3, "else", NULL, &e), 0);
	assert_null(e);

	assert_int_equal(rtreg_add(&reg, &anon->e, ""), 0);
	assert_int_equal(rtreg_add(&reg, &other->e, "other"), 0);
	assert_int_equal(wakes, 0);
	assert_false(w1.granted);

	assert_int_equal(rtreg_add(&reg, &a->e, "later"), 0);
	assert_int_equal(wakes, 2);
	assert_int_equal(a->refs, 2);
	assert_true(smp_load_acquire(&w1.granted));
	assert_true(smp_load_acquire(&w2.granted));
	assert_false(w3.granted);
	assert_ptr_equal(rtreg_bind_finish(&reg, &w1), &a->e);
	assert_ptr_equal(rtreg_bind_finish(&reg, &w2), &a->e);

	/* A waiter that gave up is not granted later. */
	assert_null(rtreg_bind_finish(&reg, &w3));
	assert_true(list_empty(&reg.waiters));
	{
		struct tentry *e2 = tnew();

		assert_int_equal(rtreg_add(&reg, &e2->e, "else"), 0);
		assert_int_equal(wakes, 2);
		assert_int_equal(e2->refs, 0);
		rtreg_remove(&reg, &e2->e);
	}
}

struct binder {
	const char *name;
	struct rtreg_entry *got;
	int ret;
};

static void *binder_thread(void *arg)
{
	struct binder *b = arg;
	struct rtreg_waiter w;
	struct rtreg_entry *e;

	rcu_register_thread();
	b->ret = rtreg_bind_prepare(&reg, &w, b->name, NULL, &e);
	if (!b->ret && !e) {
		pthread_mutex_lock(&wake_lock);
		while (!smp_load_acquire(&w.granted))
			pthread_cond_wait(&wake_cond, &wake_lock);
		pthread_mutex_unlock(&wake_lock);
		e = rtreg_bind_finish(&reg, &w);
	}
	b->got = e;
	rcu_unregister_thread();
	return NULL;
}

static void test_bind_wait_threads(void **state)
{
	struct binder b[3] = {
		{ .name = "late" }, { .name = "late" }, { .name = "late" }
	};
	pthread_t th[3];
	struct tentry *a = tnew();
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, binder_thread,
						&b[i]), 0);
	usleep(20000);
	assert_int_equal(rtreg_add(&reg, &a->e, "late"), 0);
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(b[i].ret, 0);
		assert_ptr_equal(b[i].got, &a->e);
	}
	assert_int_equal(a->refs, 3);
	assert_true(list_empty(&reg.waiters));
}

/*
 * RCU: readers look entries up by name and id while a writer registers
 * and removes them; an entry is poisoned only after a grace period.
 */
#define STRESS_SLOTS	16
#define STRESS_ROUNDS	3000

static struct tentry stress[STRESS_SLOTS];
static volatile bool stress_stop;
static unsigned long stress_bad;

static void *reader_thread(void *arg)
{
	unsigned long n = 0;

	rcu_register_thread();
	while (!stress_stop) {
		char name[RTREG_NAMELEN];
		struct rtreg_entry *e;
		int i = n++ % STRESS_SLOTS;

		snprintf(name, sizeof(name), "s%d", i);
		rcu_read_lock();
		e = rtreg_find_name(&reg, name);
		if (e && strcmp(e->name, name))
			__atomic_add_fetch(&stress_bad, 1, __ATOMIC_RELAXED);
		if (e) {
			u32 id = e->id;
			struct rtreg_entry *f = rtreg_find_id(&reg, id);

			if (f && f->id != id)
				__atomic_add_fetch(&stress_bad, 1,
						   __ATOMIC_RELAXED);
		}
		rcu_read_unlock();
	}
	rcu_unregister_thread();
	return NULL;
}

static void test_rcu_stress(void **state)
{
	pthread_t th[2];
	int i, r;

	stress_stop = false;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader_thread,
						NULL), 0);
	for (r = 0; r < STRESS_ROUNDS; r++) {
		char name[RTREG_NAMELEN];
		struct tentry *t = &stress[r % STRESS_SLOTS];

		if (t->e.registered) {
			rtreg_remove(&reg, &t->e);
			synchronize_rcu();
			memset(t, 0x5a, sizeof(*t));	/* "free" */
			memset(t, 0, sizeof(*t));
		}
		snprintf(name, sizeof(name), "s%d", r % STRESS_SLOTS);
		assert_int_equal(rtreg_add(&reg, &t->e, name), 0);
	}
	stress_stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(stress_bad, 0);
	assert_int_equal(reg.count, STRESS_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_name),
		cmocka_unit_test_setup_teardown(test_add_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_change_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_reuse_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_cyclic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tryget_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_present, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_bad_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_wait_granted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_wait_threads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rcu_stress, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
