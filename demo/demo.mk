# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots a guest with scripts/vm-run and shows two processes
# sharing heaps: bind before create, messages in blocks, a blocking
# allocation woken by a free, an H_SHARED segment, heapctl along the way.

DEMO_BIN := $(BUILD)/guest/bin

.PHONY: demo demo-bins
guest-bins: demo-bins
## demo-bins         build/guest/bin/: rtheap-demo and rtheap-demo.sh (part of guest-bins)
demo-bins: $(DEMO_BIN)/rtheap-demo $(DEMO_BIN)/rtheap-demo.sh

$(DEMO_BIN)/rtheap-demo: $(SRC)/demo/rtheap-demo.c $(GUEST_LIBHEAP)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(GUEST_CFLAGS) -static -o $@ $< $(GUEST_LIBHEAP)

$(DEMO_BIN)/rtheap-demo.sh: $(SRC)/demo/rtheap-demo.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

## demo              boot a guest and show two processes sharing heaps
demo: deps
	$(Q)$(SRC)/scripts/vm-run -- rtheap-demo.sh
