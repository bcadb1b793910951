/* Two-layer MLP, Y = GELU(X W1 + b1) W2 + b2, BF16 weights and activations, computed
 * feature-major (transposed) so that each layer's output features are PSUM partitions and
 * its bias is a per-partition vector:
 *   H^T [F1 x B] = gelu(W1^T X^T + b1)   (rt_gemm: at = W1 [D0 x F1], b = X^T [D0 x B], BF16 out)
 *   Y^T [D2 x B] = W2^T H^T + b2         (at = W2 [F1 x D2], b = H^T, FP32 out)
 * Checks (docs/programming-guide.md, "Checking results"): layer 1 against the host's GELU
 * within the derived bound (one BF16 ulp); layer 2 bit-exact from the chip's own H. */
#include <math.h>
#include <stdio.h>

#include "app.h"

#define BATCH 64
#define D0 96
#define F1 160
#define D2 48

static uint16_t pick_r[APP_MAX_CHECKS], pick_c[APP_MAX_CHECKS];

static float bias_val(uint64_t seed, unsigned i) {
    return rn_float(rn_decode(RAINIER_DT_BF16, app_rand_elem(RAINIER_DT_BF16, seed, i)));
}

static void fill_bias(uint64_t addr, unsigned n, uint64_t seed) {
    for (unsigned i = 0; i < n; i++)
        ((volatile float*)(uintptr_t)addr)[i] = bias_val(seed, i);
}

int main(void) {
    struct rt_dev d;
    if (app_open(&d) != RT_OK) return 2;
    const unsigned BF = RAINIER_DT_BF16;
    const uint64_t xt = rt_mem_alloc(&d.hbm, 2 * D0 * BATCH, 4096);
    const uint64_t w1 = rt_mem_alloc(&d.hbm, 2 * D0 * F1, 4096);
    const uint64_t b1 = rt_mem_alloc(&d.hbm, 4 * F1, 4096);
    const uint64_t ht = rt_mem_alloc(&d.hbm, 2 * F1 * BATCH, 4096);
    const uint64_t w2 = rt_mem_alloc(&d.hbm, 2 * F1 * D2, 4096);
    const uint64_t b2 = rt_mem_alloc(&d.hbm, 4 * D2, 4096);
    const uint64_t yt = rt_mem_alloc(&d.hbm, 4 * D2 * BATCH, 4096);
    app_fill(xt, BF, D0, BATCH, 1);
    app_fill(w1, BF, D0, F1, 2);
    app_fill(w2, BF, F1, D2, 3);
    fill_bias(b1, F1, 4);
    fill_bias(b2, D2, 5);

    struct rt_gemm l1 = {w1, xt, ht, b1, F1, D0, BATCH, BF, BF, BF, RAINIER_ACT_GELU_TANH, 0};
    struct rt_gemm l2 = {
        w2, ht, yt, b2, D2, F1, BATCH, BF, BF, RAINIER_DT_FP32, RAINIER_ACT_IDENTITY, 0};
    struct rt_ticket done;
    rt_begin(&d);
    int rc = rt_gemm(&d, &l1, &done);
    if (rc == RT_OK) rc = rt_run(&d, &done, 1);
    app_check("layer 1 ran", rc == RT_OK, "rc %d", rc);
    if (rc == RT_OK) app_stats("mlp layer 1", &d);
    rt_begin(&d);
    if (rc == RT_OK) rc = rt_gemm(&d, &l2, &done);
    if (rc == RT_OK) rc = rt_run(&d, &done, 1);
    app_check("layer 2 ran", rc == RT_OK, "rc %d", rc);
    if (rc != RT_OK) return app_finish("mlp");
    app_stats("mlp layer 2", &d);

    /* Layer 1: acc = the exact matmul, z = fl(acc + b) (the VE's affine), h = bf16(gelu(z))
     * with GELU in double through picolibc's exp. Only exp may differ from the chip's (host
     * libm), by < 1 ulp of double: the FP32 results then agree or are adjacent, so the BF16
     * results agree or are one BF16 ulp apart (the bound, docs/programming-guide.md). */
    const struct app_operand a1 = {BF, 2, 0, F1}, x1 = {BF, 1, 0, BATCH};
    unsigned n = app_pick(F1, BATCH, 7, pick_r, pick_c), bad = 0, exact = 0;
    for (unsigned j = 0; j < n; j++) {
        const unsigned f = pick_r[j], b = pick_c[j];
        const float acc = rn_float(app_gemm_ref(&a1, &x1, D0, d.info.te_rows, f, b));
        const float z = ve_add(ve_mul(acc, 1.0f), bias_val(4, f));
        const float want = rn_float((uint32_t)rn_to_bf16(rn_bits(ve_gelu(z))) << 16);
        const float got = rn_float(app_load(ht, BF, (uint64_t)f * BATCH + b) << 16);
        const float big = fabsf(want) > fabsf(got) ? want : got;
        const double err = fabs((double)got - (double)want);
        exact += rn_bits(got) == rn_bits(want);
        if (err > app_ulp_bf16(big) && bad++ < 3)
            printf("  H[%u][%u] = %a, want %a\n", f, b, (double)got, (double)want);
    }
    app_check("layer 1 gelu within 1 bf16 ulp", bad == 0, "%u of %u elements, %u bit-exact",
              n - bad, n, exact);

    /* Layer 2 from the chip's H: bias added in FP32 (one rounding), identity. */
    const struct app_operand a2 = {BF, 3, 0, D2}, h2 = {BF, 0, ht, BATCH};
    n = app_pick(D2, BATCH, 8, pick_r, pick_c);
    bad = 0;
    for (unsigned j = 0; j < n; j++) {
        const unsigned o = pick_r[j], b = pick_c[j];
        const float acc = rn_float(app_gemm_ref(&a2, &h2, F1, d.info.te_rows, o, b));
        const uint32_t want = rn_bits(ve_add(ve_mul(acc, 1.0f), bias_val(5, o)));
        const uint32_t got = app_load(yt, RAINIER_DT_FP32, (uint64_t)o * BATCH + b);
        if (got != want && bad++ < 3)
            printf("  Y[%u][%u] = 0x%08x, want 0x%08x\n", o, b, (unsigned)got, (unsigned)want);
    }
    app_check("layer 2 bit-exact", bad == 0, "%u of %u elements", n - bad, n);
    return app_finish("mlp");
}
