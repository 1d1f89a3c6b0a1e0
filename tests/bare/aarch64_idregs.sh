#!/bin/sh
# SPDX-License-Identifier: MIT
# What a guest finds of the CPU under bare-metal cvisor (docs/bare.md,
# "System registers and what guests see"), on QEMU's max, Cortex-A57 and
# Cortex-A72: the idregs guest prints each ID register it reads (the
# CPU's value with only what cvisor gives guests, exact per CPU model)
# and checks the debug unit and hidden features itself; hostile_absent
# tries the registers the ID registers say are absent (breakpoint 2, the
# PMU): each an UNDEF. On the Cortex-A72, the model of the simulator's
# Unicorn CPU, the idregs guest prints line for line what it prints in
# the simulator.
#   tests/bare/aarch64_idregs.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

IDREGS=$(own_config idregs)
ABSENT=$(own_config hostile_absent)
CVISOR=$BUILD/cvisor

# expect_ids CPU: the idregs guest's ID register lines as CPU shows them through cvisor.
# SVE, SME, MTE, EL2, EL3, LORegions, AMU, the PMU and trace read 0 everywhere;
# ID_AA64DFR0_EL1 is cvisor's own (0x101006), GIC is 1 (its GICv3 model).
expect_ids() {
	case $1 in
	max)
		# QEMU 7.2's max: FEAT_RAS, DIT, CSV2/3, PAuth (QARMA5), BTI, SSBS, LSE, RNDR, ...
		ids="ID_AA64PFR0_EL1 0x1201000021110022
ID_AA64PFR1_EL1 0x0000000000000021
ID_AA64ZFR0_EL1 0x0000000000000000
ID_AA64SMFR0_EL1 0x0000000000000000
ID_AA64DFR0_EL1 0x0000000000101006
ID_AA64DFR1_EL1 0x0000000000000000
ID_AA64ISAR0_EL1 0x1221111110212120
ID_AA64ISAR1_EL1 0x0011111101211012
ID_AA64ISAR2_EL1 0x0000000000000000
ID_AA64MMFR0_EL1 0x0000032310201126
ID_AA64MMFR1_EL1 0x0000001000201002
ID_AA64MMFR2_EL1 0x1021001010011011
ID_PFR0_EL1 0x0000000011020131
ID_PFR1_EL1 0x0000000010010001
ID_DFR0_EL1 0x0000000000000009
ID_DFR1_EL1 0x0000000000000000" ;;
	*)
		# Cortex-A57 and A72: Armv8.0, AES/SHA1/SHA2/CRC32, 44-bit PAs.
		ids="ID_AA64PFR0_EL1 0x0000000001000022
ID_AA64PFR1_EL1 0x0000000000000000
ID_AA64ZFR0_EL1 0x0000000000000000
ID_AA64SMFR0_EL1 0x0000000000000000
ID_AA64DFR0_EL1 0x0000000000101006
ID_AA64DFR1_EL1 0x0000000000000000
ID_AA64ISAR0_EL1 0x0000000000011120
ID_AA64ISAR1_EL1 0x0000000000000000
ID_AA64ISAR2_EL1 0x0000000000000000
ID_AA64MMFR0_EL1 0x0000000000001124
ID_AA64MMFR1_EL1 0x0000000000000000
ID_AA64MMFR2_EL1 0x0000000000000000
ID_PFR0_EL1 0x0000000000000131
ID_PFR1_EL1 0x0000000010010001
ID_DFR0_EL1 0x0000000000000006
ID_DFR1_EL1 0x0000000000000000" ;;
	esac
	echo "$ids" | while IFS= read -r l; do echo "[idregs] idregs: $l"; done >"$OUT.want"
	if grep '^\[idregs\] idregs: ID_' "$OUT" | diff -u "$OUT.want" - >"$OUT.diff"; then
		ok "the 16 ID registers as cvisor shows $1"
	else
		fail "ID registers differ: $(tr '\n' ' ' <"$OUT.diff" | cut -c 1-600)"
	fi
	rm -f "$OUT.want" "$OUT.diff"
}

for cpu in max cortex-a57 cortex-a72; do
	run_bare "idregs-$cpu" "" "$cpu" "$IDREGS" "$ABSENT" MAX_SECONDS=30
	expect_rc 0
	expect_ids "$cpu"
	expect_out "[idregs] idregs: debug unit: 2 breakpoints, 2 watchpoints, kept, never fire"
	expect_out "[idregs] idregs: LOR, MTE, SVE, SME registers undefined"
	if [ "$cpu" = max ]; then
		expect_out "[idregs] idregs: RAS without error records"
	else
		expect_out "[idregs] idregs: RAS absent, its registers undefined"
	fi
	expect_out "[idregs] idregs: all ok"
	expect_out "[hostile_absent] hostile_absent: breakpoint 2, watchpoint 2, PMU undefined"
	expect_out "cvisor: 2 of 2 VMs powered off"
	expect_no_out "FAIL"
	[ "$cpu" = cortex-a72 ] && grep '^\[idregs\]' "$OUT" >"$OUT.bare"
done

# The simulator's CPU is Unicorn's Cortex-A72: the same lines.
run_cvisor idregs-sim run --max-seconds=30 "$IDREGS"
expect_rc 0
if sed 's/^/[idregs] /' "$OUT" | diff -u "$OUT.bare" - >"$OUT.diff"; then
	ok "the simulator prints what the bare build prints on a Cortex-A72"
else
	fail "the simulator differs from the bare build: $(tr '\n' ' ' <"$OUT.diff" | cut -c 1-600)"
fi
rm -f "$OUT.bare" "$OUT.diff"

finish
