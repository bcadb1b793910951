// Simulated cycles per second of the bare Verilated core under a continuous
// MultiplyMoving stream (weights loaded once, then back-to-back N = 512 operations of
// random BF16 data). Prints one JSON object. Usage: te_core_bench_RxC [seconds]
#include TE_MODEL_HEADER

#include "te_core_harness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <type_traits>
#include <vector>

int main(int argc, char** argv) {
    using namespace rainier;
    constexpr unsigned R = RAINIER_TE_ROWS;
    constexpr unsigned C = RAINIER_TE_COLS;
    const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;

    te_test::te_core_harness<TE_MODEL> h(R, C);
    TE_MODEL& m = h.model();
    std::mt19937 rng(1);
    auto bf16 = [&]() {
        return uint16_t((rng() & 0x8000) | ((119 + rng() % 17) << 7) | (rng() & 0x7f));
    };

    std::vector<golden::te_op> load{{golden::te_op_kind::load_stationary, numerics::dtype::bf16, R,
                                     C, 0, false, std::vector<uint16_t>(size_t(R) * C)}};
    for (uint16_t& v : load[0].data)
        v = bf16();
    h.run(load);

    // 512 distinct moving vectors, replayed: every cycle the port takes a new beat.
    constexpr unsigned N = 512;
    using beat_t = std::remove_reference_t<decltype(m.mm_data_i)>;
    std::vector<beat_t> beats(N);
    for (auto& b : beats) {
        b = beat_t{};
        for (unsigned r = 0; r < R; ++r)
            te_test::put_lane16(b, r, bf16());
    }
    m.mm_valid_i = 1;
    m.mm_dtype_i = uint8_t(numerics::dtype::bf16);
    m.mm_n_i = N;
    m.mm_acc_i = 0;

    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const std::clock_t c0 = std::clock();
    uint64_t cycles = 0, outputs = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        for (unsigned j = 0; j < N; ++j) {
            m.mm_data_i = beats[j];
            m.clk_i = 0;
            m.eval();
            outputs += m.out_valid_o;
            m.clk_i = 1;
            m.eval();
        }
        cycles += N;
        elapsed = std::chrono::duration<double>(clock::now() - t0).count();
    }
    // CPU time too: on a shared machine wall time also counts other people's jobs.
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("{\"benchmark\": \"te_core_mm_stream\", \"rows\": %u, \"cols\": %u, "
                "\"threads\": 1, \"cycles\": %llu, \"outputs\": %llu, \"seconds\": %.3f, "
                "\"cpu_seconds\": %.3f, \"cycles_per_second\": %.1f, "
                "\"cycles_per_cpu_second\": %.1f, \"macs_per_second\": %.4g}\n",
                R, C, (unsigned long long)cycles, (unsigned long long)outputs, elapsed, cpu,
                double(cycles) / elapsed, double(cycles) / cpu, double(cycles) * R * C / elapsed);
    return outputs + R + C + 2 >= cycles ? 0 : 1;
}
