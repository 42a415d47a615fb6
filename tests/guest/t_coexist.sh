#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xenomai's tasks beside rtheap's heaps, with the module loaded: the
# programs of tests/host/coexist/ (tasks from a stand-in libalchemy, heaps from
# rtheap; linked static and shared, the stand-in first or libheap first)
# must see every heap call succeed, and the reverse programs (built against
# the stand-in's own <alchemy/heap.h>) must reach the stand-in.

dir=$(dirname "$0")/coexist
fails=0
n=0
for p in "$dir"/*; do
	[ -x "$p" ] || continue
	n=$((n + 1))
	if ! "$p"; then
		echo "t_coexist.sh: FAIL ${p##*/}"
		fails=$((fails + 1))
	fi
done
if [ "$n" = 0 ]; then
	echo "t_coexist.sh: FAIL no programs in $dir"
	exit 1
fi
[ "$fails" = 0 ]
