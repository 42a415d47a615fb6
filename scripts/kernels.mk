# SPDX-License-Identifier: GPL-2.0
# Kernels the guest tests run on (scripts/vm-run --kernel NAME) and the debug
# kernel run.  Included by the top-level Makefile; uses $(SRC) $(BUILD) $(Q),
# and `make module' (kernel/module.mk), `make guest-bins' and
# `make selftest-module' (tests/guest/guest.mk).
#
#   make debug-kernel          build the debug kernel once (scripts/debug-kernel:
#                              linux-source-6.1, tinyconfig + scripts/debug-kernel.config,
#                              KASAN, lockdep, kmemleak, UBSAN, KUnit, fault
#                              injection) in build/cache/kernel/debug-<version>/
#   make debug-kernel-config   check that its .config has every option of the fragment
#   make module-debug          rtheap.ko and rtheap_selftest.ko against it,
#                              in build/module/debug/
#   make check-debug           the guest suite on the debug kernel in one boot
#                              (tests/guest/rtheap-debug-suite): any kernel report
#                              fails, and after rmmod rtheap a kmemleak scan
#                              must find nothing new
#   make check-guest-all       check-guest on every kernel: $(KERNELS_ALL)
#                              (ARCH=arm64: $(KERNELS_ALL_arm64))
#
# check-debug variables (the hooks of other fragments):
#   DEBUG_SUITE_DEPS   make targets built before the boot, run as
#                      `make TARGET... KVER=debug KDIR=<debug tree>', so test
#                      modules land in build/module/debug/ (the guest's
#                      /lib/rtheap/) and programs in build/guest/bin/ (the
#                      guest's /usr/lib/rtheap/bin/).  A fragment appends its
#                      own: DEBUG_SUITE_DEPS += kunit-module
#   DEBUG_SUITE_CMDS   guest shell command lines separated by ";;", each run
#                      after the guest suite as one more test (debug-cmd-<n>),
#                      with rtheap.ko loaded, before the final rmmod and
#                      kmemleak scan; HARDENING_DEBUG_CMD is run the same way
#   build/guest/bin/debug.d/
#                      every executable there runs likewise (name order)
#   DEBUG_SUITE_ADD    more files or folders for the guest's /opt (vm-run --add);
#                      a folder named debug.d there runs like the one above
#   DEBUG_TESTS        only these guest tests instead of the whole guest suite
#   DEBUG_D=0          leave out the debug.d/ programs (for quicker runs)
#   DEBUG_TIMEOUT      guest time limit in seconds (default 3600)
#   DEBUG_MEM          guest memory (default 2G: KASAN's shadow, kmemleak)
#   DEBUG_TEST_TIMEOUT per-test limit of rtheap-guest-suite (default 180 s)
# The output ends with the guest's "N passed, N failed, N skipped" (a failed
# vm-run without a failed test, e.g. a kernel report outside any test, adds
# one failure); tests/guest/rtheap-debug-suite says what runs in the guest.

KERNELS_ALL        := debian rt 6.12 6.12-rt 7.3 7.3-rt
# ARCH=arm64: Debian 12's 6.1 and 6.12 (bookworm-backports), standard and -rt.
KERNELS_ALL_amd64  := $(KERNELS_ALL)
KERNELS_ALL_arm64  := debian rt 6.12 6.12-rt

DEBUG_KERNEL       := $(SRC)/scripts/debug-kernel
DEBUG_SUITE_DEPS   ?=
DEBUG_SUITE_ADD    ?=
DEBUG_SUITE_CMDS   ?=
DEBUG_TESTS        ?=
DEBUG_D            ?= 1
DEBUG_TIMEOUT      ?= 3600
DEBUG_MEM          ?= 2G
DEBUG_TEST_TIMEOUT ?= 180
DEBUG_RUN          := $(BUILD)/debug-run

.PHONY: debug-kernel debug-kernel-config module-debug check-debug check-guest-all

## debug-kernel      build the debug kernel once (KASAN, lockdep, kmemleak, KUnit, ...)
debug-kernel:
	$(Q)$(DEBUG_KERNEL) >/dev/null

## debug-kernel-config  check its .config against scripts/debug-kernel.config
debug-kernel-config: debug-kernel
	$(Q)$(DEBUG_KERNEL) --check-config

# Debug information in the modules (-g), for scripts/faddr2line on reports.
## module-debug      rtheap.ko and rtheap_selftest.ko against it, in build/module/debug/
module-debug: debug-kernel
	$(Q)kdir=$$($(DEBUG_KERNEL)) && \
	$(MAKE) -f $(SRC)/Makefile selftest-module KVER=debug KDIR=$$kdir KCFLAGS=-g

# Recipes expand late: what fragments included after this one add counts.
## check-debug [DEBUG_TESTS=...] [DEBUG_D=0]
##                   the guest suite and the hardening runs on the debug kernel in
##                   one boot; a kernel report or a leak fails it
check-debug: guest-bins module-debug
	$(Q)$(if $(strip $(DEBUG_SUITE_DEPS)),kdir=$$($(DEBUG_KERNEL)) && \
		$(MAKE) -f $(SRC)/Makefile $(DEBUG_SUITE_DEPS) KVER=debug KDIR=$$kdir KCFLAGS=-g)
	@mkdir -p $(DEBUG_RUN)
	$(Q)printf '%s\n' '$(subst ','\'',$(DEBUG_SUITE_CMDS) ;; $(HARDENING_DEBUG_CMD))' | \
		sed 's/;;/\n/g' | sed 's/^ *//; s/ *$$//; /^$$/d' >$(DEBUG_RUN)/rtheap-debug-cmds
	@echo "  VM-RUN  rtheap-debug-suite (debug, $$($(DEBUG_KERNEL) --print-version))"
	$(Q)set -o pipefail; \
	VMRUN_NO_BUILD=1 $(SRC)/scripts/vm-run --kernel debug --timeout $(DEBUG_TIMEOUT) --mem $(DEBUG_MEM) \
		--add $(DEBUG_RUN)/rtheap-debug-cmds \
		$(foreach f,$(DEBUG_SUITE_ADD),--add $(f)) \
		-- "RTHEAP_TEST_TIMEOUT=$(DEBUG_TEST_TIMEOUT) RTHEAP_DEBUG_D=$(DEBUG_D) rtheap-debug-suite $(DEBUG_TESTS)" | \
		tee $(DEBUG_RUN)/output.txt; \
	rc=$$?; \
	sum=$$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$$' $(DEBUG_RUN)/output.txt | tail -n 1); \
	[ -n "$$sum" ] || sum="0 passed, 1 failed, 0 skipped"; \
	if [ $$rc != 0 ] && [ "$${sum#* passed, 0 failed}" != "$$sum" ]; then \
		echo "check-debug: vm-run failed (status $$rc): counted as one failure" >&2; \
		sum=$$(echo "$$sum" | awk '{ print $$1, "passed,", $$3 + 1, "failed,", $$5, "skipped" }'); \
	fi; \
	echo "$$sum"; \
	[ $$rc = 0 ]

## check-guest-all [ARCH=arm64]  check-guest on every kernel: debian rt 6.12 6.12-rt 7.3 7.3-rt
##                   (arm64: debian rt 6.12 6.12-rt)
check-guest-all:
	$(Q)$(MAKE) -f $(SRC)/Makefile check-guest ARCH=$(GUEST_ARCH) KERNELS="$(KERNELS_ALL_$(GUEST_ARCH))"
