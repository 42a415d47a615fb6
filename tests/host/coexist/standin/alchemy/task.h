/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for Xenomai 3's <alchemy/task.h>: tasks on POSIX threads,
 * enough for a program that keeps its tasks on Xenomai and takes its heaps
 * from rtheap.
 */
#ifndef _XENOMAI_ALCHEMY_TASK_H
#define _XENOMAI_ALCHEMY_TASK_H

#include <stdint.h>
#include <alchemy/timer.h>

typedef struct RT_TASK {
	uintptr_t handle;
} RT_TASK;

#ifdef __cplusplus
extern "C" {
#endif

int rt_task_create(RT_TASK *task, const char *name, int stksize, int prio,
		   int mode);
int rt_task_start(RT_TASK *task, void (*entry)(void *arg), void *arg);
int rt_task_join(RT_TASK *task);

#ifdef __cplusplus
}
#endif

#endif /* _XENOMAI_ALCHEMY_TASK_H */
