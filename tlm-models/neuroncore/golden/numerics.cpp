#include "numerics.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace rainier::numerics {

// The golden arithmetic uses the host's IEEE binary32/binary64 with the default
// round-to-nearest-even mode; flushing and NaN canonicalisation are done explicitly.
static_assert(std::numeric_limits<float>::is_iec559, "IEEE binary32 required");
static_assert(std::numeric_limits<double>::is_iec559, "IEEE binary64 required");

const char* dtype_name(dtype dt) {
    switch (dt) {
    case dtype::bf16: return "bf16";
    case dtype::fp8_e4m3: return "fp8_e4m3";
    case dtype::fp8_e5m2: return "fp8_e5m2";
    }
    return "?";
}

float fp32_from_bits(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

uint32_t fp32_to_bits(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

bool fp32_is_nan(uint32_t bits) {
    return (bits & 0x7fffffffu) > 0x7f800000u;
}
bool fp32_is_inf(uint32_t bits) {
    return (bits & 0x7fffffffu) == 0x7f800000u;
}

uint32_t fp32_ftz(uint32_t bits) {
    if (fp32_is_nan(bits)) return fp32_canonical_nan;
    if ((bits & 0x7f800000u) == 0) return bits & 0x80000000u;
    return bits;
}

uint32_t decode(dtype dt, uint16_t bits) {
    switch (dt) {
    case dtype::bf16: return decode_bf16(bits);
    case dtype::fp8_e4m3: {
        const uint32_t sign = uint32_t(bits & 0x80u) << 24;
        const uint32_t exp = (bits >> 3) & 0xfu;
        const uint32_t man = bits & 0x7u;
        if (exp == 0xfu && man == 0x7u) return fp32_canonical_nan;
        if (exp == 0) return sign;
        return sign | ((exp - 7 + 127) << 23) | (man << 20);
    }
    case dtype::fp8_e5m2: {
        const uint32_t sign = uint32_t(bits & 0x80u) << 24;
        const uint32_t exp = (bits >> 2) & 0x1fu;
        const uint32_t man = bits & 0x3u;
        if (exp == 0x1fu) return man != 0 ? fp32_canonical_nan : (sign | 0x7f800000u);
        if (exp == 0) return sign;
        return sign | ((exp - 15 + 127) << 23) | (man << 21);
    }
    }
    throw std::invalid_argument("numerics: unknown dtype");
}

uint16_t decode_to_bf16(dtype dt, uint16_t bits) {
    return uint16_t(decode(dt, bits) >> 16);
}

uint32_t mul_exact(uint32_t a, uint32_t b) {
    const double p = double(fp32_from_bits(fp32_ftz(a))) * double(fp32_from_bits(fp32_ftz(b)));
    if (std::isnan(p)) return fp32_canonical_nan;
    const uint32_t sign = std::signbit(p) ? 0x80000000u : 0u;
    const double mag = std::fabs(p);
    if (mag >= std::ldexp(1.0, 128)) return sign | 0x7f800000u;
    if (mag < std::ldexp(1.0, -126)) return sign;
    return fp32_to_bits(float(p));
}

uint32_t add_rne(uint32_t a, uint32_t b) {
    const float s = fp32_from_bits(fp32_ftz(a)) + fp32_from_bits(fp32_ftz(b));
    return fp32_ftz(fp32_to_bits(s));
}

namespace {

uint32_t random_bits(lfsr32* rng, unsigned n) {
    if (rng == nullptr) throw std::invalid_argument("numerics: stochastic rounding needs an LFSR");
    return rng->next() & ((1u << n) - 1u);
}

} // namespace

uint16_t to_bf16(uint32_t fp32, rounding mode, lfsr32* rng) {
    const uint32_t x = fp32_ftz(fp32);
    if (fp32_is_nan(x)) return bf16_canonical_nan;
    if (fp32_is_inf(x) || (x & 0x7fffffffu) == 0) return uint16_t(x >> 16);
    uint32_t y;
    if (mode == rounding::rne) {
        y = x + 0x7fffu + ((x >> 16) & 1u);
    } else {
        y = x + random_bits(rng, 16);
    }
    // A carry out of the significand increments the exponent; out of 0xfe it gives Inf.
    return uint16_t(y >> 16);
}

uint8_t to_fp8(dtype dt, uint32_t fp32, rounding mode, lfsr32* rng) {
    if (dt != dtype::fp8_e4m3 && dt != dtype::fp8_e5m2)
        throw std::invalid_argument("numerics: to_fp8 needs an FP8 dtype");
    const bool e4m3 = dt == dtype::fp8_e4m3;
    const unsigned mbits = e4m3 ? 3 : 2;
    const int bias = e4m3 ? 7 : 15;
    const uint32_t x = fp32_ftz(fp32);
    const uint8_t sign = uint8_t((x >> 31) << 7);
    if (fp32_is_nan(x)) return e4m3 ? e4m3_canonical_nan : e5m2_canonical_nan;
    if (fp32_is_inf(x)) return uint8_t(sign | (e4m3 ? 0x7eu : 0x7cu));
    if ((x & 0x7fffffffu) == 0) return sign;

    int exp = int((x >> 23) & 0xffu) - 127;
    const uint32_t sig = (x & 0x7fffffu) | 0x800000u;
    const unsigned shift = 23 - mbits;
    uint32_t keep = sig >> shift;
    const uint32_t rem = sig & ((1u << shift) - 1u);
    bool up;
    if (mode == rounding::rne) {
        const uint32_t half = 1u << (shift - 1);
        up = rem > half || (rem == half && (keep & 1u));
    } else {
        up = rem + random_bits(rng, shift) >= (1u << shift);
    }
    keep += up ? 1u : 0u;
    if (keep >> (mbits + 1)) {
        keep >>= 1;
        exp += 1;
    }
    if (exp < 1 - bias) return sign;
    const uint32_t man = keep & ((1u << mbits) - 1u);
    if (e4m3) {
        if (exp > 8 || (exp == 8 && man == 7)) return uint8_t(sign | 0x7eu);
    } else if (exp > 15) {
        return uint8_t(sign | 0x7cu);
    }
    return uint8_t(sign | (uint32_t(exp + bias) << mbits) | man);
}

uint16_t convert(dtype dt, uint32_t fp32, rounding mode, lfsr32* rng) {
    if (dt == dtype::bf16) return to_bf16(fp32, mode, rng);
    return to_fp8(dt, fp32, mode, rng);
}

} // namespace rainier::numerics
