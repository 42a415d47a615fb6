/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heapctl - what its files share: the options, the exit status, the error
 * and formatting helpers of heapctl.c and each file's commands.
 */
#ifndef HEAPCTL_H
#define HEAPCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <rtheap/heap.h>

#define EXIT_USAGE	2

enum {
	OPT_JSON	= 1 << 0,
	OPT_BYTES	= 1 << 1,
	OPT_PRIO	= 1 << 2,
	OPT_SHARED	= 1 << 3,
	OPT_PERM	= 1 << 4,
	OPT_GROUP	= 1 << 5,
	OPT_INTERVAL	= 1 << 6,
	OPT_COUNT	= 1 << 7,
	OPT_SVG		= 1 << 8,
};

struct opts {
	unsigned int given;	/* OPT_* seen on the command line */
	unsigned int perm;
	int gid;
	double interval;	/* seconds */
	unsigned long count;	/* watch samples, 0 = until interrupted */
	const char *svg;	/* map: the picture's file */
};

/* heapctl.c */
const char *reason(int err);
int fail(const char *what, const char *name, int ret);
const char *human(unsigned long long v, bool bytes, char *buf, size_t len);
const char *user_name(unsigned int uid, char *buf, size_t len);
const char *group_name(unsigned int gid, char *buf, size_t len);
void json_string(const char *s);

/* heapctl_info.c */
int find_heap(const char *name, RT_HEAP_INFO *hi);
int cmd_list(const struct opts *o);
int cmd_info(const struct opts *o, const char *name);
int cmd_watch(const struct opts *o, const char *name);

/* heapctl_map.c */
int cmd_map(const struct opts *o, const char *name);

#endif /* HEAPCTL_H */
