// The golden tensor engine against a plain double-precision matmul, on data whose FP32
// results are exact (small integers), and its schedule against hand-derived cycles.
#include "tensor_engine_golden.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace rainier;
using golden::te_op;
using golden::te_op_kind;
using numerics::dtype;

// Small integers in every input format: -8 .. 8 are exact in BF16, E4M3 and E5M2.
uint16_t encode_small_int(dtype dt, int v) {
    if (v == 0) return 0;
    const unsigned sign = v < 0;
    unsigned a = unsigned(v < 0 ? -v : v);
    int e = 0;
    while ((a >> (e + 1)) != 0)
        ++e;
    const unsigned frac = a - (1u << e); // below 2^e, at most 3 significant bits here
    switch (dt) {
    case dtype::bf16: return uint16_t((sign << 15) | unsigned(e + 127) << 7 | (frac << (7 - e)));
    case dtype::fp8_e4m3: return uint16_t((sign << 7) | unsigned(e + 7) << 3 | (frac << (3 - e)));
    case dtype::fp8_e5m2: return uint16_t((sign << 7) | unsigned(e + 15) << 2 | (frac << (2 - e)));
    }
    return 0;
}

TEST(tensor_engine_golden, small_integers_match_double_matmul) {
    std::mt19937 rng(7);
    for (dtype dt : {dtype::bf16, dtype::fp8_e4m3, dtype::fp8_e5m2}) {
        const unsigned rows = 16, cols = 8;
        golden::tensor_engine_golden g(rows, cols);
        for (unsigned k : {1u, 5u, 16u})
            for (unsigned m : {1u, 3u, 8u}) {
                // E5M2 has 2 fraction bits: use -6 .. 6 there (7 is not exact).
                const int lim = dt == dtype::fp8_e5m2 ? 6 : 8;
                std::uniform_int_distribution<int> d(-lim, lim);
                std::vector<int> w(size_t(k) * m), x(size_t(k) * 4);
                std::vector<uint16_t> wr, xr;
                for (int& v : w) {
                    do
                        v = d(rng);
                    while (dt == dtype::fp8_e5m2 && (v == 5 || v == -5));
                    wr.push_back(encode_small_int(dt, v));
                }
                for (int& v : x) {
                    do
                        v = d(rng);
                    while (dt == dtype::fp8_e5m2 && (v == 5 || v == -5));
                    xr.push_back(encode_small_int(dt, v));
                }
                g.load_stationary(dt, k, m, wr.data());
                std::vector<uint32_t> out(4 * cols);
                g.multiply_moving(dt, 4, xr.data(), out.data());
                for (unsigned j = 0; j < 4; ++j)
                    for (unsigned c = 0; c < cols; ++c) {
                        double ref = 0;
                        for (unsigned r = 0; r < k; ++r)
                            ref += double(w[size_t(r) * m + c]) * double(x[size_t(r) * 4 + j]);
                        const uint32_t got = out[size_t(j) * cols + c];
                        if (c < m)
                            EXPECT_EQ(double(numerics::fp32_from_bits(got)), c < m ? ref : 0.0)
                                << numerics::dtype_name(dt) << " k " << k << " m " << m;
                        else
                            EXPECT_EQ(got, 0u) << "lanes >= M are +0";
                    }
            }
    }
}

TEST(tensor_engine_golden, encodes_what_it_decodes) {
    // The helper above is checked against the decoder on every value it produces.
    for (dtype dt : {dtype::bf16, dtype::fp8_e4m3, dtype::fp8_e5m2})
        for (int v = -6; v <= 6; ++v) {
            if (dt == dtype::fp8_e5m2 && (v == 5 || v == -5)) continue;
            EXPECT_EQ(numerics::fp32_from_bits(numerics::decode(dt, encode_small_int(dt, v))),
                      float(v));
        }
}

TEST(tensor_engine_golden, summation_order_is_top_row_first) {
    // 2^24 + 1 - 2^24: in order (top first) the 1 is lost to rounding, giving 0; any
    // other order would give 1.
    golden::tensor_engine_golden g(4, 1);
    const uint16_t w[3] = {0x4b80, 0x3f80, 0xcb80}; // 2^24, 1, -2^24
    g.load_stationary(dtype::bf16, 3, 1, w);
    const uint16_t x[3] = {0x3f80, 0x3f80, 0x3f80};
    uint32_t out = 0xdeadbeef;
    g.multiply_moving(dtype::bf16, 1, x, &out);
    EXPECT_EQ(out, 0x00000000u);
}

TEST(tensor_engine_golden, schedule_by_hand) {
    // rows 4, cols 8: latency 13. LS(M=5), MM(N=10), LS(M=3), MM(N=2), MM(N=4).
    golden::te_timing t{4, 8};
    EXPECT_EQ(t.latency(), 13u);
    EXPECT_EQ(t.multiply_moving_cycles(10), 23u);
    std::vector<te_op> p = {
        {te_op_kind::load_stationary, dtype::bf16, 4, 5, 0, false, {}},
        {te_op_kind::multiply_moving, dtype::bf16, 0, 0, 10, false, {}},
        {te_op_kind::load_stationary, dtype::bf16, 4, 3, 0, false, {}},
        {te_op_kind::multiply_moving, dtype::bf16, 0, 0, 2, false, {}},
        {te_op_kind::multiply_moving, dtype::bf16, 0, 0, 4, false, {}},
    };
    const auto s = golden::te_schedule(t, p);
    EXPECT_EQ(s[0].first, 0u);
    EXPECT_EQ(s[0].last, 4u);
    EXPECT_EQ(s[1].first, 5u); // after the load's last beat
    EXPECT_EQ(s[1].last, 14u);
    EXPECT_EQ(s[1].out_first, 18u);
    EXPECT_EQ(s[1].out_last, 27u);
    EXPECT_EQ(s[2].first, 5u); // with the MM's first beat
    EXPECT_EQ(s[2].last, 7u);
    EXPECT_EQ(s[3].first, 15u); // moving port free again
    EXPECT_EQ(s[3].out_last, 29u);
    EXPECT_EQ(s[4].first, 17u);
    EXPECT_EQ(s[4].out_last, 33u);
}

} // namespace
