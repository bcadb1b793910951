#!/usr/bin/env python3
"""Differential test: random instruction streams on QEMU virt (the reference) and rainier-vp.

  run_diff.py --seeds 1-50 [--seeds 900,1000-1999] [--vp PATH] [--jobs N] [--keep]
  run_diff.py --seeds 42 --bisect        # find the first item of stream 42 that diverges

For each seed: gen_stream.py writes seed_N.S, the cross compiler builds seed_N.elf, both
simulators run it, and their consoles (registers, CSRs, trap log, scratch memory) must be
byte-identical, with exit code 0 on both. A failing seed keeps its .S, .elf, disassembly and
both outputs in WORKDIR/seed_N/ and prints the first differing line; passing seeds leave
nothing behind unless --keep.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gen_stream  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

QEMU_ARGS = ["-M", "virt", "-cpu", "rv64,h=false,f=false,d=false", "-bios", "none",
             "-display", "none", "-monitor", "none", "-serial", "stdio"]
CFLAGS = ["-march=rv64imac", "-misa-spec=2.2", "-mabi=lp64", "-mcmodel=medany", "-nostdlib",
          "-nostartfiles", "-Wl,--no-warn-rwx-segments"]
TIMEOUT = 30
# Far more than any stream needs (loops are bounded): a runaway stream stops with 124.
VP_LIMIT = ["--max-instructions", "20000000"]


def parse_seeds(specs):
    """'1-50', '7', '3,9,100-120' (repeatable) -> sorted list of seeds."""
    seeds = set()
    for spec in specs:
        for part in spec.split(","):
            if "-" in part:
                lo, hi = part.split("-", 1)
                seeds.update(range(int(lo), int(hi) + 1))
            elif part:
                seeds.add(int(part))
    return sorted(seeds)


def run(cmd, timeout=TIMEOUT):
    """(exit code or None on timeout, stdout text, stderr text)."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace"), \
            (e.stderr or b"").decode(errors="replace")


class Runner:
    def __init__(self, a):
        self.a = a
        self.workdir = os.path.abspath(a.workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.ld = os.path.join(self.workdir, "stream.ld")
        code, out, err = run([a.cc, "-E", "-P", "-x", "assembler-with-cpp", "-I", a.include,
                              os.path.join(HERE, "stream.ld.S"), "-o", self.ld])
        if code != 0:
            sys.exit(f"cannot preprocess stream.ld.S:\n{err}")
        self.vp = [a.vp] + (["--config", a.config] if a.config else []) + VP_LIMIT + ["--quiet"]
        for kv in a.vp_set:
            self.vp += ["--set", kv]
        self.qemu = [a.qemu] + QEMU_ARGS

    def build(self, seed, d, cut=None):
        base = os.path.join(d, f"seed_{seed}")
        with open(base + ".S", "w") as f:
            f.write(gen_stream.generate(seed, self.a.items, cut))
        code, out, err = run([self.a.cc] + CFLAGS + ["-I", self.a.include, "-T", self.ld,
                                                     base + ".S", "-o", base + ".elf"])
        if code != 0:
            return None, f"build failed:\n{out}{err}"
        return base + ".elf", None

    def dir_for(self, seed, cut=None):
        suffix = f"_cut{cut}" if cut is not None else ""
        return os.path.join(self.workdir, f"seed_{seed}{suffix}")

    def compare(self, seed, cut=None, keep=False):
        """Runs one stream on both; returns (ok, message)."""
        d = self.dir_for(seed, cut)
        os.makedirs(d, exist_ok=True)
        elf, err = self.build(seed, d, cut)
        if elf is None:
            return False, f"seed {seed}: {err}"
        qcode, qout, qerr = run(self.qemu + ["-kernel", elf])
        vcode, vout, verr = run(self.vp + [elf])
        problems = []
        for who, code, err in (("qemu", qcode, qerr), ("rainier-vp", vcode, verr)):
            if code != 0:
                what = "timed out" if code is None else f"exit code {code}"
                problems.append(f"{who} {what} (expected exit 0)" +
                                (f": {err.strip()}" if err.strip() else ""))
        if qout != vout:
            problems.append(first_difference(qout, vout))
        if not problems:
            if not keep:
                shutil.rmtree(d)
            return True, f"seed {seed}: ok"
        # Keep everything needed to reproduce and read the failure.
        with open(os.path.join(d, "qemu.out"), "w") as f:
            f.write(qout)
        with open(os.path.join(d, "vp.out"), "w") as f:
            f.write(vout)
        lst = run([self.a.cc.replace("gcc", "objdump"), "-d", elf])[1]
        with open(os.path.join(d, f"seed_{seed}.lst"), "w") as f:
            f.write(lst)
        msg = [f"seed {seed}{f' (first {cut} items)' if cut is not None else ''}: MISMATCH"]
        msg += ["  " + p for p in problems]
        msg.append(f"  files: {d}/")
        msg.append(f"  reproduce: {' '.join(self.qemu)} -kernel {elf}")
        msg.append(f"             {' '.join(self.vp)} {elf}")
        return False, "\n".join(msg)

    def bisect(self, seed):
        """The smallest prefix of the stream whose dump differs: its last item is the culprit
        (or an item whose effect a later one would have hidden)."""
        ok, msg = self.compare(seed)
        if ok:
            return f"seed {seed}: no mismatch, nothing to bisect"
        # The empty prefix matches, the whole stream differs.
        lo, hi = 0, count_items(gen_stream.generate(seed, self.a.items))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            same, _ = self.compare(seed, cut=mid)
            shutil.rmtree(self.dir_for(seed, mid), ignore_errors=True)  # probes leave nothing
            if same:
                lo = mid
            else:
                hi = mid
        _, msg = self.compare(seed, cut=hi, keep=True)
        text = gen_stream.generate(seed, self.a.items)
        return (f"seed {seed}: first {hi} items differ, first {lo} agree; item {hi - 1}:\n"
                + item_text(text, hi - 1) + "\n" + msg)


def count_items(text):
    return text.count("/* item ")


def item_text(text, i):
    start = text.index(f"/* item {i} */")
    end = text.find("/* item ", start + 1)
    if end < 0:
        end = text.index("stream_end:")
    return text[start:end].rstrip()


def first_difference(qout, vout):
    q, v = qout.splitlines(), vout.splitlines()
    ndiff = sum(1 for a, b in zip(q, v) if a != b) + abs(len(q) - len(v))
    for i in range(max(len(q), len(v))):
        a = q[i] if i < len(q) else "<missing>"
        b = v[i] if i < len(v) else "<missing>"
        if a != b:
            return (f"output differs in {ndiff} line(s); first at line {i + 1}: "
                    f"qemu '{a}' vs rainier-vp '{b}'")
    return "output differs"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", action="append", required=True,
                   help="seeds: N, A-B or a comma-separated list of those (repeatable)")
    p.add_argument("--vp", default=os.environ.get("RAINIER_VP") or
                   shutil.which("rainier-vp") or os.path.join(ROOT, "build/platform/rainier-vp"),
                   help="rainier-vp binary (default: $RAINIER_VP, PATH, build/platform/)")
    p.add_argument("--config", default=os.path.join(ROOT, "configs/lite.json"))
    p.add_argument("--vp-set", action="append", default=[], metavar="KEY=VALUE",
                   help="passed to rainier-vp as --set KEY=VALUE (repeatable)")
    p.add_argument("--qemu", default="qemu-system-riscv64")
    p.add_argument("--cc", default="riscv64-unknown-elf-gcc")
    p.add_argument("--include", default=os.path.join(ROOT, "include"))
    p.add_argument("--workdir", default="diff-work", help="where files go (default ./diff-work)")
    p.add_argument("--items", type=int, help="items per stream (default: 150-1500 by seed)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="streams run in parallel")
    p.add_argument("--keep", action="store_true", help="keep the files of passing seeds too")
    p.add_argument("--bisect", action="store_true", help="find the first diverging item")
    p.add_argument("--quiet", "-q", action="store_true", help="print failures only")
    a = p.parse_args()
    seeds = parse_seeds(a.seeds)
    r = Runner(a)

    if a.bisect:
        for s in seeds:
            print(r.bisect(s), flush=True)
        return 0

    t0 = time.monotonic()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for seed, (ok, msg) in zip(seeds, pool.map(lambda s: r.compare(s, keep=a.keep), seeds)):
            if not ok:
                failed.append(seed)
            if not ok or not a.quiet:
                print(msg, flush=True)
    dt = time.monotonic() - t0
    print(f"{len(seeds)} streams, {len(seeds) - len(failed)} passed, {len(failed)} failed "
          f"in {dt:.1f} s" + (f"; failing seeds: {','.join(map(str, failed))}" if failed else ""))
    if failed:
        print(f"to find the diverging item: rerun with --seeds {failed[0]} --bisect "
              "(and the same other options)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
