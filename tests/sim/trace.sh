#!/bin/sh
# SPDX-License-Identifier: MIT
# The simulator's traces, on guests of the three architectures: the
# instruction each exit line ends with (Capstone for AArch64 and x86_64,
# the project's RISC-V disassembler), --trace-file, the filter of
# --trace=exits:LIST, and --timeline's Chrome trace-event JSON (valid also
# after --max-seconds and Ctrl-C, with one track per vCPU).
#   tests/sim/trace.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T" "$OUT" "$ERR" "$OWN_DIR"' EXIT
command -v python3 >/dev/null || skip_suite "no python3 to read the timelines' JSON"

# addr GUEST SYMBOL OFFSET: the address of SYMBOL + OFFSET in GUEST's ELF, in hex digits.
addr() { printf '%x' $((0x$(sym "$1" "$2") + $3)); }

# expect_err_line TEXT: a line of stderr is TEXT, exactly.
expect_err_line() {
	if grep -qxF -- "$1" "$ERR"; then ok "stderr: $1"; else fail "stderr lacks line: $1"; fi
}
# expect_file_line FILE TEXT: a line of FILE is TEXT, exactly.
expect_file_line() {
	if grep -qxF -- "$2" "$1"; then ok "$(basename "$1"): $2"; else fail "$(basename "$1") lacks line: $2"; fi
}
# expect_no_trace_on_stderr: no trace line of any kind reached stderr.
expect_no_trace_on_stderr() {
	n=$(grep -cE '^(exit|walk|guest-exception|irq|sysreg|shadow): ' "$ERR")
	if [ "$n" -eq 0 ]; then ok "no trace line on stderr"; else fail "$n trace lines on stderr"; fi
}

# timeline FILE CHECK...: reads FILE as JSON (python3's json module) and
# prints one line per CHECK (a python expression over `ev`, the events, and
# `doc`, the document): its value. A file that is not JSON prints "invalid: why".
timeline() {
	f=$1
	shift
	python3 - "$f" "$@" <<'EOF'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print("invalid: %s" % e)
    sys.exit(0)
ev = doc["traceEvents"]
X = [e for e in ev if e.get("ph") == "X"]
def meta(name, pid, tid=None):
    return [e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == name
            and e["pid"] == pid and (tid is None or e.get("tid") == tid)]
def overlaps():
    # slices of one track (pid, tid) must follow each other (1 ns rounding allowed)
    n = 0
    for key in sorted({(e["pid"], e["tid"]) for e in X}):
        s = sorted((e["ts"], e["dur"]) for e in X if (e["pid"], e["tid"]) == key)
        n += sum(1 for a, b in zip(s, s[1:]) if a[0] + a[1] > b[0] + 0.001)
    return n
def count(name):
    return sum(1 for e in X if e["name"] == name)
for check in sys.argv[2:]:
    print(eval(check))
EOF
}

# expect_timeline FILE CHECK EXPECTED: the CHECK (see timeline) gives EXPECTED.
expect_timeline() {
	got=$(timeline "$1" "$2")
	if [ "$got" = "$3" ]; then ok "timeline: $2 = $3"; else fail "timeline: $2 = $got, expected $3"; fi
}

# ---- The instruction of each exit -------------------------------------------

guests_of aarch64
run_cvisor a64-hello-insn run --trace=exits configs/aarch64/hello.toml
expect_rc 0
# The first exit: guest_putc reads the PL011's flag register (UARTFR, +0x18).
expect_err "^exit: vm=1 vcpu=0 mmio pc=$(hex "$(addr hello guest_putc 8)") syndrome=0x93820005 gpa=0x9000018 size=4 read data=0x90 reg=2 insn=\"ldr w2, \\[x1, #0x18\\]\"\$"
expect_err "^exit: vm=1 vcpu=0 mmio pc=$(hex "$(addr hello guest_putc 16)") syndrome=0x93000045 gpa=0x9000000 size=1 write data=0x48 reg=0 insn=\"strb w0, \\[x1\\]\"\$"
expect_count '^exit: vm=1 vcpu=0 hypercall pc=0x[0-9a-f]+ syndrome=0x5a000000 hvc #0 .* insn="hvc #0"$' -eq 2
expect_count '^exit: ' -eq 86
expect_count '^exit: .* insn="[^"]+"$' -eq 86

guests_of riscv64
if [ -x "$BUILD/riscv64/cvisor" ]; then
	run_cvisor rv-hello-insn run --trace=exits configs/riscv64/hello.toml
	expect_rc 0
	expect_err "^exit: vm=31 vcpu=0 mmio pc=$(hex "$(addr hello guest_putc 4)") syndrome=0x15 gpa=0x10000005 size=1 read data=0x60 reg=6 insn=\"lbu t1,5\\(t0\\)\"\$"
	expect_err "^exit: vm=31 vcpu=0 mmio pc=$(hex "$(addr hello guest_putc 16)") syndrome=0x17 gpa=0x10000000 size=1 write data=0x48 reg=10 insn=\"sb a0,0\\(t0\\)\"\$"
	expect_count '^exit: vm=31 vcpu=0 hypercall .*syndrome=0xa ecall #0 .* insn="ecall"$' -eq 2
	# WFI: a halt exit.
	run_cvisor rv-wfi-insn run --trace=exits configs/riscv64/wfi.toml
	expect_count '^exit: vm=[0-9]+ vcpu=0 halt pc=0x[0-9a-f]+ syndrome=0x[0-9a-f]+ +insn="wfi"$' -ge 1
else
	CASE=rv-hello-insn
	skip "$BUILD/riscv64/cvisor not built"
fi

guests_of x86_64
if [ -x "$BUILD/x86_64/cvisor" ]; then
	run_cvisor x86-hello-insn run --trace=exits configs/x86_64/hello.toml
	expect_rc 0
	vmcall=$(objdump -d "$BUILD/guests/x86_64/hello.elf" | awk '$NF == "vmcall" { sub(":", "", $1); print $1; exit }')
	expect_err "^exit: vm=51 vcpu=0 hypercall pc=$(hex "$vmcall") syndrome=0x12 vmcall #0 a0=0x0 a1=0x[0-9a-f]+ a2=0x0 a3=0x3f8 ret=0x1 insn=\"vmcall\"\$"
	# IN/OUT: Unicorn gives the PC of the block's start, not the instruction's: no insn.
	expect_err "^exit: vm=51 vcpu=0 pio pc=$(hex "$(sym hello guest_putc)") syndrome=0x1e port=0x3fd size=1 in data=0x60\$"
	expect_count '^exit: .* pio .*insn=' -eq 0
	# An AP's first exits run in its 32-bit trampoline (decoded as 32-bit code),
	# an APIC access through the local APIC page (a MOV to memory).
	run_cvisor x86-smp-insn run --trace=exits configs/x86_64/smp.toml
	expect_rc 0
	expect_count '^exit: vm=[0-9]+ vcpu=1 sysreg pc=0x[0-9a-f]+ syndrome=0x1f id=0xc0000080 read reg=0 value=0x0 insn="rdmsr"$' -eq 1
	expect_count '^exit: vm=[0-9]+ vcpu=[0-9] sysreg pc=0x[0-9a-f]+ syndrome=0x2c id=0xffff20f0 write reg=0 value=0x1ff insn="movl \$0x1ff, 0xf0\(%rax\)"$' -ge 1
	expect_count '^exit: vm=[0-9]+ vcpu=0 halt pc=0x[0-9a-f]+ syndrome=0xc +insn="hlt"$' -ge 1
else
	CASE=x86-hello-insn
	skip "$BUILD/x86_64/cvisor not built"
fi

# expect_high_half_insn CASE CONFIG VM PC INSN: the mmu guest prints from its
# high-half alias (the console's status read at VA PC). The text of those exits
# is read through the guest's stage 1 (sim_cpu_s1_walk()): every one of them
# shows INSN (a basic regular expression).
expect_high_half_insn() {
	run_cvisor "$1" run --trace=exits "$2"
	all=$(grep -c "^exit: vm=$3 vcpu=0 mmio pc=$(hex "$4") " "$ERR")
	with=$(grep -c "^exit: vm=$3 vcpu=0 mmio pc=$(hex "$4") .* insn=" "$ERR")
	right=$(grep -c "^exit: vm=$3 vcpu=0 mmio pc=$(hex "$4") .* insn=\"$5\"\$" "$ERR")
	if [ "$all" -gt 0 ] && [ "$right" -eq "$all" ]; then
		ok "the $all exits at the high-half PC 0x$4 show: $5"
	else
		fail "$all exits at the high-half PC 0x$4, $with with a text, $right of them: $5"
	fi
}
guests_of aarch64
expect_high_half_insn a64-mmu-insn configs/aarch64/mmu.toml 16 \
	"$(printf 'ffff8000%08x' $((0x$(sym mmu guest_putc) + 8)))" 'ldr w2, \[x1, #0x18\]'
if [ -x "$BUILD/riscv64/cvisor" ]; then
	guests_of riscv64
	expect_high_half_insn rv-mmu-insn configs/riscv64/mmu.toml 42 \
		"$(printf 'ffffffc0%08x' $((0x$(sym mmu guest_putc) - 0x80000000 + 4)))" 'lbu t1,5(t0)'
fi

# ---- --trace-file ---------------------------------------------------------------

guests_of aarch64
run_cvisor trace-file run --trace=exits,walks --trace-file="$T/a64.trace" --stats configs/aarch64/mmu.toml
expect_rc 1
expect_out "mmu: store to a GPA that is not RAM"
expect_no_trace_on_stderr
expect_err "^stats: vm=[0-9]+ vcpu=0 mmio="
n=$(grep -c '^exit: ' "$T/a64.trace")
w=$(grep -c '^walk: vm=[0-9]* vcpu=0 stage-1 va=0x[0-9a-f]\{16\} ' "$T/a64.trace")
m=$(sed -n 's/^stats: vm=[0-9]* vcpu=0 mmio=\([0-9]*\) .*/\1/p' "$ERR")
if [ "$n" -gt 0 ] && [ "$(grep -c '^exit: .* mmio ' "$T/a64.trace")" = "$m" ] && [ "$w" -gt 0 ]; then
	ok "the trace file has the $m mmio exits --stats counts, and $w stage-1 walks"
else
	fail "the trace file has $n exit lines, $w walks; --stats counts mmio=$m"
fi

if [ -x "$BUILD/riscv64/cvisor" ] && [ -x "$BUILD/x86_64/cvisor" ]; then
	guests_of riscv64
	run_cvisor rv-trace-file run --trace=exits --trace-file="$T/rv.trace" configs/riscv64/trap.toml
	expect_rc 0
	expect_no_trace_on_stderr
	expect_file_line "$T/rv.trace" "exit: vm=34 vcpu=0 hypercall pc=0x$(addr trap _start 28) syndrome=0xa ecall #0 a0=0x0 a1=0x0 a2=0x0 a3=0x0 ret=0x0 insn=\"ecall\""
	if grep -q '^guest-exception: vm=34 vcpu=0 illegal instruction scause=2 ' "$T/rv.trace"; then
		ok "guest-exception lines in the file"
	else
		fail "no guest-exception line in the file"
	fi
	guests_of x86_64
	run_cvisor x86-trace-file run --trace=exits,walks --trace-file="$T/x86.trace" configs/x86_64/mmu.toml
	expect_rc 1
	expect_out "mmu: storing through 0x4000_2000 (GPA 0x7000_0000)"
	expect_no_trace_on_stderr
	if grep -q '^shadow: vm=[0-9]* vcpu=0 fills=[0-9]* drops=[0-9]*$' "$T/x86.trace"; then
		ok "the shadow's report in the file"
	else
		fail "no shadow report in the file"
	fi
fi

# Two architectures' simulators, one file: each appends its lines.
if [ -x "$BUILD/riscv64/cvisor" ]; then
	echo stale >"$T/two.trace"
	run_cvisor two-arch-trace-file run --trace=exits --trace-file="$T/two.trace" configs/aarch64/hello.toml \
		configs/riscv64/hello.toml
	expect_rc 0
	expect_no_trace_on_stderr
	a=$(grep -c '^exit: vm=1 vcpu=0 ' "$T/two.trace")
	r=$(grep -c '^exit: vm=31 vcpu=0 ' "$T/two.trace")
	if [ "$a" -gt 0 ] && [ "$r" -gt 0 ] && [ "$((a + r))" = "$(wc -l <"$T/two.trace")" ]; then
		ok "the file has both simulators' exits ($a of vm 1, $r of vm 31) and nothing else"
	else
		fail "the file has $a exits of vm 1, $r of vm 31, $(wc -l <"$T/two.trace") lines"
	fi
	run_cvisor two-arch-timeline run --timeline="$T/two.json" configs/aarch64/hello.toml \
		configs/riscv64/hello.toml
	expect_rc 2
	expect_err_line "cvisor run: --timeline records one simulator: give configs of one architecture"
fi

run_cvisor trace-file-bad run --trace=exits --trace-file="$T/no/such/dir/t" configs/aarch64/hello.toml
expect_rc 2
expect_err_line "cvisor: --trace-file=$T/no/such/dir/t: No such file or directory"

# ---- The filter ------------------------------------------------------------------

guests_of aarch64
run_cvisor filter-hypercall run --trace=exits:hypercall configs/aarch64/hello.toml
expect_rc 0
expect_count '^exit: vm=1 vcpu=0 hypercall ' -eq 2
expect_count '^exit: ' -eq 2

run_cvisor filter-two run --trace=exits:guest-exception+hypercall configs/aarch64/svc.toml
expect_rc 0
expect_count '^guest-exception: vm=4 vcpu=0 SVC64 esr=0x56000042 ' -eq 1
expect_count '^exit: vm=4 vcpu=0 hypercall ' -ge 1
expect_count '^exit: .* mmio ' -eq 0

run_cvisor filter-mmio run --trace=exits:mmio configs/aarch64/svc.toml
expect_count '^guest-exception: ' -eq 0
expect_count '^exit: .* hypercall ' -eq 0
expect_count '^exit: vm=4 vcpu=0 mmio ' -ge 1

run_cvisor filter-unknown run --trace=exits:mmio+bogus configs/aarch64/hello.toml
expect_rc 2
expect_err_line "cvisor: --trace=exits: unknown reason 'bogus' (known: mmio, pio, hypercall, sysreg, halt, stage2-fault, shutdown, debug, fatal, guest-exception, irq)"
expect_no_out "Hello from cvisor guest"

run_cvisor filter-help --help
expect_rc 0
expect_out "                     the guest's stage 1, then stage 2); exits:R1+R2... traces"
expect_out "                     only the lines about those reasons: mmio, pio, hypercall,"
expect_out "                     sysreg, halt, stage2-fault, shutdown, debug, fatal,"
expect_out "                     guest-exception, irq"

# ---- --timeline ---------------------------------------------------------------------

run_cvisor timeline run --timeline="$T/hello.json" --stats configs/aarch64/hello.toml
expect_rc 0
expect_timeline "$T/hello.json" 'meta("process_name", 1)' "['vm 1 (hello)']"
expect_timeline "$T/hello.json" 'meta("thread_name", 1, 0)' "['vCPU 0']"
expect_timeline "$T/hello.json" 'count("mmio"), count("hypercall"), overlaps()' "(84, 2, 0)"
expect_timeline "$T/hello.json" 'sorted({e["name"] for e in X})' "['guest', 'hypercall', 'mmio']"
# The first exit, with its operands, in the middle of a run (a hook's).
expect_timeline "$T/hello.json" '[e["args"] for e in X if e["name"] == "mmio"][0]' \
	"{'pc': '0x$(addr hello guest_putc 8)', 'operands': 'gpa=0x9000018 size=4 read data=0x90 reg=2', 'path': 'hook'}"
expect_timeline "$T/hello.json" 'all(e["ts"] >= 0 and e["dur"] >= 0 for e in X), doc["otherData"]["dropped_events"]' "(True, '0')"

# Four vCPUs: four named tracks.
run_cvisor timeline-smp run --timeline="$T/smp.json" configs/aarch64/smp.toml
expect_rc 0
expect_timeline "$T/smp.json" 'sorted(meta("thread_name", 200)), overlaps()' "(['vCPU 0', 'vCPU 1', 'vCPU 2', 'vCPU 3'], 0)"
expect_timeline "$T/smp.json" 'sorted({e["tid"] for e in X if e["name"] == "guest"})' "[0, 1, 2, 3]"

# Whole JSON after a time limit and after Ctrl-C.
run_cvisor timeline-max-seconds run --timeline="$T/spin.json" --max-seconds=0.5 configs/aarch64/spin.toml
expect_rc 1
expect_timeline "$T/spin.json" 'count("guest") > 0, meta("process_name", 8)' "(True, ['vm 8 (spin)'])"

run_cvisor_signal timeline-sigint INT "spin: looping forever" run --timeline="$T/int.json" configs/aarch64/spin.toml
expect_rc 1
expect_timeline "$T/int.json" 'count("guest") > 0, overlaps()' "(True, 0)"

if [ -x "$BUILD/riscv64/cvisor" ] && [ -x "$BUILD/x86_64/cvisor" ]; then
	run_cvisor timeline-riscv64 run --timeline="$T/rv.json" --stats configs/riscv64/hello.toml
	expect_rc 0
	expect_timeline "$T/rv.json" 'count("mmio"), count("hypercall"), overlaps(), meta("thread_name", 31, 0)' \
		"($(sed -n 's/^stats: vm=31 vcpu=0 mmio=\([0-9]*\) .*/\1/p' "$ERR"), 2, 0, ['vCPU 0'])"
	run_cvisor timeline-x86_64 run --timeline="$T/x86.json" --stats configs/x86_64/hello.toml
	expect_rc 0
	expect_timeline "$T/x86.json" 'count("pio"), count("hypercall"), overlaps(), meta("process_name", 51)' \
		"($(sed -n 's/^stats: vm=51 vcpu=0 mmio=0 pio=\([0-9]*\) .*/\1/p' "$ERR"), 1, 0, ['vm 51 (hello)'])"
	# VMCALL stops the simulated CPU: the exit is the run's end, handled by the run loop.
	expect_timeline "$T/x86.json" '[(e["args"]["path"], e["args"]["pc"]) for e in X if e["name"] == "hypercall"]' \
		"[('stop', '0x$vmcall')]"
fi

run_cvisor timeline-bad run --timeline="$T/no/such/dir/t.json" configs/aarch64/hello.toml
expect_rc 2
expect_err_line "cvisor: --timeline=$T/no/such/dir/t.json: No such file or directory"

finish
