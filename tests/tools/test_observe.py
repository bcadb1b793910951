#!/usr/bin/env python3
"""Waveform (FST) and timeline (Chrome trace JSON) of a run, read back with GTKWave's own
fst2vcd and with a JSON parser: the expected signals, transitions, rows and slices are there,
the window is honoured, and Ctrl-C leaves complete files.

usage: test_observe.py --vp BIN --images DIR CASE"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time


def fail(msg, *outputs):
    for o in outputs:
        print(o)
    sys.exit("FAIL: " + msg)


def run(args, extra, image):
    r = subprocess.run([args.vp, "-q"] + extra + [os.path.join(args.images, image + ".elf")],
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        fail(f"{image} exited {r.returncode}", r.stdout, r.stderr)
    return r


def read_vcd(fst):
    """-> ({'scope.name': id}, [(time_ps, id, value)])"""
    r = subprocess.run(["fst2vcd", fst], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"fst2vcd cannot read {fst}", r.stdout, r.stderr)
    ids, scopes, changes, t = {}, [], [], 0
    for line in r.stdout.splitlines():
        parts = line.split()
        if line.startswith("$scope"):
            scopes.append(parts[2])
        elif line.startswith("$upscope"):
            scopes.pop()
        elif line.startswith("$var"):
            ids[".".join(scopes + [parts[4]])] = parts[3]
        elif line.startswith("#"):
            t = int(line[1:])
        elif line and line[0] in "01":
            changes.append((t, line[1:], int(line[0])))
        elif line.startswith("b"):
            changes.append((t, parts[1], int(parts[0][1:], 2)))
    return ids, changes


def values_of(ids, changes, name):
    if name not in ids:
        fail(f"signal {name} missing; have {sorted(ids)}")
    return [(t, v) for t, i, v in changes if i == ids[name]]


def case_fst(args, tmp):
    fst = os.path.join(tmp, "run.fst")
    run(args, ["--wave", fst], "test_privilege")
    ids, changes = read_vcd(fst)
    priv = {v for _, v in values_of(ids, changes, "host.cpu.priv")}
    if not {0, 1, 3} <= priv:
        fail(f"privilege should visit U, S and M; saw {sorted(priv)}")
    tx = [v for _, v in values_of(ids, changes, "host.uart0.tx")]
    if not any(v == ord("t") for v in tx):
        fail("UART0 transmit bytes should appear")
    fst2 = os.path.join(tmp, "irq.fst")
    run(args, ["--wave", fst2], "test_interrupts")
    ids, changes = read_vcd(fst2)
    for name in ("host.cpu.irq.mtip", "host.cpu.irq.msip", "host.cpu.wfi", "host.cpu.irq.meip"):
        levels = [v for _, v in values_of(ids, changes, name)]
        if 1 not in levels or levels.count(1) < 1 or levels[-1] not in (0, 1):
            fail(f"{name} should rise during test_interrupts: {levels}")


def case_window(args, tmp):
    fst = os.path.join(tmp, "win.fst")
    run(args, ["--wave", fst, "--wave-window", "50us:150us"], "test_interrupts")
    ids, changes = read_vcd(fst)
    times = [t for t, _, _ in changes]
    if min(times) < 50_000_000 or max(times) > 150_000_000:
        fail(f"changes outside the window: {min(times)}..{max(times)} ps")
    wfi = values_of(ids, changes, "host.cpu.wfi")
    if not any(v == 1 and t > 50_000_000 for t, v in wfi):
        fail("the hart sleeps in WFI inside the window")
    full = os.path.join(tmp, "full.fst")
    run(args, ["--wave", full], "test_interrupts")
    if os.path.getsize(fst) >= os.path.getsize(full):
        fail("a window must make the file smaller")


def case_timeline(args, tmp):
    path = os.path.join(tmp, "t.json")
    run(args, ["--timeline", path], "test_interrupts")
    events = json.load(open(path))["traceEvents"]
    procs = {e["pid"]: e["args"]["name"] for e in events if e.get("name") == "process_name"}
    rows = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    if "host" not in procs.values() or "host.cpu" not in rows.values():
        fail(f"rows: {procs} {rows}")
    wfi = [e for e in events if e["ph"] == "X" and e["name"] == "wfi"]
    timer = [e for e in events if e["ph"] == "i" and e["name"] == "machine timer interrupt"]
    if len(wfi) < 3 or len(timer) < 3:
        fail(f"expected WFI slices and timer interrupts: {len(wfi)} slices, {len(timer)} interrupts")
    if any(e["dur"] <= 0 for e in wfi):
        fail("slices have a positive duration")
    # Each timer interrupt ends a WFI sleep (test_interrupts sleeps until its timer).
    ends = [e["ts"] + e["dur"] for e in wfi]
    if not all(any(abs(i["ts"] - t) < 1.0 for t in ends) for i in timer[1:]):
        fail("timer interrupts should follow the end of a WFI slice")


def case_sigint(args, tmp):
    fst, tl = os.path.join(tmp, "s.fst"), os.path.join(tmp, "s.json")
    vp = subprocess.Popen([args.vp, "--wave", fst, "--timeline", tl,
                           os.path.join(args.images, "spin_forever.elf")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL)
    time.sleep(0.5)
    vp.send_signal(signal.SIGINT)
    out, err = vp.communicate(timeout=30)
    if vp.returncode != 130:
        fail(f"exit {vp.returncode}", out, err)
    read_vcd(fst)  # fails if incomplete
    json.load(open(tl))


def case_layout(args, tmp):
    fst = os.path.join(tmp, "l.fst")
    run(args, ["--wave", fst], "test_interrupts")
    ids, _ = read_vcd(fst)
    # The NeuronLink group names the ports of a 2-chip system.
    run(args, ["--wave", fst] + TWO_CHIPS, "link_dma")
    ids.update(read_vcd(fst)[0])
    layout = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "rainier.gtkw")
    for line in open(layout):
        line = line.strip()
        if not line or line[0] in "[@-*":
            continue
        name = re.sub(r"\[\d+:\d+\]$", "", line)
        if name not in ids:
            fail(f"scripts/rainier.gtkw names {line}, which the waveform lacks")


def case_dma(args, tmp):
    tl, st, fst = (os.path.join(tmp, n) for n in ("d.json", "d-stats.json", "d.fst"))
    run(args, ["--timeline", tl, "--stats", st, "--wave", fst], "dma_copy")
    events = json.load(open(tl))["traceEvents"]
    rows = {e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    if not {"dma0.q0", "dma3.q3"} <= rows:
        fail(f"one timeline row per DMA queue: {sorted(rows)}")
    copies = [e for e in events if e["ph"] == "X" and e["name"] == "copy"]
    if not copies or any(e["dur"] <= 0 or e["args"]["bytes"] <= 0 for e in copies):
        fail("every descriptor is a slice with a duration and its byte count")
    moved = json.load(open(st))["chips"][0]["dma"]["bytes"]
    if sum(e["args"]["bytes"] for e in copies) != moved:
        fail(f"slices account for every byte the engines moved ({moved})")
    if not [e for e in events if e["ph"] == "C" and e["name"] == "HBM GB/s"]:
        fail("an HBM bandwidth counter")
    ids, changes = read_vcd(fst)
    busy = [v for _, v in values_of(ids, changes, "host.chip0.dma0.busy")]
    if 1 not in busy:
        fail("DMA engine 0 is busy at some point")
    # The copy is interleaved over every channel of the stack: each shows traffic.
    for ch in range(16):
        mbps = [v for _, v in values_of(ids, changes, f"host.chip0.hbm.stack0.ch{ch}.MBps")]
        if max(mbps) <= 0:
            fail(f"HBM channel {ch} shows no bandwidth during the copy")
    run(args, ["--timeline", tl], "dma_error")
    events = json.load(open(tl))["traceEvents"]
    if not [e for e in events if e["ph"] == "X" and e["name"] == "error" and e["args"]["error"]]:
        fail("a failing descriptor is an error slice with its code")


TWO_CHIPS = ["--set", "chip.count=2", "--set", "link.topology=ring:2"]


def case_link(args, tmp):
    # Chip 0 copies 64 KiB into chip 1's HBM over the ring:2 link (port x on each chip, one
    # direction each). The waveform's bytes in flight follow the port's own accounting: its
    # maximum is the port's peak in --stats, it returns to 0, and the idle direction stays 0.
    st, fst = (os.path.join(tmp, n) for n in ("l-stats.json", "l.fst"))
    run(args, ["--stats", st, "--wave", fst] + TWO_CHIPS, "link_dma")
    chips = json.load(open(st))["chips"]
    port = [{p["port"]: p for p in c["link"]["ports"]}["x"] for c in chips]
    if port[0]["wire_bytes"] < 65536 or port[1]["wire_bytes"] != 0:
        fail(f"chip 0 sends 64 KiB and chip 1 nothing: {port}")
    ids, changes = read_vcd(fst)
    wave = {(c, sig): values_of(ids, changes, f"host.chip{c}.link.x.{sig}")
            for c in (0, 1) for sig in ("bytes_in_flight", "busy")}
    sent = wave[0, "bytes_in_flight"]
    levels = [v for _, v in sent]
    if max(levels) <= 0 or levels[-1] != 0:
        fail(f"chip 0's bytes in flight should rise and return to 0: {sent[:8]} ... {sent[-4:]}")
    if max(levels) != port[0]["peak_in_flight_bytes"]:
        fail(f"waveform peak {max(levels)} != peak_in_flight_bytes "
             f"{port[0]['peak_in_flight_bytes']} in --stats")
    if [t for t, _ in sent] != sorted(t for t, _ in sent):
        fail("changes in time order")
    # busy: high exactly as long as the port serialised (busy_s in --stats).
    high, rise = 0, None
    for t, v in wave[0, "busy"]:
        if v and rise is None:
            rise = t
        elif not v and rise is not None:
            high += t - rise
            rise = None
    if rise is not None or high != round(port[0]["busy_s"] * 1e12):
        fail(f"busy high for {high} ps, the port serialised {port[0]['busy_s'] * 1e12:.0f} ps")
    for sig in ("bytes_in_flight", "busy"):
        if any(v != 0 for _, v in wave[1, sig]):
            fail(f"chip 1's port x sends nothing: {sig} {wave[1, sig][:8]}")


def case_neuroncore(args, tmp):
    # A small GEMM program on NeuronCore 0 with the RTL tensor engine: the engines' rows and
    # slices in the timeline, and the Verilated core's ports in the waveform, agree with the
    # engines' own counters.
    tl, st, fst = (os.path.join(tmp, n) for n in ("n.json", "n-stats.json", "n.fst"))
    apps = os.path.join(args.images, "..", "sw", "apps")
    r = subprocess.run([args.vp, "-q", "--tensor-engine", "rtl", "--timeline", tl, "--stats", st,
                        "--wave", fst, os.path.join(apps, "gemm_odd.elf")],
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        fail(f"gemm_odd exited {r.returncode}", r.stdout, r.stderr)
    te = json.load(open(st))["chips"][0]["cores"][0]["te"]
    ve = json.load(open(st))["chips"][0]["cores"][0]["ve"]
    events = json.load(open(tl))["traceEvents"]
    rows = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
            if e.get("name") == "thread_name"}
    te_rows = [t for t, n in rows.items() if n == "core0.te"]
    ve_rows = [t for t, n in rows.items() if n == "core0.ve"]
    if len(te_rows) != 1 or len(ve_rows) != 1:
        fail(f"one timeline row per engine: {sorted(rows.values())}")
    te_slices = [e for e in events if e["ph"] == "X" and (e["pid"], e["tid"]) == te_rows[0]]
    ve_slices = [e for e in events if e["ph"] == "X" and (e["pid"], e["tid"]) == ve_rows[0]]
    if len(te_slices) != te["instructions"] or len(ve_slices) != ve["instructions"]:
        fail(f"a slice per instruction: TE {len(te_slices)} of {te['instructions']}, "
             f"VE {len(ve_slices)} of {ve['instructions']}")
    mm = [e for e in te_slices if e["name"] == "multiply_moving"]
    if not mm or sum(e["args"]["N"] for e in mm) != te["moving_beats"]:
        fail("multiply slices carry N, and their N add up to the moving beats")
    if any(e["dur"] <= 0 for e in te_slices + ve_slices):
        fail("every slice has a duration")
    ids, changes = read_vcd(fst)
    scope = "host.chip0.core0.te.rtl."
    # out_valid is high for exactly one cycle per output vector, i.e. per moving beat.
    high, rise = 0, None
    for t, v in values_of(ids, changes, scope + "out_valid"):
        if v and rise is None:
            rise = t
        elif not v and rise is not None:
            high += t - rise
            rise = None
    period_ps = te["period_ps"]
    if rise is not None or round(high / period_ps) != te["moving_beats"]:
        fail(f"out_valid high for {high} ps = {high / period_ps:.1f} cycles, "
             f"expected {te['moving_beats']} (one per moving beat)")
    loads = sum(1 for t, v in values_of(ids, changes, scope + "ld_valid") if v)
    if loads == 0 or 1 not in [v for _, v in values_of(ids, changes, scope + "mm_ready")]:
        fail("the load and moving ports show activity")
    if 1 not in [v for _, v in values_of(ids, changes, "host.chip0.core0.te.busy")] or \
            1 not in [v for _, v in values_of(ids, changes, "host.chip0.core0.ve.busy")]:
        fail("both engines are busy at some point")


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
