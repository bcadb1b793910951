// A minimal semaphore block (one per NeuronCore): RAINIER_SEM_COUNT 32-bit counters, each with
// a read/write VALUE register and a write-only INC register that adds atomically. Grows into
// the engine-synchronisation semaphores of the NeuronCore issue.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/register_bank.h"

namespace rainier {

class semaphore_block : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<semaphore_block> in;

    explicit semaphore_block(sc_core::sc_module_name name);
    uint32_t value(unsigned i);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    register_bank m_regs;
};

} // namespace rainier
