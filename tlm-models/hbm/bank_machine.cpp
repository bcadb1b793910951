#include "bank_machine.h"

#include <algorithm>

namespace rainier::hbm {

bank_machine::bank_machine(const geometry& geo, const timing& t)
    : m_geo(geo), m_t(t), m_pcs(geo.total_pcs()),
      m_banks(size_t(geo.total_pcs()) * geo.banks_per_pc()) {
    const unsigned per_stack = geo.channels * geo.pseudo_channels;
    for (unsigned i = 0; i < m_pcs.size(); ++i)
        m_pcs[i].next_refresh = first_refresh(i % per_stack);
}

uint64_t bank_machine::first_refresh(unsigned pc_in_stack) const {
    const unsigned per_stack = m_geo.channels * m_geo.pseudo_channels;
    return m_t.tREFI + m_t.tREFI / per_stack * pc_in_stack;
}

void bank_machine::refresh(pc_state& p, bank_state* banks, uint64_t now) {
    // The latest refresh due at or before `now`; earlier ones ended while the channel idled.
    const uint64_t due = p.next_refresh + (now - p.next_refresh) / m_t.tREFI * m_t.tREFI;
    uint64_t start = due;
    const unsigned n = m_geo.banks_per_pc();
    for (unsigned i = 0; i < n; ++i)
        if (banks[i].open_row >= 0) start = std::max(start, banks[i].pre_ready + m_t.tRP);
    for (unsigned i = 0; i < n; ++i) {
        banks[i].open_row = -1;
        banks[i].act_ready = std::max(banks[i].act_ready, start + m_t.tRFC);
    }
    p.next_refresh = due + m_t.tREFI;
    ++m_refreshes;
}

burst_result bank_machine::access(const dram_address& a, bool write, uint64_t arrival) {
    const unsigned pc_index =
        (a.stack.v * m_geo.channels + a.channel.v) * m_geo.pseudo_channels + a.pc.v;
    pc_state& p = m_pcs[pc_index];
    bank_state* banks = &m_banks[size_t(pc_index) * m_geo.banks_per_pc()];
    const unsigned bg = a.bank_group.v;
    bank_state& b = banks[bg * m_geo.banks + a.bank.v];
    const uint64_t t = arrival + m_t.controller_latency;
    if (m_t.refresh && t >= p.next_refresh) refresh(p, banks, t);

    burst_result r;
    if (b.open_row == static_cast<int64_t>(a.row.v)) {
        r.outcome = row_outcome::hit;
    } else {
        uint64_t act = std::max(t, b.act_ready);
        if (b.open_row >= 0) {
            r.outcome = row_outcome::conflict;
            const uint64_t pre = std::max(t, b.pre_ready);
            act = std::max(act, pre + m_t.tRP);
        } else {
            r.outcome = row_outcome::miss;
        }
        if (b.has_act) act = std::max(act, b.act + m_t.tRC);
        if (p.any_act) act = std::max(act, p.last_act + m_t.tRRD_S);
        if (p.any_act_bg[bg]) act = std::max(act, p.last_act_bg[bg] + m_t.tRRD_L);
        if (p.faw_count == 4) act = std::max(act, p.faw[p.faw_pos] + m_t.tFAW);
        p.faw[p.faw_pos] = act;
        p.faw_pos = (p.faw_pos + 1) & 3;
        if (p.faw_count < 4) ++p.faw_count;
        p.last_act = std::max(p.last_act, act);
        p.any_act = true;
        p.last_act_bg[bg] = std::max(p.last_act_bg[bg], act);
        p.any_act_bg[bg] = true;
        b.open_row = a.row.v;
        b.act = act;
        b.has_act = true;
        b.pre_ready = act + m_t.tRAS;
        b.col_ready = act + (write ? m_t.tRCD_WR : m_t.tRCD_RD);
        r.act = act;
    }

    uint64_t col = std::max(t, b.col_ready);
    if (p.any_col) col = std::max(col, p.last_col + m_t.tCCD_S);
    if (p.any_col_bg[bg]) col = std::max(col, p.last_col_bg[bg] + m_t.tCCD_L);
    if (!write && p.any_write)
        col = std::max(col, p.last_write_end + (p.last_write_bg == bg ? m_t.tWTR_L : m_t.tWTR_S));
    if (write && p.any_read) col = std::max(col, p.last_read_col + m_t.tRTW);
    const uint64_t latency = write ? m_t.WL : m_t.CL;
    if (col + latency < p.bus_free) col = p.bus_free - latency; // wait for the data bus
    const uint64_t done = col + latency + m_t.tBURST;

    p.last_col = std::max(p.last_col, col);
    p.any_col = true;
    p.last_col_bg[bg] = std::max(p.last_col_bg[bg], col);
    p.any_col_bg[bg] = true;
    p.bus_free = done;
    if (write) {
        p.last_write_end = std::max(p.last_write_end, done);
        p.last_write_bg = bg;
        p.any_write = true;
        b.pre_ready = std::max(b.pre_ready, done + m_t.tWR);
    } else {
        p.last_read_col = std::max(p.last_read_col, col);
        p.any_read = true;
        b.pre_ready = std::max(b.pre_ready, col + m_t.tRTP);
    }
    b.col_ready = std::max(b.col_ready, col); // no reordering behind this column
    r.col = col;
    r.done = done;
    return r;
}

} // namespace rainier::hbm
