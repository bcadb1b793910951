/* Row softmax on the vector engine (see rt/kernels.h). Rows go in chunks of `partitions`
 * (one row per partition, the whole row in SBUF), two chunk slots so that the loads of the
 * next chunk overlap this one's vector work. Per chunk:
 *   REDUCE max -> m;  TENSOR_SCALAR m * (-s) -> b;  ACTIVATE exp(s x + b) -> e (bias vector);
 *   REDUCE add -> z;  ACTIVATE reciprocal(z) -> r;  TENSOR_SCALAR e * r (scalar vector) -> y
 * with y cast to the output dtype (RNE) and DMAed out, transposed if asked. */
#include <string.h>

#include "rt/kernels.h"

static unsigned min_u(unsigned a, unsigned b) {
    return a < b ? a : b;
}

static struct rt_ticket ve(struct rt_dev* d, unsigned op, unsigned func, unsigned flags,
                           struct rainier_nc_tile dst, unsigned dst_dt, struct rainier_nc_tile src0,
                           struct rainier_nc_tile src1, float imm0, float imm1,
                           const struct rt_ticket* waits, unsigned nwaits, int signal) {
    struct rainier_nc_insn x;
    memset(&x, 0, sizeof x);
    x.opcode = (uint8_t)op;
    x.func = (uint8_t)func;
    x.flags = (uint8_t)flags;
    x.src_dtype = RAINIER_DT_FP32;
    x.dst_dtype = (uint8_t)dst_dt;
    x.round = RAINIER_ROUND_RNE;
    x.dst = dst;
    x.src0 = src0;
    x.src1 = src1;
    x.imm0 = imm0;
    x.imm1 = imm1;
    return rt_nc(d, RAINIER_NC_ENGINE_VECTOR, &x, waits, nwaits, signal);
}

int rt_softmax(struct rt_dev* d, const struct rt_softmax* s, struct rt_ticket* done) {
    const unsigned R = s->rows, L = s->len, P = d->info.partitions;
    if (!R || !L || L > 65535 || R > 65535) return RT_ERR_SHAPE;
    if (s->y_dtype != RAINIER_DT_FP32 && s->y_dtype != RAINIER_DT_BF16) return RT_ERR_ARG;
    const unsigned ey = RAINIER_DT_SIZE(s->y_dtype);
    int64_t x_off[2], e_off[2], y_off[2], v_off[2];
    int fits = 1;
    for (unsigned i = 0; i < 2; i++) {
        fits &= (x_off[i] = rt_sbuf_alloc(d, 4 * L)) >= 0;
        fits &= (e_off[i] = rt_sbuf_alloc(d, 4 * L)) >= 0;
        fits &= (y_off[i] = rt_sbuf_alloc(d, ey * L)) >= 0;
        fits &= (v_off[i] = rt_sbuf_alloc(d, 16)) >= 0;
    }
    if (!fits) return RT_ERR_SBUF;
    const int32_t PS = (int32_t)RAINIER_SBUF_PARTITION_STRIDE;
    const struct rainier_nc_tile none = {0, 0, 0};
    struct rt_ticket tv[2] = {{0, 0}, {0, 0}}, to[2] = {{0, 0}, {0, 0}}, last = {0, 0};
    struct rainier_dma_desc desc;

    for (unsigned c = 0, r0 = 0; r0 < R; c++, r0 += P) {
        const unsigned i = c % 2, pr = min_u(P, R - r0);
        rt_desc_2d(&desc, 4, (uint16_t)pr, (uint16_t)L, s->x + 4ull * r0 * L, (int32_t)(4 * L),
                   rt_sram_addr(d, rt_sbuf_off(0, (uint32_t)x_off[i])), PS);
        const struct rt_ticket tin = rt_dma(d, i, &desc, &tv[i], 1, 1);

        const struct rainier_nc_tile x = rt_tile(rt_sbuf_off(0, (uint32_t)x_off[i]), pr, L);
        const struct rainier_nc_tile e = rt_tile(rt_sbuf_off(0, (uint32_t)e_off[i]), pr, L);
        const struct rainier_nc_tile y = rt_tile(rt_sbuf_off(0, (uint32_t)y_off[i]), pr, L);
        const uint32_t v = (uint32_t)v_off[i];
        const struct rainier_nc_tile mx = rt_tile(rt_sbuf_off(0, v), pr, 1);
        const struct rainier_nc_tile nb = rt_tile(rt_sbuf_off(0, v + 4), pr, 1);
        const struct rainier_nc_tile z = rt_tile(rt_sbuf_off(0, v + 8), pr, 1);
        const struct rainier_nc_tile rz = rt_tile(rt_sbuf_off(0, v + 12), pr, 1);
        const unsigned F = RAINIER_DT_FP32;
        ve(d, RAINIER_OP_REDUCE, RAINIER_ALU_MAX, 0, mx, F, x, none, 0, 0, &tin, 1, 0);
        ve(d, RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_MUL, 0, nb, F, mx, none, 0, -s->scale, NULL, 0,
           0);
        ve(d, RAINIER_OP_ACTIVATE, RAINIER_ACT_EXP, RAINIER_NC_FLAG_BIAS_VEC, e, F, x, nb, s->scale,
           0, NULL, 0, 0);
        ve(d, RAINIER_OP_REDUCE, RAINIER_ALU_ADD, 0, z, F, e, none, 0, 0, NULL, 0, 0);
        ve(d, RAINIER_OP_ACTIVATE, RAINIER_ACT_RECIPROCAL, 0, rz, F, z, none, 1.0f, 0, NULL, 0, 0);
        tv[i] = ve(d, RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_MUL, RAINIER_NC_FLAG_SCALAR_VEC, y,
                   s->y_dtype, e, rz, 0, 0, &to[i], 1, 1);

        if (!s->transpose_out) {
            rt_desc_2d(&desc, ey, (uint16_t)pr, (uint16_t)L,
                       rt_sram_addr(d, rt_sbuf_off(0, (uint32_t)y_off[i])), PS,
                       s->y + (uint64_t)ey * r0 * L, (int32_t)(ey * L));
        } else { /* element (row r, j) to Y^T[j][r] */
            rt_desc_2d(&desc, ey, (uint16_t)pr, (uint16_t)L,
                       rt_sram_addr(d, rt_sbuf_off(0, (uint32_t)y_off[i])), PS,
                       s->y + (uint64_t)ey * r0, (int32_t)ey);
            desc.dst_stride[0] = (int32_t)(ey * R);
        }
        last = to[i] = rt_dma(d, 2, &desc, &tv[i], 1, 1); /* one queue: in order */
    }
    if (done) *done = last;
    return RT_OK;
}
