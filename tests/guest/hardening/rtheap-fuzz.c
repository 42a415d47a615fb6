// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-fuzz - seeded ioctl/mmap fuzzer of /dev/rtheap, from several
 * processes at once, with accounting checks at quiescent points.
 *
 * usage: rtheap-fuzz [--seed N] [--calls N] [--procs N] [--seconds N] [--light]
 *                    [--phase N] [-v]
 *
 * The parent starts --procs workers (default 4) and splits the --calls
 * budget (default 100000; calls are ioctl, mmap, munmap, mremap, madvise
 * on rtheap files, open/close excluded) between them; --seconds stops
 * earlier (alone, it runs that long).  Workers run in phases of --phase
 * calls (default 2000); between phases all of them stop and the parent
 * checks, for every heap of the run:
 *   - used_mem is the sum of the (rounded) blocks the workers hold in it
 *     (at least that sum on a heap a killed child may have allocated from,
 *     which the child marks beforehand); usable_mem, largest_free and the
 *     per-class block counts agree with it; nwaiters is 0;
 *   - nbound and nmaps are the files attached and the mapping pieces
 *     (VMAs) the workers hold;
 *   - /proc/rtheap shows the same figures.
 * At the end every heap of the run is deleted, and /proc/rtheap, the list
 * and /sys/module/rtheap/refcnt must be back where they were.
 *
 * What a worker does, at random (see the op table in fuzz/worker.c):
 * every command (bulk alloc and free too) with valid and mutated
 * arguments (reserved fields, pad,
 * flags, modes, sizes, offsets, names, timeouts), unknown commands, bad,
 * read-only and half-mapped argument pointers, mmap of the right and
 * wrong size, offset, flags and file, partial munmap, mremap,
 * MADV_DONTNEED and refault, garbage written over mapped heaps, delete
 * and recreate of its heaps (some H_PERSIST, H_PRIO, H_SHARED), binds and
 * unbinds of every worker's heaps, and forked children that race, block
 * in alloc and are SIGKILLed.
 * Every result is checked against the set of results the ABI allows for
 * that input; on a worker's private heap (which no other process
 * allocates from) results are predicted exactly: a free succeeds iff the
 * offset starts a block the worker holds, used_mem always equals what it
 * holds, an allocated block never overlaps a held one, and pages keep
 * their contents across MADV_DONTNEED.  No output may contain a value that
 * looks like a kernel address, and reserved output fields must be zero.
 *
 * The seed is printed first; --seed N replays the same random decisions in
 * every process (the interleaving of processes still varies from run to
 * run; with --procs 1 only timing-dependent results differ).
 * Exit 0: no failure; 1: a check failed (the message says which, and the
 * seed); 77: no /dev/rtheap.
 */
#include "fuzz/fuzz.h"

static const char *const kind_names[K_NR] = {
	"version", "create", "bind", "delete", "alloc", "free", "inquire",
	"list", "nop", "delete-name", "bad-cmd", "bad-ptr", "mmap", "munmap",
	"mremap", "madvise", "alloc-bulk", "free-bulk",
};

struct shared *sh;
int verbose;
uint64_t opt_calls = 100000, opt_seconds, opt_phase = 2000;
int opt_procs = 4;
bool opt_light;
uint64_t deadline_ns;
static pid_t wpids[MAXPROCS];		/* the parent's workers */

static void usage(void)
{
	fprintf(stderr, "usage: rtheap-fuzz [--seed N] [--calls N] [--procs N] "
		"[--seconds N] [--phase N] [--light] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "procs", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "phase", required_argument, NULL, 'P' },
		{ "light", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_seed = false, have_calls = false;
	uint64_t seed = 0, start, total = 0, by_kind[K_NR] = { 0 };
	struct rtheap_info *base_infos, *end_infos;
		long refcnt0, refcnt1;
	int c, fd, nbase, nend, status, leftovers, rc = 0;
	unsigned int phase = 0;
	char *proc0, *proc1;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'c':
			opt_calls = strtoull(optarg, NULL, 0);
			have_calls = true;
			break;
		case 'p':
			opt_procs = atoi(optarg);
			break;
		case 't':
			opt_seconds = strtoull(optarg, NULL, 0);
			break;
		case 'P':
			opt_phase = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			opt_light = true;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt_procs < 1 || opt_procs > MAXPROCS || !opt_phase)
		usage();
	if (opt_seconds && !have_calls)
		opt_calls = ~0ULL;
	if (!have_seed)
		seed = t_fresh_seed();
	printf("rtheap-fuzz: seed %llu (replay: rtheap-fuzz --seed %llu --procs %d "
	       "--phase %llu%s", (unsigned long long)seed, (unsigned long long)seed,
	       opt_procs, (unsigned long long)opt_phase, opt_light ? " --light" : "");
	if (have_calls || !opt_seconds)
		printf(" --calls %llu", (unsigned long long)opt_calls);
	if (opt_seconds)
		printf(" --seconds %llu", (unsigned long long)opt_seconds);
	printf(")\n");
	if (have_calls || !opt_seconds)
		printf("rtheap-fuzz: %llu calls, %d processes, phases of %llu calls%s\n",
		       (unsigned long long)opt_calls, opt_procs,
		       (unsigned long long)opt_phase,
		       opt_seconds ? ", time limit set" : "");
	else
		printf("rtheap-fuzz: %llu seconds, %d processes, phases of %llu calls\n",
		       (unsigned long long)opt_seconds, opt_procs,
		       (unsigned long long)opt_phase);
	fflush(stdout);

	if (access(RTHEAP_DEVICE, R_OK | W_OK))
		t_skip("no %s (rtheap.ko not loaded?)", RTHEAP_DEVICE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		T_FAIL("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	sh->seed = seed;
	sh->nprocs = opt_procs;
	snprintf(sh->prefix, sizeof(sh->prefix), "fz%d", (int)getpid() % 100000);
	signal(SIGPIPE, SIG_IGN);

	fd = t_open_dev();
	nbase = t_list_fd(fd, &base_infos);
	EXPECT(nbase >= 0, "list: %s", en(nbase));
	close(fd);
	proc0 = t_slurp("/proc/rtheap");
	refcnt0 = t_module_refcnt();

	calls_budget = opt_calls / opt_procs;
	start = t_now_ns();
	if (opt_seconds)
		deadline_ns = start + opt_seconds * 1000000000ULL;
	for (int w = 0; w < opt_procs; w++) {
		uint64_t wseed = t_mix64(seed ^ (0x51ed2701ULL * (w + 1)));

		if (w == opt_procs - 1)
			calls_budget += opt_calls % opt_procs;
		fflush(NULL);
		wpids[w] = fork();
		if (wpids[w] < 0)
			T_FAIL("fork: %s", strerror(errno));
		if (wpids[w] == 0)
			worker(w, wseed);
	}

	/* Phases: wait for all, check, release. */
	fd = t_open_dev();
	for (;;) {
		bool all_done = true;

		while (__atomic_load_n(&sh->arrived, __ATOMIC_SEQ_CST) < (uint32_t)opt_procs) {
			for (int w = 0; w < opt_procs; w++) {
				pid_t r = waitpid(wpids[w], &status, WNOHANG);

				if (r == wpids[w]) {
					if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
						snprintf(sh->failmsg, sizeof(sh->failmsg),
							 "worker %d died (status %#x) outside a check",
							 w, status);
					sh->failed = 1;
					wpids[w] = -1;
				}
			}
			if (sh->failed)
				goto failed;
			usleep(1000);
		}
		phase++;
		parent_check(fd, phase);
		for (int w = 0; w < opt_procs; w++)
			all_done &= sh->w[w].finished;
		if (verbose) {
			uint64_t sum = 0;

			for (int w = 0; w < opt_procs; w++)
				for (int k = 0; k < K_NR; k++)
					sum += sh->w[w].ncalls[k];
			printf("rtheap-fuzz: phase %u checked, %llu calls so far, %.1f s\n",
			       phase, (unsigned long long)sum, (t_now_ns() - start) / 1e9);
			fflush(stdout);
		}
		if (all_done)
			sh->stop = 1;
		__atomic_store_n(&sh->arrived, 0, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->phase, 1, __ATOMIC_SEQ_CST);
		if (all_done)
			break;
	}
	close(fd);
	for (int w = 0; w < opt_procs; w++) {
		if (waitpid(wpids[w], &status, 0) != wpids[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			if (!__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
				snprintf(sh->failmsg, sizeof(sh->failmsg),
					 "worker %d ended with status %#x", w, status);
			sh->failed = 1;
		}
		wpids[w] = -1;
	}
	if (sh->failed)
		goto failed;

	leftovers = delete_leftovers(true);
	fd = t_open_dev();
	nend = t_list_fd(fd, &end_infos);
	close(fd);
	EXPECT(nend >= 0, "list: %s", en(nend));
	for (int k = 0; k < nend; k++)
		EXPECT(!ours(end_infos[k].name), "heap %u \"%s\" left after the run",
		       end_infos[k].id, end_infos[k].name);
	EXPECT(nend == nbase, "%d heaps listed after the run, %d before", nend, nbase);
	for (int k = 0; k < nend; k++)
		EXPECT(end_infos[k].id == base_infos[k].id,
		       "heap %u listed after the run, %u before", end_infos[k].id,
		       base_infos[k].id);
	proc1 = t_slurp("/proc/rtheap");
	EXPECT(proc0 && proc1 && !strcmp(proc0, proc1),
	       "/proc/rtheap differs from before the run:\n%s", proc1 ? proc1 : "?");
	refcnt1 = t_module_refcnt();
	EXPECT(refcnt1 == refcnt0, "/sys/module/rtheap/refcnt is %ld, %ld before "
	       "the run (a heap or file reference leaked)", refcnt1, refcnt0);

	for (int w = 0; w < opt_procs; w++)
		for (int k = 0; k < K_NR; k++) {
			by_kind[k] += sh->w[w].ncalls[k];
			total += sh->w[w].ncalls[k];
		}
	{
		uint64_t forks = 0, kills = 0, exits = 0, garbage = 0, refaults = 0;
		uint64_t allocs = 0, frees = 0, eidrm = 0, creates = 0, deletes = 0, binds = 0;
		uint64_t eintr = 0, pretries = 0, cbursts = 0, callocs = 0;

		for (int w = 0; w < opt_procs; w++) {
			forks += sh->w[w].forks;
			kills += sh->w[w].kills;
			exits += sh->w[w].child_exits;
			garbage += sh->w[w].garbage;
			refaults += sh->w[w].refaults;
			allocs += sh->w[w].allocs_ok;
			frees += sh->w[w].frees_ok;
			eidrm += sh->w[w].eidrm;
			creates += sh->w[w].creates_ok;
			deletes += sh->w[w].deletes_ok;
			binds += sh->w[w].binds_ok;
			eintr += sh->w[w].eintr;
			pretries += sh->w[w].private_retries;
			cbursts += sh->w[w].cached_bursts;
			callocs += sh->w[w].cached_allocs;
		}
		printf("rtheap-fuzz: %llu calls in %.1f s (%d processes, %u phases, "
		       "%lu heap checks, %lu exact)\n", (unsigned long long)total,
		       (t_now_ns() - start) / 1e9, opt_procs, phase, nchecked, nchecked_exact);
		printf("rtheap-fuzz: by kind:");
		for (int k = 0; k < K_NR; k++)
			printf(" %s %llu", kind_names[k], (unsigned long long)by_kind[k]);
		printf("\nrtheap-fuzz: children forked %llu, killed %llu, exited %llu, "
		       "waits interrupted by a signal %llu; garbage writes %llu, "
		       "refaults %llu\n", (unsigned long long)forks,
		       (unsigned long long)kills, (unsigned long long)exits,
		       (unsigned long long)eintr, (unsigned long long)garbage,
		       (unsigned long long)refaults);
		printf("rtheap-fuzz: allocs %llu, frees %llu, creates %llu, deletes %llu, "
		       "binds %llu, -EIDRM seen %llu, leftover persistent heaps deleted %d, "
		       "private heaps made only after -ENOMEM %llu\n",
		       (unsigned long long)allocs, (unsigned long long)frees,
		       (unsigned long long)creates, (unsigned long long)deletes,
		       (unsigned long long)binds, (unsigned long long)eidrm, leftovers,
		       (unsigned long long)pretries);
		printf("rtheap-fuzz: cached descriptors (libheap's rt_heap_cache) %llu, "
		       "blocks allocated through them %llu\n",
		       (unsigned long long)cbursts, (unsigned long long)callocs);
		if (verbose) {
			printf("rtheap-fuzz: time per operation (all workers):\n");
			for (unsigned int k = 0; k < nops; k++) {
				uint64_t n = 0, ns = 0;

				for (int w = 0; w < opt_procs; w++) {
					n += sh->w[w].op_count[k];
					ns += sh->w[w].op_ns[k];
				}
				printf("  %-14s %8llu ops %10.1f us each %8.1f s in all\n",
				       ops[k].name, (unsigned long long)n,
				       n ? ns / 1e3 / n : 0.0, ns / 1e9);
			}
		}
		printf("rtheap-fuzz: PASS (seed %llu)\n", (unsigned long long)seed);
	}
	free(proc0);
	free(proc1);
	return rc;

failed:
	parent_abort();
}

/* Stop the workers, clean up what is left (best effort), report, exit 1. */
void parent_abort(void)
{
	static int once;
	int status;

	if (once++)
		_exit(1);
	sh->stop = 1;
	sh->failed = 1;
	for (int w = 0; w < sh->nprocs; w++)
		if (wpids[w] > 0)
			kill(wpids[w], SIGKILL);
	for (int w = 0; w < sh->nprocs; w++)
		if (wpids[w] > 0)
			waitpid(wpids[w], &status, 0);
	/* Workers' children were killed with them? Not if orphaned: wait. */
	usleep(200000);
	delete_leftovers(false);
	fprintf(stderr, "rtheap-fuzz: FAILED: %s\nrtheap-fuzz: seed %llu: replay "
		"with rtheap-fuzz --seed %llu --procs %d\n", sh->failmsg,
		(unsigned long long)sh->seed, (unsigned long long)sh->seed,
		sh->nprocs);
	fflush(NULL);
	_exit(1);
}
