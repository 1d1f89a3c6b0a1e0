#!/bin/sh
# SPDX-License-Identifier: MIT
# make docs (mk/docs.mk): the API reference builds with no Doxygen warning
# (WARN_AS_ERROR fails it on any), and writes the figures: the layers, the
# life of an exit (whose exit line must be the hello guest's, as
# --trace=exits prints it), and the two-stage walk drawn from a run of the mmu guest,
# whose stage-1 part has the guest's own values (they do not change between
# runs: the guest chose them).
#   tests/sim/docs.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

command -v doxygen >/dev/null || skip_suite "no doxygen to build the API reference (make deps installs it)"
command -v dot >/dev/null || skip_suite "no dot (Graphviz) to draw the figures (make deps installs it)"
D=$BUILD/docs
rm -rf "$D"
CASE=make-docs
make -s --no-print-directory BUILD="$BUILD" docs >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0
# (make's own note about the jobserver, when this suite runs under make -jN, is not Doxygen's.)
if grep -hiE 'warning|error' "$OUT" "$ERR" | grep -qvE '^make(\[[0-9]+\])?: warning: jobserver'; then
	fail "make docs printed warnings or errors"
	grep -hiE 'warning|error' "$OUT" "$ERR" | head -n 20 | sed 's/^/  | /'
else
	ok "no warning and no error"
fi
expect_out "docs: $D/html/index.html (API reference), $D/figures/ (figures)"

CASE=files
for f in html/index.html html/vm_8h.html html/stage2_8h.html figures/layers.svg \
	figures/exit-sequence.svg figures/two-stage.svg html/layers.svg html/exit-sequence.svg \
	html/two-stage.svg; do
	if [ -s "$D/$f" ]; then ok "$f written"; else fail "no $D/$f"; fi
done
# The main page shows the three figures.
for f in layers exit-sequence two-stage; do
	if grep -qF "data=\"$f.svg\"" "$D/html/index.html"; then ok "index.html shows $f.svg"
	else fail "index.html does not show $f.svg"; fi
done

# The life-of-an-exit figure quotes the hello guest's first UART write as --trace=exits prints it.
CASE=exit-sequence
guests_of aarch64
run_cvisor exit-sequence run --trace=exits "$(own_config hello)"
line=$(grep -m 1 '^exit: vm=1 vcpu=0 mmio .* write ' "$ERR")
head=${line%% gpa=*}
tail="gpa=${line#* gpa=}"
for part in "$head" "$tail"; do
	q=$(printf '%s' "$part" | sed 's/"/\\"/g')
	if [ -n "$line" ] && grep -qF -- "$q" docs/figures/exit-sequence.dot; then ok "exit-sequence.dot quotes: $part"
	else fail "docs/figures/exit-sequence.dot does not quote the trace's: $part"; fi
done

# The two-stage figure: the mmu guest's stage-1 walk of VA 0x8000_0000, with its values.
CASE=two-stage
guests_of aarch64
L1=$(sym mmu l1_lo)
L3=$(sym mmu l3_alias)
DATA=$(sym mmu data_page)
if grep -qF "label=\"stage 1, L3 table at GPA 0x$L3\\n[0] = 0x00600000$(echo "$DATA" | sed 's/000$/783/')\\npage -> 0x$DATA r--\"" \
	"$D/figures/two-stage.dot"; then
	ok "level 3 of VA 0x80000000: table 0x$L3, [0] -> page 0x$DATA r--"
else
	fail "two-stage.dot lacks the level-3 step of VA 0x80000000"
	sed 's/^/  | /' "$D/figures/two-stage.dot" | head -n 30
fi
if grep -qF "stage 1, L1 table at GPA 0x$L1\\n[2] =" "$D/figures/two-stage.dot"; then
	ok "level 1 of VA 0x80000000: table 0x$L1, entry [2]"
else
	fail "two-stage.dot lacks the level-1 step of VA 0x80000000"
fi
# The figure does not change between runs (stage-2 addresses are not in it).
cp "$D/figures/two-stage.dot" "$D/figures/two-stage.dot.first"
python3 scripts/walk-figure.py "$CVISOR" configs/aarch64/mmu.toml 0x80000000 "$D/figures/two-stage.dot.second" 2>"$ERR"
if cmp -s "$D/figures/two-stage.dot.first" "$D/figures/two-stage.dot.second"; then
	ok "the same figure from a second run"
else
	fail "a second run draws another figure"
	diff "$D/figures/two-stage.dot.first" "$D/figures/two-stage.dot.second" | head -n 10 | sed 's/^/  | /'
fi
rm -f "$D/figures/two-stage.dot.first" "$D/figures/two-stage.dot.second"

finish
