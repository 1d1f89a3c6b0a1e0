#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 4 (paging): cvisor's walk of the guest's own stage-1 tables
# (a64_s1_translate() in src/arch/aarch64/stage1.c), which the simulator
# uses to explain the guest's faults (ESR_EL1, FAR_EL1), to translate the
# VA of every device access made with the MMU on, to trace walks
# (--trace=walks) and to translate for gdb. Its unit tests, its agreement
# with Unicorn's MMU on random tables, and the mmu and s2prot guests, two
# stages of translation (labs/4-paging/README.md).
#   sh labs/4-paging/grade.sh BUILD
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. labs/lib.sh
guests_of aarch64

# unit_run CASE TEST: a unit test of tests/unit/aarch64; cmocka's report is the console.
unit_run() {
	CASE=$1
	timeout 120 "$BUILD/tests/aarch64/$2" </dev/null >"$OUT" 2>&1
	RC=$?
	: >"$ERR" # cmocka writes both streams into OUT
}

unit_stage1() {
	unit_run test_stage1 test_stage1
	expect_rc 0
	expect_out "[       OK ] test_blocks_and_pages"
	expect_out "[       OK ] test_faults"
	expect_out "[       OK ] test_el0_permissions"
	expect_out "[  PASSED  ] 3 test(s)."
}

unit_unicorn() {
	unit_run test_uc_s1 test_uc_s1
	expect_rc 0
	expect_out "[       OK ] test_agrees_with_unicorn"
}

mmu_guest() {
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
}

# The walk of the store through the read-only alias, level by level, then stage 2 of its GPA.
mmu_walks() {
	run_cvisor mmu-walks run --trace=walks $CFG/mmu.toml
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
}

two_stages() {
	case_s2prot "s2prot: storing to the read-only page through VA + 0x4000_0000"
}

grade_check 20 "unit: test_stage1 (blocks, pages, faults, EL0 permissions)" unit_stage1
grade_check 20 "unit: test_uc_s1 (the walker agrees with Unicorn's MMU)" unit_unicorn
grade_check 25 "mmu: the guest's own faults, ESR_EL1 and FAR_EL1 exact" mmu_guest
grade_check 25 "mmu: --trace=walks of the read-only alias, level by level" mmu_walks
grade_check 10 "s2prot: a store through a stage-1 alias names the stage-2 GPA" two_stages
grade_finish
