#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the test suites and ends with one line "N passed, N failed, N skipped".
#   tests/run.sh BUILD ARCH [KIND...]
# KIND: unit, sim, bare, gdb, labs (default: all five; `make test SANITIZE=1` runs
# unit sim gdb). labs: tests/labs.sh, the course labs' machinery, each lab's
# grader on the reference tree and on its skeleton.
#
# Unit suites are CMocka programs: each test's "[ RUN      ]" and
# "[  SKIPPED ] NAME" lines and what it prints go to stdout, the summary
# ("[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)...", "[  SKIPPED ] N
# test(s), listed below:" and the names) to stderr, so both are read. A
# skipped test's reason is the line "skip: REASON" it printed before skip().
# Shell suites print one "ok"/"FAIL"/"skip" line per check and a final
# "N passed, N failed, N skipped".
# Every skip is printed as "skip - SUITE/CASE: REASON" (.ci/run compares
# them with tests/expected-skips).
#
# The shell suites run in two lanes at once, one after the other within a
# lane: the bare-metal suites (QEMU and Bochs, which rebuild the same bare
# images, so never two at a time) in one, the simulator and debugger suites
# and the labs in the other (about 4 minutes each on 2 cores). Their results are printed in the order
# below, each once its suite has ended. TEST_LANES=1 runs every suite in
# one lane.
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
KINDS="unit sim bare gdb labs"
if [ $# -gt 2 ]; then
	shift 2
	KINDS=$*
fi
# A sanitizer report (make test SANITIZE=1) names where it was found, and ends
# the program with status 86, which no check expects (cvisor's own are 0, 1, 2).
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:exitcode=86}"
passed=0
failed=0
skipped=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

count() { # suite-name passed failed skipped [seconds]
	printf '%-28s %4d passed, %d failed, %d skipped%s\n' "$1" "$2" "$3" "$4" "${5:+ ($5 s)}"
	passed=$((passed + $2))
	failed=$((failed + $3))
	skipped=$((skipped + $4))
}

wants() { case " $KINDS " in *" $1 "*) return 0 ;; esac; return 1; }

# unit_skips NAME: "skip - NAME/TEST: REASON" for each test CMocka skipped.
unit_skips() {
	sed -n '/^\[  SKIPPED \] [0-9]* test(s), listed below:/,$ s/^\[  SKIPPED \] \([A-Za-z_0-9]*\)$/\1/p' "$err" |
		while read -r t; do
			why=$(sed -n "/^\[ RUN      \] $t\$/,/^\[  SKIPPED \] $t\$/ s/^skip: //p" "$out" | tail -n 1)
			echo "skip - $1/$t: ${why:-(no reason printed)}"
		done
}

run_unit() { # program name
	"$1" >"$out" 2>"$err"
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$err" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$err" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:$/\1/p' "$err" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed (a sanitizer report, an abort) or failed without a summary: one failure
		f=1
		echo "$2: exited with status $rc without a test summary:"
		cat "$out" "$err" | tail -n 40 | sed 's/^/    /'
	elif [ "$f" -ne 0 ]; then
		cat "$out" "$err" | grep -E 'FAIL|ERROR|error|Assert|status' | head -n 30 | sed 's/^/    /'
	fi
	unit_skips "$2"
	count "$2" "$p" "$f" "$s"
}

# report_suite NAME OUT RC SECONDS: a shell suite's failures, skips and
# counts, from its output OUT, and how long it ran.
report_suite() {
	grep -E '^(FAIL|not ok)' "$2" | head -n 40
	sed -n "s|^skip - |skip - $1/|p" "$2"
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$2" | tail -n 1)
	if [ -z "$res" ]; then
		echo "$1: no summary line (exit status $3); last lines:"
		tail -n 20 "$2" | sed 's/^/    /'
		count "$1" 0 1 0 "$4"
	else
		# shellcheck disable=SC2086
		count "$1" $(echo "$res" | awk '{ print $1, $3, $5 }') "$4"
	fi
}

if wants unit; then
	echo "== unit tests (CMocka)"
	for t in "$BUILD"/tests/test_* "$BUILD"/tests/*/test_*; do
		[ -x "$t" ] || continue
		name=unit/${t#"$BUILD"/tests/}
		run_unit "$t" "$name"
	done
fi

# The shell suites to run, one a line: index, lane, script, name, heading.
lanes=$(mktemp -d)
trap 'kill $lane_pids 2>/dev/null; rm -rf "$out" "$err" "$lanes"' EXIT
trap 'exit 130' INT TERM
lane_pids=
i=0
for suite in tests/sim/*.sh tests/bare/*.sh tests/gdb/*.sh tests/labs.sh; do
	[ -f "$suite" ] || continue
	case $suite in */lib.sh) continue ;; esac # the suites' shared helpers, not a suite
	name=${suite#tests/}
	name=${name%.sh}
	case $name in
	bare/*) wants bare || continue; lane=2 heading="bare-metal tests (QEMU)" ;;
	gdb/*) wants gdb || continue; lane=1 heading="debugger tests (gdb-multiarch)" ;;
	labs) wants labs || continue; lane=1 heading="course labs" ;;
	*) wants sim || continue; lane=1 heading="simulator tests" ;;
	esac
	[ "${TEST_LANES:-2}" = 1 ] && lane=1
	i=$((i + 1))
	echo "$i $lane $suite $name $heading" >>"$lanes/list"
done

# A lane: its suites in order, each one's output in N.out, then its status in N.rc.
for lane in 1 2; do
	[ -f "$lanes/list" ] || break
	while read -r n l suite name heading; do
		[ "$l" = "$lane" ] || continue
		t0=$(date +%s)
		sh "$suite" "$BUILD" "$ARCH" >"$lanes/$n.out" 2>&1 </dev/null
		echo $? >"$lanes/$n.rc.tmp"
		echo $(($(date +%s) - t0)) >"$lanes/$n.time"
		mv "$lanes/$n.rc.tmp" "$lanes/$n.rc"
	done <"$lanes/list" &
	lane_pids="$lane_pids $!"
done

# The results in the list's order, each as soon as its suite has ended.
if [ -f "$lanes/list" ]; then
	while read -r n l suite name heading; do
		echo "== $heading: $name"
		while [ ! -f "$lanes/$n.rc" ]; do
			sleep 0.2
		done
		report_suite "$name" "$lanes/$n.out" "$(cat "$lanes/$n.rc")" "$(cat "$lanes/$n.time")"
	done <"$lanes/list"
fi
wait

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
