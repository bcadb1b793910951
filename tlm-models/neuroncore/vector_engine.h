// The vector engine of a NeuronCore: takes instructions from its engine_queue in order, checks
// them, computes ACTIVATE / TENSOR_TENSOR / TENSOR_SCALAR / REDUCE / COPY on SBUF and PSUM
// tiles with the arithmetic of golden/vector_ops (FP32 inside, docs/numerics.md) and holds the
// queue for its cost: overhead + one cycle per input element of a partition, all partitions in
// parallel (vector_ops::cycles). Results are in place when the instruction starts; completion
// (semaphore, tag, interrupt) comes at its end, so synchronised readers never see the early
// write. One LFSR per engine, seeded from the config, for stochastic rounding.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

#include "core_sram.h"
#include "engine_queue.h"
#include "probes.h"
#include "vector_ops.h"

namespace rainier {

struct vector_engine_config {
    // Trainium2 VectorE: 0.96 GHz (AWS NKI "Trainium2 Architecture Guide", engine table).
    double clock_hz = 0.96e9;
    // Static instruction overhead: 100 engine cycles (AWS NKI "Trainium/Inferentia2
    // Architecture Guide", VectorE cost model; published for NeuronCore-v2, assumed for v3).
    unsigned overhead_cycles = 100;
    uint32_t seed = 1; // stochastic-rounding LFSR (0 acts as 1)
};

class vector_engine : public sc_core::sc_module {
public:
    vector_engine(sc_core::sc_module_name name, const vector_engine_config& cfg, engine_queue& q,
                  core_sram& sram);

    const vector_engine_config& cfg() const { return m_cfg; }
    uint64_t instructions() const { return m_instructions; }
    uint64_t elements() const { return m_elements; } // source elements processed
    // Duration of `cycles` engine cycles.
    sc_core::sc_time cycle_time(uint64_t cycles) const;

    // Timeline: one row, a slice per instruction with its operands. Waveform: busy, opcode.
    void attach_probes(const probes& p, const std::string& group, const std::string& scope);

private:
    void run();
    // 0 and the operands resolved, or an error code with `why`.
    unsigned validate(const rainier_nc_insn& insn, vector_ops::tile& dst, vector_ops::tile& src0,
                      vector_ops::tile& src1, std::string& why) const;
    void record(const rainier_nc_insn& insn, uint32_t index, uint64_t cycles,
                const sc_core::sc_time& start);

    vector_engine_config m_cfg;
    engine_queue& m_queue;
    core_sram& m_sram;
    vector_ops::executor m_exec;
    uint64_t m_instructions = 0, m_elements = 0;

    probes m_probes;
    timeline::row m_row = 0;
    wave_writer::handle m_wave_busy = 0, m_wave_opcode = 0;
};

} // namespace rainier
