#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 0 (setup): the hello guest runs; the student's own guest,
# guests/aarch64/lab0.S with configs/aarch64/lab0.toml, is accepted by
# `cvisor check`, prints its lines and makes its two calls (labs/0-setup/README.md).
#   sh labs/0-setup/grade.sh BUILD
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. labs/lib.sh
guests_of aarch64

hello_runs() { case_hello; }

config_checks() {
	run_cvisor lab0-check check $CFG/lab0.toml
	expect_rc 0
	expect_out "$CFG/lab0.toml: ok (aarch64, 1 vCPU)"
}

greets() {
	run_cvisor lab0 run $CFG/lab0.toml
	expect_rc 0
	expect_out "lab0: hello from my own guest"
	expect_out "lab0: all ok"
	expect_no_out "FAIL"
}

psci_version() {
	run_cvisor lab0-psci run --trace=exits $CFG/lab0.toml
	expect_rc 0
	expect_out "lab0: PSCI version 0x0000000000010001"
	expect_count '^exit: vm=40 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 a0=0x84000000 .* ret=0x10001$' -eq 1
}

smccc_version() {
	run_cvisor lab0-smccc run --trace=exits $CFG/lab0.toml
	expect_rc 0
	expect_count '^exit: vm=40 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 a0=0x80000000 .* ret=0x10001$' -eq 1
	expect_count '^exit: vm=40 vcpu=0 hypercall .* a0=0x84000008 ' -eq 1
}

grade_check 10 "hello: the first guest runs" hello_runs
grade_check 10 "cvisor check accepts configs/aarch64/lab0.toml" config_checks
grade_check 30 "lab0: greets and powers off" greets
grade_check 30 "lab0: PSCI_VERSION, checked and printed" psci_version
grade_check 20 "lab0: SMCCC_VERSION, then SYSTEM_OFF" smccc_version
grade_finish
