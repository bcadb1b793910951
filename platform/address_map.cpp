#include "address_map.h"

#include <sstream>

#include "rainier/hw/memory_map.h"

namespace rainier {

std::vector<region> host_regions(const platform_config& cfg) {
    std::vector<region> regions = {
        {"boot ROM", RAINIER_BOOTROM_BASE, RAINIER_BOOTROM_SIZE, "", false},
        {"sim-control", RAINIER_SIMCTL_BASE, RAINIER_SIMCTL_SIZE, "", false},
        {"CLINT", RAINIER_CLINT_BASE, RAINIER_CLINT_SIZE, "", false},
        {"PLIC", RAINIER_PLIC_BASE, RAINIER_PLIC_SIZE, "", false},
        {"UART0", RAINIER_UART0_BASE, RAINIER_UART0_SIZE, "", false},
        {"DRAM", cfg.get_integer("memory.dram_base"), cfg.get_size("memory.dram_size"),
         "memory.dram_base/memory.dram_size", true},
    };
    // Chips: register window and memory aperture (HBM, then per-core SBUF/PSUM) of each.
    for (uint64_t n = 0; n < cfg.get_integer("chip.count"); ++n) {
        const std::string id = "chip " + std::to_string(n);
        regions.push_back({id + " MMIO", RAINIER_CHIP_MMIO_BASE + n * RAINIER_CHIP_MMIO_STRIDE,
                           RAINIER_CHIP_MMIO_STRIDE, "chip.count", false});
        regions.push_back({id + " aperture", RAINIER_CHIP_HBM_BASE + n * RAINIER_CHIP_HBM_STRIDE,
                           RAINIER_CHIP_HBM_STRIDE, "chip.count", false});
    }
    return regions;
}

void check_overlaps(const std::vector<region>& regions) {
    for (size_t i = 0; i < regions.size(); ++i) {
        for (size_t j = i + 1; j < regions.size(); ++j) {
            const region& a = regions[i];
            const region& b = regions[j];
            if (a.base <= b.base + (b.size - 1) && b.base <= a.base + (a.size - 1)) {
                const region& culprit = a.config_key.empty() ? b : a;
                const region& other = &culprit == &a ? b : a;
                std::ostringstream msg;
                msg << std::hex << "config key '" << culprit.config_key << "': " << culprit.name
                    << " [0x" << culprit.base << ", 0x" << culprit.base + culprit.size - 1
                    << "] overlaps " << other.name << " [0x" << other.base << ", 0x"
                    << other.base + other.size - 1 << "]";
                throw config_error(msg.str());
            }
        }
    }
}

} // namespace rainier
