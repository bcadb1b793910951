#include "rv64_cpu.h"

#include <algorithm>
#include <cstdio>

namespace rainier {

rv64_cpu::rv64_cpu(sc_core::sc_module_name name, const config& cfg)
    : sc_module(name), bus("bus"), m_cfg(cfg),
      m_hart(*this, rv64::hart::config{cfg.hartid, cfg.misaligned_traps}),
      m_period(sc_core::sc_time::from_seconds(1.0 / cfg.clock_hz)) {
    m_hart.reset(cfg.reset_pc);
    bus.register_invalidate_direct_mem_ptr(this, &rv64_cpu::invalidate_direct_mem_ptr);
    msip.set_handler([this](bool l) { irq_changed(rv64::irq::msi, l); });
    mtip.set_handler([this](bool l) { irq_changed(rv64::irq::mti, l); });
    meip.set_handler([this](bool l) { irq_changed(rv64::irq::mei, l); });
    seip.set_handler([this](bool l) { irq_changed(rv64::irq::sei, l); });
    SC_HAS_PROCESS(rv64_cpu);
    SC_THREAD(thread);
}

void rv64_cpu::attach_probes(const probes& p, const std::string& scope) {
    m_probes = p;
    if (wave_writer* w = p.wave) {
        m_wave_priv = w->add_signal(scope, "priv", 2);
        m_wave_wfi = w->add_signal(scope, "wfi", 1);
        const char* names[4] = {"msip", "mtip", "meip", "seip"};
        for (unsigned i = 0; i < 4; ++i)
            m_wave_irq[i] = w->add_signal(scope + ".irq", names[i], 1);
        w->change(m_wave_priv, sc_core::SC_ZERO_TIME, static_cast<uint64_t>(m_hart.priv()));
        w->change(m_wave_wfi, sc_core::SC_ZERO_TIME, 0);
        for (unsigned i = 0; i < 4; ++i)
            w->change(m_wave_irq[i], sc_core::SC_ZERO_TIME, 0);
        m_hart.on_privilege_change = [this](rv64::privilege now) {
            m_probes.wave->change(m_wave_priv, local_time(), static_cast<uint64_t>(now));
        };
    }
    if (timeline* t = p.trace) {
        m_row = t->add_row("host", scope);
        m_hart.on_trap = [this](uint64_t mcause, uint64_t pc) {
            char hex[24];
            std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(pc));
            m_probes.trace->instant(m_row, rv64::cause_name(mcause), local_time(),
                                    {{"mcause", mcause}, {"pc", hex}});
        };
    }
}

void rv64_cpu::irq_changed(unsigned irq_bit, bool level) {
    if (m_probes.wave) {
        const unsigned index = irq_bit == rv64::irq::msi   ? 0
                               : irq_bit == rv64::irq::mti ? 1
                               : irq_bit == rv64::irq::mei ? 2
                                                           : 3;
        m_probes.wave->change(m_wave_irq[index], local_time(), level);
    }
    const bool was_waiting = m_hart.waiting_for_interrupt();
    m_hart.set_interrupt(irq_bit, level);
    if (was_waiting && !m_hart.waiting_for_interrupt()) m_wakeup.notify(sc_core::SC_ZERO_TIME);
}

sc_core::sc_time rv64_cpu::local_time() const {
    return sc_core::sc_time_stamp() + m_qk.get_local_time() +
           m_period * static_cast<double>(m_hart.cycles() - m_run_start_cycles);
}

void rv64_cpu::thread() {
    const sc_core::sc_time quantum = tlm_utils::tlm_quantumkeeper::get_global_quantum();
    m_qk.reset();
    for (;;) {
        if (m_debugger) m_debugger->before_run();
        if (m_hart.halted()) {
            m_qk.sync();
            return;
        }
        if (m_hart.waiting_for_interrupt()) {
            m_qk.sync();
            const sc_core::sc_time slept_from = sc_core::sc_time_stamp();
            if (m_probes.wave) m_probes.wave->change(m_wave_wfi, slept_from, 1);
            wait(m_wakeup);
            if (m_probes.wave) m_probes.wave->change(m_wave_wfi, sc_core::sc_time_stamp(), 0);
            if (m_probes.trace)
                m_probes.trace->slice(m_row, "wfi", slept_from, sc_core::sc_time_stamp());
            m_hart.add_idle_cycles(
                static_cast<uint64_t>((sc_core::sc_time_stamp() - slept_from) / m_period));
            continue;
        }
        uint64_t budget = 1;
        if (quantum > m_qk.get_local_time())
            budget = std::max<uint64_t>(
                1, static_cast<uint64_t>((quantum - m_qk.get_local_time()) / m_period));
        if (m_cfg.max_instructions != 0) {
            const uint64_t retired = m_hart.instret();
            if (retired >= m_cfg.max_instructions) {
                if (on_instruction_limit) on_instruction_limit();
                m_hart.request_halt();
                continue;
            }
            budget = std::min(budget, m_cfg.max_instructions - retired);
        }
        if (m_debugger) budget = std::min(budget, m_debugger->step_limit());
        m_run_start_cycles = m_hart.cycles();
        m_hart.run(budget);
        if (m_debugger) m_debugger->after_run(m_hart.last_stop());
        const uint64_t cycles = m_hart.cycles() - m_run_start_cycles;
        m_run_start_cycles = m_hart.cycles();
        m_qk.inc(m_period * static_cast<double>(cycles));
        if (m_qk.need_sync()) m_qk.sync();
    }
}

bool rv64_cpu::transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    m_trans.set_command(cmd);
    m_trans.set_address(addr);
    m_trans.set_data_ptr(static_cast<unsigned char*>(data));
    m_trans.set_data_length(len);
    m_trans.set_streaming_width(len);
    m_trans.set_byte_enable_ptr(nullptr);
    m_trans.set_dmi_allowed(false);
    m_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);

    const sc_core::sc_time offset =
        m_qk.get_local_time() +
        m_period * static_cast<double>(m_hart.cycles() - m_run_start_cycles);
    sc_core::sc_time delay = offset;
    bus->b_transport(m_trans, delay);
    if (delay > offset) m_qk.inc(delay - offset);
    if (!m_trans.is_response_ok()) return false;

    if (m_trans.is_dmi_allowed()) {
        tlm::tlm_dmi dmi;
        m_trans.set_address(addr);
        if (bus->get_direct_mem_ptr(m_trans, dmi) && dmi.is_read_allowed())
            m_hart.add_dmi(dmi.get_start_address(), dmi.get_end_address(), dmi.get_dmi_ptr(),
                           dmi.is_write_allowed());
    }
    return true;
}

bool rv64_cpu::read(uint64_t addr, void* data, unsigned len, bool) {
    return transport(tlm::TLM_READ_COMMAND, addr, data, len);
}

bool rv64_cpu::write(uint64_t addr, const void* data, unsigned len) {
    return transport(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
}

uint64_t rv64_cpu::read_time() {
    return time_source ? time_source(local_time()) : 0;
}

void rv64_cpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    m_hart.invalidate_dmi(start, end);
}

} // namespace rainier

namespace rainier {

bool rv64_cpu::debug_access(bool write, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload trans;
    trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(addr);
    trans.set_data_ptr(static_cast<unsigned char*>(data));
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    return bus->transport_dbg(trans) == len;
}

} // namespace rainier
