// HBM timing rules one by one, on the bank machine. Expected times are derived by hand from
// the JEDEC-style defaults (HBM3 at 6.4 Gb/s: tCK = 625 ps, a BL8 burst = 1250 ps).
#include <gtest/gtest.h>

#include "address_mapping.h"
#include "bank_machine.h"

using namespace rainier::hbm;

namespace {

constexpr uint64_t tCK = 625, tBURST = 1250;

struct fixture : ::testing::Test {
    config cfg;
    std::unique_ptr<bank_machine> m;
    void make() { m = std::make_unique<bank_machine>(cfg.geo, cfg.resolve()); }
    void SetUp() override { make(); }
    static dram_address at(unsigned bg, unsigned bank, unsigned row, unsigned pc = 0,
                           unsigned ch = 0, unsigned col = 0) {
        dram_address a;
        a.channel = channel_id(ch);
        a.pc = pseudo_channel_id(pc);
        a.bank_group = bank_group_id(bg);
        a.bank = bank_id(bank);
        a.row = row_id(row);
        a.column = column_id(col);
        return a;
    }
};

} // namespace

TEST_F(fixture, ResolvedTimingMatchesTheDataRate) {
    const timing t = cfg.resolve();
    EXPECT_EQ(t.tCK, 625u);
    EXPECT_EQ(t.tBURST, 1250u); // 8 UI at 6.4 Gb/s
    EXPECT_EQ(t.tRCD_RD, 31 * tCK);
    EXPECT_EQ(t.tREFI, 3900000u);
    EXPECT_DOUBLE_EQ(cfg.peak_bandwidth(), 32 * 32 * 6.4e9 / 8); // 819.2 GB/s per stack
}

TEST_F(fixture, ActToReadRespectsTrcd) {
    const burst_result r = m->access(at(0, 0, 7), false, 0);
    EXPECT_EQ(r.outcome, row_outcome::miss);
    EXPECT_EQ(r.act, 0u);
    EXPECT_EQ(r.col, 31 * tCK);                  // tRCD_RD
    EXPECT_EQ(r.done, (31 + 20) * tCK + tBURST); // + CL + burst
}

TEST_F(fixture, ActToWriteRespectsTrcdWr) {
    const burst_result r = m->access(at(1, 2, 3), true, 1000);
    EXPECT_EQ(r.col, 1000 + 15 * tCK);
    EXPECT_EQ(r.done, 1000 + (15 + 8) * tCK + tBURST); // + WL + burst
}

TEST_F(fixture, FifthActWaitsForTfaw) {
    // Four ACTs to four bank groups go tRRD_S apart; the fifth (bank group 0 again, another
    // bank) would go at 16 tCK by tRRD_S and 5 by tRRD_L, but tFAW holds it to 24.
    uint64_t acts[5];
    for (unsigned i = 0; i < 4; ++i)
        acts[i] = m->access(at(i, 0, 1), false, 0).act;
    acts[4] = m->access(at(0, 1, 1), false, 0).act;
    EXPECT_EQ(acts[0], 0u);
    EXPECT_EQ(acts[1], 4 * tCK);
    EXPECT_EQ(acts[2], 8 * tCK);
    EXPECT_EQ(acts[3], 12 * tCK);
    EXPECT_EQ(acts[4], 24 * tCK);
}

TEST_F(fixture, WithoutTfawTheFifthActFollowsTrrd) {
    cfg.cycles.tFAW = 0;
    make();
    for (unsigned i = 0; i < 4; ++i)
        m->access(at(i, 0, 1), false, 0);
    EXPECT_EQ(m->access(at(0, 1, 1), false, 0).act, 16 * tCK);
}

TEST_F(fixture, SameBankGroupActsRespectTrrdL) {
    m->access(at(2, 0, 1), false, 0);
    EXPECT_EQ(m->access(at(2, 1, 1), false, 0).act, 5 * tCK);
}

TEST_F(fixture, RowHitIsFasterThanConflictByTrpPlusTrcd) {
    const uint64_t miss = m->access(at(0, 0, 0), false, 0).done;
    EXPECT_EQ(miss, (31 + 20) * tCK + tBURST);
    const burst_result hit = m->access(at(0, 0, 0), false, 100000);
    EXPECT_EQ(hit.outcome, row_outcome::hit);
    EXPECT_EQ(hit.done - 100000, 20 * tCK + tBURST); // CL + burst
    const burst_result conflict = m->access(at(0, 0, 1), false, 200000);
    EXPECT_EQ(conflict.outcome, row_outcome::conflict);
    EXPECT_EQ(conflict.act, 200000 + 26 * tCK); // PRE at once, ACT after tRP
    EXPECT_EQ(conflict.done - 200000, (26 + 31 + 20) * tCK + tBURST);
    EXPECT_EQ((conflict.done - 200000) - (hit.done - 100000), (26 + 31) * tCK); // tRP + tRCD
}

TEST_F(fixture, ConflictWaitsForTrcAndTras) {
    // ACT to ACT in one bank: tRC (72 tCK) binds, being longer than tRAS + tRP (45 + 26).
    m->access(at(0, 0, 0), false, 0);
    EXPECT_EQ(m->access(at(0, 0, 1), false, 0).act, 72 * tCK);
    // Without tRC: PRE no earlier than ACT + tRAS, then tRP before the new ACT.
    cfg.cycles.tRC = 0;
    make();
    m->access(at(0, 0, 0), false, 0);
    EXPECT_EQ(m->access(at(0, 0, 1), false, 0).act, (45 + 26) * tCK);
}

TEST_F(fixture, ColumnsRespectTccdShortAndLong) {
    m->access(at(0, 0, 0), false, 0);
    m->access(at(1, 0, 0), false, 0);
    // Both rows open at 0 and 4 tCK; columns at tRCD after each ACT.
    const uint64_t c0 = m->access(at(0, 0, 0), false, 100000).col;
    const uint64_t c1 = m->access(at(0, 0, 0), false, 100000).col; // same bank group
    const uint64_t c2 = m->access(at(1, 0, 0), false, 100000).col; // other bank group
    EXPECT_EQ(c0, 100000u);
    EXPECT_EQ(c1 - c0, 4 * tCK); // tCCD_L
    EXPECT_EQ(c2 - c1, 2 * tCK); // tCCD_S
}

TEST_F(fixture, DataBusIsOccupiedPerBurst) {
    // Row hits alternating bank groups: one burst every tBURST on the pseudo-channel.
    for (unsigned bg = 0; bg < 4; ++bg)
        m->access(at(bg, 0, 0), false, 0);
    uint64_t prev = m->access(at(0, 0, 0), false, 200000).done;
    for (unsigned i = 1; i < 16; ++i) {
        const uint64_t d = m->access(at(i % 4, 0, 0), false, 200000).done;
        EXPECT_EQ(d - prev, tBURST);
        prev = d;
    }
}

TEST_F(fixture, OtherPseudoChannelsAreIndependent) {
    const uint64_t a = m->access(at(0, 0, 0, 0), false, 0).done;
    const uint64_t b = m->access(at(0, 0, 0, 1), false, 0).done;
    const uint64_t c = m->access(at(0, 0, 0, 0, 5), false, 0).done;
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, c);
}

TEST_F(fixture, ReadAfterWriteRespectsTwtr) {
    m->access(at(0, 0, 0), true, 0);
    const burst_result w = m->access(at(0, 0, 0), true, 100000);
    const burst_result r = m->access(at(0, 0, 0), false, 100000);
    EXPECT_EQ(r.col, w.done + 10 * tCK); // tWTR_L, same bank group
    const burst_result w2 = m->access(at(0, 0, 0), true, r.col);
    EXPECT_EQ(w2.col, r.col + 20 * tCK); // tRTW
}

TEST_F(fixture, RefreshBlocksThePseudoChannelForTrfc) {
    // Pseudo-channel 0's first refresh is at tREFI = 3.9 us; the row opened before is closed.
    m->access(at(0, 0, 9), false, 0);
    const uint64_t refi = 3900000, rfc = 350000;
    const burst_result r = m->access(at(0, 0, 9), false, refi);
    EXPECT_EQ(r.outcome, row_outcome::miss);
    EXPECT_EQ(r.act, refi + rfc);
    EXPECT_EQ(r.done, refi + rfc + (31 + 20) * tCK + tBURST);
    EXPECT_EQ(m->refreshes(), 1u);
    // Just before its own (staggered) refresh, pseudo-channel 1 is unaffected.
    const uint64_t pc1 = refi + refi / 32;
    EXPECT_EQ(m->first_refresh(1), pc1);
    EXPECT_EQ(m->access(at(0, 0, 9, 1), false, pc1 - 1).act, pc1 - 1);
}

TEST_F(fixture, NoRefreshWhenDisabled) {
    cfg.cycles.refresh = false;
    make();
    EXPECT_EQ(m->access(at(0, 0, 9), false, 3900000).act, 3900000u);
}

TEST(mapping, BgInterleaveIsABijectionOverTheFirstMegabyte) {
    config cfg;
    auto map = make_mapping(cfg);
    for (uint64_t a = 0; a < (1u << 20); a += 32)
        EXPECT_EQ(map->encode(map->decode(a)), a);
    // Consecutive bursts walk the bank groups, then columns; a 1 KiB granule (one page) per
    // pseudo-channel, then the next pseudo-channel, channel, bank, and the next columns.
    EXPECT_EQ(map->decode(32).bank_group.v, 1u);
    EXPECT_EQ(map->decode(128).column.v, 1u);
    EXPECT_EQ(map->decode(1024 - 32).column.v, 7u);
    EXPECT_EQ(map->decode(1024).pc.v, 1u);
    EXPECT_EQ(map->decode(2048).channel.v, 1u);
    EXPECT_EQ(map->decode(1024 * 32).bank.v, 1u);
    EXPECT_EQ(map->decode(1024 * 32 * 4).column.v, 8u);
}

TEST(mapping, EveryVariantCoversTheWholeSpace) {
    for (mapping_kind k : {mapping_kind::bg_interleave, mapping_kind::channel_interleave,
                           mapping_kind::row_bank_channel}) {
        config cfg;
        cfg.geo.stacks = 3; // not a power of two on purpose
        cfg.mapping = k;
        auto map = make_mapping(cfg);
        const uint64_t last = cfg.geo.total_bytes() - 32;
        const dram_address a = map->decode(last);
        EXPECT_EQ(a.row.v, cfg.geo.rows() - 1) << mapping_name(k);
        EXPECT_EQ(map->encode(a), last) << mapping_name(k);
        for (uint64_t x = 0; x < 3 * 65536; x += 4096 + 32)
            EXPECT_EQ(map->encode(map->decode(x)), x) << mapping_name(k);
    }
}

TEST(mapping, ImpossibleGeometryIsRejected) {
    config cfg;
    cfg.interleave_bytes = 64; // less than one burst per bank group
    EXPECT_THROW(cfg.validate(), std::invalid_argument);
    config c2;
    c2.geo.stack_bytes = 1000;
    EXPECT_THROW(c2.validate(), std::invalid_argument);
}
