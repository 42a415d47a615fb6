// SPDX-License-Identifier: GPL-2.0
/*
 * The reverse of coexist.c: a program built against the stand-in's own
 * <alchemy/heap.h> (Xenomai's, for it) and linked with libheap too.  Its
 * heap calls must all reach the stand-in: libheap defines no rt_heap_*
 * symbol that could take them, whatever the link order.
 */
#include <stdio.h>
#include <string.h>

#include <alchemy/task.h>
#include <alchemy/heap.h>

#ifndef STANDIN_HEAP_MARKER
#error "<alchemy/heap.h> must be the stand-in's here"
#endif

int main(void)
{
	RT_HEAP h;
	RT_HEAP_INFO info;
	void *p = NULL;
	int got[7], i, bad = 0;

	memset(&h, 0, sizeof(h));
	got[0] = rt_heap_create(&h, "reverse", 65536, H_PRIO);
	got[1] = rt_heap_bind(&h, "reverse", TM_NONBLOCK);
	got[2] = rt_heap_alloc(&h, 64, TM_NONBLOCK, &p);
	got[3] = rt_heap_free(&h, p);
	got[4] = rt_heap_inquire(&h, &info);
	got[5] = rt_heap_unbind(&h);
	got[6] = rt_heap_delete(&h);
	for (i = 0; i < 7; i++) {
		if (got[i] != STANDIN_HEAP_MARKER) {
			fprintf(stderr, "reverse: heap call %d returned %d, not the stand-in's %d\n",
				i, got[i], STANDIN_HEAP_MARKER);
			bad++;
		}
	}
	printf("reverse: %d of 7 heap calls reached the stand-in\n", 7 - bad);
	return bad ? 1 : 0;
}
