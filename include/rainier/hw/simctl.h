/* Simulation control, compatible with QEMU's sifive_test finisher: a 32-bit write to
 * SIMCTL_FINISHER ends the run. */
#ifndef RAINIER_HW_SIMCTL_H
#define RAINIER_HW_SIMCTL_H

#include "rainier/hw/common.h"

#define SIMCTL_FINISHER 0x0

#define SIMCTL_FINISHER_FAIL 0x3333 /* exit code in bits 31:16 */
#define SIMCTL_FINISHER_PASS 0x5555
#define SIMCTL_FINISHER_RESET 0x7777

#define SIMCTL_FAIL_CODE(code) ((((code)&0xffff) << 16) | SIMCTL_FINISHER_FAIL)

#endif
