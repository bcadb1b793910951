// HBM3/HBM3e configuration as plain structs (DRAMSys style): geometry, timing in clock cycles
// (JEDEC-style defaults for HBM3 at 6.4 Gb/s per pin), then resolved into picoseconds.
#pragma once

#include <cstdint>
#include <string>

namespace rainier::hbm {

struct geometry {
    unsigned stacks = 1;
    unsigned channels = 16;       // per stack
    unsigned pseudo_channels = 2; // per channel, 32 DQ each
    unsigned bank_groups = 4;     // per pseudo-channel
    unsigned banks = 4;           // per bank group
    unsigned burst_length = 8;    // BL8: 32 bytes per burst on a 32-bit pseudo-channel
    unsigned dq_bits = 32;        // pseudo-channel data width
    uint64_t page_bytes = 1024;   // row size per pseudo-channel
    uint64_t stack_bytes = uint64_t(1) << 30;

    uint64_t burst_bytes() const { return uint64_t(dq_bits) / 8 * burst_length; }
    unsigned banks_per_pc() const { return bank_groups * banks; }
    unsigned total_pcs() const { return stacks * channels * pseudo_channels; }
    uint64_t total_bytes() const { return stack_bytes * stacks; }
    uint64_t rows() const {
        return stack_bytes / (uint64_t(channels) * pseudo_channels * banks_per_pc() * page_bytes);
    }
};

// Timing in tCK (tCK = 4 UI: 0.625 ns at 6.4 Gb/s); refresh in seconds.
struct timing_cycles {
    double data_rate_gbps = 6.4;
    unsigned CL = 20, WL = 8;
    unsigned tRCD_RD = 31, tRCD_WR = 15, tRP = 26, tRAS = 45, tRC = 72;
    unsigned tCCD_S = 2, tCCD_L = 4, tRRD_S = 4, tRRD_L = 5, tFAW = 24;
    unsigned tWTR_S = 7, tWTR_L = 10, tRTW = 20, tRTP = 5, tWR = 24;
    double tREFI_s = 3.9e-6;
    double tRFC_s = 350e-9;
    bool refresh = true;
    double controller_latency_s = 0; // request path, before the first command
};

// Resolved timing, all in picoseconds.
struct timing {
    uint64_t tCK, tBURST, CL, WL, tRCD_RD, tRCD_WR, tRP, tRAS, tRC, tCCD_S, tCCD_L, tRRD_S, tRRD_L,
        tFAW, tWTR_S, tWTR_L, tRTW, tRTP, tWR, tREFI, tRFC, controller_latency;
    bool refresh;
};

enum class mapping_kind { bg_interleave, channel_interleave, row_bank_channel };

struct config {
    geometry geo;
    timing_cycles cycles;
    mapping_kind mapping = mapping_kind::bg_interleave;
    uint64_t interleave_bytes = 1024; // granule kept on one pseudo-channel (a page)

    // Throws std::invalid_argument naming the field for impossible values.
    void validate() const;
    timing resolve() const;
    // Peak data bandwidth in bytes per second over all pseudo-channels.
    double peak_bandwidth() const;
};

mapping_kind parse_mapping(const std::string& name); // throws std::invalid_argument
const char* mapping_name(mapping_kind k);

} // namespace rainier::hbm
