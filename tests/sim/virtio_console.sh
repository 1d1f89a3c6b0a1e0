#!/bin/sh
# SPDX-License-Identifier: MIT
# virtio-console and virtio-rng driven by the guests' own minimal drivers
# (guests/*/virtio_console.S and virtio_rng.S, docs/virtio.md), on each
# architecture. The console guest prints a prompt through the transmit
# queue, then echoes a typed line received through the receive queue:
# the run's whole console output is checked, byte for byte, so every
# typed byte came back once, in order, and nothing after a 'q'. The line
# is typed once the prompt is out (TYPE_AT): the driver has given its
# receive buffers by then, and the device has claimed the console input
# from the UART. The rng guest's verdict: two reads of 32 bytes, neither
# all zero, different. Then both next to hello in one run, all three
# powering off.
#   tests/sim/virtio_console.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

PROMPT="virtio_console: type a line (q ends it)"
RNG_OK="virtio_rng: 2 reads of 32 bytes, not all zero, different: ok"

# expect_console LINE...: stdout is exactly these lines.
expect_console() {
	printf '%s\n' "$@" >"$OUT.want"
	if cmp -s "$OUT" "$OUT.want"; then
		ok "the console is exactly: $*"
	else
		fail "the console is not exactly: $*"
	fi
	rm -f "$OUT.want"
}

# case_echo ARCH NAME INPUT LINE: the console guest alone, INPUT typed
# after its prompt; LINE: what it echoes.
case_echo() {
	TYPE_AT=$PROMPT run_cvisor_typed "$1-$2" "$3" run --max-seconds=10 "$(own_config virtio_console)"
	expect_rc 0
	expect_console "$PROMPT" "$4" "virtio_console: echo done" "virtio_console: all ok"
	expect_count '^cvisor: warning' -eq 0
}

case_arch() {
	a=$1
	guests_of "$a"
	for g in virtio_console virtio_rng hello; do
		if [ ! -f "$BUILD/guests/$a/$g.elf" ]; then
			CASE=$a
			skip "$BUILD/guests/$a/$g.elf not built"
			return
		fi
	done

	case_echo "$a" echo 'hello virtio\n' "hello virtio"
	# A 'q' ends it: echoed, then a newline of the guest's; what follows is not read.
	case_echo "$a" q 'abcqzzz\n' "abcq"

	run_cvisor "$a-rng" run --max-seconds=10 "$(own_config virtio_rng)"
	expect_rc 0
	expect_console "$RNG_OK"
	expect_count '^cvisor: warning' -eq 0

	# The console guest first: console input goes to the first VM.
	TYPE_AT=$PROMPT run_cvisor_typed "$a-with-hello" 'three VMs\n' run --max-seconds=10 \
		"$(own_config virtio_console)" "$(own_config hello)" "$(own_config virtio_rng)"
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest ($a)!"
	expect_out "[virtio_console] three VMs"
	expect_out "[virtio_console] virtio_console: all ok"
	expect_out "[virtio_rng] $RNG_OK"
	expect_err "^cvisor: 3 of 3 VMs powered off\$"
}

if [ "$ARCH" = aarch64 ]; then
	case_arch aarch64
else
	CASE=aarch64
	skip "build/cvisor is the $ARCH simulator; the AArch64 guests need ARCH=aarch64"
fi
for a in riscv64 x86_64; do
	if [ -x "$BUILD/$a/cvisor" ]; then
		case_arch "$a"
	else
		CASE=$a
		skip "$BUILD/$a/cvisor not built"
	fi
done

finish
