// The semaphore block of a NeuronCore: RAINIER_SEM_COUNT 32-bit counters, each with a read/write
// VALUE register and a write-only INC register that adds atomically. Engines wait on `changed()`
// and read `value()`; every write, over the bus or through `add()`, notifies it.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/register_bank.h"
#include "rainier/hw/chip.h"

namespace rainier {

class semaphore_block : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<semaphore_block> in;

    explicit semaphore_block(sc_core::sc_module_name name);
    uint32_t value(unsigned i) const { return m_values[i]; }
    void add(unsigned i, uint32_t v);
    const sc_core::sc_event& changed() const { return m_changed; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    register_bank m_regs;
    uint32_t m_values[RAINIER_SEM_COUNT] = {};
    sc_core::sc_event m_changed;
};

} // namespace rainier
