// The fast tensor-engine core: the RTL's results and cycles without clocking anything. Timing
// is golden::te_schedule's formulas applied op by op; numerics are the golden model's, written
// with native float where that is bit-identical (te_fast_backend.cpp says why) and laid out so
// the compiler vectorises across output columns.
#pragma once

#include <deque>

#include "te_backend.h"

namespace rainier {

class te_fast_backend : public te_backend {
public:
    te_fast_backend(unsigned rows, unsigned cols);

    unsigned rows() const override { return m_timing.rows; }
    unsigned cols() const override { return m_timing.cols; }
    const char* kind() const override { return "fast"; }

    uint64_t present(te_job job, uint64_t not_before) override;
    uint64_t first_beat(uint64_t id) override { return op(id).first; }
    bool done_by(uint64_t id, uint64_t horizon, uint64_t& cycle) const override;
    uint64_t finish(uint64_t id) override { return op(id).done; }
    std::vector<uint32_t> retire(uint64_t id) override;
    void recycle(std::vector<uint32_t>&& out) override;
    uint64_t clocked_cycles() const override { return 0; }

    // The arithmetic alone (also used by the tests against the golden model).
    // Weights: K x M raw elements [r * m + c].
    void load_weights(golden::dtype dt, unsigned k, unsigned m, const uint16_t* w);
    // Moving tile K x N raw [r * n + j] (K of the last load) -> out[j * cols + c].
    void multiply(golden::dtype dt, unsigned n, const uint16_t* x, uint32_t* out) const;

private:
    struct op_state {
        uint64_t first, last, done;
        std::vector<uint32_t> out;
    };
    const op_state& op(uint64_t id) const { return m_ops[id - m_oldest]; }

    golden::te_timing m_timing;
    std::deque<op_state> m_ops; // presented, not yet retired
    uint64_t m_oldest = 0;      // id of m_ops.front()
    uint64_t m_next_id = 0;
    // te_schedule's state: the previous op and the ports.
    bool m_have_prev = false;
    bool m_prev_is_load = false;
    uint64_t m_prev_first = 0, m_prev_last = 0;
    uint64_t m_ld_free = 0, m_mm_free = 0;
    // Weights decoded to FP32, row-major and padded: [r * cols + c], columns >= M are +0.
    unsigned m_k = 0, m_m = 0;
    std::vector<float> m_w;
    mutable std::vector<float> m_xt, m_acc;     // multiply()'s scratch, kept between calls
    std::vector<std::vector<uint32_t>> m_spare; // result buffers to reuse
};

} // namespace rainier
