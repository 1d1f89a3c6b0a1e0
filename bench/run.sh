#!/bin/sh
# SPDX-License-Identifier: MIT
# cvisor's simulator next to a minimal Unicorn program running the same
# guest binaries, for each simulated architecture; bare-metal cvisor under
# QEMU next to the guest alone. Prints figures; asserts nothing.
#   bench/run.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64} # the architecture of the bare-metal figures
CVISOR=$BUILD/cvisor
G=$BUILD/guests/$ARCH
# Guest instructions in bench_compute: a 4-instruction loop, 200 million times.
INSNS=800000000
CALLS=1000000

now() { date +%s.%N; }

# Wall time of a command, in seconds; its output goes to $2.
timed() { # out-file command...
	out=$1
	shift
	t0=$(now)
	"$@" >"$out" 2>&1
	rc=$?
	t1=$(now)
	if [ $rc -ne 0 ]; then
		echo "bench: '$*' failed (status $rc):" >&2
		sed 's/^/    /' "$out" >&2
		exit 1
	fi
	echo "$t0 $t1" | awk '{ printf "%.4f", $2 - $1 }'
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# bench_sim ARCH CALL-GUEST CALL-NAME: the simulator of ARCH next to uc_raw_ARCH.
bench_sim() {
	arch=$1
	calls=$2
	what=$3
	raw=$BUILD/bench/uc_raw_$arch
	g=$BUILD/guests/$arch
	echo "== $arch, compute-bound guest: $INSNS guest instructions, no exits"
	t_cv=$(timed "$out" "$CVISOR" run configs/$arch/bench_compute.toml) || exit 1
	t_raw=$(timed "$out" "$raw" "$g/bench_compute.bin") || exit 1
	awk -v n=$INSNS -v a="$t_cv" -v b="$t_raw" 'BEGIN {
		printf "  cvisor simulator     %8.3f s  %8.1f M instructions/s\n", a, n / a / 1e6
		printf "  minimal Unicorn      %8.3f s  %8.1f M instructions/s\n", b, n / b / 1e6
		printf "  cvisor / minimal     %8.2f (speed ratio, 1.00 = no overhead)\n", b / a
	}'
	echo "== $arch, $what guest: $CALLS calls, each an exit"
	t_cv=$(timed "$out" "$CVISOR" run --stats configs/$arch/$calls.toml) || exit 1
	n_cv=$(sed -n 's/.* hypercall=\([0-9]*\).*/\1/p' "$out")
	t_raw=$(timed "$out" "$raw" "$g/$calls.bin") || exit 1
	n_raw=$(sed -n 's/.*=\([0-9]*\)$/\1/p' "$out")
	awk -v na="${n_cv:-0}" -v nb="${n_raw:-0}" -v a="$t_cv" -v b="$t_raw" 'BEGIN {
		printf "  cvisor simulator     %8.3f s  %8.0f exits/s (%d exits)\n", a, na / a, na
		printf "  minimal Unicorn hook %8.3f s  %8.0f hooks/s (%d hooks)\n", b, nb / b, nb
		printf "  cvisor / minimal     %8.2f (speed ratio)\n", (na / a) / (nb / b)
	}'
}

# mmu_ratio FILE: the MMU-off and MMU-on durations a bench_mmu guest printed
# (counter ticks, in hex, and the counter's frequency), and their ratio.
mmu_ratio() {
	awk '
		function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
			return v }
		/bench_mmu: frequency/ { f = hex($NF) }
		/bench_mmu: mmu-off ticks/ { off = hex($NF) }
		/bench_mmu: mmu-on ticks/ { on = hex($NF) }
		END {
			if (!f || !off || !on) { print "  (bench_mmu printed no figures)"; exit 1 }
			printf "  MMU off %8.3f s   MMU on %8.3f s   on / off %5.2f (time ratio, 1.00 = free)\n", off / f, on / f, on / off
		}' "$1"
}

# bench_mmu ARCH: the guest's memory loop with its MMU off, then on.
bench_mmu() {
	echo "== $1, memory-bound loop with the guest's own MMU off, then on (stage 1 in Unicorn's MMU)"
	timed "$out" "$CVISOR" run configs/$1/bench_mmu.toml >/dev/null || exit 1
	mmu_ratio "$out" || exit 1
}

# ---- Memory-bound guests: loads and stores to RAM, no exits --------------
# best_of N COMMAND...: the shortest wall time of N runs (the machine is shared).
best_of() {
	n=$1
	shift
	best=
	for i in $(seq "$n"); do
		t=$(timed "$out" "$@") || exit 1
		best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
	done
	echo "$best"
}

# bench_mem ARCH: bench_ldst (load, add, store) and bench_load (load, add)
# in the simulator and in uc_raw_ARCH, each the best of 3 whole runs.
bench_mem() {
	for g in ldst load; do
		case $g in
		ldst) what="load/store-bound loop: 9.8 M loads and stores to RAM" ;;
		load) what="load-bound loop: 98 M loads from RAM" ;;
		esac
		echo "== $1, $what (best of 3)"
		t_cv=$(best_of 3 "$CVISOR" run configs/$1/bench_$g.toml) || exit 1
		t_raw=$(best_of 3 "$BUILD/bench/uc_raw_$1" "$BUILD/guests/$1/bench_$g.bin") || exit 1
		awk -v a="$t_cv" -v b="$t_raw" 'BEGIN {
			printf "  cvisor simulator     %8.3f s\n  minimal Unicorn      %8.3f s\n", a, b
			printf "  cvisor / minimal     %8.2f (speed ratio, 1.00 = no overhead)\n", b / a
		}'
	done
}

bench_sim aarch64 bench_hvc HVC
bench_mmu aarch64
bench_mem aarch64
bench_sim riscv64 bench_sbi "SBI (ecall)"
bench_mem riscv64
# riscv64: bench_compute's loop again, with the guest's own Sv39 on (bench_mmu).
echo "== riscv64, compute-bound guest with its own MMU (Sv39) on, then off (stage 1 in Unicorn's MMU)"
t_on=$(timed "$out" "$CVISOR" run configs/riscv64/bench_mmu.toml) || exit 1
t_off=$(timed "$out" "$CVISOR" run configs/riscv64/bench_compute.toml) || exit 1
awk -v on="$t_on" -v off="$t_off" 'BEGIN {
	printf "  MMU on %8.3f s   MMU off %8.3f s   on / off %5.2f (time ratio, 1.00 = free)\n", on, off, on / off
}'
bench_sim x86_64 bench_vmcall VMCALL
bench_mem x86_64
echo "== x86_64, shadow paging: CR3 reloads, then reads of 48 pages each (one fill each)"
t_cv=$(timed "$out" "$CVISOR" run --trace=exits configs/x86_64/bench_shadow.toml) || exit 1
fills=$(sed -n 's/^shadow: .* fills=\([0-9]*\).*/\1/p' "$out")
awk -v n="${fills:-0}" -v a="$t_cv" 'BEGIN {
	printf "  cvisor simulator     %8.3f s  %8.0f fills/s (%d fills)\n", a, n / a, n
}'
echo "== stage-2 changes page by page: hostile_protect, 3072 MEM_PROTECT calls of one page each"
for a in aarch64 riscv64; do
	t_cv=$(timed "$out" "$CVISOR" run configs/$a/hostile_protect.toml) || exit 1
	awk -v a=$a -v t="$t_cv" 'BEGIN { printf "  %-8s cvisor simulator %8.3f s  %8.0f calls/s\n", a, t, 3072 / t }'
done
echo "(wall times of whole runs, including start-up; 2 cores, one vCPU)"
echo "== Unicorn 2.0.1: stops asked for by another thread, and a block hook added late (bench/uc_raw_stop)"
"$BUILD/bench/uc_raw_stop" || exit 1

# ---- Interrupts: an idle guest's host CPU, delivery latency, IPIs ----------
# hexval NAME: the hex number after "NAME " on a line of $out, in decimal.
hexval() {
	awk -v k="$1" '
		function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); sub(/\r$/, "", s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
			return v }
		index($0, k " ") { print hex($NF); exit }' "$out"
}
for a in aarch64 riscv64 x86_64; do
	case $a in
	x86_64) idle=timer_sleep ;;
	*) idle=sleep ;;
	esac
	if [ -f configs/$a/$idle.toml ]; then
		echo "== $a, idle guest ($idle): waits in WFI/HLT for a timer seconds away"
		timed "$out" "$CVISOR" run --stats configs/$a/$idle.toml >/dev/null || exit 1
		sed -n 's/^stats: host cpu user=\([0-9.]*\) s system=\([0-9.]*\) s wall=\([0-9.]*\) s$/\1 \2 \3/p' "$out" |
			awk '{ printf "  host CPU %6.3f s in %6.3f s of wall time: %5.2f%% of one core\n", $1 + $2, $3, 100 * ($1 + $2) / $3 }'
	fi
	if [ -f configs/$a/bench_irq.toml ]; then
		echo "== $a, timer interrupts: 1000, each armed a few microseconds ahead, taken from WFI/HLT"
		t=$(timed "$out" "$CVISOR" run configs/$a/bench_irq.toml) || exit 1
		awk -v f="$(hexval "bench_irq: frequency")" -v n="$(hexval "bench_irq: interrupts")" \
			-v late="$(hexval "bench_irq: total lateness (ticks)")" -v t="$t" 'BEGIN {
			if (!f || !n) { print "  (bench_irq printed no figures)"; exit }
			printf "  delivery latency %8.1f us on average (deadline to handler)   %8.0f interrupts/s\n", late / n / f * 1e6, n / t
		}'
	fi
	if [ -f configs/$a/ipi.toml ]; then
		echo "== $a, IPIs: the ipi guest's ping-pong between two vCPUs"
		t=$(timed "$out" "$CVISOR" run configs/$a/ipi.toml) || exit 1
		n=2000 # every ipi guest sends 1000 each way
		awk -v n="${n:-0}" -v t="$t" 'BEGIN {
			if (!n) { print "  (the ipi guest printed no count)"; exit }
			printf "  %d IPIs in %6.3f s: %8.0f IPIs/s (whole run)\n", n, t, n / t
		}'
	fi
done

# ---- virtio-net: frames between two VMs through the virtual switch ---------
echo "== aarch64, virtio-net: bench_net_tx sends 100000 frames of 64 bytes to bench_net_rx (windows of 32, a credit each)"
t=$(timed "$out" "$CVISOR" run configs/aarch64/bench_net_tx.toml configs/aarch64/bench_net_rx.toml) || exit 1
awk -v f="$(hexval "bench_net: frequency")" -v n="$(hexval "bench_net: frames")" \
	-v ticks="$(hexval "bench_net: ticks")" -v t="$t" 'BEGIN {
	if (!f || !n || !ticks) { print "  (bench_net_tx printed no figures)"; exit }
	printf "  %d frames in %6.3f s of guest time: %8.0f frames/s (%6.3f s the whole run)\n", n, ticks / f, n / (ticks / f), t
}'

# ---- Bare metal: cvisor at EL2 under QEMU vs the guest directly on QEMU ----
bare_aarch64() {
	CPU=cortex-a72
	# QEMU's command line is scripts/qemu.sh's: cvisor at EL2, or the guest alone at EL1.
	QEMU_BARE="sh scripts/qemu.sh --cpu $CPU $ARCH"
	QEMU_DIRECT="sh scripts/qemu.sh --cpu $CPU --el1 $ARCH"
	mkdir -p "$BUILD/bench"
	for g in bench_compute bench_hvc bench_mmu; do
		make -s --no-print-directory BUILD="$BUILD" CONFIG=configs/$ARCH/$g.toml \
			"$BUILD/bare/$ARCH/cvisor.elf" >"$out" 2>&1 || { cat "$out"; exit 1; }
		cp "$BUILD/bare/$ARCH/cvisor.elf" "$BUILD/bench/bare_$g.elf"
	done
	echo "== bare metal under QEMU ($CPU, TCG): the same guest under cvisor at EL2 and directly at EL1"
	for g in bench_compute bench_hvc; do
		# shellcheck disable=SC2086
		t_cv=$(timed "$out" $QEMU_BARE "$BUILD/bench/bare_$g.elf") || exit 1
		# shellcheck disable=SC2086
		t_q=$(timed "$out" $QEMU_DIRECT "$G/$g.elf") || exit 1
		awk -v g=$g -v a="$t_cv" -v b="$t_q" 'BEGIN {
			printf "  %-14s cvisor %7.3f s   QEMU alone %7.3f s   cvisor / alone %5.2f\n", g, a, b, a / b
		}'
	done
	echo "(bench_compute: $INSNS instructions; bench_hvc: $CALLS HVCs, each a trap to EL2 under cvisor)"
	echo "== bare metal, bench_mmu: the guest's MMU off then on, under cvisor (stage 2 always on) and alone"
	# shellcheck disable=SC2086
	timed "$out" $QEMU_BARE "$BUILD/bench/bare_bench_mmu.elf" >/dev/null || exit 1
	printf '  under cvisor:'
	mmu_ratio "$out" || exit 1
	# shellcheck disable=SC2086
	timed "$out" $QEMU_DIRECT "$G/bench_mmu.elf" >/dev/null || exit 1
	printf '  alone:       '
	mmu_ratio "$out" || exit 1
}

# ---- Bare metal RISC-V: cvisor in HS-mode under QEMU vs the guest directly on QEMU ----
# "Alone" is the same guest ELF started by OpenSBI in S-mode on a hart without
# the H extension: its SBI calls go to OpenSBI in M-mode instead of to cvisor.
bare_riscv64() {
	for g in bench_compute bench_sbi; do
		make -s --no-print-directory BUILD="$BUILD" ARCH=riscv64 CONFIG=configs/riscv64/$g.toml \
			"$BUILD/bare/riscv64/cvisor.elf" >"$out" 2>&1 || { cat "$out"; exit 1; }
		cp "$BUILD/bare/riscv64/cvisor.elf" "$BUILD/bench/bare_riscv64_$g.elf"
	done
	echo "== bare metal under QEMU (riscv64 virt, TCG): the same guest under cvisor in HS-mode and alone in S-mode"
	for g in bench_compute bench_sbi; do
		t_cv=$(timed "$out" sh scripts/qemu.sh riscv64 "$BUILD/bench/bare_riscv64_$g.elf") || exit 1
		t_q=$(timed "$out" sh scripts/qemu.sh --el1 riscv64 "$BUILD/guests/riscv64/$g.elf") || exit 1
		awk -v g=$g -v a="$t_cv" -v b="$t_q" 'BEGIN {
			printf "  %-14s cvisor %7.3f s   QEMU alone %7.3f s   cvisor / alone %5.2f\n", g, a, b, a / b
		}'
	done
	echo "(bench_compute: $INSNS instructions; bench_sbi: $CALLS ecalls, each a trap to cvisor in HS-mode, or to OpenSBI in M-mode alone; whole runs, OpenSBI's start included)"
}

# ---- Bare metal x86_64: cvisor with VMX under Bochs vs the same guest in the simulator ----
# Both are emulators (Bochs interprets every instruction, at ~50 M/s here;
# the simulator runs Unicorn's JIT): the figures compare what an exit costs
# each way and how many there are, not hardware speed.
bare_x86_64() {
	for g in bench_compute bench_vmcall; do
		make -s --no-print-directory BUILD="$BUILD" ARCH=x86_64 CONFIG=configs/x86_64/$g.toml \
			"$BUILD/bare/x86_64/cvisor.iso" >"$out" 2>&1 || { cat "$out"; exit 1; }
		cp "$BUILD/bare/x86_64/cvisor.iso" "$BUILD/bench/bare_x86_64_$g.iso"
	done
	echo "== bare metal under Bochs (x86_64, VMX + EPT): the same guest under bare cvisor and in the simulator"
	for g in bench_compute bench_vmcall; do
		t_cv=$(timed "$out" sh scripts/bochs.sh "$BUILD/bench/bare_x86_64_$g.iso") || exit 1
		t_sim=$(timed "$out" "$CVISOR" run configs/x86_64/$g.toml) || exit 1
		awk -v g=$g -v a="$t_cv" -v b="$t_sim" 'BEGIN {
			printf "  %-14s bare cvisor (Bochs) %7.3f s   simulator %7.3f s\n", g, a, b
		}'
	done
	echo "(bench_compute: $INSNS instructions; bench_vmcall: $CALLS VMCALLs, each a VM exit; whole runs, Bochs' BIOS and GRUB included (~1.5 s))"
}

mkdir -p "$BUILD/bench"
if command -v qemu-system-aarch64 >/dev/null 2>&1; then
	bare_aarch64
else
	echo "bench: qemu-system-aarch64 not found; AArch64 bare-metal figures skipped"
fi
if command -v qemu-system-riscv64 >/dev/null 2>&1; then
	bare_riscv64
else
	echo "bench: qemu-system-riscv64 not found; RISC-V bare-metal figures skipped"
fi
if command -v bochs >/dev/null 2>&1; then
	bare_x86_64
else
	echo "bench: bochs not found; x86_64 bare-metal figures skipped"
fi

# ---- virtio: block throughput, in the simulator and on the bare build ----
# blk_rate FILE: MiB/s of bench_blk's read and write passes (it prints the
# counter's frequency, the bytes of a pass and each pass's ticks, in hex;
# QEMU's serial console ends lines with CR LF).
blk_rate() {
	awk '
		function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); sub(/\r$/, "", s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
			return v }
		/bench_blk: frequency/ { f = hex($NF) }
		/bench_blk: bytes a pass/ { n = hex($NF) }
		/bench_blk: read ticks/ { r = hex($NF) }
		/bench_blk: write ticks/ { w = hex($NF) }
		END {
			if (!f || !n || !r || !w) { print "  (bench_blk printed no figures)"; exit 1 }
			printf "read %7.0f MiB/s   write %7.0f MiB/s   (%d MiB each way, 64 KiB requests)\n", n / (r / f) / 1048576, n / (w / f) / 1048576, n / 1048576
		}' "$1"
}

echo "== virtio-blk: bench_blk, 64 KiB requests over a 1 MiB disk, one at a time, completions polled"
# configs/aarch64/bench_blk.toml names build/bench_blk.img (relative to the config).
dd if=/dev/zero of=build/bench_blk.img bs=1M count=1 2>/dev/null
timed "$out" "$CVISOR" run configs/aarch64/bench_blk.toml >/dev/null || exit 1
printf '  simulator:           '
blk_rate "$out" || exit 1
if command -v qemu-system-aarch64 >/dev/null 2>&1; then
	make -s --no-print-directory BUILD="$BUILD" CONFIG=configs/aarch64/bench_blk.toml \
		"$BUILD/bare/aarch64/cvisor.elf" >"$out" 2>&1 || { cat "$out"; exit 1; }
	cp "$BUILD/bare/aarch64/cvisor.elf" "$BUILD/bench/bare_bench_blk.elf"
	timed "$out" sh scripts/qemu.sh --cpu cortex-a72 aarch64 "$BUILD/bench/bare_bench_blk.elf" >/dev/null || exit 1
	printf '  bare cvisor (QEMU):  '
	blk_rate "$out" || exit 1
	echo "(the simulator's disk is the file, pread/pwrite through a 4 KiB buffer; the bare build's is a copy in memory)"
	echo "== virtio-net on the bare build: bench_net_tx and bench_net_rx on two physical CPUs (cortex-a72, TCG)"
	make -s --no-print-directory BUILD="$BUILD" CONFIG=configs/aarch64/bench_net_tx.toml \
		CONFIG2=configs/aarch64/bench_net_rx.toml "$BUILD/bare/aarch64/cvisor.elf" >"$out" 2>&1 || { cat "$out"; exit 1; }
	cp "$BUILD/bare/aarch64/cvisor.elf" "$BUILD/bench/bare_bench_net.elf"
	t=$(timed "$out" sh scripts/qemu.sh --cpu cortex-a72 --smp 2 aarch64 "$BUILD/bench/bare_bench_net.elf") || exit 1
	awk -v f="$(hexval "bench_net: frequency")" -v n="$(hexval "bench_net: frames")" \
		-v ticks="$(hexval "bench_net: ticks")" -v t="$t" 'BEGIN {
		if (!f || !n || !ticks) { print "  (bench_net_tx printed no figures)"; exit }
		printf "  %d frames in %6.3f s of guest time: %8.0f frames/s (%6.3f s the whole run)\n", n, ticks / f, n / (ticks / f), t
	}'
fi
