// Physical memory protection: 16 entries (pmpcfg0/2, pmpaddr0..15 on RV64), TOR/NA4/NAPOT,
// locking, grain 4 bytes. The hart asks it about each access that misses its TLB, and whether
// a whole page is uniform so the translation may be cached.
#pragma once

#include <array>
#include <cstdint>

#include "rv64_csr.h"

namespace rainier::rv64 {

enum class access_type : uint8_t { fetch = 0, load = 1, store = 2 };

class pmp {
public:
    static constexpr unsigned num_entries = 16;

    void reset();
    // cfg_csr: 0 for pmpcfg0 (entries 0-7), 2 for pmpcfg2 (entries 8-15).
    uint64_t read_cfg(unsigned cfg_csr) const;
    void write_cfg(unsigned cfg_csr, uint64_t value);
    uint64_t read_addr(unsigned entry) const;
    void write_addr(unsigned entry, uint64_t value);

    bool check(uint64_t addr, unsigned len, access_type type, privilege priv) const;
    // True if every access inside [page, page + 4096) gets the same answer from check().
    bool page_uniform(uint64_t page, privilege priv) const;

private:
    enum : uint8_t {
        r = 1,
        w = 2,
        x = 4,
        a_mask = 0x18,
        a_tor = 0x08,
        a_na4 = 0x10,
        a_napot = 0x18,
        locked = 0x80
    };
    // Inclusive byte range of an active entry; false if it matches nothing.
    bool range(unsigned entry, uint64_t& first, uint64_t& last) const;
    bool allows(unsigned entry, access_type type, privilege priv) const;

    std::array<uint8_t, num_entries> m_cfg{};
    std::array<uint64_t, num_entries> m_addr{};
};

} // namespace rainier::rv64
