// The vector engine's arithmetic (docs/numerics.md, "Vector engine"): the checks of an
// instruction that need no memory, the FP32 operations and functions, and the execution of a
// whole instruction on host memory. Plain C++17, no SystemC: the TLM model, the software
// reference and the tests share it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "numerics.h"
#include "rainier/hw/neuroncore.h"

namespace rainier::vector_ops {

// One element of `dtype` (RAINIER_DT_*) at `p`, as the FP32 value it denotes: subnormals flush
// to a signed zero, NaNs become canonical.
uint32_t load(unsigned dtype, const uint8_t* p);
// Converts an FP32 result into `dtype` at `p`: FP32 is stored flushed (as is otherwise); BF16
// and FP8 go through numerics::convert with `mode` (the LFSR steps only for stochastic
// rounding of finite non-zero values).
void store(unsigned dtype, uint8_t* p, uint32_t fp32, numerics::rounding mode,
           numerics::lfsr32& rng);

// FP32 operations on flushed operands; results flushed, NaN canonical.
uint32_t alu(unsigned op, uint32_t a, uint32_t b);          // RAINIER_ALU_*
uint32_t activation(unsigned func, uint32_t x);             // RAINIER_ACT_*
uint32_t affine(uint32_t x, uint32_t scale, uint32_t bias); // (x * scale) + bias, two roundings

// What src1 is to an instruction.
enum class src1_use { none, tensor, vector };
src1_use src1_kind(const rainier_nc_insn& insn);
unsigned src1_dtype(const rainier_nc_insn& insn); // src_dtype for a tensor, FP32 for a vector

// Everything about an instruction that can be checked without memory: opcode, flags, func,
// round, dtypes, shapes. 0, or a RAINIER_NC_ERR_* code with `why` saying exactly what is wrong.
// Addresses and alignment are the caller's (they depend on the SRAM configuration).
unsigned check(const rainier_nc_insn& insn, std::string& why);

// Engine cycles of an instruction: `overhead` plus one cycle per element streamed in from each
// input tile of one partition (all partitions in parallel): N, or 2N for TENSOR_TENSOR.
uint64_t cycles(const rainier_nc_insn& insn, unsigned overhead);

// An operand in host memory: element [p][i] at base + p * stride + i * RAINIER_DT_SIZE(dtype).
struct tile {
    uint8_t* base = nullptr;
    uint64_t stride = 0;
    unsigned partitions = 0;
    unsigned elems = 0;
    unsigned dtype = RAINIER_DT_FP32;

    uint8_t* at(unsigned p, unsigned i) const {
        return base + p * stride + uint64_t(i) * RAINIER_DT_SIZE(dtype);
    }
};

// Runs checked instructions. Every source element is read before anything is written, so dst
// may overlap the sources in any way (in place included) and reads the old values. Results are
// converted in partition-major, element order: the order in which the LFSR steps.
class executor {
public:
    explicit executor(uint32_t seed) : m_rng(seed) {}

    // `src1` is ignored unless src1_kind(insn) says otherwise.
    void run(const rainier_nc_insn& insn, const tile& dst, const tile& src0, const tile& src1);
    const numerics::lfsr32& rng() const { return m_rng; }

private:
    numerics::lfsr32 m_rng;
    std::vector<uint32_t> m_a, m_b, m_r; // src0, src1, results (FP32 bits)
};

const char* opcode_name(unsigned opcode);
const char* func_name(unsigned opcode, unsigned func);
const char* dtype_name(unsigned dtype);

} // namespace rainier::vector_ops
