// One engine's instruction ring (rainier/hw/neuroncore.h): its registers in the core's register
// bank, the fetch of 64-byte instructions, the semaphore wait of the instruction at HEAD, and
// completion (semaphore increment, tag, COMPLETED, interrupt) and errors (the queue halts).
// The engine's thread drives it: peek() the instruction at HEAD, validate it, pop() it when it
// starts, complete() it when its results are in place, in the order of pop(). Engines may keep
// several instructions in flight (the tensor engine overlaps a load with a multiply).
//
// Instruction fetch is untimed: the engine is assumed to prefetch far enough ahead that fetch
// latency never shows (its bytes still cross the bus, so a bad ring address is an error).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <systemc>

#include "core/register_bank.h"
#include "rainier/hw/neuroncore.h"
#include "semaphore_block.h"

namespace rainier {

class engine_queue {
public:
    // Reads `len` bytes at global address `addr`; false on a bus error.
    using fetch_fn = std::function<bool(uint64_t addr, void* dst, unsigned len)>;
    // Called when this queue's interrupt bits (done, error) change.
    using irq_fn = std::function<void(uint32_t done_and_error_bits, bool set)>;

    enum class state {
        ready,   // `insn` is the instruction at HEAD and may start now
        empty,   // HEAD == TAIL, or the queue is disabled
        waiting, // the instruction at HEAD waits for its semaphore
        halted,  // stopped on an error until software clears ERROR or resets the queue
    };

    // `name` is used in messages (e.g. "chip0.core0.tensor"); registers are added to `regs` at
    // RAINIER_NC_QUEUE(engine) + offset.
    engine_queue(std::string name, unsigned engine, register_bank& regs, semaphore_block& sems,
                 fetch_fn fetch, irq_fn irq);

    const std::string& name() const { return m_name; }
    unsigned engine() const { return m_engine; }

    // The instruction at HEAD, fetched if needed. Checks the fields common to every
    // instruction (flags, semaphore indices, fetch errors); if they are bad the queue halts
    // and the answer is `halted`. Never waits.
    state peek(rainier_nc_insn& insn);
    uint32_t head() const { return m_head; }

    // The engine has taken the instruction at HEAD (HEAD advances).
    void pop();
    // An instruction taken earlier has completed, now (in pop order).
    void complete(const rainier_nc_insn& insn);
    // The instruction at HEAD is invalid: halt with `code`; `why` says what exactly (it is
    // printed with the queue name and ring index).
    void fail(unsigned code, const std::string& why);

    // Notified on doorbell, semaphore change, resume and reset: wait on it after `empty`,
    // `waiting` or `halted`.
    const sc_core::sc_event& changed() const { return m_changed; }
    const sc_core::sc_event& sem_changed() const { return m_sems.changed(); }

    // CTRL_RESET: HEAD = TAIL = COMPLETED = 0, error cleared; ENABLE stays. Instructions
    // already taken by the engine still complete.
    void reset();

    void set_busy(bool busy);
    void add_busy_cycles(uint64_t cycles) { m_busy_cycles += cycles; }
    uint64_t busy_cycles() const { return m_busy_cycles; }
    uint64_t completed() const { return m_completed; }
    uint64_t errors() const { return m_errors; }

private:
    void doorbell();
    void reset_queue();
    uint64_t& reg(unsigned offset);

    std::string m_name;
    unsigned m_engine;
    register_bank& m_regs;
    semaphore_block& m_sems;
    fetch_fn m_fetch;
    irq_fn m_irq;
    std::string m_prefix; // register names
    uint64_t *m_base, *m_size, *m_ctrl, *m_tail, *m_status, *m_error, *m_error_index, *m_last_tag;
    uint32_t m_head = 0;
    uint32_t m_accepted_tail = 0;
    uint64_t m_completed = 0;
    uint64_t m_errors = 0;
    uint64_t m_busy_cycles = 0;
    bool m_cached = false; // m_insn holds the instruction at m_head
    rainier_nc_insn m_insn{};
    sc_core::sc_event m_changed;
};

} // namespace rainier
