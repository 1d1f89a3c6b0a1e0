#!/bin/sh
# SPDX-License-Identifier: MIT
# The course labs' machinery (labs/lab.sh, labs/lib.sh; docs/labs.md) and the labs.
#   sh tests/labs.sh BUILD ARCH
#
# 1. The marker processor on the fixtures in tests/labs/fixtures/markers/:
#    what a skeleton makes of regions of earlier and later labs (indentation
#    kept, '#' regions of shell files), and each malformed region refused
#    with its file:line.
# 2. End to end on a tree of its own (tests/labs/fixtures/tree/: one C file,
#    one lab and its grader): the reference passes its grader, the skeleton
#    builds and fails it with "lab 0: implement ...", a skeleton's copy of the
#    build rebuilds only what its stubs changed; skeleton's refusals.
# 3. Every lab in labs/N-name/: its README has a Grading section; the reference tree (BUILD, built already)
#    passes `lab.sh grade N`; the skeleton of lab N, with a copy of BUILD so
#    that make rebuilds only the files with stubs, builds and fails its
#    grader with "lab N: implement", and the grader of the lab before N
#    passes in it (a student's tree with that lab done needs nothing of the
#    later labs). Each lab's times are printed on lines "# lab N: ...".
# shellcheck disable=SC2034 # (CASE: tests/sim/lib.sh's ok and fail read it)
set -u
BUILD=${1:-build}
. tests/sim/lib.sh
# This suite's make runs are its own (not a part of the make that ran it).
unset MAKEFLAGS MFLAGS MAKELEVEL
JOBS=$(nproc 2>/dev/null || echo 2)
TMP=$OWN_DIR/labs # removed at exit with OWN_DIR (tests/sim/lib.sh's trap)
mkdir -p "$TMP"
FIX=tests/labs/fixtures
MARK=$FIX/markers

# run CASE COMMAND...: runs COMMAND, its stdout in OUT, its stderr in ERR, RC its status.
run() {
	CASE=$1
	shift
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect_same FILE: OUT (what the command printed) is FILE, byte for byte.
expect_same() {
	if cmp -s "$OUT" "$1"; then
		ok "output is $1"
	else
		fail "output differs from $1: $(diff "$1" "$OUT" | head -n 6 | tr '\n' ' ')"
	fi
}

# expect_out_re REGEX: a line of OUT matches REGEX (extended).
expect_out_re() {
	if grep -qE -- "$1" "$OUT"; then ok "stdout: $1"; else fail "stdout lacks: $1"; fi
}

secs() { date +%s; }

# ---- 1. The marker processor -------------------------------------------------

for n in 0 1 2 3 4; do
	case $n in 0 | 1) want=0 ;; 2 | 3) want=2 ;; *) want=4 ;; esac
	run "strip-c-$n" sh labs/lab.sh strip $n $MARK/good.c
	expect_rc 0
	expect_same $MARK/good-$want.expected
done
run strip-sh-2 sh labs/lab.sh strip 2 $MARK/good.sh
expect_rc 0
expect_same $MARK/good-sh-2.expected
run strip-sh-3 sh labs/lab.sh strip 3 $MARK/good.sh
expect_rc 0
expect_same $MARK/good-sh-3.expected
run check-good sh labs/lab.sh check $MARK/good.c $MARK/good.sh
expect_rc 0

# check_bad FILE LINE MESSAGE: lab.sh check refuses FILE, naming FILE:LINE first.
check_bad() {
	run "check-$(basename "$1" .c)" sh labs/lab.sh check "$MARK/$1"
	expect_rc 1
	first=$(head -n 1 "$ERR")
	if [ "$first" = "$MARK/$1:$2: $3" ]; then
		ok "first error: $first"
	else
		fail "first error is '$first', expected '$MARK/$1:$2: $3'"
	fi
}
check_bad nested.c 5 "LAB 2 BEGIN inside the region of LAB 1 (line 4): regions do not nest"
check_bad missing-end.c 7 "stub line is not a // comment (region at line 4)"
expect_err "^$MARK/missing-end\\.c:4: LAB 1 BEGIN without its END\$"
check_bad mismatch.c 5 "LAB 2 STUB in the region of LAB 1 (line 4)"
check_bad no-stub.c 6 "LAB 4 END without its STUB (region at line 4)"
check_bad stub-code.c 7 "stub line is not a // comment (region at line 4)"

# The regions of this tree (labs/, src/...) are well formed.
run check-tree sh labs/lab.sh check
expect_rc 0

# ---- 2. End to end, on the fixture tree ---------------------------------------

# fixture_tree DIR: the fixture tree in DIR with this tree's lab machinery.
fixture_tree() {
	cp -a $FIX/tree "$1" && mkdir -p "$1/tests/sim" &&
		cp labs/lab.sh labs/lib.sh "$1/labs/" && cp tests/sim/lib.sh "$1/tests/sim/"
}
REF=$TMP/tree
fixture_tree "$REF"
run fixture-build make -C "$REF" -s all
expect_rc 0
run fixture-reference sh "$REF/labs/lab.sh" grade 0
expect_rc 0
expect_out "  add(2, 3) is 5: OK (2/2)"
expect_out "  the program exits with status 0: OK (1/1)"
expect_out "lab 0 (example): score 3/3"
run fixture-list sh "$REF/labs/lab.sh" list
expect_rc 0
expect_out "lab 0 (example): an example lab"
expect_out "  src/main.c:10: add two numbers in add()"
expect_out "lab 1 (no labs/1-* folder):"
expect_out "  src/main.c:22: double a number in twice()"

run fixture-skeleton-0 sh "$REF/labs/lab.sh" skeleton 0 "$TMP/skel0"
expect_rc 0
expect_out "lab.sh: skeleton of lab 0 in $(cd "$TMP" && pwd -P)/skel0 (1 files with stubs)"
run fixture-skeleton-0-markers grep -rnE '(//|#) LAB [0-9]+ (BEGIN|STUB|END)' "$TMP/skel0/src"
expect_rc 1
# The copied build: the stubbed file is newer than the program (make rebuilds it).
cp -a "$REF/build" "$TMP/skel0/build"
run fixture-skeleton-0-stale make -C "$TMP/skel0" -q all
expect_rc 1
run fixture-skeleton-0-build make -C "$TMP/skel0" -s all
expect_rc 0
CASE=fixture-skeleton-0-grade
(cd "$TMP/skel0" && sh labs/lab.sh grade 0) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 1
expect_out "  add(2, 3) is 5: FAIL (0/2)"
expect_out "    FAIL - sum: console lacks line: sum 5"
expect_out "      > cvisor: lab 0: implement add two numbers in add()"
expect_out "  the program exits with status 0: OK (1/1)"
expect_out "lab 0 (example): score 1/3"
expect_no_out "ok - "

# Skeleton 2: both regions are of earlier labs (reference code kept, markers
# removed); the file keeps its time, so the copied build is up to date.
run fixture-skeleton-2 sh "$REF/labs/lab.sh" skeleton 2 "$TMP/skel2"
expect_rc 0
expect_out "lab.sh: skeleton of lab 2 in $(cd "$TMP" && pwd -P)/skel2 (0 files with stubs)"
cp -a "$REF/build" "$TMP/skel2/build"
run fixture-skeleton-2-fresh make -C "$TMP/skel2" -q all
expect_rc 0
CASE=fixture-skeleton-2-grade
(cd "$TMP/skel2" && sh labs/lab.sh grade 0) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0
expect_out "lab 0 (example): score 3/3"

# Refusals: a DEST inside the tree, a DEST not empty, a malformed region
# (then nothing is written), a lab that is not there.
run skeleton-inside sh "$REF/labs/lab.sh" skeleton 0 "$REF/build/x"
expect_rc 2
expect_err "^lab\\.sh: skeleton: .*/build/x is inside this tree \\(.*\\); give a folder outside it\$"
run skeleton-not-empty sh "$REF/labs/lab.sh" skeleton 0 "$TMP/skel0"
expect_rc 2
expect_err "^lab\\.sh: skeleton: .*/skel0 exists and is not empty\$"
BAD=$TMP/bad
fixture_tree "$BAD"
cp $MARK/nested.c "$BAD/src/nested.c"
run skeleton-malformed sh "$BAD/labs/lab.sh" skeleton 0 "$TMP/skel-bad"
expect_rc 2
expect_err "^src/nested\\.c:5: LAB 2 BEGIN inside the region of LAB 1 \\(line 4\\): regions do not nest\$"
expect_err "^lab\\.sh: skeleton: malformed regions \\(above\\); nothing written\$"
if [ -e "$TMP/skel-bad" ]; then fail "$TMP/skel-bad was written"; else ok "nothing written"; fi
run grade-unknown sh "$REF/labs/lab.sh" grade 7
expect_rc 2
expect_err "^lab\\.sh: no lab 7; the labs: 0-example\$"
run make-grade-no-lab make -s grade
expect_rc 2
expect_err "^lab\\.sh: give the lab's number: make grade LAB=n, make lab-skeleton LAB=n DEST=DIR; the labs: "

# ---- 3. The labs --------------------------------------------------------------

prev=""
prev_name=""
# (by number: labs/10-x after labs/9-y)
for dir in $(ls -d labs/[0-9]*-*/ 2>/dev/null | sort -t/ -k2n); do
	[ -f "$dir/grade.sh" ] || continue
	dir=${dir%/}
	base=$(basename "$dir")
	n=${base%%-*}

	CASE=lab-$n-readme
	if [ -f "$dir/README.md" ] && grep -q '^#.*Grading' "$dir/README.md"; then
		ok "$dir/README.md has a Grading section"
	else
		fail "$dir/README.md is missing or has no Grading section"
	fi

	t0=$(secs)
	CASE=lab-$n-reference
	sh labs/lab.sh grade "$n" "$BUILD" >"$OUT" 2>"$ERR"
	RC=$?
	expect_rc 0
	expect_out_re "^lab $n \\(${base#*-}\\): score ([0-9]+)/\\1\$"
	t1=$(secs)

	skel=$TMP/skel-$n
	run "lab-$n-skeleton" sh labs/lab.sh skeleton "$n" "$skel"
	expect_rc 0
	# The reference build, so that make rebuilds only what the stubs changed
	# (not build/linux, which no grader builds).
	case $BUILD in
	/*) ;;
	*)
		mkdir -p "$skel/$BUILD"
		for e in "$BUILD"/* "$BUILD"/.[!.]*; do
			[ -e "$e" ] || continue
			case $e in */linux) continue ;; esac
			cp -a "$e" "$skel/$BUILD/"
		done
		;;
	esac
	t2=$(secs)
	run "lab-$n-skeleton-build" make -C "$skel" -j"$JOBS" --no-print-directory BUILD="$BUILD" all
	expect_rc 0
	t3=$(secs)
	if [ "$RC" -ne 0 ]; then
		# (its grader would run the reference's programs, copied with the build)
		fail "skeleton of lab $n does not build: not graded"
		rm -rf "$skel"
		continue
	fi
	CASE=lab-$n-skeleton-grade
	(cd "$skel" && sh labs/lab.sh grade "$n" "$BUILD") >"$OUT" 2>"$ERR"
	RC=$?
	t4=$(secs)
	expect_rc 1
	expect_out_re "lab $n: implement "
	expect_out_re "^lab $n \\(${base#*-}\\): score [0-9]+/[0-9]+\$"
	echo "# lab $n: reference graded in $((t1 - t0)) s; skeleton made in $((t2 - t1)) s, built in $((t3 - t2)) s, graded in $((t4 - t3)) s"
	# This skeleton is the tree of a student who has done the previous lab
	# (its regions hold the reference) and none after it: that lab's
	# grader must pass here, needing nothing of the later labs.
	if [ -n "$prev" ]; then
		CASE=lab-$prev-done
		(cd "$skel" && sh labs/lab.sh grade "$prev" "$BUILD") >"$OUT" 2>"$ERR"
		RC=$?
		expect_rc 0
		expect_out_re "^lab $prev \\(${prev_name}\\): score ([0-9]+)/\\1\$"
		echo "# lab $prev: graded in skeleton $n in $(($(secs) - t4)) s"
	fi
	prev=$n
	prev_name=${base#*-}
	rm -rf "$skel"
done

finish
