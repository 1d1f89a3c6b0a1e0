#!/bin/sh
# SPDX-License-Identifier: MIT
# cvisor run --s2-dot=FILE: the first VM's stage-2 tables, as a Graphviz
# graph written when the VM stops (src/hal_sim/tabledot.c). On s2prot,
# which made one page of its RAM read-only through MEM_PROTECT: the root
# node, the edges down to that page's level-3 table, the page's entry with
# its descriptor (ARM ARM D8.3: S2AP read-only, XN) and its range node; then
# the other architectures' roots, a path that cannot be written, and
# Graphviz's dot reading every graph written.
#   tests/sim/tables_dot.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T" "$OUT" "$ERR" "$OWN_DIR"' EXIT

# expect_dot FILE REGEX WHAT: a line of FILE matches REGEX (anchored by the caller).
expect_dot() {
	if grep -qE -- "$2" "$1" 2>/dev/null; then ok "$3"; else
		fail "$(basename "$1") has no line matching: $2"
		sed "s/^/  | /" "$1" 2>/dev/null | cut -c1-200 | head -n 20
	fi
}
# expect_dot_line FILE TEXT: a line of FILE is TEXT, exactly.
expect_dot_line() {
	if grep -qxF -- "$2" "$1" 2>/dev/null; then ok "$(basename "$1"): $2"; else
		fail "$(basename "$1") lacks line: $2"
		sed "s/^/  | /" "$1" 2>/dev/null | cut -c1-200 | head -n 20
	fi
}
# expect_dot_renders FILE: dot -Tsvg accepts FILE (skipped without Graphviz).
expect_dot_renders() {
	if ! command -v dot >/dev/null; then
		skip "no dot (Graphviz) to render $(basename "$1"): make deps installs it"
	elif dot -Tsvg "$1" -o "$1.svg" 2>"$T/dot.err" && grep -q '<svg' "$1.svg"; then
		ok "dot -Tsvg renders $(basename "$1")"
	else
		fail "dot -Tsvg refuses $(basename "$1"): $(head -n 3 "$T/dot.err")"
	fi
}

guests_of aarch64
H='0x[0-9a-f]+'
page=$(sym s2prot page)            # the page s2prot made read-only, e.g. 40081000
idx=$(( (0x$page >> 12) & 511 ))   # its entry in the level-3 table
l2=$(printf '%x' $(( 0x$page & ~0x1fffff )))
run_cvisor s2prot run --s2-dot="$T/s2prot.dot" "$(own_config s2prot)"
expect_rc 1
expect_dot "$T/s2prot.dot" '^digraph tables \{$' "a digraph"
expect_dot "$T/s2prot.dot" \
	"^	root \\[style=filled, fillcolor=\"#e3f0ff\", label=\"L1 table \\(root\\) at HPA $H\\\\l\\[1\\] = 0x[0-9a-f]{16} table -> HPA $H\\\\l\"\\];\$" \
	"the root node: L1, entry [1] a table descriptor"
expect_dot_line "$T/s2prot.dot" '	root -> t2_40000000 [label="[1]"];'
expect_dot_line "$T/s2prot.dot" "	t2_40000000 -> t3_$l2 [label=\"[0]\"];"
# The read-only page: valid, page, MemAttr 0b1111, S2AP 0b01 (read), SH 0b11, AF = 0x77f; XN (bit 54).
expect_dot "$T/s2prot.dot" \
	"^	t3_$l2 \\[.*\\\\l\\[$idx\\] = 0x0040[0-9a-f]{9}77f page -> HPA $H r--\\\\l" \
	"the level-3 entry [$idx] of page 0x$page: descriptor 0x0040....77f, r--"
expect_dot "$T/s2prot.dot" \
	"^	m_$page \\[shape=note, style=filled, fillcolor=\"#fff3d6\", label=\"GPA 0x$page-0x$(printf '%x' $((0x$page + 0xfff))) \\(4 KiB\\)\\\\l-> HPA $H-$H\\\\lr-- normal\\\\l\"\\];\$" \
	"the range node of page 0x$page: 4 KiB, r-- normal"
expect_dot_line "$T/s2prot.dot" "	t3_$l2 -> m_$page [label=\"[$idx]\"];"
expect_dot_renders "$T/s2prot.dot"

# The other architectures: RISC-V's Sv39x4 root (RAM at 0x8000_0000 is entry
# [2]), x86_64's EPT root at level 0 (its RAM from GPA 0).
for a in riscv64 x86_64; do
	guests_of $a
	run_cvisor "$a-hello" run --s2-dot="$T/$a.dot" "$(own_config hello)"
	expect_rc 0
	case $a in
	riscv64) expect_dot_line "$T/$a.dot" '	root -> t2_80000000 [label="[2]"];' ;;
	x86_64) expect_dot_line "$T/$a.dot" '	root -> t1_0 [label="[0]"];' ;;
	esac
	expect_dot_renders "$T/$a.dot"
done

guests_of aarch64
run_cvisor unwritable run --s2-dot="$T/no/such/dir/s2.dot" "$(own_config hello)"
expect_rc 2
expect_err "^cvisor: --s2-dot: $T/no/such/dir/s2.dot: No such file or directory\$"

finish
