// RISC-V privileged architecture constants used by the hart: CSR numbers, mstatus fields,
// trap causes. These are the ISA's, not the platform's, so they live with the ISS.
#pragma once

#include <cstdint>

namespace rainier::rv64 {

enum class privilege : uint8_t { user = 0, supervisor = 1, machine = 3 };

namespace csr {
enum : uint16_t {
    sstatus = 0x100,
    sie = 0x104,
    stvec = 0x105,
    scounteren = 0x106,
    senvcfg = 0x10a,
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
    menvcfg = 0x30a,
    mcountinhibit = 0x320,
    mhpmevent3 = 0x323,
    mhpmevent31 = 0x33f,
    mscratch = 0x340,
    mepc = 0x341,
    mcause = 0x342,
    mtval = 0x343,
    mip = 0x344,
    pmpcfg0 = 0x3a0,
    pmpcfg15 = 0x3af,
    pmpaddr0 = 0x3b0,
    pmpaddr63 = 0x3ef,
    mcycle = 0xb00,
    minstret = 0xb02,
    mhpmcounter3 = 0xb03,
    mhpmcounter31 = 0xb1f,
    cycle = 0xc00,
    time = 0xc01,
    instret = 0xc02,
    hpmcounter3 = 0xc03,
    hpmcounter31 = 0xc1f,
    mvendorid = 0xf11,
    marchid = 0xf12,
    mimpid = 0xf13,
    mhartid = 0xf14,
    mconfigptr = 0xf15,
};
} // namespace csr

constexpr uint64_t satp_mode_sv39 = 8;

namespace mstatus {
constexpr uint64_t sie = 1u << 1, mie = 1u << 3, spie = 1u << 5, ube = 1u << 6, mpie = 1u << 7,
                   spp = 1u << 8, mpp = 3u << 11, fs = 3u << 13, xs = 3u << 15, mprv = 1u << 17,
                   sum = 1u << 18, mxr = 1u << 19, tvm = 1u << 20, tw = 1u << 21, tsr = 1u << 22;
constexpr unsigned mpp_shift = 11;
constexpr uint64_t uxl_64 = uint64_t(2) << 32;
constexpr uint64_t sxl_64 = uint64_t(2) << 34;
constexpr uint64_t sstatus_view =
    sie | spie | ube | spp | fs | xs | sum | mxr | (uint64_t(3) << 32) | (uint64_t(1) << 63);
} // namespace mstatus

namespace irq {
enum : unsigned { ssi = 1, msi = 3, sti = 5, mti = 7, sei = 9, mei = 11 };
constexpr uint64_t bit(unsigned n) {
    return uint64_t(1) << n;
}
constexpr uint64_t supervisor_mask = bit(ssi) | bit(sti) | bit(sei);
constexpr uint64_t all_mask = supervisor_mask | bit(msi) | bit(mti) | bit(mei);
} // namespace irq

enum class cause : uint64_t {
    insn_misaligned = 0,
    insn_access_fault = 1,
    illegal_insn = 2,
    breakpoint = 3,
    load_misaligned = 4,
    load_access_fault = 5,
    store_misaligned = 6,
    store_access_fault = 7,
    ecall_u = 8,
    ecall_s = 9,
    ecall_m = 11,
    insn_page_fault = 12,
    load_page_fault = 13,
    store_page_fault = 15,
};
constexpr uint64_t interrupt_flag = uint64_t(1) << 63;

const char* cause_name(uint64_t mcause);

} // namespace rainier::rv64
