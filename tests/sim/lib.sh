# SPDX-License-Identifier: MIT
# Helpers for simulator test suites: run a guest, then check its console
# output, cvisor's messages and exit status. Each check prints "ok - ..."
# or "FAIL - ..." and is counted; finish prints "N passed, N failed".

PASSED=0
FAILED=0
OUT=$(mktemp)
ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"' EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $CASE: $1"; }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL - $CASE: $1"
	echo "  --- stdout:"; tail -n 15 "$OUT" | sed 's/^/  | /'
	echo "  --- stderr:"; grep -v '^exit: ' "$ERR" | tail -n 15 | sed 's/^/  | /'
}

# run_cvisor CASE ARGS...: runs build/cvisor with a time limit of its own
# (so a hung simulator fails the check instead of the whole run).
run_cvisor() {
	CASE=$1
	shift
	timeout 60 "$CVISOR" "$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" -eq "$1" ]; then ok "exit status $1"; else fail "exit status $RC, expected $1"; fi
}
# expect_out TEXT: a line of stdout equals TEXT
expect_out() {
	if grep -qxF -- "$1" "$OUT"; then ok "console: $1"; else fail "console lacks line: $1"; fi
}
# expect_no_out TEXT: no line of stdout contains TEXT
expect_no_out() {
	if grep -qF -- "$1" "$OUT"; then fail "console has: $1"; else ok "console has no: $1"; fi
}
# expect_err REGEX: a line of stderr matches REGEX (extended)
expect_err() {
	if grep -qE -- "$1" "$ERR"; then ok "stderr: $1"; else fail "stderr lacks: $1"; fi
}
# expect_count REGEX OP N: the number of stderr lines matching REGEX compares (OP: -eq, -ge...) with N
expect_count() {
	n=$(grep -cE -- "$1" "$ERR")
	if [ "$n" "$2" "$3" ]; then ok "$n lines /$1/ ($2 $3)"; else fail "$n lines /$1/, expected $2 $3"; fi
}
# expect_stat NAME OP N: from the --stats line of vm 1 vcpu 0
expect_stat() {
	v=$(sed -n "s/^stats: vm=[0-9]* vcpu=0.* $1=\([0-9]*\).*/\1/p" "$ERR" | head -n 1)
	v=${v:--1}
	if [ "$v" "$2" "$3" ]; then ok "stat $1=$v ($2 $3)"; else fail "stat $1=$v, expected $2 $3"; fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
