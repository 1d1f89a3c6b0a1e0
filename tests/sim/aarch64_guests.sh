#!/bin/sh
# SPDX-License-Identifier: MIT
# The AArch64 guests in the simulator: each one's console output, the exits
# it caused, and how cvisor ends it.
#   tests/sim/aarch64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
[ "$ARCH" = aarch64 ] || { echo "0 passed, 0 failed"; exit 0; }
CVISOR=$BUILD/cvisor
CFG=configs/aarch64
. tests/sim/lib.sh

# Address of a symbol in a guest's ELF (the guests label the instructions tests name).
sym() { aarch64-linux-gnu-nm "$BUILD/guests/aarch64/$1.elf" | awk -v s="$2" '$3 == s { print $1 }' | sed 's/^0*//'; }

run_cvisor hello run --trace=exits --stats $CFG/hello.toml
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"
expect_out "dtb ok"
expect_count '^exit: vm=1 vcpu=0 mmio .* write' -ge 34
expect_count '^exit: vm=1 vcpu=0 hypercall' -ge 2
expect_stat hypercall -ge 2
expect_stat stage2-fault -eq 0

run_cvisor hello-raw run $CFG/hello-raw.toml
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"

run_cvisor mmio run --trace=exits --stats $CFG/mmio.toml
expect_rc 0
expect_out "mmio: all ok"
expect_count '^exit: .* mmio .*gpa=0x9000024 size=[0-9] read' -ge 1
expect_count '^exit: .* mmio .*gpa=0x9000fe0 size=[0-9] read' -ge 1
expect_count '^exit: .* mmio .* size=1 ' -ge 1
expect_count '^exit: .* mmio .* size=2 ' -ge 1

run_cvisor hypercall run --trace=exits --stats $CFG/hypercall.toml
expect_rc 0
expect_out "hypercall: all ok"
expect_count '^exit: .* hypercall .*a0=0xc6000002' -ge 1
expect_stat hypercall -ge 7

run_cvisor svc run --trace=exits --stats $CFG/svc.toml
expect_rc 0
expect_out "svc: all ok"
expect_stat guest-exceptions -eq 3
expect_count '^guest-exception: .* SVC' -eq 1
expect_stat fatal -eq 0

run_cvisor sysreg run --trace=exits --stats $CFG/sysreg.toml
expect_rc 0
expect_out "sysreg: all ok"
expect_stat sysreg -eq 4
expect_count '^exit: .* sysreg .*id=0x8084 write reg=1 value=0x1' -eq 1
expect_count '^exit: .* sysreg .*id=0x808c read reg=2 value=0xa' -eq 1
expect_count '^exit: .* sysreg .*syndrome=0x62280420 ' -eq 1

run_cvisor wild run --stats $CFG/wild.toml
expect_rc 1
expect_out "wild: storing to 0x7000_0000"
expect_no_out "still running"
expect_err "stage-2 fault: write of 4 bytes at GPA 0x70000000 \(neither RAM nor a device\)"
pc=$(sym wild wild_store)
expect_err "at PC 0x$pc"

# An address beyond the CPU's physical range is the guest's own fault.
run_cvisor far run --trace=exits --stats $CFG/far.toml
expect_rc 0
expect_out "far: all ok"
expect_stat guest-exceptions -eq 1
expect_stat stage2-fault -eq 0
expect_count '^guest-exception: .* DABT_CUR esr=0x96000040 .*far=0xffff000000001000' -eq 1

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_err "exception storm"

run_cvisor spin run --max-seconds=1 $CFG/spin.toml
expect_rc 1
expect_out "spin: looping forever"
expect_err "time limit of 1 s"

run_cvisor wfe run --stats $CFG/wfe.toml
expect_rc 0
expect_out "wfe: went on"
expect_stat halt -eq 0

run_cvisor wfi run $CFG/wfi.toml
expect_rc 1
expect_out "wfi: waiting"
expect_err "waits for an interrupt \(WFI\)"

# The benchmark guests run to their end with the exits they promise.
run_cvisor bench_compute run --stats $CFG/bench_compute.toml
expect_rc 0
expect_stat hypercall -eq 1
expect_stat mmio -eq 0

run_cvisor bench_hvc run --stats $CFG/bench_hvc.toml
expect_rc 0
expect_stat hypercall -eq 1000001

run_cvisor two-vms run $CFG/hello.toml $CFG/hypercall.toml
expect_rc 0
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "[hypercall] hypercall: all ok"

run_cvisor one-bad-of-two run $CFG/hello.toml $CFG/wild.toml
expect_rc 1
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_err "vm [0-9]+ \(wild\) stopped: stage-2 fault"

finish
