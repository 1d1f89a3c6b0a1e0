#!/bin/sh
# SPDX-License-Identifier: MIT
# The RISC-V guests in the simulator, run through build/cvisor (which hands
# them to build/riscv64/cvisor): console output, the exits they caused,
# and how cvisor ends them.
#   tests/sim/riscv64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of riscv64
[ -x "$BUILD/riscv64/cvisor" ] || skip_suite "$BUILD/riscv64/cvisor not built"

case_hello
# Each byte: a store guest-page fault (scause 23) on THR.
expect_count '^exit: vm=31 vcpu=0 mmio .*syndrome=0x17 gpa=0x10000000 size=1 write' -ge 34
expect_count '^exit: vm=31 vcpu=0 mmio .*syndrome=0x15 gpa=0x10000005 size=1 read' -ge 34
expect_count '^exit: vm=31 vcpu=0 hypercall .*syndrome=0xa ecall' -eq 2
expect_stat stage2-fault -eq 0

run_cvisor mmio run --trace=exits --stats $CFG/mmio.toml
expect_rc 0
expect_out "mmio: all ok"
expect_count '^exit: .* mmio .*gpa=0x10000007 size=1 read' -ge 3
expect_count '^exit: .* mmio .*gpa=0x10000002 size=1 read' -ge 2

run_cvisor sbi run --trace=exits --stats $CFG/sbi.toml
expect_rc 0
expect_out "sbi: putchar ok"
expect_out "sbi: all ok"
expect_count '^exit: .* hypercall .*a0=0x28 a1=0x1 a2=0x1 ' -eq 1
expect_stat hypercall -ge 26

run_cvisor trap run --trace=exits --stats $CFG/trap.toml
expect_rc 0
expect_out "trap: all ok"
expect_stat guest-exceptions -eq 2
expect_count "^guest-exception: .* illegal instruction scause=2 sepc=$(hex "$(sym trap illegal_insn)") " -eq 1
expect_count "^guest-exception: .* breakpoint scause=3 sepc=$(hex "$(sym trap ebreak_insn)") " -eq 1
expect_stat fatal -eq 0

case_wild

# mmu: the guest's own Sv39 tables (Unicorn's MMU walks them): an alias, the
# UART through a second VA, the high half, its own store page fault with
# stval worked out by cvisor's walker, a store whose GPA is not RAM.
# The high-half VA of a symbol: 0xffff_ffc0_0000_0000 + (its address - 0x8000_0000).
high() { printf '%x' $((-0x4000000000 + 0x$(sym mmu "$1") - 0x80000000)); }
run_cvisor mmu run --trace=exits --stats $CFG/mmu.toml
expect_rc 1
for line in "mmu: on, running at its identity map" \
	"mmu: alias: wrote 0x12345678abcdef00 through VA 0x40000000, read 0x12345678abcdef00 through VA 0x40001000" \
	"mmu: printed through the UART at VA 0x40003000" "mmu: running at 0x$(high high)" \
	"mmu: store to the read-only alias: scause 15 stval 0x40002000, skipped" \
	"mmu: storing through VA 0x40004000 (GPA 0x70000000)"; do
	expect_out "$line"
done
expect_no_out "FAIL"
expect_no_out "still running"
expect_stat guest-exceptions -eq 1
expect_count "^guest-exception: vm=42 vcpu=0 store/AMO page fault scause=15 sepc=$(hex "$(high ro_store)") stval=0x40002000 " -eq 1
# The UART through VA 0x4000_3000: store guest-page faults on GPA 0x1000_0000.
expect_count '^exit: vm=42 vcpu=0 mmio .*syndrome=0x17 gpa=0x10000000 size=1 write' -ge 200
pc=$(high wild_store)
expect_count "^exit: vm=42 vcpu=0 mmio pc=$(hex "$pc") syndrome=0x17 gpa=0x70000000 size=4 write " -eq 1
expect_stage2_fault mmu write 4 70000000 "neither RAM nor a device" "$pc"

# --trace=walks: the walk of the read-only alias page, level by level, for
# the guest's page fault, then stage 2 of the page's GPA.
run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
expect_rc 1
root=$(sym mmu root)
l2=$(sym mmu l2_alias)
l3=$(sym mmu l3_alias)
data=$(sym mmu data)
pte() { printf '0x%016x' $(((0x$1 >> 12 << 10) | $2)); }
expect_walk_start 42 "stage-1 va" 0x0000000040002000 write "guest page fault"
expect_walk_step 1 "$root" 1 "$(pte "$l2" 1)" "table -> 0x$l2"
expect_walk_step 2 "$l2" 0 "$(pte "$l3" 1)" "table -> 0x$l3"
expect_walk_step 3 "$l3" 2 "$(pte "$data" 0x43)" "page -> 0x$data r--"
expect_err "^walk:   -> permission fault at level 3\$"
expect_walk_start 42 "stage-2 gpa" "$(printf '0x%016x' "0x$data")" write "guest page fault"
# The store to no RAM: its VA walked to the GPA the report names.
expect_walk_start 42 "stage-1 va" 0x0000000040004000 write "mmio write"
expect_walk_step 3 "$l3" 4 "$(pte 70000000 0xc7)" "page -> 0x70000000 rw-"
expect_err "^walk:   -> gpa=0x70000000\$"

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_out "storm: faulting inside the trap handler"
pc=$(hex "$(sym storm handler)")
expect_stopped storm "vCPU 0 at PC $pc: exception storm: 64 exceptions in a row taken inside the guest's own trap handler \(stvec $pc\); last scause 2 \(illegal instruction\)$"

case_spin
case_wait wfi WFI

# A hypervisor CSR: a virtual-instruction trap (scause 22), not emulated: the VM stops.
run_cvisor csr run --trace=exits --stats $CFG/csr.toml
expect_rc 1
expect_out "csr: reading hstatus"
expect_no_out "still running"
expect_count '^exit: .* sysreg .*syndrome=0x16 id=0x600 read reg=10' -eq 1
expect_stopped csr "hart 0: trapped access to CSR 0x600 that cvisor does not emulate; vCPU 0 was at PC $(hex "$(sym csr csr_read)")\$"

# The time CSR: each read a virtual-instruction exit that cvisor emulates
# (the platform's time at 10 MHz); a write an illegal instruction for the guest.
run_cvisor time run --trace=exits --stats "$(own_config time)"
expect_rc 0
expect_out "time: advances"
expect_out "time: a write is an illegal instruction"
expect_out "time: all ok"
expect_stat sysreg -eq 3
expect_stat guest-exceptions -eq 1
expect_count "^exit: vm=160 vcpu=0 sysreg pc=$(hex "$(sym time time_read1)") syndrome=0x16 id=0xc01 read reg=9 value=0x[0-9a-f]+\$" -eq 1
expect_count "^exit: vm=160 vcpu=0 sysreg pc=$(hex "$(sym time time_read2)") syndrome=0x16 id=0xc01 read reg=18 value=0x[0-9a-f]+\$" -eq 1
expect_count '^guest-exception: vm=160 vcpu=0 illegal instruction scause=2 ' -eq 1

case_one_bad_of_two wild "stage-2 fault: "
case_stats bench_compute hypercall -eq 1 mmio -eq 0
case_stats bench_mmu hypercall -eq 1 mmio -eq 0 guest-exceptions -eq 0
case_stats bench_sbi hypercall -eq 1000001
case_two_vms sbi "sbi: all ok"

# Three architectures in one command: one simulator per architecture side by
# side, every console line with its VM's name, one exit status (the worst).
run_cvisor three-arches run configs/aarch64/hello.toml $CFG/hello.toml configs/x86_64/hello.toml
expect_rc 0
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_out "[hello] Hello from cvisor guest (x86_64)!"
# Nothing from cvisor but the closing line.
expect_count '^cvisor: ' -eq 1
expect_err "^cvisor: 3 simulators; every VM powered off\$"
run_cvisor three-arches-one-bad run --max-seconds 1 configs/aarch64/hello.toml $CFG/wild.toml configs/x86_64/spin.toml
expect_rc 1
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "[wild] wild: storing to 0x7000_0000"
expect_stopped wild "stage-2 fault: write of 4 bytes at GPA $(hex 70000000) \\(neither RAM nor a device\\) by vCPU 0 at PC $(hex "$(sym wild wild_store)")\$"
expect_stopped spin "still running after the time limit of 1 s \\(--max-seconds\\); vCPU 0 was at PC 0x[0-9a-f]+\$"
expect_err "^cvisor: 3 simulators; a VM did not power off in: riscv64, x86_64\$"
run_cvisor three-arches-check check configs/aarch64/hello.toml $CFG/hello.toml configs/x86_64/hello.toml
expect_rc 0
expect_out "configs/aarch64/hello.toml: ok (aarch64, 1 vCPU)"
expect_out "$CFG/hello.toml: ok (riscv64, 1 vCPU)"
expect_out "configs/x86_64/hello.toml: ok (x86_64, 1 vCPU)"

run_cvisor check check $CFG/hello.toml
expect_rc 0
expect_out "$CFG/hello.toml: ok (riscv64, 1 vCPU)"

case_s2prot "s2prot: storing to the read-only page"

finish
