#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 6 (SMP): PSCI CPU_ON (src/arch/aarch64/hypercall.c)
# and turning vCPUs on and off (vcpu_power_on(), vcpu_power_off() in
# src/core/vcpu.c), checked with the smp guest (four vCPUs) and the ipi
# guest (two) in the AArch64 simulator; then the same core functions
# under SBI HSM (RISC-V) and INIT-SIPI-SIPI (x86_64).
#   sh labs/6-smp/grade.sh BUILD   (make grade LAB=6)
set -u
. labs/lib.sh # BUILD (the first argument), CVISOR, grade_check, grade_finish
guests_of aarch64

# expect_console TEXT: stdout is exactly TEXT (all its lines, in order).
expect_console() {
	if [ "$(cat "$OUT")" = "$1" ]; then ok "console is exactly the expected $(printf '%s\n' "$1" | wc -l) lines"
	else fail "console differs from the expected lines"; fi
}

# The smp guest runs once; its three checks look at that run (run_smp).
SMP_LINES="smp: vCPU 0 starts the others
smp: vCPU up, MPIDR_EL1 0x0000000080000001
smp: vCPU up, MPIDR_EL1 0x0000000080000002
smp: vCPU up, MPIDR_EL1 0x0000000080000003
smp: all 3 secondaries checked in
smp: CPU_ON errors ok
smp: AFFINITY_INFO says ON for vCPUs 1-3
smp: AFFINITY_INFO says OFF for vCPUs 1-3
smp: vCPU up, MPIDR_EL1 0x0000000080000001
smp: vCPU 1 started again, checked in, off
smp: all ok"
run_cvisor smp run --trace=exits --stats --max-seconds=10 "$(own_config smp)"
SMP_RC=$RC
cp "$OUT" "$OWN_DIR/smp.out"
cp "$ERR" "$OWN_DIR/smp.err"
run_smp() {
	CASE=smp
	RC=$SMP_RC
	cp "$OWN_DIR/smp.out" "$OUT"
	cp "$OWN_DIR/smp.err" "$ERR"
}

# vCPU 0 starts vCPUs 1, 2, 3 one after another, then vCPU 1 again: the
# whole console in that order, and cvisor's status 0 (SYSTEM_OFF).
smp_console() {
	run_smp
	expect_rc 0
	expect_console "$SMP_LINES"
	expect_count '^cvisor: vm [0-9]+ ' -eq 0
}

# CPU_ON (function 0xc4000003, 0x84000003 in its SMC32 form): three starts
# that succeed (x0 = 0), vCPU 1 once more after it was off, then a vCPU that
# is on (ALREADY_ON, -4) and an affinity no vCPU has (INVALID_PARAMETERS, -2).
smp_cpu_on() {
	run_smp
	l6_e=$(hex "$(sym smp secondary)")
	for l6_call in "0xc4000003 a1=0x1 a2=$l6_e a3=0x1 ret=0x0" "0x84000003 a1=0x2 a2=$l6_e a3=0x2 ret=0x0" \
		"0xc4000003 a1=0x3 a2=$l6_e a3=0x3 ret=0x0" "0xc4000003 a1=0x1 a2=$l6_e a3=0x1 ret=0xfffffffffffffffc" \
		"0xc4000003 a1=0x7 a2=$l6_e a3=0x7 ret=0xfffffffffffffffe"; do
		l6_n=1
		[ "$l6_call" = "0xc4000003 a1=0x1 a2=$l6_e a3=0x1 ret=0x0" ] && l6_n=2
		expect_count "^exit: vm=200 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 a0=$l6_call\$" -eq $l6_n
	done
	expect_count '^exit: vm=200 vcpu=0 hypercall .* a0=0x[c8]4000003 ' -eq 6
}

# AFFINITY_INFO (0xc4000004) answers ON (0) while the secondaries run and
# OFF (1) once each has called CPU_OFF (0x84000002), which does not return:
# one hypercall for vCPUs 2 and 3, two for vCPU 1 (started twice).
smp_off() {
	run_smp
	expect_out "smp: AFFINITY_INFO says ON for vCPUs 1-3"
	expect_out "smp: AFFINITY_INFO says OFF for vCPUs 1-3"
	for l6_v in 1 2 3; do
		expect_count "^exit: vm=200 vcpu=$l6_v hypercall .* a0=0x84000002 " -ge 1
		expect_count "^exit: vm=200 vcpu=0 hypercall .* a0=0xc4000004 a1=0x$l6_v .* ret=0x0\$" -ge 1
		expect_count "^exit: vm=200 vcpu=0 hypercall .* a0=0xc4000004 a1=0x$l6_v .* ret=0x1\$" -ge 1
	done
	expect_err '^stats: vm=200 vcpu=1 .*\bhypercall=2( |$)'
	expect_err '^stats: vm=200 vcpu=2 .*\bhypercall=1( |$)'
	expect_err '^stats: vm=200 vcpu=3 .*\bhypercall=1( |$)'
}

# ipi: vCPU 0 starts vCPU 1; 1000 SGIs each way; vCPU 1 powers off.
ipi() {
	run_cvisor ipi run --stats --max-seconds=10 "$(own_config ipi)"
	expect_rc 0
	expect_console "ipi: vCPU 0 GIC up, SGI 1 enabled
ipi: vCPU 1 ready
ipi: vCPU 0 took 1000 pongs
ipi: exactly 1000 SGIs each way
ipi: vCPU 1 off
ipi: all ok"
}

# RISC-V: SBI HSM hart_start and hart_stop reach the same vcpu_power_on()
# and vcpu_power_off() (src/arch/riscv64/hypercall.c).
riscv64_smp() {
	CVISOR=$BUILD/riscv64/cvisor
	guests_of riscv64
	run_cvisor riscv64-smp run --stats --max-seconds=10 "$(own_config smp)"
	expect_rc 0
	expect_console "smp: hart 0 starts harts 1-3
smp: hart 1 checked in, opaque 0x0000000005ec0001
smp: hart 2 checked in, opaque 0x0000000005ec0002
smp: hart 3 checked in, opaque 0x0000000005ec0003
smp: hart 0 saw 3 harts check in
smp: harts 1-3 are STARTED
smp: harts 1-3 are STOPPED
smp: hart 1 started again, its CSRs as at a first start, and stopped
smp: all ok"
	CVISOR=$BUILD/cvisor
	guests_of aarch64
}

# x86_64: INIT-SIPI-SIPI starts the APs through vcpu_power_on() (src/arch/x86_64/irq.c).
x86_64_smp() {
	CVISOR=$BUILD/x86_64/cvisor
	guests_of x86_64
	run_cvisor x86_64-smp run --max-seconds=10 "$(own_config smp)"
	expect_rc 0
	expect_console "smp: trampoline at 0x8000, sending INIT, SIPI, SIPI
smp: APs started in real mode at 0800:0000 with EDX 0x606a6, CR0 0x60000010
smp: 3 APs checked in, APIC IDs 1 2 3, IA32_APIC_BASE 0xfee00800 (not BSP)
smp: the BSP waited in HLT and took their IPIs
smp: all ok"
	CVISOR=$BUILD/cvisor
	guests_of aarch64
}

echo "lab 6: SMP (PSCI CPU_ON, CPU_OFF, AFFINITY_INFO's answers; vCPUs on and off)"
grade_check 25 "smp: four vCPUs, the whole console in order" smp_console
grade_check 20 "smp: CPU_ON's results (SUCCESS, ALREADY_ON, INVALID_PARAMETERS)" smp_cpu_on
grade_check 15 "smp: CPU_OFF, and AFFINITY_INFO ON then OFF" smp_off
grade_check 10 "ipi: a second vCPU started, 1000 SGIs each way, off" ipi
grade_check 15 "riscv64 smp: SBI HSM hart_start and hart_stop" riscv64_smp
grade_check 15 "x86_64 smp: INIT-SIPI-SIPI starts three APs" x86_64_smp
grade_finish
