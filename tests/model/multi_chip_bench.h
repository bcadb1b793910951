// A bench of N lite chips joined by NeuronLink routers, wired like the platform: each chip's
// `out` to its router, the router's `host` side to a system bus with host DRAM, its `local`
// side to the chip's `global` socket. A driver thread programs the chips through the bus
// (register windows, apertures) like firmware on the host CPU.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "chip_bench.h"
#include "router.h"
#include "topology.h"

namespace rainier::test {

struct multi_chip_bench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<multi_chip_bench> host{"host"};
    bus sys{"sys"};
    memory dram;
    link::topology topo;
    std::vector<std::unique_ptr<chip>> chips;
    std::vector<std::unique_ptr<link::router>> routers;
    std::function<void(multi_chip_bench&)> body;
    bool finished = false;

    explicit multi_chip_bench(link::topology t, const chip_config& cfg = lite_chip(),
                              sc_core::sc_module_name name = "bench")
        : sc_module(name), dram("dram", 16 << 20), topo(std::move(t)) {
        host.bind(sys.in);
        sys.map(dram.in, RAINIER_DRAM_BASE, dram.size(), "DRAM");
        std::vector<link::router*> rs;
        for (unsigned n = 0; n < topo.chips(); ++n) {
            const std::string id = std::to_string(n);
            chip_config c = cfg;
            c.index = n;
            chips.push_back(std::make_unique<chip>(("chip" + id).c_str(), c));
            routers.push_back(std::make_unique<link::router>(("router" + id).c_str(), n, topo));
            chip& ch = *chips.back();
            link::router& r = *routers.back();
            sys.map(ch.mmio, ch.mmio_base(), RAINIER_CHIP_MMIO_STRIDE, "chip" + id + " MMIO");
            sys.map(ch.in, ch.aperture_base(), RAINIER_CHIP_HBM_STRIDE, "chip" + id + " memory");
            ch.out.bind(r.in);
            r.host.bind(sys.in);
            r.local.bind(ch.global);
            rs.push_back(&r);
        }
        link::connect(topo, rs);
        SC_HAS_PROCESS(multi_chip_bench);
        SC_THREAD(run);
    }
    void run() {
        body(*this);
        finished = true;
        sc_core::sc_stop();
    }
    void start() {
        sc_core::sc_start();
        ASSERT_TRUE(finished) << "the driver never finished";
    }

    // Timed access through the system bus, by global address (the host CPU's view). `ahead`:
    // how far the initiator's local time runs ahead of the kernel's (a CPU within its quantum).
    void access(tlm::tlm_command cmd, uint64_t addr, void* v, unsigned len,
                sc_core::sc_time ahead = sc_core::SC_ZERO_TIME) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(v));
        t.set_data_length(len);
        t.set_streaming_width(len);
        sc_core::sc_time d = ahead;
        host->b_transport(t, d);
        if (!t.is_response_ok()) throw std::runtime_error("bus access failed");
        wait(d);
    }
    void write32(unsigned c, uint64_t off, uint32_t v) {
        access(tlm::TLM_WRITE_COMMAND, RAINIER_CHIP_MMIO_ADDR(c) + off, &v, 4);
    }
    void write64(unsigned c, uint64_t off, uint64_t v) {
        access(tlm::TLM_WRITE_COMMAND, RAINIER_CHIP_MMIO_ADDR(c) + off, &v, 8);
    }
    uint32_t read32(unsigned c, uint64_t off) {
        uint32_t v = 0;
        access(tlm::TLM_READ_COMMAND, RAINIER_CHIP_MMIO_ADDR(c) + off, &v, 4);
        return v;
    }
    // Untimed, by global address.
    void poke(uint64_t addr, const void* data, size_t len) {
        backdoor(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
    }
    void peek(uint64_t addr, void* data, size_t len) {
        backdoor(tlm::TLM_READ_COMMAND, addr, data, len);
    }
    void backdoor(tlm::tlm_command cmd, uint64_t addr, void* data, size_t len) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(static_cast<unsigned>(len));
        t.set_streaming_width(static_cast<unsigned>(len));
        if (host->transport_dbg(t) != len) throw std::runtime_error("backdoor access failed");
    }

    // Queue qi of engine e of chip c, its ring in host DRAM (one 4 KiB slot per queue).
    static uint64_t ring(unsigned c, unsigned e, unsigned qi) {
        return RAINIER_DRAM_BASE + 0x10000 + ((c * 64 + e * 8 + qi) << 12);
    }
    void submit(unsigned c, unsigned e, unsigned qi, const std::vector<rainier_dma_desc>& ds) {
        const uint64_t r = ring(c, e, qi);
        if (m_enabled.insert(r).second) {
            write64(c, chip_bench::q(e, qi, RAINIER_DMA_Q_BASE), r);
            write32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_SIZE), 16);
            write32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_CTRL), RAINIER_DMA_Q_CTRL_ENABLE);
        }
        uint32_t tail = read32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_TAIL));
        for (const rainier_dma_desc& d : ds)
            poke(r + uint64_t(tail++ % 16) * sizeof d, &d, sizeof d);
        write32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_TAIL), tail);
        write32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_DOORBELL), 1);
    }
    // Polls until COMPLETED reaches n; false on timeout.
    bool wait_completed(unsigned c, unsigned e, unsigned qi, uint32_t n,
                        sc_core::sc_time limit = sc_core::sc_time(1, sc_core::SC_MS)) {
        const sc_core::sc_time end = sc_core::sc_time_stamp() + limit;
        while (read32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_COMPLETED)) < n) {
            if (sc_core::sc_time_stamp() > end) return false;
            wait(sc_core::sc_time(20, sc_core::SC_NS));
        }
        return true;
    }
    uint32_t error(unsigned c, unsigned e, unsigned qi) {
        return read32(c, chip_bench::q(e, qi, RAINIER_DMA_Q_ERROR));
    }

private:
    std::set<uint64_t> m_enabled; // rings already set up
};

// A topology from its string, every port at `bandwidth` and `latency`, `down` ports
// ("chip:name") marked down.
inline link::topology make_topo(const std::string& spec, double bandwidth = 256e9,
                                double latency_s = 150e-9,
                                const std::vector<std::pair<unsigned, std::string>>& down = {}) {
    link::topology t = link::topology::parse(spec);
    for (unsigned d = 0; d < t.dims().size(); ++d) {
        link::port_config p;
        p.bandwidth = bandwidth;
        p.latency_s = latency_s;
        t.set_port_config(d, p);
    }
    for (const auto& [c, name] : down)
        for (const link::port_desc& p : t.ports(c))
            if (p.name == name) t.mark_down(c, p.index);
    return t;
}

} // namespace rainier::test
