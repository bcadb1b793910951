// Address mapping policy: a byte offset in the HBM space <-> (stack, channel, pseudo-channel,
// bank group, bank, row, column), with strongly typed indices. Variants are picked from config.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hbm_config.h"

namespace rainier::hbm {

template <typename Tag>
struct index {
    uint32_t v = 0;
    constexpr index() = default;
    constexpr explicit index(uint32_t x) : v(x) {}
    constexpr bool operator==(index o) const { return v == o.v; }
    constexpr bool operator!=(index o) const { return v != o.v; }
};
using stack_id = index<struct stack_tag>;
using channel_id = index<struct channel_tag>;
using pseudo_channel_id = index<struct pseudo_channel_tag>;
using bank_group_id = index<struct bank_group_tag>;
using bank_id = index<struct bank_tag>;
using row_id = index<struct row_tag>;
using column_id = index<struct column_tag>; // in bursts within the row

struct dram_address {
    stack_id stack;
    channel_id channel;
    pseudo_channel_id pc;
    bank_group_id bank_group;
    bank_id bank;
    row_id row;
    column_id column;
};

class address_mapping {
public:
    virtual ~address_mapping() = default;
    virtual dram_address decode(uint64_t offset) const = 0;   // offset < total bytes
    virtual uint64_t encode(const dram_address& a) const = 0; // first byte of that burst
};

// A mixed-radix mapping: fields from least to most significant, above the burst offset.
class field_mapping : public address_mapping {
public:
    enum class field { stack, channel, pc, bank_group, bank, column_lo, column_hi, column, row };
    field_mapping(const geometry& geo, std::vector<std::pair<field, uint64_t>> fields);

    dram_address decode(uint64_t offset) const override;
    uint64_t encode(const dram_address& a) const override;

private:
    struct part {
        field f;
        uint64_t radix;
        unsigned shift; // log2(radix) when a power of two, else ~0u
    };
    uint64_t m_burst_bytes;
    uint64_t m_column_lo; // radix of column_lo (column = hi * lo_radix + lo)
    std::vector<part> m_parts;
};

std::unique_ptr<address_mapping> make_mapping(const config& cfg);

} // namespace rainier::hbm
