#!/bin/sh
# SPDX-License-Identifier: MIT
# Prepares Debian's own arm64 Linux as a cvisor guest, from Debian packages
# only (apt-get download; the arm64 architecture is added to dpkg if it is
# missing): the cloud kernel's Image, and an initramfs whose /init mounts
# /proc and /sys, prints a banner and gives a busybox shell on the console.
# Nothing is installed on the host.
#
#   scripts/linux-guest.sh DIR     writes DIR/Image and DIR/initramfs.cpio.gz
#
# configs/aarch64/linux.toml boots them (make linux).
set -eu

dir=${1:?usage: scripts/linux-guest.sh DIR}
mkdir -p "$dir"
if [ -s "$dir/Image" ] && [ -s "$dir/initramfs.cpio.gz" ]; then
	exit 0
fi

. "$(dirname "$0")/as-root.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "cvisor: adding the arm64 architecture to dpkg (for Debian's arm64 kernel)"
	as_root dpkg --add-architecture arm64
	as_root apt-get update -qq
fi

# download PACKAGE: the .deb of PACKAGE:arm64 into $tmp (apt's lists refreshed once if needed).
download() {
	if ! (cd "$tmp" && apt-get download -qq "$1:arm64" >/dev/null 2>&1); then
		as_root apt-get update -qq
		(cd "$tmp" && apt-get download -qq "$1:arm64" >/dev/null 2>&1) || {
			echo "cvisor: could not download $1:arm64 from the Debian archive" >&2
			exit 1
		}
	fi
}

# The metapackage names the current kernel package.
kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
	as_root apt-get update -qq
	kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
fi
echo "cvisor: fetching $kpkg and busybox-static for arm64 into $dir"
download "$kpkg"
download busybox-static
dpkg-deb -x "$tmp"/linux-image-*_arm64.deb "$tmp/kernel"
dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/busybox"
# Debian's arm64 vmlinuz is the kernel's Image, gzip-compressed in some releases.
if gzip -t "$tmp"/kernel/boot/vmlinuz-* 2>/dev/null; then
	zcat "$tmp"/kernel/boot/vmlinuz-* >"$tmp/Image"
else
	cp "$tmp"/kernel/boot/vmlinuz-* "$tmp/Image"
fi

# ---- the initramfs, a cpio "newc" archive (Linux's
# Documentation/driver-api/early-userspace/buffer-format.rst), written here
# so that no cpio program is needed.
cpio=$tmp/initramfs.cpio
: >"$cpio"
ino=1

# pad4 N: zero bytes that bring N up to a multiple of 4.
pad4() {
	n=$(((4 - $1 % 4) % 4))
	[ "$n" -gt 0 ] && head -c "$n" /dev/zero >>"$cpio"
	return 0
}

# entry NAME MODE(octal) FILE-OR-EMPTY [RDEV-MAJOR RDEV-MINOR]
entry() {
	name=$1
	mode=$2
	data=$3
	size=0
	[ -n "$data" ] && size=$(wc -c <"$data")
	namesize=$((${#name} + 1))
	printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x' \
		"$ino" "$((0$mode))" 0 0 1 0 "$size" 0 0 "${4:-0}" "${5:-0}" "$namesize" 0 >>"$cpio"
	printf '%s\0' "$name" >>"$cpio"
	pad4 $((110 + namesize))
	if [ -n "$data" ]; then
		cat "$data" >>"$cpio"
		pad4 "$size"
	fi
	ino=$((ino + 1))
}

cat >"$tmp/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "cvisor linux guest: Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online"
exec setsid cttyhack sh
EOF
printf 'busybox' >"$tmp/busybox-link"
entry . 040755 ""
entry bin 040755 ""
entry bin/busybox 0100755 "$tmp/busybox/bin/busybox"
entry bin/sh 0120777 "$tmp/busybox-link"
entry dev 040755 ""
entry dev/console 020600 "" 5 1
entry proc 040755 ""
entry sys 040755 ""
entry init 0100755 "$tmp/init"
entry TRAILER!!! 0 ""
gzip -9n <"$cpio" >"$tmp/initramfs.cpio.gz"

mv "$tmp/Image" "$dir/Image"
mv "$tmp/initramfs.cpio.gz" "$dir/initramfs.cpio.gz"
echo "cvisor: $dir/Image ($(wc -c <"$dir/Image") bytes) and $dir/initramfs.cpio.gz ready"
