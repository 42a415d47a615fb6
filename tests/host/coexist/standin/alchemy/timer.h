/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for Xenomai 3's <alchemy/timer.h>, for rtheap's coexistence
 * tests: the same include guard and the same RTIME and TM_* definitions,
 * token for token, as the header a Xenomai program includes.
 */
#ifndef _XENOMAI_ALCHEMY_TIMER_H
#define _XENOMAI_ALCHEMY_TIMER_H

#include <stddef.h>

typedef unsigned long long standin_ticks_t;
typedef long long standin_sticks_t;

typedef standin_ticks_t RTIME;

typedef standin_sticks_t SRTIME;

#define TM_INFINITE  0
#define TM_NOW       0
#define TM_NONBLOCK  ((RTIME)-1ULL)

#ifdef __cplusplus
extern "C" {
#endif

RTIME rt_timer_read(void);

#ifdef __cplusplus
}
#endif

#endif /* _XENOMAI_ALCHEMY_TIMER_H */
