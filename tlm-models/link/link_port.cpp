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

uint64_t link_port::send(const std::vector<unsigned>& payload, std::vector<packet_time>& t,
                         std::vector<uint64_t>* sent_end) {
    const uint64_t first = m_seq;
    if (sent_end) sent_end->resize(payload.size());
    ++m_stats.transfers;
    for (size_t i = 0; i < payload.size(); ++i) {
        const uint64_t wire = uint64_t(payload[i]) + m_cfg.header_bytes;
        const uint64_t ser = serialisation_ps(wire);
        // Cut-through: start when the head is here, but do not outrun the tail.
        const uint64_t ready = std::max(t[i].head, t[i].tail > ser ? t[i].tail - ser : 0);
        const uint64_t unblocked = std::max(ready, m_free_at);
        uint64_t& credit = m_credit[m_seq % m_cfg.credits];
        const uint64_t start = std::max(unblocked, credit);
        const uint64_t end = start + ser;
        m_free_at = end;
        t[i] = {start + m_latency, end + m_latency};
        if (sent_end) (*sent_end)[i] = end;
        credit = end + 2 * m_latency; // until drained() says otherwise: drained on arrival

        // Bytes in flight: packets whose credit is not back yet (slot reuse retires old ones).
        while (!m_in_flight.empty() && (m_in_flight.front().credit_back <= start ||
                                        m_in_flight.front().seq + m_cfg.credits <= m_seq)) {
            m_in_flight_bytes -= m_in_flight.front().bytes;
            m_in_flight.pop_front();
        }
        m_in_flight.push_back({m_seq, start, credit, wire});
        m_in_flight_bytes += wire;
        m_stats.peak_in_flight_bytes = std::max(m_stats.peak_in_flight_bytes, m_in_flight_bytes);

        m_stats.credit_stall_ps += start - unblocked;
        m_stats.busy_ps += ser;
        ++m_stats.packets;
        m_stats.payload_bytes += payload[i];
        m_stats.wire_bytes += wire;
        m_stats.first_start_ps = std::min(m_stats.first_start_ps, start);
        m_stats.last_end_ps = std::max(m_stats.last_end_ps, end);
        ++m_seq;
    }
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
            e.credit_back = std::max(e.credit_back, back);
        }
    }
}

uint64_t link_port::bytes_in_flight(uint64_t at_ps) const {
    uint64_t n = 0;
    for (const auto& e : m_in_flight)
        if (e.start <= at_ps && at_ps < e.credit_back) n += e.bytes;
    return n;
}

} // namespace rainier::link
