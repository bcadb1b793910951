// The tensor engine of a NeuronCore: a TLM wrapper that takes LOAD_STATIONARY and
// MULTIPLY_MOVING instructions from its engine_queue, checks them, reads their operands from
// SBUF, runs them on a core (the Verilated RTL or the fast model, te_backend.h) and writes or
// accumulates the results into PSUM. Times are the core's clock cycles: instruction i+1 is
// fetched and presented in the cycle instruction i's first beat is accepted (so a load
// overlaps the multiply before it and multiplies stream back to back), and each instruction
// completes at its cycle, in program order. With nothing startable the engine drains (finishes
// everything in flight) before it blocks, so both cores see the same cycles
// (docs/tensor-engine.md, "The TLM wrapper").
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <systemc>

#include "core_sram.h"
#include "engine_queue.h"
#include "probes.h"
#include "te_backend.h"

namespace rainier {

enum class te_mode { rtl, fast };

const char* te_mode_name(te_mode mode);

struct tensor_engine_config {
    unsigned rows = 32, cols = 32;
    double clock_hz = 2.4e9;
    te_mode mode = te_mode::rtl;
};

class tensor_engine : public sc_core::sc_module {
public:
    // Throws std::invalid_argument for an RTL size that is not built or a bad clock.
    tensor_engine(sc_core::sc_module_name name, const tensor_engine_config& cfg, engine_queue& q,
                  core_sram& sram);
    ~tensor_engine() override;

    const tensor_engine_config& cfg() const { return m_cfg; }
    sc_core::sc_time period() const { return m_period; }
    sc_core::sc_time cycle_time(uint64_t cycle) const;

    // Counters for stats and utilisation.
    uint64_t instructions() const { return m_instructions; } // completed
    uint64_t macs() const { return m_macs; }                 // sum over multiplies of K*M*N
    uint64_t busy_cycles() const { return m_busy_cycles; }   // cycles the core is clocked
    uint64_t moving_beats() const { return m_moving_beats; } // sum of N
    uint64_t load_beats() const { return m_load_beats; }     // sum of M
    // Cycles from the first instruction's first beat to the last completion: the span over
    // which utilisation (MACs / (rows * cols * span)) is measured, idle gaps included.
    uint64_t active_cycles() const {
        return m_instructions > 0 ? m_last_done + 1 - m_first_start : 0;
    }
    // Host wall-clock seconds the simulation spent over that span (everything the simulator
    // did meanwhile, not only the engine): how fast a kernel simulates in each mode.
    double active_wall_s() const {
        return m_instructions > 0
                   ? std::chrono::duration<double>(m_wall_last - m_wall_first).count()
                   : 0.0;
    }
    const te_backend& backend() const { return *m_core; }

    // Called at each completion with the instruction and its completion cycle (tests, tools).
    using completion_fn = std::function<void(const rainier_nc_insn&, uint64_t cycle)>;
    void on_completion(completion_fn f) { m_on_completion = std::move(f); }

    // Timeline: one row, a slice per instruction from its first beat to its completion.
    // Waveform: busy, and the opcode of the instruction that started last.
    void attach_probes(const probes& p, const std::string& group, const std::string& scope);

private:
    struct in_flight {
        rainier_nc_insn insn;
        uint32_t index; // ring index
        uint64_t id;    // backend op
        uint64_t first; // first beat
        unsigned k, m, n;
        sram_tile dst; // multiply: where the result goes
    };

    void run();
    void trace_ports(wave_writer& wave, const std::string& scope);
    // 0 and `job` / `dst` filled with the operands, or an error code with `why`.
    unsigned decode(const rainier_nc_insn& insn, te_job& job, sram_tile& dst, std::string& why);
    void start(const rainier_nc_insn& insn, te_job job, const sram_tile& dst, uint64_t cycle);
    // Completes, at their cycles, the in-flight instructions done by `horizon`.
    void retire_until(uint64_t horizon);
    // Runs everything in flight to completion.
    void drain();
    void retire_front(uint64_t done_cycle);
    void write_psum(const in_flight& f, const std::vector<uint32_t>& out);
    void wait_until_cycle(uint64_t cycle);
    uint64_t current_cycle() const; // the first cycle that starts at or after now

    tensor_engine_config m_cfg;
    engine_queue& m_queue;
    core_sram& m_sram;
    std::unique_ptr<te_backend> m_core;
    sc_core::sc_time m_period;

    std::deque<in_flight> m_in_flight;
    uint64_t m_next_cycle = 0;   // earliest cycle the next instruction may be presented
    uint64_t m_last_retire = 0;  // completion cycle of the last completed instruction
    uint64_t m_busy_counted = 0; // busy cycles are counted up to here (exclusive)
    bool m_loaded = false;       // a LOAD_STATIONARY has been taken
    unsigned m_loaded_k = 0, m_loaded_m = 0;

    uint64_t m_instructions = 0, m_macs = 0, m_busy_cycles = 0;
    uint64_t m_moving_beats = 0, m_load_beats = 0;
    uint64_t m_first_start = 0, m_last_done = 0;
    std::chrono::steady_clock::time_point m_wall_first, m_wall_last;
    bool m_started_any = false;
    completion_fn m_on_completion;

    probes m_probes;
    timeline::row m_row = 0;
    wave_writer::handle m_wave_busy = 0, m_wave_opcode = 0;
};

} // namespace rainier
