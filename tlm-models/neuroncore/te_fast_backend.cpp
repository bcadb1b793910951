#include "te_fast_backend.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace rainier {

using golden::te_op_kind;

// Why native float gives the golden bits (numerics.h, tensor_engine_golden::dot):
// - decoded inputs are BF16 values (subnormals already flushed), so a product has at most 16
//   significant bits: exact in FP32 when normal; below 2^-126 it is a subnormal or zero (never
//   rounded up to 2^-126, its bits are too coarse), which we flush to a signed zero like
//   mul_exact; at or above 2^128 it is Inf in both.
// - the golden add is itself a native FP32 addition (RNE) of flushed operands followed by a
//   flush, which is what the inner loop does; a sum of normals below 2^-126 is exact, so
//   flushing it afterwards loses nothing the RTL keeps.
// - NaN propagates through both; only its payload differs, so it is made canonical at the end.
// The inner loop runs across output columns with a branchless flush, so GCC vectorises it.
namespace {

inline uint32_t bits_of(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}
inline float float_of(uint32_t b) {
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
}
// A zero exponent field becomes a zero of the same sign; everything else is unchanged.
inline float flush(float f) {
    const uint32_t b = bits_of(f);
    const uint32_t keep = (b & 0x7f800000u) == 0 ? 0x80000000u : 0xffffffffu;
    return float_of(b & keep);
}

// One output column per lane: acc[j][c] = sum over r (top row first) of w[r][c] * x[j][r], from
// -0 (the identity of RNE addition, so the first product passes unchanged). Compiled for AVX2
// too, picked at load time; no FMA (each product and sum is rounded on its own, like the RTL).
#define TE_FAST_CLONES __attribute__((target_clones("avx2", "default")))

TE_FAST_CLONES void columns_any(const float* __restrict w, const float* __restrict xt, unsigned k,
                                unsigned n, unsigned cols, float* __restrict acc) {
    for (unsigned j = 0; j < n; ++j) {
        float* a = acc + size_t(j) * cols;
        const float* xj = xt + size_t(j) * k;
        for (unsigned c = 0; c < cols; ++c)
            a[c] = -0.0f;
        for (unsigned r = 0; r < k; ++r) {
            const float xr = xj[r];
            const float* wr = w + size_t(r) * cols;
            for (unsigned c = 0; c < cols; ++c)
                a[c] = flush(a[c] + flush(wr[c] * xr));
        }
    }
}

// The same for the 32-column array: a fixed width keeps the accumulators in registers.
TE_FAST_CLONES void columns_32(const float* __restrict w, const float* __restrict xt, unsigned k,
                               unsigned n, float* __restrict acc) {
    constexpr unsigned cols = 32;
    for (unsigned j = 0; j < n; ++j) {
        float a[cols];
        for (unsigned c = 0; c < cols; ++c)
            a[c] = -0.0f;
        const float* xj = xt + size_t(j) * k;
        for (unsigned r = 0; r < k; ++r) {
            const float xr = xj[r];
            const float* wr = w + size_t(r) * cols;
            for (unsigned c = 0; c < cols; ++c)
                a[c] = flush(a[c] + flush(wr[c] * xr));
        }
        std::memcpy(acc + size_t(j) * cols, a, sizeof a);
    }
}

} // namespace

te_fast_backend::te_fast_backend(unsigned rows, unsigned cols)
    : m_timing{rows, cols}, m_w(size_t(rows) * cols, 0.0f) {
    if (rows == 0 || cols == 0) throw std::invalid_argument("tensor engine: empty array");
}

void te_fast_backend::load_weights(golden::dtype dt, unsigned k, unsigned m, const uint16_t* w) {
    const unsigned cols = m_timing.cols;
    m_k = k;
    m_m = m;
    std::fill(m_w.begin(), m_w.end(), 0.0f);
    for (unsigned r = 0; r < k; ++r)
        for (unsigned c = 0; c < m; ++c)
            m_w[size_t(r) * cols + c] = float_of(numerics::decode(dt, w[size_t(r) * m + c]));
}

void te_fast_backend::multiply(golden::dtype dt, unsigned n, const uint16_t* x,
                               uint32_t* out) const {
    const unsigned cols = m_timing.cols;
    const unsigned k = m_k;
    // Moving tile decoded once, transposed so that vector j is contiguous. The scratch buffers
    // are kept: fresh ones per multiply cost page faults (a 128 x 512 tile is past malloc's
    // mmap threshold).
    std::vector<float>& xt = m_xt;
    std::vector<float>& acc = m_acc;
    xt.resize(size_t(n) * k);
    acc.resize(size_t(n) * cols);
    if (dt == golden::dtype::bf16) {
        for (unsigned r = 0; r < k; ++r)
            for (unsigned j = 0; j < n; ++j)
                xt[size_t(j) * k + r] = float_of(numerics::decode_bf16(x[size_t(r) * n + j]));
    } else { // FP8: 256 patterns, decoded once
        float table[256];
        for (unsigned b = 0; b < 256; ++b)
            table[b] = float_of(numerics::decode(dt, uint16_t(b)));
        for (unsigned r = 0; r < k; ++r)
            for (unsigned j = 0; j < n; ++j)
                xt[size_t(j) * k + r] = table[x[size_t(r) * n + j] & 0xffu];
    }
    if (cols == 32)
        columns_32(m_w.data(), xt.data(), k, n, acc.data());
    else
        columns_any(m_w.data(), xt.data(), k, n, cols, acc.data());
    for (unsigned j = 0; j < n; ++j) {
        const float* a = &acc[size_t(j) * cols];
        uint32_t* o = out + size_t(j) * cols;
        for (unsigned c = 0; c < cols; ++c) {
            const uint32_t b = bits_of(a[c]);
            const uint32_t v = (b & 0x7fffffffu) > 0x7f800000u ? numerics::fp32_canonical_nan : b;
            o[c] = c < m_m ? v : 0u;
        }
    }
}

uint64_t te_fast_backend::present(te_job job, uint64_t not_before) {
    const bool load = job.kind == te_op_kind::load_stationary;
    uint64_t earliest = not_before;
    if (m_have_prev)
        earliest = std::max(earliest, !load && m_prev_is_load ? m_prev_last + 1 : m_prev_first);
    op_state s{};
    if (load) {
        s.first = std::max(earliest, m_ld_free);
        s.last = s.first + m_timing.load_stationary_cycles(job.m) - 1;
        s.done = s.last;
        m_ld_free = s.last + 1;
        load_weights(job.dt, job.k, job.m, job.data.data());
    } else {
        s.first = std::max(earliest, m_mm_free);
        s.last = s.first + m_timing.multiply_moving_issue_cycles(job.n) - 1;
        s.done = s.last + m_timing.latency();
        m_mm_free = s.last + 1;
        if (!m_spare.empty()) { // a retired op's buffer, handed back by recycle()
            s.out = std::move(m_spare.back());
            m_spare.pop_back();
        }
        s.out.resize(size_t(job.n) * m_timing.cols);
        if (job.k != m_k) throw std::logic_error("te_fast_backend: K differs from the load's");
        multiply(job.dt, job.n, job.data.data(), s.out.data());
    }
    m_have_prev = true;
    m_prev_is_load = load;
    m_prev_first = s.first;
    m_prev_last = s.last;
    m_ops.push_back(std::move(s));
    return m_next_id++;
}

bool te_fast_backend::done_by(uint64_t id, uint64_t horizon, uint64_t& cycle) const {
    cycle = op(id).done;
    return cycle <= horizon;
}

std::vector<uint32_t> te_fast_backend::retire(uint64_t id) {
    if (id != m_oldest || m_ops.empty())
        throw std::logic_error("te_fast_backend: ops retire in order");
    std::vector<uint32_t> out = std::move(m_ops.front().out);
    m_ops.pop_front();
    ++m_oldest;
    return out;
}

void te_fast_backend::recycle(std::vector<uint32_t>&& out) {
    if (m_spare.size() < 4) m_spare.push_back(std::move(out));
}

std::unique_ptr<te_backend> make_te_fast_backend(unsigned rows, unsigned cols) {
    return std::make_unique<te_fast_backend>(rows, cols);
}

} // namespace rainier
