#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rtheap-bench-guest - the guest side of `make bench' (busybox sh, as root,
# rtheap.ko loaded; started by bench/run-bench through scripts/vm-run).
#
# usage: rtheap-bench-guest [-r REPS] [-n SAMPLES] [-l LAT_SAMPLES] [-q]
#
# Loads rtheap_bench.ko, runs its benchmarks (bench/kmod/rtheap_bench.c)
# in REPS interleaved repetitions, the contenders in a rotated order each
# time, then rtheap-bench-user.  Prints one line per run:
#   K <command> :: <result>      the kernel module's
#   param max_waiters=N          rtheap's limit, the deepest op=grant queue
#   user ...                     rtheap-bench-user's
# and "guest-bench: done" last.  -q: a quick smoke run.

reps=5
n=20000
nlat=100000
ngrant=300
quick=0
while getopts r:n:l:q opt; do
	case $opt in
	r) reps=$OPTARG ;;
	n) n=$OPTARG ;;
	l) nlat=$OPTARG ;;
	q) quick=1 ;;
	*) echo "usage: rtheap-bench-guest [-r REPS] [-n SAMPLES] [-l LAT_SAMPLES] [-q]" >&2; exit 2 ;;
	esac
done
if [ "$quick" = 1 ]; then
	n=2000
	nlat=5000
	ngrant=100
fi

ko=${RTHEAP_MODDIR:-/lib/rtheap}/rtheap_bench.ko
ctl=/sys/kernel/debug/rtheap_bench/run

# A 1 GiB heap and the 64 MiB ones at once: more than the default limit
# of a quarter of RAM.
echo $((3 << 30)) >/sys/module/rtheap/parameters/max_bytes || exit 1
insmod "$ko" samples="$n" || { echo "guest-bench: insmod $ko failed" >&2; exit 1; }

# op=grant: a free granting one waiter among 1, 100 and max_waiters queued.
maxw=$(cat /sys/module/rtheap/parameters/max_waiters) || exit 1
echo "param max_waiters=$maxw"
depths=1
for d in 100 "$maxw"; do
	case " $depths " in *" $d "*) ;; *) depths="$depths $d" ;; esac
done

k() {
	if ! echo "$*" >$ctl; then
		echo "guest-bench: FAILED: $*" >&2
		return 1
	fi
	while IFS= read -r line; do
		echo "K $* :: $line"
	done <$ctl
}

# rotate N WORD...: the words, starting from the (N mod count)-th.
rotate() {
	r=$1
	shift
	c=$#
	i=0
	while [ $i -lt $c ]; do
		j=$(((r + i) % c + 1))
		eval "printf '%s ' \"\${$j}\""
		i=$((i + 1))
	done
}

fail=0
rep=1
while [ $rep -le "$reps" ]; do
	echo "rep $rep"
	k op=calib || fail=1
	for part in $(rotate $rep irq lock rcu); do
		k op=parts part="$part" || fail=1
	done
	for size in 16 64 256 1024 2048 4096 16384 trace; do
		for a in $(rotate $rep rtheap kmalloc genpool core corelock); do
			k op=pair alloc="$a" size=$size || fail=1
		done
		for a in $(rotate $rep rtheap genpool core corelock); do
			k op=pair alloc="$a" size=$size frag=1 || fail=1
		done
	done
	for b in $(rotate $rep 1 8 64); do
		k op=pair alloc=rtheap size=64 bulk="$b" || fail=1
	done
	for a in $(rotate $rep rtheap kmalloc genpool core); do
		k op=lat alloc="$a" n="$nlat" replay=$rep curve=1 || fail=1
	done
	for mib in $(rotate $rep 1 4 16 64 256 1024); do
		k op=pair alloc=rtheap size=trace heap="$mib" || fail=1
	done
	for a in $(rotate $rep rtheap kmalloc); do
		for t in 1 2; do
			k op=contend alloc="$a" size=64 threads=$t n=$((n * 2)) || fail=1
		done
	done
	for mode in $(rotate $rep fifo prio); do
		for d in $(rotate $rep $depths); do
			k op=grant waiters="$d" mode="$mode" n=$ngrant || fail=1
		done
	done
	for d in $(rotate $rep $depths); do
		k op=grant waiters="$d" wake=remote n=$ngrant || fail=1
	done
	rep=$((rep + 1))
done
k op=drop || fail=1
rmmod rtheap_bench || fail=1

if [ "$quick" = 1 ]; then
	rtheap-bench-user -r "$reps" -n 2000 || fail=1
else
	rtheap-bench-user -r "$reps" -n "$n" || fail=1
fi
echo "guest-bench: done"
exit $fail
