# SPDX-License-Identifier: GPL-2.0
# Host unit tests (CMocka).  Every test binary is built twice: plain, and
# with ASan+UBSan; both runs are listed in UNIT_RUNS, which check-host runs.

UNIT_DIR := $(SRC)/tests/host/unit
CMOCKA_LIBS := -lcmocka

ALLOC_TEST_SRCS := $(UNIT_DIR)/test_alloc.c $(UNIT_DIR)/model.c $(SRC)/kernel/alloc.c \
		   $(SRC)/kernel/alloc_check.c
ALLOC_TEST_DEPS := $(ALLOC_TEST_SRCS) $(UNIT_DIR)/model.h $(SRC)/kernel/alloc.h \
		   $(SRC)/tests/common/round.h \
		   $(SRC)/kernel/alloc_int.h \
		   $(wildcard $(SRC)/tests/host/shim/linux/*.h)

$(BUILD)/host/test_alloc: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) $(CORE_CFLAGS) -I$(UNIT_DIR) -o $@ $(ALLOC_TEST_SRCS) $(CMOCKA_LIBS)

$(BUILD)/san/test_alloc: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) $(CORE_CFLAGS) $(SAN_CFLAGS) -I$(UNIT_DIR) -o $@ $(ALLOC_TEST_SRCS) $(CMOCKA_LIBS)

## alloc-test-run    one host suite: the allocator core (alloc-test-san-run: ASan+UBSan)
.PHONY: alloc-test-run alloc-test-san-run
alloc-test-run: $(BUILD)/host/test_alloc
	$(Q)$<
alloc-test-san-run: $(BUILD)/san/test_alloc
	$(Q)$<

# The core at 16 KiB and 64 KiB pages (arm64's), plain: the same suite
# built with -DRTH_PAGE_SHIFT=14 and 16 (alloc.h: 12, 4 KiB, by default).
$(BUILD)/host/test_alloc_16k: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) $(CORE_CFLAGS) -DRTH_PAGE_SHIFT=14 -I$(UNIT_DIR) -o $@ $(ALLOC_TEST_SRCS) $(CMOCKA_LIBS)

$(BUILD)/host/test_alloc_64k: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) $(CORE_CFLAGS) -DRTH_PAGE_SHIFT=16 -I$(UNIT_DIR) -o $@ $(ALLOC_TEST_SRCS) $(CMOCKA_LIBS)

## alloc-test-16k-run  the core's suite at 16 KiB pages (alloc-test-64k-run: 64 KiB)
.PHONY: alloc-test-16k-run alloc-test-64k-run
alloc-test-16k-run: $(BUILD)/host/test_alloc_16k
	$(Q)$<
alloc-test-64k-run: $(BUILD)/host/test_alloc_64k
	$(Q)$<

UNIT_RUNS += alloc-test-run alloc-test-san-run alloc-test-16k-run alloc-test-64k-run
HOST_TARGETS += $(BUILD)/host/test_alloc $(BUILD)/host/test_alloc_16k \
		$(BUILD)/host/test_alloc_64k

include $(UNIT_DIR)/registry.mk
include $(UNIT_DIR)/libheap.mk
