#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for make fuzz (mk/fuzz.mk), or prints the summary.
#
#   run.sh TARGET DIR SEEDS SECONDS TIMEOUT RSS_MB [DICT]
#       runs DIR/TARGET for SECONDS with its corpus in DIR/corpus/TARGET
#       (seeded from SEEDS), reproducers in DIR/artifacts/TARGET/, the
#       fuzzer's log in DIR/logs/TARGET.log; prints one line of figures,
#       and for a crash the reproducer and the command that replays it;
#       writes DIR/results/TARGET ("executions seconds crashes timeouts ooms").
#       Exits 0 whatever the fuzzer found: the summary decides.
#   run.sh --summary DIR TARGET...
#       one line for all targets; exits 1 if any found something or did not run.
set -u

if [ "$1" = --summary ]; then
	dir=$2
	shift 2
	n=0 execs=0 secs=0 crashes=0 timeouts=0 ooms=0 missing=""
	for t in "$@"; do
		if [ ! -f "$dir/results/$t" ]; then
			missing="$missing $t"
			continue
		fi
		read -r e s c h o <"$dir/results/$t"
		n=$((n + 1)) execs=$((execs + e)) secs=$((secs + s))
		crashes=$((crashes + c)) timeouts=$((timeouts + h)) ooms=$((ooms + o))
	done
	echo "fuzz: $n targets, $execs executions in $secs s, $crashes crashes," \
		"$timeouts timeouts, $ooms out-of-memory${missing:+, did not run:$missing}"
	[ -z "$missing" ] && [ $((crashes + timeouts + ooms)) -eq 0 ]
	exit
fi

name=$1 dir=$2 seeds=$3 seconds=$4 timeout=$5 rss=$6 dict=${7:-}
bin=$dir/$name
corpus=$dir/corpus/$name
art=$dir/artifacts/$name
log=$dir/logs/$name.log
mkdir -p "$corpus" "$art" "$dir/logs" "$dir/results"
stamp=$dir/logs/$name.start
: >"$stamp"
# Reproducers of earlier runs stay; only the ones this run writes are counted.

t0=$(date +%s)
"$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" \
	-artifact_prefix="$art/" -print_final_stats=1 ${dict:+-dict="$dict"} \
	"$corpus" "$seeds" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - t0))

count() {
	find "$art" -maxdepth 1 -name "$1-*" -newer "$stamp" | wc -l
}
crashes=$(($(count crash) + $(count leak) + $(count deadly)))
timeouts=$(count timeout)
ooms=$(count oom)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
execs=${execs:-0}
units=$(find "$corpus" -type f | wc -l)
if [ "$rc" -ne 0 ] && [ $((crashes + timeouts + ooms)) -eq 0 ]; then
	crashes=1 # it failed without a reproducer: count it, the log says why
fi
echo "$execs $secs $crashes $timeouts $ooms" >"$dir/results/$name"
echo "fuzz $name: $execs executions in $secs s ($((execs / (secs > 0 ? secs : 1)))/s)," \
	"$crashes crashes, $timeouts timeouts, $ooms out-of-memory, corpus $units inputs"
if [ $((crashes + timeouts + ooms)) -ne 0 ]; then
	grep -m 3 -e '^fuzz invariant broken' -e 'runtime error:' -e '^SUMMARY:' -e 'ERROR: libFuzzer' "$log" |
		sed "s/^/fuzz $name: /"
	for f in $(find "$art" -maxdepth 1 -type f -newer "$stamp"); do
		echo "fuzz $name: reproducer kept: $f"
		echo "fuzz $name: replay: $bin $f"
	done
	echo "fuzz $name: log: $log"
fi
exit 0
