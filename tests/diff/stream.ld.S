/* Linker script for the differential test streams, run through the C preprocessor so that
 * DRAM's address comes from rainier/hw/memory_map.h. Code first, then the scratch data and
 * the harness area; both simulators load the ELF in place at the same address. */
#include "rainier/hw/memory_map.h"

OUTPUT_ARCH(riscv)
ENTRY(_start)

SECTIONS
{
    . = RAINIER_DRAM_BASE;
    .text : { *(.text.init) *(.text .text.*) }
    .data : ALIGN(64) { *(.data .data.*) }
    /DISCARD/ : { *(.note.GNU-stack) *(.comment) }
}
