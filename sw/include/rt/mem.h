/* Device-memory allocator over one chip's HBM: a first-fit free list of blocks (split on
 * allocation, merged with free neighbours on release), every block aligned. Addresses are
 * global (RAINIER_CHIP_APERTURE(chip) + offset): usable by the host CPU, DMA descriptors and
 * engine instructions alike. */
#ifndef RT_MEM_H
#define RT_MEM_H

#include <stdint.h>

#define RT_MEM_MAX_BLOCKS 256
#define RT_MEM_MIN_ALIGN 64

struct rt_mem_block {
    uint64_t addr, size;
    int used;
};

struct rt_mem {
    struct rt_mem_block blocks[RT_MEM_MAX_BLOCKS]; /* sorted by address, covering the heap */
    unsigned count;
    uint64_t base, size;
};

void rt_mem_init(struct rt_mem* m, uint64_t base, uint64_t size);
/* `align` is a power of two (raised to RT_MEM_MIN_ALIGN); 0 if there is no room. */
uint64_t rt_mem_alloc(struct rt_mem* m, uint64_t size, uint64_t align);
/* Releases a block returned by rt_mem_alloc; -1 if `addr` is not one. */
int rt_mem_free(struct rt_mem* m, uint64_t addr);
/* Bytes not allocated (possibly fragmented). */
uint64_t rt_mem_available(const struct rt_mem* m);

#endif
