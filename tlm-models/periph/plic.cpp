#include "plic.h"

#include "rainier/hw/plic.h"

namespace rainier {

plic::plic(sc_core::sc_module_name name, unsigned num_sources, unsigned num_contexts)
    : sc_module(name), in("in"), sources(num_sources), context(num_contexts),
      m_num_sources(num_sources), m_priority(num_sources, 0), m_pending(num_sources, false),
      m_in_service(num_sources, false),
      m_enable(num_contexts, std::vector<uint32_t>((num_sources + 31) / 32, 0)),
      m_threshold(num_contexts, 0), m_regs(this->name()) {
    in.register_b_transport(this, &plic::b_transport);
    in.register_transport_dbg(this, &plic::transport_dbg);

    for (unsigned s = 1; s < num_sources; ++s) {
        sources[s].set_handler([this, s](bool level) { source_changed(s, level); });
        m_regs.add(reg_def("priority" + std::to_string(s), PLIC_PRIORITY(s), 4)
                       .reads([this, s] { return m_priority[s]; })
                       .peeks([this, s] { return m_priority[s]; })
                       .writes([this, s](uint64_t v) {
                           m_priority[s] = static_cast<uint32_t>(v) & PLIC_PRIORITY_MAX;
                           update();
                       }));
    }
    const unsigned words = (num_sources + 31) / 32;
    for (unsigned w = 0; w < words; ++w) {
        auto pending_word = [this, w] {
            uint64_t v = 0;
            for (unsigned b = 0; b < 32 && w * 32 + b < m_num_sources; ++b)
                if (m_pending[w * 32 + b]) v |= uint64_t(1) << b;
            return v;
        };
        m_regs.add(reg_def("pending" + std::to_string(w), PLIC_PENDING(w), 4, reg_access::read_only)
                       .reads(pending_word)
                       .peeks(pending_word));
    }
    for (unsigned c = 0; c < num_contexts; ++c) {
        for (unsigned w = 0; w < words; ++w) {
            m_regs.add(reg_def("enable" + std::to_string(c) + "_" + std::to_string(w),
                               PLIC_ENABLE(c, w), 4)
                           .reads([this, c, w] { return m_enable[c][w]; })
                           .peeks([this, c, w] { return m_enable[c][w]; })
                           .writes([this, c, w](uint64_t v) {
                               // Source 0 does not exist, so its enable bit stays clear.
                               m_enable[c][w] = static_cast<uint32_t>(v) & (w == 0 ? ~1u : ~0u);
                               update();
                           }));
        }
        m_regs.add(reg_def("threshold" + std::to_string(c), PLIC_THRESHOLD(c), 4)
                       .reads([this, c] { return m_threshold[c]; })
                       .peeks([this, c] { return m_threshold[c]; })
                       .writes([this, c](uint64_t v) {
                           m_threshold[c] = static_cast<uint32_t>(v) & PLIC_PRIORITY_MAX;
                           update();
                       }));
        m_regs.add(reg_def("claim" + std::to_string(c), PLIC_CLAIM(c), 4)
                       .reads([this, c] { return claim(c); })
                       .peeks([this, c] { return best_pending(c); })
                       .writes([this, c](uint64_t v) { complete(c, v); }));
    }
}

void plic::source_changed(unsigned src, bool level) {
    // Level-triggered gateway: one request at a time until the handler completes it.
    if (level && !m_in_service[src]) m_pending[src] = true;
    if (!level) m_pending[src] = false;
    update();
}

unsigned plic::best_pending(unsigned ctx) const {
    unsigned best = 0;
    uint32_t best_priority = 0;
    for (unsigned s = 1; s < m_num_sources; ++s) {
        if (!m_pending[s] || !(m_enable[ctx][s / 32] & (1u << (s % 32)))) continue;
        if (m_priority[s] > best_priority) {
            best = s;
            best_priority = m_priority[s];
        }
    }
    return best_priority > m_threshold[ctx] ? best : 0;
}

uint64_t plic::claim(unsigned ctx) {
    const unsigned src = best_pending(ctx);
    if (src != 0) {
        m_pending[src] = false;
        m_in_service[src] = true;
        update();
    }
    return src;
}

void plic::complete(unsigned ctx, uint64_t src) {
    if (src == 0 || src >= m_num_sources) return;
    if (!(m_enable[ctx][src / 32] & (1u << (src % 32)))) return; // ignored, as the spec says
    m_in_service[src] = false;
    if (sources[src].level()) m_pending[src] = true;
    update();
}

void plic::update() {
    for (unsigned c = 0; c < context.size(); ++c)
        context[c].write(best_pending(c) != 0);
}

void plic::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    m_regs.transport(trans, false);
}

unsigned plic::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

} // namespace rainier
