#!/bin/sh
# SPDX-License-Identifier: MIT
# Prepares Debian's own arm64 Linux as a cvisor guest, from Debian packages
# only (apt-get download; the arm64 architecture is added to dpkg if it is
# missing): the cloud kernel's Image, and an initramfs in which busybox is
# init: it mounts /proc, /sys and /dev, prints a banner, keeps a shell on
# the console, and powers the machine off on `poweroff` (busybox's
# poweroff signals init, which calls reboot(POWER_OFF): PSCI SYSTEM_OFF).
# Nothing is installed on the host.
#
#   scripts/linux-guest.sh DIR     writes DIR/Image and DIR/initramfs.cpio.gz
#
# Files already there are kept: the kernel, and the initramfs as long as
# DIR/initramfs.recipe names this script's recipe (INITRAMFS_RECIPE, to be
# changed with every change of what goes into the archive).
#
# configs/aarch64/linux.toml boots them (make linux).
set -eu

INITRAMFS_RECIPE="busybox init, 2"

dir=${1:?usage: scripts/linux-guest.sh DIR}
mkdir -p "$dir"
need_kernel=true
need_initramfs=true
[ -s "$dir/Image" ] && need_kernel=false
if [ -s "$dir/initramfs.cpio.gz" ] && [ -f "$dir/initramfs.recipe" ] &&
	[ "$(cat "$dir/initramfs.recipe")" = "$INITRAMFS_RECIPE" ]; then
	need_initramfs=false
fi
if ! $need_kernel && ! $need_initramfs; then
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

if $need_kernel; then
	# The metapackage names the current kernel package.
	kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
	if [ -z "$kpkg" ]; then
		as_root apt-get update -qq
		kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
	fi
	echo "cvisor: fetching $kpkg for arm64 into $dir"
	download "$kpkg"
	dpkg-deb -x "$tmp"/linux-image-*_arm64.deb "$tmp/kernel"
	# Debian's arm64 vmlinuz is the kernel's Image, gzip-compressed in some releases.
	if gzip -t "$tmp"/kernel/boot/vmlinuz-* 2>/dev/null; then
		zcat "$tmp"/kernel/boot/vmlinuz-* >"$tmp/Image"
	else
		cp "$tmp"/kernel/boot/vmlinuz-* "$tmp/Image"
	fi
	mv "$tmp/Image" "$dir/Image"
	echo "cvisor: $dir/Image ($(wc -c <"$dir/Image") bytes) ready"
fi
$need_initramfs || exit 0
echo "cvisor: fetching busybox-static for arm64; the initramfs ($INITRAMFS_RECIPE) into $dir"
download busybox-static
dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/busybox"

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

# /init is busybox, which runs as init (its applet is argv[0]'s name) and
# follows /etc/inittab (busybox's examples/inittab): the sysinit script
# first, then a shell on the console, started again when it exits.
# cttyhack opens the console's real device (/dev/ttyAMA0, from devtmpfs)
# so that the shell has a controlling terminal: job control and Ctrl-C.
cat >"$tmp/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::respawn:/bin/busybox cttyhack /bin/sh
::shutdown:/bin/busybox echo "cvisor linux guest: shutting down"
EOF
cat >"$tmp/rcS" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "cvisor linux guest: Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online"
EOF
printf 'busybox' >"$tmp/busybox-link"
printf 'bin/busybox' >"$tmp/init-link"
entry . 040755 ""
entry bin 040755 ""
entry bin/busybox 0100755 "$tmp/busybox/bin/busybox"
entry bin/sh 0120777 "$tmp/busybox-link"
entry dev 040755 ""
entry dev/console 020600 "" 5 1
entry etc 040755 ""
entry etc/inittab 0100644 "$tmp/inittab"
entry etc/init.d 040755 ""
entry etc/init.d/rcS 0100755 "$tmp/rcS"
entry proc 040755 ""
entry root 040700 ""
entry sys 040755 ""
entry tmp 041777 ""
entry init 0120777 "$tmp/init-link"
entry TRAILER!!! 0 ""
gzip -9n <"$cpio" >"$tmp/initramfs.cpio.gz"

mv "$tmp/initramfs.cpio.gz" "$dir/initramfs.cpio.gz"
echo "$INITRAMFS_RECIPE" >"$dir/initramfs.recipe"
echo "cvisor: $dir/initramfs.cpio.gz ready"
