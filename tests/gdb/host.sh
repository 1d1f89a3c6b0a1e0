#!/bin/sh
# SPDX-License-Identifier: MIT
# Host gdb stepping cvisor itself with scripts/gdb/cvisor.py (docs/debugging.md):
# the exit record of each architecture's first UART store, backtraces without
# Unicorn's frames, `step` not entering the C library, and the walk
# breakpoints stopping first on the guest's own access, not on the
# simulator's fetch of an instruction, with the walk's levels as
# --trace=walks prints them.
#   tests/gdb/host.sh BUILD ARCH
# Runs on BUILD's simulators and, when `make debug` has built them, on
# build-debug's (-O0 -g3) too; without them it says so on a "#" line and
# checks the BUILD ones only.
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
[ "$ARCH" = aarch64 ] || skip_suite "the simulator of every architecture is built with ARCH=aarch64 (ARCH=$ARCH)"
GDB=$(command -v gdb || command -v gdb-multiarch) ||
	skip_suite "neither gdb nor gdb-multiarch found (make test installs gdb-multiarch)"
"$GDB" -nx -batch -ex 'python import gdb' >/dev/null 2>&1 ||
	skip_suite "$GDB has no Python (scripts/gdb/cvisor.py needs it)"
[ -x "$BUILD/cvisor" ] || skip_suite "$BUILD/cvisor not built"

# A sanitizer build under gdb: LeakSanitizer does not run under ptrace.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export CVISOR_GDB_QUIET=1
CMDS=$OWN_DIR/cmds.gdb
TRACE=$OWN_DIR/trace

# run_gdb CASE PROGRAM ARGS...: runs PROGRAM ARGS under gdb in batch mode with
# the script and the commands of $CMDS (then kills it); OUT holds what gdb
# and the program printed, ERR the program's stderr.
run_gdb() {
	CASE=$1
	shift
	printf 'kill\n' >>"$CMDS"
	timeout 180 "$GDB" -q -nx -batch -iex 'set debuginfod enabled off' -iex 'set pagination off' \
		-x scripts/gdb/cvisor.py -x "$CMDS" --args "$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}
# gdb_cmds LINE...: the commands of the next run_gdb.
gdb_cmds() { printf '%s\n' "$@" >"$CMDS"; }

# insn GARCH GUEST FUNCTION MNEMONIC: the address (hex digits) of FUNCTION's first MNEMONIC.
insn() {
	case $1 in
	x86_64) od=objdump ;;
	*) od=$1-linux-gnu-objdump ;;
	esac
	a=$($od -d "build/guests/$1/$2.elf" | awk -v fn="<$3>:" -v m="$4" '
		$2 == fn { f = 1; next }
		f && /^$/ { exit }
		f { for (i = 2; i <= NF; i++) if ($i == m) { sub(":", "", $1); print $1; exit } }')
	echo "${a:-no-$4-in-$3}"
}

# expect_exit FIELD VALUE: cvisor-exit printed FIELD with VALUE, the whole line.
expect_exit() {
	if grep -qxE -- "$(printf '%-14s' "$1") $2" "$OUT"; then ok "exit $1 $2"; else fail "exit $1 is not $2"; fi
}

# expect_clean_bt HOOK: the (filtered) backtrace has the exit path from
# Unicorn's call of HOOK (at -O0; -O2 inlines it) to vcpu_handle_exit, and
# no frame of Unicorn or the C library but the lines that say how many were
# elided; `bt -no-filters` has them. (gdb unwinds through Unicorn's
# generated code only sometimes: the frames from the vCPU thread to Unicorn
# are not required.)
expect_clean_bt() {
	bt=$OWN_DIR/bt
	sed -n '/^=== bt$/,/^=== bt -no-filters$/p' "$OUT" | grep -E '^#[0-9]+ ' >"$bt"
	hook=$1
	case $b in *-debug) ;; *) hook=sim_cpu_exit_now ;; esac
	if grep -qE '^#0 +vcpu_handle_exit \(' "$bt" && grep -qE '^#[0-9]+ .* in sim_host_exit \(' "$bt" &&
		grep -qE "^#[0-9]+ +(0x[0-9a-f]+ in )?$hook \\(" "$bt"; then
		ok "bt: vcpu_handle_exit ... sim_host_exit ... $hook"
	else
		fail "bt lacks the exit path: $(tr '\n' '|' <"$bt")"
	fi
	if grep -qE '^#[0-9]+ +\[[0-9]+ frames? in libunicorn\.so\.2(, [^]]*)? elided\] \(\)$' "$bt"; then
		ok "bt: Unicorn's frames counted on one line"
	else
		fail "bt has no elided-frames line for libunicorn"
	fi
	n=$(grep -v ' elided\] ()$' "$bt" | grep -cE 'from [^ ]*lib(unicorn|c|pthread)\.so|in \?\? \(|in (uc_emu_start|cpu_exec_[a-z0-9]+|start_thread|clone3?) \(')
	if [ "$n" -eq 0 ]; then ok "bt: no Unicorn or libc frame"; else fail "bt: $n Unicorn or libc frames"; fi
	n=$(sed -n '/^=== bt -no-filters$/,$p' "$OUT" | grep -cE '^#[0-9]+ .*(from [^ ]*libunicorn\.so|in uc_emu_start \()')
	if [ "$n" -gt 0 ]; then ok "bt -no-filters: $n Unicorn frames"; else fail "bt -no-filters shows no Unicorn frame"; fi
}

# exit_case PROGRAM CONFIG REASON ADDRESS: stops at the exit of REASON at
# ADDRESS, prints the record and both backtraces.
exit_case() {
	gdb_cmds "cvisor-break-exit $3 $4" run cvisor-exit 'echo === bt\n' bt 'echo === bt -no-filters\n' 'bt -no-filters'
	run_gdb "$5" "$1" run "$2"
	expect_exit reason "$3 \\(EXIT_$(echo "$3" | tr a-z A-Z)\\)"
}

# walk_levels TRACE-HEAD [some]: the levels gdb printed (cvisor-walk-levels)
# are those --trace=walks printed (in TRACE) for the first walk whose first
# line ends with TRACE-HEAD, up to its result (with `some`: some of them, the
# same result, and a note that the build hides the others).
walk_levels() {
	want=$OWN_DIR/want
	got=$OWN_DIR/got
	awk -v h="$1" 'f && /^walk: vm=/ { exit } f { print } !f && index($0, h) && substr($0, length($0) - length(h) + 1) == h { f = 1 }' \
		"$TRACE" >"$want"
	grep -E '^walk:   ' "$OUT" >"$got"
	if [ -s "$want" ] && cmp -s "$want" "$got"; then
		ok "levels as --trace=walks: $(sed 's/^walk: *//' "$want" | tr '\n' '|')"
	elif [ "$2" = some ] && [ -s "$want" ] && [ "$(tail -n 1 "$want")" = "$(tail -n 1 "$got")" ] &&
		[ "$(grep -vxF -f "$want" "$got")" = "" ] && grep -qF "(levels this optimised build does not show" "$OUT"; then
		ok "levels as --trace=walks, those -O2 shows, and a note: $(sed 's/^walk: *//' "$got" | tr '\n' '|')"
	else
		fail "levels differ from --trace=walks: got $(tr '\n' '|' <"$got") want $(tr '\n' '|' <"$want")"
	fi
}

# first_walk_case PROGRAM CONFIG VA ACCESS WHY-FUNCTION: the first stop of
# cvisor-break-walk stage1 is the walk of VA for ACCESS, called from
# WHY-FUNCTION, with no frame of the simulator's own fetch; its levels
# are --trace=walks's. With `all`, the first stop is a fetch of the simulator's.
first_walk_case() {
	gdb_cmds 'cvisor-break-walk stage1' run 'echo === bt\n' 'bt 12' 'echo === levels\n' cvisor-walk-levels
	run_gdb "$6" "$1" run "$2"
	if grep -qE "^#0 +[a-z0-9_]+_s1_translate(_ad)? \\(.*va=(va@entry=)?$(printf '%d' "$3"), access=(access@entry=)?ACCESS_$4," "$OUT"; then
		ok "first stop: the walk of va $3 for $4"
	else
		fail "first stop is not the walk of va $3 for $4: $(grep -m1 -E '^#0 ' "$OUT")"
	fi
	if grep -qE "^#[0-9]+ .*\\b$5 \\(" "$OUT"; then ok "called by $5"; else fail "not called by $5"; fi
	if grep -qE '^#[0-9]+ .*\b(sim_a64_fetch|sim_rv_fetch|is_fetch|code_gpa|access_gva) \(' "$OUT"; then
		fail "the walk is the simulator's own fetch"
	else
		ok "not under the simulator's fetch"
	fi
	"$1" run --trace=walks "$2" >/dev/null 2>"$TRACE"
	walk_levels "$7" "${8:-}"
}

# all_walks_case PROGRAM CONFIG FETCH-FUNCTION: `cvisor-break-walk stage1 all`
# first stops in the simulator's own reading of code (what the filter leaves out).
all_walks_case() {
	gdb_cmds 'cvisor-break-walk stage1 all' run 'bt 6'
	run_gdb "$4" "$1" run "$2"
	if grep -qE "^#[0-9]+ +(0x[0-9a-f]+ in )?$3 \\(" "$OUT"; then ok "first stop of every walk: $3"; else fail "first stop of every walk is not in $3"; fi
}

# levels GARCH: "some" where this build ($b) keeps some levels of a walk
# from gdb (x86's walk() at -O2; the sanitizers' builds), "" where it must
# show each.
levels() {
	case $b in
	*-debug) echo ;;
	*-san) echo some ;;
	*) [ "$1" = x86_64 ] && echo some ;;
	esac
}

BUILDS=$BUILD
case $BUILD in
*-debug) ;;
*)
	if [ -x "$BUILD-debug/cvisor" ]; then
		BUILDS="$BUILD $BUILD-debug"
	else
		echo "# $BUILD-debug/cvisor not built (make debug): checking $BUILD's -O2 simulators only"
	fi
	;;
esac

for b in $BUILDS; do
	# AArch64: hello's first store to the PL011's data register (UARTDR,
	# GPA 0x0900_0000): STRB w0, [x1] at EL1 with stage 2 not mapping the
	# device. ESR_EL2 0x93000045: EC 0x24 (data abort from a lower EL),
	# IL, ISV, SAS 0 (byte), SRT 0 (w0), WnR, DFSC 0x05 (translation fault,
	# level 1) (ARM ARM D17.2.40).
	guests_of aarch64
	exit_case "$b/cvisor" $CFG/hello.toml mmio 0x9000000 "$b/aarch64-hello"
	expect_exit pc "0x$(insn aarch64 hello guest_putc strb)"
	expect_exit syndrome 0x93000045
	expect_exit mmio.gpa 0x9000000
	expect_exit mmio.size 1
	expect_exit mmio.write true
	expect_exit mmio.reg 0
	expect_exit mmio.data "0x48 'H'"
	expect_clean_bt on_mmio_write

	# The MMIO handler itself (inlined into vcpu_handle_exit at -O2): first
	# with guest_putc's read of the flag register (UARTFR, GPA 0x0900_0018).
	gdb_cmds 'cvisor-break-handler mmio' run 'bt 2' cvisor-exit
	run_gdb "$b/aarch64-handler" "$b/cvisor" run $CFG/hello.toml
	if grep -qE '^#0 +handle_mmio \(' "$OUT" && grep -qE '^#1 +(0x[0-9a-f]+ in )?vcpu_handle_exit \(' "$OUT"; then
		ok "stopped in handle_mmio, called by vcpu_handle_exit"
	else
		fail "not stopped in handle_mmio under vcpu_handle_exit"
	fi
	expect_exit mmio.gpa 0x9000018
	expect_exit mmio.write false
	expect_exit mmio.size 4
	gdb_cmds 'cvisor-break-handler hook' run 'bt 1' cvisor-exit
	run_gdb "$b/aarch64-hook" "$b/cvisor" run $CFG/hello.toml
	if grep -qE '^#0 +sim_host_exit \(' "$OUT"; then ok "stopped in sim_host_exit"; else fail "not stopped in sim_host_exit"; fi
	expect_exit mmio.gpa 0x9000018

	# step from the vCPU thread's first line does not enter prctl() of the C library.
	gdb_cmds 'break vcpu_thread' run step 'echo === frame\n' 'bt 1'
	run_gdb "$b/step-over-libc" "$b/cvisor" run $CFG/hello.toml
	if sed -n '/^=== frame$/,$p' "$OUT" | grep -qE '^#0 +(0x[0-9a-f]+ in )?(vcpu_thread|vcpu_run_loop) \('; then
		ok "step stays in cvisor (vcpu_thread or vcpu_run_loop)"
	else
		fail "step went to $(sed -n '/^=== frame$/,$p' "$OUT" | grep -m1 '^#0')"
	fi

	# The guest with its MMU on: the first walk for the guest is its read
	# of the PL011's flag register (UARTFR, VA 0x0900_0018) printing
	# "mmu: on"; the simulator has read the word at the stopped PC before
	# (read_code: is the read a fetch of code RAM does not hold?), the LDR's
	# code page (access_pc, for the instruction behind the access), and
	# fetched that instruction to decode it.
	first_walk_case "$b/cvisor" $CFG/mmu.toml 0x9000018 READ s1_outcome "$b/aarch64-walk" \
		"stage-1 va=0x0000000009000018 read (mmio read)" "$(levels aarch64)"
	all_walks_case "$b/cvisor" $CFG/mmu.toml read_code "$b/aarch64-walk-all"

	# Stage 2: the first walk for the guest reads the level-1 table
	# (TTBR0_EL1, GPA 0x4008_2000) during that stage-1 walk.
	gdb_cmds 'cvisor-break-walk stage2' run 'bt 6' cvisor-walk-levels
	run_gdb "$b/aarch64-walk-stage2" "$b/cvisor" run $CFG/mmu.toml
	if grep -qE '^#0 +stage2_translate \(.*gpa=(gpa@entry=)?1074274304, access=(access@entry=)?ACCESS_READ,' "$OUT" &&
		grep -qE '^#[0-9]+ .* in a64_s1_translate \(.*va=(va@entry=)?150994968,' "$OUT"; then
		ok "first stage-2 stop: table GPA 0x40082000 read by the walk of va 0x9000018"
	else
		fail "first stage-2 stop: $(grep -m1 -E '^#0 ' "$OUT")"
	fi
	# RAM is a 2 MiB block of stage 2: the table's HPA is 0x8_2000 into it.
	hpa=$(sed -n 's/^walk:   -> hpa=\(0x[0-9a-f]*\)$/\1/p' "$OUT")
	if [ -n "$hpa" ] && [ $((hpa & 0x1fffff)) -eq $((0x82000)) ]; then
		ok "stage-2 walk ends at the table's HPA $hpa"
	else
		fail "stage-2 walk's HPA '$hpa' is not 0x82000 into a 2 MiB block"
	fi

	# RISC-V: hello's first store to the 16550's THR (GPA 0x1000_0000),
	# SB a0, 0(t0): scause 23, a store/AMO guest-page fault (Privileged 18.6.1).
	guests_of riscv64
	exit_case "$b/riscv64/cvisor" $CFG/hello.toml mmio 0x10000000 "$b/riscv64-hello"
	expect_exit pc "0x$(insn riscv64 hello guest_putc sb)"
	expect_exit syndrome 0x17
	expect_exit mmio.gpa 0x10000000
	expect_exit mmio.write true
	expect_exit mmio.reg 10
	expect_exit mmio.data "0x48 'H'"
	expect_clean_bt on_mmio_write
	first_walk_case "$b/riscv64/cvisor" $CFG/mmu.toml 0x10000005 READ locate_access "$b/riscv64-walk" \
		"stage-1 va=0x0000000010000005 read (mmio read)" "$(levels riscv64)"
	all_walks_case "$b/riscv64/cvisor" $CFG/mmu.toml is_fetch "$b/riscv64-walk-all"

	# x86_64: hello's first OUT to COM1 (port 0x3f8): VMX exit reason 30
	# (I/O instruction, SDM Vol. 3C 27.2.1). Its PC is the one the exit
	# trace gives (Unicorn's port hook reports the start of the block).
	guests_of x86_64
	"$b/x86_64/cvisor" run --trace=exits $CFG/hello.toml >/dev/null 2>"$TRACE"
	tpc=$(sed -n 's/^exit: vm=[0-9]* vcpu=0 pio pc=\(0x[0-9a-f]*\) syndrome=0x1e port=0x3f8 size=1 out data=0x48$/\1/p' "$TRACE" | head -n 1)
	exit_case "$b/x86_64/cvisor" $CFG/hello.toml pio 0x3f8 "$b/x86_64-hello"
	expect_exit pc "${tpc:-no-trace-line}"
	expect_exit syndrome 0x1e
	expect_exit pio.port 0x3f8
	expect_exit pio.size 1
	expect_exit pio.write true
	expect_exit pio.data 0x48
	expect_clean_bt on_out
	# The first walk for the guest: the shadow fill of its first fetch, at its entry.
	first_walk_case "$b/x86_64/cvisor" $CFG/mmu.toml 0x100000 FETCH walk_for "$b/x86_64-walk" \
		"stage-1 va=0x0000000000100000 fetch (shadow fill)" "$(levels x86_64)"
done
finish
