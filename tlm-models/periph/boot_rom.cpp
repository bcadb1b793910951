#include "boot_rom.h"

#include <cstring>

namespace rainier {

namespace {

// Instruction encodings (RV64I), spelled out so the ROM needs no assembler.
constexpr uint32_t i_type(uint32_t opcode, uint32_t rd, uint32_t funct3, uint32_t rs1,
                          uint32_t imm) {
    return (imm << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
constexpr uint32_t t0 = 5, a0 = 10, a1 = 11;
constexpr uint32_t op_auipc = 0x17, op_load = 0x03, op_system = 0x73, op_jalr = 0x67;
constexpr uint32_t funct3_ld = 3, funct3_csrrs = 2;
constexpr uint32_t csr_mhartid = 0xf14;
constexpr uint32_t entry_slot = 24, dtb_slot = 32;

} // namespace

boot_rom::boot_rom(sc_core::sc_module_name name, uint64_t size) : memory(name, size, true) {}

void boot_rom::program(uint64_t entry, uint64_t dtb_addr) {
    const uint32_t code[] = {
        (0u << 12) | (t0 << 7) | op_auipc,                   // auipc t0, 0
        i_type(op_system, a0, funct3_csrrs, 0, csr_mhartid), // csrr  a0, mhartid
        i_type(op_load, a1, funct3_ld, t0, dtb_slot),        // ld    a1, dtb_slot(t0)
        i_type(op_load, t0, funct3_ld, t0, entry_slot),      // ld    t0, entry_slot(t0)
        i_type(op_jalr, 0, 0, t0, 0),                        // jr    t0
    };
    static_assert(sizeof(code) <= entry_slot, "boot code overlaps its data");
    load(0, code, sizeof(code));
    load(entry_slot, &entry, sizeof(entry));
    load(dtb_slot, &dtb_addr, sizeof(dtb_addr));
}

} // namespace rainier
