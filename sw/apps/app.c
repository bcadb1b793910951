/* Shared by the sw/ apps (see app.h). */
#include "app.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rainier/hw/neuroncore.h"

static unsigned checks, failures;

uint64_t app_rand(uint64_t seed, uint64_t index) {
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + index + 0x632be59bd9b4e019ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint16_t elem_from_bits(unsigned dtype, unsigned r) {
    const unsigned sign = r & 1, e = (((r >> 1) & 7) * 5) >> 3; /* 2^-3 .. 2^1 */
    if (dtype == RAINIER_DT_FP8_E4M3)
        return (uint16_t)(sign << 7 | (e + 7 - 3) << 3 | ((r >> 8) & 7));
    if (dtype == RAINIER_DT_FP8_E5M2)
        return (uint16_t)(sign << 7 | (e + 15 - 3) << 2 | ((r >> 8) & 3));
    return (uint16_t)(sign << 15 | (e + 127 - 3) << 7 | ((r >> 8) & 0x7f));
}

uint16_t app_rand_elem(unsigned dtype, uint64_t seed, uint64_t index) {
    /* 16 random bits per element, four elements per PRNG value: filling inputs is cheap. */
    const uint64_t r = app_rand(seed, index >> 2) >> (16 * (index & 3));
    return elem_from_bits(dtype, (unsigned)(r & 0xffff));
}

void app_fill(uint64_t addr, unsigned dtype, unsigned rows, unsigned cols, uint64_t seed) {
    const unsigned es = RAINIER_DT_SIZE(dtype);
    static uint16_t row16[65536];
    uint8_t* row = (uint8_t*)row16;
    for (unsigned r = 0; r < rows; r++) {
        const uint64_t first = (uint64_t)r * cols;
        uint64_t bits = app_rand(seed, first >> 2) >> (16 * (first & 3));
        for (unsigned c = 0; c < cols; c++) {
            const uint64_t i = first + c;
            if (c > 0 && (i & 3) == 0) bits = app_rand(seed, i >> 2);
            const uint16_t v = elem_from_bits(dtype, (unsigned)(bits & 0xffff));
            bits >>= 16;
            if (es == 1)
                row[c] = (uint8_t)v;
            else
                row16[c] = v;
        }
        memcpy((void*)(uintptr_t)(addr + first * es), row, (size_t)cols * es);
    }
}

uint32_t app_load(uint64_t addr, unsigned dtype, uint64_t i) {
    switch (RAINIER_DT_SIZE(dtype)) {
    case 1: return *(volatile uint8_t*)(uintptr_t)(addr + i);
    case 2: return *(volatile uint16_t*)(uintptr_t)(addr + 2 * i);
    default: return *(volatile uint32_t*)(uintptr_t)(addr + 4 * i);
    }
}

uint16_t app_operand_elem(const struct app_operand* op, unsigned row, unsigned col) {
    const uint64_t i = (uint64_t)row * op->ld + col;
    if (op->hbm) return (uint16_t)app_load(op->hbm, op->dtype, i);
    return app_rand_elem(op->dtype, op->seed, i);
}

uint32_t app_gemm_ref(const struct app_operand* at, const struct app_operand* b, unsigned k,
                      unsigned kt, unsigned m, unsigned n) {
    uint32_t acc = 0;
    for (unsigned k0 = 0; k0 < k; k0 += kt) {
        uint32_t t = RN_FP32_NEG_ZERO; /* down the array's rows, top row first */
        for (unsigned r = k0; r < k0 + kt && r < k; r++) {
            const uint32_t a = rn_decode(at->dtype, app_operand_elem(at, r, m));
            const uint32_t x = rn_decode(b->dtype, app_operand_elem(b, r, n));
            t = rn_add_rne(t, rn_mul_exact(a, x));
        }
        acc = k0 ? rn_add_rne(acc, t) : t; /* PSUM: write, then accumulate */
    }
    return acc;
}

unsigned app_pick(unsigned r, unsigned c, uint64_t seed, uint16_t* rows, uint16_t* cols) {
    if ((uint64_t)r * c <= APP_MAX_CHECKS) {
        unsigned j = 0;
        for (unsigned i = 0; i < r; i++)
            for (unsigned k = 0; k < c; k++, j++)
                rows[j] = (uint16_t)i, cols[j] = (uint16_t)k;
        return j;
    }
    const uint16_t cr[4] = {0, 0, (uint16_t)(r - 1), (uint16_t)(r - 1)};
    const uint16_t cc[4] = {0, (uint16_t)(c - 1), 0, (uint16_t)(c - 1)};
    for (unsigned j = 0; j < APP_SAMPLES; j++) {
        const uint64_t x = app_rand(seed ^ 0x5a5a, j);
        rows[j] = j < 4 ? cr[j] : (uint16_t)(x % r);
        cols[j] = j < 4 ? cc[j] : (uint16_t)((x >> 32) % c);
    }
    return APP_SAMPLES;
}

double app_ulp_bf16(float x) {
    const uint32_t e = (rn_bits(x) >> 23) & 0xff;
    if (e < 8) return 0x1p-126;
    /* 2^(e - 127 - 7), built from bits (no libm) */
    union {
        uint64_t u;
        double d;
    } v = {.u = (uint64_t)(e - 127 - 7 + 1023) << 52};
    return v.d;
}

void app_check(const char* what, int ok, const char* fmt, ...) {
    checks++;
    failures += !ok;
    printf("check %s: %s", what, ok ? "ok" : "FAIL");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf(" (");
        vprintf(fmt, ap);
        printf(")");
        va_end(ap);
    }
    printf("\n");
}

void app_stats(const char* what, const struct rt_dev* d) {
    const struct rt_stats* s = &d->stats;
    const uint64_t util10 = s->te_cycles ? s->te_busy * 1000 / s->te_cycles : 0;
    const uint64_t mbps = s->ns ? s->dma_bytes * 1000 / s->ns : 0;
    printf("stats %s: time %llu ns, TE busy %llu of %llu cycles = %llu.%llu%%, "
           "HBM %llu bytes = %llu MB/s, %u TE + %u VE insns, %u descriptors\n",
           what, (unsigned long long)s->ns, (unsigned long long)s->te_busy,
           (unsigned long long)s->te_cycles, (unsigned long long)(util10 / 10),
           (unsigned long long)(util10 % 10), (unsigned long long)s->dma_bytes,
           (unsigned long long)mbps, (unsigned)s->te_insns, (unsigned)s->ve_insns,
           (unsigned)s->dma_descs);
}

int app_finish(const char* app) {
    printf("%s: %s (%u checks, %u failed)\n", app, failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}

int app_open(struct rt_dev* d) {
    const int rc = rt_open(d, 0, 0, 0);
    if (rc != RT_OK) {
        printf("error: chip 0 did not come up (%d)\n", rc);
        return rc;
    }
    /* Not the tensor-engine mode: the console of an RTL and a fast run must be identical. */
    printf("chip 0: %u cores, TE %ux%u at %u kHz, %u partitions, SBUF %u KiB, PSUM %u KiB\n",
           d->info.cores, d->info.te_rows, d->info.te_cols, (unsigned)d->info.te_khz,
           d->info.partitions, (unsigned)(d->info.sbuf_size / 1024),
           (unsigned)(d->info.psum_size / 1024));
    return RT_OK;
}

float ve_add(float a, float b) {
    return rn_float(rn_fp32_ftz(rn_bits(a + b)));
}
float ve_mul(float a, float b) {
    return rn_float(rn_fp32_ftz(rn_bits(a * b)));
}
float ve_max(float a, float b) {
    if (a == b) return rn_float(rn_bits(a) & rn_bits(b)); /* +0 over -0 */
    return a > b ? a : b;
}
float ve_from_double(double d) {
    if (d != d) return rn_float(RN_FP32_NAN);
    if (fabs(d) >= 0x1.ffffffp127) return d < 0 ? -INFINITY : INFINITY;
    return rn_float(rn_fp32_ftz(rn_bits((float)d)));
}
float ve_exp(float x) {
    return ve_from_double(exp((double)x));
}
float ve_gelu(float x) {
    const double d = x;
    const double u = 0.7978845608028654 * (d + 0.044715 * d * d * d);
    return ve_from_double(d / (1.0 + exp(-2.0 * u)));
}
float ve_recip(float x) {
    return rn_float(rn_fp32_ftz(rn_bits(1.0f / x)));
}
