// One chip: its HBM stacks, per-core SBUF/PSUM and semaphore blocks, DMA engines, a chip
// control block, and two routers (memory aperture, register window). DMA engines issue global
// addresses: those inside this chip's aperture or register window stay on chip; everything
// else leaves through `out` (to the chip's NeuronLink router). `global` takes this chip's
// global addresses from its router (transfers of other chips that arrived over the links).
#pragma once

#include <memory>
#include <queue>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "config.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/register_bank.h"
#include "dma_engine.h"
#include "hbm.h"
#include "neuroncore.h"
#include "probes.h"
#include "psum.h"
#include "rainier/hw/chip.h"
#include "sbuf.h"
#include "semaphore_block.h"

namespace rainier {

struct chip_config {
    unsigned index = 0;
    unsigned cores = 1;
    unsigned dma_engines = 4; // per core
    unsigned system_chips = 1;
    unsigned topology_dims[3] = {1, 1, 1}; // ring sizes in x, y, z (RAINIER_CHIP_CTRL_TOPOLOGY)
    hbm::config hbm;
    sram_config sbuf;
    sram_config psum;
    dma_engine_config dma; // per engine; id and sem_base are filled in by the chip
    neuroncore_config nc;  // per core; index is filled in by the chip
};

// Reads the chip.*, hbm.*, sram.* and dma.* keys (already validated).
chip_config make_chip_config(const platform_config& cfg, unsigned index);

class chip : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<chip> in;     // aperture, offsets from its base
    tlm_utils::simple_target_socket<chip> mmio;   // register window, offsets from its base
    tlm_utils::simple_initiator_socket<chip> out; // global addresses leaving the chip
    // This chip's global addresses, from its router; optional: a chip alone has no links.
    tlm_utils::simple_target_socket_optional<chip> global;
    irq_out irq;

    chip(sc_core::sc_module_name name, const chip_config& cfg);

    const chip_config& cfg() const { return m_cfg; }
    uint64_t aperture_base() const;
    uint64_t mmio_base() const;
    hbm_memory& hbm() { return *m_hbm; }
    sbuf& sbuf_of(unsigned core) { return *m_sbuf[core]; }
    psum& psum_of(unsigned core) { return *m_psum[core]; }
    semaphore_block& semaphores(unsigned core) { return *m_sem[core]; }
    dma_engine& dma(unsigned global_index) { return *m_dma[global_index]; }
    neuroncore& core(unsigned index) { return *m_nc[index]; }
    void attach_probes(const probes& p);
    unsigned num_dma() const { return static_cast<unsigned>(m_dma.size()); }

private:
    void in_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned in_transport_dbg(tlm::tlm_generic_payload& trans);
    bool in_get_dmi(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    void mem_invalidate(sc_dt::uint64 start, sc_dt::uint64 end);
    void mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned mmio_transport_dbg(tlm::tlm_generic_payload& trans);
    void dma_b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned dma_transport_dbg(int id, tlm::tlm_generic_payload& trans);
    void global_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned global_transport_dbg(tlm::tlm_generic_payload& trans);
    // Register writes from other chips are posted: applied at their arrival time by
    // apply_posted(), without holding the sender (a DMA engine) until then.
    struct posted_write {
        sc_core::sc_time at;
        uint64_t seq;
        uint64_t offset;
        std::vector<uint8_t> data;
        bool operator>(const posted_write& o) const { return at != o.at ? at > o.at : seq > o.seq; }
    };
    void apply_posted();
    // A global address inside this chip: the socket it goes to and its offset there; null if
    // it is not this chip's.
    tlm_utils::simple_initiator_socket<chip>* decode(uint64_t addr, uint64_t& offset);
    void ctrl_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned ctrl_transport_dbg(tlm::tlm_generic_payload& trans);
    void on_dma_irq(unsigned engine, bool level);
    void on_core_irq(unsigned core, bool level);
    void update_irq();

    chip_config m_cfg;
    bus m_mem;  // aperture: HBM, SBUF, PSUM (+ accumulate alias) per core
    bus m_regs; // register window: control, semaphores, DMA engines
    tlm_utils::simple_initiator_socket<chip> m_to_mem;
    tlm_utils::simple_initiator_socket<chip> m_to_regs;
    tlm_utils::multi_passthrough_target_socket<chip> m_dma_in; // from every DMA engine
    tlm_utils::simple_target_socket<chip> m_ctrl;
    register_bank m_ctrl_regs;
    sc_core::sc_time m_ctrl_access; // when the access being served happens (TIME_NS)
    std::unique_ptr<hbm_memory> m_hbm;
    std::vector<std::unique_ptr<sbuf>> m_sbuf;
    std::vector<std::unique_ptr<psum>> m_psum;
    std::vector<std::unique_ptr<semaphore_block>> m_sem;
    std::vector<std::unique_ptr<dma_engine>> m_dma;
    std::vector<irq_in> m_dma_irq;
    std::vector<std::unique_ptr<neuroncore>> m_nc;
    std::vector<irq_in> m_nc_irq;
    uint32_t m_irq_bits[RAINIER_CHIP_CTRL_IRQ_WORDS] = {};
    uint32_t m_nc_irq_bits = 0;
    std::priority_queue<posted_write, std::vector<posted_write>, std::greater<posted_write>>
        m_posted;
    uint64_t m_posted_seq = 0;
    sc_core::sc_event m_posted_event;
};

} // namespace rainier
