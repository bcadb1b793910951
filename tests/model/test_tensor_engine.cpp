// The tensor engine's TLM wrapper on a minimal bench (register bank, semaphores, SBUF, PSUM,
// an engine queue fetching from a ring in a std::vector): the RTL and fast cores agree on every
// PSUM byte and every completion cycle for random instruction streams; both equal the golden
// model; cycle counts follow rtl/README.md's formulas; every error path halts the queue with
// its code; a stream of multiplies keeps the array busy.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <random>

#include "core_sram.h"
#include "engine_queue.h"
#include "psum.h"
#include "rainier/hw/memory_map.h"
#include "sbuf.h"
#include "semaphore_block.h"
#include "te_fast_backend.h"
#include "tensor_engine.h"
#include "tensor_engine_golden.h"

using namespace rainier;
using golden::dtype;
using sc_core::SC_PS;
using sc_core::sc_time;

namespace {

constexpr unsigned R = 32, C = 32, L = R + C + 1; // rtl/README.md: L = Rows + Cols + 1
constexpr unsigned partitions = 32;
constexpr uint64_t sbuf_bytes = 192 * 1024, psum_bytes = 16 * 1024;
constexpr uint64_t ring_base = 0x10000;
constexpr unsigned ring_entries = 4096;
constexpr unsigned q_base = RAINIER_NC_QUEUE(RAINIER_NC_ENGINE_TENSOR);

sram_config sbuf_cfg() {
    sram_config c;
    c.partitions = partitions;
    c.partition_bytes = sbuf_bytes;
    c.partition_stride = RAINIER_SBUF_PARTITION_STRIDE;
    return c;
}
sram_config psum_cfg() {
    sram_config c;
    c.partitions = partitions;
    c.partition_bytes = psum_bytes;
    c.partition_stride = RAINIER_PSUM_PARTITION_STRIDE;
    return c;
}

uint32_t sbuf_addr(unsigned p, unsigned byte) {
    return uint32_t(RAINIER_SBUF_OFFSET + p * RAINIER_SBUF_PARTITION_STRIDE + byte);
}
uint32_t psum_addr(unsigned p, unsigned byte) {
    return uint32_t(RAINIER_PSUM_OFFSET + p * RAINIER_PSUM_PARTITION_STRIDE + byte);
}

rainier_nc_insn load(dtype dt, unsigned p, unsigned byte, unsigned k, unsigned m) {
    rainier_nc_insn i{};
    i.opcode = RAINIER_OP_LOAD_STATIONARY;
    i.src_dtype = uint8_t(dt);
    i.src0 = {sbuf_addr(p, byte), uint16_t(k), uint16_t(m)};
    return i;
}
rainier_nc_insn multiply(dtype dt, unsigned p, unsigned byte, unsigned k, unsigned n,
                         unsigned dst_p, unsigned dst_byte, unsigned m, bool acc) {
    rainier_nc_insn i{};
    i.opcode = RAINIER_OP_MULTIPLY_MOVING;
    i.flags = acc ? RAINIER_NC_FLAG_ACC : 0;
    i.src_dtype = uint8_t(dt);
    i.dst_dtype = RAINIER_DT_FP32;
    i.src0 = {sbuf_addr(p, byte), uint16_t(k), uint16_t(n)};
    i.dst = {psum_addr(dst_p, dst_byte), uint16_t(m), uint16_t(n)};
    return i;
}

struct completion {
    uint16_t tag;
    uint64_t cycle;
    bool operator==(const completion& o) const { return tag == o.tag && cycle == o.cycle; }
};

// One core's worth of the NeuronCore around a tensor engine.
class te_bench : public sc_core::sc_module {
public:
    te_bench(sc_core::sc_module_name name, te_mode mode)
        : sc_module(name), regs(std::string(this->name()) + ".regs"), sems("sems"),
          sb("sbuf", sbuf_cfg()), ps("psum", psum_cfg()), sram(sb, ps), ring(ring_entries),
          queue(
              std::string(this->name()) + ".tensor", RAINIER_NC_ENGINE_TENSOR, regs, sems,
              [this](uint64_t a, void* d, unsigned n) { return fetch(a, d, n); },
              [](uint32_t, bool) {}),
          te("te", te_config(mode), queue, sram) {
        // The bench reaches the memories directly; their TLM sockets just need a partner.
        to_sbuf.bind(sb.in);
        to_psum.bind(ps.in);
        to_psum_acc.bind(ps.acc);
        to_sems.bind(sems.in);
        te.on_completion([this](const rainier_nc_insn& i, uint64_t cycle) {
            completions.push_back({i.tag, cycle});
            completion_times.push_back(sc_core::sc_time_stamp());
        });
        write(RAINIER_NC_Q_BASE, ring_base, 8);
        write(RAINIER_NC_Q_SIZE, ring_entries);
        write(RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE);
    }

    static tensor_engine_config te_config(te_mode mode) {
        tensor_engine_config c;
        c.rows = R;
        c.cols = C;
        c.mode = mode;
        return c;
    }

    bool fetch(uint64_t addr, void* dst, unsigned len) {
        if (addr < ring_base || addr + len > ring_base + ring.size() * sizeof(rainier_nc_insn))
            return false;
        std::memcpy(dst, reinterpret_cast<const uint8_t*>(ring.data()) + (addr - ring_base), len);
        return true;
    }

    uint64_t access(bool is_write, unsigned offset, uint64_t value, unsigned len) {
        tlm::tlm_generic_payload t;
        t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_address(q_base + offset);
        t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
        t.set_data_length(len);
        t.set_streaming_width(len);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        regs.transport(t, false);
        EXPECT_TRUE(t.is_response_ok()) << "register " << offset;
        return value;
    }
    void write(unsigned offset, uint64_t v, unsigned len = 4) { access(true, offset, v, len); }
    uint64_t read(unsigned offset, unsigned len = 4) { return access(false, offset, 0, len); }

    // Appends instructions to the ring and rings the doorbell.
    void submit(const std::vector<rainier_nc_insn>& insns) {
        for (const rainier_nc_insn& i : insns)
            ring[m_tail++ % ring_entries] = i;
        write(RAINIER_NC_Q_TAIL, m_tail);
        write(RAINIER_NC_Q_DOORBELL, 1);
    }

    void reset_queue() {
        write(RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE | RAINIER_NC_Q_CTRL_RESET);
        m_tail = 0;
    }

    tlm_utils::simple_initiator_socket<te_bench> to_sbuf, to_psum, to_psum_acc, to_sems;
    register_bank regs;
    semaphore_block sems;
    sbuf sb;
    psum ps;
    core_sram sram;
    std::vector<rainier_nc_insn> ring;
    engine_queue queue;
    tensor_engine te;
    std::vector<completion> completions;
    std::vector<sc_time> completion_times;

private:
    uint32_t m_tail = 0;
};

// Runs `body` in a thread of its own, then stops the simulation.
class driver : public sc_core::sc_module {
public:
    driver(sc_core::sc_module_name name, std::function<void()> body)
        : sc_module(name), m_body(std::move(body)) {
        SC_HAS_PROCESS(driver);
        SC_THREAD(run);
    }

private:
    void run() {
        m_body();
        sc_core::sc_stop();
    }
    std::function<void()> m_body;
};

void run(std::function<void()> body) {
    driver d("driver", std::move(body));
    sc_core::sc_start();
}

// Waits until `count` instructions have completed, or the queue halted and went idle.
void settle(te_bench& b, uint64_t count) {
    for (;;) {
        const uint64_t status = b.read(RAINIER_NC_Q_STATUS);
        if (b.queue.completed() >= count ||
            ((status & RAINIER_NC_Q_STATUS_HALTED) && !(status & RAINIER_NC_Q_STATUS_BUSY)))
            return;
        sc_core::wait(sc_time(10, sc_core::SC_NS));
    }
}

// ---- stimulus ----------------------------------------------------------------------------

const uint16_t bf16_specials[] = {0x0000, 0x8000, 0x0001, 0x807f, 0x0080, 0x8080, 0x7f7f, 0xff7f,
                                  0x7f80, 0xff80, 0x7fc0, 0x7f81, 0xffff, 0x3f80, 0xbf80};

class stimulus {
public:
    explicit stimulus(uint64_t seed) : m_rng(seed) {}
    unsigned uniform(unsigned lo, unsigned hi) {
        return std::uniform_int_distribution<unsigned>(lo, hi)(m_rng);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }

    // Mostly normal BF16 around 1, some specials (zeros, subnormals, extremes, Inf, NaN).
    // Read as FP8, the same bytes give every FP8 class too.
    uint16_t bf16() {
        if (chance(0.04)) return bf16_specials[uniform(0, std::size(bf16_specials) - 1)];
        if (chance(0.02)) return uint16_t(uniform(0, 0xffff));
        return uint16_t((uniform(0, 1) << 15) | (uniform(119, 135) << 7) | uniform(0, 0x7f));
    }
    void fill(te_bench& b) {
        for (unsigned p = 0; p < partitions; ++p)
            for (unsigned e = 0; e < 4096; e += 2) {
                const uint16_t v = bf16();
                std::memcpy(b.sb.partition(p) + e, &v, 2);
            }
    }
    dtype any_dtype() { return dtype(uniform(0, 2)); }

private:
    std::mt19937_64 m_rng;
};

// A random valid program: loads with random K x M and dtypes, multiplies with random N
// (1 and 512 included), accumulate on and off, into random PSUM banks; semaphore waits on the
// engine's own increments (sem 2) and on a counter the driver bumps (sem 1).
std::vector<rainier_nc_insn> random_program(stimulus& s, unsigned loads, unsigned max_n,
                                            unsigned external_incs) {
    std::vector<rainier_nc_insn> prog;
    unsigned own_incs = 0;
    for (unsigned t = 0; t < loads; ++t) {
        const unsigned k = s.chance(0.3) ? R : s.uniform(1, R);
        const unsigned m = s.chance(0.3) ? C : s.uniform(1, C);
        const dtype wdt = s.any_dtype();
        const unsigned esz = wdt == dtype::bf16 ? 2 : 1;
        prog.push_back(load(wdt, s.uniform(0, partitions - k), esz * s.uniform(0, 256), k, m));
        const unsigned mms = s.uniform(1, 3);
        for (unsigned i = 0; i < mms; ++i) {
            const unsigned n = s.chance(0.1) ? 1 : s.chance(0.1) ? max_n : s.uniform(1, max_n);
            const dtype xdt = s.any_dtype();
            const unsigned xsz = xdt == dtype::bf16 ? 2 : 1;
            const unsigned bank = s.uniform(0, 7);
            const unsigned elem = s.uniform(0, RAINIER_TE_MAX_N - n);
            prog.push_back(multiply(
                xdt, s.uniform(0, partitions - k), xsz * s.uniform(0, 4096 / xsz - n), k, n,
                s.uniform(0, partitions - m), bank * 2048 + elem * 4, m, s.chance(0.5)));
        }
    }
    for (size_t i = 0; i < prog.size(); ++i) {
        rainier_nc_insn& in = prog[i];
        in.tag = uint16_t(i);
        if (s.chance(0.2)) {
            in.flags |= RAINIER_NC_FLAG_SEM;
            in.sem_id = 2;
            in.sem_inc = 1;
        }
        if (s.chance(0.1) && own_incs > 0) { // waits for its own earlier instructions
            in.flags |= RAINIER_NC_FLAG_WAIT;
            in.wait_sem = 2;
            in.wait_value = own_incs;
        } else if (s.chance(0.05)) { // waits for the driver
            in.flags |= RAINIER_NC_FLAG_WAIT;
            in.wait_sem = 1;
            in.wait_value = s.uniform(1, external_incs);
        }
        if (in.flags & RAINIER_NC_FLAG_SEM) ++own_incs;
    }
    return prog;
}

// The golden model applied to a program on a copy of the bench's SBUF, into a shadow PSUM.
std::vector<uint8_t> golden_psum(te_bench& b, const std::vector<rainier_nc_insn>& prog) {
    std::vector<uint8_t> psum(size_t(partitions) * psum_bytes, 0);
    golden::tensor_engine_golden g(R, C);
    unsigned m = 0;
    auto elem = [&](const rainier_nc_tile& t, unsigned dt, unsigned r, unsigned e) {
        const unsigned p = (t.addr - RAINIER_SBUF_OFFSET) / RAINIER_SBUF_PARTITION_STRIDE + r;
        const unsigned byte = (t.addr - RAINIER_SBUF_OFFSET) % RAINIER_SBUF_PARTITION_STRIDE;
        const uint8_t* q = b.sb.partition(p) + byte + e * RAINIER_DT_SIZE(dt);
        return dt == RAINIER_DT_BF16 ? uint16_t(q[0] | q[1] << 8) : uint16_t(q[0]);
    };
    for (const rainier_nc_insn& in : prog) {
        const unsigned k = in.src0.partitions, free = in.src0.elems;
        std::vector<uint16_t> data(size_t(k) * free);
        for (unsigned r = 0; r < k; ++r)
            for (unsigned e = 0; e < free; ++e)
                data[r * free + e] = elem(in.src0, in.src_dtype, r, e);
        if (in.opcode == RAINIER_OP_LOAD_STATIONARY) {
            g.load_stationary(dtype(in.src_dtype), k, free, data.data());
            m = free;
            continue;
        }
        std::vector<uint32_t> out(size_t(free) * C);
        g.multiply_moving(dtype(in.src_dtype), free, data.data(), out.data());
        const unsigned p0 = (in.dst.addr - RAINIER_PSUM_OFFSET) / RAINIER_PSUM_PARTITION_STRIDE;
        const unsigned byte = (in.dst.addr - RAINIER_PSUM_OFFSET) % RAINIER_PSUM_PARTITION_STRIDE;
        for (unsigned c = 0; c < m; ++c)
            for (unsigned j = 0; j < free; ++j) {
                uint8_t* q = &psum[(p0 + c) * psum_bytes + byte + j * 4];
                uint32_t v = out[j * C + c];
                if (in.flags & RAINIER_NC_FLAG_ACC) {
                    uint32_t stored;
                    std::memcpy(&stored, q, 4);
                    v = numerics::add_rne(stored, v);
                }
                std::memcpy(q, &v, 4);
            }
    }
    return psum;
}

// First differing PSUM word against `want`, for a readable failure.
void expect_psum(te_bench& b, const std::vector<uint8_t>& want, const char* what) {
    unsigned bad = 0;
    for (unsigned p = 0; p < partitions; ++p)
        for (unsigned byte = 0; byte < psum_bytes; byte += 4) {
            uint32_t got, exp;
            std::memcpy(&got, b.ps.partition(p) + byte, 4);
            std::memcpy(&exp, &want[p * psum_bytes + byte], 4);
            if (got != exp && ++bad <= 5)
                ADD_FAILURE() << what << ": PSUM partition " << p << " byte " << byte << ": "
                              << std::hex << got << " != " << exp;
        }
    EXPECT_EQ(bad, 0u) << what;
}

void copy_sbuf(te_bench& from, te_bench& to) {
    for (unsigned p = 0; p < partitions; ++p)
        std::memcpy(to.sb.partition(p), from.sb.partition(p), sbuf_bytes);
}

std::vector<uint8_t> psum_bytes_of(te_bench& b) {
    std::vector<uint8_t> v(size_t(partitions) * psum_bytes);
    for (unsigned p = 0; p < partitions; ++p)
        std::memcpy(&v[p * psum_bytes], b.ps.partition(p), psum_bytes);
    return v;
}

// Deterministic by default; RAINIER_TE_SEED=n explores other streams.
uint64_t seed(uint64_t fallback) {
    const char* env = std::getenv("RAINIER_TE_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 0) : fallback;
}

// Times of external events sit between clock edges (cycle + 200 ps, the period being 417 ps),
// so no event coincides with an engine decision and the order inside a time step never matters.
sc_time between_cycles(const te_bench& b, uint64_t cycle) {
    return b.te.cycle_time(cycle) + sc_time(200, SC_PS);
}

void wait_until(sc_time t) {
    if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
}

} // namespace

// ---- the fast core's arithmetic against the golden model, without SystemC -----------------

// At the RTL's size, the Trainium2 size (the generic loop) and a non-square one.
TEST(te_fast, MultiplyEqualsTheGoldenModelOnRandomAndSpecialValues) {
    stimulus s(11);
    const unsigned sizes[][2] = {{R, C}, {128, 128}, {8, 20}};
    for (const auto& size : sizes) {
        const unsigned rows = size[0], cols = size[1];
        te_fast_backend fast(rows, cols);
        golden::tensor_engine_golden g(rows, cols);
        for (unsigned t = 0; t < 200; ++t) {
            const dtype wdt = s.any_dtype(), xdt = s.any_dtype();
            const unsigned k = s.uniform(1, rows), m = s.uniform(1, cols), n = s.uniform(1, 64);
            const int mix = int(s.uniform(0, 2)); // normal, raw bits, extreme exponents
            auto value = [&](dtype dt) -> uint16_t {
                if (mix == 1)
                    return uint16_t(dt == dtype::bf16 ? s.uniform(0, 0xffff) : s.uniform(0, 0xff));
                if (mix == 2 && dt == dtype::bf16) {
                    const unsigned e = s.chance(0.5) ? s.uniform(1, 70) : s.uniform(185, 254);
                    return uint16_t((s.uniform(0, 1) << 15) | (e << 7) | s.uniform(0, 0x7f));
                }
                const uint16_t v = s.bf16();
                return dt == dtype::bf16 ? v : uint16_t(v >> 8);
            };
            std::vector<uint16_t> w(size_t(k) * m), x(size_t(k) * n);
            for (auto& v : w)
                v = value(wdt);
            for (auto& v : x)
                v = value(xdt);
            g.load_stationary(wdt, k, m, w.data());
            fast.load_weights(wdt, k, m, w.data());
            std::vector<uint32_t> want(size_t(n) * cols), got(size_t(n) * cols);
            g.multiply_moving(xdt, n, x.data(), want.data());
            fast.multiply(xdt, n, x.data(), got.data());
            for (size_t i = 0; i < want.size(); ++i)
                ASSERT_EQ(got[i], want[i])
                    << rows << "x" << cols << " case " << t << " vector " << i / cols << " lane "
                    << i % cols << " (" << numerics::dtype_name(wdt) << " x "
                    << numerics::dtype_name(xdt) << ", K " << k << ")";
        }
    }
}

TEST(te_fast, EveryFp8ProductEqualsTheGoldenModel) {
    te_fast_backend fast(R, C);
    golden::tensor_engine_golden g(R, C);
    for (dtype wdt : {dtype::fp8_e4m3, dtype::fp8_e5m2})
        for (dtype xdt : {dtype::fp8_e4m3, dtype::fp8_e5m2})
            for (unsigned base = 0; base < 256; base += C) {
                std::vector<uint16_t> w(C), x(256);
                for (unsigned c = 0; c < C; ++c)
                    w[c] = uint16_t(base + c);
                for (unsigned j = 0; j < 256; ++j)
                    x[j] = uint16_t(j);
                g.load_stationary(wdt, 1, C, w.data());
                fast.load_weights(wdt, 1, C, w.data());
                std::vector<uint32_t> want(256 * C), got(256 * C);
                g.multiply_moving(xdt, 256, x.data(), want.data());
                fast.multiply(xdt, 256, x.data(), got.data());
                ASSERT_EQ(got, want);
            }
}

TEST(te_fast, RtlSizeThatIsNotBuiltIsAClearError) {
    try {
        make_te_rtl_backend(64, 64);
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no RTL tensor engine of 64x64 is built"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("--tensor-engine=fast"), std::string::npos);
    }
}

// ---- rtl and fast on the same random streams ----------------------------------------------

TEST(tensor_engine, RtlAndFastAgreeOnEveryPsumByteAndCompletionCycle) {
    te_bench rtl("rtl", te_mode::rtl), fast("fast", te_mode::fast);
    stimulus s(seed(2024));
    s.fill(rtl);
    copy_sbuf(rtl, fast);
    const unsigned external_incs = 6;
    const auto prog = random_program(s, 40, 96, external_incs);
    // Submitted in batches at random times (the engine idles and drains in between), and the
    // driver's semaphore bumps at random times.
    std::vector<std::pair<uint64_t, size_t>> batches; // cycle, end of batch
    for (size_t i = 0; i < prog.size();) {
        i = std::min(prog.size(), i + s.uniform(1, 12));
        batches.push_back({s.uniform(0, 400), i});
    }
    std::vector<uint64_t> bumps;
    for (unsigned i = 0; i < external_incs; ++i)
        bumps.push_back(s.uniform(100, 4000));
    std::sort(bumps.begin(), bumps.end());
    run([&] {
        uint64_t cycle = 0;
        size_t sent = 0, bump = 0;
        for (const auto& [gap, end] : batches) {
            cycle += gap;
            while (bump < bumps.size() && bumps[bump] <= cycle) {
                wait_until(between_cycles(rtl, bumps[bump++]));
                rtl.sems.add(1, 1);
                fast.sems.add(1, 1);
            }
            wait_until(between_cycles(rtl, cycle));
            std::vector<rainier_nc_insn> batch(prog.begin() + sent, prog.begin() + end);
            rtl.submit(batch);
            fast.submit(batch);
            sent = end;
        }
        while (bump < bumps.size()) {
            wait_until(between_cycles(rtl, bumps[bump++]));
            rtl.sems.add(1, 1);
            fast.sems.add(1, 1);
        }
        settle(rtl, prog.size());
        settle(fast, prog.size());
    });
    ASSERT_EQ(rtl.queue.completed(), prog.size());
    ASSERT_EQ(fast.queue.completed(), prog.size());
    EXPECT_EQ(rtl.read(RAINIER_NC_Q_ERROR), 0u);
    EXPECT_TRUE(rtl.completions == fast.completions) << "completion cycles differ";
    for (size_t i = 0; i < std::min(rtl.completions.size(), fast.completions.size()); ++i)
        if (!(rtl.completions[i] == fast.completions[i])) {
            ADD_FAILURE() << "instruction " << i << ": rtl tag " << rtl.completions[i].tag
                          << " cycle " << rtl.completions[i].cycle << ", fast tag "
                          << fast.completions[i].tag << " cycle " << fast.completions[i].cycle;
            break;
        }
    EXPECT_TRUE(rtl.completion_times == fast.completion_times);
    expect_psum(rtl, psum_bytes_of(fast), "rtl vs fast");
    expect_psum(fast, golden_psum(fast, prog), "fast vs golden");
    EXPECT_EQ(rtl.te.busy_cycles(), fast.te.busy_cycles());
    EXPECT_EQ(rtl.te.backend().clocked_cycles(), rtl.te.busy_cycles())
        << "the RTL is clocked exactly while it has work";
    EXPECT_EQ(rtl.read(RAINIER_NC_Q_BUSY_CYCLES, 8), rtl.te.busy_cycles());
    EXPECT_EQ(rtl.te.macs(), fast.te.macs());
    std::printf("rtl vs fast: %zu instructions, %llu busy cycles, %llu MACs\n", prog.size(),
                (unsigned long long)rtl.te.busy_cycles(), (unsigned long long)rtl.te.macs());
}

// Longer random program through the fast core only, against the golden model.
TEST(tensor_engine, FastEqualsTheGoldenModelOnALongRandomStream) {
    te_bench fast("fast", te_mode::fast);
    stimulus s(seed(7));
    s.fill(fast);
    const auto prog = random_program(s, 150, RAINIER_TE_MAX_N, 1);
    run([&] {
        fast.sems.add(1, 1);
        fast.submit(prog);
        settle(fast, prog.size());
    });
    ASSERT_EQ(fast.queue.completed(), prog.size());
    expect_psum(fast, golden_psum(fast, prog), "fast vs golden");
}

// ---- timing --------------------------------------------------------------------------------

// rtl/README.md: LS takes M cycles; the MM starts the cycle after its last beat and its last
// output is N + Rows + Cols + 1 cycles after its first beat (inclusive).
void single_pair_timing(te_mode mode) {
    te_bench b("b", mode);
    const unsigned m = 20, n = 100;
    const sc_time t0(1234, sc_core::SC_NS);
    run([&] {
        wait_until(t0);
        b.submit(
            {load(dtype::bf16, 0, 0, R, m), multiply(dtype::bf16, 0, 0, R, n, 0, 0, m, false)});
        settle(b, 2);
    });
    const uint64_t period = b.te.period().value();
    const uint64_t s = (t0.value() + period - 1) / period; // the first cycle at or after t0
    ASSERT_EQ(b.completions.size(), 2u);
    EXPECT_EQ(b.completions[0].cycle, s + m - 1);
    EXPECT_EQ(b.completions[1].cycle, s + m + (n + R + C + 1) - 1);
    EXPECT_EQ(b.completion_times[1], b.te.cycle_time(s + m + n + R + C));
    EXPECT_EQ(b.te.busy_cycles(), m + n + L);
    EXPECT_EQ(b.te.macs(), uint64_t(R) * m * n);
}

TEST(tensor_engine, RtlCyclesOfOneLoadAndMultiplyFollowTheFormula) {
    single_pair_timing(te_mode::rtl);
}
TEST(tensor_engine, FastCyclesOfOneLoadAndMultiplyFollowTheFormula) {
    single_pair_timing(te_mode::fast);
}

// docs/tensor-engine.md, "drain before blocking": an instruction that waits on a semaphore
// lets everything in flight finish first, then starts at max(the first cycle after the
// semaphore is set, the cycle after the drain). The semaphore comes during the drain (cycle
// 50) or after it (cycle 500), on both cores.
TEST(tensor_engine, WaitingInstructionStartsAfterTheDrain) {
    struct bench_case {
        te_mode mode;
        uint64_t bump;
    };
    const bench_case cases[] = {
        {te_mode::fast, 50}, {te_mode::rtl, 50}, {te_mode::fast, 500}, {te_mode::rtl, 500}};
    std::vector<std::unique_ptr<te_bench>> benches;
    for (const bench_case& bc : cases)
        benches.push_back(std::make_unique<te_bench>(
            (std::string("b") + std::to_string(benches.size())).c_str(), bc.mode));
    const unsigned n1 = 100, n2 = 40;
    auto waiting = multiply(dtype::bf16, 0, 0, R, n2, 0, 4096, C, false);
    waiting.flags |= RAINIER_NC_FLAG_WAIT;
    waiting.wait_sem = 1;
    waiting.wait_value = 1;
    run([&] {
        for (auto& b : benches)
            b->submit({load(dtype::bf16, 0, 0, R, C),
                       multiply(dtype::bf16, 0, 0, R, n1, 0, 0, C, false), waiting});
        for (uint64_t bump : {50, 500}) {
            wait_until(between_cycles(*benches[0], bump));
            for (size_t i = 0; i < benches.size(); ++i)
                if (cases[i].bump == bump) benches[i]->sems.add(1, 1);
        }
        for (auto& b : benches)
            settle(*b, 3);
    });
    for (size_t i = 0; i < benches.size(); ++i) {
        const te_bench& b = *benches[i];
        SCOPED_TRACE(std::string(te_mode_name(cases[i].mode)) + ", semaphore at cycle " +
                     std::to_string(cases[i].bump));
        ASSERT_EQ(b.completions.size(), 3u);
        const uint64_t drained = C + n1 + L - 1; // the first multiply's last output
        EXPECT_EQ(b.completions[1].cycle, drained);
        const uint64_t start = std::max(drained + 1, cases[i].bump + 1);
        EXPECT_EQ(b.completions[2].cycle, start + n2 + L - 1);
        // Busy: the first period up to the drain, then the waiting multiply on its own.
        EXPECT_EQ(b.te.busy_cycles(), drained + 1 + n2 + L);
        if (cases[i].mode == te_mode::rtl) {
            EXPECT_EQ(b.te.backend().clocked_cycles(), b.te.busy_cycles());
        }
    }
}

// The timeline gets one slice per instruction, from its first beat to its completion.
TEST(tensor_engine, TimelineHasASlicePerInstruction) {
    const std::string path = ::testing::TempDir() + "te_timeline.json";
    {
        timeline tl(path);
        te_bench b("b", te_mode::fast);
        b.te.attach_probes(probes{nullptr, &tl}, "chip0", "core0.te");
        run([&] {
            b.submit(
                {load(dtype::bf16, 0, 0, R, C), multiply(dtype::bf16, 0, 0, R, 64, 0, 0, C, true)});
            settle(b, 2);
        });
        tl.close();
    }
    std::FILE* f = std::fopen(path.c_str(), "r");
    ASSERT_NE(f, nullptr);
    std::string text;
    char buf[4096];
    for (size_t got; (got = std::fread(buf, 1, sizeof buf, f)) > 0;)
        text.append(buf, got);
    std::fclose(f);
    const auto json = nlohmann::json::parse(text);
    unsigned loads = 0, multiplies = 0;
    for (const auto& e : json["traceEvents"]) {
        if (e.value("ph", "") != "X") continue;
        loads += e["name"] == "load_stationary";
        multiplies += e["name"] == "multiply_moving";
    }
    EXPECT_EQ(loads, 1u);
    EXPECT_EQ(multiplies, 1u);
}

// Back-to-back multiplies (same weights, or weights reloaded under each multiply with N >= M)
// keep the moving port busy: busy cycles = M_1 + sum(N) + L, so utilisation is
// sum(N) / (M_1 + sum(N) + L).
void streaming_utilisation(te_mode mode, unsigned count) {
    te_bench b("b", mode);
    stimulus s(5);
    s.fill(b);
    std::vector<rainier_nc_insn> prog;
    uint64_t sum_n = 0;
    for (unsigned i = 0; i < count; ++i) {
        if (i == 0 || i % 2 == 0) prog.push_back(load(dtype::bf16, 0, 64 * (i % 8), R, C));
        const unsigned n = i % 3 == 0 ? 512 : 64 + 32 * (i % 5);
        prog.push_back(multiply(dtype::fp8_e4m3, 0, 0, R, n, 0, (i % 8) * 2048, C, i % 2 == 1));
        sum_n += n;
    }
    run([&] {
        b.submit(prog);
        settle(b, unsigned(prog.size()));
    });
    ASSERT_EQ(b.queue.completed(), prog.size());
    const uint64_t formula = C + sum_n + L;
    EXPECT_EQ(b.te.busy_cycles(), formula);
    EXPECT_EQ(b.te.moving_beats(), sum_n);
    // Elapsed: from cycle 0 to the last completion, all of it busy.
    EXPECT_EQ(b.completions.back().cycle + 1, formula);
    const double utilisation = double(sum_n) / double(b.te.busy_cycles());
    EXPECT_GT(utilisation, double(sum_n) / double(sum_n + C + L) - 1e-12);
    std::printf("%s: %u multiplies, %llu moving beats in %llu busy cycles: %.4f\n",
                te_mode_name(mode), count, (unsigned long long)sum_n,
                (unsigned long long)b.te.busy_cycles(), utilisation);
    if (mode == te_mode::rtl) {
        EXPECT_EQ(b.te.backend().clocked_cycles(), formula);
    }
}

TEST(tensor_engine, FastStreamKeepsTheArrayBusy) {
    streaming_utilisation(te_mode::fast, 200);
}
TEST(tensor_engine, RtlStreamKeepsTheArrayBusy) {
    streaming_utilisation(te_mode::rtl, 12);
}

// Wall time of N = 512 multiplies, both cores (printed; the fast one must be far cheaper).
// ---- errors ----------------------------------------------------------------------------------

struct error_case {
    const char* name;
    unsigned code;
    std::function<rainier_nc_insn()> insn;
};

const error_case error_cases[] = {
    {"K > rows", RAINIER_NC_ERR_SHAPE, [] { return load(dtype::bf16, 0, 0, R + 1, 8); }},
    {"M > cols", RAINIER_NC_ERR_SHAPE, [] { return load(dtype::bf16, 0, 0, 8, C + 1); }},
    {"N > 512", RAINIER_NC_ERR_SHAPE,
     [] { return multiply(dtype::fp8_e5m2, 0, 0, 8, 513, 0, 0, 8, false); }},
    {"K differs from the load", RAINIER_NC_ERR_SHAPE,
     [] { return multiply(dtype::bf16, 0, 0, 7, 4, 0, 0, 8, false); }},
    {"dst not M x N", RAINIER_NC_ERR_SHAPE,
     [] { return multiply(dtype::bf16, 0, 0, 8, 4, 0, 0, 7, false); }},
    {"PSUM bank crossing", RAINIER_NC_ERR_PSUM_BANK,
     [] { return multiply(dtype::bf16, 0, 0, 8, 16, 0, 2048 - 32, 8, false); }},
    {"SBUF out of range", RAINIER_NC_ERR_ADDRESS,
     [] { return multiply(dtype::bf16, 0, sbuf_bytes - 8, 8, 16, 0, 0, 8, false); }},
    {"SBUF partitions past the end", RAINIER_NC_ERR_ADDRESS,
     [] { return load(dtype::bf16, partitions - 4, 0, 8, 8); }},
    {"src0 in PSUM", RAINIER_NC_ERR_ADDRESS,
     [] {
         auto i = load(dtype::bf16, 0, 0, 8, 8);
         i.src0.addr = psum_addr(0, 0);
         return i;
     }},
    {"dst in SBUF", RAINIER_NC_ERR_ADDRESS,
     [] {
         auto i = multiply(dtype::bf16, 0, 0, 8, 4, 0, 0, 8, false);
         i.dst.addr = sbuf_addr(3, 0);
         return i;
     }},
    {"misaligned BF16", RAINIER_NC_ERR_MISALIGNED, [] { return load(dtype::bf16, 0, 1, 8, 8); }},
    {"wrong opcode", RAINIER_NC_ERR_OPCODE,
     [] {
         auto i = load(dtype::bf16, 0, 0, 8, 8);
         i.opcode = RAINIER_OP_ACTIVATE;
         return i;
     }},
    {"dst dtype", RAINIER_NC_ERR_DTYPE,
     [] {
         auto i = multiply(dtype::bf16, 0, 0, 8, 4, 0, 0, 8, false);
         i.dst_dtype = RAINIER_DT_BF16;
         return i;
     }},
    {"src dtype", RAINIER_NC_ERR_DTYPE,
     [] {
         auto i = load(dtype::bf16, 0, 0, 8, 8);
         i.src_dtype = RAINIER_DT_FP32;
         return i;
     }},
    {"ACC on a load", RAINIER_NC_ERR_FIELD,
     [] {
         auto i = load(dtype::bf16, 0, 0, 8, 8);
         i.flags = RAINIER_NC_FLAG_ACC;
         return i;
     }},
    {"nonzero func", RAINIER_NC_ERR_FIELD,
     [] {
         auto i = multiply(dtype::bf16, 0, 0, 8, 4, 0, 0, 8, false);
         i.func = 1;
         return i;
     }},
};

// A good load and multiply, the bad instruction, then a multiply that must not run.
void error_path(te_mode mode) {
    te_bench b("b", mode);
    stimulus s(3);
    s.fill(b);
    run([&] {
        for (const error_case& ec : error_cases) {
            SCOPED_TRACE(ec.name);
            b.reset_queue();
            for (unsigned p = 0; p < partitions; ++p)
                std::memset(b.ps.partition(p), 0, psum_bytes);
            const uint64_t before = b.te.instructions();
            b.submit({load(dtype::bf16, 0, 0, 8, 8),
                      multiply(dtype::bf16, 0, 0, 8, 64, 0, 0, 8, false), ec.insn(),
                      multiply(dtype::bf16, 0, 0, 8, 64, 8, 4096, 8, false)});
            sc_core::wait(sc_time(2, sc_core::SC_US));
            EXPECT_EQ(b.read(RAINIER_NC_Q_ERROR), ec.code);
            EXPECT_EQ(b.read(RAINIER_NC_Q_ERROR_INDEX), 2u);
            EXPECT_TRUE(b.read(RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_HALTED);
            EXPECT_FALSE(b.read(RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_BUSY);
            EXPECT_EQ(b.read(RAINIER_NC_Q_COMPLETED), 2u) << "the two before it complete";
            EXPECT_EQ(b.te.instructions() - before, 2u);
            uint32_t first, later;
            std::memcpy(&first, b.ps.partition(0), 4);
            std::memcpy(&later, b.ps.partition(8) + 4096, 4);
            EXPECT_NE(first, 0u) << "the multiply before the error wrote its result";
            EXPECT_EQ(later, 0u) << "the multiply after the error did not run";
            b.write(RAINIER_NC_Q_ERROR, 0); // resume: the bad instruction fails again
            sc_core::wait(sc_time(100, sc_core::SC_NS));
            EXPECT_EQ(b.read(RAINIER_NC_Q_ERROR), ec.code);
        }
    });
}

TEST(tensor_engine, FastErrorsHaltTheQueueWithTheirCode) {
    error_path(te_mode::fast);
}
TEST(tensor_engine, RtlErrorsHaltTheQueueWithTheirCode) {
    error_path(te_mode::rtl);
}

TEST(tensor_engine, MultiplyBeforeAnyLoadIsAShapeError) {
    te_bench b("b", te_mode::fast);
    run([&] {
        b.submit({multiply(dtype::bf16, 0, 0, 8, 4, 0, 0, 8, false)});
        sc_core::wait(sc_time(1, sc_core::SC_US));
    });
    EXPECT_EQ(b.read(RAINIER_NC_Q_ERROR), unsigned(RAINIER_NC_ERR_SHAPE));
    EXPECT_EQ(b.read(RAINIER_NC_Q_ERROR_INDEX), 0u);
    EXPECT_EQ(b.queue.completed(), 0u);
}

// A 512 x 512 x 512 BF16 GEMM as the runtime would tile it for a 32 x 32 array (16 x 16
// weight tiles, each loaded and then multiplied by a 32 x 512 moving tile, accumulating over
// K), timed on both cores. A measurement, not a check: run with
// --gtest_also_run_disabled_tests --gtest_filter='*Gemm512*'.
