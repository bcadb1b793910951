// Core-local interruptor: machine software interrupt (msip), the platform timer (mtime) and
// its compare register (mtimecmp). mtime is derived from simulated time, never stepped.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/irq.h"
#include "core/register_bank.h"

namespace rainier {

class clint : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<clint> in;
    irq_out msip;
    irq_out mtip;

    clint(sc_core::sc_module_name name, uint64_t timebase_hz);

    uint64_t mtime_at(sc_core::sc_time t) const;
    uint64_t timebase_hz() const { return m_timebase_hz; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void update_timer(sc_core::sc_time now);
    void timer_expired();

    uint64_t m_timebase_hz;
    sc_core::sc_time m_tick;
    int64_t m_mtime_offset = 0; // set by writes to mtime
    uint64_t m_mtimecmp;
    sc_core::sc_time m_access_time;
    sc_core::sc_event m_timer_event;
    register_bank m_regs;
};

} // namespace rainier
