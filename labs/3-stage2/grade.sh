#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 3 (stage 2): the last step of a stage-2 walk, where the leaf's access
# flag and permissions decide (stage2_translate() in src/core/stage2.c),
# and the split of a block into a table of smaller leaves (split_block()),
# which changing the permissions of one page inside a block needs. The
# unit tests of tests/unit/aarch64/test_stage2.c, and the lab3 guest,
# which changes its own stage-2 permissions (MEM_PROTECT) and then stores
# to a page it made read-only (labs/3-stage2/README.md).
#   sh labs/3-stage2/grade.sh BUILD
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. labs/lib.sh
guests_of aarch64

# unit_run CASE: the stage-2 unit tests; cmocka's report is the console.
unit_run() {
	CASE=$1
	timeout 60 "$BUILD/tests/aarch64/test_stage2" </dev/null >"$OUT" 2>&1
	RC=$?
	: >"$ERR" # cmocka writes both streams into OUT
}
unit_ok() { expect_out "[       OK ] $1"; }

leaf_checks() {
	unit_run test_stage2-leaf
	unit_ok test_read_only_not_executable
	unit_ok test_access_flag_fault
	unit_ok test_page_descriptor_bits
}

splits() {
	unit_run test_stage2-split
	unit_ok test_unmap_splits_block
	unit_ok test_protect
}

all_unit() {
	unit_run test_stage2
	expect_rc 0
	expect_out "[  PASSED  ] 13 test(s)."
}

guest_fault() {
	run_cvisor lab3 run $CFG/lab3.toml
	expect_rc 1
	expect_out "lab3: read-only page read"
	expect_out "lab3: writable again"
	expect_out "lab3: storing to the read-only page"
	expect_no_out "FAIL"
	expect_stage2_fault lab3 write 8 "$(sym lab3 page)" "RAM without this permission" "$(sym lab3 lab3_store)"
}

guest_exits() {
	run_cvisor lab3-exits run --trace=exits --stats $CFG/lab3.toml
	page=$(sym lab3 page)
	expect_count "^exit: vm=43 vcpu=0 hypercall .* a0=0xc6000004 a1=$(hex "$page") a2=0x1000 a3=0x1 ret=0x0\$" -eq 2
	expect_count "^exit: vm=43 vcpu=0 hypercall .* a0=0xc6000004 a1=$(hex "$page") a2=0x1000 a3=0x3 ret=0x0\$" -eq 1
	expect_count "^exit: vm=43 vcpu=0 stage2-fault pc=$(hex "$(sym lab3 lab3_store)") syndrome=0x93d4804f gpa=$(hex "$page") write size=8 fault=permission level=3\$" -eq 1
	expect_stat stage2-fault -eq 1
}

wild() { case_wild; }

grade_check 15 "unit: a leaf's access flag and permissions" leaf_checks
grade_check 15 "unit: a block split into pages (unmap, protect)" splits
grade_check 10 "unit: all of test_stage2" all_unit
grade_check 30 "lab3: the store to the read-only page stops the VM, GPA and PC named" guest_fault
grade_check 20 "lab3: three MEM_PROTECT calls answered 0, one permission fault at level 3" guest_exits
grade_check 10 "wild: a GPA with neither RAM nor a device" wild
grade_finish
