#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every test suite and ends with one line "N passed, N failed".
#   tests/run.sh BUILD ARCH
# Unit suites are CMocka programs (their summary goes to stderr, so both
# streams are captured); simulator suites are shell scripts that print
# one "ok"/"FAIL" line per check and a final "N passed, N failed".
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # suite-name passed failed
	printf '%-28s %4d passed, %d failed\n' "$1" "$2" "$3"
	passed=$((passed + $2))
	failed=$((failed + $3))
}

echo "== unit tests (CMocka)"
for t in "$BUILD"/tests/test_* "$BUILD"/tests/*/test_*; do
	[ -x "$t" ] || continue
	case $t in
	"$BUILD"/tests/test_*) name=$(basename "$t") ;;
	*) name=$(basename "$(dirname "$t")")/$(basename "$t") ;;
	esac
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or failed without a summary: count the suite as one failure
		f=1
		echo "$name: exited with status $rc without a test summary:"
	fi
	[ "$f" -ne 0 ] && sed 's/^/    /' "$log" | grep -E 'FAIL|ERROR|error|Assert|status' | head -n 30
	count "$name" "$p" "$f"
done

for suite in tests/sim/*.sh tests/bare/*.sh; do
	[ -f "$suite" ] || continue
	name=$(basename "$suite" .sh)
	[ "$name" = lib ] && continue # the suites' shared helpers, not a suite
	case $suite in
	tests/bare/*) echo "== bare-metal tests (QEMU): $name" ;;
	*) echo "== simulator tests: $name" ;;
	esac
	sh "$suite" "$BUILD" "$ARCH" >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|not ok)' "$log" | head -n 40
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$res" ]; then
		echo "$name: no summary line (exit status $rc); last lines:"
		tail -n 20 "$log" | sed 's/^/    /'
		count "$name" 0 1
	else
		count "$name" "$(echo "$res" | cut -d' ' -f1)" "$(echo "$res" | cut -d' ' -f3)"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
