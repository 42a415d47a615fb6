// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/rtheap: a versioned header, one row per heap (id and name shown,
 * gone after delete), and no kernel pointer anywhere.
 */
#include <ctype.h>
#include <unistd.h>

#include "tcommon.h"

#define PROC "/proc/rtheap"

static char *slurp(void)
{
	static char buf[1 << 16];
	FILE *f = fopen(PROC, "r");
	size_t n;

	CHECKF(f, "%s: %s", PROC, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	CHECK(!ferror(f));
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* A row naming the heap: its name and its id as whole words. */
static bool has_row(const char *text, const char *name, unsigned int id)
{
	char idstr[16];
	const char *line = strchr(text, '\n');

	snprintf(idstr, sizeof(idstr), "%u", id);
	while (line && *++line) {
		const char *end = strchrnul(line, '\n');
		bool named = false, ided = false;
		const char *w = line;

		while (w < end) {
			size_t len;

			while (w < end && isspace((unsigned char)*w))
				w++;
			len = strcspn(w, " \t\n");
			if (len == strlen(name) && !strncmp(w, name, len))
				named = true;
			if (len == strlen(idstr) && !strncmp(w, idstr, len))
				ided = true;
			w += len;
		}
		if (named && ided)
			return true;
		line = *end ? end : NULL;
	}
	return false;
}

static void no_kernel_pointers(const char *text)
{
	for (const char *p = text; *p; p++) {
		size_t run = 0;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (isxdigit((unsigned char)p[run]))
			run++;
		CHECKF(!(run >= 12 && !strncasecmp(p, "ffff", 4)),
		       "%s shows what looks like a kernel address: %.*s", PROC,
		       (int)run, p);
		if (run)
			p += run - 1;
	}
}

int main(void)
{
	const char *n = t_name("t_proc");
	char first[256];
	const char *text;
	RT_HEAP h, anon;
	void *p;

	if (access(PROC, F_OK))
		T_FAIL("%s does not exist", PROC);

	CHECK_OK(rt_heap_create(&h, n, 8 * T_PAGE, H_PRIO));
	CHECK_OK(rt_heap_create(&anon, NULL, T_PAGE, H_FIFO));
	CHECK_OK(rt_heap_alloc(&h, 100, TM_NONBLOCK, &p));
	text = slurp();

	/* Header: the first line names the format and gives its version. */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(text, "\n"), text);
	{
		char word[32];
		unsigned int version;
		int n = 0;

		CHECKF((sscanf(first, "%31s %u%n", word, &version, &n) == 2 &&
			!strcmp(word, "rtheap") && !first[n]) ||
		       (strcasestr(first, "version") &&
			strpbrk(first, "0123456789")),
		       "first line of %s is not a versioned header: \"%s\"",
		       PROC, first);
	}
	CHECKF(has_row(text, n, h.id), "no row with name %s and id %u in "
	       "%s:\n%s", n, h.id, PROC, text);
	no_kernel_pointers(text);

	CHECK_OK(rt_heap_delete(&h));
	/* Whatever libheap keeps after a delete, drop it: then the heap's
	 * last user is gone. */
	CHECK_RET2(rt_heap_unbind(&h), 0, -EINVAL);
	text = slurp();
	CHECKF(!has_row(text, n, h.id), "deleted heap %s still in %s:\n%s", n,
	       PROC, text);
	no_kernel_pointers(text);
	CHECK_OK(rt_heap_delete(&anon));
	return T_EXIT_PASS;
}
