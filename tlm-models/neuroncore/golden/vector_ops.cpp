#include "vector_ops.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

// Built with -ffp-contract=off (CMakeLists.txt): a fused multiply-add would round once where
// the contract rounds twice, and only on some hosts.
static_assert(std::numeric_limits<float>::is_iec559, "IEEE binary32 required");
static_assert(std::numeric_limits<double>::is_iec559, "IEEE binary64 required");

namespace rainier::vector_ops {

using namespace rainier::numerics;

namespace {

constexpr uint32_t sign_bit = 0x80000000u;

float f(uint32_t bits) {
    return fp32_from_bits(bits);
}
uint32_t flushed(float v) {
    return fp32_ftz(fp32_to_bits(v));
}

// A binary64 value rounded once to binary32 (RNE), then flushed. Magnitudes from the midpoint
// between FLT_MAX and 2^128 up round to Inf (that tie goes to Inf: FLT_MAX is odd).
uint32_t from_double(double d) {
    if (std::isnan(d)) return fp32_canonical_nan;
    const double inf_from = std::ldexp(2.0 - std::ldexp(1.0, -24), 127);
    if (std::fabs(d) >= inf_from) return (std::signbit(d) ? sign_bit : 0u) | 0x7f800000u;
    return flushed(static_cast<float>(d));
}

const char* const op_names[] = {"activate", "tensor_tensor", "tensor_scalar", "reduce", "copy"};
const char* const act_names[] = {"identity", "relu", "gelu_tanh", "exp", "tanh", "reciprocal"};
const char* const alu_names[] = {"add", "sub", "mul", "max", "min"};

bool is_ve_opcode(unsigned op) {
    return op >= RAINIER_OP_ACTIVATE && op <= RAINIER_OP_COPY;
}

std::string num(unsigned v) {
    return std::to_string(v);
}

std::string hex(unsigned v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

} // namespace

const char* opcode_name(unsigned opcode) {
    if (is_ve_opcode(opcode)) return op_names[opcode - RAINIER_OP_ACTIVATE];
    if (opcode == RAINIER_OP_LOAD_STATIONARY) return "load_stationary";
    if (opcode == RAINIER_OP_MULTIPLY_MOVING) return "multiply_moving";
    return "?";
}

const char* func_name(unsigned opcode, unsigned func) {
    if (opcode == RAINIER_OP_ACTIVATE) return func < RAINIER_ACT_COUNT ? act_names[func] : "?";
    if (opcode == RAINIER_OP_COPY) return "";
    return func < RAINIER_ALU_COUNT ? alu_names[func] : "?";
}

const char* dtype_name(unsigned dtype) {
    switch (dtype) {
    case RAINIER_DT_BF16: return "bf16";
    case RAINIER_DT_FP8_E4M3: return "fp8_e4m3";
    case RAINIER_DT_FP8_E5M2: return "fp8_e5m2";
    case RAINIER_DT_FP32: return "fp32";
    }
    return "?";
}

uint32_t load(unsigned dtype, const uint8_t* p) {
    switch (dtype) {
    case RAINIER_DT_FP32: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return fp32_ftz(v);
    }
    case RAINIER_DT_BF16: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return decode(numerics::dtype::bf16, v);
    }
    case RAINIER_DT_FP8_E4M3: return decode(numerics::dtype::fp8_e4m3, p[0]);
    default: return decode(numerics::dtype::fp8_e5m2, p[0]);
    }
}

void store(unsigned dtype, uint8_t* p, uint32_t fp32, rounding mode, lfsr32& rng) {
    switch (dtype) {
    case RAINIER_DT_FP32: {
        const uint32_t v = fp32_ftz(fp32);
        std::memcpy(p, &v, 4);
        return;
    }
    case RAINIER_DT_BF16: {
        const uint16_t v = to_bf16(fp32, mode, &rng);
        std::memcpy(p, &v, 2);
        return;
    }
    case RAINIER_DT_FP8_E4M3: p[0] = to_fp8(numerics::dtype::fp8_e4m3, fp32, mode, &rng); return;
    default: p[0] = to_fp8(numerics::dtype::fp8_e5m2, fp32, mode, &rng); return;
    }
}

uint32_t alu(unsigned op, uint32_t a, uint32_t b) {
    if (fp32_is_nan(a) || fp32_is_nan(b)) return fp32_canonical_nan;
    const float x = f(a), y = f(b);
    switch (op) {
    case RAINIER_ALU_ADD: return flushed(x + y);
    case RAINIER_ALU_SUB: return flushed(x - y);
    case RAINIER_ALU_MUL: return flushed(x * y);
    // Equal operands differ at most in the sign of zero: max prefers +0, min prefers -0.
    case RAINIER_ALU_MAX: return x == y ? (a & b) : (x > y ? a : b);
    case RAINIER_ALU_MIN: return x == y ? (a | b) : (x < y ? a : b);
    }
    return fp32_canonical_nan;
}

uint32_t affine(uint32_t x, uint32_t scale, uint32_t bias) {
    return alu(RAINIER_ALU_ADD, alu(RAINIER_ALU_MUL, x, scale), bias);
}

uint32_t activation(unsigned func, uint32_t x) {
    if (fp32_is_nan(x)) return fp32_canonical_nan;
    const float v = f(x);
    const double d = v;
    switch (func) {
    case RAINIER_ACT_IDENTITY: return x;
    case RAINIER_ACT_RELU: return v > 0.0f ? x : 0u;
    case RAINIER_ACT_GELU_TANH: {
        if (std::isinf(v)) return v > 0 ? x : sign_bit; // limits: +Inf and -0
        // 0.5 x (1 + tanh(u)) == x / (1 + exp(-2u)): the same function without the
        // cancellation of 1 + tanh(u) for negative x.
        const double u = 0.7978845608028654 * (d + 0.044715 * d * d * d);
        return from_double(d / (1.0 + std::exp(-2.0 * u)));
    }
    case RAINIER_ACT_EXP: return from_double(std::exp(d));
    case RAINIER_ACT_TANH: return from_double(std::tanh(d));
    case RAINIER_ACT_RECIPROCAL: return flushed(1.0f / v);
    }
    return fp32_canonical_nan;
}

src1_use src1_kind(const rainier_nc_insn& insn) {
    switch (insn.opcode) {
    case RAINIER_OP_TENSOR_TENSOR: return src1_use::tensor;
    case RAINIER_OP_ACTIVATE:
        return (insn.flags & RAINIER_NC_FLAG_BIAS_VEC) ? src1_use::vector : src1_use::none;
    case RAINIER_OP_TENSOR_SCALAR:
        return (insn.flags & RAINIER_NC_FLAG_SCALAR_VEC) ? src1_use::vector : src1_use::none;
    default: return src1_use::none;
    }
}

unsigned src1_dtype(const rainier_nc_insn& insn) {
    return src1_kind(insn) == src1_use::tensor ? insn.src_dtype : RAINIER_DT_FP32;
}

unsigned check(const rainier_nc_insn& insn, std::string& why) {
    const unsigned op = insn.opcode;
    if (!is_ve_opcode(op)) {
        if (op == RAINIER_OP_LOAD_STATIONARY || op == RAINIER_OP_MULTIPLY_MOVING)
            why = std::string("opcode ") + opcode_name(op) + " belongs to the tensor engine";
        else
            why = "unknown opcode " + num(op);
        return RAINIER_NC_ERR_OPCODE;
    }
    const std::string name = opcode_name(op);
    // Flags beyond the queue's own (IRQ, SEM, WAIT) must belong to this opcode.
    uint32_t allowed = RAINIER_NC_FLAG_IRQ | RAINIER_NC_FLAG_SEM | RAINIER_NC_FLAG_WAIT;
    if (op == RAINIER_OP_ACTIVATE) allowed |= RAINIER_NC_FLAG_BIAS_VEC;
    if (op == RAINIER_OP_TENSOR_SCALAR)
        allowed |= RAINIER_NC_FLAG_SCALAR_VEC | RAINIER_NC_FLAG_SCALAR_FIRST;
    if (insn.flags & ~allowed) {
        why = "flags " + hex(insn.flags & ~allowed) + " do not apply to " + name;
        return RAINIER_NC_ERR_FIELD;
    }
    const unsigned fn = insn.func;
    if (op == RAINIER_OP_ACTIVATE && fn >= RAINIER_ACT_COUNT) {
        why = "unknown activation function " + num(fn);
        return RAINIER_NC_ERR_FIELD;
    }
    if ((op == RAINIER_OP_TENSOR_TENSOR || op == RAINIER_OP_TENSOR_SCALAR) &&
        fn >= RAINIER_ALU_COUNT) {
        why = "unknown ALU operation " + num(fn) + " for " + name;
        return RAINIER_NC_ERR_FIELD;
    }
    if (op == RAINIER_OP_REDUCE && fn != RAINIER_ALU_ADD && fn != RAINIER_ALU_MAX) {
        why = "reduce takes ALU add or max, not " + num(fn);
        return RAINIER_NC_ERR_FIELD;
    }
    if (op == RAINIER_OP_COPY && fn != 0) {
        why = "copy has no function; func must be 0, not " + num(fn);
        return RAINIER_NC_ERR_FIELD;
    }
    if (insn.round > RAINIER_ROUND_STOCHASTIC) {
        why = "unknown rounding mode " + num(insn.round);
        return RAINIER_NC_ERR_FIELD;
    }
    if (insn.src_dtype > RAINIER_DT_FP32 || insn.dst_dtype > RAINIER_DT_FP32) {
        why = "unknown dtype: src " + num(insn.src_dtype) + ", dst " + num(insn.dst_dtype);
        return RAINIER_NC_ERR_DTYPE;
    }
    const rainier_nc_tile &d = insn.dst, &s = insn.src0, &v = insn.src1;
    auto shape = [](const rainier_nc_tile& t) {
        return std::to_string(t.partitions) + "x" + std::to_string(t.elems);
    };
    const src1_use use = src1_kind(insn);
    if (s.partitions == 0 || s.elems == 0 || d.partitions == 0 || d.elems == 0 ||
        (use != src1_use::none && (v.partitions == 0 || v.elems == 0))) {
        why = "empty tile: dst " + shape(d) + ", src0 " + shape(s) +
              (use != src1_use::none ? ", src1 " + shape(v) : std::string());
        return RAINIER_NC_ERR_SHAPE;
    }
    const unsigned dst_elems = op == RAINIER_OP_REDUCE ? 1u : s.elems;
    if (d.partitions != s.partitions || d.elems != dst_elems) {
        why = "dst is " + shape(d) + " but " + name + " of src0 " + shape(s) + " gives " +
              num(s.partitions) + "x" + num(dst_elems);
        return RAINIER_NC_ERR_SHAPE;
    }
    if (use == src1_use::tensor && (v.partitions != s.partitions || v.elems != s.elems)) {
        why = "src1 is " + shape(v) + " but src0 is " + shape(s);
        return RAINIER_NC_ERR_SHAPE;
    }
    if (use == src1_use::vector && (v.partitions != s.partitions || v.elems != 1)) {
        why = std::string(op == RAINIER_OP_ACTIVATE ? "bias" : "scalar") + " vector src1 is " +
              shape(v) + "; it must be " + num(s.partitions) + "x1 (FP32, one per partition)";
        return RAINIER_NC_ERR_SHAPE;
    }
    return RAINIER_NC_ERR_NONE;
}

uint64_t cycles(const rainier_nc_insn& insn, unsigned overhead) {
    const uint64_t n = insn.src0.elems;
    return overhead + (insn.opcode == RAINIER_OP_TENSOR_TENSOR ? 2 * n : n);
}

void executor::run(const rainier_nc_insn& insn, const tile& dst, const tile& src0,
                   const tile& src1) {
    const unsigned parts = src0.partitions, n = src0.elems;
    const src1_use use = src1_kind(insn);
    m_a.resize(size_t(parts) * n);
    for (unsigned p = 0; p < parts; ++p)
        for (unsigned i = 0; i < n; ++i)
            m_a[size_t(p) * n + i] = load(src0.dtype, src0.at(p, i));
    if (use == src1_use::tensor) {
        m_b.resize(size_t(parts) * n);
        for (unsigned p = 0; p < parts; ++p)
            for (unsigned i = 0; i < n; ++i)
                m_b[size_t(p) * n + i] = load(src1.dtype, src1.at(p, i));
    } else if (use == src1_use::vector) {
        m_b.resize(parts);
        for (unsigned p = 0; p < parts; ++p)
            m_b[p] = load(RAINIER_DT_FP32, src1.at(p, 0));
    }

    const unsigned fn = insn.func;
    const bool reduce = insn.opcode == RAINIER_OP_REDUCE;
    const unsigned out_n = reduce ? 1u : n;
    m_r.resize(size_t(parts) * out_n);
    const uint32_t imm0 = fp32_ftz(fp32_to_bits(insn.imm0));
    const uint32_t imm1 = fp32_ftz(fp32_to_bits(insn.imm1));
    for (unsigned p = 0; p < parts; ++p) {
        const uint32_t* a = &m_a[size_t(p) * n];
        uint32_t* r = &m_r[size_t(p) * out_n];
        switch (insn.opcode) {
        case RAINIER_OP_ACTIVATE: {
            const uint32_t bias = use == src1_use::vector ? m_b[p] : imm1;
            for (unsigned i = 0; i < n; ++i)
                r[i] = activation(fn, affine(a[i], imm0, bias));
            break;
        }
        case RAINIER_OP_TENSOR_TENSOR: {
            const uint32_t* b = &m_b[size_t(p) * n];
            for (unsigned i = 0; i < n; ++i)
                r[i] = alu(fn, a[i], b[i]);
            break;
        }
        case RAINIER_OP_TENSOR_SCALAR: {
            const uint32_t s = use == src1_use::vector ? m_b[p] : imm1;
            const bool first = insn.flags & RAINIER_NC_FLAG_SCALAR_FIRST;
            for (unsigned i = 0; i < n; ++i)
                r[i] = first ? alu(fn, s, a[i]) : alu(fn, a[i], s);
            break;
        }
        case RAINIER_OP_REDUCE: {
            uint32_t acc = a[0];
            for (unsigned i = 1; i < n; ++i)
                acc = alu(fn, acc, a[i]);
            r[0] = acc;
            break;
        }
        default: // COPY
            for (unsigned i = 0; i < n; ++i)
                r[i] = a[i];
            break;
        }
    }

    const rounding mode =
        insn.round == RAINIER_ROUND_STOCHASTIC ? rounding::stochastic : rounding::rne;
    for (unsigned p = 0; p < parts; ++p)
        for (unsigned i = 0; i < out_n; ++i)
            store(dst.dtype, dst.at(p, i), m_r[size_t(p) * out_n + i], mode, m_rng);
}

} // namespace rainier::vector_ops
