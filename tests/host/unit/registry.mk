# SPDX-License-Identifier: GPL-2.0
# Host unit test of kernel/registry.c: the kernel source compiled unchanged
# against liburcu and the shim headers in tests/host/shim/ (which come first on
# the include path and stand in for <linux/*.h>).

REGISTRY_TEST_SRCS := $(SRC)/tests/host/unit/test_registry.c $(SRC)/kernel/registry.c
REGISTRY_TEST_DEPS := $(REGISTRY_TEST_SRCS) $(SRC)/kernel/registry.h \
		      $(wildcard $(SRC)/tests/host/shim/*.h $(SRC)/tests/host/shim/linux/*.h)
REGISTRY_TEST_FLAGS := -I$(SRC)/tests/host/shim -pthread
REGISTRY_TEST_LIBS := -lcmocka -lurcu -lpthread

$(BUILD)/host/test_registry: $(REGISTRY_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(REGISTRY_TEST_FLAGS) $(HOST_CFLAGS) -o $@ $(REGISTRY_TEST_SRCS) $(REGISTRY_TEST_LIBS)

$(BUILD)/san/test_registry: $(REGISTRY_TEST_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(REGISTRY_TEST_FLAGS) $(HOST_CFLAGS) $(SAN_CFLAGS) -o $@ $(REGISTRY_TEST_SRCS) $(REGISTRY_TEST_LIBS)

## registry-test-run  one host suite: the registry (registry-test-san-run: ASan+UBSan)
.PHONY: registry-test registry-test-run registry-test-san-run
registry-test: $(BUILD)/host/test_registry $(BUILD)/san/test_registry
registry-test-run: $(BUILD)/host/test_registry
	$(Q)$<
registry-test-san-run: $(BUILD)/san/test_registry
	$(Q)$<

UNIT_RUNS += registry-test-run registry-test-san-run
HOST_TARGETS += $(BUILD)/host/test_registry
