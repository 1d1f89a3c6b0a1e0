#!/bin/sh
# SPDX-License-Identifier: MIT
# AArch64 system registers in the simulator: accesses the architecture makes
# UNDEFINED (MRS of the write-only OSLAR_EL1, MSR to the read-only OSLSR_EL1,
# EL1 registers at EL0) and a trapped register cvisor does not emulate
# (DBGPRCR_EL1) each reach the guest's own vector table as EC 0x00 and the
# guest goes on; none of them loops in the sysreg hook (Unicorn re-runs a
# refused access whose hook said "skip"). The ID registers are trapped and
# say what the guest has. Each run has a well-behaved neighbour (hello).
#   tests/sim/aarch64_sysreg.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; these are AArch64 guests (ARCH=aarch64)"

# expect_undef VM GUEST SYMBOL VECTOR: GUEST took an UNDEF (ESR_EL1 0x2000000)
# at SYMBOL, entering its vector table at VECTOR (its offset from `vectors`).
expect_undef() {
	v=$(printf '%x' $((0x$(sym "$2" vectors) + $4)))
	expect_err "^guest-exception: vm=$1 vcpu=0 UNKNOWN esr=0x2000000 elr=$(hex "$(sym "$2" "$3")") far=0x0 -> $(hex "$v")\$"
}

run_cvisor undefined run --trace=exits --max-seconds=30 $CFG/hostile_sysreg.toml $CFG/hello.toml
expect_rc 0
for line in "undefined accesses at EL1" "EL1 registers at EL0" "all ok"; do
	expect_out "[hostile_sysreg] hostile_sysreg: $line"
done
expect_no_out "FAIL"
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_count '^cvisor: vm [0-9]+ ' -eq 0
# At EL1: the synchronous vector for the current EL with SP_EL1 (0x200).
expect_undef 121 hostile_sysreg oslar_read 0x200
expect_undef 121 hostile_sysreg oslsr_write 0x200
expect_undef 121 hostile_sysreg dbgprcr_read 0x200
# At EL0: the lower-EL vector (0x400); an EL1 register is not trapped from EL0.
expect_undef 121 hostile_sysreg el0_sctlr 0x400
expect_undef 121 hostile_sysreg el0_oslsr 0x400
expect_undef 121 hostile_sysreg el0_tpidr 0x400
# DBGPRCR_EL1 traps (MDCR_EL2.TDOSA) but is not emulated: the trace says so.
expect_err "^sysreg: vm=121 vcpu=0 read of DBGPRCR_EL1 at pc=$(hex "$(sym hostile_sysreg dbgprcr_read)"): trapped, not emulated: an UNDEF for the guest\$"
# Exactly one exit for DBGPRCR_EL1 and four for the OS lock: no access is retried.
expect_count '^exit: vm=121 vcpu=0 sysreg ' -eq 5
expect_count '^exit: vm=121 vcpu=0 sysreg .* id=0x80a4 read ' -eq 1

# The ID registers: trapped (HCR_EL2.TID3) and emulated; SVE, SME, MTE and
# pointer authentication absent (Unicorn's Cortex-A72 has none of them), an
# SVE instruction, a key register and PACIA are UNDEFINED.
run_cvisor pauth run --trace=exits --max-seconds=30 $CFG/hostile_pauth.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_pauth] hostile_pauth: SVE, SME and MTE absent"
expect_out "[hostile_pauth] hostile_pauth: pointer authentication absent: keys and PACIA undefined"
expect_no_out "FAIL"
expect_out "[hello] Hello from cvisor guest (aarch64)!"
# ID_AA64PFR0_EL1 (id 0xc020) and ID_AA64ZFR0_EL1 (id 0xc024), read as 0.
expect_count '^exit: vm=122 vcpu=0 sysreg .* id=0xc020 read reg=0 value=0x[0-9a-f]+$' -eq 1
expect_count '^exit: vm=122 vcpu=0 sysreg .* id=0xc024 read reg=0 value=0x0$' -eq 1
expect_undef 122 hostile_pauth rdvl_insn 0x200
expect_undef 122 hostile_pauth absent_key 0x200
expect_undef 122 hostile_pauth absent_pacia 0x200

# What a guest finds of the CPU (the idregs guest prints its ID registers:
# Unicorn's Cortex-A72 through a64_id_sanitise(), the same lines as QEMU's
# cortex-a72 under the bare build, tests/bare/aarch64_idregs.sh), and the
# registers the ID registers say are absent, each one exit, traced as not
# emulated, then an UNDEF at its own PC: a debug or PMU register Unicorn
# has raises it through Unicorn's MDCR_EL2, exactly there.
run_cvisor idregs run --trace=exits --max-seconds=30 $CFG/idregs.toml $CFG/hostile_absent.toml
expect_rc 0
for line in "ID_AA64PFR0_EL1 0x0000000001000022" "ID_AA64PFR1_EL1 0x0000000000000000" \
	"ID_AA64ZFR0_EL1 0x0000000000000000" "ID_AA64SMFR0_EL1 0x0000000000000000" \
	"ID_AA64DFR0_EL1 0x0000000000101006" "ID_AA64DFR1_EL1 0x0000000000000000" \
	"ID_AA64ISAR0_EL1 0x0000000000011120" "ID_AA64ISAR1_EL1 0x0000000000000000" \
	"ID_AA64ISAR2_EL1 0x0000000000000000" "ID_AA64MMFR0_EL1 0x0000000000001124" \
	"ID_AA64MMFR1_EL1 0x0000000000000000" "ID_AA64MMFR2_EL1 0x0000000000000000" \
	"ID_PFR0_EL1 0x0000000000000131" "ID_PFR1_EL1 0x0000000010010001" \
	"ID_DFR0_EL1 0x0000000000000006" "ID_DFR1_EL1 0x0000000000000000" \
	"debug unit: 2 breakpoints, 2 watchpoints, kept, never fire" \
	"LOR, MTE, SVE, SME registers undefined" "RAS absent, its registers undefined" "all ok"; do
	expect_out "[idregs] idregs: $line"
done
expect_out "[hostile_absent] hostile_absent: breakpoint 2, watchpoint 2, PMU undefined"
expect_no_out "FAIL"
expect_count '^cvisor: vm [0-9]+ ' -eq 0
# hostile_absent's six accesses: DBGBVR2_EL1, DBGWCR2_EL1, PMCR_EL0 twice, PMCCNTR_EL0, PMUSERENR_EL0.
expect_count '^sysreg: vm=125 vcpu=0 .*: trapped, not emulated: an UNDEF for the guest$' -eq 6
expect_count '^guest-exception: vm=125 vcpu=0 UNKNOWN esr=0x2000000 ' -eq 6
expect_err "^sysreg: vm=125 vcpu=0 read of PMCR_EL0 at pc=0x[0-9a-f]+: trapped, not emulated: an UNDEF for the guest\$"
# idregs: MDSCR_EL1, a breakpoint and DBGBCR0_EL1 emulated, never the CPU's.
expect_err "^exit: vm=124 vcpu=0 sysreg .* id=0x8012 read reg=1 value=0xf001( |\$)"
expect_err "^exit: vm=124 vcpu=0 sysreg .* id=0x8005 read reg=1 value=0x1e3( |\$)"

finish
