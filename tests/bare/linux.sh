#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's own arm64 kernel (scripts/linux-guest.sh, as in
# tests/sim/linux.sh) on two vCPUs under bare-metal cvisor at EL2, on one
# physical CPU (the two vCPUs time-sliced) and on two, for each CPU model
# (cortex-a57, and max with its SVE, SME, pointer authentication and MTE,
# which cvisor hides or gives properly): it must find the GICv3 and the
# architected timer, bring CPU 1 up through PSCI, start /init and give
# busybox's shell, which runs what is typed at its prompt (the PL011's
# receive interrupt, fed from the host UART on cvisor's tick): `cat
# /proc/cpuinfo` lists two processors, `poweroff` ends the run with status
# 0 (PSCI SYSTEM_OFF).
#
# Then, as in tests/sim/linux.sh, the kernel with a virtio disk and network
# interface next to net_responder in one image, on cortex-a57 with two
# physical CPUs: the ext2 image is built into the hypervisor image (cvisor
# embed) and served from memory, so what Linux writes is read back from
# the device in the run, and the file on the build machine stays as it was.
#   tests/bare/linux.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

linux_config
# The limits are for a hung run only: QEMU's -cpu max emulates pointer
# authentication slowly (docs/bare.md), the kernel is at its shell in 2-10 s.
RUN_TIMEOUT=150
for cpu in cortex-a57 max; do
	for ncpu in 1 2; do
		QEMU_SMP=$ncpu
		export QEMU_SMP
		run_bare "linux-$cpu-smp$ncpu" "$LINUX_INPUT" "$cpu" "$LINUX_CFG" MAX_SECONDS=120
		expect_rc 0
		expect_err "^cvisor 0\\.1 \\(bare metal, aarch64 at EL2\\): 1 VM, $ncpu CPUs?, 1024 MiB of RAM\$"
		expect_linux_up
		expect_linux_typed
		expect_err '^cvisor: 1 of 1 VMs powered off$'
	done
done

if linux_virtio_config; then
	QEMU_SMP=2
	export QEMU_SMP
	run_bare linux-virtio "$LINUX_VIRTIO_INPUT" cortex-a57 "$LINUX_VIRTIO_CFG" "$RESPONDER_CFG" MAX_SECONDS=120
	expect_rc 0
	expect_err '^cvisor 0\.1 \(bare metal, aarch64 at EL2\): 2 VMs, 2 CPUs, 1024 MiB of RAM$'
	expect_linux_virtio
	expect_err '^cvisor: 2 of 2 VMs powered off$'
	if cmp -s "$LINUX_DISK" "$LINUX_DISK0"; then
		ok "the image file is unchanged (the bare build writes to its copy in memory)"
	else
		fail "the image file changed: $(cmp "$LINUX_DISK" "$LINUX_DISK0" 2>&1 | head -n 1)"
	fi
fi
finish
