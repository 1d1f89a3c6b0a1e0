#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 5 (interrupts and the timer): the virtual timer's output and
# deadline (src/arch/aarch64/timer.c) and the GICv3 CPU interface's
# acknowledge and end of interrupt (src/core/gicv3.c), checked with the
# timer, el0irq, wfi_irq and sleep guests in the AArch64 simulator. Every
# run uses --clock=virtual, so the counts are exact and repeatable.
#   sh labs/5-interrupts/grade.sh BUILD   (make grade LAB=5)
set -u
. labs/lib.sh # BUILD (the first argument), CVISOR, grade_check, grade_finish
guests_of aarch64

# expect_console TEXT: stdout is exactly TEXT (all its lines, in order).
expect_console() {
	if [ "$(cat "$OUT")" = "$1" ]; then ok "console is exactly the expected $(printf '%s\n' "$1" | wc -l) lines"
	else fail "console differs from the expected lines"; fi
}
# expect_vcpu_stat VM VCPU NAME VALUE: the --stats line of that vCPU has NAME=VALUE.
expect_vcpu_stat() {
	expect_err "^stats: vm=$1 vcpu=$2 .*\\b$3=$4( |\$)"
}

TIMER_LINES="timer: GIC up, PPI 27 enabled
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
timer: all ok"

# The timer guest: ten ticks of the virtual timer, then one while masked.
# It runs once; each of its checks looks at that run (run_timer).
run_cvisor timer run --clock=virtual --trace=exits --stats --max-seconds=3 "$(own_config timer)"
TIMER_RC=$RC
cp "$OUT" "$OWN_DIR/timer.out"
cp "$ERR" "$OWN_DIR/timer.err"
run_timer() {
	CASE=timer
	RC=$TIMER_RC
	cp "$OWN_DIR/timer.out" "$OUT"
	cp "$OWN_DIR/timer.err" "$ERR"
}

# Its console, line for line, and cvisor's status.
timer_console() {
	run_timer
	expect_rc 0
	expect_console "$TIMER_LINES"
}

# Every tick waited for in one WFI: the timer's deadline woke the vCPU.
timer_deadlines() {
	run_timer
	expect_count '^exit: vm=201 vcpu=0 halt ' -eq 10
	expect_vcpu_stat 201 0 halt 10
	expect_ticks_on_time 201 11
}

# Eleven interrupts acknowledged as INTID 27 (ICC_IAR1_EL1, id 0xc660) and
# ended (ICC_EOIR1_EL1, 0xc661); while masked, ICC_HPPIR1_EL1 saw it pending.
timer_gic() {
	run_timer
	expect_count '^exit: vm=201 vcpu=0 sysreg pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ id=0xc660 read reg=19 value=0x1b$' -eq 11
	expect_count '^exit: vm=201 vcpu=0 sysreg .* id=0xc660 ' -eq 11
	expect_count '^exit: vm=201 vcpu=0 sysreg pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ id=0xc661 write reg=19 value=0x1b$' -eq 11
	expect_count '^exit: vm=201 vcpu=0 sysreg .* id=0xc662 read reg=0 value=0x1b$' -eq 1
}

# el0irq: 20 timer interrupts taken from EL0, SVCs in between.
el0irq() {
	run_cvisor el0irq run --clock=virtual --trace=exits --stats --max-seconds=3 "$(own_config el0irq)"
	expect_rc 0
	expect_console "el0irq: GIC up, timer every 6250 counts, to EL0
el0irq: 20 timer interrupts taken from EL0 at VBAR_EL1 + 0x480
el0irq: SVCs from EL0 at VBAR_EL1 + 0x400 in between
el0irq: all ok"
	expect_count '^exit: vm=204 vcpu=0 sysreg .* id=0xc660 read reg=2 value=0x1b$' -eq 20
	expect_count '^exit: vm=204 vcpu=0 sysreg .* id=0xc660 ' -eq 20
}

# wfi_irq: a WFI ended by the timer; the handler EOIs while the line is
# still high, then disables the timer: one acknowledge, one EOI, one WFI.
wfi_irq() {
	run_cvisor wfi_irq run --clock=virtual --trace=exits --stats --max-seconds=3 "$(own_config wfi_irq)"
	expect_rc 0
	expect_console "wfi_irq: waiting with IRQs unmasked
wfi_irq: woke, the interrupt taken at the WFI's return address
wfi_irq: all ok"
	expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc660 read reg=0 value=0x1b$' -eq 1
	expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc660 ' -eq 1
	expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc661 write reg=0 value=0x1b$' -eq 1
	expect_vcpu_stat 205 0 halt 1
}

# sleep: one WFI with the physical timer 2 s away; the virtual clock jumps there.
sleep_guest() {
	run_cvisor sleep run --clock=virtual --stats --max-seconds=3 "$(own_config sleep)"
	expect_rc 0
	expect_console "sleep: waiting for the physical timer, 2 s away
sleep: woke up after the deadline
sleep: all ok"
	expect_vcpu_stat 203 0 halt 1
}

echo "lab 5: interrupts and the timer (AArch64 simulator, --clock=virtual)"
grade_check 20 "timer: the console, ten ticks and masking" timer_console
grade_check 20 "timer: each tick waited for in WFI, taken at its deadline" timer_deadlines
grade_check 20 "timer: 11 acknowledges and EOIs of INTID 27" timer_gic
grade_check 15 "el0irq: 20 interrupts taken from EL0" el0irq
grade_check 15 "wfi_irq: a WFI ended by a level that stays high" wfi_irq
grade_check 10 "sleep: the physical timer wakes a WFI 2 s later" sleep_guest
grade_finish
