# SPDX-License-Identifier: GPL-2.0
# Debian packages (debian/): `make deb' builds them from a clean export of
# HEAD, `make check-deb' installs, uses and purges them in a clean Debian 12
# system (scripts/check-deb).  Included by the top-level Makefile; uses $(SRC)
# $(BUILD) $(Q) $(VERSION).
#
#   build/deb/rtheap-dkms_<v>_all.deb, libheap1_<v>_<arch>.deb,
#   libheap-dev_<v>_<arch>.deb, rtheap-tools_<v>_<arch>.deb (and -dbgsym),
#   rtheap_<v>_<arch>.changes; build/deb/rtheap-<v>/ the tree they were
#   built from, build.log and lintian.txt beside them.

DEB_DIR := $(BUILD)/deb

.PHONY: deb check-deb

# git archive of HEAD (uncommitted changes are pointed out and left out);
# debian/changelog's version must be the file VERSION's; lintian fails
# the build on an error and shows every other tag.
## deb               Debian packages of HEAD in build/deb/ (dpkg-buildpackage -b in a clean export; lintian)
deb:
	$(Q)$(SRC)/scripts/deps deb
	$(Q)git -C $(SRC) rev-parse --verify -q HEAD >/dev/null || \
		{ echo "rtheap: make deb packages HEAD, and $(SRC) has no commit" >&2; exit 1; }
	$(Q)[ -z "$$(git -C $(SRC) status --porcelain --untracked-files=no)" ] || \
		echo "rtheap: uncommitted changes are not packaged: make deb exports HEAD ($$(git -C $(SRC) rev-parse --short HEAD))" >&2
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)
	$(Q)git -C $(SRC) archive --format=tar --prefix=src/ HEAD | tar -x -C $(DEB_DIR)
	$(Q)set -e; v=$$(cat $(DEB_DIR)/src/VERSION); \
	cv=$$(dpkg-parsechangelog -l $(DEB_DIR)/src/debian/changelog -S Version); \
	if [ "$$cv" != "$$v" ]; then \
		echo "rtheap: debian/changelog is at version $$cv, VERSION says $$v: add a changelog entry (dch -v $$v)" >&2; \
		exit 1; \
	fi; \
	mv $(DEB_DIR)/src $(DEB_DIR)/rtheap-$$v
	$(call msg,DPKG,deb/ (dpkg-buildpackage -us -uc -b; log: deb/build.log))cd $(DEB_DIR)/rtheap-*/ && \
		dpkg-buildpackage -us -uc -b >$(DEB_DIR)/build.log 2>&1 || \
		{ tail -n 30 $(DEB_DIR)/build.log >&2; echo "rtheap: dpkg-buildpackage failed (deb/build.log)" >&2; exit 1; }
	$(call msg,LINTIAN,deb/*.changes (deb/lintian.txt))cd $(DEB_DIR) && rc=0; \
	lintian --fail-on error --display-info --pedantic rtheap_*.changes >lintian.txt 2>&1 || rc=$$?; \
	grep -v '^running with root privileges' lintian.txt | sed 's/^/  /' >&2; \
	[ $$rc = 0 ] || { echo "rtheap: lintian reports errors (deb/lintian.txt)" >&2; exit 1; }
	$(Q)cd $(DEB_DIR) && ls -1 *.deb *.changes | sed 's|^|  DEB     deb/|'

## check-deb         install make deb's packages in a clean Debian 12 system, the guest suite on them, purge (scripts/check-deb)
check-deb: deb
	$(Q)$(SRC)/scripts/check-deb $(DEB_DIR)
