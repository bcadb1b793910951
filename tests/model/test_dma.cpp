// DMA engines on a lite chip: transfers and patterns against hand-built expectations, timing
// against the engine's bandwidth, every error path, and random concurrent traffic from
// several engines checked byte for byte against a shadow copy.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "chip_bench.h"

using namespace rainier;
using namespace rainier::test;
using sc_core::sc_time;

namespace {

const uint64_t ring0 = RAINIER_DRAM_BASE + 0x10000; // rings in host DRAM, like firmware's

std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    std::mt19937 rng(seed);
    for (auto& b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

struct error_case {
    const char* name;
    std::function<void(rainier_dma_desc&, uint64_t aperture)> spoil;
    uint32_t code;
};

} // namespace

TEST(dma, CopiesHbmToHbmAndRaisesTheCompletionInterrupt) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        const uint64_t src = b.aperture + 0x100000, dst = b.aperture + 0x800000;
        const auto data = pattern_bytes(65536, 1);
        b.poke(src, data.data(), data.size());
        b.setup_queue(0, 0, ring0, 8);
        b.write32(chip_bench::engine(0) + RAINIER_DMA_IRQ_ENABLE, RAINIER_DMA_IRQ_DONE(0));
        rainier_dma_desc d = copy_1d(src, dst, 65536, 0xbeef);
        d.flags = RAINIER_DMA_FLAG_IRQ;
        EXPECT_FALSE(b.dut.irq.read());
        b.submit(0, 0, {d});
        ASSERT_TRUE(b.wait_completed(0, 0, 1));
        std::vector<uint8_t> out(65536);
        b.peek(dst, out.data(), out.size());
        EXPECT_EQ(out, data);
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_LAST_TAG)), 0xbeefu);
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_HEAD)), 1u);
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR)), 0u);
        EXPECT_EQ(b.read32(chip_bench::engine(0) + RAINIER_DMA_IRQ_STATUS),
                  RAINIER_DMA_IRQ_DONE(0));
        EXPECT_TRUE(b.dut.irq.read());
        EXPECT_EQ(b.read32(RAINIER_CHIP_CTRL_IRQ_STATUS(0)), 1u);
        b.write32(chip_bench::engine(0) + RAINIER_DMA_IRQ_STATUS, RAINIER_DMA_IRQ_DONE(0)); // W1C
        EXPECT_FALSE(b.dut.irq.read());
        EXPECT_EQ(b.read32(RAINIER_CHIP_CTRL_IRQ_STATUS(0)), 0u);
    };
    b.start();
}

TEST(dma, ThreeDimensionalPatternFromHbmIntoSbufPartitions) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        // Source: 4 planes x 8 rows x 6 two-byte elements, rows 64 bytes apart, planes 1 KiB.
        // Destination: one row per SBUF partition (8 partitions from 3), planes 32 bytes apart
        // inside the partition, elements 4 bytes apart (a strided scatter).
        const uint64_t src = b.aperture + 0x40000;
        const uint64_t sbuf = RAINIER_CHIP_SRAM_BASE(0, 0) + RAINIER_SBUF_OFFSET;
        const uint64_t dst = sbuf + 3 * RAINIER_SBUF_PARTITION_STRIDE + 128;
        const auto data = pattern_bytes(4096, 2);
        b.poke(src, data.data(), data.size());
        rainier_dma_desc d{};
        d.src = src;
        d.elem_size = 2;
        d.src_count[0] = 6, d.src_count[1] = 8, d.src_count[2] = 4;
        d.src_stride[0] = 2, d.src_stride[1] = 64, d.src_stride[2] = 1024;
        d.dst = dst;
        d.dst_count[0] = 6, d.dst_count[1] = 4, d.dst_count[2] = 8;
        d.dst_stride[0] = 4, d.dst_stride[1] = 32, d.dst_stride[2] = RAINIER_SBUF_PARTITION_STRIDE;
        b.setup_queue(1, 2, ring0, 4);
        b.submit(1, 2, {d});
        ASSERT_TRUE(b.wait_completed(1, 2, 1));
        ASSERT_EQ(b.read32(chip_bench::q(1, 2, RAINIER_DMA_Q_ERROR)), 0u);
        // Element n of the source stream (plane z, row y, column x) lands at destination
        // element n (partition p, plane j, column i), both in row-major order.
        unsigned n = 0;
        for (unsigned z = 0; z < 4; ++z)
            for (unsigned y = 0; y < 8; ++y)
                for (unsigned x = 0; x < 6; ++x, ++n) {
                    const unsigned i = n % 6, j = (n / 6) % 4, p = n / 24;
                    uint8_t got[2];
                    b.peek(dst + p * RAINIER_SBUF_PARTITION_STRIDE + j * 32 + i * 4, got, 2);
                    const size_t s = z * 1024 + y * 64 + x * 2;
                    ASSERT_EQ(got[0], data[s]) << "element " << n;
                    ASSERT_EQ(got[1], data[s + 1]) << "element " << n;
                }
        // The gaps of the scatter stay untouched (zero).
        uint8_t gap[2];
        b.peek(dst + 2, gap, 2);
        EXPECT_EQ(gap[0] | gap[1], 0);
    };
    b.start();
}

TEST(dma, AccumulatesIntoPsumThroughTheAlias) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        const uint64_t core = RAINIER_CHIP_SRAM_BASE(0, 0);
        const float x[4] = {1.0f, 2.5f, -3.0f, 0.25f}, y[4] = {0.5f, 0.5f, 3.0f, 0.25f};
        b.poke(b.aperture + 0x1000, x, 16);
        b.poke(b.aperture + 0x2000, y, 16);
        const uint64_t acc = core + RAINIER_PSUM_ACC_OFFSET + 2 * RAINIER_PSUM_PARTITION_STRIDE;
        b.setup_queue(0, 0, ring0, 4);
        b.submit(0, 0,
                 {copy_1d(b.aperture + 0x1000, acc, 16), copy_1d(b.aperture + 0x2000, acc, 16)});
        ASSERT_TRUE(b.wait_completed(0, 0, 2));
        float out[4];
        b.peek(core + RAINIER_PSUM_OFFSET + 2 * RAINIER_PSUM_PARTITION_STRIDE, out, 16);
        EXPECT_EQ(out[0], 1.5f);
        EXPECT_EQ(out[1], 3.0f);
        EXPECT_EQ(out[2], 0.0f);
        EXPECT_EQ(out[3], 0.5f);
    };
    b.start();
}

TEST(dma, AddFlagAddsFp32InHbmAndBf16InSbufWithTheVectorEnginesRounding) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        // FP32 in HBM: 1 + 0.5; 2.5 + 2^-24 (below half an ulp: 2.5); a subnormal stored value
        // flushes (1e-38 + 1 = 1); -3 + 3 cancels to +0.
        const float stored[4] = {1.0f, 2.5f, 1e-38f, -3.0f};
        const float in[4] = {0.5f, 0x1p-24f, 1.0f, 3.0f};
        const uint64_t at = b.aperture + 0x3000;
        b.poke(at, stored, 16);
        b.poke(b.aperture + 0x4000, in, 16);
        rainier_dma_desc f = copy_1d(b.aperture + 0x4000, at, 16);
        f.flags = RAINIER_DMA_FLAG_ADD;
        // BF16 in SBUF: 1 + 2^-8 is half an ulp (ties to even: 1.0, 0x3f80); 1 + 3 * 2^-8 is
        // 1.5 ulp (ties to even: 1 + 2^-6, 0x3f82).
        const uint16_t bstored[2] = {0x3f80, 0x3f80}, bin[2] = {0x3b80, 0x3c40};
        const uint64_t sb = RAINIER_CHIP_SRAM_BASE(0, 0) + RAINIER_SBUF_OFFSET + 64;
        b.poke(sb, bstored, 4);
        b.poke(b.aperture + 0x5000, bin, 4);
        rainier_dma_desc h = copy_1d(b.aperture + 0x5000, sb, 4);
        h.elem_size = 2;
        h.src_stride[0] = h.dst_stride[0] = 2;
        h.src_count[0] = h.dst_count[0] = 2;
        h.flags = RAINIER_DMA_FLAG_ADD;
        b.setup_queue(0, 0, ring0, 4);
        b.submit(0, 0, {f, h});
        ASSERT_TRUE(b.wait_completed(0, 0, 2));
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR)), 0u);
        float out[4];
        b.peek(at, out, 16);
        EXPECT_EQ(out[0], 1.5f);
        EXPECT_EQ(out[1], 2.5f);
        EXPECT_EQ(out[2], 1.0f);
        EXPECT_EQ(out[3], 0.0f);
        EXPECT_FALSE(std::signbit(out[3]));
        uint16_t bout[2];
        b.peek(sb, bout, 4);
        EXPECT_EQ(bout[0], 0x3f80u);
        EXPECT_EQ(bout[1], 0x3f82u);
    };
    b.start();
}

TEST(dma, AddIntoMemoryThatCannotAddIsAnErrorAndChangesNothing) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        const uint64_t dram = RAINIER_DRAM_BASE + 0x200000;
        const uint64_t alias = RAINIER_CHIP_SRAM_BASE(0, 0) + RAINIER_PSUM_ACC_OFFSET;
        const uint64_t psum = RAINIER_CHIP_SRAM_BASE(0, 0) + RAINIER_PSUM_OFFSET;
        const float one[4] = {1.0f, 1.0f, 1.0f, 1.0f}, two[4] = {2.0f, 2.0f, 2.0f, 2.0f};
        b.poke(dram, two, 16);
        b.poke(psum, two, 16);
        b.poke(b.aperture + 0x1000, one, 16);
        b.setup_queue(0, 0, ring0, 4);
        for (const uint64_t dst : {dram, alias}) {
            rainier_dma_desc d = copy_1d(b.aperture + 0x1000, dst, 16);
            d.flags = RAINIER_DMA_FLAG_ADD;
            const uint32_t before = b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_COMPLETED));
            b.submit(0, 0, {d});
            ASSERT_TRUE(b.wait_completed(0, 0, before + 1));
            EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR)),
                      unsigned(RAINIER_DMA_ERR_ADD));
            b.write32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR), 0);
        }
        float out[4];
        b.peek(dram, out, 16);
        EXPECT_EQ(out[0], 2.0f); // host DRAM cannot add: untouched
        b.peek(psum, out, 16);
        EXPECT_EQ(out[3], 2.0f); // the alias adds already: refused, untouched
    };
    b.start();
}

TEST(dma, IncrementsTheSemaphore) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        b.setup_queue(2, 0, ring0, 4);
        rainier_dma_desc d = copy_1d(b.aperture, b.aperture + 4096, 64);
        d.flags = RAINIER_DMA_FLAG_SEM;
        d.sem_id = 3;
        d.sem_inc = 5;
        b.write32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(3), 100);
        b.submit(2, 0, {d, d});
        ASSERT_TRUE(b.wait_completed(2, 0, 2));
        EXPECT_EQ(b.read32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(3)), 110u);
        EXPECT_EQ(b.read32(chip_bench::q(2, 0, RAINIER_DMA_Q_ERROR)), 0u);
    };
    b.start();
}

TEST(dma, WaitingDescriptorHoldsOnlyItsQueueUntilTheSemaphoreIsReached) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        b.setup_queue(1, 0, ring0, 4);
        b.setup_queue(1, 1, ring0 + 4096, 4);
        rainier_dma_desc gated = copy_1d(b.aperture, b.aperture + 8192, 256, 0x11);
        gated.flags = RAINIER_DMA_FLAG_WAIT;
        gated.wait_sem = 4;
        gated.wait_value = 3;
        b.submit(1, 0, {gated});
        b.submit(1, 1, {copy_1d(b.aperture, b.aperture + 16384, 256, 0x22)});
        // The other queue of the same engine runs; the gated one does not, even when the
        // semaphore is short by one.
        ASSERT_TRUE(b.wait_completed(1, 1, 1));
        b.write32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(4), 2);
        wait(sc_core::sc_time(5, sc_core::SC_US));
        EXPECT_EQ(b.read32(chip_bench::q(1, 0, RAINIER_DMA_Q_COMPLETED)), 0u);
        const sc_time released = sc_core::sc_time_stamp();
        b.write32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_INC(4), 1);
        ASSERT_TRUE(b.wait_completed(1, 0, 1));
        EXPECT_EQ(b.read32(chip_bench::q(1, 0, RAINIER_DMA_Q_LAST_TAG)), 0x11u);
        EXPECT_EQ(b.read32(chip_bench::q(1, 0, RAINIER_DMA_Q_ERROR)), 0u);
        // Woken by the increment itself, not by a later poll: done within a short copy's time.
        EXPECT_LT(sc_core::sc_time_stamp() - released, sc_core::sc_time(1, sc_core::SC_US));
    };
    b.start();
}

TEST(dma, WaitOnANonexistentSemaphoreIsAnError) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        b.setup_queue(0, 0, ring0, 4);
        rainier_dma_desc d = copy_1d(b.aperture, b.aperture + 8192, 64);
        d.flags = RAINIER_DMA_FLAG_WAIT;
        d.wait_sem = RAINIER_SEM_COUNT;
        b.submit(0, 0, {d});
        ASSERT_TRUE(b.wait_completed(0, 0, 1));
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR)),
                  unsigned(RAINIER_DMA_ERR_FLAGS));
    };
    b.start();
}

TEST(dma, OneEngineMovesDataAtItsConfiguredBandwidth) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        // 1 MiB from HBM into SBUF, 32 KiB per partition: the engine, not HBM, is the limit.
        b.setup_queue(0, 0, ring0, 4);
        rainier_dma_desc d = copy_1d(b.aperture, RAINIER_CHIP_SRAM_BASE(0, 0), 4096);
        d.src_count[0] = d.dst_count[0] = 8192;
        d.src_count[1] = d.dst_count[1] = 32;
        d.src_stride[1] = 8192 * 4;
        d.dst_stride[1] = RAINIER_SBUF_PARTITION_STRIDE;
        const double bytes = 32 * 8192 * 4;
        const sc_time t0 = sc_core::sc_time_stamp();
        b.submit(0, 0, {d});
        ASSERT_TRUE(b.wait_completed(0, 0, 1));
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_ERROR)), 0u);
        const double elapsed = (sc_core::sc_time_stamp() - t0).to_seconds();
        const double ideal = bytes / 27e9; // 38.8 us at 27 GB/s
        EXPECT_GE(elapsed, ideal);
        EXPECT_LE(elapsed, ideal * 1.03 + 0.5e-6); // fetch, set-up, first latency, polling
    };
    b.start();
}

TEST(dma, CopyInsideHbmKeepsTheEngineRate) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        // Source and destination 64 MiB + 32 KiB apart (another bank): 1 MiB read and written.
        b.setup_queue(0, 0, ring0, 4);
        const uint32_t bytes = 1 << 20;
        const sc_time t0 = sc_core::sc_time_stamp();
        b.submit(0, 0, {copy_1d(b.aperture, b.aperture + (64 << 20) + (32 << 10), bytes)});
        ASSERT_TRUE(b.wait_completed(0, 0, 1));
        const double elapsed = (sc_core::sc_time_stamp() - t0).to_seconds();
        const double ideal = bytes / 27e9;
        EXPECT_GE(elapsed, ideal);
        EXPECT_LE(elapsed, ideal * 1.05 + 0.5e-6);
        EXPECT_EQ(b.dut.hbm().stats().bytes_read, bytes);
        EXPECT_EQ(b.dut.hbm().stats().bytes_written, bytes);
    };
    b.start();
}

TEST(dma, QueuesAreServedRoundRobinAtDescriptorBoundaries) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        // Each descriptor bumps its queue's own semaphore; sample the counts while both run.
        b.setup_queue(0, 0, ring0, 8);
        b.setup_queue(0, 1, ring0 + 0x1000, 8);
        std::vector<rainier_dma_desc> q0, q1;
        for (unsigned i = 0; i < 6; ++i) {
            rainier_dma_desc d = copy_1d(b.aperture, b.aperture + 0x100000, 16384, i);
            d.flags = RAINIER_DMA_FLAG_SEM;
            d.sem_inc = 1;
            d.sem_id = 0;
            q0.push_back(d);
            d.sem_id = 1;
            q1.push_back(d);
        }
        b.submit(0, 0, q0);
        b.submit(0, 1, q1);
        // After queue 0 started its first, the engine alternates: counts never differ by 2.
        while (b.read32(chip_bench::q(0, 1, RAINIER_DMA_Q_COMPLETED)) < 6) {
            const uint32_t a = b.read32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(0));
            const uint32_t c = b.read32(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(1));
            ASSERT_LE(a - c, 1u);
            wait(sc_time(50, sc_core::SC_NS));
        }
        EXPECT_EQ(b.read32(chip_bench::q(0, 0, RAINIER_DMA_Q_COMPLETED)), 6u);
    };
    b.start();
}

TEST(dma, EveryErrorCompletesTheDescriptorWithItsCodeAndTheEngineGoesOn) {
    const std::vector<error_case> cases = {
        {"unmapped source in the aperture",
         [](rainier_dma_desc& d, uint64_t ap) { d.src = ap + 0x1000000000ULL; },
         RAINIER_DMA_ERR_ADDRESS},
        {"unmapped global destination", [](rainier_dma_desc& d, uint64_t) { d.dst = 0x30000000; },
         RAINIER_DMA_ERR_ADDRESS},
        {"past the end of HBM",
         [](rainier_dma_desc& d, uint64_t ap) { d.src = ap + (1ULL << 30) - 32; },
         RAINIER_DMA_ERR_ADDRESS},
        {"past a SBUF partition",
         [](rainier_dma_desc& d, uint64_t) { d.dst = RAINIER_CHIP_SRAM_BASE(0, 0) + 192 * 1024; },
         RAINIER_DMA_ERR_ADDRESS},
        {"past the last SBUF partition",
         [](rainier_dma_desc& d, uint64_t) {
             d.dst = RAINIER_CHIP_SRAM_BASE(0, 0) + 32 * RAINIER_SBUF_PARTITION_STRIDE;
         },
         RAINIER_DMA_ERR_ADDRESS},
        {"zero count", [](rainier_dma_desc& d, uint64_t) { d.src_count[1] = 0; },
         RAINIER_DMA_ERR_ZERO_SIZE},
        {"misaligned address", [](rainier_dma_desc& d, uint64_t) { d.dst += 2; },
         RAINIER_DMA_ERR_MISALIGNED},
        {"misaligned stride", [](rainier_dma_desc& d, uint64_t) { d.src_stride[1] = 6; },
         RAINIER_DMA_ERR_MISALIGNED},
        {"element size 3", [](rainier_dma_desc& d, uint64_t) { d.elem_size = 3; },
         RAINIER_DMA_ERR_ELEM_SIZE},
        {"count mismatch", [](rainier_dma_desc& d, uint64_t) { d.dst_count[0] += 1; },
         RAINIER_DMA_ERR_COUNT_MISMATCH},
        {"unknown flag", [](rainier_dma_desc& d, uint64_t) { d.flags = 0x80; },
         RAINIER_DMA_ERR_FLAGS},
        {"addition of bytes",
         [](rainier_dma_desc& d, uint64_t) {
             d.flags = RAINIER_DMA_FLAG_ADD;
             d.elem_size = 1;
             d.src_stride[0] = d.dst_stride[0] = 1;
             d.src_count[0] = d.dst_count[0] = 256;
         },
         RAINIER_DMA_ERR_ADD},
        {"semaphore index",
         [](rainier_dma_desc& d, uint64_t) {
             d.flags = RAINIER_DMA_FLAG_SEM;
             d.sem_id = 40;
         },
         RAINIER_DMA_ERR_FLAGS},
    };
    chip_bench b(lite_chip());
    b.body = [&cases](chip_bench& b) {
        b.setup_queue(3, 1, ring0, 64);
        b.write32(chip_bench::engine(3) + RAINIER_DMA_IRQ_ENABLE, RAINIER_DMA_IRQ_ERROR(1));
        const auto data = pattern_bytes(256, 3);
        b.poke(b.aperture + 0x5000, data.data(), 256);
        uint32_t done = 0;
        for (const error_case& c : cases) {
            rainier_dma_desc bad = copy_1d(b.aperture + 0x5000, b.aperture + 0x9000, 256);
            c.spoil(bad, b.aperture);
            rainier_dma_desc good =
                copy_1d(b.aperture + 0x5000, b.aperture + 0xa000 + done * 256, 256, done + 1000);
            b.submit(3, 1, {bad, good});
            ASSERT_TRUE(b.wait_completed(3, 1, done + 2)) << c.name;
            EXPECT_EQ(b.read32(chip_bench::q(3, 1, RAINIER_DMA_Q_ERROR)), c.code) << c.name;
            EXPECT_EQ(b.read32(chip_bench::q(3, 1, RAINIER_DMA_Q_ERROR_INDEX)), done) << c.name;
            EXPECT_TRUE(b.dut.irq.read()) << c.name;
            EXPECT_EQ(b.read32(RAINIER_CHIP_CTRL_IRQ_STATUS(0)), 1u << 3) << c.name;
            // The descriptor after the bad one ran normally.
            EXPECT_EQ(b.read32(chip_bench::q(3, 1, RAINIER_DMA_Q_LAST_TAG)), done + 1000) << c.name;
            std::vector<uint8_t> out(256);
            b.peek(b.aperture + 0xa000 + done * 256, out.data(), 256);
            EXPECT_EQ(out, data) << c.name;
            b.write32(chip_bench::engine(3) + RAINIER_DMA_IRQ_STATUS, RAINIER_DMA_IRQ_ERROR(1));
            b.write32(chip_bench::q(3, 1, RAINIER_DMA_Q_ERROR), 0);
            EXPECT_FALSE(b.dut.irq.read()) << c.name;
            done += 2;
        }
        EXPECT_EQ(b.read32(chip_bench::q(3, 1, RAINIER_DMA_Q_ERROR_COUNT)), cases.size());
    };
    b.start();
}

TEST(dma, RingOverrunRejectsTheTailAndRaisesAnError) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        b.setup_queue(0, 3, ring0, 4);
        b.write32(chip_bench::engine(0) + RAINIER_DMA_IRQ_ENABLE, RAINIER_DMA_IRQ_ERROR(3));
        b.write32(chip_bench::q(0, 3, RAINIER_DMA_Q_TAIL), 5); // five entries in a ring of four
        b.write32(chip_bench::q(0, 3, RAINIER_DMA_Q_DOORBELL), 1);
        EXPECT_EQ(b.read32(chip_bench::q(0, 3, RAINIER_DMA_Q_ERROR)),
                  unsigned(RAINIER_DMA_ERR_RING_OVERRUN));
        EXPECT_EQ(b.read32(chip_bench::q(0, 3, RAINIER_DMA_Q_ERROR_INDEX)), 5u);
        EXPECT_EQ(b.read32(chip_bench::q(0, 3, RAINIER_DMA_Q_TAIL)), 0u);
        EXPECT_TRUE(b.dut.irq.read());
        wait(sc_time(1, sc_core::SC_US));
        EXPECT_EQ(b.read32(chip_bench::q(0, 3, RAINIER_DMA_Q_COMPLETED)), 0u); // nothing ran
        // A legal tail afterwards works.
        b.submit(0, 3, {copy_1d(b.aperture, b.aperture + 4096, 64, 7)});
        ASSERT_TRUE(b.wait_completed(0, 3, 1));
        EXPECT_EQ(b.read32(chip_bench::q(0, 3, RAINIER_DMA_Q_LAST_TAG)), 7u);
    };
    b.start();
}

TEST(dma, UnreadableDescriptorIsAFetchError) {
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        b.setup_queue(1, 0, 0x30000000, 4); // nothing there
        b.write32(chip_bench::q(1, 0, RAINIER_DMA_Q_TAIL), 2);
        b.write32(chip_bench::q(1, 0, RAINIER_DMA_Q_DOORBELL), 1);
        ASSERT_TRUE(b.wait_completed(1, 0, 2));
        EXPECT_EQ(b.read32(chip_bench::q(1, 0, RAINIER_DMA_Q_ERROR)),
                  unsigned(RAINIER_DMA_ERR_FETCH));
        EXPECT_EQ(b.read32(chip_bench::q(1, 0, RAINIER_DMA_Q_ERROR_COUNT)), 2u);
        EXPECT_EQ(b.read32(chip_bench::engine(1) + RAINIER_DMA_IRQ_STATUS),
                  RAINIER_DMA_IRQ_ERROR(0));
    };
    b.start();
}

TEST(dma, RandomConcurrentTrafficMatchesAShadowCopy) {
    // Four engines x two queues, each queue with its own destination area (HBM and SBUF),
    // all reading one shared source area. Random element sizes, 3-D shapes and strides.
    chip_bench b(lite_chip());
    b.body = [](chip_bench& b) {
        std::mt19937 rng(12345);
        const uint64_t src_base = b.aperture + 0x100000;
        const size_t src_len = 1 << 20;
        const auto src = pattern_bytes(src_len, 4);
        b.poke(src_base, src.data(), src_len);
        const uint64_t sbuf = RAINIER_CHIP_SRAM_BASE(0, 0);
        std::map<uint64_t, uint8_t> shadow; // destination byte -> expected value
        struct lane {
            unsigned e, q;
            uint64_t dst; // destination area base
            bool in_sbuf; // area is 4 partitions x 64 KiB of SBUF, else 1 MiB of HBM
            std::vector<rainier_dma_desc> ds;
        };
        std::vector<lane> lanes;
        for (unsigned e = 0; e < 4; ++e)
            for (unsigned q = 0; q < 2; ++q) {
                const unsigned l = e * 2 + q;
                const bool s = (l % 2) == 1;
                const uint64_t dst = s ? sbuf + (l / 2) * 4 * RAINIER_SBUF_PARTITION_STRIDE
                                       : b.aperture + 0x400000 + l * 0x100000;
                lanes.push_back({e, q, dst, s, {}});
            }
        auto pick_shape = [&](unsigned elems_max, uint16_t count[3]) {
            count[0] = static_cast<uint16_t>(1 + rng() % 64);
            count[1] = static_cast<uint16_t>(1 + rng() % 8);
            count[2] = static_cast<uint16_t>(1 + rng() % 4);
            while (uint64_t(count[0]) * count[1] * count[2] > elems_max)
                count[2] = 1, count[1] = 1;
        };
        for (unsigned round = 0; round < 24; ++round) {
            for (lane& ln : lanes) {
                rainier_dma_desc d{};
                const unsigned es = 1u << (rng() % 3);
                d.elem_size = static_cast<uint8_t>(es);
                pick_shape(4096, d.src_count);
                const uint64_t n = uint64_t(d.src_count[0]) * d.src_count[1] * d.src_count[2];
                // Source: stride0 = es or 2*es, rows and planes spread, all inside the area.
                d.src_stride[0] = static_cast<int32_t>(es * (1 + rng() % 2));
                d.src_stride[1] =
                    static_cast<int32_t>(d.src_stride[0] * d.src_count[0] + es * (rng() % 16));
                d.src_stride[2] =
                    static_cast<int32_t>(d.src_stride[1] * d.src_count[1] + es * (rng() % 16));
                d.src = src_base + es * (rng() % 1024);
                // Destination: the same element count reshaped as n = c0 x c1 x 1.
                uint16_t c0 = 1;
                for (uint16_t f : {16, 8, 4, 2, 1})
                    if (n % f == 0) {
                        c0 = f;
                        break;
                    }
                d.dst_count[0] = c0;
                d.dst_count[1] = static_cast<uint16_t>(n / c0);
                d.dst_count[2] = 1;
                d.dst_stride[0] = static_cast<int32_t>(es);
                if (ln.in_sbuf) {
                    // Rows walk 4 partitions, then step 16*es bytes further inside them.
                    d.dst_stride[1] = RAINIER_SBUF_PARTITION_STRIDE;
                    d.dst_count[1] = static_cast<uint16_t>(n / c0);
                    if (d.dst_count[1] > 4) { // reshape as (c0) x 4 partitions x rows
                        if ((n / c0) % 4 == 0) {
                            d.dst_count[1] = 4;
                            d.dst_count[2] = static_cast<uint16_t>(n / c0 / 4);
                            d.dst_stride[2] = static_cast<int32_t>(16 * es);
                        } else {
                            d.dst_count[0] = 1, d.dst_count[1] = 1;
                            d.dst_count[2] = static_cast<uint16_t>(n);
                            d.dst_stride[2] = static_cast<int32_t>(es);
                            if (n > 65535) continue;
                        }
                    }
                    d.dst = ln.dst + es * (rng() % 256);
                } else {
                    d.dst_stride[1] = static_cast<int32_t>(c0 * es + es * (rng() % 4));
                    d.dst = ln.dst + es * (rng() % 4096);
                }
                // Shadow: element k of the source order lands at element k of the destination.
                std::vector<uint64_t> s_addr, d_addr;
                for (unsigned z = 0; z < d.src_count[2]; ++z)
                    for (unsigned y = 0; y < d.src_count[1]; ++y)
                        for (unsigned x = 0; x < d.src_count[0]; ++x)
                            s_addr.push_back(d.src + int64_t(z) * d.src_stride[2] +
                                             int64_t(y) * d.src_stride[1] +
                                             int64_t(x) * d.src_stride[0]);
                for (unsigned z = 0; z < d.dst_count[2]; ++z)
                    for (unsigned y = 0; y < d.dst_count[1]; ++y)
                        for (unsigned x = 0; x < d.dst_count[0]; ++x)
                            d_addr.push_back(d.dst + int64_t(z) * d.dst_stride[2] +
                                             int64_t(y) * d.dst_stride[1] +
                                             int64_t(x) * d.dst_stride[0]);
                ASSERT_EQ(s_addr.size(), d_addr.size());
                for (size_t k = 0; k < s_addr.size(); ++k)
                    for (unsigned i = 0; i < es; ++i) {
                        ASSERT_LT(s_addr[k] + i - src_base, src_len);
                        shadow[d_addr[k] + i] = src[s_addr[k] + i - src_base];
                    }
                d.tag = round;
                ln.ds.push_back(d);
            }
        }
        for (size_t l = 0; l < lanes.size(); ++l)
            b.setup_queue(lanes[l].e, lanes[l].q, ring0 + l * 0x1000, 64);
        for (lane& ln : lanes)
            b.submit(ln.e, ln.q, ln.ds);
        for (lane& ln : lanes) {
            ASSERT_TRUE(b.wait_completed(ln.e, ln.q, static_cast<uint32_t>(ln.ds.size())));
            EXPECT_EQ(b.read32(chip_bench::q(ln.e, ln.q, RAINIER_DMA_Q_ERROR_COUNT)), 0u);
        }
        size_t checked = 0;
        for (const auto& [addr, value] : shadow) {
            uint8_t got;
            b.peek(addr, &got, 1);
            ASSERT_EQ(got, value) << std::hex << "at 0x" << addr;
            ++checked;
        }
        EXPECT_GT(checked, 50000u);
    };
    b.start();
}
