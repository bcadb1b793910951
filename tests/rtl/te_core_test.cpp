// The Verilated te_core against the golden model, bit for bit and cycle for cycle.
// Built once per core size: TE_MODEL / TE_MODEL_HEADER name the Verilated class,
// RAINIER_TE_ROWS / RAINIER_TE_COLS come from the model's CMake target.
#include "te_core_harness.h"

#include TE_MODEL_HEADER

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

using namespace rainier;
using golden::te_op;
using golden::te_op_kind;
using golden::te_op_times;
using numerics::dtype;

constexpr unsigned R = RAINIER_TE_ROWS;
constexpr unsigned C = RAINIER_TE_COLS;
constexpr unsigned L = R + C + 1; // latency formula of docs/tensor-engine.md
constexpr dtype all_dtypes[] = {dtype::bf16, dtype::fp8_e4m3, dtype::fp8_e5m2};

enum class mix { normal, raw, specials, extreme, cancel };
constexpr mix all_mixes[] = {mix::normal, mix::raw, mix::specials, mix::extreme, mix::cancel};

// Zeros of both signs, subnormals, min/max normals, Inf, NaN (several payloads), one.
const std::vector<uint16_t> bf16_specials = {0x0000, 0x8000, 0x0001, 0x807f, 0x0080, 0x8080,
                                             0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x7f81,
                                             0xffff, 0x3f80, 0xbf80, 0x0040};
const std::vector<uint16_t> e4m3_specials = {0x00, 0x80, 0x01, 0x87, 0x08, 0x88, 0x7e,
                                             0xfe, 0x7f, 0xff, 0x38, 0xb8, 0x07, 0x77};
const std::vector<uint16_t> e5m2_specials = {0x00, 0x80, 0x01, 0x83, 0x04, 0x84, 0x7b, 0xfb,
                                             0x7c, 0xfc, 0x7d, 0x7e, 0xff, 0x3c, 0xbc, 0x03};

class stimulus {
public:
    explicit stimulus(uint64_t seed) : m_rng(seed) {}

    unsigned uniform(unsigned lo, unsigned hi) {
        return std::uniform_int_distribution<unsigned>(lo, hi)(m_rng);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }

    uint16_t value(dtype dt, mix mx) {
        const std::vector<uint16_t>& sp = dt == dtype::bf16       ? bf16_specials
                                          : dt == dtype::fp8_e4m3 ? e4m3_specials
                                                                  : e5m2_specials;
        const uint16_t sign = uint16_t(uniform(0, 1));
        switch (mx) {
        case mix::raw: return uint16_t(dt == dtype::bf16 ? uniform(0, 0xffff) : uniform(0, 0xff));
        case mix::specials:
            if (chance(0.3)) return sp[uniform(0, unsigned(sp.size()) - 1)];
            break;
        case mix::cancel: {
            // Small values whose sums cancel exactly: results are exact, often +-0.
            static const uint16_t bf16_set[] = {0x3f80, 0x4000, 0x3f00, 0x4040};
            static const uint16_t e4m3_set[] = {0x38, 0x40, 0x30, 0x44};
            static const uint16_t e5m2_set[] = {0x3c, 0x40, 0x38, 0x42};
            const unsigned i = uniform(0, 3);
            const uint16_t v = dt == dtype::bf16       ? bf16_set[i]
                               : dt == dtype::fp8_e4m3 ? e4m3_set[i]
                                                       : e5m2_set[i];
            return uint16_t(v | (sign << (dt == dtype::bf16 ? 15 : 7)));
        }
        case mix::extreme:
            if (dt == dtype::bf16) {
                // Products far below 2^-126 or above 2^128, or right at either edge
                // (exponent fields summing to about 127 or 382).
                const unsigned band = uniform(0, 3);
                const unsigned e = band == 0   ? uniform(1, 40)
                                   : band == 1 ? uniform(215, 254)
                                   : band == 2 ? uniform(56, 71)
                                               : uniform(184, 198);
                return uint16_t((sign << 15) | (e << 7) | uniform(0, 0x7f));
            }
            if (chance(0.2)) return sp[uniform(0, unsigned(sp.size()) - 1)];
            return uint16_t(uniform(0, 0xff));
        case mix::normal:
            if (chance(0.03)) return sp[uniform(0, unsigned(sp.size()) - 1)];
            break;
        }
        switch (dt) {
        case dtype::bf16:
            return uint16_t((sign << 15) | (uniform(119, 135) << 7) | uniform(0, 0x7f));
        case dtype::fp8_e4m3: return uint16_t((sign << 7) | (uniform(1, 14) << 3) | uniform(0, 7));
        case dtype::fp8_e5m2: return uint16_t((sign << 7) | (uniform(8, 22) << 2) | uniform(0, 3));
        }
        return 0;
    }

    te_op load(dtype dt, unsigned k, unsigned m, mix mx) {
        te_op op{te_op_kind::load_stationary, dt, k, m, 0, false, {}};
        op.data.resize(size_t(k) * m);
        for (uint16_t& v : op.data)
            v = value(dt, mx);
        return op;
    }
    // Moving data has all R rows (rows >= K must be ignored by the core and the golden).
    te_op multiply(dtype dt, unsigned n, bool acc, mix mx) {
        te_op op{te_op_kind::multiply_moving, dt, 0, 0, n, acc, {}};
        op.data.resize(size_t(R) * n);
        for (uint16_t& v : op.data)
            v = value(dt, mx);
        return op;
    }
    dtype any_dtype() { return all_dtypes[uniform(0, 2)]; }
    mix any_mix() { return all_mixes[uniform(0, 4)]; }

private:
    std::mt19937_64 m_rng;
};

class te_core_vs_golden : public ::testing::Test {
protected:
    // Deterministic by default; RAINIER_TE_SEED=n explores other stimuli.
    te_core_vs_golden() : h(R, C), g(R, C), stim(seed()) {}

    static uint64_t seed() {
        const char* env = std::getenv("RAINIER_TE_SEED");
        return env != nullptr ? std::strtoull(env, nullptr, 0) : 1;
    }

    // Runs the program on the core, and checks every output bit and every port cycle
    // against the golden model and its schedule.
    rainier::te_test::run_result check(const std::vector<te_op>& program) {
        auto res = h.run(program);
        const auto sched = golden::te_schedule(g.timing(), program);
        size_t o = 0;
        unsigned mismatches = 0;
        uint64_t last_fire = 0;
        std::vector<uint32_t> want;
        for (size_t i = 0; i < program.size(); ++i) {
            const te_op& op = program[i];
            EXPECT_EQ(res.times[i].first, sched[i].first) << "op " << i;
            EXPECT_EQ(res.times[i].last, sched[i].last) << "op " << i;
            last_fire = std::max(last_fire, res.times[i].last);
            g.apply(op, &want);
            if (op.kind != te_op_kind::multiply_moving) continue;
            EXPECT_EQ(res.times[i].out_first, sched[i].out_first) << "op " << i;
            EXPECT_EQ(res.times[i].out_last, sched[i].out_last) << "op " << i;
            for (unsigned j = 0; j < op.n; ++j, ++o) {
                if (o >= res.outputs.size()) {
                    ADD_FAILURE() << "missing output of op " << i << " beat " << j;
                    return res;
                }
                const auto& ob = res.outputs[o];
                EXPECT_EQ(ob.first, j == 0) << "op " << i << " beat " << j;
                EXPECT_EQ(ob.last, j + 1 == op.n) << "op " << i << " beat " << j;
                EXPECT_EQ(ob.acc, op.acc) << "op " << i << " beat " << j;
                for (unsigned c = 0; c < C; ++c) {
                    const uint32_t w = want[size_t(j) * C + c];
                    if (ob.data[c] != w && ++mismatches <= 10) {
                        char msg[160];
                        std::snprintf(msg, sizeof msg,
                                      "op %zu (%s) beat %u lane %u: core %08x golden %08x", i,
                                      numerics::dtype_name(op.dt), j, c, ob.data[c], w);
                        ADD_FAILURE() << msg;
                    }
                }
            }
        }
        EXPECT_EQ(mismatches, 0u);
        EXPECT_EQ(res.outputs.size(), o) << "extra outputs";
        EXPECT_EQ(res.idle_cycle, last_fire + L + 1)
            << "busy_o must drop L + 1 after the last beat";
        return res;
    }

    rainier::te_test::te_core_harness<TE_MODEL> h;
    golden::tensor_engine_golden g;
    stimulus stim;
};

TEST_F(te_core_vs_golden, full_tiles_every_dtype_pair_and_mix) {
    std::vector<te_op> program;
    for (dtype wdt : all_dtypes)
        for (dtype xdt : all_dtypes)
            for (mix mx : all_mixes) {
                program.push_back(stim.load(wdt, R, C, mx));
                program.push_back(stim.multiply(xdt, stim.uniform(1, 24), stim.chance(0.5), mx));
            }
    check(program);
}

TEST_F(te_core_vs_golden, partial_tiles) {
    std::vector<te_op> program;
    const unsigned ks[] = {1, std::max(1u, R / 2), std::max(1u, R - 1), R};
    const unsigned ms[] = {1, C / 2 + 1, std::max(1u, C - 1), C};
    const unsigned ns[] = {1, 2, 7};
    for (unsigned k : ks)
        for (unsigned m : ms)
            for (unsigned n : ns) {
                const dtype dt = stim.any_dtype();
                const mix mx = stim.any_mix();
                program.push_back(stim.load(dt, k, m, mx));
                program.push_back(stim.multiply(stim.any_dtype(), n, stim.chance(0.5), mx));
            }
    check(program);
}

TEST_F(te_core_vs_golden, accumulate_flag_passes_through) {
    std::vector<te_op> program{stim.load(dtype::bf16, R, C, mix::normal)};
    for (int i = 0; i < 6; ++i)
        program.push_back(stim.multiply(dtype::bf16, 1 + unsigned(i) * 3, i % 2 == 1, mix::normal));
    check(program);
}

TEST_F(te_core_vs_golden, multiply_before_any_load_gives_zeros) {
    std::vector<te_op> program{stim.multiply(dtype::bf16, 5, false, mix::normal)};
    auto res = check(program);
    for (const auto& ob : res.outputs)
        for (uint32_t v : ob.data)
            EXPECT_EQ(v, 0u);
}

TEST_F(te_core_vs_golden, long_stream_with_weights_changing) {
    std::vector<te_op> program;
    for (int t = 0; t < 40; ++t) {
        const mix mx = stim.any_mix();
        program.push_back(stim.load(stim.any_dtype(), stim.uniform(1, R), stim.uniform(1, C), mx));
        if (stim.chance(0.1)) // replaced before use: the second load wins
            program.push_back(
                stim.load(stim.any_dtype(), stim.uniform(1, R), stim.uniform(1, C), mx));
        const unsigned mms = stim.uniform(1, 3);
        for (unsigned i = 0; i < mms; ++i) {
            const unsigned n = stim.chance(0.05) ? 512 : stim.uniform(1, 2 * C);
            program.push_back(stim.multiply(stim.any_dtype(), n, stim.chance(0.5), mx));
        }
    }
    check(program);
}

// Hand-derived timing: an (LS, MM) pair with N >= M keeps the moving port busy every
// cycle: each LS starts with the MM before it, each MM right after the previous one.
TEST_F(te_core_vs_golden, double_buffering_keeps_the_array_busy) {
    std::vector<te_op> program;
    const unsigned pairs = 6;
    for (unsigned i = 0; i < pairs; ++i) {
        program.push_back(stim.load(stim.any_dtype(), R, C, mix::normal));
        program.push_back(stim.multiply(stim.any_dtype(), C + i, false, mix::normal));
    }
    auto res = check(program);
    uint64_t expect_first = C; // the first LS takes cycles 0 .. C-1
    for (unsigned i = 0; i < pairs; ++i) {
        const te_op_times& ls = res.times[2 * i];
        const te_op_times& mm = res.times[2 * i + 1];
        EXPECT_EQ(ls.last - ls.first + 1, C) << "LS takes M cycles";
        EXPECT_EQ(mm.first, expect_first) << "pair " << i;
        if (i > 0) {
            EXPECT_EQ(ls.first, res.times[2 * i - 1].first) << "LS overlaps the MM";
        }
        EXPECT_EQ(mm.last - mm.first + 1, C + i);
        expect_first = mm.last + 1;
    }
    // Last output: all moving beats back to back from cycle C, plus the latency.
    unsigned total_n = 0;
    for (unsigned i = 0; i < pairs; ++i)
        total_n += C + i;
    EXPECT_EQ(res.times.back().out_last, uint64_t(C) + total_n - 1 + R + C + 1);
}

TEST_F(te_core_vs_golden, cycle_count_of_each_op) {
    const unsigned ms[] = {1, C};
    const unsigned ns[] = {1, 3, 512};
    for (unsigned m : ms)
        for (unsigned n : ns) {
            h.idle(2 * L); // start from an empty array
            std::vector<te_op> program{stim.load(dtype::bf16, R, m, mix::normal),
                                       stim.multiply(dtype::bf16, n, false, mix::normal)};
            auto res = check(program);
            const te_op_times& ls = res.times[0];
            const te_op_times& mm = res.times[1];
            EXPECT_EQ(ls.first, 0u);
            EXPECT_EQ(ls.last, m - 1);
            EXPECT_EQ(mm.first, uint64_t(m)) << "MM starts the cycle after the load's last beat";
            EXPECT_EQ(mm.out_first - mm.first, uint64_t(R + C + 1));
            EXPECT_EQ(mm.out_last - mm.first + 1, uint64_t(n + R + C + 1));
        }
}

// K = 1 makes each output lane one product: every FP8 code times every FP8 code (and a
// BF16 sample), through the array's multiplier and the -0 identity of the first add.
TEST_F(te_core_vs_golden, every_fp8_product) {
    for (dtype wdt : {dtype::fp8_e4m3, dtype::fp8_e5m2})
        for (dtype xdt : {dtype::fp8_e4m3, dtype::fp8_e5m2}) {
            std::vector<te_op> program;
            for (unsigned base = 0; base < 256; base += C) {
                te_op ls{te_op_kind::load_stationary, wdt, 1, C, 0, false, {}};
                for (unsigned c = 0; c < C; ++c)
                    ls.data.push_back(uint16_t((base + c) & 0xff));
                te_op mm{te_op_kind::multiply_moving, xdt, 0, 0, 256, false, {}};
                for (unsigned j = 0; j < 256; ++j)
                    mm.data.push_back(uint16_t(j));
                program.push_back(ls);
                program.push_back(mm);
            }
            check(program);
        }
}

// K = 1, BF16 near the ends of the FP32 range: products that flush, that just stay
// normal, that overflow; the first add's -0 identity shows the sign of flushed zeros.
TEST_F(te_core_vs_golden, products_at_the_edges_of_the_fp32_range) {
    std::vector<te_op> program;
    for (unsigned t = 0; t < 8; ++t) {
        program.push_back(stim.load(dtype::bf16, 1, C, mix::extreme));
        program.push_back(stim.multiply(dtype::bf16, 256, false, mix::extreme));
    }
    check(program);
}

// K = 2 with raw random BF16: sums of two arbitrary products exercise the FP32 adder
// over its whole range (alignment, cancellation, rounding, overflow, flush).
TEST_F(te_core_vs_golden, two_term_sums_over_the_whole_range) {
    const unsigned tiles = std::max(2u, 256u / C);
    std::vector<te_op> program;
    for (unsigned t = 0; t < tiles; ++t) {
        program.push_back(
            stim.load(dtype::bf16, std::min(2u, R), C, t % 2 ? mix::raw : mix::extreme));
        program.push_back(stim.multiply(dtype::bf16, 256, false, t % 2 ? mix::raw : mix::extreme));
    }
    check(program);
}

} // namespace
