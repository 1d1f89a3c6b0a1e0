#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's own arm64 kernel (scripts/linux-guest.sh, as in
# tests/sim/linux.sh) on two vCPUs under bare-metal cvisor at EL2, on one
# physical CPU (the two vCPUs time-sliced) and on two: it must find the
# GICv3 and the architected timer, bring CPU 1 up through PSCI, start
# /init and give busybox's shell; the run ends at its time limit.
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
for ncpu in 1 2; do
	QEMU_SMP=$ncpu
	export QEMU_SMP
	run_bare "linux-smp$ncpu" "" cortex-a57 "$LINUX_CFG" MAX_SECONDS=35
	expect_err "^cvisor 0\\.1 \\(bare metal, aarch64 at EL2\\): 1 VM, $ncpu CPUs?, 1024 MiB of RAM\$"
	expect_linux_up
done
finish
