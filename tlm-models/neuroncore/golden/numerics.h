// Numerics of the tensor engine and of the conversions out of FP32 (docs/numerics.md).
// Plain C++17, no SystemC: shared by the golden model, the fast model and the tests.
#pragma once

#include <cstdint>

namespace rainier::numerics {

// Element types of the engine inputs; the values are the RTL's dtype encoding.
enum class dtype : uint8_t { bf16 = 0, fp8_e4m3 = 1, fp8_e5m2 = 2 };

const char* dtype_name(dtype dt);

constexpr uint32_t fp32_canonical_nan = 0x7fc00000u;
constexpr uint16_t bf16_canonical_nan = 0x7fc0u;
constexpr uint8_t e4m3_canonical_nan = 0x7fu;
constexpr uint8_t e5m2_canonical_nan = 0x7eu;
constexpr uint32_t fp32_neg_zero = 0x80000000u;

float fp32_from_bits(uint32_t bits);
uint32_t fp32_to_bits(float value);

bool fp32_is_nan(uint32_t bits);
bool fp32_is_inf(uint32_t bits);
// Subnormal inputs are flushed to a zero of the same sign; NaNs become canonical.
uint32_t fp32_ftz(uint32_t bits);

// Decodes one input element (FP8 in the low byte) to the FP32 value it denotes, exactly:
// subnormals flush to a zero of the same sign, every NaN becomes fp32_canonical_nan,
// E4M3 0x7f/0xff are NaN (E4M3 has no Inf), E5M2 and BF16 Inf stay Inf.
uint32_t decode(dtype dt, uint16_t bits);

// decode() for BF16, inline for the fast tensor engine's inner loops.
inline uint32_t decode_bf16(uint16_t bits) {
    const uint32_t exp = (bits >> 7) & 0xffu;
    if (exp == 0xffu && (bits & 0x7fu) != 0) return fp32_canonical_nan;
    if (exp == 0) return uint32_t(bits & 0x8000u) << 16;
    return uint32_t(bits) << 16;
}

// The same value as a BF16 pattern: every decoded input of every dtype is exact in BF16.
// This is the form in which the RTL stores and streams operands.
uint16_t decode_to_bf16(dtype dt, uint16_t bits);

// Product of two decoded inputs (BF16-exact FP32 patterns). Exact when the result is a
// normal FP32 number; |p| < 2^-126 gives a zero of the product's sign, |p| >= 2^128 gives
// Inf, Inf x 0 and NaN operands give the canonical NaN.
uint32_t mul_exact(uint32_t a, uint32_t b);

// FP32 addition, round to nearest even; subnormal operands and results flush to a zero of
// the same sign; a NaN result is canonical. Exact cancellation gives +0, (-0) + (-0) = -0.
uint32_t add_rne(uint32_t a, uint32_t b);

// 32-bit Galois LFSR, x^32 + x^22 + x^2 + x + 1 (mask 0x80200003), shifting right.
// A zero seed is replaced by 1 (zero is the one state the LFSR never leaves).
class lfsr32 {
public:
    explicit lfsr32(uint32_t seed) : m_state(seed != 0 ? seed : 1u) {}
    uint32_t next() {
        const uint32_t lsb = m_state & 1u;
        m_state >>= 1;
        if (lsb) m_state ^= 0x80200003u;
        return m_state;
    }
    uint32_t state() const { return m_state; }

private:
    uint32_t m_state;
};

enum class rounding : uint8_t { rne = 0, stochastic = 1 };

// FP32 -> BF16 / FP8. The FP32 significand is rounded to the target precision as if the
// exponent range were unbounded (RNE, or stochastic: add uniform random bits below the
// kept LSB and truncate; one LFSR step per conversion, its low bits used); then a result
// below the smallest normal flushes to a signed zero, and a result above the largest
// finite value becomes Inf (BF16, E5M2) or saturates to +-448 (E4M3, which has no Inf;
// E4M3 also maps +-Inf to +-448). NaN gives the target's canonical NaN. Subnormal inputs
// flush to zero first. `rng` is used only for stochastic rounding and may be null for RNE.
uint16_t to_bf16(uint32_t fp32, rounding mode, lfsr32* rng);
uint8_t to_fp8(dtype dt, uint32_t fp32, rounding mode, lfsr32* rng);
// BF16 or FP8 by dtype; FP8 results in the low byte.
uint16_t convert(dtype dt, uint32_t fp32, rounding mode, lfsr32* rng);

} // namespace rainier::numerics
