#!/usr/bin/env python3
"""Runs firmware images for the system tests.

  fwrun.py run  [--exit N[,N...] | --exit nonzero | --hang SECONDS] [--stdout-has TEXT]...
                [--timeout SECONDS] -- CMD...
      Runs CMD, echoes its output, checks the exit code (default 0) or, with --hang, that it is
      still running after SECONDS (then kills it). --timeout: wall-clock limit (default 60).
  fwrun.py diff [--exit N] [--timeout SECONDS] --ref CMD... --dut CMD...
      Runs the reference (QEMU) and the device under test (rainier-vp); their stdout must be
      byte-identical and both must exit with N (default 0). stderr (rainier-vp's summary) is
      shown but not compared.
"""
import argparse
import difflib
import subprocess
import sys

TIMEOUT = 60


def run(cmd, timeout=TIMEOUT):
    """Returns (exit code or None if it timed out, stdout bytes, stderr bytes)."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b""


def show(label, out, err):
    sys.stdout.write(f"----- {label} stdout -----\n")
    sys.stdout.write(out.decode(errors="replace"))
    if err:
        sys.stdout.write(f"----- {label} stderr -----\n")
        sys.stdout.write(err.decode(errors="replace"))


def exit_ok(code, want):
    """want: a number, a comma-separated list of numbers, or "nonzero"."""
    if code is None:
        return False
    if want == "nonzero":
        return code != 0
    return code in [int(w) for w in want.split(",")]


def cmd_run(a):
    if a.hang is not None:
        code, out, err = run(a.cmd, timeout=a.hang)
        show("run", out, err)
        ok = code is None
        print(f"expected to still run after {a.hang}s: {'yes' if ok else f'no, exit {code}'}")
    else:
        code, out, err = run(a.cmd, timeout=a.timeout)
        show("run", out, err)
        ok = exit_ok(code, a.exit)
        print(f"exit code {code if code is not None else 'none (timed out)'}, expected {a.exit}")
    for text in a.stdout_has or []:
        if text.encode() not in out:
            print(f"stdout lacks {text!r}")
            ok = False
    return 0 if ok else 1


def cmd_diff(a):
    rcode, rout, rerr = run(a.ref, timeout=a.timeout)
    dcode, dout, derr = run(a.dut, timeout=a.timeout)
    show("reference", rout, rerr)
    show("dut", dout, derr)
    ok = True
    if not exit_ok(rcode, a.exit):
        print(f"reference exit code {rcode}, expected {a.exit}")
        ok = False
    if not exit_ok(dcode, a.exit):
        print(f"dut exit code {dcode}, expected {a.exit}")
        ok = False
    if rout != dout:
        ok = False
        print("stdout differs (- reference, + dut):")
        diff = difflib.unified_diff(
            rout.decode(errors="replace").splitlines(keepends=True),
            dout.decode(errors="replace").splitlines(keepends=True),
            "reference",
            "dut",
        )
        sys.stdout.writelines(diff)
        print()
    else:
        print(f"stdout identical ({len(rout)} bytes)")
    return 0 if ok else 1


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("run", "diff"):
        print(__doc__)
        return 2
    mode, rest = argv[0], argv[1:]
    if mode == "run":
        p = argparse.ArgumentParser(prog="fwrun.py run")
        p.add_argument("--exit", default="0")
        p.add_argument("--hang", type=float)
        p.add_argument("--timeout", type=float, default=TIMEOUT)
        p.add_argument("--stdout-has", action="append", help="repeatable")
        if "--" not in rest:
            p.error("missing -- CMD")
        i = rest.index("--")
        a = p.parse_args(rest[:i])
        a.cmd = rest[i + 1 :]
        return cmd_run(a)
    # diff: split on the --ref / --dut markers by hand (the commands contain options).
    p = argparse.ArgumentParser(prog="fwrun.py diff")
    p.add_argument("--exit", default="0")
    p.add_argument("--timeout", type=float, default=TIMEOUT)
    if "--ref" not in rest or "--dut" not in rest:
        p.error("need --ref CMD... --dut CMD...")
    r, d = rest.index("--ref"), rest.index("--dut")
    if not r < d:
        p.error("--ref must come before --dut")
    a = p.parse_args(rest[:r])
    a.ref, a.dut = rest[r + 1 : d], rest[d + 1 :]
    return cmd_diff(a)


if __name__ == "__main__":
    sys.exit(main())
