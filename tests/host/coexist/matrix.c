// SPDX-License-Identifier: GPL-2.0
/*
 * One translation unit with Xenomai's task and timer headers (the
 * stand-in's, which define RTIME and TM_* as Xenomai 3 does) and rtheap's
 * heap header, in the order MATRIX_HEAP_FIRST says; HEAP_HEADER names
 * rtheap's header (<alchemy/heap.h> or <rtheap/heap.h>).  Compiled, not
 * run, under -Wall -Wextra -Werror -pedantic as gnu99, C11 and C++17.
 */
#ifdef MATRIX_HEAP_FIRST
#include HEAP_HEADER
#include <alchemy/task.h>
#else
#include <alchemy/task.h>
#include HEAP_HEADER
#endif

#if TM_INFINITE != 0 || TM_NOW != 0
#error "TM_INFINITE and TM_NOW are 0"
#endif

static RTIME forever = TM_INFINITE;
static RTIME never = TM_NONBLOCK;

int matrix_use(RT_TASK *task, RT_HEAP *heap, void **blockp);
int matrix_use(RT_TASK *task, RT_HEAP *heap, void **blockp)
{
	int ret = rt_task_create(task, "matrix", 0, 1, 0);

	if (!ret)
		ret = rt_heap_alloc(heap, 64, never, blockp);
	if (!ret)
		ret = rt_heap_alloc(heap, 64, forever, blockp);
	return ret ? ret : rt_heap_free(heap, *blockp);
}
