/* Collectives over every chip of the system: all-reduce, reduce-scatter and all-gather of FP32
 * or BF16 buffers in HBM, built from DMA (remote writes into a neighbour's SBUF or HBM), vector-
 * engine adds and cross-chip semaphores. No host CPU in the loop: the host writes every
 * device's program, starts them and waits.
 *
 * Algorithm (docs/collectives.md): rings along each topology dimension. A ring all-reduce is a
 * reduce-scatter (n-1 steps: receive a slice into SBUF, add the local slice on the VE, pass the
 * sum on) and an all-gather (n-1 steps: forward the reduced slices, HBM to HBM). On a torus or
 * the 64-chip system: reduce-scatter along x, then y (then z), all-reduce along the last
 * dimension, all-gather back. Each NeuronCore of a chip is a *lane* that runs its own rings
 * over its own part of the buffer; even lanes go one way round each ring and odd lanes the
 * other, and on two or more dimensions half of the lanes take the dimensions in the other
 * order, so every link direction carries data. Small all-reduces on dimensions of at most 4
 * chips take a direct exchange instead: each dimension in one step, every chip adding its
 * pieces straight into their owners' SBUF (comm.algo, RT_ALGO_*). */
#ifndef RT_COLLECTIVE_H
#define RT_COLLECTIVE_H

#include <stdint.h>

#include "rt/rt.h"

#define RT_COLL_MAX_DEVS (RAINIER_MAX_CHIPS * RAINIER_MAX_CORES_PER_CHIP)

/* Operations. `count` is elements per chip:
 * all-reduce:     src and dst hold count elements; dst = the sum over chips of src.
 * reduce-scatter: src holds chips * count; chip r's dst (count) = the sum over chips of block r.
 * all-gather:     src holds count; dst (chips * count) holds every chip's src, chip r's at r. */
#define RT_ALL_REDUCE 0
#define RT_REDUCE_SCATTER 1
#define RT_ALL_GATHER 2

struct rt_coll_stats {
    uint64_t ns;      /* from the start (GO) to the last queue's end (writes landed), all
                       * devices; slots that need zeroing are zeroed before GO */
    uint64_t entries; /* descriptors and instructions written, all devices */
    unsigned phases;  /* ring phases of one lane (or direct exchanges) */
    int direct;       /* the direct exchange (RT_ALGO_DIRECT), not rings */
    uint64_t held;    /* slices the first ring left in SBUF for the second, all devices */
    int gather_sbuf;  /* the last gather forwarded from SBUF (two dimensions), not HBM */
    int zeroed;       /* slots zeroed before GO: the direct exchange's, a ring's first step's */
    unsigned parts;   /* most parts a ring sent one slice in (store queues helping), or 0 */
    int early;        /* a ring filled up: started before the whole program was written */
    uint64_t skew_ns; /* from the first chip's start to the last's */
};

enum { RT_REDUCE_AUTO, RT_REDUCE_DMA, RT_REDUCE_VE };
/* RT_REDUCE_AUTO picks DMA adds up to this many bytes per lane and ring step. */
#define RT_REDUCE_DMA_MAX_STEP_BYTES (128u * 1024)

enum { RT_ALGO_AUTO, RT_ALGO_RING, RT_ALGO_DIRECT };
#define RT_DIRECT_MAX_BYTES (4u << 20)

struct rt_comm {
    unsigned chips, lanes, dims[3], ndims;
    unsigned partitions;
    unsigned nsend, nload, nstore;      /* DMA queues per lane in each role (plus one control) */
    uint32_t slot_bytes;                /* SBUF bytes per partition of one slice slot */
    uint32_t sbuf_recv, sbuf_op;        /* SBUF offsets of the slot areas */
    uint32_t sbuf_zero;                 /* a row of zeros (slot_bytes): slots are zeroed from it */
    uint32_t op_slots;                  /* operand slots per lane */
    struct rt_dev* dev;                 /* dev[chip * lanes + lane] */
    uint64_t stamps[RAINIER_MAX_CHIPS]; /* per chip: HBM words the queues' end times go to */
    struct rt_coll_stats stats;
    int released;
    /* How a ring step reduces (RT_REDUCE_*): by the sender's DMA, adding into the receiver's
     * operand slot (RAINIER_DMA_FLAG_ADD), or by the receiver's vector engine, adding a
     * receive slot into it. AUTO: DMA while a lane's share of a ring step is small (the
     * step's latency counts: no VE instruction, no receive slot), else the VE (the sender
     * need not wait for the receiver's operand); a ring's first step never waits for the
     * receiver (both DMA-add into slots zeroed before GO, or the VE adds, or the receiver
     * DMA-adds its operand into the arrived slice).
     * DMA: every step by the sender's DMA, the first too. */
    unsigned reduce_by;
    /* RT_ALGO_*: rings, or (all-reduce on one or two dimensions of at most 4 chips) a direct
     * exchange: each dimension in one step, every chip writing to every other along it. AUTO:
     * direct up to RT_DIRECT_MAX_BYTES per chip, where the rings' step latencies dominate. */
    unsigned algo;
};

/* Opens every chip of the system (chip_init) and `lanes` cores of each (0: all of them).
 * RT_OK, RT_ERR_DEVICE or RT_ERR_ARG. */
int rt_comm_open(struct rt_comm* c, unsigned lanes);
/* HBM of chip `chip`; 0 if there is no room. */
uint64_t rt_comm_alloc(struct rt_comm* c, unsigned chip, uint64_t bytes);
/* One collective (RT_ALL_REDUCE, ...) of `dtype` (RAINIER_DT_FP32 or RAINIER_DT_BF16) over
 * per-chip buffers src[chip], dst[chip] (global addresses). src == dst is allowed for the
 * all-reduce. RT_OK, or RT_ERR_ARG / RT_ERR_DEVICE (errors printed); c->stats filled. */
int rt_collective(struct rt_comm* c, unsigned op, unsigned dtype, const uint64_t* src,
                  const uint64_t* dst, uint64_t count);

#endif
