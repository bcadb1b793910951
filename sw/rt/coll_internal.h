/* Internal to the collectives (sw/rt/collective.c and sw/rt/coll_*.c): limits, semaphore
 * and slot layout, the state of lanes, phases and a job, and the functions the files share.
 * Vocabulary and the way programs are generated: collective.c. Not for apps: rt/collective.h. */
#ifndef RAINIER_SW_RT_COLL_INTERNAL_H
#define RAINIER_SW_RT_COLL_INTERNAL_H

#include <stdint.h>

#include "rt/collective.h"

#define MAX_SEND 5         /* send queues per lane */
#define SEM_GO RT_SEM_FREE /* set by the host: every queue starts together */
/* Semaphores count increments from whichever chip sends them. Two sets of arrival and
 * freed-slot semaphores, one per ring: consecutive phases (different rings, different
 * neighbours) use different sets, so that their signals cannot mix and a phase can start
 * while the one before still drains. A set is used again only by the same neighbour (an
 * all-gather after its reduce-scatter) or after a barrier (three dimensions). */
#define SETS 2
#define SEM_RECV(set, k) (SEM_GO + 1 + (set) * (MAX_SEND + 1) + (k)) /* arrivals, queue k */
#define SEM_SLOTFREE(set) (SEM_RECV(set, MAX_SEND))                  /* slots the next freed */
/* Barrier b: the next chip of the phase after it is ready. A semaphore of its own (a signal
 * into a set's semaphore could satisfy a wait of the phase still running there). Three
 * dimensions take two, before the third reduce-scatter and before the last gather; the second
 * is SEM_GO, counting on from the start signal, which always comes first. */
#define SEM_READY(b) ((b) ? SEM_GO : SEM_SLOTFREE(SETS - 1) + 1)
_Static_assert(SEM_READY(0) < RAINIER_SEM_COUNT, "a semaphore per set member and barrier");
/* Slots zeroed before GO (the direct exchange's, a ring's first step's): their signals all come
 * before GO, so they may count on a set's semaphore that arrivals use only after it. */
#define SEM_ZEROED SEM_RECV(1, 1)
#define RECV_SLOTS 12
#define OP_SLOTS 32 /* the local operand, then the sum in place, until sent or stored */
#define ROUND 16    /* slices per chunk that go through all steps together */
/* With two or more dimensions, as many slots again where they fit without smaller slots: the
 * first reduce-scatter's sums can stay there for the second (its operands and first sends),
 * up to half of the slots the rings use; and the top ones can take the last all-gather's
 * arrivals (coll_gather_fits_sbuf), leaving the rings at least OP_SLOTS. */
#define OP_SLOTS_MAX (2 * OP_SLOTS)
#define HELD_MAX (OP_SLOTS_MAX / 2)
#define BIG_SLICE_BYTES 262144 /* slices of a big chunk */
#define SMALL_SLICE_BYTES 8192 /* the shortest worth a DMA engine of its own */
#define FIFO 16                /* reduce-scatter arrivals not yet taken: one or two */
#define AG_FIFO 4096           /* all-gather arrivals not yet forwarded: up to a chunk's slices */
/* A small all-gather fused to its reduce-scatter forwards through SBUF: each arrival in a slot
 * of its own (no slot is reused, so no free signals), stored to HBM from there. */
#define AG_SLOTS 32
#define AG_SLOT_BYTES 512 /* per partition: slices up to 64 KiB */
#define ONE_OFF 48        /* SBUF partition 0: a word holding 1 (source of remote adds) */
#define SCRATCH_OFF 0     /* rt's scratch bytes: joins copy 4 bytes from here ... */
#define SCRATCH_DST 32    /* ... to here */
#define Q_CTL 0

struct phase {
    int reduce; /* reduce-scatter (else all-gather) */
    unsigned dim;
    unsigned fixed; /* bit per dimension reduced before */
    unsigned region;
    unsigned set;  /* of semaphores */
    int next_dim;  /* a reduce-scatter's next reduce-scatter dimension, or -1 */
    int per_block; /* its data waits for the previous one's stores block by block */
    /* Reduces by DMA adds. Not after a barrier: a receiver announces its loaded operand slots
     * before any data arrives, and its previous chip may still wait for the last phase's
     * signals on the same semaphore set. */
    int dma_add;
    /* The sums of the last step stay in their operand slots for the next reduce-scatter
     * (hold), which takes its operands and first sends from there (held), with the same
     * slices, instead of a store to HBM and reads back. */
    int hold, held;
    unsigned m; /* slices per block piece, if set (hold, held: the same) */
    /* Parts each slice goes over the link in (0: one): a phase that holds or takes held sums
     * (helper_parts; coll_rs_send), and the all-gather fused to one, which forwards the same parts
     * one by one (coll_ag_send). */
    unsigned parts;
    /* The first step adds into operand slots zeroed before GO (coll_ring_zero): the sender's
     * DMA add leaves at once, the receiver DMA-adds its own slice from HBM meanwhile. */
    int zeroed;
};

/* A sum left in operand slot `op` for the next phase: slice i of block b, ready at `t`. */
struct held_sum {
    uint16_t b, i;
    uint8_t op;
    struct rt_ticket t;
};

struct lane {
    struct rt_dev* d;
    unsigned chip, idx;
    int dir;
    unsigned order[3], nact;
    /* This phase. */
    unsigned next, prev, pos, g, m;
    uint32_t sent;   /* slices sent to the next chip */
    uint32_t rsent;  /* of them into receive slots (VE adds, load-added first steps) */
    uint32_t recvd;  /* slices received into receive slots */
    uint32_t rslots; /* slices this phase receives into receive slots */
    /* Whole collective. */
    uint32_t ops, stores;
    struct rt_ticket op_use[OP_SLOTS_MAX], store_last[RT_MAX_DMA_QUEUES];
    struct rt_ticket ready;      /* the data earlier phases left in `work`, and their signals */
    struct rt_ticket go;         /* the next chip of this phase has all of its previous phase */
    struct rt_ticket zeroed;     /* slots zeroed before GO are (coll_direct_zero, coll_ring_zero) */
    unsigned barriers;           /* passed so far */
    struct rt_ticket fifo[FIFO]; /* reduce-scatter arrivals, oldest first */
    unsigned head, tail;
    struct rt_ticket agq[AG_FIFO]; /* all-gather arrivals, oldest first */
    unsigned ag_head, ag_tail, ag_sent;
    int ag_sbuf; /* this phase's all-gather arrives in SBUF slots, not in HBM: GATHER_IN_AG the
                  * gather slots (AG_SLOTS), GATHER_IN_OP the operand slots above j->op_slots */
    struct rt_ticket op_use2[OP_SLOTS_MAX]; /* an operand slot's second reader (fused all-gather) */
    /* Sums of this round's slices waiting to go to the next chip at the next step. */
    struct rt_ticket fwd_ve[ROUND];
    uint32_t fwd_off[ROUND];           /* its SBUF slot */
    int fwd_op[ROUND];                 /* the operand slot, or -1: a receive slot (used once) */
    struct rt_ticket fwd_local[ROUND]; /* zeroed slots: the local add, the sum's other half */
    /* A reduce-scatter that another follows goes through each chunk's blocks in the order the
     * next one reads them here (`perm`: its first send, then its loads step by step), and each
     * block's stores have a ticket of their own (blk_ready), so the next phase starts early. */
    uint8_t perm[RAINIER_MAX_CHIPS];
    struct rt_ticket blk_ready[RAINIER_MAX_CHIPS];
    /* DMA adds: the operand slot the slice arriving now adds into, and the signal that says it
     * is loaded (none for a zeroed slot: it was ready before GO). */
    unsigned in_op;
    struct rt_ticket in_ready;
    struct rt_ticket in_local; /* a zeroed slot: this chip's own slice added into it */
    /* All-gathers: the arrivals of block b here, the last on each send queue's semaphore (the
     * next all-gather sends each block as soon as it is here, not after the whole phase). */
    struct rt_ticket blk_arrived[RAINIER_MAX_CHIPS][MAX_SEND];
    struct rt_ticket rfree[RECV_SLOTS]; /* a receive slot's last use is over (zero: none) */
    struct held_sum held[HELD_MAX];
    unsigned nheld;
    uint8_t pinned[OP_SLOTS_MAX]; /* an operand slot holding a sum for the next phase */
};

/* What one collective works on. */
struct job {
    struct rt_comm* c;
    unsigned op, es, dtype;
    const uint64_t *src, *dst;
    uint64_t work[RAINIER_MAX_CHIPS];
    uint64_t total;        /* elements in the full buffer */
    unsigned ns_rs, ns_ag; /* send queues a lane keeps busy (reduce-scatter, all-gather) */
    int dma_add;           /* ring steps reduce by DMA (else by the VE) */
    unsigned op_slots;     /* operand slots the rings use (gather_sbuf: the ones below) */
    int gather_sbuf;       /* the last gather's arrivals in the top operand slots */
};

/* A slice: its first element, its length, its block (coll_slice). */
struct span {
    uint64_t e0;
    uint32_t len;
    unsigned b; /* its block */
};

/* How a slice of `len` elements lies in an SBUF slot: q partitions of E, then r in the next. */
struct geo {
    uint32_t E, q, r;
};

/* lane.ag_sbuf: where a phase's all-gather arrivals go (ag_slot). */
#define GATHER_IN_AG 1
#define GATHER_IN_OP 2
/* Between an SBUF slot's rows: one row per partition. */
#define PSTRIDE ((int32_t)RAINIER_SBUF_PARTITION_STRIDE)

static inline unsigned q_send(const struct rt_comm* c, unsigned k) {
    (void)c;
    return 1 + k;
}
/* Freed receive slots are announced on a queue of their own: each waits for its trip over a
 * busy link, and the control queue's joins must not queue behind them. */
static inline unsigned q_signal(const struct rt_comm* c) {
    return 1 + c->nsend + c->nload + c->nstore;
}
static inline unsigned q_load(const struct rt_comm* c, unsigned i) {
    return 1 + c->nsend + i;
}
static inline unsigned q_store(const struct rt_comm* c, unsigned i) {
    return 1 + c->nsend + c->nload + i;
}

static inline unsigned coord(const struct rt_comm* c, unsigned chip, unsigned dim) {
    unsigned v = chip;
    for (unsigned d = 0; d < dim; d++)
        v /= c->dims[d];
    return v % c->dims[dim];
}

static inline unsigned with_coord(const struct rt_comm* c, unsigned chip, unsigned dim,
                                  unsigned k) {
    unsigned stride = 1;
    for (unsigned d = 0; d < dim; d++)
        stride *= c->dims[d];
    return chip - coord(c, chip, dim) * stride + k * stride;
}

/* One lane per device: chip * lanes + core (collective.c). */
extern struct lane coll_lanes[RT_COLL_MAX_DEVS];

static inline void fifo_push(struct lane* L, struct rt_ticket t) {
    L->fifo[L->tail++ % FIFO] = t;
}

static inline struct rt_ticket fifo_pop(struct lane* L) {
    return L->fifo[L->head++ % FIFO];
}

static inline void ag_push(struct lane* L, struct rt_ticket t) {
    L->agq[L->ag_tail++ % AG_FIFO] = t;
}

static inline struct rt_ticket ag_pop(struct lane* L) {
    return L->agq[L->ag_head++ % AG_FIFO];
}

static inline struct lane* lane_of(const struct job* j, unsigned chip, unsigned idx) {
    return &coll_lanes[chip * j->c->lanes + idx];
}

static inline uint32_t slot_off(const struct rt_comm* c, uint32_t area, unsigned i) {
    return area + i * c->slot_bytes;
}

static inline uint64_t sbuf_global(const struct lane* L, uint32_t off) {
    return RAINIER_CHIP_SRAM_BASE(L->chip, L->d->core) + rt_sbuf_off(0, off);
}

/* The queue of the next store. */
static inline unsigned store_queue(const struct rt_comm* c, struct lane* L) {
    return q_store(c, L->stores++ % c->nstore);
}

/* The all-gather slot of arrival i of the phase (ag_sbuf): after the operand slots, or (the
 * last gather, GATHER_IN_OP) an operand slot the rings leave unused. */
static inline uint64_t ag_slot(const struct rt_comm* c, const struct lane* L, unsigned i) {
    if (L->ag_sbuf == GATHER_IN_OP)
        return sbuf_global(L, slot_off(c, c->sbuf_op, c->op_slots - 1 - i));
    return sbuf_global(L, slot_off(c, c->sbuf_op, c->op_slots) + i * AG_SLOT_BYTES);
}

/* Where a reduce-scatter phase reads this chip's data and stores its sums. */
static inline uint64_t cur_addr(const struct job* j, const struct lane* L, unsigned first,
                                uint64_t e) {
    return (first ? j->src[L->chip] : j->work[L->chip]) + e * j->es;
}

/* The parts a slice laid out as g goes over the link in (struct phase.parts): whole rows each.
 * The clamp to its rows never bites where parts are set (helper_parts keeps a part at 8 KiB
 * or more, and rows are at most 4 KiB); a fused gather's slot numbering (coll_ag_send) relies on
 * every slice of the phase having the same number of parts. */
static inline unsigned slice_parts(const struct phase* ph, struct geo g) {
    const unsigned parts = ph->parts ? ph->parts : 1;
    return parts < g.q ? parts : g.q ? g.q : 1;
}

static inline uint64_t block_start(const struct job* j, unsigned b) {
    return j->total * b / j->c->chips;
}

/* How the buffer is cut: blocks, pieces, chunks, slices, parts (coll_slices.c). */
uint64_t coll_piece(const struct job* j, unsigned lane, unsigned b, uint64_t* start);
unsigned coll_chunk_block(const struct job* j, const struct phase* ph, unsigned chip, unsigned k,
                          unsigned t);
unsigned coll_blocks_per_chunk(const struct rt_comm* c, const struct phase* ph);
struct span coll_slice(const struct job* j, const struct lane* L, const struct phase* ph,
                       unsigned a, unsigned s);
struct geo coll_geo_of(const struct job* j, uint32_t len);
unsigned coll_piece_slices(const struct job* j, unsigned idx, unsigned blocks, int reduce);
unsigned coll_hold_slices(const struct job* j, unsigned idx, unsigned parts[2]);
unsigned coll_gather_fits_sbuf(const struct job* j);

/* Emitting descriptors and signals (coll_emit.c). */
struct rt_ticket coll_dma_pieces_ex(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                    uint64_t src, int32_t src_row, uint64_t dst, int32_t dst_row,
                                    const struct rt_ticket* w, unsigned nw, int signal,
                                    uint8_t flags);
struct rt_ticket coll_dma_pieces(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                 uint64_t src, int32_t src_row, uint64_t dst, int32_t dst_row,
                                 const struct rt_ticket* w, unsigned nw, int signal);
struct rt_ticket coll_dma_part_sig(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                   unsigned p, unsigned parts, uint64_t src, int32_t src_row,
                                   uint64_t dst, int32_t dst_row, const struct rt_ticket* w,
                                   unsigned nw, uint8_t flags, int signal);
struct rt_ticket coll_signal_remote(struct lane* L, unsigned q, struct lane* to, unsigned sem,
                                    const struct rt_ticket* w, unsigned nw);
struct rt_ticket coll_join(struct lane* L, const struct rt_ticket* w, unsigned nw);
struct rt_ticket coll_ag_send(const struct job* j, struct lane* L, unsigned set, unsigned b,
                              uint64_t e0, uint32_t len, unsigned p, unsigned parts, uint64_t at,
                              int32_t at_row, const struct geo* g, int into_slot,
                              const struct rt_ticket* dep, unsigned ndep);
unsigned coll_held_take(struct lane* L, unsigned b, unsigned i, struct rt_ticket* t);
uint64_t coll_zero_row(const struct job* j, const struct lane* L);

/* Who adds the slices arriving at a step (coll_step_add). */
enum {
    ADD_VE,        /* the VE adds the receive slot into the loaded operand */
    ADD_BY_SENDER, /* the sender's DMA adds into the operand slot loaded for it */
    ADD_BY_LOAD,   /* the sender writes a receive slot; the local operand is DMA-added into it */
    ADD_INTO_ZERO, /* sender and receiver DMA-add into an operand slot zeroed before GO */
};

/* One reduce-scatter step of a lane: send, prepare, add, receive (coll_step.c). */
void coll_rs_send(const struct job* j, struct lane* L, const struct phase* ph, unsigned a,
                  unsigned s, int add, uint64_t from, int from_sbuf, int from_op,
                  struct rt_ticket dep, struct rt_ticket dep2);
int coll_step_add(const struct job* j, const struct phase* ph, const struct lane* L, unsigned step);
void coll_rs_prepare(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                     unsigned s, unsigned first);
void coll_rs_receive(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                     unsigned s, unsigned first, int last_phase, unsigned in_round, int fuse);

/* Phases and the rings of one lane (coll_ring.c). */
void coll_lane_order(const struct rt_comm* c, struct lane* L);
void coll_build_lane(const struct job* j, unsigned idx);
void coll_ring_zero(const struct job* j, struct lane* L);

/* The direct exchange (coll_direct.c). */
int coll_direct_fits(const struct job* j);
void coll_direct_zero(const struct job* j, struct lane* L);
void coll_build_direct(const struct job* j, unsigned idx);

#endif
