// SPDX-License-Identifier: GPL-2.0
/* rtheap hardening tests - shared helpers (see hcommon.h). */
#include <ctype.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hcommon.h"

uint64_t h_mix64(uint64_t x)
{
	/* splitmix64's finaliser */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void h_rng_seed(struct h_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = h_mix64(seed);
		r->s[i] = seed;
	}
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t h_rng_next(struct h_rng *r)
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

uint64_t h_rng_below(struct h_rng *r, uint64_t n)
{
	return n ? h_rng_next(r) % n : 0;
}

bool h_rng_pct(struct h_rng *r, unsigned int pct)
{
	return h_rng_below(r, 100) < pct;
}

uint64_t h_fresh_seed(void)
{
	return h_mix64(t_now_ns() ^ ((uint64_t)getpid() << 32)) % 1000000000000ULL;
}

bool h_is_kptr(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xfffffffffffff000ULL;
}

long h_kptr_scan(const void *buf, size_t len, uint64_t *valp)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i + 8 <= len; i++) {
		uint64_t v;

		memcpy(&v, b + i, 8);
		if (h_is_kptr(v)) {
			if (valp)
				*valp = v;
			return (long)i;
		}
	}
	return -1;
}

long h_kptr_scan_text(const char *text, uint64_t *valp)
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
		if (h_is_kptr(v)) {
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

char *h_slurp(const char *path)
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

int h_proc_rows(struct h_procrow **rows)
{
	char *text = h_slurp("/proc/rtheap"), *line, *save = NULL;
	int n = 0, cap = 0, ln = 0;

	*rows = NULL;
	if (!text)
		return -errno ? -errno : -EIO;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), ln++) {
		struct h_procrow r;
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
			struct h_procrow *nr;

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

int h_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	size_t len = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		ret = -errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int h_write_ull(const char *path, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", v);
	return h_write_str(path, buf);
}

int h_read_ull(const char *path, unsigned long long *v)
{
	char *text = h_slurp(path);
	char *end;

	if (!text)
		return -errno ? -errno : -EIO;
	*v = strtoull(text, &end, 0);
	if (end == text) {
		free(text);
		return -EPROTO;
	}
	free(text);
	return 0;
}

long h_module_refcnt(void)
{
	unsigned long long v;

	if (h_read_ull("/sys/module/rtheap/refcnt", &v))
		return -1;
	return (long)v;
}

int h_list(int fd, struct rtheap_info **infos)
{
	struct rtheap_list l;
	unsigned int cap = 0;

	*infos = NULL;
	for (;;) {
		memset(&l, 0, sizeof(l));
		l.buf = (uintptr_t)*infos;
		l.capacity = cap;
		if (ioctl(fd, RTHEAP_IOC_LIST, &l) < 0) {
			int err = -errno;

			free(*infos);
			*infos = NULL;
			return err;
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
