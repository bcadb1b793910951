// The HBM TLM target: annotated completion times, backdoors, sparse store, bandwidth.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "hbm.h"

using namespace rainier;
using sc_core::sc_time;

namespace {

struct tb : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<tb> out{"out"};
    hbm_memory mem;
    tb(const hbm::config& cfg, sc_core::sc_module_name name = "tb")
        : sc_module(name), mem("hbm", cfg) {
        out.bind(mem.in);
    }

    // Returns the annotated delay in ps; fills status.
    uint64_t access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                    uint64_t issue_ps = 0, tlm::tlm_response_status* status = nullptr) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(len);
        t.set_streaming_width(len);
        sc_time d = sc_time::from_value(issue_ps);
        out->b_transport(t, d);
        if (status) *status = t.get_response_status();
        return d.value();
    }
    unsigned debug(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(len);
        t.set_streaming_width(len);
        return out->transport_dbg(t);
    }
};

hbm::config lite() {
    hbm::config c;
    c.cycles.controller_latency_s = 0;
    return c;
}

} // namespace

TEST(hbm_model, ClosedBankReadLatencyIsTrcdPlusClPlusBurst) {
    tb b(lite());
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[32];
    EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0, buf, 32), (31u + 20u) * 625u + 1250u);
    // The next burst of the same 64 bytes sits in bank group 1: ACT tRRD_S later.
    EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 32, buf, 32), (4u + 31u + 20u) * 625u + 1250u);
    EXPECT_EQ(b.mem.stats().row_misses, 2u);
}

TEST(hbm_model, ControllerLatencyIsAddedOnTheRequestPath) {
    hbm::config c = lite();
    c.cycles.controller_latency_s = 10e-9;
    tb b(c);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[32];
    EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0, buf, 32, 5000),
              5000u + 10000u + (31u + 20u) * 625u + 1250u);
}

TEST(hbm_model, UntouchedMemoryReadsZeroAndDataRoundTrips) {
    hbm::config c = lite();
    c.geo.stacks = 4;
    c.geo.stack_bytes = uint64_t(24) << 30; // 96 GiB, sparse
    tb b(c);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    std::vector<uint8_t> buf(4096, 0xaa);
    b.access(tlm::TLM_READ_COMMAND, (uint64_t(90) << 30) + 12345, buf.data(), 4096);
    for (uint8_t x : buf)
        ASSERT_EQ(x, 0);
    for (unsigned i = 0; i < 4096; ++i)
        buf[i] = uint8_t(i * 7 + 1);
    const uint64_t hi = c.geo.total_bytes() - 4096;
    b.access(tlm::TLM_WRITE_COMMAND, hi, buf.data(), 4096);
    std::vector<uint8_t> back(4096);
    EXPECT_EQ(b.debug(tlm::TLM_READ_COMMAND, hi, back.data(), 4096), 4096u);
    EXPECT_EQ(back, buf);
    EXPECT_EQ(b.mem.stats().bytes_written, 4096u);
}

TEST(hbm_model, OutOfRangeAnswersAddressError) {
    tb b(lite());
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[64];
    tlm::tlm_response_status st;
    b.access(tlm::TLM_READ_COMMAND, (uint64_t(1) << 30) - 32, buf, 64, 0, &st);
    EXPECT_EQ(st, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.debug(tlm::TLM_READ_COMMAND, uint64_t(1) << 30, buf, 4), 0u);
}

TEST(hbm_model, DmiAndDebugAreUntimedBackdoors) {
    tb b(lite());
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    tlm::tlm_generic_payload t;
    t.set_address(0x1000);
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(b.out->get_direct_mem_ptr(t, dmi));
    EXPECT_TRUE(dmi.is_read_write_allowed());
    ASSERT_EQ(dmi.get_start_address(), 0u);
    std::memcpy(dmi.get_dmi_ptr() + 0x1000, "rainier", 8);
    char s[8];
    b.debug(tlm::TLM_READ_COMMAND, 0x1000, s, 8);
    EXPECT_STREQ(s, "rainier");
    // Neither opened a row: the first timed read is still a miss.
    uint8_t buf[32];
    EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0x1000, buf, 32), (31u + 20u) * 625u + 1250u);
}

TEST(hbm_model, SequentialStreamReachesPeakAndRandomDoesNot) {
    // Every request arrives at once (unbounded requests in flight): sequential 256-byte reads
    // over 8 MiB against the 819.2 GB/s peak of one HBM3 stack at 6.4 Gb/s.
    tb b(lite());
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    std::vector<uint8_t> buf(256);
    const uint64_t total = 8u << 20;
    uint64_t last = 0;
    for (uint64_t a = 0; a < total; a += 256)
        last = std::max(last, b.access(tlm::TLM_READ_COMMAND, a, buf.data(), 256));
    const double peak = 32 * 32 * 6.4e9 / 8;
    const double seq = double(total) / (double(last) * 1e-12);
    EXPECT_GE(seq, 0.85 * peak);
    EXPECT_LE(seq, peak);

    tb* r = nullptr;
    (void)r;
    std::mt19937_64 rng(1);
    uint64_t last_rand = 0, start = last;
    const unsigned n = 32768;
    for (unsigned i = 0; i < n; ++i) {
        const uint64_t a = (rng() % ((uint64_t(1) << 30) / 64)) * 64;
        last_rand = std::max(last_rand, b.access(tlm::TLM_READ_COMMAND, a, buf.data(), 64, start));
    }
    const double rnd = double(n) * 64 / (double(last_rand - start) * 1e-12);
    EXPECT_LT(rnd, 0.6 * peak); // row misses and tFAW keep random traffic far below peak
    EXPECT_GT(rnd, 0.05 * peak);
}
