#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_fuzz - the guest suite's short run of rtheap-fuzz: 10^5 calls from four
# processes (the full mix: every command, bad input, mmap, forks, kills),
# at most 25 s (a slow kernel makes fewer calls; the count is printed).
# make fuzz-ioctl SECONDS=N runs it longer; check-debug runs 10^6 calls.
exec rtheap-fuzz --calls 100000 --procs 4 --seconds 25 ${RTHEAP_FUZZ_SEED:+--seed "$RTHEAP_FUZZ_SEED"}
