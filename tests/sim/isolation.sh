#!/bin/sh
# SPDX-License-Identifier: MIT
# Two VMs side by side with the same RAM at the same GPAs, on each
# simulated architecture (guests/<arch>/isolation.h): each keeps its own
# tag in the page both write at one GPA, and VM a, reaching for a GPA that
# is RAM only in VM b, is stopped by a stage-2 fault without reading
# anything, while VM b goes on and powers off. Then three VMs of three
# architectures in one command, each an SMP guest (ipi: two vCPUs
# exchanging 1000 IPIs each way), each in its own simulator.
#   tests/sim/isolation.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

# isolation ARCH SHARED-GPA OTHER-GPA SIZE: the pair on ARCH; SIZE bytes is VM a's read.
isolation() {
	guests_of "$1"
	if [ ! -f "$BUILD/guests/$1/isolation_a.elf" ]; then
		CASE=isolation-$1
		skip "the $1 guests are not built ($BUILD/guests/$1)"
		return
	fi
	run_cvisor "isolation-$1" run --max-seconds=60 "$(own_config isolation_a)" "$(own_config isolation_b)"
	expect_rc 1
	expect_out "[isolation_a] isolation_a: the page at GPA $2 kept this VM's tag 0xaaaaaaaa0000000a through 2000 checks"
	expect_out "[isolation_b] isolation_b: the page at GPA $2 kept this VM's tag 0xbbbbbbbb0000000b through 2000 checks"
	expect_out "[isolation_a] isolation_a: reading GPA $3"
	expect_no_out "isolation_a: GPA $3 is this VM's own RAM"
	expect_out "[isolation_b] isolation_b: GPA $3 is this VM's own RAM, zeroed"
	expect_no_out "FAIL"
	expect_stage2_fault isolation_a read "$4" "${3#0x}" "neither RAM nor a device" "$(sym isolation_a iso_other_read)"
	# VM b powered off: no report of its own; the summary names VM a only.
	expect_count "^cvisor: vm [0-9]+ \\(isolation_b\\)" -eq 0
	expect_err "^cvisor: 1 of 2 VMs powered off; not: isolation_a\$"
}

isolation aarch64 0x41000000 0x50000000 8
isolation riscv64 0x81000000 0x90000000 8
isolation x86_64 0x1000000 0x10000000 8

# Three architectures at once: the ipi guests, named after their architecture.
set --
for a in aarch64 riscv64 x86_64; do
	guests_of $a
	set -- "$@" "$(own_config ipi -e "s/^name = .*/name = \"ipi-$a\"/")"
done
if [ -x "$BUILD/riscv64/cvisor" ] && [ -x "$BUILD/x86_64/cvisor" ]; then
	run_cvisor three-architectures run --max-seconds=60 "$@"
	expect_rc 0
	expect_out "[ipi-aarch64] ipi: exactly 1000 SGIs each way"
	expect_out "[ipi-aarch64] ipi: all ok"
	expect_out "[ipi-riscv64] ipi: 1000 pings and 1000 pongs, each taken once"
	expect_out "[ipi-riscv64] ipi: all ok"
	expect_out "[ipi-x86_64] ipi: 1000 pings and 1000 pongs, each taken once and ended with EOI"
	expect_out "[ipi-x86_64] ipi: all ok"
	expect_err "^cvisor: 3 simulators; every VM powered off\$"
else
	CASE=three-architectures
	skip "the riscv64 and x86_64 simulators are not built"
fi
finish
