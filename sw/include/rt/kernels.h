/* Kernels: each emits a complete HBM-to-HBM engine program into the current program of an
 * rt_dev (between rt_begin and rt_run) and returns the ticket that says it has finished. */
#ifndef RT_KERNELS_H
#define RT_KERNELS_H

#include <stdint.h>

#include "rt/rt.h"

/* C[M x N] = act(A[M x K] * B[K x N] + bias) for any M, K, N >= 1.
 *
 * Like NKI's nc_matmul the API takes A transposed: `at` holds A^T, K rows of M elements
 * (K-major: At[k * M + m] = A[m][k]), because the stationary operand of the tensor engine is
 * a K-partition x M tile. B is K x N row-major, C is M x N row-major. Output rows (M) land on
 * PSUM partitions, so `bias` is one FP32 per output row m (a per-partition vector); a layer
 * y = x W + b is computed transposed, y^T = W^T x^T, with at = W (K x M = in x out). */
struct rt_gemm {
    uint64_t at, b, c; /* global HBM addresses */
    uint64_t bias;     /* 0, or M FP32 values */
    unsigned m, k, n;
    unsigned a_dtype, b_dtype; /* RAINIER_DT_BF16 / FP8_E4M3 / FP8_E5M2 */
    unsigned c_dtype;          /* RAINIER_DT_FP32 or BF16 (RNE) */
    unsigned act;              /* RAINIER_ACT_*, applied to acc + bias */
    unsigned a_tiles_max;      /* 0: keep as many A^T m-tiles in SBUF as fit; tests set a
                                  small value to exercise the streaming of A^T */
};

/* Tiling: M in tiles of the array's columns, K of its rows, N of 512 (a PSUM bank of FP32;
 * less when two K x 512 B panels do not fit in SBUF). As many A^T m-tiles as fit stay in
 * SBUF; B is streamed once per such block. RT_ERR_SBUF only when not even two B panels of
 * K x 32 and one A^T m-tile fit (K beyond ~30000 BF16 on the lite chip). */
int rt_gemm(struct rt_dev* d, const struct rt_gemm* g, struct rt_ticket* done);

/* Row softmax: Y[r][j] = exp(s X[r][j] - s max_j X[r][.]) / sum_j exp(...), X FP32 `rows` x
 * `len` row-major. Y is `y_dtype` (FP32 or BF16), row-major, or transposed (len x rows,
 * Y^T) when `transpose_out` is set. */
struct rt_softmax {
    uint64_t x, y;
    unsigned rows, len;
    float scale;
    unsigned y_dtype;
    int transpose_out;
};
int rt_softmax(struct rt_dev* d, const struct rt_softmax* s, struct rt_ticket* done);

#endif
