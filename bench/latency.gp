# SPDX-License-Identifier: GPL-2.0
# build/bench/latency.png from the data files bench/report.py writes
# (run in build/bench/ by bench/run-bench).
#   left:  per-operation latency on the trace, interrupts off, 64 MiB
#          pools, each operation's minimum over the replays:
#          rt_heap vs kmalloc vs gen_pool, by percentile
#   right: cost of a trace step (free + alloc) against the heap size
set terminal pngcairo size 1400,560 font "sans,10"
set output "latency.png"
set multiplot layout 1,2 title "rtheap under qemu TCG: cycles net of the timer (only ratios within one run mean anything)"

set title "per-operation latency on the trace, interrupts off: each operation's minimum over the replays (last point: max)"
set xlabel "percentile"
set ylabel "cycles"
set logscale y
set grid
set key top left
set xtics ("50%%" 0.30103, "90%%" 1, "99%%" 2, "99.9%%" 3, "99.99%%" 4)
set xrange [0:5.2]
plot "lat_rtheap_alloc.dat"  using 1:2 with linespoints pt 7 ps 0.4 lw 2 lc rgb "#1f77b4" title "rt\\_heap\\_alloc", \
     "lat_rtheap_free.dat"   using 1:2 with linespoints pt 7 ps 0.4 lw 2 dt 2 lc rgb "#1f77b4" title "rt\\_heap\\_free", \
     "lat_kmalloc_alloc.dat" using 1:2 with linespoints pt 7 ps 0.4 lw 2 lc rgb "#d62728" title "kmalloc", \
     "lat_kmalloc_free.dat"  using 1:2 with linespoints pt 7 ps 0.4 lw 2 dt 2 lc rgb "#d62728" title "kfree", \
     "lat_genpool_alloc.dat" using 1:2 with linespoints pt 7 ps 0.4 lw 2 lc rgb "#2ca02c" title "gen\\_pool\\_alloc", \
     "lat_genpool_free.dat"  using 1:2 with linespoints pt 7 ps 0.4 lw 2 dt 2 lc rgb "#2ca02c" title "gen\\_pool\\_free"

set title "trace step (rt\\_heap\\_free + rt\\_heap\\_alloc) vs heap size"
set xlabel "heap size (MiB)"
set ylabel "cycles"
unset logscale y
set logscale x 2
set xtics auto
set xrange [0.7:1500]
set yrange [0:*]
set key bottom right
plot "growth.dat" using 1:2 with linespoints pt 7 lw 2 lc rgb "#1f77b4" title "p50", \
     "growth.dat" using 1:3 with linespoints pt 5 lw 2 dt 2 lc rgb "#ff7f0e" title "p99"
unset multiplot
