// HBM and DMA benchmarks; one scenario per process (one SystemC elaboration), one JSON object
// on stdout. Usage: bench_hbm [SCENARIO [--config FILE] [--set key=value]...]
//   (none)                   every scenario below for one stack and for Trn2, as a JSON array
//   hbm-seq, hbm-seq64, hbm-rand64   traffic generator straight on the HBM model, 1024 requests
//                            in flight (256- or 64-byte sequential, 64-byte random reads)
//   dma-read, dma-write      every DMA engine of every core streams HBM -> SBUF / SBUF -> HBM
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "chip.h"
#include "config.h"
#include "core/bus.h"
#include "core/memory.h"
#include "rainier/hw/chip.h"
#include "rainier/hw/dma.h"
#include "rainier/hw/memory_map.h"

using namespace rainier;
using sc_core::sc_time;

namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct hbm_gen : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<hbm_gen> out{"out"};
    hbm_memory mem;
    hbm_gen(sc_core::sc_module_name n, const hbm::config& c) : sc_module(n), mem("hbm", c) {
        out.bind(mem.in);
    }
};

// Requests of `size` bytes, `inflight` outstanding, each issued when the one `inflight`
// earlier completed; sequential or uniformly random (aligned) addresses.
int run_generator(const platform_config& cfg, bool random, unsigned size, uint64_t count,
                  unsigned inflight) {
    const chip_config cc = make_chip_config(cfg, 0);
    hbm_gen g("gen", cc.hbm);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    std::vector<uint8_t> buf(size);
    std::vector<uint64_t> slots(inflight, 0);
    std::mt19937_64 rng(1);
    const uint64_t span = g.mem.size() / size;
    tlm::tlm_generic_payload t;
    t.set_data_ptr(buf.data());
    t.set_data_length(size);
    t.set_streaming_width(size);
    t.set_command(tlm::TLM_READ_COMMAND);
    uint64_t last = 0;
    const double w0 = wall_now();
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t a = random ? (rng() % span) * size : (i % span) * size;
        uint64_t& slot = slots[i % inflight];
        t.set_address(a);
        sc_time d = sc_time::from_value(slot);
        g.out->b_transport(t, d);
        slot = d.value();
        last = std::max(last, slot);
    }
    const double wall = wall_now() - w0;
    const double bytes = double(count) * size;
    const double bw = bytes / (double(last) * 1e-12);
    const double peak = cc.hbm.peak_bandwidth();
    std::printf(
        "{\"scenario\": \"%s\", \"config\": \"%s\", \"stacks\": %u, \"data_rate_gbps\": %.2f, "
        "\"request_bytes\": %u, \"requests\": %llu, \"in_flight\": %u, "
        "\"bandwidth_GBps\": %.1f, \"peak_GBps\": %.1f, \"fraction_of_peak\": %.3f, "
        "\"row_hit_rate\": %.3f, \"average_latency_ns\": %.1f, "
        "\"model_requests_per_second\": %.0f, \"hbm\": ",
        random ? "hbm-rand" : "hbm-seq", cfg.get_string("platform.name").c_str(), cc.hbm.geo.stacks,
        cc.hbm.cycles.data_rate_gbps, size, static_cast<unsigned long long>(count), inflight,
        bw / 1e9, peak / 1e9, bw / peak, g.mem.stats().row_hit_rate(),
        g.mem.stats().average_latency_ns(), double(count) / wall);
    g.mem.print_stats(std::cout);
    std::cout << "}" << std::endl;
    return 0;
}

struct dma_bench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<dma_bench> mmio{"mmio"};
    tlm_utils::simple_initiator_socket<dma_bench> mem{"mem"};
    bus sys{"sys"};
    memory dram;
    chip dut;
    bool write_to_hbm;
    unsigned per_engine_desc;
    uint64_t chunk;
    double sim_seconds = 0, wall_seconds = 0;
    uint64_t bytes = 0;

    dma_bench(sc_core::sc_module_name n, const chip_config& cfg, bool to_hbm, unsigned descs,
              uint64_t chunk_bytes)
        : sc_module(n), dram("dram", 16 << 20), dut("chip0", cfg), write_to_hbm(to_hbm),
          per_engine_desc(descs), chunk(chunk_bytes) {
        mmio.bind(dut.mmio);
        mem.bind(dut.in);
        dut.out.bind(sys.in);
        sys.map(dram.in, RAINIER_DRAM_BASE, dram.size(), "DRAM");
        SC_HAS_PROCESS(dma_bench);
        SC_THREAD(run);
    }
    void reg(uint64_t off, const void* v, unsigned len) {
        tlm::tlm_generic_payload t;
        t.set_command(tlm::TLM_WRITE_COMMAND);
        t.set_address(off);
        t.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(v)));
        t.set_data_length(len);
        t.set_streaming_width(len);
        sc_time d = sc_core::SC_ZERO_TIME;
        mmio->b_transport(t, d);
    }
    uint32_t read32(uint64_t off) {
        uint32_t v = 0;
        tlm::tlm_generic_payload t;
        t.set_command(tlm::TLM_READ_COMMAND);
        t.set_address(off);
        t.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        t.set_data_length(4);
        t.set_streaming_width(4);
        sc_time d = sc_core::SC_ZERO_TIME;
        mmio->b_transport(t, d);
        return v;
    }
    void run() {
        const chip_config& c = dut.cfg();
        const unsigned engines = c.dma_engines;
        const unsigned parts = c.sbuf.partitions / engines; // partitions per engine
        const uint64_t per_part = chunk / parts;
        const uint64_t ring_base = RAINIER_DRAM_BASE;
        const uint64_t hbm = RAINIER_CHIP_APERTURE(0);
        for (unsigned g = 0; g < dut.num_dma(); ++g) {
            const unsigned core = g / engines, e = g % engines;
            const uint64_t ring = ring_base + uint64_t(g) * per_engine_desc * 64;
            const uint64_t eng = RAINIER_CHIP_DMA_OFFSET + g * RAINIER_CHIP_DMA_STRIDE;
            for (unsigned i = 0; i < per_engine_desc; ++i) {
                // One sequential stream split over all engines the way a compiler tiles a
                // tensor: engine g takes every num_dma-th 4 KiB tile of the HBM region.
                const uint64_t tile = 4096, n = dut.num_dma();
                const uint64_t h = hbm + uint64_t(i) * n * chunk + g * tile;
                const uint64_t s =
                    RAINIER_CHIP_SRAM_BASE(0, core) + e * parts * RAINIER_SBUF_PARTITION_STRIDE;
                rainier_dma_desc d{};
                d.elem_size = 4;
                uint16_t* hc = write_to_hbm ? d.dst_count : d.src_count;
                int32_t* hs = write_to_hbm ? d.dst_stride : d.src_stride;
                uint16_t* sc = write_to_hbm ? d.src_count : d.dst_count;
                int32_t* ss = write_to_hbm ? d.src_stride : d.dst_stride;
                hc[0] = static_cast<uint16_t>(tile / 4),
                hc[1] = static_cast<uint16_t>(chunk / tile), hc[2] = 1;
                hs[0] = 4, hs[1] = static_cast<int32_t>(n * tile), hs[2] = 0;
                sc[0] = static_cast<uint16_t>(per_part / 4), sc[1] = static_cast<uint16_t>(parts),
                sc[2] = 1;
                ss[0] = 4, ss[1] = RAINIER_SBUF_PARTITION_STRIDE, ss[2] = 0;
                d.src = write_to_hbm ? s : h;
                d.dst = write_to_hbm ? h : s;
                dram.load(ring - RAINIER_DRAM_BASE + i * 64ull, &d, sizeof d);
            }
            const uint64_t qb = eng + RAINIER_DMA_QUEUE(0);
            reg(qb + RAINIER_DMA_Q_BASE, &ring, 8);
            const uint32_t size = per_engine_desc, en = RAINIER_DMA_Q_CTRL_ENABLE;
            reg(qb + RAINIER_DMA_Q_SIZE, &size, 4);
            reg(qb + RAINIER_DMA_Q_CTRL, &en, 4);
        }
        const sc_time t0 = sc_core::sc_time_stamp();
        const double w0 = wall_now();
        for (unsigned g = 0; g < dut.num_dma(); ++g) {
            const uint64_t qb =
                RAINIER_CHIP_DMA_OFFSET + g * RAINIER_CHIP_DMA_STRIDE + RAINIER_DMA_QUEUE(0);
            const uint32_t tail = per_engine_desc, one = 1;
            reg(qb + RAINIER_DMA_Q_TAIL, &tail, 4);
            reg(qb + RAINIER_DMA_Q_DOORBELL, &one, 4);
        }
        for (unsigned g = 0; g < dut.num_dma(); ++g) {
            const uint64_t qb =
                RAINIER_CHIP_DMA_OFFSET + g * RAINIER_CHIP_DMA_STRIDE + RAINIER_DMA_QUEUE(0);
            while (read32(qb + RAINIER_DMA_Q_COMPLETED) < per_engine_desc)
                wait(sc_time(100, sc_core::SC_NS));
            if (read32(qb + RAINIER_DMA_Q_ERROR_COUNT) != 0) std::cerr << "bench: DMA error\n";
        }
        sim_seconds = (sc_core::sc_time_stamp() - t0).to_seconds();
        wall_seconds = wall_now() - w0;
        bytes = uint64_t(dut.num_dma()) * per_engine_desc * chunk;
        sc_core::sc_stop();
    }
};

int run_dma(const platform_config& cfg, bool to_hbm) {
    const chip_config cc = make_chip_config(cfg, 0);
    const unsigned descs = 8;
    const uint64_t chunk = 256 * 1024;
    dma_bench b("bench", cc, to_hbm, descs, chunk);
    sc_core::sc_start();
    const double bw = double(b.bytes) / b.sim_seconds;
    const double peak = cc.hbm.peak_bandwidth();
    const double dma_peak = double(b.dut.num_dma()) * cc.dma.bandwidth;
    const auto& s = b.dut.hbm().stats();
    std::printf(
        "{\"scenario\": \"%s\", \"config\": \"%s\", \"stacks\": %u, \"data_rate_gbps\": %.2f, "
        "\"cores\": %u, \"engines\": %u, \"bytes\": %llu, \"bandwidth_GBps\": %.1f, "
        "\"hbm_peak_GBps\": %.1f, \"fraction_of_hbm_peak\": %.3f, \"dma_peak_GBps\": %.1f, "
        "\"row_hit_rate\": %.3f, \"average_latency_ns\": %.1f, \"simulated_us\": %.2f, "
        "\"wall_s\": %.3f, \"hbm_requests\": %llu, \"model_hbm_requests_per_second\": %.0f}\n",
        to_hbm ? "dma-write" : "dma-read", cfg.get_string("platform.name").c_str(),
        cc.hbm.geo.stacks, cc.hbm.cycles.data_rate_gbps, cc.cores, b.dut.num_dma(),
        static_cast<unsigned long long>(b.bytes), bw / 1e9, peak / 1e9, bw / peak, dma_peak / 1e9,
        s.row_hit_rate(), s.average_latency_ns(), b.sim_seconds * 1e6, b.wall_seconds,
        static_cast<unsigned long long>(s.reads + s.writes),
        double(s.reads + s.writes) / b.wall_seconds);
    return 0;
}

} // namespace

// Without arguments: every scenario for one HBM stack and for the Trn2 config, each in its
// own process, printed as one JSON array.
int run_all(const char* self) {
    const std::string lite = std::string(RAINIER_SOURCE_DIR) + "/configs/lite.json";
    const std::string trn2 = std::string(RAINIER_SOURCE_DIR) + "/configs/trn2.json";
    // One stack (819 GB/s) is saturated by ~31 engines at 27 GB/s: 2 cores x 16 engines; 4
    // cores x 16 overload it twice (the FCFS model then loses bandwidth to row conflicts).
    const std::string one_stack = "--config " + lite +
                                  " --set chip.cores=2 --set dma.engines=16"
                                  " --set platform.name=lite-1stack-32-engines";
    const std::string overload = "--config " + lite +
                                 " --set chip.cores=4 --set dma.engines=16"
                                 " --set platform.name=lite-1stack-64-engines";
    const std::vector<std::string> runs = {
        "hbm-seq --config " + lite,  "hbm-seq64 --config " + lite,  "hbm-rand64 --config " + lite,
        "hbm-seq --config " + trn2,  "hbm-rand64 --config " + trn2, "dma-read " + one_stack,
        "dma-write " + one_stack,    "dma-read " + overload,        "dma-read --config " + trn2,
        "dma-write --config " + trn2};
    std::cout << "[\n";
    int rc = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
        const std::string cmd = std::string(self) + " " + runs[i];
        FILE* p = popen(cmd.c_str(), "r");
        if (!p) return 1;
        std::string out;
        char buf[4096];
        while (std::fgets(buf, sizeof buf, p))
            out += buf;
        if (pclose(p) != 0) rc = 1;
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        std::cout << "  " << out << (i + 1 < runs.size() ? ",\n" : "\n");
    }
    std::cout << "]" << std::endl;
    return rc;
}

int sc_main(int argc, char** argv) {
    if (argc < 2) return run_all(argv[0]);
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    try {
        platform_config cfg;
        for (int i = 2; i < argc; ++i) {
            if (!std::strcmp(argv[i], "--config") && i + 1 < argc)
                cfg.load_file(argv[++i]);
            else if (!std::strcmp(argv[i], "--set") && i + 1 < argc)
                cfg.set(argv[++i]);
            else
                throw config_error(std::string("unknown argument ") + argv[i]);
        }
        cfg.validate();
        tlm_utils::tlm_quantumkeeper::set_global_quantum(
            sc_time::from_seconds(cfg.get_time("cpu.quantum")));
        const std::string s = argv[1];
        if (s == "hbm-seq") return run_generator(cfg, false, 256, 4000000, 1024);
        if (s == "hbm-seq64") return run_generator(cfg, false, 64, 4000000, 1024);
        if (s == "hbm-rand64") return run_generator(cfg, true, 64, 4000000, 1024);
        if (s == "dma-read") return run_dma(cfg, false);
        if (s == "dma-write") return run_dma(cfg, true);
        std::cerr << "bench_hbm: unknown scenario " << s << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "bench_hbm: " << e.what() << "\n";
        return 1;
    }
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
