// SPDX-License-Identifier: MIT
/*
 * rtheap-demo - two processes sharing real-time heaps through libheap.
 *
 *   rtheap-demo consumer   binds heap "demo" (waiting until it exists) and
 *                          serves the producer's requests
 *   rtheap-demo producer   creates "demo", passes messages in heap blocks,
 *                          blocks in an allocation until the consumer frees,
 *                          shares an H_SHARED segment, then cleans up
 *
 * The two talk over two FIFOs: one line per request, block offsets in the
 * text (an address means nothing in the other process; an offset does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <rtheap/heap.h>

#define TO_CONSUMER	"/tmp/rtheap-demo.to-consumer"
#define TO_PRODUCER	"/tmp/rtheap-demo.to-producer"
#define HEAP_NAME	"demo"
#define SHM_NAME	"demo-shm"
#define HEAP_SIZE	(16 * 1024)
#define NS_PER_SEC	1000000000ULL

static const char *role = "demo";
static FILE *in, *out;

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("%-9s| ", role);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void check(int ret, const char *what)
{
	if (ret < 0) {
		say("%s: %s", what, strerror(-ret));
		exit(1);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

static char *recv_line(char *buf, size_t len)
{
	if (!fgets(buf, len, in)) {
		say("the other side went away");
		exit(1);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void shell(const char *cmd)
{
	say("$ %s", cmd);
	fflush(stdout);
	if (system(cmd) != 0)
		say("(%s failed)", cmd);
}

static int consumer(void)
{
	RT_HEAP heap, shm;
	char line[256];
	size_t off;
	void *p;

	role = "consumer";
	say("binding heap \"%s\": it does not exist yet, so rt_heap_bind() waits",
	    HEAP_NAME);
	check(rt_heap_bind(&heap, HEAP_NAME), "rt_heap_bind");
	say("bound: heap \"%s\" is mapped at %p in this process", HEAP_NAME,
	    heap.base);
	in = fopen(TO_CONSUMER, "r");
	out = fopen(TO_PRODUCER, "w");
	if (!in || !out)
		return 1;

	for (;;) {
		recv_line(line, sizeof(line));
		if (sscanf(line, "MSG %zu", &off) == 1) {
			check(rt_heap_block_addr(&heap, off, &p), "rt_heap_block_addr");
			say("block at offset %zu = %p here: \"%s\"", off, p, (char *)p);
			check(rt_heap_free(&heap, p), "rt_heap_free");
			say("freed it (the producer allocated it, we free it)");
			send_line("DONE");
		} else if (sscanf(line, "HOLD %zu", &off) == 1) {
			check(rt_heap_block_addr(&heap, off, &p), "rt_heap_block_addr");
			say("holding the producer's %d KiB block for 1 s, then freeing it",
			    HEAP_SIZE / 1024);
			send_line("DONE");
			sleep(1);
			say("rt_heap_free(%p)", p);
			check(rt_heap_free(&heap, p), "rt_heap_free");
		} else if (!strcmp(line, "SHM")) {
			check(rt_heap_bind(&shm, SHM_NAME), "rt_heap_bind");
			check(rt_heap_alloc(&shm, 0, TM_NONBLOCK, &p), "rt_heap_alloc");
			say("H_SHARED \"%s\" at %p here reads: \"%s\"", SHM_NAME, p,
			    (char *)p);
			snprintf((char *)p + 1024, 64, "and hello back from pid %d",
				 (int)getpid());
			check(rt_heap_unbind(&shm), "rt_heap_unbind");
			send_line("DONE");
		} else if (!strcmp(line, "QUIT")) {
			break;
		}
	}
	check(rt_heap_unbind(&heap), "rt_heap_unbind");
	say("unbound, bye");
	return 0;
}

static int producer(void)
{
	RT_HEAP heap, shm;
	RT_HEAP_INFO info;
	char line[256];
	void *p, *big;
	size_t off;
	double t0;
	int i, ret;

	role = "producer";
	check(rt_heap_create(&heap, HEAP_NAME, HEAP_SIZE, H_FIFO), "rt_heap_create");
	say("created heap \"%s\" (%d KiB, H_FIFO), mapped at %p in this process",
	    HEAP_NAME, HEAP_SIZE / 1024, heap.base);
	out = fopen(TO_CONSUMER, "w");
	in = fopen(TO_PRODUCER, "r");
	if (!in || !out)
		return 1;
	shell("heapctl list");

	say("--- 1. messages in heap blocks, passed by offset");
	for (i = 1; i <= 3; i++) {
		check(rt_heap_alloc(&heap, 100, TM_NONBLOCK, &p), "rt_heap_alloc");
		snprintf(p, 100, "message %d from pid %d", i, (int)getpid());
		check(rt_heap_block_offset(&heap, p, &off), "rt_heap_block_offset");
		say("wrote \"%s\" at %p (offset %zu)", (char *)p, p, off);
		send_line("MSG %zu", off);
		recv_line(line, sizeof(line));
	}

	say("--- 2. a blocking allocation woken by a free in another process");
	check(rt_heap_alloc(&heap, HEAP_SIZE, TM_NONBLOCK, &big), "rt_heap_alloc");
	check(rt_heap_block_offset(&heap, big, &off), "rt_heap_block_offset");
	say("took the whole heap in one block; the consumer holds it now");
	ret = rt_heap_alloc(&heap, 64, TM_NONBLOCK, &p);
	say("rt_heap_alloc(64, TM_NONBLOCK) = %s", ret == -EWOULDBLOCK ?
	    "-EWOULDBLOCK (no room)" : strerror(-ret));
	send_line("HOLD %zu", off);
	recv_line(line, sizeof(line));
	shell("heapctl info " HEAP_NAME);
	say("rt_heap_alloc(64, timeout 5 s) blocks...");
	t0 = now();
	check(rt_heap_alloc(&heap, 64, 5 * NS_PER_SEC, &p), "rt_heap_alloc");
	say("...and was granted %p after %.2f s, handed over inside the free",
	    p, now() - t0);
	check(rt_heap_free(&heap, p), "rt_heap_free");

	say("--- 3. an H_SHARED segment both processes see");
	check(rt_heap_create(&shm, SHM_NAME, 4096, H_SHARED), "rt_heap_create");
	check(rt_heap_alloc(&shm, 0, TM_NONBLOCK, &p), "rt_heap_alloc");
	snprintf(p, 64, "hello from pid %d", (int)getpid());
	say("created \"%s\", segment at %p here; wrote \"%s\"", SHM_NAME, p,
	    (char *)p);
	send_line("SHM");
	recv_line(line, sizeof(line));
	say("the segment now also reads: \"%s\"", (char *)p + 1024);
	shell("heapctl list");

	check(rt_heap_inquire(&heap, &info), "rt_heap_inquire");
	say("rt_heap_inquire: %zu of %zu bytes used, %d waiters", info.usedmem,
	    info.usablemem, info.nwaiters);
	send_line("QUIT");
	check(rt_heap_delete(&shm), "rt_heap_delete");
	check(rt_heap_delete(&heap), "rt_heap_delete");
	say("deleted both heaps");
	shell("heapctl list");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "consumer"))
		return consumer();
	if (argc == 2 && !strcmp(argv[1], "producer"))
		return producer();
	if (argc == 2 && !strcmp(argv[1], "fifos")) {
		unlink(TO_CONSUMER);
		unlink(TO_PRODUCER);
		return mkfifo(TO_CONSUMER, 0600) || mkfifo(TO_PRODUCER, 0600);
	}
	fprintf(stderr, "usage: rtheap-demo fifos|consumer|producer\n");
	return 2;
}
