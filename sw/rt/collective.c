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
 * room once every device is started (rt_dev.on_full).
 *
 * Files: this one opens a communicator, starts and times a collective; coll_slices.c cuts the
 * buffer, coll_emit.c writes descriptors and signals, coll_step.c a reduce-scatter step,
 * coll_ring.c a lane's phases, coll_direct.c the direct exchange; coll_internal.h is what they
 * share. */
#include <stdio.h>
#include <string.h>

#include "board/chip.h"
#include "board/sem.h"
#include "coll_internal.h"
#include "rainier/hw/chip.h"

#define SLOT_BYTES 4096 /* per partition; halved while the areas do not fit in SBUF */
#define AREA_BASE 64
#define RING_ENTRIES 4096
/* DMA engines it takes to fill one NeuronLink port (256 GB/s / 27 GB/s on Trn2). A lane keeps
 * about its share of them busy, not more: slices spread over more queues all finish late,
 * together, and the next step waits for them. */
#define LINK_ENGINES 10

static struct rt_dev devs[RT_COLL_MAX_DEVS];
struct lane coll_lanes[RT_COLL_MAX_DEVS];
static uint32_t tail0[RT_COLL_MAX_DEVS][RT_MAX_DMA_QUEUES]; /* ring tails at the program start */

/* Every queue of every device waits for SEM_GO before its first entry (but for the zeroing of
 * slots, input-independent, which release waits for): the doorbells take the
 * host a while, and the collective should start everywhere at once. The host signals lane 0 of
 * each chip, which passes it on to the chip's other lanes (a host write takes ~80 ns: one per
 * device would start the last 128 devices of a 4x4 torus 10 us late). */
static void release(struct rt_comm* c) {
    if (c->released) return;
    c->released = 1;
    /* What the queues do before GO (coll_direct_zero, coll_ring_zero) must be done everywhere:
     * other chips write into this one's SBUF from the start. Errors show in rt_run. */
    for (unsigned i = 0; i < c->chips * c->lanes; i++)
        if (coll_lanes[i].zeroed.value)
            (void)rt_wait(&c->dev[i], coll_lanes[i].zeroed.sem, coll_lanes[i].zeroed.value);
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

/* An 8-byte DMA read of the chip's TIME_NS into `slot` on queue q, in ns of simulated time
 * (the host's own reads run ahead by up to its time quantum; mtime counts 100 ns steps). The
 * start stamp reads it as the queue gets there; an end stamp (`fenced`) once every earlier
 * entry of the queue has completed, its writes landed on whichever chip (rt_dma_fenced). */
static void stamp(struct rt_dev* d, unsigned q, uint64_t slot, int fenced) {
    struct rainier_dma_desc desc;
    *(volatile uint64_t*)(uintptr_t)slot = 0;
    rt_desc_2d(&desc, 4, 1, 2,
               RAINIER_CHIP_MMIO_ADDR(d->chip) + RAINIER_CHIP_CTRL_OFFSET +
                   RAINIER_CHIP_CTRL_TIME_NS,
               8, slot, 8);
    if (fenced)
        rt_dma_fenced(d, q, &desc, 0);
    else
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
    /* SBUF: a receive area per reduce-scatter dimension, operand (then sum) slots, gather slots,
     * a row of zeros (slots zeroed before GO are zeroed from it). */
    c->slot_bytes = SLOT_BYTES;
    const unsigned regions = c->ndims ? c->ndims : 1;
    while (AREA_BASE + (uint64_t)c->slot_bytes * (regions * RECV_SLOTS + OP_SLOTS + 1) +
               AG_SLOTS * AG_SLOT_BYTES >
           info.sbuf_size)
        if ((c->slot_bytes /= 2) < 256) return RT_ERR_SBUF;
    c->op_slots = OP_SLOTS;
    if (c->ndims >= 2 &&
        AREA_BASE + (uint64_t)c->slot_bytes * (regions * RECV_SLOTS + OP_SLOTS_MAX + 1) +
                AG_SLOTS * AG_SLOT_BYTES <=
            info.sbuf_size)
        c->op_slots = OP_SLOTS_MAX;
    c->sbuf_recv = AREA_BASE;
    c->sbuf_op = c->sbuf_recv + regions * RECV_SLOTS * c->slot_bytes;
    c->sbuf_zero = c->sbuf_op + c->op_slots * c->slot_bytes + AG_SLOTS * AG_SLOT_BYTES;
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

/* An end stamp (TIME_NS) on every queue the program used. */
static void stamp_ends(struct rt_comm* c) {
    for (unsigned i = 0; i < c->chips * c->lanes; i++) {
        struct rt_dev* d = &c->dev[i];
        const unsigned lane = i % c->lanes;
        for (unsigned q = 0; q < d->ndma; q++) {
            const uint64_t slot = c->stamps[d->chip] + ((uint64_t)lane * RT_MAX_DMA_QUEUES + q) * 8;
            *(volatile uint64_t*)(uintptr_t)slot = 0;
            if (d->dma[q].tail != tail0[i][q]) stamp(d, q, slot, 1);
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
        struct lane* L = &coll_lanes[i];
        memset(L, 0, sizeof *L);
        L->d = &c->dev[i];
        L->chip = i / c->lanes;
        L->idx = i % c->lanes;
        L->dir = (c->lanes >= 2 && L->idx % 2) ? -1 : 1;
        coll_lane_order(c, L);
        rt_begin(L->d);
        L->d->sem_count[SEM_GO] = L->idx == 0; /* the host's start signal (release) */
        *(volatile uint32_t*)(uintptr_t)rt_sram_addr(L->d, rt_sbuf_off(0, ONE_OFF)) = 1;
        for (unsigned q = 0; q < L->d->ndma; q++)
            tail0[i][q] = L->d->dma[q].tail;
    }
    /* Lanes sharing one port in one direction: half take the other dimension first (two or
     * more dimensions, four or more lanes), half go the other way round (rings of three or
     * more). */
    const struct lane* L0 = &coll_lanes[0];
    const unsigned groups = L0->nact >= 2 && c->lanes >= 4 ? 2 : 1;
    const unsigned dirs = L0->nact && c->dims[L0->order[0]] >= 3 && c->lanes >= 2 ? 2 : 1;
    unsigned per_port = c->lanes / groups / dirs;
    if (per_port == 0) per_port = 1;
    const unsigned want = (LINK_ENGINES + per_port - 1) / per_port + 1;
    const unsigned nag = c->nsend + c->nload < MAX_SEND ? c->nsend + c->nload : MAX_SEND;
    j->ns_rs = want < c->nsend ? want : c->nsend;
    j->ns_ag = want < nag ? want : nag;
    const int direct = coll_direct_fits(j);
    c->stats.direct = direct;
    j->op_slots = c->op_slots;
    const unsigned gather_slots = direct ? 0 : coll_gather_fits_sbuf(j);
    j->gather_sbuf = gather_slots != 0;
    j->op_slots -= gather_slots;
    c->stats.gather_sbuf = j->gather_sbuf;
    /* Slots that need no input are zeroed before GO (release waits for it), from now on while
     * the host writes the rest: the direct exchange's, a ring's first step's. */
    for (unsigned i = 0; i < c->chips * c->lanes; i++) {
        struct lane* L = &coll_lanes[i];
        if (direct)
            coll_direct_zero(j, L);
        else
            coll_ring_zero(j, L);
        if (L->zeroed.value) {
            rt_publish_dma(L->d);
            c->stats.zeroed = 1;
        }
    }
    for (unsigned i = 0; i < c->chips * c->lanes; i++)
        wait_go(coll_lanes[i].d);
    for (unsigned chip = 0; chip < c->chips; chip++) {
        struct lane* L = &coll_lanes[chip * c->lanes];
        for (unsigned k = 1; k < c->lanes; k++)
            coll_signal_remote(L, k % L->d->ndma, L + k, SEM_GO, NULL, 0);
        stamp(L->d, Q_CTL, c->stamps[chip] + start_stamp(c), 0); /* the start, as GO lands */
    }
    for (unsigned idx = 0; idx < c->lanes; idx++) {
        if (direct)
            coll_build_direct(j, idx);
        else
            coll_build_lane(j, idx);
    }
    stamp_ends(c);
    c->stats.phases = coll_lanes[0].nact * (op == RT_ALL_REDUCE ? 2 : 1);
    for (unsigned i = 0; i < c->chips * c->lanes; i++)
        c->stats.entries += c->dev[i].stats.dma_descs + c->dev[i].stats.ve_insns;

    kick_all(c);
    uint64_t t0 = chip_time_ns(0);
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
    c->stats.skew_ns = first ? last - first : 0;
    if (first) t0 = first;
    uint64_t t1 = t0;
    for (unsigned chip = 0; chip < c->chips; chip++)
        for (unsigned w = 0; w < c->lanes * RT_MAX_DMA_QUEUES; w++) {
            const uint64_t t = *(volatile uint64_t*)(uintptr_t)(c->stamps[chip] + w * 8ull);
            if (t > t1) t1 = t;
        }
    c->stats.ns = t1 - t0;
    if (op == RT_REDUCE_SCATTER)
        for (unsigned chip = 0; chip < c->chips; chip++)
            rt_mem_free(&c->dev[chip * c->lanes].hbm, j->work[chip]);
    return rc;
}
