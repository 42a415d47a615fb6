#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-debug: one quarter of its 10^6 fuzzed calls (rtheap-fuzz, light
# mix: ioctls on live heaps mostly).  hardening.mk installs this script as
# debug.d/hardening-fuzz-light-1 ... -4, four tests of their own; the
# parameter is the quarter, from the installed name (or $1).  On the debug
# kernel under TCG an ioctl costs 0.1-1 ms, so 250,000 calls take about
# 100 s; --seconds keeps a slow host under the 180 s per-test limit (the
# calls made are printed).
part=${1:-${0##*-}}
echo "hardening-fuzz-light: quarter $part of 4"
exec rtheap-fuzz --light --calls 250000 --procs 4 --seconds 170
