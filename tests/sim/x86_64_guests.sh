#!/bin/sh
# SPDX-License-Identifier: MIT
# The x86_64 guests in the simulator, run through build/cvisor (which hands
# them to build/x86_64/cvisor): console output, the VM exits they caused,
# and how cvisor ends them.
#   tests/sim/x86_64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
CFG=configs/x86_64
. tests/sim/lib.sh
if [ ! -x "$BUILD/x86_64/cvisor" ]; then
	echo "note: $BUILD/x86_64/cvisor not built; x86_64 guests skipped"
	finish
	exit $?
fi

sym() { nm "$BUILD/guests/x86_64/$1.elf" | awk -v s="$2" '$3 == s { print $1 }' | sed 's/^0*//'; }

run_cvisor hello run --trace=exits --stats $CFG/hello.toml
expect_rc 0
expect_out "Hello from cvisor guest (x86_64)!"
expect_out "dtb ok"
# Each byte: an OUT to COM1 (exit reason 30 = 0x1e), after an IN of its line status.
expect_count '^exit: vm=51 vcpu=0 pio .*syndrome=0x1e port=0x3f8 size=1 out' -ge 34
expect_count '^exit: vm=51 vcpu=0 pio .*port=0x3fd size=1 in data=0x60' -ge 34
expect_count '^exit: vm=51 vcpu=0 hypercall .*syndrome=0x12 vmcall' -eq 1
# Power off: 0x2000 to the ACPI PM1a control port.
expect_count '^exit: vm=51 vcpu=0 pio .*port=0x604 size=2 out data=0x2000' -eq 1

run_cvisor ports run --trace=exits --stats $CFG/ports.toml
expect_rc 0
expect_out "ports: all ok"
expect_count '^exit: .* pio .*port=0x80 size=1 in data=0xff' -eq 1
expect_count '^exit: .* pio .*port=0x80 size=2 in data=0xffff' -eq 1

run_cvisor vmcall run --trace=exits --stats $CFG/vmcall.toml
expect_rc 0
expect_out "vmcall: putchar ok"
expect_out "vmcall: all ok"
expect_count '^exit: .* hypercall .*a0=0x2 a1=0x28 a2=0x1 a3=0x1 ret=0x2a' -eq 1
expect_stat sysreg -eq 3

run_cvisor trap run --trace=exits --stats $CFG/trap.toml
expect_rc 0
expect_out "trap: all ok"
expect_stat guest-exceptions -eq 2
pc=$(sym trap ud2_insn)
expect_count "^guest-exception: .* vector 6 rip=0x$pc " -eq 1

run_cvisor wild run --stats $CFG/wild.toml
expect_rc 1
expect_out "wild: storing to 0x7000_0000"
expect_no_out "still running"
pc=$(sym wild wild_store)
expect_err "stage-2 fault: write of 4 bytes at GPA 0x70000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x$pc"

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_out "storm: faulting inside the handler"
expect_err "exception storm: "

run_cvisor spin run --max-seconds=1 $CFG/spin.toml
expect_rc 1
expect_out "spin: looping forever"
expect_err "time limit of 1 s"

run_cvisor hlt run $CFG/hlt.toml
expect_rc 1
expect_out "hlt: waiting"
expect_err "waits for an interrupt \(HLT\)"

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
pc=$(sym mmu wild_store)
expect_err "stage-2 fault: write of 8 bytes at GPA 0x70000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x$pc"

# The walk of the alias page (VA 0x4000_0000: PML4[0], PDPT[1], PD[0], PT[0]), level by level, then stage 2.
run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
expect_rc 1
expect_count '^walk: vm=62 vcpu=0 stage-1 va=0x0000000040000000 write \(shadow fill\)' -eq 1
expect_count '^walk:   L0 table=0x[0-9a-f]+ \[0\] = ' -ge 1
expect_count '^walk:   L1 table=0x[0-9a-f]+ \[1\] = .* table' -ge 1
expect_count '^walk:   L3 table=0x[0-9a-f]+ \[0\] = .* page -> ' -ge 1
expect_count '^walk: vm=62 vcpu=0 stage-2 gpa=' -ge 1
expect_err '^shadow: vm=62 vcpu=0 fills=[1-9]'
pc=$(sym mmu ro_store)
expect_count "^walk: vm=62 vcpu=0 stage-1 va=0x0000000040001000 write" -eq 1
expect_count '^walk:   -> permission fault at level 3' -eq 1

run_cvisor bench_compute run --stats $CFG/bench_compute.toml
expect_rc 0
expect_stat pio -eq 1
expect_stat hypercall -eq 0

run_cvisor bench_vmcall run --stats $CFG/bench_vmcall.toml
expect_rc 0
expect_stat hypercall -eq 1000000

run_cvisor one-bad-of-two run $CFG/hello.toml $CFG/storm.toml
expect_rc 1
expect_out "[hello] Hello from cvisor guest (x86_64)!"
expect_err "vm [0-9]+ \(storm\) stopped: .*exception storm"

run_cvisor two-vms run $CFG/hello.toml $CFG/vmcall.toml
expect_rc 0
expect_out "[hello] Hello from cvisor guest (x86_64)!"
expect_out "[vmcall] vmcall: all ok"

# s2prot: stage-2 permissions changed at run time (cvisor call MEM_PROTECT);
# the shadow must follow stage 2, or the last store would complete.
run_cvisor s2prot run --stats $CFG/s2prot.toml
expect_rc 1
expect_out "s2prot: read-only page read"
expect_out "s2prot: writable again"
expect_out "s2prot: storing to the read-only page"
expect_no_out "FAIL"
page=$(sym s2prot page)
pc=$(sym s2prot s2prot_store)
expect_err "stage-2 fault: write of 8 bytes at GPA 0x$page \(RAM without this permission\) by vCPU 0 at PC 0x$pc"

finish
