// A partitioned on-chip SRAM as a TLM-2.0 target: `partitions` slots of `partition_stride`
// bytes in the address window, of which the first `partition_bytes` exist. An access must stay
// inside one partition; anything else answers TLM_ADDRESS_ERROR_RESPONSE. Timing: one port
// with a bandwidth (occupancy, each access in the first gap at its arrival:
// core/busy_calendar.h) and a fixed latency. transport_dbg and DMI (per partition) are untimed.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/busy_calendar.h"

namespace rainier {

struct sram_config {
    unsigned partitions = 32;
    uint64_t partition_bytes = 192 * 1024;
    uint64_t partition_stride = 256 * 1024;
    double bandwidth = 1e12; // bytes/s through the port
    double latency_s = 2e-9; // after the data has passed the port
};

class partitioned_sram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<partitioned_sram> in;

    partitioned_sram(sc_core::sc_module_name name, const sram_config& cfg);
    ~partitioned_sram() override;
    partitioned_sram(const partitioned_sram&) = delete;
    partitioned_sram& operator=(const partitioned_sram&) = delete;

    const sram_config& cfg() const { return m_cfg; }
    uint64_t window_size() const { return uint64_t(m_cfg.partitions) * m_cfg.partition_stride; }
    uint8_t* partition(unsigned p) { return m_data + uint64_t(p) * m_cfg.partition_stride; }
    uint64_t bytes_read() const { return m_bytes_read; }
    uint64_t bytes_written() const { return m_bytes_written; }

protected:
    // Shared by both PSUM ports: range/payload checks and the port's occupancy.
    bool in_range(uint64_t addr, unsigned len) const;
    uint64_t occupy(uint64_t arrival_ps, unsigned len); // returns completion time
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    bool check(tlm::tlm_generic_payload& trans) const;

    sram_config m_cfg;
    uint8_t* m_data;
    busy_calendar m_port; // ps
    uint64_t m_latency_ps;
    double m_ps_per_byte;
    uint64_t m_bytes_read = 0, m_bytes_written = 0;
};

} // namespace rainier
