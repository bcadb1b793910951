#include "hbm.h"

#include <cstring>
#include <new>
#include <stdexcept>

#include "core/add_on_write.h"

namespace rainier {

namespace {
uint64_t to_ps(const sc_core::sc_time& t) {
    return t.value();
}
} // namespace

double hbm_memory::statistics::row_hit_rate() const {
    const uint64_t n = row_hits + row_misses + row_conflicts;
    return n ? double(row_hits) / double(n) : 0.0;
}
double hbm_memory::statistics::average_latency_ns() const {
    const uint64_t n = reads + writes;
    return n ? double(latency_sum_ps) / double(n) / 1e3 : 0.0;
}
double hbm_memory::statistics::bandwidth() const {
    if (last_done_ps <= first_arrival_ps || first_arrival_ps == UINT64_MAX) return 0.0;
    return double(bytes_read + bytes_written) / (double(last_done_ps - first_arrival_ps) * 1e-12);
}

hbm_memory::hbm_memory(sc_core::sc_module_name name, const hbm::config& cfg)
    : sc_module(name), in("in"), m_cfg((cfg.validate(), cfg)), m_size(cfg.geo.total_bytes()),
      m_store(m_size), m_mapping(hbm::make_mapping(cfg)), m_banks(cfg.geo, cfg.resolve()),
      m_burst_bytes(cfg.geo.burst_bytes()) {
    if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
        throw std::logic_error(std::string(this->name()) + ": needs a 1 ps time resolution");
    m_stats.channel_bytes.assign(size_t(cfg.geo.stacks) * cfg.geo.channels, 0);
    in.register_b_transport(this, &hbm_memory::b_transport);
    in.register_transport_dbg(this, &hbm_memory::transport_dbg);
    in.register_get_direct_mem_ptr(this, &hbm_memory::get_direct_mem_ptr);
}

bool hbm_memory::check(tlm::tlm_generic_payload& trans) const {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    if (len == 0 || addr >= m_size || len > m_size - addr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    if (trans.get_byte_enable_ptr() != nullptr || trans.get_streaming_width() < len) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (!trans.is_read() && !trans.is_write()) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    return true;
}

void hbm_memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (!check(trans)) return;
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    const bool write = trans.is_write();
    add_on_write* add = write ? trans.get_extension<add_on_write>() : nullptr;
    if (add) { // a read-modify-write: the stored elements, plus the payload's
        m_rmw.resize(len);
        m_store.read(addr, m_rmw.data(), len);
        if (!add_elements(m_rmw.data(), trans.get_data_ptr(), len, add->dtype)) {
            trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
            return;
        }
        add->applied = true;
        m_store.write(addr, m_rmw.data(), len);
    } else if (write) {
        m_store.write(addr, trans.get_data_ptr(), len);
    } else {
        m_store.read(addr, trans.get_data_ptr(), len);
    }

    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    const uint64_t arrival = now + to_ps(delay);
    uint64_t done = arrival;
    const uint64_t first = addr / m_burst_bytes, last = (addr + len - 1) / m_burst_bytes;
    // The read bursts of an addition first; its writes once the data is back.
    uint64_t write_at = arrival;
    if (add) {
        for (uint64_t burst = first; burst <= last; ++burst)
            write_at = std::max(
                write_at,
                m_banks.access(m_mapping->decode(burst * m_burst_bytes), false, arrival).done);
        m_stats.bytes_read += len;
    }
    for (uint64_t burst = first; burst <= last; ++burst) {
        const hbm::dram_address a = m_mapping->decode(burst * m_burst_bytes);
        const hbm::burst_result r = m_banks.access(a, write, write_at);
        done = std::max(done, r.done);
        switch (r.outcome) {
        case hbm::row_outcome::hit: ++m_stats.row_hits; break;
        case hbm::row_outcome::miss: ++m_stats.row_misses; break;
        case hbm::row_outcome::conflict: ++m_stats.row_conflicts; break;
        }
        m_stats.channel_bytes[a.stack.v * m_cfg.geo.channels + a.channel.v] += m_burst_bytes;
    }
    if (write) {
        ++m_stats.writes;
        m_stats.bytes_written += len;
    } else {
        ++m_stats.reads;
        m_stats.bytes_read += len;
    }
    const uint64_t latency = done - arrival;
    m_stats.latency_sum_ps += latency;
    m_stats.latency_max_ps = std::max(m_stats.latency_max_ps, latency);
    m_stats.first_arrival_ps = std::min(m_stats.first_arrival_ps, arrival);
    m_stats.last_done_ps = std::max(m_stats.last_done_ps, done);
    if (m_probes.trace || m_probes.wave) sample(arrival, len);
    delay = sc_core::sc_time::from_value(done - now);
    trans.set_dmi_allowed(true);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned hbm_memory::transport_dbg(tlm::tlm_generic_payload& trans) {
    if (!check(trans)) return 0;
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    if (trans.is_write())
        m_store.write(addr, trans.get_data_ptr(), len);
    else
        m_store.read(addr, trans.get_data_ptr(), len);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

bool hbm_memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    // One page per grant (allocated now: the initiator may write through it).
    const uint64_t index = trans.get_address() >> hbm::sparse_store::page_bits;
    const uint64_t start = index << hbm::sparse_store::page_bits;
    if (start >= m_size) return false;
    dmi.set_dmi_ptr(m_store.page(index));
    dmi.set_start_address(start);
    dmi.set_end_address(std::min(start + hbm::sparse_store::page_size, m_size) - 1);
    dmi.set_read_latency(sc_core::SC_ZERO_TIME);
    dmi.set_write_latency(sc_core::SC_ZERO_TIME);
    dmi.allow_read_write();
    return true;
}

void hbm_memory::attach_probes(const probes& p, const std::string& group) {
    m_probes = p;
    m_group = group;
    m_sample_channel_bytes = m_stats.channel_bytes;
    if (p.wave) {
        for (unsigned st = 0; st < m_cfg.geo.stacks; ++st)
            for (unsigned ch = 0; ch < m_cfg.geo.channels; ++ch) {
                const std::string scope =
                    group + ".hbm.stack" + std::to_string(st) + ".ch" + std::to_string(ch);
                m_wave_channel.push_back(p.wave->add_signal(scope, "MBps", 32));
                p.wave->change(m_wave_channel.back(), sc_core::SC_ZERO_TIME, 0);
            }
    }
}

void hbm_memory::sample(uint64_t arrival_ps, unsigned len) {
    if (m_sample_requests == 0) m_sample_start_ps = arrival_ps;
    m_sample_bytes += len;
    if (++m_sample_requests < 256) return;
    if (arrival_ps > m_sample_start_ps) {
        const double span_ps = double(arrival_ps - m_sample_start_ps);
        const sc_core::sc_time at = sc_core::sc_time::from_value(arrival_ps);
        if (m_probes.trace)
            m_probes.trace->counter(m_group, "HBM GB/s", at,
                                    double(m_sample_bytes) / span_ps * 1e3);
        // Bytes per ps times 1e6 is MB/s.
        for (size_t i = 0; i < m_wave_channel.size(); ++i)
            m_probes.wave->change(
                m_wave_channel[i], at,
                static_cast<uint64_t>(double(m_stats.channel_bytes[i] - m_sample_channel_bytes[i]) /
                                      span_ps * 1e6));
    }
    m_sample_channel_bytes = m_stats.channel_bytes;
    m_sample_requests = m_sample_bytes = 0;
}

void hbm_memory::print_stats(std::ostream& os) const {
    const statistics& s = m_stats;
    os << "{\"reads\": " << s.reads << ", \"writes\": " << s.writes
       << ", \"bytes_read\": " << s.bytes_read << ", \"bytes_written\": " << s.bytes_written
       << ", \"row_hit_rate\": " << s.row_hit_rate()
       << ", \"average_latency_ns\": " << s.average_latency_ns()
       << ", \"worst_latency_ns\": " << double(s.latency_max_ps) / 1e3
       << ", \"bandwidth_GBps\": " << s.bandwidth() / 1e9
       << ", \"refreshes\": " << m_banks.refreshes()
       << ", \"pages_touched\": " << m_store.pages_touched() << ", \"channel_bytes\": [";
    for (size_t i = 0; i < s.channel_bytes.size(); ++i)
        os << (i ? ", " : "") << s.channel_bytes[i];
    os << "], \"channel_GBps\": [";
    const double span = s.last_done_ps > s.first_arrival_ps && s.first_arrival_ps != UINT64_MAX
                            ? double(s.last_done_ps - s.first_arrival_ps) * 1e-12
                            : 0.0;
    for (size_t i = 0; i < s.channel_bytes.size(); ++i)
        os << (i ? ", " : "") << (span > 0 ? double(s.channel_bytes[i]) / span / 1e9 : 0.0);
    os << "]}";
}

} // namespace rainier
