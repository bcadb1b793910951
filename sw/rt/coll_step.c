/* One reduce-scatter step of a lane: the send of a slice, the operand load before it, its
 * add (VE or DMA) and what the receiver does with the sum. */
#include "coll_internal.h"

#include <string.h>

/* Sends slice s of chunk a into the next chip's receive slot, from HBM or a sum slot. */
void coll_rs_send(const struct job* j, struct lane* L, const struct phase* ph, unsigned a,
                  unsigned s, int add, uint64_t from, int from_sbuf, int from_op,
                  struct rt_ticket dep, struct rt_ticket dep2) {
    const struct rt_comm* c = j->c;
    const struct span sp = coll_slice(j, L, ph, a, s);
    if (!sp.len) return;
    struct lane* N = lane_of(j, L->next, L->idx);
    const struct geo g = coll_geo_of(j, sp.len);
    /* Step 0 reads what the previous phase stored. */
    const struct rt_ticket none = {0, 0};
    const struct rt_ticket rd = !ph->per_block ? L->ready : from_sbuf ? none : L->blk_ready[sp.b];
    /* dep2 (a zeroed slot's local add, long done) first: every wait but the last goes on a
     * dummy entry in front. */
    struct rt_ticket w[5] = {dep2, dep, rd, L->go, {0, 0}};
    /* Into the operand slot the next chip loaded (or zeroed) for it (coll_rs_prepare), or a
     * receive slot once its last slice there is added. */
    w[4] = add ? N->in_ready : N->rfree[L->rsent % RECV_SLOTS];
    const uint32_t slot = add ? slot_off(c, c->sbuf_op, N->in_op)
                              : slot_off(c, c->sbuf_recv + ph->region * RECV_SLOTS * c->slot_bytes,
                                         L->rsent++ % RECV_SLOTS);
    /* The parts but the last on helper queues (the store queues: no arrival semaphores of their
     * own), the last on the send queue, whose arrival signal waits for the helpers' parts to
     * have landed (a descriptor completes when its writes have). */
    const unsigned parts = slice_parts(ph, g);
    if (parts > c->stats.parts) j->c->stats.parts = parts;
    const unsigned k = L->sent++ % j->ns_rs;
    struct rt_ticket t[MAX_SEND];
    for (unsigned p = 0; p < parts; p++) {
        const unsigned q = p + 1 < parts ? store_queue(c, L) : q_send(c, k);
        t[p] = coll_dma_part_sig(L, q, j, g, p, parts, from,
                                 from_sbuf ? PSTRIDE : (int32_t)(g.E * j->es), sbuf_global(N, slot),
                                 PSTRIDE, w, 5, add ? RAINIER_DMA_FLAG_ADD : 0,
                                 from_sbuf || p + 1 < parts);
    }
    fifo_push(N, coll_signal_remote(L, q_send(c, k), N, SEM_RECV(ph->set, k), t, parts - 1));
    if (from_op >= 0) L->op_use[from_op] = parts > 1 ? coll_join(L, t, parts) : t[0];
}

/* In a phase that adds by DMA, the first step adds into operand slots zeroed before GO where it
 * can (phase.zeroed): the sender's add leaves at once, and the receiver adds its own slice from
 * HBM meanwhile (ring:8, medians of 15: 1 MiB 10.48 -> 10.05 us, 4 MiB 20.68 -> 20.40 us).
 * Otherwise it does not add by the sender's DMA: its receive slots are free from the
 * start, so the first sends leave at once instead of waiting for the receivers' operand loads
 * and their signals. The receiver adds by the VE, one slice after another (~0.35 us for 8 KiB
 * with its wait for the load), or, from LOAD_ADD_MIN_SLICES slices per step on, by DMA: its
 * operand read from HBM and added into the arrived slice, all slices at once on the store
 * queues (~0.45 us). That needs each receive slot used once in the phase: the sum is read from
 * the slot at the next step, after the slot's free signal would have been due. */
#define LOAD_ADD_MIN_SLICES 4
int coll_step_add(const struct job* j, const struct phase* ph, const struct lane* L,
                  unsigned step) {
    if (!ph->dma_add) return ADD_VE;
    if (step == 0 && ph->zeroed) return ADD_INTO_ZERO;
    if (step > 0 || ph->held || j->c->reduce_by == RT_REDUCE_DMA) return ADD_BY_SENDER;
    const unsigned n = coll_blocks_per_chunk(j->c, ph) * L->m;
    return n >= LOAD_ADD_MIN_SLICES && n <= RECV_SLOTS ? ADD_BY_LOAD : ADD_VE;
}

/* The local operand of a slice into the next operand slot (prefetched: it waits only for the
 * slot to be free and for what earlier phases stored); returns the load's ticket. */
static struct rt_ticket load_operand(const struct job* j, struct lane* L, const struct phase* ph,
                                     struct span sp, struct geo g, unsigned first, unsigned* slot) {
    const struct rt_comm* c = j->c;
    unsigned o = L->ops % j->op_slots;
    while (L->pinned[o])
        o = ++L->ops % j->op_slots;
    const struct rt_ticket lw[3] = {L->op_use[o], L->op_use2[o],
                                    ph->per_block ? L->blk_ready[sp.b] : L->ready};
    const struct rt_ticket ld = coll_dma_pieces(
        L, q_load(c, L->ops % c->nload), j, g, cur_addr(j, L, first, sp.e0), (int32_t)(g.E * j->es),
        sbuf_global(L, slot_off(c, c->sbuf_op, o)), PSTRIDE, lw, 3, 1);
    L->ops++;
    *slot = o;
    return ld;
}

/* DMA adds: before slice s of step `step` is sent here, the local operand goes into an operand
 * slot, and the sender hears that the slot is ready (the slot-free semaphore, counting); or
 * (ADD_INTO_ZERO) it is added into a slot zeroed before GO, and the sender need not wait. */
void coll_rs_prepare(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                     unsigned s, unsigned first) {
    const struct rt_comm* c = j->c;
    const unsigned a = L->pos + 2 * L->g - step - 2; /* the chunk arriving */
    const struct span sp = coll_slice(j, L, ph, a, s);
    if (!sp.len) return;
    struct rt_ticket ld;
    L->in_local.value = 0;
    if (coll_step_add(j, ph, L, step) == ADD_INTO_ZERO) {
        /* Slot s, zeroed before GO (coll_ring_zero: the phase's first slots); the sender adds
         * into it at once, and this chip its own slice from HBM meanwhile. */
        const struct geo g = coll_geo_of(j, sp.len);
        L->in_op = s;
        L->ops = s + 1; /* later loads take the slots above (empty slices skip theirs) */
        L->in_ready.value = 0;
        L->in_local = coll_dma_pieces_ex(
            L, q_load(c, s % c->nload), j, g, cur_addr(j, L, first, sp.e0), (int32_t)(g.E * j->es),
            sbuf_global(L, slot_off(c, c->sbuf_op, s)), PSTRIDE, NULL, 0, 1, RAINIER_DMA_FLAG_ADD);
        return;
    }
    if (ph->held) /* the operand is the sum the last phase left in a slot */
        L->in_op = coll_held_take(L, sp.b, s % L->m, &ld);
    else
        ld = load_operand(j, L, ph, sp, coll_geo_of(j, sp.len), first, &L->in_op);
    L->in_ready = coll_signal_remote(L, q_signal(c), lane_of(j, L->prev, L->idx),
                                     SEM_SLOTFREE(ph->set), &ld, 1);
}

/* VE adds: the local operand goes into an operand slot, the VE adds the received slice (in
 * its receive slot) to it in place, and the sender hears that the receive slot is free.
 * Returns the add's ticket. */
static struct rt_ticket ve_add(const struct job* j, struct lane* L, const struct phase* ph,
                               struct span sp, struct geo g, struct rt_ticket in, unsigned first,
                               int held_op, struct rt_ticket held, unsigned* op) {
    const struct rt_comm* c = j->c;
    const unsigned ri = L->recvd % RECV_SLOTS;
    const uint32_t rslot = slot_off(c, c->sbuf_recv + ph->region * RECV_SLOTS * c->slot_bytes, ri);
    /* The sender hears of a free slot only if it uses the slot again in this phase. */
    const int reused = L->recvd + RECV_SLOTS < L->rslots;
    L->recvd++;
    unsigned o = (unsigned)held_op;
    const struct rt_ticket ld = held_op >= 0 ? held : load_operand(j, L, ph, sp, g, first, &o);
    const uint32_t oslot = slot_off(c, c->sbuf_op, o);
    *op = o;
    /* The load is usually done long before the slice arrives: its wait goes on the dummy in
     * front (rt_nc), which then runs early, and the add waits only for the arrival (its one
     * signal covers every part of the slice). */
    const struct rt_ticket vw[2] = {ld, in};
    struct rt_ticket ve = {0, 0};
    for (unsigned part = 0; part < 2; part++) {
        const uint32_t parts = part ? (g.r ? 1 : 0) : g.q, elems = part ? g.r : g.E;
        if (!parts) continue;
        const unsigned p0 = part ? g.q : 0;
        struct rainier_nc_insn x;
        memset(&x, 0, sizeof x);
        x.opcode = RAINIER_OP_TENSOR_TENSOR;
        x.func = RAINIER_ALU_ADD;
        x.src_dtype = x.dst_dtype = (uint8_t)j->dtype;
        x.round = RAINIER_ROUND_RNE;
        x.dst = rt_tile(rt_sbuf_off(p0, oslot), (uint16_t)parts, (uint16_t)elems);
        x.src0 = rt_tile(rt_sbuf_off(p0, rslot), (uint16_t)parts, (uint16_t)elems);
        x.src1 = x.dst;
        const int last_part = part == 1 || !g.r;
        ve = rt_nc(L->d, RAINIER_NC_ENGINE_VECTOR, &x, vw, 2, last_part);
    }
    if (reused)
        L->rfree[ri] = coll_signal_remote(L, q_signal(c), lane_of(j, L->prev, L->idx),
                                          SEM_SLOTFREE(ph->set), &ve, 1);
    return ve;
}

/* The receiving side of slice s at step `step`: the sum of the slice (by DMA, complete when it
 * has arrived; or by the VE) waits in its operand slot for the next step, or is stored at the
 * last step. */
void coll_rs_receive(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                     unsigned s, unsigned first, int last_phase, unsigned in_round, int fuse) {
    const struct rt_comm* c = j->c;
    const unsigned a = L->pos + 2 * L->g - step - 2; /* the chunk arriving */
    const struct span sp = coll_slice(j, L, ph, a, s);
    if (!sp.len) return;
    const struct geo g = coll_geo_of(j, sp.len);
    const struct rt_ticket in = fifo_pop(L);
    const int how = coll_step_add(j, ph, L, step);
    int o = -1; /* the sum's operand slot, if it is in one */
    uint32_t oslot;
    struct rt_ticket ve;
    if (how == ADD_BY_LOAD) { /* the local operand into the arrived slice, on a store queue */
        oslot = slot_off(c, c->sbuf_recv + ph->region * RECV_SLOTS * c->slot_bytes,
                         L->recvd++ % RECV_SLOTS);
        const struct rt_ticket lw[2] = {in, ph->per_block ? L->blk_ready[sp.b] : L->ready};
        ve = coll_dma_pieces_ex(L, store_queue(c, L), j, g, cur_addr(j, L, first, sp.e0),
                                (int32_t)(g.E * j->es), sbuf_global(L, oslot), PSTRIDE, lw, 2, 1,
                                RAINIER_DMA_FLAG_ADD);
    } else {
        if (how == ADD_BY_SENDER || how == ADD_INTO_ZERO) {
            o = (int)L->in_op;
            ve = in;
        } else {
            struct rt_ticket ht = {0, 0};
            const int ho = ph->held ? (int)coll_held_take(L, sp.b, s % L->m, &ht) : -1;
            unsigned vo;
            ve = ve_add(j, L, ph, sp, g, in, first, ho, ht, &vo);
            o = (int)vo;
        }
        oslot = slot_off(c, c->sbuf_op, (unsigned)o);
    }
    if (step + 2 < L->g) {
        /* A zeroed slot's sum also waits for the local add. Only here: ADD_INTO_ZERO is never
         * the last step (first_step_zeroed: rings of 3 or more), so the store, hold and fuse
         * below, which wait for `ve` alone, do not meet it. */
        L->fwd_local[in_round] = how == ADD_INTO_ZERO ? L->in_local : (struct rt_ticket){0, 0};
        L->fwd_ve[in_round] = ve;
        L->fwd_off[in_round] = oslot;
        L->fwd_op[in_round] = o;
        return;
    }
    if (ph->hold) { /* the next phase takes it from here */
        L->pinned[o] = 1;
        const struct held_sum h = {(uint16_t)sp.b, (uint16_t)(s % L->m), (uint8_t)o, ve};
        L->held[L->nheld++] = h;
        j->c->stats.held++;
        return;
    }
    /* Last step: the slice is reduced; store it. */
    const unsigned qs = store_queue(c, L);
    uint64_t dst = j->work[L->chip] + sp.e0 * j->es;
    if (last_phase && j->op == RT_REDUCE_SCATTER)
        dst = j->dst[L->chip] + (sp.e0 - block_start(j, L->chip)) * j->es;
    /* Before another ring, a big slice's store is split over the store queues: the next ring
     * waits for each of its blocks to be stored, and one queue takes ~10 us per 256 KiB (4x4
     * torus, 64 MiB: 168.6 -> 166.1 us). Not below BIG_SLICE_BYTES: splitting the 64 KiB
     * slices at 16 MiB took it from 55.3 to 58.0 us. */
    unsigned parts =
        ph->next_dim >= 0 && (uint64_t)sp.len * j->es >= BIG_SLICE_BYTES ? c->nstore : 1;
    if (parts > g.q) parts = g.q ? g.q : 1; /* no empty part */
    struct rt_ticket pt[RT_MAX_DMA_QUEUES];
    for (unsigned k = 0; k < parts; k++) {
        const unsigned qk = k ? store_queue(c, L) : qs;
        pt[k] = coll_dma_part_sig(L, qk, j, g, k, parts, sbuf_global(L, oslot), PSTRIDE, dst,
                                  (int32_t)(g.E * j->es), &ve, 1, 0, 1);
        L->store_last[qk] = pt[k];
    }
    const struct rt_ticket st = parts > 1 ? coll_join(L, pt, parts) : pt[0];
    if (o >= 0) L->op_use[o] = st;
    /* All-reduce: the reduced slice also starts the all-gather along this ring, from SBUF. */
    if (fuse) { /* in the parts the slice came in */
        const unsigned nin = slice_parts(ph, g);
        struct rt_ticket sent[MAX_SEND];
        for (unsigned p = 0; p < nin; p++)
            sent[p] = coll_ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, nin,
                                   sbuf_global(L, oslot), PSTRIDE, &g, L->ag_sbuf, &ve, 1);
        if (o >= 0) L->op_use2[o] = nin > 1 ? coll_join(L, sent, nin) : sent[0];
    }
}
