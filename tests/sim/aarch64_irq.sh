#!/bin/sh
# SPDX-License-Identifier: MIT
# AArch64 interrupts, timers and SMP in the simulator (docs/interrupts-aarch64.md):
# PSCI CPU_ON / AFFINITY_INFO / CPU_OFF on four vCPUs (smp).
#   tests/sim/aarch64_irq.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; these are AArch64 guests (ARCH=aarch64)"

# expect_vcpu_stat VM VCPU NAME VALUE: the --stats line of that vCPU has NAME=VALUE.
expect_vcpu_stat() {
	expect_err "^stats: vm=$1 vcpu=$2 .*\\b$3=$4( |\$)"
}

# smp: vCPU 0 starts vCPUs 1-3 with CPU_ON (context = index), each prints
# its MPIDR_EL1 (Aff0 = its index, bit 31 RES1) and checks in; CPU_ON of a
# vCPU that is on and of an affinity no vCPU has fail as PSCI says; the
# others end with CPU_OFF, which AFFINITY_INFO sees.
run_cvisor smp run --trace=exits --stats --max-seconds=30 "$(own_config smp)"
expect_rc 0
for line in "smp: vCPU 0 starts the others" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000001" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000002" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000003" \
	"smp: all 3 secondaries checked in" "smp: CPU_ON errors ok" \
	"smp: AFFINITY_INFO says ON for vCPUs 1-3" "smp: AFFINITY_INFO says OFF for vCPUs 1-3" \
	"smp: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
# The lines come in this order: each secondary starts after the one before checked in.
if [ "$(grep -c '' "$OUT")" -eq 9 ] && [ "$(sed -n 's/^smp: vCPU up, MPIDR_EL1 0x00000000800000\(..\)$/\1/p' "$OUT" | tr -d '\n')" = 010203 ]; then
	ok "nine console lines, vCPUs 1, 2, 3 in order"
else
	fail "console lines out of order"
fi
expect_count '^cvisor: vm [0-9]+ ' -eq 0
# Each secondary made one hypercall (CPU_OFF, which returns nothing).
for v in 1 2 3; do
	expect_vcpu_stat 200 $v hypercall 1
done
# CPU_ON: three starts (x1 = 1, 2, 3; vCPU 2 in the SMC32 form) that
# succeed, then ALREADY_ON (-4) and INVALID_PARAMETERS (-2).
e=$(hex "$(sym smp secondary)")
for call in "0xc4000003 a1=0x1 a2=$e a3=0x1 ret=0x0" "0x84000003 a1=0x2 a2=$e a3=0x2 ret=0x0" \
	"0xc4000003 a1=0x3 a2=$e a3=0x3 ret=0x0" "0xc4000003 a1=0x1 a2=$e a3=0x1 ret=0xfffffffffffffffc" \
	"0xc4000003 a1=0x7 a2=$e a3=0x7 ret=0xfffffffffffffffe"; do
	expect_count "^exit: vm=200 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 a0=$call\$" -eq 1
done
expect_count '^exit: vm=200 vcpu=0 hypercall .* a0=0x[c8]4000003 ' -eq 5

finish
