#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's own arm64 kernel (scripts/linux-guest.sh, as in
# tests/sim/linux.sh) on two vCPUs under bare-metal cvisor at EL2, on one
# physical CPU (the two vCPUs time-sliced) and on two: it must find the
# GICv3 and the architected timer, bring CPU 1 up through PSCI and start
# /init. The kernel reboots on a panic (panic=-1), which ends the run.
#   tests/bare/linux.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

LINUX=$PWD/build/linux
if ! sh scripts/linux-guest.sh "$LINUX" >"$OUT" 2>&1; then
	skip_suite "Debian's arm64 kernel could not be fetched: $(tail -n 1 "$OUT")"
fi
cfg=$OWN_DIR/linux.toml
sed -e "s|\"../../build/linux/|\"$LINUX/|" -e 's|^cmdline = "\(.*\)"|cmdline = "\1 panic=-1"|' \
	$CFG/linux.toml >"$cfg"

# expect_log REGEX: a line of the kernel's log matches REGEX, from ^ to $.
expect_log() {
	if grep -qE -- "^(\\[linux\\] )?$1\$" "$OUT"; then ok "kernel log: $1"; else fail "kernel log lacks: $1"; fi
}

for n in 1 2; do
	QEMU_SMP=$n
	export QEMU_SMP
	run_bare "linux-smp$n" "" cortex-a57 "$cfg" MAX_SECONDS=50
	expect_err "^cvisor 0\\.1 \\(bare metal, aarch64 at EL2\\): 1 VM, $n CPUs?, 1024 MiB of RAM\$"
	expect_no_out "Unable to initialise architected timer"
	expect_log '\[    0\.000000\] GICv3: 96 SPIs implemented'
	expect_log '\[    0\.000000\] GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000'
	expect_log '\[    0\.000000\] arch_timer: cp15 timer\(s\) running at 62\.50MHz \(virt\)\.'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] smp: Brought up 1 node, 2 CPUs'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] Run /init as init process'
done
finish
