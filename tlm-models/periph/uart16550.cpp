#include "uart16550.h"

#include "rainier/hw/uart16550.h"

namespace rainier {

uart16550::uart16550(sc_core::sc_module_name name) : sc_module(name), in("in") {
    in.register_b_transport(this, &uart16550::b_transport);
    in.register_transport_dbg(this, &uart16550::transport_dbg);
}

size_t uart16550::m_rx_depth() const {
    return (m_fcr & UART_FCR_ENABLE) ? UART_FIFO_DEPTH : 1;
}

void uart16550::receive(uint8_t c) {
    if (m_rx.size() >= m_rx_depth()) {
        m_overrun = true;
    } else {
        m_rx.push_back(c);
    }
    update_irq();
}

uint8_t uart16550::lsr() const {
    uint8_t v = UART_LSR_THRE | UART_LSR_TEMT; // transmission is instantaneous
    if (!m_rx.empty()) v |= UART_LSR_DR;
    if (m_overrun) v |= UART_LSR_OE;
    return v;
}

uint8_t uart16550::iir() const {
    uint8_t id = UART_IIR_NO_INT;
    if ((m_ier & UART_IER_ELSI) && m_overrun)
        id = UART_IIR_RLS;
    else if ((m_ier & UART_IER_ERBFI) && !m_rx.empty())
        id = UART_IIR_RDA;
    else if ((m_ier & UART_IER_ETBEI) && m_thr_interrupt)
        id = UART_IIR_THRE;
    if (m_fcr & UART_FCR_ENABLE) id |= UART_IIR_FIFO_ENABLED;
    return id;
}

void uart16550::update_irq() {
    irq.write((iir() & UART_IIR_NO_INT) == 0);
}

uint8_t uart16550::read_reg(unsigned reg, bool debug) {
    const bool dlab = m_lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_RBR: {
        if (dlab) return m_dll;
        if (m_rx.empty()) return 0;
        const uint8_t c = m_rx.front();
        if (!debug) {
            m_rx.pop_front();
            update_irq();
        }
        return c;
    }
    case UART_IER: return dlab ? m_dlm : m_ier;
    case UART_IIR: {
        const uint8_t v = iir();
        // Reading IIR while it reports THR empty acknowledges that interrupt.
        if (!debug && (v & UART_IIR_ID_MASK) == UART_IIR_THRE) {
            m_thr_interrupt = false;
            update_irq();
        }
        return v;
    }
    case UART_LCR: return m_lcr;
    case UART_MCR: return m_mcr;
    case UART_LSR: {
        const uint8_t v = lsr();
        if (!debug && m_overrun) {
            m_overrun = false;
            update_irq();
        }
        return v;
    }
    case UART_MSR: return 0xb0; // DCD, DSR, CTS asserted: a connected terminal
    default: return m_scr;
    }
}

void uart16550::write_reg(unsigned reg, uint8_t v) {
    const bool dlab = m_lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_THR:
        if (dlab) {
            m_dll = v;
            return;
        }
        if (m_mcr & UART_MCR_LOOP) {
            receive(v);
        } else if (transmit) {
            transmit(v);
        }
        // The character is gone at once, so THR is empty again.
        m_thr_interrupt = true;
        break;
    case UART_IER:
        if (dlab) {
            m_dlm = v;
            return;
        }
        // Enabling the THR-empty interrupt while THR is empty raises it (as on a real 16550).
        if ((v & UART_IER_ETBEI) && !(m_ier & UART_IER_ETBEI)) m_thr_interrupt = true;
        m_ier = v & 0x0f;
        break;
    case UART_FCR:
        m_fcr = v & (UART_FCR_ENABLE | 0xc0);
        if (v & UART_FCR_CLEAR_RX) m_rx.clear();
        if (!(v & UART_FCR_ENABLE)) m_rx.clear();
        break;
    case UART_LCR: m_lcr = v; break;
    case UART_MCR: m_mcr = v & 0x1f; break;
    case UART_LSR:
    case UART_MSR: break; // read-only; writes ignored as on the real part
    default: m_scr = v; break;
    }
    update_irq();
}

bool uart16550::access(tlm::tlm_generic_payload& trans, bool debug) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    if (addr >= UART_NUM_REGS || len != 1 || trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    unsigned char* data = trans.get_data_ptr();
    if (trans.is_read()) {
        data[0] = read_reg(static_cast<unsigned>(addr), debug);
    } else if (trans.is_write()) {
        if (!debug) write_reg(static_cast<unsigned>(addr), data[0]);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void uart16550::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    access(trans, false);
}

unsigned uart16550::transport_dbg(tlm::tlm_generic_payload& trans) {
    return access(trans, true) ? 1 : 0;
}

} // namespace rainier
