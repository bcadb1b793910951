// Boot ROM at the reset vector: sets a0 = hartid and a1 = device-tree address, then jumps to
// the firmware entry point (the same contract as QEMU virt's reset vector).
#pragma once

#include <cstdint>

#include "core/memory.h"

namespace rainier {

class boot_rom : public memory {
public:
    boot_rom(sc_core::sc_module_name name, uint64_t size);

    void program(uint64_t entry, uint64_t dtb_addr);
};

} // namespace rainier
