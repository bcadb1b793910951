// The HBM timing engine, plain C++: per-bank open row and ready times, per-pseudo-channel
// command history (tRRD, tFAW, tCCD, turnarounds), data-bus occupancy and refresh. Each burst
// is scheduled in call order (FCFS) at the earliest time every constraint allows; the caller
// gets its data-end time. No SystemC, no waits: a requestor may have many bursts in flight.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "address_mapping.h"
#include "hbm_config.h"

namespace rainier::hbm {

enum class row_outcome { hit, miss, conflict }; // miss: bank was precharged

struct burst_result {
    uint64_t act = 0;  // ACT time, if one was needed
    uint64_t col = 0;  // RD/WR command time
    uint64_t done = 0; // end of the data burst
    row_outcome outcome = row_outcome::hit;
};

class bank_machine {
public:
    bank_machine(const geometry& geo, const timing& t);

    // One burst at `arrival` (ps). Refresh that fell due before it is applied first.
    burst_result access(const dram_address& a, bool write, uint64_t arrival);

    const timing& params() const { return m_t; }
    uint64_t refreshes() const { return m_refreshes; }
    // First refresh of the pseudo-channel (flat index within its stack): staggered.
    uint64_t first_refresh(unsigned pc_in_stack) const;

private:
    static constexpr unsigned max_bg = 8;
    struct bank_state {
        int64_t open_row = -1;
        uint64_t act = 0;       // last ACT
        uint64_t act_ready = 0; // earliest next ACT (tRP, tRC, tRFC)
        uint64_t col_ready = 0; // earliest RD/WR (tRCD)
        uint64_t pre_ready = 0; // earliest PRE (tRAS, tRTP, tWR)
        bool has_act = false;
    };
    struct pc_state {
        uint64_t bus_free = 0;
        uint64_t last_act = 0;
        bool any_act = false;
        std::array<uint64_t, max_bg> last_act_bg{};
        std::array<bool, max_bg> any_act_bg{};
        std::array<uint64_t, 4> faw{}; // last four ACTs, ring
        unsigned faw_count = 0;
        unsigned faw_pos = 0;
        uint64_t last_col = 0;
        bool any_col = false;
        std::array<uint64_t, max_bg> last_col_bg{};
        std::array<bool, max_bg> any_col_bg{};
        uint64_t last_write_end = 0; // end of the last write burst
        unsigned last_write_bg = 0;
        bool any_write = false;
        uint64_t last_read_col = 0;
        bool any_read = false;
        uint64_t next_refresh = 0;
    };
    void refresh(pc_state& p, bank_state* banks, uint64_t now);

    geometry m_geo;
    timing m_t;
    std::vector<pc_state> m_pcs;
    std::vector<bank_state> m_banks;
    uint64_t m_refreshes = 0;
};

} // namespace rainier::hbm
