#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<source>/)
# from the repository's own configs, guests and syndromes. The result is
# committed; run this again when the configs or guests change:
#
#   make BUILD=build-x ARCH=<arch> guests    (for each architecture), then
#   sh tests/fuzz/seeds.sh build-x
#
# Files a person wrote (corpus/config/axvisor-full.toml, ...) are kept;
# generated ones are named <arch>-<name> and replaced.
set -eu
build=${1:?usage: seeds.sh BUILD_DIR}
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# le N VALUE: VALUE as N little-endian bytes.
le() {
	i=0
	while [ "$i" -lt "$1" ]; do
		# shellcheck disable=SC2059
		printf "\\$(printf %03o $((($2 >> (8 * i)) & 255)))"
		i=$((i + 1))
	done
}

# config: the VM configs, as text. fdt: the same after 3 control bytes
# (a 2 KiB second buffer, a 4-page initrd).
mkdir -p corpus/config corpus/fdt corpus/loader corpus/a64_trap corpus/a64_insn \
	corpus/rv_trap corpus/rv_insn corpus/x86_trap
for f in ../../configs/*/*.toml; do
	arch=$(basename "$(dirname "$f")")
	name=$arch-$(basename "$f" .toml)
	cp "$f" "corpus/config/$name.toml"
	{ le 2 2048; le 1 4; cat "$f"; } >"corpus/fdt/$name"
done
for f in corpus/config/axvisor-*.toml; do
	[ -f "$f" ] && { le 2 2048; le 1 4; cat "$f"; } >"corpus/fdt/$(basename "$f" .toml)"
done

# loader: 8 control bytes (layout, raw flag, raw load offset) and an image.
# The layouts are tests/fuzz/loader.c's: 0 AArch64 virt, 1 RISC-V virt, 2 PC.
loader_seed() { # ARCH LAYOUT OFFSET NAME FILE [raw]
	{ le 1 "$2"; le 1 "${6:-0}"; le 4 "$3"; le 2 0; cat "$5"; } >"corpus/loader/$1-$4"
}
for g in hello mmio mmu; do
	loader_seed aarch64 0 0x80000 "$g.bin" "$build/guests/aarch64/$g.bin"
	loader_seed riscv64 1 0x200000 "$g.bin" "$build/guests/riscv64/$g.bin"
	riscv64-linux-gnu-strip -o "$tmp/rv.elf" "$build/guests/riscv64/$g.elf"
	loader_seed riscv64 1 0 "$g.elf" "$tmp/rv.elf"
done
for g in hello ports mmu; do
	strip -o "$tmp/x86.elf" "$build/guests/x86_64/$g.elf"
	loader_seed x86_64 2 0 "$g.elf" "$tmp/x86.elf"
	loader_seed x86_64 2 0x100000 "$g.elf-raw" "$tmp/x86.elf" 1
done

# a64_trap: ESR_EL2, FAR_EL2, HPFAR_EL2, ELR_EL2, register seed. Values
# worked out from the ARM ARM (D17.2.37) as in tests/unit/aarch64/test_trap.c.
a64_trap() { # NAME ESR FAR HPFAR PC
	{ le 8 "$2"; le 8 "$3"; le 8 "$4"; le 8 "$5"; le 8 0x1122334455667788; } \
		>"corpus/a64_trap/$1"
}
a64_trap dabt-str-w3-uart 0x93830045 0x09000018 0x90000 0x40080100
a64_trap dabt-ldrb-w0-uart 0x93000006 0x09000018 0x90000 0x40080104
a64_trap dabt-no-isv-stp 0x92000047 0x09000000 0x90000 0x40080108
a64_trap dabt-s1ptw 0x92000087 0x50000000 0x500000 0x4008010c
a64_trap dabt-permission 0x9200004f 0x40000000 0x400000 0x40080110
a64_trap iabt-translation 0x82000006 0x50000000 0x500000 0x50000000
a64_trap hvc-0 0x5a000000 0 0 0x40080104
a64_trap smc-0 0x5e000000 0 0 0x40080100
a64_trap msr-oslar-x1 0x62280420 0 0 0x40080100
a64_trap mrs-oslsr-x3 0x62280463 0 0 0x40080100
a64_trap wfi 0x06000000 0 0 0x40080100
a64_trap wfe 0x06000001 0 0 0x40080100
a64_trap svc-unexpected 0x56000005 0 0 0x40080100
a64_trap brk-unexpected 0xf20003e8 0 0 0x40080100

# a64_insn / rv_insn: instructions assembled by the guests' cross
# assemblers, each followed by 24 bytes: a64_insn reads PC, SP and the
# register seed from them, rv_insn the register seed from the first 8.
insn_seeds() { # TARGET AS FLAGS < "name|instruction" lines
	while IFS='|' read -r name insn; do
		echo "$insn" | $2 $3 -o "$tmp/i.o" - && "${2%as}objcopy" -O binary -j .text "$tmp/i.o" "$tmp/i.bin"
		# A compressed instruction is padded to the 4 bytes the targets read.
		{ cat "$tmp/i.bin"; [ "$(wc -c <"$tmp/i.bin")" -eq 2 ] && le 2 0
		  le 8 0x40080000; le 8 0x40090000; le 8 0x0123456789abcdef; } >"corpus/$1/$name"
	done
}
insn_seeds a64_insn aarch64-linux-gnu-as "" <<'EOF'
str-w1|str w1, [x0]
ldr-x0-imm|ldr x0, [x1, #8]
ldrb|ldrb w2, [x1]
ldrsh-x|ldrsh x3, [x4, #2]
ldrsw-lit|ldrsw x5, .+64
ldr-reg-lsl|ldr x1, [x2, x3, lsl #3]
ldr-reg-sxtw|ldr w1, [x2, w3, sxtw #2]
ldur|ldur x0, [x1, #-8]
str-post|str x0, [x1], #8
str-pre|str x0, [x1, #-16]!
stp-pre|stp x29, x30, [sp, #-16]!
ldp-post|ldp x29, x30, [sp], #16
ldpsw|ldpsw x0, x1, [x2]
ldxr|ldxr x0, [x1]
stlxp|stlxp w0, x1, x2, [x3]
ldar|ldar w0, [x1]
stlr|stlr x0, [x1]
str-xzr|str xzr, [x1]
ldr-q|ldr q0, [x1]
svc|svc #0
hvc|hvc #0
nop|nop
EOF
# The A64 forms of FEAT_LRCPC and FEAT_LRCPC2, which need -march.
insn_seeds a64_insn aarch64-linux-gnu-as "-march=armv8.4-a" <<'EOF'
ldapr|ldapr w0, [x1]
ldapur|ldapur x0, [x1, #-4]
stlur|stlurh w0, [x1, #2]
EOF
insn_seeds rv_insn riscv64-linux-gnu-as "-march=rv64imac" <<'EOF'
lbu|lbu a0, 5(a1)
lh|lh a2, -4(s0)
lw|lw t0, 2047(t1)
ld|ld ra, 8(sp)
lwu|lwu a3, -2048(a4)
sb|sb a0, 0(a1)
sd|sd ra, 8(sp)
c-lw|c.lw a0, 4(a1)
c-ld|c.ld s0, 248(a5)
c-sw|c.sw a4, 0(a5)
c-sd|c.sd a2, 8(a3)
c-lwsp|c.lwsp a0, 252(sp)
c-ldsp|c.ldsp ra, 504(sp)
c-swsp|c.swsp a1, 4(sp)
c-sdsp|c.sdsp s1, 16(sp)
addi|addi a0, a0, 1
csrr|csrr a0, sscratch
EOF

# rv_trap: scause, stval, htval, htinst, sepc, register seed
# (Privileged 1.12 8.6.3; tests/unit/riscv64/test_trap.c).
rv_trap() { # NAME SCAUSE STVAL HTVAL HTINST
	{ le 8 "$2"; le 8 "$3"; le 8 "$4"; le 8 "$5"; le 8 0x80200000; le 8 0x0123456789abcdef; } \
		>"corpus/rv_trap/$1"
}
rv_trap load-lbu-uart 21 0x10000005 $((0x10000005 >> 2)) 0x00004503
rv_trap store-c-sw-uart 23 0x10000000 $((0x10000000 >> 2)) 0x00e02021
rv_trap load-lh 21 0x10000002 $((0x10000002 >> 2)) 0x00001603
rv_trap store-sd 23 0x10000000 $((0x10000000 >> 2)) 0x00103023
rv_trap load-no-htinst 21 0x10000000 $((0x10000000 >> 2)) 0
rv_trap walk-implicit 21 0x90000000 $((0x90000000 >> 2)) 0x00003000
rv_trap fetch 20 0x90000000 $((0x90000000 >> 2)) 0
rv_trap ecall-vs 10 0 0 0
rv_trap virtual-wfi 22 0x10500073 0 0
rv_trap virtual-csrrw 22 0x14051573 0 0
rv_trap virtual-csrrsi 22 0x1402e573 0 0
rv_trap illegal 2 0 0 0

# x86_trap: exit reason, qualification, guest-physical and linear address,
# instruction length, interruption information, RIP, register seed
# (SDM Vol. 3C tables 28-3, 28-5, 28-7; tests/unit/x86_64/test_trap.c).
x86_trap() { # NAME REASON QUALIFICATION GPA INTR_INFO
	{ le 4 "$2"; le 8 "$3"; le 8 "$4"; le 8 "$4"; le 4 2; le 4 "$5"; le 8 0x100010
	  le 8 0x0123456789abcdef; } >"corpus/x86_trap/$1"
}
x86_trap out-al-80 30 0x00800040 0 0
x86_trap in-eax-3f8 30 0x03f8000b 0 0
x86_trap outw-604 30 0x06040001 0 0
x86_trap rep-outsb 30 0x03f80030 0 0
x86_trap ept-read 48 0x181 0x09000000 0
x86_trap ept-write 48 0x182 0x09000000 0
x86_trap ept-fetch-perm 48 0x18c 0x00200000 0
x86_trap hlt 12 0 0 0
x86_trap vmcall 18 0 0 0
x86_trap cpuid 10 0 0 0
x86_trap rdmsr 31 0 0 0
x86_trap wrmsr 32 0 0 0
x86_trap mov-cr3-rax 28 0x3 0 0
x86_trap clts 28 0x20 0 0
x86_trap int3 0 0 0 0x80000603
x86_trap triple-fault 2 0 0 0
x86_trap entry-failure $((0x80000021)) 0 0 0
echo "seeds written to $(pwd)/corpus"
