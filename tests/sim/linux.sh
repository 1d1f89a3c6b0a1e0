#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's own arm64 kernel (linux-image-*-cloud-arm64, fetched from the
# Debian archive by scripts/linux-guest.sh with a busybox initramfs) on
# two vCPUs in the simulator: it must find the architected timer and the
# GICv3 (the device tree's /timer and /intc, the virtual GIC and the
# generic timer), bring its second CPU up with PSCI and start /init.
# What /init does next is not checked here. The kernel reboots on a
# panic (panic=-1), which ends the run.
#   tests/sim/linux.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; the kernel is an arm64 one (ARCH=aarch64)"

linux_config
run_cvisor linux run --max-seconds=60 "$LINUX_CFG"
expect_linux_up
finish
