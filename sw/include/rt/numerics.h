/* The tensor engine's numerics (docs/numerics.md) in C, integer-only: a port of
 * tlm-models/neuroncore/golden/numerics.cpp (which is C++ with exceptions and host double
 * arithmetic, so it is not built for the target). Host references of sw/ apps use these to
 * reproduce the hardware's results bit for bit. */
#ifndef RT_NUMERICS_H
#define RT_NUMERICS_H

#include <stdint.h>

#define RN_FP32_NAN 0x7fc00000u
#define RN_FP32_NEG_ZERO 0x80000000u
#define RN_BF16_NAN 0x7fc0u

int rn_fp32_is_nan(uint32_t bits);
int rn_fp32_is_inf(uint32_t bits);
/* Subnormals to a zero of the same sign, NaN to the canonical NaN. */
uint32_t rn_fp32_ftz(uint32_t bits);
/* One input element (RAINIER_DT_BF16 / FP8_E4M3 / FP8_E5M2; FP8 in the low byte) to the FP32
 * value it denotes. */
uint32_t rn_decode(unsigned dtype, uint16_t bits);
/* Exact product of two decoded inputs (flush below 2^-126, Inf at 2^128, canonical NaN). */
uint32_t rn_mul_exact(uint32_t a, uint32_t b);
/* FP32 add, round to nearest even, flush-to-zero in and out, canonical NaN. */
uint32_t rn_add_rne(uint32_t a, uint32_t b);
/* FP32 -> BF16 with round to nearest even (the vector engine's RAINIER_ROUND_RNE). */
uint16_t rn_to_bf16(uint32_t fp32);
/* FP32 -> FP8 E4M3 (saturating) or E5M2, RNE. */
uint8_t rn_to_fp8(unsigned dtype, uint32_t fp32);

static inline uint32_t rn_bits(float f) {
    union {
        float f;
        uint32_t u;
    } v = {.f = f};
    return v.u;
}
static inline float rn_float(uint32_t u) {
    union {
        uint32_t u;
        float f;
    } v = {.u = u};
    return v.f;
}

#endif
