#include "rv64_pmp.h"

namespace rainier::rv64 {

namespace {
constexpr uint64_t addr_mask = (uint64_t(1) << 54) - 1; // pmpaddr holds bits 55:2
}

void pmp::reset() {
    m_cfg.fill(0);
    m_addr.fill(0);
}

uint64_t pmp::read_cfg(unsigned cfg_csr) const {
    uint64_t v = 0;
    const unsigned base = cfg_csr * 4;
    for (unsigned i = 0; i < 8; ++i)
        v |= uint64_t(m_cfg[base + i]) << (8 * i);
    return v;
}

void pmp::write_cfg(unsigned cfg_csr, uint64_t value) {
    const unsigned base = cfg_csr * 4;
    for (unsigned i = 0; i < 8; ++i) {
        if (m_cfg[base + i] & locked) continue;
        uint8_t c = static_cast<uint8_t>(value >> (8 * i)) & (r | w | x | a_mask | locked);
        if ((c & (r | w)) == w) c &= ~w; // R=0 W=1 is reserved (WARL)
        m_cfg[base + i] = c;
    }
}

uint64_t pmp::read_addr(unsigned entry) const {
    return m_addr[entry];
}

void pmp::write_addr(unsigned entry, uint64_t value) {
    if (m_cfg[entry] & locked) return;
    // A locked TOR entry also locks the address below it.
    if (entry + 1 < num_entries && (m_cfg[entry + 1] & locked) &&
        (m_cfg[entry + 1] & a_mask) == a_tor)
        return;
    m_addr[entry] = value & addr_mask;
}

bool pmp::range(unsigned entry, uint64_t& first, uint64_t& last) const {
    const uint64_t a = m_addr[entry];
    switch (m_cfg[entry] & a_mask) {
    case a_tor: {
        const uint64_t lo = entry == 0 ? 0 : m_addr[entry - 1] << 2;
        const uint64_t hi = a << 2;
        if (hi <= lo) return false;
        first = lo;
        last = hi - 1;
        return true;
    }
    case a_na4:
        first = a << 2;
        last = first + 3;
        return true;
    case a_napot: {
        unsigned ones = 0;
        while (ones < 54 && ((a >> ones) & 1))
            ++ones;
        if (ones >= 54) { // the whole address space
            first = 0;
            last = ~uint64_t(0);
            return true;
        }
        const uint64_t size = uint64_t(1) << (ones + 3);
        first = (a << 2) & ~(size - 1);
        last = first + size - 1;
        return true;
    }
    default: return false;
    }
}

bool pmp::allows(unsigned entry, access_type type, privilege priv) const {
    const uint8_t c = m_cfg[entry];
    if (priv == privilege::machine && !(c & locked)) return true;
    switch (type) {
    case access_type::fetch: return c & x;
    case access_type::load: return c & r;
    default: return c & w;
    }
}

bool pmp::check(uint64_t addr, unsigned len, access_type type, privilege priv) const {
    const uint64_t end = addr + len - 1;
    for (unsigned i = 0; i < num_entries; ++i) {
        uint64_t first, last;
        if (!range(i, first, last)) continue;
        if (end < first || addr > last) continue;
        // The lowest-numbered matching entry decides, and must hold every byte.
        if (addr < first || end > last) return false;
        return allows(i, type, priv);
    }
    return priv == privilege::machine;
}

bool pmp::page_uniform(uint64_t page, privilege priv) const {
    const uint64_t end = page + 4095;
    for (unsigned i = 0; i < num_entries; ++i) {
        uint64_t first, last;
        if (!range(i, first, last)) continue;
        if (end < first || page > last) continue;
        return first <= page && last >= end;
    }
    (void)priv;
    return true;
}

} // namespace rainier::rv64
