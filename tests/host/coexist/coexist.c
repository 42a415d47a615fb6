// SPDX-License-Identifier: GPL-2.0
/*
 * A program that keeps its tasks on Xenomai (here the stand-in libalchemy)
 * and takes its heaps from rtheap through <alchemy/heap.h>: every heap
 * call, made from a task, must reach libheap, whatever the link order.
 * Without /dev/rtheap the calls fail with rtheap's errno (-ENODEV for
 * create and bind, -EINVAL for a descriptor never attached); with the
 * module loaded they succeed.  The stand-in's heap calls would answer
 * STANDIN_HEAP_MARKER, which no check below accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <alchemy/task.h>
#include <alchemy/heap.h>

#ifdef _XENOMAI_ALCHEMY_HEAP_H
#error "<alchemy/heap.h> must be rtheap's here"
#endif

static int failures;
static int checks;

#define EXPECT(call, want)						\
	do {								\
		int got_ = (call);					\
		checks++;						\
		if (got_ != (want)) {					\
			failures++;					\
			fprintf(stderr, "coexist: %s = %d, expected %d%s\n",	\
				#call, got_, (int)(want),		\
				got_ == -7031 ? " (the stand-in's)" : "");	\
		}							\
	} while (0)

static void heap_calls_without_module(void)
{
	RT_HEAP h, never;
	RT_HEAP_INFO info;
	void *p = NULL;

	memset(&never, 0, sizeof(never));
	EXPECT(rt_heap_create(&h, "coexist", 65536, H_PRIO), -ENODEV);
	EXPECT(rt_heap_bind(&h, "coexist", TM_NONBLOCK), -ENODEV);
	EXPECT(rt_heap_alloc(&never, 64, TM_NONBLOCK, &p), -EINVAL);
	EXPECT(rt_heap_alloc_timed(&never, 64, NULL, &p), -EINVAL);
	EXPECT(rt_heap_free(&never, &info), -EINVAL);
	EXPECT(rt_heap_inquire(&never, &info), -EINVAL);
	EXPECT(rt_heap_unbind(&never), -EINVAL);
	EXPECT(rt_heap_delete(&never), -EINVAL);
}

static void heap_calls_with_module(void)
{
	char name[32];
	RT_HEAP h, b;
	RT_HEAP_INFO info;
	void *p = NULL, *q = NULL;

	snprintf(name, sizeof(name), "coexist.%d", (int)getpid());
	EXPECT(rt_heap_create(&h, name, 65536, H_PRIO), 0);
	EXPECT(rt_heap_bind(&b, name, TM_NONBLOCK), 0);
	EXPECT(rt_heap_alloc(&h, 100, TM_NONBLOCK, &p), 0);
	EXPECT(rt_heap_alloc_timed(&b, 100, NULL, &q), 0);
	EXPECT(rt_heap_inquire(&b, &info), 0);
	EXPECT((int)info.usedmem, 256);
	EXPECT(rt_heap_free(&b, p), 0);
	EXPECT(rt_heap_free(&h, q), 0);
	EXPECT(rt_heap_unbind(&b), 0);
	EXPECT(rt_heap_delete(&h), 0);
}

static void task_body(void *arg)
{
	(void)arg;
	if (access("/dev/rtheap", F_OK))
		heap_calls_without_module();
	else
		heap_calls_with_module();
}

int main(void)
{
	RT_TASK task;

	if (rt_task_create(&task, "coexist", 0, 10, 0) ||
	    rt_task_start(&task, task_body, NULL) || rt_task_join(&task)) {
		fprintf(stderr, "coexist: the stand-in's task calls failed\n");
		return 1;
	}
	printf("coexist: %d of %d heap calls reached rtheap as expected (%s)\n",
	       checks - failures, checks,
	       access("/dev/rtheap", F_OK) ? "no module" : "module loaded");
	return failures ? 1 : 0;
}
