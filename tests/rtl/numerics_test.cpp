// The numerics library against values derived by hand from IEEE 754 and OCP OFP8.
#include "numerics.h"

#include <gtest/gtest.h>

namespace {

using namespace rainier::numerics;

TEST(numerics_decode, bf16) {
    EXPECT_EQ(decode(dtype::bf16, 0x3f80), 0x3f800000u); // 1.0
    EXPECT_EQ(decode(dtype::bf16, 0xc0a0), 0xc0a00000u); // -5.0
    EXPECT_EQ(decode(dtype::bf16, 0x0080), 0x00800000u); // min normal 2^-126
    EXPECT_EQ(decode(dtype::bf16, 0x7f7f), 0x7f7f0000u); // max finite
    EXPECT_EQ(decode(dtype::bf16, 0x0001), 0x00000000u); // subnormal flushes
    EXPECT_EQ(decode(dtype::bf16, 0x807f), 0x80000000u); // keeping its sign
    EXPECT_EQ(decode(dtype::bf16, 0x8000), 0x80000000u);
    EXPECT_EQ(decode(dtype::bf16, 0x7f80), 0x7f800000u);
    EXPECT_EQ(decode(dtype::bf16, 0xff80), 0xff800000u);
    EXPECT_EQ(decode(dtype::bf16, 0x7f81), 0x7fc00000u); // NaNs are canonical
    EXPECT_EQ(decode(dtype::bf16, 0xffc0), 0x7fc00000u);
}

TEST(numerics_decode, e4m3) {
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x38), 0x3f800000u); // 0 0111 000 = 1.0
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x7e), 0x43e00000u); // 1.75 * 2^8 = 448, max
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x78), 0x43800000u); // 256: exponent 15 is finite
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x08), 0x3c800000u); // 2^-6, min normal
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0xd4), 0xc1400000u); // -1.5 * 2^3 = -12
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x07), 0x00000000u); // subnormal
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x87), 0x80000000u);
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x80), 0x80000000u);
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x7f), 0x7fc00000u); // the only NaNs; no Inf
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0xff), 0x7fc00000u);
    EXPECT_EQ(decode(dtype::fp8_e4m3, 0x1238), 0x3f800000u); // FP8 is the low byte
}

TEST(numerics_decode, e5m2) {
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x3c), 0x3f800000u); // 0 01111 00 = 1.0
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x7b), 0x47600000u); // 1.75 * 2^15 = 57344, max
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x04), 0x38800000u); // 2^-14, min normal
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0xc6), 0xc0c00000u); // -1.5 * 2^2 = -6
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x03), 0x00000000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x83), 0x80000000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x7c), 0x7f800000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0xfc), 0xff800000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x7d), 0x7fc00000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0x7e), 0x7fc00000u);
    EXPECT_EQ(decode(dtype::fp8_e5m2, 0xff), 0x7fc00000u);
}

TEST(numerics_decode, bf16_form_is_the_fp32_top_half) {
    EXPECT_EQ(decode_to_bf16(dtype::fp8_e4m3, 0x7e), 0x43e0);
    EXPECT_EQ(decode_to_bf16(dtype::fp8_e5m2, 0x7d), 0x7fc0);
    EXPECT_EQ(decode_to_bf16(dtype::bf16, 0x0001), 0x0000);
}

TEST(numerics_mul, exact_products) {
    EXPECT_EQ(mul_exact(0x3fc00000, 0x3fc00000), 0x40100000u); // 1.5 * 1.5 = 2.25
    EXPECT_EQ(mul_exact(0x3f810000, 0x3f810000), 0x3f820200u); // (1+2^-7)^2, all 16 bits kept
    EXPECT_EQ(mul_exact(0xbf800000, 0x00000000), 0x80000000u); // -1 * +0 = -0
    EXPECT_EQ(mul_exact(0x7f000000, 0x3fc00000), 0x7f400000u); // 1.5 * 2^127, no overflow
}

TEST(numerics_mul, range_and_specials) {
    EXPECT_EQ(mul_exact(0x20000000, 0x1f800000), 0x00000000u); // 2^-63 * 2^-64 = 2^-127 flushes
    EXPECT_EQ(mul_exact(0xa0000000, 0x1f800000), 0x80000000u); // with the product's sign
    EXPECT_EQ(mul_exact(0x20000000, 0x20000000), 0x00800000u); // 2^-126 stays
    EXPECT_EQ(mul_exact(0x7f7f0000, 0x40000000), 0x7f800000u); // overflow to Inf
    EXPECT_EQ(mul_exact(0x7f800000, 0x00000000), 0x7fc00000u); // Inf * 0
    EXPECT_EQ(mul_exact(0x7f800000, 0xc0000000), 0xff800000u); // Inf * -2
    EXPECT_EQ(mul_exact(0x7fc00000, 0x3f800000), 0x7fc00000u);
}

TEST(numerics_add, round_to_nearest_even) {
    EXPECT_EQ(add_rne(0x3f800000, 0x33800000), 0x3f800000u); // 1 + 2^-24: tie, to even
    EXPECT_EQ(add_rne(0x3f800001, 0x33800000), 0x3f800002u); // tie from odd: up
    EXPECT_EQ(add_rne(0x3f800000, 0x33c00000), 0x3f800001u); // 1 + 1.5*2^-24: above half
    EXPECT_EQ(add_rne(0x3f800000, 0xb3000000), 0x3f800000u); // 1 - 2^-25: tie, to even
    EXPECT_EQ(add_rne(0xc0200000, 0x3f800000), 0xbfc00000u); // -2.5 + 1 = -1.5
    EXPECT_EQ(add_rne(0x00800000, 0x00800000), 0x01000000u); // 2^-126 + 2^-126
}

TEST(numerics_add, zeros_and_flush) {
    EXPECT_EQ(add_rne(0x3f800000, 0xbf800000), 0x00000000u); // exact cancellation: +0
    EXPECT_EQ(add_rne(0xbf800000, 0x3f800000), 0x00000000u);
    EXPECT_EQ(add_rne(0x80000000, 0x80000000), 0x80000000u); // -0 + -0 = -0
    EXPECT_EQ(add_rne(0x80000000, 0x00000000), 0x00000000u);
    EXPECT_EQ(add_rne(0x80000000, 0x3f800000), 0x3f800000u); // -0 is the identity
    EXPECT_EQ(add_rne(0x00800001, 0x80800000), 0x00000000u); // 2^-149 result flushes
    EXPECT_EQ(add_rne(0x80800001, 0x00800000), 0x80000000u); // to a zero of its sign
    EXPECT_EQ(add_rne(0x00000001, 0x80000000), 0x00000000u); // subnormal inputs flush
    EXPECT_EQ(add_rne(0x80400000, 0x80000000), 0x80000000u);
}

TEST(numerics_add, overflow_inf_nan) {
    EXPECT_EQ(add_rne(0x7f7fffff, 0x7f7fffff), 0x7f800000u);
    EXPECT_EQ(add_rne(0x7f7fffff, 0x73000000), 0x7f800000u); // + half ulp: tie to even = Inf
    EXPECT_EQ(add_rne(0x7f7fffff, 0x72800000), 0x7f7fffffu); // + quarter ulp
    EXPECT_EQ(add_rne(0x7f800000, 0xff800000), 0x7fc00000u); // Inf - Inf
    EXPECT_EQ(add_rne(0xff800000, 0x3f800000), 0xff800000u);
    EXPECT_EQ(add_rne(0xffc00001, 0x3f800000), 0x7fc00000u); // canonical NaN
}

TEST(numerics_lfsr, galois_steps) {
    lfsr32 l(1);
    EXPECT_EQ(l.next(), 0x80200003u); // 1 >> 1 = 0, lsb was 1: xor the mask
    EXPECT_EQ(l.next(), 0xc0300002u); // 0x40100001 ^ 0x80200003
    EXPECT_EQ(l.next(), 0x60180001u); // lsb was 0: shift only
    EXPECT_EQ(l.next(), 0xb02c0003u); // 0x300c0000 ^ 0x80200003
    lfsr32 z(0);                      // zero seed acts as 1
    EXPECT_EQ(z.next(), 0x80200003u);
}

TEST(numerics_convert, bf16_rne) {
    EXPECT_EQ(to_bf16(0x3f808000, rounding::rne, nullptr), 0x3f80); // tie, even stays
    EXPECT_EQ(to_bf16(0x3f818000, rounding::rne, nullptr), 0x3f82); // tie, odd goes up
    EXPECT_EQ(to_bf16(0x3f808001, rounding::rne, nullptr), 0x3f81);
    EXPECT_EQ(to_bf16(0xc0490fdb, rounding::rne, nullptr), 0xc049); // -pi
    EXPECT_EQ(to_bf16(0x7f7fffff, rounding::rne, nullptr), 0x7f80); // rounds to Inf
    EXPECT_EQ(to_bf16(0x7f7f7fff, rounding::rne, nullptr), 0x7f7f);
    EXPECT_EQ(to_bf16(0x00400000, rounding::rne, nullptr), 0x0000); // subnormal in
    EXPECT_EQ(to_bf16(0x80400000, rounding::rne, nullptr), 0x8000);
    EXPECT_EQ(to_bf16(0xff800001, rounding::rne, nullptr), 0x7fc0);
    EXPECT_EQ(to_bf16(0xff800000, rounding::rne, nullptr), 0xff80);
}

TEST(numerics_convert, bf16_stochastic) {
    // First LFSR word from seed 1 is 0x80200003: 3 is added below the kept bits.
    lfsr32 a(1);
    EXPECT_EQ(to_bf16(0x3f80fffd, rounding::stochastic, &a), 0x3f81);
    lfsr32 b(1);
    EXPECT_EQ(to_bf16(0x3f80fffc, rounding::stochastic, &b), 0x3f80);
    // 1 + 2^-9 is a quarter of the way to the next BF16: rounds up about 1 time in 4.
    lfsr32 l(12345);
    int up = 0;
    const int n = 40000;
    for (int i = 0; i < n; ++i)
        up += to_bf16(0x3f804000, rounding::stochastic, &l) == 0x3f81;
    EXPECT_NEAR(double(up) / n, 0.25, 0.02);
    EXPECT_THROW(to_bf16(0x3f804000, rounding::stochastic, nullptr), std::invalid_argument);
}

TEST(numerics_convert, e4m3_rne) {
    auto cv = [](uint32_t x) { return to_fp8(dtype::fp8_e4m3, x, rounding::rne, nullptr); };
    EXPECT_EQ(cv(0x3f800000), 0x38);
    EXPECT_EQ(cv(0x3f880000), 0x38); // 1.0625: tie, to even 1.0
    EXPECT_EQ(cv(0x3f980000), 0x3a); // 1.1875: tie, odd 1.125 goes to 1.25
    EXPECT_EQ(cv(0xc1400000), 0xd4); // -12
    EXPECT_EQ(cv(0x43e00000), 0x7e); // 448
    EXPECT_EQ(cv(0x43e80000), 0x7e); // 464: tie between 448 and 480, even is 448
    EXPECT_EQ(cv(0x43f00000), 0x7e); // 480 saturates
    EXPECT_EQ(cv(0x49742400), 0x7e); // 1e6 saturates
    EXPECT_EQ(cv(0xc9742400), 0xfe);
    EXPECT_EQ(cv(0x7f800000), 0x7e); // no Inf in E4M3: saturate
    EXPECT_EQ(cv(0xff800000), 0xfe);
    EXPECT_EQ(cv(0x7fc00000), 0x7f);
    EXPECT_EQ(cv(0x3c800000), 0x08); // 2^-6
    EXPECT_EQ(cv(0x3c7fc000), 0x08); // just below 2^-6 rounds up to it
    EXPECT_EQ(cv(0x3c000000), 0x00); // 2^-7 flushes
    EXPECT_EQ(cv(0xbc000000), 0x80);
}

TEST(numerics_convert, e5m2_rne) {
    auto cv = [](uint32_t x) { return to_fp8(dtype::fp8_e5m2, x, rounding::rne, nullptr); };
    EXPECT_EQ(cv(0x3f800000), 0x3c);
    EXPECT_EQ(cv(0x3f900000), 0x3c); // 1.125: tie, to even 1.0
    EXPECT_EQ(cv(0x3fb00000), 0x3e); // 1.375: tie, odd 1.25 goes to 1.5
    EXPECT_EQ(cv(0x47600000), 0x7b); // 57344, max
    EXPECT_EQ(cv(0x47680000), 0x7b); // 59392: quarter ulp above max
    EXPECT_EQ(cv(0x47700000), 0x7c); // 61440: tie above max rounds to Inf
    EXPECT_EQ(cv(0x501502f9), 0x7c); // 1e10
    EXPECT_EQ(cv(0xff800000), 0xfc);
    EXPECT_EQ(cv(0x7fc00000), 0x7e);
    EXPECT_EQ(cv(0x38800000), 0x04); // 2^-14
    EXPECT_EQ(cv(0x38000000), 0x00); // 2^-15 flushes
    EXPECT_EQ(cv(0xb8000000), 0x80);
}

TEST(numerics_convert, fp8_stochastic) {
    // E4M3 keeps 3 fraction bits: 20 bits of the LFSR word (0x00003) are added.
    lfsr32 a(1);
    EXPECT_EQ(to_fp8(dtype::fp8_e4m3, 0x3f8ffffd, rounding::stochastic, &a), 0x39);
    lfsr32 b(1);
    EXPECT_EQ(to_fp8(dtype::fp8_e4m3, 0x3f8ffffc, rounding::stochastic, &b), 0x38);
    EXPECT_EQ(convert(dtype::fp8_e5m2, 0x3f800000, rounding::rne, nullptr), 0x3c);
    EXPECT_EQ(convert(dtype::bf16, 0x3f800000, rounding::rne, nullptr), 0x3f80);
}

} // namespace
