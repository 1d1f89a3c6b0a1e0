#!/bin/sh
# SPDX-License-Identifier: MIT
# virtio-net between two VMs of one run, through cvisor's virtual switch
# (docs/virtio.md), on each architecture: virtio_net_ping sends 8 frames
# of 65 to 1514 bytes (the first broadcast, the others to the address the
# first answer came from) and virtio_net_pong answers each with the
# addresses swapped; both drivers are the guests' own
# (guests/<arch>/virtio_net_*.S). Checked: every line of both consoles,
# the switch's counters per port (--stats), no warning. Then ping alone
# gives up after its bounded wait with a report and powers off; pong alone
# is ended by --max-seconds; two devices with one address are refused.
#   tests/sim/virtio_net.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

# case_net ARCH PING-ID PONG-ID: the pair, ping alone, pong alone, a clash.
case_net() {
	a=$1
	ping_mac=52:54:00:c5:$(printf '%02x' $(($2 & 255))):00
	pong_mac=52:54:00:c5:$(printf '%02x' $(($3 & 255))):00
	guests_of "$a"
	if [ ! -f "$BUILD/guests/$a/virtio_net_ping.elf" ] || [ ! -f "$BUILD/guests/$a/virtio_net_pong.elf" ]; then
		CASE=$a
		skip "$BUILD/guests/$a/virtio_net_ping.elf or virtio_net_pong.elf not built"
		return
	fi
	ping=$(own_config virtio_net_ping)
	pong=$(own_config virtio_net_pong)

	run_cvisor "$a-pair" run --max-seconds=30 --stats "$ping" "$pong"
	expect_rc 0
	expect_out "[virtio_net_ping] virtio_net_ping: mac $ping_mac"
	expect_out "[virtio_net_pong] virtio_net_pong: mac $pong_mac"
	k=0
	to=ff:ff:ff:ff:ff:ff
	while [ $k -lt 8 ]; do
		len=$((65 + 207 * k))
		expect_out "[virtio_net_pong] virtio_net_pong: frame $k ($len bytes) from $ping_mac answered"
		expect_out "[virtio_net_ping] virtio_net_ping: frame $k ($len bytes) to $to: answer from $pong_mac ok"
		to=$pong_mac
		k=$((k + 1))
	done
	expect_out "[virtio_net_pong] virtio_net_pong: answered 8 frames"
	expect_out "[virtio_net_ping] virtio_net_ping: 8 of 8 answers ok"
	expect_no_out "FAIL"
	expect_count "^cvisor: warning" -eq 0
	expect_err "^stats: vm=$2 virtio-net $ping_mac sent=8 delivered=8 dropped=0\$"
	expect_err "^stats: vm=$3 virtio-net $pong_mac sent=8 delivered=8 dropped=0\$"
	expect_err "^cvisor: 2 of 2 VMs powered off\$"

	# No peer: one broadcast sent, delivered nowhere; the guest gives up.
	run_cvisor "$a-ping-alone" run --max-seconds=30 --stats "$ping"
	expect_rc 0
	expect_out "virtio_net_ping: mac $ping_mac"
	expect_out "virtio_net_ping: no answer to frame 0 in 5 s (no peer on the switch?); giving up after 0 answers"
	expect_no_out "FAIL"
	expect_err "^stats: vm=$2 virtio-net $ping_mac sent=1 delivered=0 dropped=0\$"

	# Pong waits for ever: the time limit ends it.
	run_cvisor "$a-pong-alone" run --max-seconds=2 "$pong"
	expect_rc 1
	expect_out "virtio_net_pong: mac $pong_mac"
	expect_stopped virtio_net_pong "still running after the time limit of 2 s \\(--max-seconds\\)"

	# Two VMs of one id: their devices would have one address; the second is refused.
	twin=$(own_config virtio_net_pong -e "s/^id = .*/id = $2/" -e 's/^name = .*/name = "twin"/')
	run_cvisor "$a-same-address" run --max-seconds=10 "$ping" "$twin"
	expect_rc 1
	expect_err "^cvisor: error: virtual switch: another device already has the address $ping_mac\$"
	expect_no_out "virtio_net_ping:"
}

if [ "$ARCH" = aarch64 ]; then
	case_net aarch64 343 344
else
	CASE=aarch64
	skip "build/cvisor is the $ARCH simulator; the AArch64 guests need ARCH=aarch64"
fi
for a in riscv64 x86_64; do
	if [ -x "$BUILD/$a/cvisor" ]; then
		case $a in
		riscv64) case_net riscv64 345 346 ;;
		x86_64) case_net x86_64 347 348 ;;
		esac
	else
		CASE=$a
		skip "$BUILD/$a/cvisor not built"
	fi
done

finish
