#!/bin/sh
# SPDX-License-Identifier: MIT
# The RISC-V guests in the simulator, run through build/cvisor (which hands
# them to build/riscv64/cvisor): console output, the exits they caused,
# and how cvisor ends them.
#   tests/sim/riscv64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
CFG=configs/riscv64
. tests/sim/lib.sh
if [ ! -x "$BUILD/riscv64/cvisor" ]; then
	echo "note: $BUILD/riscv64/cvisor not built; RISC-V guests skipped"
	finish
	exit $?
fi

sym() { riscv64-linux-gnu-nm "$BUILD/guests/riscv64/$1.elf" | awk -v s="$2" '$3 == s { print $1 }' | sed 's/^0*//'; }

run_cvisor hello run --trace=exits --stats $CFG/hello.toml
expect_rc 0
expect_out "Hello from cvisor guest (riscv64)!"
expect_out "dtb ok"
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
expect_count '^exit: .* hypercall .*a0=0x28 a1=0x1 a2=0x1' -eq 1
expect_stat hypercall -ge 26

run_cvisor trap run --trace=exits --stats $CFG/trap.toml
expect_rc 0
expect_out "trap: all ok"
expect_stat guest-exceptions -eq 2
pc=$(sym trap illegal_insn)
expect_count "^guest-exception: .* illegal instruction scause=2 sepc=0x$pc " -eq 1
pc=$(sym trap ebreak_insn)
expect_count "^guest-exception: .* breakpoint scause=3 sepc=0x$pc " -eq 1
expect_stat fatal -eq 0

run_cvisor wild run --stats $CFG/wild.toml
expect_rc 1
expect_out "wild: storing to 0x7000_0000"
expect_no_out "still running"
pc=$(sym wild wild_store)
expect_err "stage-2 fault: write of 4 bytes at GPA 0x70000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x$pc"

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_out "storm: faulting inside the trap handler"
expect_err "exception storm: .*trap handler"

run_cvisor spin run --max-seconds=1 $CFG/spin.toml
expect_rc 1
expect_out "spin: looping forever"
expect_err "time limit of 1 s"

run_cvisor wfi run $CFG/wfi.toml
expect_rc 1
expect_out "wfi: waiting"
expect_err "waits for an interrupt \(WFI\)"

# A hypervisor CSR: a virtual-instruction trap (scause 22), not emulated: the VM stops.
run_cvisor csr run --trace=exits --stats $CFG/csr.toml
expect_rc 1
expect_out "csr: reading hstatus"
expect_no_out "still running"
expect_count '^exit: .* sysreg .*syndrome=0x16 id=0x600 read reg=10' -eq 1
pc=$(sym csr csr_read)
expect_err "trapped access to CSR 0x600 that cvisor does not emulate; vCPU 0 was at PC 0x$pc"

run_cvisor one-bad-of-two run $CFG/hello.toml $CFG/wild.toml
expect_rc 1
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_err "vm [0-9]+ \(wild\) stopped: stage-2 fault"

run_cvisor bench_compute run --stats $CFG/bench_compute.toml
expect_rc 0
expect_stat hypercall -eq 1
expect_stat mmio -eq 0

run_cvisor bench_sbi run --stats $CFG/bench_sbi.toml
expect_rc 0
expect_stat hypercall -eq 1000001

run_cvisor two-vms run $CFG/hello.toml $CFG/sbi.toml
expect_rc 0
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_out "[sbi] sbi: all ok"

run_cvisor mixed-arches run configs/aarch64/hello.toml $CFG/hello.toml
expect_rc 2
expect_err "one run is for one architecture"

run_cvisor check check $CFG/hello.toml
expect_rc 0
expect_out "$CFG/hello.toml: ok (riscv64, 1 vCPU)"

finish
