# SPDX-License-Identifier: GPL-2.0
# Guest tests: static test programs and the suite runner for the qemu guest
# (scripts/vm-run), and the kernel self-test module.  Included by the
# top-level Makefile; uses $(SRC) $(BUILD) $(Q) $(msg) $(have_m32)
# $(HOST_CFLAGS) $(CC), and from lib/lib.mk, tools/tools.mk,
# kernel/module.mk: $(LIBHEAP_A), $(HEAPCTL_STATIC), KVER / KDIR /
# MODULE_DIR, $(kbuild_test_module) and `make module'.
#
# The self-test module is built by check-guest (not by guest-bins, which
# does not know the guest's kernel), after `make module' for the same ABI.

GUEST_SRC      := $(SRC)/tests/guest
GUEST_BIN      := $(BUILD)/guest/bin
GUEST_OBJ      := $(BUILD)/guest/obj
GUEST_LIBHEAP  := $(if $(LIBHEAP_A),$(LIBHEAP_A),$(BUILD)/lib/libheap.a)
GUEST_HEAPCTL  := $(if $(HEAPCTL_STATIC),$(HEAPCTL_STATIC),$(BUILD)/tools/heapctl.static)
GUEST_CFLAGS   := $(HOST_CFLAGS) -D_GNU_SOURCE -I$(SRC)/include -I$(SRC)/include/uapi -MMD -MP
GUEST_LDFLAGS  := -static -pthread

GUEST_C_TESTS  := $(sort $(patsubst $(GUEST_SRC)/%.c,%,$(wildcard $(GUEST_SRC)/t_*.c)))

# The same tests built for 32-bit x86 run as t_<name>.m32: the ioctl ABI
# through the kernel's compat path, libheap compiled -m32.  Only where the
# toolchain can (gcc-multilib); otherwise they are left out, with a note.
GUEST_M32_TESTS := t_alloc t_bind t_bulk t_create t_delete t_fork t_free t_garbage \
		   t_inquire t_ioctl_bad t_kill t_mmap t_multiproc t_order \
		   t_perm t_proc t_shared t_version t_wait
ifneq ($(filter guest-bins check-guest check-debug,$(MAKECMDGOALS)),)
GUEST_M32 := $(have_m32)
endif
GUEST_M32_PROGS := $(if $(GUEST_M32),$(patsubst %,$(GUEST_BIN)/%.m32,$(GUEST_M32_TESTS)))
GUEST_CFLAGS32  = $(filter-out -MMD -MP,$(GUEST_CFLAGS)) -m32 -D_FILE_OFFSET_BITS=64 -MMD -MP
GUEST_SH_TESTS := $(sort $(patsubst $(GUEST_SRC)/%.sh,%,$(wildcard $(GUEST_SRC)/t_*.sh)))
GUEST_HELPERS  := rtheap-heapcount rtheap-insmod
GUEST_PROGS    := $(addprefix $(GUEST_BIN)/,$(GUEST_C_TESTS) $(GUEST_HELPERS))
# The runners: the guest suite, check-debug's debug suite, their library.
GUEST_RUNNERS  := rtheap-guest-suite rtheap-debug-suite rtheap-suite-lib.sh
GUEST_SCRIPTS  := $(addprefix $(GUEST_BIN)/,$(GUEST_SH_TESTS) $(GUEST_RUNNERS))

.PHONY: guest-bins selftest-module check-guest

## guest-bins        build/guest/bin/: the guest suite's tests, its runner, heapctl
guest-bins: $(GUEST_PROGS) $(GUEST_SCRIPTS) $(GUEST_BIN)/heapctl $(GUEST_M32_PROGS)
ifeq ($(GUEST_M32),)
	@echo "  NOTE    no 32-bit toolchain (gcc-multilib): the .m32 tests are not built"
endif

$(GUEST_OBJ)/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_PROGS): $(GUEST_BIN)/%: $(GUEST_OBJ)/%.o $(GUEST_OBJ)/tcommon.o $(GUEST_LIBHEAP)
	@mkdir -p $(@D)
	$(call msg,LD,$@)$(CC) $(GUEST_LDFLAGS) -o $@ $^

$(GUEST_OBJ)/m32/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(@D)
	$(call msg,CC32,$@)$(CC) $(GUEST_CFLAGS32) -c -o $@ $<

$(GUEST_OBJ)/m32/libheap-%.o: $(SRC)/lib/%.c
	@mkdir -p $(@D)
	$(call msg,CC32,$@)$(CC) $(GUEST_CFLAGS32) -c -o $@ $<

$(GUEST_M32_PROGS): $(GUEST_BIN)/%.m32: $(GUEST_OBJ)/m32/%.o $(GUEST_OBJ)/m32/tcommon.o $(patsubst $(SRC)/lib/%.c,$(GUEST_OBJ)/m32/libheap-%.o,$(wildcard $(SRC)/lib/*.c))
	@mkdir -p $(@D)
	$(call msg,LD32,$@)$(CC) -m32 $(GUEST_LDFLAGS) -o $@ $^

$(addprefix $(GUEST_BIN)/,$(GUEST_SH_TESTS)): $(GUEST_BIN)/%: $(GUEST_SRC)/%.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(addprefix $(GUEST_BIN)/,$(GUEST_RUNNERS)): $(GUEST_BIN)/%: $(GUEST_SRC)/%
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(GUEST_BIN)/heapctl: $(GUEST_HEAPCTL)
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

-include $(wildcard $(GUEST_OBJ)/*.d $(GUEST_OBJ)/m32/*.d)

# ---- the kernel self-test module ------------------------------------------
#
# In build/module/<abi>/selftest/, from links to tests/kernel/selftest/ (selftest.c
# runs heap_suite.c's cases, the kernel-API suite), then beside rtheap.ko
# (kbuild_test_module in kernel/module.mk).

SELFTEST_LINKS := $(foreach f,Kbuild selftest.c heap_suite.c,$(f)=$(SRC)/tests/kernel/selftest/$(f))

## selftest-module [KVER=abi] [KDIR=dir]  build/module/<abi>/rtheap_selftest.ko
selftest-module: module
	$(call kbuild_test_module,rtheap_selftest,selftest,$(SELFTEST_LINKS))

# ---- the guest suite ---------------------------------------------------------

# Kernels (scripts/vm-run --kernel): 6.1 and the 6.12 -rt by default; all four
# with `make check-guest-all' (scripts/kernels.mk), the debug kernel with
# `make check-debug'.
KERNELS ?= debian 6.12-rt

# ARCH=arm64 (GUEST_ARCH, see the Makefile): Debian's arm64 kernels under
# qemu-system-aarch64, module and programs cross-built by scripts/vm-run in a
# chroot (vm-run --build), not here; a longer time limit per test for the
# emulated CPU.
GUEST_VMRUN := $(SRC)/scripts/vm-run --arch $(GUEST_ARCH)
GUEST_SUITE_ENV := $(if $(filter arm64,$(GUEST_ARCH)),RTHEAP_TEST_TIMEOUT=120)

# One boot per kernel; every kernel runs even when one fails.  The last line
# of output is the sum of the kernels' suite summaries, "N passed, N failed,
# N skipped"; a kernel whose run fails without a failed test (fetch, build,
# boot, a kernel report outside any test) adds one failure.
## check-guest [KERNELS="debian 6.12-rt"] [ARCH=arm64]
##                   one guest boot per kernel running rtheap-guest-suite (scripts/vm-run);
##                   the last line sums them: "N passed, N failed, N skipped"
check-guest: $(if $(filter amd64,$(GUEST_ARCH)),guest-bins)
	$(Q)set -o pipefail; failed=; sums=; out=$$(mktemp); \
	for k in $(KERNELS); do \
		sum=; \
		if abi=$$($(GUEST_VMRUN) --kernel $$k --print-abi) && \
		   $(GUEST_VMRUN) --kernel $$k --build; then \
			echo "  VM-RUN  rtheap-guest-suite ($$k, $$abi)"; \
			VMRUN_NO_BUILD=1 $(GUEST_VMRUN) --kernel $$k -- \
				"$(GUEST_SUITE_ENV) rtheap-guest-suite" | tee $$out; \
			rc=$$?; \
			sum=$$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$$' $$out | tail -n 1); \
		else \
			rc=1; \
		fi; \
		set -- $${sum:-0 passed, 0 failed, 0 skipped}; \
		if [ $$rc != 0 ]; then \
			failed="$$failed $$k"; \
			[ $$3 != 0 ] || set -- $$1 passed, 1 failed, $$5 skipped; \
		fi; \
		sums="$$sums$$k ($${abi:-?}): $$*;"; \
	done; \
	rm -f $$out; \
	echo "$$sums" | tr ';' '\n' | sed '/^$$/d; s/^/check-guest: /'; \
	[ -z "$$failed" ] || echo "check-guest: FAILED on:$$failed" >&2; \
	echo "$$sums" | tr ';' '\n' | awk -F': ' 'NF > 1 { split($$2, n, " "); p += n[1]; f += n[3]; s += n[5] } \
		END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'; \
	[ -z "$$failed" ]

# ---- heapctl map's picture ---------------------------------------------------
#
# t_map in a guest prints the SVG that heapctl map --svg drew of its
# fragmented heap between markers; chromium (scripts/deps render) renders
# it on the host.  Not part of check: it needs a browser, and a person to
# look at build/guest/map/map.png.
MAP_SVG_DIR := $(BUILD)/guest/map

.PHONY: check-map-svg
## check-map-svg     t_map's heapctl map --svg from a guest, rendered by chromium to build/guest/map/map.png
check-map-svg: guest-bins
	$(Q)$(SRC)/scripts/deps render
	$(Q)mkdir -p $(MAP_SVG_DIR)
	$(Q)set -o pipefail; $(GUEST_VMRUN) --kernel debian -- \
		"T_MAP_SVG=1 rtheap-guest-suite t_map" > $(MAP_SVG_DIR)/guest.log
	$(Q)sed -n '/^ *=== t_map.svg begin$$/,/^ *=== t_map.svg end$$/p' $(MAP_SVG_DIR)/guest.log | \
		sed '1d;$$d;s/^    //' > $(MAP_SVG_DIR)/map.svg
	$(Q)grep -q '^</svg>$$' $(MAP_SVG_DIR)/map.svg
	$(call msg,RENDER,$(MAP_SVG_DIR)/map.png)rm -f $(MAP_SVG_DIR)/map.png; \
		timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=$$(sed -n 's/^<svg .*width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' \
				 $(MAP_SVG_DIR)/map.svg) \
		--screenshot=$(MAP_SVG_DIR)/map.png file://$(MAP_SVG_DIR)/map.svg >/dev/null 2>&1; \
		test -s $(MAP_SVG_DIR)/map.png
	@echo "  OK      $(MAP_SVG_DIR)/map.png: look at it beside t_map's text in guest.log"
