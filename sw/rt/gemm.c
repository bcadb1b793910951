/* Tiled matmul on one NeuronCore (see rt/kernels.h).
 *
 * Tiles: M by the array's columns (MT), K by its rows (KT), N by NT <= 512 (a PSUM bank of
 * FP32; smaller only when two B panels of K x 512 would not fit in SBUF).
 *
 * SBUF (per partition): MB A^T slots, one per resident m-tile (its MT columns of every k-tile,
 * k-tile kt at +kt * MT * ea); the bias (m-tile mt at bias_off + 4 mt); two B panels of
 * K x NT (k-tile kt at +kt * NT * eb); four output staging slots. MB is as many m-tiles as
 * fit (all of them for 512 x 512 x 512 on the lite chip).
 *
 * Loop: m-tiles in super-blocks of MB; per super-block every n-panel; per panel every m-tile
 * of the block: the TE pairs LOAD_STATIONARY(A^T[kt][mt]), MULTIPLY_MOVING(B[kt]) over all
 * k-tiles into a PSUM bank (ACC after the first), the VE epilogue (bias, activation, cast)
 * from the bank into a staging slot, the DMA of the slot to C. A is read once; B once per
 * super-block (once when there is a single panel).
 *
 * Loads first: the A^T columns of m-tile 0 (one 3-D descriptor), B's first panel (k-tile kt
 * on DMA queue kt + 1 mod 4), then the other m-tiles of the block: the first tile waits for
 * as little data as possible. Semaphores carry every dependency, so the host is out of the
 * loop:
 *   TE pair    waits for its A^T slot and B k-tile, and for the VE to have drained the bank
 *              (tile t - banks); the last MM of a tile signals T[t]
 *   VE         waits for T[t] and for the staging slot's previous DMA; signals V[t]
 *   DMA out    waits for V[t], split by rows over the four queues (a short tail)
 *   B panel    waits for T[last tile of the panel that used the slot before]
 *   A^T slot   waits for T[last tile that used it], emitted right after that tile. */
#include <stdlib.h>
#include <string.h>

#include "rt/kernels.h"

#define OUT_SLOTS 4
#define MAX_BANKS 64
#define OUT_PARTS RT_DMA_QUEUES

static unsigned ceil_div(unsigned a, unsigned b) {
    return (a + b - 1) / b;
}
static unsigned min_u(unsigned a, unsigned b) {
    return a < b ? a : b;
}
static int te_dtype_ok(unsigned dt) {
    return dt == RAINIER_DT_BF16 || dt == RAINIER_DT_FP8_E4M3 || dt == RAINIER_DT_FP8_E5M2;
}

struct plan {
    unsigned M, K, N, MT, KT, NT, mtc, ktc, ntc, MB, banks, ea, eb, ec;
    uint32_t a_slot; /* bytes of one A^T slot */
    uint32_t a_off, bias_off, b_off[2], out_off[OUT_SLOTS];
    struct rt_ticket *ta, *tb[2]; /* A^T per m-tile, B per k-tile of each panel slot */
    struct rt_ticket* a_free;     /* per A^T slot: T of the last tile that read it */
};

/* Loads B[:, n0 .. n0 + NT) (all k-tiles) into panel slot `slot`, k-tile kt on DMA queue
 * kt + 1 (mod 4: queue 0 starts with A^T), after `wait` (the slot's previous panel done). */
static void load_panel(struct rt_dev* d, const struct rt_gemm* g, const struct plan* p,
                       unsigned slot, unsigned n0, const struct rt_ticket* wait) {
    const unsigned nr = min_u(p->NT, p->N - n0);
    struct rainier_dma_desc desc;
    for (unsigned kt = 0; kt < p->ktc; kt++) {
        const unsigned kr = min_u(p->KT, p->K - kt * p->KT);
        rt_desc_2d(&desc, p->eb, (uint16_t)kr, (uint16_t)nr,
                   g->b + ((uint64_t)kt * p->KT * p->N + n0) * p->eb, (int32_t)(p->N * p->eb),
                   rt_sram_addr(d, rt_sbuf_off(0, p->b_off[slot] + kt * p->NT * p->eb)),
                   (int32_t)RAINIER_SBUF_PARTITION_STRIDE);
        p->tb[slot][kt] = rt_dma(d, (kt + 1) % RT_DMA_QUEUES, &desc, wait, wait ? 1 : 0, 1);
    }
}

/* Loads the A^T columns of m-tile mt (every k-tile) into its slot: elements (m, row in k-tile,
 * k-tile), full k-tiles in one 3-D descriptor, a last partial k-tile in a second. */
static void load_a(struct rt_dev* d, const struct rt_gemm* g, const struct plan* p, unsigned mt) {
    const unsigned m0 = mt * p->MT, mr = min_u(p->MT, p->M - m0);
    const unsigned kfull = p->K / p->KT, krest = p->K % p->KT, ea = p->ea;
    const uint32_t slot = p->a_off + (mt % p->MB) * p->a_slot;
    const struct rt_ticket* wait = &p->a_free[mt % p->MB];
    struct rainier_dma_desc desc;
    for (unsigned part = 0; part < 2; part++) {
        const unsigned k0 = part ? kfull * p->KT : 0, rows = part ? krest : p->KT;
        const unsigned tiles = part ? 1 : kfull;
        if (rows == 0 || tiles == 0) continue;
        rt_desc_2d(&desc, ea, (uint16_t)rows, (uint16_t)mr, g->at + ((uint64_t)k0 * p->M + m0) * ea,
                   (int32_t)(p->M * ea),
                   rt_sram_addr(d, rt_sbuf_off(0, slot + (k0 / p->KT) * p->MT * ea)),
                   (int32_t)RAINIER_SBUF_PARTITION_STRIDE);
        desc.src_count[2] = desc.dst_count[2] = (uint16_t)tiles;
        desc.src_stride[2] = (int32_t)(p->KT * p->M * ea);
        desc.dst_stride[2] = (int32_t)(p->MT * ea);
        p->ta[mt] = rt_dma(d, mt % RT_DMA_QUEUES, &desc, wait, wait->value ? 1 : 0, 1);
    }
}

/* SBUF layout; RT_ERR_SBUF when not even one A^T slot fits next to two panels. */
static int make_plan(struct rt_dev* d, const struct rt_gemm* g, struct plan* p) {
    p->M = g->m, p->K = g->k, p->N = g->n;
    p->KT = d->info.te_rows, p->MT = d->info.te_cols;
    p->ea = RAINIER_DT_SIZE(g->a_dtype), p->eb = RAINIER_DT_SIZE(g->b_dtype);
    p->ec = RAINIER_DT_SIZE(g->c_dtype);
    p->mtc = ceil_div(p->M, p->MT), p->ktc = ceil_div(p->K, p->KT);
    p->banks = min_u(d->info.psum_size / RAINIER_PSUM_BANK_BYTES, MAX_BANKS);
    if (p->banks == 0) return RT_ERR_SHAPE;
    p->a_slot = (p->ktc * p->MT * p->ea + 63u) & ~63u;
    const uint32_t bias = g->bias ? ((p->mtc * 4u + 63u) & ~63u) : 0;
    for (p->NT = min_u(p->N, RAINIER_TE_MAX_N);; p->NT = ceil_div(p->NT, 2)) {
        p->ntc = ceil_div(p->N, p->NT);
        const uint32_t panel = (p->ktc * p->NT * p->eb + 63u) & ~63u;
        const uint32_t out = (p->NT * p->ec + 63u) & ~63u;
        const uint32_t fixed = (p->ntc > 1 ? 2 : 1) * panel + OUT_SLOTS * out + bias;
        const uint32_t room = d->info.sbuf_size - d->sbuf_top;
        if (d->info.sbuf_size > d->sbuf_top && fixed + p->a_slot <= room) {
            p->MB = min_u(p->mtc, (room - fixed) / p->a_slot);
            if (g->a_tiles_max && p->MB > g->a_tiles_max) p->MB = g->a_tiles_max;
            break;
        }
        if (p->NT <= 32) return RT_ERR_SBUF;
    }
    p->a_off = (uint32_t)rt_sbuf_alloc(d, p->MB * p->a_slot);
    p->bias_off = bias ? (uint32_t)rt_sbuf_alloc(d, bias) : 0;
    p->b_off[0] = (uint32_t)rt_sbuf_alloc(d, p->ktc * p->NT * p->eb);
    p->b_off[1] = p->ntc > 1 ? (uint32_t)rt_sbuf_alloc(d, p->ktc * p->NT * p->eb) : p->b_off[0];
    for (unsigned s = 0; s < OUT_SLOTS; s++)
        p->out_off[s] = (uint32_t)rt_sbuf_alloc(d, p->NT * p->ec);
    return RT_OK;
}

int rt_gemm(struct rt_dev* d, const struct rt_gemm* g, struct rt_ticket* done) {
    if (!g->m || !g->k || !g->n || g->m > 65535 || g->n > 65535 || g->k > 65535)
        return RT_ERR_SHAPE;
    if (!te_dtype_ok(g->a_dtype) || !te_dtype_ok(g->b_dtype) ||
        (g->c_dtype != RAINIER_DT_FP32 && g->c_dtype != RAINIER_DT_BF16) ||
        g->act >= RAINIER_ACT_COUNT)
        return RT_ERR_ARG;
    struct plan p;
    int rc = make_plan(d, g, &p);
    if (rc != RT_OK) return rc;
    const unsigned M = p.M, N = p.N, MT = p.MT, KT = p.KT, NT = p.NT, ktc = p.ktc;
    const unsigned ea = p.ea, eb = p.eb, ec = p.ec, banks = p.banks;

    p.ta = calloc((size_t)p.mtc + 2 * (size_t)ktc + p.MB, sizeof *p.ta);
    if (!p.ta) return RT_ERR_ARG;
    p.tb[0] = p.ta + p.mtc;
    p.tb[1] = p.tb[0] + ktc;
    p.a_free = p.tb[1] + ktc;
    struct rt_ticket tv[MAX_BANKS], to[OUT_SLOTS][OUT_PARTS], tbias = {0, 0};
    struct rt_ticket panel_done[2] = {{0, 0}, {0, 0}}; /* TE ticket of each slot's last tile */
    memset(tv, 0, sizeof tv);
    memset(to, 0, sizeof to);
    struct rainier_dma_desc desc;
    const int32_t PS = (int32_t)RAINIER_SBUF_PARTITION_STRIDE;

    if (g->bias)
        for (unsigned mt = 0; mt < p.mtc; mt++) {
            const unsigned mr = min_u(MT, M - mt * MT);
            rt_desc_2d(&desc, 4, (uint16_t)mr, 1, g->bias + 4ull * mt * MT, 4,
                       rt_sram_addr(d, rt_sbuf_off(0, p.bias_off + 4 * mt)), PS);
            tbias = rt_dma(d, mt % RT_DMA_QUEUES, &desc, NULL, 0, 1);
        }
    /* m-tile 0's columns, B's first panel, the rest of the first super-block. */
    load_a(d, g, &p, 0);
    load_panel(d, g, &p, 0, 0, NULL);
    for (unsigned mt = 1; mt < p.MB; mt++)
        load_a(d, g, &p, mt);

    unsigned t = 0;     /* output tile index, in program order */
    unsigned panel = 0; /* panels computed so far (over all super-blocks): slot = panel % 2 */
    for (unsigned mb0 = 0; mb0 < p.mtc; mb0 += p.MB) {
        const unsigned mb1 = min_u(p.mtc, mb0 + p.MB);
        for (unsigned nb = 0; nb < p.ntc; nb++, panel++) {
            const unsigned slot = p.ntc > 1 ? panel % 2 : 0, n0 = nb * NT, nr = min_u(NT, N - n0);
            /* Prefetch the next panel (of this block, or the first of the next block). */
            const int last_block = mb1 == p.mtc;
            if (p.ntc > 1 && (nb + 1 < p.ntc || !last_block))
                load_panel(d, g, &p, (panel + 1) % 2, ((nb + 1) % p.ntc) * NT,
                           &panel_done[(panel + 1) % 2]);
            for (unsigned mt = mb0; mt < mb1; mt++, t++) {
                const unsigned m0 = mt * MT, mr = min_u(MT, M - m0), bank = t % banks;
                const uint32_t a_slot = p.a_off + (mt % p.MB) * p.a_slot;
                struct rt_ticket tt = {0, 0};
                for (unsigned kt = 0; kt < ktc; kt++) {
                    const unsigned kr = min_u(KT, p.K - kt * KT);
                    struct rainier_nc_insn ls, mm;
                    memset(&ls, 0, sizeof ls);
                    ls.opcode = RAINIER_OP_LOAD_STATIONARY;
                    ls.src_dtype = (uint8_t)g->a_dtype;
                    ls.src0 =
                        rt_tile(rt_sbuf_off(0, a_slot + kt * MT * ea), (uint16_t)kr, (uint16_t)mr);
                    /* The MM's waits go on the LS in front of it: the MM never waits twice. */
                    struct rt_ticket w[3] = {p.ta[mt], p.tb[slot][kt], {0, 0}};
                    if (kt == 0 && t >= banks) w[2] = tv[bank];
                    rt_nc(d, RAINIER_NC_ENGINE_TENSOR, &ls, w, 3, 0);
                    memset(&mm, 0, sizeof mm);
                    mm.opcode = RAINIER_OP_MULTIPLY_MOVING;
                    mm.flags = kt ? RAINIER_NC_FLAG_ACC : 0;
                    mm.src_dtype = (uint8_t)g->b_dtype;
                    mm.dst_dtype = RAINIER_DT_FP32;
                    mm.src0 = rt_tile(rt_sbuf_off(0, p.b_off[slot] + kt * NT * eb), (uint16_t)kr,
                                      (uint16_t)nr);
                    mm.dst = rt_tile(rt_psum_off(0, bank * RAINIER_PSUM_BANK_BYTES), (uint16_t)mr,
                                     (uint16_t)nr);
                    tt = rt_nc(d, RAINIER_NC_ENGINE_TENSOR, &mm, NULL, 0, kt == ktc - 1);
                }
                panel_done[slot] = tt;
                /* Last panel of the block: the slot is free for the next block's m-tile. */
                if (nb + 1 == p.ntc && mt + p.MB < p.mtc) {
                    p.a_free[mt % p.MB] = tt;
                    load_a(d, g, &p, mt + p.MB);
                }

                struct rainier_nc_insn ve;
                memset(&ve, 0, sizeof ve);
                ve.src_dtype = RAINIER_DT_FP32;
                ve.dst_dtype = (uint8_t)g->c_dtype;
                ve.round = RAINIER_ROUND_RNE;
                ve.src0 = rt_tile(rt_psum_off(0, bank * RAINIER_PSUM_BANK_BYTES), (uint16_t)mr,
                                  (uint16_t)nr);
                ve.dst =
                    rt_tile(rt_sbuf_off(0, p.out_off[t % OUT_SLOTS]), (uint16_t)mr, (uint16_t)nr);
                if (g->bias || g->act != RAINIER_ACT_IDENTITY) {
                    ve.opcode = RAINIER_OP_ACTIVATE;
                    ve.func = (uint8_t)g->act;
                    ve.imm0 = 1.0f;
                    ve.imm1 = 0.0f;
                    if (g->bias) {
                        ve.flags = RAINIER_NC_FLAG_BIAS_VEC;
                        ve.src1 = rt_tile(rt_sbuf_off(0, p.bias_off + 4 * mt), (uint16_t)mr, 1);
                    }
                } else {
                    ve.opcode = RAINIER_OP_COPY; /* bit-exact, -0 stays -0 */
                }
                struct rt_ticket w[OUT_PARTS + 2];
                for (unsigned i = 0; i < OUT_PARTS; i++)
                    w[i] = to[t % OUT_SLOTS][i];
                w[OUT_PARTS] = tbias;
                w[OUT_PARTS + 1] = tt;
                tv[bank] = rt_nc(d, RAINIER_NC_ENGINE_VECTOR, &ve, w, OUT_PARTS + 2, 1);

                /* Rows split over the queues: the last tile's write-back is the tail. */
                const unsigned parts = min_u(OUT_PARTS, mr), per = ceil_div(mr, parts);
                for (unsigned i = 0, r0 = 0; i < parts && r0 < mr; i++, r0 += per) {
                    const unsigned rows = min_u(per, mr - r0);
                    rt_desc_2d(&desc, ec, (uint16_t)rows, (uint16_t)nr,
                               rt_sram_addr(d, rt_sbuf_off(r0, p.out_off[t % OUT_SLOTS])), PS,
                               g->c + ((uint64_t)(m0 + r0) * N + n0) * ec, (int32_t)(N * ec));
                    to[t % OUT_SLOTS][i] =
                        rt_dma(d, (t + i) % RT_DMA_QUEUES, &desc, &tv[bank], 1, 1);
                }
            }
        }
    }
    free(p.ta);
    if (done) *done = tv[(t - 1) % banks]; /* rt_run waits for every queue anyway */
    return RT_OK;
}
