#!/bin/sh
# SPDX-License-Identifier: MIT
# gdb-multiarch attached to x86_64 guests through the simulator's stub (the
# configs go to build/x86_64/cvisor): paused at entry, stepi, breakpoints,
# general, segment and control registers, memory through the guest's own
# 4-level tables, monitor walk, a watchpoint, threads of the SMP guest,
# continue to the end.
#   tests/gdb/x86_64.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of x86_64
[ -x "$BUILD/x86_64/cvisor" ] || skip_suite "$BUILD/x86_64/cvisor not built"
ELF=$BUILD/guests/x86_64

gdb_session mmu "$ELF/mmu.elf" run $CFG/mmu.toml <<'GDB'
info registers rip
stepi
info registers rip
break *ro_store
continue
p/x $rax
p/x $cr3
p/x $cr0 & 0x80000001
p/x $cs
x/gx 0x40000000
x/gx 0x40003000
monitor walk 0x40001000 write
set $rbx = 7
p $rbx
watch *(long *)&pf_count
continue
delete
continue
GDB
expect_gdb '^rip[[:space:]]+0x100000[[:space:]]+0x100000 <_start>$'
expect_gdb '^rip[[:space:]]+0x100007[[:space:]]+0x100007 <_start\+7>$'
expect_gdb "^Breakpoint 1, 0x0*$(sym mmu ro_store) in ro_store \\(\\)\$"
expect_gdb '^\$1 = 0x40001000$'
expect_gdb "^\\\$2 = 0x$(sym mmu pml4)\$"
# CR0.PG | CR0.PE (SDM Vol. 3A, 2.5)
expect_gdb '^\$3 = 0x80000001$'
# The alias maps data_a, where the guest wrote 0x5a5a1234 through it.
expect_gdb '^0x40000000:[[:space:]]+0x0*5a5a1234$'
expect_gdb '^0x40003000:[[:space:]]+Cannot access memory at address 0x40003000$'
expect_gdb '^walk: vm=62 vcpu=0 stage-1 va=0x0000000040001000 write \(gdb\)$'
# PT2[1]: the read-only page, present and nothing else, not yet accessed (SDM Vol. 3A, table 4-19).
expect_gdb "^walk:   L3 table=0x$(sym mmu pt2) \\[1\\] = 0x0000000000$(sym mmu ro_page | sed 's/000$/001/') page -> 0x$(sym mmu ro_page) r-x no-access-flag\$"
expect_gdb '^walk:   -> permission fault at level 3$'
expect_gdb '^\$5 = 7$'
expect_gdb '^Hardware watchpoint 2: \*\(long \*\)&pf_count$'
expect_gdb '^New value = 1$'
expect_gdb '^Program terminated with signal SIGKILL, Killed\.$'
expect_rc 1
expect_out "mmu: #PF on the read-only page: cr2 and error code ok"
expect_stopped mmu "stage-2 fault: write of 8 bytes at GPA $(hex 70000000) \\(neither RAM nor a device\\) by vCPU 0 at PC $(hex "$(sym mmu wild_store)")"

# Threads: an application processor reaching its 64-bit entry.
gdb_session smp "$ELF/smp.elf" run $CFG/smp.toml <<'GDB'
info threads
break *ap_entry
continue
p/x $rip
delete
continue
GDB
expect_gdb '^\* 1    Thread 1 \(vm smp, vCPU 0, runnable\) 0x0*100000 in _start \(\)$'
expect_gdb "^Thread [234] hit Breakpoint 1, 0x0*$(sym smp ap_entry) in ap_entry \\(\\)\$"
expect_gdb "^\\\$1 = 0x$(sym smp ap_entry)\$"
expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
expect_rc 0
expect_out "smp: all ok"

finish
