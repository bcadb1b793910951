#include "engine_queue.h"

#include <cstdio>

#include "core/hex.h"
#include "rainier/hw/chip.h"

namespace rainier {

engine_queue::engine_queue(std::string name, unsigned engine, register_bank& regs,
                           semaphore_block& sems, fetch_fn fetch, irq_fn irq)
    : m_name(std::move(name)), m_engine(engine), m_regs(regs), m_sems(sems),
      m_fetch(std::move(fetch)), m_irq(std::move(irq)),
      m_prefix("Q" + std::to_string(engine) + "_") {
    using a = reg_access;
    const uint64_t b = RAINIER_NC_QUEUE(engine);
    const std::string& p = m_prefix;
    auto ro = [&](const char* n, unsigned off, unsigned width, std::function<uint64_t()> get) {
        m_regs.add(reg_def(p + n, b + off, width, a::read_only).reads(get).peeks(get));
    };
    m_regs.add(reg_def(p + "BASE", b + RAINIER_NC_Q_BASE, 8).writes([this](uint64_t) {
        m_cached = false;
    }));
    m_regs.add(reg_def(p + "SIZE", b + RAINIER_NC_Q_SIZE, 4).writes([this](uint64_t) {
        m_cached = false;
    }));
    m_regs.add(reg_def(p + "CTRL", b + RAINIER_NC_Q_CTRL, 4).writes([this](uint64_t v) {
        if (v & RAINIER_NC_Q_CTRL_RESET) {
            reg(RAINIER_NC_Q_CTRL) = v & ~uint64_t(RAINIER_NC_Q_CTRL_RESET);
            reset_queue();
        }
        m_changed.notify(sc_core::SC_ZERO_TIME);
    }));
    ro("HEAD", RAINIER_NC_Q_HEAD, 4, [this] { return uint64_t(m_head); });
    m_regs.add(reg_def(p + "TAIL", b + RAINIER_NC_Q_TAIL, 4));
    m_regs.add(reg_def(p + "DOORBELL", b + RAINIER_NC_Q_DOORBELL, 4, a::write_only)
                   .writes([this](uint64_t) { doorbell(); }));
    ro("COMPLETED", RAINIER_NC_Q_COMPLETED, 4, [this] { return m_completed & 0xffffffffu; });
    m_regs.add(reg_def(p + "STATUS", b + RAINIER_NC_Q_STATUS, 4, a::read_only));
    m_regs.add(reg_def(p + "ERROR", b + RAINIER_NC_Q_ERROR, 4).writes([this](uint64_t v) {
        if (v == 0) { // resume at HEAD
            reg(RAINIER_NC_Q_STATUS) &= ~uint64_t(RAINIER_NC_Q_STATUS_HALTED);
            m_cached = false;
            m_changed.notify(sc_core::SC_ZERO_TIME);
        } else {
            reg(RAINIER_NC_Q_ERROR) = RAINIER_NC_ERR_NONE; // only 0 may be written
        }
    }));
    m_regs.add(reg_def(p + "ERROR_INDEX", b + RAINIER_NC_Q_ERROR_INDEX, 4, a::read_only));
    m_regs.add(reg_def(p + "LAST_TAG", b + RAINIER_NC_Q_LAST_TAG, 4, a::read_only));
    ro("BUSY_CYCLES", RAINIER_NC_Q_BUSY_CYCLES, 8, [this] { return m_busy_cycles; });
    // The bank's storage is stable (map nodes): keep pointers, peek() runs often.
    m_base = &m_regs.value(p + "BASE");
    m_size = &m_regs.value(p + "SIZE");
    m_ctrl = &m_regs.value(p + "CTRL");
    m_tail = &m_regs.value(p + "TAIL");
    m_status = &m_regs.value(p + "STATUS");
    m_error = &m_regs.value(p + "ERROR");
    m_error_index = &m_regs.value(p + "ERROR_INDEX");
    m_last_tag = &m_regs.value(p + "LAST_TAG");
}

uint64_t& engine_queue::reg(unsigned offset) {
    switch (offset) {
    case RAINIER_NC_Q_BASE: return *m_base;
    case RAINIER_NC_Q_SIZE: return *m_size;
    case RAINIER_NC_Q_CTRL: return *m_ctrl;
    case RAINIER_NC_Q_TAIL: return *m_tail;
    case RAINIER_NC_Q_STATUS: return *m_status;
    case RAINIER_NC_Q_ERROR: return *m_error;
    case RAINIER_NC_Q_ERROR_INDEX: return *m_error_index;
    default: return *m_last_tag;
    }
}

void engine_queue::doorbell() {
    const uint32_t tail = static_cast<uint32_t>(reg(RAINIER_NC_Q_TAIL));
    const uint32_t size = static_cast<uint32_t>(reg(RAINIER_NC_Q_SIZE));
    if (uint32_t(tail - m_head) > size) {
        // Overrun: keep the last good TAIL; report it like any other halting error.
        reg(RAINIER_NC_Q_TAIL) = m_accepted_tail;
        reg(RAINIER_NC_Q_ERROR) = RAINIER_NC_ERR_RING_OVERRUN;
        reg(RAINIER_NC_Q_ERROR_INDEX) = tail;
        reg(RAINIER_NC_Q_STATUS) |= RAINIER_NC_Q_STATUS_HALTED;
        ++m_errors;
        std::fprintf(stderr,
                     "warning: %s: ring overrun: TAIL %u is more than SIZE %u ahead of HEAD %u; "
                     "TAIL reverts to %u and the queue halts\n",
                     m_name.c_str(), tail, size, m_head, m_accepted_tail);
        if (m_irq) m_irq(RAINIER_NC_IRQ_ERROR(m_engine), true);
    } else {
        m_accepted_tail = tail;
    }
    m_changed.notify(sc_core::SC_ZERO_TIME);
}

void engine_queue::reset() {
    reset_queue();
    m_changed.notify(sc_core::SC_ZERO_TIME);
}

void engine_queue::reset_queue() {
    m_head = m_accepted_tail = 0;
    m_completed = 0;
    m_cached = false;
    reg(RAINIER_NC_Q_TAIL) = 0;
    reg(RAINIER_NC_Q_STATUS) &= RAINIER_NC_Q_STATUS_BUSY;
    reg(RAINIER_NC_Q_ERROR) = RAINIER_NC_ERR_NONE;
    reg(RAINIER_NC_Q_ERROR_INDEX) = 0;
}

engine_queue::state engine_queue::peek(rainier_nc_insn& insn) {
    uint64_t& status = reg(RAINIER_NC_Q_STATUS);
    if (status & RAINIER_NC_Q_STATUS_HALTED) return state::halted;
    if (!(reg(RAINIER_NC_Q_CTRL) & RAINIER_NC_Q_CTRL_ENABLE) || m_head == m_accepted_tail) {
        status &= ~uint64_t(RAINIER_NC_Q_STATUS_WAITING);
        return state::empty;
    }
    if (!m_cached) {
        const uint64_t size = reg(RAINIER_NC_Q_SIZE);
        const uint64_t base = reg(RAINIER_NC_Q_BASE);
        if (size == 0 || base % RAINIER_NC_INSN_SIZE != 0) {
            fail(RAINIER_NC_ERR_FETCH, "ring BASE " + hex(base) + " / SIZE " +
                                           std::to_string(size) +
                                           " invalid (64-byte aligned base, SIZE >= 1)");
            return state::halted;
        }
        const uint64_t addr = base + (m_head % size) * RAINIER_NC_INSN_SIZE;
        m_insn = rainier_nc_insn{};
        if (!m_fetch(addr, &m_insn, sizeof m_insn)) {
            fail(RAINIER_NC_ERR_FETCH, "instruction fetch from " + hex(addr) + " failed");
            return state::halted;
        }
        m_cached = true;
        if (m_insn.flags & ~RAINIER_NC_FLAGS_ALL) {
            fail(RAINIER_NC_ERR_FIELD,
                 "unknown flag bits " + hex(m_insn.flags & ~RAINIER_NC_FLAGS_ALL));
            return state::halted;
        }
        if ((m_insn.flags & RAINIER_NC_FLAG_WAIT) && m_insn.wait_sem >= RAINIER_SEM_COUNT) {
            fail(RAINIER_NC_ERR_SEMAPHORE, "wait_sem " + std::to_string(m_insn.wait_sem) +
                                               " >= " + std::to_string(RAINIER_SEM_COUNT));
            return state::halted;
        }
        if ((m_insn.flags & RAINIER_NC_FLAG_SEM) && m_insn.sem_id >= RAINIER_SEM_COUNT) {
            fail(RAINIER_NC_ERR_SEMAPHORE, "sem_id " + std::to_string(m_insn.sem_id) +
                                               " >= " + std::to_string(RAINIER_SEM_COUNT));
            return state::halted;
        }
        for (uint32_t r : m_insn.reserved)
            if (r != 0) {
                fail(RAINIER_NC_ERR_FIELD, "reserved words at 0x30..0x3f must be zero");
                return state::halted;
            }
    }
    insn = m_insn;
    if ((insn.flags & RAINIER_NC_FLAG_WAIT) && m_sems.value(insn.wait_sem) < insn.wait_value) {
        status |= RAINIER_NC_Q_STATUS_WAITING;
        return state::waiting;
    }
    status &= ~uint64_t(RAINIER_NC_Q_STATUS_WAITING);
    return state::ready;
}

void engine_queue::pop() {
    ++m_head;
    m_cached = false;
}

void engine_queue::complete(const rainier_nc_insn& insn) {
    ++m_completed;
    reg(RAINIER_NC_Q_LAST_TAG) = insn.tag;
    if (insn.flags & RAINIER_NC_FLAG_SEM) m_sems.add(insn.sem_id, insn.sem_inc);
    if ((insn.flags & RAINIER_NC_FLAG_IRQ) && m_irq) m_irq(RAINIER_NC_IRQ_DONE(m_engine), true);
}

void engine_queue::fail(unsigned code, const std::string& why) {
    reg(RAINIER_NC_Q_ERROR) = code;
    reg(RAINIER_NC_Q_ERROR_INDEX) = m_head;
    reg(RAINIER_NC_Q_STATUS) |= RAINIER_NC_Q_STATUS_HALTED;
    reg(RAINIER_NC_Q_STATUS) &= ~uint64_t(RAINIER_NC_Q_STATUS_WAITING);
    m_cached = false; // software may rewrite the instruction before it resumes
    ++m_errors;
    std::fprintf(stderr, "warning: %s: instruction %u (opcode 0x%02x) rejected, error %u: %s\n",
                 m_name.c_str(), m_head, m_insn.opcode, code, why.c_str());
    if (m_irq) m_irq(RAINIER_NC_IRQ_ERROR(m_engine), true);
}

void engine_queue::set_busy(bool busy) {
    uint64_t& status = reg(RAINIER_NC_Q_STATUS);
    if (busy)
        status |= RAINIER_NC_Q_STATUS_BUSY;
    else
        status &= ~uint64_t(RAINIER_NC_Q_STATUS_BUSY);
}

} // namespace rainier
