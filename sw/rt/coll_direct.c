/* The direct exchange: an all-reduce on one or two dimensions of at most DIRECT_MAX_DIM chips.
 * Each dimension in one step instead of g - 1. Before the start every chip zeroes the slots of
 * its own chunk in SBUF (operand slot t: the block at coordinate t along d1); from the start,
 * every chip along the first dimension d0, this one included, DMA-adds its pieces into them
 * (adds commute); along d1 the same with the sums; then the reduced block goes into the same slot
 * of the other chips along d1, and each chip sends its gathered chunk from the slots to the HBM of
 * those along d0 and its own. A ring step at small sizes costs its latency, not its bytes; this
 * moves more bytes per port (the chip across a ring of 4 is two hops away: 4/3 of a ring's) in a
 * third of the steps. */
#include "coll_internal.h"

#include <string.h>

#define DIRECT_MAX_DIM 4

static struct rt_ticket dma_part(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                 unsigned p, unsigned parts, uint64_t src, int32_t src_row,
                                 uint64_t dst, int32_t dst_row, const struct rt_ticket* w,
                                 unsigned nw, uint8_t flags) {
    return coll_dma_part_sig(L, q, j, g, p, parts, src, src_row, dst, dst_row, w, nw, flags, 1);
}

/* Parts per piece: enough descriptors for `queues` queues over `pieces` pieces, none shorter
 * than SMALL_SLICE_BYTES, none with fewer than one row. */
static unsigned parts_of(const struct job* j, struct geo g, unsigned pieces, unsigned queues) {
    const uint64_t bytes = ((uint64_t)g.q * g.E + g.r) * j->es;
    unsigned parts = (queues + pieces - 1) / pieces;
    if (parts > bytes / SMALL_SLICE_BYTES) parts = (unsigned)(bytes / SMALL_SLICE_BYTES);
    if (parts > g.q) parts = g.q;
    return parts ? parts : 1;
}

/* Block at coordinate k along d0 and t along d1 (d1 < 0: none), the others this chip's. */
static unsigned dblock(const struct rt_comm* c, unsigned chip, unsigned d0, unsigned k, int d1,
                       unsigned t) {
    const unsigned b = with_coord(c, chip, d0, k);
    return d1 >= 0 ? with_coord(c, b, (unsigned)d1, t) : b;
}

static uint64_t dslot(const struct rt_comm* c, const struct lane* L, unsigned t) {
    return sbuf_global(L, slot_off(c, c->sbuf_op, t));
}

int coll_direct_fits(const struct job* j) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = &coll_lanes[0];
    if (j->op != RT_ALL_REDUCE || c->algo == RT_ALGO_RING || L0->nact < 1 || L0->nact > 2) return 0;
    for (unsigned i = 0; i < L0->nact; i++)
        if (c->dims[L0->order[i]] > DIRECT_MAX_DIM) return 0;
    const uint64_t most = (uint64_t)c->partitions * (c->slot_bytes / j->es);
    for (unsigned b = 0; b < c->chips; b++)
        for (unsigned l = 0; l < c->lanes; l++) {
            uint64_t p0;
            if (coll_piece(j, l, b, &p0) > most) return 0;
        }
    return c->algo == RT_ALGO_DIRECT || j->total * j->es <= RT_DIRECT_MAX_BYTES;
}

/* After a phase's sends: one arrival signal per queue and chip that got data on it. */
static void direct_signal(const struct job* j, struct lane* L, unsigned dim, unsigned set,
                          uint8_t* touched) {
    const struct rt_comm* c = j->c;
    for (unsigned q = 0; q < RT_MAX_DMA_QUEUES; q++)
        for (unsigned k = 0; k < c->dims[dim]; k++)
            if (touched[q * DIRECT_MAX_DIM + k]) {
                struct lane* P = lane_of(j, with_coord(c, L->chip, dim, k), L->idx);
                coll_signal_remote(L, q, P, SEM_RECV(set, 0), NULL, 0);
                touched[q * DIRECT_MAX_DIM + k] = 0;
            }
}

/* Data queue i: the send, load and store queues one after another. */
static unsigned data_q(const struct rt_comm* c, unsigned i) {
    return 1 + i % (c->nsend + c->nload + c->nstore);
}

/* The nonempty tickets of t[0..n) and `extra` into w; returns how many. */
static unsigned waits_of(struct rt_ticket* w, const struct rt_ticket* t, unsigned n,
                         struct rt_ticket extra) {
    unsigned nw = 0;
    for (unsigned i = 0; i < n; i++)
        if (t[i].value) w[nw++] = t[i];
    if (extra.value) w[nw++] = extra;
    return nw;
}

/* The geometry of the piece of block (k along d0, t along d1) of `chip`, and the parts it is
 * cut into (as many as the lane has load and store queues, over the pieces of a chunk; they
 * go round all its data queues). */
#define PIECE_GEO(chip_, k_, t_)                                                                   \
    uint64_t e0;                                                                                   \
    const uint64_t n = coll_piece(j, idx, dblock(c, chip_, d0, k_, d1, t_), &e0);                  \
    const struct geo g = coll_geo_of(j, n);                                                        \
    const int32_t row = (int32_t)(g.E * j->es);                                                    \
    const unsigned pt = parts_of(j, g, g1, nq)

/* Before GO (the host waits for L->zeroed before it starts anyone): the rows of this chip's
 * chunk slots that the exchange uses, zeroed from the row of zeros the host wrote. Every chip then
 * adds into them from the start, this one its own pieces too, instead of waiting for the owner to
 * load its pieces and say so (~1.2 us at the start: the loads' HBM reads, then a word over the
 * link). Slots cannot stay zero from one collective to the next: anything may use the SBUF in
 * between. */
void coll_direct_zero(const struct job* j, struct lane* L) {
    const struct rt_comm* c = j->c;
    const unsigned idx = L->idx;
    const unsigned d0 = L->order[0];
    const int d1 = L->nact > 1 ? (int)L->order[1] : -1;
    const unsigned g1 = d1 >= 0 ? c->dims[d1] : 1;
    const unsigned nq = c->nload + c->nstore;
    const uint64_t zero = coll_zero_row(j, L);
    const unsigned own0 = coord(c, L->chip, d0);
    unsigned i = 0;
    for (unsigned t = 0; t < g1; t++) {
        PIECE_GEO(L->chip, own0, t);
        (void)e0;
        (void)row;
        if (!n) continue;
        for (unsigned p = 0; p < pt; p++, i++)
            coll_dma_part_sig(L, data_q(c, i), j, g, p, pt, zero, 0, dslot(c, L, t), PSTRIDE, NULL,
                              0, 0, RT_SIGNAL_SEM(SEM_ZEROED));
    }
    const struct rt_ticket z = {(uint8_t)SEM_ZEROED, L->d->sem_count[SEM_ZEROED]};
    L->zeroed = z;
}

/* Waits are few on purpose: each beyond the first is a descriptor of its own on its queue
 * (~0.1 us). So signals that are waited for together count on one semaphore: a phase's
 * arrivals (SEM_RECV(set, 0)), this chip's own adds among them. Set 0 counts the first
 * exchange's arrivals, then the gathered blocks': the second group only after the first is
 * complete. */
void coll_build_direct(const struct job* j, unsigned idx) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    const unsigned d0 = L0->order[0], g0 = c->dims[d0];
    const int d1 = L0->nact > 1 ? (int)L0->order[1] : -1;
    const unsigned g1 = d1 >= 0 ? c->dims[d1] : 1;
    const unsigned nq = c->nload + c->nstore;
    static uint8_t touched[RAINIER_MAX_CHIPS][RT_MAX_DMA_QUEUES * DIRECT_MAX_DIM];
    struct rt_ticket arr_b[RAINIER_MAX_CHIPS], sums[RAINIER_MAX_CHIPS];
    const struct rt_ticket none = {0, 0};
    memset(touched, 0, sizeof touched);
    memset(arr_b, 0, sizeof arr_b);
    memset(sums, 0, sizeof sums);
    /* Along d0, from src: every piece of the chunks added into its owner's slot, the owner's
     * own too (a local add, signalled on the same semaphore as the others' arrivals). */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, idx);
        const unsigned own0 = coord(c, chip, d0);
        L->sent = 0;
        for (unsigned t = 0; t < g1; t++)
            for (unsigned k = 0; k < g0; k++) {
                if (k == own0) continue;
                uint64_t e0;
                const uint64_t n = coll_piece(j, idx, dblock(c, chip, d0, k, d1, t), &e0);
                if (!n) continue;
                const struct geo g = coll_geo_of(j, n);
                const unsigned parts = parts_of(j, g, (g0 - 1) * g1, j->ns_rs);
                struct lane* P = lane_of(j, with_coord(c, chip, d0, k), idx);
                for (unsigned p = 0; p < parts; p++) {
                    const unsigned q = data_q(c, L->sent++);
                    dma_part(L, q, j, g, p, parts, j->src[chip] + e0 * j->es,
                             (int32_t)(g.E * j->es), dslot(c, P, t), PSTRIDE, NULL, 0,
                             RAINIER_DMA_FLAG_ADD);
                    touched[chip][q * DIRECT_MAX_DIM + k] = 1;
                }
            }
        direct_signal(j, L, d0, 0, touched[chip]);
        for (unsigned t = 0; t < g1; t++) {
            PIECE_GEO(chip, own0, t);
            if (!n) continue;
            for (unsigned p = 0; p < pt; p++)
                coll_dma_part_sig(L, data_q(c, L->sent++), j, g, p, pt, j->src[chip] + e0 * j->es,
                                  row, dslot(c, L, t), PSTRIDE, NULL, 0, RAINIER_DMA_FLAG_ADD,
                                  RT_SIGNAL_SEM(SEM_RECV(0, 0)));
        }
    }
    for (unsigned chip = 0; chip < c->chips; chip++) {
        const struct lane* L = lane_of(j, chip, idx);
        const struct rt_ticket t = {(uint8_t)SEM_RECV(0, 0), L->d->sem_count[SEM_RECV(0, 0)]};
        sums[chip] = t;
    }
    if (d1 >= 0) {
        /* Along d1: the chunk's sums, from the slots, added into their owners' slots. */
        for (unsigned chip = 0; chip < c->chips; chip++) {
            struct lane* L = lane_of(j, chip, idx);
            const unsigned own0 = coord(c, chip, d0), own1 = coord(c, chip, (unsigned)d1);
            L->sent = 0;
            for (unsigned t = 0; t < g1; t++) {
                if (t == own1) continue;
                PIECE_GEO(chip, own0, t);
                if (!n) continue;
                (void)e0;
                (void)row;
                struct lane* P = lane_of(j, with_coord(c, chip, (unsigned)d1, t), idx);
                for (unsigned p = 0; p < pt; p++) {
                    const unsigned q = data_q(c, L->sent++);
                    dma_part(L, q, j, g, p, pt, dslot(c, L, t), PSTRIDE, dslot(c, P, t), PSTRIDE,
                             &sums[chip], 1, RAINIER_DMA_FLAG_ADD);
                    touched[chip][q * DIRECT_MAX_DIM + t] = 1;
                }
            }
            direct_signal(j, L, (unsigned)d1, 1, touched[chip]);
        }
        for (unsigned chip = 0; chip < c->chips; chip++) {
            const struct lane* L = lane_of(j, chip, idx);
            const struct rt_ticket t = {(uint8_t)SEM_RECV(1, 0), L->d->sem_count[SEM_RECV(1, 0)]};
            arr_b[chip] = t;
        }
        /* The reduced block into the same slot of the others along d1 (they sent theirs from
         * there to here, so it has left). */
        for (unsigned chip = 0; chip < c->chips; chip++) {
            struct lane* L = lane_of(j, chip, idx);
            const unsigned own0 = coord(c, chip, d0), own1 = coord(c, chip, (unsigned)d1);
            PIECE_GEO(chip, own0, own1);
            if (!n) continue;
            (void)e0;
            (void)row;
            L->sent = 0;
            for (unsigned k = 0; k < g1; k++) {
                if (k == own1) continue;
                struct lane* P = lane_of(j, with_coord(c, chip, (unsigned)d1, k), idx);
                for (unsigned p = 0; p < pt; p++) {
                    const unsigned q = data_q(c, L->sent++);
                    const struct rt_ticket w[2] = {sums[chip], arr_b[chip]};
                    dma_part(L, q, j, g, p, pt, dslot(c, L, own1), PSTRIDE, dslot(c, P, own1),
                             PSTRIDE, w, 2, 0);
                    touched[chip][q * DIRECT_MAX_DIM + k] = 1;
                }
            }
            direct_signal(j, L, (unsigned)d1, 0, touched[chip]);
        }
    }
    /* The whole chunk, from the slots: into this chip's HBM and the others' along d0, all over
     * the data queues (the own stores on the store queues alone made those finish last: 4 MiB
     * on the 4x4 torus 16.5 -> 15.8 us). */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, idx);
        const unsigned own0 = coord(c, chip, d0);
        const unsigned own1 = d1 >= 0 ? coord(c, chip, (unsigned)d1) : 0;
        const struct rt_ticket in_c = {(uint8_t)SEM_RECV(0, 0), L->d->sem_count[SEM_RECV(0, 0)]};
        L->sent = 0;
        for (unsigned t = 0; t < g1; t++) {
            PIECE_GEO(chip, own0, t);
            if (!n) continue;
            for (unsigned p = 0; p < pt; p++) {
                struct rt_ticket w[2];
                const unsigned nw = t == own1 ? waits_of(w, &sums[chip], 1, arr_b[chip])
                                              : waits_of(w, &in_c, 1, none);
                dma_part(L, data_q(c, L->sent++), j, g, p, pt, dslot(c, L, t), PSTRIDE,
                         j->work[chip] + e0 * j->es, row, w, nw, 0);
                for (unsigned k = 0; k < g0; k++) {
                    if (k == own0) continue;
                    struct lane* P = lane_of(j, with_coord(c, chip, d0, k), idx);
                    dma_part(L, data_q(c, L->sent++), j, g, p, pt, dslot(c, L, t), PSTRIDE,
                             j->work[P->chip] + e0 * j->es, row, w, nw, 0);
                }
            }
        }
    }
#undef PIECE_GEO
}
