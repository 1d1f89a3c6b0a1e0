#!/bin/sh
# SPDX-License-Identifier: MIT
# gdb-multiarch attached to AArch64 guests through the simulator's stub:
# paused at entry, stepi, breakpoints, a watchpoint, registers and memory
# read and written through the guest's own stage 1 (the mmu guest), monitor
# walk, vCPUs as threads (the smp guest), continue to the end, detach.
#   tests/gdb/aarch64.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of aarch64
ELF=$BUILD/guests/aarch64

# The mmu guest, from its first instruction to the stage-2 fault that ends it.
gdb_session mmu "$ELF/mmu.elf" run $CFG/mmu.toml <<'GDB'
info registers pc
stepi
info registers pc
break *perm_store
continue
info registers pc
p/x $x1
p/x $x2
x/gx 0x80003000
x/gx 0x80002000
monitor walk 0x80003000
set {long}0x80003000 = 0x1122334455667788
x/gx &data_page
set {long}0x80003000 = 0xfedcba9876543210
set $x2 = 9
p/x $x2
stepi
info registers pc
p/x $x2
watch *(long *)&seen_esr
continue
delete
monitor exits
continue
GDB
expect_gdb "^pc +0x40080000 +0x40080000 <_start>\$"
expect_gdb "^pc +0x40080004 +0x40080004 <_start\\+4>\$"
expect_gdb "^Breakpoint 1 at 0x$(sym mmu perm_store)\$"
expect_gdb "^Breakpoint 1, 0x0*$(sym mmu perm_store) in perm_store \\(\\)\$"
expect_gdb '^\$1 = 0x80000000$'
expect_gdb '^\$2 = 0x7$'
# Guest-virtual: the writable alias, then the invalid page, through the guest's tables.
expect_gdb '^0x80003000:[[:space:]]+0xfedcba9876543210$'
expect_gdb '^0x80002000:[[:space:]]+Cannot access memory at address 0x80002000$'
expect_gdb '^walk: vm=16 vcpu=0 stage-1 va=0x0000000080003000 read \(gdb\)$'
DATA=$(sym mmu data_page)
expect_gdb "^walk:   L1 table=0x$(sym mmu l1_lo) \\[2\\] = 0x00000000$(sym mmu l2_alias | sed 's/000$/003/') table -> 0x$(sym mmu l2_alias)\$"
expect_gdb "^walk:   L3 table=0x$(sym mmu l3_alias) \\[3\\] = 0x00600000$(echo $DATA | sed 's/000$/703/') page -> 0x$DATA rw-\$"
expect_gdb "^walk:   -> gpa=0x$DATA\$"
expect_gdb "^walk: vm=16 vcpu=0 stage-2 gpa=0x00000000$DATA read \\(gdb\\)\$"
expect_gdb '^walk:   -> hpa=0x[0-9a-f]+$'
expect_gdb "^0x$DATA:[[:space:]]+0x1122334455667788\$"
expect_gdb '^\$3 = 0x9$'
# The store through the read-only alias faults into the guest's own vector (VBAR_EL1 + 0x200).
expect_gdb "^pc +0x$(printf '%x' $((0x$(sym mmu vectors) + 0x200))) +0x$(printf '%x' $((0x$(sym mmu vectors) + 0x200))) <vectors\\+512>\$"
expect_gdb '^\$4 = 0x9$'
expect_gdb '^Hardware watchpoint 2: \*\(long \*\)&seen_esr$'
expect_gdb '^New value = 2516582479$'
expect_gdb '^vcpu 0: mmio=[0-9]+ pio=0 hypercall=0 sysreg=[0-9]+ halt=0 stage2-fault=0 shutdown=0 debug=0 fatal=0 guest-exceptions=1 total=[0-9]+$'
expect_gdb '^Program terminated with signal SIGKILL, Killed\.$'
expect_rc 1
expect_out "mmu: permission fault ok"
expect_stage2_fault mmu write 4 20000000 "neither RAM nor a device" "$(sym mmu noram_store)"

# The hello guest: a breakpoint in its UART output, then on to its power-off.
gdb_session hello "$ELF/hello.elf" run $CFG/hello.toml <<'GDB'
break *guest_putc
continue
p/x $w0
bt 1
delete
continue
GDB
expect_gdb "^Breakpoint 1, 0x0*$(sym hello guest_putc) in guest_putc \\(\\)\$"
expect_gdb '^\$1 = 0x48$'
expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"

# Detach: the guest goes on without gdb and powers off.
gdb_session detach "$ELF/hello.elf" run $CFG/hello.toml <<'GDB'
break *main
continue
detach
GDB
expect_gdb "^Breakpoint 1, 0x0*$(sym hello main) in main \\(\\)\$"
expect_gdb '^\[Inferior 1 \(Remote target\) detached\]$'
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"
expect_err '^cvisor: gdb detached from vm 1 \(hello\)$'

# vCPUs are threads: the first secondary to reach `secondary` stops every vCPU.
gdb_session smp "$ELF/smp.elf" run $CFG/smp.toml <<'GDB'
info threads
break *secondary
continue
info threads
p $x0 + 1 == $_thread
thread 1
info registers pc
delete
continue
GDB
expect_gdb '^\* 1    Thread 1 \(vm smp, vCPU 0, runnable\) 0x0*40080000 in _start \(\)$'
expect_gdb '^  4    Thread 4 \(vm smp, vCPU 3, off\) '
expect_gdb "^Thread [234] hit Breakpoint 1, 0x0*$(sym smp secondary) in secondary \\(\\)\$"
expect_gdb '^\$1 = 1$'
expect_gdb '^\[Switching to thread 1 \(Thread 1\)\]'
expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
expect_rc 0
expect_out "smp: all ok"

# A step runs with interrupts held back, as QEMU's gdbstub steps: the timer
# guest unmasks IRQs with its timer's interrupt pending; stepping over the
# unmask goes on to the next instruction, not into the vector table, and
# the interrupt is taken once gdb continues.
UNMASK=$(aarch64-linux-gnu-objdump -d "$ELF/timer.elf" | sed -n 's/^ *\([0-9a-f]*\):.*msr[[:space:]]*daifclr, #0x2$/\1/p' | sed -n 2p)
gdb_session step-irq "$ELF/timer.elf" run $CFG/timer.toml <<GDB
break *0x$UNMASK
continue
stepi
info registers pc
stepi
info registers pc
delete
continue
GDB
expect_gdb "^pc +0x$(printf '%x' $((0x$UNMASK + 4))) +0x$(printf '%x' $((0x$UNMASK + 4))) <main\\+[0-9]+>\$"
expect_gdb "^pc +0x$(printf '%x' $((0x$UNMASK + 8))) +0x$(printf '%x' $((0x$UNMASK + 8))) <main\\+[0-9]+>\$"
expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
expect_rc 0
expect_out "timer: masked: pending, not taken"
expect_out "timer: unmasked: taken"
expect_out "timer: all ok"

finish
