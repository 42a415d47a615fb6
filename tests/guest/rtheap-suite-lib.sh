# SPDX-License-Identifier: GPL-2.0
# rtheap-suite-lib.sh - what the guest runners share, sourced (busybox sh)
# by rtheap-guest-suite and rtheap-debug-suite from the folder they are in:
# the kernel-report pattern, the verdict of one test and the counts, the
# kernel log since a marker, and the summary line.
#
# After sourcing: npass nfail nskip (counts) and failed (the names).

# Kernel log lines that report a problem (extended regex, for grep -E and
# awk).  The one list: scripts/vm-run takes it from
# `rtheap-guest-suite --report-pattern'.
suite_reports='BUG:|WARNING:|Oops|general protection|kernel BUG|Kernel panic|Call Trace|RIP: [0-9a-f]{4}:'
suite_reports="$suite_reports|KASAN|UBSAN|KFENCE|KCSAN|lockdep|possible circular locking|inconsistent lock state"
suite_reports="$suite_reports|possible recursive locking|suspicious RCU usage|INFO: .*lock|INFO: trying to register non-static key"
suite_reports="$suite_reports|detected stalls|sleeping function called from invalid context|scheduling while atomic"
suite_reports="$suite_reports|soft lockup|hard LOCKUP|blocked for more than|list_(add|del) corruption"

npass=0
nfail=0
nskip=0
failed=

# verdict NAME pass|fail|skip [DETAIL]: one line "PASS name", "SKIP name
# (detail)" or "FAIL name (detail)", counted.
verdict() {
	case $2 in
	pass) npass=$((npass + 1)); echo "PASS $1" ;;
	skip) nskip=$((nskip + 1)); echo "SKIP $1${3:+ ($3)}" ;;
	*) nfail=$((nfail + 1)); failed="$failed $1"; echo "FAIL $1 ($3)" ;;
	esac
}

# klog_since MARKER: the kernel log after the last line containing MARKER;
# status 1 if no line does (the marker left the ring buffer, or never was).
klog_since() {
	dmesg | awk -v m="$1" '
		index($0, m) { buf = ""; seen = 1; next }
		seen { buf = buf $0 "\n" }
		END { printf "%s", buf; exit !seen }'
}

# suite_summary: the last lines of a run ("failed: ..." if any, then
# "N passed, N failed, N skipped"); status 0 only if nothing failed.
suite_summary() {
	[ -n "$failed" ] && echo "failed:$failed"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ "$nfail" -eq 0 ]
}
