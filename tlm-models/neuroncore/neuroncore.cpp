#include "neuroncore.h"

namespace rainier {

neuroncore::neuroncore(sc_core::sc_module_name name, const neuroncore_config& cfg,
                       semaphore_block& sems, partitioned_sram& sbuf, partitioned_sram& psum)
    : sc_module(name), regs("regs"), out("out"), m_cfg(cfg), m_regs(this->name()),
      m_sram(sbuf, psum) {
    regs.register_b_transport(this, &neuroncore::b_transport);
    regs.register_transport_dbg(this, &neuroncore::transport_dbg);
    using a = reg_access;
    m_regs.add(reg_def("ID", RAINIER_NC_ID, 4, a::read_only).reset_to(cfg.index));
    m_regs.add(reg_def("NUM_ENGINES", RAINIER_NC_NUM_ENGINES, 4, a::read_only)
                   .reset_to(RAINIER_NC_ENGINES));
    auto status = [this] { return uint64_t(m_irq_status); };
    m_regs.add(reg_def("IRQ_STATUS", RAINIER_NC_IRQ_STATUS, 4)
                   .reads(status)
                   .peeks(status)
                   .writes([this](uint64_t v) { // write one to clear
                       m_irq_status &= ~static_cast<uint32_t>(v);
                       update_irq();
                   }));
    m_regs.add(
        reg_def("IRQ_ENABLE", RAINIER_NC_IRQ_ENABLE, 4).writes([this](uint64_t) { update_irq(); }));
    m_irq_enable = &m_regs.value("IRQ_ENABLE");

    static const char* const engine_names[RAINIER_NC_ENGINES] = {"tensor", "vector"};
    for (unsigned e = 0; e < RAINIER_NC_ENGINES; ++e)
        m_queues[e] = std::make_unique<engine_queue>(
            std::string(this->name()) + "." + engine_names[e], e, m_regs, sems,
            [this](uint64_t addr, void* dst, unsigned len) { return fetch(addr, dst, len); },
            [this](uint32_t bits, bool set) { on_queue_irq(bits, set); });
    m_te =
        std::make_unique<tensor_engine>("te", cfg.te, *m_queues[RAINIER_NC_ENGINE_TENSOR], m_sram);
    m_ve =
        std::make_unique<vector_engine>("ve", cfg.ve, *m_queues[RAINIER_NC_ENGINE_VECTOR], m_sram);
}

bool neuroncore::fetch(uint64_t addr, void* dst, unsigned len) {
    // Untimed (engine_queue.h): the delay is dropped, the bytes are real.
    m_fetch.set_command(tlm::TLM_READ_COMMAND);
    m_fetch.set_address(addr);
    m_fetch.set_data_ptr(static_cast<unsigned char*>(dst));
    m_fetch.set_data_length(len);
    m_fetch.set_streaming_width(len);
    m_fetch.set_byte_enable_ptr(nullptr);
    m_fetch.set_dmi_allowed(false);
    m_fetch.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(m_fetch, delay);
    return m_fetch.is_response_ok();
}

void neuroncore::on_queue_irq(uint32_t bits, bool set) {
    if (set)
        m_irq_status |= bits;
    else
        m_irq_status &= ~bits;
    update_irq();
}

void neuroncore::update_irq() {
    irq.write((m_irq_status & *m_irq_enable) != 0);
}

void neuroncore::reset_engines() {
    for (auto& q : m_queues)
        q->reset();
    m_irq_status = 0;
    update_irq();
}

void neuroncore::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    m_regs.transport(trans, false);
}

unsigned neuroncore::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

void neuroncore::attach_probes(const probes& p, const std::string& group) {
    const std::string core = std::string(basename());
    m_te->attach_probes(p, group, core + ".te");
    m_ve->attach_probes(p, group, core + ".ve");
}

} // namespace rainier
