// Golden model of the tensor engine core (rtl/te_core.sv): same operations, same numerics,
// same summation order, same cycle counts (docs/tensor-engine.md). No SystemC.
#pragma once

#include "numerics.h"

#include <cstdint>
#include <vector>

namespace rainier::golden {

using numerics::dtype;

// Cycle formulas of the core, functions of its size (and of K, M, N where they matter).
struct te_timing {
    unsigned rows;
    unsigned cols;

    // Cycles from a moving beat being accepted to its output vector being valid.
    unsigned latency() const { return rows + cols + 1; }
    // LoadStationary occupies the load port for M cycles (one weight column per cycle).
    unsigned load_stationary_cycles(unsigned m) const { return m; }
    // MultiplyMoving occupies the moving port for N cycles.
    unsigned multiply_moving_issue_cycles(unsigned n) const { return n; }
    // First moving beat accepted to last output valid, both cycles included.
    unsigned multiply_moving_cycles(unsigned n) const { return n + latency(); }
};

enum class te_op_kind : uint8_t { load_stationary, multiply_moving };

struct te_op {
    te_op_kind kind;
    dtype dt;
    unsigned k = 0;   // load_stationary: rows of the weight tile (1..ROWS)
    unsigned m = 0;   // load_stationary: columns of the weight tile (1..COLS)
    unsigned n = 0;   // multiply_moving: moving vectors (1..512)
    bool acc = false; // multiply_moving: accumulate flag, passed to the outputs
    // load_stationary: K x M, element [k][m] at data[k * M + m]
    // multiply_moving: ROWS x N, element [k][j] at data[k * N + j] (rows >= K ignored)
    std::vector<uint16_t> data;
};

// When each op of an in-order program happens on the core's ports, with every op
// presented as early as the issue rules allow and no gaps inside an op.
struct te_op_times {
    uint64_t first;     // cycle the op's first beat is accepted
    uint64_t last;      // cycle its last beat is accepted
    uint64_t out_first; // multiply_moving: first output valid
    uint64_t out_last;  // multiply_moving: last output valid
};

std::vector<te_op_times> te_schedule(const te_timing& timing, const std::vector<te_op>& program);

class tensor_engine_golden {
public:
    static constexpr unsigned max_n = 512;

    tensor_engine_golden(unsigned rows, unsigned cols);

    unsigned rows() const { return m_rows; }
    unsigned cols() const { return m_cols; }
    te_timing timing() const { return {m_rows, m_cols}; }

    // Weight tile K x M, w[k * m + j] is the raw element (FP8 in the low byte).
    void load_stationary(dtype dt, unsigned k, unsigned m, const uint16_t* w);

    // Moving tile K x N (K from the last load_stationary), x[kk * n + j], row stride n.
    // out[j * cols + c] is output vector j, lane c, FP32 bits; lanes c >= M are +0.
    // Before any load_stationary every lane is +0.
    void multiply_moving(dtype dt, unsigned n, const uint16_t* x, uint32_t* out) const;

    // One column: the fixed summation order of the array, top row first, from -0 (the
    // identity of RNE addition, so the first product passes unchanged).
    static uint32_t dot(const uint16_t* w_bf16, const uint16_t* x_bf16, unsigned k);

    // Applies one op of a program; for multiply_moving fills out (N x cols).
    void apply(const te_op& op, std::vector<uint32_t>* out);

private:
    unsigned m_rows;
    unsigned m_cols;
    unsigned m_k = 0;
    unsigned m_m = 0;
    std::vector<uint16_t> m_w; // decoded BF16, column-major: [c * rows + r]
};

} // namespace rainier::golden
