#!/bin/sh
# SPDX-License-Identifier: MIT
# `make qemu-gdb`: the bare image under QEMU waiting for gdb, and the gdb
# command file it writes (build/bare/aarch64/gdbinit) debugging the guest
# and cvisor in one gdb-multiarch: a breakpoint on the hello guest's main
# stops there at EL1 with the guest's memory readable at its virtual
# addresses; one on vcpu_handle_exit stops in cvisor at EL2 with the
# guest's first exit (its read of the PL011's flag register); after
# `detach` the VM runs to its end.
#   tests/bare/gdb.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"
command -v gdb-multiarch >/dev/null 2>&1 ||
	skip_suite "gdb-multiarch not found (make test installs it: gdb-multiarch)"

CASE=image
image=$BUILD/bare/aarch64/cvisor.elf
gdbinit=$BUILD/bare/aarch64/gdbinit
if ! make -s --no-print-directory BUILD="$BUILD" ARCH=aarch64 CONFIG=$CFG/hello.toml "$image" >"$ERR" 2>&1; then
	cp "$ERR" "$OUT"
	fail "the bare image of hello was not built"
	finish
	exit 1
fi

# A free TCP port on the loopback (the kernel's choice), not a fixed 1234.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + $$ % 20000)))
QEMU_OUT=$OWN_DIR/qemu.out
rm -f "$gdbinit"
timeout 120 make -s --no-print-directory BUILD="$BUILD" ARCH=aarch64 CONFIG=$CFG/hello.toml \
	GDB_PORT="$port" qemu-gdb </dev/null >"$QEMU_OUT" 2>&1 &
qemu=$!
n=0
while [ $n -lt 300 ] && ! ss -ltnH "sport = :$port" 2>/dev/null | grep -q . && kill -0 $qemu 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done

CASE=gdbinit
cp "$QEMU_OUT" "$OUT"
if grep -qxF "file $(realpath "$image")" "$gdbinit" 2>/dev/null; then ok "loads cvisor.elf"; else fail "no 'file $image' in $gdbinit"; fi
if grep -qxF "add-symbol-file $(realpath configs/aarch64/../../build/guests/aarch64/hello.elf)" "$gdbinit" 2>/dev/null; then
	ok "adds hello.elf's symbols"
else
	fail "no 'add-symbol-file .../hello.elf' in $gdbinit"
fi
if grep -qxF "target remote 127.0.0.1:$port" "$gdbinit" 2>/dev/null; then ok "attaches to port $port"; else fail "no 'target remote 127.0.0.1:$port'"; fi

# The session: the guest's main at EL1 (its first word read through the
# guest's stage 1 and cvisor's stage 2 equals the ELF's), a string of the
# guest at its virtual address, then cvisor's exit handler at EL2 with the
# guest's first exit, then detach.
CASE=session
elf=$BUILD/guests/aarch64/hello.elf
main=$(sym hello main)
word=$(aarch64-linux-gnu-objdump -d "$elf" | awk -v a="$main:" '$1 == a { print $2; exit }')
timeout 60 gdb-multiarch -q -nx -batch -iex 'set debuginfod enabled off' -x "$gdbinit" \
	-ex 'break main' -ex continue \
	-ex 'printf "stop pc=0x%lx el=%d\n", $pc, ($cpsr & 0xc) >> 2' \
	-ex 'printf "guest word=0x%08x\n", *(unsigned int *)$pc' \
	-ex 'printf "guest string=[%s]\n", (char *)&guest_fail_msg' \
	-ex 'delete' -ex 'break vcpu_handle_exit' -ex continue \
	-ex 'printf "stop el=%d\n", ($cpsr & 0xc) >> 2' \
	-ex 'info symbol $pc' \
	-ex 'printf "exit reason=%d gpa=0x%lx write=%d size=%d\n", exit->reason, exit->mmio.gpa, exit->mmio.write, exit->mmio.size' \
	-ex 'print exit->reason' \
	-ex 'delete' -ex detach </dev/null >"$OUT" 2>"$ERR"
grc=$?
if [ $grc -eq 0 ]; then
	ok "gdb-multiarch ended (status 0)"
else
	fail "gdb-multiarch status $grc"
	kill -TERM -- -$qemu 2>/dev/null # timeout leads its own process group: make and QEMU
fi
if grep -qxF "stop pc=0x$main el=1" "$OUT"; then ok "stopped at main (0x$main) at EL1"; else fail "not stopped at main 0x$main at EL1"; fi
if [ -n "$word" ] && grep -qxF "guest word=0x$word" "$OUT"; then ok "the guest's code read at its VA: 0x$word"; else fail "the word at main is not the ELF's 0x$word"; fi
if grep -qxF 'guest string=[FAIL' "$OUT"; then ok "guest_fail_msg read at its VA: \"FAIL\\n\""; else fail "guest_fail_msg not read as \"FAIL\\n\""; fi
if grep -qxE 'vcpu_handle_exit( \+ [0-9]+)? in section \.text( of [^ ]*/cvisor\.elf)?' "$OUT" && grep -qxF 'stop el=2' "$OUT"; then
	ok "stopped in vcpu_handle_exit at EL2"
else
	fail "not stopped in vcpu_handle_exit at EL2"
fi
# The guest's first exit: guest_putc's LDR w2, [x1, #0x18] of UARTFR.
if grep -qxF "exit reason=1 gpa=0x9000018 write=0 size=4" "$OUT" && grep -qxE '\$[0-9]+ = EXIT_MMIO' "$OUT"; then
	ok "the exit: an MMIO read of 4 bytes at GPA 0x9000018 (UARTFR)"
else
	fail "the exit is not the MMIO read of UARTFR"
fi

# After detach the VM runs to its end: QEMU exits with cvisor's status 0.
CASE=detach
wait $qemu
RC=$?
tr -d '\r' <"$QEMU_OUT" >"$OUT"
: >"$ERR"
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"
expect_out "cvisor: 1 of 1 VMs powered off"
finish
