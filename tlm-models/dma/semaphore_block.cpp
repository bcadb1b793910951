#include "semaphore_block.h"

#include <string>

namespace rainier {

semaphore_block::semaphore_block(sc_core::sc_module_name name)
    : sc_module(name), in("in"), m_regs(this->name()) {
    in.register_b_transport(this, &semaphore_block::b_transport);
    in.register_transport_dbg(this, &semaphore_block::transport_dbg);
    for (unsigned i = 0; i < RAINIER_SEM_COUNT; ++i) {
        const std::string n = std::to_string(i);
        auto get = [this, i] { return uint64_t(m_values[i]); };
        m_regs.add(reg_def("SEM_VALUE" + n, RAINIER_SEM_VALUE(i), 4)
                       .reads(get)
                       .peeks(get)
                       .writes([this, i](uint64_t v) {
                           m_values[i] = static_cast<uint32_t>(v);
                           m_changed.notify(sc_core::SC_ZERO_TIME);
                       }));
        m_regs.add(reg_def("SEM_INC" + n, RAINIER_SEM_INC(i), 4, reg_access::write_only)
                       .writes([this, i](uint64_t v) { add(i, static_cast<uint32_t>(v)); }));
    }
}

void semaphore_block::add(unsigned i, uint32_t v) {
    m_values[i] += v; // wraps, as the register does
    m_changed.notify(sc_core::SC_ZERO_TIME);
}

void semaphore_block::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    m_regs.transport(trans, false);
}

unsigned semaphore_block::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

} // namespace rainier
