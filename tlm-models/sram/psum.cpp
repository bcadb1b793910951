#include "psum.h"

#include <cmath>
#include <cstring>

#include "core/add_on_write.h"

namespace rainier {

namespace {
float flush(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    if ((bits & 0x7f800000u) == 0) bits &= 0x80000000u; // subnormal -> signed zero
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu)) bits = 0x7fc00000u;
    std::memcpy(&v, &bits, 4);
    return v;
}
} // namespace

psum::psum(sc_core::sc_module_name name, const sram_config& cfg)
    : partitioned_sram(name, cfg), acc("acc") {
    acc.register_b_transport(this, &psum::acc_b_transport);
    acc.register_transport_dbg(this, &psum::acc_transport_dbg);
}

float psum::accumulate(float stored, float in) {
    return flush(flush(stored) + flush(in));
}

bool psum::acc_access(tlm::tlm_generic_payload& trans) {
    if (!check(trans)) return false;
    if (trans.get_extension<add_on_write>()) { // the alias adds already: not twice
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    uint8_t* p = m_data + addr;
    if (trans.is_read()) {
        std::memcpy(trans.get_data_ptr(), p, len);
        m_bytes_read += len;
    } else {
        if (addr % 4 != 0 || len % 4 != 0) {
            trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
            return false;
        }
        const uint8_t* src = trans.get_data_ptr();
        for (unsigned i = 0; i < len; i += 4) {
            float a, b;
            std::memcpy(&a, p + i, 4);
            std::memcpy(&b, src + i, 4);
            a = accumulate(a, b);
            std::memcpy(p + i, &a, 4);
        }
        m_bytes_written += len;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void psum::acc_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (!acc_access(trans)) return;
    const uint64_t now = sc_core::sc_time_stamp().value();
    delay =
        sc_core::sc_time::from_value(occupy(now + delay.value(), trans.get_data_length()) - now);
}

unsigned psum::acc_transport_dbg(tlm::tlm_generic_payload& trans) {
    return acc_access(trans) ? trans.get_data_length() : 0;
}

} // namespace rainier
