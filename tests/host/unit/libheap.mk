# SPDX-License-Identifier: GPL-2.0
# Host tests of libheap, one suite per layer (tests/host/unit/test_device.c,
# test_api.c, test_cache.c), and of heapctl (tests/host/unit/test_heapctl.c)
# against a fake /dev/rtheap (tests/host/unit/fake_rtheap.c), each built plain
# and with ASan+UBSan.
#
# Targets:   libheap-test-run, libheap-test-san-run,
#            heapctl-test-run, heapctl-test-san-run,
#            libheap-install-check (DESTDIR install + pkg-config build),
#            libheap-symbols-check (rtheap_* symbols, no rt_heap_ one),
#            all six in UNIT_RUNS.
# Included by tests/host/unit/unit.mk and by lib/lib.mk; the guard keeps one copy.
# Only $(SRC)/$(BUILD)-based names in targets and prerequisites: this file
# may be read before lib/lib.mk.

ifndef LIBHEAP_TEST_MK
LIBHEAP_TEST_MK := 1

LIBHEAP_TEST_SRCS := $(SRC)/tests/host/unit/fake_rtheap.c $(sort $(wildcard $(SRC)/lib/*.c))
LIBHEAP_TEST_DEPS := $(LIBHEAP_TEST_SRCS) $(SRC)/tests/host/unit/fake_rtheap.h $(wildcard $(SRC)/lib/*.h) \
		     $(SRC)/tests/common/round.h \
		     $(SRC)/include/rtheap/heap.h $(SRC)/include/uapi/rtheap/ioctl.h
LIBHEAP_TEST_WRAP := -Wl,--wrap=open,--wrap=close,--wrap=ioctl,--wrap=mmap,--wrap=munmap
LIBHEAP_TEST_LIBS := -lcmocka -pthread

# $(1): extra CFLAGS, $(2): the test's sources.
define libheap_test_link
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(HOST_CFLAGS) $(1) -pthread -o $@ $(2) $(LIBHEAP_TEST_SRCS) \
		$(LIBHEAP_TEST_WRAP) $(LIBHEAP_TEST_LIBS)
endef

# heapctl.c is compiled in with its main() renamed.
define heapctl_test_link
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(1) -DRTHEAP_VERSION='"$(VERSION)"' \
		-Dmain=heapctl_main -c -o $@.heapctl.o $(SRC)/tools/heapctl.c
	$(call libheap_test_link,$(1),$(SRC)/tests/host/unit/test_heapctl.c $@.heapctl.o)
endef

LIBHEAP_SUITES    := device api cache
LIBHEAP_TEST_BINS := $(patsubst %,$(BUILD)/host/test_%,$(LIBHEAP_SUITES))
LIBHEAP_SAN_BINS  := $(patsubst %,$(BUILD)/san/test_%,$(LIBHEAP_SUITES))

$(LIBHEAP_TEST_BINS): $(BUILD)/host/test_%: $(SRC)/tests/host/unit/test_%.c $(LIBHEAP_TEST_DEPS)
	$(call libheap_test_link,,$<)

$(LIBHEAP_SAN_BINS): $(BUILD)/san/test_%: $(SRC)/tests/host/unit/test_%.c $(LIBHEAP_TEST_DEPS)
	$(call libheap_test_link,$(SAN_CFLAGS),$<)

$(BUILD)/host/test_heapctl: $(SRC)/tests/host/unit/test_heapctl.c $(SRC)/tools/heapctl.c $(LIBHEAP_TEST_DEPS)
	$(call heapctl_test_link,)

$(BUILD)/san/test_heapctl: $(SRC)/tests/host/unit/test_heapctl.c $(SRC)/tools/heapctl.c $(LIBHEAP_TEST_DEPS)
	$(call heapctl_test_link,$(SAN_CFLAGS))

## libheap-test-run  libheap's host suites: device, api, cache (libheap-test-san-run: ASan+UBSan)
## heapctl-test-run  one host suite: heapctl (heapctl-test-san-run: ASan+UBSan)
## libheap-install-check  install into a scratch root, build against it by pkg-config
.PHONY: libheap-test-run libheap-test-san-run heapctl-test-run heapctl-test-san-run \
	libheap-install-check
libheap-test-run: $(LIBHEAP_TEST_BINS)
	$(Q)set -e; for t in $^; do $$t; done
libheap-test-san-run: $(LIBHEAP_SAN_BINS)
	$(Q)set -e; for t in $^; do $$t; done
heapctl-test-run: $(BUILD)/host/test_heapctl
	$(Q)$<
heapctl-test-san-run: $(BUILD)/san/test_heapctl
	$(Q)$<

# Install into a scratch root, then build and run a program against it
# with nothing but pkg-config.
LIBHEAP_IROOT := $(BUILD)/host/libheap-install
libheap-install-check:
	$(Q)rm -rf $(LIBHEAP_IROOT)
	$(Q)$(MAKE) install-lib install-man install-heapctl DESTDIR=$(LIBHEAP_IROOT) PREFIX=/usr >/dev/null
	$(Q)printf '%s\n' '#include <rtheap/heap.h>' '#include <errno.h>' \
		'int main(void) { RT_HEAP h = { 0 }; void *b;' \
		'  return rt_heap_alloc(&h, 16, TM_NONBLOCK, &b) == -EINVAL &&' \
		'         rt_heap_unbind(NULL) == -EINVAL ? 0 : 1; }' \
		> $(LIBHEAP_IROOT)/t.c
	$(Q)export PKG_CONFIG_SYSROOT_DIR=$(LIBHEAP_IROOT) \
		PKG_CONFIG_LIBDIR=$(LIBHEAP_IROOT)/usr/lib/pkgconfig; \
	set -e; cd $(LIBHEAP_IROOT); \
	$(CC) -Wall -Werror -o t-shared t.c $$(pkg-config --cflags --libs libheap); \
	LD_LIBRARY_PATH=$(LIBHEAP_IROOT)/usr/lib ./t-shared; \
	$(CC) -Wall -Werror -static -o t-static t.c $$(pkg-config --cflags --libs --static libheap); \
	./t-static; \
	test -x usr/bin/heapctl; test -L usr/lib/libheap.so; test -L usr/lib/libheap.so.1; \
	test -f usr/share/man/man3/rt_heap_alloc_until.3; test -f usr/share/man/man8/heapctl.8; \
	grep -q '^\.TH .* "rtheap $(VERSION)"' usr/share/man/man8/heapctl.8; ! grep -rq @VERSION@ usr/share/man; \
	echo "  OK      libheap install (pkg-config, shared and static)"

# No symbol of libheap contains rt_heap_ (tests/host/unit/check-symbols).
## libheap-symbols-check  libheap's symbols are rtheap_*; the rt_heap_* API links against it
.PHONY: libheap-symbols-check
libheap-symbols-check: $(BUILD)/lib/libheap.a $(BUILD)/lib/libheap.so
	$(Q)$(SRC)/tests/host/unit/check-symbols $(BUILD)/lib/libheap.a $(BUILD)/lib/libheap.so \
		$(CC) $(HOST_CFLAGS)

UNIT_RUNS += libheap-test-run libheap-test-san-run heapctl-test-run heapctl-test-san-run \
	     libheap-install-check libheap-symbols-check
HOST_TARGETS += $(LIBHEAP_TEST_BINS) $(BUILD)/host/test_heapctl

endif
