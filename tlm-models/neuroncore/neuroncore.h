// One NeuronCore: its engine-queue register block (rainier/hw/neuroncore.h), the tensor engine
// and the vector engine with their queues, and the core's interrupt line. SBUF, PSUM and the
// semaphore block belong to the chip (DMA engines reach them too) and are passed in.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/irq.h"
#include "core/register_bank.h"
#include "core_sram.h"
#include "engine_queue.h"
#include "probes.h"
#include "semaphore_block.h"
#include "tensor_engine.h"
#include "vector_engine.h"

namespace rainier {

struct neuroncore_config {
    unsigned index = 0; // core index on its chip
    tensor_engine_config te;
    vector_engine_config ve;
};

class neuroncore : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<neuroncore> regs;   // offsets inside the block
    tlm_utils::simple_initiator_socket<neuroncore> out; // instruction fetch, global addresses
    irq_out irq;

    neuroncore(sc_core::sc_module_name name, const neuroncore_config& cfg, semaphore_block& sems,
               partitioned_sram& sbuf, partitioned_sram& psum);

    const neuroncore_config& cfg() const { return m_cfg; }
    tensor_engine& te() { return *m_te; }
    vector_engine& ve() { return *m_ve; }
    engine_queue& queue(unsigned engine) { return *m_queues[engine]; }
    // RAINIER_CHIP_RESET_ENGINES: every queue emptied, interrupts cleared.
    void reset_engines();
    void attach_probes(const probes& p, const std::string& group);

private:
    bool fetch(uint64_t addr, void* dst, unsigned len);
    void on_queue_irq(uint32_t bits, bool set);
    void update_irq();
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);

    neuroncore_config m_cfg;
    register_bank m_regs;
    core_sram m_sram;
    std::array<std::unique_ptr<engine_queue>, RAINIER_NC_ENGINES> m_queues;
    std::unique_ptr<tensor_engine> m_te;
    std::unique_ptr<vector_engine> m_ve;
    uint32_t m_irq_status = 0;
    uint64_t* m_irq_enable = nullptr;
    tlm::tlm_generic_payload m_fetch;
};

} // namespace rainier
