#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_fuzz32 - rtheap-fuzz built for 32-bit x86 (rtheap-fuzz.m32): the whole
# ioctl ABI, bad input included, through the kernel's compat path.  30,000
# calls from four processes, at most 20 s.  Skips (77) where no 32-bit
# toolchain built it, or the kernel cannot run 32-bit programs.
bin=$(dirname "$0")/rtheap-fuzz.m32
if [ ! -x "$bin" ]; then
	echo "t_fuzz32: SKIP: no rtheap-fuzz.m32 (no gcc-multilib on the build host)"
	exit 77
fi
"$bin" --help >/dev/null 2>&1
rc=$?
if [ $rc = 126 ] || [ $rc = 127 ]; then
	echo "t_fuzz32: SKIP: this kernel does not run 32-bit programs (CONFIG_IA32_EMULATION)"
	exit 77
fi
exec "$bin" --calls 30000 --procs 4 --seconds 20
