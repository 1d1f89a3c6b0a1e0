#!/bin/sh
# SPDX-License-Identifier: MIT
# cvisor's command line: help, version, check, and bad input of every kind.
#   tests/sim/cli.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T" "$OUT" "$ERR"' EXIT
COMPAT=../shared/compat/axvisor

run_cvisor help --help
expect_rc 0
expect_out "Usage: cvisor run [OPTIONS] CONFIG..."

run_cvisor version --version
expect_rc 0
if grep -q '^cvisor [0-9]' "$OUT"; then ok "version printed"; else fail "no version"; fi

run_cvisor no-args
expect_rc 2

run_cvisor unknown-command frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"

run_cvisor bad-option run --trace=bogus configs/aarch64/hello.toml
expect_rc 2
expect_err "unknown item 'bogus'"

run_cvisor bad-max-seconds run --max-seconds=abc configs/aarch64/hello.toml
expect_rc 2

run_cvisor bad-clock run --clock=wall configs/aarch64/hello.toml
expect_rc 2
expect_err "^cvisor run: --clock takes host or virtual, not 'wall'\$"

run_cvisor clock-virtual run --clock=virtual --stats configs/aarch64/hello.toml
expect_rc 0
expect_out "Hello from cvisor guest (aarch64)!"
expect_err "^stats: host cpu user=[0-9]+\.[0-9]{3} s system=[0-9]+\.[0-9]{3} s wall=[0-9]+\.[0-9]{3} s\$"

run_cvisor missing-config run "$T/nope.toml"
expect_rc 2
expect_err "nope.toml: No such file or directory"

run_cvisor check-good check configs/aarch64/hello.toml
expect_rc 0
expect_out "configs/aarch64/hello.toml: ok (aarch64, 1 vCPU)"

# A syntax error: FILE:LINE:COL and exit status 2.
printf '[base]\nid = 1\nname = "x\n' >"$T/syntax.toml"
run_cvisor check-syntax check "$T/syntax.toml"
expect_rc 2
expect_err "syntax.toml:3:[0-9]+: error:"

# Parses, but has problems: listed, exit status 1.
cat >"$T/problems.toml" <<EOT
[base]
id = 7
name = "problems"
arch = "aarch64"
[kernel]
kernel_path = "does-not-exist.elf"
entry_point = 0x1234_0000
memory_regions = [[0x4000_0000, 0x100_0000, 7, 0], [0x4080_0000, 0x100_0000, 7, 0]]
EOT
run_cvisor check-problems check "$T/problems.toml"
expect_rc 1
expect_err "does-not-exist.elf"
expect_err "overlap"

# The same config with run: the same problems, and nothing runs.
run_cvisor run-problems run "$T/problems.toml"
expect_rc 1

# An unknown field is a warning, not a failure.
sed 's/^name = .*/name = "warn"\nfavourite_colour = "blue"/' configs/aarch64/hello.toml >"$T/warn.toml"
sed -i "s|kernel_path = \"|kernel_path = \"$PWD/configs/aarch64/|" "$T/warn.toml"
run_cvisor unknown-field run "$T/warn.toml"
expect_rc 0
expect_err "warning: .*favourite_colour"
expect_out "Hello from cvisor guest (aarch64)!"

# An image that is not for this RAM: refused with a reason, no crash.
head -c 300000000 /dev/zero >"$T/big.bin" 2>/dev/null
cat >"$T/big.toml" <<EOT
[base]
id = 3
name = "big"
arch = "aarch64"
[kernel]
kernel_path = "big.bin"
kernel_load_addr = 0x4008_0000
memory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]
EOT
run_cvisor too-big run "$T/big.toml"
expect_rc 1
expect_err "does not fit"
rm -f "$T/big.bin"

# A garbage ELF: refused with a reason.
printf '\177ELF\002\001\001garbage' >"$T/bad.elf"
sed -e 's/big.bin/bad.elf/' -e 's/name = "big"/name = "badelf"/' "$T/big.toml" >"$T/badelf.toml"
run_cvisor bad-elf run "$T/badelf.toml"
expect_rc 1
expect_err "badelf.toml: kernel"

# No arch and a raw image: the error says what to add.
sed '/^arch/d' "$T/big.toml" >"$T/noarch.toml"
printf 'raw' >"$T/big.bin"
run_cvisor no-arch check "$T/noarch.toml"
expect_rc 1
expect_err "add arch = "

# Devices a config names: an unknown model, a window too small for the model.
for a in aarch64 riscv64 x86_64; do
	case $a in
	aarch64) uart=pl011 need=0x1000 known="gicv3, pl011, flash, virtio-blk, virtio-console, virtio-net, virtio-rng" ;;
	riscv64) uart=ns16550a need=0x8 known="ns16550a, plic, virtio-blk, virtio-console, virtio-net, virtio-rng" ;;
	x86_64) uart=ns16550a need=0x8 known="ns16550a, acpi-pm, ioapic, virtio-blk, virtio-console, virtio-net, virtio-rng" ;;
	esac
	sed -e "s|kernel_path = \"|kernel_path = \"$PWD/configs/$a/|" \
		-e "s|^emu_devices = .*|emu_devices = [[\"frob\", 0x1000, 0x1000, 0, 0, []]]|" \
		configs/$a/hello.toml >"$T/dev-$a.toml"
	run_cvisor "unknown-device-$a" run "$T/dev-$a.toml"
	expect_rc 1
	expect_err "^cvisor: $T/dev-$a.toml: emulated device 'frob' is not known to cvisor on $a \\(known: $known\\)\$"
	sed -i "s|\"frob\", 0x1000, 0x1000|\"$uart\", 0x2000, 4|" "$T/dev-$a.toml"
	run_cvisor "small-device-$a" run "$T/dev-$a.toml"
	expect_rc 1
	expect_err "^cvisor: $T/dev-$a.toml: $uart at 0x2000 needs $need bytes, got 0x4\$"
done

# AxVisor's own configs parse; their images are not here (problems, status 1).
if [ -d "$COMPAT" ]; then
	for f in "$COMPAT"/*.toml; do
		run_cvisor "axvisor-$(basename "$f")" check "$f"
		expect_rc 1
		expect_err "no such file"
		if grep -q ":[0-9]*:[0-9]*: error: .*(syntax|parse)" "$ERR"; then fail "parse error"; else ok "no parse error"; fi
	done
else
	CASE=axvisor
	skip "$COMPAT not found (AxVisor's configs, kept next to the checkout)"
fi

finish
