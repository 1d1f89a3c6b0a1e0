#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/guests.md's worked example, taken from the page itself so that the
# guide cannot drift from what works: the guest (mine.S), the build command,
# the config (mine.toml) and the run command, each the fenced block after
# a "<!-- guest-guide: NAME -->" line, are written to a directory outside
# the tree and run there as the guide says; the console must be the
# guide's "output" block, line for line, and cvisor must exit 0. Then the
# guide's claim that a wrong check fails: the same guest expecting 43.
#   tests/sim/guest_guide.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T" "$OUT" "$ERR" "$OWN_DIR"' EXIT
GUIDE=docs/guests.md

# block NAME: the fenced block that follows "<!-- guest-guide: NAME -->" in the guide.
block() {
	awk -v name="$1" '
		$0 == "<!-- guest-guide: " name " -->" { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$GUIDE"
}

command -v aarch64-linux-gnu-gcc >/dev/null ||
	skip_suite "no aarch64-linux-gnu-gcc to build the guide's guest (make deps installs it)"
for b in mine.S build mine.toml run output; do
	block "$b" >"$T/$b"
	CASE=extract
	if [ -s "$T/$b" ]; then ok "$GUIDE has the block '$b'"; else fail "$GUIDE has no block '$b'"; fi
done

# build: the guide's command, in the guest's directory, with CVISOR = this tree.
build() {
	CASE=$1
	(cd "$T" && CVISOR=$TOP sh "$T/build") >"$OUT" 2>"$ERR"
	RC=$?
	expect_rc 0
	if [ -f "$T/mine.elf" ]; then ok "mine.elf built"; else fail "no mine.elf"; fi
}
# run_guide CASE: the guide's run command (check, then run), in the guest's directory.
run_guide() {
	CASE=$1
	# The guide's CVISOR/build/cvisor is this run's $CVISOR (BUILD may be build-san).
	sed "s|\\\$CVISOR/build/cvisor|$TOP/$CVISOR|" "$T/run" >"$T/run.sh"
	(cd "$T" && timeout 60 sh -e "$T/run.sh") </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}

TOP=$PWD
build build
run_guide run
expect_rc 0
expect_out "mine.toml: ok (aarch64, 1 vCPU)"
while IFS= read -r line; do
	expect_out "$line"
done <"$T/output"
# Nothing but the check's line and the output block on the console.
n=$(($(wc -l <"$T/output") + 1))
if [ "$(wc -l <"$OUT")" -eq "$n" ]; then ok "$n console lines"; else fail "$(wc -l <"$OUT") console lines, expected $n"; fi

# The guide: "Change 42 in the check to 43 and it prints FAIL: ... and exits 1."
sed -i 's/check x0, 42,/check x0, 43,/' "$T/mine.S"
rm -f "$T/mine.elf"
build build-43
run_guide run-43
expect_rc 1
expect_out "FAIL: cvisor ADD of 30, 10 and 2 (got 0x000000000000002a)"

finish
