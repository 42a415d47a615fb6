# SPDX-License-Identifier: GPL-2.0
# Hardening: KUnit suites of the allocator core and the heap object, an
# ioctl fuzzer, a multi-process stress/soak, fault injection and security
# tests.  Included by the top-level Makefile; uses $(SRC) $(BUILD) $(Q)
# $(HOST_CFLAGS) $(CC), libheap from lib/lib.mk and, for the KUnit module,
# `make module' from kernel/module.mk.
#
#   make hardening-bins          build/guest/bin/: rtheap-fuzz, rtheap-stress,
#                                and the guest suite's t_fuzz (10^5 calls),
#                                t_mpstress (20 s), t_security, t_faults,
#                                t_kunit; debug.d/ for check-debug.  A
#                                prerequisite of guest-bins.
#   make kunit-module KVER=abi [KDIR=dir]
#                                build/module/<abi>/rtheap_kunit.ko; prints a
#                                note and builds nothing when the kernel has
#                                no CONFIG_KUNIT
#   make kunit-module-debug      the same for the debug kernel (check-debug
#                                builds it: DEBUG_SUITE_DEPS)
#   make fuzz-guest SECONDS=N [KERNEL=debian] [PROCS=4] [SEED=n] [LIGHT=1]
#                                one guest boot fuzzing for N seconds
#   make soak SECONDS=N [KERNEL=debian] [PROCS=4] [THREADS=3] [SEED=n]
#                                one guest boot of rtheap-stress for N
#                                seconds; both end with rmmod rtheap
#   make hardening-debug-cmd     what check-debug runs from here

HARD_SRC   := $(SRC)/tests/hardening
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
HARD_M32 := $(shell printf 'int main(void){return 0;}\n' | \
	    $(CC) -m32 -static -x c - -o /dev/null 2>/dev/null && echo y)
endif
HARD_M32_PROG := $(if $(HARD_M32),$(if $(wildcard $(HARD_SRC)/rtheap-fuzz.c),$(HARD_BIN)/rtheap-fuzz.m32))
HARD_CFLAGS32 = $(filter-out -MMD -MP,$(HARD_CFLAGS)) -m32 -D_FILE_OFFSET_BITS=64 -MMD -MP

# check-debug's extra runs (see the end of this file): programs for
# build/guest/bin/debug.d/, from tests/hardening/debug.d/*.sh; the light
# fuzz script is installed once per quarter of its calls, as
# hardening-fuzz-light-<n> (its parameter).
HARD_FUZZ_LIGHT := $(addprefix $(HARD_BIN)/debug.d/hardening-fuzz-light-,1 2 3 4)
HARD_DEBUG_D := $(patsubst $(HARD_SRC)/debug.d/%.sh,$(HARD_BIN)/debug.d/%, \
		$(filter-out %/hardening-fuzz-light.sh,$(wildcard $(HARD_SRC)/debug.d/*.sh)))

ifeq ($(V),1)
hard_msg =
else
hard_msg = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(BUILD)/%,%,$(2))';
endif

.PHONY: hardening-bins kunit-module kunit-module-debug fuzz-guest soak hardening-debug-cmd

hardening-bins: $(HARD_PROGS) $(HARD_SH) $(HARD_DEBUG_D) $(HARD_FUZZ_LIGHT) $(HARD_M32_PROG)
guest-bins: hardening-bins

$(HARD_OBJ)/%.o: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(call hard_msg,CC,$@)$(CC) $(HARD_CFLAGS) -c -o $@ $<

$(HARD_OBJ)/tcommon.o: $(SRC)/tests/guest/tcommon.c
	@mkdir -p $(@D)
	$(call hard_msg,CC,$@)$(CC) $(HARD_CFLAGS) -c -o $@ $<

$(HARD_PROGS): $(HARD_BIN)/%: $(HARD_OBJ)/%.o $(HARD_OBJ)/hcommon.o $(HARD_OBJ)/tcommon.o $(HARD_LIBHEAP)
	@mkdir -p $(@D)
	$(call hard_msg,LD,$@)$(CC) $(HARD_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^)

$(HARD_BIN)/rtheap-fuzz: $(patsubst %,$(HARD_OBJ)/fuzz/%.o,$(HARD_FUZZ_PARTS))

$(HARD_OBJ)/m32/%.o: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(call hard_msg,CC32,$@)$(CC) $(HARD_CFLAGS32) -c -o $@ $<

$(HARD_OBJ)/m32/tcommon.o: $(SRC)/tests/guest/tcommon.c
	@mkdir -p $(@D)
	$(call hard_msg,CC32,$@)$(CC) $(HARD_CFLAGS32) -c -o $@ $<

$(HARD_OBJ)/m32/libheap.o: $(SRC)/lib/libheap.c
	@mkdir -p $(@D)
	$(call hard_msg,CC32,$@)$(CC) $(HARD_CFLAGS32) -c -o $@ $<

$(HARD_BIN)/rtheap-fuzz.m32: $(HARD_OBJ)/m32/rtheap-fuzz.o $(HARD_OBJ)/m32/hcommon.o \
			     $(HARD_OBJ)/m32/tcommon.o $(HARD_OBJ)/m32/libheap.o \
			     $(patsubst %,$(HARD_OBJ)/m32/fuzz/%.o,$(HARD_FUZZ_PARTS))
	@mkdir -p $(@D)
	$(call hard_msg,LD32,$@)$(CC) -m32 $(HARD_LDFLAGS) -o $@ $^

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
# Out of tree in build/module/<abi>/kunit/ (links to tests/hardening/kunit/,
# to the kernel-API suite tests/kmod/heap_suite.c, to kernel/alloc.c and to
# its shadow model tests/unit/model.c), linked against rtheap's
# Module.symvers from `make module' for the same ABI; the .ko goes beside
# rtheap.ko, where vm-run picks up every *.ko.  A kernel without
# CONFIG_KUNIT gets a note and no module (t_kunit skips there).

KUNIT_KVER = $(if $(KVER),$(KVER),$(lastword $(filter-out %-rt-amd64,$(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*-amd64/build)))))))
KUNIT_KDIR = $(if $(KDIR),$(KDIR),/lib/modules/$(KUNIT_KVER)/build)
KUNIT_MOD  = $(BUILD)/module/$(KUNIT_KVER)
KUNIT_DIR  = $(KUNIT_MOD)/kunit
KUNIT_SRCS := Kbuild kunit_alloc.c

kunit-module: module
	$(Q)if ! grep -qs '^CONFIG_KUNIT=[ym]' $(KUNIT_KDIR)/.config; then \
		echo "  KUNIT   no CONFIG_KUNIT in $(KUNIT_KDIR): rtheap_kunit.ko not built"; \
		rm -f $(KUNIT_MOD)/rtheap_kunit.ko; \
		exit 0; \
	fi; \
	test -e $(KUNIT_MOD)/Module.symvers || \
		{ echo "rtheap: no $(KUNIT_MOD)/Module.symvers (make module KVER=$(KUNIT_KVER))" >&2; exit 1; }; \
	mkdir -p $(KUNIT_DIR) && \
	for f in $(KUNIT_SRCS); do ln -sf $(HARD_SRC)/kunit/$$f $(KUNIT_DIR)/$$f; done && \
	ln -sf $(SRC)/tests/kmod/heap_suite.c $(KUNIT_DIR)/heap_suite.c && \
	ln -sf $(SRC)/tests/unit/model.c $(KUNIT_DIR)/model.c && \
	ln -sf $(SRC)/kernel/alloc.c $(KUNIT_DIR)/alloc.c && \
	echo "  KBUILD  rtheap_kunit.ko ($(KUNIT_KVER))" && \
	$(MAKE) -C $(KUNIT_KDIR) M=$(KUNIT_DIR) $(if $(filter 1,$(V)),V=1,-s) \
		RTHEAP_SRC=$(SRC) KBUILD_EXTRA_SYMBOLS=$(KUNIT_MOD)/Module.symvers \
		$(if $(wildcard $(KUNIT_KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=) modules && \
	cp $(KUNIT_DIR)/rtheap_kunit.ko $(KUNIT_MOD)/rtheap_kunit.ko

# The same against the debug kernel (tools/kernels.mk: module-debug), with
# its KCFLAGS so that rtheap.ko is not rebuilt differently.
kunit-module-debug:
	$(Q)kdir=$$($(SRC)/tools/debug-kernel) && \
	$(MAKE) -f $(SRC)/Makefile kunit-module KVER=debug KDIR=$$kdir KCFLAGS=-g

# check-debug (tools/kernels.mk) builds these before its boot; the guest
# suite it runs there includes t_kunit, which then finds rtheap_kunit.ko.
DEBUG_SUITE_DEPS += kunit-module-debug

# ---- longer runs in a guest ------------------------------------------------
#
#   make fuzz-guest SECONDS=N [KERNEL=debian] [PROCS=4] [SEED=n] [LIGHT=1]
#   make soak SECONDS=N [KERNEL=debian] [PROCS=4] [THREADS=3] [SEED=n]
#
# One boot each; soak also unloads rtheap.ko afterwards (vm-run --rmmod),
# which fails if a heap or a reference was left behind.

hard_kernel  = $(if $(KERNEL),$(KERNEL),debian)
hard_procs   = $(if $(PROCS),$(PROCS),4)
hard_threads = $(if $(THREADS),$(THREADS),3)
hard_vm_mem  = $(if $(filter debug,$(hard_kernel)),--mem 2G)

fuzz-guest:
	$(Q)test -n "$(SECONDS)" || { echo "usage: make fuzz-guest SECONDS=N [KERNEL=...]" >&2; exit 2; }
	$(Q)$(SRC)/tools/vm-run --kernel $(hard_kernel) $(hard_vm_mem) --rmmod \
		--timeout $$(( $(SECONDS) + 600 )) -- \
		"rtheap-fuzz --seconds $(SECONDS) --procs $(hard_procs)$(if $(SEED), --seed $(SEED))$(if $(LIGHT), --light)"

soak:
	$(Q)test -n "$(SECONDS)" || { echo "usage: make soak SECONDS=N [KERNEL=...]" >&2; exit 2; }
	$(Q)$(SRC)/tools/vm-run --kernel $(hard_kernel) $(hard_vm_mem) --rmmod \
		--timeout $$(( $(SECONDS) + 600 )) -- \
		"rtheap-stress --seconds $(SECONDS) --procs $(hard_procs) --threads $(hard_threads)$(if $(SEED), --seed $(SEED))"

hardening-debug-cmd:
	@echo "check-debug runs, besides the guest suite's t_kunit, t_fuzz, t_mpstress,"
	@echo "t_faults and t_security, these programs of build/guest/bin/debug.d/:"
	@for f in $(HARD_DEBUG_D); do printf '  %s: ' "$${f##*/}"; tail -n 1 "$(HARD_SRC)/debug.d/$${f##*/}.sh"; done
	@for f in $(HARD_FUZZ_LIGHT); do printf '  %s: ' "$${f##*/}"; tail -n 1 "$(HARD_SRC)/debug.d/hardening-fuzz-light.sh"; done
