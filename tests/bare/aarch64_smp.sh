#!/bin/sh
# SPDX-License-Identifier: MIT
# Several VMs and several vCPUs at once on bare-metal cvisor (cvisor at EL2
# under QEMU, docs/interrupts-bare.md): with one physical CPU the vCPUs
# share it in time slices, with two or four cvisor starts the other CPUs
# with PSCI CPU_ON and spreads the vCPUs over them. A guest that never
# exits holds no other VM back; the smp guest's four vCPUs (PSCI CPU_ON,
# AFFINITY_INFO, CPU_OFF), the timer guest (the virtual timer through the
# virtual GICv3), the el0irq guest (its interrupts taken from EL0), the
# ipi guest (SGIs between two vCPUs) and the sleep guest (one long WFI)
# print what they print in the simulator.
#   tests/bare/aarch64_smp.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

# The guests built in $BUILD (the configs in configs/ name build/'s).
HELLO=$(own_config hello)
SPIN=$(own_config spin)
SPIN2=$(own_config spin -e 's/^id = 8$/id = 260/' -e 's/^name = "spin"$/name = "spin2"/')
SMP=$(own_config smp)
TIMER=$(own_config timer)
IPI=$(own_config ipi)
SLEEP=$(own_config sleep)
EL0IRQ=$(own_config el0irq)
CVISOR=$BUILD/cvisor

# run_smp CASE N CPU CONFIG... [VAR=VALUE...]: run_bare on N physical CPUs
# (scripts/qemu.sh takes QEMU_SMP as its default -smp); CASE gets "-smpN-CPU".
# (run_bare sets n and c: the loops below use other names.)
run_smp() {
	QEMU_SMP=$2
	export QEMU_SMP
	name=$1-smp$2-$3
	model=$3
	shift 3
	run_bare "$name" "" "$model" "$@"
	unset QEMU_SMP
}

# expect_banner VMS CPUS: cvisor's first line names that many VMs and physical CPUs.
expect_banner() {
	v="$1 VMs"
	[ "$1" -eq 1 ] && v="1 VM"
	c="$2 CPUs"
	[ "$2" -eq 1 ] && c="1 CPU"
	expect_err "^cvisor [0-9]+\\.[0-9]+ \\(bare metal, aarch64 at EL2\\): $v, $c, 1024 MiB of RAM\$"
}

# expect_before LINE1 LINE2: both are whole lines of the console, LINE1 first.
expect_before() {
	a=$(grep -nxF -- "$1" "$OUT" | head -n 1 | cut -d: -f1)
	b=$(grep -nxF -- "$2" "$OUT" | head -n 1 | cut -d: -f1)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
		ok "\"$1\" before \"$2\""
	else
		fail "\"$1\" (line ${a:-none}) not before \"$2\" (line ${b:-none})"
	fi
}

# expect_console FILE: the whole console, cvisor's banner left out, is FILE's text.
expect_console() {
	if sed 1d "$OUT" | diff -u "$1" - >"$OUT.diff"; then
		ok "the console as expected, line for line"
	else
		fail "the console differs: $(tr '\n' ' ' <"$OUT.diff" | cut -c 1-400)"
	fi
	rm -f "$OUT.diff"
}

# The smp guest's console in the simulator (tests/sim/aarch64_irq.sh), then cvisor's summary.
SMP_LINES="smp: vCPU 0 starts the others
smp: vCPU up, MPIDR_EL1 0x0000000080000001
smp: vCPU up, MPIDR_EL1 0x0000000080000002
smp: vCPU up, MPIDR_EL1 0x0000000080000003
smp: all 3 secondaries checked in
smp: CPU_ON errors ok
smp: AFFINITY_INFO says ON for vCPUs 1-3
smp: AFFINITY_INFO says OFF for vCPUs 1-3
smp: vCPU up, MPIDR_EL1 0x0000000080000001
smp: vCPU 1 started again, checked in, off
smp: all ok"
EXPECTED=$OWN_DIR/smp.expected
printf '%s\ncvisor: 1 of 1 VMs powered off\n' "$SMP_LINES" >"$EXPECTED"

# sim_console GUEST CONFIG: the guest's console in the simulator, then
# cvisor's summary, into $OWN_DIR/GUEST.expected; checks that the
# simulator's run ended with "GUEST: all ok".
sim_console() {
	f=$OWN_DIR/$1.expected
	timeout 60 "$CVISOR" run --max-seconds=30 "$2" </dev/null >"$f" 2>/dev/null
	sim_rc=$?
	last=$(tail -n 1 "$f")
	echo "cvisor: 1 of 1 VMs powered off" >>"$f"
	CASE=$1-simulator
	if [ $sim_rc -eq 0 ] && [ "$last" = "$1: all ok" ]; then
		ok "the simulator's $1 console, $(($(wc -l <"$f") - 1)) lines, ends with $1: all ok"
	else
		fail "the simulator's $1 run: status $sim_rc, last line $last"
	fi
}
sim_console timer "$TIMER"
sim_console ipi "$IPI"
sim_console sleep "$SLEEP"
sim_console el0irq "$EL0IRQ"
TIMER_EXPECTED=$OWN_DIR/timer.expected
TIMER_LINES=$(sed '$d' "$TIMER_EXPECTED")

for model_ in cortex-a57 max; do
	for ncpus in 1 2; do
		# A guest that never exits and one that prints and powers off, in one
		# image: hello ends while spin still runs (before the time limit
		# stops spin), whether they share a CPU or have one each.
		run_smp spin-hello $ncpus $model_ "$SPIN" "$HELLO" MAX_SECONDS=3
		expect_rc 1
		expect_banner 2 $ncpus
		expect_out "[spin] spin: looping forever"
		expect_out "[hello] Hello from cvisor guest (aarch64)!"
		expect_out "[hello] dtb ok"
		expect_stopped spin "still running after the time limit of 3 s \\(MAX_SECONDS\\)\$"
		expect_count '^cvisor: vm [0-9]+ ' -eq 1
		expect_before "[hello] dtb ok" "cvisor: vm 8 (spin) stopped: still running after the time limit of 3 s (MAX_SECONDS)"
		expect_out "cvisor: 1 of 2 VMs powered off"

		# Four vCPUs of one VM: PSCI CPU_ON from the guest starts a vCPU
		# that waits on its thread (on another physical CPU with -smp 2),
		# the same console as in the simulator, line for line.
		run_smp smp $ncpus $model_ "$SMP" MAX_SECONDS=20
		expect_rc 0
		expect_banner 1 $ncpus
		expect_console "$EXPECTED"

		# The virtual timer through the virtual GICv3: ten ticks at 1 ms,
		# each at or after its deadline, masking and unmasking; the same
		# console as in the simulator. QEMU counts instructions (icount):
		# without it, TCG may show CNTV_CTL_EL0.ISTATUS late (scripts/qemu.sh).
		QEMU_ICOUNT=1
		export QEMU_ICOUNT
		run_smp timer $ncpus $model_ "$TIMER" MAX_SECONDS=20
		unset QEMU_ICOUNT
		expect_rc 0
		expect_console "$TIMER_EXPECTED"

		# 1000 SGIs each way between two vCPUs (ICC_SGI1R_EL1 by target
		# list and to all others), each waiting in WFI: on one CPU the
		# two threads take turns, on two each wakes the other's CPU.
		run_smp ipi $ncpus $model_ "$IPI" MAX_SECONDS=20
		expect_rc 0
		expect_banner 1 $ncpus
		expect_console "$OWN_DIR/ipi.expected"

		# 20 virtual timer interrupts every 100 us, taken from EL0 between
		# SVCs (the guest checks the vector, SPSR_EL1, ELR_EL1).
		run_smp el0irq $ncpus $model_ "$EL0IRQ" MAX_SECONDS=20
		expect_rc 0
		expect_console "$OWN_DIR/el0irq.expected"
	done
done

# children_cpu: the user + system CPU seconds of this shell's children
# that have ended: the second line of the `times` builtin ("XmY.Zs XmY.Zs"),
# run by this shell itself (in a $(...) subshell its children would be none).
children_cpu() {
	times >"$OWN_DIR/times"
	sed -n 2p "$OWN_DIR/times" | tr 'ms' '  ' |
		awk '{ printf "%.3f", $1 * 60 + $2 + $3 * 60 + $4 }'
}

# sleep: one WFI with the physical timer 2 s away. cvisor's CPUs wait in
# WFI meanwhile: QEMU's CPU time stays far below the wait.
for ncpus in 1 2; do
	run_smp sleep $ncpus max "$SLEEP" MAX_SECONDS=20
	expect_rc 0
	expect_console "$OWN_DIR/sleep.expected"
	children_cpu >"$OWN_DIR/cpu0"
	t0=$(date +%s.%N)
	timeout 60 sh scripts/qemu.sh --smp $ncpus aarch64 "$BUILD/bare/aarch64/cvisor.elf" \
		</dev/null >"$OUT" 2>&1
	RC=$?
	t1=$(date +%s.%N)
	children_cpu >"$OWN_DIR/cpu1"
	cpu0=$(cat "$OWN_DIR/cpu0")
	cpu1=$(cat "$OWN_DIR/cpu1")
	expect_rc 0
	if awk -v t0="$t0" -v t1="$t1" -v c0="$cpu0" -v c1="$cpu1" \
		'BEGIN { exit !(t1 - t0 >= 2.0 && c1 - c0 < 1.0) }'; then
		ok "waited $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s on $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') s of CPU time"
	else
		fail "wall $t0..$t1, CPU $cpu0..$cpu1 s: expected >= 2 s of wall, < 1 s of CPU"
	fi
done

# The timer guest next to a guest that never exits, on one and two CPUs:
# its vCPU waits in WFI for each tick (its thread blocked until the
# tick's deadline) and must still get every tick on time.
for ncpus in 1 2; do
	QEMU_ICOUNT=1
	export QEMU_ICOUNT
	run_smp timer-spin $ncpus max "$SPIN" "$TIMER" MAX_SECONDS=4
	unset QEMU_ICOUNT
	expect_rc 1
	if [ "$(sed -n 's/^\[timer\] //p' "$OUT")" = "$TIMER_LINES" ]; then
		ok "timer's lines as in the simulator"
	else
		fail "timer's lines differ from the simulator's: $(grep '^\[timer\]' "$OUT" | tail -n 2 | tr '\n' '|')"
	fi
	expect_stopped spin "still running after the time limit of 4 s \\(MAX_SECONDS\\)\$"
	expect_before "[timer] timer: all ok" "cvisor: vm 8 (spin) stopped: still running after the time limit of 4 s (MAX_SECONDS)"
	expect_out "cvisor: 1 of 2 VMs powered off"
done

# Everything at once: two guests that never exit, the smp guest's four
# vCPUs and hello; 7 vCPUs on one, two and four physical CPUs.
for ncpus in 1 2 4; do
	run_smp all $ncpus max "$SPIN" "$SMP" "$SPIN2" "$HELLO" MAX_SECONDS=4
	expect_rc 1
	expect_banner 4 $ncpus
	echo "$SMP_LINES" | while IFS= read -r line; do
		grep -qxF "[smp] $line" "$OUT" || echo "$line"
	done >"$EXPECTED.missing"
	if [ -s "$EXPECTED.missing" ]; then
		fail "smp's lines missing: $(tr '\n' '|' <"$EXPECTED.missing")"
	else
		ok "smp's eleven lines, each whole, with its prefix"
	fi
	rm -f "$EXPECTED.missing"
	# smp's own lines in its own order.
	if [ "$(sed -n 's/^\[smp\] //p' "$OUT")" = "$SMP_LINES" ]; then
		ok "smp's lines in order"
	else
		fail "smp's lines out of order"
	fi
	expect_out "[hello] dtb ok"
	expect_out "[spin] spin: looping forever"
	expect_out "[spin2] spin: looping forever"
	expect_stopped spin "still running after the time limit of 4 s \\(MAX_SECONDS\\)\$"
	expect_stopped spin2 "still running after the time limit of 4 s \\(MAX_SECONDS\\)\$"
	expect_count '^cvisor: vm [0-9]+ ' -eq 2
	expect_before "[smp] smp: all ok" "cvisor: vm 8 (spin) stopped: still running after the time limit of 4 s (MAX_SECONDS)"
	expect_before "[hello] dtb ok" "cvisor: vm 260 (spin2) stopped: still running after the time limit of 4 s (MAX_SECONDS)"
	expect_out "cvisor: 2 of 4 VMs powered off"
	expect_no_out "FAIL"
done

finish
