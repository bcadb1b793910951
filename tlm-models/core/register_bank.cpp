#include "register_bank.h"

#include <cstring>
#include <stdexcept>

namespace rainier {

void register_bank::add(reg_def def) {
    if (def.width != 1 && def.width != 2 && def.width != 4 && def.width != 8)
        throw std::logic_error(m_owner + ": register " + def.name + " has an invalid width");
    if (find(def.offset, def.width) != nullptr)
        throw std::logic_error(m_owner + ": register " + def.name + " overlaps another");
    uint64_t offset = def.offset;
    uint64_t reset = def.reset;
    m_regs.emplace(offset, reg_state{std::move(def), reset});
}

void register_bank::reset() {
    for (auto& [offset, reg] : m_regs)
        reg.value = reg.def.reset;
}

uint64_t& register_bank::value(const std::string& name) {
    for (auto& [offset, reg] : m_regs)
        if (reg.def.name == name) return reg.value;
    throw std::logic_error(m_owner + ": no register named " + name);
}

register_bank::reg_state* register_bank::find(uint64_t offset, unsigned len) {
    auto it = m_regs.upper_bound(offset);
    if (it == m_regs.begin()) return nullptr;
    --it;
    reg_state& reg = it->second;
    if (offset + len > reg.def.offset + reg.def.width) return nullptr;
    return &reg;
}

void register_bank::transport(tlm::tlm_generic_payload& trans, bool debug) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    unsigned char* data = trans.get_data_ptr();

    if (trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (len == 0 || len > 8 || trans.get_streaming_width() < len) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    reg_state* reg = find(addr, len);
    if (reg == nullptr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const unsigned shift = static_cast<unsigned>(addr - reg->def.offset) * 8;
    const uint64_t lane_mask = len == 8 ? ~uint64_t(0) : ((uint64_t(1) << (len * 8)) - 1);

    if (trans.is_read()) {
        if (reg->def.access == reg_access::write_only) {
            if (!debug) {
                trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
                return;
            }
            std::memset(data, 0, len);
        } else {
            uint64_t v = reg->value;
            if (debug) {
                if (reg->def.peek) v = reg->def.peek();
            } else if (reg->def.on_read) {
                v = reg->def.on_read();
            }
            v = (v >> shift) & lane_mask;
            std::memcpy(data, &v, len); // host and target are both little-endian
        }
    } else if (trans.is_write()) {
        if (reg->def.access == reg_access::read_only) {
            trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
            return;
        }
        uint64_t in = 0;
        std::memcpy(&in, data, len);
        // A narrow write keeps the other bytes as they currently read.
        const uint64_t current = reg->def.peek ? reg->def.peek() : reg->value;
        uint64_t merged = (current & ~(lane_mask << shift)) | ((in & lane_mask) << shift);
        // The stored value changes first, so a callback can read or override it; debug
        // writes never trigger side effects.
        reg->value = merged;
        if (reg->def.on_write && !debug) reg->def.on_write(merged);
    } else {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned register_bank::transport_dbg(tlm::tlm_generic_payload& trans) {
    transport(trans, true);
    return trans.is_response_ok() ? trans.get_data_length() : 0;
}

} // namespace rainier
