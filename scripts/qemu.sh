#!/bin/sh
# SPDX-License-Identifier: MIT
# The one QEMU command line of each architecture's bare-metal target. `make qemu`,
# `make qemu-gdb`, tests/bare/ and bench/run.sh all start QEMU through this script.
#
#   scripts/qemu.sh [--cpu CPU] [--smp N] [--icount] [--el1] ARCH IMAGE [QEMU-OPTION...]
#
#   --cpu CPU   the CPU model (default: max on aarch64; rv64 on riscv64, where
#               the script adds h=true, the H extension, to the model's properties)
#   --smp N     N physical CPUs (default: $QEMU_SMP, else 1); cvisor starts
#               the others (PSCI CPU_ON, SBI HSM hart_start) and spreads the vCPUs
#               over them
#   --icount    (or QEMU_ICOUNT=1) QEMU's clock counts instructions
#               (-icount shift=auto): its timers then act exactly at their
#               deadlines. Without it, TCG updates a timer's CNT*_CTL.ISTATUS
#               only when its host timer has fired, which can be later than
#               the guest sees the counter pass CNT*_CVAL (the timer guest
#               checks ISTATUS right after that)
#   --el1       no virtualization extensions: IMAGE starts at EL1, as a guest
#               alone would (bench/run.sh's "QEMU alone" figures); on riscv64
#               a hart without the H extension (h=false), IMAGE in S-mode
#   QEMU-OPTION passed on, e.g. -S -gdb tcp:127.0.0.1:1234
#
# The console is stdin/stdout. QEMU's exit status is the one the image asks for
# (cvisor: 0 every VM powered off, 1 a VM was stopped, 3 a panic): through
# semihosting on aarch64, through the virt machine's test finisher on riscv64.
#
# x86_64: no QEMU (its TCG has no VMX): scripts/bochs.sh runs the image's GRUB ISO
# (IMAGE, or made from IMAGE by scripts/x86-iso.sh when it is the ELF) in Bochs, and
# exits with the status cvisor prints on COM1. --icount means nothing there (Bochs's
# clocks always count instructions); --cpu is a Bochs CPU model.
#
# riscv64: -bios default is QEMU's OpenSBI (fw_dynamic, from qemu-system-data) in
# M-mode, which starts IMAGE, an ELF linked at 0x8020_0000, in HS-mode.
#
# -nic none: the virt machine's default network card loads a boot ROM
# (efi-virtio.rom) from Debian's ipxe-qemu, which QEMU only recommends; without
# it QEMU refuses to start. Nothing here uses a network, and with -nic none QEMU
# opens no file of its own beyond its libraries (checked with strace -e openat).
set -eu

cpu=
smp=${QEMU_SMP:-1}
icount=${QEMU_ICOUNT:-}
virt=on
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) cpu=${2:?--cpu needs a CPU model}; shift 2 ;;
	--smp) smp=${2:?--smp needs a number of CPUs}; shift 2 ;;
	--icount) icount=1; shift ;;
	--el1) virt=off; shift ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	echo "usage: scripts/qemu.sh [--cpu CPU] [--smp N] [--icount] [--el1] ARCH IMAGE [QEMU-OPTION...]" >&2
	exit 2
fi
arch=$1
image=$2
shift 2
if [ -n "$icount" ] && [ "$arch" != x86_64 ]; then
	set -- -icount shift=auto "$@"
fi

case $arch in
aarch64)
	exec qemu-system-aarch64 -M virt,virtualization=$virt,gic-version=3 -cpu "${cpu:-max}" \
		-m 1G -smp "$smp" -nic none -display none -monitor none -serial stdio -no-reboot \
		-semihosting-config enable=on,target=native -kernel "$image" "$@"
	;;
riscv64)
	h=true
	[ "$virt" = on ] || h=false
	exec qemu-system-riscv64 -M virt -cpu "${cpu:-rv64},h=$h" \
		-m 1G -smp "$smp" -nic none -display none -monitor none -serial stdio -no-reboot \
		-bios default -kernel "$image" "$@"
	;;
x86_64)
	# Bochs, not QEMU (TCG has no VMX): IMAGE is the ISO, or the ELF, from which
	# the ISO beside it is made (cvisor.elf -> cvisor.iso; 0.15 s).
	if [ "$virt" = off ] || [ $# -gt 0 ]; then
		echo "scripts/qemu.sh: x86_64 runs under Bochs: no --el1 and no QEMU options ($*)" >&2
		exit 2
	fi
	case $image in
	*.iso) iso=$image ;;
	*)
		iso=${image%.elf}.iso
		sh "$(dirname "$0")/x86-iso.sh" "$image" "$iso"
		;;
	esac
	exec sh "$(dirname "$0")/bochs.sh" ${cpu:+--cpu "$cpu"} --smp "$smp" "$iso"
	;;
*)
	echo "scripts/qemu.sh: no bare-metal target for $arch (there are for aarch64, riscv64, x86_64)" >&2
	exit 2
	;;
esac
