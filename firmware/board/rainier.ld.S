/* Linker script for images that run from host DRAM. Preprocessed by the build (cpp -P) so the
 * DRAM address comes from rainier/hw/memory_map.h and is written nowhere else.
 * The ELF is loaded straight into DRAM (by the boot loader of rainier-vp or QEMU -kernel), so
 * .data needs no copy; crt0 only clears .bss and .tbss. */
#include "rainier/hw/memory_map.h"

OUTPUT_ARCH(riscv)
ENTRY(_start)

/* Images that run after another one (an S-mode payload behind OpenSBI) start higher up. */
#ifndef RAINIER_IMAGE_OFFSET
#define RAINIER_IMAGE_OFFSET 0
#endif

MEMORY
{
    dram (rwx) : ORIGIN = RAINIER_DRAM_BASE + RAINIER_IMAGE_OFFSET,
                 LENGTH = RAINIER_DRAM_DEFAULT_SIZE - RAINIER_IMAGE_OFFSET
}

/* Two loadable segments and nothing else: no image uses thread-local data (picolibc's errno
 * is a plain global in this build), and an empty PT_TLS header would only confuse loaders.
 * Add "tls PT_TLS;" and ":tls" on .tdata/.tbss if that ever changes. */
PHDRS
{
    text PT_LOAD FLAGS(5);
    data PT_LOAD FLAGS(6);
}

SECTIONS
{
    .text : {
        KEEP(*(.text.init.enter))
        *(.text.unlikely .text.unlikely.*)
        *(.text.startup .text.startup.*)
        *(.text .text.*)
    } >dram :text

    .rodata : {
        *(.rodata .rodata.*)
        *(.srodata .srodata.*)
    } >dram :text

    .init_array : ALIGN(8) {
        PROVIDE_HIDDEN(__preinit_array_start = .);
        KEEP(*(.preinit_array))
        PROVIDE_HIDDEN(__preinit_array_end = .);
        PROVIDE_HIDDEN(__init_array_start = .);
        KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
        KEEP(*(.init_array .ctors))
        PROVIDE_HIDDEN(__init_array_end = .);
        PROVIDE_HIDDEN(__fini_array_start = .);
        KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*) SORT_BY_INIT_PRIORITY(.dtors.*)))
        KEEP(*(.fini_array .dtors))
        PROVIDE_HIDDEN(__fini_array_end = .);
    } >dram :text

    .data : ALIGN(16) {
        *(.data .data.*)
        /* gp points 2 KiB into the small data so both signs of a 12-bit offset are used. */
        __global_pointer$ = . + 0x800;
        *(.sdata .sdata.*)
    } >dram :data

    .tdata : ALIGN(16) {
        __tls_base = .;
        *(.tdata .tdata.*)
    } >dram :data

    .tbss : {
        __tbss_start = .;
        *(.tbss .tbss.*)
        *(.tcommon)
        __tbss_end = .;
    } >dram :data

    /* The linker does not reserve address space for .tbss; do it by hand. */
    .tbss_space (NOLOAD) : {
        . = ADDR(.tbss) + SIZEOF(.tbss);
    } >dram :data

    .bss (NOLOAD) : ALIGN(16) {
        __bss_start = .;
        *(.sbss .sbss.*)
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } >dram :data

    .stack (NOLOAD) : ALIGN(16) {
        . += 0x4000;
        __stack_top = .;
        . += 0x2000;
        __trap_stack_top = .;
    } >dram :data

    /* A small heap for picolibc's malloc (printf does not need it). */
    . = ALIGN(16);
    __heap_start = .;
    __heap_end = . + 0x100000;
    __end = __heap_end;

    /DISCARD/ : { *(.note.GNU-stack) *(.comment) }
}
