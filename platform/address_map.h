// The host address map as built from a configuration: every region with its owner and the
// config key that places it, so overlaps are reported against the key a user can change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"

namespace rainier {

struct region {
    std::string name;
    uint64_t base;
    uint64_t size;
    std::string config_key; // empty for fixed regions
    bool is_memory;         // ELF segments may be loaded here
};

std::vector<region> host_regions(const platform_config& cfg);

// Throws config_error naming the key of a region that overlaps another.
void check_overlaps(const std::vector<region>& regions);

} // namespace rainier
