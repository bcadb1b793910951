// Reads a RISC-V ELF executable with libelf and checks it fits the platform before anything
// runs: 64-bit, little-endian, EM_RISCV, an executable, every loadable segment inside memory.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "address_map.h"

namespace rainier {

class elf_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct elf_segment {
    uint64_t addr;             // physical load address
    std::vector<uint8_t> data; // file bytes; the rest up to mem_size is zero
    uint64_t mem_size;
};

struct elf_image {
    std::string path;
    uint64_t entry = 0;
    std::vector<elf_segment> segments;
};

// Throws elf_error with the file name and what is wrong.
elf_image read_elf(const std::string& path);

// Throws elf_error if a segment lies outside every memory region.
void check_placement(const elf_image& image, const std::vector<region>& regions);

} // namespace rainier
