// HBM3/HBM3e memory as a TLM-2.0 target: stacks x channels x pseudo-channels x bank groups x
// banks. b_transport is timed by the bank machine (the annotated delay comes back as the
// request's completion time; nothing waits, so a requestor may keep many requests in flight);
// transport_dbg and DMI (one 1 MiB page per grant) are untimed backdoors. Sparse backing
// store: pages allocated on first write, untouched memory reads as zero.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "address_mapping.h"
#include "bank_machine.h"
#include "hbm_config.h"
#include "probes.h"
#include "sparse_store.h"

namespace rainier {

class hbm_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<hbm_memory> in;

    struct statistics {
        uint64_t reads = 0, writes = 0, bytes_read = 0, bytes_written = 0;
        uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
        uint64_t latency_sum_ps = 0, latency_max_ps = 0;
        uint64_t first_arrival_ps = UINT64_MAX, last_done_ps = 0;
        std::vector<uint64_t> channel_bytes; // per (stack, channel)
        double row_hit_rate() const;
        double average_latency_ns() const;
        double bandwidth() const; // bytes/s between first arrival and last completion
    };

    hbm_memory(sc_core::sc_module_name name, const hbm::config& cfg);
    uint64_t size() const { return m_size; }
    hbm::sparse_store& store() { return m_store; }
    const hbm::config& cfg() const { return m_cfg; }
    const hbm::address_mapping& mapping() const { return *m_mapping; }
    const statistics& stats() const { return m_stats; }
    void print_stats(std::ostream& os) const; // one JSON object
    // Timeline: an "HBM GB/s" counter; waveform: MB/s per channel; one value per 256 requests.
    void attach_probes(const probes& p, const std::string& group);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    bool check(tlm::tlm_generic_payload& trans) const;

    hbm::config m_cfg;
    uint64_t m_size;
    hbm::sparse_store m_store;
    std::unique_ptr<hbm::address_mapping> m_mapping;
    hbm::bank_machine m_banks;
    std::vector<uint8_t> m_rmw; // an addition's stored bytes
    uint64_t m_burst_bytes;
    statistics m_stats;

    void sample(uint64_t arrival_ps, unsigned len);
    probes m_probes;
    std::string m_group;
    uint64_t m_sample_requests = 0, m_sample_bytes = 0, m_sample_start_ps = 0;
    std::vector<uint64_t> m_sample_channel_bytes; // channel_bytes at the window's start
    std::vector<uint32_t> m_wave_channel;         // wave_writer handles, per (stack, channel)
};

} // namespace rainier
