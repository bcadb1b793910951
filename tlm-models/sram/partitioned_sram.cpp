#include "partitioned_sram.h"

#include <sys/mman.h>

#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>

#include "core/add_on_write.h"

namespace rainier {

partitioned_sram::partitioned_sram(sc_core::sc_module_name name, const sram_config& cfg)
    : sc_module(name), in("in"), m_cfg(cfg), m_data(nullptr),
      m_latency_ps(static_cast<uint64_t>(std::llround(cfg.latency_s * 1e12))),
      m_ps_per_byte(1e12 / cfg.bandwidth) {
    if (cfg.partitions == 0 || cfg.partition_bytes == 0 ||
        cfg.partition_bytes > cfg.partition_stride)
        throw std::invalid_argument(std::string(this->name()) + ": bad partition geometry");
    if (!(cfg.bandwidth > 0))
        throw std::invalid_argument(std::string(this->name()) + ": bandwidth");
    void* p = mmap(nullptr, window_size(), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    m_data = static_cast<uint8_t*>(p);
    in.register_b_transport(this, &partitioned_sram::b_transport);
    in.register_transport_dbg(this, &partitioned_sram::transport_dbg);
    in.register_get_direct_mem_ptr(this, &partitioned_sram::get_direct_mem_ptr);
}

partitioned_sram::~partitioned_sram() {
    munmap(m_data, window_size());
}

bool partitioned_sram::in_range(uint64_t addr, unsigned len) const {
    if (len == 0 || addr >= window_size()) return false;
    const uint64_t off = addr % m_cfg.partition_stride;
    return off < m_cfg.partition_bytes && len <= m_cfg.partition_bytes - off;
}

bool partitioned_sram::check(tlm::tlm_generic_payload& trans) const {
    if (!in_range(trans.get_address(), trans.get_data_length())) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    if (trans.get_byte_enable_ptr() != nullptr ||
        trans.get_streaming_width() < trans.get_data_length()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (!trans.is_read() && !trans.is_write()) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    return true;
}

uint64_t partitioned_sram::occupy(uint64_t arrival_ps, unsigned len) {
    // Initiators book ahead of simulated time by different amounts: an access takes the first
    // gap on the port at or after its arrival, not a place behind the latest booking.
    m_port.forget_before(sc_core::sc_time_stamp().value());
    const uint64_t busy = static_cast<uint64_t>(std::llround(len * m_ps_per_byte));
    return m_port.book(arrival_ps, busy) + busy + m_latency_ps;
}

void partitioned_sram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (!check(trans)) return;
    const unsigned len = trans.get_data_length();
    uint8_t* p = m_data + trans.get_address();
    add_on_write* add = trans.is_write() ? trans.get_extension<add_on_write>() : nullptr;
    if (add) { // read, add, write back: the port twice
        if (!add_elements(p, trans.get_data_ptr(), len, add->dtype)) {
            trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
            return;
        }
        add->applied = true;
        m_bytes_read += len;
        m_bytes_written += len;
        const uint64_t now = sc_core::sc_time_stamp().value();
        delay = sc_core::sc_time::from_value(occupy(now + delay.value(), 2 * len) - now);
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (trans.is_write()) {
        std::memcpy(p, trans.get_data_ptr(), len);
        m_bytes_written += len;
    } else {
        std::memcpy(trans.get_data_ptr(), p, len);
        m_bytes_read += len;
    }
    const uint64_t now = sc_core::sc_time_stamp().value();
    delay = sc_core::sc_time::from_value(occupy(now + delay.value(), len) - now);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned partitioned_sram::transport_dbg(tlm::tlm_generic_payload& trans) {
    if (!check(trans)) return 0;
    const unsigned len = trans.get_data_length();
    uint8_t* p = m_data + trans.get_address();
    if (trans.is_write())
        std::memcpy(p, trans.get_data_ptr(), len);
    else
        std::memcpy(trans.get_data_ptr(), p, len);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

bool partitioned_sram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    // One partition at a time: the gaps between partitions must keep answering errors.
    const uint64_t addr = trans.get_address();
    const uint64_t p = addr / m_cfg.partition_stride;
    const uint64_t base = p * m_cfg.partition_stride;
    if (!in_range(addr, 1)) {
        dmi.set_start_address(base + m_cfg.partition_bytes);
        dmi.set_end_address(std::min(base + m_cfg.partition_stride, window_size()) - 1);
        return false;
    }
    dmi.set_dmi_ptr(m_data + base);
    dmi.set_start_address(base);
    dmi.set_end_address(base + m_cfg.partition_bytes - 1);
    dmi.set_read_latency(sc_core::SC_ZERO_TIME);
    dmi.set_write_latency(sc_core::SC_ZERO_TIME);
    dmi.allow_read_write();
    return true;
}

} // namespace rainier
