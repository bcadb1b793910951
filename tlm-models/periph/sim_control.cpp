#include "sim_control.h"

#include <sstream>

#include "rainier/hw/simctl.h"

namespace rainier {

sim_control::sim_control(sc_core::sc_module_name name, run_control& run)
    : sc_module(name), in("in"), m_run(run), m_regs(this->name()) {
    in.register_b_transport(this, &sim_control::b_transport);
    in.register_transport_dbg(this, &sim_control::transport_dbg);
    m_regs.add(
        reg_def("finisher", SIMCTL_FINISHER, 4, reg_access::write_only).writes([this](uint64_t v) {
            finish(v);
        }));
}

void sim_control::finish(uint64_t value) {
    const unsigned kind = value & 0xffff;
    const int code = static_cast<int>((value >> 16) & 0xffff);
    switch (kind) {
    case SIMCTL_FINISHER_PASS:
        m_run.request_stop(run_outcome::firmware_exit, 0, "sim-control: pass", m_access_time);
        break;
    case SIMCTL_FINISHER_FAIL:
        m_run.request_stop(run_outcome::firmware_exit, code,
                           "sim-control: fail with code " + std::to_string(code), m_access_time);
        break;
    case SIMCTL_FINISHER_RESET:
        // A system reset is not modelled: the run ends cleanly and says so.
        m_run.request_stop(run_outcome::firmware_exit, 0,
                           "sim-control: reset requested (the platform stops instead)",
                           m_access_time);
        break;
    default: {
        // QEMU ignores unknown values; do the same, the write has no effect.
        break;
    }
    }
}

void sim_control::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_access_time = sc_core::sc_time_stamp() + delay;
    m_regs.transport(trans, false);
}

unsigned sim_control::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

} // namespace rainier
