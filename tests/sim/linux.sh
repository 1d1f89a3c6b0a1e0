#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's own arm64 kernel (linux-image-*-cloud-arm64, fetched from the
# Debian archive by scripts/linux-guest.sh with a busybox initramfs) on
# two vCPUs in the simulator: it must find the architected timer and the
# GICv3 (the device tree's /timer and /intc, the virtual GIC and the
# generic timer), bring its second CPU up with PSCI, start /init and
# give busybox's shell, which runs what is typed at its prompt (the
# PL011's receive interrupt): `cat /proc/cpuinfo` lists two processors,
# `poweroff` ends the run with status 0 (PSCI SYSTEM_OFF). A panic would
# reboot it at once (panic=-1), which ends the run too.
#
# Then the same kernel on one vCPU with a virtio disk and network
# interface (configs/aarch64/linux_virtio.toml, the virtio modules loaded
# by its /init) next to net_responder (its own virtio-net driver, at
# 10.0.2.2) in one run: on an ext2 image made here with mke2fs, Linux
# reads a file the image was made with, writes one (found in the image by
# debugfs afterwards) and reads it back from the device; it pings
# net_responder three times over the virtual switch and gets three replies.
#   tests/sim/linux.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; the kernel is an arm64 one (ARCH=aarch64)"

linux_config
if ldd "$CVISOR" 2>/dev/null | grep -q libasan; then
	# Built with the sanitizers (make test SANITIZE=1), the simulator runs
	# the kernel several times slower: its boot is checked up to CPU 1,
	# within 30 s.
	run_cvisor linux run --max-seconds=30 "$LINUX_CFG"
	expect_no_out "Unable to initialise architected timer"
	expect_log '\[    0\.000000\] GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000'
	expect_log '\[    0\.000000\] arch_timer: cp15 timer\(s\) running at 62\.50MHz \(virt\)\.'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] smp: Brought up 1 node, 2 CPUs'
else
	# The limits are for a hung run only: the kernel reaches its shell
	# in 10-30 s here, depending on the machine's load.
	RUN_TIMEOUT=200
	run_cvisor_typed linux "$LINUX_INPUT" run --verbose --max-seconds=180 "$LINUX_CFG"
	expect_rc 0
	expect_linux_up
	expect_linux_typed
	expect_err '^cvisor: vm 286 \(linux\): guest powered off \(PSCI SYSTEM_OFF\)$'
fi

if ldd "$CVISOR" 2>/dev/null | grep -q libasan; then
	CASE=linux-virtio
	skip "with the sanitizers the kernel's full run takes too long here (the boot above is their check)"
elif linux_virtio_config; then
	RUN_TIMEOUT=200
	run_cvisor_typed linux-virtio "$LINUX_VIRTIO_INPUT" run --verbose --stats --max-seconds=180 \
		"$LINUX_VIRTIO_CFG" "$RESPONDER_CFG"
	expect_rc 0
	expect_linux_virtio
	expect_err '^cvisor: vm 355 \(linux\): guest powered off \(PSCI SYSTEM_OFF\)$'
	expect_err '^cvisor: vm 356 \(net_responder\): guest powered off \(PSCI SYSTEM_OFF\)$'
	expect_err '^cvisor: 2 of 2 VMs powered off$'
	# net_responder sent one ARP reply and three echo replies; no frame was lost.
	expect_err '^stats: vm=356 virtio-net 52:54:00:c5:64:00 sent=4 delivered=[0-9]+ dropped=0$'
	expect_err '^stats: vm=355 virtio-net 52:54:00:c5:63:00 sent=[0-9]+ delivered=4 dropped=0$'
	# The image afterwards: the file Linux wrote, the one it was made with.
	for f in "linux.txt:written by Linux on cvisor" "hello.txt:$LINUX_HELLO"; do
		got=$(debugfs -R "cat /${f%%:*}" "$LINUX_DISK" 2>/dev/null)
		if [ "$got" = "${f#*:}" ]; then
			ok "debugfs: /${f%%:*} in the image holds \"${f#*:}\""
		else
			fail "debugfs: /${f%%:*} in the image holds \"$got\", expected \"${f#*:}\""
		fi
	done
fi
finish
