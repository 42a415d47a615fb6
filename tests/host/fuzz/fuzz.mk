# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for the allocator core (kernel/alloc.c against the
# shadow model of tests/host/unit/model.c).
# check-host runs it for FUZZ_SHORT_SECONDS when clang is installed.

FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 30
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := $(SRC)/tests/host/fuzz/fuzz_alloc.c $(SRC)/tests/host/unit/model.c $(SRC)/kernel/alloc.c \
	     $(SRC)/kernel/alloc_check.c

$(FUZZ_DIR)/fuzz_alloc: $(FUZZ_SRCS) $(SRC)/tests/host/unit/model.h $(SRC)/kernel/alloc.h \
			 $(SRC)/tests/common/round.h \
			 $(SRC)/kernel/alloc_int.h
	@mkdir -p $(@D)/corpus
	$(call msg,CLANG,$@)$(CLANG) -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(CORE_CFLAGS) -I$(SRC)/tests/host/unit \
		-o $@ $(FUZZ_SRCS)

.PHONY: fuzz-core fuzz-core-short

## fuzz-core [FUZZ_SECONDS=60]  libFuzzer on the allocator core (host, ASan+UBSan)
fuzz-core: deps-host $(FUZZ_DIR)/fuzz_alloc
	$(Q)$(FUZZ_DIR)/fuzz_alloc -max_total_time=$(FUZZ_SECONDS) -seed=1 \
		-print_final_stats=1 $(FUZZ_DIR)/corpus

## fuzz-core-short [FUZZ_SHORT_SECONDS=30]  the same, a summary only (check-host's run)
fuzz-core-short: $(FUZZ_DIR)/fuzz_alloc
	$(Q)$(FUZZ_DIR)/fuzz_alloc -max_total_time=$(FUZZ_SHORT_SECONDS) -seed=1 \
		-print_final_stats=1 $(FUZZ_DIR)/corpus 2>&1 | \
		grep -E '^(stat::number_of_executed_units|Done|==|SUMMARY|fuzz_alloc:)' ; \
		test $${PIPESTATUS[0]} -eq 0

ifneq ($(shell command -v $(CLANG) 2>/dev/null),)
FUZZ_SHORT := fuzz-core-short
endif
