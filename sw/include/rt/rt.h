/* Runtime for one NeuronCore: device bring-up, SBUF allocation, and a program builder that
 * writes engine instructions and DMA descriptors straight into the queue rings, with the
 * semaphore waits between them worked out here.
 *
 * Synchronisation model: every queue owns one semaphore (RT_SEM_*) that its signalling
 * instructions/descriptors increment by one. A `ticket` names such an increment: "done when
 * sem[sem] >= value". Queues complete in order, so a ticket also covers everything its queue
 * did before. The builder drops waits a queue has already done (or on its own semaphore) and
 * turns a second wait into a tiny dummy instruction in front (an instruction has one wait).
 * A program starts with rt_begin() (semaphores to 0) and runs with rt_run(): the host rings
 * every doorbell once and then only waits for the final tickets. */
#ifndef RT_RT_H
#define RT_RT_H

#include <stdint.h>

#include "board/chip.h"
#include "board/dma.h"
#include "board/nc.h"
#include "rainier/hw/memory_map.h"
#include "rt/mem.h"

#define RT_DMA_QUEUES 4      /* opened by rt_open, each on its own engine when there are enough */
#define RT_MAX_DMA_QUEUES 16 /* rt_open_ex */
#define RT_SEM_TE 0
#define RT_SEM_VE 1
#define RT_SEM_DMA(i) (2 + (i))
#define RT_SEM_FREE (2 + RT_MAX_DMA_QUEUES) /* first semaphore the builder never signals itself */
#define RT_SEMS RAINIER_SEM_COUNT

/* Ring entries: a whole 4096 x 4096 x 4096 GEMM on a 128 x 128 array (16 k TE instructions)
 * fits, so the host writes the program before the engines start (it is slower at writing
 * instructions than the TE at running them). Larger programs start early (see rt_nc). */
#define RT_TE_RING 32768
#define RT_VE_RING 4096
#define RT_DMA_RING 2048

/* Return codes. */
#define RT_OK 0
#define RT_ERR_SHAPE (-1)  /* the kernel cannot tile this shape on this core */
#define RT_ERR_SBUF (-2)   /* the tiles do not fit in SBUF */
#define RT_ERR_DEVICE (-3) /* a queue halted (see rt_report_errors) or a wait timed out */
#define RT_ERR_ARG (-4)

struct rt_ticket {
    uint8_t sem;
    uint32_t value; /* 0: nothing to wait for */
};

struct rt_stats {
    uint64_t ticks;     /* CLINT mtime ticks from the doorbells to the last ticket */
    uint64_t ns;        /* the same in ns */
    uint64_t te_busy;   /* tensor-engine busy cycles in that time (RAINIER_NC_Q_BUSY_CYCLES) */
    uint64_t te_cycles; /* tensor-engine clock cycles in that time */
    uint64_t ve_busy;   /* vector-engine busy cycles */
    uint64_t dma_bytes; /* bytes the program's descriptors move */
    uint32_t te_insns, ve_insns, dma_descs;
};

struct rt_dev {
    unsigned chip, core;
    struct chip_info info;
    uint64_t aperture; /* global base of the chip's memory (HBM at offset 0) */
    uint64_t sram;     /* global base of the core's SRAM window */
    struct rt_mem hbm;
    struct nc_queue te, ve;
    unsigned ndma; /* DMA queues opened */
    struct dma_queue dma[RT_MAX_DMA_QUEUES];
    /* Called instead of starting this device alone when one of its rings is full (programs
     * spanning devices: their peers must start too); null: start this device. */
    void (*on_full)(void* ctx);
    void* on_full_ctx;
    /* Program state. */
    uint32_t sem_count[RT_SEMS]; /* increments emitted so far per semaphore (also remote ones) */
    uint32_t waited[2 + RT_MAX_DMA_QUEUES][RT_SEMS]; /* per queue: highest value waited for */
    uint32_t sbuf_top; /* bump pointer of the SBUF allocator (bytes per partition) */
    uint32_t scratch;  /* 64 SBUF bytes for dummy instructions */
    int started;       /* doorbells rung for this program already (ring was full) */
    uint64_t t0, te_busy0, ve_busy0;
    struct rt_stats stats;
};

/* chip_init(), queues and rings, HBM allocator over the whole HBM (minus `hbm_reserved` bytes
 * at its start, left to the caller). */
int rt_open(struct rt_dev* d, unsigned chip, unsigned core, uint64_t hbm_reserved);

/* rt_open for programs over several cores or chips: rings of the given sizes allocated from
 * `rings` (an HBM allocator; the rings then sit in device memory, one set per device) and
 * `ndma` DMA queues (at most RT_MAX_DMA_QUEUES). With `init_chip` the chip is brought up
 * (chip_init resets every queue of the chip: do it once per chip, before its other cores). */
struct rt_open_opts {
    uint64_t hbm_reserved;
    unsigned ndma;
    uint32_t te_entries, ve_entries, dma_entries;
    struct rt_mem* rings;
    int init_chip;
};
int rt_open_ex(struct rt_dev* d, unsigned chip, unsigned core, const struct rt_open_opts* o);
/* Starts the device: doorbells of every queue (what rt_run does first). */
void rt_kick(struct rt_dev* d);
/* Rings the DMA queues' doorbells for what is written so far, without starting the device:
 * later entries wait for rt_kick or rt_run (work that can run while the host writes on). */
void rt_publish_dma(struct rt_dev* d);
/* Waits until semaphore `sem` reaches `value` (1 us WFI polls, errors and the time limit
 * checked): RT_OK or RT_ERR_DEVICE. */
int rt_wait(struct rt_dev* d, unsigned sem, uint32_t value);
/* Sleeps until a timer a few ticks ahead. The CPU runs up to a time quantum ahead of the devices,
 * and a register write takes effect at the devices' time: writes issued right after this land
 * together, where a run of writes that crosses a quantum boundary lands up to a quantum apart. */
void rt_sync(void);

/* Global address of SBUF partition `p`, byte `b` (and the engine-side offset). */
static inline uint32_t rt_sbuf_off(unsigned p, uint32_t b) {
    return (uint32_t)(RAINIER_SBUF_OFFSET + p * RAINIER_SBUF_PARTITION_STRIDE + b);
}
static inline uint32_t rt_psum_off(unsigned p, uint32_t b) {
    return (uint32_t)(RAINIER_PSUM_OFFSET + p * RAINIER_PSUM_PARTITION_STRIDE + b);
}
static inline uint64_t rt_sram_addr(const struct rt_dev* d, uint32_t off) {
    return d->sram + off;
}

/* Starts a program: semaphores and engine queues reset, SBUF allocator emptied. */
void rt_begin(struct rt_dev* d);
/* SBUF bytes per partition (64-byte aligned, the same offset in every partition); -1 when
 * the SBUF is full. */
int64_t rt_sbuf_alloc(struct rt_dev* d, uint32_t bytes);

/* Emits one instruction on the TE (engine RAINIER_NC_ENGINE_TENSOR) or VE queue, or one
 * descriptor on DMA queue `q`, after the given waits. With `signal` it increments the
 * queue's semaphore and the returned ticket names that; otherwise the ticket is empty. A DMA
 * descriptor may instead increment any semaphore s (signal = RT_SIGNAL_SEM(s)): completions
 * on several queues then count on one, and one wait covers them all.
 * A full ring starts the program early (every doorbell rung); from then on each entry is
 * published as soon as it is written. */
#define RT_SIGNAL_SEM(s) (0x100 | (s))
struct rt_ticket rt_nc(struct rt_dev* d, unsigned engine, const struct rainier_nc_insn* insn,
                       const struct rt_ticket* waits, unsigned nwaits, int signal);
struct rt_ticket rt_dma(struct rt_dev* d, unsigned q, const struct rainier_dma_desc* desc,
                        const struct rt_ticket* waits, unsigned nwaits, int signal);
/* A descriptor on DMA queue q that starts only once every earlier entry of q has completed
 * (its writes landed). A queue starts its next descriptor as soon as the last one's requests
 * are out, so a descriptor that reads a clock to time the work before it (a copy of
 * RAINIER_CHIP_CTRL_TIME_NS) goes this way: a signalling 4-byte copy first, whose signal the
 * engine gives after all earlier ones (it retires in order), and the descriptor waits for it. */
struct rt_ticket rt_dma_fenced(struct rt_dev* d, unsigned q, const struct rainier_dma_desc* desc,
                               int signal);

/* Rings every doorbell and waits until all tickets are reached, then until every semaphore
 * has its final count (everything signalled is done); fills d->stats. RT_OK, or
 * RT_ERR_DEVICE (errors printed) on a halted queue, a DMA error or a timeout. */
int rt_run(struct rt_dev* d, const struct rt_ticket* done, unsigned ndone);
/* Prints every NeuronCore and DMA queue error; returns how many. */
int rt_report_errors(struct rt_dev* d);

/* DMA descriptor helpers: a 2-D block of `rows` x `cols` elements of `es` bytes. */
void rt_desc_2d(struct rainier_dma_desc* desc, unsigned es, uint16_t rows, uint16_t cols,
                uint64_t src, int32_t src_row_stride, uint64_t dst, int32_t dst_row_stride);
/* Instruction helpers. */
struct rainier_nc_tile rt_tile(uint32_t addr, uint16_t partitions, uint16_t elems);

#endif
