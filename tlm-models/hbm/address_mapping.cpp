#include "address_mapping.h"

#include <stdexcept>

namespace rainier::hbm {

namespace {
unsigned log2_or_none(uint64_t v) {
    if (v == 0 || (v & (v - 1)) != 0) return ~0u;
    unsigned s = 0;
    while ((uint64_t(1) << s) != v)
        ++s;
    return s;
}
} // namespace

field_mapping::field_mapping(const geometry& geo, std::vector<std::pair<field, uint64_t>> fields)
    : m_burst_bytes(geo.burst_bytes()), m_column_lo(1) {
    for (const auto& [f, radix] : fields) {
        if (radix == 0) throw std::invalid_argument("address mapping: zero radix");
        if (f == field::column_lo) m_column_lo = radix;
        m_parts.push_back(part{f, radix, log2_or_none(radix)});
    }
}

dram_address field_mapping::decode(uint64_t offset) const {
    uint64_t b = offset / m_burst_bytes;
    dram_address a;
    uint64_t col_lo = 0, col_hi = 0;
    for (const part& p : m_parts) {
        uint64_t v;
        if (p.f == field::row) {
            v = b;
        } else if (p.shift != ~0u) {
            v = b & (p.radix - 1);
            b >>= p.shift;
        } else {
            v = b % p.radix;
            b /= p.radix;
        }
        const uint32_t x = static_cast<uint32_t>(v);
        switch (p.f) {
        case field::stack: a.stack = stack_id(x); break;
        case field::channel: a.channel = channel_id(x); break;
        case field::pc: a.pc = pseudo_channel_id(x); break;
        case field::bank_group: a.bank_group = bank_group_id(x); break;
        case field::bank: a.bank = bank_id(x); break;
        case field::column_lo: col_lo = v; break;
        case field::column_hi: col_hi = v; break;
        case field::column: col_lo = v; break;
        case field::row: a.row = row_id(x); break;
        }
    }
    a.column = column_id(static_cast<uint32_t>(col_hi * m_column_lo + col_lo));
    return a;
}

uint64_t field_mapping::encode(const dram_address& a) const {
    uint64_t b = 0, scale = 1;
    for (const part& p : m_parts) {
        uint64_t v = 0;
        switch (p.f) {
        case field::stack: v = a.stack.v; break;
        case field::channel: v = a.channel.v; break;
        case field::pc: v = a.pc.v; break;
        case field::bank_group: v = a.bank_group.v; break;
        case field::bank: v = a.bank.v; break;
        case field::column_lo: v = a.column.v % m_column_lo; break;
        case field::column_hi: v = a.column.v / m_column_lo; break;
        case field::column: v = a.column.v; break;
        case field::row: v = a.row.v; break;
        }
        b += v * scale;
        scale *= p.radix;
    }
    return b * m_burst_bytes;
}

std::unique_ptr<address_mapping> make_mapping(const config& cfg) {
    using f = field_mapping::field;
    const geometry& g = cfg.geo;
    const uint64_t cols = g.page_bytes / g.burst_bytes();
    const uint64_t granule = cfg.interleave_bytes / g.burst_bytes();
    switch (cfg.mapping) {
    case mapping_kind::bg_interleave: {
        // Consecutive bursts alternate bank groups (tCCD_S apart); a granule per pseudo-channel;
        // then the banks, so that one row of every bank is open across a wide window.
        const uint64_t lo = granule / g.bank_groups;
        return std::make_unique<field_mapping>(
            g, std::vector<std::pair<f, uint64_t>>{{f::bank_group, g.bank_groups},
                                                   {f::column_lo, lo},
                                                   {f::pc, g.pseudo_channels},
                                                   {f::channel, g.channels},
                                                   {f::stack, g.stacks},
                                                   {f::bank, g.banks},
                                                   {f::column_hi, cols / lo},
                                                   {f::row, g.rows()}});
    }
    case mapping_kind::channel_interleave:
        // A granule of consecutive bursts in one bank, then the next pseudo-channel.
        return std::make_unique<field_mapping>(
            g, std::vector<std::pair<f, uint64_t>>{{f::column_lo, granule},
                                                   {f::pc, g.pseudo_channels},
                                                   {f::channel, g.channels},
                                                   {f::stack, g.stacks},
                                                   {f::bank_group, g.bank_groups},
                                                   {f::column_hi, cols / granule},
                                                   {f::bank, g.banks},
                                                   {f::row, g.rows()}});
    case mapping_kind::row_bank_channel:
        // Whole pages stay on one pseudo-channel: the naive linear layout.
        return std::make_unique<field_mapping>(
            g, std::vector<std::pair<f, uint64_t>>{{f::column, cols},
                                                   {f::pc, g.pseudo_channels},
                                                   {f::channel, g.channels},
                                                   {f::stack, g.stacks},
                                                   {f::bank_group, g.bank_groups},
                                                   {f::bank, g.banks},
                                                   {f::row, g.rows()}});
    }
    throw std::invalid_argument("address mapping: unknown kind");
}

} // namespace rainier::hbm
