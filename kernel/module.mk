# SPDX-License-Identifier: GPL-2.0
# rtheap.ko, built out of tree in build/module/<KVER>/, one folder per kernel
# ABI so that the standard and -rt builds never collide and the source tree
# stays clean: the folder holds symlinks to Kbuild, VERSION, include/ and
# each kernel/ source, and kbuild writes its objects beside them.
#
# For the other fragments: KVER, KDIR and MODULE_DIR (the kernel and the
# folder every module of it is built in), $(call kbuild,...) and
# $(call kbuild_test_module,...) below.

# Kernel ABIs with headers installed, oldest first.
MODULE_KVERS := $(shell printf '%s\n' $(notdir $(patsubst %/build,%, \
		  $(wildcard /lib/modules/*-amd64/build))) | sort -V)

# Default: the newest of them that is not -rt.
ifeq ($(origin KVER),undefined)
KVER := $(lastword $(filter-out %-rt-amd64,$(MODULE_KVERS)))
endif
KDIR ?= /lib/modules/$(KVER)/build
MODULE_DIR = $(BUILD)/module/$(KVER)

# $(call kbuild,DIR,NAME.ko[,MAKE-ARGS]): kbuild's "modules" for the
# external module in DIR, against $(KDIR); a whole recipe line ("+": a
# recursive make, run by make -n too).  Headers without a vmlinux (Debian's
# linux-headers packages) give no BTF for modules.
# MODULE_ARCH and MODULE_CROSS_COMPILE, when set, are kbuild's ARCH and
# CROSS_COMPILE (scripts/vm-run --arch arm64 sets them; ARCH itself is the
# guest's architecture on this Makefile's command line, see the Makefile).
kbuild = +$(call msg,KBUILD,$(2) ($(KVER)))$(MAKE) -C $(KDIR) M=$(1) \
	$(if $(filter 1,$(V)),V=1,-s) \
	$(if $(MODULE_ARCH),ARCH=$(MODULE_ARCH) CROSS_COMPILE=$(MODULE_CROSS_COMPILE)) \
	$(if $(wildcard $(KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=) $(3) modules

# $(call kbuild_test_module,NAME,SUBDIR,LINK=FILE...): NAME.ko built in
# $(MODULE_DIR)/SUBDIR/ from links to the FILEs (absolute paths), against
# rtheap's Module.symvers from `make module', then copied beside rtheap.ko,
# where vm-run loads every *.ko.  The folder's other links are removed.
# Its Kbuild finds the source tree as $(RTHEAP_SRC).
define kbuild_test_module
	$(Q)test -e $(MODULE_DIR)/Module.symvers || \
		{ echo "rtheap: no $(MODULE_DIR)/Module.symvers (make module KVER=$(KVER))" >&2; exit 1; }
	@mkdir -p $(MODULE_DIR)/$(2)
	$(Q)find $(MODULE_DIR)/$(2) -maxdepth 1 -type l -delete
	$(Q)$(foreach l,$(3),ln -s $(word 2,$(subst =, ,$(l))) $(MODULE_DIR)/$(2)/$(word 1,$(subst =, ,$(l))) &&) true
	$(call kbuild,$(MODULE_DIR)/$(2),$(1).ko,RTHEAP_SRC=$(SRC) KBUILD_EXTRA_SYMBOLS=$(MODULE_DIR)/Module.symvers)
	$(Q)cp $(MODULE_DIR)/$(2)/$(1).ko $(MODULE_DIR)/$(1).ko
endef

.PHONY: module module-all module-clean checkpatch

# $(call module_tree,DIR): DIR made a kbuild tree of rtheap.ko: links to
# Kbuild, VERSION, include/ and each kernel/ source (stale links removed).
define module_tree
	@mkdir -p $(1)/kernel
	$(Q)ln -sfn $(SRC)/include $(1)/include
	$(Q)ln -sf $(SRC)/Kbuild $(1)/Kbuild
	$(Q)ln -sf $(SRC)/VERSION $(1)/VERSION
	$(Q)find $(1)/kernel -maxdepth 1 -xtype l -delete
	$(Q)for f in $(SRC)/kernel/*.c $(SRC)/kernel/*.h; do \
		ln -sf "$$f" $(1)/kernel/; \
	done
endef

# RTHEAP_TEST_HOOKS=1: a test build of rtheap.ko, with the delays the
# kernel-API suite widens races with (kernel/heap.c); never installed.
RTHEAP_TEST_KCFLAGS := $(if $(filter 1,$(RTHEAP_TEST_HOOKS)),KCFLAGS="$(KCFLAGS) -DRTHEAP_TEST_HOOKS")

## module [KVER=abi] [KDIR=dir] [RTHEAP_TEST_HOOKS=1]  build/module/<abi>/rtheap.ko; default: newest non-rt headers
module:
	@if [ -z "$(KVER)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "rtheap: no kernel headers at '$(KDIR)'; install linux-headers-<abi> or pass KDIR=" >&2; \
		exit 1; \
	fi
	$(call module_tree,$(MODULE_DIR))
	$(call kbuild,$(MODULE_DIR),rtheap.ko,$(RTHEAP_TEST_KCFLAGS))

## module-all        rtheap.ko for every *-amd64 kernel in /lib/modules
module-all:
	$(Q)set -e; for k in $(MODULE_KVERS); do \
		$(MAKE) -f $(SRC)/Makefile module KVER=$$k KDIR=/lib/modules/$$k/build; \
	done

## module-clean      remove build/module/
module-clean:
	$(Q)rm -rf $(BUILD)/module

# checkpatch.pl and the data files it reads, from Debian's linux-source.
CHECKPATCH_DIR := $(BUILD)/checkpatch
CHECKPATCH := $(CHECKPATCH_DIR)/scripts/checkpatch.pl
CHECKPATCH_TAR := /usr/src/linux-source-6.1.tar.xz

$(CHECKPATCH):
	$(Q)$(SRC)/scripts/deps linux-source-6.1
	@mkdir -p $(CHECKPATCH_DIR)
	$(call msg,EXTRACT,checkpatch.pl)tar -xJf $(CHECKPATCH_TAR) -C $(CHECKPATCH_DIR) --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	$(Q)touch $@

# The lint build: rtheap.ko once more, in build/lint/<KVER>/ so that the
# module's own objects are left alone, with W=1 (the extra warnings, which
# Kbuild's -Werror makes errors) and C=1 (sparse on every file); any line
# of sparse's is a failure.
LINT_DIR = $(BUILD)/lint/$(KVER)

## checkpatch        checkpatch.pl --strict on kernel/ (Debian's linux-source-6.1),
##                   then rtheap.ko built with W=1 and sparse (C=1), all clean
checkpatch: $(CHECKPATCH)
	$(Q)$(CHECKPATCH) --strict --no-tree --quiet --show-types -f \
		$(wildcard $(SRC)/kernel/*.[ch])
	@echo "  CHECKPATCH kernel/*.[ch]: clean"
	$(Q)$(SRC)/scripts/deps sparse
	$(call module_tree,$(LINT_DIR))
	$(Q)find $(LINT_DIR)/kernel -name '*.o' -delete
	$(Q)out=$$($(MAKE) -C $(KDIR) M=$(LINT_DIR) -s W=1 C=1 \
		$(if $(MODULE_ARCH),ARCH=$(MODULE_ARCH) CROSS_COMPILE=$(MODULE_CROSS_COMPILE)) \
		$(if $(wildcard $(KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=) modules 2>&1); \
		rc=$$?; [ -z "$$out" ] || printf '%s\n' "$$out"; \
		[ $$rc = 0 ] && [ -z "$$out" ]
	@echo "  LINT    rtheap.ko ($(KVER)): W=1 and sparse clean"

# ---- installing the module on a real kernel ----------------------------------
#
#   make module KVER=$(uname -r) && sudo make install-module
#
# installs rtheap.ko under /lib/modules/<KVER>/extra, runs depmod, installs
# the udev rule and creates the system group it names.  DESTDIR stages the
# files only (no depmod, no group).  Or DKMS builds the same Kbuild for
# every installed kernel:
#
#   sudo make install-dkms && sudo dkms install rtheap/$(cat VERSION)

INSTALL_KVER ?= $(shell uname -r)
UDEVDIR ?= /lib/udev/rules.d

.PHONY: install-module
## install-module [INSTALL_KVER=$(uname -r)] [DESTDIR=]  rtheap.ko into extra/, depmod, udev rule, group
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

# The module's sources for DKMS in /usr/src/rtheap-<version>/: Kbuild,
# VERSION, include/, kernel/*.[ch] and dkms.conf (from dkms.conf.in, with
# the version written in).
DKMS_SRC = $(DESTDIR)/usr/src/rtheap-$(VERSION)

.PHONY: install-dkms
## install-dkms [DESTDIR=]  the module's sources and dkms.conf in /usr/src/rtheap-<version>/
install-dkms:
	$(call msg,INSTALL,$(DKMS_SRC))install -d $(DKMS_SRC)/kernel
	$(Q)install -m 0644 $(SRC)/Kbuild $(SRC)/VERSION $(DKMS_SRC)/
	$(Q)cp -R $(SRC)/include $(DKMS_SRC)/
	$(Q)install -m 0644 $(wildcard $(SRC)/kernel/*.[ch]) $(DKMS_SRC)/kernel/
	$(Q)sed 's|@VERSION@|$(VERSION)|g' $(SRC)/dkms.conf.in >$(DKMS_SRC)/dkms.conf
