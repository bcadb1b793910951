/* RISC-V privileged-architecture constants and CSR accessors (ISA facts, not platform ones:
 * platform addresses and device registers come from include/rainier/hw/). */
#ifndef BOARD_RISCV_H
#define BOARD_RISCV_H

#include "rainier/hw/common.h"

#define MSTATUS_SIE RAINIER_BIT(1)
#define MSTATUS_MIE RAINIER_BIT(3)
#define MSTATUS_SPIE RAINIER_BIT(5)
#define MSTATUS_MPIE RAINIER_BIT(7)
#define MSTATUS_SPP RAINIER_BIT(8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (RAINIER_U64(3) << MSTATUS_MPP_SHIFT)
#define MSTATUS_MPRV RAINIER_BIT(17)
#define MSTATUS_SUM RAINIER_BIT(18)
#define MSTATUS_MXR RAINIER_BIT(19)
#define MSTATUS_TVM RAINIER_BIT(20)

/* satp: MODE in bits 63:60, ASID in 59:44, root page-table PPN in 43:0. */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* Interrupt numbers: bit positions in mip/mie and mcause codes with MCAUSE_INTERRUPT set. */
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define MIP_MSIP RAINIER_BIT(IRQ_M_SOFT)
#define MIP_MTIP RAINIER_BIT(IRQ_M_TIMER)
#define MIP_MEIP RAINIER_BIT(IRQ_M_EXT)

#define MCAUSE_INTERRUPT RAINIER_BIT(63)

/* Synchronous exception codes. */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

/* PMP configuration bytes (pmpcfgN holds eight on RV64). S/U-mode accesses need a matching
 * entry (by the spec, and on QEMU); one NAPOT entry with pmpaddr all ones covers all memory. */
#define PMPCFG_R 0x01
#define PMPCFG_W 0x02
#define PMPCFG_X 0x04
#define PMPCFG_A_OFF 0x00
#define PMPCFG_A_TOR 0x08
#define PMPCFG_A_NA4 0x10
#define PMPCFG_A_NAPOT 0x18
#define PMPCFG_L 0x80

#ifndef __ASSEMBLER__
#include <stdint.h>

#define csr_read(csr)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                                             \
        v_;                                                                                        \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")

static inline void wfi(void) {
    __asm__ volatile("wfi" ::: "memory");
}

static inline void irq_global_enable(void) {
    csr_set(mstatus, MSTATUS_MIE);
}
static inline void irq_global_disable(void) {
    csr_clear(mstatus, MSTATUS_MIE);
}

/* Length of the instruction whose first halfword is `insn_lo` (2 for compressed). */
static inline unsigned insn_length(uint16_t insn_lo) {
    return (insn_lo & 3) == 3 ? 4 : 2;
}
#endif

#endif
