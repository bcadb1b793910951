#!/usr/bin/env python3
"""All-reduce over NeuronLink, end to end: sw/apps/allreduce (rt/collective.h: rings of DMA
into the next chip's SBUF, vector-engine adds, cross-chip semaphores) on Trainium2-sized chips.
Prints one JSON object per case and a summary.

Per case: the algorithm (rings, or the direct exchange of small all-reduces on dimensions of
at most 4 chips), simulated time of the collective (the app's DMA-stamped start to end; the median of
--sim-repeat collectives run one after another in the same run, which start at different
points of the HBM refresh cycle and with the state the last one left, and so differ by up
to +-6 % at 1 MiB), the
alpha-beta model's time and their ratio, bus bandwidth as nccl-tests defines it
(S / t * 2(n-1)/n), and host cost: wall time of one collective (the difference between a run
doing it twice and once, medians over --repeat) and the run's peak resident memory.

The model, for n chips in rings along each dimension (docs/collectives.md):
    T = 2(n-1)/n * S / B + 2 * sum_d (g_d - 1) * alpha
B is the bandwidth each chip injects: every port the algorithm drives, at the link's payload
rate (bandwidth * P / (P + H): packet headers are not data). On ring:8 that is 2 ports; on the
4x4 torus 4 (half the lanes start along x, half along y), which makes the bandwidth term the
same as a 16-chip ring's with 4 ports. The 64-chip system adds a third stage: the z rings
(link.z_bandwidth) reduce and gather what the x-y stage leaves, S / n_xy per chip:
    + 2(g_z - 1)/g_z * (S / n_xy) / B_z alpha is the latency of one ring step, from the config:
one link hop, a DMA descriptor's fetch (an HBM read) and setup, and the VE's fixed cost of the
add (the semaphore increment follows the data on the same link, without a hop of its own).
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time

MIB = 1 << 20


def run(vp, config, sets, opts):
    """Runs the app once; returns (wall s, peak RSS bytes of that run, the stats line's ns,
    stdout)."""
    cmd = [vp, "--quiet", "--config", config]
    for s in sets:
        cmd += ["--set", s]
    cmd += ["--set", "cpu.command_line=" + opts, args.elf]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{out}")
    m = re.search(r"stats allreduce \S+ \d+ B: time (\d+) ns", out)
    if not m or "allreduce: PASS" not in out:
        sys.exit(f"no passing stats line:\n{out}")
    return wall, usage.ru_maxrss * 1024, int(m.group(1)), out


def parse_size(s):
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "GB": 10**9, "B": 1, "ns": 1e-9}
    for u, f in units.items():
        if s.endswith(u):
            return float(s[: -len(u)]) * f
    return float(s)


def config_value(config, sets, key):
    for s in sets:
        k, v = s.split("=", 1)
        if k == key:
            return v
    dump = subprocess.run([args.vp, "--config", config, "--dump-config"] +
                          sum([["--set", s] for s in sets], []),
                          capture_output=True, text=True, check=True).stdout
    d = json.loads(dump)
    for part in key.split("."):
        d = d[part]
    return d


def model(config, sets, dims, size):
    bw = parse_size(str(config_value(config, sets, "link.bandwidth")))
    payload = parse_size(str(config_value(config, sets, "link.max_payload")))
    header = parse_size(str(config_value(config, sets, "link.header_size")))
    hop = parse_size(str(config_value(config, sets, "link.latency")))
    setup = parse_size(str(config_value(config, sets, "dma.setup_latency")))
    ve_clock = float(str(config_value(config, sets, "neuroncore.ve_clock")).replace("GHz", "e9"))
    ve_overhead = float(config_value(config, sets, "neuroncore.ve_overhead"))
    fetch = 100e-9  # a descriptor read from HBM (controller, CL and transfer: ~100 ns)
    alpha = hop + fetch + setup + ve_overhead / ve_clock
    eff = payload / (payload + header)

    def ports(g):
        return 2 if g >= 3 else 1 if g == 2 else 0

    # x and y are one stage (half the lanes take y first, so all their ports carry both).
    xy = dims[:2]
    n_xy = xy[0] * (xy[1] if len(xy) > 1 else 1)
    b = sum(ports(g) for g in xy) * bw * eff
    t = 2 * (n_xy - 1) / n_xy * size / b
    n = n_xy
    for g in dims[2:]:
        b_z = ports(g) * parse_size(str(config_value(config, sets, "link.z_bandwidth"))) * eff
        t += 2 * (g - 1) / g * size / n_xy / b_z
        n *= g
    steps = 2 * sum(g - 1 for g in dims)
    return t + steps * alpha, b, alpha, n


def case(name, config, sets, dims, size):
    base = f"op=allreduce dtype=fp32 bytes={size} check=sample"
    # Back-to-back collectives differ by up to +-6 % at 1 MiB (the 4x4 torus: 5.2 to 5.9 us in
    # fifteen), a few per cent at large sizes (where each costs minutes): as many as the app
    # runs where they are cheap, by the buffers' bytes on all chips (the 4x4 torus at 16 MiB:
    # 256 MiB).
    cheap = size * math.prod(dims) <= 256 * MIB
    reps = args.sim_repeat if args.sim_repeat is not None else (15 if cheap else 3)
    opts = f"{base} repeat={reps}"
    once, twice = [], []
    sim = None
    peak = 0
    for _ in range(args.repeat):
        w1, rss1, ns1, out = run(args.vp, config, sets, opts)
        m = re.search(r"runs \(sorted\)((?: \d+)+) ns", out)
        runs = [int(x) * 1e-9 for x in m.group(1).split()] if m else [ns1 * 1e-9]
        once.append(w1)
        peak = max(peak, rss1)
        if sim is not None and ns1 != sim:
            sys.exit(f"{name}: simulated time differs between identical runs: {sim} {ns1}")
        sim = ns1
        if not args.no_wall_diff:
            w2, _, _, _ = run(args.vp, config, sets, f"{base} repeat={reps + 1}")
            twice.append(w2)
    t_model, b, alpha, n = model(config, sets, dims, size)
    t = sim * 1e-9
    algo = re.search(r"\d+ (\w+) phases", out)
    res = {
        "case": name,
        "chips": n,
        "bytes": size,
        "algorithm": algo.group(1) if algo else "",
        "simulated_s": t,
        "simulated_runs_s": runs,
        "model_s": t_model,
        "sim_over_model": t / t_model,
        "within_10pct": abs(t / t_model - 1) <= 0.10,
        "algbw_GBps": size / t / 1e9,
        "busbw_GBps": size / t * 2 * (n - 1) / n / 1e9,
        "model_B_GBps": b / 1e9,
        "model_alpha_s": alpha,
        "run_wall_s": statistics.median(once),
        "peak_rss_bytes": peak,
    }
    if twice:
        res["collective_wall_s"] = statistics.median(twice) - statistics.median(once)
    print(json.dumps(res), flush=True)
    return res


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vp", required=True)
    p.add_argument("--elf", required=True)
    p.add_argument("--configs", required=True)
    p.add_argument("--repeat", type=int, default=3, help="runs per case (wall time medians)")
    p.add_argument("--sim-repeat", type=int, default=None,
                   help="collectives per run, the simulated time their median (default: 15 up "
                   "to 256 MiB of buffers on all chips, 3 above)")
    p.add_argument("--sizes", default="1,4,16,64,256", help="MiB, comma-separated")
    p.add_argument("--ultra-sizes", default="1,16,64",
                   help="MiB on the 64-chip system (256 MiB needs 32 GiB of buffers)")
    p.add_argument("--only", default="", help="ring8, torus4x4 or ultra")
    p.add_argument("--no-wall-diff", action="store_true",
                   help="skip the second run per case (no per-collective wall time)")
    args = p.parse_args()
    if args.sim_repeat is not None and not 1 <= args.sim_repeat <= 15:
        p.error("--sim-repeat must be 1 to 15 (the app runs at most 16, one more for wall time)")
    trn2 = os.path.join(args.configs, "trn2.json")
    ultra = os.path.join(args.configs, "trn2-ultra.json")
    cases = [
        ("ring8", trn2, ["chip.count=8", "link.topology=ring:8"], [8], args.sizes),
        ("torus4x4", trn2, [], [4, 4], args.sizes),
        ("ultra", ultra, [], [4, 4, 4], args.ultra_sizes),
    ]
    results = []
    for name, config, sets, dims, sizes in cases:
        if args.only and name not in args.only.split(","):
            continue
        for mib in sizes.split(","):
            if mib:
                results.append(case(name, config, sets, dims, int(float(mib) * MIB)))
    print(json.dumps({"summary": [{k: r[k] for k in ("case", "bytes", "sim_over_model",
                                                     "busbw_GBps")} for r in results]}))


if __name__ == "__main__":
    main()
