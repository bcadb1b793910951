// Platform-level interrupt controller: level-triggered gateways, 3-bit priorities, per-context
// enables, thresholds and claim/complete; one irq_out per context (hart 0 M and S modes).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/irq.h"
#include "core/register_bank.h"

namespace rainier {

class plic : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<plic> in;
    std::vector<irq_in> sources;  // index = source number; 0 is reserved
    std::vector<irq_out> context; // index = context number

    plic(sc_core::sc_module_name name, unsigned num_sources, unsigned num_contexts);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void source_changed(unsigned src, bool level);
    unsigned best_pending(unsigned ctx) const;
    uint64_t claim(unsigned ctx);
    void complete(unsigned ctx, uint64_t src);
    void update();

    unsigned m_num_sources;
    std::vector<uint32_t> m_priority;
    std::vector<bool> m_pending;
    std::vector<bool> m_in_service;              // claimed, not yet completed
    std::vector<std::vector<uint32_t>> m_enable; // [ctx][word]
    std::vector<uint32_t> m_threshold;
    register_bank m_regs;
};

} // namespace rainier
