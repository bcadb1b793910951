/* Helpers shared by every hardware/software contract header (C99, C++ and assembler). */
#ifndef RAINIER_HW_COMMON_H
#define RAINIER_HW_COMMON_H

#ifdef __ASSEMBLER__
#define RAINIER_U64(x) x
#define RAINIER_U32(x) x
#else
#include <stdint.h>
#define RAINIER_U64(x) x##ULL
#define RAINIER_U32(x) x##U
#endif

#define RAINIER_BIT(n) (RAINIER_U64(1) << (n))

#endif
