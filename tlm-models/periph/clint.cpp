#include "clint.h"

#include "rainier/hw/clint.h"

namespace rainier {

clint::clint(sc_core::sc_module_name name, uint64_t timebase_hz)
    : sc_module(name), in("in"), m_timebase_hz(timebase_hz),
      m_tick(sc_core::sc_time::from_seconds(1.0 / static_cast<double>(timebase_hz))),
      m_mtimecmp(~uint64_t(0)), m_regs(this->name()) {
    in.register_b_transport(this, &clint::b_transport);
    in.register_transport_dbg(this, &clint::transport_dbg);

    m_regs.add(reg_def("msip", CLINT_MSIP(0), 4).writes([this](uint64_t v) {
        m_regs.value("msip") = v & 1;
        msip.write(v & 1);
    }));
    m_regs.add(
        reg_def("mtimecmp", CLINT_MTIMECMP(0), 8).reset_to(~uint64_t(0)).writes([this](uint64_t v) {
            m_mtimecmp = v;
            update_timer(m_access_time);
        }));
    m_regs.add(reg_def("mtime", CLINT_MTIME, 8)
                   .reads([this] { return mtime_at(m_access_time); })
                   .writes([this](uint64_t v) {
                       m_mtime_offset += static_cast<int64_t>(v - mtime_at(m_access_time));
                       update_timer(m_access_time);
                   })
                   .peeks([this] { return mtime_at(sc_core::sc_time_stamp()); }));
    m_regs.reset();

    SC_HAS_PROCESS(clint);
    SC_METHOD(timer_expired);
    sensitive << m_timer_event;
    dont_initialize();
}

uint64_t clint::mtime_at(sc_core::sc_time t) const {
    return static_cast<uint64_t>(t / m_tick) + static_cast<uint64_t>(m_mtime_offset);
}

void clint::update_timer(sc_core::sc_time now) {
    m_timer_event.cancel();
    const uint64_t mtime = mtime_at(now);
    if (mtime >= m_mtimecmp) {
        mtip.write(true);
        return;
    }
    mtip.write(false);
    // Wake when mtime reaches mtimecmp, counted from kernel time (the access may be ahead).
    const uint64_t ticks_left = m_mtimecmp - mtime;
    const double max_ticks = 1e12; // far beyond any run; avoids overflowing sc_time
    const sc_core::sc_time at = now + m_tick * (static_cast<double>(ticks_left) < max_ticks
                                                    ? static_cast<double>(ticks_left)
                                                    : max_ticks);
    m_timer_event.notify(at - sc_core::sc_time_stamp());
}

void clint::timer_expired() {
    update_timer(sc_core::sc_time_stamp());
}

void clint::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_access_time = sc_core::sc_time_stamp() + delay;
    m_regs.transport(trans, false);
}

unsigned clint::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

} // namespace rainier
