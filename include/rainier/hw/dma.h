/* DMA engine: registers and descriptor format. Each engine serves RAINIER_CHIP_CTRL_DMA_QUEUES
 * descriptor rings round-robin, switching at descriptor boundaries. A ring is an array of
 * `size` descriptors in memory at `base` (any global address: host DRAM or HBM); HEAD and
 * TAIL are free-running 32-bit indices (entry = index % size). Software writes descriptors,
 * advances TAIL, then writes DOORBELL. Block base: rainier/hw/chip.h. */
#ifndef RAINIER_HW_DMA_H
#define RAINIER_HW_DMA_H

#include "rainier/hw/common.h"

/* Engine registers (32-bit unless noted). */
#define RAINIER_DMA_ID 0x00         /* ro: global engine index on the chip */
#define RAINIER_DMA_NUM_QUEUES 0x04 /* ro */
#define RAINIER_DMA_STATUS 0x08     /* ro: RAINIER_DMA_STATUS_BUSY while a descriptor runs */
#define RAINIER_DMA_IRQ_STATUS                                                                     \
    0x10                            /* rw1c: bit q = queue q completed an IRQ descriptor,          \
                                       bit 16 + q = queue q reported an error */
#define RAINIER_DMA_IRQ_ENABLE 0x14 /* rw: same bits; the engine's line = STATUS & ENABLE */
#define RAINIER_DMA_STATUS_BUSY RAINIER_BIT(0)
#define RAINIER_DMA_IRQ_DONE(q) (RAINIER_U32(1) << (q))
#define RAINIER_DMA_IRQ_ERROR(q) (RAINIER_U32(1) << (16 + (q)))
#define RAINIER_DMA_MAX_QUEUES 16

/* Queue q's registers at RAINIER_DMA_QUEUE(q) + offset. */
#define RAINIER_DMA_QUEUE(q) (0x100 + (q)*0x40)
#define RAINIER_DMA_Q_BASE 0x00        /* rw, 64-bit: ring address, 64-byte aligned */
#define RAINIER_DMA_Q_SIZE 0x08        /* rw: ring entries (>= 1) */
#define RAINIER_DMA_Q_CTRL 0x0c        /* rw: RAINIER_DMA_Q_CTRL_ENABLE */
#define RAINIER_DMA_Q_HEAD 0x10        /* ro: index of the next descriptor the engine takes */
#define RAINIER_DMA_Q_TAIL 0x14        /* rw: index one past the last written descriptor */
#define RAINIER_DMA_Q_DOORBELL 0x18    /* wo: any value; the engine accepts TAIL */
#define RAINIER_DMA_Q_COMPLETED 0x1c   /* ro: descriptors completed (with or without error) */
#define RAINIER_DMA_Q_ERROR 0x20       /* rw: last error code (RAINIER_DMA_ERR_*); write 0 clears */
#define RAINIER_DMA_Q_ERROR_INDEX 0x24 /* ro: ring index of the descriptor that failed */
#define RAINIER_DMA_Q_ERROR_COUNT 0x28 /* ro: errors so far */
#define RAINIER_DMA_Q_LAST_TAG 0x2c    /* ro: tag of the last completed descriptor */
#define RAINIER_DMA_Q_CTRL_ENABLE RAINIER_BIT(0)

/* Error codes. A descriptor with an error completes (COMPLETED advances, HEAD moves past it)
 * and raises RAINIER_DMA_IRQ_ERROR(q); the engine goes on with the next descriptor. A ring
 * overrun (DOORBELL while TAIL - HEAD > SIZE) rejects the new TAIL (it reverts to the last
 * accepted value) and raises the same interrupt with ERROR_INDEX = the rejected TAIL. */
#define RAINIER_DMA_ERR_NONE 0
#define RAINIER_DMA_ERR_ADDRESS 1        /* source or destination unmapped or out of range */
#define RAINIER_DMA_ERR_ZERO_SIZE 2      /* some count is zero */
#define RAINIER_DMA_ERR_MISALIGNED 3     /* address or stride not a multiple of elem_size */
#define RAINIER_DMA_ERR_ELEM_SIZE 4      /* elem_size not 1, 2 or 4 */
#define RAINIER_DMA_ERR_COUNT_MISMATCH 5 /* source and destination element counts differ */
#define RAINIER_DMA_ERR_RING_OVERRUN 6
#define RAINIER_DMA_ERR_FETCH 7 /* the descriptor itself could not be read */
#define RAINIER_DMA_ERR_BUS 8   /* any other bus error (incl. the semaphore write) */
#define RAINIER_DMA_ERR_FLAGS 9 /* unknown flag bits or semaphore index out of range */
#define RAINIER_DMA_ERR_ADD                                                                        \
    10 /* RAINIER_DMA_FLAG_ADD: elem_size 1, or a destination that                                 \
          cannot add (not HBM, SBUF or PSUM; the PSUM alias) */

/* Descriptor flags. */
#define RAINIER_DMA_FLAG_IRQ RAINIER_BIT(0) /* raise RAINIER_DMA_IRQ_DONE(q) on completion */
#define RAINIER_DMA_FLAG_SEM RAINIER_BIT(1) /* add sem_inc to semaphore sem_id of the core */
/* Start the descriptor only once semaphore wait_sem of the core is >= wait_value (unsigned);
 * meanwhile the engine serves its other queues. */
#define RAINIER_DMA_FLAG_WAIT RAINIER_BIT(2)
/* Writes add: each destination element becomes destination + source, computed where the
 * destination is (HBM, SBUF or PSUM, on this chip or another: a read-modify-write there).
 * elem_size 4: FP32, 2: BF16 (the vector engine's addition, RNE; docs/numerics.md). */
#define RAINIER_DMA_FLAG_ADD RAINIER_BIT(3)
#define RAINIER_DMA_FLAGS_ALL                                                                      \
    (RAINIER_DMA_FLAG_IRQ | RAINIER_DMA_FLAG_SEM | RAINIER_DMA_FLAG_WAIT | RAINIER_DMA_FLAG_ADD)

/* A 3-D access pattern per side: element (i0, i1, i2) is at
 * addr + i0 * stride[0] + i1 * stride[1] + i2 * stride[2], i0 innermost. Strides are bytes
 * (signed); SBUF/PSUM partitions are walked with stride RAINIER_SBUF_PARTITION_STRIDE (or
 * the PSUM one). Both sides must hold the same number of elements; bytes flow in order. */
#define RAINIER_DMA_DESC_SIZE 64
#define RAINIER_DMA_DIMS 3

#ifndef __ASSEMBLER__
struct rainier_dma_desc {
    uint64_t src;                         /* 0x00 global address of element (0,0,0) */
    uint64_t dst;                         /* 0x08 */
    int32_t src_stride[RAINIER_DMA_DIMS]; /* 0x10 */
    int32_t dst_stride[RAINIER_DMA_DIMS]; /* 0x1c */
    uint16_t src_count[RAINIER_DMA_DIMS]; /* 0x28 */
    uint16_t dst_count[RAINIER_DMA_DIMS]; /* 0x2e */
    uint8_t elem_size;                    /* 0x34 1, 2 or 4 bytes */
    uint8_t flags;                        /* 0x35 RAINIER_DMA_FLAG_* */
    uint8_t sem_id;                       /* 0x36 < RAINIER_SEM_COUNT */
    uint8_t wait_sem;                     /* 0x37 < RAINIER_SEM_COUNT, with RAINIER_DMA_FLAG_WAIT */
    uint16_t sem_inc;                     /* 0x38 */
    uint16_t tag;                         /* 0x3a copied to Q_LAST_TAG on completion */
    uint32_t wait_value;                  /* 0x3c */
};

#ifdef __cplusplus
static_assert(sizeof(struct rainier_dma_desc) == RAINIER_DMA_DESC_SIZE, "descriptor size");
#else
_Static_assert(sizeof(struct rainier_dma_desc) == RAINIER_DMA_DESC_SIZE, "descriptor size");
#endif
#endif

#endif
