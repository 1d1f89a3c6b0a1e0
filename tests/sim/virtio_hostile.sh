#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile virtio drivers (guests/*/hostile_virtio.S, docs/virtio.md
# "Hostile drivers"): on each architecture, a virtio-blk driver that breaks
# the rules case after case, next to hello in the same run. Checked: the
# guest's line for every case (DEVICE_NEEDS_RESET, or IOERR with the device
# still live) and its good request at the end, both VMs powered off (so
# cvisor neither crashed nor hung), cvisor's warnings, each in full and in
# order (the transport logs the first 8 of a device, the 8th saying so),
# and the disk image, byte for byte the original but for the sector the
# good request wrote: no refused request wrote it, none grew it.
#   tests/sim/virtio_hostile.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

DISKS=$OWN_DIR/disks # removed with OWN_DIR when the suite ends
mkdir -p "$DISKS"

# The image: 16 sectors, sector s filled with the byte 0x40 + s ("@", "A", ...).
s=0
while [ $s -lt 16 ]; do
	head -c 512 /dev/zero | tr '\000' "\\$(printf '%03o' $((64 + s)))"
	s=$((s + 1))
done >"$DISKS/original.img"
# What it must be after a run: sector 3 is the good write's line, 32 times.
cp "$DISKS/original.img" "$DISKS/want.img"
i=0
while [ $i -lt 32 ]; do
	printf 'hostile sector 3'
	i=$((i + 1))
done | dd of="$DISKS/want.img" bs=512 seek=3 conv=notrunc 2>/dev/null

CASES="descriptor loop
chain longer than the queue
buffer outside RAM
buffer in the WINDOW
8-byte header
notify of queue 1, never set up
queue size 6
rings outside RAM"

# The warnings, in the order the cases make them (the rings' addresses from the guest's ELF).
warnings() {
	why="queue 0: a chain longer than the queue \\(a descriptor loop\\)"
	echo "$why"
	echo "$why"
	why="queue 0: a buffer outside RAM or in a device window"
	echo "$why"
	echo "$why"
	echo "request 0: 8 readable and 1 writable bytes, not a request"
	echo "notify for queue 1, which is not set up"
	echo "queue 0: size 6 is not a power of 2 up to 128"
	echo "queue 0: rings at 0x$1, 0x$(sym hostile_virtio vq_avail), 0x$(sym hostile_virtio vq_used): a ring is not in RAM"
}

# case_hostile ARCH DEVICE RAM_END WINDOW: ARCH's guest next to hello, its
# device at DEVICE (as cvisor prints it), RAM_END its RAM's first byte past
# the end, WINDOW the device whose registers the guest gives as a buffer.
case_hostile() {
	a=$1
	guests_of "$a"
	if [ ! -f "$BUILD/guests/$a/hostile_virtio.elf" ]; then
		CASE=$a
		skip "$BUILD/guests/$a/hostile_virtio.elf not built"
		return
	fi
	img=$DISKS/$a.img
	cp "$DISKS/original.img" "$img"
	cfg=$(own_config hostile_virtio -e "s|^disk_path = .*|disk_path = \"$img\"|")
	run_cvisor "$a" run --max-seconds=10 "$(own_config hello)" "$cfg"
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest ($a)!"
	echo "$CASES" | sed "s|WINDOW|$4|" | while IFS= read -r c; do
		echo "[hostile_virtio] hostile_virtio: $c: DEVICE_NEEDS_RESET"
	done >"$DISKS/want.out"
	for l in "reset with a write made available: not served" "write past the end: IOERR" \
		"write of 100 bytes: IOERR" "good write and read back: ok" "all ok"; do
		echo "[hostile_virtio] hostile_virtio: $l"
	done >>"$DISKS/want.out"
	grep '^\[hostile_virtio\] ' "$OUT" >"$DISKS/got.out"
	if cmp -s "$DISKS/got.out" "$DISKS/want.out"; then
		ok "the guest's lines, every case in order"
	else
		fail "the guest's lines: $(diff "$DISKS/want.out" "$DISKS/got.out" | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
	fi
	expect_err "^cvisor: 2 of 2 VMs powered off\$"

	# Every warning in full, in order, and no other.
	prefix="^cvisor: warning: hostile_virtio: virtio-blk at 0x$2: "
	n=0
	warnings "$3" | while IFS= read -r w; do
		n=$((n + 1))
		suffix=": device needs reset"
		[ $n -eq 8 ] && suffix="$suffix \\(the device's later warnings are not logged\\)"
		echo "$prefix$w$suffix\$"
	done >"$DISKS/want.err"
	grep '^cvisor: warning' "$ERR" >"$DISKS/got.err"
	n=0
	bad=
	while IFS= read -r re; do
		n=$((n + 1))
		sed -n "${n}p" "$DISKS/got.err" | grep -qE -- "$re" || bad="warning $n is not /$re/"
	done <"$DISKS/want.err"
	[ "$(grep -c '' "$DISKS/got.err")" -eq 8 ] || bad="${bad:-$(grep -c '' "$DISKS/got.err") warnings, not 8}"
	if [ -z "$bad" ]; then
		ok "the 8 warnings, in full and in order"
	else
		fail "$bad"
	fi

	if cmp -s "$img" "$DISKS/want.img"; then
		ok "the image is the original but for sector 3 (same size)"
	else
		fail "the image: $(cmp "$img" "$DISKS/want.img" 2>&1 | head -n 1)"
	fi
}

if [ "$ARCH" = aarch64 ]; then
	case_hostile aarch64 a000000 48000000 UART
else
	CASE=aarch64
	skip "build/cvisor is the $ARCH simulator; the AArch64 guest needs ARCH=aarch64"
fi
for a in riscv64 x86_64; do
	if [ -x "$BUILD/$a/cvisor" ]; then
		case $a in
		riscv64) case_hostile riscv64 10001000 88000000 UART ;;
		x86_64) case_hostile x86_64 d0000000 8000000 "I/O APIC" ;;
		esac
	else
		CASE=$a
		skip "$BUILD/$a/cvisor not built"
	fi
done

finish
