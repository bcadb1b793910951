/* Error paths of the NeuronCore engine queues: an invalid instruction halts its queue with the
 * right RAINIER_NC_ERR_* and ring index, the chip interrupt fires (PLIC, chip summary, core
 * status), the instructions before it have completed with correct results, the other queue
 * runs on, and the firmware fixes the instruction (or resets the queue) and carries on. */
#include <stdio.h>

#include "app.h"
#include "board/chip.h"
#include "board/clint.h"
#include "board/mmio.h"
#include "board/nc.h"
#include "board/plic.h"
#include "board/riscv.h"
#include "board/trap.h"
#include "rainier/hw/clint.h"
#include "rainier/hw/irq.h"

static struct rainier_nc_insn te_ring[16] __attribute__((aligned(64)));
static struct rainier_nc_insn ve_ring[16] __attribute__((aligned(64)));
static struct nc_queue te, ve;
static volatile unsigned irqs;
static volatile uint32_t seen_chip, seen_core;

static void on_chip(void) {
    seen_chip = mmio_read32(chip_regs(0) + RAINIER_CHIP_CTRL_NC_IRQ_STATUS);
    seen_core = nc_irq_status(&te);
    nc_irq_clear(&te, seen_core);
    irqs++;
}

static int wait_irq(unsigned n) {
    const uint64_t t0 = clint_mtime();
    while (irqs < n)
        if (clint_mtime() - t0 > RAINIER_CLINT_TIMEBASE_HZ / 100) return 0; /* 10 ms */
    return 1;
}

static struct rainier_nc_insn mm(unsigned n, uint32_t psum_byte, unsigned rows, unsigned cols,
                                 uint16_t tag) {
    struct rainier_nc_insn x = {0};
    x.opcode = RAINIER_OP_MULTIPLY_MOVING;
    x.src_dtype = RAINIER_DT_BF16;
    x.dst_dtype = RAINIER_DT_FP32;
    x.tag = tag;
    x.src0 = rt_tile(rt_sbuf_off(0, 1024), (uint16_t)rows, (uint16_t)n);
    x.dst = rt_tile(rt_psum_off(0, psum_byte), (uint16_t)cols, (uint16_t)n);
    return x;
}

static struct rainier_nc_insn copy(uint16_t tag) {
    struct rainier_nc_insn x = {0};
    x.opcode = RAINIER_OP_COPY;
    x.src_dtype = x.dst_dtype = RAINIER_DT_FP32;
    x.tag = tag;
    x.src0 = rt_tile(rt_sbuf_off(0, 4096), 4, 8);
    x.dst = rt_tile(rt_sbuf_off(0, 8192), 4, 8);
    return x;
}

/* Pushes `n` instructions of which `bad` is invalid, expects `code` and its interrupt, then
 * rewrites it with `fix` and resumes (or, without `fix`, resets the queue). */
static void expect_halt(const char* what, struct nc_queue* q, const struct rainier_nc_insn* insns,
                        unsigned n, unsigned bad, uint32_t code,
                        const struct rainier_nc_insn* fix) {
    char name[96];
    const unsigned before = irqs;
    const uint32_t base = q->tail;
    for (unsigned i = 0; i < n; i++)
        nc_push(q, &insns[i]);
    nc_doorbell(q);
    const int taken = wait_irq(before + 1);
    uint32_t index = 0;
    const uint32_t err = nc_error(q, &index);
    snprintf(name, sizeof name, "%s: halts with error %u", what, (unsigned)code);
    app_check(name, taken && err == code && index == base + bad, "interrupt %s, error %u, index %u",
              taken ? "taken" : "missing", (unsigned)err, (unsigned)(index - base));
    snprintf(name, sizeof name, "%s: interrupt from core 0, engine %u", what, q->engine);
    app_check(name, seen_chip == 1u && seen_core == RAINIER_NC_IRQ_ERROR(q->engine),
              "chip 0x%x, core 0x%x", (unsigned)seen_chip, (unsigned)seen_core);
    snprintf(name, sizeof name, "%s: earlier instructions completed", what);
    const uint32_t done = nc_read(q, RAINIER_NC_Q_COMPLETED);
    app_check(name,
              done == base + bad &&
                  (nc_read(q, RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_HALTED) &&
                  (bad == 0 || nc_read(q, RAINIER_NC_Q_LAST_TAG) == insns[bad - 1].tag),
              "completed %u, tag 0x%x", (unsigned)(done - base),
              (unsigned)nc_read(q, RAINIER_NC_Q_LAST_TAG));
    if (fix) {
        nc_rewrite(q, base + bad, fix);
        nc_resume(q);
        const int rc = nc_wait(q, base + n, 1000000);
        snprintf(name, sizeof name, "%s: fixed and resumed", what);
        app_check(name, rc == NC_OK && nc_read(q, RAINIER_NC_Q_LAST_TAG) == insns[n - 1].tag,
                  "wait %d, tag 0x%x", rc, (unsigned)nc_read(q, RAINIER_NC_Q_LAST_TAG));
    } else {
        nc_queue_reset(q);
        struct rainier_nc_insn ok = copy(0x77);
        nc_push(q, &ok);
        nc_doorbell(q);
        const int rc = nc_wait(q, 1, 1000000);
        snprintf(name, sizeof name, "%s: reset and restarted", what);
        app_check(name, rc == NC_OK && nc_read(q, RAINIER_NC_Q_LAST_TAG) == 0x77, "wait %d", rc);
    }
}

int main(void) {
    struct chip_info info;
    app_check("chip_init", chip_init(0, &info, 10000000) == 0, NULL);
    const unsigned K = info.te_rows, M = info.te_cols;
    trap_set_ext_handler(RAINIER_IRQ_CHIP(0), on_chip);
    plic_set_threshold(0);
    csr_set(mie, MIP_MEIP);
    irq_global_enable();
    nc_queue_init(&te, 0, 0, RAINIER_NC_ENGINE_TENSOR, te_ring, 16);
    nc_queue_init(&ve, 0, 0, RAINIER_NC_ENGINE_VECTOR, ve_ring, 16);

    /* Weights 1.0 (K x M at byte 0), moving data 1.0 and 2.0 by column (K x 512 at 1024). */
    const uint64_t sram = RAINIER_CHIP_SRAM_BASE(0, 0);
    for (unsigned p = 0; p < K; p++) {
        volatile uint16_t* w = (volatile uint16_t*)(uintptr_t)(sram + rt_sbuf_off(p, 0));
        volatile uint16_t* x = (volatile uint16_t*)(uintptr_t)(sram + rt_sbuf_off(p, 1024));
        for (unsigned c = 0; c < M; c++)
            w[c] = 0x3f80;
        for (unsigned j = 0; j < 512; j++)
            x[j] = j % 2 ? 0x4000 : 0x3f80;
    }

    struct rainier_nc_insn ls = {0};
    ls.opcode = RAINIER_OP_LOAD_STATIONARY;
    ls.src_dtype = RAINIER_DT_BF16;
    ls.tag = 0x10;
    ls.src0 = rt_tile(rt_sbuf_off(0, 0), (uint16_t)K, (uint16_t)M);
    const struct rainier_nc_insn t1[4] = {ls, mm(64, 0, K, M, 0x11), mm(513, 2048, K, M, 0x12),
                                          mm(64, 4096, K, M, 0x13)};
    const struct rainier_nc_insn fix1 = mm(512, 2048, K, M, 0x12);
    expect_halt("TE N = 513", &te, t1, 4, 2, RAINIER_NC_ERR_SHAPE, &fix1);
    unsigned bad = 0;
    for (unsigned m = 0; m < M; m++)
        for (unsigned j = 0; j < 64; j++) {
            const float want = (float)K * (j % 2 ? 2.0f : 1.0f);
            const uint32_t got = mmio_read32((uintptr_t)(sram + rt_psum_off(m, 4 * j)));
            bad += got != rn_bits(want);
        }
    app_check("TE results of the instructions before the error", bad == 0, "%u wrong", bad);

    const struct rainier_nc_insn t2[2] = {mm(512, 1024, K, M, 0x21), mm(16, 0, K, M, 0x22)};
    const struct rainier_nc_insn fix2 = mm(256, 1024, K, M, 0x21);
    expect_halt("TE result crossing a PSUM bank", &te, t2, 2, 0, RAINIER_NC_ERR_PSUM_BANK, &fix2);

    /* The vector engine runs while the tensor engine is halted. */
    struct rainier_nc_insn bad_te = mm(600, 0, K, M, 0x31);
    const unsigned before = irqs;
    nc_push(&te, &bad_te);
    nc_doorbell(&te);
    app_check("TE halted again", wait_irq(before + 1), NULL);
    struct rainier_nc_insn c = copy(0x41);
    nc_push(&ve, &c);
    nc_doorbell(&ve);
    app_check("VE runs while TE is halted",
              nc_wait(&ve, ve.tail, 1000000) == NC_OK &&
                  nc_read(&ve, RAINIER_NC_Q_LAST_TAG) == 0x41,
              NULL);
    nc_queue_reset(&te);
    app_check("TE reset clears the halt",
              !(nc_read(&te, RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_HALTED) &&
                  nc_error(&te, NULL) == 0,
              NULL);

    /* Vector engine errors; the core's status now shows engine 1. */
    struct rainier_nc_insn wrong = copy(0x52);
    wrong.opcode = RAINIER_OP_MULTIPLY_MOVING;
    const struct rainier_nc_insn v1[3] = {copy(0x51), wrong, copy(0x53)};
    const struct rainier_nc_insn fixv = copy(0x52);
    expect_halt("VE tensor-engine opcode", &ve, v1, 3, 1, RAINIER_NC_ERR_OPCODE, &fixv);
    struct rainier_nc_insn badsem = copy(0x61);
    badsem.flags = RAINIER_NC_FLAG_SEM;
    badsem.sem_id = RAINIER_SEM_COUNT;
    expect_halt("VE semaphore index", &ve, &badsem, 1, 0, RAINIER_NC_ERR_SEMAPHORE, NULL);
    struct rainier_nc_insn badflag = copy(0x71);
    badflag.flags = 0x80;
    const struct rainier_nc_insn fixf = copy(0x71);
    expect_halt("VE unknown flag", &ve, &badflag, 1, 0, RAINIER_NC_ERR_FIELD, &fixf);

    irq_global_disable();
    csr_clear(mie, MIP_MEIP);
    return app_finish("nc_errors");
}
