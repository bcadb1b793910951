/* The rings of one lane: each phase's steps in the order the data moves, barriers between
 * phases, and the whole reduce-scatter / all-gather sequence of a lane (coll_build_lane). */
#include "coll_internal.h"

#include <string.h>

/* Whether a reduce-scatter step whose slices are added that way takes receive slots. */
static int uses_recv_slots(int how) {
    return how == ADD_VE || how == ADD_BY_LOAD;
}

/* Sets up lane state for a phase; false if the phase has nothing to do (size 1). */
static int begin_phase(const struct job* j, struct lane* L, const struct phase* ph, int reduce) {
    const struct rt_comm* c = j->c;
    L->g = c->dims[ph->dim];
    const unsigned r = coord(c, L->chip, ph->dim);
    L->pos = L->dir > 0 ? r : (L->g - r) % L->g;
    L->next = with_coord(c, L->chip, ph->dim, (r + L->g + (unsigned)L->dir) % L->g);
    L->prev = with_coord(c, L->chip, ph->dim, (r + L->g - (unsigned)L->dir) % L->g);
    L->sent = L->rsent = L->recvd = 0;
    memset(L->rfree, 0, sizeof L->rfree);
    L->head = L->tail = 0;
    L->ag_head = L->ag_tail = L->ag_sent = 0;
    L->ag_sbuf = 0;
    /* Blocks by the step of the next ring that reads them (the same along this ring: its chips
     * share every other coordinate), then in block order. */
    const unsigned blocks = coll_blocks_per_chunk(c, ph);
    unsigned rank[RAINIER_MAX_CHIPS];
    for (unsigned t = 0; t < blocks; t++) {
        rank[t] = 0;
        if (reduce && ph->next_dim >= 0) {
            const unsigned nd = (unsigned)ph->next_dim, g2 = c->dims[nd];
            const unsigned own = coord(c, L->chip, nd);
            const unsigned at = coord(c, coll_chunk_block(j, ph, L->chip, 0, t), nd);
            /* ring positions along the next ring, in this lane's direction */
            const unsigned p_own = L->dir > 0 ? own : (g2 - own) % g2;
            const unsigned p_at = L->dir > 0 ? at : (g2 - at) % g2;
            rank[t] = (p_own + 2 * g2 - 1 - p_at) % g2;
        }
    }
    for (unsigned i = 0, r = 0; i < blocks; r++)
        for (unsigned t = 0; t < blocks; t++)
            if (rank[t] == r) L->perm[i++] = (uint8_t)t;
    L->m = ph->m ? ph->m : coll_piece_slices(j, L->idx, blocks, reduce);
    L->rslots = 0;
    if (reduce)
        for (unsigned step = 0; step + 1 < L->g; step++)
            if (uses_recv_slots(coll_step_add(j, ph, L, step))) L->rslots += blocks * L->m;
    return L->g > 1;
}

static unsigned slices_per_chunk(const struct job* j, const struct lane* L,
                                 const struct phase* ph) {
    return coll_blocks_per_chunk(j->c, ph) * L->m;
}

/* Between phases. The next phase reads what arrived in this one (the all-gather forwards it;
 * a reduce-scatter's stores already wait for its arrivals): each lane waits for every signal
 * it expects so far. With `barrier` (the next phase uses a semaphore set that another chip
 * signalled before), it then tells its new previous chip to go. */
static void phase_join(const struct job* j, unsigned lane_idx, int barrier) {
    const struct rt_comm* c = j->c;
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, lane_idx);
        struct rt_ticket w[SETS * (MAX_SEND + 1) + 1];
        unsigned nw = 0;
        /* Before a barrier also every freed slot: a set's slot waits still pending here could
         * otherwise be satisfied by the frees of the phase that uses the set next. */
        for (unsigned set = 0; set < SETS; set++)
            for (unsigned k = 0; k < (barrier ? MAX_SEND + 1 : MAX_SEND); k++) {
                const unsigned sem = SEM_RECV(set, k);
                const struct rt_ticket t = {(uint8_t)sem, L->d->sem_count[sem]};
                if (t.value) w[nw++] = t;
            }
        w[nw++] = L->ready;
        L->ready = coll_join(L, w, nw);
    }
    if (!barrier) return;
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, lane_idx);
        struct lane* P = lane_of(j, L->prev, lane_idx);
        P->go = coll_signal_remote(L, Q_CTL, P, SEM_READY(P->barriers), NULL, 0);
    }
    for (unsigned chip = 0; chip < c->chips; chip++)
        lane_of(j, chip, lane_idx)->barriers++;
}

/* Whether the all-gather fused to this (last) reduce-scatter can forward through SBUF: every
 * arrival of the phase gets an all-gather slot of its own, and each slice fits one. Saves an
 * HBM write and read on every step, which is what a small all-gather's step costs beyond a
 * reduce-scatter's. With three dimensions the next gathers start after a barrier that knows
 * only the arrivals, not the stores. */
static int ag_fits_sbuf(const struct job* j, const struct phase* ph, unsigned lane_idx) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, lane_idx);
    const unsigned n = slices_per_chunk(j, L0, ph);
    if (L0->nact > SETS || (uint64_t)n * (L0->g - 1) > AG_SLOTS) return 0;
    const uint64_t most = (uint64_t)c->partitions * (AG_SLOT_BYTES / j->es);
    for (unsigned chip = 0; chip < c->chips; chip++)
        for (unsigned a = 0; a < L0->g; a++)
            for (unsigned s = 0; s < n; s++)
                if (coll_slice(j, lane_of(j, chip, lane_idx), ph, a, s).len > most) return 0;
    return 1;
}

/* Returns whether it started the all-gather too (`fuse`, if a chunk's slices fit AG_FIFO). */
static int reduce_scatter_phase(const struct job* j, const struct phase* ph, unsigned first,
                                int last_phase, unsigned lane_idx, int fuse, int barrier) {
    const struct rt_comm* c = j->c;
    for (unsigned chip = 0; chip < c->chips; chip++)
        begin_phase(j, lane_of(j, chip, lane_idx), ph, 1);
    if (barrier) phase_join(j, lane_idx, 1);
    const struct lane* L0 = lane_of(j, 0, lane_idx);
    const unsigned g = L0->g, n = slices_per_chunk(j, L0, ph);
    if ((uint64_t)n * (ph->parts ? ph->parts : 1) > AG_FIFO) fuse = 0;
    if (fuse && ag_fits_sbuf(j, ph, lane_idx))
        for (unsigned chip = 0; chip < c->chips; chip++)
            lane_of(j, chip, lane_idx)->ag_sbuf = GATHER_IN_AG;
    /* Rounds of ROUND slices per chunk, each through every step, in the order the links carry
     * them (so receivers count slots and arrivals the same way as senders). A sum waits in
     * its operand slot for the next step's send, at most ROUND of them at a time. */
    for (unsigned r0 = 0; r0 < n; r0 += ROUND)
        for (unsigned step = 0; step + 1 < g; step++) {
            for (unsigned s = r0; s < n && s < r0 + ROUND; s++) {
                const int dma = !uses_recv_slots(coll_step_add(j, ph, L0, step));
                if (dma)
                    for (unsigned chip = 0; chip < c->chips; chip++)
                        coll_rs_prepare(j, lane_of(j, chip, lane_idx), ph, step, s, first);
                for (unsigned chip = 0; chip < c->chips; chip++) {
                    struct lane* L = lane_of(j, chip, lane_idx);
                    const unsigned a = L->pos + 2 * g - step - 1; /* the chunk leaving */
                    const struct rt_ticket none = {0, 0};
                    if (step == 0) {
                        const struct span sp = coll_slice(j, L, ph, a, s);
                        if (ph->held && sp.len) { /* from the slot the last phase left it in */
                            struct rt_ticket ht;
                            const unsigned o = coll_held_take(L, sp.b, s % L->m, &ht);
                            coll_rs_send(j, L, ph, a, s, dma,
                                         sbuf_global(L, slot_off(c, c->sbuf_op, o)), 1, (int)o, ht,
                                         none);
                        } else {
                            coll_rs_send(j, L, ph, a, s, dma, cur_addr(j, L, first, sp.e0), 0, -1,
                                         none, none);
                        }
                    } else {
                        coll_rs_send(j, L, ph, a, s, dma, sbuf_global(L, L->fwd_off[s - r0]), 1,
                                     L->fwd_op[s - r0], L->fwd_ve[s - r0], L->fwd_local[s - r0]);
                    }
                }
                for (unsigned chip = 0; chip < c->chips; chip++) {
                    struct lane* L = lane_of(j, chip, lane_idx);
                    coll_rs_receive(j, L, ph, step, s, first, last_phase, s - r0, fuse);
                    /* A block of this chip's own chunk is stored. */
                    if (ph->next_dim >= 0 && !ph->hold && step + 2 == g &&
                        ((s + 1) % L->m == 0 || s + 1 == n))
                        L->blk_ready[coll_slice(j, L, ph, L->pos + g, s).b] =
                            coll_join(L, L->store_last, RT_MAX_DMA_QUEUES);
                }
            }
        }
    /* Later phases read what the stores wrote. */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, lane_idx);
        L->ready = coll_join(L, L->store_last, RT_MAX_DMA_QUEUES);
    }
    return fuse;
}

/* `fused`: right after the reduce-scatter along the same ring, which sent step 0 already (from
 * SBUF, as it reduced each slice) with its own slicing; this goes on from step 1. */
static void all_gather_phase(const struct job* j, const struct phase* ph, unsigned lane_idx,
                             int first, int from_src, int fused, int barrier) {
    const struct rt_comm* c = j->c;
    if (!fused)
        for (unsigned chip = 0; chip < c->chips; chip++)
            begin_phase(j, lane_of(j, chip, lane_idx), ph, 0);
    /* Without a barrier, each block goes on as soon as it is here (blk_arrived); L->ready holds
     * this chip's own stores. */
    const int per_block = !first && !fused && !barrier;
    if (!first && !fused && barrier) phase_join(j, lane_idx, 1);
    if (per_block && j->gather_sbuf) /* the last gather, after the fused one */
        for (unsigned chip = 0; chip < c->chips; chip++)
            lane_of(j, chip, lane_idx)->ag_sbuf = GATHER_IN_OP;
    const struct lane* L0 = lane_of(j, 0, lane_idx);
    const unsigned g = L0->g, n = slices_per_chunk(j, L0, ph);
    for (unsigned step = fused ? 1 : 0; step + 1 < g; step++)
        for (unsigned s = 0; s < n; s++)
            for (unsigned chip = 0; chip < c->chips; chip++) {
                struct lane* L = lane_of(j, chip, lane_idx);
                const struct span sp = coll_slice(j, L, ph, L->pos + g - step, s);
                if (!sp.len) continue;
                const struct geo sg = coll_geo_of(j, sp.len);
                const unsigned parts = slice_parts(ph, sg);
                for (unsigned p = 0; p < parts; p++) {
                    struct rt_ticket dep[2 + MAX_SEND] = {step ? ag_pop(L) : L->ready, L->go};
                    unsigned ndep = 2;
                    if (step == 0 && per_block)
                        for (unsigned k = 0; k < MAX_SEND; k++)
                            if (L->blk_arrived[sp.b][k].value)
                                dep[ndep++] = L->blk_arrived[sp.b][k];
                    if (L->ag_sbuf) {
                        /* From the slot it arrived in (the first step: from HBM); into the next
                         * chip's slot, but at the last step (nothing to forward) into its HBM:
                         * the slot's store would only add to the phase's end. */
                        const int into_slot = L->ag_sbuf == GATHER_IN_AG || step + 2 < g;
                        if (step == 0)
                            coll_ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts,
                                         j->work[L->chip] + sp.e0 * j->es, (int32_t)(sg.E * j->es),
                                         &sg, into_slot, dep, ndep);
                        else
                            coll_ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts,
                                         ag_slot(c, L, (L->ag_head - 1) / parts), PSTRIDE, &sg,
                                         into_slot, dep, ndep);
                        continue;
                    }
                    uint64_t at = j->work[L->chip] + sp.e0 * j->es;
                    if (step == 0 && from_src) { /* an all-gather's own block: straight from src */
                        at = j->src[L->chip] + (sp.e0 - block_start(j, L->chip)) * j->es;
                        dep[0].value = 0;
                    }
                    coll_ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts, at, 0, NULL, 0, dep,
                                 ndep);
                }
            }
    /* What arrived is waited for by the next phase's barrier (or by rt_run). */
}

/* A lane's own piece of block `b`, src to dst (all-gather's start, a 1-chip collective). */
static void local_copy(const struct job* j, struct lane* L, unsigned b, uint64_t src_base,
                       uint64_t dst_base) {
    uint64_t p0;
    uint64_t n = coll_piece(j, L->idx, b, &p0);
    uint64_t e = p0;
    while (n) {
        const uint32_t row = 4096 / j->es;
        uint64_t rows = n / row;
        if (rows > 65535) rows = 65535;
        struct rainier_dma_desc desc;
        uint64_t len;
        if (rows) {
            rt_desc_2d(&desc, j->es, (uint16_t)rows, (uint16_t)row, src_base + e * j->es, 4096,
                       dst_base + e * j->es, 4096);
            len = rows * row;
        } else {
            rt_desc_2d(&desc, j->es, 1, (uint16_t)n, src_base + e * j->es, 4096,
                       dst_base + e * j->es, 4096);
            len = n;
        }
        const unsigned qs = store_queue(j->c, L);
        L->store_last[qs] = rt_dma(L->d, qs, &desc, NULL, 0, 1);
        e += len;
        n -= len;
    }
}

/* The dimensions (of size > 1) in the order lane `idx` takes them. */
void coll_lane_order(const struct rt_comm* c, struct lane* L) {
    unsigned act[3], n = 0;
    for (unsigned d = 0; d < 3; d++)
        if (c->dims[d] > 1) act[n++] = d;
    L->nact = n;
    const int swap = n >= 2 && c->lanes >= 4 && (L->idx / 2) % 2 == 1;
    for (unsigned i = 0; i < n; i++)
        L->order[i] = act[i];
    if (swap) {
        L->order[0] = act[1];
        L->order[1] = act[0];
    }
}

/* A ring's first step adds into operand slots zeroed before GO (ADD_INTO_ZERO) where the
 * phase adds by DMA anyway, reads the input (the first phase: nothing uses the slots before),
 * its first step is not its last, and the step's slices fit one round in the first slots.
 * Otherwise the first step adds by the VE or by a load (coll_step_add). Not with RT_REDUCE_DMA,
 * which keeps the loaded operand and its ready signal at every step. */
static int first_step_zeroed(const struct job* j, const struct phase* ph, unsigned idx) {
    const struct rt_comm* c = j->c;
    if (!ph->dma_add || ph->held || ph->hold || c->reduce_by != RT_REDUCE_AUTO) return 0;
    const unsigned blocks = coll_blocks_per_chunk(c, ph);
    const unsigned n = blocks * coll_piece_slices(j, idx, blocks, 1);
    return c->dims[ph->dim] >= 3 && n <= ROUND;
}
/* The zeroed slots, 0..n-1 with n <= ROUND, are operand slots the rings keep (j->op_slots is at
 * least OP_SLOTS: the last gather takes only slots above those). */
_Static_assert(ROUND <= OP_SLOTS, "a first step's zeroed slots are operand slots");

/* Reduce-scatter i of lane idx (`ph` holds the one before, if any). */
static void reduce_phase_of(const struct job* j, unsigned idx, unsigned i, unsigned fixed,
                            struct phase* ph, unsigned held_parts[2]) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    const unsigned n = L0->nact;
    ph->reduce = 1;
    ph->dim = L0->order[i];
    ph->fixed = fixed;
    ph->region = i;
    ph->set = i % SETS; /* used before by another ring from i == SETS on */
    ph->next_dim = i + 1 < n ? (int)L0->order[i + 1] : -1;
    ph->per_block = i > 0 && i < SETS;
    ph->dma_add = j->dma_add && i < SETS;
    ph->held = ph->hold;
    ph->hold = 0;
    ph->zeroed = 0;
    if (!ph->held) ph->m = 0;
    /* The second ring adds by DMA into the slots that hold the first ring's sums: no VE
     * add and its wait on every step's path (16 MiB: 53.3 -> 52.2 us, 64 MiB: 167.4 ->
     * 159.9 us). */
    ph->parts = ph->held ? held_parts[1] : 0;
    if (ph->held && c->reduce_by != RT_REDUCE_VE) ph->dma_add = 1;
    if (i == 0) {
        ph->m = coll_hold_slices(j, idx, held_parts);
        ph->hold = ph->m != 0;
        ph->parts = ph->hold ? held_parts[0] : 0;
        ph->zeroed = first_step_zeroed(j, ph, idx);
    }
}

/* Before GO (the host waits for L->zeroed): the operand slots the first ring's first step adds
 * into (first_step_zeroed), zeroed from the row of zeros. Slot s takes the step's slice s
 * (coll_rs_prepare). */
void coll_ring_zero(const struct job* j, struct lane* L) {
    const struct rt_comm* c = j->c;
    if (j->op == RT_ALL_GATHER || !L->nact) return;
    struct phase ph;
    memset(&ph, 0, sizeof ph);
    unsigned held_parts[2] = {1, 1};
    reduce_phase_of(j, L->idx, 0, 0, &ph, held_parts);
    if (!ph.zeroed) return;
    begin_phase(j, L, &ph, 1);
    const uint64_t zero = coll_zero_row(j, L);
    const unsigned a = L->pos + 2 * L->g - 2, n = slices_per_chunk(j, L, &ph);
    for (unsigned s = 0; s < n; s++) {
        const struct span sp = coll_slice(j, L, &ph, a, s);
        if (!sp.len) continue;
        const unsigned q = s % 2 ? q_store(c, s / 2 % c->nstore) : q_load(c, s / 2 % c->nload);
        coll_dma_pieces(L, q, j, coll_geo_of(j, sp.len), zero, 0,
                        sbuf_global(L, slot_off(c, c->sbuf_op, s)), PSTRIDE, NULL, 0,
                        RT_SIGNAL_SEM(SEM_ZEROED));
    }
    const struct rt_ticket z = {(uint8_t)SEM_ZEROED, L->d->sem_count[SEM_ZEROED]};
    L->zeroed = z;
}

void coll_build_lane(const struct job* j, unsigned idx) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    const unsigned n = L0->nact;
    struct phase ph;
    memset(&ph, 0, sizeof ph);
    ph.next_dim = -1;
    unsigned fixed = 0, held_parts[2] = {1, 1};
    int fused = 0;
    if (j->op == RT_ALL_GATHER) {
        for (unsigned chip = 0; chip < c->chips; chip++) {
            struct lane* L = lane_of(j, chip, idx);
            local_copy(j, L, chip, j->src[chip] - block_start(j, chip) * j->es, j->work[chip]);
            L->ready = coll_join(L, L->store_last, RT_MAX_DMA_QUEUES);
        }
        for (unsigned i = 0; i < n; i++)
            fixed |= 1u << L0->order[i];
        for (unsigned i = n; i-- > 0;) {
            fixed &= ~(1u << L0->order[i]);
            ph.reduce = 0;
            ph.dim = L0->order[i];
            ph.fixed = fixed;
            ph.set = i % SETS;
            all_gather_phase(j, &ph, idx, i + 1 == n, i + 1 == n, 0, i + SETS < n);
        }
        return;
    }
    if (n == 0) { /* one chip: the sum is the input */
        for (unsigned chip = 0; chip < c->chips; chip++)
            if (j->src[chip] != j->dst[chip])
                local_copy(j, lane_of(j, chip, idx), 0, j->src[chip], j->dst[chip]);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        reduce_phase_of(j, idx, i, fixed, &ph, held_parts);
        fused = reduce_scatter_phase(j, &ph, i == 0, i + 1 == n, idx,
                                     i + 1 == n && j->op == RT_ALL_REDUCE, i >= SETS);
        fixed |= 1u << ph.dim;
    }
    if (j->op == RT_REDUCE_SCATTER) return;
    for (unsigned i = n; i-- > 0;) {
        fixed &= ~(1u << L0->order[i]);
        ph.reduce = 0;
        ph.dim = L0->order[i];
        ph.fixed = fixed;
        /* The set of the reduce-scatter along the same ring (same neighbour, its signals count
         * on), unless a later ring used it since. */
        const int fuse = i + 1 == n && fused;
        ph.reduce = fuse; /* the fused one keeps the reduce-scatter's slices */
        ph.set = i % SETS;
        ph.next_dim = -1;
        ph.per_block = 0;
        ph.hold = ph.held = ph.zeroed = 0;
        ph.m = 0;                /* (a fused gather keeps the reduce-scatter's slices without it) */
        if (!fuse) ph.parts = 0; /* a fused one sends them in the same parts */
        ph.dma_add = j->dma_add && i < SETS; /* the fused gather goes on from its sums */
        all_gather_phase(j, &ph, idx, i + 1 == n, 0, fuse, i + SETS < n);
    }
}
