#include "core_sram.h"

#include <cstdio>

#include "core/hex.h"
#include "rainier/hw/memory_map.h"

namespace rainier {

std::string describe_sram_address(uint32_t addr) {
    if (addr >= RAINIER_PSUM_OFFSET && addr < RAINIER_PSUM_ACC_OFFSET) {
        const uint64_t o = addr - RAINIER_PSUM_OFFSET;
        return hex(addr) + " (PSUM partition " + std::to_string(o / RAINIER_PSUM_PARTITION_STRIDE) +
               " byte " + std::to_string(o % RAINIER_PSUM_PARTITION_STRIDE) + ")";
    }
    if (addr < RAINIER_PSUM_OFFSET)
        return hex(addr) + " (SBUF partition " +
               std::to_string(addr / RAINIER_SBUF_PARTITION_STRIDE) + " byte " +
               std::to_string(addr % RAINIER_SBUF_PARTITION_STRIDE) + ")";
    return hex(addr);
}

unsigned core_sram::resolve(const rainier_nc_tile& t, unsigned dtype, const char* what,
                            sram_tile& out, std::string& why) const {
    const std::string op = std::string(what) + " at " + describe_sram_address(t.addr);
    if (dtype > RAINIER_DT_FP32) {
        why = std::string(what) + ": unknown dtype " + std::to_string(dtype);
        return RAINIER_NC_ERR_DTYPE;
    }
    if (t.partitions == 0 || t.elems == 0) {
        why = op + ": empty tile (" + std::to_string(t.partitions) + " partitions x " +
              std::to_string(t.elems) + " elements)";
        return RAINIER_NC_ERR_SHAPE;
    }
    const unsigned size = RAINIER_DT_SIZE(dtype);
    const partitioned_sram* mem;
    uint64_t base;
    if (t.addr < RAINIER_PSUM_OFFSET) {
        mem = &m_sbuf;
        base = RAINIER_SBUF_OFFSET;
        out.psum = false;
    } else if (t.addr < RAINIER_PSUM_ACC_OFFSET) {
        mem = &m_psum;
        base = RAINIER_PSUM_OFFSET;
        out.psum = true;
    } else {
        why = op + ": outside SBUF and PSUM";
        return RAINIER_NC_ERR_ADDRESS;
    }
    const sram_config& c = mem->cfg();
    const uint64_t off = t.addr - base;
    const uint64_t p = off / c.partition_stride;
    const uint64_t byte = off % c.partition_stride;
    if (p + t.partitions > c.partitions) {
        why = op + ": partitions " + std::to_string(p) + ".." +
              std::to_string(p + t.partitions - 1) + " but the core has " +
              std::to_string(c.partitions);
        return RAINIER_NC_ERR_ADDRESS;
    }
    if (byte + uint64_t(t.elems) * size > c.partition_bytes) {
        why = op + ": " + std::to_string(t.elems) + " elements of " + std::to_string(size) +
              " bytes from byte " + std::to_string(byte) + " run past the " +
              std::to_string(c.partition_bytes) + "-byte partition";
        return RAINIER_NC_ERR_ADDRESS;
    }
    if (byte % size != 0) {
        why = op + ": not aligned to its " + std::to_string(size) + "-byte elements";
        return RAINIER_NC_ERR_MISALIGNED;
    }
    partitioned_sram& m = out.psum ? m_psum : m_sbuf;
    out.base = m.partition(static_cast<unsigned>(p)) + byte;
    out.stride = c.partition_stride;
    out.first_partition = static_cast<unsigned>(p);
    out.partitions = t.partitions;
    out.elems = t.elems;
    out.elem_size = size;
    out.byte_offset = static_cast<uint32_t>(byte);
    return 0;
}

} // namespace rainier
