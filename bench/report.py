#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw output of bench/run-bench into the table of `make bench`,
build/bench/results.json and the data files of bench/latency.gp.

usage: report.py RAW_FILE OUT_DIR

Every figure is a ratio ours / baseline of two numbers measured in the
same run; each number is the median over the interleaved repetitions of
that repetition's statistic (a median, a p99.99, a max...).  Cycle counts
are net of the timer: the median cost of an empty timed region of the
same run is subtracted.  Lower ratios are better.
"""
import json
import math
import re
import statistics
import sys
from collections import defaultdict

SIZES = ["16", "64", "256", "1024", "2048", "4096", "16384"]
GROWTH_MIB = [1, 4, 16, 64, 256, 1024]
MIN_OVERLAP = 1000


def kv(words):
    out = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out[k] = v
    return out


def num(v):
    try:
        return int(v)
    except ValueError:
        return float(v)


class Raw:
    def __init__(self, path):
        self.machine = {}
        self.host_pair = {}          # heap MiB -> instructions per pair
        self.host_per_op = {}        # heap MiB -> dict
        self.host_worst = {}         # "alloc" / "free" -> (instructions, state)
        self.host_lib = {}           # (who, what) -> libheap/glibc instructions per step
        self.cycles = defaultdict(lambda: defaultdict(dict))  # (op, who) -> rep -> stats
        self.space_meta = {}
        self.space_usable = None
        self.k = defaultdict(dict)   # key -> rep -> stats
        self.curve = defaultdict(dict)  # key -> rep -> list
        self.user = defaultdict(dict)   # (pair, size) -> rep -> stats
        self.user_op = defaultdict(dict)  # op -> rep -> stats
        self.user_bulk = defaultdict(dict)  # blocks per call -> rep -> per-block stats
        self.kbulk = defaultdict(dict)  # blocks per call -> rep -> per-call stats
        self.grant = defaultdict(dict)  # (mode, wake, waiters) -> rep -> stats
        self.max_waiters = None      # rtheap's max_waiters in the guest
        rep = 0
        pair_re = re.compile(r"core pair,\s+(\d+) MiB heap: ([\d.]+) instructions")
        perop_re = re.compile(r"core per-op,\s+(\d+) MiB heap: alloc median (\d+) max (\d+), "
                              r"free median (\d+) max (\d+) instructions \((\d+) allocs, (\d+) frees")
        worst_re = re.compile(r"core worst case: alloc max (\d+) \((\w+)\), "
                              r"free max (\d+) \((\w+)\) instructions")
        lib_re = re.compile(r"host pair (cached|plain|malloc) (64|trace): ([\d.]+) instructions")
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if m := lib_re.match(line):
                    self.host_lib[(m[1], m[2])] = float(m[3])
                elif line.startswith("machine "):
                    k, _, v = line[8:].partition(": ")
                    self.machine[k] = v
                elif m := pair_re.match(line):
                    self.host_pair[int(m[1])] = float(m[2])
                elif m := worst_re.match(line):
                    self.host_worst = {"alloc": (int(m[1]), m[2]), "free": (int(m[3]), m[4])}
                elif m := perop_re.match(line):
                    self.host_per_op[int(m[1])] = dict(
                        alloc_median=int(m[2]), alloc_max=int(m[3]),
                        free_median=int(m[4]), free_max=int(m[5]),
                        allocs=int(m[6]), frees=int(m[7]))
                elif line.startswith("cycles "):
                    w = line.split()
                    d = {k: num(v) for k, v in kv(w[3:]).items()}
                    self.cycles[(w[1], w[2])][d["rep"]] = d
                elif line.startswith("space meta "):
                    d = {k: num(v) for k, v in kv(line.split()[2:]).items()}
                    self.space_meta[d["heap_mib"]] = d
                elif line.startswith("space usable "):
                    self.space_usable = {k: num(v) for k, v in kv(line.split()[2:]).items()}
                elif line.startswith("rep "):
                    rep = int(line.split()[1])
                elif line.startswith("param max_waiters="):
                    self.max_waiters = int(line.split("=", 1)[1])
                elif line.startswith("K "):
                    cmd, _, res = line[2:].partition(" :: ")
                    c = kv(cmd.split())
                    key = (c.get("op"), c.get("alloc", "rtheap"), c.get("size", "trace"),
                           int(c.get("heap", 64)), int(c.get("frag", 0)),
                           int(c.get("threads", 2)))
                    rw = res.split()
                    if "bulk" in c:
                        if rw and rw[0] == "phase=bulk":
                            self.kbulk[int(c["bulk"])][rep] = \
                                {k: num(v) for k, v in kv(rw[1:]).items()}
                    elif c.get("op") == "grant":
                        if rw and rw[0] == "phase=grant":
                            gkey = (c.get("mode", "fifo"), c.get("wake", "local"),
                                    int(c.get("waiters", 1)))
                            self.grant[gkey][rep] = {k: num(v) for k, v in kv(rw[1:]).items()}
                    elif rw and rw[0] == "curve":
                        phase = kv(rw[1:2])["phase"]
                        self.curve[key + (phase,)][rep] = [int(x) for x in rw[2:]]
                    elif rw and rw[0].startswith("overlap="):
                        self.k[key + ("overlap",)][rep] = {"overlap": int(rw[0][8:].rstrip("%"))}
                    elif rw and rw[0].startswith("phase="):
                        d = kv(rw)
                        phase = d.pop("phase")
                        self.k[key + (phase,)][rep] = {k: num(v) for k, v in d.items()
                                                       if k != "irqs"}
                elif line.startswith("user bulk="):
                    d = kv(line.split()[1:])
                    self.user_bulk[int(d["bulk"])][int(d["rep"])] = \
                        {k: num(v) for k, v in d.items() if k not in ("bulk", "size")}
                elif line.startswith("user op="):
                    d = kv(line.split()[1:])
                    self.user_op[d["op"]][int(d["rep"])] = \
                        {k: num(v) for k, v in d.items() if k != "op"}
                elif line.startswith("user "):
                    d = kv(line.split()[1:])
                    self.user[(d["pair"], d["size"])][int(d["rep"])] = \
                        {k: num(v) for k, v in d.items() if k not in ("pair", "size")}


def med(per_rep, stat):
    vals = [d[stat] for d in per_rep.values() if stat in d]
    return statistics.median(vals) if vals else None


class Report:
    def __init__(self, raw):
        self.raw = raw
        self.rows = []
        self.notes = set()
        self.ktimer = med(raw.k.get(("calib", "rtheap", "trace", 64, 0, 2, "timer"), {}), "p50") or 0
        self.htimer = med(raw.cycles.get(("timer", "-"), {}), "p50") or 0

    def add(self, name, ours, baseline_name, baseline, target, unit):
        ratio = ours / baseline if ours is not None and baseline else None
        self.rows.append(dict(name=name, ours=ours, baseline_name=baseline_name,
                              baseline=baseline, ratio=ratio, target=target, unit=unit))

    # kernel statistic, median over repetitions, net of the timer
    def kstat(self, op, alloc, size="trace", heap=64, frag=0, threads=2, phase="pair",
              stat="p50"):
        v = med(self.raw.k.get((op, alloc, size, heap, frag, threads, phase), {}), stat)
        if v is None or stat in ("n", "fail"):
            return v
        return max(v - self.ktimer, 1)

    # op=lat replay minima: the last replay's, which folds in all the others
    def kmin(self, alloc, phase, stat="p50"):
        reps = self.raw.k.get(("lat", alloc, "trace", 64, 0, 2, phase + "_min"), {})
        if not reps:
            return None
        return max(reps[max(reps)][stat] - self.ktimer, 1)

    # op=grant, median over repetitions, net of the timer
    def gstat(self, mode, wake, waiters, stat):
        v = med(self.raw.grant.get((mode, wake, waiters), {}), stat)
        return None if v is None else max(v - self.ktimer, 1)

    def hstat(self, op, who, stat):
        v = med(self.raw.cycles.get((op, who), {}), stat)
        return None if v is None else max(v - self.htimer, 1)

    def build(self):
        r = self.raw
        # --- host: instructions
        p64, p1g = r.host_pair.get(64), r.host_pair.get(1024)
        self.add("host core: instructions per alloc+free pair, 64 MiB heap", p64,
                 "budget", 80, 1.0, "instructions")
        self.add("host core: instructions per pair, 1 GiB vs 64 MiB heap", p1g,
                 "64 MiB heap", p64, 1.1, "instructions")
        for mib in (64, 1024):
            po = r.host_per_op.get(mib)
            if not po:
                continue
            for op in ("alloc", "free"):
                self.add(f"host core: {op} instructions, max vs median ({mib} MiB)",
                         po[f"{op}_max"], "median", po[f"{op}_median"], None,
                         "instructions")
        # --- host: the core's worst states (bench/core_worst.c)
        for op in ("alloc", "free"):
            w = r.host_worst.get(op)
            self.add(f"host core worst case: {op} instructions, max over pathological states",
                     w[0] if w else None, "budget", 168, 1.0, "instructions")
            if w:
                self.notes.add(f"core worst {op}: state {op}:{w[1]}")
        # --- host: libheap's cached pair, instructions (bench/cache-instructions)
        for what, label in (("64", "64 B"), ("trace", "trace")):
            self.add(f"host libheap: cached pair instructions, {label}, vs glibc malloc+free",
                     r.host_lib.get(("cached", what)), "malloc+free",
                     r.host_lib.get(("malloc", what)), None, "instructions")
            self.add(f"host libheap: uncached pair instructions, {label}, system calls not counted, "
                     "vs glibc malloc+free",
                     r.host_lib.get(("plain", what)), "malloc+free",
                     r.host_lib.get(("malloc", what)), None, "instructions")
        # --- host: cycles, core vs glibc
        nrep = len(r.cycles.get(("alloc", "core"), {}))
        for op in ("alloc", "free"):
            glibc = "malloc" if op == "alloc" else "free"
            self.add(f"host cycles: core {op} p50 vs glibc {glibc}",
                     self.hstat(op, "core", "p50"), f"glibc {glibc} p50",
                     self.hstat(op, "glibc", "p50"), None, "cycles")
            for stat, label in (("p99", "p99"), ("p9999", "p99.99"), ("max", "max")):
                self.add(f"host cycles, min of {nrep} replays: core {op} {label} vs glibc {glibc}",
                         self.hstat(op, "core_min", stat), f"glibc {glibc} {label}",
                         self.hstat(op, "glibc_min", stat), None, "cycles")
            self.add(f"host cycles as measured: core {op} p99.99 vs glibc {glibc}",
                     self.hstat(op, "core", "p9999"), f"glibc {glibc} p99.99",
                     self.hstat(op, "glibc", "p9999"), None, "cycles")
        # --- kernel: pairs vs kmalloc and gen_pool
        for size in SIZES + ["trace"]:
            s = "trace" if size == "trace" else f"{size} B"
            tgt = {"trace": None, "16384": 1.5}.get(size, 1.3)
            self.add(f"kernel pair p50 {s}: rt_heap vs kmalloc", self.kstat("pair", "rtheap", size),
                     "kmalloc+kfree", self.kstat("pair", "kmalloc", size), tgt, "cycles")
        for size in SIZES + ["trace"]:
            s = "trace" if size == "trace" else f"{size} B"
            self.add(f"kernel pair p50 {s}: rt_heap vs gen_pool, fresh",
                     self.kstat("pair", "rtheap", size),
                     "gen_pool fresh", self.kstat("pair", "genpool", size), None, "cycles")
        for size in SIZES + ["trace"]:
            s = "trace" if size == "trace" else f"{size} B"
            self.add(f"kernel pair p50 {s}: rt_heap vs gen_pool, fragmented",
                     self.kstat("pair", "rtheap", size, frag=1),
                     "gen_pool fragmented", self.kstat("pair", "genpool", size, frag=1),
                     0.5, "cycles")
        # --- kernel: where an rt_heap pair goes (64 B; fresh, fragmented)
        for frag, fs in ((0, "fresh"), (1, "fragmented")):
            for alloc, an in (("core", "bare core (rth_alloc+rth_free)"),
                              ("corelock", "core under a raw spinlock")):
                self.add(f"kernel 64 B pair p50, {fs}: {an} vs kmalloc",
                         self.kstat("pair", alloc, "64", frag=frag), "kmalloc+kfree",
                         self.kstat("pair", "kmalloc", "64"), None, "cycles")
            self.add(f"kernel 64 B pair p50, {fs}: rt_heap API vs kmalloc",
                     self.kstat("pair", "rtheap", "64", frag=frag), "kmalloc+kfree",
                     self.kstat("pair", "kmalloc", "64"), 1.1 if frag else None, "cycles")
        frag_pair = self.kstat("pair", "rtheap", "64", frag=1)
        for part, pn in (("irq", "2 x local_irq_save+restore"),
                         ("lock", "2 x raw_spin_lock_irqsave+unlock_irqrestore"),
                         ("rcu", "2 x rcu_read_lock+unlock")):
            v = self.kstat("parts", "rtheap", phase=part)
            self.add(f"kernel part: {pn} vs rt_heap 64 B pair (fragmented)",
                     None if v is None else 2 * v, "rt_heap pair", frag_pair, None, "cycles")
        # --- kernel: per-operation latency on the trace, interrupts off;
        # each operation's minimum over the replays, then as measured
        nrep = len(self.raw.k.get(("lat", "rtheap", "trace", 64, 0, 2, "alloc_min"), {}))
        for phase in ("alloc", "free"):
            p50 = self.kmin("rtheap", phase)
            for stat, label, tgt in (("p99", "p99", None), ("p9999", "p99.99", 3.0),
                                     ("max", "max", None)):
                self.add(f"kernel {phase} latency, min of {nrep} replays: rt_heap {label}/p50",
                         self.kmin("rtheap", phase, stat), "p50", p50, tgt, "cycles")
            oname = "kmalloc" if phase == "alloc" else "kfree"
            for other, on in (("kmalloc", oname), ("genpool", "gen_pool"), ("core", "bare core")):
                for stat, label in (("p50", "p50"), ("p9999", "p99.99")):
                    self.add(f"kernel {phase} latency, min of {nrep} replays {label}: "
                             f"rt_heap vs {on}",
                             self.kmin("rtheap", phase, stat), f"{on} {label}",
                             self.kmin(other, phase, stat), None, "cycles")
            for other, on in (("kmalloc", oname), ("genpool", "gen_pool")):
                self.add(f"kernel {phase} latency, min of {nrep} replays: {on} p99.99/p50",
                         self.kmin(other, phase, "p9999"), "p50", self.kmin(other, phase),
                         None, "cycles")
            for who, on in (("rtheap", "rt_heap"), ("kmalloc", oname)):
                p = self.kstat("lat", who, phase=phase)
                self.add(f"kernel {phase} latency as measured: {on} p99.99/p50",
                         self.kstat("lat", who, phase=phase, stat="p9999"), "p50", p,
                         None, "cycles")
        # --- kernel: bulk calls (64 B), per block, net of the timer
        one = self.kstat("pair", "rtheap", "64")
        for k in sorted(r.kbulk):
            v = med(r.kbulk[k], "p50")
            v = None if v is None else max(v - self.ktimer, 1) / k
            self.add(f"kernel bulk, per block, n={k}, vs one rt_heap pair (64 B p50, "
                     "alloc_bulk+free_bulk / n)", v, "rt_heap alloc+free", one, None,
                     "cycles")
            self.add(f"kernel bulk, per block, n={k}, vs kmalloc+kfree (64 B p50)", v,
                     "kmalloc+kfree", self.kstat("pair", "kmalloc", "64"), None, "cycles")
        # --- kernel: growth and fragmentation
        self.add("kernel growth: trace pair p50, 1 GiB vs 1 MiB heap",
                 self.kstat("pair", "rtheap", heap=1024), "1 MiB heap",
                 self.kstat("pair", "rtheap", heap=1), 1.2, "cycles")
        self.add("kernel growth: trace pair p99, 1 GiB vs 1 MiB heap",
                 self.kstat("pair", "rtheap", heap=1024, stat="p99"), "1 MiB heap",
                 self.kstat("pair", "rtheap", heap=1, stat="p99"), None, "cycles")
        self.add("kernel fragmentation: trace pair p50, fragmented vs fresh (64 MiB)",
                 self.kstat("pair", "rtheap", frag=1), "fresh", self.kstat("pair", "rtheap"),
                 1.3, "cycles")
        for size in ("16", "4096"):
            self.add(f"kernel fragmentation: {size} B pair p50, fragmented vs fresh",
                     self.kstat("pair", "rtheap", size, frag=1), "fresh",
                     self.kstat("pair", "rtheap", size), None, "cycles")
        # --- kernel: two CPUs on one heap
        # Pairs count only if the other CPU completed one meanwhile; with
        # fewer than MIN_OVERLAP such pairs, the host never ran both guest
        # CPUs at once long enough, and there is no figure.
        for alloc, name in (("rtheap", "rt_heap"), ("kmalloc", "kmalloc")):
            key = ("contend", alloc, "64", 64, 0, 2)
            ov = self.raw.k.get(key + ("overlap",), {})
            runs = self.raw.k.get(key + ("pair",), {})
            good = {rp: d for rp, d in runs.items()
                    if d["n"] >= MIN_OVERLAP and ov.get(rp, {}).get("overlap", 0) >= 5}
            if len(good) < len(runs):
                self.notes.add(f"contention: {name}: {len(runs) - len(good)} of {len(runs)} "
                               f"repetitions left out, fewer than {MIN_OVERLAP} pairs or 5% "
                               "of them ran alongside the other CPU's (a busy host seldom "
                               "runs both guest CPUs at once)")
            for stat, label in (("p50", "p50"), ("p99", "p99")):
                both = med(good, stat)
                if both is not None:
                    both = max(both - self.ktimer, 1)
                self.add(f"kernel contention: {name} 64 B pair {label}, 2 CPUs vs 1",
                         both, "1 CPU",
                         self.kstat("contend", alloc, "64", threads=1, stat=stat), None,
                         "cycles")
            ov = med(self.raw.k.get(("contend", alloc, "64", 64, 0, 2, "overlap"), {}), "overlap")
            self.add(f"kernel contention: {name}, pairs timed alongside the other CPU's", ov,
                     "all timed", 100, None, "percent")
        # --- kernel: a free that grants one waiter, against the queue's depth
        # (1, 100, max_waiters queued; the waiters on the freeing CPU, or
        # woken on the other one by IPI)
        limit = r.max_waiters
        for mode, wake, tgt in (("fifo", "local", 1.5), ("prio", "local", 1.5),
                                ("fifo", "remote", None)):
            hm = "H_FIFO" if mode == "fifo" else "H_PRIO"
            where = "" if wake == "local" else ", woken on the other CPU"
            for stat, label in (("p50", "p50"), ("p99", "p99")):
                one = self.gstat(mode, wake, 1, stat)
                for depth in dict.fromkeys((100, limit)):
                    if depth is None or depth == 1:
                        continue
                    dn = f"{depth}" if depth != limit else f"{depth} (max_waiters)"
                    self.add(f"kernel grant: free granting 1 of {dn} queued, {hm}{where}, "
                             f"irqs off {label} vs 1 queued",
                             self.gstat(mode, wake, depth, stat), f"1 queued {label}", one,
                             tgt, "cycles")
        # --- user space
        for size, tgt in (("64", 1.3), ("trace", None)):
            s = "64 B" if size == "64" else "trace"
            rt = med(r.user.get(("rtheap", size), {}), "p50")
            self.add(f"user pair p50 {s}: libheap vs 2 x RTHEAP_IOC_NOP", rt,
                     "2 x ioctl(NOP)", med(r.user.get(("nop", size), {}), "p50"), tgt, "cycles")
            self.add(f"user pair p50 {s}: libheap vs glibc malloc+free", rt,
                     "malloc+free", med(r.user.get(("malloc", size), {}), "p50"), None, "cycles")
        # bulk: rt_heap_alloc_bulk + rt_heap_free_bulk of n 64 B blocks, per
        # block, against one rt_heap_alloc + rt_heap_free (64 B) of the same
        # repetitions
        one = med(r.user.get(("rtheap", "64"), {}), "p50")
        for k in sorted(r.user_bulk):
            self.add(f"user bulk, per block, n={k}, vs one uncached pair (64 B p50, "
                     "alloc_bulk+free_bulk / n)", med(r.user_bulk[k], "p50"),
                     "rt_heap_alloc+free", one, 0.15 if k == 64 else None, "cycles")
        # the libheap block cache (rt_heap_cache on a descriptor of its own)
        for size in ("64", "trace"):
            s = "64 B" if size == "64" else "trace"
            ca = med(r.user.get(("cached", size), {}), "p50")
            self.add(f"user cached pair p50 {s}: libheap with rt_heap_cache vs glibc malloc+free",
                     ca, "malloc+free", med(r.user.get(("malloc", size), {}), "p50"), 3.0,
                     "cycles")
            self.add(f"user cached pair p50 {s}: vs the uncached libheap pair", ca,
                     "uncached pair", med(r.user.get(("rtheap", size), {}), "p50"), None,
                     "cycles")
        nop = med(r.user_op.get("nop", {}), "p50")
        for op in ("alloc", "free"):
            self.add(f"user call p50: rt_heap_{op} (64 B) vs one RTHEAP_IOC_NOP",
                     med(r.user_op.get(op, {}), "p50"), "ioctl(NOP)", nop, None, "cycles")
        # --- space
        for mib in (64, 1024):
            m = r.space_meta.get(mib)
            if m:
                self.add(f"space: metadata bytes per heap byte, {mib} MiB heap", m["meta"],
                         "heap bytes", m["bytes"], 0.02, "bytes")
        u = r.space_usable
        if u:
            self.add(f"space: trace bytes requested before the first failure, {u['heap_mib']} MiB",
                     u["requested"], "heap bytes", u["bytes"], None, "bytes")
            self.add(f"space: trace bytes rounded before the first failure, {u['heap_mib']} MiB",
                     u["rounded"], "heap bytes", u["bytes"], None, "bytes")

    def table(self):
        w = max(len(x["name"]) for x in self.rows)
        fmt = "%-*s %12s  %-24s %12s %8s %7s  %s"
        lines = [fmt % (w, "figure", "ours", "baseline", "", "ratio", "target", "")]
        lines.append("-" * (w + 80))
        for x in self.rows:
            def f(v):
                if v is None:
                    return "-"
                return f"{v:.1f}" if isinstance(v, float) and v < 1000 else f"{v:.0f}"
            ratio = "-" if x["ratio"] is None else f"{x['ratio']:.3f}"
            tgt = "-" if x["target"] is None else f"{x['target']:g}"
            verdict = ""
            if x["target"] is not None and x["ratio"] is not None:
                verdict = "ok" if x["ratio"] <= x["target"] else "MISSED"
            elif x["target"] is not None:
                verdict = "not measured in this run"
            lines.append(fmt % (w, x["name"], f(x["ours"]), x["baseline_name"], f(x["baseline"]),
                                ratio, tgt, verdict))
        return "\n".join(lines)

    def plot_data(self, out):
        # Percentile curves of the per-operation latency, median per point.
        qs = [i / 100 for i in range(1, 100)] + [0.999, 0.9999]
        for alloc in ("rtheap", "kmalloc", "genpool"):
            for phase in ("alloc", "free"):
                key = ("lat", alloc, "trace", 64, 0, 2, phase + "_min")
                reps = self.raw.curve.get(key, {})
                if not reps:
                    continue
                n = med(self.raw.k.get(key, {}), "n") or 1
                pts = [[v] for v in reps[max(reps)]]
                with open(f"{out}/lat_{alloc}_{phase}.dat", "w") as f:
                    f.write(f"# -log10(1-q)  cycles (net of the timer)  {alloc} {phase}\n")
                    for i, vals in enumerate(pts):
                        x = -math.log10(1 - qs[i]) if i < len(qs) else math.log10(n)
                        f.write(f"{x:.4f} {max(statistics.median(vals) - self.ktimer, 1)}\n")
        with open(f"{out}/growth.dat", "w") as f:
            f.write("# heap_MiB p50 p99 (trace pair, cycles net of the timer)\n")
            for mib in GROWTH_MIB:
                p50 = self.kstat("pair", "rtheap", heap=mib)
                p99 = self.kstat("pair", "rtheap", heap=mib, stat="p99")
                if p50 is not None:
                    f.write(f"{mib} {p50} {p99}\n")


def main():
    raw = Raw(sys.argv[1])
    out = sys.argv[2]
    rep = Report(raw)
    rep.build()
    print()
    for k in ("host", "qemu", "guest", "date", "commit", "reps"):
        if k in raw.machine:
            print(f"{k}: {raw.machine[k]}")
    print(f"timer: {rep.htimer:g} cycles (host), {rep.ktimer:g} cycles (guest kernel), "
          "subtracted from host and kernel cycle figures")
    print()
    print(rep.table())
    print()
    for note in sorted(rep.notes):
        print(f"note: {note}")
    with open(f"{out}/results.json", "w") as f:
        json.dump(rep.rows, f, indent=1)
        f.write("\n")
    rep.plot_data(out)
    missed = [x["name"] for x in rep.rows
              if x["target"] is not None and x["ratio"] is not None and x["ratio"] > x["target"]]
    print(f"{len(rep.rows)} figures, {sum(1 for x in rep.rows if x['target'] is not None)} "
          f"with a target, {len(missed)} missed; results in {out}/results.json")


if __name__ == "__main__":
    main()
