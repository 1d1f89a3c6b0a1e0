#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes the gdb command file of `make qemu-gdb`: cvisor's symbols (the bare
# image, at EL2), the symbols of each VM's guest, then attaches to QEMU's
# gdbstub. Used as: gdb-multiarch -x OUT
#
#   scripts/bare-gdbinit.sh OUT IMAGE PORT CONFIG...
#
# A guest's symbols are those of its kernel_path when that is an ELF file,
# or of the .elf beside a .bin. A guest ELF is linked at the guest-physical
# address it is loaded at, which is also its virtual address while its MMU
# is off. QEMU's gdbstub reads memory and matches breakpoints through the
# translation regime the CPU is in: at EL1 through the guest's stage 1 and
# cvisor's stage 2, at EL2 through cvisor's own tables (an identity map),
# so a guest symbol means the guest's memory only while the guest runs.
# The same holds on RISC-V: in VS-mode through vsatp and hgatp, in HS-mode
# through cvisor's Sv39 identity map. IMAGE's ELF header says which.
set -eu
if [ $# -lt 3 ]; then
	echo "usage: scripts/bare-gdbinit.sh OUT IMAGE PORT CONFIG..." >&2
	exit 2
fi
out=$1
image=$2
port=$3
shift 3

# is_elf FILE: FILE starts with the ELF magic (0x7f 'E' 'L' 'F').
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# The image's architecture: e_machine, the byte at offset 18 of a little-endian
# ELF file (0xb7 AArch64, 0xf3 RISC-V).
case $(od -An -tx1 -j18 -N1 "$image" | tr -d ' ') in
f3)
	where="in HS-mode"
	hint='echo cvisor (HS-mode) and guest (VS-mode) symbols loaded; $priv is the privilege level (1: S). docs/debugging.md\n'
	;;
*)
	where="at EL2"
	hint='echo cvisor (EL2) and guest (EL1) symbols loaded; ($cpsr & 0xc) >> 2 is the exception level. docs/debugging.md\n'
	;;
esac

{
	echo "# Written by make qemu-gdb (scripts/bare-gdbinit.sh). Use: gdb-multiarch -x $out"
	echo "set confirm off"
	echo "# cvisor $where"
	echo "file $(realpath "$image")"
	for c in "$@"; do
		k=$(sed -n 's/^[[:space:]]*kernel_path[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$c" | head -n 1)
		case $k in
		/*) ;;
		*) k=$(dirname "$c")/$k ;;
		esac
		elf=$k
		case $k in *.bin) elf=${k%.bin}.elf ;; esac
		if is_elf "$elf"; then
			echo "# the guest of $c"
			echo "add-symbol-file $(realpath "$elf")"
		else
			echo "# the guest of $c: $k is not an ELF file and has no .elf beside it: no symbols"
		fi
	done
	echo "set confirm on"
	echo "target remote 127.0.0.1:$port"
	printf '%s\n' "$hint"
} >"$out.tmp"
mv "$out.tmp" "$out"
