# SPDX-License-Identifier: GPL-2.0
# rtheap.ko, built out of tree in build/module/<KVER>/, one folder per kernel
# ABI so that the standard and -rt builds never collide and the source tree
# stays clean: the folder holds symlinks to Kbuild, include/ and each
# kernel/ source, and kbuild writes its objects beside them.
#
#   make module [KVER=6.1.0-56-rt-amd64] [KDIR=...]   one kernel
#   make module-all                                    every *-amd64 in /lib/modules
#   make checkpatch                                    checkpatch --strict on kernel/

# Kernel ABIs with headers installed, oldest first.
MODULE_KVERS := $(shell printf '%s\n' $(notdir $(patsubst %/build,%, \
		  $(wildcard /lib/modules/*-amd64/build))) | sort -V)

# Default: the newest of them that is not -rt.
ifeq ($(origin KVER),undefined)
KVER := $(lastword $(filter-out %-rt-amd64,$(MODULE_KVERS)))
endif
KDIR ?= /lib/modules/$(KVER)/build
MODULE_DIR = $(BUILD)/module/$(KVER)

.PHONY: module module-all module-clean checkpatch

module:
	@if [ -z "$(KVER)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "rtheap: no kernel headers at '$(KDIR)'; install linux-headers-<abi> or pass KDIR=" >&2; \
		exit 1; \
	fi
	@mkdir -p $(MODULE_DIR)/kernel
	$(Q)ln -sfn $(SRC)/include $(MODULE_DIR)/include
	$(Q)ln -sf $(SRC)/Kbuild $(MODULE_DIR)/Kbuild
	$(Q)find $(MODULE_DIR)/kernel -maxdepth 1 -xtype l -delete
	$(Q)for f in $(SRC)/kernel/*.c $(SRC)/kernel/*.h; do \
		ln -sf "$$f" $(MODULE_DIR)/kernel/; \
	done
	@echo "  KBUILD  rtheap.ko ($(KVER))"
	$(Q)$(MAKE) -C $(KDIR) M=$(MODULE_DIR) $(if $(filter 1,$(V)),V=1,-s) \
		$(if $(wildcard $(KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=) modules

module-all:
	$(Q)set -e; for k in $(MODULE_KVERS); do \
		$(MAKE) -f $(SRC)/Makefile module KVER=$$k KDIR=/lib/modules/$$k/build; \
	done

module-clean:
	$(Q)rm -rf $(BUILD)/module

# checkpatch.pl and the data files it reads, from Debian's linux-source.
CHECKPATCH_DIR := $(BUILD)/checkpatch
CHECKPATCH := $(CHECKPATCH_DIR)/scripts/checkpatch.pl
CHECKPATCH_TAR := /usr/src/linux-source-6.1.tar.xz

$(CHECKPATCH):
	$(Q)$(SRC)/scripts/deps linux-source-6.1
	@mkdir -p $(CHECKPATCH_DIR)
	@echo "  EXTRACT checkpatch.pl"
	$(Q)tar -xJf $(CHECKPATCH_TAR) -C $(CHECKPATCH_DIR) --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	$(Q)touch $@

checkpatch: $(CHECKPATCH)
	$(Q)$(CHECKPATCH) --strict --no-tree --quiet --show-types -f \
		$(wildcard $(SRC)/kernel/*.[ch])
	@echo "  CHECKPATCH kernel/*.[ch]: clean"

# ---- installing the module on a real kernel ----------------------------------
#
#   make module KVER=$(uname -r) && sudo make install-module
#
# installs rtheap.ko under /lib/modules/<KVER>/extra, runs depmod, installs
# the udev rule and creates the system group it names.  DESTDIR stages the
# files only (no depmod, no group).  dkms.conf at the top builds the same
# Kbuild for every installed kernel instead.

INSTALL_KVER ?= $(shell uname -r)
UDEVDIR ?= /lib/udev/rules.d

.PHONY: install-module
install-module:
	$(Q)$(MAKE) -f $(SRC)/Makefile module KVER=$(INSTALL_KVER) \
		KDIR=$(if $(filter command line,$(origin KDIR)),$(KDIR),/lib/modules/$(INSTALL_KVER)/build)
	$(Q)install -D -m 0644 $(BUILD)/module/$(INSTALL_KVER)/rtheap.ko \
		$(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/rtheap.ko
	$(Q)install -D -m 0644 $(SRC)/udev/60-rtheap.rules $(DESTDIR)$(UDEVDIR)/60-rtheap.rules
	$(Q)if [ -z "$(DESTDIR)" ]; then \
		depmod -a $(INSTALL_KVER); \
		getent group rtheap >/dev/null || groupadd --system rtheap; \
		echo "rtheap: installed; load it with: modprobe rtheap"; \
	fi
