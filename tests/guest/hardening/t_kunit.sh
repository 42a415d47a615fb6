#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_kunit - the KUnit suites of rtheap: insmod rtheap_kunit.ko runs
# rtheap_alloc (the allocator core, kernel/alloc.c compiled into the test
# module) and rtheap_heap (the heap object through rtheap.ko's exported
# API: the kernel-API suite tests/kernel/selftest/heap_suite.c).  Their KTAP results, in the kernel log and in
# /sys/kernel/debug/kunit/<suite>/results, must show both suites and every
# case "ok", no "not ok"; then the module must unload.
#
# Exit 77 (skip) on a kernel without KUnit (Debian's kernels); a kernel
# with KUnit but no rtheap_kunit.ko for it is a failure (the build is
# missing: make kunit-module KVER=<abi> KDIR=<kbuild tree>).

ko=${RTHEAP_MODDIR:-/lib/rtheap}/rtheap_kunit.ko
suites="rtheap_alloc rtheap_heap"
tag="t_kunit: begin $$"
me=t_kunit

if ! grep -q ' kunit_run_tests$' /proc/kallsyms 2>/dev/null; then
	echo "$me: SKIP: no KUnit in $(uname -r) (CONFIG_KUNIT)"
	exit 77
fi
if [ ! -e "$ko" ]; then
	echo "$me: FAIL: the kernel has KUnit but there is no $ko (make kunit-module KVER=$(uname -r))"
	exit 1
fi
if [ -e /sys/module/rtheap_kunit ]; then
	echo "$me: FAIL: rtheap_kunit is already loaded"
	exit 1
fi

fails=0
fail() {
	echo "$me: FAIL: $*"
	fails=$((fails + 1))
}

start=$(date +%s)
echo "$tag" >/dev/kmsg
insmod "$ko" || fail "insmod $ko exited $?"
log=$(dmesg | awk -v m="$tag" 'index($0, m) { buf = ""; seen = 1; next }
	seen { buf = buf $0 "\n" } END { printf "%s", buf }' |
	sed 's/^\[ *[0-9.]*\] //')
# The KTAP lines, indented as KUnit prints them.
echo "$log" | grep -E '^ *(KTAP|#|ok |not ok |1\.\.)' | sed 's/^/  /'

for s in $suites; do
	echo "$log" | grep -Eq "^ok [0-9]+ $s\$" || fail "suite $s: no \"ok\" line"
	res=/sys/kernel/debug/kunit/$s/results
	if [ -r "$res" ]; then
		grep -q 'not ok' "$res" && fail "suite $s: \"not ok\" in $res"
	fi
done
nok=$(echo "$log" | grep -c 'not ok')
[ "$nok" = 0 ] || fail "$nok \"not ok\" lines in the kernel log"
ncases=$(echo "$log" | grep -Ec '^    ok [0-9]+ ')
[ "$ncases" -ge 20 ] || fail "only $ncases test cases passed"
echo "$log" | grep -q 'kunit try-catch.*timed out\|Internal error occurred' &&
	fail "a test case timed out or crashed"

if [ -e /sys/module/rtheap_kunit ]; then
	rmmod rtheap_kunit || fail "rmmod rtheap_kunit failed"
fi
echo "$me: $ncases cases ok in $(($(date +%s) - start)) s, $fails failures"
[ "$fails" = 0 ]
