# SPDX-License-Identifier: GPL-2.0
# Benchmarks.  `make bench-core`: instructions per alloc+free pair of the
# allocator core on the reference trace, counted by callgrind (-O2).

BENCH_DIR := $(BUILD)/bench
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror $(CORE_CFLAGS)

$(BENCH_DIR)/core_trace: $(SRC)/bench/core_trace.c $(SRC)/kernel/alloc.c $(SRC)/kernel/alloc.h
	@mkdir -p $(@D)
	@echo "  CC      $(@F)"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $(SRC)/bench/core_trace.c $(SRC)/kernel/alloc.c

.PHONY: bench-core
bench-core: $(BENCH_DIR)/core_trace
	$(Q)$(SRC)/bench/core-instructions $(BENCH_DIR)/core_trace 64 1024
