// The slow path of every hart memory access: Sv39 translation, PMP, DMI or bus, and the
// software TLB that lets the next access to the same page take the fast path.
#include <cstring>

#include "rv64_hart.h"

namespace rainier::rv64 {

namespace {

constexpr uint64_t pte_v = 1, pte_r = 2, pte_w = 4, pte_x = 8, pte_u = 16, pte_a = 64, pte_d = 128;
constexpr uint64_t ppn_mask = (uint64_t(1) << 44) - 1;

cause fault_cause(access_type type, bool page) {
    switch (type) {
    case access_type::fetch: return page ? cause::insn_page_fault : cause::insn_access_fault;
    case access_type::load: return page ? cause::load_page_fault : cause::load_access_fault;
    default: return page ? cause::store_page_fault : cause::store_access_fault;
    }
}

} // namespace

void hart::access_fault(access_type type, uint64_t va) {
    throw trap{static_cast<uint64_t>(fault_cause(type, false)), va};
}

void hart::page_fault(access_type type, uint64_t va) {
    throw trap{static_cast<uint64_t>(fault_cause(type, true)), va};
}

void hart::flush_tlb() {
    for (auto& table : m_tlb)
        for (tlb_entry& e : table)
            e = tlb_entry{};
}

void hart::add_dmi(uint64_t start, uint64_t end, uint8_t* ptr, bool writable) {
    for (dmi_region& r : m_dmi) {
        if (r.ptr == nullptr || (r.start == start && r.end == end)) {
            r = dmi_region{start, end, ptr, writable};
            return;
        }
    }
    // Table full: replace the oldest entry; the TLB may point into it.
    for (unsigned i = 1; i < max_dmi; ++i)
        m_dmi[i - 1] = m_dmi[i];
    m_dmi[max_dmi - 1] = dmi_region{start, end, ptr, writable};
    flush_tlb();
}

void hart::invalidate_dmi(uint64_t start, uint64_t end) {
    for (dmi_region& r : m_dmi)
        if (r.ptr != nullptr && r.start <= end && start <= r.end) r = dmi_region{};
    flush_tlb();
}

const hart::dmi_region* hart::find_dmi(uint64_t addr, unsigned len, bool write) {
    for (const dmi_region& r : m_dmi)
        if (r.ptr != nullptr && r.covers(addr, len) && (!write || r.writable)) return &r;
    return nullptr;
}

bool hart::phys_read(uint64_t pa, void* data, unsigned len, bool fetch) {
    if (const dmi_region* r = find_dmi(pa, len, false)) {
        std::memcpy(data, r->ptr + (pa - r->start), len);
        return true;
    }
    return m_bus.read(pa, data, len, fetch);
}

bool hart::phys_write(uint64_t pa, const void* data, unsigned len) {
    if (const dmi_region* r = find_dmi(pa, len, true)) {
        std::memcpy(r->ptr + (pa - r->start), data, len);
        return true;
    }
    return m_bus.write(pa, data, len);
}

privilege hart::data_privilege() const {
    if (m_priv == privilege::machine && (m_mstatus & mstatus::mprv))
        return static_cast<privilege>((m_mstatus & mstatus::mpp) >> mstatus::mpp_shift);
    return m_priv;
}

uint64_t hart::translate(uint64_t va, access_type type) {
    const privilege priv = type == access_type::fetch ? m_priv : data_privilege();
    if (priv == privilege::machine || (m_satp >> 60) != satp_mode_sv39) return va;
    // Bits 63:39 must all equal bit 38.
    if (static_cast<uint64_t>(static_cast<int64_t>(va << 25) >> 25) != va) page_fault(type, va);

    uint64_t table = (m_satp & ppn_mask) << page_shift;
    for (int level = 2; level >= 0; --level) {
        const uint64_t pte_addr = table + ((va >> (page_shift + 9 * level)) & 511) * 8;
        uint64_t pte;
        // Page-table reads are S-mode accesses for PMP.
        if (!m_pmp.check(pte_addr, 8, access_type::load, privilege::supervisor) ||
            !phys_read(pte_addr, &pte, 8, false))
            access_fault(type, va);
        if (!(pte & pte_v) || ((pte & (pte_r | pte_w)) == pte_w) || (pte >> 54) != 0)
            page_fault(type, va);
        if (!(pte & (pte_r | pte_x))) { // pointer to the next level
            if (level == 0) page_fault(type, va);
            table = ((pte >> 10) & ppn_mask) << page_shift;
            continue;
        }
        // Leaf: permissions.
        if (priv == privilege::user && !(pte & pte_u)) page_fault(type, va);
        if (priv == privilege::supervisor && (pte & pte_u) &&
            (type == access_type::fetch || !(m_mstatus & mstatus::sum)))
            page_fault(type, va);
        const bool readable = (pte & pte_r) || ((m_mstatus & mstatus::mxr) && (pte & pte_x));
        if ((type == access_type::fetch && !(pte & pte_x)) ||
            (type == access_type::load && !readable) ||
            (type == access_type::store && !(pte & pte_w)))
            page_fault(type, va);
        const uint64_t ppn = (pte >> 10) & ppn_mask;
        if (level > 0 && (ppn & ((uint64_t(1) << (9 * level)) - 1)) != 0)
            page_fault(type, va); // misaligned superpage
        // Accessed and dirty bits are set by the hardware walk, as QEMU does.
        const uint64_t updated = pte | pte_a | (type == access_type::store ? pte_d : 0);
        if (updated != pte) {
            if (!m_pmp.check(pte_addr, 8, access_type::store, privilege::supervisor) ||
                !phys_write(pte_addr, &updated, 8))
                access_fault(type, va);
        }
        const uint64_t offset_mask = (uint64_t(1) << (page_shift + 9 * level)) - 1;
        return ((ppn << page_shift) & ~offset_mask) | (va & offset_mask);
    }
    page_fault(type, va); // not reached: level 0 always returns or faults
}

void hart::access_slow(uint64_t va, void* data, unsigned len, access_type type) {
    if (va & (len - 1)) {
        if (type == access_type::fetch) {
            // Only 2-byte halves are fetched; a misaligned half cannot happen with C.
            throw trap{static_cast<uint64_t>(cause::insn_misaligned), va};
        }
        if (m_cfg.misaligned_traps)
            throw trap{static_cast<uint64_t>(type == access_type::load ? cause::load_misaligned
                                                                       : cause::store_misaligned),
                       va};
        // Done in hardware, byte by byte. For a store, every byte is checked before any is
        // written, so a fault leaves memory unchanged.
        uint8_t* bytes = static_cast<uint8_t*>(data);
        if (type == access_type::store) {
            for (unsigned i = 0; i < len; ++i) {
                const uint64_t pa = translate(va + i, type);
                if (!m_pmp.check(pa, 1, type, data_privilege())) access_fault(type, va + i);
                uint8_t probe;
                if (!find_dmi(pa, 1, true) && !m_bus.read(pa, &probe, 1, false))
                    access_fault(type, va + i);
            }
        }
        for (unsigned i = 0; i < len; ++i)
            access_slow(va + i, bytes + i, 1, type);
        return;
    }
    const uint64_t pa = translate(va, type);
    const privilege priv = type == access_type::fetch ? m_priv : data_privilege();
    if (!m_pmp.check(pa, len, type, priv)) access_fault(type, va);
    if (!m_watchpoints.empty() && type != access_type::fetch) check_watch(va, len, type);

    const bool write = type == access_type::store;
    const uint64_t page = pa & ~(page_size - 1);
    // No TLB entry while watchpoints exist: every access must come here to be checked.
    const dmi_region* r = m_watchpoints.empty() ? find_dmi(page, page_size, write) : nullptr;
    if (r) {
        if (m_pmp.page_uniform(page, priv)) {
            tlb_entry& e = m_tlb[static_cast<unsigned>(type)][(va >> page_shift) & (tlb_size - 1)];
            e.vpn = va >> page_shift;
            e.host = r->ptr + (page - r->start);
        }
    }
    const bool ok =
        write ? phys_write(pa, data, len) : phys_read(pa, data, len, type == access_type::fetch);
    if (!ok) access_fault(type, va);
}

bool hart::read_memory(uint64_t addr, void* data, unsigned len) {
    try {
        for (unsigned i = 0; i < len; ++i)
            access_slow(addr + i, static_cast<uint8_t*>(data) + i, 1, access_type::load);
    } catch (const trap&) {
        return false;
    }
    return true;
}

bool hart::write_memory(uint64_t addr, const void* data, unsigned len) {
    try {
        for (unsigned i = 0; i < len; ++i) {
            uint8_t b = static_cast<const uint8_t*>(data)[i];
            access_slow(addr + i, &b, 1, access_type::store);
        }
    } catch (const trap&) {
        return false;
    }
    return true;
}

} // namespace rainier::rv64

namespace rainier::rv64 {

bool hart::debug_translate(uint64_t va, uint64_t& pa) {
    const privilege priv = data_privilege();
    if (priv == privilege::machine || (m_satp >> 60) != satp_mode_sv39) {
        pa = va;
        return true;
    }
    if (static_cast<uint64_t>(static_cast<int64_t>(va << 25) >> 25) != va) return false;
    uint64_t table = (m_satp & ppn_mask) << page_shift;
    for (int level = 2; level >= 0; --level) {
        uint64_t pte;
        if (!phys_read(table + ((va >> (page_shift + 9 * level)) & 511) * 8, &pte, 8, false))
            return false;
        if (!(pte & pte_v)) return false;
        if (pte & (pte_r | pte_x)) {
            const uint64_t mask = (uint64_t(1) << (page_shift + 9 * level)) - 1;
            pa = ((((pte >> 10) & ppn_mask) << page_shift) & ~mask) | (va & mask);
            return true;
        }
        table = ((pte >> 10) & ppn_mask) << page_shift;
    }
    return false;
}

} // namespace rainier::rv64
