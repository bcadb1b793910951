// Test bench for the RV64 ISS: a flat RAM handed to the hart as DMI, a fake bus that records
// MMIO accesses and fails on chosen addresses, and a small assembler that encodes instructions
// field by field (written from the ISA manual, independent of the ISS's decoder).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "rv64_hart.h"

namespace rv64_test {

using rainier::rv64::hart;
using rainier::rv64::privilege;

// ---- assembler ----------------------------------------------------------------------------

namespace as {

constexpr uint32_t field(uint64_t v, unsigned hi, unsigned lo) {
    return static_cast<uint32_t>((v >> lo) & ((uint64_t(1) << (hi - lo + 1)) - 1));
}

constexpr uint32_t r_type(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
                          unsigned opc) {
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
constexpr uint32_t i_type(int64_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned opc) {
    return (field(imm, 11, 0) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
constexpr uint32_t s_type(int64_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned opc) {
    return (field(imm, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
           (field(imm, 4, 0) << 7) | opc;
}
constexpr uint32_t b_type(int64_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned opc) {
    return (field(imm, 12, 12) << 31) | (field(imm, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (field(imm, 4, 1) << 8) | (field(imm, 11, 11) << 7) | opc;
}
// imm is the full 32-bit value whose upper 20 bits are encoded.
constexpr uint32_t u_type(uint32_t imm, unsigned rd, unsigned opc) {
    return (imm & 0xfffff000u) | (rd << 7) | opc;
}
constexpr uint32_t j_type(int64_t imm, unsigned rd, unsigned opc) {
    return (field(imm, 20, 20) << 31) | (field(imm, 10, 1) << 21) | (field(imm, 11, 11) << 20) |
           (field(imm, 19, 12) << 12) | (rd << 7) | opc;
}

enum : unsigned {
    OP_LUI = 0x37,
    OP_AUIPC = 0x17,
    OP_JAL = 0x6f,
    OP_JALR = 0x67,
    OP_BRANCH = 0x63,
    OP_LOAD = 0x03,
    OP_STORE = 0x23,
    OP_IMM = 0x13,
    OP_IMM32 = 0x1b,
    OP_OP = 0x33,
    OP_OP32 = 0x3b,
    OP_MISC_MEM = 0x0f,
    OP_AMO = 0x2f,
    OP_SYSTEM = 0x73,
};

// RV64I
constexpr uint32_t lui(unsigned rd, uint32_t imm) {
    return u_type(imm, rd, OP_LUI);
}
constexpr uint32_t auipc(unsigned rd, uint32_t imm) {
    return u_type(imm, rd, OP_AUIPC);
}
constexpr uint32_t jal(unsigned rd, int64_t off) {
    return j_type(off, rd, OP_JAL);
}
constexpr uint32_t jalr(unsigned rd, unsigned rs1, int64_t off) {
    return i_type(off, rs1, 0, rd, OP_JALR);
}
constexpr uint32_t beq(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 0, OP_BRANCH);
}
constexpr uint32_t bne(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 1, OP_BRANCH);
}
constexpr uint32_t blt(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 4, OP_BRANCH);
}
constexpr uint32_t bge(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 5, OP_BRANCH);
}
constexpr uint32_t bltu(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 6, OP_BRANCH);
}
constexpr uint32_t bgeu(unsigned a, unsigned b, int64_t off) {
    return b_type(off, b, a, 7, OP_BRANCH);
}
constexpr uint32_t lb(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 0, rd, OP_LOAD);
}
constexpr uint32_t lh(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 1, rd, OP_LOAD);
}
constexpr uint32_t lw(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 2, rd, OP_LOAD);
}
constexpr uint32_t ld(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 3, rd, OP_LOAD);
}
constexpr uint32_t lbu(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 4, rd, OP_LOAD);
}
constexpr uint32_t lhu(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 5, rd, OP_LOAD);
}
constexpr uint32_t lwu(unsigned rd, unsigned rs1, int64_t o) {
    return i_type(o, rs1, 6, rd, OP_LOAD);
}
constexpr uint32_t sb(unsigned rs2, unsigned rs1, int64_t o) {
    return s_type(o, rs2, rs1, 0, OP_STORE);
}
constexpr uint32_t sh(unsigned rs2, unsigned rs1, int64_t o) {
    return s_type(o, rs2, rs1, 1, OP_STORE);
}
constexpr uint32_t sw(unsigned rs2, unsigned rs1, int64_t o) {
    return s_type(o, rs2, rs1, 2, OP_STORE);
}
constexpr uint32_t sd(unsigned rs2, unsigned rs1, int64_t o) {
    return s_type(o, rs2, rs1, 3, OP_STORE);
}
constexpr uint32_t addi(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 0, rd, OP_IMM);
}
constexpr uint32_t slti(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 2, rd, OP_IMM);
}
constexpr uint32_t sltiu(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 3, rd, OP_IMM);
}
constexpr uint32_t xori(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 4, rd, OP_IMM);
}
constexpr uint32_t ori(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 6, rd, OP_IMM);
}
constexpr uint32_t andi(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 7, rd, OP_IMM);
}
constexpr uint32_t slli(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(sh, rs1, 1, rd, OP_IMM);
}
constexpr uint32_t srli(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(sh, rs1, 5, rd, OP_IMM);
}
constexpr uint32_t srai(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(0x400 | sh, rs1, 5, rd, OP_IMM);
}
constexpr uint32_t add(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 0, rd, OP_OP);
}
constexpr uint32_t sub(unsigned rd, unsigned a, unsigned b) {
    return r_type(0x20, b, a, 0, rd, OP_OP);
}
constexpr uint32_t sll(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 1, rd, OP_OP);
}
constexpr uint32_t slt(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 2, rd, OP_OP);
}
constexpr uint32_t sltu(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 3, rd, OP_OP);
}
constexpr uint32_t xor_(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 4, rd, OP_OP);
}
constexpr uint32_t srl(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 5, rd, OP_OP);
}
constexpr uint32_t sra(unsigned rd, unsigned a, unsigned b) {
    return r_type(0x20, b, a, 5, rd, OP_OP);
}
constexpr uint32_t or_(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 6, rd, OP_OP);
}
constexpr uint32_t and_(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 7, rd, OP_OP);
}
constexpr uint32_t addiw(unsigned rd, unsigned rs1, int64_t i) {
    return i_type(i, rs1, 0, rd, OP_IMM32);
}
constexpr uint32_t slliw(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(sh, rs1, 1, rd, OP_IMM32);
}
constexpr uint32_t srliw(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(sh, rs1, 5, rd, OP_IMM32);
}
constexpr uint32_t sraiw(unsigned rd, unsigned rs1, unsigned sh) {
    return i_type(0x400 | sh, rs1, 5, rd, OP_IMM32);
}
constexpr uint32_t addw(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 0, rd, OP_OP32);
}
constexpr uint32_t subw(unsigned rd, unsigned a, unsigned b) {
    return r_type(0x20, b, a, 0, rd, OP_OP32);
}
constexpr uint32_t sllw(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 1, rd, OP_OP32);
}
constexpr uint32_t srlw(unsigned rd, unsigned a, unsigned b) {
    return r_type(0, b, a, 5, rd, OP_OP32);
}
constexpr uint32_t sraw(unsigned rd, unsigned a, unsigned b) {
    return r_type(0x20, b, a, 5, rd, OP_OP32);
}
constexpr uint32_t fence() {
    return i_type(0x0ff, 0, 0, 0, OP_MISC_MEM);
}
constexpr uint32_t fence_i() {
    return i_type(0, 0, 1, 0, OP_MISC_MEM);
}
constexpr uint32_t ecall() {
    return i_type(0, 0, 0, 0, OP_SYSTEM);
}
constexpr uint32_t ebreak() {
    return i_type(1, 0, 0, 0, OP_SYSTEM);
}
constexpr uint32_t sret() {
    return i_type(0x102, 0, 0, 0, OP_SYSTEM);
}
constexpr uint32_t mret() {
    return i_type(0x302, 0, 0, 0, OP_SYSTEM);
}
constexpr uint32_t wfi() {
    return i_type(0x105, 0, 0, 0, OP_SYSTEM);
}
constexpr uint32_t sfence_vma(unsigned rs1, unsigned rs2) {
    return r_type(0x09, rs2, rs1, 0, 0, OP_SYSTEM);
}
constexpr uint32_t nop() {
    return addi(0, 0, 0);
}

// Zicsr
constexpr uint32_t csrrw(unsigned rd, unsigned csr, unsigned rs1) {
    return i_type(csr, rs1, 1, rd, OP_SYSTEM);
}
constexpr uint32_t csrrs(unsigned rd, unsigned csr, unsigned rs1) {
    return i_type(csr, rs1, 2, rd, OP_SYSTEM);
}
constexpr uint32_t csrrc(unsigned rd, unsigned csr, unsigned rs1) {
    return i_type(csr, rs1, 3, rd, OP_SYSTEM);
}
constexpr uint32_t csrrwi(unsigned rd, unsigned csr, unsigned z) {
    return i_type(csr, z, 5, rd, OP_SYSTEM);
}
constexpr uint32_t csrrsi(unsigned rd, unsigned csr, unsigned z) {
    return i_type(csr, z, 6, rd, OP_SYSTEM);
}
constexpr uint32_t csrrci(unsigned rd, unsigned csr, unsigned z) {
    return i_type(csr, z, 7, rd, OP_SYSTEM);
}

// M
constexpr uint32_t mul(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 0, rd, OP_OP);
}
constexpr uint32_t mulh(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 1, rd, OP_OP);
}
constexpr uint32_t mulhsu(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 2, rd, OP_OP);
}
constexpr uint32_t mulhu(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 3, rd, OP_OP);
}
constexpr uint32_t div(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 4, rd, OP_OP);
}
constexpr uint32_t divu(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 5, rd, OP_OP);
}
constexpr uint32_t rem(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 6, rd, OP_OP);
}
constexpr uint32_t remu(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 7, rd, OP_OP);
}
constexpr uint32_t mulw(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 0, rd, OP_OP32);
}
constexpr uint32_t divw(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 4, rd, OP_OP32);
}
constexpr uint32_t divuw(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 5, rd, OP_OP32);
}
constexpr uint32_t remw(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 6, rd, OP_OP32);
}
constexpr uint32_t remuw(unsigned rd, unsigned a, unsigned b) {
    return r_type(1, b, a, 7, rd, OP_OP32);
}

// A: funct5 values from the manual; width 2 = .w, 3 = .d; aq/rl left 0.
enum : unsigned {
    AMO_ADD = 0x00,
    AMO_SWAP = 0x01,
    AMO_LR = 0x02,
    AMO_SC = 0x03,
    AMO_XOR = 0x04,
    AMO_OR = 0x08,
    AMO_AND = 0x0c,
    AMO_MIN = 0x10,
    AMO_MAX = 0x14,
    AMO_MINU = 0x18,
    AMO_MAXU = 0x1c,
};
constexpr uint32_t amo(unsigned funct5, unsigned width, unsigned rd, unsigned rs1, unsigned rs2) {
    return r_type(funct5 << 2, rs2, rs1, width, rd, OP_AMO);
}
constexpr uint32_t lr_w(unsigned rd, unsigned rs1) {
    return amo(AMO_LR, 2, rd, rs1, 0);
}
constexpr uint32_t lr_d(unsigned rd, unsigned rs1) {
    return amo(AMO_LR, 3, rd, rs1, 0);
}
constexpr uint32_t sc_w(unsigned rd, unsigned rs1, unsigned rs2) {
    return amo(AMO_SC, 2, rd, rs1, rs2);
}
constexpr uint32_t sc_d(unsigned rd, unsigned rs1, unsigned rs2) {
    return amo(AMO_SC, 3, rd, rs1, rs2);
}

// ---- C extension, quadrant by quadrant; immediates placed bit by bit -----------------------

constexpr unsigned b(uint64_t v, unsigned n) {
    return static_cast<unsigned>((v >> n) & 1);
}
constexpr uint16_t c16(uint32_t v) {
    return static_cast<uint16_t>(v);
}
constexpr unsigned cr(unsigned r) {
    return r - 8;
} // x8..x15 → 3-bit field

// Quadrant 0
constexpr uint16_t c_addi4spn(unsigned rdp, unsigned nzuimm) {
    // nzuimm[5:4|9:6|2|3] in bits 12:5
    return c16((0u << 13) | (field(nzuimm, 5, 4) << 11) | (field(nzuimm, 9, 6) << 7) |
               (b(nzuimm, 2) << 6) | (b(nzuimm, 3) << 5) | (cr(rdp) << 2) | 0);
}
constexpr uint16_t c_lw(unsigned rdp, unsigned rs1p, unsigned uimm) {
    return c16((2u << 13) | (field(uimm, 5, 3) << 10) | (cr(rs1p) << 7) | (b(uimm, 2) << 6) |
               (b(uimm, 6) << 5) | (cr(rdp) << 2) | 0);
}
constexpr uint16_t c_ld(unsigned rdp, unsigned rs1p, unsigned uimm) {
    return c16((3u << 13) | (field(uimm, 5, 3) << 10) | (cr(rs1p) << 7) | (field(uimm, 7, 6) << 5) |
               (cr(rdp) << 2) | 0);
}
constexpr uint16_t c_sw(unsigned rs2p, unsigned rs1p, unsigned uimm) {
    return c16((6u << 13) | (field(uimm, 5, 3) << 10) | (cr(rs1p) << 7) | (b(uimm, 2) << 6) |
               (b(uimm, 6) << 5) | (cr(rs2p) << 2) | 0);
}
constexpr uint16_t c_sd(unsigned rs2p, unsigned rs1p, unsigned uimm) {
    return c16((7u << 13) | (field(uimm, 5, 3) << 10) | (cr(rs1p) << 7) | (field(uimm, 7, 6) << 5) |
               (cr(rs2p) << 2) | 0);
}

// Quadrant 1
constexpr uint16_t ci(unsigned f3, unsigned rd, int64_t imm6, unsigned q) {
    return c16((f3 << 13) | (b(imm6, 5) << 12) | (rd << 7) | (field(imm6, 4, 0) << 2) | q);
}
constexpr uint16_t c_nop() {
    return ci(0, 0, 0, 1);
}
constexpr uint16_t c_addi(unsigned rd, int64_t imm) {
    return ci(0, rd, imm, 1);
}
constexpr uint16_t c_addiw(unsigned rd, int64_t imm) {
    return ci(1, rd, imm, 1);
}
constexpr uint16_t c_li(unsigned rd, int64_t imm) {
    return ci(2, rd, imm, 1);
}
constexpr uint16_t c_addi16sp(int64_t nzimm) {
    // nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2
    return c16((3u << 13) | (b(nzimm, 9) << 12) | (2u << 7) | (b(nzimm, 4) << 6) |
               (b(nzimm, 6) << 5) | (field(nzimm, 8, 7) << 3) | (b(nzimm, 5) << 2) | 1);
}
// imm is the full value; nzimm[17:12] is encoded.
constexpr uint16_t c_lui(unsigned rd, int64_t imm) {
    return c16((3u << 13) | (b(imm, 17) << 12) | (rd << 7) | (field(imm, 16, 12) << 2) | 1);
}
constexpr uint16_t cb_alu(unsigned f2, unsigned rdp, unsigned imm6) {
    return c16((4u << 13) | (b(imm6, 5) << 12) | (f2 << 10) | (cr(rdp) << 7) |
               (field(imm6, 4, 0) << 2) | 1);
}
constexpr uint16_t c_srli(unsigned rdp, unsigned sh) {
    return cb_alu(0, rdp, sh);
}
constexpr uint16_t c_srai(unsigned rdp, unsigned sh) {
    return cb_alu(1, rdp, sh);
}
constexpr uint16_t c_andi(unsigned rdp, int64_t imm) {
    return cb_alu(2, rdp, static_cast<unsigned>(imm & 0x3f));
}
constexpr uint16_t ca(unsigned bit12, unsigned f2, unsigned rdp, unsigned rs2p) {
    return c16((4u << 13) | (bit12 << 12) | (3u << 10) | (cr(rdp) << 7) | (f2 << 5) |
               (cr(rs2p) << 2) | 1);
}
constexpr uint16_t c_sub(unsigned rdp, unsigned rs2p) {
    return ca(0, 0, rdp, rs2p);
}
constexpr uint16_t c_xor(unsigned rdp, unsigned rs2p) {
    return ca(0, 1, rdp, rs2p);
}
constexpr uint16_t c_or(unsigned rdp, unsigned rs2p) {
    return ca(0, 2, rdp, rs2p);
}
constexpr uint16_t c_and(unsigned rdp, unsigned rs2p) {
    return ca(0, 3, rdp, rs2p);
}
constexpr uint16_t c_subw(unsigned rdp, unsigned rs2p) {
    return ca(1, 0, rdp, rs2p);
}
constexpr uint16_t c_addw(unsigned rdp, unsigned rs2p) {
    return ca(1, 1, rdp, rs2p);
}
constexpr uint16_t c_j(int64_t off) {
    // offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2
    return c16((5u << 13) | (b(off, 11) << 12) | (b(off, 4) << 11) | (field(off, 9, 8) << 9) |
               (b(off, 10) << 8) | (b(off, 6) << 7) | (b(off, 7) << 6) | (field(off, 3, 1) << 3) |
               (b(off, 5) << 2) | 1);
}
constexpr uint16_t cbranch(unsigned f3, unsigned rs1p, int64_t off) {
    // offset[8|4:3] in 12:10, offset[7:6|2:1|5] in 6:2
    return c16((f3 << 13) | (b(off, 8) << 12) | (field(off, 4, 3) << 10) | (cr(rs1p) << 7) |
               (field(off, 7, 6) << 5) | (field(off, 2, 1) << 3) | (b(off, 5) << 2) | 1);
}
constexpr uint16_t c_beqz(unsigned rs1p, int64_t off) {
    return cbranch(6, rs1p, off);
}
constexpr uint16_t c_bnez(unsigned rs1p, int64_t off) {
    return cbranch(7, rs1p, off);
}

// Quadrant 2
constexpr uint16_t c_slli(unsigned rd, unsigned sh) {
    return ci(0, rd, sh, 2);
}
constexpr uint16_t c_lwsp(unsigned rd, unsigned uimm) {
    // uimm[5] at 12, uimm[4:2|7:6] at 6:2
    return c16((2u << 13) | (b(uimm, 5) << 12) | (rd << 7) | (field(uimm, 4, 2) << 4) |
               (field(uimm, 7, 6) << 2) | 2);
}
constexpr uint16_t c_ldsp(unsigned rd, unsigned uimm) {
    // uimm[5] at 12, uimm[4:3|8:6] at 6:2
    return c16((3u << 13) | (b(uimm, 5) << 12) | (rd << 7) | (field(uimm, 4, 3) << 5) |
               (field(uimm, 8, 6) << 2) | 2);
}
constexpr uint16_t c_swsp(unsigned rs2, unsigned uimm) {
    // uimm[5:2|7:6] at 12:7
    return c16((6u << 13) | (field(uimm, 5, 2) << 9) | (field(uimm, 7, 6) << 7) | (rs2 << 2) | 2);
}
constexpr uint16_t c_sdsp(unsigned rs2, unsigned uimm) {
    // uimm[5:3|8:6] at 12:7
    return c16((7u << 13) | (field(uimm, 5, 3) << 10) | (field(uimm, 8, 6) << 7) | (rs2 << 2) | 2);
}
constexpr uint16_t c_cr(unsigned bit12, unsigned rd, unsigned rs2) {
    return c16((4u << 13) | (bit12 << 12) | (rd << 7) | (rs2 << 2) | 2);
}
constexpr uint16_t c_jr(unsigned rs1) {
    return c_cr(0, rs1, 0);
}
constexpr uint16_t c_mv(unsigned rd, unsigned rs2) {
    return c_cr(0, rd, rs2);
}
constexpr uint16_t c_ebreak() {
    return c_cr(1, 0, 0);
}
constexpr uint16_t c_jalr(unsigned rs1) {
    return c_cr(1, rs1, 0);
}
constexpr uint16_t c_add(unsigned rd, unsigned rs2) {
    return c_cr(1, rd, rs2);
}

} // namespace as

// Register numbers by ABI name.
enum reg : unsigned {
    zero = 0,
    ra = 1,
    sp = 2,
    gp = 3,
    tp = 4,
    t0 = 5,
    t1 = 6,
    t2 = 7,
    s0 = 8,
    s1 = 9,
    a0 = 10,
    a1 = 11,
    a2 = 12,
    a3 = 13,
    a4 = 14,
    a5 = 15,
    a6 = 16,
    a7 = 17,
    s2 = 18,
    t3 = 28,
    t4 = 29,
    t5 = 30,
    t6 = 31,
};

// CSR numbers and causes written out here again on purpose: the tests check the ISS's tables.
namespace n {
enum : unsigned {
    sstatus = 0x100,
    sie = 0x104,
    stvec = 0x105,
    scounteren = 0x106,
    sscratch = 0x140,
    sepc = 0x141,
    scause = 0x142,
    stval = 0x143,
    sip = 0x144,
    satp = 0x180,
    mstatus = 0x300,
    misa = 0x301,
    medeleg = 0x302,
    mideleg = 0x303,
    mie = 0x304,
    mtvec = 0x305,
    mcounteren = 0x306,
    mscratch = 0x340,
    mepc = 0x341,
    mcause = 0x342,
    mtval = 0x343,
    mip = 0x344,
    mcountinhibit = 0x320,
    mcycle = 0xb00,
    minstret = 0xb02,
    cycle = 0xc00,
    time = 0xc01,
    instret = 0xc02,
    mvendorid = 0xf11,
    mhartid = 0xf14,
};
} // namespace n

constexpr uint64_t MSTATUS_SIE = 1u << 1, MSTATUS_MIE = 1u << 3, MSTATUS_SPIE = 1u << 5,
                   MSTATUS_MPIE = 1u << 7, MSTATUS_SPP = 1u << 8, MSTATUS_MPP = 3u << 11,
                   MSTATUS_TVM = 1u << 20, MSTATUS_TW = 1u << 21, MSTATUS_TSR = 1u << 22;
constexpr uint64_t INTERRUPT = uint64_t(1) << 63;

// ---- the fake bus --------------------------------------------------------------------------

class fake_bus : public hart::bus_interface {
public:
    struct access {
        uint64_t addr;
        unsigned len;
        bool write;
        bool fetch;
        uint64_t data;
    };
    static constexpr uint64_t mmio_base = 0x10000000, mmio_size = 0x10000;

    std::vector<access> log;
    std::set<uint64_t> error_addrs;   // any access touching one of these bytes fails
    std::map<uint64_t, uint8_t> mmio; // MMIO window contents (reads of unset bytes give 0)
    uint64_t time = 0;

    bool read(uint64_t addr, void* data, unsigned len, bool fetch) override {
        if (!ok(addr, len)) return false;
        uint64_t v = 0;
        for (unsigned i = 0; i < len; ++i) {
            auto it = mmio.find(addr + i);
            const uint8_t byte = it == mmio.end() ? 0 : it->second;
            static_cast<uint8_t*>(data)[i] = byte;
            v |= uint64_t(byte) << (8 * i);
        }
        log.push_back({addr, len, false, fetch, v});
        return true;
    }
    bool write(uint64_t addr, const void* data, unsigned len) override {
        if (!ok(addr, len)) return false;
        uint64_t v = 0;
        for (unsigned i = 0; i < len; ++i) {
            const uint8_t byte = static_cast<const uint8_t*>(data)[i];
            mmio[addr + i] = byte;
            v |= uint64_t(byte) << (8 * i);
        }
        log.push_back({addr, len, true, false, v});
        return true;
    }
    uint64_t read_time() override { return time; }

private:
    bool ok(uint64_t addr, unsigned len) const {
        if (addr < mmio_base || addr + len > mmio_base + mmio_size) return false;
        for (unsigned i = 0; i < len; ++i)
            if (error_addrs.count(addr + i)) return false;
        return true;
    }
};

// ---- the fixture ---------------------------------------------------------------------------

class rv64_test : public ::testing::Test {
protected:
    static constexpr uint64_t ram_base = 0x80000000, ram_size = 1 << 20;
    static constexpr uint64_t code = ram_base;                // the test's program
    static constexpr uint64_t data = ram_base + 0x10000;      // a data area
    static constexpr uint64_t handler = ram_base + 0x20000;   // trap handler (mtvec)
    static constexpr uint64_t s_handler = ram_base + 0x30000; // stvec
    static constexpr uint64_t scratch = ram_base + 0xf0000;   // helper code
    static constexpr uint64_t unmapped = 0x60000000;

    std::vector<uint8_t> ram = std::vector<uint8_t>(ram_size, 0);
    fake_bus bus;
    std::unique_ptr<hart> h;
    uint64_t cursor = code;

    void SetUp() override { make_hart(hart::config{}); }

    void make_hart(const hart::config& cfg) {
        h = std::make_unique<hart>(bus, cfg);
        h->add_dmi(ram_base, ram_base + ram_size - 1, ram.data(), true);
        h->reset(code);
        cursor = code;
    }

    // RAM access, little-endian, bypassing the hart.
    template <typename T>
    void poke(uint64_t addr, T v) {
        std::memcpy(&ram.at(addr - ram_base), &v, sizeof(T));
    }
    template <typename T>
    T peek(uint64_t addr) {
        T v;
        std::memcpy(&v, &ram.at(addr - ram_base), sizeof(T));
        return v;
    }

    // Appends instructions at the cursor.
    void emit(uint32_t insn) {
        poke<uint32_t>(cursor, insn);
        cursor += 4;
    }
    void emit(std::initializer_list<uint32_t> insns) {
        for (uint32_t i : insns)
            emit(i);
    }
    void emit_c(uint16_t insn) {
        poke<uint16_t>(cursor, insn);
        cursor += 2;
    }

    uint64_t x(unsigned i) const { return h->reg(i); }
    void set_x(unsigned i, uint64_t v) { h->set_reg(i, v); }
    uint64_t run(uint64_t n) { return h->run(n); }

    uint64_t csr(uint16_t num) {
        uint64_t v = 0;
        EXPECT_TRUE(h->peek_csr(num, v)) << "csr 0x" << std::hex << num;
        return v;
    }

    // Runs instructions placed at the scratch area, then restores pc and t6. Must not trap.
    void exec(std::initializer_list<uint32_t> insns, uint64_t t6_value = 0) {
        const uint64_t saved_pc = h->pc(), saved_t6 = x(t6);
        uint64_t a = scratch;
        for (uint32_t i : insns) {
            poke<uint32_t>(a, i);
            a += 4;
        }
        h->set_pc(scratch);
        set_x(t6, t6_value);
        run(insns.size());
        ASSERT_EQ(h->pc(), a) << "helper code trapped, mcause=" << csr(n::mcause);
        h->set_pc(saved_pc);
        set_x(t6, saved_t6);
    }
    // Writes a CSR from M-mode with csrrw.
    void write_csr(uint16_t num, uint64_t v) { exec({as::csrrw(0, num, t6)}, v); }

    // Sets mtvec (and stvec) to the handler areas.
    void install_handlers() {
        write_csr(n::mtvec, handler);
        write_csr(n::stvec, s_handler);
        for (uint64_t a : {handler, s_handler})
            for (unsigned i = 0; i < 16; ++i)
                poke<uint32_t>(a + 4 * i, as::nop());
    }

    // Lets S and U reach everything: PMP entry 0, NAPOT over the whole address space, RWX.
    void open_pmp() {
        write_csr(0x3b0 /* pmpaddr0 */, ~uint64_t(0));
        write_csr(0x3a0 /* pmpcfg0 */, 0x1f);
    }

    // From M-mode, drops to privilege p at address target through mret.
    void enter(privilege p, uint64_t target) {
        ASSERT_EQ(h->priv(), privilege::machine);
        open_pmp();
        write_csr(n::mepc, target);
        uint64_t ms = csr(n::mstatus) & ~MSTATUS_MPP;
        ms |= uint64_t(static_cast<unsigned>(p)) << 11;
        write_csr(n::mstatus, ms);
        const uint64_t saved_pc = h->pc();
        poke<uint32_t>(scratch, as::mret());
        h->set_pc(scratch);
        run(1);
        ASSERT_EQ(h->pc(), target);
        ASSERT_EQ(h->priv(), p);
        (void)saved_pc;
    }

    // Runs the program from `code` for n steps.
    uint64_t run_from_start(uint64_t steps) {
        h->set_pc(code);
        return run(steps);
    }
};

} // namespace rv64_test
