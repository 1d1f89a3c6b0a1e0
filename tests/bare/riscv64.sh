#!/bin/sh
# SPDX-License-Identifier: MIT
# The RISC-V guests on bare-metal cvisor: cvisor in HS-mode under QEMU
# (virt, rv64 with the H extension, OpenSBI as its firmware), the guests of
# the simulator's suites (tests/sim/riscv64_*.sh, mmio_pc.sh, unmapped.sh,
# isolation.sh) with the same expected console output and the same reports
# where cvisor stops a VM, and Debian's U-Boot reaching its prompt. The
# simulator's traces and --stats have no equivalent here: the checks are
# the console's lines and cvisor's reports. Time limits are MAX_SECONDS,
# built into the image. The well-behaved guests share one image (each
# run_bare boots QEMU once).
#   tests/bare/riscv64.sh BUILD ARCH
# The cases are riscv64's whatever ARCH (the primary architecture of
# tests/run.sh) is: the bare RISC-V image is built next to the others.
set -u
BUILD=${1:-build}
. tests/sim/lib.sh
guests_of riscv64
command -v qemu-system-riscv64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-riscv64 not found (make test installs it: qemu-system-misc)"
# One hart unless a case says otherwise (scripts/qemu.sh's default -smp is QEMU_SMP).
unset QEMU_SMP

# QEMU 7.2's read of vsip (the guest's sip in VS-mode) masks out STIP and
# SEIP: its rmw_vsip64 ANDs the value read with the writable mask, which
# holds only SSIP. A guest that reads sip.STIP sees 0 although the timer
# interrupt is pending, and is delivered. QEMU_VSIP is the reason given
# where a guest's check of sip.STIP fails so on QEMU 7.2 (listed in
# tests/expected-skips); the same failure with another QEMU is a failure.
QEMU_VSIP="QEMU 7.2 reads the guest's sip (vsip) with STIP and SEIP masked out (rmw_vsip64 keeps only the writable SSIP): the guest's check of sip.STIP fails although the timer interrupt is pending and delivered"
qemu_7_2() { qemu-system-riscv64 --version | head -n 1 | grep -q '^QEMU emulator version 7\.2\.'; }

# banner VMS CPUS: cvisor's first line: that many VMs, on that many harts.
banner() { expect_err "^cvisor [0-9.]+ \\(bare metal, riscv64 in HS-mode\\): $1, $2, [0-9]+ MiB of RAM\$"; }

expect_hello() {
	expect_out "[hello] Hello from cvisor guest (riscv64)!"
	expect_out "[hello] dtb ok"
	expect_count '^cvisor: vm 31 \(hello\)' -eq 0
}

# The smp guest's console in the simulator (tests/sim/riscv64_irq.sh), and the ipi guest's.
SMP_LINES="smp: hart 0 starts harts 1-3
smp: hart 1 checked in, opaque 0x0000000005ec0001
smp: hart 2 checked in, opaque 0x0000000005ec0002
smp: hart 3 checked in, opaque 0x0000000005ec0003
smp: hart 0 saw 3 harts check in
smp: harts 1-3 are STARTED
smp: harts 1-3 are STOPPED
smp: hart 1 started again, its CSRs as at a first start, and stopped
smp: all ok"
IPI_LINES="ipi: hart 1 is up
ipi: 1000 pings and 1000 pongs, each taken once
ipi: hart_mask_base -1 reached both harts
ipi: all ok"

# expect_lines VM LINES: each line of LINES (one a line) on VM's console.
expect_lines() {
	while IFS= read -r l; do
		expect_out "[$1] $l"
	done <<EOF_LINES
$2
EOF_LINES
}

# ---- Every well-behaved guest in one image, on one hart: the vCPUs of
# all of them (smp's four, ipi's two) share it in time slices.
run_bare all-guests "" rv64 "$(own_config hello)" "$(own_config mmio)" "$(own_config sbi)" \
	"$(own_config trap)" "$(own_config time)" "$(own_config mmio_pc)" "$(own_config plic)" \
	"$(own_config smp)" "$(own_config ipi)" "$(own_config bench_compute)" \
	"$(own_config bench_mmu)" "$(own_config bench_sbi)" "$(own_config bench_irq)" MAX_SECONDS=40
expect_rc 0
banner "13 VMs" "1 CPU"
expect_hello
expect_out "[mmio] mmio: all ok"
expect_out "[sbi] sbi: putchar ok"
expect_out "[sbi] sbi: all ok"
expect_out "[trap] trap: all ok"
expect_out "[time] time: advances"
expect_out "[time] time: a write is an illegal instruction"
expect_out "[time] time: all ok"
expect_out "[mmio_pc] mmio_pc: aaabbbdedede"
for line in "plic: priorities ok" "plic: enables and threshold ok" \
	"plic: claim 0, pending read-only, sip.SEIP clear" "plic: all ok"; do
	expect_out "[plic] $line"
done
expect_lines smp "$SMP_LINES"
expect_lines ipi "$IPI_LINES"
# make bench's delivery latency: 1000 timer interrupts taken from WFI (their
# lateness is the host's: only its form is checked).
expect_out "[bench_irq] bench_irq: frequency 0x0000000000989680"
expect_out "[bench_irq] bench_irq: interrupts 0x00000000000003e8"
expect_err '^\[bench_irq\] bench_irq: total lateness \(ticks\) 0x[0-9a-f]{16}$'
expect_no_out "FAIL"
expect_no_out "still running"
expect_out "cvisor: 13 of 13 VMs powered off"

# ---- The SMP guests on two harts: cvisor starts the second (SBI HSM
# hart_start) and spreads the vCPUs over both. scripts/qemu.sh takes
# QEMU_SMP as its default -smp.
QEMU_SMP=2
export QEMU_SMP
run_bare two-harts "" rv64 "$(own_config smp)" "$(own_config ipi)" "$(own_config hello)" \
	"$(own_config sbi)" MAX_SECONDS=40
unset QEMU_SMP
expect_rc 0
banner "4 VMs" "2 CPUs"
expect_lines smp "$SMP_LINES"
expect_lines ipi "$IPI_LINES"
expect_hello
expect_out "[sbi] sbi: all ok"
expect_no_out "FAIL"
expect_out "cvisor: 4 of 4 VMs powered off"

# ---- hostile_umode (tests/sim/riscv64_umode.sh): S -> U -> S 2000 times,
# every synchronous exception the guest owns from both modes, each entry
# checked; hello next to it must still finish.
# QEMU 7.2 writes stval = 0 for EBREAK, where the guest checks the
# simulator's sepc (the Privileged spec, 4.1.9, lets an implementation write
# either); past that check, the same guest also runs into an illegal
# instruction at an odd PC on QEMU 7.2 directly in S-mode, without cvisor.
QEMU_EBREAK="QEMU 7.2 writes stval 0 for EBREAK (the guest checks sepc, as the simulator gives it; the Privileged spec allows either), and the guest also fails on QEMU 7.2 alone, without cvisor"
run_bare umode "" rv64 "$(own_config hostile_umode)" "$(own_config hello)" MAX_SECONDS=30
expect_hello
if qemu_7_2 && [ "$RC" -eq 1 ] && grep -qF "[hostile_umode] FAIL: stval (got 0x0000000000000000)" "$OUT"; then
	skip "$QEMU_EBREAK"
else
	expect_rc 0
	expect_out "[hostile_umode] hostile_umode: S -> U -> S, satp Bare: ok"
	expect_out "[hostile_umode] hostile_umode: S -> U -> S, Sv39: ok"
	expect_out "[hostile_umode] hostile_umode: all ok"
	expect_no_out "FAIL"
	expect_count '^cvisor: vm 137 \(hostile_umode\)' -eq 0
	expect_out "cvisor: 2 of 2 VMs powered off"
fi

# ---- Misaligned accesses to the UART (tests/sim/riscv64_hostile.sh), and
# stage 2 changed one page at a time (tests/sim/stage2_cost.sh: 3072
# MEM_PROTECT calls, each an HFENCE.GVMA here), the last store to a
# read-only page (1023) in one VM, to a writable one (1024) in the other.
PROTECT2=$(own_config hostile_protect -e 's/^id = 151$/id = 261/' \
	-e 's/^name = "hostile_protect"$/name = "hostile_protect2"/' -e 's|^cmdline = .*|cmdline = "s2page=1024"|')
run_bare hostile "" rv64 "$(own_config hostile_misaligned)" "$(own_config hostile_misaligned_sw)" \
	"$(own_config hostile_protect -e 's|^cmdline = .*|cmdline = "s2page=1023"|')" "$PROTECT2" \
	"$(own_config hello)" MAX_SECONDS=40
expect_rc 1
expect_out "[hostile_misaligned] hostile_misaligned: lw at UART + 1"
expect_stopped hostile_misaligned "stage-2 fault: read of 4 bytes at GPA 0x10000001\\b \\(the ns16550a refuses this size or alignment\\) by vCPU 0 at PC $(hex "$(sym hostile_misaligned misaligned_load)")\$"
expect_out "[hostile_misaligned_sw] hostile_misaligned_sw: sw at UART + 1"
expect_stopped hostile_misaligned_sw "stage-2 fault: write of 4 bytes at GPA 0x10000001\\b \\(the ns16550a refuses this size or alignment\\) by vCPU 0 at PC $(hex "$(sym hostile_misaligned_sw misaligned_store)")\$"
expect_count 'could not find the instruction' -eq 0
for vm in hostile_protect hostile_protect2; do
	expect_out "[$vm] hostile_protect: every other page read-only (1024 calls)"
	expect_out "[$vm] hostile_protect: even pages written, odd pages read"
	expect_out "[$vm] hostile_protect: all writable again, every page written (1024 calls)"
done
expect_no_out "[hostile_protect] hostile_protect: the store completed"
expect_stage2_fault hostile_protect write 8 "$(printf '%x' $((0x$(sym hostile_protect pages) + 1023 * 0x1000)))" \
	"RAM without this permission" "$(sym hostile_protect hostile_store)"
expect_out "[hostile_protect2] hostile_protect: the store completed"
expect_count '^cvisor: vm 261 \(hostile_protect2\)' -eq 0
expect_no_out "FAIL"
expect_no_out "still running"
expect_hello
expect_out "cvisor: 2 of 5 VMs powered off"

# ---- Wild accesses, each stopping its VM with the simulator's report
# (tests/sim/riscv64_guests.sh); hello next to them still runs.
# mmu: the guest's own Sv39 tables under hgatp's stage 2, its own page
# fault (scause 15, stval), a store whose GPA is not RAM. The high-half VA
# of a symbol: 0xffff_ffc0_0000_0000 + (its address - 0x8000_0000).
high() { printf '%x' $((-0x4000000000 + 0x$(sym mmu "$1") - 0x80000000)); }
# On two harts: a stage-2 change (s2prot's MEM_PROTECT) is fenced on the
# other hart too, through SBI RFENCE, whose failure would be a panic (status 3).
QEMU_SMP=2
export QEMU_SMP
run_bare wild-stops "" rv64 "$(own_config wild)" "$(own_config mmu)" "$(own_config csr)" \
	"$(own_config s2prot)" "$(own_config hello)" MAX_SECONDS=30
unset QEMU_SMP
expect_rc 1
banner "5 VMs" "2 CPUs"
expect_out "[wild] wild: storing to 0x7000_0000"
expect_stage2_fault wild write 4 70000000 "neither RAM nor a device" "$(sym wild wild_store)"
for line in "mmu: on, running at its identity map" \
	"mmu: alias: wrote 0x12345678abcdef00 through VA 0x40000000, read 0x12345678abcdef00 through VA 0x40001000" \
	"mmu: printed through the UART at VA 0x40003000" "mmu: running at 0x$(high high)" \
	"mmu: store to the read-only alias: scause 15 stval 0x40002000, skipped" \
	"mmu: storing through VA 0x40004000 (GPA 0x70000000)"; do
	expect_out "[mmu] $line"
done
expect_stage2_fault mmu write 4 70000000 "neither RAM nor a device" "$(high wild_store)"
# A hypervisor CSR: a virtual-instruction trap, not emulated. (The bare
# build's reports add no "vCPU 0 was at PC" to a reason that names none.)
expect_out "[csr] csr: reading hstatus"
expect_stopped csr "hart 0: trapped access to CSR 0x600 that cvisor does not emulate\$"
# Stage-2 permissions changed at run time (MEM_PROTECT): cvisor fences hgatp's TLB.
for line in "s2prot: read-only page read" "s2prot: writable again" "s2prot: storing to the read-only page"; do
	expect_out "[s2prot] $line"
done
expect_stage2_fault s2prot write 8 "$(sym s2prot page)" "RAM without this permission" "$(sym s2prot s2prot_store)"
expect_no_out "FAIL"
expect_no_out "still running"
expect_hello
expect_out "cvisor: 1 of 5 VMs powered off"

# ---- An exception storm: the guest's exceptions go to its own stvec
# (hedeleg) and never reach HS-mode; cvisor's tick finds the guest stuck at
# its trap vector (src/hal_bare/riscv64/watchdog.c).
run_bare storm "" rv64 "$(own_config storm)" "$(own_config hello)" MAX_SECONDS=30
expect_rc 1
expect_out "[storm] storm: faulting inside the trap handler"
pc=$(hex "$(sym storm handler)")
expect_stopped storm "exception storm: for 200 ms the guest kept taking exceptions at its own trap vector \\(stvec $pc\\); last scause 0x2 \\(illegal instruction\\) from sepc $pc\$"
expect_hello
expect_out "cvisor: 1 of 2 VMs powered off"

# ---- A guest that never exits, stopped by the time limit built into the
# image; a wfi and an SBI hart_suspend that nothing can end.
run_bare spin-wait "" rv64 "$(own_config spin)" "$(own_config wfi)" "$(own_config nowake)" \
	"$(own_config hello)" MAX_SECONDS=1
expect_rc 1
expect_out "[spin] spin: looping forever"
expect_stopped spin "still running after the time limit of 1 s \\(MAX_SECONDS\\)\$"
expect_out "[wfi] wfi: waiting"
expect_stopped wfi "vCPU 0 waits for an interrupt \\(WFI\\) at PC 0x[0-9a-f]+, but no interrupt source could wake it\$"
expect_out "[nowake] nowake: suspending"
expect_no_out "nowake: woke up"
expect_stopped nowake "hart 0 suspends \\(SBI HSM hart_suspend\\) at PC $(hex "$(sym nowake suspend_ecall)"), but no interrupt source could wake it\$"
expect_hello
expect_out "cvisor: 1 of 4 VMs powered off"

# ---- Accesses outside RAM and devices (tests/sim/unmapped.sh), the same
# guest under each [devices] unmapped_access in one image: the fetch
# (scause 1) and the guest's own walks for a load (5) and for a fetch (1)
# are access faults in all three; "stop" ends its VM at the load, "abort"
# runs to the end, "raz_wi" reads 0 and ignores the store.
run_bare unmapped "" rv64 "$(own_config unmapped_stop)" "$(own_config unmapped_abort)" \
	"$(own_config unmapped_raz_wi)" MAX_SECONDS=30
expect_rc 1
for vm in unmapped_stop unmapped_abort unmapped_raz_wi; do
	for line in "fetch from 0x6000_0000" "trap scause=1 stval=0x0000000060000000" \
		"load through a table at 0x5000_0000" "trap scause=5 stval=0x0000000040000000" \
		"fetch through a table at 0x5000_0000" "trap scause=1 stval=0x0000000040001000" \
		"load from 0x7000_0000"; do
		expect_out "[$vm] unmapped: $line"
	done
done
expect_no_out "FAIL"
# Each VM's first one is logged (the fetch), as in the simulator.
for vm in unmapped_stop unmapped_abort unmapped_raz_wi; do
	expect_err "^cvisor: warning: $vm: fetch of 4 bytes at GPA 0x60000000 \\(neither RAM nor a device\\) by vCPU 0 at PC 0x60000000: an abort for the guest \\(the VM's later ones are counted, not logged\\)\$"
done
expect_no_out "[unmapped_stop] unmapped: a2"
expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"
for line in "trap scause=5 stval=0x0000000070000000" "a2 = 0x0000000000000055" \
	"store to 0x7000_0008" "trap scause=7 stval=0x0000000070000008" "all done"; do
	expect_out "[unmapped_abort] unmapped: $line"
done
expect_count '^cvisor: vm 314 \(unmapped_abort\)' -eq 0
for line in "a2 = 0x0000000000000000" "store to 0x7000_0008" "all done"; do
	expect_out "[unmapped_raz_wi] unmapped: $line"
done
expect_no_out "[unmapped_raz_wi] unmapped: trap scause=5 stval=0x0000000070000000"
expect_count '^cvisor: vm 315 \(unmapped_raz_wi\)' -eq 0
expect_out "cvisor: 2 of 3 VMs powered off"

# ---- Two VMs with the same RAM at the same GPAs (tests/sim/isolation.sh):
# each keeps its own tag in the page both write at one GPA; VM a, reaching
# for a GPA that is RAM only in VM b, is stopped without reading anything.
run_bare isolation "" rv64 "$(own_config isolation_a)" "$(own_config isolation_b)" MAX_SECONDS=40
expect_rc 1
expect_out "[isolation_a] isolation_a: the page at GPA 0x81000000 kept this VM's tag 0xaaaaaaaa0000000a through 2000 checks"
expect_out "[isolation_b] isolation_b: the page at GPA 0x81000000 kept this VM's tag 0xbbbbbbbb0000000b through 2000 checks"
expect_out "[isolation_a] isolation_a: reading GPA 0x90000000"
expect_no_out "isolation_a: GPA 0x90000000 is this VM's own RAM"
expect_out "[isolation_b] isolation_b: GPA 0x90000000 is this VM's own RAM, zeroed"
expect_no_out "FAIL"
expect_stage2_fault isolation_a read 8 90000000 "neither RAM nor a device" "$(sym isolation_a iso_other_read)"
expect_count '^cvisor: vm [0-9]+ \(isolation_b\)' -eq 0
expect_out "cvisor: 1 of 2 VMs powered off"

# ---- The timer guest (tests/sim/riscv64_irq.sh): STIP held while masked,
# taken at once when unmasked, ten periodic interrupts. Its first check
# reads sip.STIP.
run_bare timer "" rv64 "$(own_config timer)" MAX_SECONDS=30
if qemu_7_2 && [ "$RC" -eq 1 ] && grep -qxF "FAIL: sip.STIP while masked (got 0x0000000000000000)" "$OUT"; then
	skip "$QEMU_VSIP"
else
	expect_rc 0
	for line in "timer: masked: deadline passed, sip.STIP pending, nothing taken" \
		"timer: unmasked: taken at once, sepc the next instruction, SPP=1 SPIE=1 SIE=0" \
		"timer: tick 1" "timer: tick 5" "timer: tick 10" \
		"timer: 10 interrupts, each at or after its deadline" "timer: all ok"; do
		expect_out "$line"
	done
	expect_no_out "FAIL"
	expect_no_out "timer: tick 11"
fi

# ---- The sleep guest: a timer two seconds away, waited for in wfi, then
# in SBI hart_suspend. After the wfi it reads sip.STIP.
run_bare sleep "" rv64 "$(own_config sleep)" MAX_SECONDS=30
expect_out "sleep: waiting 2 s in wfi"
if qemu_7_2 && [ "$RC" -eq 1 ] && grep -qxF "FAIL: sip.STIP after the wfi (got 0x0000000000000000)" "$OUT"; then
	skip "$QEMU_VSIP"
else
	expect_rc 0
	for line in "sleep: woke from wfi at or after the deadline, STIP pending" \
		"sleep: woke from hart_suspend at or after the deadline" "sleep: all ok"; do
		expect_out "$line"
	done
	expect_no_out "FAIL"
fi

# ---- Debian's U-Boot for qemu-riscv64_smode (configs/riscv64/u-boot.toml):
# started by cvisor's SBI with cvisor's device tree; a key stops its
# autoboot, `version` prints its version line (checked against the
# installed package's, as in the banner), `poweroff` (SBI system reset)
# ends the run. One command line: nothing is typed ahead of a command.
if [ -f /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin ]; then
	run_bare u-boot "x\\nversion; poweroff\\n" rv64 $CFG/u-boot.toml
	expect_rc 0
	expect_out "Model: cvisor virtual machine"
	expect_out "DRAM:  128 MiB"
	expect_out "=> version; poweroff"
	v=$(dpkg-query -W -f='${Version}' u-boot-qemu 2>/dev/null)
	if [ -n "$v" ]; then
		re="^U-Boot $(printf '%s' "$v" | sed 's/[.+]/\\&/g') \\([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{4} - [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\)\$"
		if [ "$(grep -cE -- "$re" "$OUT")" -eq 2 ]; then
			ok "version line twice (banner, version): $re"
		else
			fail "console lacks two lines matching $re"
		fi
	else
		skip "u-boot-qemu's version unknown to dpkg-query: the version line is not compared"
	fi
	expect_out "poweroff ..."
	expect_no_out "Error"
	expect_out "cvisor: 1 of 1 VMs powered off"
else
	CASE=u-boot
	skip "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin not found (make test installs it: u-boot-qemu)"
fi

# virtio-net: ping and pong through the switch of the bare image (docs/virtio.md).
run_bare virtio-net "" rv64 "$(own_config virtio_net_ping)" "$(own_config virtio_net_pong)"
expect_rc 0
expect_out "[virtio_net_ping] virtio_net_ping: mac 52:54:00:c5:59:00"
expect_out "[virtio_net_pong] virtio_net_pong: mac 52:54:00:c5:5a:00"
expect_out "[virtio_net_pong] virtio_net_pong: frame 7 (1514 bytes) from 52:54:00:c5:59:00 answered"
expect_out "[virtio_net_ping] virtio_net_ping: frame 7 (1514 bytes) to 52:54:00:c5:5a:00: answer from 52:54:00:c5:5a:00 ok"
expect_out "[virtio_net_pong] virtio_net_pong: answered 8 frames"
expect_out "[virtio_net_ping] virtio_net_ping: 8 of 8 answers ok"
expect_no_out "FAIL"
expect_out "cvisor: 2 of 2 VMs powered off"

finish
