#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the bare x86_64 build headless in Bochs (Debian's bochs 2.7, which
# emulates VMX with EPT; QEMU's TCG does not), its console on stdout, and
# exits with cvisor's status. `make qemu ARCH=x86_64` (or make bochs) and
# tests/ come here through scripts/qemu.sh.
#
#   scripts/bochs.sh [--cpu MODEL] [--smp N] ISO
#
#   --cpu MODEL  Bochs's CPU model (`bochs --help cpu`; default corei7_skylake_x:
#                VMX, EPT, VPID, unrestricted guest, 1 GiB pages, TSC-deadline)
#   --smp N      CPUs of the machine (cvisor uses the first only, so far)
#   BOCHS_TIMEOUT=S  stop Bochs after S seconds (real time; default 300)
#   BOCHS_KEEP=1     keep the run's directory (bochsrc, serial.txt, bochs.log)
#   BOCHS_CONSOLE=file  COM1 straight to serial.txt, no input (0.05-0.15 s less a run)
#
# The machine (a bochsrc written into a fresh directory for each run): 1 GiB
# of RAM, Bochs's BIOS (fastboot: no boot-menu wait) and VGA BIOS, ISO as a
# CD-ROM it boots from (GRUB, scripts/x86-iso.sh), `clock: sync=none`: Bochs
# runs as fast as it can and its clocks (TSC, PIT, APIC timer, CMOS clock
# from a fixed time0) count instructions at `ips` per virtual second, so a
# run is the same whatever the host's load. The display is Bochs's VNC
# server (Debian's Bochs has no display-less library) that does not wait
# for a viewer (timeout=0) and that nobody connects to: a second Bochs takes
# the next free port. No sound: with its default ALSA driver and no sound
# card, Debian's Bochs 2.7 aborts at start ("buffer overflow detected").
# Bochs's debugger is compiled in and stops before the first instruction:
# `-rc` with "c" (continue) starts the run; Bochs's stdin is /dev/null. A
# triple fault ends the run (reset_on_triple_fault=0), a Bochs panic too
# (panic: action=fatal).
#
# The console: COM1 is a pseudo-terminal (`com1: mode=term`) that
# scripts/bochs-console.py keeps between Bochs and this script's stdin; it
# appends what COM1 sends to serial.txt, which this script streams to
# stdout. Stdin is passed on once COM1 has sent something (the input of
# `printf 'x' | make qemu ARCH=x86_64 ...` waits for cvisor's banner).
# Without python3 (or with BOCHS_CONSOLE=file), COM1 writes serial.txt itself
# and stdin is not read.
#
# How a run ends: cvisor writes "cvisor: exit status N" on COM1 and then
# "Shutdown" to port 0x8900, which ends Bochs (src/hal_bare/x86_64/power.c).
# Bochs's own exit status is 1 whatever happened, so this script streams
# serial.txt to stdout while Bochs runs, stops Bochs if the line has come
# and Bochs still runs, and exits with N; with 98 and a message if the
# line never came (Bochs stopped, or the timeout passed).
set -eu

cpu=corei7_skylake_x
smp=1
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) cpu=${2:?--cpu needs a CPU model}; shift 2 ;;
	--smp) smp=${2:?--smp needs a number of CPUs}; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: scripts/bochs.sh [--cpu MODEL] [--smp N] ISO" >&2
	exit 2
fi
iso=$1
timeout_s=${BOCHS_TIMEOUT:-300}
share=${BXSHARE:-/usr/share/bochs}
if ! command -v bochs >/dev/null 2>&1 || [ ! -f "$share/BIOS-bochs-latest" ]; then
	echo "scripts/bochs.sh: Bochs is missing (Debian: bochs bochsbios vgabios; make deps)" >&2
	exit 2
fi
[ -f "$iso" ] || { echo "scripts/bochs.sh: no ISO $iso" >&2; exit 2; }
case $iso in
/*) ;;
*) iso=$(pwd)/$iso ;;
esac
vgabios=$share/VGABIOS-lgpl-latest
[ -f "$vgabios" ] || vgabios=/usr/share/vgabios/vgabios.bin

dir=$(mktemp -d)
bochs_pid=
tail_pid=
console_pid=
# (the trap's: shellcheck cannot see it called)
# shellcheck disable=SC2317
cleanup() {
	for pid in $bochs_pid $tail_pid $console_pid; do
		kill "$pid" 2>/dev/null || true
	done
	if [ -n "${BOCHS_KEEP:-}" ]; then
		echo "scripts/bochs.sh: the run's files are in $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# COM1: a pseudo-terminal between Bochs and stdin (scripts/bochs-console.py, which
# appends what COM1 sends to serial.txt); without python3, serial.txt itself.
: >"$dir/serial.txt"
com1="mode=file, dev=serial.txt"
if [ "${BOCHS_CONSOLE:-}" != file ] && command -v python3 >/dev/null 2>&1; then
	exec 3<&0 # (an asynchronous command's stdin would be /dev/null, but for a redirection)
	python3 -S "$(dirname "$0")/bochs-console.py" "$dir/serial.txt" "$dir/tty" <&3 &
	console_pid=$!
	exec 3<&-
	n=0
	while [ ! -s "$dir/tty" ] && [ $n -lt 200 ] && kill -0 "$console_pid" 2>/dev/null; do
		sleep 0.01
		n=$((n + 1))
	done
	[ -s "$dir/tty" ] && com1="mode=term, dev=$(cat "$dir/tty")"
fi

cat >"$dir/bochsrc" <<RC
megs: 1024
romimage: file=$share/BIOS-bochs-latest, options=fastboot
vgaromimage: file=$vgabios
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
cpu: model=$cpu, count=$smp, ips=50000000, reset_on_triple_fault=0
clock: sync=none, time0=946684800
com1: enabled=1, $com1
port_e9_hack: enabled=1
magic_break: enabled=0
mouse: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0
display_library: rfb, options="timeout=0"
panic: action=fatal
error: action=report
log: bochs.log
RC
echo c >"$dir/rc"

status_of() { sed -n 's/.*cvisor: exit status \([0-9][0-9]*\).*/\1/p' "$dir/serial.txt" | tail -n 1; }

# One run of Bochs, serial.txt streamed to stdout; sets why if the status line never came.
run_bochs() {
	: >"$dir/serial.txt"
	(cd "$dir" && exec bochs -q -f bochsrc -rc rc </dev/null >bochs.out 2>&1) &
	bochs_pid=$!
	tail -n +1 -s 0.1 --pid="$bochs_pid" -f "$dir/serial.txt" &
	tail_pid=$!
	start=$(date +%s)
	why="Bochs ended"
	while kill -0 "$bochs_pid" 2>/dev/null; do
		if [ -n "$(status_of)" ]; then
			sleep 0.2 # Bochs normally ends by itself: cvisor's shutdown follows the line
			break
		fi
		if [ $(($(date +%s) - start)) -ge "$timeout_s" ]; then
			why="the timeout of $timeout_s s passed (BOCHS_TIMEOUT)"
			break
		fi
		sleep 0.1
	done
	kill "$bochs_pid" 2>/dev/null || true
	wait "$bochs_pid" 2>/dev/null || true
	bochs_pid=
	wait "$tail_pid" 2>/dev/null || true # tail ends once Bochs has, after the last bytes
	tail_pid=
}

# Two Bochs starting at the same instant can both miss a VNC port (one binds the
# port the other is trying): Bochs then stops at once, and is started again.
for attempt in 1 2 3; do
	run_bochs
	if [ -n "$(status_of)" ] || [ -s "$dir/serial.txt" ] ||
		! grep -q 'RFB could not bind' "$dir/bochs.log" 2>/dev/null; then
		break
	fi
	sleep "0.$(($$ % 7 + attempt))"
done

status=$(status_of)
if [ -z "$status" ]; then
	echo "scripts/bochs.sh: no \"cvisor: exit status\" line on COM1: $why" >&2
	grep -E '^[0-9]+[ep]\[' "$dir/bochs.log" 2>/dev/null | tail -n 5 >&2 || true
	grep -iE 'panic|error|fatal' "$dir/bochs.out" 2>/dev/null | tail -n 5 >&2 || true
	exit 98
fi
exit "$status"
