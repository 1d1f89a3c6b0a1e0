#!/bin/sh
# SPDX-License-Identifier: MIT
# The AArch64 guests on bare-metal cvisor: cvisor at EL2 under QEMU
# (virt, virtualization=on), the same guests and the same expected output
# as in the simulator, and Debian's U-Boot reaching its prompt.
#   tests/bare/aarch64.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

# Every well-behaved guest in one image, one after another.
run_bare all-guests "" max $CFG/hello.toml $CFG/hello-raw.toml $CFG/mmio.toml \
	$CFG/hypercall.toml $CFG/svc.toml $CFG/sysreg.toml $CFG/far.toml \
	$CFG/bench_compute.toml $CFG/bench_hvc.toml $CFG/wfe.toml
expect_rc 0
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "[hello] dtb ok"
expect_out "[hello-raw] Hello from cvisor guest (aarch64)!"
expect_out "[mmio] mmio: all ok"
expect_out "[hypercall] hypercall: putchar ok"
expect_out "[hypercall] hypercall: all ok"
expect_out "[svc] svc: all ok"
expect_out "[sysreg] sysreg: all ok"
expect_out "[far] far: all ok"
expect_out "[wfe] wfe: went on"
expect_out "cvisor: 10 of 10 VMs powered off"
expect_no_out "FAIL"

# The same guest on other CPU models.
for cpu in cortex-a57 cortex-a72; do
	run_bare "hello-$cpu" "" "$cpu" $CFG/hello.toml $CFG/mmio.toml
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest (aarch64)!"
	expect_out "[mmio] mmio: all ok"
done

# A wild store stops that VM with the simulator's report; the next VM still runs.
run_bare wild-then-hello "" max $CFG/wild.toml $CFG/hello.toml
expect_rc 1
expect_out "[wild] wild: storing to 0x7000_0000"
expect_no_out "still running"
expect_stage2_fault wild write 4 70000000 "neither RAM nor a device" "$(sym wild wild_store)"
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "cvisor: 1 of 2 VMs powered off"

# The guest's own MMU on the hardware: its faults go to its own vector table
# (the guest checks ESR_EL1/FAR_EL1 against the same values as in the
# simulator), the store to a GPA that is not RAM is a stage-2 fault reported
# as in the simulator; the branch to one is an instruction abort for the
# guest (ESR_EL1 0x86000010), whose vector (VBAR_EL1 0: jump has no table)
# is in the virt machine's flash, a device that cannot be executed from: the
# VM stops there, as in the simulator. The next VM still runs.
run_bare mmu-jump-hello "" cortex-a72 $CFG/mmu.toml $CFG/jump.toml $CFG/hello.toml
expect_rc 1
for line in "mmu: on" "mmu: alias ok" "mmu: permission fault ok" "mmu: translation fault ok" \
	"mmu: high half ok" "mmu: store to a GPA that is not RAM"; do
	expect_out "[mmu] $line"
done
expect_no_out "FAIL"
expect_stage2_fault mmu write 4 20000000 "neither RAM nor a device" "$(sym mmu noram_store)"
expect_out "[jump] jump: branching to 0x1000_0000"
expect_stopped jump "stage-2 fault: fetch of 4 bytes at GPA 0x200 \\(a device that cannot be reached this way\\) by vCPU 0 at PC 0x200\$"
expect_out "[hello] Hello from cvisor guest (aarch64)!"
expect_out "cvisor: 1 of 3 VMs powered off"

# Stage-2 permissions changed at run time: cvisor invalidates the TLB.
run_bare s2prot "" max $CFG/s2prot.toml
expect_rc 1
expect_out "s2prot: writable again"
expect_no_out "FAIL"
expect_stage2_fault s2prot write 8 "$(sym s2prot page)" "RAM without this permission" "$(sym s2prot s2prot_store)"

# An exception storm: the guest's exceptions never reach EL2 on hardware;
# cvisor's own timer finds the guest stuck in its vector table.
run_bare storm "" max $CFG/storm.toml $CFG/hello.toml
expect_rc 1
expect_out "[storm] storm: faulting inside the vector table"
expect_stopped storm "exception storm: for 200 ms the guest kept taking exceptions inside its own vector table \(VBAR_EL1 $(hex "$(sym storm vectors)")\); last ESR_EL1 0x2000000 \(EC 0x00 UNKNOWN\) from ELR_EL1 0x[0-9a-f]+\$"
expect_out "[hello] Hello from cvisor guest (aarch64)!"

# A guest that never exits, stopped by the time limit built into the image.
run_bare spin "" max $CFG/spin.toml MAX_SECONDS=1
expect_rc 1
expect_out "spin: looping forever"
expect_stopped spin "still running after the time limit of 1 s \(MAX_SECONDS\)\$"

# A guest waiting for an interrupt nothing can raise.
run_bare wfi "" max $CFG/wfi.toml
expect_rc 1
expect_out "wfi: waiting"
expect_stopped wfi "vCPU 0 waits for an interrupt \(WFI\) at PC 0x[0-9a-f]+, but no interrupt source could wake it\$"

# Debian's U-Boot from a config with only RAM: its prompt, `version`, its
# flash (probed, written, erased, the environment saved), and `poweroff`
# ends the run.
if [ -f /usr/lib/u-boot/qemu_arm64/u-boot.bin ]; then
	run_bare u-boot "x\\n$UBOOT_FLASH_LINE\\n" max $CFG/u-boot.toml
	expect_rc 0
	expect_err "^=> version; flinfo 1; "
	expect_uboot_flash
	expect_out "cvisor: 1 of 1 VMs powered off"
else
	CASE=u-boot
	skip "/usr/lib/u-boot/qemu_arm64/u-boot.bin not found (make test installs it: u-boot-qemu)"
fi

# make qemu-gdb: QEMU waits for gdb, which can stop cvisor in its own code.
if command -v gdb-multiarch >/dev/null 2>&1; then
	CASE=qemu-gdb
	port=$((20000 + $$ % 10000))
	timeout 30 make -s --no-print-directory BUILD="$BUILD" GDB_PORT=$port \
		CONFIG=$CFG/hello.toml qemu-gdb >"$OUT" 2>&1 &
	qpid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q "QEMU waits for gdb" "$OUT"; do sleep 0.2; i=$((i + 1)); done
	sleep 1
	timeout 20 gdb-multiarch -q -batch "$BUILD/bare/aarch64/cvisor.elf" \
		-ex "target remote 127.0.0.1:$port" -ex 'break bare_main' -ex 'continue' \
		-ex 'info registers pc' -ex 'kill' >"$ERR" 2>&1
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	expect_err "^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <bare_main(\\+[0-9]+)?>"
else
	CASE=qemu-gdb
	skip "gdb-multiarch not found (make test installs it)"
fi

# virtio-net: ping and pong through the switch of the bare image (docs/virtio.md).
run_bare virtio-net "" max $CFG/virtio_net_ping.toml $CFG/virtio_net_pong.toml
expect_rc 0
expect_out "[virtio_net_ping] virtio_net_ping: mac 52:54:00:c5:57:00"
expect_out "[virtio_net_pong] virtio_net_pong: mac 52:54:00:c5:58:00"
expect_out "[virtio_net_pong] virtio_net_pong: frame 7 (1514 bytes) from 52:54:00:c5:57:00 answered"
expect_out "[virtio_net_ping] virtio_net_ping: frame 7 (1514 bytes) to 52:54:00:c5:58:00: answer from 52:54:00:c5:58:00 ok"
expect_out "[virtio_net_pong] virtio_net_pong: answered 8 frames"
expect_out "[virtio_net_ping] virtio_net_ping: 8 of 8 answers ok"
expect_no_out "FAIL"
expect_out "cvisor: 2 of 2 VMs powered off"

finish
