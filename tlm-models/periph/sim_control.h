// Simulation control, compatible with QEMU's sifive_test: a 32-bit write of PASS, FAIL (code in
// bits 31:16) or RESET to the finisher register ends the run through run_control.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/register_bank.h"
#include "core/run_control.h"

namespace rainier {

class sim_control : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<sim_control> in;

    sim_control(sc_core::sc_module_name name, run_control& run);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void finish(uint64_t value);

    run_control& m_run;
    sc_core::sc_time m_access_time;
    register_bank m_regs;
};

} // namespace rainier
