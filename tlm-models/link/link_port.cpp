#include "link_port.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rainier::link {

void validate(const port_config& cfg, const std::string& who) {
    auto fail = [&](const char* what) { throw std::invalid_argument(who + ": " + what); };
    if (!(cfg.bandwidth > 0) || !std::isfinite(cfg.bandwidth))
        fail("bandwidth must be a positive number of bytes/s");
    if (!(cfg.latency_s >= 0) || !std::isfinite(cfg.latency_s))
        fail("latency must be a non-negative number of seconds");
    if (cfg.max_payload == 0) fail("max_payload must be at least 1 byte");
    if (cfg.header_bytes == 0) fail("header_bytes must be at least 1 byte");
    if (cfg.credits == 0) fail("credits must be at least 1 packet");
}

link_port::link_port(std::string name, const port_config& cfg)
    : m_name(std::move(name)), m_cfg(cfg) {
    validate(cfg, m_name);
    m_ps_per_byte = 1e12 / cfg.bandwidth;
    m_latency = uint64_t(std::llround(cfg.latency_s * 1e12));
    m_credit.assign(cfg.credits, 0);
}

uint64_t link_port::serialisation_ps(uint64_t wire_bytes) const {
    // The small epsilon keeps exact products (3.90625 ps/B * 288 B) from rounding up.
    return uint64_t(std::ceil(double(wire_bytes) * m_ps_per_byte - 1e-6));
}

std::vector<unsigned> link_port::packetise(uint64_t bytes) const {
    std::vector<unsigned> p;
    if (bytes == 0) p.push_back(0);
    for (uint64_t left = bytes; left > 0;) {
        const unsigned n = unsigned(std::min<uint64_t>(left, m_cfg.max_payload));
        p.push_back(n);
        left -= n;
    }
    return p;
}

void link_port::advance(uint64_t now_ps) {
    m_now = std::max(m_now, now_ps);
    m_wire.forget_before(m_now);
}

uint64_t link_port::send(const std::vector<unsigned>& payload, std::vector<packet_time>& t,
                         std::vector<uint64_t>* sent_end, bool drain_follows, uint64_t flow) {
    const uint64_t first = m_seq;
    if (sent_end) sent_end->resize(payload.size());
    ++m_stats.transfers;
    uint64_t& flow_end = m_flow_end[flow];
    for (size_t i = 0; i < payload.size(); ++i) {
        const uint64_t wire = uint64_t(payload[i]) + m_cfg.header_bytes;
        const uint64_t ser = serialisation_ps(wire);
        // Cut-through: start when the head is here, but do not outrun the tail; after the
        // flow's previous packet (one initiator's packets stay in order).
        const uint64_t ready =
            std::max({t[i].head, t[i].tail > ser ? t[i].tail - ser : 0, flow_end});
        uint64_t& credit = m_credit[m_seq % m_cfg.credits];
        // The first gap on the wire, at or after the packet and its credit are both here.
        const uint64_t unblocked = credit > ready ? m_wire.first_fit(ready, ser) : ready;
        const uint64_t start = m_wire.book(std::max(ready, credit), ser);
        const uint64_t end = start + ser;
        flow_end = end;
        t[i] = {start + m_latency, end + m_latency};
        if (sent_end) (*sent_end)[i] = end;
        credit = end + 2 * m_latency; // until drained() says otherwise: drained on arrival

        // Bytes in flight: packets whose credit is not back yet (slot reuse retires old ones).
        while (!m_in_flight.empty() && (m_in_flight.front().credit_back <= start ||
                                        m_in_flight.front().seq + m_cfg.credits <= m_seq))
            m_in_flight.pop_front();
        m_in_flight.push_back({m_seq, start, credit, wire});
        if (i == 0 && drain_follows) m_provisional.emplace(m_seq, credit);
        // Busy only feeds a waveform: not tracked unless observed.
        const int busy = m_observer ? 1 : 0;
        add_step(start, int64_t(wire), busy);
        if (busy) add_step(end, 0, -busy);
        add_step(credit, -int64_t(wire), 0);

        m_stats.credit_stall_ps += credit > ready ? start - unblocked : 0;
        m_stats.busy_ps += ser;
        ++m_stats.packets;
        m_stats.payload_bytes += payload[i];
        m_stats.wire_bytes += wire;
        m_stats.first_start_ps = std::min(m_stats.first_start_ps, start);
        m_stats.last_end_ps = std::max(m_stats.last_end_ps, end);
        ++m_seq;
    }
    // Keeps the step function short: no later packet starts before `now` (advance()).
    fold(m_provisional.empty() ? m_now : std::min(m_now, m_provisional.begin()->second));
    return first;
}

void link_port::drained(uint64_t first_seq, const std::vector<uint64_t>& when) {
    for (size_t i = 0; i < when.size(); ++i) {
        const uint64_t seq = first_seq + i;
        if (seq + m_cfg.credits < m_seq) continue; // slot already reused: too late to matter
        const uint64_t back = when[i] + m_latency;
        uint64_t& credit = m_credit[seq % m_cfg.credits];
        credit = std::max(credit, back);
        if (!m_in_flight.empty() && seq >= m_in_flight.front().seq &&
            seq - m_in_flight.front().seq < m_in_flight.size()) {
            auto& e = m_in_flight[seq - m_in_flight.front().seq];
            // A provisional credit is never settled yet (settle() stops before it).
            if (back > e.credit_back && e.credit_back >= m_settled) {
                add_step(e.credit_back, int64_t(e.bytes), 0);
                add_step(back, -int64_t(e.bytes), 0);
                e.credit_back = back;
            }
        }
    }
    m_provisional.erase(first_seq);
}

void link_port::add_step(uint64_t at, int64_t bytes, int busy) {
    // History is final before m_settled; callers never reach back there (see the header).
    auto it = m_steps.try_emplace(std::max(at, m_settled)).first;
    it->second.bytes += bytes;
    it->second.busy += busy;
    if (it->second.bytes == 0 && it->second.busy == 0) m_steps.erase(it);
}

void link_port::fold(uint64_t before) {
    auto it = m_steps.begin();
    for (; it != m_steps.end() && it->first < before; it = m_steps.erase(it)) {
        m_level_bytes = uint64_t(int64_t(m_level_bytes) + it->second.bytes);
        m_level_busy += it->second.busy;
        m_stats.peak_in_flight_bytes = std::max(m_stats.peak_in_flight_bytes, m_level_bytes);
        if (m_observer) m_observer(it->first, m_level_bytes, m_level_busy > 0);
    }
    m_settled = std::max(m_settled, before);
}

uint64_t link_port::settle(uint64_t now_ps) {
    // Later packets start at or after now; provisional credits only move later.
    advance(now_ps);
    uint64_t h = m_now;
    if (!m_provisional.empty()) h = std::min(h, m_provisional.begin()->second);
    fold(h);
    return h;
}

void link_port::settle_all() {
    if (!m_steps.empty()) fold(m_steps.rbegin()->first + 1);
}

const link_port::statistics& link_port::stats() const {
    m_stats_view = m_stats;
    uint64_t level = m_level_bytes;
    for (const auto& [at, s] : m_steps) {
        level = uint64_t(int64_t(level) + s.bytes);
        m_stats_view.peak_in_flight_bytes = std::max(m_stats_view.peak_in_flight_bytes, level);
    }
    return m_stats_view;
}

uint64_t link_port::bytes_in_flight(uint64_t at_ps) const {
    uint64_t n = 0;
    for (const auto& e : m_in_flight)
        if (e.start <= at_ps && at_ps < e.credit_back) n += e.bytes;
    return n;
}

} // namespace rainier::link
