// Vector engine on a minimal bench (register bank, semaphores, SBUF, PSUM, an engine queue fed
// from a ring in a host vector). Results are checked against references written here, in
// double precision with their own decoders and RNE encoders, not with the model's code:
// every op and function, every dtype in and out, stochastic rounding (repeatable, seed
// dependent, unbiased), in place and PSUM operands, reduce order, a softmax built from
// instructions, the cost model, and every error path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "core_sram.h"
#include "engine_queue.h"
#include "psum.h"
#include "rainier/hw/memory_map.h"
#include "rainier/hw/neuroncore.h"
#include "sbuf.h"
#include "semaphore_block.h"
#include "vector_engine.h"

using namespace rainier;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

constexpr unsigned parts = 16;
constexpr uint64_t ring_base = 0x10000;
constexpr unsigned ring_size = 32;
constexpr unsigned vq = RAINIER_NC_QUEUE(RAINIER_NC_ENGINE_VECTOR);

// ---- independent reference numerics -------------------------------------------------------

struct format {
    int mbits, bias;
    double max_finite;
    bool has_inf;
    uint32_t sign, inf_bits, nan_bits, sat_bits;
};

format fmt(unsigned dt) {
    switch (dt) {
    case RAINIER_DT_BF16: return {7, 127, std::ldexp(255.0, 120), true, 0x8000, 0x7f80, 0x7fc0, 0};
    case RAINIER_DT_FP8_E4M3: return {3, 7, 448.0, false, 0x80, 0, 0x7f, 0x7e};
    default: return {2, 15, 57344.0, true, 0x80, 0x7c, 0x7e, 0};
    }
}

float bits_f(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}
uint32_t f_bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

// The value an element denotes (subnormals read as signed zeros).
double ref_decode(unsigned dt, uint32_t bits) {
    if (dt == RAINIER_DT_FP32 || dt == RAINIER_DT_BF16) {
        const float v = bits_f(dt == RAINIER_DT_FP32 ? bits : bits << 16);
        if (std::fpclassify(v) == FP_SUBNORMAL) return std::copysign(0.0, v);
        return v;
    }
    const format f = fmt(dt);
    const double s = (bits & 0x80) ? -1.0 : 1.0;
    const unsigned e = (bits & 0x7f) >> f.mbits, m = bits & ((1u << f.mbits) - 1);
    const unsigned emax = (1u << (7 - f.mbits)) - 1;
    if (dt == RAINIER_DT_FP8_E4M3 && e == emax && m == 7) return NAN;
    if (dt == RAINIER_DT_FP8_E5M2 && e == emax) return m ? NAN : s * INFINITY;
    if (e == 0) return s * 0.0;
    return s * std::ldexp(1.0 + std::ldexp(double(m), -f.mbits), int(e) - f.bias);
}

// FP32 `x` into dt with round-to-nearest-even at unbounded exponent range, then flush below
// the smallest normal and overflow to Inf (E4M3: saturate to 448).
uint32_t ref_encode(unsigned dt, float x) {
    if (dt == RAINIER_DT_FP32) {
        if (std::isnan(x)) return 0x7fc00000u;
        if (std::fpclassify(x) == FP_SUBNORMAL) return f_bits(x) & 0x80000000u;
        return f_bits(x);
    }
    const format f = fmt(dt);
    if (std::isnan(x)) return f.nan_bits;
    const uint32_t sign = std::signbit(x) ? f.sign : 0;
    if (x == 0 || std::fpclassify(x) == FP_SUBNORMAL) return sign;
    if (std::isinf(x)) return sign | (f.has_inf ? f.inf_bits : f.sat_bits);
    const double a = std::fabs(double(x));
    int k;
    std::frexp(a, &k);
    const int e = k - 1;
    const double v = std::ldexp(std::nearbyint(std::ldexp(a, f.mbits - e)), e - f.mbits);
    if (v < std::ldexp(1.0, 1 - f.bias)) return sign;
    if (v > f.max_finite) return sign | (f.has_inf ? f.inf_bits : f.sat_bits);
    std::frexp(v, &k);
    const uint32_t man = uint32_t(std::ldexp(v, f.mbits - (k - 1))) - (1u << f.mbits);
    return sign | (uint32_t(k - 1 + f.bias) << f.mbits) | man;
}

// A double result rounded once to FP32, flushed: the FP32 value of every VE operation.
float ref_f32(double d) {
    if (std::isnan(d)) return NAN;
    if (std::fabs(d) >= std::ldexp(2.0 - std::ldexp(1.0, -24), 127))
        return std::copysign(INFINITY, d);
    const float v = float(d);
    return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0f, v) : v;
}

int64_t ordered(uint32_t b) { // float bits -> integers in value order
    return (b & 0x80000000u) ? -int64_t(b & 0x7fffffffu) : int64_t(b);
}

// Same bits, or (with ulps > 0) finite values at most `ulps` apart; NaN only matches NaN.
::testing::AssertionResult near_bits(uint32_t got, uint32_t want, unsigned ulps) {
    const bool gn = std::isnan(bits_f(got)), wn = std::isnan(bits_f(want));
    if (got == want || (ulps > 0 && !gn && !wn && std::llabs(ordered(got) - ordered(want)) <= ulps))
        return ::testing::AssertionSuccess();
    std::ostringstream o;
    o << std::hex << "got 0x" << got << " (" << bits_f(got) << "), want 0x" << want << " ("
      << bits_f(want) << ")";
    return ::testing::AssertionFailure() << o.str();
}

// ---- bench ----------------------------------------------------------------------------------

uint32_t sbuf_addr(unsigned p, unsigned byte) {
    return uint32_t(RAINIER_SBUF_OFFSET + p * RAINIER_SBUF_PARTITION_STRIDE + byte);
}
uint32_t psum_addr(unsigned p, unsigned byte) {
    return uint32_t(RAINIER_PSUM_OFFSET + p * RAINIER_PSUM_PARTITION_STRIDE + byte);
}

sram_config sbuf_cfg() {
    sram_config c;
    c.partitions = parts;
    c.partition_bytes = 64 * 1024;
    c.partition_stride = RAINIER_SBUF_PARTITION_STRIDE;
    return c;
}
sram_config psum_cfg() {
    sram_config c;
    c.partitions = parts;
    c.partition_bytes = c.partition_stride = RAINIER_PSUM_PARTITION_STRIDE;
    return c;
}

// One core's worth: registers, semaphores, SRAMs, the vector queue and its engine.
struct rig {
    register_bank regs;
    semaphore_block sems;
    sbuf sb;
    psum ps;
    core_sram sram;
    std::vector<rainier_nc_insn> ring;
    std::vector<std::pair<uint32_t, bool>> irqs;
    engine_queue q;
    vector_engine ve;
    // The SRAMs' sockets must be bound; the bench itself uses host pointers.
    tlm_utils::simple_initiator_socket<rig> sb_port, ps_port, acc_port, sem_port;

    rig(const std::string& n, const vector_engine_config& cfg)
        : regs(n), sems((n + "_sems").c_str()), sb((n + "_sbuf").c_str(), sbuf_cfg()),
          ps((n + "_psum").c_str(), psum_cfg()), sram(sb, ps), ring(ring_size),
          q(
              n + ".vector", RAINIER_NC_ENGINE_VECTOR, regs, sems,
              [this](uint64_t a, void* d, unsigned len) { return fetch(a, d, len); },
              [this](uint32_t bits, bool set) { irqs.emplace_back(bits, set); }),
          ve((n + "_ve").c_str(), cfg, q, sram), sb_port((n + "_sbuf_port").c_str()),
          ps_port((n + "_psum_port").c_str()), acc_port((n + "_acc_port").c_str()),
          sem_port((n + "_sem_port").c_str()) {
        sem_port.bind(sems.in);
        sb_port.bind(sb.in);
        ps_port.bind(ps.in);
        acc_port.bind(ps.acc);
    }

    bool fetch(uint64_t a, void* d, unsigned len) {
        if (a < ring_base || a + len > ring_base + ring.size() * sizeof(rainier_nc_insn))
            return false;
        std::memcpy(d, reinterpret_cast<uint8_t*>(ring.data()) + (a - ring_base), len);
        return true;
    }

    void access(tlm::tlm_command cmd, unsigned off, void* v, unsigned len) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(off);
        t.set_data_ptr(static_cast<unsigned char*>(v));
        t.set_data_length(len);
        t.set_streaming_width(len);
        regs.transport(t, false);
        if (!t.is_response_ok()) throw std::runtime_error("register access failed");
    }
    void write(unsigned off, uint64_t v, unsigned len = 4) {
        access(tlm::TLM_WRITE_COMMAND, vq + off, &v, len);
    }
    uint64_t read(unsigned off, unsigned len = 4) {
        uint64_t v = 0;
        access(tlm::TLM_READ_COMMAND, vq + off, &v, len);
        return v;
    }
    void setup() {
        write(RAINIER_NC_Q_BASE, ring_base, 8);
        write(RAINIER_NC_Q_SIZE, ring_size);
        write(RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE | RAINIER_NC_Q_CTRL_RESET);
    }
    void submit(const std::vector<rainier_nc_insn>& is) {
        uint32_t tail = uint32_t(read(RAINIER_NC_Q_TAIL));
        for (const auto& i : is)
            ring[tail++ % ring_size] = i;
        write(RAINIER_NC_Q_TAIL, tail);
        write(RAINIER_NC_Q_DOORBELL, 1);
    }
    bool halted() { return read(RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_HALTED; }
    // Submits and waits until all have completed or the queue halts.
    void run(const std::vector<rainier_nc_insn>& is) {
        const uint64_t target = read(RAINIER_NC_Q_COMPLETED) + is.size();
        submit(is);
        const sc_time limit = sc_core::sc_time_stamp() + sc_time(10, sc_core::SC_MS);
        while (read(RAINIER_NC_Q_COMPLETED) < target && !halted()) {
            if (sc_core::sc_time_stamp() > limit) throw std::runtime_error("queue never finished");
            sc_core::wait(sc_time(10, SC_NS));
        }
    }

    uint8_t* host(uint32_t addr) {
        if (addr >= RAINIER_PSUM_OFFSET) {
            const uint64_t o = addr - RAINIER_PSUM_OFFSET;
            return ps.partition(unsigned(o / RAINIER_PSUM_PARTITION_STRIDE)) +
                   o % RAINIER_PSUM_PARTITION_STRIDE;
        }
        return sb.partition(unsigned(addr / RAINIER_SBUF_PARTITION_STRIDE)) +
               addr % RAINIER_SBUF_PARTITION_STRIDE;
    }
    // Raw element bits of a P x N tile at `addr` (partition stride from its SRAM).
    void put(uint32_t addr, unsigned dt, unsigned n, const std::vector<uint32_t>& v) {
        const uint64_t stride = addr >= RAINIER_PSUM_OFFSET ? RAINIER_PSUM_PARTITION_STRIDE
                                                            : RAINIER_SBUF_PARTITION_STRIDE;
        const unsigned size = RAINIER_DT_SIZE(dt);
        for (size_t k = 0; k < v.size(); ++k)
            std::memcpy(host(uint32_t(addr + (k / n) * stride + (k % n) * size)), &v[k], size);
    }
    std::vector<uint32_t> get(uint32_t addr, unsigned dt, unsigned p, unsigned n) {
        const uint64_t stride = addr >= RAINIER_PSUM_OFFSET ? RAINIER_PSUM_PARTITION_STRIDE
                                                            : RAINIER_SBUF_PARTITION_STRIDE;
        const unsigned size = RAINIER_DT_SIZE(dt);
        std::vector<uint32_t> v(size_t(p) * n, 0);
        for (size_t k = 0; k < v.size(); ++k)
            std::memcpy(&v[k], host(uint32_t(addr + (k / n) * stride + (k % n) * size)), size);
        return v;
    }
};

struct bench : sc_core::sc_module {
    std::vector<std::unique_ptr<rig>> rigs;
    std::function<void(bench&)> body;
    bool finished = false;

    explicit bench(std::vector<vector_engine_config> cfgs = {vector_engine_config{}},
                   sc_core::sc_module_name name = "bench")
        : sc_module(name) {
        for (size_t i = 0; i < cfgs.size(); ++i)
            rigs.push_back(std::make_unique<rig>("core" + std::to_string(i), cfgs[i]));
        SC_HAS_PROCESS(bench);
        SC_THREAD(main);
    }
    rig& r(size_t i = 0) { return *rigs[i]; }
    void main() {
        for (auto& x : rigs)
            x->setup();
        body(*this);
        finished = true;
        sc_core::sc_stop();
    }
    void start() {
        sc_core::sc_start();
        ASSERT_TRUE(finished) << "the driver never finished";
    }
};

rainier_nc_tile tile(uint32_t addr, unsigned p, unsigned n) {
    return {addr, uint16_t(p), uint16_t(n)};
}

rainier_nc_insn insn(uint8_t op, uint8_t func, unsigned src_dt, unsigned dst_dt,
                     rainier_nc_tile dst, rainier_nc_tile src0) {
    rainier_nc_insn i{};
    i.opcode = op;
    i.func = func;
    i.src_dtype = uint8_t(src_dt);
    i.dst_dtype = uint8_t(dst_dt);
    i.dst = dst;
    i.src0 = src0;
    i.imm0 = 1.0f;
    return i;
}

std::vector<uint32_t> floats(size_t n, float lo, float hi, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<uint32_t> v(n);
    for (auto& x : v)
        x = f_bits(d(g));
    return v;
}

const unsigned all_dtypes[] = {RAINIER_DT_FP32, RAINIER_DT_BF16, RAINIER_DT_FP8_E4M3,
                               RAINIER_DT_FP8_E5M2};

} // namespace

// Every function on FP32 against double/long-double references: exact where the operation is
// one IEEE rounding, within 1 ulp for the libm-based exp, tanh and gelu; special values exact.
TEST(vector_engine, ActivationFunctionsMatchTheReference) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 256;
        std::vector<uint32_t> x = floats(parts * n, -12.0f, 12.0f, 1);
        const uint32_t specials[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                     0x00000001, 0x80400000, 0x3f800000, 0xbf800000, 0x42b40000,
                                     0xc2c80000, 0x7f7fffff, 0x00800000, 0x3c000000};
        std::copy(std::begin(specials), std::end(specials), x.begin());
        r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, n, x);
        const float scale = 0.75f, bias = -0.5f;
        for (uint8_t fn = 0; fn < RAINIER_ACT_COUNT; ++fn) {
            for (int affine = 0; affine < 2; ++affine) {
                rainier_nc_insn i =
                    insn(RAINIER_OP_ACTIVATE, fn, RAINIER_DT_FP32, RAINIER_DT_FP32,
                         tile(sbuf_addr(0, 4096), parts, n), tile(sbuf_addr(0, 0), parts, n));
                if (affine) i.imm0 = scale, i.imm1 = bias;
                r.run({i});
                ASSERT_FALSE(r.halted());
                const auto y = r.get(sbuf_addr(0, 4096), RAINIER_DT_FP32, parts, n);
                for (size_t k = 0; k < x.size(); ++k) {
                    const double v = ref_decode(RAINIER_DT_FP32, x[k]);
                    // FP32 inside: (x * scale) rounded, + bias rounded.
                    const float t = affine ? ref_f32(double(ref_f32(v * scale)) + bias)
                                           : ref_f32(v * 1.0 + 0.0);
                    const long double l = t;
                    long double want = 0;
                    unsigned ulps = 0;
                    switch (fn) {
                    case RAINIER_ACT_IDENTITY: want = t; break;
                    case RAINIER_ACT_RELU: want = std::isnan(t) ? t : (t > 0 ? t : 0.0f); break;
                    case RAINIER_ACT_RECIPROCAL: want = ref_f32(1.0 / double(t)); break;
                    case RAINIER_ACT_EXP: want = std::exp(l), ulps = 1; break;
                    case RAINIER_ACT_TANH: want = std::tanh(l), ulps = 1; break;
                    case RAINIER_ACT_GELU_TANH: {
                        const long double u = std::sqrt(2.0L / 3.14159265358979323846264338L) *
                                              (l + 0.044715L * l * l * l);
                        want = std::isinf(t) ? (t > 0 ? l : -0.0L)
                               : t > -3      ? 0.5L * l * (1.0L + std::tanh(u))
                                             : l / (1.0L + std::exp(-2.0L * u));
                        ulps = 1;
                        break;
                    }
                    }
                    const uint32_t w = f_bits(ref_f32(double(want)));
                    ASSERT_TRUE(near_bits(y[k], w, ulps))
                        << "func " << int(fn) << " affine " << affine << " x=" << bits_f(x[k])
                        << " t=" << t;
                }
            }
        }
        // Edge values of the definitions (docs/numerics.md).
        // Bias -0, the additive identity: the function sees x itself (a +0 bias turns -0 to +0).
        auto one = [&](uint8_t fn, uint32_t in, float bias = -0.0f) {
            r.put(sbuf_addr(0, 8192), RAINIER_DT_FP32, 1, {in});
            rainier_nc_insn i =
                insn(RAINIER_OP_ACTIVATE, fn, RAINIER_DT_FP32, RAINIER_DT_FP32,
                     tile(sbuf_addr(0, 8196), 1, 1), tile(sbuf_addr(0, 8192), 1, 1));
            i.imm1 = bias;
            r.run({i});
            return r.get(sbuf_addr(0, 8196), RAINIER_DT_FP32, 1, 1)[0];
        };
        EXPECT_EQ(one(RAINIER_ACT_IDENTITY, 0x80000000), 0x80000000u);
        EXPECT_EQ(one(RAINIER_ACT_IDENTITY, 0x80000000, 0.0f), 0u);      // -0 + +0 = +0
        EXPECT_EQ(one(RAINIER_ACT_RELU, 0x80000000), 0u);                // relu(-0) = +0
        EXPECT_EQ(one(RAINIER_ACT_RELU, 0xffc12345), 0x7fc00000u);       // NaN in, canonical out
        EXPECT_EQ(one(RAINIER_ACT_RECIPROCAL, 0x80000000), 0xff800000u); // 1/-0 = -Inf
        EXPECT_EQ(one(RAINIER_ACT_RECIPROCAL, 0x7f000000), 0u);          // 1/2^127 subnormal -> +0
        EXPECT_EQ(one(RAINIER_ACT_EXP, 0xff800000), 0u);                 // exp(-Inf) = +0
        EXPECT_EQ(one(RAINIER_ACT_EXP, 0x42c80000), 0x7f800000u);        // exp(100) = Inf
        EXPECT_EQ(one(RAINIER_ACT_EXP, 0xc2c80000), 0u);                 // exp(-100) flushes
        EXPECT_EQ(one(RAINIER_ACT_GELU_TANH, 0xff800000), 0x80000000u);  // gelu(-Inf) = -0
        EXPECT_EQ(one(RAINIER_ACT_GELU_TANH, 0x7f800000), 0x7f800000u);
        EXPECT_EQ(one(RAINIER_ACT_TANH, 0x80000000), 0x80000000u);
        EXPECT_EQ(one(RAINIER_ACT_TANH, 0xff800000), 0xbf800000u);
    };
    b.start();
}

// COPY and a scaled ACTIVATE identity for every (src, dst) dtype pair, RNE, on every bit
// pattern of the 8-bit types and random patterns of the others (NaN, Inf, subnormals
// included), with sources in SBUF and destinations in PSUM.
TEST(vector_engine, EveryDtypeInAndOutWithRne) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 512;
        std::mt19937 g(2);
        for (unsigned sdt : all_dtypes) {
            std::vector<uint32_t> x(parts * n);
            for (size_t k = 0; k < x.size(); ++k) {
                if (RAINIER_DT_SIZE(sdt) == 1)
                    x[k] = uint32_t(k & 0xff);
                else if (sdt == RAINIER_DT_BF16)
                    x[k] = g() & 0xffff;
                else
                    x[k] = (k % 3 == 0) ? g() : (f_bits(float(int(g() % 2001) - 1000) / 64.0f));
            }
            r.put(sbuf_addr(0, 0), sdt, n, x);
            for (unsigned ddt : all_dtypes)
                for (uint8_t op : {RAINIER_OP_COPY, RAINIER_OP_ACTIVATE}) {
                    rainier_nc_insn i = insn(op, 0, sdt, ddt, tile(psum_addr(0, 0), parts, n),
                                             tile(sbuf_addr(0, 0), parts, n));
                    i.imm0 = op == RAINIER_OP_COPY ? 0.0f : 0.3f; // ignored by COPY
                    i.imm1 = 0.0f;
                    r.run({i});
                    ASSERT_FALSE(r.halted());
                    const auto y = r.get(psum_addr(0, 0), ddt, parts, n);
                    for (size_t k = 0; k < x.size(); ++k) {
                        const double v = ref_decode(sdt, x[k]);
                        const float t = op == RAINIER_OP_COPY
                                            ? ref_f32(v)
                                            : ref_f32(double(ref_f32(v * 0.3f)) + 0.0);
                        ASSERT_EQ(y[k], ref_encode(ddt, t))
                            << "op " << int(op) << " src dtype " << sdt << " dst dtype " << ddt
                            << " in 0x" << std::hex << x[k];
                    }
                }
        }
    };
    b.start();
}

// TENSOR_TENSOR: every ALU op on BF16 and E5M2 inputs, FP32 and BF16 outputs; max/min NaN and
// signed-zero rules; Inf - Inf.
TEST(vector_engine, TensorTensorAluOps) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 200;
        std::mt19937 g(3);
        for (unsigned sdt : {RAINIER_DT_BF16, RAINIER_DT_FP8_E5M2})
            for (unsigned ddt : {RAINIER_DT_FP32, RAINIER_DT_BF16}) {
                std::vector<uint32_t> x(parts * n), y(parts * n);
                const uint32_t mask = sdt == RAINIER_DT_BF16 ? 0xffff : 0xff;
                for (size_t k = 0; k < x.size(); ++k)
                    x[k] = g() & mask, y[k] = g() & mask;
                if (sdt == RAINIER_DT_BF16) { // signed zeros, Inf - Inf, NaN
                    x[0] = 0x8000, y[0] = 0x0000;
                    x[1] = 0x0000, y[1] = 0x8000;
                    x[2] = 0x7f80, y[2] = 0x7f80;
                    x[3] = 0x7fc1, y[3] = 0x3f80;
                    x[4] = 0x3f80, y[4] = 0xffc0;
                }
                r.put(sbuf_addr(0, 0), sdt, n, x);
                r.put(sbuf_addr(0, 2048), sdt, n, y);
                for (uint8_t op = 0; op < RAINIER_ALU_COUNT; ++op) {
                    rainier_nc_insn i =
                        insn(RAINIER_OP_TENSOR_TENSOR, op, sdt, ddt,
                             tile(sbuf_addr(0, 4096), parts, n), tile(sbuf_addr(0, 0), parts, n));
                    i.src1 = tile(sbuf_addr(0, 2048), parts, n);
                    r.run({i});
                    ASSERT_FALSE(r.halted());
                    const auto z = r.get(sbuf_addr(0, 4096), ddt, parts, n);
                    for (size_t k = 0; k < x.size(); ++k) {
                        const double a = ref_decode(sdt, x[k]), c = ref_decode(sdt, y[k]);
                        float t;
                        switch (op) {
                        case RAINIER_ALU_ADD: t = ref_f32(a + c); break;
                        case RAINIER_ALU_SUB: t = ref_f32(a - c); break;
                        case RAINIER_ALU_MUL: t = ref_f32(a * c); break;
                        case RAINIER_ALU_MAX:
                            if (std::isnan(a) || std::isnan(c))
                                t = NAN;
                            else if (a == 0 && c == 0)
                                t = std::signbit(a) && std::signbit(c) ? -0.0f : 0.0f;
                            else
                                t = float(std::max(a, c));
                            break;
                        default:
                            if (std::isnan(a) || std::isnan(c))
                                t = NAN;
                            else if (a == 0 && c == 0)
                                t = std::signbit(a) || std::signbit(c) ? -0.0f : 0.0f;
                            else
                                t = float(std::min(a, c));
                            break;
                        }
                        ASSERT_EQ(z[k], ref_encode(ddt, t))
                            << "alu " << int(op) << " " << a << " , " << c << " dtypes " << sdt
                            << "->" << ddt;
                    }
                }
            }
    };
    b.start();
}

// TENSOR_SCALAR with the immediate, with a per-partition scalar vector (in PSUM), and with the
// operands swapped (matters for SUB); ACTIVATE with a bias vector.
TEST(vector_engine, ScalarAndBiasOperands) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 64;
        const auto x = floats(parts * n, -4, 4, 4);
        std::vector<uint32_t> vec(parts);
        for (unsigned p = 0; p < parts; ++p)
            vec[p] = f_bits(0.25f * float(p) - 1.5f);
        r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, n, x);
        r.put(psum_addr(0, 512), RAINIER_DT_FP32, 1, vec);
        for (int vector = 0; vector < 2; ++vector)
            for (int first = 0; first < 2; ++first) {
                rainier_nc_insn i = insn(RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_SUB, RAINIER_DT_FP32,
                                         RAINIER_DT_FP32, tile(sbuf_addr(0, 1024), parts, n),
                                         tile(sbuf_addr(0, 0), parts, n));
                i.imm1 = 2.5f;
                if (vector) {
                    i.flags |= RAINIER_NC_FLAG_SCALAR_VEC;
                    i.src1 = tile(psum_addr(0, 512), parts, 1);
                }
                if (first) i.flags |= RAINIER_NC_FLAG_SCALAR_FIRST;
                r.run({i});
                ASSERT_FALSE(r.halted());
                const auto y = r.get(sbuf_addr(0, 1024), RAINIER_DT_FP32, parts, n);
                for (size_t k = 0; k < x.size(); ++k) {
                    const double a = bits_f(x[k]);
                    const double s = vector ? bits_f(vec[k / n]) : 2.5;
                    ASSERT_EQ(y[k], f_bits(ref_f32(first ? s - a : a - s)))
                        << "vector " << vector << " first " << first << " k " << k;
                }
            }
        rainier_nc_insn i =
            insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_RELU, RAINIER_DT_FP32, RAINIER_DT_BF16,
                 tile(sbuf_addr(0, 1024), parts, n), tile(sbuf_addr(0, 0), parts, n));
        i.flags = RAINIER_NC_FLAG_BIAS_VEC;
        i.imm0 = -2.0f;
        i.imm1 = 1000.0f; // ignored: the bias comes from the vector
        i.src1 = tile(psum_addr(0, 512), parts, 1);
        r.run({i});
        ASSERT_FALSE(r.halted());
        const auto y = r.get(sbuf_addr(0, 1024), RAINIER_DT_BF16, parts, n);
        for (size_t k = 0; k < x.size(); ++k) {
            const float t = ref_f32(double(ref_f32(bits_f(x[k]) * -2.0)) + bits_f(vec[k / n]));
            ASSERT_EQ(y[k], ref_encode(RAINIER_DT_BF16, t > 0 ? t : 0.0f)) << k;
        }
    };
    b.start();
}

// REDUCE adds in element order (2^24 + 1 + 1 ... stays 2^24 in FP32; the reverse order would
// not), max follows the NaN and signed-zero rules, and the result is P x 1 in any dtype.
TEST(vector_engine, ReduceSumInElementOrderAndMax) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 100;
        std::vector<uint32_t> x = floats(parts * n, -3, 3, 5);
        for (unsigned i = 0; i < n; ++i) // partition 0: 2^24 then ones
            x[i] = f_bits(i == 0 ? 16777216.0f : 1.0f);
        for (unsigned i = 0; i < n; ++i) // partition 1: zeros of both signs
            x[n + i] = i % 2 ? 0x80000000u : 0u;
        for (unsigned i = 0; i < n; ++i) // partition 2: all -0
            x[2 * n + i] = 0x80000000u;
        x[3 * n + 57] = 0x7fc00000u; // partition 3: a NaN
        r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, n, x);
        for (uint8_t fn : {RAINIER_ALU_ADD, RAINIER_ALU_MAX})
            for (unsigned ddt : {RAINIER_DT_FP32, RAINIER_DT_BF16}) {
                r.run({insn(RAINIER_OP_REDUCE, fn, RAINIER_DT_FP32, ddt,
                            tile(psum_addr(0, 0), parts, 1), tile(sbuf_addr(0, 0), parts, n))});
                ASSERT_FALSE(r.halted());
                const auto y = r.get(psum_addr(0, 0), ddt, parts, 1);
                for (unsigned p = 0; p < parts; ++p) {
                    float acc = bits_f(x[p * n]);
                    for (unsigned i = 1; i < n; ++i) {
                        const float v = bits_f(x[p * n + i]);
                        if (fn == RAINIER_ALU_ADD)
                            acc = ref_f32(double(acc) + v);
                        else if (std::isnan(acc) || std::isnan(v))
                            acc = NAN;
                        else if (v > acc || (v == 0 && acc == 0 && !std::signbit(v)))
                            acc = v;
                    }
                    ASSERT_EQ(y[p], ref_encode(ddt, acc)) << "fn " << int(fn) << " p " << p;
                }
                if (fn == RAINIER_ALU_ADD && ddt == RAINIER_DT_FP32) {
                    EXPECT_EQ(bits_f(y[0]), 16777216.0f); // element order, not 2^24 + 99
                    EXPECT_EQ(y[2], 0x80000000u);         // -0 + -0 ... = -0
                }
                if (fn == RAINIER_ALU_MAX && ddt == RAINIER_DT_FP32) {
                    EXPECT_EQ(y[1], 0u);          // max(-0, +0) = +0
                    EXPECT_EQ(y[2], 0x80000000u); // all -0
                    EXPECT_EQ(y[3], 0x7fc00000u); // NaN
                }
            }
    };
    b.start();
}

// In place (dst == src0) in PSUM, and a destination overlapping the source shifted by one
// element: the result is as if every source element were read before any write.
TEST(vector_engine, InPlaceAndOverlappingOperands) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 128;
        const auto x = floats(parts * n, -2, 2, 6);
        r.put(psum_addr(0, 0), RAINIER_DT_FP32, n, x);
        rainier_nc_insn i =
            insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_EXP, RAINIER_DT_FP32, RAINIER_DT_FP32,
                 tile(psum_addr(0, 0), parts, n), tile(psum_addr(0, 0), parts, n));
        r.run({i});
        ASSERT_FALSE(r.halted());
        auto y = r.get(psum_addr(0, 0), RAINIER_DT_FP32, parts, n);
        for (size_t k = 0; k < x.size(); ++k)
            ASSERT_TRUE(near_bits(y[k], f_bits(ref_f32(std::exp(double(bits_f(x[k]))))), 1));

        // BF16 -> FP32 in place: the destination is twice as wide as the source.
        std::vector<uint32_t> h(parts * n);
        for (size_t k = 0; k < h.size(); ++k)
            h[k] = f_bits(float(int(k % 97) - 48) * 0.125f) >> 16;
        r.put(sbuf_addr(0, 0), RAINIER_DT_BF16, n, h);
        r.run({insn(RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_MUL, RAINIER_DT_BF16, RAINIER_DT_FP32,
                    tile(sbuf_addr(0, 0), parts, n), tile(sbuf_addr(0, 0), parts, n))});
        ASSERT_FALSE(r.halted());
        y = r.get(sbuf_addr(0, 0), RAINIER_DT_FP32, parts, n);
        for (size_t k = 0; k < h.size(); ++k) // imm1 = 0: x * 0 = signed zero
            ASSERT_EQ(y[k], f_bits(float(ref_decode(RAINIER_DT_BF16, h[k]) * 0.0))) << k;

        // Shifted overlap, and across partitions: dst starts one partition and one element on.
        r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, n, x);
        rainier_nc_insn c =
            insn(RAINIER_OP_COPY, 0, RAINIER_DT_FP32, RAINIER_DT_FP32,
                 tile(sbuf_addr(1, 4), parts - 1, n), tile(sbuf_addr(0, 0), parts - 1, n));
        r.run({c});
        ASSERT_FALSE(r.halted());
        y = r.get(sbuf_addr(1, 4), RAINIER_DT_FP32, parts - 1, n);
        for (size_t k = 0; k < size_t(parts - 1) * n; ++k)
            ASSERT_EQ(y[k], x[k]) << k;
    };
    b.start();
}

// Stochastic rounding: the same seed gives the same bits on another engine, another seed
// differs, the LFSR runs on across instructions, and the mean is unbiased.
TEST(vector_engine, StochasticRoundingIsRepeatableAndUnbiased) {
    vector_engine_config a, c;
    a.seed = 7;
    c.seed = 8;
    bench b({a, a, c});
    b.body = [](bench& b) {
        const unsigned n = 4096;
        // 1 + 0.3 ulp(bf16) and friends: not representable in BF16 or FP8.
        std::vector<uint32_t> x(parts * n);
        const float base[] = {1.0f + 0.3f / 128, -3.0f - 0.7f / 64, 102.3f};
        for (size_t k = 0; k < x.size(); ++k)
            x[k] = f_bits(base[(k / n) % 3]);
        std::vector<std::vector<uint32_t>> out[3];
        for (unsigned ri = 0; ri < 3; ++ri) {
            rig& r = b.r(ri);
            r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, n, x);
            for (unsigned ddt : {RAINIER_DT_BF16, RAINIER_DT_FP8_E4M3, RAINIER_DT_BF16}) {
                rainier_nc_insn i =
                    insn(RAINIER_OP_COPY, 0, RAINIER_DT_FP32, ddt,
                         tile(sbuf_addr(0, 32768), parts, n), tile(sbuf_addr(0, 0), parts, n));
                i.round = RAINIER_ROUND_STOCHASTIC;
                r.run({i});
                ASSERT_FALSE(r.halted());
                out[ri].push_back(r.get(sbuf_addr(0, 32768), ddt, parts, n));
            }
        }
        for (size_t j = 0; j < out[0].size(); ++j) {
            EXPECT_EQ(out[0][j], out[1][j]) << "same seed, instruction " << j;
            EXPECT_NE(out[0][j], out[2][j]) << "other seed, instruction " << j;
        }
        EXPECT_NE(out[0][0], out[0][2]) << "the LFSR must run on across instructions";

        // Unbiased: each conversion picks lo or hi with P(hi) = (x - lo) / (hi - lo); the mean of
        // n of them has standard deviation (hi - lo) sqrt(p (1 - p) / n). Allow 6 of them.
        for (size_t j = 0; j < out[0].size(); ++j) {
            const unsigned ddt = j == 1 ? RAINIER_DT_FP8_E4M3 : RAINIER_DT_BF16;
            for (unsigned p = 0; p < 3; ++p) {
                const double v = base[p];
                double lo = INFINITY, hi = -INFINITY, sum = 0;
                for (unsigned i = 0; i < n; ++i) {
                    const double d = ref_decode(ddt, out[0][j][p * n + i]);
                    lo = std::min(lo, d), hi = std::max(hi, d), sum += d;
                }
                ASSERT_LE(lo, v);
                ASSERT_GE(hi, v);
                const double q = (v - lo) / (hi - lo);
                const double sigma = (hi - lo) * std::sqrt(q * (1 - q) / n);
                EXPECT_NEAR(sum / n, v, 6 * sigma) << "dtype " << ddt << " value " << v;
                // RNE would be biased by at least min(q, 1 - q) (hi - lo) >> 6 sigma.
                EXPECT_GT(std::min(q, 1 - q) * (hi - lo), 6 * sigma);
            }
        }
    };
    b.start();
}

// softmax(x) per partition from instructions: reduce max, negate, exp with the bias vector,
// reduce add, reciprocal, multiply by the scalar vector. Against double within a bound derived
// from the FP32 steps: with u = 2^-24, x - max is off by at most 16u (|x - max| <= 16), so
// each exp by 17u relative; the sum adds (N - 1)u; reciprocal and product u each:
// |y - y_ref| <= (2 * 17 + N - 1 + 2) u y_ref.
TEST(vector_engine, SoftmaxFromInstructions) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 256;
        const auto x = floats(parts * n, -8, 8, 9);
        const uint32_t X = sbuf_addr(0, 0), E = sbuf_addr(0, 2048), Y = sbuf_addr(0, 4096);
        const uint32_t M = psum_addr(0, 0), NM = psum_addr(0, 4), S = psum_addr(0, 8),
                       R = psum_addr(0, 12);
        r.put(X, RAINIER_DT_FP32, n, x);
        const unsigned f32 = RAINIER_DT_FP32;
        rainier_nc_insn mx = insn(RAINIER_OP_REDUCE, RAINIER_ALU_MAX, f32, f32, tile(M, parts, 1),
                                  tile(X, parts, n));
        rainier_nc_insn neg = insn(RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_MUL, f32, f32,
                                   tile(NM, parts, 1), tile(M, parts, 1));
        neg.imm1 = -1.0f;
        rainier_nc_insn ex = insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_EXP, f32, f32, tile(E, parts, n),
                                  tile(X, parts, n));
        ex.flags = RAINIER_NC_FLAG_BIAS_VEC;
        ex.src1 = tile(NM, parts, 1);
        rainier_nc_insn sum = insn(RAINIER_OP_REDUCE, RAINIER_ALU_ADD, f32, f32, tile(S, parts, 1),
                                   tile(E, parts, n));
        rainier_nc_insn rec = insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_RECIPROCAL, f32, f32,
                                   tile(R, parts, 1), tile(S, parts, 1));
        rainier_nc_insn mul = insn(RAINIER_OP_TENSOR_SCALAR, RAINIER_ALU_MUL, f32, f32,
                                   tile(Y, parts, n), tile(E, parts, n));
        mul.flags = RAINIER_NC_FLAG_SCALAR_VEC;
        mul.src1 = tile(R, parts, 1);
        r.run({mx, neg, ex, sum, rec, mul});
        ASSERT_FALSE(r.halted());
        ASSERT_EQ(r.read(RAINIER_NC_Q_COMPLETED), 6u);
        const auto y = r.get(Y, f32, parts, n);
        const double bound = (2 * 17 + n - 1 + 2) * std::ldexp(1.0, -24);
        double worst = 0;
        for (unsigned p = 0; p < parts; ++p) {
            double m = -INFINITY, s = 0;
            for (unsigned i = 0; i < n; ++i)
                m = std::max(m, double(bits_f(x[p * n + i])));
            for (unsigned i = 0; i < n; ++i)
                s += std::exp(double(bits_f(x[p * n + i])) - m);
            for (unsigned i = 0; i < n; ++i) {
                const double want = std::exp(double(bits_f(x[p * n + i])) - m) / s;
                const double rel = std::fabs(bits_f(y[p * n + i]) - want) / want;
                worst = std::max(worst, rel);
                ASSERT_LE(rel, bound) << "p " << p << " i " << i;
            }
        }
        RecordProperty("worst_relative_error", std::to_string(worst));
    };
    b.start();
}

// Cost: overhead + N cycles (2N for TENSOR_TENSOR) at the engine clock, back to back; BUSY_CYCLES
// counts them; the timeline has one slice per instruction.
TEST(vector_engine, DurationIsOverheadPlusElementCycles) {
    vector_engine_config ghz;
    ghz.clock_hz = 1e9;
    ghz.overhead_cycles = 64;
    bench b({ghz, vector_engine_config{}});
    const std::string path = ::testing::TempDir() + "ve_timeline.json";
    auto trace = std::make_unique<timeline>(path);
    b.r(0).ve.attach_probes({nullptr, trace.get()}, "chip0", "core0.vector");
    b.body = [](bench& b) {
        for (unsigned ri = 0; ri < 2; ++ri) {
            rig& r = b.r(ri);
            const vector_engine_config& cfg = r.ve.cfg();
            uint64_t expect_cycles = 0;
            for (unsigned n : {1u, 100u, 512u, 4000u}) {
                for (uint8_t op : {RAINIER_OP_ACTIVATE, RAINIER_OP_TENSOR_TENSOR}) {
                    rainier_nc_insn i =
                        insn(op, 0, RAINIER_DT_BF16, RAINIER_DT_BF16,
                             tile(sbuf_addr(0, 16384), parts, n), tile(sbuf_addr(0, 0), parts, n));
                    i.src1 = tile(sbuf_addr(0, 8192), parts, n);
                    i.flags = RAINIER_NC_FLAG_SEM;
                    i.sem_id = 1;
                    i.sem_inc = 1;
                    const uint64_t cycles =
                        cfg.overhead_cycles + (op == RAINIER_OP_TENSOR_TENSOR ? 2 * n : n);
                    const uint32_t before = r.sems.value(1);
                    const sc_time t0 = sc_core::sc_time_stamp();
                    r.submit({i});
                    while (r.sems.value(1) == before)
                        sc_core::wait(r.sems.changed());
                    const sc_time took = sc_core::sc_time_stamp() - t0;
                    if (ri == 0)
                        EXPECT_EQ(took, sc_time(double(cycles), SC_NS)) << "n " << n;
                    else
                        EXPECT_EQ(took, sc_time(double(cycles) / 0.96e9, sc_core::SC_SEC));
                    expect_cycles += cycles;
                }
            }
            EXPECT_EQ(r.read(RAINIER_NC_Q_BUSY_CYCLES, 8), expect_cycles);
            EXPECT_EQ(r.ve.instructions(), 8u);
            EXPECT_EQ(r.ve.elements(), uint64_t(parts) * (1 + 100 + 512 + 4000) * 2);
        }
        // Back to back: three instructions take exactly the sum.
        rig& r = b.r(0);
        rainier_nc_insn i =
            insn(RAINIER_OP_COPY, 0, RAINIER_DT_FP32, RAINIER_DT_FP32,
                 tile(sbuf_addr(0, 16384), parts, 300), tile(sbuf_addr(0, 0), parts, 300));
        rainier_nc_insn last = i;
        last.flags = RAINIER_NC_FLAG_SEM;
        last.sem_id = 2;
        last.sem_inc = 1;
        const sc_time t0 = sc_core::sc_time_stamp();
        r.submit({i, i, last});
        while (r.sems.value(2) == 0)
            sc_core::wait(r.sems.changed());
        EXPECT_EQ(sc_core::sc_time_stamp() - t0, sc_time(3.0 * (64 + 300), SC_NS));
    };
    b.start();
    trace->close();
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    EXPECT_NE(s.find("\"tensor_tensor.add\""), std::string::npos);
    EXPECT_NE(s.find("\"activate.identity\""), std::string::npos);
    EXPECT_NE(s.find("\"cycles\":4064"), std::string::npos);
}

// An instruction waiting on a semaphore starts when it is raised; its completion adds sem_inc.
TEST(vector_engine, WaitsForItsSemaphore) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        r.put(sbuf_addr(0, 0), RAINIER_DT_FP32, 1, {f_bits(2.0f)});
        rainier_nc_insn i =
            insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_EXP, RAINIER_DT_FP32, RAINIER_DT_FP32,
                 tile(sbuf_addr(0, 4), 1, 1), tile(sbuf_addr(0, 0), 1, 1));
        i.flags = RAINIER_NC_FLAG_WAIT | RAINIER_NC_FLAG_SEM;
        i.wait_sem = 3;
        i.wait_value = 2;
        i.sem_id = 4;
        i.sem_inc = 5;
        i.tag = 0x1234;
        r.submit({i});
        sc_core::wait(sc_time(1, sc_core::SC_US));
        EXPECT_EQ(r.read(RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_WAITING,
                  RAINIER_NC_Q_STATUS_WAITING);
        r.sems.add(3, 1);
        sc_core::wait(sc_time(1, sc_core::SC_US));
        EXPECT_EQ(r.read(RAINIER_NC_Q_COMPLETED), 0u);
        const sc_time t0 = sc_core::sc_time_stamp();
        r.sems.add(3, 1);
        while (r.sems.value(4) == 0)
            sc_core::wait(r.sems.changed());
        EXPECT_EQ(sc_core::sc_time_stamp() - t0, r.ve.cycle_time(100 + 1));
        EXPECT_EQ(r.sems.value(4), 5u);
        EXPECT_EQ(r.read(RAINIER_NC_Q_LAST_TAG), 0x1234u);
        EXPECT_EQ(r.get(sbuf_addr(0, 4), RAINIER_DT_FP32, 1, 1)[0], f_bits(float(std::exp(2.0))));
    };
    b.start();
}

// Every bad field: the right code, the queue halted at that instruction with the error
// interrupt, and the next instruction not executed. Then a fixed instruction resumes.
TEST(vector_engine, ErrorsHaltTheQueueWithTheRightCode) {
    bench b;
    b.body = [](bench& b) {
        rig& r = b.r();
        const unsigned n = 32;
        const rainier_nc_insn good =
            insn(RAINIER_OP_ACTIVATE, RAINIER_ACT_IDENTITY, RAINIER_DT_FP32, RAINIER_DT_FP32,
                 tile(sbuf_addr(0, 1024), parts, n), tile(sbuf_addr(0, 0), parts, n));
        rainier_nc_insn marker = good; // writes 7.0 at partition 0 byte 8192 when it runs
        marker.dst = tile(sbuf_addr(0, 8192), 1, 1);
        marker.src0 = tile(sbuf_addr(0, 8196), 1, 1);
        r.put(sbuf_addr(0, 8196), RAINIER_DT_FP32, 1, {f_bits(7.0f)});
        struct error_case {
            const char* name;
            std::function<void(rainier_nc_insn&)> spoil;
            unsigned code;
        };
        const std::vector<error_case> cases = {
            {"tensor engine opcode", [](auto& i) { i.opcode = RAINIER_OP_MULTIPLY_MOVING; },
             RAINIER_NC_ERR_OPCODE},
            {"unknown opcode", [](auto& i) { i.opcode = 0x7f; }, RAINIER_NC_ERR_OPCODE},
            {"src dtype", [](auto& i) { i.src_dtype = 4; }, RAINIER_NC_ERR_DTYPE},
            {"dst dtype", [](auto& i) { i.dst_dtype = 9; }, RAINIER_NC_ERR_DTYPE},
            {"activation func", [](auto& i) { i.func = RAINIER_ACT_COUNT; }, RAINIER_NC_ERR_FIELD},
            {"alu func",
             [](auto& i) {
                 i.opcode = RAINIER_OP_TENSOR_SCALAR;
                 i.func = RAINIER_ALU_COUNT;
             },
             RAINIER_NC_ERR_FIELD},
            {"reduce mul",
             [](auto& i) {
                 i.opcode = RAINIER_OP_REDUCE;
                 i.func = RAINIER_ALU_MUL;
                 i.dst.elems = 1;
             },
             RAINIER_NC_ERR_FIELD},
            {"copy func", [](auto& i) { i.opcode = RAINIER_OP_COPY, i.func = 1; },
             RAINIER_NC_ERR_FIELD},
            {"round", [](auto& i) { i.round = 2; }, RAINIER_NC_ERR_FIELD},
            {"reserved", [](auto& i) { i.reserved[2] = 1; }, RAINIER_NC_ERR_FIELD},
            {"acc flag", [](auto& i) { i.flags = RAINIER_NC_FLAG_ACC; }, RAINIER_NC_ERR_FIELD},
            {"scalar flag on activate", [](auto& i) { i.flags = RAINIER_NC_FLAG_SCALAR_FIRST; },
             RAINIER_NC_ERR_FIELD},
            {"dst elems", [](auto& i) { i.dst.elems = n + 1; }, RAINIER_NC_ERR_SHAPE},
            {"dst partitions", [](auto& i) { i.dst.partitions = 3; }, RAINIER_NC_ERR_SHAPE},
            {"empty src0", [](auto& i) { i.src0.partitions = 0; }, RAINIER_NC_ERR_SHAPE},
            {"reduce dst elems",
             [](auto& i) {
                 i.opcode = RAINIER_OP_REDUCE;
                 i.func = RAINIER_ALU_ADD;
                 i.dst.elems = 2;
             },
             RAINIER_NC_ERR_SHAPE},
            {"tensor_tensor src1",
             [](auto& i) {
                 i.opcode = RAINIER_OP_TENSOR_TENSOR;
                 i.src1 = tile(sbuf_addr(0, 4096), parts, n - 1);
             },
             RAINIER_NC_ERR_SHAPE},
            {"bias vector of 2",
             [](auto& i) {
                 i.flags = RAINIER_NC_FLAG_BIAS_VEC;
                 i.src1 = tile(sbuf_addr(0, 4096), parts, 2);
             },
             RAINIER_NC_ERR_SHAPE},
            {"src0 beyond PSUM", [](auto& i) { i.src0.addr = RAINIER_PSUM_ACC_OFFSET; },
             RAINIER_NC_ERR_ADDRESS},
            {"partitions past the end", [](auto& i) { i.src0.addr = sbuf_addr(1, 0); },
             RAINIER_NC_ERR_ADDRESS},
            {"elements past the partition",
             [](auto& i) { i.dst.addr = sbuf_addr(0, 64 * 1024 - 64); }, RAINIER_NC_ERR_ADDRESS},
            {"scalar vector outside",
             [](auto& i) {
                 i.opcode = RAINIER_OP_TENSOR_SCALAR;
                 i.flags = RAINIER_NC_FLAG_SCALAR_VEC;
                 i.src1 = tile(psum_addr(0, 16384 - 2), parts, 1);
             },
             RAINIER_NC_ERR_ADDRESS},
            {"misaligned fp32", [](auto& i) { i.src0.addr = sbuf_addr(0, 2); },
             RAINIER_NC_ERR_MISALIGNED},
            {"misaligned bf16",
             [](auto& i) {
                 i.dst_dtype = RAINIER_DT_BF16;
                 i.dst.addr = sbuf_addr(0, 1025);
             },
             RAINIER_NC_ERR_MISALIGNED},
        };
        for (const auto& c : cases) {
            r.write(RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE | RAINIER_NC_Q_CTRL_RESET);
            r.put(sbuf_addr(0, 8192), RAINIER_DT_FP32, 1, {0});
            r.irqs.clear();
            rainier_nc_insn bad = good;
            c.spoil(bad);
            r.run({bad, marker});
            EXPECT_TRUE(r.halted()) << c.name;
            EXPECT_EQ(r.read(RAINIER_NC_Q_ERROR), c.code) << c.name;
            EXPECT_EQ(r.read(RAINIER_NC_Q_ERROR_INDEX), 0u) << c.name;
            EXPECT_EQ(r.read(RAINIER_NC_Q_COMPLETED), 0u) << c.name;
            EXPECT_EQ(r.get(sbuf_addr(0, 8192), RAINIER_DT_FP32, 1, 1)[0], 0u) << c.name;
            ASSERT_FALSE(r.irqs.empty()) << c.name;
            EXPECT_EQ(r.irqs.back().first, RAINIER_NC_IRQ_ERROR(RAINIER_NC_ENGINE_VECTOR));
            sc_core::wait(sc_time(1, sc_core::SC_US)); // stays halted
            EXPECT_EQ(r.read(RAINIER_NC_Q_COMPLETED), 0u) << c.name;
        }
        // Software fixes the instruction in the ring and resumes: both run.
        r.ring[0] = good;
        r.write(RAINIER_NC_Q_ERROR, 0);
        const sc_time limit = sc_core::sc_time_stamp() + sc_time(1, sc_core::SC_MS);
        while (r.read(RAINIER_NC_Q_COMPLETED) < 2 && sc_core::sc_time_stamp() < limit)
            sc_core::wait(sc_time(10, SC_NS));
        EXPECT_EQ(r.read(RAINIER_NC_Q_COMPLETED), 2u);
        EXPECT_FALSE(r.halted());
        EXPECT_EQ(r.get(sbuf_addr(0, 8192), RAINIER_DT_FP32, 1, 1)[0], f_bits(7.0f));
        EXPECT_EQ(r.ve.instructions(), 2u);
    };
    b.start();
}
