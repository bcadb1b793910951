/* Emitting the descriptors a ring step is made of: slices and their parts, remote signals,
 * joins, all-gather sends, held sums. */
#include "coll_internal.h"

#include <stdio.h>

struct rt_ticket coll_dma_pieces_ex(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                    uint64_t src, int32_t src_row, uint64_t dst, int32_t dst_row,
                                    const struct rt_ticket* w, unsigned nw, int signal,
                                    uint8_t flags) {
    struct rainier_dma_desc desc;
    struct rt_ticket t = {0, 0};
    if (g.q) {
        rt_desc_2d(&desc, j->es, (uint16_t)g.q, (uint16_t)g.E, src, src_row, dst, dst_row);
        desc.flags |= flags;
        t = rt_dma(L->d, q, &desc, w, nw, g.r ? 0 : signal);
        nw = 0;
    }
    if (g.r) {
        rt_desc_2d(&desc, j->es, 1, (uint16_t)g.r, src + (uint64_t)src_row * g.q, src_row,
                   dst + (uint64_t)dst_row * g.q, dst_row);
        desc.flags |= flags;
        t = rt_dma(L->d, q, &desc, w, nw, signal);
    }
    return t;
}

struct rt_ticket coll_dma_pieces(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                 uint64_t src, int32_t src_row, uint64_t dst, int32_t dst_row,
                                 const struct rt_ticket* w, unsigned nw, int signal) {
    return coll_dma_pieces_ex(L, q, j, g, src, src_row, dst, dst_row, w, nw, signal, 0);
}

/* The elements part p of `parts` covers in a slice laid out as g: whole rows, the partial row
 * with the last part. */
static void part_range(struct geo g, unsigned p, unsigned parts, uint32_t* off, uint32_t* len) {
    const uint32_t r0 = g.q * p / parts, r1 = g.q * (p + 1) / parts;
    *off = r0 * g.E;
    *len = (r1 - r0) * g.E + (p + 1 == parts ? g.r : 0);
}

/* Part p of `parts` of a piece laid out as g: its rows q * p / parts up to q * (p + 1) / parts,
 * the partial row with the last part. */
struct rt_ticket coll_dma_part_sig(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                   unsigned p, unsigned parts, uint64_t src, int32_t src_row,
                                   uint64_t dst, int32_t dst_row, const struct rt_ticket* w,
                                   unsigned nw, uint8_t flags, int signal) {
    uint32_t off, len;
    part_range(g, p, parts, &off, &len);
    const uint32_t r0 = off / g.E;
    const struct geo sub = {g.E, len / g.E, len % g.E};
    return coll_dma_pieces_ex(L, q, j, sub, src + (uint64_t)src_row * r0, src_row,
                              dst + (uint64_t)dst_row * r0, dst_row, w, nw, signal, flags);
}

/* A 4-byte copy of 1 into semaphore `sem` of device `to`, after queue q's earlier entries. */
struct rt_ticket coll_signal_remote(struct lane* L, unsigned q, struct lane* to, unsigned sem,
                                    const struct rt_ticket* w, unsigned nw) {
    struct rainier_dma_desc desc;
    rt_desc_2d(&desc, 4, 1, 1, rt_sram_addr(L->d, rt_sbuf_off(0, ONE_OFF)), 4,
               RAINIER_CHIP_MMIO_ADDR(to->chip) + RAINIER_CHIP_SEM_OFFSET(to->d->core) +
                   RAINIER_SEM_INC(sem),
               4);
    rt_dma(L->d, q, &desc, w, nw, 0);
    struct rt_ticket t = {(uint8_t)sem, ++to->d->sem_count[sem]};
    return t;
}

/* One ticket for several (on the control queue). */
struct rt_ticket coll_join(struct lane* L, const struct rt_ticket* w, unsigned nw) {
    struct rainier_dma_desc desc;
    rt_desc_2d(&desc, 4, 1, 1, rt_sram_addr(L->d, rt_sbuf_off(0, SCRATCH_OFF)), 4,
               rt_sram_addr(L->d, rt_sbuf_off(0, SCRATCH_DST)), 4);
    return rt_dma(L->d, Q_CTL, &desc, w, nw, 1);
}

/* An all-gather send, part p of `parts` (slice_parts) of a slice of `len` elements: from `at`
 * (HBM; or rows of `g`, `at_row` bytes apart) to the same elements of the next chip's `work`,
 * or (`into_slot`) into its next slot, which it stores from; then its arrival signal. Returns
 * the send's ticket if it signals (from SBUF). */
struct rt_ticket coll_ag_send(const struct job* j, struct lane* L, unsigned set, unsigned b,
                              uint64_t e0, uint32_t len, unsigned p, unsigned parts, uint64_t at,
                              int32_t at_row, const struct geo* g, int into_slot,
                              const struct rt_ticket* dep, unsigned ndep) {
    const struct rt_comm* c = j->c;
    struct lane* N = lane_of(j, L->next, L->idx);
    /* All-gather sends use the load queues too (no loads then): up to MAX_SEND queues, one
     * arrival semaphore each. */
    const unsigned q = q_send(c, L->ag_sent++ % j->ns_ag);
    const uint64_t to = j->work[N->chip] + e0 * j->es;
    const unsigned slot = N->ag_tail / parts; /* with ag_sbuf: the next chip's slice number */
    struct rt_ticket t = {0, 0};
    if (into_slot) {
        t = coll_dma_part_sig(L, q, j, *g, p, parts, at, at_row, ag_slot(c, N, slot), PSTRIDE, dep,
                              ndep, 0, 1);
    } else if (g) { /* from an SBUF slot: rows of E elements, one per partition */
        t = coll_dma_part_sig(L, q, j, *g, p, parts, at, at_row, to, (int32_t)(g->E * j->es), dep,
                              ndep, 0, 1);
    } else { /* HBM to HBM: the part's elements (the same as from a slot) in rows of 4 KiB */
        struct rainier_dma_desc desc;
        uint32_t off = 0, n = len;
        if (parts > 1) part_range(coll_geo_of(j, len), p, parts, &off, &n);
        const uint64_t from = at + (uint64_t)off * j->es, into = to + (uint64_t)off * j->es;
        const uint32_t row = 4096 / j->es, rows = n / row, tail = n % row;
        if (rows) {
            rt_desc_2d(&desc, j->es, (uint16_t)rows, (uint16_t)row, from, 4096, into, 4096);
            rt_dma(L->d, q, &desc, dep, ndep, 0);
        }
        if (tail) {
            rt_desc_2d(&desc, j->es, 1, (uint16_t)tail, from + (uint64_t)rows * 4096, 4096,
                       into + (uint64_t)rows * 4096, 4096);
            rt_dma(L->d, q, &desc, dep, ndep, 0);
        }
    }
    const unsigned k = q - q_send(c, 0);
    const struct rt_ticket arrived =
        coll_signal_remote(L, q, N, (unsigned)SEM_RECV(set, k), NULL, 0);
    ag_push(N, arrived);
    if (!into_slot) {
        N->blk_arrived[b][k] = arrived;
        return t;
    }
    /* The next chip stores what arrived; later phases read it there. */
    const unsigned qs = store_queue(c, N);
    const struct rt_ticket st =
        coll_dma_part_sig(N, qs, j, *g, p, parts, ag_slot(c, N, slot), PSTRIDE, to,
                          (int32_t)(g->E * j->es), &arrived, 1, 0, 1);
    N->store_last[qs] = st;
    N->blk_arrived[b][(qs - q_store(c, 0)) % MAX_SEND] = st;
    return t;
}

/* The operand slot holding slice i of block b from the previous phase (and when it is
 * ready); the slot goes back to the pool, its next user waits for op_use as always. */
unsigned coll_held_take(struct lane* L, unsigned b, unsigned i, struct rt_ticket* t) {
    for (unsigned h = 0; h < L->nheld; h++)
        if (L->held[h].b == b && L->held[h].i == i) {
            const unsigned o = L->held[h].op;
            *t = L->held[h].t;
            L->pinned[o] = 0;
            L->held[h] = L->held[--L->nheld];
            return o;
        }
    printf("error: collective: no held sum for block %u slice %u\n", b, i);
    return 0;
}

/* The row of zeros (slot_bytes) at the top of the comm's SBUF area that slots are zeroed from
 * before GO, written by the host; its global address. */
uint64_t coll_zero_row(const struct job* j, const struct lane* L) {
    const uint64_t zero = rt_sram_addr(L->d, rt_sbuf_off(0, j->c->sbuf_zero));
    for (uint32_t b = 0; b < j->c->slot_bytes; b += 8)
        *(volatile uint64_t*)(uintptr_t)(zero + b) = 0;
    return zero;
}
