#!/bin/sh
# SPDX-License-Identifier: MIT
# Prepares Debian's own arm64 Linux as a cvisor guest, from Debian packages
# only (apt-get download; the arm64 architecture is added to dpkg if it is
# missing): the cloud kernel's Image and the few modules of the same
# package that drive virtio-mmio devices (the cloud kernel builds them as
# modules), and an initramfs in which busybox is init: it mounts /proc,
# /sys and /dev, loads those modules, brings lo and eth0 (when there is
# one) up, prints a banner, keeps a shell on the console, and powers the
# machine off on `poweroff` (busybox's poweroff signals init, which calls
# reboot(POWER_OFF): PSCI SYSTEM_OFF). Nothing is installed on the host.
#
#   scripts/linux-guest.sh DIR     writes DIR/Image, DIR/modules/*.ko,
#                                  DIR/kernel.version, DIR/initramfs.cpio.gz
#
# A kernel and its modules must come from one package: DIR/kernel.version
# names it ("RELEASE PACKAGE-VERSION", written once the Image and modules
# are in place). Without it, or with a module missing, the current kernel
# package is fetched and both are replaced. What is there is kept
# otherwise: the initramfs too, as long as DIR/initramfs.recipe names this
# script's recipe (INITRAMFS_RECIPE, to be changed with every change of
# what goes into the archive) and that kernel.
#
# configs/aarch64/linux.toml boots them (make linux); linux_virtio.toml
# gives the kernel a virtio disk and network interface too.
set -eu

INITRAMFS_RECIPE="busybox init, virtio modules, 3"

# The modules, in the order they are loaded: each after those it needs
# (checked below against each module's own depends= field, in its
# .modinfo section). virtio_ring and virtio are the core, virtio_mmio the
# transport; virtio_net needs net_failover, which needs failover. (Module
# names; a file may spell a _ as -: virtio-rng.ko.)
MODULES="virtio_ring virtio virtio_mmio failover net_failover virtio_blk virtio_net virtio_console virtio_rng"

dir=${1:?usage: scripts/linux-guest.sh DIR}
mkdir -p "$dir"
need_kernel=false
need_initramfs=true
[ -s "$dir/Image" ] && [ -s "$dir/kernel.version" ] || need_kernel=true
for m in $MODULES; do
	[ -s "$dir/modules/$m.ko" ] || need_kernel=true
done
if ! $need_kernel && [ -s "$dir/initramfs.cpio.gz" ] && [ -f "$dir/initramfs.recipe" ] &&
	[ "$(cat "$dir/initramfs.recipe")" = "$INITRAMFS_RECIPE; $(cat "$dir/kernel.version")" ]; then
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
	deb=$(echo "$tmp"/linux-image-*_arm64.deb)
	dpkg-deb -x "$deb" "$tmp/kernel"
	release=$(ls "$tmp/kernel/lib/modules")
	version="$release $(dpkg-deb -f "$deb" Version)"
	# Debian's arm64 vmlinuz is the kernel's Image, gzip-compressed in some releases.
	if gzip -t "$tmp"/kernel/boot/vmlinuz-* 2>/dev/null; then
		zcat "$tmp"/kernel/boot/vmlinuz-* >"$tmp/Image"
	else
		cp "$tmp"/kernel/boot/vmlinuz-* "$tmp/Image"
	fi
	# The modules, uncompressed (some releases ship them xz-compressed,
	# which busybox's insmod may not read), each checked to need only
	# those before it in MODULES.
	mkdir "$tmp/modules"
	loaded=""
	for m in $MODULES; do
		pat=$(echo "$m" | sed 's/_/[-_]/g')
		f=$(find "$tmp/kernel/lib/modules" \( -name "$pat.ko" -o -name "$pat.ko.xz" \) | head -n 1)
		case $f in
		"") echo "cvisor: $kpkg has no module $m" >&2; exit 1 ;;
		*.xz) xz -dc "$f" >"$tmp/modules/$m.ko" ;;
		*) cp "$f" "$tmp/modules/$m.ko" ;;
		esac
		for d in $(tr '\000' '\n' <"$tmp/modules/$m.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
			case " $loaded " in
			*" $d "*) ;;
			*) echo "cvisor: module $m of $kpkg needs $d, which is not before it in MODULES" >&2; exit 1 ;;
			esac
		done
		loaded="$loaded $m"
	done
	rm -f "$dir/kernel.version"
	rm -rf "$dir/modules"
	mv "$tmp/Image" "$dir/Image"
	mv "$tmp/modules" "$dir/modules"
	echo "$version" >"$dir/kernel.version"
	echo "cvisor: $dir/Image ($(wc -c <"$dir/Image") bytes) and its modules ($version) ready"
fi
$need_initramfs || exit 0
version=$(cat "$dir/kernel.version")
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
# The modules are loaded in MODULES' order, each one only if it is there
# for the running kernel (a kernel without them still boots to its shell).
release=${version%% *}
cat >"$tmp/rcS" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
loaded=""
for m in $MODULES; do
	f=/lib/modules/\$(uname -r)/\$m.ko
	[ -f "\$f" ] && insmod "\$f" && loaded="\$loaded \$m"
done
[ -n "\$loaded" ] && echo "cvisor linux guest: modules\$loaded loaded"
ip link set lo up
[ -e /sys/class/net/eth0 ] && ip link set eth0 up
echo "cvisor linux guest: Linux \$(uname -r), \$(grep -c ^processor /proc/cpuinfo) CPUs online"
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
entry lib 040755 ""
entry lib/modules 040755 ""
entry "lib/modules/$release" 040755 ""
for m in $MODULES; do
	entry "lib/modules/$release/$m.ko" 0100644 "$dir/modules/$m.ko"
done
entry mnt 040755 ""
entry proc 040755 ""
entry root 040700 ""
entry sys 040755 ""
entry tmp 041777 ""
entry init 0120777 "$tmp/init-link"
entry TRAILER!!! 0 ""
gzip -9n <"$cpio" >"$tmp/initramfs.cpio.gz"

mv "$tmp/initramfs.cpio.gz" "$dir/initramfs.cpio.gz"
echo "$INITRAMFS_RECIPE; $version" >"$dir/initramfs.recipe"
echo "cvisor: $dir/initramfs.cpio.gz ready"
