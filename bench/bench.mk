# SPDX-License-Identifier: GPL-2.0
# Benchmarks (BENCHMARKS.md).  Included by the top-level Makefile; uses
# $(SRC) $(BUILD) $(Q) $(CC) $(CORE_CFLAGS) $(HOST_CFLAGS), $(LIBHEAP_A)
# from lib/lib.mk and `make module' from kernel/module.mk.
#
#   make bench                 everything below, one table, and
#                              build/bench/results.json, latency.png
#   make bench-core            instructions per alloc+free pair of the
#                              allocator core (callgrind), 64 MiB / 1 GiB
#   make bench-bins            build/guest/bin/: rtheap-bench-user (static,
#                              libheap) and the guest driver rtheap-bench-guest
#   make bench-module [KVER=abi]  build/module/<abi>/rtheap_bench.ko
#
# Variables: BENCH_KERNEL=debian|rt (the guest kernel, default debian),
# BENCH_REPS (interleaved repetitions, default 5), BENCH_QUICK=1 (fewer
# samples: a smoke run, not figures to quote).

BENCH_DIR    := $(BUILD)/bench
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror $(CORE_CFLAGS) \
		-I$(SRC)/bench
BENCH_KERNEL ?= debian
BENCH_REPS   ?= 5

$(BENCH_DIR)/core_trace: $(SRC)/bench/core_trace.c $(SRC)/bench/bench_trace.h \
			 $(SRC)/kernel/alloc.c $(SRC)/kernel/alloc.h
	@mkdir -p $(@D)
	@echo "  CC      $(@F)"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $(SRC)/bench/core_trace.c $(SRC)/kernel/alloc.c

.PHONY: bench bench-core bench-bins bench-module

bench-core: $(BENCH_DIR)/core_trace
	$(Q)$(SRC)/bench/core-instructions $(BENCH_DIR)/core_trace 64 1024

# ---- guest programs: written into build/guest/bin, which vm-run copies ----

BENCH_GUEST_BIN := $(BUILD)/guest/bin
BENCH_LIBHEAP   := $(if $(LIBHEAP_A),$(LIBHEAP_A),$(BUILD)/lib/libheap.a)

$(BENCH_GUEST_BIN)/rtheap-bench-user: $(SRC)/bench/user_bench.c $(SRC)/bench/bench_trace.h \
				      $(BENCH_LIBHEAP)
	@mkdir -p $(@D)
	@echo "  CC      $(patsubst $(BUILD)/%,%,$@)"
	$(Q)$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE -I$(SRC)/bench -static -o $@ \
		$(SRC)/bench/user_bench.c $(BENCH_LIBHEAP)

$(BENCH_GUEST_BIN)/rtheap-bench-guest: $(SRC)/bench/guest-bench.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

bench-bins: $(BENCH_GUEST_BIN)/rtheap-bench-user $(BENCH_GUEST_BIN)/rtheap-bench-guest

# ---- the benchmark module, against rtheap's Module.symvers -----------------
#
# Out of tree in build/module/<abi>/bench/ (symlinks to bench/kmod/), the
# .ko copied beside rtheap.ko, where vm-run picks up every *.ko.

BENCH_KVER = $(if $(KVER),$(KVER),$(lastword $(filter-out %-rt-amd64,$(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*-amd64/build)))))))
BENCH_KDIR = $(if $(KDIR),$(KDIR),/lib/modules/$(BENCH_KVER)/build)
BENCH_MOD  = $(BUILD)/module/$(BENCH_KVER)
BENCH_KMOD = $(BENCH_MOD)/bench

bench-module: module
	$(Q)test -e $(BENCH_MOD)/Module.symvers || \
		{ echo "rtheap: no $(BENCH_MOD)/Module.symvers (make module KVER=$(BENCH_KVER))" >&2; exit 1; }
	@mkdir -p $(BENCH_KMOD)
	$(Q)ln -sf $(SRC)/bench/kmod/Kbuild $(BENCH_KMOD)/Kbuild
	$(Q)rm -f $(BENCH_KMOD)/rtheap_bench.c
	$(Q)ln -sf $(SRC)/bench/kmod/rtheap_bench.c $(BENCH_KMOD)/bench_main.c
	$(Q)ln -sf $(SRC)/kernel/alloc.c $(BENCH_KMOD)/core_alloc.c
	@echo "  KBUILD  rtheap_bench.ko ($(BENCH_KVER))"
	$(Q)$(MAKE) -C $(BENCH_KDIR) M=$(BENCH_KMOD) $(if $(filter 1,$(V)),V=1,-s) \
		RTHEAP_SRC=$(SRC) KBUILD_EXTRA_SYMBOLS=$(BENCH_MOD)/Module.symvers \
		$(if $(wildcard $(BENCH_KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=) modules
	$(Q)cp $(BENCH_KMOD)/rtheap_bench.ko $(BENCH_MOD)/rtheap_bench.ko

# ---- everything -------------------------------------------------------------

bench: $(BENCH_DIR)/core_trace bench-bins
	$(Q)$(SRC)/scripts/deps python3 gnuplot-nox
	$(Q)abi=$$($(SRC)/tools/vm-run --kernel $(BENCH_KERNEL) --print-abi) && \
	$(MAKE) -f $(SRC)/Makefile bench-module KVER=$$abi KDIR=/lib/modules/$$abi/build && \
	BUILD=$(BUILD) BENCH_REPS=$(BENCH_REPS) BENCH_QUICK=$(BENCH_QUICK) \
		$(SRC)/bench/run-bench --kernel $(BENCH_KERNEL)
