#!/bin/sh
# SPDX-License-Identifier: MIT
# Accesses to GPAs that are neither RAM nor a device, in the simulator:
# the unmapped guest of each architecture under [devices] unmapped_access
# "stop", "abort" and "raz_wi" (configs/<arch>/unmapped_*.toml). Fetches
# and the guest's own table walks there are aborts whatever the setting;
# loads and stores follow it. The guests print the syndromes they take;
# tests/bare/aarch64_hostile.sh checks the same lines on hardware.
#   tests/sim/unmapped.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

# ---- AArch64 ---------------------------------------------------------------
# The lines every setting gives: the fetch, the two walks and the fetch at
# EL0, each a synchronous external abort (FSC 0x10) to EL1 with FAR_EL1 the
# VA: ESR_EL1 0x86000010 (instruction abort, EC 0x21, IL), 0x96000010 (data
# abort, EC 0x25, IL), 0x82000010 (instruction abort from EL0, EC 0x20).
aarch64_aborts_always() {
	expect_out "unmapped: fetch from 0x1000_0000"
	expect_out "unmapped: abort ESR_EL1=0x0000000086000010 FAR_EL1=0x0000000010000000"
	expect_out "unmapped: load through a table at 0x2000_0000"
	expect_out "unmapped: abort ESR_EL1=0x0000000096000010 FAR_EL1=0x0000000080000000"
	expect_out "unmapped: fetch through a table at 0x2000_0000"
	expect_out "unmapped: abort ESR_EL1=0x0000000086000010 FAR_EL1=0x0000000080001000"
	expect_out "unmapped: fetch from 0x1000_2000 at EL0"
	expect_out "unmapped: abort ESR_EL1=0x0000000082000010 FAR_EL1=0x0000000010002000"
	expect_out "unmapped: load from 0x7000_0000"
	expect_no_out "FAIL"
}

guests_of aarch64
if [ "$ARCH" != aarch64 ]; then
	CASE=aarch64
	skip "build/cvisor is the $ARCH simulator; the AArch64 guests need ARCH=aarch64"
else
	# stop (the default): the load ends the VM with the stage-2 report.
	run_cvisor unmapped-stop run --trace=exits --stats $CFG/unmapped_stop.toml
	expect_rc 1
	aarch64_aborts_always
	expect_no_out "unmapped: w2"
	expect_err "^cvisor: warning: unmapped_stop: fetch of 4 bytes at GPA 0x10000000 \\(neither RAM nor a device\\) by vCPU 0 at PC 0x10000000: an abort for the guest \\(the VM's later ones are counted, not logged\\)\$"
	expect_count '^cvisor: warning: unmapped_stop: ' -eq 1
	expect_count '^exit: vm=310 vcpu=0 stage2-fault pc=0x10000000 syndrome=0x82000005 gpa=0x10000000 fetch size=4 ' -eq 1
	# S1PTW (ISS bit 7): the walk's read of the level-2 descriptor at 0x2000_0000.
	expect_count "^exit: vm=310 vcpu=0 stage2-fault pc=$(hex "$(sym unmapped walk_load)") syndrome=0x92000085 gpa=0x20000000 read size=8 " -eq 1
	expect_count '^exit: vm=310 vcpu=0 stage2-fault pc=0x80001000 syndrome=0x82000085 gpa=0x20000000 read size=8 ' -eq 1
	expect_count "^guest-exception: vm=310 vcpu=0 DABT_CUR esr=0x96000010 elr=$(hex "$(sym unmapped walk_load)") far=0x80000000 " -eq 1
	# From EL0: the lower-EL vector, VBAR_EL1 + 0x400.
	expect_count "^guest-exception: vm=310 vcpu=0 IABT_LOW esr=0x82000010 elr=0x10002000 far=0x10002000 -> $(hex "$(printf '%x' $((0x$(sym unmapped vectors) + 0x400)))")\$" -eq 1
	expect_count '^stats: vm=310 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=4$' -eq 1
	expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"

	# abort: each load and store is a data abort; the registers keep their values.
	run_cvisor unmapped-abort run --trace=exits --stats $CFG/unmapped_abort.toml
	expect_rc 0
	aarch64_aborts_always
	expect_out "unmapped: abort ESR_EL1=0x0000000096000010 FAR_EL1=0x0000000070000000"
	expect_out "unmapped: w2 = 0x0000000000000055"
	expect_out "unmapped: store to 0x7000_0008"
	expect_out "unmapped: abort ESR_EL1=0x0000000096000050 FAR_EL1=0x0000000070000008"
	expect_out "unmapped: load pair from 0x7000_0000"
	expect_out "unmapped: x2 = 0x0000000000000066 x3 = 0x0000000000000077"
	expect_out "unmapped: all done"
	expect_count "^guest-exception: vm=311 vcpu=0 DABT_CUR esr=0x96000010 elr=$(hex "$(sym unmapped data_load)") far=0x70000000 " -eq 1
	expect_count "^guest-exception: vm=311 vcpu=0 DABT_CUR esr=0x96000050 elr=$(hex "$(sym unmapped data_store)") far=0x70000008 " -eq 1
	expect_count "^guest-exception: vm=311 vcpu=0 DABT_CUR esr=0x96000010 elr=$(hex "$(sym unmapped data_pair)") far=0x70000000 " -eq 1
	expect_count '^guest-exception: ' -eq 7
	expect_count '^stats: vm=311 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=7$' -eq 1
	expect_count '^cvisor: vm ' -eq 0

	# raz_wi: the load reads 0, the store is ignored; the load pair names no
	# register (ISV = 0) and ends the VM.
	run_cvisor unmapped-raz-wi run --trace=exits --stats $CFG/unmapped_raz_wi.toml
	expect_rc 1
	aarch64_aborts_always
	expect_out "unmapped: w2 = 0x0000000000000000"
	expect_out "unmapped: store to 0x7000_0008"
	expect_out "unmapped: load pair from 0x7000_0000"
	expect_no_out "unmapped: all done"
	expect_count "^exit: vm=312 vcpu=0 mmio pc=$(hex "$(sym unmapped data_load)") syndrome=0x93820006 gpa=0x70000000 size=4 read data=0x0 reg=2" -eq 1
	expect_count '^stats: vm=312 vcpu=0 outside RAM and devices: read-as-zero=1 write-ignored=1 aborts=4$' -eq 1
	expect_stage2_fault unmapped_raz_wi read 16 70000000 "neither RAM nor a device; unmapped_access = \"raz_wi\" cannot complete an access whose syndrome names no register" "$(sym unmapped data_pair)"
fi

# ---- RISC-V ------------------------------------------------------------------
# The access faults every setting gives: the fetch (scause 1), the walk
# for a load (5) and the walk for a fetch (1), stval the virtual address.
riscv64_faults_always() {
	expect_out "unmapped: fetch from 0x6000_0000"
	expect_out "unmapped: trap scause=1 stval=0x0000000060000000"
	expect_out "unmapped: load through a table at 0x5000_0000"
	expect_out "unmapped: trap scause=5 stval=0x0000000040000000"
	expect_out "unmapped: fetch through a table at 0x5000_0000"
	expect_out "unmapped: trap scause=1 stval=0x0000000040001000"
	expect_out "unmapped: load from 0x7000_0000"
	expect_no_out "FAIL"
}

guests_of riscv64
if [ ! -x "$BUILD/riscv64/cvisor" ]; then
	CASE=riscv64
	skip "$BUILD/riscv64/cvisor not built"
else
	run_cvisor rv-unmapped-stop run --trace=exits --stats $CFG/unmapped_stop.toml
	expect_rc 1
	riscv64_faults_always
	expect_no_out "unmapped: a2"
	expect_err "^cvisor: warning: unmapped_stop: fetch of 4 bytes at GPA 0x60000000 \\(neither RAM nor a device\\) by vCPU 0 at PC 0x60000000: an abort for the guest \\(the VM's later ones are counted, not logged\\)\$"
	# The walk's implicit read of the root's entry 1 table at 0x5000_0000 (htinst 0x3000).
	expect_count "^exit: vm=313 vcpu=0 stage2-fault pc=$(hex "$(sym unmapped walk_load)") syndrome=0x15 gpa=0x50000000 read size=8 " -eq 1
	expect_count '^exit: vm=313 vcpu=0 stage2-fault pc=0x40001000 syndrome=0x14 gpa=0x50000000 fetch size=8 ' -eq 1
	expect_count "^guest-exception: vm=313 vcpu=0 load access fault scause=5 sepc=$(hex "$(sym unmapped walk_load)") stval=0x40000000 " -eq 1
	expect_count '^guest-exception: ' -eq 3
	expect_count '^stats: vm=313 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=3$' -eq 1
	expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"

	run_cvisor rv-unmapped-abort run --trace=exits --stats $CFG/unmapped_abort.toml
	expect_rc 0
	riscv64_faults_always
	expect_out "unmapped: trap scause=5 stval=0x0000000070000000"
	expect_out "unmapped: a2 = 0x0000000000000055"
	expect_out "unmapped: store to 0x7000_0008"
	expect_out "unmapped: trap scause=7 stval=0x0000000070000008"
	expect_out "unmapped: all done"
	expect_count "^guest-exception: vm=314 vcpu=0 store/AMO access fault scause=7 sepc=$(hex "$(sym unmapped data_store)") stval=0x70000008 " -eq 1
	expect_count '^guest-exception: ' -eq 5
	expect_count '^stats: vm=314 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=5$' -eq 1
	expect_count '^cvisor: vm ' -eq 0

	run_cvisor rv-unmapped-raz-wi run --trace=exits --stats $CFG/unmapped_raz_wi.toml
	expect_rc 0
	riscv64_faults_always
	expect_out "unmapped: a2 = 0x0000000000000000"
	expect_out "unmapped: store to 0x7000_0008"
	expect_out "unmapped: all done"
	expect_count '^guest-exception: ' -eq 3
	expect_count '^stats: vm=315 vcpu=0 outside RAM and devices: read-as-zero=1 write-ignored=1 aborts=3$' -eq 1
	expect_count '^cvisor: vm ' -eq 0
fi

# ---- x86_64 ------------------------------------------------------------------
# Loads and stores follow the setting ("abort" is #GP(0)); the fetch at the
# end stops the VM in every setting (docs/config.md).
x86_64_fetch_stops() {
	expect_out "unmapped: call to 0x7000_1000"
	expect_no_out "still running"
	expect_no_out "FAIL"
	expect_stage2_fault "$1" fetch 1 70001000 "neither RAM nor a device" 70001000
}

guests_of x86_64
if [ ! -x "$BUILD/x86_64/cvisor" ]; then
	CASE=x86_64
	skip "$BUILD/x86_64/cvisor not built"
else
	run_cvisor x86-unmapped-stop run --trace=exits --stats $CFG/unmapped_stop.toml
	expect_rc 1
	expect_out "unmapped: load from 0x7000_0000"
	expect_no_out "unmapped: eax"
	expect_count '^cvisor: warning: ' -eq 0
	expect_count '^stats: vm=316 vcpu=0 outside RAM and devices: ' -eq 0
	expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"

	run_cvisor x86-unmapped-abort run --trace=exits --stats $CFG/unmapped_abort.toml
	expect_rc 1
	expect_out "unmapped: #GP error=0x0000000000000000"
	expect_out "unmapped: eax = 0x0000000000000055"
	expect_out "unmapped: store to 0x7000_0008"
	expect_count "^guest-exception: vm=317 vcpu=0 vector 13 rip=$(hex "$(sym unmapped data_load)") " -eq 1
	expect_count "^guest-exception: vm=317 vcpu=0 vector 13 rip=$(hex "$(sym unmapped data_store)") " -eq 1
	expect_count '^stats: vm=317 vcpu=0 outside RAM and devices: read-as-zero=0 write-ignored=0 aborts=2$' -eq 1
	x86_64_fetch_stops unmapped_abort

	run_cvisor x86-unmapped-raz-wi run --trace=exits --stats $CFG/unmapped_raz_wi.toml
	expect_rc 1
	expect_out "unmapped: eax = 0x0000000000000000"
	expect_out "unmapped: store to 0x7000_0008"
	expect_no_out "#GP"
	expect_count "^exit: vm=318 vcpu=0 mmio pc=$(hex "$(sym unmapped data_load)") syndrome=0x30 gpa=0x70000000 size=4 read data=0x0 " -eq 1
	expect_count '^stats: vm=318 vcpu=0 outside RAM and devices: read-as-zero=1 write-ignored=1 aborts=0$' -eq 1
	x86_64_fetch_stops unmapped_raz_wi
fi

finish
