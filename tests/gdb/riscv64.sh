#!/bin/sh
# SPDX-License-Identifier: MIT
# gdb-multiarch attached to RISC-V guests through the simulator's stub (the
# configs go to build/riscv64/cvisor): paused at entry, stepi, a breakpoint
# at a guest-virtual address of the high half, registers and CSRs, memory
# through the guest's Sv39 tables, monitor walk, a watchpoint, threads of
# the SMP guest, continue to the end.
#   tests/gdb/riscv64.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of riscv64
[ -x "$BUILD/riscv64/cvisor" ] || skip_suite "$BUILD/riscv64/cvisor not built"
ELF=$BUILD/guests/riscv64
HIGH_OFFSET=0xffffffbf80000000
# high VA ADDR-HEX: ADDR's alias in the guest's high half, hex digits.
# (HIGH_OFFSET is -0x40_8000_0000 as a signed 64-bit number, which sh's arithmetic is)
high() { printf '%x' $((0x$1 - 0x4080000000)); }
# second_insn GUEST: the address of the instruction after _start's first (2 or 4 bytes).
second_insn() {
	riscv64-linux-gnu-objdump -d "$ELF/$1.elf" | awk '/^ *[0-9a-f]+:/ { n++; if (n == 2) { sub(":", "", $1); print $1; exit } }'
}

gdb_session mmu "$ELF/mmu.elf" run $CFG/mmu.toml <<GDB
info registers pc
stepi
info registers pc
break *(ro_store + $HIGH_OFFSET)
continue
info registers pc
p/x \$t0
p/x \$t1
p/x \$satp
p/x \$stvec
p \$priv
x/gx 0x40000000
x/gx &data
x/gx 0x40005000
monitor walk 0x40002000 write
set \$t1 = 0x6666
p/x \$t1
watch *(long *)&seen_cause
continue
delete
continue
GDB
DATA=$(sym mmu data)
expect_gdb "^pc[[:space:]]+0x80200000[[:space:]]+0x80200000 <_start>\$"
expect_gdb "^pc[[:space:]]+0x$(second_insn mmu)[[:space:]]+0x$(second_insn mmu) <_start\\+[24]>\$"
expect_gdb "^Breakpoint 1, 0x$(high "$(sym mmu ro_store)") in \\?\\? \\(\\)\$"
expect_gdb '^\$1 = 0x40002000$'
expect_gdb '^\$2 = 0x5555$'
expect_gdb "^\\\$3 = 0x80000000000$(printf '%05x' $((0x$(sym mmu root) >> 12)))\$"
expect_gdb "^\\\$4 = 0x$(sym mmu handler)\$"
expect_gdb '^\$5 = 1$'
# The alias and the identity map of the data page hold what the guest stored.
expect_gdb '^0x40000000:[[:space:]]+0x12345678abcdef00$'
expect_gdb "^0x$DATA:[[:space:]]+0x12345678abcdef00\$"
expect_gdb '^0x40005000:[[:space:]]+Cannot access memory at address 0x40005000$'
expect_gdb '^walk: vm=42 vcpu=0 stage-1 va=0x0000000040002000 write \(gdb\)$'
# The read-only alias's leaf: PPN of the data page, V | R | A (Privileged 4.4.1).
expect_gdb "^walk:   L3 table=0x$(sym mmu l3_alias) \\[2\\] = 0x00000000$(printf '%x' $(( (0x$DATA >> 12 << 10) | 0x43 ))) page -> 0x$DATA r--\$"
expect_gdb "^walk:   -> permission fault at level 3\$"
expect_gdb "^walk: vm=42 vcpu=0 stage-2 gpa=0x00000000$DATA write \\(gdb\\)\$"
expect_gdb '^\$6 = 0x6666$'
expect_gdb '^Hardware watchpoint 2: \*\(long \*\)&seen_cause$'
expect_gdb '^New value = 15$'
expect_gdb '^Program terminated with signal SIGKILL, Killed\.$'
expect_rc 1
expect_out "mmu: store to the read-only alias: scause 15 stval 0x40002000, skipped"
expect_stopped mmu "stage-2 fault: write of 4 bytes at GPA $(hex 70000000) \\(neither RAM nor a device\\) by vCPU 0 at PC $(hex "$(high "$(sym mmu wild_store)")")"

# Threads: the second hart's first instruction at its start address.
gdb_session smp "$ELF/smp.elf" run $CFG/smp.toml <<'GDB'
info threads
break *secondary
continue
p $a0 + 1 == $_thread
p/x $pc
delete
continue
GDB
expect_gdb '^\* 1    Thread 1 \(vm smp, vCPU 0, runnable\) 0x0*80200000 in _start \(\)$'
expect_gdb "^Thread [234] hit Breakpoint 1, 0x0*$(sym smp secondary) in secondary \\(\\)\$"
expect_gdb '^\$1 = 1$'
expect_gdb "^\\\$2 = 0x$(sym smp secondary)\$"
expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
expect_rc 0
expect_out "smp: all ok"

finish
