#!/bin/sh
# SPDX-License-Identifier: MIT
# x86_64 interrupts, timers and SMP in the simulator: the local APIC timer
# (timer, timer_sleep), INIT-SIPI-SIPI (smp), fixed IPIs (ipi) and the
# I/O APIC's registers (ioapic), run
# through build/cvisor: console output, the APIC-access and RDTSC exits
# they cause, the interrupts delivered through the guest's IDT, and that
# --clock=virtual repeats a run byte for byte.
#   tests/sim/x86_64_irq.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of x86_64
[ -x "$BUILD/x86_64/cvisor" ] || skip_suite "$BUILD/x86_64/cvisor not built"

# APIC-access exits (reason 44 = 0x2c) of vCPU V: "expect_apic V OFFSET read|write VALUE OP N".
expect_apic() {
	expect_count "^exit: vm=$VM vcpu=$1 sysreg pc=0x[0-9a-f]+ syndrome=0x2c id=0xffff2$2 $3 reg=0 value=$4\$" "$5" "$6"
}

# ---- timer: periodic with IF=0, right after STI, 10 in HLT, one-shot, TPR ----
VM=240
timer_lines() {
	expect_out "timer: local APIC version 0x60014, id 0, timer clock 100 MHz"
	expect_out "timer: IF=0 for 2 periods: nothing delivered, vector 0x30 waits in IRR"
	expect_out "timer: taken right after sti"
	expect_out "timer: 10 interrupts, none before its expiry, none 20 ms after it"
	expect_out "timer: one-shot: 1 interrupt in 3 periods, current count 0"
	expect_out "timer: TPR 0x30 held vector 0x30 back, TPR 0 let it in"
	expect_out "timer: self-IPI held while IF=0, taken right after POPF and after IRETQ"
	expect_out "timer: all ok"
	expect_no_out "FAIL"
}
run_cvisor timer run --trace=exits $CFG/timer.toml
expect_rc 0
timer_lines
# Host time: the spacing varies with the host's wake-ups (its bounds are the guest's own checks).
if grep -qE '^timer: spacing min 0x[0-9a-f]{16} ns, max 0x[0-9a-f]{16} ns$' "$OUT"; then
	ok "console: the spacing's min and max"
else
	fail "console lacks the spacing's min and max"
fi
# Software enable with spurious vector 0xff; LVT timer periodic, vector 0x30; 5 ms at 100 MHz.
expect_apic 0 0f0 write 0x1ff -eq 1
expect_apic 0 320 write 0x20030 -eq 1
expect_apic 0 380 write 0x7a120 -eq 3
expect_apic 0 0a0 read 0x30 -eq 1
# RDTSC exits (reason 16) read the VM clock.
expect_count "^exit: vm=240 vcpu=0 sysreg pc=0x[0-9a-f]+ syndrome=0x10 id=0xffff3000 read " -ge 10
# The first interrupt comes after the instruction STI shadows: its frame's RIP is after_sti.
h=$(hex "$(sym timer timer_handler)")
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 48 rip=$(hex "$(sym timer after_sti)") -> $h\$" -eq 1
# 1 after STI, 10 periodic, 1 one-shot, 1 after TPR (and one the timer may raise before it is restarted).
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 48 rip=0x[0-9a-f]+ -> $h\$" -ge 13
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 48 " -le 14
# The self-IPIs (vector 49): taken right after the POPF and the IRETQ that set IF.
s=$(hex "$(sym timer self_handler)")
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 49 rip=$(hex "$(sym timer after_popf)") -> $s\$" -eq 1
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 49 rip=$(hex "$(sym timer after_iretq)") -> $s\$" -eq 1
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 49 " -eq 2
expect_apic 0 300 write 0x40031 -eq 2
n=$(grep -cE "^guest-exception: vm=240 vcpu=0 interrupt vector " "$ERR")
expect_apic 0 0b0 write 0x0 -eq "$n"
# Nothing else is delivered, and interrupts are not the guest's exceptions.
expect_count "^guest-exception: vm=240 vcpu=0 vector " -eq 0

# --clock=virtual: two runs give the same console and the same trace, byte for byte.
CASE=timer-virtual
first=$(mktemp)
run_cvisor timer-virtual run --clock=virtual --trace=exits $CFG/timer.toml
expect_rc 0
timer_lines
cat "$OUT" "$ERR" >"$first"
run_cvisor timer-virtual run --clock=virtual --trace=exits $CFG/timer.toml
expect_rc 0
if cat "$OUT" "$ERR" | cmp -s - "$first"; then
	ok "second run identical ($(wc -l <"$first") lines)"
else
	fail "the second run differs: $(cat "$OUT" "$ERR" | cmp - "$first" 2>&1)"
fi
rm -f "$first"
expect_count "^guest-exception: vm=240 vcpu=0 interrupt vector 48 " -eq 13
# The virtual clock jumps to each expiry while the vCPU waits: exactly 5 ms apart.
expect_out "timer: spacing min 0x00000000004c4b40 ns, max 0x00000000004c4b40 ns"

# ---- timer_sleep: HLT with a one-shot timer 2 s away sleeps, it does not spin ----
VM=243
CASE=timer_sleep
times=$(mktemp)
/usr/bin/time -f "%e %U %S" -o "$times" timeout 60 "$CVISOR" run $CFG/timer_sleep.toml </dev/null >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0
expect_out "timer_sleep: one-shot timer 2 s away, waiting in HLT"
expect_out "timer_sleep: woke up 2 s later"
read -r wall user sys <"$times"
rm -f "$times"
if awk -v w="$wall" 'BEGIN { exit !(w >= 2.0 && w < 10) }'; then ok "wall time $wall s (2 s timer)"; else fail "wall time $wall s, expected 2 s and more"; fi
if awk -v u="$user" -v s="$sys" 'BEGIN { exit !(u + s < 0.5) }'; then
	ok "CPU time $user s user + $sys s system while it waits"
else
	fail "CPU time $user s user + $sys s system: the vCPU spun instead of sleeping"
fi
# The virtual clock jumps to the deadline: the same guest, no wait.
run_cvisor timer_sleep-virtual run --clock=virtual $CFG/timer_sleep.toml
expect_rc 0
expect_out "timer_sleep: woke up 2 s later"

# ---- smp: the BSP starts three APs with INIT-SIPI-SIPI ----
VM=241
run_cvisor smp run --trace=exits $CFG/smp.toml
expect_rc 0
for line in "smp: trampoline at 0x8000, sending INIT, SIPI, SIPI" \
	"smp: APs started in real mode at 0800:0000 with EDX 0x606a6, CR0 0x60000010" \
	"smp: 3 APs checked in, APIC IDs 1 2 3, IA32_APIC_BASE 0xfee00800 (not BSP)" \
	"smp: the BSP waited in HLT and took their IPIs" "smp: all ok"; do
	expect_out "$line"
done
expect_no_out "FAIL"
# INIT (level assert, all excluding self), then two start-up IPIs with vector 0x08.
expect_apic 0 300 write 0xc4500 -eq 1
expect_apic 0 300 write 0xc4608 -eq 2
for v in 1 2 3; do
	# The trampoline's RDMSR of IA32_EFER, at 0x8046 in the copy, in 32-bit protected mode.
	expect_count "^exit: vm=241 vcpu=$v sysreg pc=0x8046 syndrome=0x1f id=0xc0000080 read " -eq 1
	expect_count "^exit: vm=241 vcpu=$v sysreg pc=0x804d syndrome=0x20 id=0xc0000080 write reg=0 value=0x100\$" -eq 1
	expect_apic $v 020 read "0x${v}000000" -eq 1
	expect_apic $v 300 write 0x40 -eq 1
done
# The BSP took the check-in vector (the IPIs of three APs may meet in one IRR bit).
expect_count "^guest-exception: vm=241 vcpu=0 interrupt vector 64 rip=0x[0-9a-f]+ -> $(hex "$(sym smp checkin_handler)")\$" -ge 1
expect_count "^guest-exception: vm=241 vcpu=0 interrupt vector 64 " -le 3

# ---- ipi: 1000 fixed IPIs each way ----
VM=242
run_cvisor ipi run --trace=exits $CFG/ipi.toml
expect_rc 0
expect_out "ipi: AP ready, 1000 rounds of ping (0x50) and pong (0x51)"
expect_out "ipi: 1000 pings and 1000 pongs, each taken once and ended with EOI"
expect_out "ipi: all ok"
expect_no_out "FAIL"
expect_count "^guest-exception: vm=242 vcpu=1 interrupt vector 80 rip=0x[0-9a-f]+ -> $(hex "$(sym ipi ping_handler)")\$" -eq 1000
expect_count "^guest-exception: vm=242 vcpu=0 interrupt vector 81 rip=0x[0-9a-f]+ -> $(hex "$(sym ipi pong_handler)")\$" -eq 1000
expect_apic 0 300 write 0x50 -eq 1000
expect_apic 1 300 write 0x51 -eq 1000
expect_apic 0 310 write 0x1000000 -eq 1000
expect_apic 1 0b0 write 0x0 -eq 1000

# ---- ioapic: its registers through IOREGSEL and IOWIN, device pages of the shadow ----
VM=245
run_cvisor ioapic run --trace=exits $CFG/ioapic.toml
expect_rc 0
expect_out "ioapic: version 0x11, 24 entries, entry 4 masked at reset"
expect_out "ioapic: entry 4 written and read back: vector 0x34, level, masked, destination 1"
expect_out "ioapic: all ok"
expect_no_out "FAIL"
# MMIO exits from the EPT violation (reason 48 = 0x30): IOREGSEL writes, IOWIN reads and writes.
mmio() { expect_count "^exit: vm=245 vcpu=0 mmio pc=0x[0-9a-f]+ syndrome=0x30 gpa=$1 size=4 $2 data=$3 reg=0\$" -eq "$4"; }
mmio 0xfec00010 read 0x170011 1
mmio 0xfec00010 write 0xffff8034 1
mmio 0xfec00010 read 0x18034 1
mmio 0xfec00010 read 0x1000000 1
mmio 0xfec00000 read 0x19 1
mmio 0xfec00000 write 0x18 3
expect_count "^exit: vm=245 vcpu=0 mmio " -eq 17

# ---- a guest that enables nothing still cannot wait forever (hlt) ----
case_wait hlt HLT

# bench_irq (make bench's delivery latency): 1000 timer interrupts taken
# from HLT; with --clock=virtual the total lateness is exact.
run_cvisor bench-irq-virtual run --clock=virtual --max-seconds=30 $CFG/bench_irq.toml
expect_rc 0
expect_out "bench_irq: frequency 0x000000003b9aca00"
expect_out "bench_irq: interrupts 0x00000000000003e8"
expect_out "bench_irq: total lateness (ticks) 0x00000000000061a8"

finish
