// Memory-mapped registers declared as objects (name, offset, width, access rules, callbacks).
// A bank decodes TLM payloads onto them: an access outside every register, one that spans two
// registers, or a disallowed one answers a TLM error response. Debug accesses (transport_dbg)
// never run side-effecting callbacks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <tlm>

namespace rainier {

enum class reg_access { read_write, read_only, write_only };

struct reg_def {
    reg_def(std::string name_, uint64_t offset_, unsigned width_,
            reg_access access_ = reg_access::read_write)
        : name(std::move(name_)), offset(offset_), width(width_), access(access_) {}

    reg_def& reset_to(uint64_t v) {
        reset = v;
        return *this;
    }
    reg_def& reads(std::function<uint64_t()> f) {
        on_read = std::move(f);
        return *this;
    }
    reg_def& writes(std::function<void(uint64_t)> f) {
        on_write = std::move(f);
        return *this;
    }
    reg_def& peeks(std::function<uint64_t()> f) {
        peek = std::move(f);
        return *this;
    }

    std::string name;
    uint64_t offset;
    unsigned width; // bytes: 1, 2, 4 or 8
    reg_access access;
    uint64_t reset = 0;
    // Optional behaviour. Without a reader the stored value is returned; a writer runs after
    // the value is stored. A peek answers debug reads; it defaults to the stored value.
    std::function<uint64_t()> on_read;
    std::function<void(uint64_t value)> on_write;
    std::function<uint64_t()> peek;
};

class register_bank {
public:
    explicit register_bank(std::string owner) : m_owner(std::move(owner)) {}

    void add(reg_def def);
    void reset();

    // Value stored for a register (for models that keep their state in the bank).
    uint64_t& value(const std::string& name);

    // Decodes and performs a TLM access; sets the response status.
    void transport(tlm::tlm_generic_payload& trans, bool debug);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);

private:
    struct reg_state {
        reg_def def;
        uint64_t value = 0;
    };
    reg_state* find(uint64_t offset, unsigned len);

    std::string m_owner;
    std::map<uint64_t, reg_state> m_regs; // by offset
};

} // namespace rainier
