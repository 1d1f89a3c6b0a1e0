# SPDX-License-Identifier: MIT
# The graders' helpers (docs/labs.md). A lab's grader, labs/N-name/grade.sh,
# is run from the top of the tree as `sh labs/N-name/grade.sh BUILD` (by
# `make grade LAB=N`, which builds first) and starts with `. labs/lib.sh`.
# This sources tests/sim/lib.sh (run_cvisor, run_bare, expect_*, sym, hex,
# own_config...; its OUT, ERR and OWN_DIR are removed at exit by its trap),
# sets BUILD (the first argument, default build), CVISOR ($BUILD/cvisor),
# LAB_NUM and LAB_NAME (from the grader's folder name) and, until the grader
# calls guests_of itself, the AArch64 guests and configs. It adds:
#
#   grade_check POINTS "what this check is" FUNCTION [ARGS...]
#       runs FUNCTION (a function of the grader that runs guests and makes
#       expect_* checks); the check earns POINTS if none of those failed.
#       Prints "  WHAT: OK (P/P)" or "  WHAT: FAIL (0/P)" and then, indented,
#       what failed (the "ok" lines are not shown).
#   grade_finish
#       prints "lab N (name): score S/T" and exits 0 only if S == T.

. tests/sim/lib.sh

BUILD=${1:-build}
# shellcheck disable=SC2034 # (run_cvisor's)
CVISOR=$BUILD/cvisor
guests_of aarch64

LAB_DIR=$(basename "$(dirname "$0")")
LAB_NUM=${LAB_DIR%%-*}
LAB_NAME=${LAB_DIR#*-}
GRADE_SCORE=0
GRADE_TOTAL=0

# fail, as tests/sim/lib.sh's, but first the "lab N: implement ..." lines
# this lab's stubs printed (what the student has to do next; later labs'
# stubs print theirs too, which the log below shows), then the last lines
# of the run's console and log.
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL - %s: %s\n' "$CASE" "$1"
	cat "$OUT" "$ERR" | grep -E "lab $LAB_NUM: implement " | awk '!seen[$0]++' | sed 's/^/  > /'
	echo "  --- stdout:"; tail -n 10 "$OUT" | sed 's/^/  | /'
	echo "  --- stderr:"; grep -v '^exit: ' "$ERR" | tail -n 10 | sed 's/^/  | /'
}

# grade_check POINTS WHAT FUNCTION [ARGS...]: see above. A check in which a
# step was skipped (skip: a tool is missing) earns nothing either.
grade_check() {
	pts=$1
	what=$2
	shift 2
	# (its own file, removed below: a grader may replace OUT, ERR, OWN_DIR
	# and their trap, as tests/gdb/lib.sh does)
	log=$(mktemp)
	failed_before=$FAILED
	skipped_before=$SKIPPED
	"$@" >"$log" 2>&1
	GRADE_TOTAL=$((GRADE_TOTAL + pts))
	if [ "$FAILED" -ne "$failed_before" ]; then
		printf '  %s: FAIL (0/%d)\n' "$what" "$pts"
		grep -v '^ok - ' "$log" | sed 's/^/    /'
	elif [ "$SKIPPED" -ne "$skipped_before" ]; then
		printf '  %s: SKIP (0/%d)\n' "$what" "$pts"
		grep '^skip - ' "$log" | sed 's/^/    /'
	else
		GRADE_SCORE=$((GRADE_SCORE + pts))
		printf '  %s: OK (%d/%d)\n' "$what" "$pts" "$pts"
	fi
	rm -f "$log"
}

# grade_finish: the total; exit status 0 only for full marks (and a grader
# that made at least one check).
grade_finish() {
	printf 'lab %s (%s): score %d/%d\n' "$LAB_NUM" "$LAB_NAME" "$GRADE_SCORE" "$GRADE_TOTAL"
	[ "$GRADE_TOTAL" -gt 0 ] && [ "$GRADE_SCORE" -eq "$GRADE_TOTAL" ]
	exit $?
}
