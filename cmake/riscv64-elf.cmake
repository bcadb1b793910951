# Cross toolchain for firmware and target software: bare-metal RV64 with picolibc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_OBJCOPY riscv64-unknown-elf-objcopy)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -misa-spec=2.2 keeps csr instructions inside rv64imac so picolibc's multilib matches.
set(RAINIER_TARGET_ARCH_FLAGS "-march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany")
set(CMAKE_C_FLAGS_INIT "${RAINIER_TARGET_ARCH_FLAGS} --specs=picolibc.specs -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${RAINIER_TARGET_ARCH_FLAGS} --specs=picolibc.specs")
# The C flags (with --specs) are on the link line too; gcc refuses a specs file twice.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
