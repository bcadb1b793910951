/* Shared by the sw/ apps: deterministic inputs, the host reference of one GEMM output element
 * (bit-exact), result checks and the summary lines. */
#ifndef APPS_APP_H
#define APPS_APP_H

#include <stdint.h>

#include "rt/kernels.h"
#include "rt/numerics.h"

/* Counter-based PRNG: element `index` of stream `seed`, so a reference can regenerate any
 * input without keeping it. */
uint64_t app_rand(uint64_t seed, uint64_t index);
/* A random input element of `dtype` with magnitude in [2^-3, 2^2): no NaN, Inf or zero. */
uint16_t app_rand_elem(unsigned dtype, uint64_t seed, uint64_t index);

/* Fills a rows x cols row-major tensor of `dtype` in HBM at `addr` from stream `seed`. */
void app_fill(uint64_t addr, unsigned dtype, unsigned rows, unsigned cols, uint64_t seed);
/* Element i of an HBM tensor of `dtype` (FP8 in the low byte). */
uint32_t app_load(uint64_t addr, unsigned dtype, uint64_t i);

/* A GEMM operand: generated from a seed, or read back from HBM. */
struct app_operand {
    unsigned dtype;
    uint64_t seed;
    uint64_t hbm; /* nonzero: read element i from here instead */
    unsigned ld;  /* row length */
};
uint16_t app_operand_elem(const struct app_operand* op, unsigned row, unsigned col);

/* The hardware's FP32 result C[m][n] for A^T (K x M) and B (K x N): per k-tile of `kt` rows
 * a column sum from -0 (numerics add_rne / mul_exact), k-tiles accumulated in order. */
uint32_t app_gemm_ref(const struct app_operand* at, const struct app_operand* b, unsigned k,
                      unsigned kt, unsigned m, unsigned n);

/* Elements to check of an R x C result: all when small, else a deterministic sample of
 * APP_SAMPLES (corners first). Returns how many; element j is (rows[j], cols[j]). */
#define APP_MAX_CHECKS 4096
#ifndef APP_SAMPLES
#define APP_SAMPLES 256
#endif
unsigned app_pick(unsigned r, unsigned c, uint64_t seed, uint16_t* rows, uint16_t* cols);

/* BF16 spacing around |x| (FP32 bits): 2^(e - 7) for exponent e. */
double app_ulp_bf16(float x);

/* One line per check; failures counted for app_finish. */
void app_check(const char* what, int ok, const char* fmt, ...);
void app_stats(const char* what, const struct rt_dev* d);
/* Summary line; returns main's exit code (0 only if every check passed). */
int app_finish(const char* app);

int app_open(struct rt_dev* d);

/* The vector engine's FP32 arithmetic (tlm-models/neuroncore/golden/vector_ops.cpp): IEEE
 * single operations with flushed results, and functions computed in double and rounded once. */
float ve_add(float a, float b);
float ve_mul(float a, float b);
float ve_max(float a, float b);
float ve_from_double(double d); /* RNE to FP32, flushed; Inf from the FLT_MAX/2^128 midpoint */
float ve_exp(float x);
float ve_gelu(float x); /* x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3), in double */
float ve_recip(float x);
#endif
