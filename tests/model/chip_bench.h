// A bench around one chip: a system bus with host DRAM behind the chip's `out`, and a driver
// thread that programs the chip through its register window like firmware would.
#pragma once

#include <cstring>
#include <functional>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "chip.h"
#include "core/bus.h"
#include "core/memory.h"
#include "rainier/hw/chip.h"
#include "rainier/hw/dma.h"
#include "rainier/hw/memory_map.h"

namespace rainier::test {

inline chip_config lite_chip() {
    chip_config c;
    c.cores = 1;
    c.dma_engines = 4;
    c.hbm.geo.stack_bytes = uint64_t(1) << 30;
    c.sbuf.partitions = c.psum.partitions = 32;
    c.sbuf.partition_bytes = 192 * 1024;
    c.sbuf.partition_stride = RAINIER_SBUF_PARTITION_STRIDE;
    c.psum.partition_bytes = c.psum.partition_stride = RAINIER_PSUM_PARTITION_STRIDE;
    c.dma.queues = 4;
    return c;
}

struct chip_bench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<chip_bench> mmio{"mmio"};
    tlm_utils::simple_initiator_socket<chip_bench> mem{"mem"}; // the CPU's view of the aperture
    bus sys{"sys"};
    memory dram;
    chip dut;
    std::function<void(chip_bench&)> body;
    bool finished = false;
    uint64_t aperture = RAINIER_CHIP_APERTURE(0);
    uint64_t regs = RAINIER_CHIP_MMIO_ADDR(0);

    explicit chip_bench(const chip_config& cfg, sc_core::sc_module_name name = "bench")
        : sc_module(name), dram("dram", 16 << 20), dut("chip0", cfg) {
        mmio.bind(dut.mmio);
        mem.bind(dut.in);
        dut.out.bind(sys.in);
        sys.map(dram.in, RAINIER_DRAM_BASE, dram.size(), "DRAM");
        SC_HAS_PROCESS(chip_bench);
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

    // Register access through the chip's MMIO socket (offsets inside the register window).
    void write32(uint64_t off, uint32_t v) { reg(tlm::TLM_WRITE_COMMAND, off, &v, 4); }
    void write64(uint64_t off, uint64_t v) { reg(tlm::TLM_WRITE_COMMAND, off, &v, 8); }
    uint32_t read32(uint64_t off) {
        uint32_t v = 0;
        reg(tlm::TLM_READ_COMMAND, off, &v, 4);
        return v;
    }
    void reg(tlm::tlm_command cmd, uint64_t off, void* v, unsigned len) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(off);
        t.set_data_ptr(static_cast<unsigned char*>(v));
        t.set_data_length(len);
        t.set_streaming_width(len);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        mmio->b_transport(t, d);
        if (!t.is_response_ok()) throw std::runtime_error("register access failed");
        wait(d);
    }
    static uint64_t engine(unsigned e) {
        return RAINIER_CHIP_DMA_OFFSET + e * RAINIER_CHIP_DMA_STRIDE;
    }
    static uint64_t q(unsigned e, unsigned q, unsigned r) {
        return engine(e) + RAINIER_DMA_QUEUE(q) + r;
    }

    // Untimed memory access by global address (HBM/SBUF/PSUM through the chip, or DRAM).
    void poke(uint64_t addr, const void* data, size_t len) {
        backdoor(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
    }
    void peek(uint64_t addr, void* data, size_t len) {
        backdoor(tlm::TLM_READ_COMMAND, addr, data, len);
    }
    void backdoor(tlm::tlm_command cmd, uint64_t addr, void* data, size_t len) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(static_cast<unsigned>(len));
        t.set_streaming_width(static_cast<unsigned>(len));
        unsigned n;
        if (addr >= aperture && addr - aperture < RAINIER_CHIP_HBM_STRIDE) {
            t.set_address(addr - aperture);
            n = mem->transport_dbg(t);
        } else {
            t.set_address(addr - RAINIER_DRAM_BASE);
            n = dram.in.get_base_export()->transport_dbg(t);
        }
        if (n != len) throw std::runtime_error("backdoor access failed");
    }

    // Sets up queue q of engine e with a ring of `size` descriptors at `ring` (global).
    void setup_queue(unsigned e, unsigned qi, uint64_t ring, uint32_t size) {
        write64(q(e, qi, RAINIER_DMA_Q_BASE), ring);
        write32(q(e, qi, RAINIER_DMA_Q_SIZE), size);
        write32(q(e, qi, RAINIER_DMA_Q_CTRL), RAINIER_DMA_Q_CTRL_ENABLE);
    }
    // Writes descriptors at the queue's tail and rings the doorbell.
    void submit(unsigned e, unsigned qi, const std::vector<rainier_dma_desc>& ds) {
        uint64_t ring = 0;
        reg(tlm::TLM_READ_COMMAND, q(e, qi, RAINIER_DMA_Q_BASE), &ring, 8);
        const uint32_t size = read32(q(e, qi, RAINIER_DMA_Q_SIZE));
        uint32_t tail = read32(q(e, qi, RAINIER_DMA_Q_TAIL));
        for (const rainier_dma_desc& d : ds) {
            poke(ring + uint64_t(tail % size) * sizeof d, &d, sizeof d);
            ++tail;
        }
        write32(q(e, qi, RAINIER_DMA_Q_TAIL), tail);
        write32(q(e, qi, RAINIER_DMA_Q_DOORBELL), 1);
    }
    // Polls until COMPLETED reaches n; false on timeout.
    bool wait_completed(unsigned e, unsigned qi, uint32_t n,
                        sc_core::sc_time limit = sc_core::sc_time(10, sc_core::SC_MS)) {
        const sc_core::sc_time end = sc_core::sc_time_stamp() + limit;
        while (read32(q(e, qi, RAINIER_DMA_Q_COMPLETED)) < n) {
            if (sc_core::sc_time_stamp() > end) return false;
            wait(sc_core::sc_time(20, sc_core::SC_NS));
        }
        return true;
    }
};

inline rainier_dma_desc copy_1d(uint64_t src, uint64_t dst, uint32_t bytes, uint32_t tag = 0) {
    rainier_dma_desc d{};
    d.src = src;
    d.dst = dst;
    d.elem_size = 4;
    d.src_stride[0] = d.dst_stride[0] = 4;
    d.src_count[0] = d.dst_count[0] = static_cast<uint16_t>(bytes / 4);
    d.src_count[1] = d.src_count[2] = d.dst_count[1] = d.dst_count[2] = 1;
    if (bytes > 4096 && bytes % 4096 == 0) { // rows of 4 KiB
        d.src_count[0] = d.dst_count[0] = 1024;
        d.src_stride[1] = d.dst_stride[1] = 4096;
        d.src_count[1] = d.dst_count[1] = static_cast<uint16_t>(bytes / 4096);
    }
    d.tag = tag;
    return d;
}

} // namespace rainier::test
