#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-debug: two minutes of rtheap-stress under KASAN and lockdep.
exec rtheap-stress --seconds 120 --procs 4 --threads 3
