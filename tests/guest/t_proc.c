// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/rtheap: a versioned header, one row per heap (id and name shown,
 * gone after delete), and no kernel pointer anywhere; with many heaps, read
 * in small pieces, every heap's row comes exactly once; a file opened by an
 * unprivileged user and read by root shows what its opener may see.
 */
#include <ctype.h>
#include <fcntl.h>
#include <sys/socket.h>
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

/* /proc/rtheap read with read() calls of `chunk' bytes. */
static char *slurp_chunked(size_t chunk)
{
	static char buf[1 << 20];
	size_t n = 0;
	ssize_t r;
	int fd = open(PROC, O_RDONLY);

	CHECK(fd >= 0);
	while ((r = read(fd, buf + n, chunk)) > 0) {
		n += (size_t)r;
		CHECK(n + chunk < sizeof(buf));
	}
	CHECK(r == 0);
	close(fd);
	buf[n] = 0;
	return buf;
}

static void test_many(void)
{
	enum { N = 150 };
	static RT_HEAP h[N];
	static const size_t chunks[] = { 1, 7, 100, 4096, 65536 };
	char name[RTHEAP_NAMELEN];

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%s.%d", t_name("t_proc_m"), i);
		CHECK_OK(rt_heap_create(&h[i], name, T_PAGE, H_FIFO));
	}
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		const char *text = slurp_chunked(chunks[c]);

		for (int i = 0; i < N; i++) {
			const char *p, *first;
			char word[RTHEAP_NAMELEN + 2];

			snprintf(name, sizeof(name), "%s.%d",
				 t_name("t_proc_m"), i);
			snprintf(word, sizeof(word), " %s ", name);
			first = strstr(text, word);
			CHECKF(first, "read in %zu-byte pieces: no row for %s",
			       chunks[c], name);
			p = strstr(first + 1, word);
			CHECKF(!p, "read in %zu-byte pieces: two rows for %s",
			       chunks[c], name);
			CHECK(has_row(text, name, h[i].id));
		}
	}
	for (int i = 0; i < N; i++)
		CHECK_OK(rt_heap_delete(&h[i]));
}

/* The unprivileged side: open /proc/rtheap and hand the file over. */
static int opener(void *arg)
{
	int sock = *(int *)arg, fd;
	char byte = 0;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	t_drop_privs(T_RTUSER);
	fd = open(PROC, O_RDONLY);
	CHECKF(fd >= 0, "open %s as rtuser: %s", PROC, strerror(errno));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	CHECK(sendmsg(sock, &msg, 0) == 1);
	return 0;
}

/*
 * Visibility is the opener's: root reading a file rtuser opened does not
 * see root's 0600 heap.
 */
static void test_opener_creds(void)
{
	const char *n = t_name("t_proc.root");
	char buf[1 << 14], cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	int sv[2], fd;
	ssize_t len;
	RT_HEAP h;
	pid_t pid;

	CHECK_OK(rt_heap_create(&h, n, T_PAGE, H_FIFO));	/* root, 0600 */
	CHECKF(strstr(slurp(), n), "root does not see its own heap in %s", PROC);
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid = t_spawn(opener, &sv[1]);
	CHECK(recvmsg(sv[0], &msg, 0) == 1);
	CHECK_CHILD(pid, 10000);
	CHECK(CMSG_FIRSTHDR(&msg) && CMSG_FIRSTHDR(&msg)->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	len = read(fd, buf, sizeof(buf) - 1);
	CHECK(len > 0);
	buf[len] = 0;
	CHECKF(!strstr(buf, n), "root, reading a file rtuser opened, sees root's "
	       "0600 heap %s:\n%s", n, buf);
	CHECK(!strncmp(buf, "rtheap ", 7));	/* the header is there */
	close(fd);
	close(sv[0]);
	close(sv[1]);
	CHECK_OK(rt_heap_delete(&h));
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
	test_many();
	test_opener_creds();
	return T_EXIT_PASS;
}
