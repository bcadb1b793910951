/* A chip's register space: chip n at RAINIER_CHIP_MMIO_BASE + n * RAINIER_CHIP_MMIO_STRIDE.
 * Chip control first, then per NeuronCore a semaphore block and an engine-queue block, then the
 * DMA engines. */
#ifndef RAINIER_HW_CHIP_H
#define RAINIER_HW_CHIP_H

#include "rainier/hw/common.h"
#include "rainier/hw/memory_map.h"

#define RAINIER_CHIP_MMIO_ADDR(chip) (RAINIER_CHIP_MMIO_BASE + (chip)*RAINIER_CHIP_MMIO_STRIDE)
#define RAINIER_CHIP_APERTURE(chip) (RAINIER_CHIP_HBM_BASE + (chip)*RAINIER_CHIP_HBM_STRIDE)

/* Chip control block (all read-only, 32-bit unless noted). */
#define RAINIER_CHIP_CTRL_OFFSET 0x0
#define RAINIER_CHIP_CTRL_SIZE 0x1000
#define RAINIER_CHIP_CTRL_ID 0x00           /* chip index */
#define RAINIER_CHIP_CTRL_CORES 0x04        /* NeuronCores */
#define RAINIER_CHIP_CTRL_DMA_ENGINES 0x08  /* DMA engines per core */
#define RAINIER_CHIP_CTRL_DMA_QUEUES 0x0c   /* queues per DMA engine */
#define RAINIER_CHIP_CTRL_PARTITIONS 0x10   /* SBUF/PSUM partitions per core */
#define RAINIER_CHIP_CTRL_HBM_SIZE 0x18     /* 64-bit: populated HBM bytes */
#define RAINIER_CHIP_CTRL_TE_ROWS 0x20      /* tensor engine array rows (contraction, K) */
#define RAINIER_CHIP_CTRL_TE_COLS 0x24      /* tensor engine array columns (M) */
#define RAINIER_CHIP_CTRL_SBUF_SIZE 0x28    /* bytes of each SBUF partition */
#define RAINIER_CHIP_CTRL_PSUM_SIZE 0x2c    /* bytes of each PSUM partition */
#define RAINIER_CHIP_CTRL_TE_MODE 0x30      /* RAINIER_TE_MODE_*: which tensor engine model runs */
#define RAINIER_CHIP_CTRL_TE_CLOCK 0x34     /* tensor engine clock, kHz */
#define RAINIER_CHIP_CTRL_VE_CLOCK 0x38     /* vector engine clock, kHz */
#define RAINIER_CHIP_CTRL_STATUS 0x40       /* RAINIER_CHIP_STATUS_* */
#define RAINIER_CHIP_CTRL_RESET 0x44        /* wo: RAINIER_CHIP_RESET_* */
#define RAINIER_CHIP_CTRL_SYSTEM_CHIPS 0x48 /* chips in the system (all share one topology) */
/* NeuronLink topology: the sizes of up to three ring dimensions (1 where unused), so chip
 * id = x + X * (y + Y * z). ring:N is N x 1 x 1, torus2d:XxY is X x Y x 1, ultra:XxYxZ as given. */
#define RAINIER_CHIP_CTRL_TOPOLOGY 0x4c
#define RAINIER_CHIP_TOPOLOGY_DIM(v, d) (((v) >> (8 * (d))) & 0xffu) /* d = 0 (x), 1 (y), 2 (z) */
#define RAINIER_CHIP_TOPOLOGY_DIMS 3
/* 64-bit: nanoseconds since power-on, one clock shared by every chip, read at the access's own
 * time (profiling; CLINT mtime counts 100 ns). Read it in one 64-bit access. */
#define RAINIER_CHIP_CTRL_TIME_NS 0x50
#define RAINIER_TE_MODE_RTL 0
#define RAINIER_TE_MODE_FAST 1
/* HBM training is done and HBM may be used; set RAINIER_CHIP_HBM_INIT_NS after power-on. */
#define RAINIER_CHIP_STATUS_HBM_READY RAINIER_BIT(0)
#define RAINIER_CHIP_HBM_INIT_NS 2000
/* Resets every engine queue of every core (CTRL_RESET of each) and clears their interrupts. */
#define RAINIER_CHIP_RESET_ENGINES RAINIER_BIT(0)
/* Interrupt summary: bit b of word w is set while DMA engine 32 * w + b (global index
 * core * engines_per_core + engine) requests an interrupt. The chip's PLIC line is their OR. */
#define RAINIER_CHIP_CTRL_IRQ_STATUS(w) (0x100 + 4 * (w))
#define RAINIER_CHIP_CTRL_IRQ_WORDS 4
/* Bit c is set while NeuronCore c requests an interrupt (its RAINIER_NC_IRQ_STATUS & ENABLE). */
#define RAINIER_CHIP_CTRL_NC_IRQ_STATUS 0x120

/* Semaphore block of NeuronCore `core` (minimal: value and atomic increment). */
#define RAINIER_CHIP_SEM_OFFSET(core) (0x10000 + (core)*0x1000)
#define RAINIER_CHIP_SEM_SIZE 0x1000
#define RAINIER_SEM_COUNT 32
#define RAINIER_SEM_VALUE(i) (0x000 + 4 * (i)) /* rw, 32-bit */
#define RAINIER_SEM_INC(i) (0x100 + 4 * (i))   /* wo: adds the written value (wraps) */

/* NeuronCore engine-queue block of core `core`: registers in rainier/hw/neuroncore.h. */
#define RAINIER_CHIP_NC_OFFSET(core) (0x20000 + (core)*0x1000)
#define RAINIER_CHIP_NC_SIZE 0x1000

/* DMA engine register blocks: engine e of core c at
 * RAINIER_CHIP_DMA_OFFSET + (c * engines_per_core + e) * RAINIER_CHIP_DMA_STRIDE.
 * Registers inside a block: rainier/hw/dma.h. */
#define RAINIER_CHIP_DMA_OFFSET 0x100000
#define RAINIER_CHIP_DMA_STRIDE 0x1000
#define RAINIER_CHIP_DMA_MAX_ENGINES 128

#endif
