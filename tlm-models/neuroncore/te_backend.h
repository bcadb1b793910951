// What the tensor-engine wrapper (tensor_engine.h) drives: a core that takes LoadStationary and
// MultiplyMoving ops in program order and reports, in engine clock cycles, when each op's first
// beat is accepted and when it is done, with the results of each MultiplyMoving. Two variants
// share this contract bit for bit and cycle for cycle: the Verilated RTL (te_rtl_backend.h) and
// the fast C++ model (te_fast_backend.h). Plain C++, no SystemC.
//
// Cycles are absolute engine cycles. The wrapper presents op i+1 only once op i's first beat is
// known, with `not_before` = the cycle it decided at; the core applies the issue rule of
// rtl/README.md (golden::te_schedule). While ops are in flight `not_before` never exceeds the
// core's current cycle; once everything presented is done the core is idle and is not clocked
// until the next op, which starts at max(its issue-rule cycle, not_before).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor_engine_golden.h"

namespace rainier {

struct te_job {
    golden::te_op_kind kind = golden::te_op_kind::load_stationary;
    golden::dtype dt = golden::dtype::bf16;
    unsigned k = 0;   // rows of the tile (both ops)
    unsigned m = 0;   // load_stationary: weight columns
    unsigned n = 0;   // multiply_moving: moving vectors
    bool acc = false; // multiply_moving: passed through to the outputs
    // Raw elements (FP8 in the low byte): load_stationary K x M at [r * m + c];
    // multiply_moving K x N at [r * n + j].
    std::vector<uint16_t> data;
};

// The core's ports in one clock cycle (just before its rising edge), for waveforms.
struct te_port_sample {
    bool ld_valid, ld_ready, mm_valid, mm_ready, mm_acc;
    bool out_valid, out_first, out_last, out_acc, busy;
    uint8_t ld_dtype, mm_dtype;
    uint16_t ld_k, ld_m, mm_n;
    uint32_t out_lane0; // FP32 bits of output lane 0 (column 0)
};
using te_port_observer = std::function<void(uint64_t cycle, const te_port_sample&)>;

class te_backend {
public:
    virtual ~te_backend() = default;

    virtual unsigned rows() const = 0;
    virtual unsigned cols() const = 0;
    virtual const char* kind() const = 0; // "rtl" or "fast"

    // Queues `job` as the next op in program order; returns its id (0, 1, 2, ...).
    virtual uint64_t present(te_job job, uint64_t not_before) = 0;
    // Cycle in which the first beat of op `id` (the last one presented) is accepted; the RTL
    // is clocked until then.
    virtual uint64_t first_beat(uint64_t id) = 0;
    // True with the cycle op `id` is done (load: last beat; multiply: last output) once that
    // is at or before the cycle of the last first_beat() / finish() answer.
    virtual bool done_by(uint64_t id, uint64_t horizon, uint64_t& cycle) const = 0;
    // Runs until op `id` is done; returns its done cycle.
    virtual uint64_t finish(uint64_t id) = 0;
    // The output of a done multiply (N x cols FP32 bits, [j * cols + c], lanes >= M are +0);
    // releases op `id`, which must be the oldest op not yet released.
    virtual std::vector<uint32_t> retire(uint64_t id) = 0;
    // Gives a retired op's result buffer back for reuse (optional).
    virtual void recycle(std::vector<uint32_t>&& out) { (void)out; }

    // Rising clock edges given to the core (RTL); 0 for the fast model, which has none.
    virtual uint64_t clocked_cycles() const = 0;
    // Calls `f` in every clocked cycle with the port values (RTL only: the fast model has no
    // ports, and ignores it). Costs nothing while unset.
    virtual void observe_ports(te_port_observer f) { (void)f; }
};

// The Verilated core of this size, or std::invalid_argument naming the sizes that are built.
std::unique_ptr<te_backend> make_te_rtl_backend(unsigned rows, unsigned cols);
std::unique_ptr<te_backend> make_te_fast_backend(unsigned rows, unsigned cols);

// "32x32" or "32x32, 128x128": the RTL sizes built into this binary.
std::string te_rtl_sizes();

} // namespace rainier
