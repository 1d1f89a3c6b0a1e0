#!/bin/sh
# SPDX-License-Identifier: MIT
# cvisor's simulator next to a minimal Unicorn program running the same
# guest binaries. Prints figures; asserts nothing.
#   bench/run.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
if [ "$ARCH" != aarch64 ]; then
	echo "bench: no simulator benchmarks for $ARCH yet"
	exit 0
fi
CVISOR=$BUILD/cvisor
RAW=$BUILD/bench/uc_raw_$ARCH
G=$BUILD/guests/$ARCH
# Guest instructions in bench_compute: a 4-instruction loop, 200 million times.
INSNS=800000000
HVCS=1000000

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

echo "== compute-bound guest: $INSNS guest instructions, no exits"
t_cv=$(timed "$out" "$CVISOR" run configs/$ARCH/bench_compute.toml)
t_raw=$(timed "$out" "$RAW" "$G/bench_compute.bin")
awk -v n=$INSNS -v a="$t_cv" -v b="$t_raw" 'BEGIN {
	printf "  cvisor simulator     %8.3f s  %8.1f M instructions/s\n", a, n / a / 1e6
	printf "  minimal Unicorn      %8.3f s  %8.1f M instructions/s\n", b, n / b / 1e6
	printf "  cvisor / minimal     %8.2f (speed ratio, 1.00 = no overhead)\n", b / a
}'

echo "== hypercall guest: $HVCS HVC exits"
t_cv=$(timed "$out" "$CVISOR" run --stats configs/$ARCH/bench_hvc.toml)
n_cv=$(sed -n 's/.* hypercall=\([0-9]*\).*/\1/p' "$out")
t_raw=$(timed "$out" "$RAW" "$G/bench_hvc.bin")
n_raw=$(sed -n 's/.*hvc=\([0-9]*\).*/\1/p' "$out")
awk -v na="${n_cv:-0}" -v nb="${n_raw:-0}" -v a="$t_cv" -v b="$t_raw" 'BEGIN {
	printf "  cvisor simulator     %8.3f s  %8.0f exits/s (%d exits)\n", a, na / a, na
	printf "  minimal Unicorn hook %8.3f s  %8.0f hooks/s (%d hooks)\n", b, nb / b, nb
	printf "  cvisor / minimal     %8.2f (speed ratio)\n", (na / a) / (nb / b)
}'
echo "(wall times of whole runs, including start-up; 2 cores, one vCPU)"
