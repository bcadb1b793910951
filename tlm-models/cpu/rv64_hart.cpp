#include "rv64_hart.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace rainier::rv64 {

namespace {

constexpr uint64_t misa_value = (uint64_t(2) << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) |
                                (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('S' - 'A')) |
                                (1u << ('U' - 'A'));
constexpr uint64_t mstatus_writable = mstatus::sie | mstatus::mie | mstatus::spie | mstatus::mpie |
                                      mstatus::spp | mstatus::mpp | mstatus::mprv | mstatus::sum |
                                      mstatus::mxr | mstatus::tvm | mstatus::tw | mstatus::tsr;
constexpr uint64_t sstatus_writable =
    mstatus::sie | mstatus::spie | mstatus::spp | mstatus::sum | mstatus::mxr;
// Exceptions that may be delegated to S-mode (not ecall from M).
constexpr uint64_t medeleg_writable = 0xb3ff;
constexpr uint32_t semihost_entry = 0x01f01013; // slli x0, x0, 0x1f
constexpr uint32_t semihost_exit = 0x40705013;  // srai x0, x0, 7

int64_t sext32(uint64_t v) {
    return static_cast<int32_t>(static_cast<uint32_t>(v));
}

} // namespace

const char* cause_name(uint64_t mcause) {
    if (mcause & interrupt_flag) {
        switch (mcause & ~interrupt_flag) {
        case irq::ssi: return "supervisor software interrupt";
        case irq::msi: return "machine software interrupt";
        case irq::sti: return "supervisor timer interrupt";
        case irq::mti: return "machine timer interrupt";
        case irq::sei: return "supervisor external interrupt";
        case irq::mei: return "machine external interrupt";
        default: return "unknown interrupt";
        }
    }
    switch (static_cast<cause>(mcause)) {
    case cause::insn_misaligned: return "instruction address misaligned";
    case cause::insn_access_fault: return "instruction access fault";
    case cause::illegal_insn: return "illegal instruction";
    case cause::breakpoint: return "breakpoint";
    case cause::load_misaligned: return "load address misaligned";
    case cause::load_access_fault: return "load access fault";
    case cause::store_misaligned: return "store/AMO address misaligned";
    case cause::store_access_fault: return "store/AMO access fault";
    case cause::ecall_u: return "environment call from U-mode";
    case cause::ecall_s: return "environment call from S-mode";
    case cause::ecall_m: return "environment call from M-mode";
    case cause::insn_page_fault: return "instruction page fault";
    case cause::load_page_fault: return "load page fault";
    case cause::store_page_fault: return "store/AMO page fault";
    }
    return "unknown exception";
}

hart::hart(bus_interface& bus, const config& cfg)
    : m_bus(bus), m_cfg(cfg), m_icache(icache_size), m_blocks(block_cache_size) {
    reset(0);
}

void hart::reset(uint64_t pc) {
    m_x.fill(0);
    m_pc = pc;
    m_priv = privilege::machine;
    m_mstatus = mstatus::uxl_64 | mstatus::sxl_64;
    m_medeleg = m_mideleg = m_mie = m_mtvec = m_mcounteren = m_scounteren = 0;
    m_mscratch = m_mepc = m_mcause = m_mtval = 0;
    m_stvec = m_sscratch = m_sepc = m_scause = m_stval = m_satp = m_mcountinhibit = 0;
    m_mip_sw = 0;
    m_menvcfg = m_senvcfg = 0;
    m_pmp.reset();
    flush_tlb();
    m_instret = m_cycle = 0;
    m_reservation_valid = false;
    m_wfi = false;
    m_halt = false;
    m_in_trap_entry = false;
}

// ---- memory fast paths (slow paths in rv64_mmu.cpp) -------------------------------------

template <typename T>
inline T hart::load(uint64_t addr) {
    T v;
    const tlb_entry& e = m_tlb[1][(addr >> page_shift) & (tlb_size - 1)];
    if ((addr & (sizeof(T) - 1)) == 0 && e.vpn == (addr >> page_shift)) {
        std::memcpy(&v, e.host + (addr & (page_size - 1)), sizeof(T));
        return v;
    }
    access_slow(addr, &v, sizeof(T), access_type::load);
    return v;
}

template <typename T>
inline void hart::store(uint64_t addr, T value) {
    const tlb_entry& e = m_tlb[2][(addr >> page_shift) & (tlb_size - 1)];
    if ((addr & (sizeof(T) - 1)) == 0 && e.vpn == (addr >> page_shift)) {
        std::memcpy(e.host + (addr & (page_size - 1)), &value, sizeof(T));
        return;
    }
    access_slow(addr, &value, sizeof(T), access_type::store);
}

inline uint32_t hart::fetch_raw(uint64_t pc) {
    const tlb_entry& e = m_tlb[0][(pc >> page_shift) & (tlb_size - 1)];
    if (e.vpn == (pc >> page_shift) && (pc & (page_size - 1)) <= page_size - 4) {
        uint32_t raw;
        std::memcpy(&raw, e.host + (pc & (page_size - 1)), 4);
        return raw;
    }
    return fetch_raw_slow(pc);
}

uint32_t hart::fetch_raw_slow(uint64_t pc) {
    // Two halves, so an instruction may straddle a page (and a compressed one may end it).
    uint16_t lo, hi = 0;
    access_slow(pc, &lo, 2, access_type::fetch);
    if (insn_length(lo) == 4) access_slow(pc + 2, &hi, 2, access_type::fetch);
    return uint32_t(lo) | (uint32_t(hi) << 16);
}

inline const decoded_insn& hart::fetch_decode(uint64_t pc) {
    uint32_t raw = fetch_raw(pc);
    if (insn_length(raw) == 2) raw &= 0xffff;
    m_current_raw = raw;
    // Keyed by address and checked against the raw bits, so code that is rewritten (or
    // remapped) is decoded again without any invalidation protocol.
    icache_entry& e = m_icache[(pc >> 1) & (icache_size - 1)];
    if (e.pc != pc || e.raw != raw) {
        e.pc = pc;
        e.raw = raw;
        e.insn = decode(raw);
    }
    return e.insn;
}

// ---- execution ------------------------------------------------------------------------

uint64_t hart::run(uint64_t max_steps) {
    if (m_debug_mode) return run_debug(max_steps);
    // m_steps counts executed and trapping instructions; unlike mcycle software cannot write it.
    const uint64_t start = m_steps;
    m_last_stop = stop_reason::budget;
    while (m_steps - start < max_steps) {
        if (m_halt) {
            m_last_stop = stop_reason::halt;
            return m_steps - start;
        }
        if (m_wfi) {
            m_last_stop = stop_reason::wfi;
            return m_steps - start;
        }
        try {
            while (m_steps - start < max_steps && !m_halt && !m_wfi) {
                if ((mip() & m_mie) != 0 && check_interrupts()) continue;
                if (!run_block(max_steps - (m_steps - start))) step();
            }
        } catch (const trap& t) {
            ++m_steps;
            take_trap(t.cause, t.tval, false);
        }
    }
    if (m_halt)
        m_last_stop = stop_reason::halt;
    else if (m_wfi)
        m_last_stop = stop_reason::wfi;
    return m_steps - start;
}

// The same as run(), one instruction at a time, stopping at breakpoints (before the
// instruction) and watchpoints (after the access).
uint64_t hart::run_debug(uint64_t max_steps) {
    const uint64_t start = m_steps;
    m_last_stop = stop_reason::budget;
    while (m_steps - start < max_steps) {
        if (m_halt) {
            m_last_stop = stop_reason::halt;
            break;
        }
        if (m_wfi) {
            m_last_stop = stop_reason::wfi;
            break;
        }
        try {
            if ((mip() & m_mie) != 0 && check_interrupts()) continue;
            const bool skip = m_skip_breakpoint;
            m_skip_breakpoint = false;
            if (!skip && std::find(m_breakpoints.begin(), m_breakpoints.end(), m_pc) !=
                             m_breakpoints.end()) {
                m_last_stop = stop_reason::breakpoint;
                break;
            }
            m_watch_hit = false;
            step();
        } catch (const trap& t) {
            ++m_steps;
            take_trap(t.cause, t.tval, false);
        }
        if (m_watch_hit) {
            m_last_stop = stop_reason::watchpoint;
            break;
        }
    }
    m_skip_breakpoint = false;
    return m_steps - start;
}

void hart::update_debug_mode() {
    m_debug_mode = !m_breakpoints.empty() || !m_watchpoints.empty();
    flush_tlb(); // with watchpoints every access must take the slow path
}

void hart::add_breakpoint(uint64_t pc) {
    m_breakpoints.push_back(pc);
    update_debug_mode();
}

void hart::remove_breakpoint(uint64_t pc) {
    auto it = std::find(m_breakpoints.begin(), m_breakpoints.end(), pc);
    if (it != m_breakpoints.end()) m_breakpoints.erase(it);
    update_debug_mode();
}

void hart::add_watchpoint(uint64_t addr, uint64_t len, watch_kind kind) {
    m_watchpoints.push_back({addr, len, kind});
    update_debug_mode();
}

void hart::remove_watchpoint(uint64_t addr, uint64_t len, watch_kind kind) {
    for (auto it = m_watchpoints.begin(); it != m_watchpoints.end(); ++it) {
        if (it->addr == addr && it->len == len && it->kind == kind) {
            m_watchpoints.erase(it);
            break;
        }
    }
    update_debug_mode();
}

void hart::clear_debug_points() {
    m_breakpoints.clear();
    m_watchpoints.clear();
    update_debug_mode();
}

void hart::check_watch(uint64_t va, unsigned len, access_type type) {
    for (const watchpoint& w : m_watchpoints) {
        const bool kind_matches = w.kind == watch_kind::access ||
                                  (w.kind == watch_kind::write && type == access_type::store) ||
                                  (w.kind == watch_kind::read && type == access_type::load);
        if (kind_matches && va < w.addr + w.len && w.addr < va + len) {
            m_watch_hit = true;
            m_watch_hit_addr = w.addr;
            m_watch_hit_kind = w.kind;
        }
    }
}

bool hart::poke_csr(uint16_t num, uint64_t value) {
    const privilege saved = m_priv;
    m_priv = privilege::machine;
    bool ok = true;
    try {
        csr_read(num);
        csr_write(num, value);
    } catch (const trap&) {
        ok = false;
    }
    m_priv = saved;
    return ok;
}

void hart::illegal_insn() {
    throw trap{static_cast<uint64_t>(cause::illegal_insn), m_current_raw};
}

template <typename T>
T hart::amo(const decoded_insn& d) {
    const uint64_t addr = m_x[d.rs1];
    if (addr & (sizeof(T) - 1)) throw trap{static_cast<uint64_t>(cause::store_misaligned), addr};
    T old;
    // AMOs fault as stores, whichever half of the access fails.
    try {
        old = load<T>(addr);
    } catch (const trap& t) {
        const bool page = t.cause == static_cast<uint64_t>(cause::load_page_fault);
        throw trap{
            static_cast<uint64_t>(page ? cause::store_page_fault : cause::store_access_fault),
            t.tval};
    }
    using S = std::make_signed_t<T>;
    const T src = static_cast<T>(m_x[d.rs2]);
    T result;
    switch (d.opcode) {
    case op::amoswap_w:
    case op::amoswap_d: result = src; break;
    case op::amoadd_w:
    case op::amoadd_d: result = static_cast<T>(old + src); break;
    case op::amoxor_w:
    case op::amoxor_d: result = old ^ src; break;
    case op::amoand_w:
    case op::amoand_d: result = old & src; break;
    case op::amoor_w:
    case op::amoor_d: result = old | src; break;
    case op::amomin_w:
    case op::amomin_d: result = static_cast<S>(old) < static_cast<S>(src) ? old : src; break;
    case op::amomax_w:
    case op::amomax_d: result = static_cast<S>(old) > static_cast<S>(src) ? old : src; break;
    case op::amominu_w:
    case op::amominu_d: result = old < src ? old : src; break;
    default: result = old > src ? old : src; break; // amomaxu
    }
    store<T>(addr, result);
    return old;
}

void hart::step() {
    const uint64_t pc = m_pc;
    const decoded_insn& d = fetch_decode(pc);
    uint64_t next = pc + d.length;
    if (!execute_plain(d, pc, next)) execute_system(d, next);
    m_x[0] = 0;
    m_pc = next;
    ++m_instret;
    ++m_cycle;
    ++m_steps;
    m_in_trap_entry = false;
}

// Instructions that can neither change privilege, CSRs nor raise an illegal-instruction trap
// (whose mtval needs the raw bits); they are the only ones translated blocks hold.
inline bool hart::execute_plain(const decoded_insn& d, uint64_t pc, uint64_t& next) {
    uint64_t* x = m_x.data();
    const uint64_t a = x[d.rs1], b = x[d.rs2];
    const uint64_t imm = static_cast<uint64_t>(d.imm);

    switch (d.opcode) {
    case op::illegal: illegal_insn();
    case op::lui: x[d.rd] = imm; break;
    case op::auipc: x[d.rd] = pc + imm; break;
    case op::jal:
        x[d.rd] = next;
        next = pc + imm;
        break;
    case op::jalr: {
        const uint64_t target = (a + imm) & ~uint64_t(1);
        x[d.rd] = next;
        next = target;
        break;
    }
    case op::beq:
        if (a == b) next = pc + imm;
        break;
    case op::bne:
        if (a != b) next = pc + imm;
        break;
    case op::blt:
        if (int64_t(a) < int64_t(b)) next = pc + imm;
        break;
    case op::bge:
        if (int64_t(a) >= int64_t(b)) next = pc + imm;
        break;
    case op::bltu:
        if (a < b) next = pc + imm;
        break;
    case op::bgeu:
        if (a >= b) next = pc + imm;
        break;
    case op::lb: x[d.rd] = static_cast<int8_t>(load<uint8_t>(a + imm)); break;
    case op::lh: x[d.rd] = static_cast<int16_t>(load<uint16_t>(a + imm)); break;
    case op::lw: x[d.rd] = static_cast<int32_t>(load<uint32_t>(a + imm)); break;
    case op::ld: x[d.rd] = load<uint64_t>(a + imm); break;
    case op::lbu: x[d.rd] = load<uint8_t>(a + imm); break;
    case op::lhu: x[d.rd] = load<uint16_t>(a + imm); break;
    case op::lwu: x[d.rd] = load<uint32_t>(a + imm); break;
    case op::sb: store<uint8_t>(a + imm, static_cast<uint8_t>(b)); break;
    case op::sh: store<uint16_t>(a + imm, static_cast<uint16_t>(b)); break;
    case op::sw: store<uint32_t>(a + imm, static_cast<uint32_t>(b)); break;
    case op::sd: store<uint64_t>(a + imm, b); break;
    case op::addi: x[d.rd] = a + imm; break;
    case op::slti: x[d.rd] = int64_t(a) < int64_t(imm); break;
    case op::sltiu: x[d.rd] = a < imm; break;
    case op::xori: x[d.rd] = a ^ imm; break;
    case op::ori: x[d.rd] = a | imm; break;
    case op::andi: x[d.rd] = a & imm; break;
    case op::slli: x[d.rd] = a << imm; break;
    case op::srli: x[d.rd] = a >> imm; break;
    case op::srai: x[d.rd] = static_cast<uint64_t>(int64_t(a) >> imm); break;
    case op::add: x[d.rd] = a + b; break;
    case op::sub: x[d.rd] = a - b; break;
    case op::sll: x[d.rd] = a << (b & 63); break;
    case op::slt: x[d.rd] = int64_t(a) < int64_t(b); break;
    case op::sltu: x[d.rd] = a < b; break;
    case op::xor_: x[d.rd] = a ^ b; break;
    case op::srl: x[d.rd] = a >> (b & 63); break;
    case op::sra: x[d.rd] = static_cast<uint64_t>(int64_t(a) >> (b & 63)); break;
    case op::or_: x[d.rd] = a | b; break;
    case op::and_: x[d.rd] = a & b; break;
    case op::addiw: x[d.rd] = sext32(a + imm); break;
    case op::slliw: x[d.rd] = sext32(uint32_t(a) << imm); break;
    case op::srliw: x[d.rd] = sext32(uint32_t(a) >> imm); break;
    case op::sraiw: x[d.rd] = static_cast<uint64_t>(int64_t(int32_t(a) >> imm)); break;
    case op::addw: x[d.rd] = sext32(a + b); break;
    case op::subw: x[d.rd] = sext32(a - b); break;
    case op::sllw: x[d.rd] = sext32(uint32_t(a) << (b & 31)); break;
    case op::srlw: x[d.rd] = sext32(uint32_t(a) >> (b & 31)); break;
    case op::sraw: x[d.rd] = static_cast<uint64_t>(int64_t(int32_t(a) >> (b & 31))); break;
    case op::mul: x[d.rd] = a * b; break;
    case op::mulh:
        x[d.rd] = static_cast<uint64_t>((__int128(int64_t(a)) * __int128(int64_t(b))) >> 64);
        break;
    case op::mulhsu:
        x[d.rd] = static_cast<uint64_t>(
            (__int128(int64_t(a)) * static_cast<__int128>((unsigned __int128)b)) >> 64);
        break;
    case op::mulhu:
        x[d.rd] = static_cast<uint64_t>(((unsigned __int128)a * (unsigned __int128)b) >> 64);
        break;
    case op::div:
        if (b == 0)
            x[d.rd] = ~uint64_t(0);
        else if (int64_t(a) == std::numeric_limits<int64_t>::min() && int64_t(b) == -1)
            x[d.rd] = a;
        else
            x[d.rd] = static_cast<uint64_t>(int64_t(a) / int64_t(b));
        break;
    case op::divu: x[d.rd] = b == 0 ? ~uint64_t(0) : a / b; break;
    case op::rem:
        if (b == 0)
            x[d.rd] = a;
        else if (int64_t(a) == std::numeric_limits<int64_t>::min() && int64_t(b) == -1)
            x[d.rd] = 0;
        else
            x[d.rd] = static_cast<uint64_t>(int64_t(a) % int64_t(b));
        break;
    case op::remu: x[d.rd] = b == 0 ? a : a % b; break;
    case op::mulw: x[d.rd] = sext32(uint32_t(a) * uint32_t(b)); break;
    case op::divw: {
        const int32_t sa = int32_t(a), sb = int32_t(b);
        if (sb == 0)
            x[d.rd] = ~uint64_t(0);
        else if (sa == std::numeric_limits<int32_t>::min() && sb == -1)
            x[d.rd] = sext32(uint32_t(sa));
        else
            x[d.rd] = static_cast<uint64_t>(int64_t(sa / sb));
        break;
    }
    case op::divuw: {
        const uint32_t ua = uint32_t(a), ub = uint32_t(b);
        x[d.rd] = ub == 0 ? ~uint64_t(0) : sext32(ua / ub);
        break;
    }
    case op::remw: {
        const int32_t sa = int32_t(a), sb = int32_t(b);
        if (sb == 0)
            x[d.rd] = static_cast<uint64_t>(int64_t(sa));
        else if (sa == std::numeric_limits<int32_t>::min() && sb == -1)
            x[d.rd] = 0;
        else
            x[d.rd] = static_cast<uint64_t>(int64_t(sa % sb));
        break;
    }
    case op::remuw: {
        const uint32_t ua = uint32_t(a), ub = uint32_t(b);
        x[d.rd] = sext32(ub == 0 ? ua : ua % ub);
        break;
    }
    case op::lr_w:
    case op::lr_d: {
        const unsigned size = d.opcode == op::lr_w ? 4 : 8;
        if (a & (size - 1)) throw trap{static_cast<uint64_t>(cause::load_misaligned), a};
        x[d.rd] = size == 4 ? static_cast<uint64_t>(int64_t(int32_t(load<uint32_t>(a))))
                            : load<uint64_t>(a);
        m_reservation = a;
        m_reservation_valid = true;
        break;
    }
    case op::sc_w:
    case op::sc_d: {
        const unsigned size = d.opcode == op::sc_w ? 4 : 8;
        if (a & (size - 1)) throw trap{static_cast<uint64_t>(cause::store_misaligned), a};
        const bool ok = m_reservation_valid && m_reservation == a;
        m_reservation_valid = false;
        if (ok) {
            if (size == 4)
                store<uint32_t>(a, static_cast<uint32_t>(b));
            else
                store<uint64_t>(a, b);
        }
        x[d.rd] = ok ? 0 : 1;
        break;
    }
    case op::amoswap_w:
    case op::amoadd_w:
    case op::amoxor_w:
    case op::amoand_w:
    case op::amoor_w:
    case op::amomin_w:
    case op::amomax_w:
    case op::amominu_w:
    case op::amomaxu_w: x[d.rd] = static_cast<uint64_t>(int64_t(int32_t(amo<uint32_t>(d)))); break;
    case op::amoswap_d:
    case op::amoadd_d:
    case op::amoxor_d:
    case op::amoand_d:
    case op::amoor_d:
    case op::amomin_d:
    case op::amomax_d:
    case op::amominu_d:
    case op::amomaxu_d: x[d.rd] = amo<uint64_t>(d); break;
    case op::fence:
    case op::fence_i: // the decoded caches compare raw bits, so they are always coherent
        break;
    default: return false;
    }
    return true;
}

bool hart::plain_op(op o) {
    return o != op::illegal && !(o >= op::fence_i && o <= op::csrrci);
}

bool hart::ends_block(op o) {
    return o >= op::jal && o <= op::bgeu;
}

void hart::build_block(block& blk, uint64_t pc, const uint8_t* host) {
    // Straight-line code inside one page, up to the first branch or jump (included) or the
    // first instruction that is not plain (excluded: step() executes it).
    const uint64_t room = page_size - (pc & (page_size - 1));
    unsigned bytes = 0, count = 0;
    while (count < max_block_insns && bytes + 2 <= room) {
        uint16_t lo;
        std::memcpy(&lo, host + bytes, 2);
        uint32_t raw = lo;
        const unsigned len = insn_length(lo);
        if (len == 4) {
            if (bytes + 4 > room) break;
            std::memcpy(&raw, host + bytes, 4);
        }
        const decoded_insn d = decode(raw);
        if (!plain_op(d.opcode)) break;
        blk.insn[count++] = d;
        bytes += len;
        if (ends_block(d.opcode)) break;
    }
    blk.pc = pc;
    blk.host = host;
    blk.count = static_cast<uint16_t>(count);
    blk.bytes = static_cast<uint16_t>(bytes);
    std::memcpy(blk.raw, host, bytes);
}

// Short compares inline (a library memcmp call costs more than the compare itself); never
// reads past the block, which may end at the last byte of a mapping.
static inline bool same_bytes(const uint8_t* a, const uint8_t* b, unsigned n) {
    unsigned i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        if (x != y) return false;
    }
    for (; i < n; i += 2) {
        uint16_t x, y;
        std::memcpy(&x, a + i, 2);
        std::memcpy(&y, b + i, 2);
        if (x != y) return false;
    }
    return true;
}

// Runs one translated block at m_pc; false if there is none (the caller steps instead).
inline bool hart::run_block(uint64_t budget) {
    const uint64_t pc0 = m_pc;
    const tlb_entry& e = m_tlb[0][(pc0 >> page_shift) & (tlb_size - 1)];
    if (e.vpn != (pc0 >> page_shift)) return false;
    const uint8_t* host = e.host + (pc0 & (page_size - 1));
    block& blk = m_blocks[(pc0 >> 1) & (block_cache_size - 1)];
    // Checked against the bytes in memory, so rewritten code is translated again.
    if (blk.pc != pc0 || blk.host != host || !same_bytes(blk.raw, host, blk.bytes))
        build_block(blk, pc0, host);
    if (blk.count == 0 || blk.count > budget) return false;
    uint64_t pc = pc0;
    for (unsigned i = 0; i < blk.count; ++i) {
        const decoded_insn& d = blk.insn[i];
        uint64_t next = pc + d.length;
        m_pc = pc; // precise if it traps
        execute_plain(d, pc, next);
        m_x[0] = 0;
        ++m_instret;
        ++m_cycle;
        ++m_steps;
        m_in_trap_entry = false;
        pc = next;
    }
    m_pc = pc;
    return true;
}

void hart::execute_system(const decoded_insn& d, uint64_t& next) {
    uint64_t* x = m_x.data();
    const uint16_t num = static_cast<uint16_t>(d.imm);
    switch (d.opcode) {
    case op::ecall:
        switch (m_priv) {
        case privilege::user: throw trap{static_cast<uint64_t>(cause::ecall_u), 0};
        case privilege::supervisor: throw trap{static_cast<uint64_t>(cause::ecall_s), 0};
        default: throw trap{static_cast<uint64_t>(cause::ecall_m), 0};
        }
    case op::ebreak:
        if (d.length == 4 && semihosting && m_priv != privilege::user && semihosting_call()) break;
        // mtval = 0, as QEMU does (the spec allows 0 or the pc).
        throw trap{static_cast<uint64_t>(cause::breakpoint), 0};
    case op::mret: {
        if (m_priv != privilege::machine) illegal_insn();
        const auto mpp = static_cast<privilege>((m_mstatus & mstatus::mpp) >> mstatus::mpp_shift);
        m_mstatus = (m_mstatus & ~mstatus::mie) | ((m_mstatus & mstatus::mpie) ? mstatus::mie : 0);
        m_mstatus |= mstatus::mpie;
        m_mstatus &= ~mstatus::mpp; // MPP becomes U
        if (mpp != privilege::machine) m_mstatus &= ~mstatus::mprv;
        m_priv = mpp;
        flush_tlb();
        if (on_privilege_change) on_privilege_change(m_priv);
        next = m_mepc;
        break;
    }
    case op::sret: {
        if (m_priv == privilege::user) illegal_insn();
        if (m_priv == privilege::supervisor && (m_mstatus & mstatus::tsr)) illegal_insn();
        const privilege spp = (m_mstatus & mstatus::spp) ? privilege::supervisor : privilege::user;
        m_mstatus = (m_mstatus & ~mstatus::sie) | ((m_mstatus & mstatus::spie) ? mstatus::sie : 0);
        m_mstatus |= mstatus::spie;
        m_mstatus &= ~mstatus::spp;
        m_mstatus &= ~mstatus::mprv;
        m_priv = spp;
        flush_tlb();
        if (on_privilege_change) on_privilege_change(m_priv);
        next = m_sepc;
        break;
    }
    case op::wfi:
        if (m_priv == privilege::user) illegal_insn();
        if (m_priv == privilege::supervisor && (m_mstatus & mstatus::tw)) illegal_insn();
        // Wakes on any locally enabled pending interrupt, whatever the global enables say.
        if ((mip() & m_mie) == 0) m_wfi = true;
        break;
    case op::sfence_vma:
        if (m_priv == privilege::user) illegal_insn();
        if (m_priv == privilege::supervisor && (m_mstatus & mstatus::tvm)) illegal_insn();
        flush_tlb();
        break;
    case op::csrrw:
    case op::csrrwi: {
        const uint64_t src = d.opcode == op::csrrw ? x[d.rs1] : d.rs1;
        check_csr_access(num, true);
        const uint64_t old = d.rd != 0 ? csr_read(num) : 0;
        csr_write(num, src);
        x[d.rd] = old;
        break;
    }
    default: { // csrrs, csrrc, csrrsi, csrrci
        const bool imm_form = d.opcode == op::csrrsi || d.opcode == op::csrrci;
        const bool set = d.opcode == op::csrrs || d.opcode == op::csrrsi;
        const uint64_t src = imm_form ? d.rs1 : x[d.rs1];
        const bool writes = d.rs1 != 0;
        check_csr_access(num, writes);
        const uint64_t old = csr_read(num);
        if (writes) csr_write(num, set ? (old | src) : (old & ~src));
        x[d.rd] = old;
        break;
    }
    }
}

// ---- CSRs -----------------------------------------------------------------------------

void hart::check_csr_access(uint16_t num, bool write) {
    const unsigned min_priv = (num >> 8) & 3;
    if (static_cast<unsigned>(m_priv) < min_priv) illegal_insn();
    if (write && ((num >> 10) & 3) == 3) illegal_insn();
    if (num == csr::satp && m_priv == privilege::supervisor && (m_mstatus & mstatus::tvm))
        illegal_insn();
    if (num >= csr::cycle && num <= csr::hpmcounter31) {
        const uint64_t bit = uint64_t(1) << (num - csr::cycle);
        if (m_priv != privilege::machine && !(m_mcounteren & bit)) illegal_insn();
        if (m_priv == privilege::user && !(m_scounteren & bit)) illegal_insn();
    }
}

bool hart::peek_csr(uint16_t num, uint64_t& value) {
    const privilege saved = m_priv;
    m_priv = privilege::machine;
    bool ok = true;
    try {
        value = csr_read(num);
    } catch (const trap&) {
        ok = false;
    }
    m_priv = saved;
    return ok;
}

uint64_t hart::csr_read(uint16_t num) {
    switch (num) {
    case csr::sstatus: {
        uint64_t v = m_mstatus & mstatus::sstatus_view;
        return v;
    }
    case csr::sie: return m_mie & m_mideleg;
    case csr::stvec: return m_stvec;
    case csr::scounteren: return m_scounteren;
    case csr::senvcfg: return m_senvcfg;
    case csr::sscratch: return m_sscratch;
    case csr::sepc: return m_sepc;
    case csr::scause: return m_scause;
    case csr::stval: return m_stval;
    case csr::sip: return mip() & m_mideleg;
    case csr::satp: return m_satp;
    case csr::mstatus: return m_mstatus;
    case csr::misa: return misa_value;
    case csr::medeleg: return m_medeleg;
    case csr::mideleg: return m_mideleg;
    case csr::mie: return m_mie;
    case csr::mtvec: return m_mtvec;
    case csr::mcounteren: return m_mcounteren;
    case csr::menvcfg: return m_menvcfg;
    case csr::mcountinhibit: return m_mcountinhibit;
    case csr::mscratch: return m_mscratch;
    case csr::mepc: return m_mepc;
    case csr::mcause: return m_mcause;
    case csr::mtval: return m_mtval;
    case csr::mip: return mip();
    case csr::mcycle:
    case csr::cycle: return m_cycle;
    case csr::minstret:
    case csr::instret: return m_instret;
    case csr::time: return m_bus.read_time();
    case csr::mvendorid:
    case csr::marchid:
    case csr::mimpid:
    case csr::mconfigptr: return 0;
    case csr::mhartid: return m_cfg.hartid;
    default:
        if ((num >= csr::mhpmevent3 && num <= csr::mhpmevent31) ||
            (num >= csr::mhpmcounter3 && num <= csr::mhpmcounter31) ||
            (num >= csr::hpmcounter3 && num <= csr::hpmcounter31))
            return 0;
        // 16 PMP entries (pmpcfg0/2, pmpaddr0-15); the rest of the PMP CSRs read as zero.
        // Odd pmpcfg numbers do not exist on RV64.
        if (num >= csr::pmpcfg0 && num <= csr::pmpcfg15 && (num & 1) == 0)
            return num - csr::pmpcfg0 <= 2 ? m_pmp.read_cfg(num - csr::pmpcfg0) : 0;
        if (num >= csr::pmpaddr0 && num <= csr::pmpaddr63)
            return unsigned(num - csr::pmpaddr0) < pmp::num_entries
                       ? m_pmp.read_addr(num - csr::pmpaddr0)
                       : 0;
        illegal_insn();
    }
}

void hart::csr_write(uint16_t num, uint64_t v) {
    switch (num) {
    case csr::sstatus:
        m_mstatus = (m_mstatus & ~sstatus_writable) | (v & sstatus_writable);
        flush_tlb(); // SUM and MXR change what translations allow
        break;
    case csr::sie: m_mie = (m_mie & ~m_mideleg) | (v & m_mideleg); break;
    case csr::stvec: m_stvec = v & ~uint64_t(2); break;
    case csr::scounteren: m_scounteren = v & 0xffffffff; break;
    case csr::sscratch: m_sscratch = v; break;
    case csr::sepc: m_sepc = v & ~uint64_t(1); break;
    case csr::scause: m_scause = v; break;
    case csr::stval: m_stval = v; break;
    case csr::sip: {
        const uint64_t mask = m_mideleg & irq::bit(irq::ssi);
        m_mip_sw = (m_mip_sw & ~mask) | (v & mask);
        break;
    }
    case csr::satp: {
        // Bare and Sv39; a write selecting another mode has no effect (WARL).
        const uint64_t mode = v >> 60;
        if (mode == 0) m_satp = 0;
        if (mode == satp_mode_sv39) m_satp = v;
        flush_tlb();
        break;
    }
    case csr::mstatus: {
        uint64_t nv = (m_mstatus & ~mstatus_writable) | (v & mstatus_writable);
        if (((nv & mstatus::mpp) >> mstatus::mpp_shift) == 2) nv &= ~mstatus::mpp; // WARL
        m_mstatus = nv;
        flush_tlb(); // MPRV, MPP, SUM and MXR change what translations allow
        break;
    }
    case csr::medeleg: m_medeleg = v & medeleg_writable; break;
    case csr::mideleg: m_mideleg = v & irq::supervisor_mask; break;
    case csr::mie: m_mie = v & irq::all_mask; break;
    case csr::mtvec: m_mtvec = v & ~uint64_t(2); break;
    case csr::mcounteren: m_mcounteren = v & 0xffffffff; break;
    // Counting cannot be inhibited (the platform's timing runs on mcycle): all bits read-only 0.
    case csr::mcountinhibit: break;
    case csr::mscratch: m_mscratch = v; break;
    case csr::mepc: m_mepc = v & ~uint64_t(1); break;
    case csr::mcause: m_mcause = v; break;
    case csr::mtval: m_mtval = v; break;
    case csr::mip: {
        const uint64_t mask = irq::supervisor_mask;
        m_mip_sw = (m_mip_sw & ~mask) | (v & mask);
        break;
    }
    // The counting instruction itself does not add to a value just written.
    case csr::mcycle: m_cycle = v - 1; break;
    case csr::minstret: m_instret = v - 1; break;
    // Only FIOM is implemented in the environment configuration registers.
    case csr::menvcfg: m_menvcfg = v & 1; break;
    case csr::senvcfg: m_senvcfg = v & 1; break;
    case csr::misa: break; // WARL, nothing writable
    default:
        if (num >= csr::pmpcfg0 && num <= csr::pmpcfg15 && (num & 1) == 0) {
            if (num - csr::pmpcfg0 <= 2) m_pmp.write_cfg(num - csr::pmpcfg0, v);
            flush_tlb();
            break;
        }
        if (num >= csr::pmpaddr0 && num < csr::pmpaddr0 + pmp::num_entries) {
            m_pmp.write_addr(num - csr::pmpaddr0, v);
            flush_tlb();
            break;
        }
        // hpm counters/events and PMP: read-only zero (WARL); any other number does not exist.
        if ((num >= csr::mhpmevent3 && num <= csr::mhpmevent31) ||
            (num >= csr::mhpmcounter3 && num <= csr::mhpmcounter31) ||
            (num >= csr::pmpcfg0 && num <= csr::pmpcfg15 && (num & 1) == 0) ||
            (num >= csr::pmpaddr0 && num <= csr::pmpaddr63))
            break;
        illegal_insn();
    }
}

// ---- traps and interrupts -------------------------------------------------------------

void hart::set_interrupt(unsigned irq_bit, bool level) {
    const uint64_t bit = irq::bit(irq_bit);
    m_mip_hw = level ? (m_mip_hw | bit) : (m_mip_hw & ~bit);
    if ((mip() & m_mie) != 0) m_wfi = false;
}

bool hart::check_interrupts() {
    const uint64_t pending = mip() & m_mie;
    const uint64_t m_pending = pending & ~m_mideleg;
    const uint64_t s_pending = pending & m_mideleg;
    const bool m_enabled = m_priv != privilege::machine || (m_mstatus & mstatus::mie);
    const bool s_enabled = m_priv == privilege::user ||
                           (m_priv == privilege::supervisor && (m_mstatus & mstatus::sie));
    uint64_t candidates = 0;
    if (m_enabled && m_pending)
        candidates = m_pending;
    else if (s_enabled && s_pending)
        candidates = s_pending;
    if (candidates == 0) return false;
    static const unsigned order[] = {irq::mei, irq::msi, irq::mti, irq::sei, irq::ssi, irq::sti};
    for (unsigned n : order) {
        if (candidates & irq::bit(n)) {
            take_trap(n, 0, true);
            return true;
        }
    }
    return false;
}

void hart::take_trap(uint64_t code, uint64_t tval, bool interrupt) {
    if (m_in_trap_entry && !interrupt) {
        // The handler's first instruction itself trapped: there is no usable handler.
        if (on_double_trap)
            on_double_trap({m_last_trap.cause, m_last_trap_pc, m_last_trap.tval, code, m_pc});
        m_halt = true;
        return;
    }
    const uint64_t cause_value = code | (interrupt ? interrupt_flag : 0);
    const uint64_t deleg = interrupt ? m_mideleg : m_medeleg;
    const bool to_s = m_priv != privilege::machine && ((deleg >> code) & 1);
    if (!interrupt) {
        m_last_trap = trap{cause_value, tval};
        m_last_trap_pc = m_pc;
        m_in_trap_entry = true;
    }
    m_reservation_valid = false;
    if (on_trap) on_trap(cause_value, m_pc);
    const privilege from = m_priv;
    if (to_s) {
        m_scause = cause_value;
        m_sepc = m_pc;
        m_stval = tval;
        m_mstatus = (m_mstatus & ~mstatus::spie) | ((m_mstatus & mstatus::sie) ? mstatus::spie : 0);
        m_mstatus &= ~mstatus::sie;
        m_mstatus =
            (m_mstatus & ~mstatus::spp) | (m_priv == privilege::supervisor ? mstatus::spp : 0);
        m_priv = privilege::supervisor;
        flush_tlb();
        const uint64_t base = m_stvec & ~uint64_t(3);
        m_pc = (interrupt && (m_stvec & 1)) ? base + 4 * code : base;
    } else {
        m_mcause = cause_value;
        m_mepc = m_pc;
        m_mtval = tval;
        m_mstatus = (m_mstatus & ~mstatus::mpie) | ((m_mstatus & mstatus::mie) ? mstatus::mpie : 0);
        m_mstatus &= ~mstatus::mie;
        m_mstatus = (m_mstatus & ~mstatus::mpp) |
                    (uint64_t(static_cast<unsigned>(m_priv)) << mstatus::mpp_shift);
        m_priv = privilege::machine;
        flush_tlb();
        const uint64_t base = m_mtvec & ~uint64_t(3);
        m_pc = (interrupt && (m_mtvec & 1)) ? base + 4 * code : base;
    }
    ++m_cycle;
    if (on_privilege_change && m_priv != from) on_privilege_change(m_priv);
}

bool hart::semihosting_call() {
    uint32_t before = 0, after = 0;
    if (!read_memory(m_pc - 4, &before, 4) || !read_memory(m_pc + 4, &after, 4)) return false;
    if (before != semihost_entry || after != semihost_exit) return false;
    return semihosting(*this);
}

} // namespace rainier::rv64
