# SPDX-License-Identifier: MIT
# Helpers for the debugger suites (tests/gdb/): the simulator's gdb stub
# driven by the real gdb-multiarch in batch mode. Built on tests/sim/lib.sh
# (ok/fail/skip, the counts, expect_*): a session leaves cvisor's output in
# OUT, ERR and RC, and gdb's in GDBOUT.

. tests/sim/lib.sh
GDBOUT=$(mktemp)
GDBCMD=$(mktemp)
trap 'rm -rf "$OUT" "$ERR" "$OWN_DIR" "$GDBOUT" "$GDBCMD"' EXIT

command -v gdb-multiarch >/dev/null 2>&1 || skip_suite "gdb-multiarch is not installed"

# stub_port: the port cvisor's stub listens on, from its first line on stderr.
stub_port() {
	sed -n 's/^cvisor: gdb stub for vm .* on \(127\.0\.0\.1\|\[[^]]*\]\|[0-9.]*\):\([0-9]*\).*/\2/p' "$ERR" | head -n 1
}

# start_stub CVISOR-ARGS...: starts cvisor in the background (PID) and waits
# until its stub listens (PORT); PORT is empty if it never did.
start_stub() {
	: >"$ERR" # not the last run's line
	timeout 60 "$CVISOR" "$@" </dev/null >"$OUT" 2>"$ERR" &
	PID=$!
	PORT=
	for _ in $(seq 1 100); do
		PORT=$(stub_port)
		[ -n "$PORT" ] && return
		kill -0 "$PID" 2>/dev/null || return
		sleep 0.05
	done
}

# gdb_session CASE ELF run CVISOR-ARGS... (stdin: gdb commands): runs cvisor run
# with --gdb=0 --gdb-wait, then gdb-multiarch in batch mode on ELF (the guest's
# symbols; "" for none) with the commands read from stdin, after `target
# remote`. Waits for cvisor (which must end by itself, or at its own time
# limit) and sets RC to its status.
gdb_session() {
	CASE=$1
	elf=$2
	shift 2
	cat >"$GDBCMD"
	command=$1
	shift
	start_stub "$command" --gdb=0 --gdb-wait "$@"
	if [ -z "$PORT" ]; then
		: >"$GDBOUT"
		wait "$PID"
		RC=$?
		return
	fi
	set -- -nx -batch -ex "set pagination off" -ex "set confirm off"
	[ -n "$elf" ] && set -- "$@" "$elf"
	set -- "$@" -ex "target remote 127.0.0.1:$PORT"
	# One -ex per command: an error (a read gdb is refused) ends only that command.
	while IFS= read -r line; do
		set -- "$@" -ex "$line"
	done <"$GDBCMD"
	timeout 60 gdb-multiarch "$@" >"$GDBOUT" 2>&1
	wait "$PID"
	RC=$?
}

# expect_gdb REGEX: a line of gdb's output matches REGEX (extended)
expect_gdb() {
	if grep -qE -- "$1" "$GDBOUT"; then
		ok "gdb: $1"
	else
		FAILED=$((FAILED + 1))
		printf 'FAIL - %s: gdb lacks: %s\n' "$CASE" "$1"
		echo "  --- gdb:"; tail -n 25 "$GDBOUT" | sed 's/^/  | /'
		echo "  --- cvisor stderr:"; tail -n 8 "$ERR" | sed 's/^/  | /'
	fi
}
# expect_no_gdb REGEX: no line of gdb's output matches REGEX
expect_no_gdb() {
	if grep -qE -- "$1" "$GDBOUT"; then
		FAILED=$((FAILED + 1))
		printf 'FAIL - %s: gdb has: %s\n' "$CASE" "$1"
		grep -E -- "$1" "$GDBOUT" | head -n 5 | sed 's/^/  | /'
	else
		ok "gdb has no: $1"
	fi
}

# listening_on PORT: the local address a listening TCP socket on PORT is
# bound to, as /proc/net/tcp and tcp6 write it (0100007F is 127.0.0.1,
# 00000000 any IPv4 address), or nothing.
listening_on() {
	p=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$p" '{ split($2, a, ":"); if (a[2] == p && $4 == "0A") print a[1] }' | head -n 1
}
