#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tracepoints: with events/rtheap/rtheap_{alloc,free,wait,wake} enabled in tracefs,
# the libheap workload of t_wait (blocking allocs granted by a free, woken
# by a delete, a signal, a timeout) must log each event with sane fields:
#   alloc  bytes_alloc >= bytes_req, a rounded size, a 16-byte aligned offset
#   free   a live block: allocated before, on the same heap, same size
#   wait   bytes_req > 0; timeout 0 (TM_INFINITE) and finite ones
#   wake   result 0 with the offset of a block allocated for it, and the
#          -EIDRM, -EINTR, -ETIMEDOUT outcomes
# Skips (77) without tracefs or without t_wait beside this script.

T=/sys/kernel/tracing
[ -e $T/trace ] || T=/sys/kernel/debug/tracing
bindir=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/t_trace.$$
events="rtheap_alloc rtheap_free rtheap_wait rtheap_wake"

if [ ! -e $T/trace ] || [ ! -d $T/events ]; then
	echo "t_trace.sh: no tracefs (mount -t tracefs tracefs /sys/kernel/tracing)"
	exit 77
fi
if [ ! -x "$bindir/t_wait" ]; then
	echo "t_trace.sh: no t_wait beside this script (make guest-bins)"
	exit 77
fi
for e in $events; do
	if [ ! -e "$T/events/rtheap/$e/enable" ]; then
		echo "t_trace.sh: FAIL: no tracefs event rtheap:$e"
		exit 1
	fi
done

set_events() {
	for e in $events; do
		echo "$1" >"$T/events/rtheap/$e/enable"
	done
}

on=$(cat $T/tracing_on)
echo 0 >$T/tracing_on
echo >$T/trace
set_events 1
echo 1 >$T/tracing_on
"$bindir/t_wait" >"$out.wait" 2>&1
rc=$?
echo 0 >$T/tracing_on
set_events 0
cat $T/trace >"$out"
echo >$T/trace
echo "$on" >$T/tracing_on

if [ "$rc" != 0 ]; then
	echo "t_trace.sh: FAIL: the workload (t_wait) exited $rc:"
	sed 's/^/    /' "$out.wait"
	rm -f "$out" "$out.wait"
	exit 1
fi

# The kernel's page size: runs are whole pages, buckets up to half one.
page=$(getconf PAGESIZE 2>/dev/null) ||
	page=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps)
case $page in
[1-9]*[0-9]) ;;
*) echo "t_trace: no page size (getconf, /proc/self/smaps)"; exit 1 ;;
esac

# One line per problem; the counts last, as "count EVENT N" and
# "result R N".
awk -v page="$page" '
function field(name,   i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function bad(msg) { print "bad: " msg ": " $0 }
# 16-byte aligned: the last hex digit is 0.
function aligned(hex) { return hex ~ /^0x[0-9a-f]*0$/ || hex == "0" }
function pow2(n) { while (n > 1 && n % 2 == 0) n /= 2; return n == 1 }
/ (rtheap_alloc|rtheap_free|rtheap_wait|rtheap_wake): heap=/ {
	for (i = 1; i <= NF; i++)
		if ($i ~ /^(rtheap_alloc|rtheap_free|rtheap_wait|rtheap_wake):$/)
			ev = substr($i, 1, length($i) - 1)
	heap = field("heap") + 0
	if (field("heap") !~ /^[0-9]+$/ || heap == 0)
		bad("heap id")
	n[ev]++
}
/ rtheap_alloc: heap=/ {
	req = field("bytes_req") + 0; got = field("bytes_alloc") + 0
	off = field("offset")
	if (req < 1 || got < req)
		bad("bytes_alloc below bytes_req")
	else if (!(got <= page / 2 && got >= 16 && pow2(got)) && got % page)
		bad("bytes_alloc not a rounded size")
	if (!aligned(off))
		bad("offset not 16-byte aligned")
	live[heap "@" off] = got
}
/ rtheap_free: heap=/ {
	off = field("offset"); b = field("bytes") + 0
	if (!((heap "@" off) in live))
		bad("free of a block never allocated")
	else if (live[heap "@" off] != b)
		bad("free size differs from the alloc")
	delete live[heap "@" off]
}
/ rtheap_wait: heap=/ {
	if (field("bytes_req") + 0 < 1)
		bad("wait for 0 bytes")
	tmo = field("timeout")
	if (tmo !~ /^[0-9]+$/ || tmo + 0 > 60000000000)
		bad("timeout")
	if (tmo + 0 == 0)
		forever++
	else
		finite++
}
/ rtheap_wake: heap=/ {
	r = field("result") + 0; off = field("offset")
	res[r]++
	if (r == 0 && !((heap "@" off) in live))
		bad("woken with a block not allocated")
	if (r != 0 && r != -43 && r != -4 && r != -110)
		bad("result")
}
END {
	for (e in n)
		print "count " e " " n[e]
	for (r in res)
		print "result " r " " res[r]
	print "timeouts " forever + 0 " " finite + 0
}' "$out" >"$out.check"

fails=0
fail() {
	echo "t_trace.sh: FAIL: $*"
	fails=$((fails + 1))
}
count() { awk -v k="$1" -v v="$2" '$1 == k && $2 == v { print $3 }' "$out.check"; }

grep '^bad: ' "$out.check" | head -n 10 | sed 's/^bad: /t_trace.sh: FAIL: /'
grep -q '^bad: ' "$out.check" && fails=$((fails + 1))
for e in $events; do
	c=$(count count "$e")
	echo "rtheap:$e: ${c:-0} events"
	[ "${c:-0}" -gt 0 ] || fail "no rtheap:$e event"
done
for r in 0 -43 -4 -110; do
	[ -n "$(count result "$r")" ] || fail "no rtheap:rtheap_wake with result=$r"
done
read -r _ forever finite <<EOF
$(grep '^timeouts ' "$out.check")
EOF
[ "$forever" -gt 0 ] || fail "no rtheap:rtheap_wait with timeout=0 (TM_INFINITE)"
[ "$finite" -gt 0 ] || fail "no rtheap:rtheap_wait with a finite timeout"

if [ "$fails" != 0 ]; then
	echo "t_trace.sh: the trace:"
	grep -E ' (rtheap_alloc|rtheap_free|rtheap_wait|rtheap_wake): heap=' "$out" | head -n 40 | sed 's/^/    /'
fi
rm -f "$out" "$out.wait" "$out.check"
[ "$fails" = 0 ]
