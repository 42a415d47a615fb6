# SPDX-License-Identifier: GPL-2.0
# Xenomai's tasks beside rtheap's heaps: a stand-in libalchemy (tasks on
# POSIX threads, an rt_heap_* of its own that answers a marker), built
# static and shared, and programs that use both, built as a porting user
# builds (pkg-config libheap-alchemy from the staged install of
# tests/guest/compat/compat.mk, the stand-in's flags after it, as xeno-config's
# would come) and linked in both orders.  Included by the top-level
# Makefile after tests/guest/compat/compat.mk.
#
#   coexist-test-run  (check-host) the compile matrix, then every program
#                     on the host, where no module answers
#   guest-bins        the same programs for the guest, run by t_coexist.sh

COEXIST_SRC   := $(SRC)/tests/host/coexist
COEXIST_DIR   := $(BUILD)/coexist
COEXIST_STANDIN_CFLAGS := -I$(COEXIST_SRC)/standin
COEXIST_PC    = PKG_CONFIG_SYSROOT_DIR=$(COMPAT_STAGE) \
		PKG_CONFIG_LIBDIR=$(COMPAT_STAGE)/usr/lib/pkgconfig pkg-config
COEXIST_CC    = $(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread
COEXIST_RPATH := -Wl,-rpath,$(COMPAT_STAGE)/usr/lib -Wl,-rpath,$(COEXIST_DIR)
# Static programs take the stand-in whole, as Xenomai's static libraries
# must be taken: any symbol it shares with libheap would then collide.
COEXIST_WHOLE := -Wl,--whole-archive $(COEXIST_DIR)/libstandin.a -Wl,--no-whole-archive

# program-variant: how each is linked (the stand-in first, or libheap first).
COEXIST_VARIANTS := coexist-static-xf coexist-static-hf coexist-shared-xf \
		    coexist-shared-hf reverse-static-xf reverse-static-hf \
		    reverse-shared-xf reverse-shared-hf
COEXIST_PROGS := $(addprefix $(COEXIST_DIR)/,$(COEXIST_VARIANTS))

$(COEXIST_DIR)/standin.o: $(COEXIST_SRC)/standin/standin.c $(wildcard $(COEXIST_SRC)/standin/alchemy/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(COEXIST_CC) -fPIC $(COEXIST_STANDIN_CFLAGS) -c -o $@ $<

$(COEXIST_DIR)/libstandin.a: $(COEXIST_DIR)/standin.o
	$(call msg,AR,$@)rm -f $@ && ar rcs $@ $^

$(COEXIST_DIR)/libstandin.so: $(COEXIST_DIR)/standin.o
	$(call msg,LD,$@)$(CC) -shared -pthread -o $@ $^

# coexist.c: rtheap's <alchemy/heap.h> first on the path; reverse.c: the
# stand-in's.
$(COEXIST_DIR)/coexist.o: $(COEXIST_SRC)/coexist.c $(COMPAT_STAGE)/.installed
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(COEXIST_CC) $$($(COEXIST_PC) --cflags libheap-alchemy) \
		$(COEXIST_STANDIN_CFLAGS) -c -o $@ $<

$(COEXIST_DIR)/reverse.o: $(COEXIST_SRC)/reverse.c $(COMPAT_STAGE)/.installed
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(COEXIST_CC) $(COEXIST_STANDIN_CFLAGS) \
		$$($(COEXIST_PC) --cflags libheap-alchemy) -c -o $@ $<

$(COEXIST_DIR)/%-static-xf: $(COEXIST_DIR)/%.o $(COEXIST_DIR)/libstandin.a
	$(call msg,LD,$@)$(COEXIST_CC) -static -o $@ $< $(COEXIST_WHOLE) \
		$$($(COEXIST_PC) --libs --static libheap-alchemy)

$(COEXIST_DIR)/%-static-hf: $(COEXIST_DIR)/%.o $(COEXIST_DIR)/libstandin.a
	$(call msg,LD,$@)$(COEXIST_CC) -static -o $@ $< \
		$$($(COEXIST_PC) --libs --static libheap-alchemy) $(COEXIST_WHOLE)

$(COEXIST_DIR)/%-shared-xf: $(COEXIST_DIR)/%.o $(COEXIST_DIR)/libstandin.so
	$(call msg,LD,$@)$(COEXIST_CC) -o $@ $< $(COEXIST_RPATH) -L$(COEXIST_DIR) -lstandin \
		$$($(COEXIST_PC) --libs libheap-alchemy)

$(COEXIST_DIR)/%-shared-hf: $(COEXIST_DIR)/%.o $(COEXIST_DIR)/libstandin.so
	$(call msg,LD,$@)$(COEXIST_CC) -o $@ $< $(COEXIST_RPATH) \
		$$($(COEXIST_PC) --libs libheap-alchemy) -L$(COEXIST_DIR) -lstandin

# The compile matrix: {gnu99, c11, c++17} x {rtheap's <alchemy/heap.h>,
# <rtheap/heap.h>} x {heap header first, Xenomai's task header first}.
COEXIST_STDS    := gnu99 c11 c++17
COEXIST_HEADERS := alchemy rtheap
coexist_header_alchemy := <alchemy/heap.h>
coexist_header_rtheap  := <rtheap/heap.h>
COEXIST_MATRIX := $(foreach s,$(COEXIST_STDS),$(foreach h,$(COEXIST_HEADERS), \
		  $(foreach o,heapfirst taskfirst,$(COEXIST_DIR)/matrix/$(s)-$(h)-$(o).o)))

$(COEXIST_DIR)/matrix/%.o: $(COEXIST_SRC)/matrix.c $(COMPAT_STAGE)/.installed \
			   $(wildcard $(COEXIST_SRC)/standin/alchemy/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)set -- $(subst -, ,$*); \
	case $$1 in c++*) cc="$(CXX) -x c++";; *) cc="$(CC)";; esac; \
	case $$2 in alchemy) hdr='<alchemy/heap.h>';; *) hdr='<rtheap/heap.h>';; esac; \
	case $$3 in heapfirst) order=-DMATRIX_HEAP_FIRST;; *) order=;; esac; \
	$$cc -std=$$1 -Wall -Wextra -Werror -pedantic $$order "-DHEAP_HEADER=$$hdr" \
		$$($(COEXIST_PC) --cflags libheap-alchemy) $(COEXIST_STANDIN_CFLAGS) \
		-c -o $@ $<

.PHONY: coexist-test-run coexist-bins

## coexist-test-run  Xenomai's tasks beside rtheap's heaps: compile matrix, link orders (host)
coexist-test-run: $(COEXIST_MATRIX) $(COEXIST_PROGS)
	$(Q)pass=0; fail=0; \
	echo "coexist: compile matrix: $(words $(COEXIST_MATRIX)) translation units clean"; \
	for p in $(COEXIST_PROGS); do \
		if $$p; then pass=$$((pass + 1)); \
		else fail=$$((fail + 1)); echo "coexist: FAIL $${p##*/}"; fi; \
	done; \
	echo "coexist: $$pass passed, $$fail failed"; \
	[ $$fail = 0 ]

UNIT_RUNS += coexist-test-run

# In the guest (t_coexist.sh) the module answers: the same programs.
coexist-bins: $(COEXIST_PROGS)
	@mkdir -p $(GUEST_BIN)/coexist
	$(Q)cp $(COEXIST_PROGS) $(GUEST_BIN)/coexist/

guest-bins: coexist-bins
