#include "semaphore_block.h"

#include <string>

#include "rainier/hw/chip.h"

namespace rainier {

semaphore_block::semaphore_block(sc_core::sc_module_name name)
    : sc_module(name), in("in"), m_regs(this->name()) {
    in.register_b_transport(this, &semaphore_block::b_transport);
    in.register_transport_dbg(this, &semaphore_block::transport_dbg);
    for (unsigned i = 0; i < RAINIER_SEM_COUNT; ++i) {
        const std::string n = std::to_string(i);
        m_regs.add(reg_def("SEM_VALUE" + n, RAINIER_SEM_VALUE(i), 4));
        m_regs.add(reg_def("SEM_INC" + n, RAINIER_SEM_INC(i), 4, reg_access::write_only)
                       .writes([this, n](uint64_t v) {
                           uint64_t& s = m_regs.value("SEM_VALUE" + n);
                           s = (s + v) & 0xffffffffu;
                       }));
    }
}

uint32_t semaphore_block::value(unsigned i) {
    return static_cast<uint32_t>(m_regs.value("SEM_VALUE" + std::to_string(i)));
}

void semaphore_block::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    m_regs.transport(trans, false);
}

unsigned semaphore_block::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

} // namespace rainier
