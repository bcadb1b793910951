// A DMA engine: Q descriptor rings in memory (head/tail registers, doorbell), served
// round-robin at descriptor boundaries; 3-D access patterns on both sides; per-engine
// bandwidth (issue pacing per direction) and up to `outstanding` requests in flight per
// direction, each timed by its target's annotated completion; requests run at most
// `lookahead` ahead of simulated time, so several engines reach a memory in time order. Errors
// complete the descriptor with a code in the queue's ERROR register and an interrupt; the engine
// goes on. Registers and descriptor: rainier/hw/dma.h.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "access_pattern.h"
#include "core/add_on_write.h"
#include "core/irq.h"
#include "core/register_bank.h"
#include "probes.h"
#include "rainier/hw/dma.h"
#include "semaphore_block.h"

namespace rainier {

struct dma_engine_config {
    unsigned id = 0;              // RAINIER_DMA_ID
    unsigned queues = 4;          // <= RAINIER_DMA_MAX_QUEUES
    double bandwidth = 27e9;      // bytes/s in each direction
    double setup_s = 20e-9;       // per descriptor, after its fetch
    unsigned outstanding = 64;    // requests in flight per direction
    unsigned request_bytes = 512; // largest bus request
    uint64_t sem_base = 0;        // global address of the core's semaphore block
    double lookahead_s = 100e-9;  // how far requests may run ahead of simulated time
    // Start a descriptor once the previous one has issued its requests (completion stays in
    // order); false: once it has completed.
    bool pipeline = true;
};

class dma_engine : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<dma_engine> regs;
    tlm_utils::simple_initiator_socket<dma_engine> out; // global addresses
    irq_out irq;

    dma_engine(sc_core::sc_module_name name, const dma_engine_config& cfg);

    const dma_engine_config& cfg() const { return m_cfg; }
    uint64_t descriptors() const { return m_descriptors; }
    uint64_t bytes() const { return m_bytes; }
    uint64_t requests() const { return m_requests; }
    // The core's semaphores, for descriptors with RAINIER_DMA_FLAG_WAIT.
    void set_semaphores(semaphore_block* sems) { m_sems = sems; }

    // Timeline: one row per queue, a slice per descriptor with its arguments. Waveform: busy
    // and the queue being served.
    void attach_probes(const probes& p, const std::string& group, const std::string& scope);

private:
    struct queue {
        uint32_t accepted_tail = 0;
        uint32_t in_flight = 0; // started, not completed: the next one is at HEAD + in_flight
        bool fetched = false;   // `desc` holds that next descriptor (or fetch_error is set)
        bool fetch_error = false;
        rainier_dma_desc desc{};
        sc_core::sc_time fetch_done; // when the descriptor's bytes arrived
    };
    void fetch_head(unsigned q);
    bool waits(const queue& s) const;
    void run();
    int pick_queue();
    void process(unsigned q);
    // A started descriptor, completed (HEAD, COMPLETED, semaphore, interrupt) in start order.
    struct started {
        unsigned q;
        uint32_t index;
        rainier_dma_desc desc;
        unsigned err;
        sc_core::sc_time start, done;
        uint64_t bytes;
    };
    void retire();
    void complete(const started& s);
    uint32_t next_index(unsigned q);
    unsigned validate(const rainier_dma_desc& d) const;
    // Issues the descriptor's requests from `t`; t: when the last completes, issued: when the
    // last was issued.
    unsigned transfer(const rainier_dma_desc& d, sc_core::sc_time& t, sc_core::sc_time& issued);
    void catch_up(const sc_core::sc_time& issue);
    // One bus request at local time `issue`; returns false on a TLM error (code in `err`).
    bool request(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                 const sc_core::sc_time& issue, sc_core::sc_time& done, unsigned& err,
                 tlm::tlm_generic_payload* trans = nullptr);
    void doorbell(unsigned q);
    void update_irq();
    void raise(uint32_t bits);
    sc_core::sc_time pace(uint64_t bytes) const {
        return sc_core::sc_time::from_value(static_cast<uint64_t>(bytes * m_ps_per_byte + 0.5));
    }
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    uint64_t& qreg(unsigned q, unsigned offset);

    dma_engine_config m_cfg;
    register_bank m_regs;
    std::vector<queue> m_queues;
    std::vector<uint64_t*> m_qregs; // [q * 16 + offset / 4] -> stored value
    uint64_t* m_irq_status = nullptr;
    uint64_t* m_irq_enable = nullptr;
    uint64_t* m_status = nullptr;
    uint64_t m_irq_shadow = 0; // IRQ_STATUS before a software write
    sc_core::sc_time m_access_delay;
    double m_ps_per_byte = 0;
    sc_core::sc_event m_doorbell;
    tlm::tlm_generic_payload m_trans, m_retire_trans;
    add_on_write m_add; // on m_trans's writes of a RAINIER_DMA_FLAG_ADD descriptor
    std::deque<started> m_started;
    sc_core::sc_event m_started_event;
    bool m_processing = false;
    std::vector<uint8_t> m_stage;
    std::deque<std::pair<uint64_t, sc_core::sc_time>> m_reads; // end byte, data ready by then
    std::vector<sc_core::sc_time> m_rslots, m_wslots;          // completion of requests in flight
    unsigned m_rslot = 0,
             m_wslot = 0; // the oldest request slot, next to reuse (across descriptors)
    sc_core::sc_time m_setup, m_lookahead;
    unsigned m_rr = 0;
    semaphore_block* m_sems = nullptr;
    uint64_t m_descriptors = 0, m_bytes = 0, m_requests = 0;

    probes m_probes;
    std::vector<timeline::row> m_rows; // per queue
    std::vector<sc_core::sc_time> m_row_end;
    wave_writer::handle m_wave_busy = 0, m_wave_queue = 0;
};

} // namespace rainier
