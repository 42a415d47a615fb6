// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz: the parent's checks between phases (used_mem, nbound,
 * nmaps, /proc/rtheap of every heap of the run) and what is left at the
 * end.
 */
#include "fuzz.h"

/* --- the parent's checks -------------------------------------------------------- */

bool ours(const char *name)
{
	size_t n = strlen(sh->prefix);

	return !strncmp(name, sh->prefix, n) && name[n] == '.';
}

/*
 * Heaps a child may have allocated from (a killed child's blocks stay in
 * the heap, unknown to anybody), for the rest of the run; and children's
 * own heaps, by name.
 */
static uint32_t *ptaint;
static size_t nptaint, captaint;
static bool taint_all;

static void collect_taints(void)
{
	for (int w = 0; w < sh->nprocs; w++) {
		uint32_t n = sh->w[w].ntaint;

		taint_all |= sh->w[w].taint_lost;
		for (uint32_t k = 0; k < n && k < MAXTAINT; k++) {
			if (nptaint == captaint) {
				captaint = captaint ? 2 * captaint : 256;
				ptaint = realloc(ptaint, captaint * sizeof(*ptaint));
				CHECK(ptaint);
			}
			ptaint[nptaint++] = sh->w[w].taint[k];
		}
		sh->w[w].ntaint = 0;
		sh->w[w].taint_lost = 0;
	}
}

static bool tainted(uint32_t id, const char *name)
{
	size_t n = strlen(sh->prefix);

	if (taint_all || (!strncmp(name, sh->prefix, n) && name[n] == '.' &&
			  name[n + 1] == 'c'))
		return true;
	for (size_t k = 0; k < nptaint; k++)
		if (ptaint[k] == id)
			return true;
	return false;
}

unsigned long nchecked, nchecked_exact;

void parent_check(int fd, unsigned int phase)
{
	struct rtheap_info *infos;
	struct t_procrow *rows;
	int n = t_list_fd(fd, &infos), nrows;

	EXPECT(n >= 0, "list: %s", en(n));
	collect_taints();
	nrows = t_proc_rows(&rows);
	EXPECT(nrows >= 0, "/proc/rtheap: %s", en(nrows));
	for (int k = 0; k < n; k++) {
		struct rtheap_info *h = &infos[k];
		uint64_t used = 0, sum = 0;
		uint32_t nbound = 0, nm = 0;
		bool known = ours(h->name), priv = false, found = false;
		struct t_procrow *row = NULL;

		for (int w = 0; w < sh->nprocs; w++)
			for (uint32_t p = 0; p < sh->w[w].npub; p++) {
				struct pub *pb = &sh->w[w].pub[p];

				if (pb->id != h->id)
					continue;
				known = true;
				used += pb->used;
				nbound += pb->nbound;
				nm += pb->nmaps;
				priv |= pb->priv;
			}
		if (!known)
			continue;
		nchecked++;
		EXPECT(!(h->flags & RTHEAP_INFO_DELETED),
		       "phase %u: heap %u \"%s\" is listed but deleted", phase, h->id, h->name);
		if (h->mode & H_SHARED) {
			EXPECT(h->used_mem == h->usable_mem, "phase %u: H_SHARED heap %u: "
			       "used %llu usable %llu", phase, h->id,
			       (unsigned long long)h->used_mem,
			       (unsigned long long)h->usable_mem);
		} else if (!tainted(h->id, h->name) || priv) {
			EXPECT(h->used_mem == used, "phase %u: heap %u \"%s\": used_mem "
			       "%llu, but the workers hold %llu bytes of blocks in it",
			       phase, h->id, h->name, (unsigned long long)h->used_mem,
			       (unsigned long long)used);
			nchecked_exact++;
		} else {
			EXPECT(h->used_mem >= used, "phase %u: heap %u \"%s\": used_mem "
			       "%llu, less than the %llu bytes the workers hold",
			       phase, h->id, h->name, (unsigned long long)h->used_mem,
			       (unsigned long long)used);
		}
		if (!(h->mode & H_SHARED)) {
			for (int c = 0; c < RTHEAP_MAX_CLASSES; c++)
				sum += h->class_blocks[c] << (c + 4);
			sum += h->run_pages * PAGE;
			EXPECT(sum == h->used_mem, "phase %u: heap %u: class blocks and "
			       "run pages add up to %llu, used_mem %llu", phase, h->id,
			       (unsigned long long)sum, (unsigned long long)h->used_mem);
			EXPECT(h->largest_free + h->used_mem <= h->usable_mem,
			       "phase %u: heap %u: largest_free %llu + used %llu > usable %llu",
			       phase, h->id, (unsigned long long)h->largest_free,
			       (unsigned long long)h->used_mem,
			       (unsigned long long)h->usable_mem);
			if (!h->used_mem)
				EXPECT(h->largest_free == h->usable_mem,
				       "phase %u: empty heap %u: largest_free %llu of %llu",
				       phase, h->id, (unsigned long long)h->largest_free,
				       (unsigned long long)h->usable_mem);
		}
		EXPECT(h->nwaiters == 0, "phase %u: heap %u has %u waiters while "
		       "every process is quiet", phase, h->id, h->nwaiters);
		EXPECT(h->nbound == nbound, "phase %u: heap %u \"%s\": nbound %u, the "
		       "workers have %u files attached", phase, h->id, h->name,
		       h->nbound, nbound);
		EXPECT(h->nmaps == nm, "phase %u: heap %u \"%s\": nmaps %u, the "
		       "workers have %u mapping pieces", phase, h->id, h->name,
		       h->nmaps, nm);
		for (int r = 0; r < nrows; r++)
			if (rows[r].id == h->id)
				row = &rows[r];
		found = row != NULL;
		EXPECT(found, "phase %u: heap %u is listed but not in /proc/rtheap",
		       phase, h->id);
		EXPECT(row->used == h->used_mem && row->usable == h->usable_mem &&
		       row->size == h->heap_size && row->waiters == h->nwaiters &&
		       row->maps == h->nmaps && row->bound == h->nbound &&
		       row->largest == h->largest_free && row->mode == h->mode &&
		       !strncmp(row->name, h->name, RTHEAP_NAMELEN),
		       "phase %u: heap %u: /proc/rtheap row (used %llu usable %llu "
		       "maps %u bound %u) differs from the list (used %llu usable "
		       "%llu maps %u bound %u)", phase, h->id, row->used, row->usable,
		       row->maps, row->bound, (unsigned long long)h->used_mem,
		       (unsigned long long)h->usable_mem, h->nmaps, h->nbound);
		check_kptr(h, sizeof(*h), "list entry");
	}
	free(infos);
	free(rows);
	/* Taints are for one phase: tainted heaps stay loosely checked. */
}

/*
 * Delete every heap of this run still listed (persistent ones left
 * behind); strict: each must have been H_PERSIST and go cleanly.
 */
int delete_leftovers(bool strict)
{
	struct rtheap_info *infos;
	int n, fd, deleted = 0;

	fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = t_list_fd(fd, &infos);
	close(fd);
	if (n < 0)
		return 0;
	for (int k = 0; k < n; k++) {
		struct rtheap_bind b;
		struct rtheap_delete d;
		int ret;

		if (!ours(infos[k].name))
			continue;
		fd = open(RTHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		memset(&b, 0, sizeof(b));
		memcpy(b.name, infos[k].name, sizeof(b.name));
		b.timeout = RTHEAP_TM_NONBLOCK;
		ret = ioctl(fd, RTHEAP_IOC_BIND, &b) ? -errno : 0;
		if (!ret) {
			memset(&d, 0, sizeof(d));
			ret = ioctl(fd, RTHEAP_IOC_DELETE, &d) ? -errno : 0;
			EXPECT(!strict || ret == 0 || ret == -EIDRM,
			       "deleting leftover %s: %s", infos[k].name, en(ret));
			EXPECT(!strict || (infos[k].mode & H_PERSIST),
			       "heap %u \"%s\" outlived its creator without H_PERSIST",
			       infos[k].id, infos[k].name);
			deleted++;
		}
		close(fd);
	}
	free(infos);
	return deleted;
}
