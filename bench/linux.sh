#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's arm64 kernel (scripts/linux-guest.sh, configs/aarch64/linux.toml)
# booted to init: cvisor's simulator next to the minimal Unicorn program
# (bench/uc_raw_linux.c), and bare-metal cvisor under QEMU next to the same
# kernel on QEMU directly. Prints figures; asserts nothing. A figure whose
# prerequisite is missing (the kernel, QEMU) is skipped with the reason.
#   bench/linux.sh BUILD
# LINUX_RUNS=N runs each case N times and keeps the shortest (default 1).
set -u
BUILD=${1:-build}
RUNS=${LINUX_RUNS:-1}
CVISOR=$BUILD/cvisor
RAW=$BUILD/bench/uc_raw_linux
LINUX=$PWD/build/linux # where configs/aarch64/linux.toml finds the kernel
CFG=configs/aarch64/linux.toml
INIT="Run /init as init process"
BANNER="cvisor linux guest: " # the initramfs's /init, the first line of userspace

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# until_line PATTERN LIMIT COMMAND...: runs COMMAND (at most LIMIT seconds)
# until a line of its stdout contains PATTERN, then stops it with SIGTERM.
# Its stdout goes to $tmp/out, its stderr to $tmp/err. Sets T to the
# seconds from its start to that line, or to "" when it ended (or ran out
# of time) without one.
until_line() {
	pat=$1
	limit=$2
	shift 2
	rm -f "$tmp/fifo" "$tmp/out"
	mkfifo "$tmp/fifo"
	t0=$(now)
	timeout "$limit" "$@" <"$tmp/fifo.in" >"$tmp/fifo" 2>"$tmp/err" &
	pid=$!
	t1=
	{
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$tmp/out"
			case $line in
			*"$pat"*)
				t1=$(now)
				# The command itself, not timeout (a job killed by a
				# signal would have the shell print "Terminated").
				for p in $(ps -o pid= --ppid $pid); do kill -TERM "$p" 2>/dev/null; done
				break
				;;
			esac
		done
		cat >>"$tmp/out" # the rest, so that it can end
	} <"$tmp/fifo"
	wait $pid
	T=
	[ -n "$t1" ] && T=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
}
: >"$tmp/fifo.in" # an empty stdin for the programs that read one (QEMU's serial)

# best CURRENT NEW: the smaller of two figures, either of which may be "".
best() { echo "$1 $2" | awk '{ if (NF == 1 || $1 < $2) print $1; else print $2 }'; }

# cvisor's host CPU time (user + system) from its --stats line, "" without one.
cvisor_cpu() {
	sed -n 's/^stats: host cpu user=\([0-9.]*\) s system=\([0-9.]*\) s .*/\1 \2/p' "$tmp/err" |
		awk '{ printf "%.3f", $1 + $2 }'
}

# sim_case NAME COMMAND...: RUNS runs of a simulator case to the "Run /init"
# line; sets WALL and CPU to the shortest wall and CPU times ("" if never).
sim_case() {
	name=$1
	shift
	WALL=
	CPU=
	i=0
	while [ $i -lt "$RUNS" ]; do
		until_line "$INIT" 300 "$@"
		if [ -z "$T" ]; then
			echo "  $name: no '$INIT' line; its last words:"
			tail -n 3 "$tmp/out" "$tmp/err" | sed 's/^/    /'
			return
		fi
		case $1 in
		"$RAW") c=$(sed -n 's/.* cpu=\([0-9.]*\) .*/\1/p' "$tmp/err") ;;
		*) c=$(cvisor_cpu) ;;
		esac
		if [ -z "$c" ]; then
			echo "  $name: no CPU time figure; its last words:"
			tail -n 3 "$tmp/err" | sed 's/^/    /'
			c=0
		fi
		WALL=$(best "$WALL" "$T")
		CPU=$(best "$CPU" "$c")
		i=$((i + 1))
	done
}

# row NAME WALL CPU [BASE-WALL BASE-CPU]: one line of figures, with ratios to a base.
row() {
	awk -v n="$1" -v w="$2" -v c="$3" -v bw="${4:-}" -v bc="${5:-}" 'BEGIN {
		if (w == "") { printf "  %-44s (no figure)\n", n; exit }
		printf "  %-44s %7.2f s wall %7.2f s CPU", n, w, c
		if (bw != "" && c != "") printf "   x%5.2f wall  x%5.2f CPU", w / bw, c / bc
		printf "\n"
	}'
}

if ! sh scripts/linux-guest.sh "$LINUX" >"$tmp/out" 2>&1; then
	echo "bench: Debian's arm64 kernel could not be fetched (scripts/linux-guest.sh): $(tail -n 1 "$tmp/out")"
	echo "bench: Linux boot figures skipped"
	exit 0
fi

# ---- The simulator next to the minimal Unicorn program ---------------------
# The configs: linux.toml as it is (2 vCPUs), and a copy with one vCPU.
sed -e "s|\"../../build/linux/|\"$LINUX/|" "$CFG" >"$tmp/linux2.toml"
sed -e 's/^cpu_num = .*/cpu_num = 1/' "$tmp/linux2.toml" >"$tmp/linux1.toml"
cmdline=$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$CFG")

echo "== Linux in the simulator: Debian's arm64 kernel from start to its '$INIT' line"
echo "   (best of $RUNS; wall time, and host CPU time user + system; x = ratio to the minimal Unicorn program)"
sim_case "minimal Unicorn" "$RAW" "$LINUX/Image" "$LINUX/initramfs.cpio.gz" "$cmdline"
raw_wall=$WALL
raw_cpu=$CPU
row "minimal Unicorn, 1 CPU (no GIC/timer/exceptions)" "$raw_wall" "$raw_cpu"
sim_case "minimal Unicorn + hooks" "$RAW" --block-hook --mem-hook "$LINUX/Image" \
	"$LINUX/initramfs.cpio.gz" "$cmdline"
row "  + cvisor's all-address block and mem hooks" "$WALL" "$CPU" "$raw_wall" "$raw_cpu"
sim_case "cvisor, 1 vCPU" "$CVISOR" run --stats --max-seconds=300 "$tmp/linux1.toml"
row "cvisor simulator, 1 vCPU" "$WALL" "$CPU" "$raw_wall" "$raw_cpu"
sed -n 's/^stats: vm=[0-9]* /    exits: /p' "$tmp/err"
sim_case "cvisor, 2 vCPUs" "$CVISOR" run --stats --max-seconds=300 "$tmp/linux2.toml"
row "cvisor simulator, 2 vCPUs (linux.toml)" "$WALL" "$CPU" "$raw_wall" "$raw_cpu"
sed -n 's/^stats: vm=[0-9]* /    exits: /p' "$tmp/err"
echo "   (the minimal program's kernel finds no GIC and so no timer interrupt: no ticks, no"
echo "    idle; cvisor's has both, and with 2 vCPUs it also brings CPU 1 up and waits in WFI)"

# ---- Bare metal: cvisor at EL2 under QEMU vs the kernel on QEMU alone ------
if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
	echo "bench: qemu-system-aarch64 not found; bare-metal Linux figures skipped"
	exit 0
fi
mkdir -p "$BUILD/bench"
if ! make -s --no-print-directory BUILD="$BUILD" ARCH=aarch64 CONFIG="$tmp/linux2.toml" \
	"$BUILD/bare/aarch64/cvisor.elf" >"$tmp/out" 2>&1; then
	echo "bench: the bare-metal image with linux.toml could not be built:"
	tail -n 5 "$tmp/out" | sed 's/^/    /'
	exit 0
fi
cp "$BUILD/bare/aarch64/cvisor.elf" "$BUILD/bench/bare_linux.elf"

# bare_case NAME COMMAND...: RUNS runs to the first userspace line; sets WALL.
bare_case() {
	name=$1
	shift
	WALL=
	i=0
	while [ $i -lt "$RUNS" ]; do
		until_line "$BANNER" 120 "$@"
		if [ -z "$T" ]; then
			echo "  $name: no userspace line within 120 s; its last words:"
			tail -n 3 "$tmp/out" | sed 's/^/    /'
			return
		fi
		WALL=$(best "$WALL" "$T")
		i=$((i + 1))
	done
}

echo "== Linux bare metal under QEMU (TCG, 2 CPUs): start to the first userspace line ('$BANNER...')"
for cpu in cortex-a57 max; do
	bare_case "cvisor, $cpu" sh scripts/qemu.sh --cpu $cpu --smp 2 aarch64 "$BUILD/bench/bare_linux.elf"
	t_cv=$WALL
	# The same kernel, initramfs and command line, and the VM's 512 MiB, at EL1.
	bare_case "QEMU alone, $cpu" qemu-system-aarch64 -M virt,gic-version=3 -cpu $cpu -smp 2 -m 512 \
		-nic none -display none -monitor none -serial stdio -no-reboot \
		-kernel "$LINUX/Image" -initrd "$LINUX/initramfs.cpio.gz" -append "$cmdline"
	awk -v c=$cpu -v a="$t_cv" -v b="$WALL" 'BEGIN {
		printf "  -cpu %-10s cvisor at EL2 ", c
		if (a == "") printf "  (none) "; else printf "%6.2f s", a
		printf "   QEMU alone "
		if (b == "") printf "  (none) "; else printf "%6.2f s", b
		if (a != "" && b != "") printf "   cvisor / alone %5.2f", a / b
		printf "\n"
	}'
done
