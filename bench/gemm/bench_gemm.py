#!/usr/bin/env python3
"""GEMM on a NeuronCore, end to end: the sw/apps gemm image (firmware + runtime on the host
CPU, DMA, tensor and vector engines) run by rainier-vp. Prints JSON per case: wall time
(median of --repeat runs), simulated time, tensor-engine utilisation (MACs over the array's
peak during the engine's active span), and for the cases run in both modes the wall-time ratio
rtl / fast.

Cases: 512x512x512 BF16 on configs/lite.json (32x32 array) in fast and rtl mode, and
4096x4096x4096 BF16 on one NeuronCore of configs/trn2.json (128x128 array) in fast mode,
compared with its 79 TFLOPS peak.

Two wall-time ratios rtl / fast: of the whole run (boot, input generation and the result check
on the host CPU included, the same work in both modes) and of the kernel (the host wall time
spent while the tensor engine's active span was simulated)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(vp, config, mode, elf, extra):
    with tempfile.NamedTemporaryFile(suffix=".json") as stats:
        cmd = [vp, "--quiet", "--config", config, "--tensor-engine", mode, "--stats", stats.name]
        cmd += extra + [elf]
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=7200)
        wall = time.perf_counter() - start
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        data = json.load(open(stats.name))
    te = data["chips"][0]["cores"][0]["te"]
    return wall, data["simulated_time_s"], te


def case(args, name, config, mode, elf, flops, extra=()):
    runs = [run(args.vp, config, mode, elf, list(extra)) for _ in range(args.repeat)]
    walls = [r[0] for r in runs]
    sims = {r[1] for r in runs}
    if len(sims) != 1:
        sys.exit(f"{name}: simulated time differs between identical runs: {sorted(sims)}")
    te = runs[0][2]
    return {
        "case": name,
        "mode": mode,
        "wall_s": statistics.median(walls),
        "wall_s_all": walls,
        "simulated_s": runs[0][1],
        "te_active_s": te["active_s"],
        "te_active_wall_s": statistics.median(r[2]["active_wall_s"] for r in runs),
        "te_utilisation": te["utilisation"],
        "te_instructions": te["instructions"],
        "achieved_tflops_active": flops / te["active_s"] / 1e12 if te["active_s"] else 0.0,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vp", required=True)
    p.add_argument("--apps", required=True, help="directory with the gemm images")
    p.add_argument("--configs", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--skip-rtl", action="store_true")
    p.add_argument("--skip-trn2", action="store_true")
    args = p.parse_args()

    lite = os.path.join(args.configs, "lite.json")
    trn2 = os.path.join(args.configs, "trn2.json")
    g512 = os.path.join(args.apps, "gemm_512.elf")
    flops512 = 2 * 512**3
    results = [case(args, "gemm_512_bf16_lite", lite, "fast", g512, flops512)]
    if not args.skip_rtl:
        results.append(case(args, "gemm_512_bf16_lite", lite, "rtl", g512, flops512))
        fast, rtl = results[0], results[1]
        if fast["simulated_s"] != rtl["simulated_s"]:
            sys.exit("fast and rtl mode disagree on the simulated time: "
                     f"{fast['simulated_s']} vs {rtl['simulated_s']}")
        results.append({"case": "gemm_512_bf16_lite",
                        "rtl_over_fast_wall": rtl["wall_s"] / fast["wall_s"],
                        "rtl_over_fast_wall_kernel":
                        rtl["te_active_wall_s"] / fast["te_active_wall_s"]})
    if not args.skip_trn2:
        r = case(args, "gemm_4096_bf16_trn2_core", trn2, "fast",
                 os.path.join(args.apps, "gemm_4096.elf"), 2 * 4096**3)
        # The array's peak at the configured clock (79 TFLOPS BF16 for a Trainium2 core).
        r["peak_tflops"] = 128 * 128 * 2 * 2.4e9 / 1e12
        results.append(r)
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
