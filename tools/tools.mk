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

BINDIR ?= $(PREFIX)/bin

HOST_TARGETS += heapctl

.PHONY: heapctl install install-heapctl

## heapctl           build/tools/heapctl and heapctl.static
heapctl: $(HEAPCTL) $(HEAPCTL_STATIC)

$(HEAPCTL_DIR)/heapctl.o: $(SRC)/tools/heapctl.c $(SRC)/VERSION
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HEAPCTL_CFLAGS) -c -o $@ $<

# No NSS in a static binary: owner and group names come from /etc files.
$(HEAPCTL_DIR)/heapctl-static.o: $(SRC)/tools/heapctl.c $(SRC)/VERSION
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HEAPCTL_CFLAGS) -DHEAPCTL_NO_NSS -c -o $@ $<

$(HEAPCTL): $(HEAPCTL_DIR)/heapctl.o $(LIBHEAP_A)
	$(call msg,LD,$@)$(CC) $(HOST_CFLAGS) -o $@ $^

$(HEAPCTL_STATIC): $(HEAPCTL_DIR)/heapctl-static.o $(LIBHEAP_A)
	$(call msg,LD,$@)$(CC) $(HOST_CFLAGS) -static -o $@ $^

-include $(HEAPCTL_DIR)/heapctl.d $(HEAPCTL_DIR)/heapctl-static.d

install: install-heapctl

## install-heapctl   heapctl under PREFIX/bin
install-heapctl: $(HEAPCTL)
	$(call msg,INSTALL,heapctl)install -d $(DESTDIR)$(BINDIR)
	$(Q)install -m 0755 $(HEAPCTL) $(DESTDIR)$(BINDIR)/heapctl
