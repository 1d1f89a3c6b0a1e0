#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 7 (debugging): the gdb stub's monitor commands `exits` and `trace`
# (cmd_exits(), cmd_trace() in src/hal_sim/gdb_monitor.c), driven by the
# real gdb-multiarch in batch mode against `cvisor run --gdb=0 --gdb-wait`
# (tests/gdb/lib.sh: gdb_session, expect_gdb), with the hello and smp
# guests of the AArch64 simulator.
#   sh labs/7-debugging/grade.sh BUILD   (make grade LAB=7)
set -u
. labs/lib.sh # BUILD (the first argument), CVISOR, grade_check, grade_finish
command -v gdb-multiarch >/dev/null 2>&1 || {
	echo "lab 7: gdb-multiarch is not installed (apt-get install gdb-multiarch)"
	exit 1
}
# tests/gdb/lib.sh (gdb_session, expect_gdb) sources tests/sim/lib.sh again,
# which makes a new OUT, ERR and OWN_DIR: the first ones go now.
rm -rf "$OUT" "$ERR" "$OWN_DIR"
. tests/gdb/lib.sh
guests_of aarch64
ELF=$BUILD/guests/aarch64

# The hello guest, stopped at its first and second guest_putc: before the
# first nothing has exited; between them the UART's flag register was read
# (UARTFR, 0x0900_0018) and the 'H' written (UARTDR, 0x0900_0000).
hello_exits() {
	gdb_session hello-exits "$ELF/hello.elf" run "$(own_config hello)" <<'GDB'
break *guest_putc
continue
monitor exits
continue
monitor exits
delete
continue
GDB
	expect_gdb '^vcpu 0: mmio=0 pio=0 hypercall=0 sysreg=0 halt=0 stage2-fault=0 shutdown=0 debug=0 fatal=0 guest-exceptions=0 total=0$'
	expect_gdb '^vcpu 0: mmio=2 pio=0 hypercall=0 sysreg=0 halt=0 stage2-fault=0 shutdown=0 debug=0 fatal=0 guest-exceptions=0 total=2$'
	expect_gdb '^\[Inferior 1 \(Remote target\) exited normally\]$'
	expect_rc 0
}

# The smp guest, stopped where the first secondary (vCPU 1) starts: one
# line per vCPU; vCPU 0 has made one hypercall (that CPU_ON), the others nothing.
smp_exits() {
	gdb_session smp-exits "$ELF/smp.elf" run "$(own_config smp)" <<'GDB'
break *secondary
continue
monitor exits
delete
continue
GDB
	expect_gdb '^Thread 2 hit Breakpoint 1, '
	expect_gdb '^vcpu 0: mmio=[1-9][0-9]* pio=0 hypercall=1 sysreg=0 halt=0 stage2-fault=0 shutdown=0 debug=0 fatal=0 guest-exceptions=0 total=[1-9][0-9]*$'
	for l7_v in 1 2 3; do
		expect_gdb "^vcpu $l7_v: mmio=0 pio=0 hypercall=0 sysreg=0 halt=0 stage2-fault=0 shutdown=0 debug=0 fatal=0 guest-exceptions=0 total=0\$"
	done
	expect_rc 0
}

# monitor trace on exits at the first guest_putc, off at the second: the
# exit trace on cvisor's stderr holds exactly the two exits in between.
hello_trace() {
	gdb_session hello-trace "$ELF/hello.elf" run "$(own_config hello)" <<'GDB'
break *guest_putc
continue
monitor trace on exits
continue
monitor trace off
delete
continue
GDB
	expect_gdb '^trace of vm 1: exits on, walks off \(on cvisor.s stderr\)$'
	expect_gdb '^trace of vm 1: exits off, walks off \(on cvisor.s stderr\)$'
	expect_count '^exit: ' -eq 2
	expect_count '^exit: vm=1 vcpu=0 mmio pc=0x[0-9a-f]+ syndrome=0x93820005 gpa=0x9000018 size=4 read data=0x90 reg=2 ' -eq 1
	expect_count '^exit: vm=1 vcpu=0 mmio pc=0x[0-9a-f]+ syndrome=0x93000045 gpa=0x9000000 size=1 write data=0x48 reg=0 ' -eq 1
	expect_rc 0
	expect_out "Hello from cvisor guest (aarch64)!"
}

# A wrong word gets the usage line; walks alone can be turned on.
trace_args() {
	gdb_session trace-args "$ELF/hello.elf" run "$(own_config hello)" <<'GDB'
monitor trace sideways
monitor trace on walks
monitor trace on exits
monitor trace off walks
monitor trace off
continue
GDB
	expect_gdb '^usage: monitor trace on\|off \[exits\|walks\]$'
	expect_gdb '^trace of vm 1: exits off, walks on \(on cvisor.s stderr\)$'
	expect_gdb '^trace of vm 1: exits on, walks on \(on cvisor.s stderr\)$'
	expect_gdb '^trace of vm 1: exits on, walks off \(on cvisor.s stderr\)$'
	expect_gdb '^trace of vm 1: exits off, walks off \(on cvisor.s stderr\)$'
	expect_count '^exit: ' -eq 0
	expect_rc 0
}

echo "lab 7: debugging (the gdb stub's monitor exits and trace)"
grade_check 30 "monitor exits: hello's exit counts at two breakpoints" hello_exits
grade_check 20 "monitor exits: one line per vCPU (smp)" smp_exits
grade_check 35 "monitor trace: exactly the exits between on and off" hello_trace
grade_check 15 "monitor trace: its arguments" trace_args
grade_finish
