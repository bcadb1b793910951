#include "memory.h"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace rainier {

memory::memory(sc_core::sc_module_name name, uint64_t size, bool read_only,
               sc_core::sc_time latency)
    : sc_module(name), in("in"), m_size(size), m_read_only(read_only), m_latency(latency) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    m_data = static_cast<uint8_t*>(p);
    in.register_b_transport(this, &memory::b_transport);
    in.register_transport_dbg(this, &memory::transport_dbg);
    in.register_get_direct_mem_ptr(this, &memory::get_direct_mem_ptr);
}

memory::~memory() {
    munmap(m_data, m_size);
}

bool memory::load(uint64_t offset, const void* src, uint64_t len) {
    if (offset > m_size || len > m_size - offset) return false;
    std::memcpy(m_data + offset, src, len);
    return true;
}

bool memory::access(tlm::tlm_generic_payload& trans, bool debug) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    if (addr > m_size || len > m_size - addr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    if (trans.get_byte_enable_ptr() != nullptr || trans.get_streaming_width() < len) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (trans.is_read()) {
        std::memcpy(trans.get_data_ptr(), m_data + addr, len);
    } else if (trans.is_write()) {
        if (m_read_only && !debug) {
            trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
            return false;
        }
        std::memcpy(m_data + addr, trans.get_data_ptr(), len);
    }
    trans.set_dmi_allowed(true);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (access(trans, false)) delay += m_latency;
}

unsigned memory::transport_dbg(tlm::tlm_generic_payload& trans) {
    return access(trans, true) ? trans.get_data_length() : 0;
}

bool memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    (void)trans;
    dmi.set_dmi_ptr(m_data);
    dmi.set_start_address(0);
    dmi.set_end_address(m_size - 1);
    dmi.set_read_latency(m_latency);
    dmi.set_write_latency(m_latency);
    dmi.allow_read();
    if (!m_read_only) dmi.allow_read_write();
    return true;
}

} // namespace rainier
