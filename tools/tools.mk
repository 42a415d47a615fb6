# SPDX-License-Identifier: GPL-2.0
# heapctl: build/tools/heapctl (libheap.a linked in, libc shared) and
# build/tools/heapctl.static (fully static, for busybox-only guests).
#
# Targets:   heapctl (default part of `make host`), install-heapctl (part of
#            `install`).
# Variables: BINDIR (default $(PREFIX)/bin), DESTDIR.

HEAPCTL_DIR     := $(BUILD)/tools
HEAPCTL         := $(HEAPCTL_DIR)/heapctl
HEAPCTL_STATIC  := $(HEAPCTL_DIR)/heapctl.static
HEAPCTL_CFLAGS  := $(HOST_CFLAGS) -MMD -MP -DRTHEAP_VERSION='"$(VERSION)"'
# heapctl.c (main, options, shared helpers) and one file per command group.
HEAPCTL_SRCS    := $(addprefix $(SRC)/tools/,heapctl.c heapctl_info.c \
		   heapctl_map.c)
HEAPCTL_OBJS    := $(HEAPCTL_SRCS:$(SRC)/tools/%.c=$(HEAPCTL_DIR)/%.o)
HEAPCTL_SOBJS   := $(HEAPCTL_OBJS:.o=-static.o)

BINDIR ?= $(PREFIX)/bin

HOST_TARGETS += heapctl

.PHONY: heapctl install install-heapctl

## heapctl           build/tools/heapctl and heapctl.static
heapctl: $(HEAPCTL) $(HEAPCTL_STATIC)

$(HEAPCTL_OBJS): $(HEAPCTL_DIR)/%.o: $(SRC)/tools/%.c $(SRC)/VERSION
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HEAPCTL_CFLAGS) -c -o $@ $<

# No NSS in a static binary: owner and group names come from /etc files.
$(HEAPCTL_SOBJS): $(HEAPCTL_DIR)/%-static.o: $(SRC)/tools/%.c $(SRC)/VERSION
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HEAPCTL_CFLAGS) -DHEAPCTL_NO_NSS -c -o $@ $<

$(HEAPCTL): $(HEAPCTL_OBJS) $(LIBHEAP_A)
	$(call msg,LD,$@)$(CC) $(HOST_CFLAGS) -o $@ $^

$(HEAPCTL_STATIC): $(HEAPCTL_SOBJS) $(LIBHEAP_A)
	$(call msg,LD,$@)$(CC) $(HOST_CFLAGS) -static -o $@ $^

-include $(HEAPCTL_OBJS:.o=.d) $(HEAPCTL_SOBJS:.o=.d)

# The host test of heapctl (tests/host/unit/libheap.mk) compiles heapctl.c with
# its main() renamed; the other sources join the test's link here.
HEAPCTL_TEST_SRCS := $(filter-out $(SRC)/tools/heapctl.c,$(HEAPCTL_SRCS))
$(BUILD)/host/test_heapctl $(BUILD)/san/test_heapctl: \
		$(HEAPCTL_TEST_SRCS) $(SRC)/tools/heapctl.h
$(BUILD)/host/test_heapctl $(BUILD)/san/test_heapctl: \
		LIBHEAP_TEST_SRCS += $(HEAPCTL_TEST_SRCS)

install: install-heapctl

## install-heapctl   heapctl under PREFIX/bin
install-heapctl: $(HEAPCTL)
	$(call msg,INSTALL,heapctl)install -d $(DESTDIR)$(BINDIR)
	$(Q)install -m 0755 $(HEAPCTL) $(DESTDIR)$(BINDIR)/heapctl
