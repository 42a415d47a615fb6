// SPDX-License-Identifier: GPL-2.0
/* rtheap guest tests - shared helpers. */
#include <ctype.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcommon.h"
#include "../common/round.h"

unsigned long t_page(void)
{
	static unsigned long page;

	if (!page) {
		long p = sysconf(_SC_PAGESIZE);

		if (p <= 0 || (unsigned long)p > T_PAGE_MAX)
			T_FAIL("sysconf(_SC_PAGESIZE) is %ld", p);
		page = (unsigned long)p;
	}
	return page;
}

/*
 * RTHEAP_TEST_PROBE=1: exit before main, 0 if this program can run here.
 * The runner asks one .m32 program this to learn whether the kernel runs
 * 32-bit programs: it may not at all, or lack the 32-bit time syscalls
 * (CONFIG_COMPAT_32BIT_TIME) that 32-bit glibc's futex calls need.
 */
__attribute__((constructor)) static void t_probe(void)
{
	if (!getenv("RTHEAP_TEST_PROBE"))
		return;
#if defined(__i386__)
	{
		int word = 0;

		if (syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) < 0 &&
		    errno == ENOSYS)
			_exit(3);
	}
#endif
	_exit(0);
}

static const char *prog(void)
{
	extern char *program_invocation_short_name;

	return program_invocation_short_name;
}

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL %s:%d: ", prog(), file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	exit(T_EXIT_FAIL);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: SKIP: ", prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	exit(T_EXIT_SKIP);
}

void t_log(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *t_errname(long err)
{
	static __thread char bufs[4][32];	/* several per printf */
	static __thread unsigned int nbuf;
	char *buf = bufs[nbuf++ % 4];
	static const struct { int e; const char *n; } tab[] = {
#define E(x) { x, #x }
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO),
		E(E2BIG), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM),
		E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV),
		E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ENOSPC),
		E(ERANGE), E(ENAMETOOLONG), E(ENOSYS), E(EOVERFLOW),
		E(EBADFD), E(EIDRM), E(ETIMEDOUT), E(EOPNOTSUPP),
		E(ECANCELED), E(EOWNERDEAD), E(ENOTCONN), E(ENOSR),
#undef E
	};

	if (err == 0)
		return "0";
	if (err < 0)
		for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (tab[i].e == -err) {
				snprintf(buf, sizeof(bufs[0]), "-%s", tab[i].n);
				return buf;
			}
	snprintf(buf, sizeof(bufs[0]), err < 0 ? "-E?(%ld)" : "positive(%ld)",
		 err < 0 ? -err : err);
	return buf;
}

uint64_t t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void t_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *t_name(const char *tag)
{
	static __thread char buf[4][RTHEAP_NAMELEN];
	static __thread int n;
	char *b = buf[n++ & 3];

	snprintf(b, RTHEAP_NAMELEN, "%.20s.%d", tag, (int)getpid());
	return b;
}

int t_open_dev(void)
{
	int fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		T_FAIL("open(%s): %s (is rtheap.ko loaded?)", RTHEAP_DEVICE,
		       strerror(errno));
	return fd;
}

int t_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

struct rtheap_version t_version(void)
{
	struct rtheap_version v;
	int fd = t_open_dev();

	memset(&v, 0, sizeof(v));
	CHECK_OK(t_ioctl(fd, RTHEAP_IOC_VERSION, &v));
	close(fd);
	return v;
}

int t_raw_create(int fd, const char *name, uint64_t size, uint32_t mode,
		 struct rtheap_attach *out)
{
	struct rtheap_create_arg a;
	int ret;

	memset(&a, 0, sizeof(a));
	if (name)	/* all 32 bytes may be used: no NUL then */
		memcpy(a.in.name, name, strnlen(name, sizeof(a.in.name)));
	a.in.size = size;
	a.in.mode = mode;
	ret = t_ioctl(fd, RTHEAP_IOC_CREATE, &a);
	if (out)
		*out = a.out;
	return ret;
}

uint64_t t_rounded(uint64_t size)
{
	return rtheap_round(size, T_PAGE);
}

RT_HEAP_INFO t_inquire(RT_HEAP *heap)
{
	RT_HEAP_INFO info;

	memset(&info, 0x5a, sizeof(info));
	CHECK_OK(rt_heap_inquire(heap, &info));
	return info;
}

void t_wait_nwaiters(RT_HEAP *heap, int n, unsigned int timeout_ms)
{
	uint64_t end = t_now_ns() + timeout_ms * 1000000ULL;
	RT_HEAP_INFO info;

	for (;;) {
		info = t_inquire(heap);
		if (info.nwaiters == n)
			return;
		if (t_now_ns() > end)
			T_FAIL("nwaiters is %d after %u ms, expected %d",
			       info.nwaiters, timeout_ms, n);
		t_sleep_ms(2);
	}
}

int t_list_fd(int fd, struct rtheap_info **infos)
{
	struct rtheap_list l;
	unsigned int cap = 0;
	int ret;

	*infos = NULL;
	for (;;) {
		memset(&l, 0, sizeof(l));
		l.buf = (uintptr_t)*infos;
		l.capacity = cap;
		ret = t_ioctl(fd, RTHEAP_IOC_LIST, &l);
		if (ret < 0) {
			free(*infos);
			*infos = NULL;
			return ret;
		}
		if (l.count <= cap)
			break;
		cap = l.count + 8;
		free(*infos);
		*infos = calloc(cap, sizeof(**infos));
		if (!*infos)
			return -ENOMEM;
	}
	return (int)l.count;
}

int t_list(struct rtheap_info **infos)
{
	int fd = t_open_dev();
	int n = t_list_fd(fd, infos);

	if (n < 0)
		T_FAIL("RTHEAP_IOC_LIST: %s", t_errname(n));
	close(fd);
	return n;
}

bool t_listed(const char *name)
{
	struct rtheap_info *infos;
	int n = t_list(&infos);
	bool found = false;

	for (int i = 0; i < n; i++)
		if (!strncmp(infos[i].name, name, RTHEAP_NAMELEN))
			found = true;
	free(infos);
	return found;
}

uint64_t t_live_bytes(int *nheaps)
{
	struct rtheap_info *infos;
	uint64_t sum = 0;
	int n = t_list(&infos);

	for (int i = 0; i < n; i++)
		sum += infos[i].usable_mem;
	free(infos);
	if (nheaps)
		*nheaps = n;
	return sum;
}

int t_file_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		buf[0] = 0;
		ret = ferror(f) && errno ? -errno : -ENODATA;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return ret;
}

int t_file_write(const char *path, const char *s)
{
	char buf[128];
	int fd, len, ret = 0;
	ssize_t n;

	len = snprintf(buf, sizeof(buf), "%s\n", s);
	if (len >= (int)sizeof(buf))
		return -E2BIG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		ret = -errno;
	else if (n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

int t_file_read_ull(const char *path, unsigned long long *v)
{
	char buf[64], *end;
	int ret = t_file_read(path, buf, sizeof(buf));

	if (ret)
		return ret;
	*v = strtoull(buf, &end, 10);
	return end == buf ? -EPROTO : 0;
}

int t_file_write_ull(const char *path, unsigned long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", v);
	return t_file_write(path, s);
}

char *t_slurp(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

void t_set_file(const char *path, const char *s)
{
	int ret = t_file_write(path, s);

	if (ret)
		T_FAIL("writing %s to %s: %s", s, path, strerror(-ret));
}

int t_param_read(const char *name, unsigned long long *v)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), T_PARAM_DIR "%s", name);
	ret = t_file_read_ull(path, v);
	if (ret == -EPROTO || ret == -ENODATA)
		T_FAIL("%s: not a number", path);
	return ret;
}

unsigned long long t_param(const char *name)
{
	unsigned long long v = 0;
	int ret = t_param_read(name, &v);

	if (ret)
		T_FAIL(T_PARAM_DIR "%s: %s", name, strerror(-ret));
	return v;
}

int t_param_write(const char *name, unsigned long long v)
{
	char path[128];

	snprintf(path, sizeof(path), T_PARAM_DIR "%s", name);
	return t_file_write_ull(path, v);
}

void t_set_param(const char *name, unsigned long long v)
{
	int ret = t_param_write(name, v);

	if (ret)
		T_FAIL("writing %llu to " T_PARAM_DIR "%s: %s", v, name,
		       strerror(-ret));
}

long t_module_refcnt(void)
{
	unsigned long long v;

	if (t_file_read_ull("/sys/module/rtheap/refcnt", &v))
		return -1;
	return (long)v;
}

int t_proc_rows(struct t_procrow **rows)
{
	char *text = t_slurp("/proc/rtheap"), *line, *save = NULL;
	int n = 0, cap = 0, ln = 0;

	*rows = NULL;
	if (!text)
		return -errno ? -errno : -EIO;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), ln++) {
		struct t_procrow r;
		char name[64];

		if (ln == 0) {
			if (strcmp(line, "rtheap 1")) {
				free(text);
				return -EPROTO;
			}
			continue;
		}
		if (ln == 1)
			continue;	/* column names */
		memset(&r, 0, sizeof(r));
		if (sscanf(line, "%u %63s %u %u %o %x %llu %llu %llu %llu %u %u %u %u",
			   &r.id, name, &r.uid, &r.gid, &r.perm, &r.mode,
			   &r.size, &r.usable, &r.used, &r.largest, &r.waiters,
			   &r.maps, &r.bound, &r.cpid) != 14) {
			free(text);
			free(*rows);
			*rows = NULL;
			return -EPROTO;
		}
		snprintf(r.name, sizeof(r.name), "%.31s", strcmp(name, "-") ? name : "");
		if (n == cap) {
			struct t_procrow *nr;

			cap = cap ? cap * 2 : 16;
			nr = realloc(*rows, cap * sizeof(**rows));
			if (!nr) {
				free(text);
				free(*rows);
				*rows = NULL;
				return -ENOMEM;
			}
			*rows = nr;
		}
		(*rows)[n++] = r;
	}
	free(text);
	return n;
}

pid_t t_spawn(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		T_FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		int ret = fn(arg);

		fflush(NULL);
		_exit(ret);
	}
	return pid;
}

int t_reap(pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = t_now_ns() + timeout_ms * 1000000ULL;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			T_FAIL("waitpid(%d): %s", (int)pid, strerror(errno));
		if (t_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			T_FAIL("child %d did not exit within %u ms", (int)pid,
			       timeout_ms);
		}
		t_sleep_ms(2);
	}
	if (WIFSIGNALED(status))
		T_FAIL("child %d died of signal %d", (int)pid,
		       WTERMSIG(status));
	return WEXITSTATUS(status);
}

void t_join_at(const char *file, int line, pthread_t thr,
	       unsigned int timeout_ms)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	ret = pthread_timedjoin_np(thr, NULL, &ts);
	if (ret == ETIMEDOUT)
		t_fail_at(file, line, "thread still running after %u ms "
			  "(a waiter never woken?)", timeout_ms);
	if (ret)
		t_fail_at(file, line, "pthread_join: %s", strerror(ret));
}

/* As a user of rtheap: a member of group rtheap, which owns the node. */
void t_drop_privs(uid_t uid)
{
	gid_t g = T_RTHEAP_GID;

	if (setgroups(1, &g) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		T_FAIL("dropping privileges to uid %d: %s", (int)uid,
		       strerror(errno));
	CHECK(geteuid() == uid);
}

/* As a user outside group rtheap. */
void t_drop_privs_nogroup(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		T_FAIL("dropping privileges to uid %d: %s", (int)uid,
		       strerror(errno));
	CHECK(geteuid() == uid);
}

void t_chan_init(struct t_chan *c)
{
	if (pipe2(c->fd, O_CLOEXEC))
		T_FAIL("pipe: %s", strerror(errno));
}

void t_chan_send(struct t_chan *c, uint64_t v)
{
	if (write(c->fd[1], &v, sizeof(v)) != sizeof(v))
		T_FAIL("channel write: %s", strerror(errno));
}

uint64_t t_chan_recv(struct t_chan *c, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = c->fd[0], .events = POLLIN };
	uint64_t v;
	int r;

	do
		r = poll(&p, 1, (int)timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		T_FAIL("nothing received from the other process in %u ms",
		       timeout_ms);
	if (read(c->fd[0], &v, sizeof(v)) != sizeof(v))
		T_FAIL("channel read: the other process went away");
	return v;
}

static void nop_handler(int sig)
{
	(void)sig;
}

void t_install_nop_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nop_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocking calls see -EINTR */
	if (sigaction(sig, &sa, NULL))
		T_FAIL("sigaction: %s", strerror(errno));
}

static unsigned char pattern_byte(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)(i / 8) * 2654435761u ^ seed * 40503u;

	return (unsigned char)(x >> ((i & 7) * 3));
}

void t_fill(void *p, size_t len, unsigned int seed)
{
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = pattern_byte(i, seed);
}

bool t_check_fill(const void *p, size_t len, unsigned int seed)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern_byte(i, seed))
			return false;
	return true;
}

uint64_t t_mix64(uint64_t x)
{
	/* splitmix64's finaliser */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void t_rng_seed(struct t_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = t_mix64(seed);
		r->s[i] = seed;
	}
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t t_rng_next(struct t_rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

uint64_t t_rng_below(struct t_rng *r, uint64_t n)
{
	return n ? t_rng_next(r) % n : 0;
}

bool t_rng_pct(struct t_rng *r, unsigned int pct)
{
	return t_rng_below(r, 100) < pct;
}

uint64_t t_fresh_seed(void)
{
	return t_mix64(t_now_ns() ^ ((uint64_t)getpid() << 32)) % 1000000000000ULL;
}

bool t_is_kptr(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xfffffffffffff000ULL;
}

long t_kptr_scan(const void *buf, size_t len, uint64_t *valp)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i + 8 <= len; i++) {
		uint64_t v;

		memcpy(&v, b + i, 8);
		if (t_is_kptr(v)) {
			if (valp)
				*valp = v;
			return (long)i;
		}
	}
	return -1;
}

long t_kptr_scan_text(const char *text, uint64_t *valp)
{
	const char *p = text;

	while (*p) {
		const char *start = p;
		unsigned long long v;
		char *end;

		if (!isxdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		/* A word of hex digits (with or without 0x), or decimal. */
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			v = strtoull(p + 2, &end, 16);
		else {
			const char *q = p;

			while (isxdigit((unsigned char)*q))
				q++;
			if (q - p >= 12) {
				v = strtoull(p, &end, 16);	/* bare hex */
			} else {
				v = strtoull(p, &end, 10);
				if (end == p)
					end = (char *)q;
			}
		}
		if (end <= p)
			end = (char *)p + 1;
		if (t_is_kptr(v)) {
			if (valp)
				*valp = v;
			return start - text;
		}
		/* A negative decimal number is not an address either. */
		p = end;
		while (isxdigit((unsigned char)*p))
			p++;
	}
	return -1;
}
