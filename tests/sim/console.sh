#!/bin/sh
# SPDX-License-Identifier: MIT
# The interactive console: Debian's U-Boot driven through a pseudo-terminal
# (util-linux `script`), as a user at a terminal would, then through a pipe.
#   tests/sim/console.sh BUILD ARCH
#
# On the terminal each case starts `sh` on a new pty. That shell saves the
# terminal's settings (stty -g), runs cvisor, and saves them again when
# cvisor has ended; this script types into the pty through a FIFO, waiting
# for what the guest prints before each key, and afterwards reads what the
# pty showed (guest and cvisor alike, as a user would see it).
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
T=$(mktemp -d)
trap 'rm -rf "$T" "$OUT" "$ERR" "$OWN_DIR"' EXIT
UBOOT=/usr/lib/u-boot/qemu_arm64/u-boot.bin
# (a write to the pty after its shell ended must fail, not end this script)
trap "" PIPE

[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; U-Boot is an AArch64 guest (ARCH=aarch64)"
[ -f "$UBOOT" ] || skip_suite "$UBOOT not found (make test installs it: u-boot-qemu)"

# --help lists the escapes.
run_cvisor help --help
expect_out "  x                  quit: stop every VM (exit status 1)"

# The shell on the pty: the pid of cvisor, its exit status and the terminal's
# settings before and after go to files in $T.
cat >"$T/on-pty.sh" <<EOF
stty -g >"$T/before"
exec 3<&0
# (an asynchronous command's stdin would be /dev/null without the <&3)
"$CVISOR" run $CFG/u-boot.toml <&3 3<&- &
echo \$! >"$T/pid"
wait \$!
echo \$? >"$T/rc"
stty -g >"$T/after"
EOF

# The same with two U-Boot VMs, u-boot and u-boot2.
UBOOT2=$(own_config u-boot -e 's/^id = .*/id = 287/' -e 's/^name = .*/name = "u-boot2"/')
sed "s|$CFG/u-boot.toml|$CFG/u-boot.toml $UBOOT2|" "$T/on-pty.sh" >"$T/on-pty2.sh"

# pty_start CASE [SCRIPT]: starts U-Boot in cvisor on a new pseudo-terminal
# (SCRIPT: on-pty2.sh for two VMs).
pty_start() {
	CASE=$1
	rm -f "$T/in" "$T/pid" "$T/rc" "$T/before" "$T/after" "$T/raw"
	mkfifo "$T/in"
	SHELL=/bin/sh script -q -e -c "sh $T/${2:-on-pty.sh}" /dev/null <"$T/in" >"$T/raw" 2>&1 &
	SCRIPT_PID=$!
	exec 3>"$T/in"
}

# pty_wait_text TEXT: waits up to 5 s for TEXT on the pty; false if it never came.
pty_wait_text() {
	n=0
	while [ $n -lt 50 ]; do
		grep -qF -- "$1" "$T/raw" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# pty_wait_prompt: waits up to 5 s for the pty's last bytes to be U-Boot's
# prompt "=> ", which no newline follows; false if they never were.
pty_wait_prompt() {
	n=0
	while [ $n -lt 50 ]; do
		[ "$(tail -c 3 "$T/raw")" = "=> " ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# pty_type BYTES: types BYTES (printf escapes: \r is Enter, \001 Ctrl-A).
pty_type() { printf "$1" >&3 2>/dev/null; }

# pty_stop_autoboot: waits for U-Boot's countdown, then types one key
# without Enter; checks that the prompt comes without a newline being sent.
pty_stop_autoboot() {
	pty_wait_text "Hit any key to stop autoboot"
	pty_type x
	if pty_wait_prompt; then ok "prompt \"=> \" shown with no newline typed"; else fail "no prompt \"=> \" at the end of the output"; fi
}

# pty_end: waits up to 10 s for cvisor and the pty's shell to end (killing
# them if not), then: OUT and ERR what the pty showed, RC cvisor's status.
pty_end() {
	n=0
	while [ $n -lt 100 ] && kill -0 $SCRIPT_PID 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 $SCRIPT_PID 2>/dev/null; then
		[ -f "$T/pid" ] && kill -s KILL "$(cat "$T/pid")" 2>/dev/null
		kill -s KILL $SCRIPT_PID 2>/dev/null
	fi
	wait $SCRIPT_PID 2>/dev/null
	exec 3>&-
	tr -d '\r' <"$T/raw" >"$OUT"
	cp "$OUT" "$ERR"
	RC=$(cat "$T/rc" 2>/dev/null || echo 124)
}

# expect_same_tty: the terminal's settings after cvisor are those before it.
expect_same_tty() {
	if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then
		ok "terminal settings restored ($(cut -c1-24 "$T/before")...)"
	else
		fail "terminal settings before: $(cat "$T/before" 2>/dev/null), after: $(cat "$T/after" 2>/dev/null)"
	fi
}

# expect_count_text TEXT N: TEXT occurs exactly N times in what the pty showed.
expect_count_text() {
	c=$(grep -oF -- "$1" "$OUT" | wc -l)
	if [ "$c" -eq "$2" ]; then ok "\"$1\" shown $c times"; else fail "\"$1\" shown $c times, expected $2"; fi
}

if ! command -v script >/dev/null 2>&1; then
	CASE=pty
	skip "util-linux script not found: no pseudo-terminal to drive U-Boot through"
else
	# A user's session: the prompt, `version` typed once, Ctrl-C at the
	# prompt (U-Boot's, not cvisor's), the escapes' help, then poweroff.
	pty_start pty-session
	pty_stop_autoboot
	pty_type 'version\r'
	pty_wait_text "GNU ld"
	pty_wait_prompt
	pty_type 'ech\003'
	pty_wait_text "<INTERRUPT>"
	pty_wait_prompt
	pty_type '\001h'
	pty_wait_text "Ctrl-A x"
	pty_type 'poweroff\r'
	pty_end
	expect_rc 0
	expect_no_out "starting USB"
	expect_out "=> version"
	expect_count_text version 1
	expect_count_text poweroff 2
	expect_out "=> ech<INTERRUPT>"
	expect_err "^ *Ctrl-A x +.*quit"
	expect_same_tty

	# SIGTERM from outside still stops the VM, and the terminal is restored.
	pty_start pty-sigterm
	pty_stop_autoboot
	kill -s TERM "$(cat "$T/pid")"
	pty_end
	expect_rc 1
	expect_stopped u-boot "terminated \(SIGTERM\); vCPU 0 was at PC 0x[0-9a-f]+\$"
	expect_same_tty

	# Ctrl-A x quits; Ctrl-A n names the VM that input goes to.
	pty_start pty-quit
	pty_stop_autoboot
	pty_type '\001n'
	pty_wait_text "console input to"
	pty_type '\001x'
	pty_end
	expect_rc 1
	expect_err "^cvisor: console input to vm [0-9]+ \(u-boot\)\$"
	expect_stopped u-boot "quit from the console \(Ctrl-A x\); vCPU 0 was at PC 0x[0-9a-f]+\$"
	expect_same_tty
fi

if command -v script >/dev/null 2>&1; then
	# Two VMs: each line carries its VM's name, a prompt still shows; Ctrl-A n
	# sends input to u-boot2, and once u-boot2 has powered off, input goes
	# back to u-boot by itself.
	pty_start pty-two-vms on-pty2.sh
	pty_wait_text "[u-boot2] Hit any key to stop autoboot"
	pty_type x
	pty_type '\001n'
	pty_wait_text "console input to vm 287 (u-boot2)"
	pty_type x
	if pty_wait_text "[u-boot2] => "; then ok "u-boot2's prompt shown"; else fail "no \"[u-boot2] => \" prompt"; fi
	pty_type 'echo second\r'
	pty_wait_text "[u-boot2] second"
	pty_type 'poweroff\r'
	sleep 1
	pty_type 'echo first\r'
	pty_wait_text "[u-boot] first"
	pty_type 'poweroff\r'
	pty_end
	expect_rc 0
	expect_out "[u-boot2] second"
	expect_out "[u-boot] first"
	expect_count_text "second" 2
	expect_count_text "first" 2
	expect_err "^cvisor: console input to vm 287 \(u-boot2\)\$"
	expect_err "^cvisor: console input to vm 20 \(u-boot\)\$"
	expect_err "^cvisor: 2 of 2 VMs powered off\$"
	expect_same_tty
fi

# Piped input is not a terminal: every byte reaches the guest unchanged, so
# Ctrl-A x is no escape here (U-Boot reads Ctrl-A as "start of line", then
# the command x), and the prompt shows before the pipe gives more.
CASE=pipe
rm -f "$T/in"
mkfifo "$T/in"
"$CVISOR" run $CFG/u-boot.toml <"$T/in" >"$OUT" 2>"$ERR" &
pid=$!
exec 3>"$T/in"
n=0
while [ $n -lt 50 ] && [ "$(tail -c 3 "$OUT")" != "=> " ]; do
	[ $n -eq 3 ] && printf x >&3
	sleep 0.1
	n=$((n + 1))
done
if [ "$(tail -c 3 "$OUT")" = "=> " ]; then ok "prompt \"=> \" written to a pipe with no newline"; else fail "no prompt \"=> \" at the end of the output"; fi
printf '\001x\n\001echo piped ok\npoweroff\n' >&3
exec 3>&-
n=0
while [ $n -lt 100 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done
kill -s KILL $pid 2>/dev/null
wait $pid
RC=$?
tr -d "\r" <"$OUT" >"$T/out" && cp "$T/out" "$OUT"
expect_rc 0
expect_out "Unknown command 'x' - try 'help'"
expect_out "piped ok"
expect_no_out "quit from the console"

# The flash U-Boot finds where the virt machine has it, from a config with
# only RAM: probed, written, erased, the environment saved; then poweroff.
CASE=flash
printf 'x\n%s\n' "$UBOOT_FLASH_LINE" | timeout 60 "$CVISOR" run $CFG/u-boot.toml >"$T/out" 2>"$ERR"
RC=$?
tr -d "\r" <"$T/out" >"$OUT"
expect_rc 0
expect_uboot_flash
if [ -s "$ERR" ]; then fail "cvisor wrote to stderr: $(head -n 3 "$ERR")"; else ok "nothing on stderr"; fi

finish
