#!/bin/sh
# SPDX-License-Identifier: MIT
# RISC-V interrupts, the SBI timer, SMP and IPIs in the simulator
# (docs/interrupts-riscv64.md): the timer guest's interrupts (held while
# masked, taken at once when unmasked, ten at a fixed period, never
# early), four harts started and stopped through SBI HSM, 1000 IPI
# ping-pongs counted exactly, a wait for a timer seconds away that sleeps
# instead of spinning, and --clock=virtual runs that repeat byte for byte.
#   tests/sim/riscv64_irq.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of riscv64
[ -x "$BUILD/riscv64/cvisor" ] || skip_suite "$BUILD/riscv64/cvisor not built"

# expect_vcpu_stat VCPU NAME OP N: from the --stats line of that vCPU.
expect_vcpu_stat() {
	v=$(sed -n "s/^stats: vm=[0-9]* vcpu=$1 .* $2=\([0-9]*\).*/\1/p" "$ERR" | head -n 1)
	v=${v:--1}
	if [ "$v" "$3" "$4" ]; then ok "vcpu $1 stat $2=$v ($3 $4)"; else fail "vcpu $1 stat $2=$v, expected $3 $4"; fi
}

# ---- timer: SBI set_timer, STIP held while masked, ten periodic interrupts
timer=$(own_config timer)
run_cvisor timer run --trace=exits --stats "$timer"
expect_rc 0
for line in "timer: masked: deadline passed, sip.STIP pending, nothing taken" \
	"timer: unmasked: taken at once, sepc the next instruction, SPP=1 SPIE=1 SIE=0" \
	"timer: tick 1" "timer: tick 5" "timer: tick 10" \
	"timer: 10 interrupts, each at or after its deadline" "timer: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
expect_no_out "timer: tick 11"
# set_timer: one while masked, one per interrupt (11: the first and the
# last disarm with -1), one to start the ten; then the SBI shutdown.
expect_stat hypercall -eq 14
expect_count '^exit: vm=220 vcpu=0 hypercall .* ecall #0 a0=0xffffffffffffffff ' -eq 2
# STIP raised 11 times by the timer and dropped 11 times by set_timer.
expect_count '^irq: vm=220 vcpu=0 lines=0x20$' -eq 11
expect_count '^irq: vm=220 vcpu=0 lines=0x0$' -eq 11
expect_count '^irq: vm=220 vcpu=0 lines=0x[0-9a-f]+ ipi$' -eq 0
# Taken: the one unmasked, right after the csrsi, then the ten at the wfi loop.
handler=$(hex "$(sym timer handler)")
expect_stat guest-exceptions -eq 11
expect_count "^guest-exception: vm=220 vcpu=0 supervisor timer interrupt scause=0x8000000000000005 sepc=$(hex "$(sym timer after_unmask)") -> $handler\$" -eq 1
expect_count "^guest-exception: vm=220 vcpu=0 supervisor timer interrupt scause=0x8000000000000005 sepc=0x[0-9a-f]+ -> $handler\$" -eq 11
expect_count '^guest-exception: ' -eq 11
expect_stat fatal -eq 0

# --clock=virtual: the same guest twice, the same console and the same
# trace, byte for byte (the time CSR and the timer count the vCPU's own clock).
run_cvisor timer-virtual-1 run --clock=virtual --trace=exits --stats "$timer"
expect_rc 0
expect_out "timer: all ok"
cp "$OUT" "$OWN_DIR/virtual-1.out"
cp "$ERR" "$OWN_DIR/virtual-1.err"
run_cvisor timer-virtual-2 run --clock=virtual --trace=exits --stats "$timer"
expect_rc 0
if cmp -s "$OUT" "$OWN_DIR/virtual-1.out"; then ok "console identical to run 1"; else fail "console differs from run 1"; fi
if same_trace "$ERR" "$OWN_DIR/virtual-1.err"; then ok "trace identical to run 1 ($(wc -l <"$ERR") lines)"; else fail "trace differs from run 1"; fi
expect_count '^exit: vm=220 vcpu=0 sysreg .* id=0xc01 read reg=[0-9]+ value=0x[0-9a-f]+$' -ge 20
expect_count '^irq: vm=220 vcpu=0 lines=0x20$' -eq 11

# ---- sleep: a timer two seconds away, waited for in wfi and in hart_suspend,
# must cost no CPU time: the simulator sleeps (the shell's `times` gives its
# children's user and system time, before and after).
cpu_ms() { times | tail -n 1 | awk '{ split($1 " " $2, t, /[ms ]+/); print int((t[1] * 60 + t[2] + t[3] * 60 + t[4]) * 1000) }'; }
sleep=$(own_config sleep)
before=$(cpu_ms)
start=$(date +%s%N)
run_cvisor sleep run --stats "$sleep"
wall_ms=$((($(date +%s%N) - start) / 1000000))
spent=$(($(cpu_ms) - before))
expect_rc 0
for line in "sleep: waiting 2 s in wfi" "sleep: woke from wfi at or after the deadline, STIP pending" \
	"sleep: woke from hart_suspend at or after the deadline" "sleep: all ok"; do
	expect_out "$line"
done
expect_stat halt -eq 1
if [ "$wall_ms" -ge 2200 ]; then ok "took $wall_ms ms (>= 2.2 s of timers)"; else fail "took $wall_ms ms, less than its timers' 2.2 s"; fi
if [ "$spent" -lt 500 ]; then ok "used $spent ms of CPU time (< 500)"; else fail "used $spent ms of CPU time while waiting (spins?)"; fi
# With --clock=virtual nothing runs while it waits: its clock jumps.
start=$(date +%s%N)
run_cvisor sleep-virtual run --clock=virtual "$sleep"
wall_ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 0
expect_out "sleep: all ok"
if [ "$wall_ms" -lt 1500 ]; then ok "virtual clock: took $wall_ms ms (< 1.5 s)"; else fail "virtual clock: took $wall_ms ms"; fi

# ---- smp: hart 0 starts harts 1-3 (SBI HSM), they check in and stop
run_cvisor smp run --trace=exits --stats "$(own_config smp)"
expect_rc 0
for line in "smp: hart 0 starts harts 1-3" \
	"smp: hart 1 checked in, opaque 0x0000000005ec0001" \
	"smp: hart 2 checked in, opaque 0x0000000005ec0002" \
	"smp: hart 3 checked in, opaque 0x0000000005ec0003" \
	"smp: hart 0 saw 3 harts check in" "smp: harts 1-3 are STARTED" \
	"smp: harts 1-3 are STOPPED" \
	"smp: hart 1 started again, its CSRs as at a first start, and stopped" "smp: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
secondary=$(sym smp secondary)
for h in 1 2 3; do
	expect_count "^exit: vm=221 vcpu=0 hypercall .* ecall #0 a0=0x$h a1=$(hex "$secondary") a2=0x5ec000$h " -eq 1
	expect_count "^exit: vm=221 vcpu=$h hypercall pc=$(hex "$(sym smp stop_ecall)") " -eq 1
done
# Each secondary: the IPI to hart 0, then hart_stop; hart 1 a second hart_stop.
expect_vcpu_stat 1 hypercall -eq 3
expect_vcpu_stat 2 hypercall -eq 2
expect_vcpu_stat 3 hypercall -eq 2
expect_count "^exit: vm=221 vcpu=0 hypercall pc=$(hex "$(sym smp restart_ecall)") syndrome=0xa ecall #0 a0=0x1 a1=$(hex "$(sym smp restarted)") a2=0x5ec0100 .* ret=0x0\$" -eq 1
expect_count '^exit: vm=221 vcpu=0 hypercall .* ecall #0 a0=0x1 .* ret=0xfffffffffffffffa$' -eq 1
# Every hart waited with sstatus.SIE clear: no interrupt was taken.
expect_count '^guest-exception: ' -eq 0
expect_count '^exit: vm=221 vcpu=0 hypercall .* ecall #0 a0=0x4 .* ret=0xfffffffffffffffd$' -eq 1

# ---- ipi: 1000 ping-pongs between two harts, then one IPI to every hart
run_cvisor ipi run --trace=exits --stats "$(own_config ipi)"
expect_rc 0
for line in "ipi: hart 1 is up" "ipi: 1000 pings and 1000 pongs, each taken once" \
	"ipi: hart_mask_base -1 reached both harts" "ipi: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
# hart 0: hart_start, 1000 pings, the broadcast, shutdown; hart 1: 1000 pongs.
expect_vcpu_stat 0 hypercall -eq 1003
expect_vcpu_stat 1 hypercall -eq 1000
expect_count '^exit: vm=222 vcpu=0 hypercall .* a0=0x1 a1=0x1 .*' -eq 1000
expect_count '^exit: vm=222 vcpu=1 hypercall .* a0=0x1 a1=0x0 .*' -eq 1000
expect_count '^exit: vm=222 vcpu=0 hypercall .* a0=0x0 a1=0xffffffffffffffff .*' -eq 1
expect_count '^irq: vm=222 vcpu=1 lines=0x0 ipi$' -eq 1001
# Each hart took 1001 software interrupts at its stvec (handler).
expect_vcpu_stat 0 guest-exceptions -eq 1001
expect_vcpu_stat 1 guest-exceptions -eq 1001
for h in 0 1; do
	expect_count "^guest-exception: vm=222 vcpu=$h supervisor software interrupt scause=0x8000000000000001 sepc=0x[0-9a-f]+ -> $(hex "$(sym ipi handler)")\$" -eq 1001
done

# ---- nowake: the only hart suspends with STIE and SSIE enabled but no timer
# armed and no other hart: nothing could wake it, reported like such a wfi.
run_cvisor nowake run "$(own_config nowake)"
expect_rc 1
expect_out "nowake: suspending"
expect_no_out "nowake: woke up"
expect_stopped nowake "hart 0 suspends \(SBI HSM hart_suspend\) at PC $(hex "$(sym nowake suspend_ecall)"), but no interrupt source could wake it\$"

# ---- plic: the PLIC's registers through MMIO exits, from hart 0's S-mode
# context (1), as on QEMU virt
run_cvisor plic run --trace=exits --stats "$(own_config plic)"
expect_rc 0
for line in "plic: priorities ok" "plic: enables and threshold ok" \
	"plic: claim 0, pending read-only, sip.SEIP clear" "plic: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
expect_count '^exit: vm=224 vcpu=0 mmio .* syndrome=0x15 gpa=0xc000028 size=4 read data=0x7 reg=7$' -eq 1
expect_count '^exit: vm=224 vcpu=0 mmio .* syndrome=0x15 gpa=0xc002080 size=4 read data=0xfffffffe reg=7$' -eq 1
expect_count '^exit: vm=224 vcpu=0 mmio .* syndrome=0x15 gpa=0xc201004 size=4 read data=0x0 reg=7$' -eq 1
expect_count '^exit: vm=224 vcpu=0 mmio .* syndrome=0x17 gpa=0xc201004 size=4 write data=0xa reg=6$' -eq 1
expect_count '^exit: vm=224 vcpu=0 mmio .* gpa=0xc[0-9a-f]+ ' -eq 15
expect_count '^irq: ' -eq 0
expect_stat fatal -eq 0

# bench_irq (make bench's delivery latency): 1000 timer interrupts taken
# from WFI; with --clock=virtual the total lateness is exact.
run_cvisor bench-irq-virtual run --clock=virtual --max-seconds=30 $CFG/bench_irq.toml
expect_rc 0
expect_out "bench_irq: frequency 0x0000000000989680"
expect_out "bench_irq: interrupts 0x00000000000003e8"
expect_out "bench_irq: total lateness (ticks) 0x0000000000000000"

finish
