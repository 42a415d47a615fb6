# SPDX-License-Identifier: GPL-2.0
# Benchmarks (BENCHMARKS.md).  Included by the top-level Makefile; uses
# $(SRC) $(BUILD) $(Q) $(msg) $(CC) $(CORE_CFLAGS) $(HOST_CFLAGS),
# $(LIBHEAP_A) from lib/lib.mk, and KVER / KDIR / MODULE_DIR,
# $(kbuild_test_module) and `make module' from kernel/module.mk.
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
			 $(SRC)/kernel/alloc.c $(SRC)/kernel/alloc.h \
			 $(SRC)/kernel/alloc_int.h $(SRC)/kernel/alloc_check.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(BENCH_CFLAGS) -o $@ $(SRC)/bench/core_trace.c $(SRC)/kernel/alloc.c \
		$(SRC)/kernel/alloc_check.c

$(BENCH_DIR)/core_worst: $(SRC)/bench/core_worst.c $(SRC)/kernel/alloc.c \
			 $(SRC)/kernel/alloc.h $(SRC)/kernel/alloc_int.h \
			 $(SRC)/kernel/alloc_check.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(BENCH_CFLAGS) -o $@ $(SRC)/bench/core_worst.c $(SRC)/kernel/alloc.c \
		$(SRC)/kernel/alloc_check.c

# libheap's cached pair on the host, against the host tests' fake module
# (LIBHEAP_TEST_* from tests/host/unit/libheap.mk).
$(BENCH_DIR)/cache_pair: $(SRC)/bench/cache_pair.c $(SRC)/bench/bench_trace.h $(LIBHEAP_TEST_DEPS) \
			 | deps-host
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) -I$(SRC)/bench -I$(SRC)/tests/host/unit -pthread -o $@ \
		$< $(LIBHEAP_TEST_SRCS) $(LIBHEAP_TEST_WRAP) $(LIBHEAP_TEST_LIBS)

.PHONY: bench bench-core bench-cache bench-bins bench-module

## bench-core        the core's instructions per alloc+free pair and in its
##                   worst states (callgrind)
bench-core: $(BENCH_DIR)/core_trace $(BENCH_DIR)/core_worst
	$(Q)$(SRC)/bench/core-instructions $(BENCH_DIR)/core_trace 64 1024
	$(Q)$(SRC)/bench/core-worst $(BENCH_DIR)/core_worst

## bench-cache       libheap's cached pair vs glibc's, in instructions (callgrind)
bench-cache: $(BENCH_DIR)/cache_pair
	$(Q)$(SRC)/bench/cache-instructions $(BENCH_DIR)/cache_pair

# ---- guest programs: written into build/guest/bin, which vm-run copies ----

BENCH_GUEST_BIN := $(BUILD)/guest/bin
BENCH_LIBHEAP   := $(if $(LIBHEAP_A),$(LIBHEAP_A),$(BUILD)/lib/libheap.a)

$(BENCH_GUEST_BIN)/rtheap-bench-user: $(SRC)/bench/user_bench.c $(SRC)/bench/bench_trace.h \
				      $(BENCH_LIBHEAP)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE -I$(SRC)/bench -static -o $@ \
		$(SRC)/bench/user_bench.c $(BENCH_LIBHEAP)

$(BENCH_GUEST_BIN)/rtheap-bench-guest: $(SRC)/bench/guest-bench.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

## bench-bins        build/guest/bin/: rtheap-bench-user and its driver rtheap-bench-guest
bench-bins: $(BENCH_GUEST_BIN)/rtheap-bench-user $(BENCH_GUEST_BIN)/rtheap-bench-guest

# ---- the benchmark module, against rtheap's Module.symvers -----------------
#
# In build/module/<abi>/bench/, from links to bench/kmod/ and to
# kernel/alloc.c, then beside rtheap.ko (kbuild_test_module in
# kernel/module.mk).

BENCH_LINKS := Kbuild=$(SRC)/bench/kmod/Kbuild \
	       bench_main.c=$(SRC)/bench/kmod/rtheap_bench.c \
	       core_alloc.c=$(SRC)/kernel/alloc.c

## bench-module [KVER=abi] [KDIR=dir]  build/module/<abi>/rtheap_bench.ko
bench-module: module
	$(call kbuild_test_module,rtheap_bench,bench,$(BENCH_LINKS))

# ---- everything -------------------------------------------------------------

## bench [BENCH_KERNEL=debian|rt] [BENCH_REPS=5] [BENCH_QUICK=1]
##                   every benchmark in one table, build/bench/results.json and
##                   latency.png (BENCHMARKS.md)
bench: $(BENCH_DIR)/core_trace $(BENCH_DIR)/core_worst $(BENCH_DIR)/cache_pair bench-bins
	$(Q)$(SRC)/scripts/deps python3 gnuplot-nox
	$(Q)abi=$$($(SRC)/scripts/vm-run --kernel $(BENCH_KERNEL) --print-abi) && \
	$(MAKE) -f $(SRC)/Makefile bench-module KVER=$$abi KDIR=/lib/modules/$$abi/build && \
	BUILD=$(BUILD) BENCH_REPS=$(BENCH_REPS) BENCH_QUICK=$(BENCH_QUICK) \
		$(SRC)/bench/run-bench --kernel $(BENCH_KERNEL)
