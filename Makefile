# SPDX-License-Identifier: GPL-2.0
# rtheap - top-level build.  `make help` lists the targets.

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

SHELL    := /bin/bash
SRC      := $(CURDIR)
BUILD    ?= $(SRC)/build
CC       ?= cc
CLANG    ?= clang
PREFIX   ?= /usr/local
VERSION  := 0.1.0

HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	       -I$(SRC)/include -I$(SRC)/include/uapi -I$(SRC)/kernel
# The allocator core compiled on the host: kernel/alloc.c unchanged, with
# the few kernel headers it includes supplied by tests/shim/.
CORE_CFLAGS := -I$(SRC)/tests/shim -I$(SRC)/kernel
SAN_CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

.PHONY: all help deps check check-host check-guest check-fresh fuzz clean
.DEFAULT_GOAL := all

all: host

help:
	@echo "make            build the host parts (libheap, heapctl, tests)"
	@echo "make deps       install missing Debian packages (root, apt-get)"
	@echo "make check      deps, host tests, then the guest suite in qemu"
	@echo "make check-host host unit tests (plain and ASan+UBSan) + short fuzz"
	@echo "make check-guest guest suite under qemu (tools/vm-run)"
	@echo "make check-fresh make demo + make check in a new Debian 12 system (tools/check-fresh)"
	@echo "make fuzz FUZZ_SECONDS=N   libFuzzer on the allocator core"
	@echo "make module     build rtheap.ko (KDIR=... to choose headers)"
	@echo "make demo       boot a guest and show heaps at work"

deps:
	$(Q)$(SRC)/scripts/deps all

-include $(SRC)/tests/unit/unit.mk
-include $(SRC)/tests/fuzz/fuzz.mk
-include $(SRC)/lib/lib.mk
-include $(SRC)/tools/tools.mk
-include $(SRC)/kernel/module.mk
-include $(SRC)/tests/guest/guest.mk
-include $(SRC)/bench/bench.mk
-include $(SRC)/tools/kernels.mk
-include $(SRC)/tests/hardening/hardening.mk
-include $(SRC)/demo/demo.mk

host: $(HOST_TARGETS)

# Recipes expand late, so every fragment's UNIT_RUNS entry is seen here.
check-host: deps
	$(Q)if [ -n "$(FUZZ_SHORT)" ]; then $(MAKE) $(FUZZ_SHORT); fi
	$(Q)set -e; for t in $(UNIT_RUNS); do $(MAKE) $$t; done

check: deps
	$(Q)$(MAKE) check-host
	$(Q)$(MAKE) check-guest

# The README's two commands in a clean Debian 12 system (debootstrap, cached
# for a week in build/cache/debian/); FRESH_REBUILD=1 makes it anew.
check-fresh:
	$(Q)$(SRC)/tools/check-fresh $(if $(filter 1,$(FRESH_REBUILD)),--rebuild) \
		$(if $(FRESH_ARGS),-- $(FRESH_ARGS))

clean:
	$(Q)rm -rf $(BUILD)/host $(BUILD)/san $(BUILD)/fuzz $(BUILD)/lib $(BUILD)/tools $(BUILD)/module $(BUILD)/guest $(BUILD)/bench
