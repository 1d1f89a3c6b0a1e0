#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 8 (booting at EL2): HCR_EL2 for guests (guest_traps_init()) and the
# exits that are interrupts, not traps (hal_vcpu_run()), both in
# src/hal_bare/aarch64/vcpu.c; cvisor built bare-metal and booted at EL2
# under QEMU (virt, virtualization=on) by run_bare (tests/sim/lib.sh),
# with guests whose console the simulator gives too.
#   sh labs/8-bare/grade.sh BUILD   (make grade LAB=8)
set -u
. labs/lib.sh # BUILD (the first argument), CVISOR, grade_check, grade_finish
command -v qemu-system-aarch64 >/dev/null 2>&1 || {
	echo "lab 8: qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)"
	exit 1
}
guests_of aarch64

# expect_console TEXT: the console, cvisor's banner left out, is exactly TEXT.
expect_console() {
	if [ "$(sed 1d "$OUT")" = "$1" ]; then ok "console is exactly the expected $(printf '%s\n' "$1" | wc -l) lines"
	else fail "console differs from the expected lines"; fi
}

# hello: the first guest at EL1 under cvisor at EL2: its MMIO to the UART
# exits (stage 2 leaves the UART unmapped), PSCI SYSTEM_OFF ends it.
hello() {
	run_bare hello "" max "$(own_config hello)"
	expect_rc 0
	expect_err '^cvisor [0-9]+\.[0-9]+ \(bare metal, aarch64 at EL2\): 1 VM, 1 CPU, 1024 MiB of RAM$'
	expect_console "Hello from cvisor guest (aarch64)!
dtb ok
cvisor: 1 of 1 VMs powered off"
}

# sysreg: the ID registers trap (HCR_EL2.TID3) and read as cvisor sanitises them.
sysreg() {
	run_bare sysreg "" max "$(own_config sysreg)"
	expect_rc 0
	expect_out "sysreg: all ok"
	expect_no_out "FAIL"
	expect_out "cvisor: 1 of 1 VMs powered off"
}

# timer: the virtual timer's interrupts reach EL2 (HCR_EL2.IMO) and go to
# the guest through the list registers; its WFIs trap (HCR_EL2.TWI). QEMU
# counts instructions (icount), as tests/bare/aarch64_smp.sh runs it:
# without that, TCG may show CNTV_CTL_EL0.ISTATUS late (scripts/qemu.sh).
timer() {
	QEMU_ICOUNT=1
	export QEMU_ICOUNT
	run_bare timer "" max "$(own_config timer)" MAX_SECONDS=20
	unset QEMU_ICOUNT
	expect_rc 0
	expect_console "timer: GIC up, PPI 27 enabled
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: tick at or after its deadline
timer: 10 ticks at a period of 62500 counts
timer: masked: pending, not taken
timer: unmasked: taken
timer: all ok
cvisor: 1 of 1 VMs powered off"
}

# spin and hello on one CPU: a guest that never exits is preempted by
# cvisor's tick (an IRQ that ends its run: no trap), hello runs and powers
# off meanwhile, and spin is stopped at its time limit.
spin_hello() {
	run_bare spin-hello "" max "$(own_config spin)" "$(own_config hello)" MAX_SECONDS=2
	expect_rc 1
	expect_out "[spin] spin: looping forever"
	expect_out "[hello] Hello from cvisor guest (aarch64)!"
	expect_out "[hello] dtb ok"
	expect_stopped spin "still running after the time limit of 2 s \\(MAX_SECONDS\\)\$"
	expect_count '^cvisor: vm [0-9]+ ' -eq 1
	expect_out "cvisor: 1 of 2 VMs powered off"
}

# wild then hello: a store to a GPA stage 2 does not map stops that VM
# with the simulator's report (a data abort from EL1 to EL2); the next VM runs.
wild_hello() {
	run_bare wild-hello "" max "$(own_config wild)" "$(own_config hello)"
	expect_rc 1
	expect_out "[wild] wild: storing to 0x7000_0000"
	expect_stage2_fault wild write 4 70000000 "neither RAM nor a device" "$(sym wild wild_store)"
	expect_out "[hello] Hello from cvisor guest (aarch64)!"
	expect_out "cvisor: 1 of 2 VMs powered off"
}

echo "lab 8: booting at EL2 (the bare HAL under QEMU)"
grade_check 25 "hello at EL1 under cvisor at EL2" hello
grade_check 15 "sysreg: ID registers trapped and sanitised" sysreg
grade_check 25 "timer: interrupts through EL2 and the list registers" timer
grade_check 15 "spin and hello: cvisor's tick preempts a guest that never exits" spin_hello
grade_check 20 "wild then hello: a stage-2 fault stops one VM only" wild_hello
grade_finish
