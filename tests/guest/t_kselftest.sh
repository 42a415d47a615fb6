#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel self-test: insmod rtheap_selftest.ko, which runs the
# kernel-API suite (tests/kernel/selftest/heap_suite.c: rtheap's kernel API from
# kernel threads, hard IRQ context and atomic sections) at load time; it
# must load (all passed), log a PASS line per case and a summary with 0
# failed, and unload again.

ko=${RTHEAP_MODDIR:-/lib/rtheap}/rtheap_selftest.ko
tag="t_kselftest: begin $$"

if [ ! -e "$ko" ]; then
	echo "t_kselftest.sh: no $ko (make selftest-module KVER=$(uname -r))"
	exit 77
fi
if [ -e /sys/module/rtheap_selftest ]; then
	echo "t_kselftest.sh: FAIL: rtheap_selftest is already loaded"
	exit 1
fi

# rtheap-insmod loads once; busybox insmod would run a failing init twice.
loader=insmod
command -v rtheap-insmod >/dev/null && loader=rtheap-insmod

echo "$tag" >/dev/kmsg
$loader "$ko"
rc=$?
log=$(dmesg | awk -v m="$tag" 'index($0, m) { buf = ""; seen = 1; next }
	seen { buf = buf $0 "\n" } END { printf "%s", buf }' |
	grep 'rtheap_selftest:')
echo "$log"

fails=0
fail() {
	echo "t_kselftest.sh: FAIL: $*"
	fails=$((fails + 1))
}

[ "$rc" = 0 ] || fail "insmod exited $rc"
summary=$(echo "$log" | grep -E 'rtheap_selftest: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
[ -n "$summary" ] || fail "no summary line in the kernel log"
echo "$summary" | grep -q ' 0 failed' || fail "summary: ${summary#*] }"
npass=$(echo "$log" | grep -c 'rtheap_selftest: PASS ')
[ "$npass" -ge 10 ] || fail "only $npass PASS lines"
echo "$log" | grep -q 'rtheap_selftest: FAIL ' && fail "FAIL lines in the log"
echo "$log" | grep -q 'stuck' && fail "a test thread is stuck"

if [ -e /sys/module/rtheap_selftest ]; then
	rmmod rtheap_selftest || fail "rmmod rtheap_selftest failed"
fi
[ "$fails" = 0 ]
