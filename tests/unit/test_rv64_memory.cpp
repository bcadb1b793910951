// Loads, stores, misaligned accesses, bus errors, MMIO, DMI, LR/SC, AMOs and self-modifying
// code on the RV64 ISS.
#include "rv64_test_harness.h"

namespace rv64_test {
namespace {

class memory : public rv64_test {
protected:
    // Runs one instruction at code with a1 = address, a2 = value; true if it did not trap.
    bool one(uint32_t insn, uint64_t addr, uint64_t value = 0) {
        write_csr(n::mtvec, handler);
        h->set_pc(code);
        poke<uint32_t>(code, insn);
        set_x(a1, addr);
        set_x(a2, value);
        run(1);
        return h->pc() == code + 4;
    }
    void expect_trap(uint64_t cause, uint64_t tval) {
        EXPECT_EQ(h->pc(), handler);
        EXPECT_EQ(csr(n::mcause), cause);
        EXPECT_EQ(csr(n::mtval), tval);
        EXPECT_EQ(csr(n::mepc), code);
    }
};

TEST_F(memory, loads_of_each_width_extend_correctly) {
    poke<uint64_t>(data, 0xf0e1d2c3b4a59687); // bytes 87 96 a5 b4 c3 d2 e1 f0
    poke<uint64_t>(data + 8, 0x0102030405067f7f);
    struct {
        uint32_t insn;
        uint64_t expect;
    } cases[] = {
        {as::lb(a0, a1, 0), 0xffffffffffffff87},
        {as::lbu(a0, a1, 0), 0x87},
        {as::lh(a0, a1, 0), 0xffffffffffff9687},
        {as::lhu(a0, a1, 0), 0x9687},
        {as::lw(a0, a1, 0), 0xffffffffb4a59687},
        {as::lwu(a0, a1, 0), 0xb4a59687},
        {as::ld(a0, a1, 0), 0xf0e1d2c3b4a59687},
        {as::lb(a0, a1, 7), 0xfffffffffffffff0},
        {as::lb(a0, a1, 8), 0x7f},
        {as::lh(a0, a1, 8), 0x7f7f},
        {as::lw(a0, a1, 8), 0x05067f7f},
        {as::lwu(a0, a1, 12), 0x01020304},
        {as::lh(a0, a1, 6), 0xfffffffffffff0e1},
        {as::lhu(a0, a1, 6), 0xf0e1},
        {as::lw(a0, a1, 4), 0xfffffffff0e1d2c3},
        {as::lwu(a0, a1, 4), 0xf0e1d2c3},
    };
    for (const auto& c : cases) {
        ASSERT_TRUE(one(c.insn, data));
        EXPECT_EQ(x(a0), c.expect) << std::hex << "insn 0x" << c.insn;
    }
    // Negative offset.
    ASSERT_TRUE(one(as::ld(a0, a1, -8), data + 16));
    EXPECT_EQ(x(a0), 0x0102030405067f7fu);
    ASSERT_TRUE(one(as::lbu(a0, a1, -2048), data + 2048 + 1));
    EXPECT_EQ(x(a0), 0x96u);
}

TEST_F(memory, stores_write_only_their_width) {
    const uint64_t v = 0xa1b2c3d4e5f60718;
    poke<uint64_t>(data, 0x1111111111111111);
    ASSERT_TRUE(one(as::sb(a2, a1, 0), data, v));
    EXPECT_EQ(peek<uint64_t>(data), 0x1111111111111118u);
    poke<uint64_t>(data, 0x1111111111111111);
    ASSERT_TRUE(one(as::sh(a2, a1, 2), data, v));
    EXPECT_EQ(peek<uint64_t>(data), 0x1111111107181111u);
    poke<uint64_t>(data, 0x1111111111111111);
    ASSERT_TRUE(one(as::sw(a2, a1, 4), data, v));
    EXPECT_EQ(peek<uint64_t>(data), 0xe5f6071811111111u);
    poke<uint64_t>(data, 0x1111111111111111);
    ASSERT_TRUE(one(as::sd(a2, a1, -8), data + 8, v));
    EXPECT_EQ(peek<uint64_t>(data), v);
    EXPECT_EQ(peek<uint64_t>(data + 8), 0u);
}

TEST_F(memory, misaligned_accesses_are_done_when_not_trapping) {
    for (unsigned i = 0; i < 16; ++i)
        poke<uint8_t>(data + i, static_cast<uint8_t>(0x80 + i));
    ASSERT_TRUE(one(as::ld(a0, a1, 0), data + 3));
    EXPECT_EQ(x(a0), 0x8a89888786858483u);
    ASSERT_TRUE(one(as::lw(a0, a1, 0), data + 1));
    EXPECT_EQ(x(a0), 0xffffffff84838281u);
    ASSERT_TRUE(one(as::lwu(a0, a1, 0), data + 7));
    EXPECT_EQ(x(a0), 0x8a898887u);
    ASSERT_TRUE(one(as::lh(a0, a1, 0), data + 5));
    EXPECT_EQ(x(a0), 0xffffffffffff8685u);
    ASSERT_TRUE(one(as::sd(a2, a1, 0), data + 5, 0x0102030405060708));
    EXPECT_EQ(peek<uint64_t>(data), 0x0607088483828180u);
    EXPECT_EQ(peek<uint64_t>(data + 8), 0x8f8e8d0102030405u);
    ASSERT_TRUE(one(as::sh(a2, a1, 0), data + 1, 0xbeef));
    EXPECT_EQ(peek<uint32_t>(data), 0x83beef80u);
}

TEST_F(memory, misaligned_accesses_trap_when_configured) {
    make_hart(hart::config{0, true});
    ASSERT_FALSE(one(as::lw(a0, a1, 0), data + 2));
    expect_trap(4, data + 2);
    ASSERT_FALSE(one(as::ld(a0, a1, 4), data));
    expect_trap(4, data + 4);
    ASSERT_FALSE(one(as::lhu(a0, a1, 0), data + 1));
    expect_trap(4, data + 1);
    ASSERT_FALSE(one(as::sh(a2, a1, 0), data + 1));
    expect_trap(6, data + 1);
    ASSERT_FALSE(one(as::sd(a2, a1, 0), data + 12));
    expect_trap(6, data + 12);
    // Byte accesses and aligned ones are fine.
    ASSERT_TRUE(one(as::lb(a0, a1, 0), data + 3));
    ASSERT_TRUE(one(as::sw(a2, a1, 0), data + 4));
}

TEST_F(memory, mmio_goes_through_the_bus) {
    const uint64_t reg = fake_bus::mmio_base + 0x10;
    bus.mmio[reg] = 0x78;
    bus.mmio[reg + 1] = 0x56;
    bus.mmio[reg + 2] = 0x34;
    bus.mmio[reg + 3] = 0x92;
    ASSERT_TRUE(one(as::lw(a0, a1, 0), reg));
    EXPECT_EQ(x(a0), 0xffffffff92345678u);
    ASSERT_EQ(bus.log.size(), 1u);
    EXPECT_EQ(bus.log[0].addr, reg);
    EXPECT_EQ(bus.log[0].len, 4u);
    EXPECT_FALSE(bus.log[0].write);
    EXPECT_FALSE(bus.log[0].fetch);

    bus.log.clear();
    ASSERT_TRUE(one(as::sh(a2, a1, 4), reg, 0xabcd));
    ASSERT_EQ(bus.log.size(), 1u);
    EXPECT_EQ(bus.log[0].addr, reg + 4);
    EXPECT_EQ(bus.log[0].len, 2u);
    EXPECT_TRUE(bus.log[0].write);
    EXPECT_EQ(bus.log[0].data, 0xabcdu);

    bus.log.clear();
    ASSERT_TRUE(one(as::sd(a2, a1, 8), reg, 0x1122334455667788));
    ASSERT_EQ(bus.log.size(), 1u);
    EXPECT_EQ(bus.log[0].len, 8u);
    EXPECT_EQ(bus.log[0].data, 0x1122334455667788u);
}

TEST_F(memory, bus_errors_become_access_faults) {
    const uint64_t bad = fake_bus::mmio_base + 0x20;
    bus.error_addrs.insert(bad);
    ASSERT_FALSE(one(as::lw(a0, a1, 0), bad));
    expect_trap(5, bad);
    ASSERT_FALSE(one(as::lbu(a0, a1, 0), unmapped));
    expect_trap(5, unmapped);
    ASSERT_FALSE(one(as::sw(a2, a1, 0), bad));
    expect_trap(7, bad);
    ASSERT_FALSE(one(as::sd(a2, a1, 0), unmapped + 8));
    expect_trap(7, unmapped + 8);
    EXPECT_EQ(x(a0), 0u) << "a faulting load must not write rd";
}

TEST_F(memory, misaligned_load_running_off_the_map_faults) {
    const uint64_t end = ram_base + ram_size;
    ASSERT_FALSE(one(as::lw(a0, a1, 0), end - 2));
    EXPECT_EQ(csr(n::mcause), 5u);
    EXPECT_EQ(x(a0), 0u);
    ASSERT_FALSE(one(as::sd(a2, a1, 0), end - 4, ~uint64_t(0)));
    EXPECT_EQ(csr(n::mcause), 7u);
    EXPECT_EQ(peek<uint32_t>(end - 4), 0u) << "nothing stored";
}

TEST_F(memory, misaligned_store_that_faults_changes_nothing) {
    // The last byte of the MMIO window is followed by unmapped space.
    const uint64_t edge = fake_bus::mmio_base + fake_bus::mmio_size - 2;
    ASSERT_FALSE(one(as::sw(a2, a1, 0), edge, 0x11223344));
    EXPECT_EQ(csr(n::mcause), 7u);
    for (const auto& a : bus.log)
        EXPECT_FALSE(a.write) << "partial store at " << a.addr;
}

TEST_F(memory, read_only_and_invalidated_dmi) {
    std::vector<uint8_t> rom(4096, 0x5a), extra(4096, 0);
    h->add_dmi(0x91000000, 0x91000fff, rom.data(), false);
    h->add_dmi(0x90000000, 0x90000fff, extra.data(), true);
    ASSERT_TRUE(one(as::lbu(a0, a1, 0), 0x91000010));
    EXPECT_EQ(x(a0), 0x5au);
    ASSERT_FALSE(one(as::sb(a2, a1, 0), 0x91000010, 1)); // not writable, not on the bus
    expect_trap(7, 0x91000010u);
    EXPECT_EQ(rom[0x10], 0x5a);

    ASSERT_TRUE(one(as::sw(a2, a1, 0), 0x90000100, 0xcafe));
    EXPECT_EQ(extra[0x100], 0xfe);
    ASSERT_TRUE(one(as::lw(a0, a1, 0), 0x90000100));
    EXPECT_EQ(x(a0), 0xcafeu);
    h->invalidate_dmi(0x90000000, 0x90000fff);
    ASSERT_FALSE(one(as::lw(a0, a1, 0), 0x90000100));
    expect_trap(5, 0x90000100u);
    ASSERT_FALSE(one(as::sw(a2, a1, 0), 0x90000100, 1));
    expect_trap(7, 0x90000100u);
    EXPECT_EQ(extra[0x100], 0xfe);
}

TEST_F(memory, lr_sc) {
    poke<uint64_t>(data, 0x0000000080000000);
    emit({as::lr_w(a0, a1), as::sc_w(a3, a1, a2), as::sc_w(a4, a1, a2)});
    set_x(a1, data);
    set_x(a2, 0x1234567811223344);
    set_x(a3, 77);
    set_x(a4, 77);
    run(3);
    EXPECT_EQ(x(a0), 0xffffffff80000000u) << "lr.w sign-extends";
    EXPECT_EQ(x(a3), 0u) << "sc.w after lr.w succeeds";
    EXPECT_NE(x(a4), 0u) << "a second sc.w fails: the first consumed the reservation";
    EXPECT_EQ(peek<uint64_t>(data), 0x0000000011223344u);

    // No reservation at all.
    h->reset(code);
    cursor = code;
    poke<uint64_t>(data, 5);
    emit(as::sc_d(a3, a1, a2));
    set_x(a1, data);
    set_x(a2, 9);
    run(1);
    EXPECT_EQ(x(a3), 1u);
    EXPECT_EQ(peek<uint64_t>(data), 5u);

    // lr.d then sc.d to another address fails; then lr.d/sc.d to the same one succeeds.
    h->reset(code);
    cursor = code;
    poke<uint64_t>(data, 0x8000000000000001);
    emit({as::lr_d(a0, a1), as::sc_d(a3, a5, a2), as::lr_d(a0, a1), as::sc_d(a4, a1, a2)});
    set_x(a1, data);
    set_x(a5, data + 8);
    set_x(a2, 42);
    run(4);
    EXPECT_EQ(x(a0), 0x8000000000000001u);
    EXPECT_NE(x(a3), 0u);
    EXPECT_EQ(peek<uint64_t>(data + 8), 0u);
    EXPECT_EQ(x(a4), 0u);
    EXPECT_EQ(peek<uint64_t>(data), 42u);
}

TEST_F(memory, amo_word_results_are_sign_extended) {
    const uint32_t old = 0x80000001; // -2147483647
    struct {
        unsigned f5;
        uint32_t mem;
    } cases[] = {
        {as::AMO_SWAP, 3},         {as::AMO_ADD, 0x80000004}, {as::AMO_XOR, 0x80000002},
        {as::AMO_AND, 0x00000001}, {as::AMO_OR, 0x80000003},  {as::AMO_MIN, 0x80000001},
        {as::AMO_MAX, 3},          {as::AMO_MINU, 3},         {as::AMO_MAXU, 0x80000001},
    };
    for (const auto& c : cases) {
        poke<uint32_t>(data, old);
        poke<uint32_t>(data + 4, 0xdeadbeef);
        // rs2 has junk in the upper half: .w uses the low 32 bits only.
        ASSERT_TRUE(one(as::amo(c.f5, 2, a0, a1, a2), data, 0x7654321000000003));
        EXPECT_EQ(x(a0), 0xffffffff80000001u) << "funct5 " << c.f5;
        EXPECT_EQ(peek<uint32_t>(data), c.mem) << "funct5 " << c.f5;
        EXPECT_EQ(peek<uint32_t>(data + 4), 0xdeadbeefu);
    }
}

TEST_F(memory, amo_doubleword) {
    const uint64_t old = 0x8000000000000001;
    struct {
        unsigned f5;
        uint64_t mem;
    } cases[] = {
        {as::AMO_SWAP, 3},
        {as::AMO_ADD, 0x8000000000000004},
        {as::AMO_XOR, 0x8000000000000002},
        {as::AMO_AND, 1},
        {as::AMO_OR, 0x8000000000000003},
        {as::AMO_MIN, old},
        {as::AMO_MAX, 3},
        {as::AMO_MINU, 3},
        {as::AMO_MAXU, old},
    };
    for (const auto& c : cases) {
        poke<uint64_t>(data, old);
        ASSERT_TRUE(one(as::amo(c.f5, 3, a0, a1, a2), data, 3));
        EXPECT_EQ(x(a0), old) << "funct5 " << c.f5;
        EXPECT_EQ(peek<uint64_t>(data), c.mem) << "funct5 " << c.f5;
    }
    // rd == rs2: the old value lands in rd, the register's old value is stored.
    poke<uint64_t>(data, 10);
    ASSERT_TRUE(one(as::amo(as::AMO_ADD, 3, a2, a1, a2), data, 5));
    EXPECT_EQ(x(a2), 10u);
    EXPECT_EQ(peek<uint64_t>(data), 15u);
}

TEST_F(memory, amo_misaligned_and_faulting) {
    // Misaligned AMOs always trap, as store/AMO misaligned, even when loads do not.
    ASSERT_FALSE(one(as::amo(as::AMO_ADD, 2, a0, a1, a2), data + 2, 1));
    expect_trap(6, data + 2);
    ASSERT_FALSE(one(as::amo(as::AMO_SWAP, 3, a0, a1, a2), data + 4, 1));
    expect_trap(6, data + 4);
    ASSERT_FALSE(one(as::sc_w(a0, a1, a2), data + 1, 1));
    expect_trap(6, data + 1);
    // A bus error on an AMO is a store/AMO access fault.
    bus.error_addrs.insert(fake_bus::mmio_base);
    ASSERT_FALSE(one(as::amo(as::AMO_OR, 2, a0, a1, a2), fake_bus::mmio_base, 1));
    expect_trap(7, fake_bus::mmio_base);
    ASSERT_FALSE(one(as::amo(as::AMO_OR, 3, a0, a1, a2), unmapped, 1));
    expect_trap(7, unmapped);
}

TEST_F(memory, amo_on_mmio_reads_then_writes) {
    const uint64_t reg = fake_bus::mmio_base + 0x40;
    bus.mmio[reg] = 6;
    ASSERT_TRUE(one(as::amo(as::AMO_ADD, 2, a0, a1, a2), reg, 4));
    EXPECT_EQ(x(a0), 6u);
    ASSERT_EQ(bus.log.size(), 2u);
    EXPECT_FALSE(bus.log[0].write);
    EXPECT_TRUE(bus.log[1].write);
    EXPECT_EQ(bus.log[1].data, 10u);
}

TEST_F(memory, rewritten_code_executes_the_new_instruction) {
    poke<uint32_t>(code + 8, as::addi(a0, zero, 1));
    h->set_pc(code + 8);
    run(1);
    EXPECT_EQ(x(a0), 1u);
    // The program itself stores a new instruction over the executed one.
    poke<uint32_t>(code, as::sw(t0, t1, 8));
    poke<uint32_t>(code + 4, as::fence_i());
    set_x(t0, as::addi(a0, zero, 2));
    set_x(t1, code);
    h->set_pc(code);
    run(3);
    EXPECT_EQ(x(a0), 2u);
    EXPECT_EQ(h->pc(), code + 12);
    // From outside, without fence.i, and from 32 to 16 bits.
    poke<uint32_t>(code + 8, (0xffffu << 16) | as::c_li(a0, 3));
    h->set_pc(code + 8);
    run(1);
    EXPECT_EQ(x(a0), 3u);
    EXPECT_EQ(h->pc(), code + 10);
}

TEST_F(memory, code_runs_from_the_bus_and_from_the_end_of_dmi) {
    // A compressed instruction in the last two bytes of RAM, then fetch falls off the map.
    write_csr(n::mtvec, handler);
    const uint64_t last = ram_base + ram_size - 2;
    poke<uint16_t>(last, as::c_li(a0, 7));
    h->set_pc(last);
    run(1);
    EXPECT_EQ(x(a0), 7u);
    EXPECT_EQ(h->pc(), ram_base + ram_size);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 1u);
    EXPECT_EQ(csr(n::mtval), ram_base + ram_size);
    EXPECT_EQ(csr(n::mepc), ram_base + ram_size);

    // Code in the MMIO window is fetched through the bus.
    const uint64_t rom = fake_bus::mmio_base + 0x100;
    const uint32_t insn = as::addi(a1, zero, 99);
    for (unsigned i = 0; i < 4; ++i)
        bus.mmio[rom + i] = static_cast<uint8_t>(insn >> (8 * i));
    bus.log.clear();
    h->set_pc(rom);
    run(1);
    EXPECT_EQ(x(a1), 99u);
    EXPECT_EQ(h->pc(), rom + 4);
    ASSERT_FALSE(bus.log.empty());
    EXPECT_TRUE(bus.log[0].fetch);
}

TEST_F(memory, fence_is_a_nop) {
    emit({as::fence(), as::fence_i(), as::addi(a0, zero, 1)});
    EXPECT_EQ(run(3), 3u);
    EXPECT_EQ(x(a0), 1u);
    EXPECT_EQ(h->pc(), code + 12);
    EXPECT_EQ(h->instret(), 3u);
}

} // namespace
} // namespace rv64_test
