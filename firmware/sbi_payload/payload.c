/* An S-mode payload for OpenSBI: checks it runs in S-mode, talks to the SBI (console, base
 * extension), then powers the platform off through the system-reset extension, which OpenSBI
 * carries out with the sim-control device named in the device tree. */
#include <stdint.h>

#include "sbi.h"

static void put(const char* s) {
    for (; *s; ++s)
        sbi_call(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, *s, 0);
}

static void put_hex(unsigned long v) {
    char buf[19] = "0x";
    for (int i = 0; i < 16; ++i)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    buf[18] = '\0';
    put(buf);
}

void payload_main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    put("sbi_payload: running in S-mode on hart ");
    put_hex(hartid);
    put("\n");

    /* Reading sstatus works in S-mode; reading mstatus would trap. */
    unsigned long sstatus;
    __asm__ volatile("csrr %0, sstatus" : "=r"(sstatus));
    put("sbi_payload: sstatus ");
    put_hex(sstatus);
    put("\n");

    struct sbiret ver = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0);
    struct sbiret impl = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0);
    put("sbi_payload: SBI spec ");
    put_hex((unsigned long)ver.value);
    put(", implementation ");
    put_hex((unsigned long)impl.value);
    put(impl.value == 1 ? " (OpenSBI)\n" : "\n");

    struct sbiret srst = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_SRST, 0);
    if (srst.value == 0) {
        put("sbi_payload: no system reset extension\n");
        return;
    }
    put("sbi_payload: powering off through SBI SRST\n");
    sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
    put("sbi_payload: still running after SRST shutdown\n");
}
