// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap - /proc/rtheap: one line per heap the reader may read, like
 * /proc/sysvipc/shm.  The first line names the format and its version;
 * columns are only ever added at the end of a line, and a change of
 * meaning bumps the version.
 *
 *   rtheap 1
 *   id name uid gid perm mode size usable used largest waiters maps bound cpid
 *
 * name is "-" for an anonymous heap; perm is octal, mode hexadecimal
 * (H_* bits); size is the size asked for at create, usable what can be
 * allocated, used what is allocated (after rounding), largest the largest
 * block an allocation gets now, all in bytes; cpid is 0 for heaps created
 * by kernel code.
 */
#include <linux/cred.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "heap.h"
#include "heapnames.h"
#include "rtheap.h"

#define RTHEAP_PROC_VERSION	1
#define RTHEAP_PROC_COLUMNS \
	"%10s %-31s %10s %10s %4s %6s %16s %16s %16s %16s %7s %5s %5s %10s\n"
#define RTHEAP_PROC_ROW \
	"%10u %-31s %10u %10u %04o 0x%04x %16llu %16llu %16llu %16llu %7u %5u %5u %10u\n"

/*
 * A read shows what the file's opener may see, not the reader, who may
 * have been handed the file: the opener's credentials stand in from start
 * to stop, as for the permission checks of a write to a /proc file.
 */
struct rtheap_proc_state {
	struct rtheap_iter it;
	const struct cred *saved;
};

/* Position 0 is the header; position n the n-th heap the opener sees. */
static void *rtheap_proc_start(struct seq_file *m, loff_t *pos)
{
	struct rtheap_proc_state *st = m->private;
	struct rtheap_iter *it = &st->it;
	struct rtheap *h = NULL;
	loff_t n;

	st->saved = override_creds(m->file->f_cred);
	rtheap_iter_start(it);
	if (!*pos)
		return SEQ_START_TOKEN;
	for (n = 0; n < *pos; n++) {
		h = rtheap_iter_next(it);
		if (!h)
			break;
	}
	return h;
}

static void *rtheap_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct rtheap_proc_state *st = m->private;

	++*pos;
	return rtheap_iter_next(&st->it);
}

static void rtheap_proc_stop(struct seq_file *m, void *v)
{
	struct rtheap_proc_state *st = m->private;

	rtheap_iter_stop(&st->it);
	revert_creds(st->saved);
}

static int rtheap_proc_show(struct seq_file *m, void *v)
{
	struct rtheap_info info;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "rtheap %d\n", RTHEAP_PROC_VERSION);
		seq_printf(m, RTHEAP_PROC_COLUMNS, "id", "name", "uid", "gid",
			   "perm", "mode", "size", "usable", "used", "largest",
			   "waiters", "maps", "bound", "cpid");
		return 0;
	}
	rtheap_fill_info(v, &info, seq_user_ns(m), false);
	seq_printf(m, RTHEAP_PROC_ROW,
		   info.id, info.name[0] ? info.name : "-", info.uid,
		   info.gid, info.perm, info.mode,
		   (unsigned long long)info.heap_size,
		   (unsigned long long)info.usable_mem,
		   (unsigned long long)info.used_mem,
		   (unsigned long long)info.largest_free, info.nwaiters,
		   info.nmaps, info.nbound, info.cpid);
	return 0;
}

static const struct seq_operations rtheap_proc_ops = {
	.start = rtheap_proc_start,
	.next = rtheap_proc_next,
	.stop = rtheap_proc_stop,
	.show = rtheap_proc_show,
};

int rtheap_proc_init(void)
{
	if (!proc_create_seq_private("rtheap", 0444, NULL, &rtheap_proc_ops,
				     sizeof(struct rtheap_proc_state), NULL))
		return -ENOMEM;
	return 0;
}

void rtheap_proc_exit(void)
{
	remove_proc_entry("rtheap", NULL);
}
