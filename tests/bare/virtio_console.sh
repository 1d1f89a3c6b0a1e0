#!/bin/sh
# SPDX-License-Identifier: MIT
# virtio-console and virtio-rng on bare-metal cvisor (the guests of
# tests/sim/virtio_console.sh): AArch64 and RISC-V under QEMU, x86_64
# under Bochs. The console guest alone in its image (on the bare build
# every running VM's UART polls the one host UART, so a neighbour could
# take typed bytes), a line typed once its prompt is out and echoed back;
# the rng guest next to hello in a second image, its verdict coming from
# the bare HAL's generator (src/hal_bare/random.c).
#   tests/bare/virtio_console.sh BUILD ARCH
set -u
BUILD=${1:-build}
. tests/sim/lib.sh

PROMPT="virtio_console: type a line (q ends it)"
# Real time for a run: Bochs is slow (tests/bare/x86_64.sh).
RUN_TIMEOUT=120

# case_bare ARCH CPU TOOL: ARCH's two images on CPU, if TOOL (the emulator) is there.
case_bare() {
	guests_of "$1"
	if ! command -v "$3" >/dev/null 2>&1; then
		CASE=$1
		skip "$3 not found"
		return
	fi
	TYPE_AT=$PROMPT run_bare "$1-echo" 'hello virtio\n' "$2" "$(own_config virtio_console)" MAX_SECONDS=30
	expect_rc 0
	expect_out "$PROMPT"
	expect_out "hello virtio"
	expect_out "virtio_console: echo done"
	expect_out "virtio_console: all ok"
	expect_out "cvisor: 1 of 1 VMs powered off"
	expect_no_out "FAIL"

	run_bare "$1-rng" "" "$2" "$(own_config virtio_rng)" "$(own_config hello)" MAX_SECONDS=30
	expect_rc 0
	expect_out "[virtio_rng] virtio_rng: 2 reads of 32 bytes, not all zero, different: ok"
	expect_out "[hello] Hello from cvisor guest ($1)!"
	expect_out "cvisor: 2 of 2 VMs powered off"
	expect_no_out "FAIL"
}

case_bare aarch64 cortex-a57 qemu-system-aarch64
case_bare riscv64 rv64 qemu-system-riscv64
case_bare x86_64 corei7_skylake_x bochs

finish
