/* GEMM on the chip: C = A * B for a table of shapes (incl. non-multiples of the array) and
 * input types, each checked bit for bit against the host reference (app_gemm_ref: the
 * array's summation order with the numerics contract), with time, TE utilisation and DMA
 * bandwidth. GEMM_SET selects the table: 0 all but 4096, 1 the 512s, 2 the odd ones, 3 512
 * BF16 only, 4 4096 BF16 only (for a Trn2-sized core; bench/gemm). */
#include <stdio.h>

#include "app.h"

#ifndef GEMM_SET
#define GEMM_SET 0
#endif

struct shape {
    unsigned m, k, n, in_dtype, c_dtype;
    unsigned sets;        /* bit s: in GEMM_SET s */
    unsigned a_tiles_max; /* rt_gemm's: small values stream A^T through SBUF */
};

#define BIG (1u << 0 | 1u << 1)
#define ODD (1u << 0 | 1u << 2)
static const struct shape shapes[] = {
    {512, 512, 512, RAINIER_DT_BF16, RAINIER_DT_FP32, BIG | 1u << 3, 0},
    {512, 512, 512, RAINIER_DT_FP8_E4M3, RAINIER_DT_BF16, BIG, 0},
    {100, 70, 130, RAINIER_DT_BF16, RAINIER_DT_FP32, ODD, 0},
    {100, 70, 130, RAINIER_DT_FP8_E4M3, RAINIER_DT_FP32, ODD, 0},
    {1, 33, 1, RAINIER_DT_BF16, RAINIER_DT_FP32, ODD, 0},
    {33, 1, 600, RAINIER_DT_BF16, RAINIER_DT_BF16, ODD, 0},
    {64, 200, 1100, RAINIER_DT_FP8_E4M3, RAINIER_DT_BF16, ODD, 0},
    {65, 97, 1537, RAINIER_DT_BF16, RAINIER_DT_FP32, ODD, 0},
    {200, 90, 700, RAINIER_DT_BF16, RAINIER_DT_BF16, ODD, 2},  /* A^T streamed, 2 m-tiles */
    {64, 4000, 300, RAINIER_DT_BF16, RAINIER_DT_FP32, ODD, 0}, /* K: panels of N = 256 */
    {4096, 4096, 4096, RAINIER_DT_BF16, RAINIER_DT_FP32, 1u << 4, 0},
};

static const char* dt_name(unsigned dt) {
    return dt == RAINIER_DT_BF16       ? "bf16"
           : dt == RAINIER_DT_FP8_E4M3 ? "e4m3"
           : dt == RAINIER_DT_FP8_E5M2 ? "e5m2"
                                       : "fp32";
}

static uint16_t pick_r[APP_MAX_CHECKS], pick_c[APP_MAX_CHECKS];

static void run(struct rt_dev* d, const struct shape* s, unsigned idx) {
    char name[64];
    snprintf(name, sizeof name, "gemm %ux%ux%u %s->%s%s", s->m, s->k, s->n, dt_name(s->in_dtype),
             dt_name(s->c_dtype), s->a_tiles_max ? " (A streamed)" : "");
    const unsigned ei = RAINIER_DT_SIZE(s->in_dtype), ec = RAINIER_DT_SIZE(s->c_dtype);
    struct rt_gemm g = {0};
    g.m = s->m, g.k = s->k, g.n = s->n;
    g.a_dtype = g.b_dtype = s->in_dtype;
    g.c_dtype = s->c_dtype;
    g.act = RAINIER_ACT_IDENTITY;
    g.a_tiles_max = s->a_tiles_max;
    g.at = rt_mem_alloc(&d->hbm, (uint64_t)s->k * s->m * ei, 4096);
    g.b = rt_mem_alloc(&d->hbm, (uint64_t)s->k * s->n * ei, 4096);
    g.c = rt_mem_alloc(&d->hbm, (uint64_t)s->m * s->n * ec, 4096);
    const uint64_t seed_a = 100 + 2 * idx, seed_b = 101 + 2 * idx;
    app_fill(g.at, s->in_dtype, s->k, s->m, seed_a);
    app_fill(g.b, s->in_dtype, s->k, s->n, seed_b);

    rt_begin(d);
    struct rt_ticket done;
    int rc = rt_gemm(d, &g, &done);
    if (rc == RT_OK) rc = rt_run(d, &done, 1);
    if (rc != RT_OK) {
        app_check(name, 0, "runtime error %d", rc);
    } else {
        /* The inputs as the host wrote them to HBM (the chip only reads them). */
        const struct app_operand at = {s->in_dtype, seed_a, g.at, s->m};
        const struct app_operand b = {s->in_dtype, seed_b, g.b, s->n};
        const unsigned n = app_pick(s->m, s->n, seed_a, pick_r, pick_c);
        unsigned bad = 0;
        for (unsigned j = 0; j < n; j++) {
            const unsigned r = pick_r[j], c = pick_c[j];
            uint32_t want = app_gemm_ref(&at, &b, s->k, d->info.te_rows, r, c);
            if (s->c_dtype == RAINIER_DT_BF16) want = rn_to_bf16(want);
            const uint32_t got = app_load(g.c, s->c_dtype, (uint64_t)r * s->n + c);
            if (got != want && bad++ < 3)
                printf("  C[%u][%u] = 0x%08x, want 0x%08x\n", r, c, (unsigned)got, (unsigned)want);
        }
        app_check(name, bad == 0, "%u of %u elements bit-exact", n - bad, n);
        app_stats(name, d);
    }
    rt_mem_free(&d->hbm, g.at);
    rt_mem_free(&d->hbm, g.b);
    rt_mem_free(&d->hbm, g.c);
}

int main(void) {
    struct rt_dev d;
    if (app_open(&d) != RT_OK) return 2;
    for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].sets & (1u << GEMM_SET)) run(&d, &shapes[i], i);
    return app_finish("gemm");
}
