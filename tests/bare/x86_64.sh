#!/bin/sh
# SPDX-License-Identifier: MIT
# The x86_64 guests on bare-metal cvisor: cvisor in VMX root operation
# under Bochs (corei7_skylake_x: VMX with EPT, VPID and unrestricted
# guest), booted by GRUB from an ISO (scripts/qemu.sh hands x86_64 to
# scripts/bochs.sh). The guests of the simulator's suites
# (tests/sim/x86_64_guests.sh, x86_64_irq.sh, x86_64_hostile.sh, the x86_64
# parts of unmapped.sh and isolation.sh) with the same expected console
# output and the same reports where cvisor stops a VM. The simulator's
# traces and --stats have no equivalent here: the checks are the
# console's lines and cvisor's reports. Time limits are MAX_SECONDS, built
# into the image.
#   tests/bare/x86_64.sh BUILD ARCH
# The cases are x86_64's whatever ARCH (the primary architecture of
# tests/run.sh) is: the bare x86_64 image is built next to the others.
#
# What a run costs: Bochs's start, its BIOS and GRUB, ~2 s; then each VM's
# creation, ~1.35 s of Bochs's virtual time (50 M instructions a second:
# memset() zeroes the VM's 128 MiB of RAM in 16 M rounds of a four-
# instruction loop), during which no VM runs; then the guests, all on the
# one CPU in 4 ms slices. The whole suite: ~45 s on a 2-core machine.
# So the guests share a few images, seven VMs at most (Bochs has 1 GiB of
# RAM). A VM's time limit counts from its own creation, so the creation of
# the VMs after it counts against it too: an image with a short limit
# needs it longer than that (the timed case below).
# Of make bench's guests, only bench_irq and bench_shadow are here: the
# others check no console line and are long under Bochs, bench_vmcall's
# million exits 27 s (measured), bench_compute's 800 M instructions 16 s
# of virtual time, bench_load's and bench_ldst's passes over 2 MiB more.
set -u
BUILD=${1:-build}
. tests/sim/lib.sh
guests_of x86_64
command -v bochs >/dev/null 2>&1 ||
	skip_suite "bochs not found (make test installs it: bochs, bochsbios, vgabios)"
CPU=corei7_skylake_x
# Real time for a run: generous next to MAX_SECONDS=30 of virtual time,
# which a loaded machine may run slower than real time.
RUN_TIMEOUT=120

# banner VMS: cvisor's first line: that many VMs, on one CPU.
banner() { expect_err "^cvisor [0-9.]+ \\(bare metal, x86_64 in VMX root operation\\): $1, 1 CPU, [0-9]+ MiB of RAM\$"; }

expect_hello() {
	expect_out "[hello] Hello from cvisor guest (x86_64)!"
	expect_out "[hello] dtb ok"
	expect_count '^cvisor: vm 51 \(hello\)' -eq 0
}

# expect_lines VM LINES: each line of LINES (one a line) on VM's console.
expect_lines() {
	while IFS= read -r l; do
		expect_out "[$1] $l"
	done <<EOF_LINES
$2
EOF_LINES
}

# ---- The well-behaved guests of tests/sim/x86_64_guests.sh and
# x86_64_irq.sh in one image: smp's four vCPUs and ipi's two share the CPU
# with the others.
run_bare all-guests "" $CPU "$(own_config hello)" "$(own_config ports)" "$(own_config vmcall)" \
	"$(own_config trap)" "$(own_config ioapic)" "$(own_config smp)" "$(own_config ipi)" \
	MAX_SECONDS=30
expect_rc 0
banner "7 VMs"
expect_hello
expect_out "[ports] ports: all ok"
expect_out "[vmcall] vmcall: putchar ok"
expect_out "[vmcall] vmcall: all ok"
expect_out "[trap] trap: all ok"
expect_lines ioapic "ioapic: version 0x11, 24 entries, entry 4 masked at reset
ioapic: entry 4 written and read back: vector 0x34, level, masked, destination 1
ioapic: all ok"
# INIT-SIPI-SIPI: the APs start in real mode, as after a real INIT.
expect_lines smp "smp: trampoline at 0x8000, sending INIT, SIPI, SIPI
smp: APs started in real mode at 0800:0000 with EDX 0x606a6, CR0 0x60000010
smp: 3 APs checked in, APIC IDs 1 2 3, IA32_APIC_BASE 0xfee00800 (not BSP)
smp: the BSP waited in HLT and took their IPIs
smp: all ok"
expect_lines ipi "ipi: AP ready, 1000 rounds of ping (0x50) and pong (0x51)
ipi: 1000 pings and 1000 pongs, each taken once and ended with EOI
ipi: all ok"
expect_no_out "FAIL"
expect_no_out "still running"
expect_out "cvisor: 7 of 7 VMs powered off"

# ---- The local APIC timer (x86_64_irq.sh: periodic with IF=0, right
# after STI, 10 in HLT, one-shot, TPR, self-IPIs), a one-shot timer 2 s
# away waited for in HLT, the two address spaces of the shadow guest (here
# the guest's own paging under EPT), and the hostile guests that must get
# what the hardware gives them (x86_64_hostile.sh, classes 8 to 11).
run_bare irq-hostile "" $CPU "$(own_config timer)" "$(own_config timer_sleep)" \
	"$(own_config shadow)" "$(own_config hostile_div)" "$(own_config hostile_user)" \
	"$(own_config hostile_crdata)" "$(own_config hostile_msr)" MAX_SECONDS=30
expect_rc 0
banner "7 VMs"
expect_lines timer "timer: local APIC version 0x60014, id 0, timer clock 100 MHz
timer: IF=0 for 2 periods: nothing delivered, vector 0x30 waits in IRR
timer: taken right after sti
timer: 10 interrupts, none before its expiry, none 20 ms after it
timer: one-shot: 1 interrupt in 3 periods, current count 0
timer: TPR 0x30 held vector 0x30 back, TPR 0 let it in
timer: self-IPI held while IF=0, taken right after POPF and after IRETQ
timer: all ok"
# The spacing depends on the run (its bounds are the guest's own checks).
expect_err '^\[timer\] timer: spacing min 0x[0-9a-f]{16} ns, max 0x[0-9a-f]{16} ns$'
expect_out "[timer_sleep] timer_sleep: one-shot timer 2 s away, waiting in HLT"
expect_out "[timer_sleep] timer_sleep: woke up 2 s later"
expect_lines shadow "shadow: two spaces at the same VAs, each its own memory
shadow: writes land in their space
shadow: accessed and dirty flags set by the walks"
expect_out "[hostile_div] hostile_div: 1000 #DE delivered"
expect_out "[hostile_div] hostile_div: 1000 #GP delivered, error code 0x28"
expect_out "[hostile_user] hostile_user: 3000 exceptions from CPL 3 taken at CPL 0, frames ok"
expect_out "[hostile_crdata] hostile_crdata: CR0 reads PG, MOV to CR3 takes effect"
expect_out "[hostile_msr] hostile_msr: #GP(0) for MSRs 0xdeadbeef and 0x1b, EFER ok"
expect_no_out "FAIL"
expect_no_out "still running"
expect_out "cvisor: 7 of 7 VMs powered off"

# ---- Wild accesses and refused instructions, each stopping its VM with
# the simulator's report; hello next to them still runs.
# mmu: the guest's own 4-level tables under EPT (no shadow), its own #PF,
# INVLPG, the high half, then a store through its tables to a GPA that is
# not RAM. s2prot: stage 2 changed at run time (cvisor call MEM_PROTECT,
# an INVEPT here). hostile_protect: 1024 such calls, one page each.
run_bare wild-stops "" $CPU "$(own_config wild)" "$(own_config mmu)" "$(own_config s2prot)" \
	"$(own_config storm)" "$(own_config hostile_outs)" "$(own_config hostile_protect)" \
	"$(own_config hello)" MAX_SECONDS=30
expect_rc 1
banner "7 VMs"
expect_out "[wild] wild: storing to 0x7000_0000"
expect_stage2_fault wild write 4 70000000 "neither RAM nor a device" "$(sym wild wild_store)"
expect_lines mmu "mmu: own tables loaded
mmu: alias ok
mmu: #PF on the read-only page: cr2 and error code ok
mmu: invlpg ok
mmu: running in the high half
mmu: back in the identity map
mmu: storing through 0x4000_2000 (GPA 0x7000_0000)"
expect_no_out "returned"
expect_stage2_fault mmu write 8 70000000 "neither RAM nor a device" "$(sym mmu wild_store)"
expect_lines s2prot "s2prot: read-only page read
s2prot: writable again
s2prot: storing to the read-only page"
expect_stage2_fault s2prot write 8 "$(sym s2prot page)" "RAM without this permission" "$(sym s2prot s2prot_store)"
expect_out "[storm] storm: faulting inside the handler"
pc=$(hex "$(sym storm handler)")
expect_stopped storm "vCPU 0 at PC $pc: exception storm: 64 exceptions in a row taken inside the guest's own handler \\($pc\\); last vector 6\$"
expect_out "[hostile_outs] hostile_outs: rep outsb to COM1"
expect_no_out "SNEAKY"
expect_stopped hostile_outs "vCPU 0 at PC $(hex "$(sym hostile_outs outs_insn)"): string I/O instructions are not emulated: exit reason 30 \\(I/O instruction\\), qualification 0x3f80030\$"
expect_out "[hostile_protect] hostile_protect: 1024 pages made read-only one by one"
expect_count '^cvisor: vm 77 \(hostile_protect\)' -eq 0
expect_no_out "FAIL"
expect_no_out "still running"
expect_hello
expect_out "cvisor: 2 of 7 VMs powered off"

# ---- Accesses outside RAM and devices (tests/sim/unmapped.sh), the same
# guest under each [devices] unmapped_access: "stop" ends its VM at the
# load; "abort" gives the load and the store #GP(0); "raz_wi" reads 0 and
# drops the store; the call to 0x7000_1000 at the end stops the VM in
# every setting (a fetch has no instruction to fault). Next to them: a
# guest waiting in HLT for an interrupt nothing can raise, and the two
# cheap guests of make bench: 1000 timer interrupts taken from HLT (their
# lateness is the run's own: only its form is checked) and shadow fills.
run_bare unmapped-hlt "" $CPU "$(own_config unmapped_stop)" "$(own_config unmapped_abort)" \
	"$(own_config unmapped_raz_wi)" "$(own_config hlt)" "$(own_config bench_irq)" \
	"$(own_config bench_shadow)" MAX_SECONDS=30
expect_rc 1
banner "6 VMs"
for vm in unmapped_stop unmapped_abort unmapped_raz_wi; do
	expect_out "[$vm] unmapped: load from 0x7000_0000"
done
expect_no_out "[unmapped_stop] unmapped: eax"
expect_count '^cvisor: warning: unmapped_stop: ' -eq 0
expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"
expect_lines unmapped_abort "unmapped: #GP error=0x0000000000000000
unmapped: eax = 0x0000000000000055
unmapped: store to 0x7000_0008"
expect_count '^\[unmapped_abort\] unmapped: #GP error=0x0000000000000000$' -eq 2
expect_lines unmapped_raz_wi "unmapped: eax = 0x0000000000000000
unmapped: store to 0x7000_0008"
expect_no_out "[unmapped_raz_wi] unmapped: #GP"
for vm in unmapped_abort unmapped_raz_wi; do
	expect_out "[$vm] unmapped: call to 0x7000_1000"
	expect_stage2_fault "$vm" fetch 1 70001000 "neither RAM nor a device" 70001000
done
expect_out "[hlt] hlt: waiting"
expect_no_out "hlt: woke up"
expect_stopped hlt "vCPU 0 waits for an interrupt \\(HLT\\) at PC 0x[0-9a-f]+, but no interrupt source could wake it\$"
expect_out "[bench_irq] bench_irq: frequency 0x000000003b9aca00"
expect_out "[bench_irq] bench_irq: interrupts 0x00000000000003e8"
expect_err '^\[bench_irq\] bench_irq: total lateness \(ticks\) 0x[0-9a-f]{16}$'
expect_count '^cvisor: vm 292 \(bench_irq\)' -eq 0
expect_count '^cvisor: vm 63 \(bench_shadow\)' -eq 0
expect_no_out "FAIL"
expect_no_out "still running"
expect_out "cvisor: 2 of 6 VMs powered off"

# ---- Two VMs with the same RAM at the same GPAs (tests/sim/isolation.sh):
# each keeps its own tag in the page both write at one GPA; VM a, reaching
# for a GPA that is RAM only in VM b, is stopped without reading anything.
run_bare isolation "" $CPU "$(own_config isolation_a)" "$(own_config isolation_b)" MAX_SECONDS=30
expect_rc 1
banner "2 VMs"
expect_out "[isolation_a] isolation_a: the page at GPA 0x1000000 kept this VM's tag 0xaaaaaaaa0000000a through 2000 checks"
expect_out "[isolation_b] isolation_b: the page at GPA 0x1000000 kept this VM's tag 0xbbbbbbbb0000000b through 2000 checks"
expect_out "[isolation_a] isolation_a: reading GPA 0x10000000"
expect_no_out "isolation_a: GPA 0x10000000 is this VM's own RAM"
expect_out "[isolation_b] isolation_b: GPA 0x10000000 is this VM's own RAM, zeroed"
expect_no_out "FAIL"
expect_stage2_fault isolation_a read 8 10000000 "neither RAM nor a device" "$(sym isolation_a iso_other_read)"
expect_count '^cvisor: vm [0-9]+ \(isolation_b\)' -eq 0
expect_out "cvisor: 1 of 2 VMs powered off"

# ---- Guests that never exit on their own, stopped by the time limit built
# into the image: spin (`jmp .`, no exit at all) and hostile_int_loop (int3
# and int $0x80, each handler returning to the instruction that trapped);
# hello next to them must still finish. The limit, 4 s, is longer than
# the simulator's 1 s and 2 s: hello's and hostile_int_loop's clocks run
# while the VMs after them are created (~1.35 s each). The bare build's
# report names no PC.
run_bare timed "" $CPU "$(own_config hello)" "$(own_config hostile_int_loop)" "$(own_config spin)" \
	MAX_SECONDS=4
expect_rc 1
banner "3 VMs"
expect_out "[spin] spin: looping forever"
expect_stopped spin "still running after the time limit of 4 s \\(MAX_SECONDS\\)\$"
expect_out "[hostile_int_loop] hostile_int_loop: looping on int3 and int \$0x80"
expect_stopped hostile_int_loop "still running after the time limit of 4 s \\(MAX_SECONDS\\)\$"
expect_hello
expect_out "cvisor: 1 of 3 VMs powered off"

# virtio-net: ping and pong through the switch of the bare image (docs/virtio.md).
run_bare virtio-net "" $CPU "$(own_config virtio_net_ping)" "$(own_config virtio_net_pong)" MAX_SECONDS=30
expect_rc 0
expect_out "[virtio_net_ping] virtio_net_ping: mac 52:54:00:c5:5b:00"
expect_out "[virtio_net_pong] virtio_net_pong: mac 52:54:00:c5:5c:00"
expect_out "[virtio_net_pong] virtio_net_pong: frame 7 (1514 bytes) from 52:54:00:c5:5b:00 answered"
expect_out "[virtio_net_ping] virtio_net_ping: frame 7 (1514 bytes) to 52:54:00:c5:5c:00: answer from 52:54:00:c5:5c:00 ok"
expect_out "[virtio_net_pong] virtio_net_pong: answered 8 frames"
expect_out "[virtio_net_ping] virtio_net_ping: 8 of 8 answers ok"
expect_no_out "FAIL"
expect_out "cvisor: 2 of 2 VMs powered off"

finish
