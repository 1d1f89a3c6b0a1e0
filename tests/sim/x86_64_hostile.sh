#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile x86_64 guests in the simulator (issue 15, classes 7 to 11): each
# misbehaves on purpose next to a well-behaved neighbour VM (hello), which
# must still finish; the hostile VM gets what the hardware would give it,
# or ends with its one-line report.
#   tests/sim/x86_64_hostile.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of x86_64
[ -x "$BUILD/x86_64/cvisor" ] || skip_suite "$BUILD/x86_64/cvisor not built"

# expect_neighbour: the hello VM of the same run printed its output and
# powered itself off (no report line of its own).
expect_neighbour() {
	expect_out "[hello] Hello from cvisor guest (x86_64)!"
	expect_out "[hello] dtb ok"
	expect_count '^cvisor: vm 51 \(hello\)' -eq 0
}

# Class 7: int3 and int $0x80, each handler returning to the instruction
# that trapped: no VM exit ever. The time limit must still stop it, with
# the neighbour's end reported (Unicorn drops a stop request when RIP is
# written inside a hook, which is how a handler is entered).
run_cvisor int_loop run --max-seconds 2 $CFG/hostile_int_loop.toml $CFG/hello.toml
expect_rc 1
expect_out "[hostile_int_loop] hostile_int_loop: looping on int3 and int \$0x80"
expect_stopped hostile_int_loop "still running after the time limit of 2 s \\(--max-seconds\\); vCPU 0 was at PC 0x[0-9a-f]+\$"
# ... and that PC is one of the loop's or its handlers' instructions.
pc=$(sed -n 's/^cvisor: vm 71 (hostile_int_loop) stopped: .* was at PC \(0x[0-9a-f]*\)$/\1/p' "$ERR")
lo=0x$(sym hostile_int_loop loop_int3)
hi=0x$(sym hostile_int_loop int_loop_end)
if [ -n "$pc" ] && [ $((pc)) -ge $((lo)) ] && [ $((pc)) -lt $((hi)) ]; then
	ok "stopped inside the loop or its handlers (PC $pc)"
else
	fail "stopped at PC '$pc', not in [$lo, $hi)"
fi
expect_neighbour

# Class 8: 1000 #DE and 1000 #GP(0x28) that Unicorn raises itself, none a #DF.
run_cvisor div run --stats $CFG/hostile_div.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_div] hostile_div: 1000 #DE delivered"
expect_out "[hostile_div] hostile_div: 1000 #GP delivered, error code 0x28"
expect_no_out "FAIL"
expect_count '^stats: vm=72 vcpu=0 .* fatal=0 guest-exceptions=2000$' -eq 1
expect_neighbour

# Class 9: CPL 3 -> CPL 0 through int $0x80, int3 (IST 1) and a #GP from a
# DPL 0 gate, 1000 times each; every handler checks its stack, CS, SS and
# the frame, and runs an instruction only CPL 0 may.
run_cvisor user run --trace=exits --stats $CFG/hostile_user.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_user] hostile_user: 3000 exceptions from CPL 3 taken at CPL 0, frames ok"
expect_no_out "FAIL"
expect_count '^stats: vm=73 vcpu=0 .* fatal=0 guest-exceptions=3001$' -eq 1
# The #GP of int $0x81 points at the INT (a fault), not past it.
expect_count "^guest-exception: vm=73 vcpu=0 vector 13 rip=$(hex "$(sym hostile_user user_int81)") " -eq 1000
expect_neighbour

# Class 10: 70 data copies of `mov %rax,%cr3` in executable pages; the real
# CR0 read and CR3 write still take effect.
run_cvisor crdata run $CFG/hostile_crdata.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_crdata] hostile_crdata: CR0 reads PG, MOV to CR3 takes effect"
expect_no_out "FAIL"
expect_neighbour

# Class 11: RDMSR/WRMSR of MSRs cvisor does not emulate exit (31, 32) and
# give the guest #GP(0) at the instruction.
run_cvisor msr run --trace=exits $CFG/hostile_msr.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_msr] hostile_msr: #GP(0) for MSRs 0xdeadbeef and 0x1b, EFER ok"
expect_no_out "FAIL"
rd=$(hex "$(sym hostile_msr rdmsr_insn)")
wr=$(hex "$(sym hostile_msr wrmsr_insn)")
expect_count "^exit: vm=75 vcpu=0 sysreg pc=$rd syndrome=0x1f id=0xdeadbeef read " -eq 1
expect_count "^exit: vm=75 vcpu=0 sysreg pc=$wr syndrome=0x20 id=0x1b write reg=0 value=0x0\$" -eq 1
expect_count "^guest-exception: vm=75 vcpu=0 vector 13 rip=$rd -> " -eq 1
expect_count "^guest-exception: vm=75 vcpu=0 vector 13 rip=$wr -> " -eq 1
expect_neighbour

# Class 11: rep outsb is refused with its qualification (port 0x3f8, REP,
# string, OUT, 1 byte), not run byte by byte.
run_cvisor outs run $CFG/hostile_outs.toml $CFG/hello.toml
expect_rc 1
expect_out "[hostile_outs] hostile_outs: rep outsb to COM1"
expect_no_out "SNEAKY"
expect_stopped hostile_outs "vCPU 0 at PC $(hex "$(sym hostile_outs outs_insn)"): string I/O instructions are not emulated: exit reason 30 \\(I/O instruction\\), qualification 0x3f80030\$"
expect_neighbour

# MEM_PROTECT one page at a time, 1024 calls: each drops the shadow and
# costs the same however many pieces stage 2 is in (measured: 256 calls
# 0.05 s, 1024 0.17 s, 4096 0.64 s); a generous limit is only a safety net.
run_cvisor protect run --max-seconds 50 --stats $CFG/hostile_protect.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_protect] hostile_protect: 1024 pages made read-only one by one"
expect_no_out "FAIL"
expect_count '^stats: vm=77 vcpu=0 .* hypercall=1024 .* fatal=0 ' -eq 1
expect_neighbour

finish
