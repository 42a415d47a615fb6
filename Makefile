# SPDX-License-Identifier: GPL-2.0
# rtheap - top-level build.  `make help` lists the targets: every line of
# the fragments below that starts with "## " (a target, two spaces, what it
# does).

SHELL    := /bin/bash
SRC      := $(CURDIR)
BUILD    ?= $(SRC)/build
CC       ?= cc
CLANG    ?= clang
PREFIX   ?= /usr/local
# The one place of the version: libheap.pc, heapctl --version, the
# module's MODULE_VERSION (Kbuild reads the same file), dkms.conf and the
# man pages (both written at install).
VERSION  := $(strip $(file <$(SRC)/VERSION))
ifeq ($(VERSION),)
$(error rtheap: no version in $(SRC)/VERSION)
endif

# ARCH=arm64 on the command line (make check-guest ARCH=arm64) names the
# guest's architecture: GUEST_ARCH, amd64 by default.  ARCH is kbuild's
# variable too, so it goes no further: not into the environment of the
# recipes, not to sub-makes (a host module build must not see it).  A
# cross-built module gets its ARCH from MODULE_ARCH (kernel/module.mk).
ifeq ($(origin ARCH),command line)
GUEST_ARCH := $(ARCH)
MAKEOVERRIDES := $(filter-out ARCH=%,$(MAKEOVERRIDES))
unexport ARCH
endif
GUEST_ARCH ?= amd64
ifeq ($(filter amd64 arm64,$(GUEST_ARCH)),)
$(error rtheap: ARCH=$(GUEST_ARCH): the guests are amd64 or arm64)
endif

# Quiet output, for every fragment: a recipe line
#     $(call msg,CC,$@)$(CC) ...
# prints "  CC      lib/libheap.o" (a path under build/ without the build/)
# instead of the command; V=1 prints the commands instead, make -s neither.
# $(Q) hides a command that needs no line of its own.
ifeq ($(V),1)
Q   :=
msg  =
else
Q   := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
msg  = @
else
msg  = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(BUILD)/%,%,$(2))';
endif
MAKEFLAGS += --no-print-directory
endif

# "y" where $(CC) links static 32-bit x86 programs (gcc-multilib), else
# empty.  One compile, run where it is first expanded and then remembered;
# fragments expand it only for the goals that build 32-bit programs.
have_m32 = $(eval have_m32 := $(shell printf 'int main(void){return 0;}\n' | \
	   $(CC) -m32 -static -x c - -o /dev/null 2>/dev/null && echo y))$(have_m32)

HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	       -I$(SRC)/include -I$(SRC)/include/uapi -I$(SRC)/kernel
# A distribution's compile and link flags (debian/rules passes
# dpkg-buildflags' hardening flags), on every host compile and link.
HOST_CFLAGS += $(RTHEAP_BUILDFLAGS)
# The allocator core compiled on the host: kernel/alloc.c unchanged, with
# the few kernel headers it includes supplied by tests/host/shim/.
CORE_CFLAGS := -I$(SRC)/tests/host/shim -I$(SRC)/kernel
SAN_CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

.PHONY: all host help deps deps-host check check-host check-fresh clean
.DEFAULT_GOAL := all

## all               (the default) libheap, heapctl and the host tests
all: host

## help              this list
help:
	@echo "make TARGET [VARIABLE=value...]; V=1 shows the commands"
	@awk 'FNR == 1 { again = seen[FILENAME]++ } \
	     !again && /^## / { \
		line = substr($$0, 4); \
		if (!match(line, /  +/)) { print "  " line; next } \
		use = substr(line, 1, RSTART - 1); text = substr(line, RSTART + RLENGTH); \
		if (length(use) > 20) { print "  " use; use = "" } \
		printf "  %-20s %s\n", use, text }' $(filter %Makefile %.mk,$(MAKEFILE_LIST))

## deps              install the missing Debian packages for everything (apt-get, root)
deps:
	$(Q)$(SRC)/scripts/deps all

## deps-host         the same, only those the host build and check-host need
deps-host:
	$(Q)$(SRC)/scripts/deps host

include $(SRC)/tests/host/unit/unit.mk
include $(SRC)/tests/host/fuzz/fuzz.mk
include $(SRC)/lib/lib.mk
include $(SRC)/tools/tools.mk
include $(SRC)/kernel/module.mk
include $(SRC)/tests/guest/guest.mk
include $(SRC)/tests/guest/compat/compat.mk
include $(SRC)/tests/host/coexist/coexist.mk
include $(SRC)/bench/bench.mk
include $(SRC)/scripts/kernels.mk
include $(SRC)/tests/guest/hardening/hardening.mk
include $(SRC)/demo/demo.mk
include $(SRC)/scripts/deb.mk

host: $(HOST_TARGETS)

# Recipes expand late, so every fragment's UNIT_RUNS entry is seen here.
## check-host        host unit tests, plain and under ASan+UBSan, then fuzz-core-short
check-host: deps-host
	$(Q)if [ -n "$(FUZZ_SHORT)" ]; then $(MAKE) $(FUZZ_SHORT); fi
	$(Q)set -e; for t in $(UNIT_RUNS); do $(MAKE) $$t; done

## check             deps, check-host, then check-guest
check: deps
	$(Q)$(MAKE) check-host
	$(Q)$(MAKE) check-guest

# The README's two commands in a clean Debian 12 system (debootstrap, cached
# for a week in build/cache/debian/); FRESH_REBUILD=1 makes it anew.
## check-fresh [FRESH_REBUILD=1] [FRESH_ARGS=...]  make demo and make check in a new Debian 12 system
check-fresh:
	$(Q)$(SRC)/scripts/check-fresh $(if $(filter 1,$(FRESH_REBUILD)),--rebuild) \
		$(if $(FRESH_ARGS),-- $(FRESH_ARGS))

## clean             remove the build's outputs in build/ (build/cache/ stays)
clean:
	$(Q)rm -rf $(BUILD)/host $(BUILD)/san $(BUILD)/fuzz $(BUILD)/lib $(BUILD)/tools $(BUILD)/module $(BUILD)/guest $(BUILD)/bench
