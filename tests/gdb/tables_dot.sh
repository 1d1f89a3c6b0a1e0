#!/bin/sh
# SPDX-License-Identifier: MIT
# gdb's monitor s1 dot FILE / s2 dot FILE (src/hal_sim/tabledot.c): the
# mmu guest paused with its MMU on, its own stage-1 tables as a graph
# (the root, the edge to its alias tables, the read-only and writable
# alias pages with their descriptors, ARM ARM D8.3), its stage-2 tables;
# then the same at its first instruction, where the MMU is still off.
#   tests/gdb/tables_dot.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/gdb/lib.sh
guests_of aarch64
ELF=$BUILD/guests/aarch64
T=$(mktemp -d)
trap 'rm -rf "$OUT" "$ERR" "$OWN_DIR" "$GDBOUT" "$GDBCMD" "$T"' EXIT

# expect_dot FILE REGEX: a line of FILE matches REGEX (extended, anchored by the caller).
expect_dot() {
	if grep -qE -- "$2" "$1" 2>/dev/null; then ok "$(basename "$1"): $2"; else
		fail "$(basename "$1") has no line matching: $2"
		cut -c1-200 "$1" 2>/dev/null | head -n 20 | sed 's/^/  | /'
	fi
}

gdb_session mmu "$ELF/mmu.elf" run $CFG/mmu.toml <<GDB
break *perm_store
continue
monitor s1 dot $T/s1.dot
monitor s2 dot $T/s2.dot
monitor s1 nonsense
delete
continue
GDB
H='0x[0-9a-f]+'
DATA=$(sym mmu data_page)
L1=$(sym mmu l1_lo)
L3=$(sym mmu l3_alias)
expect_gdb "^stage-1 tables of vm 16 vcpu 0 written to $T/s1.dot \\(dot -Tsvg $T/s1.dot -o s1.svg\\)\$"
expect_gdb "^stage-2 tables of vm 16 written to $T/s2.dot \\(dot -Tsvg $T/s2.dot -o s2.svg\\)\$"
expect_gdb '^usage: monitor s1 dot FILE$'
expect_dot "$T/s1.dot" "^	root \\[style=filled, fillcolor=\"#e3f0ff\", label=\"L1 table \\(root\\) at GPA 0x$L1\\\\l"
expect_dot "$T/s1.dot" "^	root -> t2_80000000 \\[label=\"\\[2\\]\"\\];\$"
expect_dot "$T/s1.dot" "^	t2_80000000 -> t3_80000000 \\[label=\"\\[0\\]\"\\];\$"
# VA 0x8000_0000: the read-only alias (AP[2:1] = 0b10, UXN PXN: 0x0060...783); 0x8000_3000 the writable one (0x...703).
expect_dot "$T/s1.dot" "^	t3_80000000 \\[style=filled, fillcolor=\"#dff5df\", label=\"L3 table at GPA 0x$L3\\\\l\\[0\\] = 0x00600000$(echo "$DATA" | sed 's/000$/783/') page -> GPA 0x$DATA r--\\\\l"
expect_dot "$T/s1.dot" "\\\\l\\[3\\] = 0x00600000$(echo "$DATA" | sed 's/000$/703/') page -> GPA 0x$DATA rw-\\\\l"
expect_dot "$T/s1.dot" "^	m_80003000 \\[shape=note, style=filled, fillcolor=\"#fff3d6\", label=\"VA 0x80003000-0x80003fff \\(4 KiB\\)\\\\l-> GPA 0x$DATA-0x$(printf '%x' $((0x$DATA + 0xfff)))\\\\lrw-\\\\l\"\\];\$"
expect_dot "$T/s2.dot" "^	root -> t2_40000000 \\[label=\"\\[1\\]\"\\];\$"
for f in s1 s2; do
	CASE=render
	if ! command -v dot >/dev/null; then
		skip "no dot (Graphviz) to render $f.dot: make deps installs it"
	elif dot -Tsvg "$T/$f.dot" -o "$T/$f.svg" 2>/dev/null; then ok "dot -Tsvg renders $f.dot"
	else fail "dot -Tsvg refuses $f.dot"; fi
done

# At the first instruction the guest's MMU is off: no stage-1 tables to draw.
gdb_session mmu-off "$ELF/mmu.elf" run $CFG/mmu.toml <<GDB
monitor s1 dot $T/off.dot
continue
GDB
expect_gdb "^monitor s1 dot: the guest's MMU is off: no stage-1 tables \\(VA = GPA\\)\$"
if [ -e "$T/off.dot" ]; then fail "off.dot written"; else ok "no off.dot"; fi

finish
