#!/bin/sh
# SPDX-License-Identifier: MIT
# The virtio guests of the simulator's suites (tests/sim/virtio*.sh) on the
# bare builds of the three architectures: AArch64 at EL2 and RISC-V in
# HS-mode under QEMU, x86_64 in VMX root operation under Bochs. The same
# console lines as in the simulator, with the VM's [name] before each.
#
# virtio-blk: the disk image is built into the hypervisor image (cvisor
# embed) and served from memory (src/hal_bare/disk.c). One image per
# architecture holds the guest on a read-write disk, the guest on a
# read-only copy (renamed blk_ro: its GET_ID answer says so) and hello,
# which must power off too. The read-write guest reads back what it wrote;
# the image file on the build machine is never written, so both files are
# checked to be as they were. Debian's U-Boot (AArch64, RISC-V) finds the
# disk through the device tree, writes a sector and reads it back. The
# hostile driver of tests/sim/virtio_hostile.sh, next to hello.
#   tests/bare/virtio.sh BUILD ARCH
set -u
BUILD=${1:-build}
. tests/sim/lib.sh

DISKS=$OWN_DIR/disks # removed with OWN_DIR when the suite ends
mkdir -p "$DISKS"
# The image of tests/sim/virtio.sh: 16 sectors and 100 bytes; sector 0
# begins with the 16 bytes the guests print, sector 1 is 0xa5 throughout.
SECTOR0_BYTES="63 76 69 73 6f 72 20 64 69 73 6b 20 30 0a 01 ff"
{
	printf 'cvisor disk 0\n\001\377'
	head -c 496 /dev/zero
	head -c 512 /dev/zero | tr '\000' '\245'
	head -c $((14 * 512 + 100)) /dev/zero
} >"$DISKS/original.img"

# expect_unchanged FILE: FILE is still the original image, byte for byte.
expect_unchanged() {
	if cmp -s "$1" "$DISKS/original.img"; then
		ok "$(basename "$1"): the file is unchanged (the bare build writes to its copy in memory)"
	else
		fail "$(basename "$1"): $(cmp "$1" "$DISKS/original.img" 2>&1 | head -n 1)"
	fi
}

# expect_vm_lines VM LINES: each line of LINES (one a line) on VM's console.
expect_vm_lines() {
	while IFS= read -r l; do
		expect_out "[$1] $l"
	done <<EOF_LINES
$2
EOF_LINES
}

# expect_blk VM IRQ: the lines both disks give (tests/sim/virtio.sh's expect_common).
expect_blk() {
	expect_vm_lines "$1" "virtio_blk: capacity 0x0000000000000010 sectors
virtio_blk: sector 0: $SECTOR0_BYTES
virtio_blk: flush ok
virtio_blk: id cvisor-$1
virtio_blk: read past the end refused (IOERR)
virtio_blk: interrupt $2 taken, sector 0: $SECTOR0_BYTES
virtio_blk: all ok"
}

# case_blk ARCH CPU IRQ: ARCH's virtio_blk guest on a read-write and a
# read-only disk, with hello, in one image (CPU: the QEMU or Bochs model).
case_blk() {
	a=$1
	guests_of "$a"
	rw=$DISKS/$a-rw.img
	ro=$DISKS/$a-ro.img
	cp "$DISKS/original.img" "$rw"
	cp "$DISKS/original.img" "$ro"
	cfg_rw=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$rw\"|")
	cfg_ro=$(own_config virtio_blk -e "s|^disk_path = .*|disk_path = \"$ro\"|" \
		-e 's|^name = .*|name = "blk_ro"|' \
		-e 's|^\(emu_devices = \[\["virtio-blk", [^]]*\)\[\]\]\]$|\1[1]]]|')
	run_bare "$a-blk" "" "$2" "$cfg_rw" "$cfg_ro" "$(own_config hello)" MAX_SECONDS=30
	expect_rc 0
	expect_out "[virtio_blk] virtio_blk: accepted features 0x0000000100000200"
	expect_out "[virtio_blk] virtio_blk: sector 1 written"
	expect_out "[virtio_blk] virtio_blk: sector 1 read back ok"
	expect_blk virtio_blk "$3"
	expect_out "[blk_ro] virtio_blk: accepted features 0x0000000100000220"
	expect_out "[blk_ro] virtio_blk: read-only disk: write of sector 1 refused (IOERR)"
	expect_out "[blk_ro] virtio_blk: sector 1: a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5"
	expect_no_out "[blk_ro] virtio_blk: sector 1 written"
	expect_blk blk_ro "$3"
	expect_out "[hello] Hello from cvisor guest ($a)!"
	expect_no_out "FAIL"
	expect_count '^cvisor: warning' -eq 0
	expect_err '^cvisor: 3 of 3 VMs powered off$'
	expect_unchanged "$rw"
	expect_unchanged "$ro"
}

# case_uboot ARCH CPU RAM BASE IRQ: Debian's U-Boot for ARCH finds the disk
# at BASE (interrupt IRQ) through the device tree, writes sector 2 and reads
# it back from the copy in memory (uboot_virtio_input RAM); the file stays.
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
		-e "s|^emu_devices = \[\]|emu_devices = [[\"virtio-blk\", $4, 0x200, $5, 3, []]]|")
	run_bare "$a-u-boot" "$(uboot_virtio_input "$3")" "$2" "$cfg" MAX_SECONDS=30
	expect_rc 0
	expect_uboot_virtio "$3"
	expect_unchanged "$img"
}

# The hostile driver of tests/sim/virtio_hostile.sh next to hello: every
# case's line in order, the good request at the end, both VMs powered off,
# cvisor's 8 warnings (the transport's limit for one device), the file as
# it was. Its image: 16 sectors, sector s filled with the byte 0x40 + s.
s=0
while [ $s -lt 16 ]; do
	head -c 512 /dev/zero | tr '\000' "\\$(printf '%03o' $((64 + s)))"
	s=$((s + 1))
done >"$DISKS/hostile.img"
HOSTILE_CASES="descriptor loop: DEVICE_NEEDS_RESET
chain longer than the queue: DEVICE_NEEDS_RESET
buffer outside RAM: DEVICE_NEEDS_RESET
buffer in the WINDOW: DEVICE_NEEDS_RESET
8-byte header: DEVICE_NEEDS_RESET
notify of queue 1, never set up: DEVICE_NEEDS_RESET
queue size 6: DEVICE_NEEDS_RESET
rings outside RAM: DEVICE_NEEDS_RESET
reset with a write made available: not served
write past the end: IOERR
write of 100 bytes: IOERR
good write and read back: ok
all ok"

# case_hostile ARCH CPU DEVICE WINDOW: DEVICE the device's base as cvisor
# prints it, WINDOW the device the guest gives as a buffer.
case_hostile() {
	a=$1
	guests_of "$a"
	img=$DISKS/$a-hostile.img
	cp "$DISKS/hostile.img" "$img"
	cfg=$(own_config hostile_virtio -e "s|^disk_path = .*|disk_path = \"$img\"|")
	run_bare "$a-hostile" "" "$2" "$(own_config hello)" "$cfg" MAX_SECONDS=30
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest ($a)!"
	echo "$HOSTILE_CASES" | sed -e "s|WINDOW|$4|" -e 's/^/[hostile_virtio] hostile_virtio: /' >"$DISKS/want.out"
	grep '^\[hostile_virtio\] ' "$OUT" >"$DISKS/got.out"
	if cmp -s "$DISKS/got.out" "$DISKS/want.out"; then
		ok "the guest's lines, every case in order"
	else
		fail "the guest's lines: $(diff "$DISKS/want.out" "$DISKS/got.out" | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
	fi
	expect_err '^cvisor: 2 of 2 VMs powered off$'
	expect_count "^cvisor: warning: hostile_virtio: virtio-blk at 0x$3: .*: device needs reset( \\(the device's later warnings are not logged\\))?\$" -eq 8
	expect_err "^cvisor: warning: hostile_virtio: virtio-blk at 0x$3: queue 0: a chain longer than the queue \\(a descriptor loop\\): device needs reset\$"
	if cmp -s "$img" "$DISKS/hostile.img"; then
		ok "$(basename "$img"): the file is unchanged"
	else
		fail "$(basename "$img"): $(cmp "$img" "$DISKS/hostile.img" 2>&1 | head -n 1)"
	fi
}

if command -v qemu-system-aarch64 >/dev/null 2>&1; then
	unset QEMU_SMP
	case_blk aarch64 max 48
	case_uboot aarch64 max 44000000 0x0a00_0000 48
	case_hostile aarch64 max a000000 UART
else
	CASE=aarch64
	skip "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"
fi
if command -v qemu-system-riscv64 >/dev/null 2>&1; then
	case_blk riscv64 rv64 1
	case_uboot riscv64 rv64 84000000 0x1000_1000 1
	case_hostile riscv64 rv64 10001000 UART
else
	CASE=riscv64
	skip "qemu-system-riscv64 not found (make test installs it: qemu-system-misc)"
fi
if command -v bochs >/dev/null 2>&1; then
	RUN_TIMEOUT=120
	case_blk x86_64 corei7_skylake_x 5
	case_hostile x86_64 corei7_skylake_x d0000000 "I/O APIC"
else
	CASE=x86_64
	skip "bochs not found (make test installs it: bochs, bochsbios, vgabios)"
fi
finish
