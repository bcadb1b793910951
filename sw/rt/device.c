/* Device bring-up, program builder and launch (see rt/rt.h). */
#include <stdio.h>
#include <string.h>

#include "board/clint.h"
#include "board/riscv.h"
#include "board/sem.h"
#include "rainier/hw/clint.h"
#include "rt/rt.h"

/* Rings in host DRAM (.bss): the engines fetch from any global address. */
static struct rainier_nc_insn te_ring[RT_TE_RING] __attribute__((aligned(64)));
static struct rainier_nc_insn ve_ring[RT_VE_RING] __attribute__((aligned(64)));
static struct rainier_dma_desc dma_ring[RT_DMA_QUEUES][RT_DMA_RING] __attribute__((aligned(64)));

/* Queue index in d->waited: TE, VE, then the DMA queues. */
#define QI_TE 0
#define QI_VE 1
#define QI_DMA(q) (2 + (q))

/* Simulated time limit of one rt_run (a hung program ends as an error, not a hang). */
#define RT_RUN_TIMEOUT_TICKS (2ull * RAINIER_CLINT_TIMEBASE_HZ)
/* Poll period of rt_run: 1 us. */
#define RT_POLL_TICKS (RAINIER_CLINT_TIMEBASE_HZ / 1000000)

int rt_open(struct rt_dev* d, unsigned chip, unsigned core, uint64_t hbm_reserved) {
    const struct rt_open_opts o = {hbm_reserved, RT_DMA_QUEUES, 0, 0, 0, 0, 1};
    return rt_open_ex(d, chip, core, &o);
}

/* Rings of a power of two entries allocated back to back start a multiple of the HBM's
 * interleave stripe apart, so every queue's descriptor fetches hit the same pseudo-channel
 * (different rows) while the queues are at the same position, which they are at the start
 * and drift apart from one program to the next: the 4x4 torus all-reduce of 1 MiB took from
 * 8.1 us in the first programs of a run down to 5.3 us. A pad of 17 entries (1088 bytes, just
 * over a 1 KiB interleave granule) starts each ring in another granule. */
#define RING_PAD_ENTRIES 17
static void* ring_alloc(struct rt_mem* m, uint32_t entries, void* fallback) {
    if (!m) return fallback;
    return (void*)(uintptr_t)rt_mem_alloc(m, (uint64_t)(entries + RING_PAD_ENTRIES) * 64, 64);
}

int rt_open_ex(struct rt_dev* d, unsigned chip, unsigned core, const struct rt_open_opts* o) {
    memset(d, 0, sizeof *d);
    d->chip = chip;
    d->core = core;
    if (o->ndma == 0 || o->ndma > RT_MAX_DMA_QUEUES) return RT_ERR_ARG;
    if (o->init_chip) {
        if (chip_init(chip, &d->info, 10000000) != 0) return RT_ERR_DEVICE;
    } else {
        chip_read_info(chip, &d->info);
    }
    if (core >= d->info.cores || d->info.te_rows == 0 || d->info.te_cols == 0 ||
        d->info.te_rows > d->info.partitions || d->info.te_cols > d->info.partitions)
        return RT_ERR_DEVICE;
    d->aperture = RAINIER_CHIP_APERTURE(chip);
    d->sram = RAINIER_CHIP_SRAM_BASE(chip, core);
    rt_mem_init(&d->hbm, d->aperture + o->hbm_reserved, d->info.hbm_size - o->hbm_reserved);
    /* Rings: the static ones (one device), or per device from the given allocator. */
    const uint32_t te_n = o->rings ? o->te_entries : RT_TE_RING;
    const uint32_t ve_n = o->rings ? o->ve_entries : RT_VE_RING;
    const uint32_t dma_n = o->rings ? o->dma_entries : RT_DMA_RING;
    if (!o->rings && o->ndma > RT_DMA_QUEUES) return RT_ERR_ARG;
    struct rainier_nc_insn* te = ring_alloc(o->rings, te_n, te_ring);
    struct rainier_nc_insn* ve = ring_alloc(o->rings, ve_n, ve_ring);
    if (!te || !ve || te_n == 0 || ve_n == 0 || dma_n == 0) return RT_ERR_ARG;
    nc_queue_init(&d->te, chip, core, RAINIER_NC_ENGINE_TENSOR, te, te_n);
    nc_queue_init(&d->ve, chip, core, RAINIER_NC_ENGINE_VECTOR, ve, ve_n);
    /* One queue per engine while there are engines, then further queues of the same ones. */
    const unsigned engines = d->info.dma_engines;
    if (o->ndma > engines * d->info.dma_queues) return RT_ERR_ARG;
    d->ndma = o->ndma;
    for (unsigned q = 0; q < o->ndma; q++) {
        struct rainier_dma_desc* ring = ring_alloc(o->rings, dma_n, dma_ring[q % RT_DMA_QUEUES]);
        if (!ring) return RT_ERR_ARG;
        dma_queue_init(&d->dma[q], chip, core * engines + q % engines, q / engines, ring, dma_n);
    }
    rt_begin(d);
    return RT_OK;
}

void rt_begin(struct rt_dev* d) {
    nc_queue_reset(&d->te);
    nc_queue_reset(&d->ve);
    sem_clear_all(d->chip, d->core);
    memset(d->sem_count, 0, sizeof d->sem_count);
    memset(d->waited, 0, sizeof d->waited);
    memset(&d->stats, 0, sizeof d->stats);
    d->scratch = 0;
    d->sbuf_top = 64;
    d->started = 0;
}

int64_t rt_sbuf_alloc(struct rt_dev* d, uint32_t bytes) {
    const uint32_t at = d->sbuf_top;
    const uint32_t end = at + ((bytes + 63u) & ~63u);
    if (end > d->info.sbuf_size || end < at) return -1;
    d->sbuf_top = end;
    return at;
}

struct rainier_nc_tile rt_tile(uint32_t addr, uint16_t partitions, uint16_t elems) {
    struct rainier_nc_tile t = {addr, partitions, elems};
    return t;
}

void rt_desc_2d(struct rainier_dma_desc* desc, unsigned es, uint16_t rows, uint16_t cols,
                uint64_t src, int32_t src_row_stride, uint64_t dst, int32_t dst_row_stride) {
    memset(desc, 0, sizeof *desc);
    desc->elem_size = (uint8_t)es;
    desc->src = src;
    desc->dst = dst;
    desc->src_count[0] = desc->dst_count[0] = cols;
    desc->src_count[1] = desc->dst_count[1] = rows;
    desc->src_count[2] = desc->dst_count[2] = 1;
    desc->src_stride[0] = desc->dst_stride[0] = (int32_t)es;
    desc->src_stride[1] = src_row_stride;
    desc->dst_stride[1] = dst_row_stride;
}

void rt_kick(struct rt_dev* d) {
    if (!d->started) {
        d->started = 1;
        d->t0 = clint_mtime();
        d->te_busy0 = nc_busy_cycles(&d->te);
        d->ve_busy0 = nc_busy_cycles(&d->ve);
    }
    nc_doorbell(&d->te);
    nc_doorbell(&d->ve);
    rt_publish_dma(d);
}

void rt_publish_dma(struct rt_dev* d) {
    for (unsigned q = 0; q < d->ndma; q++)
        dma_doorbell(&d->dma[q]);
}

/* A ring is full: start the engines early so that they make room (all devices of a program
 * that spans several, since this one may wait for them). */
static void ring_full(struct rt_dev* d) {
    if (d->on_full)
        d->on_full(d->on_full_ctx);
    else
        rt_kick(d);
}

static unsigned own_sem(unsigned qi) {
    return qi == QI_TE ? RT_SEM_TE : qi == QI_VE ? RT_SEM_VE : RT_SEM_DMA(qi - 2);
}

/* The waits queue `qi` still needs, at most one per semaphore (the highest). */
static unsigned needed_waits(struct rt_dev* d, unsigned qi, const struct rt_ticket* waits,
                             unsigned n, struct rt_ticket* out) {
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct rt_ticket w = waits[i];
        if (w.value == 0 || w.sem == own_sem(qi) || d->waited[qi][w.sem] >= w.value) continue;
        unsigned j = 0;
        while (j < k && out[j].sem != w.sem)
            j++;
        if (j == k)
            out[k++] = w;
        else if (out[j].value < w.value)
            out[j].value = w.value;
    }
    return k;
}

static void push_nc(struct rt_dev* d, struct nc_queue* q, const struct rainier_nc_insn* insn) {
    while (nc_push(q, insn) != 0)
        ring_full(d);
    if (d->started) nc_doorbell(q); /* running: publish at once, the engine may be waiting */
}

static void push_dma(struct rt_dev* d, struct dma_queue* q, const struct rainier_dma_desc* desc) {
    while (dma_push(q, desc) != 0)
        ring_full(d);
    if (d->started) dma_doorbell(q);
}

struct rt_ticket rt_nc(struct rt_dev* d, unsigned engine, const struct rainier_nc_insn* insn,
                       const struct rt_ticket* waits, unsigned nwaits, int signal) {
    const unsigned qi = engine == RAINIER_NC_ENGINE_TENSOR ? QI_TE : QI_VE;
    struct nc_queue* q = qi == QI_TE ? &d->te : &d->ve;
    struct rt_ticket need[RT_SEMS];
    const unsigned k = needed_waits(d, qi, waits, nwaits, need);
    /* Every wait but the last goes on a dummy in front: a 1x1 load of the weights (only ever
     * placed before a real LOAD_STATIONARY) or a 1-element vector copy. */
    for (unsigned i = 0; i + 1 < k; i++) {
        struct rainier_nc_insn w;
        memset(&w, 0, sizeof w);
        w.flags = RAINIER_NC_FLAG_WAIT;
        w.wait_sem = need[i].sem;
        w.wait_value = need[i].value;
        if (qi == QI_TE) {
            w.opcode = RAINIER_OP_LOAD_STATIONARY;
            w.src_dtype = RAINIER_DT_BF16;
            w.src0 = rt_tile(rt_sbuf_off(0, d->scratch), 1, 1);
        } else {
            w.opcode = RAINIER_OP_COPY;
            w.src_dtype = w.dst_dtype = RAINIER_DT_FP32;
            w.src0 = rt_tile(rt_sbuf_off(0, d->scratch), 1, 1);
            w.dst = rt_tile(rt_sbuf_off(0, d->scratch + 16), 1, 1);
        }
        push_nc(d, q, &w);
        d->waited[qi][need[i].sem] = need[i].value;
    }
    struct rainier_nc_insn x = *insn;
    x.flags &= (uint8_t) ~(RAINIER_NC_FLAG_WAIT | RAINIER_NC_FLAG_SEM);
    if (k) {
        x.flags |= RAINIER_NC_FLAG_WAIT;
        x.wait_sem = need[k - 1].sem;
        x.wait_value = need[k - 1].value;
        d->waited[qi][need[k - 1].sem] = need[k - 1].value;
    }
    struct rt_ticket t = {0, 0};
    if (signal) {
        x.flags |= RAINIER_NC_FLAG_SEM;
        x.sem_id = (uint8_t)own_sem(qi);
        x.sem_inc = 1;
        t.sem = x.sem_id;
        t.value = ++d->sem_count[t.sem];
    }
    push_nc(d, q, &x);
    if (qi == QI_TE)
        d->stats.te_insns++;
    else
        d->stats.ve_insns++;
    return t;
}

/* A 4-byte copy within the device's SBUF scratch: a DMA entry that only waits or signals. */
static void scratch_copy(struct rt_dev* d, struct rainier_dma_desc* w) {
    rt_desc_2d(w, 4, 1, 1, rt_sram_addr(d, rt_sbuf_off(0, d->scratch)), 4,
               rt_sram_addr(d, rt_sbuf_off(0, d->scratch + 32)), 4);
}

/* Pushes descriptor x (its wait set) on DMA queue q, signalling as rt_dma's `signal` says. */
static struct rt_ticket push_signalled(struct rt_dev* d, unsigned q, struct rainier_dma_desc* x,
                                       int signal) {
    struct rt_ticket t = {0, 0};
    if (signal) {
        x->flags |= RAINIER_DMA_FLAG_SEM;
        x->sem_id = (uint8_t)(signal & 0x100 ? signal & 0xff : RT_SEM_DMA(q));
        x->sem_inc = 1;
        t.sem = x->sem_id;
        t.value = ++d->sem_count[t.sem];
    }
    push_dma(d, &d->dma[q], x);
    d->stats.dma_descs++;
    uint64_t n = (uint64_t)x->src_count[0] * x->src_count[1] * x->src_count[2];
    d->stats.dma_bytes += n * x->elem_size;
    return t;
}

struct rt_ticket rt_dma(struct rt_dev* d, unsigned q, const struct rainier_dma_desc* desc,
                        const struct rt_ticket* waits, unsigned nwaits, int signal) {
    const unsigned qi = QI_DMA(q);
    struct rt_ticket need[RT_SEMS];
    const unsigned k = needed_waits(d, qi, waits, nwaits, need);
    for (unsigned i = 0; i + 1 < k; i++) { /* a 4-byte SBUF copy per extra wait */
        struct rainier_dma_desc w;
        scratch_copy(d, &w);
        w.flags = RAINIER_DMA_FLAG_WAIT;
        w.wait_sem = need[i].sem;
        w.wait_value = need[i].value;
        push_dma(d, &d->dma[q], &w);
        d->waited[qi][need[i].sem] = need[i].value;
    }
    struct rainier_dma_desc x = *desc;
    x.flags &= (uint8_t) ~(RAINIER_DMA_FLAG_WAIT | RAINIER_DMA_FLAG_SEM);
    if (k) {
        x.flags |= RAINIER_DMA_FLAG_WAIT;
        x.wait_sem = need[k - 1].sem;
        x.wait_value = need[k - 1].value;
        d->waited[qi][need[k - 1].sem] = need[k - 1].value;
    }
    return push_signalled(d, q, &x, signal);
}

struct rt_ticket rt_dma_fenced(struct rt_dev* d, unsigned q, const struct rainier_dma_desc* desc,
                               int signal) {
    struct rainier_dma_desc f;
    scratch_copy(d, &f);
    const struct rt_ticket done = rt_dma(d, q, &f, NULL, 0, 1);
    /* Its own queue's ticket: rt_dma drops such waits (queue order covers them but for this). */
    struct rainier_dma_desc x = *desc;
    x.flags = (uint8_t)((x.flags & ~RAINIER_DMA_FLAG_SEM) | RAINIER_DMA_FLAG_WAIT);
    x.wait_sem = done.sem;
    x.wait_value = done.value;
    return push_signalled(d, q, &x, signal);
}

static const char* nc_err_name(uint32_t e) {
    static const char* const names[] = {"none",      "opcode",    "dtype",       "shape",
                                        "address",   "psum_bank", "misaligned",  "field",
                                        "semaphore", "fetch",     "ring_overrun"};
    return e < sizeof names / sizeof names[0] ? names[e] : "?";
}

int rt_report_errors(struct rt_dev* d) {
    int n = 0;
    const struct nc_queue* qs[2] = {&d->te, &d->ve};
    for (unsigned i = 0; i < 2; i++) {
        uint32_t index;
        const uint32_t e = nc_error(qs[i], &index);
        if (e) {
            printf("error: %s queue halted: error %u (%s) at ring index %u\n", i ? "VE" : "TE",
                   (unsigned)e, nc_err_name(e), (unsigned)index);
            n++;
        }
    }
    for (unsigned q = 0; q < d->ndma; q++) {
        const uint32_t e = dma_read(&d->dma[q], RAINIER_DMA_Q_ERROR);
        if (e) {
            printf("error: DMA queue %u: error %u at ring index %u\n", q, (unsigned)e,
                   (unsigned)dma_read(&d->dma[q], RAINIER_DMA_Q_ERROR_INDEX));
            n++;
        }
    }
    return n;
}

/* Waits until sem >= value: RT_OK, or RT_ERR_DEVICE on a queue error or the time limit.
 * Between polls the hart sleeps in WFI until a timer 1 us ahead (mie.MTIP only, mstatus.MIE
 * untouched, so no trap is taken): sleeping synchronises the CPU with the devices, so the end
 * time is seen within 1 us instead of within the CPU's time quantum, and the simulation does
 * not spend host time on a spinning loop. */
int rt_wait(struct rt_dev* d, unsigned sem, uint32_t value) {
    int rc = RT_OK;
    const uint64_t mie = csr_read(mie);
    csr_write(mie, MIP_MTIP);
    while (sem_read(d->chip, d->core, sem) < value) {
        if (rt_report_errors(d)) {
            rc = RT_ERR_DEVICE;
            break;
        }
        const uint64_t now = clint_mtime();
        if (now - d->t0 > RT_RUN_TIMEOUT_TICKS) {
            printf("error: timeout waiting for semaphore %u >= %u (it is %u)\n", sem,
                   (unsigned)value, (unsigned)sem_read(d->chip, d->core, sem));
            rc = RT_ERR_DEVICE;
            break;
        }
        clint_set_timer(now + RT_POLL_TICKS);
        wfi();
    }
    clint_stop_timer();
    csr_write(mie, mie);
    return rc;
}

void rt_sync(void) {
    const uint64_t mie = csr_read(mie);
    csr_write(mie, MIP_MTIP);
    /* A timer that fired before (rt_wait's) may still show in mip: the line follows the
     * timer's registers only once the CPU has synchronised. Until it does, WFI would not
     * sleep; and waiting for the line to drop is itself such a synchronisation. */
    clint_stop_timer();
    while (csr_read(mip) & MIP_MTIP)
        ;
    /* Three ticks ahead: one could already have passed when the write lands (mtime steps by
     * 100 ns, the read and the write each take tens), and then WFI would not sleep either. */
    clint_set_timer(clint_mtime() + 3);
    wfi();
    clint_stop_timer();
    csr_write(mie, mie);
}

int rt_run(struct rt_dev* d, const struct rt_ticket* done, unsigned ndone) {
    rt_kick(d);
    int rc = RT_OK;
    for (unsigned i = 0; i < ndone && rc == RT_OK; i++)
        if (done[i].value) rc = rt_wait(d, done[i].sem, done[i].value);
    /* Then everything the program signals, on every queue. */
    for (unsigned sem = 0; sem < RT_SEMS && rc == RT_OK; sem++)
        if (d->sem_count[sem]) rc = rt_wait(d, sem, d->sem_count[sem]);
    __asm__ volatile("fence i, r" ::: "memory"); /* results after the signals */
    const uint64_t t1 = clint_mtime();
    struct rt_stats* s = &d->stats;
    s->ticks = t1 - d->t0;
    s->ns = s->ticks * (1000000000ull / RAINIER_CLINT_TIMEBASE_HZ);
    s->te_busy = nc_busy_cycles(&d->te) - d->te_busy0;
    s->ve_busy = nc_busy_cycles(&d->ve) - d->ve_busy0;
    s->te_cycles = s->ticks * d->info.te_khz * 1000ull / RAINIER_CLINT_TIMEBASE_HZ;
    if (rc == RT_OK && rt_report_errors(d)) rc = RT_ERR_DEVICE;
    return rc;
}
