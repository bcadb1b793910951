#include "tensor_engine_golden.h"

#include <algorithm>
#include <stdexcept>

namespace rainier::golden {

using namespace rainier::numerics;

std::vector<te_op_times> te_schedule(const te_timing& timing, const std::vector<te_op>& program) {
    std::vector<te_op_times> times;
    times.reserve(program.size());
    uint64_t ld_free = 0; // first cycle the load port can take a new op's beat
    uint64_t mm_free = 0; // same for the moving port
    for (size_t i = 0; i < program.size(); ++i) {
        const te_op& op = program[i];
        // Issue rule: an op is presented once the previous op's first beat is accepted;
        // an MM after an LS waits until the LS's last beat has been accepted.
        uint64_t earliest = 0;
        if (i > 0) {
            const te_op_times& prev = times.back();
            const bool after_ls = program[i - 1].kind == te_op_kind::load_stationary;
            if (op.kind == te_op_kind::multiply_moving && after_ls)
                earliest = prev.last + 1;
            else
                earliest = prev.first;
        }
        te_op_times t{};
        if (op.kind == te_op_kind::load_stationary) {
            t.first = std::max(earliest, ld_free);
            t.last = t.first + timing.load_stationary_cycles(op.m) - 1;
            ld_free = t.last + 1;
        } else {
            t.first = std::max(earliest, mm_free);
            t.last = t.first + timing.multiply_moving_issue_cycles(op.n) - 1;
            t.out_first = t.first + timing.latency();
            t.out_last = t.last + timing.latency();
            mm_free = t.last + 1;
        }
        times.push_back(t);
    }
    return times;
}

tensor_engine_golden::tensor_engine_golden(unsigned rows, unsigned cols)
    : m_rows(rows), m_cols(cols), m_w(size_t(rows) * cols, 0) {
    if (rows == 0 || cols == 0) throw std::invalid_argument("tensor engine: empty array");
}

void tensor_engine_golden::load_stationary(dtype dt, unsigned k, unsigned m, const uint16_t* w) {
    if (k == 0 || k > m_rows || m == 0 || m > m_cols)
        throw std::invalid_argument("load_stationary: tile larger than the array");
    m_k = k;
    m_m = m;
    for (unsigned c = 0; c < m; ++c)
        for (unsigned r = 0; r < k; ++r)
            m_w[size_t(c) * m_rows + r] = decode_to_bf16(dt, w[size_t(r) * m + c]);
}

uint32_t tensor_engine_golden::dot(const uint16_t* w_bf16, const uint16_t* x_bf16, unsigned k) {
    uint32_t acc = fp32_neg_zero;
    for (unsigned r = 0; r < k; ++r)
        acc = add_rne(acc, mul_exact(uint32_t(w_bf16[r]) << 16, uint32_t(x_bf16[r]) << 16));
    return acc;
}

void tensor_engine_golden::multiply_moving(dtype dt, unsigned n, const uint16_t* x,
                                           uint32_t* out) const {
    if (n == 0 || n > max_n) throw std::invalid_argument("multiply_moving: N out of range");
    std::vector<uint16_t> col(m_rows);
    for (unsigned j = 0; j < n; ++j) {
        for (unsigned r = 0; r < m_k; ++r)
            col[r] = decode_to_bf16(dt, x[size_t(r) * n + j]);
        uint32_t* o = out + size_t(j) * m_cols;
        for (unsigned c = 0; c < m_cols; ++c)
            o[c] = c < m_m ? dot(&m_w[size_t(c) * m_rows], col.data(), m_k) : 0u;
    }
}

void tensor_engine_golden::apply(const te_op& op, std::vector<uint32_t>* out) {
    if (op.kind == te_op_kind::load_stationary) {
        if (op.data.size() < size_t(op.k) * op.m)
            throw std::invalid_argument("load_stationary: data too short");
        load_stationary(op.dt, op.k, op.m, op.data.data());
        return;
    }
    if (op.data.size() < size_t(m_k) * op.n)
        throw std::invalid_argument("multiply_moving: data too short");
    out->assign(size_t(op.n) * m_cols, 0);
    multiply_moving(op.dt, op.n, op.data.data(), out->data());
}

} // namespace rainier::golden
