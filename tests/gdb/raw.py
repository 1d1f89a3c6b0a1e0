# SPDX-License-Identifier: MIT
# A raw remote-protocol client, run inside gdb's own Python
# (gdb-multiarch -nx -batch -x tests/gdb/raw.py) so the tests need nothing
# gdb does not bring: it sends the packets of tests/gdb/stub.sh's cases,
# well-formed and hostile, and prints each answer as "CASE: ANSWER".
import os
import socket
import time

PORT = int(os.environ["PORT"])
sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)


def framed(data, checksum=None):
    raw = data.encode("latin1")
    cs = checksum if checksum is not None else "%02x" % (sum(raw) & 0xFF)
    return b"$" + raw + b"#" + cs.encode()


def read_byte():
    b = sock.recv(1)
    if not b:
        raise EOFError("connection closed")
    return b


def read_packet():
    """The next packet's data (acknowledgements before it are skipped)."""
    while read_byte() != b"$":
        pass
    data = b""
    while True:
        b = read_byte()
        if b == b"#":
            break
        data += b
    read_byte()
    read_byte()
    sock.sendall(b"+")
    return data.decode("latin1")


def ask(name, data, checksum=None):
    sock.sendall(framed(data, checksum))
    ack = read_byte().decode("latin1")
    print("%s: ack %s" % (name, ack))
    if ack == "+":
        print("%s: %s" % (name, read_packet()))


def monitor(name, text):
    sock.sendall(framed("qRcmd," + text.encode().hex()))
    read_byte()
    out = ""
    while True:
        p = read_packet()
        if p.startswith("O") and p != "OK":
            out += bytes.fromhex(p[1:]).decode()
            continue
        for line in out.splitlines():
            print("%s| %s" % (name, line))
        print("%s: %s" % (name, p))
        return


ask("first", "?")
ask("bad-checksum", "m40080000,4", "00")
ask("unknown", "Qcvisor.nothing")
ask("too-long", "m" + "0" * 20000)
# A packet cut short by the start of another: only the second is answered.
sock.sendall(b"$m4008")
ask("truncated", "?")
ask("unmapped", "m0,4")
ask("unmapped-write", "M0,4:00000000")
ask("ram", "m40080000,4")
ask("bad-hex", "M40100000,2:zz11")
ask("bad-length", "M40100000,4:11")
ask("bad-point", "Z9,40080000,4")
ask("bad-vcont", "vCont;x")
ask("bad-thread", "Hg7")
ask("bad-reg", "p9999")
sock.sendall(framed("m40080000,ffffffff"))
read_byte()
print("huge-read: %d hex digits" % len(read_packet()))
# s ADDR: the PC is set, one instruction runs (mov sp, x1 at 0x40080004),
# the stop is at the next; then the PC goes back to the entry with P.
sock.sendall(framed("s40080004"))
read_byte()
print("step-from: %s" % read_packet())
ask("pc-after-step", "p20")
ask("pc-back", "P20=0000084000000000")
monitor("monitor-bad", "frobnicate")
monitor("monitor-vm", "vm")
# Resume, then packets gdb never sends while the target runs (all-stop):
# acknowledged and dropped. Then Ctrl-C: the stop reply says SIGINT (2).
sock.sendall(framed("vCont;c"))
read_byte()
time.sleep(0.1)
for p in ("g", "m40080000,4", "Z0,40080000,4", "vCont;s:1"):
    sock.sendall(framed(p))
    print("while-running %s: ack %s" % (p, read_byte().decode()))
time.sleep(0.2)
sock.sendall(b"\x03")
print("ctrl-c: %s" % read_packet())
sock.sendall(framed("k"))
print("kill: ack %s" % read_byte().decode())
try:
    read_byte()
    print("kill: the connection stays open")
except (EOFError, ConnectionResetError):
    print("kill: connection closed")
