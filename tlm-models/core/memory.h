// RAM or ROM as a TLM-2.0 target: b_transport with a fixed access latency, transport_dbg,
// and DMI for fast initiators. Backing store is an anonymous mapping, so untouched pages
// cost no host memory and read as zero.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace rainier {

class memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory> in;

    memory(sc_core::sc_module_name name, uint64_t size, bool read_only = false,
           sc_core::sc_time latency = sc_core::SC_ZERO_TIME);
    ~memory() override;
    memory(const memory&) = delete;
    memory& operator=(const memory&) = delete;

    uint64_t size() const { return m_size; }
    uint8_t* data() { return m_data; }
    bool read_only() const { return m_read_only; }

    // Untimed access for loaders and tests; false when out of range.
    bool load(uint64_t offset, const void* src, uint64_t len);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    bool access(tlm::tlm_generic_payload& trans, bool debug);

    uint64_t m_size;
    bool m_read_only;
    sc_core::sc_time m_latency;
    uint8_t* m_data;
};

} // namespace rainier
