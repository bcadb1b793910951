#!/usr/bin/env python3
"""Debugging rainier-vp firmware with a real gdb-multiarch, and the remote protocol's control
paths (Ctrl-C, detach, kill, time standing still) with a minimal client of our own.

usage: test_gdb.py --vp BIN --images DIR CASE"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(msg, *outputs):
    for o in outputs:
        print(o)
    sys.exit("FAIL: " + msg)


def start_vp(args, extra, elf):
    port = free_port()
    vp = subprocess.Popen([args.vp, "--gdb", str(port)] + extra + [elf], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    # Wait for the announcement (a probe connection would itself be taken for GDB).
    line = vp.stderr.readline()
    if "GDB server listening" not in line:
        fail(f"no GDB server announcement: {line!r}")
    return vp, port


class rsp:
    """Just enough of the GDB remote protocol to drive the stub by hand."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, payload):
        data = payload.encode()
        self.s.sendall(b"$" + data + b"#%02x" % (sum(data) & 0xff))
        self._expect_ack()

    def _expect_ack(self):
        while not self.buf:
            self.buf += self.s.recv(4096)
        if self.buf[:1] != b"+":
            fail(f"expected an ack, got {self.buf[:20]!r}")
        self.buf = self.buf[1:]

    def reply(self):
        while True:
            m = re.match(rb"\$([^#]*)#..", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.s.sendall(b"+")
                return m.group(1).decode()
            chunk = self.s.recv(4096)
            if not chunk:
                fail("connection closed while waiting for a reply")
            self.buf += chunk

    def cmd(self, payload):
        self.send(payload)
        return self.reply()

    def reg(self, n):
        return int.from_bytes(bytes.fromhex(self.cmd("p%x" % n)), "little")


def case_session(args, tmp):
    elf = os.path.join(args.images, "gdb_target.elf")
    vp, port = start_vp(args, ["--gdb-wait"], elf)
    script = os.path.join(tmp, "session.gdb")
    open(script, "w").write(f"""set pagination off
set confirm off
target remote 127.0.0.1:{port}
break sum_of_squares
continue
next
next
next
next
print total
print i
stepi
watch gdb_watched
continue
print gdb_watched
print/x $mhartid
print $priv
x/1bx 0x10000005
delete
continue
""")
    g = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-x", script, elf],
                       capture_output=True, text=True, timeout=120)
    out, err = vp.communicate(timeout=60)
    text = g.stdout + g.stderr
    checks = [
        (r"Breakpoint 1, sum_of_squares \(n=10\) at .*gdb_target\.c:\d+", "breakpoint at a function"),
        (r"\$1 = 1\n", "a local variable read after stepping (total = 1)"),
        (r"\$2 = 1\n", "the loop counter (i = 1)"),
        (r"Hardware watchpoint 2: gdb_watched\s+Old value = 0\s+New value = 385",
         "a watchpoint on a memory write"),
        (r"\$3 = 385", "the watched global"),
        (r"\$4 = 0x0", "a CSR (mhartid) through the target description"),
        (r"\$5 = 3", "the privilege level (M = 3)"),
        (r"0x10000005:\s+0x60", "a device register (UART LSR) read without side effects"),
        (r"exited normally", "continue to exit"),
    ]
    for pattern, what in checks:
        if not re.search(pattern, text):
            fail(f"gdb session lacks {what} ({pattern})", text, out, err)
    if vp.returncode != 0 or "sum of squares 1..10 = 385" not in out:
        fail("the firmware must still run to its end with exit 0", text, out, err)


def case_interrupt_detach(args, tmp):
    vp, port = start_vp(args, ["--max-time", "500ms"], os.path.join(args.images, "spin_forever.elf"))
    c = rsp(port)
    stop = c.cmd("?")  # a newcomer finds the target halted
    if not stop.startswith("T05"):
        fail(f"first stop reply {stop!r}")
    c.send("c")
    time.sleep(0.3)
    c.s.sendall(b"\x03")  # Ctrl-C
    stop = c.reply()
    if not stop.startswith("T02"):
        fail(f"Ctrl-C must stop the target with SIGINT, got {stop!r}")
    pc = c.reg(32)
    if not 0x80000000 <= pc < 0x90000000:
        fail(f"stopped pc {pc:#x} is not in the firmware")
    # Simulated time stands still while the target is halted.
    t0, cycles0 = c.reg(65 + 0xc01), c.reg(65 + 0xb00)
    time.sleep(0.3)
    t1, cycles1 = c.reg(65 + 0xc01), c.reg(65 + 0xb00)
    if (t0, cycles0) != (t1, cycles1):
        fail(f"time moved while halted: time {t0}->{t1}, mcycle {cycles0}->{cycles1}")
    if c.cmd("D") != "OK":
        fail("detach must answer OK")
    out, err = vp.communicate(timeout=60)
    if vp.returncode != 124:
        fail(f"after detach the firmware runs on until --max-time (124), got {vp.returncode}", out, err)


def case_kill(args, tmp):
    vp, port = start_vp(args, ["--gdb-wait"], os.path.join(args.images, "spin_forever.elf"))
    c = rsp(port)
    c.cmd("?")
    c.send("k")
    out, err = vp.communicate(timeout=60)
    if vp.returncode != 130 or "killed from GDB" not in err:
        fail(f"kill must end the run with 130, got {vp.returncode}", out, err)


def case_port_taken(args, tmp):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run([args.vp, "--gdb", str(port), os.path.join(args.images, "hello.elf")],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if r.returncode != 2 or f"cannot listen on 127.0.0.1:{port}" not in r.stderr:
        fail(f"a taken port is bad input (2), got {r.returncode}", r.stdout, r.stderr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vp", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("case")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        globals()["case_" + args.case](args, tmp)
    print(f"{args.case}: ok")


if __name__ == "__main__":
    main()
