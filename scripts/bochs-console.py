#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The console of a Bochs run (scripts/bochs.sh): a pseudo-terminal for
Bochs's COM1 (`com1: mode=term, dev=PTY`), between it and this process's
stdin, with everything COM1 sends appended to a file.

    scripts/bochs-console.py OUTPUT NAME-FILE

Writes the pseudo-terminal's name (/dev/pts/N) into NAME-FILE, then
copies the bytes COM1 sends to OUTPUT (which scripts/bochs.sh streams to
its stdout and reads cvisor's exit status from) and the bytes of stdin
to COM1. Stdin is read only once COM1 has sent something: Bochs empties
the terminal's input when it opens it, so input given earlier would be
lost. Runs until it is killed (scripts/bochs.sh does, after Bochs), or
until the terminal fails.
"""
import os
import pty
import select
import sys
import tty


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: scripts/bochs-console.py OUTPUT NAME-FILE")
    master, slave = pty.openpty()
    tty.setraw(slave)  # no echo, no line editing, no CR/LF translation
    out = open(sys.argv[1], "ab", buffering=0)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(os.ttyname(slave))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    # The slave stays open here too: without any open slave, reading the
    # master fails (EIO) before Bochs has opened it. The master does not
    # block: input the guest does not read yet waits in `pending`, and
    # COM1's output is still taken meanwhile.
    os.set_blocking(master, False)
    started = False
    stdin_open = True
    pending = b""
    while True:
        rfds = [master] + ([0] if started and stdin_open and len(pending) < 65536 else [])
        wfds = [master] if pending else []
        readable, writable, _ = select.select(rfds, wfds, [])
        if master in readable:
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                data = None
            except OSError:
                return
            if data == b"":
                return
            if data:
                out.write(data)
                started = True
        if 0 in readable:
            data = os.read(0, 4096)
            if data:
                pending += data
            else:
                stdin_open = False
        if master in writable:
            try:
                pending = pending[os.write(master, pending):]
            except BlockingIOError:
                pass
            except OSError:
                return

if __name__ == "__main__":
    main()
