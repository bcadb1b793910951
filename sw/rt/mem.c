/* Device-memory allocator (see rt/mem.h). */
#include "rt/mem.h"

#include <string.h>

void rt_mem_init(struct rt_mem* m, uint64_t base, uint64_t size) {
    m->base = base;
    m->size = size;
    m->count = 1;
    m->blocks[0] = (struct rt_mem_block){base, size, 0};
}

static void insert(struct rt_mem* m, unsigned i, struct rt_mem_block b) {
    memmove(&m->blocks[i + 1], &m->blocks[i], (m->count - i) * sizeof b);
    m->blocks[i] = b;
    m->count++;
}

static void erase(struct rt_mem* m, unsigned i) {
    memmove(&m->blocks[i], &m->blocks[i + 1], (m->count - i - 1) * sizeof m->blocks[0]);
    m->count--;
}

uint64_t rt_mem_alloc(struct rt_mem* m, uint64_t size, uint64_t align) {
    if (align < RT_MEM_MIN_ALIGN) align = RT_MEM_MIN_ALIGN;
    if (size == 0 || (align & (align - 1))) return 0;
    size = (size + RT_MEM_MIN_ALIGN - 1) & ~(uint64_t)(RT_MEM_MIN_ALIGN - 1);
    for (unsigned i = 0; i < m->count; i++) {
        struct rt_mem_block* b = &m->blocks[i];
        if (b->used) continue;
        const uint64_t start = (b->addr + align - 1) & ~(align - 1);
        const uint64_t pad = start - b->addr;
        if (pad + size > b->size) continue;
        /* Up to two splits: the padding before and the rest after stay free. */
        if (m->count + (pad != 0) + (pad + size < b->size) > RT_MEM_MAX_BLOCKS) return 0;
        const uint64_t rest = b->size - pad - size;
        if (pad) {
            b->size = pad;
            insert(m, ++i, (struct rt_mem_block){start, size, 1});
        } else {
            b->size = size;
            b->used = 1;
        }
        if (rest) insert(m, i + 1, (struct rt_mem_block){start + size, rest, 0});
        return start;
    }
    return 0;
}

int rt_mem_free(struct rt_mem* m, uint64_t addr) {
    for (unsigned i = 0; i < m->count; i++) {
        if (m->blocks[i].addr != addr || !m->blocks[i].used) continue;
        m->blocks[i].used = 0;
        if (i + 1 < m->count && !m->blocks[i + 1].used) {
            m->blocks[i].size += m->blocks[i + 1].size;
            erase(m, i + 1);
        }
        if (i > 0 && !m->blocks[i - 1].used) {
            m->blocks[i - 1].size += m->blocks[i].size;
            erase(m, i);
        }
        return 0;
    }
    return -1;
}

uint64_t rt_mem_available(const struct rt_mem* m) {
    uint64_t n = 0;
    for (unsigned i = 0; i < m->count; i++)
        if (!m->blocks[i].used) n += m->blocks[i].size;
    return n;
}
