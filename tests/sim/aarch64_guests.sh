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

# A branch to a GPA that is not RAM: a stage-2 instruction abort.
run_cvisor jump run --trace=exits --stats $CFG/jump.toml
expect_rc 1
expect_out "jump: branching to 0x1000_0000"
expect_count '^exit: vm=17 vcpu=0 stage2-fault pc=0x10000000 syndrome=0x82000005 gpa=0x10000000 fetch ' -eq 1
expect_err "stage-2 fault: fetch of 4 bytes at GPA 0x10000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x10000000"

# mmu: the guest's own stage-1 tables (Unicorn's MMU walks them); its own
# permission and translation faults, with ESR_EL1/FAR_EL1 worked out by
# cvisor's walker; the high half; a store whose GPA is not RAM.
run_cvisor mmu run --trace=exits --stats $CFG/mmu.toml
expect_rc 1
for line in "mmu: on" "mmu: alias ok" "mmu: permission fault ok" "mmu: translation fault ok" \
	"mmu: high half ok" "mmu: store to a GPA that is not RAM"; do
	expect_out "$line"
done
expect_no_out "FAIL"
expect_stat guest-exceptions -eq 2
pc=$(sym mmu perm_store)
expect_count "^guest-exception: vm=16 vcpu=0 DABT_CUR esr=0x9600004f elr=0x$pc far=0x80000000 " -eq 1
pc=$(sym mmu trans_load)
expect_count "^guest-exception: vm=16 vcpu=0 DABT_CUR esr=0x96000007 elr=0x$pc far=0x80002000 " -eq 1
pc=$(sym mmu noram_store)
expect_err "stage-2 fault: write of 4 bytes at GPA 0x20000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x$pc"

# --trace=walks: the walk of the read-only alias page, level by level, for
# the permission fault, then stage 2 of the page's GPA.
run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
expect_rc 1
l1=$(sym mmu l1_lo)
l2=$(sym mmu l2_alias)
l3=$(sym mmu l3_alias)
data=$(sym mmu data_page)
desc() { printf '0x%016x' $((0x$1 | $2)); }
expect_err "^walk: vm=16 vcpu=0 stage-1 va=0x0000000080000000 write \(guest data abort\)\$"
expect_err "^walk:   L1 table=0x$l1 \[2\] = $(desc "$l2" 3) table -> 0x$l2\$"
expect_err "^walk:   L2 table=0x$l2 \[0\] = $(desc "$l3" 3) table -> 0x$l3\$"
expect_err "^walk:   L3 table=0x$l3 \[0\] = $(desc "$data" 0x0060000000000783) page -> 0x$data r--\$"
expect_err "^walk:   -> permission fault at level 3\$"
expect_err "^walk: vm=16 vcpu=0 stage-2 gpa=$(desc "$data" 0) write \(guest data abort\)\$"

# A student's breakpoint on the walker: gdb stops in a64_s1_translate for the
# store through the read-only alias, called to explain the guest's own abort.
if command -v gdb >/dev/null 2>&1; then
	CASE=mmu-gdb
	timeout 60 gdb -q -batch -ex 'break a64_s1_translate if va == 0x80000000' -ex run \
		-ex 'printf "walk of va=0x%lx access=%d\n", va, access' -ex 'bt 3' -ex kill \
		--args "$CVISOR" run $CFG/mmu.toml </dev/null >"$OUT" 2>"$ERR"
	cp "$OUT" "$ERR"
	expect_out "walk of va=0x80000000 access=1"
	expect_count '^#0  a64_s1_translate ' -eq 1
	expect_count '^#2  .* in own_abort ' -eq 1
else
	echo "note: gdb not found; the breakpoint check is skipped"
fi

# s2prot: stage-2 permissions changed at run time (cvisor call MEM_PROTECT);
# Unicorn's map must follow, or the last store would complete.
run_cvisor s2prot run --trace=exits --stats $CFG/s2prot.toml
expect_rc 1
for line in "s2prot: read-only page read" "s2prot: bad requests refused" "s2prot: writable again" \
	"s2prot: storing to the read-only page through VA + 0x4000_0000"; do
	expect_out "$line"
done
expect_no_out "FAIL"
expect_count '^exit: vm=19 vcpu=0 hypercall .* a0=0xc6000004 .* ret=0x0$' -eq 3
expect_count '^exit: vm=19 vcpu=0 hypercall .* a0=0xc6000004 .* ret=0xfffffffffffffffe$' -eq 3
page=$(sym s2prot page)
pc=$(sym s2prot s2prot_store)
expect_err "stage-2 fault: write of 8 bytes at GPA 0x$page \(RAM without this permission\) by vCPU 0 at PC 0x$pc"

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
