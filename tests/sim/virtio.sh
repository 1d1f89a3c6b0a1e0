#!/bin/sh
# SPDX-License-Identifier: MIT
# virtio-blk driven by the guests' own minimal driver (guests/*/virtio_blk.S,
# docs/virtio.md), on each architecture, over a disk image this suite makes:
# the guest's console lines (features, capacity, sector 0's first bytes, its
# requests' outcomes), then the image file itself: sector 1 holds the
# guest's pattern, every other byte is as it was, the file was not grown.
# A read-only disk refuses the write (the guest sees IOERR) and the file is
# left whole; hello next to the guest in one run still powers off. Debian's
# U-Boot (AArch64, RISC-V) finds the disk through the device tree, writes
# a sector and reads it back.
#   tests/sim/virtio.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

DISKS=$OWN_DIR/disks # removed with OWN_DIR when the suite ends
mkdir -p "$DISKS"

# The image: 16 sectors and 100 bytes more (the capacity is rounded down to
# 16 sectors). Sector 0 begins with the 16 bytes the guests print, sector 1
# is 0xa5 throughout, the rest is 0.
SECTOR0_BYTES="63 76 69 73 6f 72 20 64 69 73 6b 20 30 0a 01 ff"
make_disk() {
	{
		printf 'cvisor disk 0\n\001\377'
		head -c 496 /dev/zero
		head -c 512 /dev/zero | tr '\000' '\245'
		head -c $((14 * 512 + 100)) /dev/zero
	} >"$1"
}
make_disk "$DISKS/original.img"

# The pattern a guest writes in sector 1: its 16-byte line, 32 times.
sector1() {
	i=0
	while [ $i -lt 32 ]; do
		printf '%s' "$1"
		i=$((i + 1))
	done
}

# expect_file_same FILE EXPECTED WHAT: the image FILE equals EXPECTED, byte for byte.
expect_file_same() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		fail "$3: $(cmp "$1" "$2" 2>&1 | head -n 1)"
	fi
}

# expect_sector1 FILE LINE: sector 1 of FILE is LINE 32 times.
expect_sector1() {
	sector1 "$2" >"$DISKS/sector1.want"
	dd if="$1" bs=512 skip=1 count=1 2>/dev/null >"$DISKS/sector1.got"
	if cmp -s "$DISKS/sector1.got" "$DISKS/sector1.want"; then
		ok "the image's sector 1 is \"$2\" 32 times"
	else
		fail "the image's sector 1 is not \"$2\" 32 times: $(od -A d -c "$DISKS/sector1.got" | head -n 2 | tr '\n' ' ')"
	fi
}

# expect_features RO: the device's features (the guest prints them in
# full) include VIRTIO_F_VERSION_1 (bit 32) and VIRTIO_BLK_F_FLUSH (bit 9),
# and VIRTIO_BLK_F_RO (bit 5) when RO is 1, not when it is 0; the others
# are the device's to choose. The guest accepts those three and no other.
expect_features() {
	v=$(sed -n 's/^virtio_blk: device features \(0x[0-9a-f]\{16\}\)$/\1/p' "$OUT")
	want=$(((1 << 32) | (1 << 9) | ($1 << 5)))
	if [ -n "$v" ] && [ $((v & ((1 << 32) | (1 << 9) | (1 << 5)))) -eq $want ]; then
		ok "device features $v: VERSION_1, FLUSH, RO $1"
	else
		fail "device features ${v:-(no line)}: not VERSION_1, FLUSH and RO $1"
	fi
	expect_out "virtio_blk: accepted features $(printf '0x%016x' $want)"
}

# expect_common IRQ: the console lines of a run on a disk of 16 sectors
# whose sector 0 is the one above; IRQ: the device's interrupt line in
# its config (the last read waits for it).
expect_common() {
	expect_out "virtio_blk: capacity 0x0000000000000010 sectors"
	expect_out "virtio_blk: sector 0: $SECTOR0_BYTES"
	expect_out "virtio_blk: flush ok"
	expect_out "virtio_blk: id cvisor-virtio_blk"
	expect_out "virtio_blk: read past the end refused (IOERR)"
	expect_out "virtio_blk: interrupt $1 taken, sector 0: $SECTOR0_BYTES"
	expect_out "virtio_blk: all ok"
	expect_no_out "FAIL"
	expect_count '^cvisor: warning' -eq 0
}

# (--max-seconds: a guest waiting for an interrupt that never comes is
# stopped, and its run fails, in 10 s.)
# case_virtio ARCH LINE IRQ: ARCH's guest on a read-write disk, on a
# read-only one, and next to hello. LINE: the 16 bytes it writes 32 times
# in sector 1; IRQ: its device's interrupt line.
case_virtio() {
	a=$1
	line=$2
	irq=$3
	guests_of "$a"
	if [ ! -f "$BUILD/guests/$a/virtio_blk.elf" ]; then
		CASE=$a
		skip "$BUILD/guests/$a/virtio_blk.elf not built"
		return
	fi

	# Read-write: the write lands in sector 1 and nowhere else.
	img=$DISKS/$a-rw.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$img\"|")
	run_cvisor "$a-rw" run --max-seconds=10 "$cfg"
	expect_rc 0
	expect_features 0
	expect_out "virtio_blk: sector 1 written"
	expect_out "virtio_blk: sector 1 read back ok"
	expect_common "$irq"
	expect_sector1 "$img" "$line"
	cp "$DISKS/original.img" "$DISKS/want.img"
	sector1 "$line" | dd of="$DISKS/want.img" bs=512 seek=1 conv=notrunc 2>/dev/null
	expect_file_same "$img" "$DISKS/want.img" "the image is the original but for sector 1 (sector 0 unchanged, same size)"

	# Read-only ([1]): VIRTIO_BLK_F_RO offered, the write refused, the file whole.
	img=$DISKS/$a-ro.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$img\"|" \
		-e 's|^\(emu_devices = \[\["virtio-blk", [^]]*\)\[\]\]\]$|\1[1]]]|')
	run_cvisor "$a-ro" run --max-seconds=10 "$cfg"
	expect_rc 0
	expect_features 1
	expect_out "virtio_blk: read-only disk: write of sector 1 refused (IOERR)"
	expect_out "virtio_blk: sector 1: a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5"
	expect_no_out "virtio_blk: sector 1 written"
	expect_common "$irq"
	expect_file_same "$img" "$DISKS/original.img" "the read-only image is unchanged"

	# Next to hello: both power off, the disk is written as alone.
	img=$DISKS/$a-two.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$img\"|")
	run_cvisor "$a-with-hello" run --max-seconds=10 "$(own_config hello)" "$cfg"
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest ($a)!"
	expect_out "[virtio_blk] virtio_blk: sector 0: $SECTOR0_BYTES"
	expect_out "[virtio_blk] virtio_blk: sector 1 read back ok"
	expect_out "[virtio_blk] virtio_blk: all ok"
	expect_err "^cvisor: 2 of 2 VMs powered off\$"
	expect_file_same "$img" "$DISKS/want.img" "the image is the original but for sector 1"
}

# case_uboot ARCH RAM BASE IRQ: Debian's U-Boot for ARCH finds the
# disk at BASE (interrupt IRQ) through the device tree, reads and writes it
# (uboot_virtio_input RAM); sector 2 of the file then holds its 0x5a bytes.
case_uboot() {
	a=$1
	case $a in
	aarch64) ub=/usr/lib/u-boot/qemu_arm64/u-boot.bin ;;
	*) ub=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin ;;
	esac
	if [ ! -f "$ub" ]; then
		CASE=$a-u-boot
		skip "$ub not found (make test installs it: u-boot-qemu)"
		return
	fi
	guests_of "$a"
	img=$DISKS/$a-u-boot.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config u-boot -e "s|^kernel_path = .*|&\ndisk_path = \"$img\"|" \
		-e "s|^emu_devices = \[\]|emu_devices = [[\"virtio-blk\", $3, 0x200, $4, 3, []]]|")
	run_cvisor_typed "$a-u-boot" "$(uboot_virtio_input "$2")" run --max-seconds=20 "$cfg"
	# U-Boot ends its lines with CR LF.
	tr -d '\r' <"$OUT" >"$OUT.lf" && mv "$OUT.lf" "$OUT"
	expect_rc 0
	expect_uboot_virtio "$2"
	cp "$DISKS/original.img" "$DISKS/want.img"
	head -c 512 /dev/zero | tr '\000' '\132' | dd of="$DISKS/want.img" bs=512 seek=2 conv=notrunc 2>/dev/null
	expect_file_same "$img" "$DISKS/want.img" "the image is the original but for sector 2, all 0x5a"
}

if [ "$ARCH" = aarch64 ]; then
	case_virtio aarch64 "aarch64 sector 1" 48
	# A disk_path naming no file: the config is refused, with the field's line.
	cfg=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$DISKS/absent.img\"|")
	run_cvisor absent-disk run "$cfg"
	expect_rc 1
	n=$(grep -n '^disk_path = ' "$cfg" | cut -d: -f1)
	expect_err "^$cfg:$n: error: disk_path: no such file: $DISKS/absent\\.img\$"
	expect_no_out "virtio_blk:"
	# virtio-net at 0x0a00_0600 too, in the same 4 KiB page as the disk (the
	# places of QEMU virt): the simulator maps the page once, and the
	# guest's run is as alone.
	img=$DISKS/aarch64-page.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$img\"|" \
		-e 's|^emu_devices = \[\(.*\)\]$|emu_devices = [\1, ["virtio-net", 0x0a00_0600, 0x200, 51, 3, []]]|')
	run_cvisor aarch64-one-page run --max-seconds=10 "$cfg"
	expect_rc 0
	expect_common 48
	case_uboot aarch64 44000000 0x0a00_0000 48
else
	CASE=aarch64
	skip "build/cvisor is the $ARCH simulator; the AArch64 guest needs ARCH=aarch64"
fi
for a in riscv64 x86_64; do
	if [ -x "$BUILD/$a/cvisor" ]; then
		case $a in
		riscv64)
			case_virtio riscv64 "riscv64 sector 1" 1
			case_uboot riscv64 84000000 0x1000_1000 1
			;;
		x86_64) case_virtio x86_64 "x86_64  sector 1" 5 ;;
		esac
	else
		CASE=$a
		skip "$BUILD/$a/cvisor not built"
	fi
done

finish
