#include "bus.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace rainier {

bus::bus(sc_core::sc_module_name name) : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &bus::b_transport);
    in.register_transport_dbg(this, &bus::transport_dbg);
    in.register_get_direct_mem_ptr(this, &bus::get_direct_mem_ptr);
    out.register_invalidate_direct_mem_ptr(this, &bus::invalidate_direct_mem_ptr);
}

void bus::map(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size,
              const std::string& name) {
    address_range range{base, size};
    if (size == 0 || base + (size - 1) < base)
        throw std::invalid_argument(std::string(this->name()) + ": mapping " + name +
                                    " has an empty or wrapping range");
    for (const mapping& m : m_map) {
        if (m.range.overlaps(range)) {
            std::ostringstream msg;
            msg << std::hex << "address range of " << name << " [0x" << base << ", 0x"
                << range.end() << "] overlaps " << m.name << " [0x" << m.range.base << ", 0x"
                << m.range.end() << "]";
            throw std::invalid_argument(msg.str());
        }
    }
    int port = static_cast<int>(m_map.size());
    out.bind(target);
    m_map.push_back(mapping{range, name, port});
    std::sort(m_map.begin(), m_map.end(),
              [](const mapping& a, const mapping& b) { return a.range.base < b.range.base; });
}

const bus::mapping* bus::find(uint64_t addr) const {
    auto it = std::upper_bound(m_map.begin(), m_map.end(), addr,
                               [](uint64_t a, const mapping& m) { return a < m.range.base; });
    if (it == m_map.begin()) return nullptr;
    --it;
    return it->range.contains(addr) ? &*it : nullptr;
}

const bus::mapping* bus::route(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const mapping* m = find(addr);
    const uint64_t len = trans.get_data_length();
    if (m == nullptr || len == 0 || len - 1 > m->range.end() - addr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return nullptr;
    }
    trans.set_address(addr - m->range.base);
    return m;
}

void bus::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const mapping* m = route(trans);
    if (m == nullptr) return;
    out[m->port]->b_transport(trans, delay);
    trans.set_address(addr);
}

unsigned bus::transport_dbg(int, tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const mapping* m = route(trans);
    if (m == nullptr) return 0;
    unsigned n = out[m->port]->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}

bool bus::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t addr = trans.get_address();
    const mapping* m = route(trans);
    if (m == nullptr) return false;
    bool ok = out[m->port]->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);
    if (!ok) return false;
    // Clip the grant to the mapping and translate it back to bus addresses.
    uint64_t start = std::max<uint64_t>(dmi.get_start_address(), 0);
    uint64_t end = std::min<uint64_t>(dmi.get_end_address(), m->range.size - 1);
    unsigned char* ptr = dmi.get_dmi_ptr() + (start - dmi.get_start_address());
    dmi.set_dmi_ptr(ptr);
    dmi.set_start_address(start + m->range.base);
    dmi.set_end_address(end + m->range.base);
    return true;
}

void bus::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    for (const mapping& m : m_map) {
        if (m.port != port) continue;
        uint64_t s = m.range.base + start;
        uint64_t e = end >= m.range.size - 1 ? m.range.end() : m.range.base + end;
        for (unsigned i = 0; i < in.size(); ++i)
            in[i]->invalidate_direct_mem_ptr(s, e);
    }
}

} // namespace rainier
