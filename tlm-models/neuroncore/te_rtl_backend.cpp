#include "te_rtl_backend.h"

#include <deque>
#include <stdexcept>

#include <verilated.h>

#include "te_lanes.h"

#include "Vte_core.h"
#ifdef RAINIER_HAVE_TE_CORE_128
#include "Vte_core_128.h"
#endif

namespace rainier {

namespace {

using golden::te_op_kind;

constexpr uint64_t none = ~uint64_t(0);
// No op takes this long (512 beats plus the pipeline): a core that does is broken.
constexpr uint64_t stuck_after = 1'000'000;

using te_lanes::get_lane32;
using te_lanes::put_lane16;

template <class Model>
class te_rtl_core final : public te_backend {
public:
    te_rtl_core(unsigned rows, unsigned cols)
        : m_rows(rows), m_cols(cols), m_ctx(std::make_unique<VerilatedContext>()) {
        m_model = std::make_unique<Model>(m_ctx.get(), "te_core");
        reset();
    }
    ~te_rtl_core() override { m_model->final(); }

    unsigned rows() const override { return m_rows; }
    unsigned cols() const override { return m_cols; }
    const char* kind() const override { return "rtl"; }
    void observe_ports(te_port_observer f) override { m_observer = std::move(f); }

    uint64_t present(te_job job, uint64_t not_before) override {
        // Idle: the clock stops; the core resumes at the op's cycle with no edges in between.
        if (m_undone == 0 && !m_paused && not_before > m_cycle) m_cycle = not_before;
        op_state s;
        s.job = std::move(job);
        s.not_before = not_before;
        if (s.job.kind == te_op_kind::multiply_moving) s.out.resize(size_t(s.job.n) * m_cols);
        m_ops.push_back(std::move(s));
        ++m_undone;
        return m_oldest + m_ops.size() - 1;
    }

    uint64_t first_beat(uint64_t id) override {
        const uint64_t start = m_cycle;
        while (op(id).first == none)
            step(start);
        return op(id).first;
    }

    bool done_by(uint64_t id, uint64_t horizon, uint64_t& cycle) const override {
        cycle = op(id).done;
        return cycle != none && cycle <= horizon;
    }

    uint64_t finish(uint64_t id) override {
        const uint64_t start = m_cycle;
        while (op(id).done == none || m_paused) // whole cycles only
            step(start);
        return op(id).done;
    }

    std::vector<uint32_t> retire(uint64_t id) override {
        if (id != m_oldest || m_ops.empty() || m_ops.front().done == none)
            throw std::logic_error("te_rtl_backend: ops retire in order, once done");
        std::vector<uint32_t> out = std::move(m_ops.front().out);
        m_ops.pop_front();
        ++m_oldest;
        return out;
    }

    uint64_t clocked_cycles() const override { return m_clocked; }

private:
    struct op_state {
        te_job job;
        uint64_t not_before = 0;
        uint64_t first = none, last = none, done = none;
        unsigned outputs = 0;
        std::vector<uint32_t> out;
    };

    op_state& op(uint64_t id) { return m_ops.at(id - m_oldest); }
    const op_state& op(uint64_t id) const { return m_ops.at(id - m_oldest); }
    bool live(uint64_t id) const { return id >= m_oldest; }

    void reset() { te_lanes::reset_core(*m_model); }
    void settle() {
        m_model->clk_i = 0;
        m_model->eval();
    }
    void posedge() {
        if (m_observer) sample();
        m_model->clk_i = 1;
        m_model->eval();
        ++m_cycle;
        ++m_clocked;
        if (m_observer && m_undone == 0) {
            // The clock stops here: record the idle ports once, or the waveform would hold
            // the last busy cycle's values until the core is clocked again.
            m_model->ld_valid_i = 0;
            m_model->mm_valid_i = 0;
            m_model->eval();
            sample();
        }
    }

    void step(uint64_t start) {
        if (m_cycle - start > stuck_after)
            throw std::logic_error("te_rtl_backend: the core made no progress in " +
                                   std::to_string(stuck_after) + " cycles");
        if (m_paused)
            end_cycle();
        else
            begin_cycle();
    }

    // Inputs, settle, outputs, and the moving port's handshake. Pauses (returns mid-cycle)
    // when a multiply's first beat is accepted: the wrapper may then present a load that goes
    // in this very cycle.
    void begin_cycle() {
        Model& m = *m_model;
        m.ld_valid_i = 0;
        m.mm_valid_i = 0;
        try_start();
        if (m_ld != none) drive(op(m_ld), m_ld_beat);
        if (m_mm != none) drive(op(m_mm), m_mm_beat);
        settle();
        capture();
        m_mm_fire = m_mm != none && m.mm_ready_o;
        if (m_mm_fire && m_mm_beat == 0) {
            op(m_mm).first = m_cycle;
            m_paused = true;
            return;
        }
        end_cycle();
    }

    void end_cycle() {
        Model& m = *m_model;
        if (m_paused) {
            m_paused = false;
            if (m_ld == none) {
                try_start();
                if (m_ld != none) {
                    drive(op(m_ld), m_ld_beat);
                    settle();
                }
            }
        }
        if (m_ld != none && m.ld_ready_o) {
            op_state& o = op(m_ld);
            if (m_ld_beat == 0) o.first = m_cycle;
            if (++m_ld_beat == o.job.m) {
                o.last = o.done = m_cycle;
                --m_undone;
                m_ld = none;
            }
        }
        if (m_mm_fire) {
            op_state& o = op(m_mm);
            if (++m_mm_beat == o.job.n) {
                o.last = m_cycle;
                m_mm = none;
            }
        }
        m_mm_fire = false;
        posedge();
    }

    // Puts presented ops on their ports in program order, as the issue rule allows.
    void try_start() {
        while (m_next < m_oldest + m_ops.size()) {
            const op_state& o = op(m_next);
            if (m_cycle < o.not_before) break;
            const bool load = o.job.kind == te_op_kind::load_stationary;
            if (m_next > 0 && live(m_next - 1)) {
                const op_state& prev = op(m_next - 1);
                if (prev.first == none) break;
                const bool mm_after_ld = !load && prev.job.kind == te_op_kind::load_stationary;
                if (mm_after_ld ? prev.first >= m_cycle : prev.first > m_cycle) break;
            }
            uint64_t& port = load ? m_ld : m_mm;
            if (port != none) break;
            port = m_next;
            (load ? m_ld_beat : m_mm_beat) = 0;
            if (!load) m_out_owner.push_back(m_next);
            ++m_next;
        }
    }

    void drive(const op_state& o, unsigned beat) {
        Model& m = *m_model;
        const te_job& j = o.job;
        if (j.kind == te_op_kind::load_stationary) {
            m.ld_valid_i = 1;
            m.ld_dtype_i = uint8_t(j.dt);
            m.ld_k_i = j.k;
            m.ld_m_i = j.m;
            for (unsigned r = 0; r < m_rows; ++r)
                put_lane16(m.ld_data_i, r, r < j.k ? j.data[size_t(r) * j.m + beat] : 0);
        } else {
            m.mm_valid_i = 1;
            m.mm_dtype_i = uint8_t(j.dt);
            m.mm_n_i = j.n;
            m.mm_acc_i = j.acc;
            for (unsigned r = 0; r < m_rows; ++r)
                put_lane16(m.mm_data_i, r, r < j.k ? j.data[size_t(r) * j.n + beat] : 0);
        }
    }

    // Output vectors belong to the multiplies in the order they started.
    void sample() {
        const Model& m = *m_model;
        te_port_sample p;
        p.ld_valid = m.ld_valid_i;
        p.ld_ready = m.ld_ready_o;
        p.mm_valid = m.mm_valid_i;
        p.mm_ready = m.mm_ready_o;
        p.mm_acc = m.mm_acc_i;
        p.out_valid = m.out_valid_o;
        p.out_first = m.out_first_o;
        p.out_last = m.out_last_o;
        p.out_acc = m.out_acc_o;
        p.busy = m.busy_o;
        p.ld_dtype = m.ld_dtype_i;
        p.mm_dtype = m.mm_dtype_i;
        p.ld_k = m.ld_k_i;
        p.ld_m = m.ld_m_i;
        p.mm_n = m.mm_n_i;
        p.out_lane0 = get_lane32(m.out_data_o, 0);
        m_observer(m_cycle, p);
    }

    void capture() {
        Model& m = *m_model;
        if (!m.out_valid_o) return;
        if (m_out_owner.empty())
            throw std::logic_error("te_rtl_backend: an output vector with no multiply in flight");
        op_state& o = op(m_out_owner.front());
        uint32_t* dst = o.out.data() + size_t(o.outputs) * m_cols;
        for (unsigned c = 0; c < m_cols; ++c)
            dst[c] = get_lane32(m.out_data_o, c);
        if (++o.outputs == o.job.n) {
            o.done = m_cycle;
            --m_undone;
            m_out_owner.pop_front();
        }
    }

    unsigned m_rows, m_cols;
    std::unique_ptr<VerilatedContext> m_ctx;
    std::unique_ptr<Model> m_model;
    uint64_t m_cycle = 0;   // the cycle being simulated (absolute engine cycle)
    uint64_t m_clocked = 0; // rising edges given
    te_port_observer m_observer;
    std::deque<op_state> m_ops;
    uint64_t m_oldest = 0; // id of m_ops.front()
    uint64_t m_next = 0;   // next op to put on a port
    uint64_t m_undone = 0; // presented ops not done yet
    uint64_t m_ld = none, m_mm = none;
    unsigned m_ld_beat = 0, m_mm_beat = 0;
    bool m_mm_fire = false;
    bool m_paused = false;
    std::deque<uint64_t> m_out_owner;
};

} // namespace

std::string te_rtl_sizes() {
#ifdef RAINIER_HAVE_TE_CORE_128
    return "32x32, 128x128";
#else
    return "32x32";
#endif
}

std::unique_ptr<te_backend> make_te_rtl_backend(unsigned rows, unsigned cols) {
    if (rows == 32 && cols == 32) return std::make_unique<te_rtl_core<Vte_core>>(32, 32);
#ifdef RAINIER_HAVE_TE_CORE_128
    if (rows == 128 && cols == 128) return std::make_unique<te_rtl_core<Vte_core_128>>(128, 128);
    const char* hint = "use --tensor-engine=fast";
#else
    const char* hint = "use --tensor-engine=fast or configure with -DRAINIER_RTL_128=ON";
#endif
    throw std::invalid_argument("no RTL tensor engine of " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " is built; sizes built: " + te_rtl_sizes() +
                                "; " + hint);
}

} // namespace rainier
