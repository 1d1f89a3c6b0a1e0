# SPDX-License-Identifier: MIT
# Helpers for the shell test suites (tests/sim/, tests/bare/): run a guest,
# then check its console output, cvisor's messages and exit status. Each check
# prints "ok - CASE: ..." or "FAIL - CASE: ..."; a check that cannot be made
# here prints "skip - CASE: REASON". All three are counted, and finish prints
# "N passed, N failed, N skipped", which tests/run.sh adds up.
#
# A suite sets BUILD (and CVISOR for the simulator), calls guests_of ARCH for
# the guests its checks name, then runs cases: run_cvisor or run_bare, then
# expect_* checks on what that run left in OUT, ERR and RC.

PASSED=0
FAILED=0
SKIPPED=0
OUT=$(mktemp)
ERR=$(mktemp)
OWN_DIR=$(mktemp -d) # own_config's copies
trap 'rm -rf "$OUT" "$ERR" "$OWN_DIR"' EXIT

# (printf, not echo: dash's echo would turn the \b of a pattern into a backspace)
ok() { PASSED=$((PASSED + 1)); printf 'ok - %s: %s\n' "$CASE" "$1"; }
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL - %s: %s\n' "$CASE" "$1"
	echo "  --- stdout:"; tail -n 15 "$OUT" | sed 's/^/  | /'
	echo "  --- stderr:"; grep -v '^exit: ' "$ERR" | tail -n 15 | sed 's/^/  | /'
}
# skip REASON: the checks of CASE cannot be made here (a tool or file is missing).
skip() { SKIPPED=$((SKIPPED + 1)); printf 'skip - %s: %s\n' "$CASE" "$1"; }

finish() {
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ]
}
# skip_suite REASON: nothing of this suite can run here; one skip says why, then the summary.
skip_suite() {
	CASE=suite
	skip "$1"
	finish
	exit $?
}

# guests_of ARCH: the guests and configs the checks name are ARCH's (CFG, sym).
guests_of() {
	GARCH=$1
	CFG=configs/$1
}

# own_config GUEST [SED-EXPR...]: prints the path of a copy of $CFG/GUEST.toml
# (in OWN_DIR, removed when the suite ends) whose kernel_path names the
# guest built in $BUILD: the configs name ../../build/guests/. Each SED-EXPR
# (a sed expression) changes the copy further, e.g. its cmdline.
own_config() {
	g=$1
	shift
	n=$(ls "$OWN_DIR" | wc -l)
	f=$OWN_DIR/$n-$g.toml
	sed -e "s|^kernel_path = \"../../build/|kernel_path = \"$PWD/$BUILD/|" "$@" $CFG/"$g".toml >"$f"
	echo "$f"
}

# sym GUEST SYMBOL: the address of SYMBOL in GUEST's ELF, hex digits without
# leading zeros (the guests label the instructions tests name). A symbol that
# is not there gives a word no hex pattern can match, so its checks fail.
sym() {
	case $GARCH in
	x86_64) nm=nm ;;
	*) nm=$GARCH-linux-gnu-nm ;;
	esac
	a=$($nm "$BUILD/guests/$GARCH/$1.elf" | awk -v s="$2" '$3 == s { print $1 }' | sed 's/^0*//')
	echo "${a:-no-symbol-$2-in-$1}"
}

# hex DIGITS: a regex piece for the number 0xDIGITS that ends where the number
# ends, so an expected 0x40080134 is not matched by a report naming 0x4 or 0x400801340.
hex() { printf '0x%s\\b' "$1"; }

# run_cvisor CASE ARGS...: runs build/cvisor with a time limit of its own
# (so a hung simulator fails the check instead of the whole run).
run_cvisor() {
	CASE=$1
	shift
	timeout 60 "$CVISOR" "$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}

# console_feed INPUT FILE END: the console input of a run whose console
# output goes to FILE, until file END exists (the run has ended): INPUT's
# bytes (printf's %b) at once; or, when TYPE_AT is set (a shell's prompt),
# INPUT's lines one at a time, each once FILE shows TYPE_AT once more than
# when the line before was typed. So nothing is typed before the guest
# reads: a kernel sets its UART's receive interrupt up when the shell
# opens the console, shortly before the first prompt.
console_feed() {
	if [ -z "${TYPE_AT:-}" ]; then
		printf '%b' "$1"
		return 0
	fi
	_cf_seen=0
	printf '%b' "$1" | while IFS= read -r _cf_line; do
		while :; do
			_cf_n=$(grep -oF -- "$TYPE_AT" "$2" | grep -c '')
			[ "$_cf_n" -gt "$_cf_seen" ] && break
			[ -e "$3" ] && return 0
			sleep 0.2
		done
		_cf_seen=$_cf_n
		printf '%s\n' "$_cf_line"
	done
}

# run_cvisor_typed CASE INPUT ARGS...: run_cvisor with INPUT typed on the
# console (console_feed) and a time limit of RUN_TIMEOUT s (60 if unset).
run_cvisor_typed() {
	CASE=$1
	input=$2
	shift 2
	rm -f "$OUT.rc"
	: >"$OUT"
	console_feed "$input" "$OUT" "$OUT.rc" | {
		timeout "${RUN_TIMEOUT:-60}" "$CVISOR" "$@" >"$OUT" 2>"$ERR"
		echo $? >"$OUT.rc"
	}
	RC=$(cat "$OUT.rc")
	rm -f "$OUT.rc"
}

# run_bare CASE INPUT CPU CONFIG... [VAR=VALUE...]: builds the bare-metal image
# of those VMs (make variables such as MAX_SECONDS=1 pass on) and boots it
# under QEMU (scripts/qemu.sh) with INPUT on the console (console_feed), for
# RUN_TIMEOUT s at most (60 if unset). The console (guests and cvisor) goes to
# OUT and ERR alike; RC is QEMU's status, which cvisor sets through semihosting
# (0 every VM powered off, 1 a VM was stopped, 3 a panic), or 99 when the
# image could not be built, 98 when cvisor never started.
run_bare() {
	CASE=$1
	input=$2
	cpu=$3
	shift 3
	n=1
	vars=""
	for c in "$@"; do
		case $c in
		*=*) vars="$vars $c"; continue ;;
		esac
		if [ $n -eq 1 ]; then vars="$vars CONFIG=$c"; else vars="$vars CONFIG$n=$c"; fi
		n=$((n + 1))
	done
	image=$BUILD/bare/$GARCH/cvisor.elf
	# shellcheck disable=SC2086
	if ! make -s --no-print-directory BUILD="$BUILD" ARCH="$GARCH" $vars "$image" >"$ERR" 2>&1; then
		cp "$ERR" "$OUT"
		RC=99
		return
	fi
	rm -f "$OUT.rc"
	: >"$OUT.raw"
	console_feed "$input" "$OUT.raw" "$OUT.rc" | {
		timeout "${RUN_TIMEOUT:-60}" sh scripts/qemu.sh --cpu "$cpu" "$GARCH" "$image" >"$OUT.raw" 2>&1
		echo $? >"$OUT.rc"
	}
	tr -d '\r' <"$OUT.raw" >"$OUT"
	RC=$(cat "$OUT.rc")
	rm -f "$OUT.rc" "$OUT.raw"
	# QEMU's own failures exit 1 too, which is also "a VM was stopped": only
	# a run in which cvisor printed its banner has cvisor's status.
	grep -q '^cvisor [0-9.]* (bare metal' "$OUT" || RC=98
	cp "$OUT" "$ERR"
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
# Exit lines of the simulator end with the instruction that made the exit
# (insn="...", docs/simulator.md "Traces"; the bare build has none): a
# pattern that ends before that field matches the line without it too.
# err_lines REGEX: the numbers of the stderr lines REGEX matches, so.
err_lines() {
	{
		grep -nE -- "$1" "$ERR"
		sed 's/ insn="[^"]*"$//' "$ERR" | grep -nE -- "$1"
	} | cut -d: -f1 | sort -u
}
# expect_err REGEX: a line of stderr matches REGEX (extended)
expect_err() {
	if [ -n "$(err_lines "$1")" ]; then ok "stderr: $1"; else fail "stderr lacks: $1"; fi
}
# same_trace FILE1 FILE2: the two files are identical but for the --stats
# line of host CPU time, which no two runs share.
same_trace() {
	grep -v '^stats: host cpu ' "$1" >"$1.cmp"
	grep -v '^stats: host cpu ' "$2" >"$2.cmp"
	cmp -s "$1.cmp" "$2.cmp"
	r=$?
	rm -f "$1.cmp" "$2.cmp"
	return $r
}
# expect_count REGEX OP N: the number of stderr lines matching REGEX compares (OP: -eq, -ge...) with N
expect_count() {
	n=$(err_lines "$1" | grep -c '')
	if [ "$n" "$2" "$3" ]; then ok "$n lines /$1/ ($2 $3)"; else fail "$n lines /$1/, expected $2 $3"; fi
}
# expect_stat NAME OP N: from the --stats line of vm 1 vcpu 0
expect_stat() {
	v=$(sed -n "s/^stats: vm=[0-9]* vcpu=0.* $1=\([0-9]*\).*/\1/p" "$ERR" | head -n 1)
	v=${v:--1}
	if [ "$v" "$2" "$3" ]; then ok "stat $1=$v ($2 $3)"; else fail "stat $1=$v, expected $2 $3"; fi
}

# expect_stopped VM REGEX: cvisor's one-line report of stopping VM (by its
# name) matches REGEX from the report's start; REGEX anchors its own end.
expect_stopped() { expect_err "^cvisor: vm [0-9]+ \\($1\\) stopped: $2"; }

# expect_stage2_fault VM ACCESS SIZE GPA WHY PC: VM was stopped by a stage-2
# fault (GPA and PC in hex digits), reported in full, up to the line's end.
expect_stage2_fault() {
	expect_stopped "$1" "stage-2 fault: $2 of $3 bytes at GPA $(hex "$4") \\($5\\) by vCPU 0 at PC $(hex "$6")\$"
}

# expect_walk_start VM STAGE ADDRESS ACCESS WHY: a --trace=walks walk begins
# (STAGE: stage-1 va=... or stage-2 gpa=..., ADDRESS as printed, 0x and all).
expect_walk_start() { expect_err "^walk: vm=$1 vcpu=0 $2=$3 $4 \\($5\\)\$"; }
# expect_walk_step LEVEL TABLE INDEX DESCRIPTOR WHAT: one level of that walk: the
# table at 0xTABLE, its entry INDEX holding DESCRIPTOR, then WHAT (for example
# "table -> 0x80203000" or "page -> 0x80206000 r--"), up to the line's end.
expect_walk_step() { expect_err "^walk:   L$1 table=0x$2 \\[$3\\] = $4 $5\$"; }

# expect_ticks_on_time VM N: in the AArch64 timer guest's exit trace (ERR, from
# --trace=exits), N interrupt handlers read CNTVCT_EL0 (the read at
# handler_cntvct, sysreg id 0xdf02), each at or past the CNTV_CVAL_EL0 the
# guest wrote last (id 0xdf1a): no tick came before its deadline.
expect_ticks_on_time() {
	_tk_pc=$(hex "$(sym timer handler_cntvct)")
	_tk_n=0
	_tk_early=0
	_tk_cval=-1
	while read -r _tk_what _tk_value; do
		case $_tk_what in
		cval) _tk_cval=$((_tk_value)) ;;
		count)
			_tk_n=$((_tk_n + 1))
			[ $((_tk_value)) -ge "$_tk_cval" ] || _tk_early=$((_tk_early + 1))
			;;
		esac
	done <<EOF_TRACE
$(sed -n -E -e "s/^exit: vm=$1 vcpu=0 sysreg .* id=0xdf1a write reg=22 value=(0x[0-9a-f]+)( insn=\"[^\"]*\")?\$/cval \\1/p" \
		-e "s/^exit: vm=$1 vcpu=0 sysreg pc=$_tk_pc .* id=0xdf02 read reg=0 value=(0x[0-9a-f]+)( insn=\"[^\"]*\")?\$/count \\1/p" "$ERR")
EOF_TRACE
	if [ "$_tk_n" -eq "$2" ] && [ "$_tk_cval" -gt 0 ] && [ "$_tk_early" -eq 0 ]; then
		ok "$2 handlers read CNTVCT_EL0 at or after the CNTV_CVAL_EL0 written before"
	else
		fail "$_tk_n handlers read the counter ($2 expected), $_tk_early of them before the deadline"
	fi
}

# ---- Cases every architecture's guests share (same guest, same behaviour) ----

# hello: prints its greeting and checks its device tree, with every exit traced.
case_hello() {
	run_cvisor hello run --trace=exits --stats $CFG/hello.toml
	expect_rc 0
	expect_out "Hello from cvisor guest ($GARCH)!"
	expect_out "dtb ok"
}

# wild: a store to GPA 0x7000_0000 (no RAM, no device) stops the VM; the report
# names the store's PC.
case_wild() {
	run_cvisor wild run --stats $CFG/wild.toml
	expect_rc 1
	expect_out "wild: storing to 0x7000_0000"
	expect_no_out "still running"
	expect_stage2_fault wild write 4 70000000 "neither RAM nor a device" "$(sym wild wild_store)"
}

# spin: a guest that never exits is stopped by --max-seconds.
case_spin() {
	run_cvisor spin run --max-seconds=1 $CFG/spin.toml
	expect_rc 1
	expect_out "spin: looping forever"
	expect_stopped spin "still running after the time limit of 1 s \(--max-seconds\); vCPU 0 was at PC 0x[0-9a-f]+\$"
}

# case_wait GUEST INSN: GUEST waits (INSN: WFI, HLT) for an interrupt nothing can raise.
case_wait() {
	run_cvisor "$1" run $CFG/"$1".toml
	expect_rc 1
	expect_out "$1: waiting"
	expect_stopped "$1" "vCPU 0 waits for an interrupt \($2\) at PC 0x[0-9a-f]+, but no interrupt source could wake it\$"
}

# case_s2prot LAST-LINE: stage-2 permissions changed at run time (cvisor call
# MEM_PROTECT); the simulator's map must follow, or the last store (announced
# by LAST-LINE) would complete.
case_s2prot() {
	run_cvisor s2prot run --trace=exits --stats $CFG/s2prot.toml
	expect_rc 1
	for line in "s2prot: read-only page read" "s2prot: writable again" "$1"; do
		expect_out "$line"
	done
	expect_no_out "FAIL"
	expect_stage2_fault s2prot write 8 "$(sym s2prot page)" "RAM without this permission" "$(sym s2prot s2prot_store)"
}

# case_two_vms GUEST LINE: hello and GUEST in one run, each console prefixed by its name.
case_two_vms() {
	run_cvisor two-vms run $CFG/hello.toml $CFG/"$1".toml
	expect_rc 0
	expect_out "[hello] Hello from cvisor guest ($GARCH)!"
	expect_out "[$1] $2"
	expect_err "^cvisor: 2 of 2 VMs powered off\$"
}

# case_one_bad_of_two GUEST REGEX: GUEST is stopped (its report matching
# REGEX), hello next to it still runs to its end.
case_one_bad_of_two() {
	run_cvisor one-bad-of-two run $CFG/hello.toml $CFG/"$1".toml
	expect_rc 1
	expect_out "[hello] Hello from cvisor guest ($GARCH)!"
	expect_stopped "$1" "$2"
	expect_err "^cvisor: 1 of 2 VMs powered off; not: $1\$"
}

# case_stats GUEST [STAT OP N]...: GUEST runs to its end with the exits it promises.
case_stats() {
	g=$1
	shift
	run_cvisor "$g" run --stats $CFG/"$g".toml
	expect_rc 0
	while [ $# -ge 3 ]; do
		expect_stat "$1" "$2" "$3"
		shift 3
	done
}

# run_cvisor_signal CASE SIGNAL TEXT ARGS...: starts build/cvisor in the
# background, waits (up to 20 s) for TEXT on its console, sends it SIGNAL
# (INT, TERM) and waits for it to end; RC is its exit status, or 124 when it
# did not end within 20 s of the signal (then it is killed).
run_cvisor_signal() {
	CASE=$1
	sig=$2
	text=$3
	shift 3
	# Emptied first: the last run's console could hold TEXT until cvisor's own redirection empties it.
	: >"$OUT"
	"$CVISOR" "$@" </dev/null >"$OUT" 2>"$ERR" &
	pid=$!
	n=0
	while [ $n -lt 200 ] && ! grep -qF -- "$text" "$OUT" && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -s "$sig" $pid 2>/dev/null
	n=0
	while [ $n -lt 200 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		kill -s KILL $pid 2>/dev/null
		wait $pid
		RC=124
	else
		wait $pid
		RC=$?
	fi
}

# linux_config: Debian's arm64 kernel and initramfs (scripts/linux-guest.sh,
# into build/linux) and a copy of configs/aarch64/linux.toml in LINUX_CFG
# that names them and reboots on a panic (panic=-1, which ends the run);
# the suite is skipped when the kernel cannot be fetched. Console input is
# typed at busybox's prompt (TYPE_AT, console_feed).
linux_config() {
	linux=$PWD/build/linux
	if ! sh scripts/linux-guest.sh "$linux" >"$OUT" 2>&1; then
		skip_suite "Debian's arm64 kernel could not be fetched: $(tail -n 1 "$OUT")"
	fi
	LINUX_CFG=$OWN_DIR/linux.toml
	sed -e "s|\"../../build/linux/|\"$linux/|" -e 's|^cmdline = "\(.*\)"|cmdline = "\1 panic=-1"|' \
		configs/aarch64/linux.toml >"$LINUX_CFG"
	TYPE_AT='/ # '
}

# What the Linux suites type: the CPUs the kernel sees, then the end.
LINUX_INPUT='cat /proc/cpuinfo\npoweroff\n'

# expect_log REGEX: a line of a kernel's log on stdout (its \r\n line ends
# made \n, a "[vm] " in front allowed) matches REGEX, from ^ to $.
expect_log() {
	if tr -d '\r' <"$OUT" | grep -qE -- "^(\\[[a-z0-9_-]+\\] )?$1\$"; then
		ok "kernel log: $1"
	else
		fail "kernel log lacks: $1"
	fi
}

# expect_linux_up: the kernel found the GICv3 and the architected timer,
# brought its second CPU up and started /init, whose banner counts two
# CPUs, and busybox's shell shows its prompt.
expect_linux_up() {
	expect_no_out "Unable to initialise architected timer"
	expect_log '\[    0\.000000\] GICv3: 96 SPIs implemented'
	expect_log '\[    0\.000000\] GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000'
	expect_log '\[    0\.000000\] arch_timer: cp15 timer\(s\) running at 62\.50MHz \(virt\)\.'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] smp: Brought up 1 node, 2 CPUs'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] 9000000\.pl011: ttyAMA0 at MMIO 0x9000000 \(irq = [0-9]+, base_baud = 0\) is a PL011 rev3'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] Run /init as init process'
	expect_log 'cvisor linux guest: Linux [0-9]+\.[0-9]+\.[0-9]+-[0-9]+-cloud-arm64, 2 CPUs online'
	if tr -d '\r' <"$OUT" | grep -q '^\(\[linux\] \)\?/ # '; then ok "busybox's prompt"; else fail "no busybox prompt"; fi
}

# expect_linux_typed: what LINUX_INPUT typed did it: the shell echoed each
# command after its prompt (and the terminal query ESC [ 6 n that busybox's
# line editing sends with it; "." for the ESC, which no test line prints), /proc/cpuinfo listed processors 0 and 1 and
# no other, and `poweroff` went through busybox's init (its shutdown line,
# which the shell's next prompt may precede, and its last words) to the
# kernel's power-down (PSCI SYSTEM_OFF).
expect_linux_typed() {
	prompt='/ # (.\[6n)?'
	tab=$(printf '\t')
	expect_log "${prompt}cat /proc/cpuinfo"
	n=$(tr -d '\r' <"$OUT" | grep -cE "^(\\[linux\\] )?processor$tab: [0-9]+\$")
	if [ "$n" -eq 2 ]; then ok "2 processor lines in /proc/cpuinfo"; else fail "$n processor lines in /proc/cpuinfo, expected 2"; fi
	expect_log "processor$tab: 0"
	expect_log "processor$tab: 1"
	expect_log "${prompt}poweroff"
	expect_log "($prompt)?cvisor linux guest: shutting down"
	expect_log 'Requesting system poweroff'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] reboot: Power down'
}

# linux_virtio_config: Debian's kernel with a virtio disk and network
# interface (configs/aarch64/linux_virtio.toml, after linux_config) next
# to the network's other host (net_responder.toml). The disk, LINUX_DISK,
# is an ext2 image of 1 MiB that mke2fs makes from a directory holding
# hello.txt (one line, LINUX_HELLO); LINUX_DISK0 is a copy of it as made.
# LINUX_VIRTIO_CFG and RESPONDER_CFG are the configs' copies (the kernel
# rebooting on a panic). Returns 1 after a counted skip without e2fsprogs.
LINUX_HELLO='hello from an ext2 disk made by mke2fs'
linux_virtio_config() {
	CASE=linux-virtio
	PATH=$PATH:/usr/sbin:/sbin
	for t in mke2fs debugfs; do
		if ! command -v $t >/dev/null 2>&1; then
			skip "$t not found (e2fsprogs, which make test installs): no ext2 disk"
			return 1
		fi
	done
	mkdir -p "$OWN_DIR/disk"
	printf '%s\n' "$LINUX_HELLO" >"$OWN_DIR/disk/hello.txt"
	LINUX_DISK=$OWN_DIR/linux_virtio.img
	LINUX_DISK0=$OWN_DIR/linux_virtio0.img
	rm -f "$LINUX_DISK"
	if ! mke2fs -q -t ext2 -d "$OWN_DIR/disk" "$LINUX_DISK" 1M >"$OUT" 2>&1; then
		fail "mke2fs could not make the disk: $(tail -n 1 "$OUT")"
		return 1
	fi
	cp "$LINUX_DISK" "$LINUX_DISK0"
	LINUX_VIRTIO_CFG=$OWN_DIR/linux_virtio.toml
	sed -e "s|\"../../build/linux/|\"$PWD/build/linux/|" \
		-e 's|^cmdline = "\(.*\)"|cmdline = "\1 panic=-1"|' \
		-e "s|^disk_path = .*|disk_path = \"$LINUX_DISK\"|" \
		configs/aarch64/linux_virtio.toml >"$LINUX_VIRTIO_CFG"
	RESPONDER_CFG=$(own_config net_responder)
}

# What is typed at Linux's shell next to net_responder: the network
# interface's address and driver; the disk mounted, hello.txt shown; a
# file written, synced, the disk unmounted; the caches dropped and the
# file read back from the disk; 10.0.2.15 on eth0 and three pings of
# net_responder (10.0.2.2), which then powers off; the end.
LINUX_VIRTIO_INPUT='cat /sys/class/net/eth0/address; basename $(readlink /sys/class/net/eth0/device/driver)
mount -t ext2 /dev/vda /mnt && cat /mnt/hello.txt
echo written by Linux on cvisor >/mnt/linux.txt && sync && umount /mnt
echo 3 >/proc/sys/vm/drop_caches && mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/linux.txt && umount /mnt
ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ping -c 3 10.0.2.2
poweroff
'

# expect_linux_virtio: what LINUX_VIRTIO_INPUT shows on the consoles.
# Linux loaded the virtio modules, found the disk (1 MiB: 2048 sectors)
# and eth0 (virtio_net, the device's default address for VM 355); the
# disk's file was there and the written one came back from the device;
# three echo replies came, net_responder's lines say it answered ARP and
# each echo request, and Linux powered off.
expect_linux_virtio() {
	expect_log 'cvisor linux guest: modules virtio_ring virtio virtio_mmio failover net_failover virtio_blk virtio_net virtio_console virtio_rng loaded'
	expect_log 'cvisor linux guest: Linux [0-9]+\.[0-9]+\.[0-9]+-[0-9]+-cloud-arm64, 1 CPUs online'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] virtio_blk virtio[0-9]+: \[vda\] 2048 512-byte logical blocks \(1\.05 MB/1\.00 MiB\)'
	expect_log '52:54:00:c5:63:00'
	expect_log 'virtio_net'
	expect_log "$LINUX_HELLO"
	expect_log 'written by Linux on cvisor'
	expect_log 'PING 10\.0\.2\.2 \(10\.0\.2\.2\): 56 data bytes'
	for s in 0 1 2; do
		expect_log "64 bytes from 10\\.0\\.2\\.2: seq=$s ttl=64 time=[0-9]+\\.[0-9]+ ms"
	done
	expect_log '3 packets transmitted, 3 packets received, 0% packet loss'
	expect_out '[net_responder] net_responder: mac 52:54:00:c5:64:00, ip 10.0.2.2, answering ARP and ping'
	expect_out '[net_responder] net_responder: ARP reply to 10.0.2.15'
	for n in 1 2 3; do
		expect_out "[net_responder] net_responder: echo reply $n to 10.0.2.15, seq $((n - 1))"
	done
	expect_log '\[net_responder\] net_responder: 3 echo requests answered, [0-9]+ other frames ignored; powering off'
	expect_log 'Requesting system poweroff'
	expect_log '\[ *[0-9]+\.[0-9]{6}\] reboot: Power down'
}

# Debian's U-Boot (u-boot-qemu) from configs/aarch64/u-boot.toml, which
# lists only RAM: its flash is cvisor's standard one. UBOOT_FLASH_LINE is
# one command line (U-Boot reads characters typed ahead while it checks for
# Ctrl-C during a long command, so each command on a line of its own could
# lose the next): the version, the flash's geometry as U-Boot's CFI probe
# reads it, a copy to the flash, an erase, the environment saved, poweroff.
UBOOT_FLASH_LINE='version; flinfo 1; mw.l 0x40100000 0x12345678 4; cp.l 0x40100000 0x4040000 4; md.l 0x4040000 5; erase 0x4040000 +0x40000; md.l 0x4040000 2; saveenv; md.b 0x4000004 9; poweroff'

# expect_uboot_flash: what UBOOT_FLASH_LINE prints. The version line is
# checked against the installed package's version (dpkg), with its build date.
expect_uboot_flash() {
	v=$(dpkg-query -W -f='${Version}' u-boot-qemu 2>/dev/null)
	if [ -n "$v" ]; then
		re="^U-Boot $(printf '%s' "$v" | sed 's/[.+]/\\&/g') \\([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{4} - [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\)\$"
		if [ "$(grep -cE -- "$re" "$OUT")" -eq 2 ]; then
			ok "version line twice (banner, version): $re"
		else
			fail "console lacks two lines matching $re"
		fi
	else
		skip "u-boot-qemu's version unknown to dpkg-query: the version line is not compared"
	fi
	expect_out "Flash: 128 MiB"
	expect_out "Bank # 1: CFI conformant flash (16 x 16)  Size: 64 MB in 256 Sectors"
	expect_out "  Intel Extended command set, Manufacturer ID: 0x89, Device ID: 0x0018"
	expect_out "  Erase timeout: 4096 ms, write timeout: 1 ms"
	expect_out "  Buffer write timeout: 3 ms, buffer size: 2048 bytes"
	expect_out "Copy to Flash... done"
	expect_out "04040000: 12345678 12345678 12345678 12345678  xV4.xV4.xV4.xV4."
	expect_out "04040010: ffffffff                             ...."
	expect_out "Erased 1 sectors"
	expect_out "04040000: ffffffff ffffffff                    ........"
	expect_out "Writing to Flash... done"
	expect_out "04000004: 61 72 63 68 3d 61 72 6d 00                       arch=arm."
	expect_out "poweroff ..."
	expect_no_out "Error"
}

# Debian's U-Boot finding a virtio-blk disk through the device tree's
# virtio,mmio node (tests/sim/virtio.sh, tests/bare/virtio.sh) on the disk
# image of tests/sim/virtio.sh (16 sectors, sector 0 begins "cvisor disk 0").
# uboot_virtio_input RAM: what is typed (x stops autoboot): scan, info,
# sector 2 written with 0x5a and read back elsewhere, sector 0 read and
# shown; RAM: a free address of the guest's RAM (hex, no 0x), RAM + 16 MiB
# the second buffer.
uboot_virtio_input() {
	b2=$(printf '%x' $((0x$1 + 0x1000000)))
	printf 'x\\nvirtio scan; virtio info; mw.b 0x%s 0x5a 0x200; virtio write 0x%s 2 1; virtio read 0x%s 2 1; cmp.b 0x%s 0x%s 0x200; virtio read 0x%s 0 1; md.b 0x%s 0x10; poweroff\\n' \
		"$1" "$1" "$b2" "$1" "$b2" "$1" "$1"
}
# expect_uboot_virtio RAM: what that prints.
expect_uboot_virtio() {
	expect_out "Device 0: CVSR VirtIO Block Device"
	expect_out "            Capacity: 0.0 MB = 0.0 GB (16 x 512)"
	expect_out "virtio write: device 0 block # 2, count 1 ... 1 blocks written: OK"
	expect_out "virtio read: device 0 block # 2, count 1 ... 1 blocks read: OK"
	expect_out "Total of 512 byte(s) were the same"
	expect_out "virtio read: device 0 block # 0, count 1 ... 1 blocks read: OK"
	expect_out "$1: 63 76 69 73 6f 72 20 64 69 73 6b 20 30 0a 01 ff  cvisor disk 0..."
	expect_out "poweroff ..."
	expect_no_out "Error"
}
