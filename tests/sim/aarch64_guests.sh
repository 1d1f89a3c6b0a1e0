#!/bin/sh
# SPDX-License-Identifier: MIT
# The AArch64 guests in the simulator: each one's console output, the exits
# it caused, and how cvisor ends it.
#   tests/sim/aarch64_guests.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; these are AArch64 guests (ARCH=aarch64)"

case_hello
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
expect_count "^exit: .* hypercall .*a0=$(hex c6000002)" -ge 1
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
expect_count '^exit: .* sysreg .*id=0x8084 write reg=1 value=0x1$' -eq 1
expect_count '^exit: .* sysreg .*id=0x808c read reg=2 value=0xa$' -eq 1
expect_count '^exit: .* sysreg .*syndrome=0x62280420 ' -eq 1

case_wild

# A branch to a GPA that is neither RAM nor a device: a stage-2 instruction
# abort, which cvisor gives the guest as a synchronous external abort
# (ESR_EL1 0x86000010: EC 0x21, IL, IFSC 0x10; FAR_EL1 the PC). jump has no
# vector table: its vector at VBAR_EL1 0 + 0x200 is in the virt machine's
# flash, a device, which cannot be executed from: the VM stops there.
run_cvisor jump run --trace=exits --stats $CFG/jump.toml
expect_rc 1
expect_out "jump: branching to 0x1000_0000"
expect_count '^exit: vm=17 vcpu=0 stage2-fault pc=0x10000000 syndrome=0x82000005 gpa=0x10000000 fetch ' -eq 1
expect_count '^guest-exception: vm=17 vcpu=0 IABT_CUR esr=0x86000010 elr=0x10000000 far=0x10000000 -> 0x200$' -eq 1
expect_count '^guest-exception: ' -eq 1
expect_err '^cvisor: warning: jump: fetch of 4 bytes at GPA 0x10000000 \(neither RAM nor a device\) by vCPU 0 at PC 0x10000000: an abort for the guest \(the VM.s later ones are counted, not logged\)$'
expect_count '^stats: vm=17 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=1$' -eq 1
expect_stopped jump "stage-2 fault: fetch of 4 bytes at GPA 0x200 \\(a device that cannot be reached this way\\) by vCPU 0 at PC 0x200\$"

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
expect_count "^guest-exception: vm=16 vcpu=0 DABT_CUR esr=0x9600004f elr=$(hex "$(sym mmu perm_store)") far=0x80000000 " -eq 1
expect_count "^guest-exception: vm=16 vcpu=0 DABT_CUR esr=0x96000007 elr=$(hex "$(sym mmu trans_load)") far=0x80002000 " -eq 1
expect_stage2_fault mmu write 4 20000000 "neither RAM nor a device" "$(sym mmu noram_store)"

# --trace=walks: the walk of the read-only alias page, level by level, for
# the permission fault, then stage 2 of the page's GPA.
run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
expect_rc 1
l1=$(sym mmu l1_lo)
l2=$(sym mmu l2_alias)
l3=$(sym mmu l3_alias)
data=$(sym mmu data_page)
desc() { printf '0x%016x' $((0x$1 | $2)); }
expect_walk_start 16 "stage-1 va" 0x0000000080000000 write "guest data abort"
expect_walk_step 1 "$l1" 2 "$(desc "$l2" 3)" "table -> 0x$l2"
expect_walk_step 2 "$l2" 0 "$(desc "$l3" 3)" "table -> 0x$l3"
expect_walk_step 3 "$l3" 0 "$(desc "$data" 0x0060000000000783)" "page -> 0x$data r--"
expect_err "^walk:   -> permission fault at level 3\$"
expect_walk_start 16 "stage-2 gpa" "$(desc "$data" 0)" write "guest data abort"

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
	CASE=mmu-gdb
	skip "gdb not found (make test installs it)"
fi

# s2prot: here the last store goes through an alias of the page; MEM_PROTECT
# succeeds three times and refuses three bad requests.
case_s2prot "s2prot: storing to the read-only page through VA + 0x4000_0000"
expect_out "s2prot: bad requests refused"
expect_count '^exit: vm=19 vcpu=0 hypercall .* a0=0xc6000004 .* ret=0x0$' -eq 3
expect_count '^exit: vm=19 vcpu=0 hypercall .* a0=0xc6000004 .* ret=0xfffffffffffffffe$' -eq 3

# An address beyond the CPU's physical range is the guest's own fault.
run_cvisor far run --trace=exits --stats $CFG/far.toml
expect_rc 0
expect_out "far: all ok"
expect_stat guest-exceptions -eq 2
expect_stat stage2-fault -eq 0
expect_count "^guest-exception: .* DABT_CUR esr=0x96000040 elr=$(hex "$(sym far far_store)") far=$(hex ffff000000001000) " -eq 1
expect_count "^guest-exception: .* DABT_CUR esr=0x96000040 elr=$(hex "$(sym far far_simd_store)") far=$(hex ffff000000001000) " -eq 1

run_cvisor storm run $CFG/storm.toml
expect_rc 1
expect_stopped storm "exception storm: 64 exceptions in a row taken inside the guest's own vector table \(VBAR_EL1 $(hex "$(sym storm vectors)")\); last EC 0x00 \(UNKNOWN\) at PC 0x[0-9a-f]+\$"

case_spin

run_cvisor wfe run --stats $CFG/wfe.toml
expect_rc 0
expect_out "wfe: went on"
expect_stat halt -eq 0

case_wait wfi WFI

# The benchmark guests run to their end with the exits they promise.
case_stats bench_compute hypercall -eq 1 mmio -eq 0
case_stats bench_hvc hypercall -eq 1000001

case_two_vms hypercall "hypercall: all ok"
case_one_bad_of_two wild "stage-2 fault: "

finish
