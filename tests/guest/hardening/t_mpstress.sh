#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_mpstress - the guest suite's 20 s of rtheap-stress: 4 processes x 3
# threads on 3 heaps, handovers, delete under waiters, victims killed;
# no block handed out twice, no lost wakeup (2 s slack), exact usedmem at
# quiescent points.  make soak SECONDS=N runs it longer.
exec rtheap-stress --seconds 20 --procs 4 --threads 3 ${RTHEAP_STRESS_SEED:+--seed "$RTHEAP_STRESS_SEED"}
