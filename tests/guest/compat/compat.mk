# SPDX-License-Identifier: GPL-2.0
# Xenomai and RTAI heap code on rtheap: guest tests built as a porting user
# builds, with nothing but the compatibility headers and pkg-config, from a
# staged `make install-lib' (build/guest/stage/).  Included by the
# top-level Makefile after tests/guest/guest.mk; guest-bins builds them.
#
#   build/guest/bin/t_compat_alchemy   <alchemy/heap.h>, libheap-alchemy
#   build/guest/bin/t_compat_native    <native/heap.h>, libheap-native
#   build/guest/bin/t_compat_rtai      <rtai/heap.h>, libheap-rtai

COMPAT_SRC    := $(SRC)/tests/guest/compat
COMPAT_STAGE  := $(BUILD)/guest/stage
COMPAT_APIS   := alchemy native rtai
COMPAT_PROGS  := $(patsubst %,$(GUEST_BIN)/t_compat_%,$(COMPAT_APIS))
COMPAT_HDRS   := $(shell find $(SRC)/include -name '*.h')

guest-bins: $(COMPAT_PROGS)

$(COMPAT_STAGE)/.installed: $(LIBHEAP_A) $(LIBHEAP_SO) $(COMPAT_HDRS) \
			    $(SRC)/lib/libheap-compat.pc.in $(SRC)/lib/lib.mk
	$(Q)rm -rf $(COMPAT_STAGE)
	$(Q)$(MAKE) -f $(SRC)/Makefile install-lib DESTDIR=$(COMPAT_STAGE) PREFIX=/usr >/dev/null
	$(Q)touch $@

# The test helpers (tests/guest/tcommon.c) come along; the API only
# through pkg-config: -I of the compatibility headers, -lheap, statically.
$(GUEST_BIN)/t_compat_%: $(COMPAT_SRC)/t_compat_%.c $(COMPAT_STAGE)/.installed \
			 $(GUEST_OBJ)/tcommon.o
	@mkdir -p $(@D)
	$(call msg,CC,$@)export PKG_CONFIG_SYSROOT_DIR=$(COMPAT_STAGE) \
		PKG_CONFIG_LIBDIR=$(COMPAT_STAGE)/usr/lib/pkgconfig; \
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I$(SRC)/tests/guest \
		$$(pkg-config --cflags --static libheap-$*) -static -pthread -o $@ $< \
		$(GUEST_OBJ)/tcommon.o $$(pkg-config --libs --static libheap-$*)
