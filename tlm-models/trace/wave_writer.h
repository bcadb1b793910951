// One FST waveform for a whole run: models register signals under scopes and report value
// changes at their (possibly temporally decoupled) local time. Changes are buffered and
// written in time order once the kernel has passed them, and only inside the window
// [start, end], so long runs stay small. GTKWave opens the result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

namespace rainier {

class wave_writer {
public:
    using handle = uint32_t;

    wave_writer(const std::string& path, sc_core::sc_time start, sc_core::sc_time end);
    ~wave_writer();
    wave_writer(const wave_writer&) = delete;
    wave_writer& operator=(const wave_writer&) = delete;

    // scope: dot-separated path, e.g. "chip0.dma.engine0"; width in bits (1..64).
    handle add_signal(const std::string& scope, const std::string& name, unsigned width);
    void change(handle h, sc_core::sc_time t, uint64_t value);

    // For a model whose changes become final only after the kernel passed them (NeuronLink:
    // a credit's return time may still move when the receiver reports back). Each flush
    // first calls it with the kernel time; it reports (change()) what is final and returns
    // the time before which it has reported everything, and the writer holds later changes
    // back. close() calls it with sc_max_time(): then it must report all it has.
    using source = std::function<sc_core::sc_time(sc_core::sc_time now)>;
    void add_source(source s) { m_sources.push_back(std::move(s)); }

    // Writes every buffered change older than kernel time (safe: no model reports earlier)
    // and than every source's horizon.
    void flush_until(sc_core::sc_time t);
    void close(); // writes the rest; the file is complete afterwards

    sc_core::sc_time window_start() const { return m_start; }
    sc_core::sc_time window_end() const { return m_end; }

private:
    struct signal {
        std::string scope, name;
        unsigned width;
        uint32_t fst = 0;
        uint64_t last = ~uint64_t(0);
        uint64_t before = ~uint64_t(0); // latest value before the window
        bool declared = false;
    };
    struct event {
        uint64_t ps;
        uint64_t seq;
        handle h;
        uint64_t value;
    };
    void declare_all();
    void emit(const event& e);
    void emit_before_window(); // the values at the window's start, once

    void* m_ctx = nullptr;
    sc_core::sc_time m_start, m_end;
    std::vector<signal> m_signals;
    std::vector<event> m_pending;
    std::vector<source> m_sources;
    uint64_t m_seq = 0;
    uint64_t m_last_time = 0;
    bool m_header_done = false;
    bool m_window_open = false;
};

} // namespace rainier
