#!/bin/sh
# SPDX-License-Identifier: MIT
# Stage-2 changes that cost in proportion to what they change: a guest makes
# every other page of 8 MiB read-only with MEM_PROTECT, one call per page,
# checks every page, makes them all writable again and stores to each, then
# protects them again and stores to page N, which must be a stage-2
# permission fault naming that page (hostile_protect.S). Each run has a
# well-behaved neighbour VM that must still finish. --max-seconds is only a
# safety net (the runs take about a second); the time goes to make bench.
#   tests/sim/stage2_cost.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

# protect_case ARCH PAGE: the guest's last store goes to PAGE (odd: read-only).
protect_case() {
	guests_of "$1"
	cfg=$(own_config hostile_protect -e "s|^cmdline = .*|cmdline = \"s2page=$2\"|")
	run_cvisor "protect-$1-page-$2" run --max-seconds=60 $CFG/hello.toml "$cfg"
	expect_out "[hello] Hello from cvisor guest ($1)!"
	expect_out "[hostile_protect] hostile_protect: every other page read-only (1024 calls)"
	expect_out "[hostile_protect] hostile_protect: even pages written, odd pages read"
	expect_out "[hostile_protect] hostile_protect: all writable again, every page written (1024 calls)"
	expect_no_out "FAIL"
	expect_no_out "still running"
	if [ $(($2 % 2)) -eq 0 ]; then
		expect_rc 0
		expect_out "[hostile_protect] hostile_protect: the store completed"
		return
	fi
	expect_rc 1
	expect_no_out "the store completed"
	gpa=$(printf '%x' $((0x$(sym hostile_protect pages) + $2 * 0x1000)))
	expect_stage2_fault hostile_protect write 8 "$gpa" "RAM without this permission" \
		"$(sym hostile_protect hostile_store)"
}

for a in aarch64 riscv64; do
	if [ "$a" != aarch64 ] && [ ! -x "$BUILD/$a/cvisor" ]; then
		CASE=protect-$a
		skip "$BUILD/$a/cvisor not built"
		continue
	fi
	# The first, a middle and the last read-only page; an even (writable) one.
	for page in 1 1023 2047 1024; do
		protect_case "$a" "$page"
	done
done
finish
