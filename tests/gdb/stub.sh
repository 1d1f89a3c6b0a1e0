#!/bin/sh
# SPDX-License-Identifier: MIT
# The simulator's gdb stub as a network service: where it listens, the
# command line, hostile and malformed packets (tests/gdb/raw.py), Ctrl-C,
# kill, and other VMs of the run going on while gdb holds one.
#   tests/gdb/stub.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of aarch64

# Bound to loopback unless another host is given.
CASE=loopback
start_stub run --gdb=0 --max-seconds=5 $CFG/spin.toml
if [ -n "$PORT" ]; then
	a=$(listening_on "$PORT")
	if [ "$a" = 0100007F ]; then ok "port $PORT listens on 127.0.0.1 only"; else fail "port $PORT bound to '$a'"; fi
	expect_err "^cvisor: gdb stub for vm 8 \\(spin\\) on 127\\.0\\.0\\.1:$PORT: gdb-multiarch -ex 'target remote 127\\.0\\.0\\.1:$PORT'\$"
else
	fail "the stub never said where it listens"
fi
kill "$PID" 2>/dev/null
wait "$PID"

CASE=any-host
start_stub run --gdb=0.0.0.0:0 --max-seconds=5 $CFG/spin.toml
a=
[ -n "$PORT" ] && a=$(listening_on "$PORT")
if [ "$a" = 00000000 ]; then ok "--gdb=0.0.0.0:0 listens on every address"; else fail "bound to '$a' (port '$PORT')"; fi
kill "$PID" 2>/dev/null
wait "$PID"

# The command line.
run_cvisor wait-alone run --gdb-wait $CFG/hello.toml
expect_rc 2
expect_err "^cvisor run: --gdb-wait needs --gdb=\\[HOST:\\]PORT\$"
run_cvisor bad-port run --gdb=70000 $CFG/hello.toml
expect_rc 2
expect_err "^cvisor: --gdb: '70000' is not a port number \\(0 to 65535; 0 picks a free one\\)\$"
run_cvisor bad-host run --gdb=no.such.host.invalid:1234 $CFG/hello.toml
expect_rc 2
expect_err "^cvisor: --gdb: host 'no\\.such\\.host\\.invalid': "
expect_no_out "Hello from cvisor guest (aarch64)!"

# Hostile packets, then Ctrl-C and kill, against a guest that never ends.
CASE=packets
start_stub run --gdb=0 --gdb-wait --max-seconds=30 $CFG/spin.toml
if [ -n "$PORT" ]; then
	PORT=$PORT timeout 30 gdb-multiarch -nx -batch -x tests/gdb/raw.py >"$GDBOUT" 2>&1
	wait "$PID"
	RC=$?
	expect_gdb '^first: T05thread:1;$'
	expect_gdb '^bad-checksum: ack -$'
	expect_gdb '^unknown: $'
	expect_gdb '^too-long: E16$'
	expect_gdb '^truncated: T05thread:1;$'
	expect_gdb '^unmapped: E14$'
	expect_gdb '^unmapped-write: E14$'
	# The guest's first instruction, as its image has it.
	expect_gdb "^ram: $(od -An -tx1 -N4 "$BUILD/guests/aarch64/spin.bin" | tr -d ' \n')\$"
	expect_gdb '^bad-hex: E16$'
	expect_gdb '^bad-length: E16$'
	expect_gdb '^bad-point: E16$'
	expect_gdb '^bad-vcont: E16$'
	expect_gdb '^bad-thread: E02$'
	expect_gdb '^bad-reg: E00$'
	expect_gdb '^huge-read: 16384 hex digits$'
	expect_gdb '^step-from: T05thread:1;$'
	expect_gdb '^pc-after-step: 0800084000000000$'
	expect_gdb '^pc-back: OK$'
	expect_gdb "^monitor-bad\\| unknown monitor command 'frobnicate'\$"
	expect_gdb '^monitor-bad: E01$'
	expect_gdb '^monitor-vm\| vm 8 \(spin\): running, aarch64, 1 vCPU, entry 0x40080000$'
	expect_gdb '^monitor-vm\|   0x040000000-0x047ffffff ram  rwx '
	expect_gdb '^monitor-vm\|   pl011      mmio 0x009000000-0x009000fff$'
	expect_gdb '^while-running g: ack \+$'
	expect_gdb '^while-running vCont;s:1: ack \+$'
	# Nothing answered them: the next packet is Ctrl-C's stop reply.
	expect_gdb '^ctrl-c: T02thread:1;$'
	expect_gdb '^kill: connection closed$'
	expect_rc 1
	expect_stopped spin "killed from gdb \\(k\\); vCPU 0 was at PC 0x[0-9a-f]+\$"
else
	fail "the stub never said where it listens"
fi

# gdb holds one VM; the other VM of the run goes on and powers off.
CASE=other-vm
start_stub run --gdb=0 --gdb-wait --max-seconds=3 $CFG/spin.toml $CFG/hello.toml
wait "$PID"
RC=$?
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_err "^cvisor: 1 of 2 VMs powered off; not: spin\$"
expect_stopped spin "still running after the time limit of 3 s \\(--max-seconds\\); vCPU 0 was at PC 0x40080000\$"

# A run of two architectures: the stub is the first VM's simulator's only.
if [ -x "$BUILD/riscv64/cvisor" ]; then
	run_cvisor two-arch run --gdb=0 --max-seconds=3 $CFG/spin.toml configs/riscv64/hello.toml
	expect_count '^cvisor: gdb stub for vm ' -eq 1
	expect_err '^cvisor: gdb stub for vm 8 \(spin\) on 127\.0\.0\.1:[0-9]+: '
	expect_out "[hello] Hello from cvisor guest (riscv64)!"
fi

finish
