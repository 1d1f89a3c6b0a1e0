#!/bin/sh
# SPDX-License-Identifier: MIT
# The x86_64 guests in the simulator, run through build/cvisor (which hands
# them to build/x86_64/cvisor): console output, the VM exits they caused,
# and how cvisor ends them.
#   tests/sim/x86_64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of x86_64
[ -x "$BUILD/x86_64/cvisor" ] || skip_suite "$BUILD/x86_64/cvisor not built"

case_hello
# Each byte: an OUT to COM1 (exit reason 30 = 0x1e), after an IN of its line status.
expect_count '^exit: vm=51 vcpu=0 pio .*syndrome=0x1e port=0x3f8 size=1 out' -ge 34
expect_count '^exit: vm=51 vcpu=0 pio .*port=0x3fd size=1 in data=0x60$' -ge 34
expect_count '^exit: vm=51 vcpu=0 hypercall .*syndrome=0x12 vmcall' -eq 1
# Power off: 0x2000 to the ACPI PM1a control port.
expect_count '^exit: vm=51 vcpu=0 pio .*port=0x604 size=2 out data=0x2000$' -eq 1

run_cvisor ports run --trace=exits --stats $CFG/ports.toml
expect_rc 0
expect_out "ports: all ok"
expect_count '^exit: .* pio .*port=0x80 size=1 in data=0xff$' -eq 1
expect_count '^exit: .* pio .*port=0x80 size=2 in data=0xffff$' -eq 1

run_cvisor vmcall run --trace=exits --stats $CFG/vmcall.toml
expect_rc 0
expect_out "vmcall: putchar ok"
expect_out "vmcall: all ok"
expect_count '^exit: .* hypercall .*a0=0x2 a1=0x28 a2=0x1 a3=0x1 ret=0x2a$' -eq 1
expect_stat sysreg -eq 3

run_cvisor trap run --trace=exits --stats $CFG/trap.toml
expect_rc 0
expect_out "trap: all ok"
expect_stat guest-exceptions -eq 2
expect_count "^guest-exception: .* vector 6 rip=$(hex "$(sym trap ud2_insn)") " -eq 1

case_wild

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_out "storm: faulting inside the handler"
pc=$(hex "$(sym storm handler)")
expect_stopped storm "vCPU 0 at PC $pc: exception storm: 64 exceptions in a row taken inside the guest's own handler \($pc\); last vector 6\$"

case_spin
case_wait hlt HLT

run_cvisor mmu run --stats $CFG/mmu.toml
expect_rc 1
expect_out "mmu: own tables loaded"
expect_out "mmu: alias ok"
expect_out "mmu: #PF on the read-only page: cr2 and error code ok"
expect_out "mmu: invlpg ok"
expect_out "mmu: running in the high half"
expect_out "mmu: back in the identity map"
expect_no_out "returned"
expect_stat guest-exceptions -eq 1
expect_stat stage2-fault -eq 1
expect_stage2_fault mmu write 8 70000000 "neither RAM nor a device" "$(sym mmu wild_store)"

# The walk of the alias page (VA 0x4000_0000: PML4[0], PDPT[1], PD[0], PT[0]), level by level, then stage 2.
run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
expect_rc 1
expect_count '^walk: vm=62 vcpu=0 stage-1 va=0x0000000040000000 write \(shadow fill\)' -eq 1
expect_count '^walk:   L0 table=0x[0-9a-f]+ \[0\] = ' -ge 1
expect_count '^walk:   L1 table=0x[0-9a-f]+ \[1\] = .* table' -ge 1
expect_count '^walk:   L3 table=0x[0-9a-f]+ \[0\] = .* page -> ' -ge 1
expect_count '^walk: vm=62 vcpu=0 stage-2 gpa=' -ge 1
expect_err '^shadow: vm=62 vcpu=0 fills=[1-9]'
expect_count "^walk: vm=62 vcpu=0 stage-1 va=0x0000000040001000 write" -eq 1
expect_count '^walk:   -> permission fault at level 3' -eq 1

# Two address spaces of the guest at the same VAs, switched by 401 CR3 writes
# (a data, a code and a 2 MiB page each), then A and D cleared by the guest
# and set again by the walks after CR3 reloads and an INVLPG: 404 drops.
run_cvisor shadow run --trace=exits $CFG/shadow.toml
expect_rc 0
expect_out "shadow: two spaces at the same VAs, each its own memory"
expect_out "shadow: writes land in their space"
expect_out "shadow: accessed and dirty flags set by the walks"
expect_no_out "FAIL"
expect_err '^shadow: vm=330 vcpu=0 fills=1618 drops=404$'

case_stats bench_compute pio -eq 1 hypercall -eq 0
case_stats bench_vmcall hypercall -eq 1000000
case_one_bad_of_two storm "vCPU 0 at PC 0x[0-9a-f]+: exception storm: "
case_two_vms vmcall "vmcall: all ok"

# s2prot: on x86_64 the shadow page tables must follow stage 2.
case_s2prot "s2prot: storing to the read-only page"

finish
