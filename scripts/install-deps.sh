#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages cvisor needs to build and test, if any is missing.
# Uses apt-get directly as root, through sudo otherwise. Nothing else is downloaded.
# clang and libclang-rt-dev (libFuzzer and the sanitizer runtimes) are for make fuzz,
# doxygen and graphviz for make docs. bochs, its BIOSes and GRUB's ISO tools
# (grub-pc-bin, grub-common, xorriso, mtools) run the bare x86_64 build
# (scripts/x86-iso.sh, scripts/bochs.sh): QEMU's TCG has no VMX.
# e2fsprogs makes and reads the ext2 disk of the Linux suites (mke2fs -d,
# debugfs); xz-utils unpacks kernel modules shipped compressed
# (scripts/linux-guest.sh).
#
#   scripts/install-deps.sh                    the packages of the build and the tests
#   scripts/install-deps.sh --bare-libfdt DIR  libfdt for AArch64 into DIR (bare build)
#
# The bare build links libfdt for AArch64. Debian's libfdt-dev cannot be
# installed for two architectures at once, so its arm64 package is
# downloaded from the Debian archive (after adding the arm64 architecture
# to dpkg) and unpacked into the build tree, not installed.
set -eu

PKGS="make gcc libc6-dev pkg-config \
libunicorn-dev libcapstone-dev libcmocka-dev libfdt-dev \
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu \
qemu-system-arm qemu-system-misc u-boot-qemu gdb-multiarch python3 \
bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools \
clang libclang-rt-dev doxygen graphviz e2fsprogs xz-utils"

. "$(dirname "$0")/as-root.sh"

if [ "${1:-}" = --bare-libfdt ]; then
	dir=${2:?usage: install-deps.sh --bare-libfdt DIR}
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "cvisor: adding the arm64 architecture to dpkg (for libfdt-dev:arm64)"
		as_root dpkg --add-architecture arm64
		as_root apt-get update -qq
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if ! (cd "$tmp" && apt-get download -qq libfdt-dev:arm64 >/dev/null 2>&1); then
		as_root apt-get update -qq
		(cd "$tmp" && apt-get download -qq libfdt-dev:arm64)
	fi
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/libfdt-dev_*_arm64.deb "$dir"
	echo "cvisor: libfdt for arm64 unpacked into $dir"
	exit 0
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

echo "cvisor: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# shellcheck disable=SC2086
as_root apt-get install -y -qq --no-install-recommends $missing
