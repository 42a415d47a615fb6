/* SPDX-License-Identifier: MIT */
/* <xenomai/native/heap.h>, as some Xenomai 2 code includes it. */
#include <native/heap.h>
