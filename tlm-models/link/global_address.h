// Which chip a global address belongs to: the one place that turns an address into a chip id
// (memory aperture or register window), from the macros of rainier/hw, never from numbers.
#pragma once

#include <cstdint>

#include "rainier/hw/chip.h"
#include "rainier/hw/memory_map.h"

namespace rainier::link {

enum class region { none, memory, mmio };

struct chip_address {
    region kind = region::none;
    unsigned chip = 0;
    uint64_t offset = 0; // from the start of the chip's aperture or register window
};

inline chip_address decode_global(uint64_t addr) {
    if (addr >= RAINIER_CHIP_HBM_BASE) {
        const uint64_t chip = (addr - RAINIER_CHIP_HBM_BASE) / RAINIER_CHIP_HBM_STRIDE;
        if (chip < RAINIER_MAX_CHIPS)
            return {region::memory, unsigned(chip), addr - RAINIER_CHIP_APERTURE(chip)};
    } else if (addr >= RAINIER_CHIP_MMIO_BASE) {
        const uint64_t chip = (addr - RAINIER_CHIP_MMIO_BASE) / RAINIER_CHIP_MMIO_STRIDE;
        if (chip < RAINIER_MAX_CHIPS)
            return {region::mmio, unsigned(chip), addr - RAINIER_CHIP_MMIO_ADDR(chip)};
    }
    return {};
}

} // namespace rainier::link
