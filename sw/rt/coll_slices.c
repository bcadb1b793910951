/* How a collective cuts its buffer: blocks, pieces, chunks and slices, how many a phase
 * takes, and what the operand slots can hold (see collective.c for the vocabulary). */
#include "coll_internal.h"

#include <string.h>

#define MIN_ROW_BYTES 256 /* shortest SBUF row worth a DMA request of its own */
#define AG_SLICE_BYTES 1048576
#define MAX_SLICES 128 /* per chunk and phase */

/* The lane's piece of block b: [*start, *start + len). */
uint64_t coll_piece(const struct job* j, unsigned lane, unsigned b, uint64_t* start) {
    const uint64_t b0 = block_start(j, b), n = block_start(j, b + 1) - b0;
    const uint64_t p0 = n * lane / j->c->lanes, p1 = n * (lane + 1) / j->c->lanes;
    *start = b0 + p0;
    return p1 - p0;
}

/* Block t (in increasing order) of chunk `k` of phase `ph` as seen from `chip`. */
unsigned coll_chunk_block(const struct job* j, const struct phase* ph, unsigned chip, unsigned k,
                          unsigned t) {
    const struct rt_comm* c = j->c;
    for (unsigned b = 0; b < c->chips; b++) {
        if (coord(c, b, ph->dim) != k) continue;
        int ok = 1;
        for (unsigned d = 0; d < 3; d++)
            if ((ph->fixed >> d & 1) && coord(c, b, d) != coord(c, chip, d)) ok = 0;
        if (ok && t-- == 0) return b;
    }
    return 0;
}

unsigned coll_blocks_per_chunk(const struct rt_comm* c, const struct phase* ph) {
    unsigned n = c->chips / c->dims[ph->dim];
    for (unsigned d = 0; d < 3; d++)
        if (ph->fixed >> d & 1) n /= c->dims[d];
    return n;
}

/* Ring index `a` (in the lane's direction) as a coordinate. */
static unsigned ring_coord(const struct lane* L, unsigned a) {
    a %= L->g;
    return L->dir > 0 ? a : (L->g - a) % L->g;
}

/* Where slice i of m of a piece of n elements starts (i == m: its end). Boundaries fall on
 * whole rows of `align` elements (an SBUF slot row, or 4 KiB in HBM), so that a slice is one
 * descriptor: only a piece's last slice may end in a partial row. */
static uint64_t slice_start(uint64_t n, uint64_t i, uint64_t m, uint64_t align) {
    return i >= m ? n : n * i / m / align * align;
}

/* Slice `s` of the chunk at ring index `a` (coordinates in the lane's direction). */
struct span coll_slice(const struct job* j, const struct lane* L, const struct phase* ph,
                       unsigned a, unsigned s) {
    const unsigned b = coll_chunk_block(j, ph, L->chip, ring_coord(L, a), L->perm[s / L->m]);
    uint64_t p0;
    const uint64_t n = coll_piece(j, L->idx, b, &p0), i = s % L->m;
    const uint64_t align = ph->reduce ? j->c->slot_bytes / j->es : 4096 / j->es;
    const uint64_t s0 = slice_start(n, i, L->m, align), s1 = slice_start(n, i + 1, L->m, align);
    struct span sp = {p0 + s0, (uint32_t)(s1 - s0), b};
    return sp;
}

struct geo coll_geo_of(const struct job* j, uint32_t len) {
    const struct rt_comm* c = j->c;
    const uint32_t emax = c->slot_bytes / j->es;
    uint32_t minrow = MIN_ROW_BYTES / j->es;
    if (minrow > emax) minrow = emax;
    /* Rows as short as possible (the VE's time is per element of a row, the partitions work in
     * parallel), at least minrow: a power of two times minrow divides every slice but a
     * piece's last (those are whole slot rows); the last is spread over the partitions. */
    uint32_t e = minrow;
    while (e < emax && (uint64_t)e * c->partitions < len)
        e *= 2;
    if (len % e) {
        e = (len + c->partitions - 1) / c->partitions;
        if (e < minrow) e = minrow;
        if (e > emax) e = emax;
    }
    struct geo g = {e, len / e, len % e};
    return g;
}

/* The longest of m slices of a piece of n elements (slice_start). */
static uint64_t longest_slice(uint64_t n, uint64_t m, uint64_t align) {
    uint64_t most = 0;
    for (uint64_t i = 0; i < m; i++) {
        const uint64_t len = slice_start(n, i + 1, m, align) - slice_start(n, i, m, align);
        if (len > most) most = len;
    }
    return most;
}

/* The shortest and longest piece of lane idx (they differ by an element at most). */
static void piece_range(const struct job* j, unsigned idx, uint64_t* minlen, uint64_t* maxlen) {
    *maxlen = 0;
    *minlen = UINT64_MAX;
    for (unsigned b = 0; b < j->c->chips; b++) {
        uint64_t p0;
        const uint64_t n = coll_piece(j, idx, b, &p0);
        if (n > *maxlen) *maxlen = n;
        if (n < *minlen) *minlen = n;
    }
}

/* Slices per block piece of lane idx in a phase with `blocks` blocks per chunk. */
unsigned coll_piece_slices(const struct job* j, unsigned idx, unsigned blocks, int reduce) {
    const struct rt_comm* c = j->c;
    uint64_t maxlen, minlen;
    piece_range(j, idx, &minlen, &maxlen);
    uint64_t cap =
        reduce ? (uint64_t)c->partitions * c->slot_bytes / j->es : AG_SLICE_BYTES / j->es;
    if (!reduce && (maxlen + cap - 1) / cap * blocks > MAX_SLICES)
        cap = (maxlen * blocks + MAX_SLICES - 1) / MAX_SLICES;
    /* Slices per block piece. Each is one DMA engine's work: a chunk wants a slice for each
     * send queue the lane keeps busy (ns) down to SMALL_SLICE_BYTES, and big chunks slices of
     * BIG_SLICE_BYTES, so that slices finish one after another and the next step starts
     * early (and the VE's per-instruction cost stays small). */
    const uint64_t bytes = maxlen * j->es;
    const unsigned ns = reduce ? j->ns_rs : j->ns_ag;
    uint64_t m = (maxlen + cap - 1) / cap;
    const uint64_t big = bytes / BIG_SLICE_BYTES, small = bytes / SMALL_SLICE_BYTES;
    const uint64_t spread = (ns + blocks - 1) / blocks;
    if (big > m) m = big;
    if ((spread < small ? spread : small) > m) m = spread < small ? spread : small;
    if (!reduce && m * blocks > MAX_SLICES) m = (MAX_SLICES + blocks - 1) / blocks;
    if (!m) m = 1;
    /* Slice boundaries fall on whole slot rows (coll_slice()), which can leave a piece's last
     * slice up to a row longer than the piece / m: it must still fit in its slot. */
    if (reduce)
        while (longest_slice(maxlen, m, c->slot_bytes / j->es) > cap ||
               longest_slice(minlen, m, c->slot_bytes / j->es) > cap)
            m++;
    return (unsigned)m;
}

/* Parts each slice of a held or holding phase goes over the link in (coll_rs_send): one on its send
 * queue and, across the step's slices, the store queues (which store only at the held ring's
 * last step there) once each; no part under SMALL_SLICE_BYTES. A lane's 5 send queues alone keep a
 * port only ~60 % busy through the steps' waits; the extra engines took the 4x4 torus at 16 MiB
 * from 55.3 to 52.2 us. */
static unsigned helper_parts(const struct job* j, unsigned per_step, uint64_t slice_bytes) {
    const unsigned nstore = j->c->nstore;
    unsigned p = 1 + (nstore + per_step - 1) / per_step;
    if (p > MAX_SEND) p = MAX_SEND;
    while (p > 1 && slice_bytes / p < SMALL_SLICE_BYTES)
        p--;
    return p;
}

/* Lane idx's first reduce-scatter keeping its sums in SBUF for the second: the slices per
 * block piece both use, or 0 if they do not (also with one dimension, or DMA adds); and the
 * parts (helper_parts) each phase sends a slice in. The second phase's chunks have fewer
 * blocks, so its steps have fewer of these slices than it would cut (4x4 torus: 2 of 256 KiB
 * at 64 MiB instead of 5 of 102 KiB); its parts make up for that. Cutting the first ring's
 * slices finer instead made its VE adds bound it (16 MiB: 57.5 -> 58.8 us). The last step's
 * slices must fit in half the slots. */
unsigned coll_hold_slices(const struct job* j, unsigned idx, unsigned parts[2]) {
    const struct rt_comm* c = j->c;
    const struct lane* L0 = lane_of(j, 0, idx);
    parts[0] = parts[1] = 1;
    if (L0->nact < 2 || j->dma_add) return 0;
    struct phase ph; /* the first reduce-scatter: nothing fixed */
    memset(&ph, 0, sizeof ph);
    ph.dim = L0->order[0];
    const unsigned blocks = coll_blocks_per_chunk(c, &ph),
                   next_blocks = blocks / c->dims[L0->order[1]];
    const unsigned m = coll_piece_slices(j, idx, blocks, 1);
    if (blocks * m > j->op_slots / 2) return 0;
    uint64_t minlen, maxlen;
    piece_range(j, idx, &minlen, &maxlen);
    parts[0] = helper_parts(j, blocks * m, minlen * j->es / m);
    parts[1] = helper_parts(j, next_blocks * m, minlen * j->es / m);
    return m;
}

/* The top operand slots the last all-gather (along each lane's first dimension, two
 * dimensions) needs to take every arrival it forwards into a slot of its own, or 0 if it
 * cannot: the rings keep at least OP_SLOTS, every slice fits a slot (held sums stay below
 * j->op_slots, which these slots are taken from). It
 * forwards and stores from there, instead of writing each arrival to HBM and reading it back
 * to forward it: half the buffer's HBM reads gone from every chip, and an HBM write and read
 * from every step's path. */
unsigned coll_gather_fits_sbuf(const struct job* j) {
    const struct rt_comm* c = j->c;
    unsigned most_slots = 0;
    if (j->op != RT_ALL_REDUCE || c->op_slots < OP_SLOTS_MAX) return 0;
    for (unsigned idx = 0; idx < c->lanes; idx++) {
        const struct lane* L0 = lane_of(j, 0, idx);
        if (L0->nact != 2) return 0;
        struct phase ph; /* the last gather: along the first dimension, nothing fixed */
        memset(&ph, 0, sizeof ph);
        ph.dim = L0->order[0];
        const unsigned blocks = coll_blocks_per_chunk(c, &ph);
        const uint64_t m = coll_piece_slices(j, idx, blocks, 0);
        const uint64_t slots = blocks * m * (c->dims[ph.dim] - 2); /* the last step: HBM */
        if (slots > c->op_slots - OP_SLOTS) return 0;
        if (slots > most_slots) most_slots = (unsigned)slots;
        uint64_t minlen, maxlen;
        piece_range(j, idx, &minlen, &maxlen);
        const uint64_t most = (uint64_t)c->partitions * (c->slot_bytes / j->es);
        if (longest_slice(maxlen, m, 4096 / j->es) > most ||
            longest_slice(minlen, m, 4096 / j->es) > most)
            return 0;
    }
    return most_slots;
}
