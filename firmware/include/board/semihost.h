/* RISC-V semihosting calls the board code needs beyond picolibc's console: the command line
 * (config key cpu.command_line), so one image can run with different options. */
#ifndef BOARD_SEMIHOST_H
#define BOARD_SEMIHOST_H

/* Copies the command line, NUL-terminated, into buf; 0, or -1 if semihosting is off or the
 * line does not fit (buf is then ""). */
int semihost_cmdline(char* buf, unsigned size);

#endif
