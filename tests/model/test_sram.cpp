// SBUF and PSUM: partition bounds, port timing, FP32 accumulate-on-write.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "psum.h"
#include "sbuf.h"

using namespace rainier;

namespace {

struct tb : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<tb> to_sbuf{"to_sbuf"}, to_psum{"to_psum"}, to_acc{"to_acc"};
    sbuf s;
    psum p;
    static sram_config sbuf_cfg() {
        sram_config c;
        c.partitions = 32;
        c.partition_bytes = 192 * 1024;
        c.partition_stride = 256 * 1024;
        c.bandwidth = 1e12; // 1 byte per ps
        c.latency_s = 2e-9;
        return c;
    }
    static sram_config psum_cfg() {
        sram_config c = sbuf_cfg();
        c.partition_bytes = c.partition_stride = 16 * 1024;
        return c;
    }
    explicit tb(sc_core::sc_module_name name = "tb")
        : sc_module(name), s("sbuf", sbuf_cfg()), p("psum", psum_cfg()) {
        to_sbuf.bind(s.in);
        to_psum.bind(p.in);
        to_acc.bind(p.acc);
    }
    static tlm::tlm_response_status go(tlm_utils::simple_initiator_socket<tb>& sock,
                                       tlm::tlm_command cmd, uint64_t addr, void* data,
                                       unsigned len, uint64_t* delay_ps = nullptr,
                                       uint64_t issue_ps = 0) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(len);
        t.set_streaming_width(len);
        sc_core::sc_time d = sc_core::sc_time::from_value(issue_ps);
        sock->b_transport(t, d);
        if (delay_ps) *delay_ps = d.value();
        return t.get_response_status();
    }
};

} // namespace

TEST(sram, SbufPartitionsAndTheirGaps) {
    tb b;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[64] = {1, 2, 3};
    const uint64_t p5 = 5 * 256 * 1024;
    EXPECT_EQ(tb::go(b.to_sbuf, tlm::TLM_WRITE_COMMAND, p5 + 100, buf, 64), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.s.partition(5)[100 + 2], 3);
    // Past the 192 KiB of a partition, across two partitions, past the last one: errors.
    EXPECT_EQ(tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, p5 + 192 * 1024, buf, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, p5 + 192 * 1024 - 32, buf, 64),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 32 * 256 * 1024, buf, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(sram, PortOccupancyAndLatency) {
    tb b;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[1000];
    uint64_t d1, d2;
    tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 0, buf, 1000, &d1);
    tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 0, buf, 1000, &d2);
    EXPECT_EQ(d1, 1000u + 2000u); // 1000 bytes at 1 B/ps, then 2 ns
    EXPECT_EQ(d2, 2000u + 2000u); // behind the first on the port
}

TEST(sram, AnAccessBookedLaterButIssuedEarlierUsesThePortFirst) {
    // Initiators run ahead of simulated time by different amounts: the port is booked out of
    // time order, and each access takes the first gap at its issue time.
    tb b;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[1000];
    uint64_t late, early, overlap;
    tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 0, buf, 1000, &late, 10000); // port 10..11 ns
    tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 0, buf, 1000, &early, 0);    // port 0..1 ns
    tb::go(b.to_sbuf, tlm::TLM_READ_COMMAND, 0, buf, 1000, &overlap, 9500);
    EXPECT_EQ(late, 10000u + 1000u + 2000u);
    EXPECT_EQ(early, 1000u + 2000u);            // not behind the booking at 10 ns
    EXPECT_EQ(overlap, 11000u + 1000u + 2000u); // 9.5..10.5 ns is not free
}

TEST(sram, PsumAccumulatesFp32WithRoundToNearestEven) {
    tb b;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    const uint64_t at = 3 * 16 * 1024 + 64;
    float init[4] = {1.5f, 1.0f, 1.0f, -2.0f};
    float add[4] = {2.25f, std::ldexp(1.0f, -24), 3 * std::ldexp(1.0f, -24), 2.0f};
    ASSERT_EQ(tb::go(b.to_psum, tlm::TLM_WRITE_COMMAND, at, init, 16), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(tb::go(b.to_acc, tlm::TLM_WRITE_COMMAND, at, add, 16), tlm::TLM_OK_RESPONSE);
    float out[4];
    tb::go(b.to_psum, tlm::TLM_READ_COMMAND, at, out, 16);
    EXPECT_EQ(out[0], 3.75f);
    EXPECT_EQ(out[1], 1.0f);                         // half an ulp: tie to even stays at 1
    EXPECT_EQ(out[2], 1.0f + std::ldexp(1.0f, -22)); // 1.5 ulp: tie to even goes up to 2 ulp
    EXPECT_EQ(out[3], 0.0f);
    // A read through the accumulate alias is a plain read.
    float again[4];
    tb::go(b.to_acc, tlm::TLM_READ_COMMAND, at, again, 16);
    EXPECT_EQ(std::memcmp(out, again, 16), 0);
}

TEST(sram, PsumFlushesSubnormalsAndCanonicalisesNan) {
    EXPECT_EQ(psum::accumulate(1e-40f, 0.0f), 0.0f);
    EXPECT_EQ(psum::accumulate(1e-38f, -1.1e-38f), 0.0f); // result subnormal -> zero
    const float n = psum::accumulate(std::nanf("0x123"), 1.0f);
    uint32_t bits;
    std::memcpy(&bits, &n, 4);
    EXPECT_EQ(bits, 0x7fc00000u);
}

TEST(sram, PsumAccumulateNeedsWholeAlignedWords) {
    tb b;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    uint8_t buf[8] = {};
    EXPECT_EQ(tb::go(b.to_acc, tlm::TLM_WRITE_COMMAND, 2, buf, 4), tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(tb::go(b.to_acc, tlm::TLM_WRITE_COMMAND, 0, buf, 6), tlm::TLM_BURST_ERROR_RESPONSE);
}
