// The flattened device tree handed to firmware in a1: generated with libfdt from the same
// configuration that builds the platform, so the two cannot disagree. The node layout follows
// QEMU virt, which OpenSBI and Linux already understand.
#pragma once

#include <cstdint>
#include <vector>

#include "config.h"

namespace rainier {

std::vector<uint8_t> build_device_tree(const platform_config& cfg);

// Where the tree goes: 2 MiB below the top of DRAM, 8-byte aligned (as QEMU virt does).
uint64_t device_tree_address(const platform_config& cfg, uint64_t size);

} // namespace rainier
