#!/bin/sh
# SPDX-License-Identifier: MIT
# AArch64 interrupts, timers and SMP in the simulator (docs/interrupts-aarch64.md):
# PSCI CPU_ON / AFFINITY_INFO / CPU_OFF on four vCPUs (smp); the virtual
# timer's interrupts through the GICv3, masked and unmasked (timer), the
# same run twice with --clock=virtual, byte for byte; a WFI with the
# physical timer two seconds away, which must sleep, not spin (sleep); 1000
# SGIs each way between two vCPUs (ipi); timer interrupts taken from EL0
# between system calls, which the simulator also enters EL1 for with the
# virtual IRQ line (el0irq); a WFI with IRQs unmasked ended by an interrupt
# that is still pending after its EOI until the handler disables the timer
# (wfi_irq); code one vCPU rewrites and another runs, made visible by IC
# IVAU, IC IALLUIS and IC IALLU (xcode).
#   tests/sim/aarch64_irq.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; these are AArch64 guests (ARCH=aarch64)"

# expect_vcpu_stat VM VCPU NAME VALUE: the --stats line of that vCPU has NAME=VALUE.
expect_vcpu_stat() {
	expect_err "^stats: vm=$1 vcpu=$2 .*\\b$3=$4( |\$)"
}

# smp: vCPU 0 starts vCPUs 1-3 with CPU_ON (context = index), each prints
# its MPIDR_EL1 (Aff0 = its index, bit 31 RES1) and checks in; CPU_ON of a
# vCPU that is on and of an affinity no vCPU has fail as PSCI says; the
# others end with CPU_OFF, which AFFINITY_INFO sees.
run_cvisor smp run --trace=exits --stats --max-seconds=30 "$(own_config smp)"
expect_rc 0
for line in "smp: vCPU 0 starts the others" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000001" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000002" \
	"smp: vCPU up, MPIDR_EL1 0x0000000080000003" \
	"smp: all 3 secondaries checked in" "smp: CPU_ON errors ok" \
	"smp: AFFINITY_INFO says ON for vCPUs 1-3" "smp: AFFINITY_INFO says OFF for vCPUs 1-3" \
	"smp: vCPU 1 started again, checked in, off" "smp: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
# The lines come in this order: each secondary starts after the one before checked in.
if [ "$(grep -c '' "$OUT")" -eq 11 ] && [ "$(sed -n 's/^smp: vCPU up, MPIDR_EL1 0x00000000800000\(..\)$/\1/p' "$OUT" | tr -d '\n')" = 01020301 ]; then
	ok "eleven console lines, vCPUs 1, 2, 3, then 1 again, in order"
else
	fail "console lines out of order"
fi
expect_count '^cvisor: vm [0-9]+ ' -eq 0
# Each secondary made one hypercall (CPU_OFF, which returns nothing), vCPU 1 two.
expect_vcpu_stat 200 1 hypercall 2
for v in 2 3; do
	expect_vcpu_stat 200 $v hypercall 1
done
# CPU_ON: three starts (x1 = 1, 2, 3; vCPU 2 in the SMC32 form) that
# succeed, then ALREADY_ON (-4) and INVALID_PARAMETERS (-2).
e=$(hex "$(sym smp secondary)")
for call in "0xc4000003 a1=0x1 a2=$e a3=0x1 ret=0x0" "0x84000003 a1=0x2 a2=$e a3=0x2 ret=0x0" \
	"0xc4000003 a1=0x3 a2=$e a3=0x3 ret=0x0" "0xc4000003 a1=0x1 a2=$e a3=0x1 ret=0xfffffffffffffffc" \
	"0xc4000003 a1=0x7 a2=$e a3=0x7 ret=0xfffffffffffffffe"; do
	n=1
	[ "$call" = "0xc4000003 a1=0x1 a2=$e a3=0x1 ret=0x0" ] && n=2 # vCPU 1 started twice
	expect_count "^exit: vm=200 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 a0=$call\$" -eq $n
done
expect_count '^exit: vm=200 vcpu=0 hypercall .* a0=0x[c8]4000003 ' -eq 6

# xcode: vCPU 1 runs a function once, then after each of the 12 rewrites
# by vCPU 0 (IC IVAU for 1-8, IC IALLUIS for 9-10, IC IALLU for 11-12),
# and gets the new code's value each time, never its old translation's.
run_cvisor xcode run --stats --max-seconds=30 "$(own_config xcode)"
expect_rc 0
expect_out "xcode: vCPU 0 starts vCPU 1"
expect_out "xcode: vCPU 1 ran each of the 12 versions (IC IVAU, IC IALLUIS, IC IALLU)"
expect_out "xcode: all ok"
expect_no_out "FAIL"
expect_vcpu_stat 212 1 hypercall 1

# timer: ten ticks, each taken at or after its deadline, then masking.
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
# expect_console TEXT: stdout is exactly TEXT (all its lines, in order).
expect_console() {
	if [ "$(cat "$OUT")" = "$1" ]; then ok "console is exactly the expected $(printf '%s\n' "$1" | wc -l) lines"
	else fail "console differs from the expected lines"; fi
}
TIMER=$(own_config timer)
run_cvisor timer run --trace=exits --stats --max-seconds=30 "$TIMER"
expect_rc 0
expect_console "$TIMER_LINES"
# Eleven interrupts, each acknowledged as INTID 27 (0x1b) and ended with an EOI.
expect_count '^exit: vm=201 vcpu=0 sysreg pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ id=0xc660 read reg=19 value=0x1b$' -eq 11
expect_count '^exit: vm=201 vcpu=0 sysreg pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ id=0xc661 write reg=19 value=0x1b$' -eq 11
expect_count '^exit: vm=201 vcpu=0 sysreg .* id=0xc660 ' -eq 11
# While masked it was pending: ICC_HPPIR1_EL1 read 27 once.
expect_count '^exit: vm=201 vcpu=0 sysreg .* id=0xc662 read reg=0 value=0x1b$' -eq 1
# At most one WFI per tick (fewer if a tick was due before the guest waited).
expect_count '^exit: vm=201 vcpu=0 halt ' -le 10

# The same with --clock=virtual: every tick waited for in WFI, and two runs
# give the same console and the same exit trace, byte for byte.
run_cvisor timer-virtual run --clock=virtual --trace=exits --stats --max-seconds=30 "$TIMER"
expect_rc 0
expect_console "$TIMER_LINES"
expect_count '^exit: vm=201 vcpu=0 halt ' -eq 10
expect_vcpu_stat 201 0 halt 10
expect_ticks_on_time 201 11
cp "$OUT" "$OWN_DIR/virtual1.out"
cp "$ERR" "$OWN_DIR/virtual1.err"
run_cvisor timer-virtual-again run --clock=virtual --trace=exits --stats --max-seconds=30 "$TIMER"
expect_rc 0
if cmp -s "$OUT" "$OWN_DIR/virtual1.out" && same_trace "$ERR" "$OWN_DIR/virtual1.err"; then
	ok "two runs with --clock=virtual: console and trace identical ($(grep -c '' "$ERR") lines)"
else
	fail "two runs with --clock=virtual differ"
fi

# sleep: one WFI with the physical timer 2 s away. cvisor sleeps: its CPU
# time stays far below the wait, and the guest waits in a single WFI exit.
SLEEP=$(own_config sleep)
CASE=sleep
/usr/bin/time -f '%e %U %S' -o "$OWN_DIR/time" timeout 60 "$CVISOR" run --stats "$SLEEP" </dev/null >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0
expect_console "sleep: waiting for the physical timer, 2 s away
sleep: woke up after the deadline
sleep: all ok"
expect_vcpu_stat 203 0 halt 1
read -r wall user sys <<EOF_TIME
$(tail -n 1 "$OWN_DIR/time")
EOF_TIME
if awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { exit !(w >= 2.0 && u + s < 0.5) }'; then
	ok "waited ${wall} s of wall time on ${user} s user + ${sys} s system CPU time"
else
	fail "wall ${wall} s, CPU ${user} s user + ${sys} s system: expected >= 2 s of wall, < 0.5 s of CPU"
fi
# With --clock=virtual the clock jumps to the deadline: no wall time at all.
/usr/bin/time -f '%e %U %S' -o "$OWN_DIR/time" timeout 60 "$CVISOR" run --clock=virtual --stats "$SLEEP" </dev/null >"$OUT" 2>"$ERR"
RC=$?
CASE=sleep-virtual
expect_rc 0
expect_out "sleep: all ok"
read -r wall user sys <<EOF_TIME
$(tail -n 1 "$OWN_DIR/time")
EOF_TIME
if awk -v w="$wall" 'BEGIN { exit !(w < 1.0) }'; then ok "virtual clock: ${wall} s of wall time"
else fail "virtual clock: ${wall} s of wall time, expected < 1 s"; fi

# ipi: 1000 pings (SGI 1 by target list) and 1000 pongs (SGI 1 to every
# other vCPU, IRM), each acknowledged and ended once.
run_cvisor ipi run --trace=exits --stats --max-seconds=30 "$(own_config ipi)"
expect_rc 0
expect_console "ipi: vCPU 0 GIC up, SGI 1 enabled
ipi: vCPU 1 ready
ipi: vCPU 0 took 1000 pongs
ipi: exactly 1000 SGIs each way
ipi: vCPU 1 off
ipi: all ok"
for v in 0 1; do
	expect_count "^exit: vm=202 vcpu=$v sysreg .* id=0xc660 read reg=19 value=0x1\$" -eq 1000
	expect_count "^exit: vm=202 vcpu=$v sysreg .* id=0xc661 write reg=19 value=0x1\$" -eq 1000
	# 3000 for the SGIs, 3 to bring up the CPU interface (PMR, BPR1, IGRPEN1).
	expect_vcpu_stat 202 $v sysreg 3003
done
expect_count '^exit: vm=202 vcpu=0 sysreg .* id=0xc65d write reg=0 value=0x1000002$' -eq 1000
expect_count '^exit: vm=202 vcpu=1 sysreg .* id=0xc65d write reg=0 value=0x10001000000$' -eq 1000
expect_count '^exit: vm=202 vcpu=[01] sysreg .* id=0xc65d ' -eq 2000

# el0irq: 20 timer interrupts, each taken from the EL0 loop at VBAR_EL1 +
# 0x480 (the guest checks SPSR_EL1 and ELR_EL1), SVCs at + 0x400 in between.
EL0IRQ_LINES="el0irq: GIC up, timer every 6250 counts, to EL0
el0irq: 20 timer interrupts taken from EL0 at VBAR_EL1 + 0x480
el0irq: SVCs from EL0 at VBAR_EL1 + 0x400 in between
el0irq: all ok"
EL0IRQ=$(own_config el0irq)
run_cvisor el0irq run --stats --max-seconds=30 "$EL0IRQ"
expect_rc 0
expect_console "$EL0IRQ_LINES"
run_cvisor el0irq-virtual run --clock=virtual --trace=exits --stats --max-seconds=30 "$EL0IRQ"
expect_rc 0
expect_console "$EL0IRQ_LINES"
expect_count '^exit: vm=204 vcpu=0 sysreg .* id=0xc660 read reg=2 value=0x1b$' -eq 20
expect_count '^exit: vm=204 vcpu=0 sysreg .* id=0xc660 ' -eq 20
# Every SVC entered at the lower-EL synchronous vector, as many as the stats count.
v=$(hex "$(printf '%x' $((0x$(sym el0irq vectors) + 0x400)))")
svcs=$(grep -cE "^guest-exception: vm=204 vcpu=0 SVC64 esr=0x5600000[01] elr=0x[0-9a-f]+ far=0x0 -> $v\$" "$ERR")
expect_count '^guest-exception: ' -eq "$svcs"
expect_vcpu_stat 204 0 guest-exceptions "$svcs"
[ "$svcs" -gt 20 ] && ok "$svcs SVCs from EL0" || fail "$svcs SVCs from EL0, expected more than 20"

# wfi_irq: a WFI with IRQs unmasked, ended by the timer; the handler EOIs
# while the line is still high, then disables the timer: one acknowledge,
# one EOI, one WFI exit, and the guest goes on (--clock=virtual: with host
# time the timer could fire before the WFI, which would then wait for good).
run_cvisor wfi_irq run --clock=virtual --trace=exits --stats --max-seconds=30 "$(own_config wfi_irq)"
expect_rc 0
expect_console "wfi_irq: waiting with IRQs unmasked
wfi_irq: woke, the interrupt taken at the WFI's return address
wfi_irq: all ok"
expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc660 read reg=0 value=0x1b$' -eq 1
expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc660 ' -eq 1
expect_count '^exit: vm=205 vcpu=0 sysreg .* id=0xc661 write reg=0 value=0x1b$' -eq 1
expect_count "^exit: vm=205 vcpu=0 halt pc=$(hex "$(printf '%x' $((0x$(sym wfi_irq after_wfi) - 4)))") " -eq 1
expect_vcpu_stat 205 0 halt 1

# bench_irq (make bench's delivery latency): 1000 timer interrupts taken
# from WFI; with --clock=virtual the total lateness is exact.
run_cvisor bench-irq-virtual run --clock=virtual --max-seconds=30 $CFG/bench_irq.toml
expect_rc 0
expect_out "bench_irq: frequency 0x0000000003b9aca0"
expect_out "bench_irq: interrupts 0x00000000000003e8"
expect_out "bench_irq: total lateness (ticks) 0x0000000000000000"

finish
