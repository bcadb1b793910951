/* Collectives over NeuronLink (see rt/collective.h, docs/collectives.md).
 *
 * Vocabulary. The buffer (T elements: count, or chips * count) is cut into one *block* per chip
 * (block b belongs to chip b after a reduce-scatter); every lane (NeuronCore) owns the same
 * share of each block, its *piece*. A ring *phase* along dimension d works on the blocks whose
 * coordinates in the dimensions reduced before (`fixed`) equal this chip's; its *chunk* k is
 * those with coordinate k in d. Chunks go round in *slices* (contiguous parts of one piece)
 * small enough for an SBUF slot.
 *
 * Programs are generated slice by slice for all devices together, in the order the data
 * moves, so every wait names an entry that is already written: a full ring can always make
 * room once every device is started (rt_dev.on_full). */
#include "rt/collective.h"

#include <stdio.h>
#include <string.h>

#include "board/clint.h"
#include "board/sem.h"
#include "rainier/hw/clint.h"

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
#define RECV_SLOTS 12
#define OP_SLOTS 32 /* the local operand, then the sum in place, until sent or stored */
#define ROUND 16    /* slices per chunk that go through all steps together */
/* With two or more dimensions, as many slots again where they fit without smaller slots: the
 * first reduce-scatter's sums can stay there for the second (its operands and first sends),
 * up to half of the slots the rings use; and the top ones can take the last all-gather's
 * arrivals (gather_fits_sbuf), leaving the rings at least OP_SLOTS. */
#define OP_SLOTS_MAX (2 * OP_SLOTS)
#define HELD_MAX (OP_SLOTS_MAX / 2)
#define SLOT_BYTES 4096   /* per partition; halved while the areas do not fit in SBUF */
#define MIN_ROW_BYTES 256 /* shortest SBUF row worth a DMA request of its own */
#define AG_SLICE_BYTES 1048576
#define BIG_SLICE_BYTES 262144 /* slices of a big chunk */
#define SMALL_SLICE_BYTES 8192 /* the shortest worth a DMA engine of its own */
#define MAX_SLICES 128         /* per chunk and phase */
#define FIFO 16                /* reduce-scatter arrivals not yet taken: one or two */
#define AG_FIFO 4096           /* all-gather arrivals not yet forwarded: up to a chunk's slices */
/* A small all-gather fused to its reduce-scatter forwards through SBUF: each arrival in a slot
 * of its own (no slot is reused, so no free signals), stored to HBM from there. */
#define AG_SLOTS 32
#define AG_SLOT_BYTES 512 /* per partition: slices up to 64 KiB */
#define ONE_OFF 48        /* SBUF partition 0: a word holding 1 (source of remote adds) */
#define SCRATCH_OFF 0     /* rt's scratch bytes: joins copy 4 bytes from here ... */
#define SCRATCH_DST 32    /* ... to here */
#define AREA_BASE 64
#define RING_ENTRIES 4096
#define Q_CTL 0
/* DMA engines it takes to fill one NeuronLink port (256 GB/s / 27 GB/s on Trn2). A lane keeps
 * about its share of them busy, not more: slices spread over more queues all finish late,
 * together, and the next step waits for them. */
#define LINK_ENGINES 10

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
     * (helper_parts; rs_send), and the all-gather fused to one, which forwards the same parts
     * one by one (ag_send). */
    unsigned parts;
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
    uint32_t rsent;  /* of them into receive slots (VE adds, first steps) */
    uint32_t recvd;  /* slices received into receive slots */
    uint32_t rslots; /* slices this phase receives into receive slots */
    /* Whole collective. */
    uint32_t ops, stores;
    struct rt_ticket op_use[OP_SLOTS_MAX], store_last[RT_MAX_DMA_QUEUES];
    struct rt_ticket ready;      /* the data earlier phases left in `work`, and their signals */
    struct rt_ticket go;         /* the next chip of this phase has all of its previous phase */
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
    uint32_t fwd_off[ROUND]; /* its SBUF slot */
    int fwd_op[ROUND];       /* the operand slot, or -1: a receive slot (used once) */
    /* A reduce-scatter that another follows goes through each chunk's blocks in the order the
     * next one reads them here (`perm`: its first send, then its loads step by step), and each
     * block's stores have a ticket of their own (blk_ready), so the next phase starts early. */
    uint8_t perm[RAINIER_MAX_CHIPS];
    struct rt_ticket blk_ready[RAINIER_MAX_CHIPS];
    /* DMA adds: the operand slot the slice arriving now adds into, and the signal that says it
     * is loaded. */
    unsigned in_op;
    struct rt_ticket in_ready;
    /* All-gathers: the arrivals of block b here, the last on each send queue's semaphore (the
     * next all-gather sends each block as soon as it is here, not after the whole phase). */
    struct rt_ticket blk_arrived[RAINIER_MAX_CHIPS][MAX_SEND];
    struct rt_ticket rfree[RECV_SLOTS]; /* a receive slot's last use is over (zero: none) */
    struct held_sum held[HELD_MAX];
    unsigned nheld;
    uint8_t pinned[OP_SLOTS_MAX]; /* an operand slot holding a sum for the next phase */
};

static struct rt_dev devs[RT_COLL_MAX_DEVS];
static struct lane lanes[RT_COLL_MAX_DEVS];
static uint32_t tail0[RT_COLL_MAX_DEVS][RT_MAX_DMA_QUEUES]; /* ring tails at the program start */

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

static unsigned q_send(const struct rt_comm* c, unsigned k) {
    (void)c;
    return 1 + k;
}
/* Freed receive slots are announced on a queue of their own: each waits for its trip over a
 * busy link, and the control queue's joins must not queue behind them. */
static unsigned q_signal(const struct rt_comm* c) {
    return 1 + c->nsend + c->nload + c->nstore;
}
static unsigned q_load(const struct rt_comm* c, unsigned i) {
    return 1 + c->nsend + i;
}
static unsigned q_store(const struct rt_comm* c, unsigned i) {
    return 1 + c->nsend + c->nload + i;
}

static unsigned coord(const struct rt_comm* c, unsigned chip, unsigned dim) {
    unsigned v = chip;
    for (unsigned d = 0; d < dim; d++)
        v /= c->dims[d];
    return v % c->dims[dim];
}

static unsigned with_coord(const struct rt_comm* c, unsigned chip, unsigned dim, unsigned k) {
    unsigned stride = 1;
    for (unsigned d = 0; d < dim; d++)
        stride *= c->dims[d];
    return chip - coord(c, chip, dim) * stride + k * stride;
}

/* Every queue of every device waits for SEM_GO before its first entry: the doorbells take the
 * host a while, and the collective should start everywhere at once. The host signals lane 0 of
 * each chip, which passes it on to the chip's other lanes (a host write takes ~80 ns: one per
 * device would start the last 128 devices of a 4x4 torus 10 us late). */
static void release(struct rt_comm* c) {
    if (c->released) return;
    c->released = 1;
    rt_sync(); /* the writes below land together, not a time quantum apart */
    for (unsigned chip = 0; chip < c->chips; chip++)
        sem_add(chip, c->dev[chip * c->lanes].core, SEM_GO, 1);
}

static void kick_all(void* ctx) {
    struct rt_comm* c = ctx;
    for (unsigned i = 0; i < c->chips * c->lanes; i++)
        rt_kick(&c->dev[i]);
}

/* A ring is full while the host still writes the program: start everything now (the timing
 * of this collective then includes the host's writing; stats.early says so). */
static void ring_full(void* ctx) {
    struct rt_comm* c = ctx;
    kick_all(c);
    if (!c->released) c->stats.early = 1;
    release(c);
}

static void wait_go(struct rt_dev* d) {
    const struct rt_ticket go = {SEM_GO, 1};
    struct rainier_dma_desc desc;
    rt_desc_2d(&desc, 4, 1, 1, rt_sram_addr(d, rt_sbuf_off(0, SCRATCH_OFF)), 4,
               rt_sram_addr(d, rt_sbuf_off(0, SCRATCH_DST)), 4);
    for (unsigned q = 0; q < d->ndma; q++)
        rt_dma(d, q, &desc, &go, 1, 0);
    struct rainier_nc_insn x;
    memset(&x, 0, sizeof x);
    x.opcode = RAINIER_OP_COPY;
    x.src_dtype = x.dst_dtype = RAINIER_DT_FP32;
    x.src0 = rt_tile(rt_sbuf_off(0, SCRATCH_OFF), 1, 1);
    x.dst = rt_tile(rt_sbuf_off(0, SCRATCH_DST), 1, 1);
    rt_nc(d, RAINIER_NC_ENGINE_VECTOR, &x, &go, 1, 0);
}

/* Where a chip's start time goes, after its queues' end times. */
static uint64_t start_stamp(const struct rt_comm* c) {
    return (uint64_t)c->lanes * RT_MAX_DMA_QUEUES * 8;
}

/* An 8-byte DMA read of mtime into `slot` on queue q: the DMA engines' clock, in simulated
 * time, where the host's reads of mtime are ahead of it by up to its time quantum. */
static void stamp(struct rt_dev* d, unsigned q, uint64_t slot) {
    struct rainier_dma_desc desc;
    *(volatile uint64_t*)(uintptr_t)slot = 0;
    rt_desc_2d(&desc, 4, 1, 2, RAINIER_CLINT_BASE + CLINT_MTIME, 8, slot, 8);
    rt_dma(d, q, &desc, NULL, 0, 0);
}

int rt_comm_open(struct rt_comm* c, unsigned nlanes) {
    memset(c, 0, sizeof *c);
    struct chip_info info;
    chip_read_info(0, &info);
    c->chips = info.system_chips ? info.system_chips : 1;
    c->ndims = 0;
    for (unsigned d = 0; d < 3; d++) {
        c->dims[d] = info.topology[d] ? info.topology[d] : 1;
        if (c->dims[d] > 1) c->ndims = d + 1;
    }
    if (c->dims[0] * c->dims[1] * c->dims[2] != c->chips) return RT_ERR_DEVICE;
    c->lanes = nlanes ? nlanes : info.cores;
    if (c->lanes > info.cores || c->chips * c->lanes > RT_COLL_MAX_DEVS) return RT_ERR_ARG;
    c->partitions = info.partitions;
    /* Queue roles: one control queue, the rest split between sends, loads and stores, each
     * on an engine of its own while engines last. */
    const unsigned engines = info.dma_engines;
    const unsigned rest = (engines > RT_MAX_DMA_QUEUES ? RT_MAX_DMA_QUEUES : engines) - 2;
    /* Sends and loads move every step's data at the link's rate; stores move the last step's,
     * but then at the same rate (a phase's end waits for them): about 1 : 1 : 1. */
    c->nsend = rest >= 3 ? (rest + 2) / 3 : 1; /* the others: control and signal queues */
    if (c->nsend > MAX_SEND) c->nsend = MAX_SEND;
    c->nstore = rest >= 3 ? (rest - c->nsend) / 2 : 1;
    c->nload = rest >= 3 ? rest - c->nsend - c->nstore : 1;
    const unsigned ndma = 2 + c->nsend + c->nload + c->nstore;
    /* SBUF: a receive area per reduce-scatter dimension, operand (then sum) slots, gather slots. */
    c->slot_bytes = SLOT_BYTES;
    const unsigned regions = c->ndims ? c->ndims : 1;
    while (AREA_BASE + (uint64_t)c->slot_bytes * (regions * RECV_SLOTS + OP_SLOTS) +
               AG_SLOTS * AG_SLOT_BYTES >
           info.sbuf_size)
        if ((c->slot_bytes /= 2) < 256) return RT_ERR_SBUF;
    c->op_slots = OP_SLOTS;
    if (c->ndims >= 2 && AREA_BASE +
                                 (uint64_t)c->slot_bytes * (regions * RECV_SLOTS + OP_SLOTS_MAX) +
                                 AG_SLOTS * AG_SLOT_BYTES <=
                             info.sbuf_size)
        c->op_slots = OP_SLOTS_MAX;
    c->sbuf_recv = AREA_BASE;
    c->sbuf_op = c->sbuf_recv + regions * RECV_SLOTS * c->slot_bytes;
    c->dev = devs;
    for (unsigned chip = 0; chip < c->chips; chip++) {
        for (unsigned l = 0; l < c->lanes; l++) {
            struct rt_dev* d = &devs[chip * c->lanes + l];
            struct rt_dev* first = &devs[chip * c->lanes];
            /* Lane 0 brings the chip up and owns its HBM allocator (rings included). */
            const struct rt_open_opts o = {
                0, ndma, 8, RING_ENTRIES, RING_ENTRIES, l ? &first->hbm : &d->hbm, l == 0};
            const int rc = rt_open_ex(d, chip, l, &o);
            if (rc != RT_OK) return rc;
            d->on_full = ring_full;
            d->on_full_ctx = c;
        }
        c->stamps[chip] = rt_comm_alloc(c, chip, start_stamp(c) + 8);
        if (!c->stamps[chip]) return RT_ERR_ARG;
    }
    return RT_OK;
}

uint64_t rt_comm_alloc(struct rt_comm* c, unsigned chip, uint64_t bytes) {
    if (chip >= c->chips) return 0;
    return rt_mem_alloc(&c->dev[chip * c->lanes].hbm, bytes ? bytes : 1, 4096);
}

/* ---- Buffer geometry ---- */

static uint64_t block_start(const struct job* j, unsigned b) {
    return j->total * b / j->c->chips;
}

/* The lane's piece of block b: [*start, *start + len). */
static uint64_t piece(const struct job* j, unsigned lane, unsigned b, uint64_t* start) {
    const uint64_t b0 = block_start(j, b), n = block_start(j, b + 1) - b0;
    const uint64_t p0 = n * lane / j->c->lanes, p1 = n * (lane + 1) / j->c->lanes;
    *start = b0 + p0;
    return p1 - p0;
}

/* Block t (in increasing order) of chunk `k` of phase `ph` as seen from `chip`. */
static unsigned chunk_block(const struct job* j, const struct phase* ph, unsigned chip, unsigned k,
                            unsigned t) {
    const struct rt_comm* c = j->c;
    for (unsigned b = 0; b < c->chips; b++) {
        if (coord(c, b, ph->dim) != k) continue;
        int ok = 1;
        for (unsigned d = 0; d < 3; d++)
            if ((ph->fixed >> d & 1) && coord(c, b, d) != coord(c, chip, d)) ok = 0;
        if (ok && t-- == 0) return b;
    }
    return 0;
}

static unsigned blocks_per_chunk(const struct rt_comm* c, const struct phase* ph) {
    unsigned n = c->chips / c->dims[ph->dim];
    for (unsigned d = 0; d < 3; d++)
        if (ph->fixed >> d & 1) n /= c->dims[d];
    return n;
}

/* Slice `s` of the chunk at ring index `a` (coordinates in the lane's direction). */
struct span {
    uint64_t e0;
    uint32_t len;
    unsigned b; /* its block */
};
static unsigned ring_coord(const struct lane* L, unsigned a) {
    a %= L->g;
    return L->dir > 0 ? a : (L->g - a) % L->g;
}
/* Where slice i of m of a piece of n elements starts (i == m: its end). Boundaries fall on
 * whole rows of `align` elements (an SBUF slot row, or 4 KiB in HBM), so that a slice is one
 * descriptor: only a piece's last slice may end in a partial row. */
static uint64_t slice_start(uint64_t n, uint64_t i, uint64_t m, uint64_t align) {
    return i >= m ? n : n * i / m / align * align;
}

static struct span slice(const struct job* j, const struct lane* L, const struct phase* ph,
                         unsigned a, unsigned s) {
    const unsigned b = chunk_block(j, ph, L->chip, ring_coord(L, a), L->perm[s / L->m]);
    uint64_t p0;
    const uint64_t n = piece(j, L->idx, b, &p0), i = s % L->m;
    const uint64_t align = ph->reduce ? j->c->slot_bytes / j->es : 4096 / j->es;
    const uint64_t s0 = slice_start(n, i, L->m, align), s1 = slice_start(n, i + 1, L->m, align);
    struct span sp = {p0 + s0, (uint32_t)(s1 - s0), b};
    return sp;
}

/* How a slice of `len` elements lies in an SBUF slot: q partitions of E, then r in the next. */
struct geo {
    uint32_t E, q, r;
};
static struct geo geo_of(const struct job* j, uint32_t len) {
    const struct rt_comm* c = j->c;
    const uint32_t emax = c->slot_bytes / j->es;
    uint32_t minrow = MIN_ROW_BYTES / j->es;
    if (minrow > emax) minrow = emax;
    /* Rows as short as possible (the VE's time is per element of a row, the partitions work in
     * parallel), at least minrow: a power of two times minrow divides every slice but a
     * piece's last (those are whole slot rows); the last is spread over the partitions. */
    uint32_t e = minrow;
    while (e < emax && (uint64_t)e * c->partitions < len)
        e *= 2;
    if (len % e) {
        e = (len + c->partitions - 1) / c->partitions;
        if (e < minrow) e = minrow;
        if (e > emax) e = emax;
    }
    struct geo g = {e, len / e, len % e};
    return g;
}

/* ---- Emitting ---- */

static struct rt_ticket dma_pieces_ex(struct lane* L, unsigned q, const struct job* j, struct geo g,
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

static struct rt_ticket dma_pieces(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                   uint64_t src, int32_t src_row, uint64_t dst, int32_t dst_row,
                                   const struct rt_ticket* w, unsigned nw, int signal) {
    return dma_pieces_ex(L, q, j, g, src, src_row, dst, dst_row, w, nw, signal, 0);
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
static struct rt_ticket dma_part_sig(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                     unsigned p, unsigned parts, uint64_t src, int32_t src_row,
                                     uint64_t dst, int32_t dst_row, const struct rt_ticket* w,
                                     unsigned nw, uint8_t flags, int signal) {
    uint32_t off, len;
    part_range(g, p, parts, &off, &len);
    const uint32_t r0 = off / g.E;
    const struct geo sub = {g.E, len / g.E, len % g.E};
    return dma_pieces_ex(L, q, j, sub, src + (uint64_t)src_row * r0, src_row,
                         dst + (uint64_t)dst_row * r0, dst_row, w, nw, signal, flags);
}

/* The parts a slice laid out as g goes over the link in (struct phase.parts): whole rows each.
 * The clamp to its rows never bites where parts are set (helper_parts keeps a part at 8 KiB
 * or more, and rows are at most 4 KiB); a fused gather's slot numbering (ag_send) relies on
 * every slice of the phase having the same number of parts. */
static unsigned slice_parts(const struct phase* ph, struct geo g) {
    const unsigned parts = ph->parts ? ph->parts : 1;
    return parts < g.q ? parts : g.q ? g.q : 1;
}

/* A 4-byte copy of 1 into semaphore `sem` of device `to`, after queue q's earlier entries. */
static struct rt_ticket signal_remote(struct lane* L, unsigned q, struct lane* to, unsigned sem,
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
static struct rt_ticket join(struct lane* L, const struct rt_ticket* w, unsigned nw) {
    struct rainier_dma_desc desc;
    rt_desc_2d(&desc, 4, 1, 1, rt_sram_addr(L->d, rt_sbuf_off(0, SCRATCH_OFF)), 4,
               rt_sram_addr(L->d, rt_sbuf_off(0, SCRATCH_DST)), 4);
    return rt_dma(L->d, Q_CTL, &desc, w, nw, 1);
}

static void fifo_push(struct lane* L, struct rt_ticket t) {
    L->fifo[L->tail++ % FIFO] = t;
}
static struct rt_ticket fifo_pop(struct lane* L) {
    return L->fifo[L->head++ % FIFO];
}
static void ag_push(struct lane* L, struct rt_ticket t) {
    L->agq[L->ag_tail++ % AG_FIFO] = t;
}
static struct rt_ticket ag_pop(struct lane* L) {
    return L->agq[L->ag_head++ % AG_FIFO];
}

static struct lane* lane_of(const struct job* j, unsigned chip, unsigned idx) {
    return &lanes[chip * j->c->lanes + idx];
}

static uint32_t slot_off(const struct rt_comm* c, uint32_t area, unsigned i) {
    return area + i * c->slot_bytes;
}

static uint64_t sbuf_global(const struct lane* L, uint32_t off) {
    return RAINIER_CHIP_SRAM_BASE(L->chip, L->d->core) + rt_sbuf_off(0, off);
}

/* The queue of the next store. */
static unsigned store_queue(const struct rt_comm* c, struct lane* L) {
    return q_store(c, L->stores++ % c->nstore);
}

/* The all-gather slot of arrival i of the phase (ag_sbuf): after the operand slots, or (the
 * last gather, GATHER_IN_OP) an operand slot the rings leave unused. */
#define GATHER_IN_AG 1
#define GATHER_IN_OP 2
static uint64_t ag_slot(const struct rt_comm* c, const struct lane* L, unsigned i) {
    if (L->ag_sbuf == GATHER_IN_OP)
        return sbuf_global(L, slot_off(c, c->sbuf_op, c->op_slots - 1 - i));
    return sbuf_global(L, slot_off(c, c->sbuf_op, c->op_slots) + i * AG_SLOT_BYTES);
}

#define PSTRIDE ((int32_t)RAINIER_SBUF_PARTITION_STRIDE)

/* Where a reduce-scatter phase reads this chip's data and stores its sums. */
static uint64_t cur_addr(const struct job* j, const struct lane* L, unsigned first, uint64_t e) {
    return (first ? j->src[L->chip] : j->work[L->chip]) + e * j->es;
}

/* An all-gather send, part p of `parts` (slice_parts) of a slice of `len` elements: from `at`
 * (HBM; or rows of `g`, `at_row` bytes apart) to the same elements of the next chip's `work`,
 * or (`into_slot`) into its next slot, which it stores from; then its arrival signal. Returns
 * the send's ticket if it signals (from SBUF). */
static struct rt_ticket ag_send(const struct job* j, struct lane* L, unsigned set, unsigned b,
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
        t = dma_part_sig(L, q, j, *g, p, parts, at, at_row, ag_slot(c, N, slot), PSTRIDE, dep, ndep,
                         0, 1);
    } else if (g) { /* from an SBUF slot: rows of E elements, one per partition */
        t = dma_part_sig(L, q, j, *g, p, parts, at, at_row, to, (int32_t)(g->E * j->es), dep, ndep,
                         0, 1);
    } else { /* HBM to HBM: the part's elements (the same as from a slot) in rows of 4 KiB */
        struct rainier_dma_desc desc;
        uint32_t off = 0, n = len;
        if (parts > 1) part_range(geo_of(j, len), p, parts, &off, &n);
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
    const struct rt_ticket arrived = signal_remote(L, q, N, (unsigned)SEM_RECV(set, k), NULL, 0);
    ag_push(N, arrived);
    if (!into_slot) {
        N->blk_arrived[b][k] = arrived;
        return t;
    }
    /* The next chip stores what arrived; later phases read it there. */
    const unsigned qs = store_queue(c, N);
    const struct rt_ticket st = dma_part_sig(N, qs, j, *g, p, parts, ag_slot(c, N, slot), PSTRIDE,
                                             to, (int32_t)(g->E * j->es), &arrived, 1, 0, 1);
    N->store_last[qs] = st;
    N->blk_arrived[b][(qs - q_store(c, 0)) % MAX_SEND] = st;
    return t;
}

/* The operand slot holding slice i of block b from the previous phase (and when it is
 * ready); the slot goes back to the pool, its next user waits for op_use as always. */
static unsigned held_take(struct lane* L, unsigned b, unsigned i, struct rt_ticket* t) {
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

/* Sends slice s of chunk a into the next chip's receive slot, from HBM or a sum slot. */
static void rs_send(const struct job* j, struct lane* L, const struct phase* ph, unsigned a,
                    unsigned s, int add, uint64_t from, int from_sbuf, int from_op,
                    struct rt_ticket dep) {
    const struct rt_comm* c = j->c;
    const struct span sp = slice(j, L, ph, a, s);
    if (!sp.len) return;
    struct lane* N = lane_of(j, L->next, L->idx);
    const struct geo g = geo_of(j, sp.len);
    /* Step 0 reads what the previous phase stored. */
    const struct rt_ticket none = {0, 0};
    const struct rt_ticket rd = !ph->per_block ? L->ready : from_sbuf ? none : L->blk_ready[sp.b];
    struct rt_ticket w[4] = {dep, rd, L->go, {0, 0}};
    /* Into the operand slot the next chip loaded for it (rs_prepare), or a receive slot once
     * its last slice there is added. */
    w[3] = add ? N->in_ready : N->rfree[L->rsent % RECV_SLOTS];
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
        t[p] =
            dma_part_sig(L, q, j, g, p, parts, from, from_sbuf ? PSTRIDE : (int32_t)(g.E * j->es),
                         sbuf_global(N, slot), PSTRIDE, w, 4, add ? RAINIER_DMA_FLAG_ADD : 0,
                         from_sbuf || p + 1 < parts);
    }
    fifo_push(N, signal_remote(L, q_send(c, k), N, SEM_RECV(ph->set, k), t, parts - 1));
    if (from_op >= 0) L->op_use[from_op] = parts > 1 ? join(L, t, parts) : t[0];
}

/* Who adds the slices arriving at `step`. */
enum {
    ADD_VE,        /* the VE adds the receive slot into the loaded operand */
    ADD_BY_SENDER, /* the sender's DMA adds into the operand slot loaded for it */
    ADD_BY_LOAD,   /* the sender writes a receive slot; the local operand is DMA-added into it */
};
/* In a phase that adds by DMA, the first step does not: its receive slots are free from the
 * start, so the first sends leave at once instead of waiting for the receivers' operand loads
 * and their signals. The receiver adds by the VE, one slice after another (~0.35 us for 8 KiB
 * with its wait for the load), or, from LOAD_ADD_MIN_SLICES slices per step on, by DMA: its
 * operand read from HBM and added into the arrived slice, all slices at once on the store
 * queues (~0.45 us). That needs each receive slot used once in the phase: the sum is read from
 * the slot at the next step, after the slot's free signal would have been due. */
#define LOAD_ADD_MIN_SLICES 4
static int step_add(const struct job* j, const struct phase* ph, const struct lane* L,
                    unsigned step) {
    if (!ph->dma_add) return ADD_VE;
    if (step > 0 || ph->held || j->c->reduce_by == RT_REDUCE_DMA) return ADD_BY_SENDER;
    const unsigned n = blocks_per_chunk(j->c, ph) * L->m;
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
    const struct rt_ticket ld = dma_pieces(
        L, q_load(c, L->ops % c->nload), j, g, cur_addr(j, L, first, sp.e0), (int32_t)(g.E * j->es),
        sbuf_global(L, slot_off(c, c->sbuf_op, o)), PSTRIDE, lw, 3, 1);
    L->ops++;
    *slot = o;
    return ld;
}

/* DMA adds: before slice s of step `step` is sent here, the local operand goes into an operand
 * slot, and the sender hears that the slot is ready (the slot-free semaphore, counting). */
static void rs_prepare(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                       unsigned s, unsigned first) {
    const struct rt_comm* c = j->c;
    const unsigned a = L->pos + 2 * L->g - step - 2; /* the chunk arriving */
    const struct span sp = slice(j, L, ph, a, s);
    if (!sp.len) return;
    struct rt_ticket ld;
    if (ph->held) /* the operand is the sum the last phase left in a slot */
        L->in_op = held_take(L, sp.b, s % L->m, &ld);
    else
        ld = load_operand(j, L, ph, sp, geo_of(j, sp.len), first, &L->in_op);
    L->in_ready =
        signal_remote(L, q_signal(c), lane_of(j, L->prev, L->idx), SEM_SLOTFREE(ph->set), &ld, 1);
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
        L->rfree[ri] = signal_remote(L, q_signal(c), lane_of(j, L->prev, L->idx),
                                     SEM_SLOTFREE(ph->set), &ve, 1);
    return ve;
}

/* The receiving side of slice s at step `step`: the sum of the slice (by DMA, complete when it
 * has arrived; or by the VE) waits in its operand slot for the next step, or is stored at the
 * last step. */
static void rs_receive(const struct job* j, struct lane* L, const struct phase* ph, unsigned step,
                       unsigned s, unsigned first, int last_phase, unsigned in_round, int fuse) {
    const struct rt_comm* c = j->c;
    const unsigned a = L->pos + 2 * L->g - step - 2; /* the chunk arriving */
    const struct span sp = slice(j, L, ph, a, s);
    if (!sp.len) return;
    const struct geo g = geo_of(j, sp.len);
    const struct rt_ticket in = fifo_pop(L);
    const int how = step_add(j, ph, L, step);
    int o = -1; /* the sum's operand slot, if it is in one */
    uint32_t oslot;
    struct rt_ticket ve;
    if (how == ADD_BY_LOAD) { /* the local operand into the arrived slice, on a store queue */
        oslot = slot_off(c, c->sbuf_recv + ph->region * RECV_SLOTS * c->slot_bytes,
                         L->recvd++ % RECV_SLOTS);
        const struct rt_ticket lw[2] = {in, ph->per_block ? L->blk_ready[sp.b] : L->ready};
        ve = dma_pieces_ex(L, store_queue(c, L), j, g, cur_addr(j, L, first, sp.e0),
                           (int32_t)(g.E * j->es), sbuf_global(L, oslot), PSTRIDE, lw, 2, 1,
                           RAINIER_DMA_FLAG_ADD);
    } else {
        if (how == ADD_BY_SENDER) {
            o = (int)L->in_op;
            ve = in;
        } else {
            struct rt_ticket ht = {0, 0};
            const int ho = ph->held ? (int)held_take(L, sp.b, s % L->m, &ht) : -1;
            unsigned vo;
            ve = ve_add(j, L, ph, sp, g, in, first, ho, ht, &vo);
            o = (int)vo;
        }
        oslot = slot_off(c, c->sbuf_op, (unsigned)o);
    }
    if (step + 2 < L->g) {
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
        pt[k] = dma_part_sig(L, qk, j, g, k, parts, sbuf_global(L, oslot), PSTRIDE, dst,
                             (int32_t)(g.E * j->es), &ve, 1, 0, 1);
        L->store_last[qk] = pt[k];
    }
    const struct rt_ticket st = parts > 1 ? join(L, pt, parts) : pt[0];
    if (o >= 0) L->op_use[o] = st;
    /* All-reduce: the reduced slice also starts the all-gather along this ring, from SBUF. */
    if (fuse) { /* in the parts the slice came in */
        const unsigned nin = slice_parts(ph, g);
        struct rt_ticket sent[MAX_SEND];
        for (unsigned p = 0; p < nin; p++)
            sent[p] = ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, nin, sbuf_global(L, oslot),
                              PSTRIDE, &g, L->ag_sbuf, &ve, 1);
        if (o >= 0) L->op_use2[o] = nin > 1 ? join(L, sent, nin) : sent[0];
    }
}

/* The longest of m slices of a piece of n elements (slice_start). */
static uint64_t longest_slice(uint64_t n, uint64_t m, uint64_t align) {
    uint64_t most = 0;
    for (uint64_t i = 0; i < m; i++) {
        const uint64_t len = slice_start(n, i + 1, m, align) - slice_start(n, i, m, align);
        if (len > most) most = len;
    }
    return most;
}

/* The shortest and longest piece of lane idx (they differ by an element at most). */
static void piece_range(const struct job* j, unsigned idx, uint64_t* minlen, uint64_t* maxlen) {
    *maxlen = 0;
    *minlen = UINT64_MAX;
    for (unsigned b = 0; b < j->c->chips; b++) {
        uint64_t p0;
        const uint64_t n = piece(j, idx, b, &p0);
        if (n > *maxlen) *maxlen = n;
        if (n < *minlen) *minlen = n;
    }
}

/* Slices per block piece of lane idx in a phase with `blocks` blocks per chunk. */
static unsigned piece_slices(const struct job* j, unsigned idx, unsigned blocks, int reduce) {
    const struct rt_comm* c = j->c;
    uint64_t maxlen, minlen;
    piece_range(j, idx, &minlen, &maxlen);
    uint64_t cap =
        reduce ? (uint64_t)c->partitions * c->slot_bytes / j->es : AG_SLICE_BYTES / j->es;
    if (!reduce && (maxlen + cap - 1) / cap * blocks > MAX_SLICES)
        cap = (maxlen * blocks + MAX_SLICES - 1) / MAX_SLICES;
    /* Slices per block piece. Each is one DMA engine's work: a chunk wants a slice for each
     * send queue the lane keeps busy (ns) down to SMALL_SLICE_BYTES, and big chunks slices of
     * BIG_SLICE_BYTES, so that slices finish one after another and the next step starts
     * early (and the VE's per-instruction cost stays small). */
    const uint64_t bytes = maxlen * j->es;
    const unsigned ns = reduce ? j->ns_rs : j->ns_ag;
    uint64_t m = (maxlen + cap - 1) / cap;
    const uint64_t big = bytes / BIG_SLICE_BYTES, small = bytes / SMALL_SLICE_BYTES;
    const uint64_t spread = (ns + blocks - 1) / blocks;
    if (big > m) m = big;
    if ((spread < small ? spread : small) > m) m = spread < small ? spread : small;
    if (!reduce && m * blocks > MAX_SLICES) m = (MAX_SLICES + blocks - 1) / blocks;
    if (!m) m = 1;
    /* Slice boundaries fall on whole slot rows (slice()), which can leave a piece's last
     * slice up to a row longer than the piece / m: it must still fit in its slot. */
    if (reduce)
        while (longest_slice(maxlen, m, c->slot_bytes / j->es) > cap ||
               longest_slice(minlen, m, c->slot_bytes / j->es) > cap)
            m++;
    return (unsigned)m;
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
    const unsigned blocks = blocks_per_chunk(c, ph);
    unsigned rank[RAINIER_MAX_CHIPS];
    for (unsigned t = 0; t < blocks; t++) {
        rank[t] = 0;
        if (reduce && ph->next_dim >= 0) {
            const unsigned nd = (unsigned)ph->next_dim, g2 = c->dims[nd];
            const unsigned own = coord(c, L->chip, nd);
            const unsigned at = coord(c, chunk_block(j, ph, L->chip, 0, t), nd);
            /* ring positions along the next ring, in this lane's direction */
            const unsigned p_own = L->dir > 0 ? own : (g2 - own) % g2;
            const unsigned p_at = L->dir > 0 ? at : (g2 - at) % g2;
            rank[t] = (p_own + 2 * g2 - 1 - p_at) % g2;
        }
    }
    for (unsigned i = 0, r = 0; i < blocks; r++)
        for (unsigned t = 0; t < blocks; t++)
            if (rank[t] == r) L->perm[i++] = (uint8_t)t;
    L->m = ph->m ? ph->m : piece_slices(j, L->idx, blocks, reduce);
    L->rslots = 0;
    if (reduce)
        for (unsigned step = 0; step + 1 < L->g; step++)
            if (step_add(j, ph, L, step) != ADD_BY_SENDER) L->rslots += blocks * L->m;
    return L->g > 1;
}

static unsigned slices_per_chunk(const struct job* j, const struct lane* L,
                                 const struct phase* ph) {
    return blocks_per_chunk(j->c, ph) * L->m;
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
        L->ready = join(L, w, nw);
    }
    if (!barrier) return;
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, lane_idx);
        struct lane* P = lane_of(j, L->prev, lane_idx);
        P->go = signal_remote(L, Q_CTL, P, SEM_READY(P->barriers), NULL, 0);
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
                if (slice(j, lane_of(j, chip, lane_idx), ph, a, s).len > most) return 0;
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
                const int dma = step_add(j, ph, L0, step) == ADD_BY_SENDER;
                if (dma)
                    for (unsigned chip = 0; chip < c->chips; chip++)
                        rs_prepare(j, lane_of(j, chip, lane_idx), ph, step, s, first);
                for (unsigned chip = 0; chip < c->chips; chip++) {
                    struct lane* L = lane_of(j, chip, lane_idx);
                    const unsigned a = L->pos + 2 * g - step - 1; /* the chunk leaving */
                    if (step == 0) {
                        const struct span sp = slice(j, L, ph, a, s);
                        if (ph->held && sp.len) { /* from the slot the last phase left it in */
                            struct rt_ticket ht;
                            const unsigned o = held_take(L, sp.b, s % L->m, &ht);
                            rs_send(j, L, ph, a, s, dma, sbuf_global(L, slot_off(c, c->sbuf_op, o)),
                                    1, (int)o, ht);
                        } else {
                            const struct rt_ticket none = {0, 0};
                            rs_send(j, L, ph, a, s, dma, cur_addr(j, L, first, sp.e0), 0, -1, none);
                        }
                    } else {
                        rs_send(j, L, ph, a, s, dma, sbuf_global(L, L->fwd_off[s - r0]), 1,
                                L->fwd_op[s - r0], L->fwd_ve[s - r0]);
                    }
                }
                for (unsigned chip = 0; chip < c->chips; chip++) {
                    struct lane* L = lane_of(j, chip, lane_idx);
                    rs_receive(j, L, ph, step, s, first, last_phase, s - r0, fuse);
                    /* A block of this chip's own chunk is stored. */
                    if (ph->next_dim >= 0 && !ph->hold && step + 2 == g &&
                        ((s + 1) % L->m == 0 || s + 1 == n))
                        L->blk_ready[slice(j, L, ph, L->pos + g, s).b] =
                            join(L, L->store_last, RT_MAX_DMA_QUEUES);
                }
            }
        }
    /* Later phases read what the stores wrote. */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, lane_idx);
        L->ready = join(L, L->store_last, RT_MAX_DMA_QUEUES);
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
                const struct span sp = slice(j, L, ph, L->pos + g - step, s);
                if (!sp.len) continue;
                const struct geo sg = geo_of(j, sp.len);
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
                            ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts,
                                    j->work[L->chip] + sp.e0 * j->es, (int32_t)(sg.E * j->es), &sg,
                                    into_slot, dep, ndep);
                        else
                            ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts,
                                    ag_slot(c, L, (L->ag_head - 1) / parts), PSTRIDE, &sg,
                                    into_slot, dep, ndep);
                        continue;
                    }
                    uint64_t at = j->work[L->chip] + sp.e0 * j->es;
                    if (step == 0 && from_src) { /* an all-gather's own block: straight from src */
                        at = j->src[L->chip] + (sp.e0 - block_start(j, L->chip)) * j->es;
                        dep[0].value = 0;
                    }
                    ag_send(j, L, ph->set, sp.b, sp.e0, sp.len, p, parts, at, 0, NULL, 0, dep,
                            ndep);
                }
            }
    /* What arrived is waited for by the next phase's barrier (or by rt_run). */
}

/* A lane's own piece of block `b`, src to dst (all-gather's start, a 1-chip collective). */
static void local_copy(const struct job* j, struct lane* L, unsigned b, uint64_t src_base,
                       uint64_t dst_base) {
    uint64_t p0;
    uint64_t n = piece(j, L->idx, b, &p0);
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
static void lane_order(const struct rt_comm* c, struct lane* L) {
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

/* Parts each slice of a held or holding phase goes over the link in (rs_send): one on its send
 * queue and, across the step's slices, the store queues (which store only at the held ring's
 * last step there) once each; no part under SMALL_SLICE_BYTES. A lane's 5 send queues alone keep a
 * port only ~60 % busy through the steps' waits; the extra engines took the 4x4 torus at 16 MiB
 * from 55.3 to 52.2 us. */
static unsigned helper_parts(const struct job* j, unsigned per_step, uint64_t slice_bytes) {
    const unsigned nstore = j->c->nstore;
    unsigned p = 1 + (nstore + per_step - 1) / per_step;
    if (p > MAX_SEND) p = MAX_SEND;
    while (p > 1 && slice_bytes / p < SMALL_SLICE_BYTES)
        p--;
    return p;
}

/* Lane idx's first reduce-scatter keeping its sums in SBUF for the second: the slices per
 * block piece both use, or 0 if they do not (also with one dimension, or DMA adds); and the
 * parts (helper_parts) each phase sends a slice in. The second phase's chunks have fewer
 * blocks, so its steps have fewer of these slices than it would cut (4x4 torus: 2 of 256 KiB
 * at 64 MiB instead of 5 of 102 KiB); its parts make up for that. Cutting the first ring's
 * slices finer instead made its VE adds bound it (16 MiB: 57.5 -> 58.8 us). The last step's
 * slices must fit in half the slots. */
static unsigned hold_slices(const struct job* j, unsigned idx, unsigned parts[2]) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    parts[0] = parts[1] = 1;
    if (L0->nact < 2 || j->dma_add) return 0;
    struct phase ph; /* the first reduce-scatter: nothing fixed */
    memset(&ph, 0, sizeof ph);
    ph.dim = L0->order[0];
    const unsigned blocks = blocks_per_chunk(c, &ph), next_blocks = blocks / c->dims[L0->order[1]];
    const unsigned m = piece_slices(j, idx, blocks, 1);
    if (blocks * m > j->op_slots / 2) return 0;
    uint64_t minlen, maxlen;
    piece_range(j, idx, &minlen, &maxlen);
    parts[0] = helper_parts(j, blocks * m, minlen * j->es / m);
    parts[1] = helper_parts(j, next_blocks * m, minlen * j->es / m);
    return m;
}

/* The top operand slots the last all-gather (along each lane's first dimension, two
 * dimensions) needs to take every arrival it forwards into a slot of its own, or 0 if it
 * cannot: the rings keep at least OP_SLOTS, every slice fits a slot (held sums stay below
 * j->op_slots, which these slots are taken from). It
 * forwards and stores from there, instead of writing each arrival to HBM and reading it back
 * to forward it: half the buffer's HBM reads gone from every chip, and an HBM write and read
 * from every step's path. */
static unsigned gather_fits_sbuf(const struct job* j) {
    const struct rt_comm* c = j->c;
    unsigned most_slots = 0;
    if (j->op != RT_ALL_REDUCE || c->op_slots < OP_SLOTS_MAX) return 0;
    for (unsigned idx = 0; idx < c->lanes; idx++) {
        const struct lane* L0 = lane_of(j, 0, idx);
        if (L0->nact != 2) return 0;
        struct phase ph; /* the last gather: along the first dimension, nothing fixed */
        memset(&ph, 0, sizeof ph);
        ph.dim = L0->order[0];
        const unsigned blocks = blocks_per_chunk(c, &ph);
        const uint64_t m = piece_slices(j, idx, blocks, 0);
        const uint64_t slots = blocks * m * (c->dims[ph.dim] - 2); /* the last step: HBM */
        if (slots > c->op_slots - OP_SLOTS) return 0;
        if (slots > most_slots) most_slots = (unsigned)slots;
        uint64_t minlen, maxlen;
        piece_range(j, idx, &minlen, &maxlen);
        const uint64_t most = (uint64_t)c->partitions * (c->slot_bytes / j->es);
        if (longest_slice(maxlen, m, 4096 / j->es) > most ||
            longest_slice(minlen, m, 4096 / j->es) > most)
            return 0;
    }
    return most_slots;
}

static void build_lane(const struct job* j, unsigned idx) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    const unsigned n = L0->nact;
    struct phase ph = {0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0};
    unsigned fixed = 0, held_parts[2] = {1, 1};
    int fused = 0;
    if (j->op == RT_ALL_GATHER) {
        for (unsigned chip = 0; chip < c->chips; chip++) {
            struct lane* L = lane_of(j, chip, idx);
            local_copy(j, L, chip, j->src[chip] - block_start(j, chip) * j->es, j->work[chip]);
            L->ready = join(L, L->store_last, RT_MAX_DMA_QUEUES);
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
        ph.reduce = 1;
        ph.dim = L0->order[i];
        ph.fixed = fixed;
        ph.region = i;
        ph.set = i % SETS; /* used before by another ring from i == SETS on */
        ph.next_dim = i + 1 < n ? (int)L0->order[i + 1] : -1;
        ph.per_block = i > 0 && i < SETS;
        ph.dma_add = j->dma_add && i < SETS;
        ph.held = ph.hold;
        ph.hold = 0;
        if (!ph.held) ph.m = 0;
        /* The second ring adds by DMA into the slots that hold the first ring's sums: no VE
         * add and its wait on every step's path (16 MiB: 53.3 -> 52.2 us, 64 MiB: 167.4 ->
         * 159.9 us). */
        ph.parts = ph.held ? held_parts[1] : 0;
        if (ph.held && c->reduce_by != RT_REDUCE_VE) ph.dma_add = 1;
        if (i == 0) {
            ph.m = hold_slices(j, idx, held_parts);
            ph.hold = ph.m != 0;
            ph.parts = ph.hold ? held_parts[0] : 0;
        }
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
        ph.hold = ph.held = 0;
        ph.m = 0;                /* (a fused gather keeps the reduce-scatter's slices without it) */
        if (!fuse) ph.parts = 0; /* a fused one sends them in the same parts */
        ph.dma_add = j->dma_add && i < SETS; /* the fused gather goes on from its sums */
        all_gather_phase(j, &ph, idx, i + 1 == n, 0, fuse, i + SETS < n);
    }
}

/* ---- Direct exchange (all-reduce on one or two dimensions of at most DIRECT_MAX_DIM chips) ----
 * Each dimension in one step instead of g - 1. Along the first dimension d0 every chip copies its
 * pieces of its own chunk into SBUF (operand slot t: the block at coordinate t along d1) and,
 * once told, the others DMA-add theirs into them (adds commute); along d1 the same with the
 * sums; then the reduced block goes into the same slot of the other chips along d1, and each
 * chip sends its gathered chunk from the slots to the HBM of those along d0 and its own. A ring
 * step at small sizes costs its latency, not its bytes; this moves more bytes per port (the
 * chip across a ring of 4 is two hops away: 4/3 of a ring's) in a third of the steps. */
#define DIRECT_MAX_DIM 4

static struct rt_ticket dma_part(struct lane* L, unsigned q, const struct job* j, struct geo g,
                                 unsigned p, unsigned parts, uint64_t src, int32_t src_row,
                                 uint64_t dst, int32_t dst_row, const struct rt_ticket* w,
                                 unsigned nw, uint8_t flags) {
    return dma_part_sig(L, q, j, g, p, parts, src, src_row, dst, dst_row, w, nw, flags, 1);
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

static int direct_fits(const struct job* j) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = &lanes[0];
    if (j->op != RT_ALL_REDUCE || c->algo == RT_ALGO_RING || L0->nact < 1 || L0->nact > 2) return 0;
    for (unsigned i = 0; i < L0->nact; i++)
        if (c->dims[L0->order[i]] > DIRECT_MAX_DIM) return 0;
    const uint64_t most = (uint64_t)c->partitions * (c->slot_bytes / j->es);
    for (unsigned b = 0; b < c->chips; b++)
        for (unsigned l = 0; l < c->lanes; l++) {
            uint64_t p0;
            if (piece(j, l, b, &p0) > most) return 0;
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
                signal_remote(L, q, P, SEM_RECV(set, 0), NULL, 0);
                touched[q * DIRECT_MAX_DIM + k] = 0;
            }
}

/* Local queue i of the lane's load and store queues. */
static unsigned local_q(const struct rt_comm* c, unsigned i) {
    i %= c->nload + c->nstore;
    return i < c->nload ? q_load(c, i) : q_store(c, i - c->nload);
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

#define DIRECT_MAX_PARTS 16

/* Waits are few on purpose: each beyond the first is a descriptor of its own on its queue
 * (~0.1 us). So signals that are waited for together count on one semaphore: a phase's
 * arrivals (SEM_RECV(set, 0)), the loads (SEM_DIRECT_LOADS), the word of the chips along d0
 * that this chip may add into theirs (SEM_DIRECT_READY). Set 0 counts the first exchange's
 * arrivals, then the d1 chips' word (their sends of the sums wait for both), then the
 * gathered blocks': each group only after the one before is complete. */
#define SEM_DIRECT_READY SEM_RECV(1, 1)
#define SEM_DIRECT_LOADS SEM_RECV(1, 2)
static void build_direct(const struct job* j, unsigned idx) {
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
#define PIECE_GEO(chip_, k_, t_)                                                                   \
    uint64_t e0;                                                                                   \
    const uint64_t n = piece(j, idx, dblock(c, chip_, d0, k_, d1, t_), &e0);                       \
    const struct geo g = geo_of(j, n);                                                             \
    const int32_t row = (int32_t)(g.E * j->es);                                                    \
    const unsigned pt = parts_of(j, g, g1, nq)
    /* Each chip copies its own pieces of its chunk into the chunk slots (the loads count on
     * SEM_DIRECT_LOADS), then tells every other chip along d0 and d1 that it may add into
     * them: those along d0 on SEM_DIRECT_READY, those along d1 on the arrival semaphore of
     * d0, where their sends wait for it together with the sums' last arrival. */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, idx);
        const unsigned own0 = coord(c, chip, d0);
        unsigned i = 0;
        for (unsigned t = 0; t < g1; t++) {
            PIECE_GEO(chip, own0, t);
            if (!n) continue;
            for (unsigned p = 0; p < pt; p++, i++)
                dma_part_sig(L, data_q(c, i), j, g, p, pt, j->src[chip] + e0 * j->es, row,
                             dslot(c, L, t), PSTRIDE, NULL, 0, 0, RT_SIGNAL_SEM(SEM_DIRECT_LOADS));
        }
        const struct rt_ticket loaded = {(uint8_t)SEM_DIRECT_LOADS,
                                         L->d->sem_count[SEM_DIRECT_LOADS]};
        unsigned s = 0;
        for (unsigned dd = 0; dd < (d1 >= 0 ? 2u : 1u); dd++) {
            const unsigned dim = dd ? (unsigned)d1 : d0;
            for (unsigned k = 0; k < c->dims[dim]; k++)
                if (k != coord(c, chip, dim))
                    signal_remote(L, local_q(c, s++), lane_of(j, with_coord(c, chip, dim, k), idx),
                                  dd ? SEM_RECV(0, 0) : SEM_DIRECT_READY, &loaded,
                                  loaded.value ? 1 : 0);
        }
    }
    /* Along d0, from src: the other chunks' pieces added into their owners' slots. */
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = lane_of(j, chip, idx);
        const unsigned own0 = coord(c, chip, d0);
        const struct rt_ticket rd = {(uint8_t)SEM_DIRECT_READY, L->d->sem_count[SEM_DIRECT_READY]};
        L->sent = 0;
        for (unsigned t = 0; t < g1; t++)
            for (unsigned k = 0; k < g0; k++) {
                if (k == own0) continue;
                uint64_t e0;
                const uint64_t n = piece(j, idx, dblock(c, chip, d0, k, d1, t), &e0);
                if (!n) continue;
                const struct geo g = geo_of(j, n);
                const unsigned parts = parts_of(j, g, (g0 - 1) * g1, j->ns_rs);
                struct lane* P = lane_of(j, with_coord(c, chip, d0, k), idx);
                for (unsigned p = 0; p < parts; p++) {
                    const unsigned q = data_q(c, L->sent++);
                    dma_part(L, q, j, g, p, parts, j->src[chip] + e0 * j->es,
                             (int32_t)(g.E * j->es), dslot(c, P, t), PSTRIDE, &rd, rd.value ? 1 : 0,
                             RAINIER_DMA_FLAG_ADD);
                    touched[chip][q * DIRECT_MAX_DIM + k] = 1;
                }
            }
        direct_signal(j, L, d0, 0, touched[chip]);
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
    /* The whole chunk, from the slots: into this chip's HBM and the others' along d0. */
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
                dma_part(L, store_queue(c, L), j, g, p, pt, dslot(c, L, t), PSTRIDE,
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

/* An 8-byte DMA read of mtime at the end of every queue the program used. */
static void stamp_ends(struct rt_comm* c) {
    for (unsigned i = 0; i < c->chips * c->lanes; i++) {
        struct rt_dev* d = &c->dev[i];
        const unsigned lane = i % c->lanes;
        for (unsigned q = 0; q < d->ndma; q++) {
            const uint64_t slot = c->stamps[d->chip] + ((uint64_t)lane * RT_MAX_DMA_QUEUES + q) * 8;
            *(volatile uint64_t*)(uintptr_t)slot = 0;
            if (d->dma[q].tail != tail0[i][q]) stamp(d, q, slot);
        }
    }
}

int rt_collective(struct rt_comm* c, unsigned op, unsigned dtype, const uint64_t* src,
                  const uint64_t* dst, uint64_t count) {
    static struct job job;
    struct job* j = &job;
    memset(j, 0, sizeof *j);
    memset(&c->stats, 0, sizeof c->stats);
    c->released = 0;
    j->c = c;
    j->op = op;
    j->dtype = dtype;
    j->src = src;
    j->dst = dst;
    if (op > RT_ALL_GATHER || (dtype != RAINIER_DT_FP32 && dtype != RAINIER_DT_BF16) || !count) {
        printf("error: collective: bad operation %u, dtype %u or count %u\n", op, dtype,
               (unsigned)count);
        return RT_ERR_ARG;
    }
    j->es = RAINIER_DT_SIZE(dtype);
    j->total = op == RT_ALL_REDUCE ? count : count * c->chips;
    /* A lane's share of a step of the first ring (the largest step). */
    unsigned g0 = 1;
    for (unsigned d = 3; d-- > 0;)
        if (c->dims[d] > 1) g0 = c->dims[d];
    const uint64_t step_bytes = j->total * j->es / g0 / c->lanes;
    j->dma_add = c->reduce_by == RT_REDUCE_DMA ||
                 (c->reduce_by == RT_REDUCE_AUTO && step_bytes <= RT_REDUCE_DMA_MAX_STEP_BYTES);
    for (unsigned chip = 0; chip < c->chips; chip++) {
        if (src[chip] % j->es || dst[chip] % j->es) {
            printf("error: collective: buffers of chip %u not %u-byte aligned\n", chip, j->es);
            return RT_ERR_ARG;
        }
        j->work[chip] = dst[chip];
        if (op == RT_REDUCE_SCATTER) {
            /* Earlier phases keep their partial sums in a full-size buffer. */
            j->work[chip] = rt_comm_alloc(c, chip, j->total * j->es);
            if (!j->work[chip]) {
                printf("error: collective: no HBM for %u bytes on chip %u\n",
                       (unsigned)(j->total * j->es), chip);
                return RT_ERR_ARG;
            }
        }
    }
    for (unsigned i = 0; i < c->chips * c->lanes; i++) {
        struct lane* L = &lanes[i];
        memset(L, 0, sizeof *L);
        L->d = &c->dev[i];
        L->chip = i / c->lanes;
        L->idx = i % c->lanes;
        L->dir = (c->lanes >= 2 && L->idx % 2) ? -1 : 1;
        lane_order(c, L);
        rt_begin(L->d);
        L->d->sem_count[SEM_GO] = L->idx == 0; /* the host's start signal (release) */
        *(volatile uint32_t*)(uintptr_t)rt_sram_addr(L->d, rt_sbuf_off(0, ONE_OFF)) = 1;
        for (unsigned q = 0; q < L->d->ndma; q++)
            tail0[i][q] = L->d->dma[q].tail;
        wait_go(L->d);
    }
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = &lanes[chip * c->lanes];
        for (unsigned k = 1; k < c->lanes; k++)
            signal_remote(L, k % L->d->ndma, L + k, SEM_GO, NULL, 0);
        stamp(L->d, Q_CTL, c->stamps[chip] + start_stamp(c)); /* the start, as GO lands */
    }
    /* Lanes sharing one port in one direction: half take the other dimension first (two or
     * more dimensions, four or more lanes), half go the other way round (rings of three or
     * more). */
    const struct lane* L0 = &lanes[0];
    const unsigned groups = L0->nact >= 2 && c->lanes >= 4 ? 2 : 1;
    const unsigned dirs = L0->nact && c->dims[L0->order[0]] >= 3 && c->lanes >= 2 ? 2 : 1;
    unsigned per_port = c->lanes / groups / dirs;
    if (per_port == 0) per_port = 1;
    const unsigned want = (LINK_ENGINES + per_port - 1) / per_port + 1;
    const unsigned nag = c->nsend + c->nload < MAX_SEND ? c->nsend + c->nload : MAX_SEND;
    j->ns_rs = want < c->nsend ? want : c->nsend;
    j->ns_ag = want < nag ? want : nag;
    const int direct = direct_fits(j);
    c->stats.direct = direct;
    j->op_slots = c->op_slots;
    const unsigned gather_slots = direct ? 0 : gather_fits_sbuf(j);
    j->gather_sbuf = gather_slots != 0;
    j->op_slots -= gather_slots;
    c->stats.gather_sbuf = j->gather_sbuf;
    for (unsigned idx = 0; idx < c->lanes; idx++) {
        if (direct)
            build_direct(j, idx);
        else
            build_lane(j, idx);
    }
    stamp_ends(c);
    c->stats.phases = lanes[0].nact * (op == RT_ALL_REDUCE ? 2 : 1);
    for (unsigned i = 0; i < c->chips * c->lanes; i++)
        c->stats.entries += c->dev[i].stats.dma_descs + c->dev[i].stats.ve_insns;

    kick_all(c);
    uint64_t t0 = clint_mtime();
    release(c);
    int rc = RT_OK;
    for (unsigned i = 0; i < c->chips * c->lanes && rc == RT_OK; i++)
        if (rt_run(&c->dev[i], NULL, 0) != RT_OK) {
            /* The others may wait for it forever: report theirs and stop. */
            printf("error: collective: chip %u core %u failed\n", c->dev[i].chip, c->dev[i].core);
            for (unsigned k = 0; k < c->chips * c->lanes; k++)
                if (k != i && rt_report_errors(&c->dev[k]))
                    printf("  (chip %u core %u)\n", c->dev[k].chip, c->dev[k].core);
            rc = RT_ERR_DEVICE;
        }
    /* From the first start to the last end, both on the DMA engines' clock. */
    uint64_t first = 0, last = 0;
    for (unsigned chip = 0; chip < c->chips; chip++) {
        const uint64_t t = *(volatile uint64_t*)(uintptr_t)(c->stamps[chip] + start_stamp(c));
        if (t && (!first || t < first)) first = t;
        if (t > last) last = t;
    }
    c->stats.skew_ns = first ? (last - first) * (1000000000ull / RAINIER_CLINT_TIMEBASE_HZ) : 0;
    if (first) t0 = first;
    uint64_t t1 = t0;
    for (unsigned chip = 0; chip < c->chips; chip++)
        for (unsigned w = 0; w < c->lanes * RT_MAX_DMA_QUEUES; w++) {
            const uint64_t t = *(volatile uint64_t*)(uintptr_t)(c->stamps[chip] + w * 8ull);
            if (t > t1) t1 = t;
        }
    c->stats.ns = (t1 - t0) * (1000000000ull / RAINIER_CLINT_TIMEBASE_HZ);
    if (op == RT_REDUCE_SCATTER)
        for (unsigned chip = 0; chip < c->chips; chip++)
            rt_mem_free(&c->dev[chip * c->lanes].hbm, j->work[chip]);
    return rc;
}
