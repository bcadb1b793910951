/* Collectives over every chip of the system (rt/collective.h), checked element by element
 * against sums the host works out exactly.
 *
 * Inputs: element i of chip c is an integer h(c, i mod PERIOD), small enough that every
 * partial sum is exact in the data type (|sum| <= 2^24 in FP32, <= 256 in BF16), so the
 * result does not depend on the order the rings add in and must equal the reference bit for
 * bit. The host writes one period per chip and a DMA descriptor repeats it over the buffer
 * (a row read again with source stride 0), so even a 256 MiB buffer is filled in moments.
 *
 * Options (config key cpu.command_line, e.g. --set cpu.command_line="op=allreduce bytes=1MiB"):
 *   op=allreduce|reduce_scatter|all_gather|all   dtype=fp32|bf16|all
 *   bytes=N[KiB|MiB]  buffer size per chip (all-reduce; the larger buffer for the others);
 *                     none: a table of sizes, edge cases included
 *   lanes=N           NeuronCores per chip taking part (default: all)
 *   reduce=auto|dma|ve who adds at each ring step: the sender's DMA, into the receiver's
 *                     SBUF, or the receiver's vector engine; auto (default): DMA for small
 *                     steps (rt/collective.h)
 *   algo=auto|ring|direct  rings along each dimension, or a direct exchange per dimension
 *                     (all-reduce, dimensions of at most 4 chips); auto (default): direct
 *                     for small buffers (rt/collective.h)
 *   repeat=N          run each case N times: the time printed is their median (each starts
 *                     at another point of the HBM refresh cycle), and the wall time per run
 *                     follows by difference (benchmarks)
 *   check=full|sample every element, or corners, boundaries and 4096 random ones per chip
 *   inplace=1         all-reduces write their result over the input (src == dst)
 *   dirty=1           before every collective, fill the whole SBUF of every core with NaNs:
 *                     a collective must not count on what an earlier one left there
 * Prints one `stats` line per case: simulated time, algorithm and bus bandwidth as
 * nccl-tests defines them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "board/chip.h"
#include "board/semihost.h"
#include "rt/collective.h"

#define PERIOD 4093 /* prime: a wrong offset rarely lands on the same value */
#define MAX_CASES 16
#define MAX_REPEAT 16
#define MAX_START_SKEW_NS 1000 /* the host's start writes land together (rt_sync) */

static struct rt_comm comm;
static uint32_t pattern[PERIOD] __attribute__((aligned(64)));
static int64_t ref_sum[PERIOD];
static uint64_t src[RAINIER_MAX_CHIPS], dst[RAINIER_MAX_CHIPS];
static const uint64_t* out = dst; /* where the result goes: dst, or src in place */

struct options {
    int op;    /* -1: all */
    int dtype; /* -1: all */
    uint64_t bytes;
    unsigned lanes, repeat, sendq;
    unsigned reduce; /* RT_REDUCE_* */
    unsigned algo;   /* RT_ALGO_* */
    int full;
    int inplace; /* all-reduce into src (src == dst) */
    int dirty;   /* NaNs over every SBUF before each collective */
};

static int64_t value_of(unsigned chip, uint64_t i, unsigned dtype) {
    const uint64_t r = app_rand(0xa11 + chip, i % PERIOD);
    const int64_t k = dtype == RAINIER_DT_BF16 ? 256 / comm.chips : (1 << 23) / comm.chips;
    return (int64_t)(r % (uint64_t)(2 * k + 1)) - k;
}

/* FP32 or BF16 bits of a small integer (exact by construction). */
static uint32_t bits_of(int64_t v, unsigned dtype) {
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    return dtype == RAINIER_DT_BF16 ? u >> 16 : u;
}

static int64_t int_of(uint32_t bits, unsigned dtype) {
    const uint32_t u = dtype == RAINIER_DT_BF16 ? bits << 16 : bits;
    float f;
    memcpy(&f, &u, 4);
    return (int64_t)f;
}

/* Fills `count` elements at `addr` of chip `chip` with its inputs, on the chip's DMA. */
static int fill(unsigned chip, uint64_t addr, uint64_t count, unsigned dtype) {
    const unsigned es = RAINIER_DT_SIZE(dtype);
    for (unsigned i = 0; i < PERIOD; i++) {
        const uint32_t b = bits_of(value_of(chip, i, dtype), dtype);
        if (es == 2)
            ((uint16_t*)pattern)[i] = (uint16_t)b;
        else
            pattern[i] = b;
    }
    struct rt_dev* d = &comm.dev[chip * comm.lanes];
    rt_begin(d);
    uint64_t done = 0;
    while (done < count) {
        uint64_t reps = (count - done) / PERIOD;
        struct rainier_dma_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.elem_size = (uint8_t)es;
        desc.src = (uint64_t)(uintptr_t)pattern;
        desc.dst = addr + done * es;
        if (reps) {
            if (reps > 65535) reps = 65535;
            desc.src_count[0] = desc.dst_count[0] = PERIOD;
            desc.src_count[1] = desc.dst_count[1] = (uint16_t)reps;
            desc.src_stride[0] = desc.dst_stride[0] = (int32_t)es;
            desc.src_stride[1] = 0;
            desc.dst_stride[1] = (int32_t)(PERIOD * es);
            done += reps * PERIOD;
        } else {
            desc.src_count[0] = desc.dst_count[0] = (uint16_t)(count - done);
            desc.src_count[1] = desc.dst_count[1] = 1;
            desc.src_stride[0] = desc.dst_stride[0] = (int32_t)es;
            done = count;
        }
        desc.src_count[2] = desc.dst_count[2] = 1;
        rt_dma(d, 0, &desc, NULL, 0, 1);
    }
    return rt_run(d, NULL, 0);
}

static uint32_t load(uint64_t addr, uint64_t i, unsigned dtype) {
    if (dtype == RAINIER_DT_BF16) return *(volatile uint16_t*)(uintptr_t)(addr + 2 * i);
    return *(volatile uint32_t*)(uintptr_t)(addr + 4 * i);
}

/* Expected element i of chip `chip`'s output. */
static int64_t expected(int op, unsigned chip, uint64_t i, uint64_t count, unsigned dtype) {
    if (op == RT_ALL_GATHER) return value_of((unsigned)(i / count), i % count, dtype);
    const uint64_t at = op == RT_REDUCE_SCATTER ? chip * count + i : i;
    (void)dtype;
    return ref_sum[at % PERIOD];
}

static const char* op_name(int op) {
    return op == RT_ALL_REDUCE       ? "allreduce"
           : op == RT_REDUCE_SCATTER ? "reduce_scatter"
                                     : "all_gather";
}

/* Checks every output element (or a sample); returns the number of wrong ones. */
static uint64_t check(int op, uint64_t count, unsigned dtype, int full, uint64_t* first_bad,
                      unsigned* bad_chip) {
    const uint64_t n = op == RT_ALL_GATHER ? count * comm.chips : count;
    uint64_t bad = 0;
    for (unsigned chip = 0; chip < comm.chips; chip++) {
        const uint64_t picks = full || n <= 8192 ? n : 4096 + 64;
        for (uint64_t p = 0; p < picks; p++) {
            uint64_t i = p;
            if (picks != n) /* corners, then pseudo-random positions */
                i = p < 32 ? p : p < 64 ? n - 64 + p : app_rand(0x5a3 + chip, p) % n;
            const int64_t got = int_of(load(out[chip], i, dtype), dtype);
            const int64_t want = expected(op, chip, i, count, dtype);
            if (got != want) {
                if (!bad) {
                    *first_bad = i;
                    *bad_chip = chip;
                    printf("  chip %u element %llu: %lld, expected %lld\n", chip,
                           (unsigned long long)i, (long long)got, (long long)want);
                }
                bad++;
            }
        }
    }
    return bad;
}

static void print_rate(const char* what, uint64_t bytes, uint64_t ns) {
    /* GB/s with two decimals, integers only (no FPU). */
    const uint64_t centi = ns ? bytes * 100 / ns : 0;
    printf(" %s %llu.%02llu GB/s", what, (unsigned long long)(centi / 100),
           (unsigned long long)(centi % 100));
}

/* Every partition of the SBUF of every core taking part full of a word that is NaN in FP32 and
 * in both of its BF16 halves (whole 4 KiB rows: all of it on the shipped configs): one DMA per
 * core repeating a row from host memory (source strides 0). */
#define DIRTY_ROW_WORDS 1024
static int dirty_sbufs(void) {
    static uint32_t row[DIRTY_ROW_WORDS] __attribute__((aligned(64)));
    for (unsigned i = 0; i < DIRTY_ROW_WORDS; i++)
        row[i] = 0x7fc17fc1u;
    struct chip_info info;
    chip_read_info(0, &info);
    const uint32_t row_bytes = DIRTY_ROW_WORDS * 4;
    for (unsigned i = 0; i < comm.chips * comm.lanes; i++) {
        struct rt_dev* d = &comm.dev[i];
        rt_begin(d);
        struct rainier_dma_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.elem_size = 4;
        desc.src = (uint64_t)(uintptr_t)row;
        desc.dst = rt_sram_addr(d, rt_sbuf_off(0, 0));
        desc.src_count[0] = desc.dst_count[0] = DIRTY_ROW_WORDS;
        desc.src_count[1] = desc.dst_count[1] = (uint16_t)(info.sbuf_size / row_bytes);
        desc.src_count[2] = desc.dst_count[2] = (uint16_t)info.partitions;
        desc.src_stride[0] = desc.dst_stride[0] = 4;
        desc.dst_stride[1] = (int32_t)row_bytes;
        desc.dst_stride[2] = (int32_t)RAINIER_SBUF_PARTITION_STRIDE;
        rt_dma(d, 0, &desc, NULL, 0, 1);
        rt_kick(d);
    }
    for (unsigned i = 0; i < comm.chips * comm.lanes; i++)
        if (rt_run(&comm.dev[i], NULL, 0) != RT_OK) return -1;
    return 0;
}

static int run_case(int op, unsigned dtype, uint64_t count, const struct options* o) {
    const unsigned es = RAINIER_DT_SIZE(dtype);
    const uint64_t in_n = op == RT_REDUCE_SCATTER ? count * comm.chips : count;
    for (unsigned i = 0; i < PERIOD; i++) {
        ref_sum[i] = 0;
        for (unsigned c = 0; c < comm.chips; c++)
            ref_sum[i] += value_of(c, i, dtype);
    }
    int rc = RT_OK;
    uint64_t ns[MAX_REPEAT], skew = 0;
    int early = 0;
    out = o->inplace && op == RT_ALL_REDUCE ? src : dst;
    for (unsigned r = 0; r < o->repeat && rc == RT_OK; r++) {
        /* In place, each run sums the inputs again. */
        if (r == 0 || out == src)
            for (unsigned c = 0; c < comm.chips; c++)
                if (fill(c, src[c], in_n, dtype) != RT_OK) return -1;
        if (o->dirty && dirty_sbufs() != 0) return -1;
        rc = rt_collective(&comm, (unsigned)op, dtype, src, out, count);
        ns[r] = comm.stats.ns;
        if (comm.stats.skew_ns > skew) skew = comm.stats.skew_ns;
        early |= comm.stats.early;
    }
    char what[96];
    snprintf(what, sizeof what, "%s %s %llu B", op_name(op),
             dtype == RAINIER_DT_BF16 ? "bf16" : "fp32", (unsigned long long)(count * es));
    if (rc != RT_OK) {
        app_check(what, 0, "the collective failed (%d)", rc);
        return -1;
    }
    uint64_t first = 0;
    unsigned chip = 0;
    const uint64_t bad = check(op, count, dtype, o->full, &first, &chip);
    app_check(what, bad == 0, bad ? "%llu wrong, first: chip %u element %llu" : "%u chips",
              bad ? (unsigned long long)bad : (unsigned long long)comm.chips, chip,
              (unsigned long long)first);
    /* The time is the collective's only if every chip started at once (the host's start
     * writes land together, rt_sync), unless a ring filled up while the host wrote. */
    if (!early)
        app_check(what, skew <= MAX_START_SKEW_NS, "chips start together (%llu ns apart)",
                  (unsigned long long)skew);
    /* The median run (insertion sort: a handful of them). */
    for (unsigned i = 1; i < o->repeat; i++)
        for (unsigned k = i; k > 0 && ns[k - 1] > ns[k]; k--) {
            const uint64_t t = ns[k];
            ns[k] = ns[k - 1];
            ns[k - 1] = t;
        }
    const uint64_t t_ns = ns[(o->repeat - 1) / 2];
    /* nccl-tests: the size is the larger buffer; bus bandwidth scales by the traffic share. */
    const uint64_t size = (op == RT_ALL_REDUCE ? count : count * comm.chips) * es;
    const unsigned n = comm.chips;
    printf("stats %s: time %llu ns, %u %s phases, %llu entries,", what, (unsigned long long)t_ns,
           comm.stats.phases, comm.stats.direct ? "direct" : "ring",
           (unsigned long long)comm.stats.entries);
    if (comm.stats.held) printf(" %llu slices held in SBUF,", (unsigned long long)comm.stats.held);
    if (comm.stats.gather_sbuf) printf(" last gather through SBUF,");
    if (comm.stats.zeroed && !comm.stats.direct) printf(" first step into zeroed slots,");
    if (comm.stats.parts > 1) printf(" slices sent in up to %u parts,", comm.stats.parts);
    print_rate("algbw", size, t_ns);
    const uint64_t busnum = op == RT_ALL_REDUCE ? 2 * (uint64_t)(n - 1) : n - 1;
    print_rate("busbw", n > 1 ? size * busnum / n : 0, t_ns);
    if (o->repeat > 1) {
        printf(", runs (sorted)");
        for (unsigned r = 0; r < o->repeat; r++)
            printf(" %llu", (unsigned long long)ns[r]);
        printf(" ns");
    }
    printf("\n");
    return bad ? -1 : 0;
}

static uint64_t parse_size(const char* s) {
    char* end;
    uint64_t v = strtoull(s, &end, 0);
    if (!strncmp(end, "KiB", 3)) v <<= 10;
    if (!strncmp(end, "MiB", 3)) v <<= 20;
    if (!strncmp(end, "GiB", 3)) v <<= 30;
    return v;
}

/* The index of v in names (null-terminated), in the order of the RT_* values; -1: none. */
static int choice(const char* v, const char* const* names) {
    for (int i = 0; names[i]; i++)
        if (!strcmp(v, names[i])) return i;
    return -1;
}
static const char* const reduce_names[] = {"auto", "dma", "ve", NULL};    /* RT_REDUCE_* */
static const char* const algo_names[] = {"auto", "ring", "direct", NULL}; /* RT_ALGO_* */
_Static_assert(RT_REDUCE_DMA == 1 && RT_REDUCE_VE == 2 && RT_ALGO_RING == 1 && RT_ALGO_DIRECT == 2,
               "the names above follow the enums");

static int parse(struct options* o) {
    static char line[512];
    memset(o, 0, sizeof *o);
    o->op = -1;
    o->dtype = -1;
    o->repeat = 1;
    semihost_cmdline(line, sizeof line);
    for (char* tok = strtok(line, " "); tok; tok = strtok(NULL, " ")) {
        char* eq = strchr(tok, '=');
        if (!eq) continue; /* the program name, if any */
        *eq = '\0';
        const char* v = eq + 1;
        int bad = 0;
        if (!strcmp(tok, "op"))
            o->op = !strcmp(v, "allreduce")        ? RT_ALL_REDUCE
                    : !strcmp(v, "reduce_scatter") ? RT_REDUCE_SCATTER
                    : !strcmp(v, "all_gather")     ? RT_ALL_GATHER
                    : !strcmp(v, "all")            ? -1
                                                   : -2;
        else if (!strcmp(tok, "dtype"))
            o->dtype = !strcmp(v, "fp32")   ? RAINIER_DT_FP32
                       : !strcmp(v, "bf16") ? RAINIER_DT_BF16
                       : !strcmp(v, "all")  ? -1
                                            : -2;
        else if (!strcmp(tok, "bytes"))
            o->bytes = parse_size(v);
        else if (!strcmp(tok, "lanes"))
            o->lanes = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(tok, "repeat"))
            o->repeat = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(tok, "sendq"))
            o->sendq = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(tok, "reduce"))
            bad = (int)(o->reduce = (unsigned)choice(v, reduce_names)) < 0;
        else if (!strcmp(tok, "algo"))
            bad = (int)(o->algo = (unsigned)choice(v, algo_names)) < 0;
        else if (!strcmp(tok, "inplace"))
            o->inplace = (int)strtoul(v, NULL, 0);
        else if (!strcmp(tok, "check"))
            o->full = !strcmp(v, "full");
        else if (!strcmp(tok, "dirty"))
            o->dirty = (int)strtoul(v, NULL, 0);
        else {
            printf("error: unknown option '%s' (op, dtype, bytes, lanes, repeat, sendq, check, "
                   "reduce, algo, inplace, dirty)\n",
                   tok);
            return -1;
        }
        if (o->op == -2 || o->dtype == -2 || bad) {
            printf("error: option %s: unknown value '%s'\n", tok, v);
            return -1;
        }
    }
    if (o->repeat == 0) o->repeat = 1;
    if (o->repeat > MAX_REPEAT) {
        printf("error: repeat=%u: at most %u\n", o->repeat, MAX_REPEAT);
        return -1;
    }
    return 0;
}

int main(void) {
    struct options o;
    if (parse(&o) != 0) return 2;
    const int rc = rt_comm_open(&comm, o.lanes);
    if (rc != RT_OK) {
        printf("error: the chips did not come up (%d)\n", rc);
        return 1;
    }
    if (o.sendq && o.sendq <= comm.nsend) comm.nsend = o.sendq;
    comm.reduce_by = o.reduce;
    comm.algo = o.algo;
    printf("allreduce: %u chip(s), topology %ux%ux%u, %u lane(s) per chip, DMA queues per lane: "
           "%u send, %u load, %u store, 1 control; SBUF slots of %u B per partition, %u operand "
           "slots\n",
           comm.chips, comm.dims[0], comm.dims[1], comm.dims[2], comm.lanes, comm.nsend, comm.nload,
           comm.nstore, (unsigned)comm.slot_bytes, (unsigned)comm.op_slots);
    /* Per chip and dtype element counts (all-reduce; the others use count / chips, at least
     * 1): the edge cases first (one element, fewer than chips x lanes, an odd prime), then
     * sizes that take several slices per chunk. */
    uint64_t counts[MAX_CASES];
    unsigned ncounts = 0;
    if (o.bytes) {
        counts[ncounts++] = 0; /* from bytes, per dtype */
    } else {
        counts[ncounts++] = 1;
        counts[ncounts++] = 7;
        counts[ncounts++] = 4099;
        counts[ncounts++] = 40000;
    }
    uint64_t max_bytes = o.bytes ? o.bytes : 40000 * 4;
    max_bytes = (max_bytes + 4095) & ~4095ull;
    for (unsigned c = 0; c < comm.chips; c++) {
        src[c] = rt_comm_alloc(&comm, c, max_bytes + 64 * comm.chips);
        dst[c] = rt_comm_alloc(&comm, c, max_bytes + 64 * comm.chips);
        if (!src[c] || !dst[c]) {
            printf("error: no HBM for %llu bytes on chip %u\n", (unsigned long long)max_bytes, c);
            return 1;
        }
    }
    for (int op = 0; op <= RT_ALL_GATHER; op++) {
        if (o.op >= 0 && op != o.op) continue;
        for (int dt = 0; dt < 2; dt++) {
            const unsigned dtype = dt ? RAINIER_DT_BF16 : RAINIER_DT_FP32;
            if (o.dtype >= 0 && (unsigned)o.dtype != dtype) continue;
            const unsigned es = RAINIER_DT_SIZE(dtype);
            for (unsigned k = 0; k < ncounts; k++) {
                uint64_t count = counts[k] ? counts[k] : o.bytes / es;
                /* The others' `count` is per chip: the larger buffer is count x chips. */
                if (op != RT_ALL_REDUCE && counts[k] == 0) count /= comm.chips;
                if (op != RT_ALL_REDUCE && counts[k] > 64) count = counts[k] / comm.chips;
                if (count == 0) count = 1;
                run_case(op, dtype, count, &o); /* counted by app_check */
            }
        }
    }
    return app_finish("allreduce");
}
