#!/bin/sh
# SPDX-License-Identifier: MIT
# The differential matrix: odd and wild memory accesses (every size, pairs,
# unaligned, SIMD, exclusives and atomics, DC ZVA, instruction fetches; at
# RAM's edges, a device's edges, holes, beyond the physical address range;
# with the guest's MMU off and on) run in the simulator and on the bare
# build (cvisor at EL2 under QEMU, the stand-in for hardware), and both
# must tell the same story: the same one-line report of cvisor stopping the
# VM, or the same fault the guest took itself (its ESR_EL1, FAR_EL1 and
# ELR_EL1), or the same values read.
#
# One guest (guests/aarch64/matrix.S) makes every access; which one is the
# case number in a 4-byte file each case's config loads as its ramdisk.
# Both CPUs are Cortex-A72s (44-bit physical addresses, no FEAT_LSE).
#   tests/bare/aarch64_diff.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"
CVISOR=$BUILD/cvisor
ELF=$(pwd)/$BUILD/guests/aarch64/matrix.elf
[ -x "$CVISOR" ] && [ -f "$ELF" ] || skip_suite "$CVISOR or $ELF not built (make BUILD=$BUILD)"

# The cases, by number (matrix.S says what each does): 1..63 MMU off, 64.. on.
CASES="$(seq 1 42) $(seq 64 79)"
DIR=$BUILD/diff
rm -rf "$DIR"
mkdir -p "$DIR"

# case_config N: writes the config of case N (VM id 200 + N, name mN) and its case file.
case_config() {
	printf "\\$(printf %03o "$1")\\000\\000\\000" >"$DIR/m$1.case"
	cat >"$DIR/m$1.toml" <<EOF
[base]
id = $((200 + $1))
name = "m$1"
cpu_num = 1
arch = "aarch64"

[kernel]
entry_point = 0x4008_0000
kernel_path = "$ELF"
ramdisk_path = "$(pwd)/$DIR/m$1.case"
ramdisk_load_addr = 0x4700_0000
memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]
EOF
}

# outcome FILE N: what case N ended with, in FILE (a run's console and
# cvisor's messages): the guest's last "matrix:" line, or cvisor's report.
outcome() {
	sed -n "s/^\[m$2\] \(matrix: \(done\|guest fault\) .*\)/\1/p
		s/^cvisor: vm $((200 + $2)) (m$2) stopped: /stopped: /p" "$1" | tail -n 1
}

# run_group N...: runs these cases (at most 16) in the simulator, then in one
# bare image, and compares their outcomes case by case.
run_group() {
	cfgs=""
	for n in "$@"; do
		case_config "$n"
		cfgs="$cfgs $DIR/m$n.toml"
	done
	# shellcheck disable=SC2086
	timeout 120 "$CVISOR" run --max-seconds=10 $cfgs </dev/null >"$DIR/sim.out" 2>&1
	# shellcheck disable=SC2086
	run_bare "bare-$1" "" cortex-a72 $cfgs MAX_SECONDS=10
	cp "$OUT" "$DIR/bare-$1.out"
	cp "$DIR/sim.out" "$DIR/sim-$1.out"
	for n in "$@"; do
		CASE=m$n
		sim=$(outcome "$DIR/sim-$1.out" "$n")
		bare=$(outcome "$DIR/bare-$1.out" "$n")
		if [ -z "$sim" ] || [ -z "$bare" ]; then
			FAILED=$((FAILED + 1))
			printf 'FAIL - %s: no outcome\n  simulator: %s\n  bare:      %s\n' "$CASE" \
				"${sim:-(none)}" "${bare:-(none)}"
		elif [ "$sim" = "$bare" ]; then
			ok "$sim"
		else
			FAILED=$((FAILED + 1))
			printf 'FAIL - %s: the simulator and the bare build disagree\n  simulator: %s\n  bare:      %s\n' \
				"$CASE" "$sim" "$bare"
		fi
	done
}

set -- $CASES
while [ $# -gt 0 ]; do
	group=""
	i=0
	while [ $# -gt 0 ] && [ $i -lt 16 ]; do
		group="$group $1"
		shift
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	run_group $group
done
finish
