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
finish
