#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-debug: rtheap-fuzz's full mix (creates, deletes, binds, mmaps,
# forks and kills as often as ioctls), as many calls as fit in 150 s
# (the per-test limit is 180 s).
exec rtheap-fuzz --calls 100000 --procs 4 --seconds 150
