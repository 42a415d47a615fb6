# SPDX-License-Identifier: GPL-2.0
# debian.sh - Debian kernels, headers and apt, for scripts/vm-run and
# scripts/debian-root (sourced, not run).  The sourcing script defines REPO,
# CACHE (its build cache), KERNELS, note and die; everything here reports
# on standard error and prints on standard output only what a caller
# captures (kernel_image_dep, apt_source_of, deb_depends).

# --- host packages -----------------------------------------------------------

# host_pkgs "PKG...": install what is missing with scripts/deps, which does
# not wait for another apt-get/dpkg: retry a few times.
host_pkgs() {
	local try
	for try in 1 2 3 4 5 6; do
		"$REPO/scripts/deps" "$1" && return 0
		[ "$try" = 6 ] || { note "package install failed, retrying in 10 s (dpkg busy?)"; sleep 10; }
	done
	return 1
}

host_deps() {
	host_pkgs guest || die "could not install the guest packages (scripts/deps guest)"
}

apt_opts=(-q -o DPkg::Lock::Timeout=300)
# apt-get download as root warns that _apt cannot write the folder; it is ours.
[ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)

# --- kernels -----------------------------------------------------------------

# Map a --kernel name to a kernel, fetching it on first use.  Sets:
#   KABI    the kernel's release (uname -r), e.g. 6.1.0-56-amd64; names
#           build/module/<KABI>/ (for the debug kernel: "debug")
#   KIMAGE  the bzImage to boot
#   KDIR    the kbuild tree modules are built against
#   KMEM, KTIMEOUT   defaults for --mem and --timeout
#   KMAKE_ARGS       more arguments of `make module'
# To add a flavour, add a line here (and its name to KERNELS).
# ARCH (default amd64) is the guest's: arm64 kernels are kernel_arm64's.
kernel_resolve() {
	KMEM=1G KTIMEOUT=600 KMAKE_ARGS=() KROOT=
	if [ "${2:-amd64}" = arm64 ]; then
		kernel_resolve_arm64 "$1"
		return 0
	fi
	case $1 in
	debian) kernel_debian linux-image-amd64 ;;
	rt) kernel_debian linux-image-rt-amd64 ;;
	6.12) kernel_debian linux-image-amd64 bookworm-backports 6.12 ;;
	6.12-rt) kernel_debian linux-image-rt-amd64 bookworm-backports 6.12 ;;
	7.3) kernel_debian linux-image-amd64 trixie-backports 7.3 ;;
	7.3-rt) kernel_debian linux-image-rt-amd64 trixie-backports 7.3 ;;
	sid) kernel_debian linux-image-amd64 sid ;;
	sid-rt) kernel_debian linux-image-rt-amd64 sid ;;
	debug) kernel_debug ;;
	*) die "unknown kernel '$1' (known: $KERNELS)" ;;
	esac
}

# kernel_debug: scripts/debug-kernel builds it on first use (and after its
# config fragment changes); KASAN and kmemleak want more memory and time.
kernel_debug() {
	KDIR=$("$REPO/scripts/debug-kernel") || die "the debug kernel is not available (scripts/debug-kernel)"
	KIMAGE=$KDIR/arch/x86/boot/bzImage
	KABI=debug
	KMEM=2G KTIMEOUT=3600
	# Debug information in the module, for scripts/faddr2line on reports.
	KMAKE_ARGS=(KCFLAGS=-g)
}

# kernel_debian METAPACKAGE [SUITE [SERIES]]: the image the metapackage
# currently depends on, from SUITE (e.g. bookworm-backports, through the
# private apt configuration) if given; SERIES (e.g. 6.12) must then start
# the kernel's release.  The image is unpacked into build/cache/kernel/<abi>/,
# never installed.  For a kernel of the machine's own release the matching
# linux-headers-<abi> is installed for real (the module build needs it);
# one of another release (trixie, sid) wants that release's compiler, so
# its headers go into a chroot of that release (kbuild_root), where the
# module is built: KROOT names it, and KDIR is the path inside it.
kernel_debian() {
	local meta=$1 suite=${2:-} series=${3:-} rel='' dep pkg dir tmp name deb parts
	if [ -n "$suite" ]; then
		apt_private "$suite"
		rel=/$suite
	fi
	dep=$(kernel_image_dep "$meta$rel")
	if [ -z "$dep" ] && apt_refresh; then
		dep=$(kernel_image_dep "$meta$rel")
	fi
	[ -n "$dep" ] || die "cannot resolve $meta$rel with apt-cache depends (apt-get update?)"
	KABI=${dep#linux-image-}
	KABI=${KABI%-unsigned}
	[ -z "$series" ] || [[ $KABI == "$series".* ]] ||
		die "$meta$rel is now $KABI, not a $series kernel; update kernel_resolve in scripts/vm-run"
	dir=$CACHE/kernel/$KABI
	KIMAGE=$dir/boot/vmlinuz-$KABI
	KDIR=/lib/modules/$KABI/build

	if [ ! -e "$dir/.complete" ]; then
		mkdir -p "$CACHE/kernel"
		exec 8>"$CACHE/kernel/.lock"
		flock 8
		if [ ! -e "$dir/.complete" ]; then
			# The signed image if the archive has it, else the -unsigned one.
			pkg=linux-image-$KABI
			apt_has "$pkg$rel" || pkg=linux-image-$KABI-unsigned
			apt_has "$pkg$rel" || die "no package linux-image-${KABI}[-unsigned] in the archive"
			note "downloading $pkg$rel into ${dir#"$REPO"/}/"
			tmp=$(mktemp -d "$CACHE/kernel/.fetch.XXXXXX")
			if ! apt_download "$tmp" "$pkg$rel"; then
				# Stale package lists name a file the archive dropped.
				apt_refresh && apt_download "$tmp" "$pkg$rel" ||
					{ rm -rf "$tmp"; die "apt-get download $pkg$rel failed"; }
			fi
			# Since 7.x the image is split: its vmlinuz and modules
			# come in linux-binary-<abi> and linux-modules-<abi>.
			parts=()
			for name in $(deb_depends "$tmp"/*.deb); do
				case $name in
				linux-binary-"$KABI" | linux-modules-"$KABI" | linux-base-"$KABI")
					parts+=("$name$rel") ;;
				esac
			done
			if [ ${#parts[@]} -gt 0 ] && ! apt_download "$tmp" "${parts[@]}"; then
				rm -rf "$tmp"
				die "apt-get download ${parts[*]} failed"
			fi
			mkdir "$tmp/root"
			for deb in "$tmp"/*.deb; do
				note "unpacking $(basename "$deb") (dpkg-deb -x)"
				dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x failed"; }
			done
			(cd "$tmp" && ls -- *.deb) >"$tmp/root/.complete"
			rm -rf "$dir" "$tmp"/*.deb
			mv "$tmp/root" "$dir"
			rmdir "$tmp"
		fi
		exec 8>&-
	fi
	# Since 7.x the image lives beside the modules.
	[ -e "$KIMAGE" ] || KIMAGE=$dir/usr/lib/modules/$KABI/vmlinuz
	[ -e "$KIMAGE" ] || die "no vmlinuz in ${dir#"$REPO"/}; remove it and retry"

	if [ -n "$suite" ] && [ "${suite%%-*}" != "$(host_release)" ]; then
		kbuild_root "${suite%%-*}" "$KABI"
		[ -e "$KROOT$KDIR/Makefile" ] || die "$KROOT$KDIR is missing although linux-headers-$KABI is installed there"
		return 0
	fi
	if [ -n "$suite" ]; then
		headers_from_suite "$KABI" "$suite"
	else
		headers_ensure "linux-headers-$KABI"
	fi
	[ -e "$KDIR/Makefile" ] || die "$KDIR is missing although linux-headers-$KABI is installed"
}

# kernel_image_dep META[/SUITE]: the linux-image-<abi> package META depends on.
kernel_image_dep() {
	apt-cache "${apt_opts[@]}" depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\(linux-image-[0-9][^ >]*\)>\{0,1\}$/\1/p' |
		head -n 1 || true
}

# apt_download DIR PACKAGE[/SUITE]...: apt-get download into DIR.
apt_download() {
	local d=$1
	shift
	(cd "$d" && apt-get "${apt_opts[@]}" download "$@" >/dev/null 2>&1)
}

# apt_refresh: one `apt-get update` per run (as root), for a machine whose
# package lists are missing or stale (the private lists only, once
# apt_private has run).  Fails when that is not possible.
APT_REFRESHED=
apt_refresh() {
	[ -z "$APT_REFRESHED" ] && [ "$(id -u)" = 0 ] || return 1
	APT_REFRESHED=1
	if [ -n "$APT_PRIVATE_SUITE" ]; then
		note "refreshing the private package list of $APT_PRIVATE_SUITE"
	else
		note "refreshing the package lists (apt-get update)"
	fi
	(
		flock 7
		apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1
	) 7>>"$CACHE/apt.lock"
}

# apt_has PACKAGE[/SUITE]: the archive has PACKAGE (apt-cache policy knows
# no /SUITE: with the private configuration there is only that suite).
apt_has() {
	local policy
	policy=$(apt-cache "${apt_opts[@]}" policy "${1%/*}" 2>/dev/null) || return 1
	[[ $policy =~ Candidate:\ [^\(] ]]
}

# host_release: the machine's Debian release (bookworm).
host_release() {
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# apt_archive_of SUITE: "URI [KEYRING]" of an archive serving SUITE: the
# machine's own source for it or for its release, else the archive the
# machine uses for its own release, which serves every release (a
# -security suite: the machine's security archive).
apt_archive_of() {
	local suite=$1 host src
	src=$(apt_source_of "$suite" | head -n 1)
	[ -n "$src" ] || src=$(apt_source_of "${suite%%-*}" | head -n 1)
	if [ -z "$src" ]; then
		host=$(host_release)
		case $suite in
		*-security) src=$(apt_source_of "$host-security" | head -n 1) ;;
		*) src=$(apt_source_of "$host" | head -n 1) ;;
		esac
	fi
	printf '%s\n' "$src"
}

# kbuild_root RELEASE ABI: a chroot of RELEASE (a copy of scripts/debian-root's,
# in build/cache/kbuild/RELEASE/root/) with linux-headers-ABI installed;
# sets KROOT.  Made on first use, kept; nothing of RELEASE touches the host.
kbuild_root() {
	local rel=$1 abi=$2 dir=$CACHE/kbuild/$1
	KROOT=$dir/root
	mkdir -p "$dir"
	exec 8>"$dir/.lock"
	flock 8
	if [ ! -e "$dir/.complete" ]; then
		rm -rf "$KROOT"
		note "making a $rel chroot for module builds in ${dir#"$REPO"/}/ (scripts/debian-root)"
		"$REPO/scripts/debian-root" --copy "$KROOT" "$rel" >/dev/null ||
			die "no $rel system (scripts/debian-root)"
		touch "$dir/.complete"
	fi
	# gcc and binutils too: the headers pull in the compiler proper only.
	if [ ! -e "$KROOT/lib/modules/$abi/build/Makefile" ] ||
	   [ ! -x "$KROOT/usr/bin/as" ]; then
		note "installing linux-headers-$abi in the $rel chroot (apt-get, inside it)"
		in_root "$KROOT" apt-get -qq update >"$dir/apt.log" 2>&1 &&
			in_root "$KROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends make gcc binutils "linux-headers-$abi" >>"$dir/apt.log" 2>&1 ||
			{ tail -n 20 "$dir/apt.log" >&2; die "could not install linux-headers-$abi in the $rel chroot"; }
	fi
	exec 8>&-
}

# in_root ROOT COMMAND...: run COMMAND in the chroot ROOT as root, in a mount
# namespace of its own (nothing stays mounted), with /proc, /dev and the
# repository (at the same path, so build paths agree) mounted in.
in_root() {
	local root=$1
	shift
	unshare --mount --propagation private /bin/bash -c '
		root=$1 repo=$2
		shift 2
		mount -t proc proc "$root/proc" &&
		mount --rbind /dev "$root/dev" &&
		mkdir -p "$root$repo" && mount --bind "$repo" "$root$repo" &&
		cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' in_root "$root" "$REPO" "$@"
}

# --- arm64 guests --------------------------------------------------------------
#
# Debian's arm64 kernels, booted by qemu-system-aarch64.  Everything arm64
# goes through a chroot of the kernel's release (arm64_root, in
# build/cache/kbuild/<release>-arm64/root/) where dpkg has arm64 as a second
# architecture (the host's dpkg never does): its apt downloads the kernel
# image and busybox-static, which are unpacked into the cache, never
# installed; linux-headers-<abi>:arm64 and the cross compiler are installed
# in it, and the module and the guest programs are built in it with
# ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-.

ARM64_CROSS=aarch64-linux-gnu-

# kernel_resolve_arm64 NAME: kernel_resolve for an arm64 guest; sets the
# same variables (KROOT always: every arm64 build runs in the chroot).
kernel_resolve_arm64() {
	local rel
	rel=$(host_release)
	case $1 in
	debian) kernel_arm64 linux-image-arm64 "$rel" ;;
	rt) kernel_arm64 linux-image-rt-arm64 "$rel" ;;
	6.12) kernel_arm64 linux-image-arm64 bookworm-backports 6.12 ;;
	6.12-rt) kernel_arm64 linux-image-rt-arm64 bookworm-backports 6.12 ;;
	6.12-16k) kernel_arm64 linux-image-arm64-16k trixie 6.12 ;;
	*) die "no arm64 kernel '$1' (arm64: ${KERNELS_ARM64:-})" ;;
	esac
	# Software emulation of another architecture: several times slower.
	KTIMEOUT=3600
	KMAKE_ARGS=(MODULE_ARCH=arm64 "MODULE_CROSS_COMPILE=$ARM64_CROSS")
}

# arm64_apt ARGS...: apt-get in the arm64 chroot, quietly, its output in
# the chroot's apt.log (shown when it fails).
arm64_apt() {
	in_root "$KROOT" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o DPkg::Lock::Timeout=300 "$@" >"$KROOT/../apt.log" 2>&1 && return 0
	tail -n 20 "$KROOT/../apt.log" | sed 's/^/apt: /' >&2
	return 1
}

# arm64_download DIR PACKAGE[:arm64/SUITE]...: apt-get download in the
# chroot, into DIR on the host (the chroot sees only its own files and the
# repository, not the cache the repository's build/cache may point to).
arm64_download() {
	local d=$1 tmp rc=0
	shift
	tmp=$(mktemp -d "$KROOT/tmp/rtheap-fetch.XXXXXX")
	# shellcheck disable=SC2016 # (expanded by the chroot's sh)
	in_root "$KROOT" /bin/sh -c 'cd "$1" && shift && apt-get -q -o APT::Sandbox::User=root download "$@"' \
		sh "${tmp#"$KROOT"}" "$@" >"$KROOT/../apt.log" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		mv "$tmp"/*.deb "$d"/ || rc=1
	else
		tail -n 5 "$KROOT/../apt.log" | sed 's/^/apt: /' >&2
	fi
	rm -rf "$tmp"
	return "$rc"
}

# arm64_root RELEASE: the chroot of RELEASE for arm64 builds (a copy of
# scripts/debian-root's, plus RELEASE-backports for the host's release, whose
# 6.12 kernels come from there); sets KROOT and ARM64_BUSYBOX, the guest's
# arm64 busybox (from busybox-static:arm64, unpacked beside the chroot).
arm64_root() {
	local rel=$1 dir=$CACHE/kbuild/$1-arm64 src uri key tmp
	local guest=$dir/guest
	KROOT=$dir/root
	mkdir -p "$dir"
	exec 8>"$dir/.lock"
	flock 8
	if [ ! -e "$dir/.complete" ]; then
		rm -rf "$KROOT" "$guest" "$dir/apt.log"
		note "making a $rel chroot for arm64 builds in ${dir#"$REPO"/}/ (scripts/debian-root, then dpkg --add-architecture arm64 inside it)"
		"$REPO/scripts/debian-root" --copy "$KROOT" "$rel" >/dev/null ||
			die "no $rel system (scripts/debian-root)"
		if [ "$rel" != sid ] && ! grep -q " $rel-backports " "$KROOT/etc/apt/sources.list"; then
			src=$(apt_archive_of "$rel-backports")
			uri=${src%% *}
			key=${src#"$uri"}
			key=${key# }
			[ -z "$uri" ] ||
				printf 'deb %s%s %s main\n' "${key:+[signed-by=$key] }" "$uri" "$rel-backports" \
					>>"$KROOT/etc/apt/sources.list"
		fi
		in_root "$KROOT" dpkg --add-architecture arm64 ||
			die "dpkg --add-architecture arm64 failed in the $rel chroot"
		arm64_apt update || die "apt-get update failed in the $rel chroot"
		tmp=$(mktemp -d "$dir/.busybox.XXXXXX")
		arm64_download "$tmp" busybox-static:arm64 ||
			{ rm -rf "$tmp"; die "apt-get download busybox-static:arm64 failed"; }
		dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root" ||
			{ rm -rf "$tmp"; die "dpkg-deb -x busybox-static:arm64 failed"; }
		mv "$tmp/root" "$guest"
		rm -rf "$tmp"
		touch "$dir/.complete"
	fi
	# /bin/busybox up to bookworm, /usr/bin/busybox since trixie.
	ARM64_BUSYBOX=$guest/usr/bin/busybox
	[ -e "$ARM64_BUSYBOX" ] || ARM64_BUSYBOX=$guest/bin/busybox
	# The cross compiler, and pahole for the BTF of 6.12's modules.
	if [ ! -x "$KROOT/usr/bin/${ARM64_CROSS}gcc" ] || [ ! -x "$KROOT/usr/bin/pahole" ]; then
		note "installing the arm64 cross compiler in the $rel chroot (apt-get, inside it)"
		arm64_apt install --no-install-recommends make gcc binutils pkg-config \
			gcc-aarch64-linux-gnu libc6-dev-arm64-cross dwarves ||
			die "could not install the arm64 cross compiler in the $rel chroot"
	fi
	exec 8>&-
}

# kernel_arm64 METAPACKAGE SUITE [SERIES]: kernel_debian for arm64: the
# image the arm64 METAPACKAGE of SUITE depends on, unpacked into
# build/cache/kernel/<abi>/ with its Image uncompressed (qemu boots the raw
# Image), and its headers installed in the chroot of SUITE's release.
kernel_arm64() {
	local meta=$1 suite=$2 series=${3:-} rel=${2%%-*} dep pkg dir tmp deb img
	arm64_root "$rel"
	dep=$(in_root "$KROOT" apt-cache depends "$meta:arm64/$suite" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\(linux-image-[0-9][^ >:]*\)\(:arm64\)\{0,1\}>\{0,1\}$/\1/p' |
		head -n 1) || true
	if [ -z "$dep" ]; then
		note "refreshing the package lists of the $rel chroot"
		arm64_apt update || true
		dep=$(in_root "$KROOT" apt-cache depends "$meta:arm64/$suite" 2>/dev/null |
			sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\(linux-image-[0-9][^ >:]*\)\(:arm64\)\{0,1\}>\{0,1\}$/\1/p' |
			head -n 1) || true
	fi
	[ -n "$dep" ] || die "cannot resolve $meta:arm64/$suite with apt-cache depends in the $rel chroot"
	KABI=${dep#linux-image-}
	KABI=${KABI%-unsigned}
	[ -z "$series" ] || [[ $KABI == "$series".* ]] ||
		die "$meta:arm64/$suite is now $KABI, not a $series kernel; update kernel_resolve_arm64 in scripts/debian.sh"
	dir=$CACHE/kernel/$KABI
	# (/lib/modules/<abi>/build would be an absolute link into the chroot.)
	KDIR=/usr/src/linux-headers-$KABI

	if [ ! -e "$dir/.complete" ]; then
		mkdir -p "$CACHE/kernel"
		exec 8>"$CACHE/kernel/.lock"
		flock 8
		if [ ! -e "$dir/.complete" ]; then
			pkg=linux-image-$KABI-unsigned
			note "downloading $pkg:arm64/$suite into ${dir#"$REPO"/}/"
			tmp=$(mktemp -d "$CACHE/kernel/.fetch.XXXXXX")
			arm64_download "$tmp" "$pkg:arm64/$suite" ||
				{ rm -rf "$tmp"; die "apt-get download $pkg:arm64/$suite failed"; }
			mkdir "$tmp/root"
			for deb in "$tmp"/*.deb; do
				note "unpacking $(basename "$deb") (dpkg-deb -x)"
				dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x failed"; }
			done
			# arm64's vmlinuz is a gzip'd Image; qemu wants it raw.
			img=$tmp/root/boot/vmlinuz-$KABI
			if [ "$(head -c 2 "$img" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
				gzip -dc <"$img" >"$tmp/root/boot/Image-$KABI" ||
					{ rm -rf "$tmp"; die "gunzip of vmlinuz-$KABI failed"; }
			else
				cp "$img" "$tmp/root/boot/Image-$KABI"
			fi
			(cd "$tmp" && ls -- *.deb) >"$tmp/root/.complete"
			rm -rf "$dir" "$tmp"/*.deb
			mv "$tmp/root" "$dir"
			rmdir "$tmp"
		fi
		exec 8>&-
	fi
	KIMAGE=$dir/boot/Image-$KABI
	[ -e "$KIMAGE" ] || die "no Image in ${dir#"$REPO"/}; remove it and retry"

	[ -e "$KROOT$KDIR/Makefile" ] || arm64_headers "$KABI" "$suite"
	[ -e "$KROOT$KDIR/Makefile" ] || die "$KROOT$KDIR is missing although linux-headers-$KABI:arm64 is unpacked there"
}

# arm64_headers ABI SUITE: linux-headers-ABI:arm64 and its -common unpacked
# (dpkg-deb -x) into the chroot, with the chroot's own (amd64) linux-kbuild,
# whose programs run on the build machine.  Not installed with apt: the
# arm64 headers depend on the arm64 gcc, which cannot sit beside the native
# one; the cross compiler stands in for it.
arm64_headers() {
	local abi=$1 suite=$2 hdr=linux-headers-$1 tmp deb name pkgs=()
	note "unpacking $hdr:arm64 from $suite into the chroot (apt-get download, dpkg-deb -x)"
	tmp=$(mktemp -d "$CACHE/kernel/.headers.XXXXXX")
	arm64_download "$tmp" "$hdr:arm64/$suite" ||
		{ rm -rf "$tmp"; die "apt-get download $hdr:arm64/$suite failed"; }
	for name in $(deb_depends "$tmp/$hdr"_*.deb); do
		case $name in
		linux-headers-*) pkgs+=("$name/$suite") ;;
		linux-kbuild-*) pkgs+=("$name:amd64/$suite") ;;
		esac
	done
	if [ ${#pkgs[@]} -gt 0 ] && ! arm64_download "$tmp" "${pkgs[@]}"; then
		rm -rf "$tmp"
		die "apt-get download ${pkgs[*]} failed"
	fi
	# Their /usr only: a /lib of theirs would replace the chroot's link
	# to usr/lib (merged /usr) with a folder.
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		note "unpacking $(basename "$deb") into the chroot (dpkg-deb -x)"
		dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x $(basename "$deb") failed"; }
	done
	cp -a "$tmp/root/usr/." "$KROOT/usr/" || { rm -rf "$tmp"; die "copying $hdr into the chroot failed"; }
	rm -rf "$tmp"
}

# apt_source_of CODENAME: "URI [KEYRING]" of the first deb source in /etc/apt
# for suite CODENAME (one-line .list and deb822 .sources formats).
apt_source_of() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v want="$1" '
			/^[ \t]*deb[ \t]/ {
				sub(/[ \t]*#.*/, "")
				key = ""
				if (match($0, /\[[^]]*\]/)) {
					opts = substr($0, RSTART + 1, RLENGTH - 2)
					$0 = substr($0, 1, RSTART - 1) substr($0, RSTART + RLENGTH)
					if (match(opts, /signed-by=[^ \t]+/))
						key = substr(opts, RSTART + 10, RLENGTH - 10)
				}
				if ($3 == want) { print $2, key; exit }
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v want="$1" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") &&
				    tolower(enabled) != "no" && uris != "") {
					split(uris, u, " ")
					print u[1], (key ~ /^\// ? key : "")
					found = 1
				}
				types = uris = suites = key = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); if (found) exit; next }
			/^[^ \t]/ {
				field = tolower($1)
				val = $0
				sub(/^[^:]*:[ \t]*/, "", val)
				if (field == "types:") types = val
				else if (field == "uris:") uris = val
				else if (field == "suites:") suites = val
				else if (field == "signed-by:") key = val
				else if (field == "enabled:") enabled = val
			}
			END { if (!found) flush() }' "$f"
	done
}

# apt_private SUITE: from now on, apt reads SUITE (and only it) through a
# configuration of our own in build/cache/apt/: its sources.list names the
# archive /etc/apt uses for SUITE's release, its package lists are ours.
APT_PRIVATE_SUITE=
apt_private() {
	local suite=$1 d=$CACHE/apt src uri key line
	src=$(apt_archive_of "$suite")
	uri=${src%% *}
	key=${src#"$uri"}
	key=${key# }
	[ -n "$uri" ] || die "no deb source for ${suite%%-*} in /etc/apt/sources.list{,.d/}: cannot find the archive of $suite"
	line="deb ${key:+[signed-by=$key] }$uri $suite main"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	if [ "$(cat "$d/sources.list" 2>/dev/null)" != "$line" ]; then
		printf '%s\n' "$line" >"$d/sources.list"
		rm -f "$d/lists/"*_Packages* "$d/lists/"*Release*
	fi
	apt_opts+=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
	APT_PRIVATE_SUITE=$suite
	note "$suite: private apt configuration in ${d#"$REPO"/}/ (the machine's /etc/apt is not changed)"
	if ! compgen -G "$d/lists/*_Packages*" >/dev/null; then
		apt_refresh || die "cannot read $suite: apt-get update (private lists) failed or needs root"
	fi
}

headers_ensure() {
	local pkg=$1 st
	st=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || true
	[ "$st" = installed ] && return 0
	[ "$(id -u)" = 0 ] || die "$pkg is not installed; run: sudo apt-get install $pkg"
	note "installing $pkg (apt-get install)"
	local i
	for i in 1 2; do
		DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
			--no-install-recommends "$pkg" >/dev/null 2>&1 && return 0
		[ "$i" = 1 ] && apt_refresh || break
	done
	die "apt-get install $pkg failed"
}

# headers_from_suite ABI SUITE: install linux-headers-ABI and its -common and
# linux-kbuild packages from SUITE with dpkg -i.  These headers depend on
# their image, which we boot from the build cache and do not install: a stub
# package, rtheap-image-stub-ABI, provides linux-image-ABI at the same version,
# so the dependencies hold and apt stays consistent (apt-get check).  Their
# other dependencies (gcc, pahole, linux-base) come from the machine's own
# archive first.
headers_from_suite() {
	local abi=$1 suite=$2 hdr=linux-headers-$1 st tmp ver deb dep name
	local pkgs=() sysdeps=()
	st=$(dpkg-query -W -f='${db:Status-Status}' "$hdr" 2>/dev/null) || true
	[ "$st" = installed ] && return 0
	[ "$(id -u)" = 0 ] || die "$hdr is not installed; rerun as root, which installs it"
	note "installing $hdr from $suite (apt-get download, dpkg -i)"
	tmp=$(mktemp -d "$CACHE/apt/.headers.XXXXXX")
	apt_download "$tmp" "$hdr/$suite" ||
		{ apt_refresh && apt_download "$tmp" "$hdr/$suite"; } ||
		{ rm -rf "$tmp"; die "apt-get download $hdr/$suite failed"; }
	ver=$(dpkg-deb -f "$tmp/$hdr"_*.deb Version)
	# Its -common and linux-kbuild packages come from the suite too.
	for name in $(deb_depends "$tmp/$hdr"_*.deb); do
		case $name in
		linux-headers-* | linux-kbuild-*) pkgs+=("$name/$suite") ;;
		esac
	done
	if [ ${#pkgs[@]} -gt 0 ] && ! apt_download "$tmp" "${pkgs[@]}"; then
		rm -rf "$tmp"
		die "apt-get download ${pkgs[*]} failed"
	fi
	# What they depend on besides each other and the image: from the
	# machine's own archive (gcc, pahole, linux-base...).
	pkgs=()
	for deb in "$tmp"/*.deb; do pkgs+=("$(dpkg-deb -f "$deb" Package)"); done
	for deb in "$tmp"/*.deb; do
		for dep in $(deb_depends "$deb"); do
			case " ${pkgs[*]} ${sysdeps[*]} " in *" $dep "*) continue ;; esac
			[[ $dep == linux-image-* ]] || sysdeps+=("$dep")
		done
	done
	if [ ${#sysdeps[@]} -gt 0 ] && ! host_pkgs "${sysdeps[*]}"; then
		rm -rf "$tmp"
		die "could not install ${sysdeps[*]} (needed by $hdr)"
	fi
	image_stub "$abi" "$ver" "$tmp" || { rm -rf "$tmp"; die "could not build the image stub package"; }
	pkgs+=("rtheap-image-stub-$abi")
	if ! DEBIAN_FRONTEND=noninteractive dpkg -i "$tmp"/*.deb >"$tmp/dpkg.log" 2>&1; then
		sed 's/^/vm-run: dpkg: /' "$tmp/dpkg.log" | tail -n 20 >&2
		note "dpkg -i failed; removing what it installed: ${pkgs[*]}"
		dpkg --purge "${pkgs[@]}" >/dev/null 2>&1 || true
		rm -rf "$tmp"
		die "could not install $hdr"
	fi
	rm -rf "$tmp"
	apt-get -qq check >/dev/null 2>&1 || note "warning: apt-get check fails after installing $hdr"
}

# deb_depends DEB: the first alternative of each of DEB's dependencies.
deb_depends() {
	dpkg-deb -f "$1" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed -n 's/^ *\([a-z0-9][a-z0-9.+-]*\).*/\1/p'
}

# image_stub ABI VERSION DIR: build DIR/rtheap-image-stub-ABI.deb, an empty
# package that provides linux-image-ABI (= VERSION).
image_stub() {
	local abi=$1 ver=$2 d=$3/stub
	mkdir -p "$d/DEBIAN"
	cat >"$d/DEBIAN/control" <<-EOF
		Package: rtheap-image-stub-$abi
		Version: $ver
		Architecture: all
		Section: kernel
		Priority: optional
		Maintainer: rtheap scripts/vm-run <root@localhost>
		Provides: linux-image-$abi (= $ver)
		Description: stands in for linux-image-$abi, which is not installed
		 rtheap's scripts/vm-run boots linux-image-$abi in qemu from its build
		 cache and installs only linux-headers-$abi, to build modules for it.
		 This empty package satisfies the headers' dependency on the image;
		 remove it together with them (dpkg --purge).
	EOF
	dpkg-deb --root-owner-group -b "$d" "$3/rtheap-image-stub-${abi}_all.deb" >/dev/null &&
		rm -rf "$d"
}

