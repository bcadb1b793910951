// The SBUF and PSUM of one NeuronCore as the engines see them: a tile operand
// (rainier_nc_tile, an offset in the core's SRAM window) resolved to host pointers, with every
// check that makes an instruction invalid (outside both SRAMs, partitions or elements past
// the end, misaligned). Engines touch the SRAMs directly through these pointers; their timing
// is the engines' own cost model.
#pragma once

#include <cstdint>
#include <string>

#include "partitioned_sram.h"
#include "rainier/hw/neuroncore.h"

namespace rainier {

struct sram_tile {
    uint8_t* base = nullptr; // element 0 of the first partition
    uint64_t stride = 0;     // bytes from one partition to the next
    unsigned first_partition = 0;
    unsigned partitions = 0;
    unsigned elems = 0;
    unsigned elem_size = 0;
    uint32_t byte_offset = 0; // of element 0 inside its partition
    bool psum = false;

    uint8_t* row(unsigned p) const { return base + p * stride; }
};

class core_sram {
public:
    core_sram(partitioned_sram& sbuf, partitioned_sram& psum) : m_sbuf(sbuf), m_psum(psum) {}

    // 0 and `out` filled, or a RAINIER_NC_ERR_* code with `why` saying what is wrong with
    // operand `what` (e.g. "src0").
    unsigned resolve(const rainier_nc_tile& t, unsigned dtype, const char* what, sram_tile& out,
                     std::string& why) const;

    partitioned_sram& sbuf() { return m_sbuf; }
    partitioned_sram& psum() { return m_psum; }

private:
    partitioned_sram& m_sbuf;
    partitioned_sram& m_psum;
};

// "0x2000040 (PSUM partition 0 byte 64)" style description of an operand address.
std::string describe_sram_address(uint32_t addr);

} // namespace rainier
