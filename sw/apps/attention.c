/* One attention head, O = softmax(Q K^T / sqrt(d)) V, BF16 inputs:
 *   S [Sq x Sk] FP32 = Q K^T          (rt_gemm: at = Q^T [d x Sq], b = K^T [d x Sk])
 *   P^T [Sk x Sq] BF16 = softmax(S s)  (rt_softmax along Sk, stored transposed)
 *   O [Sq x d] FP32 = P V             (rt_gemm: at = P^T, b = V [Sk x d])
 * Checks: S bit-exact; P against the host softmax (picolibc libm) from the chip's S, within
 * the derived bound (docs/programming-guide.md); O bit-exact from the chip's P^T. */
#include <math.h>
#include <stdio.h>

#include "app.h"

#define SQ 48
#define SK 80
#define DH 40

static uint16_t pick_r[APP_MAX_CHECKS], pick_c[APP_MAX_CHECKS];

static int launch_gemm(struct rt_dev* d, const struct rt_gemm* g, const char* what) {
    struct rt_ticket done;
    rt_begin(d);
    int rc = rt_gemm(d, g, &done);
    if (rc == RT_OK) rc = rt_run(d, &done, 1);
    app_check(what, rc == RT_OK, "rc %d", rc);
    if (rc == RT_OK) app_stats(what, d);
    return rc;
}

int main(void) {
    struct rt_dev d;
    if (app_open(&d) != RT_OK) return 2;
    const unsigned BF = RAINIER_DT_BF16, F = RAINIER_DT_FP32;
    const uint64_t qt = rt_mem_alloc(&d.hbm, 2 * DH * SQ, 4096);
    const uint64_t kt = rt_mem_alloc(&d.hbm, 2 * DH * SK, 4096);
    const uint64_t v = rt_mem_alloc(&d.hbm, 2 * SK * DH, 4096);
    const uint64_t s = rt_mem_alloc(&d.hbm, 4 * SQ * SK, 4096);
    const uint64_t pt = rt_mem_alloc(&d.hbm, 2 * SK * SQ, 4096);
    const uint64_t o = rt_mem_alloc(&d.hbm, 4 * SQ * DH, 4096);
    app_fill(qt, BF, DH, SQ, 11);
    app_fill(kt, BF, DH, SK, 12);
    app_fill(v, BF, SK, DH, 13);
    const float scale = 1.0f / sqrtf((float)DH);

    struct rt_gemm g1 = {qt, kt, s, 0, SQ, DH, SK, BF, BF, F, RAINIER_ACT_IDENTITY, 0};
    if (launch_gemm(&d, &g1, "attention S = Q K^T") != RT_OK) return app_finish("attention");
    struct rt_softmax sm = {s, pt, SQ, SK, scale, BF, 1};
    struct rt_ticket done;
    rt_begin(&d);
    int rc = rt_softmax(&d, &sm, &done);
    if (rc == RT_OK) rc = rt_run(&d, &done, 1);
    app_check("attention softmax", rc == RT_OK, "rc %d", rc);
    if (rc != RT_OK) return app_finish("attention");
    app_stats("attention softmax", &d);
    struct rt_gemm g2 = {pt, v, o, 0, SQ, SK, DH, BF, BF, F, RAINIER_ACT_IDENTITY, 0};
    if (launch_gemm(&d, &g2, "attention O = P V") != RT_OK) return app_finish("attention");

    /* S, bit-exact. */
    const struct app_operand aq = {BF, 11, 0, SQ}, bk = {BF, 12, 0, SK};
    unsigned n = app_pick(SQ, SK, 21, pick_r, pick_c), bad = 0;
    for (unsigned j = 0; j < n; j++) {
        const unsigned i = pick_r[j], c = pick_c[j];
        const uint32_t want = app_gemm_ref(&aq, &bk, DH, d.info.te_rows, i, c);
        const uint32_t got = app_load(s, F, (uint64_t)i * SK + c);
        if (got != want && bad++ < 3)
            printf("  S[%u][%u] = 0x%08x, want 0x%08x\n", i, c, (unsigned)got, (unsigned)want);
    }
    app_check("S bit-exact", bad == 0, "%u of %u elements", n - bad, n);

    /* Softmax of the chip's S, every row, with the VE's FP32 operations (max, -max*s, the
     * affine x*s + b, the in-order sum, reciprocal, product): only exp (host libm on the chip,
     * picolibc here) may differ, by one FP32 ulp. Bound on the FP32 result before the BF16
     * cast (docs/programming-guide.md): relative (SK + 3) 2^-23; then one BF16 ulp. */
    bad = 0;
    unsigned exact = 0;
    const double eps_y = (SK + 3) * 0x1p-23 * (1 + 0x1p-10);
    for (unsigned i = 0; i < SQ; i++) {
        float e[SK], mx = 0, sum = 0;
        for (unsigned j = 0; j < SK; j++) {
            const float x = rn_float(app_load(s, F, (uint64_t)i * SK + j));
            mx = j ? ve_max(mx, x) : x;
        }
        const float nb = ve_mul(mx, -scale);
        for (unsigned j = 0; j < SK; j++) {
            const float x = rn_float(app_load(s, F, (uint64_t)i * SK + j));
            e[j] = ve_exp(ve_add(ve_mul(x, scale), nb));
            sum = j ? ve_add(sum, e[j]) : e[j];
        }
        const float r = ve_recip(sum);
        for (unsigned j = 0; j < SK; j++) {
            const float want = rn_float((uint32_t)rn_to_bf16(rn_bits(ve_mul(e[j], r))) << 16);
            const float got = rn_float(app_load(pt, BF, (uint64_t)j * SQ + i) << 16);
            const float big = fabsf(want) > fabsf(got) ? want : got;
            const double tol = app_ulp_bf16(big) + eps_y * fabs((double)want);
            const double err = fabs((double)got - (double)want);
            exact += rn_bits(got) == rn_bits(want);
            if (err > tol && bad++ < 3)
                printf("  P[%u][%u] = %a, want %a (tolerance %a)\n", i, j, (double)got,
                       (double)want, tol);
        }
    }
    app_check("softmax within bound", bad == 0, "%u of %u elements, %u bit-exact", SQ * SK - bad,
              SQ * SK, exact);

    /* O from the chip's P^T, bit-exact. */
    const struct app_operand ap = {BF, 0, pt, SQ}, bv = {BF, 13, 0, DH};
    n = app_pick(SQ, DH, 22, pick_r, pick_c);
    bad = 0;
    for (unsigned j = 0; j < n; j++) {
        const unsigned i = pick_r[j], c = pick_c[j];
        const uint32_t want = app_gemm_ref(&ap, &bv, SK, d.info.te_rows, i, c);
        const uint32_t got = app_load(o, F, (uint64_t)i * DH + c);
        if (got != want && bad++ < 3)
            printf("  O[%u][%u] = 0x%08x, want 0x%08x\n", i, c, (unsigned)got, (unsigned)want);
    }
    app_check("O bit-exact", bad == 0, "%u of %u elements", n - bad, n);
    return app_finish("attention");
}
