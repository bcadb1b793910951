#!/usr/bin/env python3
"""Host-CPU speed: the integer benchmark on rainier-vp and on qemu-system-riscv64 in one
command. Prints JSON with both MIPS figures (medians) and their ratio.

Start-up cost is removed by subtracting a 1-round run of the same program from a long run;
both simulators execute the same instruction stream (the checksums must agree), so the
instruction count measured by rainier-vp is QEMU's as well."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_vp(vp, elf):
    with tempfile.NamedTemporaryFile(suffix=".json") as stats:
        start = time.perf_counter()
        out = subprocess.run([vp, "--quiet", "--stats", stats.name, elf], capture_output=True,
                             text=True, timeout=600)
        wall = time.perf_counter() - start
        if out.returncode != 0:
            sys.exit(f"rainier-vp failed on {elf}: {out.stderr}")
        data = json.load(open(stats.name))
    return wall, data["host_cpu"]["instructions"], out.stdout


def run_qemu(elf):
    start = time.perf_counter()
    out = subprocess.run(["qemu-system-riscv64", "-M", "virt", "-bios", "none", "-display",
                          "none", "-serial", "stdio", "-monitor", "none", "-kernel", elf],
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"qemu failed on {elf}: {out.stderr}")
    return wall, out.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vp", required=True)
    p.add_argument("--short", required=True, help="1-round ELF")
    p.add_argument("--long", required=True, help="many-round ELF")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    vp_short = [run_vp(args.vp, args.short) for _ in range(args.repeat)]
    vp_long = [run_vp(args.vp, args.long) for _ in range(args.repeat)]
    q_short = [run_qemu(args.short) for _ in range(args.repeat)]
    q_long = [run_qemu(args.long) for _ in range(args.repeat)]

    if vp_long[0][2] != q_long[0][1]:
        sys.exit("rainier-vp and QEMU disagree on the benchmark's result:\n"
                 f"  rainier-vp: {vp_long[0][2]!r}\n  qemu:       {q_long[0][1]!r}")
    instructions = vp_long[0][1] - vp_short[0][1]
    vp_wall = statistics.median(r[0] for r in vp_long) - statistics.median(r[0] for r in vp_short)
    q_wall = statistics.median(r[0] for r in q_long) - statistics.median(r[0] for r in q_short)
    vp_mips = instructions / vp_wall / 1e6
    q_mips = instructions / q_wall / 1e6
    print(json.dumps({
        "benchmark": "int_bench (crc32, hash, quicksort, integer matmul)",
        "instructions": instructions,
        "repeat": args.repeat,
        "rainier_vp": {"wall_s_median": round(vp_wall, 4), "mips": round(vp_mips, 1)},
        "qemu": {"wall_s_median": round(q_wall, 4), "mips": round(q_mips, 1)},
        "ratio_vp_over_qemu": round(vp_mips / q_mips, 3),
        "goal_mips": 200,
        "goal_met": vp_mips >= 200,
    }, indent=2))


if __name__ == "__main__":
    main()
