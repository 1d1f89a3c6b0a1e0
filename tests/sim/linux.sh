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

LINUX=$PWD/build/linux
if ! sh scripts/linux-guest.sh "$LINUX" >"$OUT" 2>&1; then
	skip_suite "Debian's arm64 kernel could not be fetched: $(tail -n 1 "$OUT")"
fi
cfg=$OWN_DIR/linux.toml
sed -e "s|\"../../build/linux/|\"$LINUX/|" -e 's|^cmdline = "\(.*\)"|cmdline = "\1 panic=-1"|' \
	$CFG/linux.toml >"$cfg"

# expect_log REGEX: a line of the kernel's log (stdout, its \r\n line ends
# made \n) matches REGEX, from ^ to $.
expect_log() {
	if tr -d '\r' <"$OUT" | grep -qE -- "^$1\$"; then ok "kernel log: $1"; else fail "kernel log lacks: $1"; fi
}

run_cvisor linux run --max-seconds=60 "$cfg"
expect_no_out "Unable to initialise architected timer"
expect_log '\[    0\.000000\] GICv3: 96 SPIs implemented'
expect_log '\[    0\.000000\] GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000'
expect_log '\[    0\.000000\] arch_timer: cp15 timer\(s\) running at 62\.50MHz \(virt\)\.'
expect_log '\[ *[0-9]+\.[0-9]{6}\] GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000'
expect_log '\[ *[0-9]+\.[0-9]{6}\] smp: Brought up 1 node, 2 CPUs'
expect_log '\[ *[0-9]+\.[0-9]{6}\] Run /init as init process'
finish
