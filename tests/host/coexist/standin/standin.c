// SPDX-License-Identifier: MIT
/*
 * The stand-in libalchemy: tasks on POSIX threads, and an rt_heap_* of its
 * own whose every call answers STANDIN_HEAP_MARKER.  Built static and
 * shared, it exports the same heap symbols Xenomai's libalchemy exports.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <alchemy/task.h>
#include <alchemy/heap.h>

struct standin_task {
	pthread_t thread;
	void (*entry)(void *arg);
	void *arg;
};

RTIME rt_timer_read(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (RTIME)ts.tv_sec * 1000000000ULL + (RTIME)ts.tv_nsec;
}

int rt_task_create(RT_TASK *task, const char *name, int stksize, int prio,
		   int mode)
{
	struct standin_task *t = calloc(1, sizeof(*t));

	(void)name;
	(void)stksize;
	(void)prio;
	(void)mode;
	if (!t)
		return -12;	/* -ENOMEM */
	task->handle = (uintptr_t)t;
	return 0;
}

static void *task_trampoline(void *arg)
{
	struct standin_task *t = arg;

	t->entry(t->arg);
	return NULL;
}

int rt_task_start(RT_TASK *task, void (*entry)(void *arg), void *arg)
{
	struct standin_task *t = (struct standin_task *)task->handle;

	t->entry = entry;
	t->arg = arg;
	return -pthread_create(&t->thread, NULL, task_trampoline, t);
}

int rt_task_join(RT_TASK *task)
{
	struct standin_task *t = (struct standin_task *)task->handle;
	int ret = -pthread_join(t->thread, NULL);

	free(t);
	task->handle = 0;
	return ret;
}

int rt_heap_create(RT_HEAP *heap, const char *name, size_t heapsize,
		   int mode)
{
	(void)heap;
	(void)name;
	(void)heapsize;
	(void)mode;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_delete(RT_HEAP *heap)
{
	(void)heap;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_alloc_timed(RT_HEAP *heap, size_t size,
			const struct timespec *abs_timeout, void **blockp)
{
	(void)heap;
	(void)size;
	(void)abs_timeout;
	(void)blockp;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_free(RT_HEAP *heap, void *block)
{
	(void)heap;
	(void)block;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_inquire(RT_HEAP *heap, RT_HEAP_INFO *info)
{
	(void)heap;
	(void)info;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_bind(RT_HEAP *heap, const char *name, RTIME timeout)
{
	(void)heap;
	(void)name;
	(void)timeout;
	return STANDIN_HEAP_MARKER;
}

int rt_heap_unbind(RT_HEAP *heap)
{
	(void)heap;
	return STANDIN_HEAP_MARKER;
}
