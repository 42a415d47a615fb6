# SPDX-License-Identifier: MIT
# libheap: static and shared library, pkg-config file, headers and man pages.
# Included by the top-level Makefile; uses $(SRC) $(BUILD) $(Q) $(msg)
# $(HOST_CFLAGS) $(PREFIX) $(VERSION).
#
# Targets:   libheap (default part of `make host`), install-lib, install-man,
#            install (install-lib install-man, plus install-heapctl from
#            tools/tools.mk).
# Variables: DESTDIR, PREFIX, LIBDIR, INCLUDEDIR, MANDIR (may be overridden).

LIBHEAP_SOMAJOR  := 1
LIBHEAP_SOVER    := $(LIBHEAP_SOMAJOR).0.0
LIBHEAP_SONAME   := libheap.so.$(LIBHEAP_SOMAJOR)
LIBHEAP_DIR      := $(BUILD)/lib
LIBHEAP_SRCS     := $(sort $(wildcard $(SRC)/lib/*.c))
LIBHEAP_OBJS     := $(patsubst $(SRC)/lib/%.c,$(LIBHEAP_DIR)/%.o,$(LIBHEAP_SRCS))
LIBHEAP_A        := $(LIBHEAP_DIR)/libheap.a
LIBHEAP_SO_REAL  := $(LIBHEAP_DIR)/libheap.so.$(LIBHEAP_SOVER)
LIBHEAP_SO       := $(LIBHEAP_DIR)/$(LIBHEAP_SONAME)
LIBHEAP_SO_DEV   := $(LIBHEAP_DIR)/libheap.so
LIBHEAP_PC       := $(LIBHEAP_DIR)/libheap.pc
# The Xenomai and RTAI compatibility headers, one pkg-config module each:
# what API it is, the header it provides.
LIBHEAP_COMPAT   := alchemy native rtai
lh_what_alchemy  := Xenomai 3 Alchemy
lh_what_native   := Xenomai 2 native
lh_what_rtai     := RTAI/fusion
lh_header_alchemy := alchemy/heap.h
lh_header_native := native/heap.h
lh_header_rtai   := rtai/heap.h
LIBHEAP_COMPAT_PC := $(patsubst %,$(LIBHEAP_DIR)/libheap-%.pc,$(LIBHEAP_COMPAT))
LIBHEAP_COMPAT_H := $(patsubst $(SRC)/include/rtheap/compat/%,%, \
		    $(wildcard $(SRC)/include/rtheap/compat/*/heap.h \
			       $(SRC)/include/rtheap/compat/*/*/heap.h))
LIBHEAP_MAP      := $(SRC)/lib/libheap.map
LIBHEAP_CFLAGS   := $(HOST_CFLAGS) -fPIC -MMD -MP
LIBHEAP_LDFLAGS  := -shared -Wl,-soname,$(LIBHEAP_SONAME) \
		    -Wl,--version-script,$(LIBHEAP_MAP) -Wl,-z,defs \
		    -Wl,-z,relro -Wl,-z,now

LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man

HOST_TARGETS += libheap

.PHONY: libheap install install-lib install-man

## libheap           build/lib/: libheap.a, libheap.so, libheap.pc and the compatibility .pc files
libheap: $(LIBHEAP_A) $(LIBHEAP_SO) $(LIBHEAP_SO_DEV) $(LIBHEAP_PC) \
	 $(LIBHEAP_COMPAT_PC)

$(LIBHEAP_DIR)/%.o: $(SRC)/lib/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(LIBHEAP_CFLAGS) -c -o $@ $<

$(LIBHEAP_A): $(LIBHEAP_OBJS)
	$(call msg,AR,$@)rm -f $@ && ar rcs $@ $^

$(LIBHEAP_SO_REAL): $(LIBHEAP_OBJS) $(LIBHEAP_MAP)
	$(call msg,LD,$@)$(CC) $(LIBHEAP_CFLAGS) $(LIBHEAP_LDFLAGS) -o $@ $(LIBHEAP_OBJS)

$(LIBHEAP_SO): $(LIBHEAP_SO_REAL)
	$(Q)ln -sf $(notdir $<) $@

$(LIBHEAP_SO_DEV): $(LIBHEAP_SO)
	$(Q)ln -sf $(notdir $<) $@

# The pkg-config file for $(PREFIX); install-lib writes it anew for the
# install paths.  Directories under $(PREFIX) are written relative to it.
lh_pcdir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
lh_pc = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@LIBDIR@|$(call lh_pcdir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call lh_pcdir,$(INCLUDEDIR))|'

$(LIBHEAP_PC): $(SRC)/lib/libheap.pc.in $(SRC)/VERSION $(SRC)/Makefile
	@mkdir -p $(@D)
	$(call msg,GEN,$@)$(lh_pc) $< > $@

# $(1): alchemy, native or rtai
lh_compat_pc = $(lh_pc) -e 's|@API@|$(1)|' -e 's|@WHAT@|$(lh_what_$(1))|' \
	-e 's|@HEADER@|$(lh_header_$(1))|'

$(LIBHEAP_DIR)/libheap-%.pc: $(SRC)/lib/libheap-compat.pc.in $(SRC)/VERSION $(SRC)/lib/lib.mk
	@mkdir -p $(@D)
	$(call msg,GEN,$@)$(call lh_compat_pc,$*) $< > $@

-include $(LIBHEAP_OBJS:.o=.d)

## install [PREFIX=/usr/local] [DESTDIR=]  install-lib, install-man and install-heapctl
install: install-lib install-man

## install-lib       headers, libheap.a/.so and libheap.pc under PREFIX
install-lib: libheap
	$(call msg,INSTALL,libheap)install -d $(DESTDIR)$(INCLUDEDIR)/rtheap \
		$(DESTDIR)$(LIBDIR)/pkgconfig
	$(Q)install -m 0644 $(SRC)/include/rtheap/heap.h \
		$(DESTDIR)$(INCLUDEDIR)/rtheap/heap.h
	$(Q)install -m 0644 $(SRC)/include/uapi/rtheap/ioctl.h \
		$(DESTDIR)$(INCLUDEDIR)/rtheap/ioctl.h
	$(Q)install -m 0644 $(LIBHEAP_A) $(DESTDIR)$(LIBDIR)/libheap.a
	$(Q)install -m 0755 $(LIBHEAP_SO_REAL) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf libheap.so.$(LIBHEAP_SOVER) $(DESTDIR)$(LIBDIR)/$(LIBHEAP_SONAME)
	$(Q)ln -sf $(LIBHEAP_SONAME) $(DESTDIR)$(LIBDIR)/libheap.so
	$(Q)$(lh_pc) $(SRC)/lib/libheap.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libheap.pc
	$(Q)install -m 0644 $(SRC)/include/rtheap/compat.h $(DESTDIR)$(INCLUDEDIR)/rtheap/compat.h
	$(Q)set -e; for h in $(LIBHEAP_COMPAT_H); do \
		install -D -m 0644 $(SRC)/include/rtheap/compat/$$h \
			$(DESTDIR)$(INCLUDEDIR)/rtheap/compat/$$h; \
	done
	$(Q)$(foreach v,$(LIBHEAP_COMPAT),$(call lh_compat_pc,$(v)) $(SRC)/lib/libheap-compat.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libheap-$(v).pc;)

# One page per call; extensions are ".so" links to their call's page.
LIBHEAP_MAN3 := $(wildcard $(SRC)/man/man3/*.3)
LIBHEAP_MAN7 := $(wildcard $(SRC)/man/man7/*.7)
LIBHEAP_MAN8 := $(wildcard $(SRC)/man/man8/*.8)

# Their .TH lines say "rtheap @VERSION@": the version is written in here.
## install-man       the man pages under PREFIX/share/man
install-man:
	$(call msg,INSTALL,man)install -d $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	$(Q)set -e; for f in $(LIBHEAP_MAN3) $(LIBHEAP_MAN7) $(LIBHEAP_MAN8); do \
		page=$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; \
		sed 's|@VERSION@|$(VERSION)|g' "$$f" >"$$page"; chmod 0644 "$$page"; \
	done

# The unit tests' rules (tests/host/unit/libheap.mk guards against a second include).
include $(SRC)/tests/host/unit/libheap.mk
