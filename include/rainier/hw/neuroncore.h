/* NeuronCore engines: the tensor engine (TE) and the vector engine (VE) each fetch fixed-size
 * 64-byte instructions from a ring in memory, in order. Register block of core c at
 * RAINIER_CHIP_NC_OFFSET(c) in the chip's register window (rainier/hw/chip.h).
 *
 * Ring protocol (the same as the DMA queues'): a ring is `size` instructions at `base` (a
 * global address, host DRAM or HBM, 64-byte aligned); HEAD and TAIL are free-running 32-bit
 * indices (entry = index % size). Software writes instructions, advances TAIL, then writes
 * DOORBELL. Every instruction may wait for sem[wait_sem] >= wait_value (unsigned) before it
 * starts, and add sem_inc to sem[sem_id] when it has completed (its results are in SBUF/PSUM).
 * An invalid instruction halts its queue: ERROR holds the code, ERROR_INDEX the ring index,
 * STATUS has HALTED, and the engine's error interrupt is raised; the other queues go on.
 * Writing 0 to ERROR resumes at HEAD (the failed instruction again, after software fixed
 * it); CTRL_RESET empties the queue. */
#ifndef RAINIER_HW_NEURONCORE_H
#define RAINIER_HW_NEURONCORE_H

#include "rainier/hw/common.h"

#define RAINIER_NC_ENGINES 2
#define RAINIER_NC_ENGINE_TENSOR 0
#define RAINIER_NC_ENGINE_VECTOR 1

/* Core registers (32-bit unless noted), offsets inside the core's block. */
#define RAINIER_NC_ID 0x00          /* ro: core index on the chip */
#define RAINIER_NC_NUM_ENGINES 0x04 /* ro: RAINIER_NC_ENGINES */
#define RAINIER_NC_IRQ_STATUS                                                                      \
    0x10 /* rw1c: RAINIER_NC_IRQ_DONE(e) an instruction with RAINIER_NC_FLAG_IRQ completed,        \
            RAINIER_NC_IRQ_ERROR(e) queue e halted on an error */
#define RAINIER_NC_IRQ_ENABLE 0x14 /* rw: same bits; the core's line = STATUS & ENABLE */
#define RAINIER_NC_IRQ_DONE(e) (RAINIER_U32(1) << (2 * (e)))
#define RAINIER_NC_IRQ_ERROR(e) (RAINIER_U32(1) << (2 * (e) + 1))

/* Queue of engine e at RAINIER_NC_QUEUE(e) + offset. */
#define RAINIER_NC_QUEUE(e) (0x100 + (e)*0x80)
#define RAINIER_NC_Q_BASE 0x00      /* rw, 64-bit: ring address, 64-byte aligned */
#define RAINIER_NC_Q_SIZE 0x08      /* rw: ring entries (>= 1) */
#define RAINIER_NC_Q_CTRL 0x0c      /* rw: RAINIER_NC_Q_CTRL_* */
#define RAINIER_NC_Q_HEAD 0x10      /* ro: index of the next instruction the engine takes */
#define RAINIER_NC_Q_TAIL 0x14      /* rw: index one past the last written instruction */
#define RAINIER_NC_Q_DOORBELL 0x18  /* wo: any value; the engine accepts TAIL */
#define RAINIER_NC_Q_COMPLETED 0x1c /* ro: instructions completed */
#define RAINIER_NC_Q_STATUS 0x20    /* ro: RAINIER_NC_Q_STATUS_* */
#define RAINIER_NC_Q_ERROR 0x24     /* rw: RAINIER_NC_ERR_* of the halting error; write 0 resumes */
#define RAINIER_NC_Q_ERROR_INDEX 0x28 /* ro: ring index of the instruction that failed */
#define RAINIER_NC_Q_LAST_TAG 0x2c    /* ro: tag of the last completed instruction */
#define RAINIER_NC_Q_BUSY_CYCLES 0x30 /* ro, 64-bit: engine clock cycles spent executing */
#define RAINIER_NC_Q_CTRL_ENABLE RAINIER_BIT(0)
#define RAINIER_NC_Q_CTRL_RESET RAINIER_BIT(1)    /* self-clearing: HEAD = TAIL = COMPLETED = 0 */
#define RAINIER_NC_Q_STATUS_BUSY RAINIER_BIT(0)   /* an instruction is executing */
#define RAINIER_NC_Q_STATUS_HALTED RAINIER_BIT(1) /* stopped on an error */
#define RAINIER_NC_Q_STATUS_WAITING                                                                \
    RAINIER_BIT(2) /* the instruction at HEAD waits on a semaphore */

/* Error codes. */
#define RAINIER_NC_ERR_NONE 0
#define RAINIER_NC_ERR_OPCODE 1     /* unknown opcode, or not an opcode of this engine */
#define RAINIER_NC_ERR_DTYPE 2      /* dtype not allowed for this operand */
#define RAINIER_NC_ERR_SHAPE 3      /* tile larger than the array, N > 512, sizes that disagree */
#define RAINIER_NC_ERR_ADDRESS 4    /* operand outside SBUF/PSUM, or in the wrong one */
#define RAINIER_NC_ERR_PSUM_BANK 5  /* a PSUM result crosses a bank or the bank is out of range */
#define RAINIER_NC_ERR_MISALIGNED 6 /* operand address not a multiple of its element size */
#define RAINIER_NC_ERR_FIELD 7      /* unknown flag, function or rounding; nonzero reserved field */
#define RAINIER_NC_ERR_SEMAPHORE 8  /* wait_sem or sem_id >= RAINIER_SEM_COUNT */
#define RAINIER_NC_ERR_FETCH 9      /* the instruction itself could not be read */
#define RAINIER_NC_ERR_RING_OVERRUN 10 /* DOORBELL with TAIL - HEAD > SIZE; TAIL reverts */

/* Element types. The first three are the tensor engine's input types (the RTL encoding). */
#define RAINIER_DT_BF16 0
#define RAINIER_DT_FP8_E4M3 1
#define RAINIER_DT_FP8_E5M2 2
#define RAINIER_DT_FP32 3
#define RAINIER_DT_SIZE(dt) ((dt) == RAINIER_DT_FP32 ? 4u : (dt) == RAINIER_DT_BF16 ? 2u : 1u)

/* Opcodes. Tensor engine: */
#define RAINIER_OP_LOAD_STATIONARY                                                                 \
    0x01 /* src0 (K partitions x M elements) -> the array's weights */
#define RAINIER_OP_MULTIPLY_MOVING                                                                 \
    0x02 /* src0 (K x N) times the weights -> dst (PSUM, M x N FP32) */
/* Vector engine (FP32 inside; each partition's elements are processed in order): */
#define RAINIER_OP_ACTIVATE 0x10      /* dst = func(src0 * scale + bias) */
#define RAINIER_OP_TENSOR_TENSOR 0x11 /* dst = src0 <alu> src1 */
#define RAINIER_OP_TENSOR_SCALAR 0x12 /* dst = src0 <alu> scalar */
#define RAINIER_OP_REDUCE 0x13 /* dst (P x 1) = <alu> over the elements of src0 (add or max) */
#define RAINIER_OP_COPY 0x14   /* dst = src0, converted to dst's dtype */

/* Flags. */
#define RAINIER_NC_FLAG_IRQ RAINIER_BIT(0)  /* raise RAINIER_NC_IRQ_DONE(e) on completion */
#define RAINIER_NC_FLAG_SEM RAINIER_BIT(1)  /* add sem_inc to sem[sem_id] on completion */
#define RAINIER_NC_FLAG_WAIT RAINIER_BIT(2) /* start once sem[wait_sem] >= wait_value */
#define RAINIER_NC_FLAG_ACC RAINIER_BIT(3)  /* MULTIPLY_MOVING: add to PSUM instead of writing */
#define RAINIER_NC_FLAG_BIAS_VEC                                                                   \
    RAINIER_BIT(4) /* ACTIVATE: bias is src1[p][0] (FP32, one per partition), not `imm1` */
#define RAINIER_NC_FLAG_SCALAR_VEC                                                                 \
    RAINIER_BIT(5) /* TENSOR_SCALAR: the scalar is src1[p][0] (FP32), not `imm1` */
#define RAINIER_NC_FLAG_SCALAR_FIRST                                                               \
    RAINIER_BIT(6) /* TENSOR_SCALAR: dst = scalar <alu> src0 (matters for SUB) */
#define RAINIER_NC_FLAGS_ALL RAINIER_U32(0x7f)

/* ACTIVATE functions (`func`). */
#define RAINIER_ACT_IDENTITY 0
#define RAINIER_ACT_RELU 1
#define RAINIER_ACT_GELU_TANH 2 /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
#define RAINIER_ACT_EXP 3
#define RAINIER_ACT_TANH 4
#define RAINIER_ACT_RECIPROCAL 5
#define RAINIER_ACT_COUNT 6

/* ALU operations (`func` of TENSOR_TENSOR, TENSOR_SCALAR, REDUCE). */
#define RAINIER_ALU_ADD 0
#define RAINIER_ALU_SUB 1
#define RAINIER_ALU_MUL 2
#define RAINIER_ALU_MAX 3
#define RAINIER_ALU_MIN 4
#define RAINIER_ALU_COUNT 5

/* Rounding of a conversion out of FP32 (`round`). */
#define RAINIER_ROUND_RNE 0
#define RAINIER_ROUND_STOCHASTIC 1 /* from the core's LFSR, seeded from the config `seed` */

/* Largest free size (elements per partition) of one moving tile or PSUM result. */
#define RAINIER_TE_MAX_N 512
/* A PSUM bank: 2 KiB of each partition (512 FP32). A result must stay inside one bank. */
#define RAINIER_PSUM_BANK_BYTES 2048

#define RAINIER_NC_INSN_SIZE 64

#ifndef __ASSEMBLER__
/* A tile: `partitions` consecutive partitions starting with the one that holds `addr`, each
 * with `elems` consecutive elements starting at `addr`'s byte offset in its partition.
 * `addr` is an offset in the core's SRAM window (RAINIER_SBUF_OFFSET + p * stride + byte, or
 * the same in PSUM); the element type is the instruction's dtype for that operand. */
struct rainier_nc_tile {
    uint32_t addr;
    uint16_t partitions;
    uint16_t elems;
};

struct rainier_nc_insn {
    uint8_t opcode;              /* 0x00 RAINIER_OP_* */
    uint8_t flags;               /* 0x01 RAINIER_NC_FLAG_* */
    uint8_t wait_sem;            /* 0x02 with RAINIER_NC_FLAG_WAIT */
    uint8_t sem_id;              /* 0x03 with RAINIER_NC_FLAG_SEM */
    uint32_t wait_value;         /* 0x04 */
    uint16_t sem_inc;            /* 0x08 */
    uint16_t tag;                /* 0x0a copied to Q_LAST_TAG on completion */
    uint8_t src_dtype;           /* 0x0c RAINIER_DT_* of src0 (and src1 for TENSOR_TENSOR) */
    uint8_t dst_dtype;           /* 0x0d RAINIER_DT_* of dst (MULTIPLY_MOVING: FP32) */
    uint8_t func;                /* 0x0e RAINIER_ACT_* or RAINIER_ALU_* */
    uint8_t round;               /* 0x0f RAINIER_ROUND_* for a conversion into dst */
    struct rainier_nc_tile dst;  /* 0x10 */
    struct rainier_nc_tile src0; /* 0x18 */
    struct rainier_nc_tile src1; /* 0x20 TENSOR_TENSOR second operand; bias/scalar vector */
    float imm0;                  /* 0x28 ACTIVATE: scale */
    float imm1;                  /* 0x2c ACTIVATE: bias; TENSOR_SCALAR: scalar */
    uint32_t reserved[4];        /* 0x30 zero */
};

#ifdef __cplusplus
static_assert(sizeof(struct rainier_nc_insn) == RAINIER_NC_INSN_SIZE, "instruction size");
#else
_Static_assert(sizeof(struct rainier_nc_insn) == RAINIER_NC_INSN_SIZE, "instruction size");
#endif
#endif

#endif
