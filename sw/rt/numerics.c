/* Integer-only port of golden/numerics.cpp (see rt/numerics.h). */
#include "rt/numerics.h"

#include "rainier/hw/neuroncore.h"

#define SIGN 0x80000000u
#define EXP 0x7f800000u
#define MAN 0x007fffffu

int rn_fp32_is_nan(uint32_t b) {
    return (b & 0x7fffffffu) > EXP;
}
int rn_fp32_is_inf(uint32_t b) {
    return (b & 0x7fffffffu) == EXP;
}
uint32_t rn_fp32_ftz(uint32_t b) {
    if (rn_fp32_is_nan(b)) return RN_FP32_NAN;
    if ((b & EXP) == 0) return b & SIGN;
    return b;
}

uint32_t rn_decode(unsigned dt, uint16_t bits) {
    if (dt == RAINIER_DT_FP8_E4M3) {
        const uint32_t sign = (uint32_t)(bits & 0x80u) << 24;
        const uint32_t exp = (bits >> 3) & 0xfu, man = bits & 0x7u;
        if (exp == 0xfu && man == 0x7u) return RN_FP32_NAN;
        if (exp == 0) return sign;
        return sign | ((exp - 7 + 127) << 23) | (man << 20);
    }
    if (dt == RAINIER_DT_FP8_E5M2) {
        const uint32_t sign = (uint32_t)(bits & 0x80u) << 24;
        const uint32_t exp = (bits >> 2) & 0x1fu, man = bits & 0x3u;
        if (exp == 0x1fu) return man ? RN_FP32_NAN : (sign | EXP);
        if (exp == 0) return sign;
        return sign | ((exp - 15 + 127) << 23) | (man << 21);
    }
    const uint32_t exp = (bits >> 7) & 0xffu, man = bits & 0x7fu;
    if (exp == 0xffu && man != 0) return RN_FP32_NAN;
    if (exp == 0) return (uint32_t)(bits & 0x8000u) << 16;
    return (uint32_t)bits << 16;
}

/* Rounds a significand with `drop` extra low bits to nearest even. */
static uint64_t round_rne(uint64_t s, unsigned drop) {
    const uint64_t keep = s >> drop, rem = s & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    return keep + (rem > half || (rem == half && (keep & 1)));
}

uint32_t rn_mul_exact(uint32_t a, uint32_t b) {
    a = rn_fp32_ftz(a);
    b = rn_fp32_ftz(b);
    if (rn_fp32_is_nan(a) || rn_fp32_is_nan(b)) return RN_FP32_NAN;
    const uint32_t sign = (a ^ b) & SIGN;
    const int za = (a & 0x7fffffffu) == 0, zb = (b & 0x7fffffffu) == 0;
    if (rn_fp32_is_inf(a) || rn_fp32_is_inf(b)) return (za || zb) ? RN_FP32_NAN : (sign | EXP);
    if (za || zb) return sign;
    const uint64_t p = (uint64_t)((a & MAN) | 0x800000u) * ((b & MAN) | 0x800000u);
    /* p in [2^46, 2^48): the value is p * 2^(ea + eb - 300). */
    const int top = (p >> 47) != 0;
    int e = (int)((a >> 23) & 0xff) + (int)((b >> 23) & 0xff) - 127 + top;
    if (e >= 255) return sign | EXP;
    if (e <= 0) return sign; /* the exact value is below 2^-126 */
    uint64_t sig = round_rne(p, 23 + top);
    if (sig >> 24) {
        sig >>= 1;
        e++;
    }
    if (e >= 255) return sign | EXP;
    return sign | ((uint32_t)e << 23) | ((uint32_t)sig & MAN);
}

uint32_t rn_add_rne(uint32_t a, uint32_t b) {
    a = rn_fp32_ftz(a);
    b = rn_fp32_ftz(b);
    if (rn_fp32_is_nan(a) || rn_fp32_is_nan(b)) return RN_FP32_NAN;
    if (rn_fp32_is_inf(a)) return (rn_fp32_is_inf(b) && ((a ^ b) & SIGN)) ? RN_FP32_NAN : a;
    if (rn_fp32_is_inf(b)) return b;
    if ((a & 0x7fffffffu) == 0) return (b & 0x7fffffffu) ? b : (a & b);
    if ((b & 0x7fffffffu) == 0) return a;
    if ((b & 0x7fffffffu) > (a & 0x7fffffffu)) {
        const uint32_t t = a;
        a = b;
        b = t;
    }
    const uint32_t sign = a & SIGN;
    int e = (int)((a >> 23) & 0xff);
    const unsigned d = (unsigned)(e - (int)((b >> 23) & 0xff));
    /* Significands with 30 extra bits; the smaller one keeps a sticky bit when shifted. */
    const uint64_t A = (uint64_t)((a & MAN) | 0x800000u) << 30;
    uint64_t B = (uint64_t)((b & MAN) | 0x800000u) << 30;
    if (d >= 60)
        B = 1;
    else if (d)
        B = (B >> d) | ((B & ((1ull << d) - 1)) != 0);
    uint64_t s = ((a ^ b) & SIGN) ? A - B : A + B;
    if (s == 0) return 0; /* exact cancellation: +0 */
    if (s >> 54) {
        s = (s >> 1) | (s & 1);
        e++;
    }
    while (!(s >> 53)) {
        s <<= 1;
        e--;
    }
    if (e <= 0) return sign; /* below 2^-126: exact here, flushed */
    uint64_t sig = round_rne(s, 30);
    if (sig >> 24) {
        sig >>= 1;
        e++;
    }
    if (e >= 255) return sign | EXP;
    return sign | ((uint32_t)e << 23) | ((uint32_t)sig & MAN);
}

uint16_t rn_to_bf16(uint32_t fp32) {
    const uint32_t x = rn_fp32_ftz(fp32);
    if (rn_fp32_is_nan(x)) return RN_BF16_NAN;
    if (rn_fp32_is_inf(x) || (x & 0x7fffffffu) == 0) return (uint16_t)(x >> 16);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

uint8_t rn_to_fp8(unsigned dt, uint32_t fp32) {
    const int e4m3 = dt == RAINIER_DT_FP8_E4M3;
    const unsigned mbits = e4m3 ? 3 : 2;
    const int bias = e4m3 ? 7 : 15;
    const uint32_t x = rn_fp32_ftz(fp32);
    const uint8_t sign = (uint8_t)((x >> 31) << 7);
    if (rn_fp32_is_nan(x)) return e4m3 ? 0x7f : 0x7e;
    if (rn_fp32_is_inf(x)) return (uint8_t)(sign | (e4m3 ? 0x7eu : 0x7cu));
    if ((x & 0x7fffffffu) == 0) return sign;
    int exp = (int)((x >> 23) & 0xffu) - 127;
    uint32_t keep = (uint32_t)round_rne((x & MAN) | 0x800000u, 23 - mbits);
    if (keep >> (mbits + 1)) {
        keep >>= 1;
        exp += 1;
    }
    if (exp < 1 - bias) return sign;
    const uint32_t man = keep & ((1u << mbits) - 1u);
    if (e4m3) {
        if (exp > 8 || (exp == 8 && man == 7)) return (uint8_t)(sign | 0x7eu);
    } else if (exp > 15) {
        return (uint8_t)(sign | 0x7cu);
    }
    return (uint8_t)(sign | ((uint32_t)(exp + bias) << mbits) | man);
}
