// SPDX-License-Identifier: GPL-2.0
/*
 * heapctl list, info and watch - what the module tells of heaps: the calls
 * that ask it (rt_heap_list, rt_heap_info_by_name) and the text and JSON
 * made of their answers.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heapctl.h"

static void perm_string(unsigned int perm, char *buf)
{
	static const char rwx[] = "rwx";
	int i;

	for (i = 0; i < 9; i++)
		buf[i] = perm & (0400 >> i) ? rwx[i % 3] : '-';
	buf[9] = '\0';
}

static void mode_string(const RT_HEAP_INFO *hi, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 hi->mode & H_PRIO ? "prio" : "fifo",
		 hi->mode & H_SHARED ? ",shared" : "",
		 hi->mode & H_PERSIST ? ",persist" : "",
		 hi->flags & RT_HEAP_INFO_DELETED ? ",deleted" : "");
}

static void json_info(const RT_HEAP_INFO *hi)
{
	char mode[64], user[64], group[64];
	int i;

	mode_string(hi, mode, sizeof(mode));
	printf("{\"id\":%u,\"name\":", hi->id);
	json_string(hi->name);
	printf(",\"uid\":%u,\"owner\":", hi->uid);
	json_string(user_name(hi->uid, user, sizeof(user)));
	printf(",\"gid\":%u,\"group\":", hi->gid);
	json_string(group_name(hi->gid, group, sizeof(group)));
	printf(",\"perm\":\"%04o\",\"cpid\":%u,\"mode\":\"%s\",\"mode_bits\":%u,"
	       "\"deleted\":%s,\"heap_size\":%llu,\"usable_mem\":%llu,"
	       "\"used_mem\":%llu,\"largest_free\":%llu,\"nwaiters\":%u,"
	       "\"nmaps\":%u,\"nbound\":%u,\"run_pages\":%llu,\"class_blocks\":{",
	       hi->perm, hi->cpid, mode, hi->mode,
	       hi->flags & RT_HEAP_INFO_DELETED ? "true" : "false",
	       (unsigned long long)hi->heapsize,
	       (unsigned long long)hi->usablemem,
	       (unsigned long long)hi->usedmem,
	       (unsigned long long)hi->largestfree,
	       hi->nwaiters, hi->nmaps, hi->nbound,
	       (unsigned long long)hi->run_pages);
	for (i = 0; i < (int)hi->nr_classes && i < RTHEAP_MAX_CLASSES; i++)
		printf("%s\"%u\":%llu", i ? "," : "", RTHEAP_MIN_BLOCK << i,
		       (unsigned long long)hi->class_blocks[i]);
	printf("}}");
}

/* Every visible heap, in a malloc'ed array; returns count or -errno. */
static int get_heaps(RT_HEAP_INFO **out)
{
	RT_HEAP_INFO *buf = NULL, *nbuf;
	unsigned int cap = 0, count;
	int ret;

	for (;;) {
		ret = rt_heap_list(buf, cap, &count);
		if (ret || count <= cap)
			break;
		if (count > INT_MAX - 16) {
			ret = -ENOMEM;
			break;
		}
		cap = count + 16;	/* room for heaps created meanwhile */
		nbuf = realloc(buf, (size_t)cap * sizeof(*buf));
		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	return (int)count;
}

int cmd_list(const struct opts *o)
{
	RT_HEAP_INFO *heaps = NULL;
	char user[64], mode[64], perm[10], size[32], used[32];
	int n, i, wname = 4, wuser = 5, len;
	bool bytes = o->given & OPT_BYTES;

	n = get_heaps(&heaps);
	if (n < 0)
		return fail("list", NULL, n);

	if (o->given & OPT_JSON) {
		printf("{\"heaps\":[");
		for (i = 0; i < n; i++) {
			printf(i ? ",\n" : "\n");
			json_info(&heaps[i]);
		}
		printf("\n]}\n");
		free(heaps);
		return EXIT_SUCCESS;
	}

	for (i = 0; i < n; i++) {
		len = (int)strlen(heaps[i].name);
		if (len > wname)
			wname = len;
		len = (int)strlen(user_name(heaps[i].uid, user, sizeof(user)));
		if (len > wuser)
			wuser = len;
	}
	printf("%5s %-*s %-*s %-9s %-20s %8s %8s %7s %4s\n", "ID", wname, "NAME",
	       wuser, "OWNER", "PERMS", "MODE", "SIZE", "USED", "WAITERS", "MAPS");
	for (i = 0; i < n; i++) {
		const RT_HEAP_INFO *hi = &heaps[i];

		perm_string(hi->perm, perm);
		mode_string(hi, mode, sizeof(mode));
		printf("%5u %-*s %-*s %-9s %-20s %8s %8s %7u %4u\n", hi->id,
		       wname, hi->name[0] ? hi->name : "-",
		       wuser, user_name(hi->uid, user, sizeof(user)), perm, mode,
		       human(hi->heapsize, bytes, size, sizeof(size)),
		       human(hi->usedmem, bytes, used, sizeof(used)),
		       hi->nwaiters, hi->nmaps);
	}
	free(heaps);
	return EXIT_SUCCESS;
}

/*
 * Find heap name by listing (which leaves the heap untouched).  A heap we
 * may not read is not listed, so ask bind why it is missing.
 */
int find_heap(const char *name, RT_HEAP_INFO *hi)
{
	RT_HEAP heap;
	int ret;

	ret = rt_heap_info_by_name(name, hi);
	if (ret != -ENOENT)
		return ret;
	ret = rt_heap_bind_timed(&heap, name, TM_NONBLOCK);
	if (ret == 0) {		/* created meanwhile */
		rt_heap_unbind(&heap);
		return rt_heap_info_by_name(name, hi);
	}
	if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT)
		ret = -ENOENT;
	return ret;
}

static void print_info(const RT_HEAP_INFO *hi, bool bytes)
{
	char buf[64], b1[32];
	int i;

	printf("name:          %s\n", hi->name[0] ? hi->name : "(anonymous)");
	printf("id:            %u\n", hi->id);
	printf("owner:         %s (uid %u)\n", user_name(hi->uid, buf, sizeof(buf)), hi->uid);
	printf("group:         %s (gid %u)\n", group_name(hi->gid, buf, sizeof(buf)), hi->gid);
	perm_string(hi->perm, buf);
	printf("perms:         %s (%04o)\n", buf, hi->perm);
	printf("creator pid:   %u%s\n", hi->cpid, hi->cpid ? "" : " (kernel)");
	mode_string(hi, buf, sizeof(buf));
	printf("mode:          %s\n", buf);
	printf("status:        %s\n", hi->flags & RT_HEAP_INFO_DELETED ?
	       "deleted, memory held by its mappings" : "live");
	printf("heap size:     %s\n", human(hi->heapsize, bytes, b1, sizeof(b1)));
	printf("usable:        %s\n", human(hi->usablemem, bytes, b1, sizeof(b1)));
	printf("used:          %s (%.1f%%)\n", human(hi->usedmem, bytes, b1, sizeof(b1)),
	       hi->usablemem ? 100.0 * (double)hi->usedmem / (double)hi->usablemem : 0.0);
	printf("largest free:  %s\n", human(hi->largestfree, bytes, b1, sizeof(b1)));
	printf("waiters:       %u\n", hi->nwaiters);
	printf("mappings:      %u\n", hi->nmaps);
	printf("bound files:   %u\n", hi->nbound);
	printf("run pages:     %llu\n", (unsigned long long)hi->run_pages);
	printf("live blocks per class:\n");
	for (i = 0; i < (int)hi->nr_classes && i < RTHEAP_MAX_CLASSES; i++)
		printf("  %6u: %llu\n", RTHEAP_MIN_BLOCK << i,
		       (unsigned long long)hi->class_blocks[i]);
}

int cmd_info(const struct opts *o, const char *name)
{
	RT_HEAP_INFO hi;
	int ret;

	ret = find_heap(name, &hi);
	if (ret)
		return fail("info", name, ret);
	if (o->given & OPT_JSON) {
		json_info(&hi);
		putchar('\n');
	} else {
		print_info(&hi, o->given & OPT_BYTES);
	}
	return EXIT_SUCCESS;
}

static void watch_line(const RT_HEAP_INFO *hi, bool bytes)
{
	char t[16], b[4][32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(t, sizeof(t), "%H:%M:%S", localtime_r(&now, &tm));
	printf("%-8s %10s %10s %10s %7u %4u %6u\n", t,
	       human(hi->usedmem, bytes, b[0], sizeof(b[0])),
	       human(hi->usablemem, bytes, b[1], sizeof(b[1])),
	       human(hi->largestfree, bytes, b[2], sizeof(b[2])),
	       hi->nwaiters, hi->nmaps, hi->nbound);
}

int cmd_watch(const struct opts *o, const char *name)
{
	double iv = o->given & OPT_INTERVAL ? o->interval : 1.0;
	bool tty = isatty(STDOUT_FILENO), bytes = o->given & OPT_BYTES;
	struct timespec ts;
	RT_HEAP_INFO hi;
	unsigned long n;
	int ret;

	ts.tv_sec = (time_t)iv;
	ts.tv_nsec = (long)((iv - (double)ts.tv_sec) * 1e9);

	for (n = 0; !o->count || n < o->count; n++) {
		if (n) {
			fflush(stdout);
			if (nanosleep(&ts, NULL))
				return fail("watch", name, -errno);
		}
		ret = find_heap(name, &hi);
		if (ret == -ENOENT && n)
			return fail("watch", name, -EIDRM);
		if (ret)
			return fail("watch", name, ret);

		if (o->given & OPT_JSON) {
			json_info(&hi);
			putchar('\n');
		} else if (tty) {
			printf("\033[H\033[2J");
			printf("heapctl watch \"%s\", every %gs\n\n", name, iv);
			print_info(&hi, bytes);
		} else {
			if (n == 0)
				printf("%-8s %10s %10s %10s %7s %4s %6s\n", "TIME",
				       "USED", "USABLE", "LARGEST", "WAITERS",
				       "MAPS", "BOUND");
			watch_line(&hi, bytes);
		}
	}
	return EXIT_SUCCESS;
}
