/* Simulation control (sifive_test finisher): ends the run with pass or a failure code. */
#ifndef BOARD_SIMCTL_H
#define BOARD_SIMCTL_H

_Noreturn void simctl_pass(void);
/* code 1..65535; 0 is mapped to 1 because QEMU would report a "fail 0" as success. */
_Noreturn void simctl_fail(unsigned code);

#endif
