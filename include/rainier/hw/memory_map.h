/* Host-side memory map. Addresses follow QEMU's `virt` machine so that the same firmware
 * runs on `qemu-system-riscv64 -M virt -bios none` as a differential reference. */
#ifndef RAINIER_HW_MEMORY_MAP_H
#define RAINIER_HW_MEMORY_MAP_H

#include "rainier/hw/common.h"

#define RAINIER_BOOTROM_BASE RAINIER_U64(0x00001000)
#define RAINIER_BOOTROM_SIZE RAINIER_U64(0x0000f000)

#define RAINIER_SIMCTL_BASE RAINIER_U64(0x00100000)
#define RAINIER_SIMCTL_SIZE RAINIER_U64(0x00001000)

#define RAINIER_CLINT_BASE RAINIER_U64(0x02000000)
#define RAINIER_CLINT_SIZE RAINIER_U64(0x00010000)

#define RAINIER_PLIC_BASE RAINIER_U64(0x0c000000)
#define RAINIER_PLIC_SIZE RAINIER_U64(0x00400000)

#define RAINIER_UART0_BASE RAINIER_U64(0x10000000)
#define RAINIER_UART0_SIZE RAINIER_U64(0x00000100)

/* Per-chip register space: chip n at RAINIER_CHIP_MMIO_BASE + n * RAINIER_CHIP_MMIO_STRIDE. */
#define RAINIER_CHIP_MMIO_BASE RAINIER_U64(0x40000000)
#define RAINIER_CHIP_MMIO_STRIDE RAINIER_U64(0x01000000)
#define RAINIER_MAX_CHIPS 64

#define RAINIER_DRAM_BASE RAINIER_U64(0x80000000)
#define RAINIER_DRAM_DEFAULT_SIZE RAINIER_U64(0x10000000)

/* Per-chip HBM aperture: chip n at RAINIER_CHIP_HBM_BASE + n * RAINIER_CHIP_HBM_STRIDE. */
#define RAINIER_CHIP_HBM_BASE RAINIER_U64(0x10000000000)
#define RAINIER_CHIP_HBM_STRIDE RAINIER_U64(0x2000000000)

/* Inside a chip's aperture (offsets from its RAINIER_CHIP_HBM_BASE + n * STRIDE window):
 * HBM first, then the on-chip SRAMs of each NeuronCore. DMA descriptors and engine
 * instructions use these global addresses, so the chip id is part of every address. */
#define RAINIER_CHIP_HBM_OFFSET RAINIER_U64(0x0)
#define RAINIER_CHIP_HBM_MAX_SIZE RAINIER_U64(0x1800000000) /* 96 GiB */
#define RAINIER_CHIP_CORE_SRAM_OFFSET RAINIER_U64(0x1800000000)
#define RAINIER_CHIP_CORE_SRAM_STRIDE RAINIER_U64(0x4000000) /* 64 MiB per NeuronCore */
#define RAINIER_MAX_CORES_PER_CHIP 8

/* Inside a NeuronCore's SRAM window: SBUF then PSUM, one fixed-stride slot per partition
 * (partition p, byte b: base + p * PARTITION_STRIDE + b). */
#define RAINIER_SBUF_OFFSET RAINIER_U64(0x0)
#define RAINIER_SBUF_PARTITION_STRIDE RAINIER_U64(0x40000) /* 256 KiB slot (Trn2 uses 224) */
#define RAINIER_PSUM_OFFSET RAINIER_U64(0x2000000)
#define RAINIER_PSUM_PARTITION_STRIDE RAINIER_U64(0x4000) /* 16 KiB */
/* The same PSUM again, as an accumulate alias: a write there adds its FP32 values (4-byte
 * aligned, whole words) to what is stored; a read returns the stored values. */
#define RAINIER_PSUM_ACC_OFFSET RAINIER_U64(0x3000000)
#define RAINIER_MAX_PARTITIONS 128

#define RAINIER_CHIP_SRAM_BASE(chip, core)                                                         \
    (RAINIER_CHIP_HBM_BASE + (chip)*RAINIER_CHIP_HBM_STRIDE + RAINIER_CHIP_CORE_SRAM_OFFSET +      \
     (core)*RAINIER_CHIP_CORE_SRAM_STRIDE)

#endif
