#!/bin/sh
# SPDX-License-Identifier: MIT
# The course labs' solution regions, skeletons and graders (docs/labs.md).
#
#   sh labs/lab.sh list               the labs (number, name, title) and each
#                                     lab's regions (file:line: what)
#   sh labs/lab.sh skeleton N DEST    a student's tree: the repository's files
#                                     copied to DEST with the regions of lab N
#                                     and of every later lab replaced by their
#                                     stubs (earlier labs keep the reference
#                                     code); the markers removed
#   sh labs/lab.sh grade N [BUILD]    runs labs/N-*/grade.sh BUILD (default build)
#   sh labs/lab.sh dir N              prints labs/N-name, or says which labs exist
#   sh labs/lab.sh check [FILE...]    checks the regions of the tree (or of FILEs)
#   sh labs/lab.sh strip N FILE       prints FILE as skeleton N would write it
#
# A region, in a C, header, assembly or shell file (the marker lines may be
# indented; in shell files '#' takes the place of '//'):
#
#   //<sp>LAB 3 BEGIN: what the student writes
#   ... the reference code ...
#   //<sp>LAB 3 STUB
#   //<sp>the stub's code, each line behind the comment prefix
#   //<sp>LAB 3 END
#
# (<sp> is one space.) Regions do not nest; a stub line is a comment (or
# empty). The files searched are the repository's files (git ls-files in a
# git checkout, else every file outside build directories and .git) but for
# Markdown (*.md: the docs show regions as examples) and tests/labs/fixtures/
# (the processor's own test cases, broken on purpose). Every command runs from
# the top of the tree this script belongs to.
set -u
CALLER=$(pwd -P)
TOP=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$TOP" || exit 2

die() {
	echo "lab.sh: $*" >&2
	exit 2
}

# The awk program that reads one file's regions. Variables: n (the first
# lab to stub; -1: check only), mode ("strip": print the result; "check":
# print nothing; "list": print "LAB<tab>FILE:LINE: WHAT" per region).
# Errors go to stderr as FILE:LINE: MESSAGE; the exit status is then 1.
# shellcheck disable=SC2016 # (awk's $0, not the shell's)
AWK_REGIONS='
function err(line, msg) {
	printf "%s:%d: %s\n", FILENAME, line, msg > "/dev/stderr"
	bad = 1
}
# marker(s): sets kind (BEGIN, STUB, END or ""), mlab, mwhat, mpre for line s.
function marker(s,   t, rest) {
	kind = ""
	t = s
	sub(/^[ \t]*/, "", t)
	if (substr(t, 1, 3) == "// ") { mpre = "//"; rest = substr(t, 4) }
	else if (substr(t, 1, 2) == "# ") { mpre = "#"; rest = substr(t, 3) }
	else return
	if (rest !~ /^LAB [0-9]+ (BEGIN|STUB|END)/) return
	sub(/^LAB /, "", rest)
	mlab = rest
	sub(/ .*/, "", mlab)
	mlab += 0
	sub(/^[0-9]+ /, "", rest)
	if (rest ~ /^BEGIN(: .*)?$/) {
		kind = "BEGIN"
		mwhat = rest
		sub(/^BEGIN(: )?/, "", mwhat)
	} else if (rest == "STUB") kind = "STUB"
	else if (rest == "END") kind = "END"
	else { kind = "BAD"; mwhat = rest }
}
FNR == 1 { state = 0 }
{
	marker($0)
	if (kind == "BAD") {
		err(FNR, "malformed marker \"" mwhat "\" (BEGIN: WHAT, STUB or END)")
		next
	}
	if (state == 0) {
		if (kind == "") { if (mode == "strip") print; next }
		if (kind != "BEGIN") {
			err(FNR, "LAB " mlab " " kind " outside a region (no BEGIN before it)")
			next
		}
		state = 1; rlab = mlab; rline = FNR; rpre = mpre; nstub = 0
		if (mode == "list") printf "%d\t%s:%d: %s\n", rlab, FILENAME, FNR, mwhat
		next
	}
	if (kind == "BEGIN") {
		err(FNR, "LAB " mlab " BEGIN inside the region of LAB " rlab " (line " rline "): regions do not nest")
		next
	}
	if (kind != "" && mlab != rlab) {
		err(FNR, "LAB " mlab " " kind " in the region of LAB " rlab " (line " rline ")")
		next
	}
	if (state == 1) {
		if (kind == "END") { err(FNR, "LAB " mlab " END without its STUB (region at line " rline ")"); state = 0; next }
		if (kind == "STUB") { state = 2; next }
		if (mode == "strip" && rlab < n) print
		next
	}
	# state 2: the stub
	if (kind == "STUB") { err(FNR, "a second LAB " mlab " STUB (region at line " rline ")"); next }
	if (kind == "END") {
		state = 0
		if (mode == "strip" && rlab >= n)
			for (i = 1; i <= nstub; i++) print stub[i]
		next
	}
	t = $0
	if (t ~ /^[ \t]*$/) { stub[++nstub] = ""; next }
	ind = t
	sub(/[^ \t].*/, "", ind)
	sub(/^[ \t]*/, "", t)
	if (substr(t, 1, length(rpre)) != rpre) {
		err(FNR, "stub line is not a " rpre " comment (region at line " rline ")")
		next
	}
	t = substr(t, length(rpre) + 1)
	sub(/^ /, "", t)
	stub[++nstub] = (t == "" ? "" : ind t)
}
END {
	if (state != 0) err(rline, "LAB " rlab " BEGIN without its END")
	exit bad
}'

# regions MODE N FILE...: runs the awk program over FILEs one at a time (a
# region left open at one file's end is that file's error).
# (sh has no local variables: these are r_-prefixed.)
regions() {
	r_mode=$1
	r_n=$2
	shift 2
	r_st=0
	for r_f in "$@"; do
		awk -v mode="$r_mode" -v n="$r_n" "$AWK_REGIONS" "$r_f" || r_st=1
	done
	return $r_st
}

# tree_files: the files of the tree, one a line, relative to the top.
tree_files() {
	if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$TOP" ]; then
		git -c core.quotepath=off ls-files | while IFS= read -r f; do
			[ -f "$f" ] && printf '%s\n' "$f"
		done
	else
		find . \( -name .git -o -name 'build' -o -name 'build-*' \) -prune -o -type f -print |
			sed 's|^\./||' | LC_ALL=C sort
	fi
}

# marked_files: the files of the tree that may hold regions and have a marker line.
marked_files() {
	tree_files | grep -v -e '\.md$' -e '^tests/labs/fixtures/' | tr '\n' '\0' |
		xargs -0 grep -lE '^[[:space:]]*(//|#) LAB [0-9]+ (BEGIN|STUB|END)' 2>/dev/null
}

# lab_dirs: labs/N-name for every lab, by number.
lab_dirs() {
	for d in labs/[0-9]*-*/; do
		[ -d "$d" ] && printf '%s\n' "${d%/}"
	done | sort -t/ -k2n
}

known_labs() {
	l=$(lab_dirs | sed 's|^labs/||' | tr '\n' ' ' | sed 's/ $//')
	echo "${l:-(none)}"
}

# lab_dir N: labs/N-name, or an error naming the labs there are.
lab_dir() {
	case ${1:-} in
	'' | *[!0-9]*) die "give the lab's number: make grade LAB=n, make lab-skeleton LAB=n DEST=DIR; the labs: $(known_labs)" ;;
	esac
	for d in labs/"$1"-*/; do
		if [ -d "$d" ]; then
			printf '%s\n' "${d%/}"
			return 0
		fi
	done
	die "no lab $1; the labs: $(known_labs)"
}

cmd_list() {
	tmp=$(mktemp)
	# shellcheck disable=SC2046
	regions list 0 $(marked_files) >"$tmp" || st=1
	for d in $(lab_dirs); do
		base=${d#labs/}
		num=${base%%-*}
		title=$(sed -n 's/^# *//p' "$d/README.md" 2>/dev/null | head -n 1 | sed 's/^[Ll]ab [0-9]*[:.] *//')
		echo "lab $num (${base#*-}): ${title:-(no README.md)}"
		awk -F '\t' -v l="$num" '$1 == l { print "  " $2 }' "$tmp"
	done
	# Regions of a lab without a folder.
	cut -f1 "$tmp" | sort -un | while read -r l; do
		lab_dirs | grep -q "^labs/$l-" && continue
		echo "lab $l (no labs/$l-* folder):"
		awk -F '\t' -v l="$l" '$1 == l { print "  " $2 }' "$tmp"
	done
	rm -f "$tmp"
	return "${st:-0}"
}

# dest_path DEST: DEST made absolute (a leading ~/ is $HOME's), its parent created.
dest_path() {
	d=$1
	# shellcheck disable=SC2088 # (a ~ the caller's shell left as it was)
	case $d in
	"~") d=$HOME ;;
	"~/"*) d=$HOME/${d#"~/"} ;;
	esac
	case $d in
	/*) ;;
	*) d=$CALLER/$d ;;
	esac
	parent=$(dirname "$d")
	mkdir -p "$parent" || die "cannot create $parent"
	printf '%s/%s\n' "$(cd "$parent" && pwd -P)" "$(basename "$d")"
}

cmd_skeleton() {
	[ $# -eq 2 ] || die "usage: lab.sh skeleton N DEST"
	n=$1
	case $n in '' | *[!0-9]*) die "skeleton: the lab is a number, not '$n'" ;; esac
	dest=$(dest_path "$2") || exit 2
	case $dest/ in
	"$TOP"/*) die "skeleton: $2 is inside this tree ($TOP); give a folder outside it" ;;
	esac
	case $TOP/ in
	"$dest"/*) die "skeleton: $2 holds this tree; give a folder outside it" ;;
	esac
	if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
		die "skeleton: $2 exists and is not empty"
	fi
	marked=$(marked_files)
	# Every region checked before anything is written.
	# shellcheck disable=SC2086
	regions check 0 $marked || die "skeleton: malformed regions (above); nothing written"
	mkdir -p "$dest" || die "cannot create $dest"
	# The files as they are (tar keeps their times: a build folder copied
	# along stays up to date for every file the stubs do not change).
	tree_files | tar -cf - -T - | (cd "$dest" && tar -xf -) || die "skeleton: copying to $dest failed"
	stubbed=0
	for f in $marked; do
		# (written into the copy tar made, which keeps the file's mode)
		regions strip "$n" "$f" >"$dest/$f" || die "skeleton: $f"
		# A file with no region of lab >= n differs only in its marker
		# comments: it keeps its time, so nothing is rebuilt for it.
		if awk -v n="$n" '
			/^[ \t]*(\/\/|#) LAB [0-9]+ BEGIN/ { t = $0; sub(/^[ \t]*(\/\/|#) LAB /, "", t); if (t + 0 >= n) found = 1 }
			END { exit !found }' "$f"; then
			stubbed=$((stubbed + 1))
		else
			touch -r "$f" "$dest/$f"
		fi
	done
	echo "lab.sh: skeleton of lab $n in $dest ($stubbed files with stubs)"
}

cmd_grade() {
	if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: lab.sh grade N [BUILD]"; fi
	d=$(lab_dir "$1") || exit 2
	[ -f "$d/grade.sh" ] || die "$d has no grade.sh"
	exec sh "$d/grade.sh" "${2:-build}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
list) cmd_list ;;
skeleton) cmd_skeleton "$@" ;;
grade) cmd_grade "$@" ;;
dir) lab_dir "${1:-}" ;;
check)
	if [ $# -gt 0 ]; then
		cd "$CALLER" && regions check 0 "$@"
	else
		# shellcheck disable=SC2046
		regions check 0 $(marked_files)
	fi
	;;
strip)
	[ $# -eq 2 ] || die "usage: lab.sh strip N FILE"
	case $1 in '' | *[!0-9]*) die "strip: the lab is a number, not '$1'" ;; esac
	cd "$CALLER" && regions strip "$1" "$2"
	;;
*) die "usage: lab.sh list | skeleton N DEST | grade N [BUILD] | dir N | check [FILE...] | strip N FILE" ;;
esac
