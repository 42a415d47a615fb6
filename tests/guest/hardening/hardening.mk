# SPDX-License-Identifier: GPL-2.0
# Hardening: KUnit suites of the allocator core and the heap object, an
# ioctl fuzzer, a multi-process stress/soak, fault injection and security
# tests.  Included by the top-level Makefile; uses $(SRC) $(BUILD) $(Q)
# $(msg) $(have_m32) $(HOST_CFLAGS) $(CC), libheap from lib/lib.mk, the
# test helpers' tcommon.o from tests/guest/guest.mk (GUEST_OBJ) and, for
# the KUnit module, KVER / KDIR / MODULE_DIR, $(kbuild_test_module) and
# `make module' from kernel/module.mk.  The "## " lines are the targets.

HARD_SRC   := $(SRC)/tests/guest/hardening
HARD_BIN   := $(BUILD)/guest/bin
HARD_OBJ   := $(BUILD)/guest/obj/hardening
HARD_LIBHEAP := $(if $(LIBHEAP_A),$(LIBHEAP_A),$(BUILD)/lib/libheap.a)
HARD_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -I$(SRC)/tests/guest -I$(HARD_SRC) -MMD -MP
HARD_LDFLAGS := -static -pthread

# Programs and scripts in the guest; each only once its source exists, so
# that guest-bins never depends on a file that is not there.
HARD_C_PROGS := $(notdir $(basename $(wildcard $(addprefix $(HARD_SRC)/, \
		rtheap-fuzz.c rtheap-stress.c t_security.c t_faults.c))))
HARD_SCRIPTS := $(notdir $(basename $(wildcard $(addprefix $(HARD_SRC)/, \
		t_fuzz.sh t_fuzz32.sh t_mpstress.sh t_kunit.sh))))
HARD_PROGS   := $(addprefix $(HARD_BIN)/,$(HARD_C_PROGS))
# rtheap-fuzz.c (options, the parent's run) and its parts in fuzz/.
HARD_FUZZ_PARTS := state ops_heap ops_mem worker parent
HARD_SH      := $(addprefix $(HARD_BIN)/,$(HARD_SCRIPTS))

# rtheap-fuzz for 32-bit x86 (the compat ioctl path), where the toolchain
# can build it (gcc-multilib); t_fuzz32 skips without it.
ifneq ($(filter guest-bins hardening-bins check-guest check-debug,$(MAKECMDGOALS)),)
HARD_M32 := $(have_m32)
endif
HARD_M32_PROG := $(if $(HARD_M32),$(if $(wildcard $(HARD_SRC)/rtheap-fuzz.c),$(HARD_BIN)/rtheap-fuzz.m32))
HARD_CFLAGS32 = $(filter-out -MMD -MP,$(HARD_CFLAGS)) -m32 -D_FILE_OFFSET_BITS=64 -MMD -MP

# check-debug's extra runs (see the end of this file): programs for
# build/guest/bin/debug.d/, from tests/guest/hardening/debug.d/*.sh; the light
# fuzz script is installed once per quarter of its calls, as
# hardening-fuzz-light-<n> (its parameter).
HARD_FUZZ_LIGHT := $(addprefix $(HARD_BIN)/debug.d/hardening-fuzz-light-,1 2 3 4)
HARD_DEBUG_D := $(patsubst $(HARD_SRC)/debug.d/%.sh,$(HARD_BIN)/debug.d/%, \
		$(filter-out %/hardening-fuzz-light.sh,$(wildcard $(HARD_SRC)/debug.d/*.sh)))

.PHONY: hardening-bins kunit-module kunit-module-debug fuzz-ioctl soak hardening-debug-cmd

## hardening-bins    build/guest/bin/: rtheap-fuzz, rtheap-stress, the suite's t_fuzz,
##                   t_mpstress, t_security, t_faults, t_kunit, and debug.d/ for
##                   check-debug (part of guest-bins)
hardening-bins: $(HARD_PROGS) $(HARD_SH) $(HARD_DEBUG_D) $(HARD_FUZZ_LIGHT) $(HARD_M32_PROG)
guest-bins: hardening-bins

$(HARD_OBJ)/%.o: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HARD_CFLAGS) -c -o $@ $<

# The guest tests' helpers (tests/guest/tcommon.c): the same object as
# theirs, from guest.mk's rules.
$(HARD_PROGS): $(HARD_BIN)/%: $(HARD_OBJ)/%.o $(GUEST_OBJ)/tcommon.o $(HARD_LIBHEAP)
	@mkdir -p $(@D)
	$(call msg,LD,$@)$(CC) $(HARD_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^)

$(HARD_BIN)/rtheap-fuzz: $(patsubst %,$(HARD_OBJ)/fuzz/%.o,$(HARD_FUZZ_PARTS))

$(HARD_OBJ)/m32/%.o: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(call msg,CC32,$@)$(CC) $(HARD_CFLAGS32) -c -o $@ $<

$(HARD_OBJ)/m32/libheap-%.o: $(SRC)/lib/%.c
	@mkdir -p $(@D)
	$(call msg,CC32,$@)$(CC) $(HARD_CFLAGS32) -c -o $@ $<

$(HARD_BIN)/rtheap-fuzz.m32: $(HARD_OBJ)/m32/rtheap-fuzz.o $(GUEST_OBJ)/m32/tcommon.o \
			     $(patsubst $(SRC)/lib/%.c,$(HARD_OBJ)/m32/libheap-%.o,$(wildcard $(SRC)/lib/*.c)) \
			     $(patsubst %,$(HARD_OBJ)/m32/fuzz/%.o,$(HARD_FUZZ_PARTS))
	@mkdir -p $(@D)
	$(call msg,LD32,$@)$(CC) -m32 $(HARD_LDFLAGS) -o $@ $^

$(HARD_SH): $(HARD_BIN)/%: $(HARD_SRC)/%.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(HARD_DEBUG_D): $(HARD_BIN)/debug.d/%: $(HARD_SRC)/debug.d/%.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(HARD_FUZZ_LIGHT): $(HARD_SRC)/debug.d/hardening-fuzz-light.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

-include $(wildcard $(HARD_OBJ)/*.d $(HARD_OBJ)/m32/*.d $(HARD_OBJ)/fuzz/*.d $(HARD_OBJ)/m32/fuzz/*.d)

# ---- the KUnit module -------------------------------------------------------
#
# In build/module/<abi>/kunit/, from links to tests/kernel/kunit/, to
# the kernel-API suite tests/kernel/selftest/heap_suite.c, to kernel/alloc.c, to its
# checker kernel/alloc_check.c and to its shadow model tests/host/unit/model.c,
# then beside rtheap.ko (kbuild_test_module in kernel/module.mk).  A kernel without CONFIG_KUNIT gets a note and no
# module (t_kunit skips there).

KUNIT_SRCS := Kbuild kunit_alloc.c
KUNIT_LINKS = $(foreach f,$(KUNIT_SRCS),$(f)=$(SRC)/tests/kernel/kunit/$(f)) \
	      heap_suite.c=$(SRC)/tests/kernel/selftest/heap_suite.c \
	      model.c=$(SRC)/tests/host/unit/model.c alloc.c=$(SRC)/kernel/alloc.c \
	      alloc_check.c=$(SRC)/kernel/alloc_check.c
kunit_config = $(shell grep -s '^CONFIG_KUNIT=[ym]' $(KDIR)/.config)

## kunit-module KVER=abi [KDIR=dir]
##                   build/module/<abi>/rtheap_kunit.ko; a note instead when the
##                   kernel has no CONFIG_KUNIT
kunit-module: module
	$(if $(kunit_config),$(call kbuild_test_module,rtheap_kunit,kunit,$(KUNIT_LINKS)),$(call kunit_none))

define kunit_none
	@echo "  KUNIT   no CONFIG_KUNIT in $(KDIR): rtheap_kunit.ko not built"
	$(Q)rm -f $(MODULE_DIR)/rtheap_kunit.ko
endef

# The same against the debug kernel (scripts/kernels.mk: module-debug), with
# its KCFLAGS so that rtheap.ko is not rebuilt differently.
## kunit-module-debug  the same for the debug kernel (check-debug builds it)
kunit-module-debug:
	$(Q)kdir=$$($(SRC)/scripts/debug-kernel) && \
	$(MAKE) -f $(SRC)/Makefile kunit-module KVER=debug KDIR=$$kdir KCFLAGS=-g

# check-debug (scripts/kernels.mk) builds these before its boot; the guest
# suite it runs there includes t_kunit, which then finds rtheap_kunit.ko.
DEBUG_SUITE_DEPS += kunit-module-debug

# ---- longer runs in a guest ------------------------------------------------
#
# One boot each; both unload rtheap.ko afterwards (vm-run --rmmod), which
# fails if a heap or a reference was left behind.

hard_kernel  = $(if $(KERNEL),$(KERNEL),debian)
hard_procs   = $(if $(PROCS),$(PROCS),4)
hard_threads = $(if $(THREADS),$(THREADS),3)
hard_vm_mem  = $(if $(filter debug,$(hard_kernel)),--mem 2G)

## fuzz-ioctl SECONDS=N [KERNEL=debian] [PROCS=4] [SEED=n] [LIGHT=1]
##                   rtheap-fuzz, the fuzzer of /dev/rtheap's ioctls and mmap,
##                   for N seconds in a guest
fuzz-ioctl:
	$(Q)test -n "$(SECONDS)" || { echo "usage: make fuzz-ioctl SECONDS=N [KERNEL=...]" >&2; exit 2; }
	$(Q)$(SRC)/scripts/vm-run --kernel $(hard_kernel) $(hard_vm_mem) --rmmod \
		--timeout $$(( $(SECONDS) + 600 )) -- \
		"rtheap-fuzz --seconds $(SECONDS) --procs $(hard_procs)$(if $(SEED), --seed $(SEED))$(if $(LIGHT), --light)"

## soak SECONDS=N [KERNEL=debian] [PROCS=4] [THREADS=3] [SEED=n]
##                   rtheap-stress, the multi-process stress test, for N seconds
##                   in a guest
soak:
	$(Q)test -n "$(SECONDS)" || { echo "usage: make soak SECONDS=N [KERNEL=...]" >&2; exit 2; }
	$(Q)$(SRC)/scripts/vm-run --kernel $(hard_kernel) $(hard_vm_mem) --rmmod \
		--timeout $$(( $(SECONDS) + 600 )) -- \
		"rtheap-stress --seconds $(SECONDS) --procs $(hard_procs) --threads $(hard_threads)$(if $(SEED), --seed $(SEED))"

## hardening-debug-cmd  what check-debug runs from tests/guest/hardening/
hardening-debug-cmd:
	@echo "check-debug runs, besides the guest suite's t_kunit, t_fuzz, t_mpstress,"
	@echo "t_faults and t_security, these programs of build/guest/bin/debug.d/:"
	@for f in $(HARD_DEBUG_D); do printf '  %s: ' "$${f##*/}"; tail -n 1 "$(HARD_SRC)/debug.d/$${f##*/}.sh"; done
	@for f in $(HARD_FUZZ_LIGHT); do printf '  %s: ' "$${f##*/}"; tail -n 1 "$(HARD_SRC)/debug.d/hardening-fuzz-light.sh"; done
