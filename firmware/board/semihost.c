/* Semihosting calls (see board/semihost.h). */
#include "board/semihost.h"

#include <stdint.h>

#define SEMIHOST_SYS_GET_CMDLINE 0x15

/* The semihosting trap: the three uncompressed instructions in one aligned block, as the
 * RISC-V semihosting spec requires to tell it from a debugger breakpoint. */
static long semihost_call(long op, void* params) {
    register long a0 __asm__("a0") = op;
    register void* a1 __asm__("a1") = params;
    __asm__ volatile(".option push\n"
                     ".option norvc\n"
                     ".balign 16\n"
                     "slli x0, x0, 0x1f\n"
                     "ebreak\n"
                     "srai x0, x0, 7\n"
                     ".option pop\n"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    return a0;
}

int semihost_cmdline(char* buf, unsigned size) {
    if (size == 0) return -1;
    buf[0] = '\0';
    uint64_t params[2] = {(uint64_t)(uintptr_t)buf, size};
    if (semihost_call(SEMIHOST_SYS_GET_CMDLINE, params) != 0) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}
