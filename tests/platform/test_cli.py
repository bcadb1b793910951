#!/usr/bin/env python3
"""Bad input and run-ending cases of the rainier-vp binary: each gives a precise message and
the documented exit code, and nothing is simulated when the input is bad.

usage: test_cli.py --vp BIN --images DIR --config FILE CASE"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

BAD_INPUT, LIMIT, CRASH = 2, 124, 125


def run(args, cmd, timeout=60, stdin=None):
    out = subprocess.run([args.vp] + cmd, capture_output=True, text=True, timeout=timeout,
                         stdin=stdin if stdin is not None else subprocess.DEVNULL)
    return out.returncode, out.stdout, out.stderr


def expect(cond, what, out=None):
    if not cond:
        msg = f"FAIL: {what}"
        if out:
            msg += f"\n--- exit {out[0]}\n--- stdout\n{out[1]}\n--- stderr\n{out[2]}"
        sys.exit(msg)


def expect_error(args, cmd, code, pattern):
    out = run(args, cmd)
    expect(out[0] == code, f"exit code {code} expected for {cmd}", out)
    expect(re.search(pattern, out[2]) is not None, f"stderr should match {pattern!r}", out)
    expect("simulated time" not in out[2] or code != BAD_INPUT,
           "bad input must stop before simulation", out)
    return out


def image(args, name):
    return os.path.join(args.images, name + ".elf")


def patched_elf(args, tmp, name, patch):
    data = bytearray(open(image(args, "hello"), "rb").read())
    patch(data)
    path = os.path.join(tmp, name)
    open(path, "wb").write(data)
    return path


def case_hello(args, tmp):
    out = run(args, ["--config", args.config, image(args, "hello")])
    expect(out[0] == 0, "hello exits 0", out)
    expect("Hello from rainier-vp" in out[1], "banner on stdout", out)
    expect("sim-control: pass" in out[2] and "instructions" in out[2], "summary on stderr", out)
    expect("SystemC" not in out[1], "no SystemC banner in the console", out)


def case_truncated_elf(args, tmp):
    data = open(image(args, "hello"), "rb").read()
    # Cut the file in the middle of its first loadable segment.
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from("<I", data, off)[0] == 1 and struct.unpack_from("<Q", data, off + 32)[0]:
            seg_off, = struct.unpack_from("<Q", data, off + 8)
            seg_size, = struct.unpack_from("<Q", data, off + 32)
            break
    path = os.path.join(tmp, "truncated.elf")
    open(path, "wb").write(data[: seg_off + seg_size // 2])
    expect_error(args, [path], BAD_INPUT, r"truncated.elf'.*truncated: segment .* runs past the end")
    # And a file that ends inside its own header.
    open(path, "wb").write(data[:40])
    expect_error(args, [path], BAD_INPUT, r"truncated.elf': truncated: the ELF header")


def case_not_elf(args, tmp):
    path = os.path.join(tmp, "text.elf")
    open(path, "w").write("this is not an ELF file\n")
    expect_error(args, [path], BAD_INPUT, r"text.elf': not an ELF file")


def case_missing_elf(args, tmp):
    expect_error(args, [os.path.join(tmp, "nope.elf")], BAD_INPUT, r"nope.elf': cannot open")


def case_elf32(args, tmp):
    def patch(d):
        d[4] = 1  # EI_CLASS = ELFCLASS32
    path = patched_elf(args, tmp, "elf32.elf", patch)
    expect_error(args, [path], BAD_INPUT, r"not a 64-bit ELF")


def case_wrong_machine(args, tmp):
    def patch(d):
        struct.pack_into("<H", d, 18, 62)  # e_machine = EM_X86_64
    path = patched_elf(args, tmp, "x86.elf", patch)
    expect_error(args, [path], BAD_INPUT, r"machine type 62 is not RISC-V")


def case_segment_outside_memory(args, tmp):
    def patch(d):
        phoff, = struct.unpack_from("<Q", d, 32)
        phentsize, phnum = struct.unpack_from("<HH", d, 54)
        for i in range(phnum):
            off = phoff + i * phentsize
            if struct.unpack_from("<I", d, off)[0] == 1:  # PT_LOAD
                struct.pack_into("<Q", d, off + 16, 0x20000000)  # p_vaddr
                struct.pack_into("<Q", d, off + 24, 0x20000000)  # p_paddr
                break
    path = patched_elf(args, tmp, "outside.elf", patch)
    expect_error(args, [path], BAD_INPUT, r"segment \[0x20000000, .*lies outside every memory")


def case_unknown_key_file(args, tmp):
    cfg = json.load(open(args.config))
    cfg["cpu"]["clockhz"] = 5
    path = os.path.join(tmp, "bad.json")
    json.dump(cfg, open(path, "w"))
    expect_error(args, ["--config", path, image(args, "hello")], BAD_INPUT,
                 r"unknown config key 'cpu.clockhz' \(did you mean 'cpu.clock_hz'\?\)")


def case_unknown_key_set(args, tmp):
    expect_error(args, ["--set", "memory.dram_sise=1GiB", image(args, "hello")], BAD_INPUT,
                 r"unknown config key 'memory.dram_sise'")


def case_wrong_type(args, tmp):
    expect_error(args, ["--set", "cpu.semihosting=maybe", image(args, "hello")], BAD_INPUT,
                 r"config key 'cpu.semihosting' \(--set\): expected a boolean")


def case_zero_size_memory(args, tmp):
    expect_error(args, ["--set", "memory.dram_size=0", image(args, "hello")], BAD_INPUT,
                 r"config key 'memory.dram_size': must be greater than zero")


def case_overlapping_regions(args, tmp):
    expect_error(args, ["--set", "memory.dram_base=0x10000000", image(args, "hello")], BAD_INPUT,
                 r"config key 'memory.dram_base/memory.dram_size': DRAM \[0x10000000, .*\] "
                 r"overlaps UART0")


def case_invalid_json(args, tmp):
    path = os.path.join(tmp, "broken.json")
    open(path, "w").write("{ \"cpu\": { \"clock_hz\": }")
    expect_error(args, ["--config", path, image(args, "hello")], BAD_INPUT,
                 r"broken.json' is not valid JSON")


def case_bad_choice(args, tmp):
    expect_error(args, ["--set", "cpu.misaligned_access=sometimes", image(args, "hello")],
                 BAD_INPUT, r"expected one of hardware, trap")


def case_bad_option(args, tmp):
    expect_error(args, ["--no-such-option", image(args, "hello")], BAD_INPUT,
                 r"unrecognised option|unrecognized option")


def case_bad_max_time(args, tmp):
    expect_error(args, ["--max-time", "soon", image(args, "hello")], BAD_INPUT,
                 r"--max-time: expected a time")


def case_max_time(args, tmp):
    stats = os.path.join(tmp, "stats.json")
    out = run(args, ["--max-time", "2ms", "--stats", stats, image(args, "spin_forever")])
    expect(out[0] == LIMIT, "--max-time ends a firmware that never finishes with 124", out)
    expect("simulated time limit (--max-time) reached" in out[2], "says why", out)
    data = json.load(open(stats))
    expect(abs(data["simulated_time_s"] - 2e-3) < 1e-4, "stopped at 2 ms of simulated time")
    expect(data["exit_code"] == LIMIT, "stats hold the exit code")


def case_max_instructions(args, tmp):
    stats = os.path.join(tmp, "stats.json")
    out = run(args, ["--max-instructions", "100000", "--stats", stats,
                     image(args, "spin_forever")])
    expect(out[0] == LIMIT, "--max-instructions ends the run with 124", out)
    data = json.load(open(stats))
    expect(data["host_cpu"]["instructions"] == 100000, "exactly N instructions retired")


def case_trap_no_handler(args, tmp):
    out = run(args, [image(args, "trap_no_handler")])
    expect(out[0] == CRASH, "a trap with no handler is a crash (125)", out)
    expect(re.search(r"trap with no usable handler: illegal instruction .* at pc 0x8", out[2]),
           "names the trap and its pc", out)


def case_firmware_exit_code(args, tmp):
    out = run(args, [image(args, "semihost_exit")])
    expect(out[0] == 3, "the firmware's exit code (3, via semihosting) is the process's", out)


def case_determinism(args, tmp):
    runs = []
    for i in range(2):
        stats = os.path.join(tmp, f"stats{i}.json")
        out = run(args, ["--stats", stats, image(args, "hello")])
        data = json.load(open(stats))
        runs.append((out[0], out[1], data["simulated_time_s"], data["host_cpu"]["instructions"]))
    expect(runs[0] == runs[1], f"two runs agree exactly: {runs}")


def case_uart_input(args, tmp):
    out = subprocess.run([args.vp, "--set", "uart.input=stdin", image(args, "uart_echo")],
                         input="hello world\nrainier\nquit\n", capture_output=True, text=True,
                         timeout=60)
    res = (out.returncode, out.stdout, out.stderr)
    expect(out.returncode == 0, "uart_echo ends after 'quit'", res)
    expect("echo: HELLO WORLD\necho: RAINIER\nuart_echo: bye" in out.stdout,
           "each line typed reaches the firmware through UART0", res)


def case_sigint(args, tmp):
    import signal
    import time
    stats = os.path.join(tmp, "stats.json")
    vp = subprocess.Popen([args.vp, "--stats", stats, image(args, "spin_forever")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL)
    time.sleep(0.5)
    vp.send_signal(signal.SIGINT)
    out, err = vp.communicate(timeout=30)
    res = (vp.returncode, out, err)
    expect(vp.returncode == 130, "Ctrl-C ends the run with 130", res)
    expect("interrupted (SIGINT)" in err and "instructions" in err, "summary says why", res)
    expect("spin_forever: looping forever on purpose" in out, "console flushed", res)
    data = json.load(open(stats))  # complete, valid JSON
    expect(data["exit_code"] == 130 and data["host_cpu"]["instructions"] > 0,
           f"stats written at the interrupt: {data}")


def case_progress(args, tmp):
    out = run(args, ["--progress", "--max-time", "3s", image(args, "spin_forever")], timeout=120)
    expect(out[0] == LIMIT, "runs to the limit", out)
    expect(re.search(r"rainier-vp: [0-9.]+ (ms|s) simulated, [0-9.]+ s wall, [0-9.]+ MIPS",
                     out[2]) is not None, "a progress line on stderr", out)


def case_stats_chip(args, tmp):
    stats = os.path.join(tmp, "stats.json")
    out = run(args, ["--stats", stats, image(args, "dma_copy")])
    expect(out[0] == 0, "dma_copy passes", out)
    chip = json.load(open(stats))["chips"][0]
    moved = chip["dma"]["bytes"]
    expect(moved > 0, "the DMA engines moved data")
    # An HBM-to-HBM copy reads and writes every byte it moves at least once.
    hbm = chip["hbm"]
    expect(hbm["bytes_read"] >= moved and hbm["bytes_written"] >= moved,
           f"HBM saw the copy's traffic: {hbm['bytes_read']} read, {hbm['bytes_written']} "
           f"written, {moved} moved")
    # Channels count whole bursts on their data bus, so at least the bytes asked for.
    requests = hbm["reads"] + hbm["writes"]
    expect(hbm["bytes_read"] + hbm["bytes_written"] <= sum(hbm["channel_bytes"]) <=
           hbm["bytes_read"] + hbm["bytes_written"] + 64 * requests,
           "per-channel bus bytes match the requests, rounded up to bursts")
    expect(0 <= hbm["row_hit_rate"] <= 1 and hbm["worst_latency_ns"] >= hbm["average_latency_ns"],
           "row-hit rate and latencies are consistent")


def case_tensor_engine_option(args, tmp):
    expect_error(args, ["--tensor-engine", "verilog", image(args, "hello")], BAD_INPUT,
                 r"--tensor-engine: expected rtl or fast, got 'verilog'")
    # The option is the config key: --dump-config shows it, and it wins over the file.
    for mode in ("rtl", "fast"):
        out = run(args, ["--config", args.config, "--tensor-engine", mode, "--dump-config"])
        expect(out[0] == 0, "--dump-config exits 0", out)
        expect(json.loads(out[1])["neuroncore"]["tensor_engine"] == mode,
               f"--tensor-engine {mode} sets neuroncore.tensor_engine", out)


def case_rtl_size_not_built(args, tmp):
    # Only some RTL sizes are compiled in; asking for another is a config error before
    # anything runs, and the message says what is available.
    expect_error(args, ["--config", args.config, "--tensor-engine", "rtl", "--set",
                        "neuroncore.te_rows=24", image(args, "hello")], BAD_INPUT,
                 r"24x32.*32x32.*fast")
    out = run(args, ["--config", args.config, "--tensor-engine", "fast", "--set",
                     "neuroncore.te_rows=24", image(args, "hello")])
    expect(out[0] == 0, "the fast model takes any array size", out)
    expect_error(args, ["--config", args.config, "--set", "neuroncore.te_rows=64",
                        image(args, "hello")], BAD_INPUT,
                 r"config key 'neuroncore.te_rows': must be at most sram.partitions")


def case_bad_link_topology(args, tmp):
    expect_error(args, ["--set", "link.topology=mesh:4", image(args, "hello")], BAD_INPUT,
                 r"config key 'link.topology': topology 'mesh:4': unknown kind 'mesh'")
    expect_error(args, ["--set", "link.topology=torus2d:4xq", image(args, "hello")], BAD_INPUT,
                 r"config key 'link.topology': .*dimension y \('q'\) is not a number of chips")
    expect_error(args, ["--set", "link.topology=ring:4", image(args, "hello")], BAD_INPUT,
                 r"config key 'link.topology': 'ring:4' has 4 chip\(s\) but chip.count is 1")


def case_bad_link_down(args, tmp):
    ring4 = ["--set", "chip.count=4", "--set", "link.topology=ring:4"]
    expect_error(args, ring4 + ["--set", "link.down=0:y+", image(args, "hello")], BAD_INPUT,
                 r"config key 'link.down': '0:y\+': chip 0 has no port 'y\+' "
                 r"\(its ports: x\+, x-\)")
    expect_error(args, ring4 + ["--set", "link.down=0:x+,7:x-", image(args, "hello")],
                 BAD_INPUT, r"config key 'link.down': '7:x-': no chip 7")
    expect_error(args, ring4 + ["--set", "link.down=0x+", image(args, "hello")], BAD_INPUT,
                 r"config key 'link.down': '0x\+' is not CHIP:PORT")


def case_stats_links(args, tmp):
    stats = os.path.join(tmp, "stats.json")
    out = run(args, ["--config", args.config, "--set", "chip.count=2", "--set",
                     "link.topology=ring:2", "--stats", stats, image(args, "hello")])
    expect(out[0] == 0, "hello passes on two chips", out)
    data = json.load(open(stats))
    expect(data["topology"] == "ring:2" and len(data["chips"]) == 2, "two chips in the stats", out)
    for c in data["chips"]:
        ports = c["link"]["ports"]
        expect(len(ports) == 1 and ports[0]["port"] == "x" and ports[0]["up"] and
               ports[0]["packets"] == 0, "one idle port per chip", out)


def case_stats_cores(args, tmp):
    stats = os.path.join(tmp, "stats.json")
    out = run(args, ["--config", args.config, "--stats", stats, image(args, "hello")])
    expect(out[0] == 0, "hello passes", out)
    core = json.load(open(stats))["chips"][0]["cores"][0]
    expect(core["te"]["mode"] == "rtl" and core["te"]["rows"] == 32 and core["te"]["cols"] == 32,
           "the lite config's tensor engine is the 32x32 RTL", out)
    expect(core["te"]["instructions"] == 0 and core["te"]["utilisation"] == 0 and
           core["ve"]["instructions"] == 0, "an idle core reports no work", out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vp", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("case")
    args = p.parse_args()
    fn = globals().get("case_" + args.case)
    if fn is None:
        sys.exit(f"unknown case {args.case}")
    with tempfile.TemporaryDirectory() as tmp:
        fn(args, tmp)
    print(f"{args.case}: ok")


if __name__ == "__main__":
    main()
