// 16550A UART: byte registers, 16-byte receive FIFO, transmit that completes at once (the
// character goes straight to the console sink), interrupts for received data, THR empty and
// line status, through one irq_out.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/irq.h"

namespace rainier {

class uart16550 : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<uart16550> in;
    irq_out irq;

    std::function<void(uint8_t)> transmit; // each character written to THR

    explicit uart16550(sc_core::sc_module_name name);

    // A character arrives on the receive line (from the console).
    void receive(uint8_t c);
    bool rx_full() const { return m_rx.size() >= m_rx_depth(); }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    bool access(tlm::tlm_generic_payload& trans, bool debug);
    uint8_t read_reg(unsigned reg, bool debug);
    void write_reg(unsigned reg, uint8_t value);
    uint8_t lsr() const;
    uint8_t iir() const;
    void update_irq();
    size_t m_rx_depth() const;

    std::deque<uint8_t> m_rx;
    uint8_t m_ier = 0, m_lcr = 0, m_mcr = 0, m_scr = 0, m_dll = 0, m_dlm = 0, m_fcr = 0;
    bool m_overrun = false;
    bool m_thr_interrupt = false; // THR-empty interrupt pending (cleared by IIR read or THR write)
};

} // namespace rainier
