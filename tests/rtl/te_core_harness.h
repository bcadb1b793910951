// Cycle-by-cycle driver of a Verilated te_core (any size): reset, beats on the two input
// ports under the issue rule of docs/tensor-engine.md, output capture, optional FST.
// Header-only and templated on the Verilated model class.
#pragma once

#include "tensor_engine_golden.h"

#include <verilated.h>

#include "te_lanes.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rainier::te_test {

using golden::te_op;
using golden::te_op_kind;
using golden::te_op_times;

using te_lanes::get_lane32;
using te_lanes::put_lane16;

struct out_beat {
    uint64_t cycle;
    bool first;
    bool last;
    bool acc;
    std::vector<uint32_t> data;
};

struct run_result {
    std::vector<te_op_times> times; // observed on the ports
    std::vector<out_beat> outputs;  // every valid output vector, in order
    uint64_t idle_cycle = 0;        // first cycle with busy_o low after the program ends
};

template <class Model>
class te_core_harness {
public:
    te_core_harness(unsigned rows, unsigned cols)
        : m_rows(rows), m_cols(cols), m_ctx(std::make_unique<VerilatedContext>()) {
        m_model = std::make_unique<Model>(m_ctx.get(), "te_core");
        reset();
    }
    ~te_core_harness() {
        m_model->final();
        close_trace();
    }

    Model& model() { return *m_model; }
    uint64_t cycle() const { return m_cycle; }
    unsigned rows() const { return m_rows; }
    unsigned cols() const { return m_cols; }

    // Opens an FST (only for models verilated with TRACE); dumps every edge from now on.
    template <class Trace>
    void open_trace(Trace* tfp, const std::string& path) {
        m_ctx->traceEverOn(true);
        m_model->trace(tfp, 99);
        tfp->open(path.c_str());
        m_dump = [tfp](uint64_t t) { tfp->dump(t); };
        m_close = [tfp]() { tfp->close(); };
    }
    void close_trace() {
        if (m_close) m_close();
        m_close = nullptr;
        m_dump = nullptr;
    }

    void reset() {
        te_lanes::reset_core(*m_model);
        m_cycle = 0;
    }

    // Settles the inputs of the current cycle (clock low).
    void settle() {
        m_model->clk_i = 0;
        m_model->eval();
    }
    // Rising edge: ends the current cycle.
    void posedge() {
        if (m_dump) m_dump(2 * m_cycle);
        m_model->clk_i = 1;
        m_model->eval();
        if (m_dump) m_dump(2 * m_cycle + 1);
        ++m_cycle;
    }

    // Puts beat `j` of `op` on its port (valid high); data lanes >= K are zero.
    void drive(const te_op& op, unsigned j) {
        Model& m = *m_model;
        if (op.kind == te_op_kind::load_stationary) {
            m.ld_valid_i = 1;
            m.ld_dtype_i = uint8_t(op.dt);
            m.ld_k_i = op.k;
            m.ld_m_i = op.m;
            for (unsigned r = 0; r < m_rows; ++r)
                put_lane16(m.ld_data_i, r, r < op.k ? op.data[size_t(r) * op.m + j] : 0);
        } else {
            m.mm_valid_i = 1;
            m.mm_dtype_i = uint8_t(op.dt);
            m.mm_n_i = op.n;
            m.mm_acc_i = op.acc;
            const size_t krows = op.data.size() / op.n;
            for (unsigned r = 0; r < m_rows; ++r)
                put_lane16(m.mm_data_i, r, r < krows ? op.data[size_t(r) * op.n + j] : 0);
        }
    }

    // Runs `program` in order, each op presented as early as the issue rule allows and
    // its beats back to back; returns what the ports showed. Gives up after max_cycles.
    run_result run(const std::vector<te_op>& program, uint64_t max_cycles = 10'000'000) {
        Model& m = *m_model;
        run_result res;
        const size_t nops = program.size();
        res.times.assign(nops, te_op_times{~0ull, ~0ull, ~0ull, ~0ull});
        size_t next = 0;             // next op to present
        long ld_op = -1, mm_op = -1; // op streaming on each port
        unsigned ld_beat = 0, mm_beat = 0;
        size_t outputs_expected = 0;
        for (const te_op& op : program)
            if (op.kind == te_op_kind::multiply_moving) outputs_expected += op.n;
        const uint64_t t0 = m_cycle;

        auto may_start = [&](size_t i, uint64_t now) {
            if (i == 0) return true;
            const te_op_times& prev = res.times[i - 1];
            if (prev.first == ~0ull) return false;
            const bool mm_after_ls = program[i].kind == te_op_kind::multiply_moving &&
                                     program[i - 1].kind == te_op_kind::load_stationary;
            return mm_after_ls ? prev.first < now : prev.first <= now;
        };
        auto try_start = [&](uint64_t now) {
            while (next < nops && may_start(next, now)) {
                const bool is_ld = program[next].kind == te_op_kind::load_stationary;
                long& port = is_ld ? ld_op : mm_op;
                if (port >= 0) break;
                port = long(next);
                (is_ld ? ld_beat : mm_beat) = 0;
                ++next;
            }
        };

        while (next < nops || ld_op >= 0 || mm_op >= 0 || res.outputs.size() < outputs_expected ||
               m.busy_o) {
            const uint64_t now = m_cycle - t0;
            if (now > max_cycles) throw std::runtime_error("te_core_harness: timeout");
            m.ld_valid_i = 0;
            m.mm_valid_i = 0;
            try_start(now);
            if (ld_op >= 0) drive(program[size_t(ld_op)], ld_beat);
            if (mm_op >= 0) drive(program[size_t(mm_op)], mm_beat);
            settle();
            capture(res, now);
            bool mm_fire = mm_op >= 0 && m.mm_ready_o;
            if (mm_fire && mm_beat == 0) {
                res.times[size_t(mm_op)].first = now;
                // An LS right after this MM may go in the same cycle.
                if (ld_op < 0) {
                    try_start(now);
                    if (ld_op >= 0) {
                        drive(program[size_t(ld_op)], ld_beat);
                        settle();
                    }
                }
            }
            const bool ld_fire = ld_op >= 0 && m.ld_ready_o;
            if (ld_fire) {
                te_op_times& t = res.times[size_t(ld_op)];
                if (ld_beat == 0) t.first = now;
                if (++ld_beat == program[size_t(ld_op)].m) {
                    t.last = now;
                    ld_op = -1;
                }
            }
            if (mm_fire) {
                te_op_times& t = res.times[size_t(mm_op)];
                if (++mm_beat == program[size_t(mm_op)].n) {
                    t.last = now;
                    mm_op = -1;
                }
            }
            posedge();
        }
        m.ld_valid_i = 0;
        m.mm_valid_i = 0;
        settle();
        res.idle_cycle = m_cycle - t0;

        // Output beats belong to MM ops in order.
        size_t o = 0;
        for (size_t i = 0; i < nops; ++i) {
            if (program[i].kind != te_op_kind::multiply_moving) continue;
            if (o + program[i].n > res.outputs.size()) break;
            res.times[i].out_first = res.outputs[o].cycle;
            res.times[i].out_last = res.outputs[o + program[i].n - 1].cycle;
            o += program[i].n;
        }
        return res;
    }

    // Clocks with no input for n cycles (outputs are still captured into res).
    void idle(unsigned n) {
        m_model->ld_valid_i = 0;
        m_model->mm_valid_i = 0;
        for (unsigned i = 0; i < n; ++i) {
            settle();
            posedge();
        }
    }

private:
    void capture(run_result& res, uint64_t now) {
        Model& m = *m_model;
        if (!m.out_valid_o) return;
        out_beat b{now, bool(m.out_first_o), bool(m.out_last_o), bool(m.out_acc_o), {}};
        b.data.resize(m_cols);
        for (unsigned c = 0; c < m_cols; ++c)
            b.data[c] = get_lane32(m.out_data_o, c);
        res.outputs.push_back(std::move(b));
    }

    unsigned m_rows;
    unsigned m_cols;
    std::unique_ptr<VerilatedContext> m_ctx;
    std::unique_ptr<Model> m_model;
    uint64_t m_cycle = 0;
    std::function<void(uint64_t)> m_dump;
    std::function<void()> m_close;
};

} // namespace rainier::te_test
