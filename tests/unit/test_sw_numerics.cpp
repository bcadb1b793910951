// sw/rt/numerics.c (the integer-only C port the target apps use for bit-exact references)
// against the golden numerics library, on special values and random inputs.
#include <gtest/gtest.h>

#include <random>

#include "numerics.h"
extern "C" {
#include "rt/numerics.h"
}

using namespace rainier::numerics;

namespace {

// Random FP32 patterns biased towards zeros, subnormals, Inf/NaN, tiny exponents and
// cancellation.
uint32_t random_fp32(std::mt19937_64& r) {
    uint32_t v = static_cast<uint32_t>(r());
    switch (r() % 6) {
    case 0: return v & 0x807fffffu;                                            // zero / subnormal
    case 1: return v | 0x7f800000u;                                            // Inf / NaN
    case 2: return (v & 0x807fffffu) | (static_cast<uint32_t>(r() % 4) << 23); // near 2^-126
    default: return v;
    }
}

} // namespace

TEST(SwNumerics, DecodeEveryPattern) {
    for (unsigned dt = 0; dt < 3; ++dt)
        for (uint32_t b = 0; b < 0x10000; ++b)
            ASSERT_EQ(rn_decode(dt, static_cast<uint16_t>(b)),
                      decode(static_cast<dtype>(dt), static_cast<uint16_t>(b)))
                << "dtype " << dt << " bits " << b;
}

TEST(SwNumerics, RandomOpsMatchGolden) {
    std::mt19937_64 r(1);
    for (int i = 0; i < 2000000; ++i) {
        const uint32_t a = random_fp32(r);
        uint32_t b = random_fp32(r);
        if (r() % 3 == 0) b = (a ^ 0x80000000u) + static_cast<uint32_t>(r() % 5) - 2u;
        if (r() % 4 == 0)
            b = (b & 0x807fffffu) |
                ((((a >> 23) & 0xffu) + static_cast<uint32_t>(r() % 60) - 30u) & 0xffu) << 23;
        ASSERT_EQ(rn_add_rne(a, b), add_rne(a, b)) << std::hex << a << " + " << b;
        const uint32_t ba = a & 0xffff0000u, bb = b & 0xffff0000u; // BF16-exact operands
        ASSERT_EQ(rn_mul_exact(ba, bb), mul_exact(ba, bb)) << std::hex << ba << " * " << bb;
        ASSERT_EQ(rn_to_bf16(a), to_bf16(a, rounding::rne, nullptr)) << std::hex << a;
        ASSERT_EQ(rn_to_fp8(1, a), to_fp8(dtype::fp8_e4m3, a, rounding::rne, nullptr));
        ASSERT_EQ(rn_to_fp8(2, a), to_fp8(dtype::fp8_e5m2, a, rounding::rne, nullptr));
    }
}
