// Chips joined by NeuronLink (docs/neuronlink.md): DMA descriptors whose source or destination
// is another chip's HBM, SBUF or semaphore cross the links with their timing; a remote
// semaphore increment comes after the data it announces; ports marked down reroute or fail
// the transfer with an error status; 1- and 2-chip systems.
#include <gtest/gtest.h>

#include <random>

#include "multi_chip_bench.h"

using namespace rainier;
using namespace rainier::test;
using sc_core::sc_time;

namespace {

std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    std::mt19937 rng(seed);
    for (auto& b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

uint64_t hbm_at(unsigned c, uint64_t off) {
    return RAINIER_CHIP_APERTURE(c) + RAINIER_CHIP_HBM_OFFSET + off;
}

// A slow, long link, so that the link (not the 27 GB/s DMA engine) sets the time.
const double slow_bw = 4e9, slow_lat = 1e-6;
const uint32_t S = 65536;
// One transfer of S bytes over h equal hops, cut-through: h*L + (S + k*H) / B with at least
// k = S / 256 packets of 32-byte headers (docs/neuronlink.md, "Timing of a port").
double link_time(unsigned hops) {
    return hops * slow_lat + (S + (S / 256) * 32.0) / slow_bw;
}

// Copies S bytes from chip `from`'s HBM to `to` and returns the time until software sees it
// complete.
double timed_copy(multi_chip_bench& b, unsigned from, uint64_t src, uint64_t dst,
                  uint32_t completed) {
    const sc_time t0 = sc_core::sc_time_stamp();
    b.submit(from, 0, 0, {copy_1d(src, dst, S)});
    EXPECT_TRUE(b.wait_completed(from, 0, 0, completed));
    EXPECT_EQ(b.error(from, 0, 0), 0u);
    return (sc_core::sc_time_stamp() - t0).to_seconds();
}

} // namespace

TEST(multichip, RemoteWriteCrossesTheLinksWithTheirTiming) {
    multi_chip_bench b(make_topo("ring:4", slow_bw, slow_lat));
    ASSERT_EQ(b.topo.hops(0, 3), 1);
    ASSERT_EQ(b.topo.hops(0, 2), 2);
    b.body = [](multi_chip_bench& b) {
        const auto data = pattern_bytes(S, 1);
        b.poke(hbm_at(0, 0x100000), data.data(), S);
        // A local copy first: the queue is set up and the source rows are warm for both.
        timed_copy(b, 0, hbm_at(0, 0x100000), hbm_at(0, 0x200000), 1);
        const double one = timed_copy(b, 0, hbm_at(0, 0x100000), hbm_at(3, 0x200000), 2);
        const double two = timed_copy(b, 0, hbm_at(0, 0x100000), hbm_at(2, 0x300000), 3);
        std::vector<uint8_t> out(S);
        b.peek(hbm_at(3, 0x200000), out.data(), S);
        EXPECT_EQ(out, data);
        b.peek(hbm_at(2, 0x300000), out.data(), S);
        EXPECT_EQ(out, data);
        EXPECT_GE(one, link_time(1));
        EXPECT_LT(one, link_time(1) + 1e-6); // + descriptor fetch, set-up, HBM
        EXPECT_GE(two, link_time(2));
        EXPECT_NEAR(two - one, slow_lat, 50e-9); // one more hop: its latency
        // To chip 3 the short way (x-); to chip 2, half way round, a tie: x+ through chip 1.
        EXPECT_EQ(b.routers[0]->port(1).stats().payload_bytes, S);
        EXPECT_EQ(b.routers[0]->port(0).stats().payload_bytes, S);
        EXPECT_GT(b.routers[0]->port(0).stats().peak_in_flight_bytes, 0u);
        EXPECT_EQ(b.routers[1]->stats().forwarded, b.routers[0]->stats().sent / 2);
        EXPECT_GE(b.routers[0]->stats().host, 2u); // the descriptor fetches (rings in DRAM)
    };
    b.start();
}

TEST(multichip, RemoteReadAndSbufDestination) {
    multi_chip_bench b(make_topo("ring:4"));
    b.body = [](multi_chip_bench& b) {
        const auto data = pattern_bytes(4096, 2);
        b.poke(hbm_at(2, 0x4000), data.data(), data.size());
        // Chip 1 pulls from chip 2's HBM into its SBUF, then pushes into chip 0's SBUF.
        const uint64_t sbuf1 = RAINIER_CHIP_SRAM_BASE(1, 0) + RAINIER_SBUF_OFFSET;
        const uint64_t sbuf0 = RAINIER_CHIP_SRAM_BASE(0, 0) + RAINIER_SBUF_OFFSET + 256;
        b.submit(1, 0, 0, {copy_1d(hbm_at(2, 0x4000), sbuf1, 4096), copy_1d(sbuf1, sbuf0, 4096)});
        ASSERT_TRUE(b.wait_completed(1, 0, 0, 2));
        EXPECT_EQ(b.error(1, 0, 0), 0u);
        std::vector<uint8_t> out(4096);
        b.peek(sbuf0, out.data(), out.size());
        EXPECT_EQ(out, data);
        EXPECT_GT(b.routers[2]->port(1).stats().payload_bytes, 0u); // read data came back on x-
    };
    b.start();
}

TEST(multichip, AddIntoAnotherChipsSbufHappensThere) {
    multi_chip_bench b(make_topo("ring:4"));
    b.body = [](multi_chip_bench& b) {
        // Chip 0 adds its HBM data into chip 2's SBUF, two hops away: a ring step of a
        // reduce-scatter without the vector engine.
        std::vector<float> stored(1024), in(1024);
        for (unsigned i = 0; i < 1024; ++i) {
            stored[i] = float(i);
            in[i] = float(3 * i) - 7.0f;
        }
        const uint64_t sbuf2 = RAINIER_CHIP_SRAM_BASE(2, 0) + RAINIER_SBUF_OFFSET + 512;
        b.poke(sbuf2, stored.data(), 4096);
        b.poke(hbm_at(0, 0x8000), in.data(), 4096);
        rainier_dma_desc d = copy_1d(hbm_at(0, 0x8000), sbuf2, 4096);
        d.flags = RAINIER_DMA_FLAG_ADD;
        b.submit(0, 0, 0, {d});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 1));
        EXPECT_EQ(b.error(0, 0, 0), 0u);
        std::vector<float> out(1024);
        b.peek(sbuf2, out.data(), 4096);
        for (unsigned i = 0; i < 1024; ++i)
            ASSERT_EQ(out[i], float(4 * i) - 7.0f) << i; // small integers: exact
    };
    b.start();
}

TEST(multichip, RemoteSemaphoreIncrementIsOrderedAfterTheData) {
    multi_chip_bench b(make_topo("ring:4", slow_bw, slow_lat));
    b.body = [](multi_chip_bench& b) {
        const auto data = pattern_bytes(S, 3);
        b.poke(hbm_at(0, 0x100000), data.data(), S);
        const uint32_t one = 1;
        b.poke(hbm_at(0, 0x8000), &one, 4);
        // Chip 1 waits for its core 0's semaphore 2, then copies what chip 0 sent.
        rainier_dma_desc consume = copy_1d(hbm_at(1, 0x200000), hbm_at(1, 0x400000), S);
        consume.flags = RAINIER_DMA_FLAG_WAIT;
        consume.wait_sem = 2;
        consume.wait_value = 1;
        b.submit(1, 0, 0, {consume});
        // Chip 0: the data, then a 4-byte write of 1 to chip 1's INC register of semaphore 2.
        const uint64_t inc =
            RAINIER_CHIP_MMIO_ADDR(1) + RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_INC(2);
        b.submit(0, 0, 0,
                 {copy_1d(hbm_at(0, 0x100000), hbm_at(1, 0x200000), S),
                  copy_1d(hbm_at(0, 0x8000), inc, 4)});
        const sc_time t0 = sc_core::sc_time_stamp();
        // The semaphore becomes 1 when the increment arrives, not when it was sent.
        while (b.read32(1, RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(2)) == 0)
            wait(sc_time(20, sc_core::SC_NS));
        const double seen = (sc_core::sc_time_stamp() - t0).to_seconds();
        // DMA descriptors are pipelined: the increment goes out right behind the data's
        // packets on the same port, so it lands after the data, but not a whole hop later.
        EXPECT_GE(seen, link_time(1));
        EXPECT_LT(seen, link_time(1) + slow_lat);
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 2));
        EXPECT_EQ(b.error(0, 0, 0), 0u);
        ASSERT_TRUE(b.wait_completed(1, 0, 0, 1));
        EXPECT_EQ(b.error(1, 0, 0), 0u);
        std::vector<uint8_t> out(S);
        b.peek(hbm_at(1, 0x400000), out.data(), S);
        EXPECT_EQ(out, data);
    };
    b.start();
}

TEST(multichip, ASlowRemoteWriteDoesNotHoldBackTheNextDescriptor) {
    // A 4-byte write over a 5 us link, then a 256 KiB copy inside chip 0's HBM on the same
    // queue: the copy's requests take free request slots at once (only completion is in
    // order), so it finishes at the engine's rate, not 5 us late.
    multi_chip_bench b(make_topo("ring:2", slow_bw, 5e-6));
    b.body = [](multi_chip_bench& b) {
        const uint32_t bytes = 4 * S;
        const auto data = pattern_bytes(bytes, 7);
        b.poke(hbm_at(0, 0x100000), data.data(), bytes);
        timed_copy(b, 0, hbm_at(0, 0x100000), hbm_at(0, 0x300000), 1); // set-up, warm rows
        const sc_time t0 = sc_core::sc_time_stamp();
        b.submit(0, 0, 0,
                 {copy_1d(hbm_at(0, 0x100000), hbm_at(1, 0x8000), 4),
                  copy_1d(hbm_at(0, 0x100000), hbm_at(0, 0x200000), bytes)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 3));
        EXPECT_EQ(b.error(0, 0, 0), 0u);
        const double elapsed = (sc_core::sc_time_stamp() - t0).to_seconds();
        const double ideal = bytes / 27e9; // 9.7 us
        EXPECT_GE(elapsed, ideal);
        EXPECT_LE(elapsed, ideal * 1.05 + 0.5e-6); // 5 us more before the fix
        std::vector<uint8_t> out(bytes);
        b.peek(hbm_at(0, 0x200000), out.data(), bytes);
        EXPECT_EQ(out, data);
    };
    b.start();
}

TEST(multichip, DownPortReroutesTheLongWayRound) {
    multi_chip_bench b(make_topo("ring:4", slow_bw, slow_lat, {{0, "x-"}}));
    ASSERT_EQ(b.topo.hops(0, 3), 3);
    b.body = [](multi_chip_bench& b) {
        const auto data = pattern_bytes(S, 4);
        b.poke(hbm_at(0, 0), data.data(), S);
        const double t = timed_copy(b, 0, hbm_at(0, 0), hbm_at(3, 0x10000), 1);
        std::vector<uint8_t> out(S);
        b.peek(hbm_at(3, 0x10000), out.data(), S);
        EXPECT_EQ(out, data);
        EXPECT_GE(t, link_time(3));
        EXPECT_LT(t, link_time(3) + 1e-6);
        EXPECT_EQ(b.routers[0]->port(1).stats().packets, 0u); // x- unused
        EXPECT_EQ(b.routers[1]->stats().forwarded, b.routers[2]->stats().forwarded);
    };
    b.start();
}

TEST(multichip, NoPathOrNoChipCompletesWithAnError) {
    multi_chip_bench b(make_topo("ring:2", 256e9, 150e-9, {{0, "x"}}));
    ASSERT_EQ(b.topo.hops(0, 1), -1);
    b.body = [](multi_chip_bench& b) {
        b.write32(0, chip_bench::engine(0) + RAINIER_DMA_IRQ_ENABLE, RAINIER_DMA_IRQ_ERROR(0));
        b.submit(0, 0, 0, {copy_1d(hbm_at(0, 0), hbm_at(1, 0), 4096)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 1));
        EXPECT_EQ(b.error(0, 0, 0), uint32_t(RAINIER_DMA_ERR_BUS));
        EXPECT_TRUE(b.chips[0]->irq.read());
        // Reading from the unreachable chip fails the same way; a chip the system does not
        // have is an address error; the queue goes on.
        b.submit(0, 0, 0,
                 {copy_1d(hbm_at(1, 0), hbm_at(0, 0), 64), copy_1d(hbm_at(0, 0), hbm_at(5, 0), 64),
                  copy_1d(hbm_at(0, 0), hbm_at(0, 0x1000), 64)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 4));
        EXPECT_EQ(b.read32(0, chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR_COUNT)), 3u);
        EXPECT_EQ(b.read32(0, chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR_INDEX)), 2u);
        EXPECT_EQ(b.error(0, 0, 0), uint32_t(RAINIER_DMA_ERR_ADDRESS));
        EXPECT_EQ(b.routers[0]->port(0).stats().packets, 0u); // nothing was sent
    };
    b.start();
}

TEST(multichip, TwoChipsShareOneLink) {
    multi_chip_bench b(make_topo("ring:2"));
    ASSERT_EQ(b.routers[0]->ports(), 1u);
    b.body = [](multi_chip_bench& b) {
        const auto a = pattern_bytes(8192, 5), c = pattern_bytes(8192, 6);
        b.poke(hbm_at(0, 0), a.data(), a.size());
        b.poke(hbm_at(1, 0), c.data(), c.size());
        b.submit(0, 0, 0, {copy_1d(hbm_at(0, 0), hbm_at(1, 0x10000), 8192)});
        b.submit(1, 1, 0, {copy_1d(hbm_at(1, 0), hbm_at(0, 0x10000), 8192)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 1));
        ASSERT_TRUE(b.wait_completed(1, 1, 0, 1));
        std::vector<uint8_t> out(8192);
        b.peek(hbm_at(1, 0x10000), out.data(), out.size());
        EXPECT_EQ(out, a);
        b.peek(hbm_at(0, 0x10000), out.data(), out.size());
        EXPECT_EQ(out, c);
        EXPECT_EQ(b.routers[0]->port(0).stats().payload_bytes, 8192u);
        EXPECT_EQ(b.routers[1]->port(0).stats().payload_bytes, 8192u);
    };
    b.start();
}

TEST(multichip, SingleChipReachesHostDramThroughItsRouter) {
    multi_chip_bench b(make_topo("single"));
    ASSERT_EQ(b.routers[0]->ports(), 0u);
    b.body = [](multi_chip_bench& b) {
        const auto data = pattern_bytes(4096, 7);
        const uint64_t dram = RAINIER_DRAM_BASE + 0x800000;
        b.poke(dram, data.data(), data.size());
        b.submit(0, 0, 0,
                 {copy_1d(dram, hbm_at(0, 0x2000), 4096),
                  copy_1d(hbm_at(0, 0x2000), dram + 8192, 4096),
                  copy_1d(hbm_at(0, 0x2000), hbm_at(1, 0), 64)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 3));
        std::vector<uint8_t> out(4096);
        b.peek(dram + 8192, out.data(), out.size());
        EXPECT_EQ(out, data);
        EXPECT_EQ(b.error(0, 0, 0), uint32_t(RAINIER_DMA_ERR_ADDRESS)); // no chip 1
        EXPECT_EQ(b.read32(0, chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR_COUNT)), 1u);
    };
    b.start();
}

// CTRL_TIME_NS: simulated time in ns, at the access's own time, one clock for every chip. A DMA
// read of it stamps when its request gets there: on this chip behind the copy before it, on a
// remote one a hop later.
TEST(multichip, TimeNsStampsWhenTheQueueGotThere) {
    multi_chip_bench b(make_topo("ring:2", slow_bw, slow_lat));
    b.body = [](multi_chip_bench& b) {
        const uint64_t time_ns = RAINIER_CHIP_CTRL_OFFSET + RAINIER_CHIP_CTRL_TIME_NS;
        wait(sc_time(12345, sc_core::SC_NS));
        uint64_t now = 0;
        b.access(tlm::TLM_READ_COMMAND, RAINIER_CHIP_MMIO_ADDR(1) + time_ns, &now, 8);
        const uint64_t host_ns = uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
        EXPECT_LE(now, host_ns); // sampled when the read got there, at or before its return
        EXPECT_GE(now, 12345u);
        // A CPU 3 us into its quantum reads its own time, not the kernel's.
        const uint64_t kernel_ns = uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e9);
        uint64_t ahead = 0;
        b.access(tlm::TLM_READ_COMMAND, RAINIER_CHIP_MMIO_ADDR(0) + time_ns, &ahead, 8,
                 sc_time(3, sc_core::SC_US));
        const uint64_t back_ns = uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
        EXPECT_GE(ahead, kernel_ns + 3000);
        EXPECT_LE(ahead, back_ns);
        const auto data = pattern_bytes(S, 5);
        b.poke(hbm_at(0, 0x100000), data.data(), S);
        const uint64_t stamps = hbm_at(0, 0x8000);
        const sc_time t0 = sc_core::sc_time_stamp();
        b.submit(0, 0, 0,
                 {copy_1d(hbm_at(0, 0x100000), hbm_at(0, 0x200000), S),
                  copy_1d(RAINIER_CHIP_MMIO_ADDR(0) + time_ns, stamps, 8),
                  copy_1d(RAINIER_CHIP_MMIO_ADDR(1) + time_ns, stamps + 8, 8)});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 3));
        EXPECT_EQ(b.error(0, 0, 0), 0u);
        const uint64_t done_ns = uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
        uint64_t t[2] = {0, 0};
        b.peek(stamps, t, sizeof t);
        // The local stamp comes after the copy: S bytes at the engine's 27 GB/s at the least.
        const double start_ns = t0.to_seconds() * 1e9;
        EXPECT_GE(double(t[0]), start_ns + S / 27.0);
        // The remote one a hop later (slow_lat = 1 us), but not a round trip later.
        EXPECT_GE(t[1], t[0] + uint64_t(slow_lat * 1e9));
        EXPECT_LT(t[1], t[0] + uint64_t(2 * slow_lat * 1e9));
        EXPECT_LE(t[1], done_ns);
    };
    b.start();
}

// A queue starts its next descriptor once the last one's requests are out, not when its writes
// have landed: a stamp right behind a remote write reads the time before the data is there.
// rt_dma_fenced puts a signalling copy in between and makes the stamp wait for its signal,
// which the engine gives only after the earlier descriptors completed (it retires in order).
TEST(multichip, AFencedStampComesAfterTheRemoteWriteLanded) {
    multi_chip_bench b(make_topo("ring:2", slow_bw, slow_lat));
    b.body = [](multi_chip_bench& b) {
        const uint64_t time_ns =
            RAINIER_CHIP_MMIO_ADDR(0) + RAINIER_CHIP_CTRL_OFFSET + RAINIER_CHIP_CTRL_TIME_NS;
        const auto data = pattern_bytes(S, 9);
        b.poke(hbm_at(0, 0x100000), data.data(), S);
        const uint64_t stamps = hbm_at(0, 0x8000);
        rainier_dma_desc fence = copy_1d(hbm_at(0, 0x9000), hbm_at(0, 0x9100), 4);
        fence.flags = RAINIER_DMA_FLAG_SEM;
        fence.sem_id = 3;
        fence.sem_inc = 1;
        rainier_dma_desc fenced = copy_1d(time_ns, stamps + 8, 8);
        fenced.flags = RAINIER_DMA_FLAG_WAIT;
        fenced.wait_sem = 3;
        fenced.wait_value = 1;
        const double t0_ns = sc_core::sc_time_stamp().to_seconds() * 1e9;
        b.submit(0, 0, 0,
                 {copy_1d(hbm_at(0, 0x100000), hbm_at(1, 0x200000), S), copy_1d(time_ns, stamps, 8),
                  fence, fenced});
        ASSERT_TRUE(b.wait_completed(0, 0, 0, 4));
        EXPECT_EQ(b.error(0, 0, 0), 0u);
        uint64_t t[2] = {0, 0};
        b.peek(stamps, t, sizeof t);
        const double landed_ns = t0_ns + link_time(1) * 1e9; // the hand-derived earliest landing
        EXPECT_LT(double(t[0]), landed_ns);                  // right behind: too early
        EXPECT_GE(double(t[1]), landed_ns);                  // fenced: after it
        EXPECT_LT(double(t[1]), landed_ns + 1000.0);         // but not a hop later still
        std::vector<uint8_t> out(S);
        b.peek(hbm_at(1, 0x200000), out.data(), S);
        EXPECT_EQ(out, data);
    };
    b.start();
}
