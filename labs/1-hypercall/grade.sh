#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 1 (hypercall): cvisor's own calls, from the HVC or SMC exit to the
# answer in x0: vcpu_arch_hypercall() routes owner 6 of the SMCCC function
# IDs to hypercall_handle(), which answers VERSION, PUTCHAR, ADD and
# VCPU_ID (labs/1-hypercall/README.md). The hypercall guest's console and
# its exits (--trace=exits: function ID in a0, arguments in a1..a3, the
# answer in ret) are checked value by value.
#   sh labs/1-hypercall/grade.sh BUILD
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. labs/lib.sh
guests_of aarch64

# hc_run CASE: the hypercall guest with its exits traced.
hc_run() { run_cvisor "$1" run --trace=exits --stats $CFG/hypercall.toml; }
# hc_exit CONDUIT A0 A1 A2 A3 RET: exactly one exit of that call, with that answer.
hc_exit() {
	expect_count "^exit: vm=3 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ $1 #0 a0=$2 a1=$3 a2=$4 a3=$5 ret=$6\$" -eq 1
}

psci_kept() {
	hc_run hypercall-psci
	hc_exit hvc 0x80000000 '0x[0-9a-f]+' '0x[0-9a-f]+' '0x[0-9a-f]+' 0x10001
	expect_count '^exit: vm=3 vcpu=0 hypercall .* a0=0x84000008 ' -eq 1
}

version() {
	hc_run hypercall-version
	hc_exit hvc 0xc6000000 0xffffffffffffffff 0x0 0x0 0x1
}

add() {
	hc_run hypercall-add
	hc_exit hvc 0xc6000002 0x28 0x1 0x1 0x2a
	hc_exit smc 0xc6000002 0x64 0x14 0x3 0x7b
}

vcpu_id() {
	hc_run hypercall-vcpu-id
	hc_exit hvc 0xc6000003 0x64 0x14 0x3 0x0
}

putchar() {
	hc_run hypercall-putchar
	expect_out "hypercall: putchar ok"
	# "hypercall: putchar ok\n": 22 calls, one byte each, each answered 0.
	expect_count '^exit: vm=3 vcpu=0 hypercall .* a0=0xc6000001 a1=0x[0-9a-f]{1,2} .* ret=0x0$' -eq 22
	expect_count '^exit: vm=3 vcpu=0 hypercall .* a0=0xc6000001 a1=0x70 .* ret=0x0$' -eq 2
}

unknown() {
	hc_run hypercall-unknown
	hc_exit hvc 0xc60000ff 0xfffffffffffffffe 0x1 0x3 0xffffffffffffffff
}

all_ok() {
	hc_run hypercall
	expect_rc 0
	expect_out "hypercall: all ok"
	expect_no_out "FAIL"
	expect_stat hypercall -eq 35
}

# The same hypercall_handle() serves RISC-V (SBI extension 0x0A000000 + call) and x86_64 (VMCALL).
variants() {
	run_cvisor sbi run $(dirname $CFG)/riscv64/sbi.toml
	expect_rc 0
	expect_out "sbi: putchar ok"
	expect_out "sbi: all ok"
	run_cvisor vmcall run $(dirname $CFG)/x86_64/vmcall.toml
	expect_rc 0
	expect_out "vmcall: putchar ok"
	expect_out "vmcall: all ok"
}

grade_check 5 "SMCCC_VERSION and PSCI still answered" psci_kept
grade_check 10 "VERSION answers 0x1 (0.1)" version
grade_check 15 "ADD over HVC (42) and over SMC (123)" add
grade_check 10 "VCPU_ID answers 0" vcpu_id
grade_check 20 "PUTCHAR prints 22 bytes, each answered 0" putchar
grade_check 5 "an unknown cvisor call answers -1" unknown
grade_check 20 "the hypercall guest's own checks pass" all_ok
grade_check 15 "RISC-V (SBI) and x86_64 (VMCALL) guests reach the same calls" variants
grade_finish
