#!/bin/sh
# SPDX-License-Identifier: MIT
# Both debuggers at once (docs/debugging.md, "Both at once"): host gdb runs
# cvisor with its stub, gdb-multiarch holds the hello guest at the store of
# its first byte to the UART, steps it, and host gdb stops in the
# hypervisor's exit handler with that store's exit; when host gdb lets
# cvisor go on, the guest's step ends after the store.
#   tests/gdb/both.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the example is the AArch64 hello guest (ARCH=$ARCH)"
HOSTGDB=$(command -v gdb || command -v gdb-multiarch)
"$HOSTGDB" -nx -batch -ex 'python import gdb' >/dev/null 2>&1 ||
	skip_suite "$HOSTGDB has no Python (scripts/gdb/cvisor.py needs it)"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export CVISOR_GDB_QUIET=1
HOSTOUT=$OWN_DIR/host.out
STORE=$(printf '%x' $((0x$(sym hello guest_putc) + 16)))

CASE=both
: >"$HOSTOUT"
timeout 120 "$HOSTGDB" -q -nx -batch -iex 'set debuginfod enabled off' -x scripts/gdb/cvisor.py \
	-ex 'cvisor-break-exit mmio 0x9000000' \
	-ex "run run --gdb=0 --gdb-wait $CFG/hello.toml >$OWN_DIR/console" -ex cvisor-exit -ex delete -ex continue \
	"$CVISOR" </dev/null >"$HOSTOUT" 2>&1 &
HOST=$!
PORT=
for _ in $(seq 1 200); do
	PORT=$(sed -n 's/^cvisor: gdb stub for vm .* on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$HOSTOUT" | head -n 1)
	[ -n "$PORT" ] && break
	sleep 0.1
done
if [ -z "$PORT" ]; then
	kill "$HOST" 2>/dev/null
	fail "cvisor under host gdb never said where its stub listens"
else
	timeout 60 gdb-multiarch -nx -batch "$BUILD/guests/aarch64/hello.elf" -ex "target remote 127.0.0.1:$PORT" \
		-ex "break *0x$STORE" -ex continue -ex 'x/i $pc' -ex 'p/c $w0' -ex stepi -ex 'info registers pc' \
		-ex detach >"$GDBOUT" 2>&1
	wait "$HOST"
	expect_gdb "^=> 0x$STORE <guest_putc\\+16>:[[:space:]]+strb[[:space:]]+w0, \\[x1\\]\$"
	expect_gdb "^\\\$1 = 72 'H'\$"
	expect_gdb "^pc[[:space:]]+0x$(printf '%x' $((0x$STORE + 4)))[[:space:]]+0x$(printf '%x' $((0x$STORE + 4))) <guest_putc\\+20>\$"
	cp "$HOSTOUT" "$GDBOUT"
	expect_gdb '^Thread [0-9]+ "cvisor" hit Breakpoint 1, vcpu_handle_exit \(vcpu=.*\) at src/core/exit\.c:[0-9]+$'
	expect_gdb '^reason +mmio \(EXIT_MMIO\)$'
	expect_gdb "^pc +0x$STORE\$"
	expect_gdb '^syndrome +0x93000045$'
	expect_gdb '^mmio\.gpa +0x9000000$'
	expect_gdb "^mmio\\.data +0x48 'H'\$"
	# The guest's console (cvisor's stdout, apart from its messages on stderr).
	cp "$OWN_DIR/console" "$OUT"
	expect_out "Hello from cvisor guest (aarch64)!"
	expect_gdb '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
fi

finish
