// System bus: routes each transaction by address to one mapped target, translating to the
// target's local offset. Unmapped addresses answer TLM_ADDRESS_ERROR_RESPONSE. DMI grants
// and invalidations are translated both ways.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

namespace rainier {

struct address_range {
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t end() const { return base + size - 1; } // inclusive
    bool contains(uint64_t addr) const { return addr >= base && addr - base < size; }
    bool overlaps(const address_range& o) const { return base <= o.end() && o.base <= end(); }
};

class bus : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<bus> in;     // from initiators
    tlm_utils::multi_passthrough_initiator_socket<bus> out; // to targets

    explicit bus(sc_core::sc_module_name name);

    // Binds out to target and maps [base, base+size). Throws on overlap with a mapping.
    void map(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size,
             const std::string& name);

    struct mapping {
        address_range range;
        std::string name;
        int port;
    };
    const std::vector<mapping>& mappings() const { return m_map; }
    const mapping* find(uint64_t addr) const;

private:
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
    const mapping* route(tlm::tlm_generic_payload& trans);

    std::vector<mapping> m_map;
};

} // namespace rainier
